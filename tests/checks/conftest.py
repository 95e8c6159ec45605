"""Fixtures of the check tests; the helpers live in checks_fixtures.py (a unique module name)."""

from checks_fixtures import http_root, project

__all__ = ["http_root", "project"]
