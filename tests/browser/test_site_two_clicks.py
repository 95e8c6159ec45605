"""From the home page, an operator's and an auditor's questions are answered within two
clicks, by following the links a person would see (no typed URLs after the home page).
Search finds the on-call page by the words people type at 3 am."""

from __future__ import annotations

from typing import Any

import yaml
from browser_helpers import Browser, Built, Server
from test_site_search_and_glossary import _search

MAX_CLICKS = 2


class Walk:
    """Clicks links by their visible text, counting the clicks."""

    def __init__(self, page: Any, home: str) -> None:
        self.page = page
        self.clicks = 0
        page.goto(home)

    def click(self, name: str) -> None:
        link = self.page.locator("article").get_by_role("link", name=name, exact=True).first
        assert link.count() == 1, f"no link {name!r} on {self.page.url}"
        link.click()
        self.page.wait_for_load_state()
        self.clicks += 1
        assert self.clicks <= MAX_CLICKS, f"more than {MAX_CLICKS} clicks to reach the answer"

    def section(self, anchor: str) -> str:
        """The text of the section under the heading with id ANCHOR (up to the next h2)."""
        return str(
            self.page.evaluate(
                """id => { const h = document.getElementById(id); if (!h) return '';
                  let out = h.innerText, n = h.nextElementSibling;
                  while (n && n.tagName !== 'H2') {
                    out += '\\n' + n.innerText; n = n.nextElementSibling;
                  }
                  return out; }""",
                anchor,
            )
        )


def _manifest(example: Built, name: str) -> dict[str, Any]:
    return yaml.safe_load((example.project / "handover" / name).read_text())  # type: ignore[no-any-return]


def test_who_to_page_now_with_an_out_of_hours_contact(
    browser: Browser, served: Server, example: Built
) -> None:
    walk = Walk(browser.page, served.url)
    walk.click("On call")
    text = walk.section("who-to-page")
    support = _manifest(example, "deployment.yaml")["governance"]["production_support"][0]
    assert "Jonas Berg" in text and "jonas.berg@example.org" in text
    assert support["out_of_hours"] in text and support["pager"] in text
    assert walk.page.locator("#who-to-page ~ * a", has_text="on-call rota").count() >= 1
    # The owner of the weights is one more line on the same page.
    assert "Ana Ruiz" in walk.page.locator("article").inner_text()


def test_rollback_names_the_known_good_digest(
    browser: Browser, served: Server, example: Built
) -> None:
    walk = Walk(browser.page, served.url)
    walk.click("On call")
    text = walk.section("rollback")
    artifacts = {a["id"]: a for a in _manifest(example, "artifacts.yaml")["artifacts"]}
    known_good = _manifest(example, "deployment.yaml")["deployment"]["rollback"]["known_good"]
    assert artifacts[known_good]["sha256"] in text.replace("\n", ""), text


def test_the_deployed_threshold_and_why(browser: Browser, served: Server) -> None:
    walk = Walk(browser.page, served.url)
    walk.click("On call")
    text = walk.section("thresholds")
    assert "0.3" in text and "why:" in text and "malignan" in text, text


def test_what_to_do_when_a_drift_threshold_is_crossed(
    browser: Browser, served: Server, example: Built
) -> None:
    walk = Walk(browser.page, served.url)
    walk.click("On call")
    text = " ".join(walk.section("drift").split())
    drift = _manifest(example, "deployment.yaml")["monitoring"]["drift"]
    for threshold in drift:
        assert " ".join(threshold["action"].split()) in text, threshold["id"]


def test_the_production_image_and_its_digest(browser: Browser, served: Server) -> None:
    walk = Walk(browser.page, served.url)
    walk.click("On call")
    text = walk.section("production-image")
    assert "registry.example.org/ml-platform/wdbc-screening-lr:1.0.0" in text
    # The example has no digest yet: the page says so plainly instead of showing a tag alone.
    assert "digest sha256:" in text or "no digest recorded" in text, text


def test_signature_status_and_key(browser: Browser, served: Server, example: Built) -> None:
    walk = Walk(browser.page, served.url)
    walk.click("signature: verify this site")
    page = walk.page
    page.wait_for_function(
        "() => /^(VERIFIED|NOT TRUSTED|FAILED)/"
        ".test(document.querySelector('[data-handover=status]').innerText)",
        timeout=30_000,
    )
    assert page.locator("[data-handover=status]").inner_text().startswith("NOT TRUSTED YET")
    assert example.key_id in page.locator("[data-handover=facts]").inner_text()
    assert "Get the key id from the signer" in page.locator("article").inner_text()


def test_enter_in_the_key_field_verifies(browser: Browser, served: Server, example: Built) -> None:
    page = browser.page
    Walk(page, served.url).click("signature: verify this site")
    page.wait_for_function(
        "() => /^NOT TRUSTED/.test(document.querySelector('[data-handover=status]').innerText)",
        timeout=30_000,
    )
    pin = page.locator("[data-handover=pin]")
    pin.fill(example.key_id)
    pin.press("Enter")
    page.wait_for_function(
        "() => /^VERIFIED/.test(document.querySelector('[data-handover=status]').innerText)",
        timeout=30_000,
    )
    # The key field shows where the keyboard focus is.
    pin.focus()
    outline = pin.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline not in ("none", ""), outline


def test_evidence_of_every_check(browser: Browser, served: Server, example: Built) -> None:
    walk = Walk(browser.page, served.url)
    walk.click("Status")
    text = walk.page.locator("article").inner_text()
    for item in _manifest(example, "checklist.yaml")["checklist"]:
        assert item["title"] in text, item["id"]
    assert "Latest evidence" in text


def test_changes_are_one_click_away(browser: Browser, served: Server) -> None:
    walk = Walk(browser.page, served.url)
    walk.click("Changes")
    assert walk.page.locator("article h1").first.inner_text().startswith("Changes")
    # The example is a first release: the page says so, and how to name the previous one
    # (test_site_release_changes.py reads the same section on a second release).
    since = " ".join(walk.section("since-the-previous-release").split())
    assert "First release, or no previous release named" in since, since
    assert "HANDOVER_PREVIOUS_RELEASE" in since, since


def test_search_finds_the_on_call_page(browser: Browser, served: Server) -> None:
    for query in ("rollback", "roll back", "on call", "pager"):
        hrefs = [href for _, href in _search(browser.page, served.url, query)]
        assert any("/handover/oncall/" in h for h in hrefs[:10]), (query, hrefs[:10])
