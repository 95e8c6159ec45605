"""Fixtures of the browser tests, defined in browser_helpers.py."""

from browser_helpers import (
    browser,
    chromium,
    dark_browser,
    example,
    example_server,
    pytest_runtest_makereport,
    served,
    sized,
    xss_browser,
    xss_fixture,
    xss_server,
)

__all__ = [
    "browser",
    "chromium",
    "dark_browser",
    "example",
    "example_server",
    "pytest_runtest_makereport",
    "served",
    "sized",
    "xss_browser",
    "xss_fixture",
    "xss_server",
]
