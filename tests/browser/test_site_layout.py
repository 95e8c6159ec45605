"""Every page of the example site fits: on a laptop (1366 px) no table hides a column, on a
phone (390 px) no page scrolls sideways and no table scrolls inside its box (wide tables are
shown as stacked rows, each cell labelled with its column)."""

from __future__ import annotations

from typing import Any

from browser_helpers import Built, Server

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

CLIPPED_TABLES = """() => [...document.querySelectorAll('article table')].filter(t => {
  if (t.closest('.handover-diagram')) return false;
  const wrap = t.closest('.md-typeset__scrollwrap') || t.parentElement;
  return wrap.scrollWidth > wrap.clientWidth + 1;
}).map(t => [...t.querySelectorAll('th')].map(x => x.textContent.trim()).join(' | ')
  || t.textContent.trim().slice(0, 80))"""

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _pages(example: Built) -> list[str]:
    pages = example.pages()
    assert "handover/oncall/" in pages and "" in pages
    return pages


def test_no_table_hides_a_column_at_1366_px(sized: Any, served: Server, example: Built) -> None:
    page = sized(LAPTOP)
    clipped: dict[str, list[str]] = {}
    for path in _pages(example):
        page.goto(served.url + path)
        found = page.evaluate(CLIPPED_TABLES)
        if found:
            clipped[path] = found
    assert not clipped, f"tables wider than their column at 1366 px: {clipped}"


def test_no_page_scrolls_sideways_on_a_phone(sized: Any, served: Server, example: Built) -> None:
    page = sized(PHONE)
    sideways: dict[str, int] = {}
    clipped: dict[str, list[str]] = {}
    for path in _pages(example):
        page.goto(served.url + path)
        extra = page.evaluate(SIDEWAYS)
        if extra > 0:
            sideways[path] = extra
        found = page.evaluate(CLIPPED_TABLES)
        if found:
            clipped[path] = found
    assert not sideways, f"pages wider than a 390 px phone (extra px): {sideways}"
    assert not clipped, f"tables that scroll inside their box at 390 px: {clipped}"


def test_a_wide_table_is_stacked_with_its_column_names_on_a_phone(
    sized: Any, served: Server
) -> None:
    page = sized(PHONE)
    page.goto(served.url + "handover/status/")
    table = page.locator("article table.ho-stack").first
    assert table.count() == 1, "the status tables are not stacked at 390 px"
    cell = table.locator('td[data-label]:not([data-label=""])').first
    label = cell.get_attribute("data-label")
    assert label, "a stacked cell has no column name"
    shown = cell.evaluate("e => getComputedStyle(e, '::before').content")
    assert label in shown, (label, shown)
    # At laptop width the same table is an ordinary table again.
    page.set_viewport_size(LAPTOP)
    page.wait_for_function("() => !document.querySelector('article table.ho-stack')")


def test_digests_have_a_copy_button_with_the_full_value(sized: Any, served: Server) -> None:
    page = sized(LAPTOP)
    page.goto(served.url + "handover/artifacts/")
    code = page.locator("article code.ho-digest").first
    full = code.get_attribute("title")
    assert full and len(full) == 64
    button = page.locator("article code.ho-digest + button.ho-copy").first
    assert button.is_visible()
    assert full in (button.get_attribute("aria-label") or "")
