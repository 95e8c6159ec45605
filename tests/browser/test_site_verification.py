"""The "Verify this site" page checks the signature in the browser, as an auditor sees it."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from browser_helpers import Browser, Built, Server

STATUS = "[data-handover=status]"


def _verdict(page: Any, url: str) -> str:
    page.goto(url)
    page.wait_for_function(
        "() => /^(VERIFIED|FAILED|NOT TRUSTED)/"
        f".test(document.querySelector('{STATUS}').innerText)",
        timeout=30_000,
    )
    return str(page.locator(STATUS).inner_text())


def _statement(example: Built) -> dict[str, Any]:
    envelope = json.loads((example.site / "handover-signature.json").read_text())
    return json.loads(base64.b64decode(envelope["payload"]))  # type: ignore[no-any-return]


def test_the_verify_page_reports_the_site_verified_under_the_pinned_key(
    browser: Browser, served: Server, example: Built
) -> None:
    statement = _statement(example)
    count = len(statement["subject"])
    page = browser.page
    shown = _verdict(page, f"{served.url}handover/verify/?key-id={example.key_id}")
    assert shown == (
        f"VERIFIED: {count} of {count} files match the signature. "
        "The key id matches the one you pinned."
    )
    facts = dict(
        (row.locator("th, td").nth(0).inner_text(), row.locator("td").last.inner_text())
        for row in page.locator("[data-handover=facts] tr").all()
    )
    assert example.key_id in " ".join(facts.values()), facts
    built = "2025-11-26T00:00:00Z"  # SOURCE_DATE_EPOCH
    assert any(v.startswith(built) for v in facts.values()), facts
    evidence = (example.project / ".handover" / "evidence.json").read_bytes()
    assert "sha256:" + hashlib.sha256(evidence).hexdigest() in facts.values(), facts
    assert page.locator("[data-handover=files] li").count() == 0  # no problems listed
    assert page.locator(STATUS).get_attribute("data-state") == "verified"
    # Unpinned, it still checks the files but says first that trust is not established, and
    # the verdict is not styled as a success.
    shown = _verdict(page, f"{served.url}handover/verify/")
    assert shown.startswith(f"NOT TRUSTED YET: {count} of {count} files match the signature")
    assert page.locator(STATUS).get_attribute("data-state") == "untrusted"


def test_the_verify_page_warns_when_the_pinned_key_id_is_another(
    browser: Browser, served: Server, example: Built
) -> None:
    page = browser.page
    _verdict(page, f"{served.url}handover/verify/")
    other = "sha256:" + "ab" * 32
    page.locator("[data-handover=pin]").fill(other)
    page.locator("[data-handover=run]").click()
    page.wait_for_function(
        f"() => /does NOT match/.test(document.querySelector('{STATUS}').innerText)",
        timeout=30_000,
    )
    shown = page.locator(STATUS).inner_text()
    # The reason first, and no file count that reads like a success.
    assert shown.startswith(f"FAILED: the key id does NOT match the one you pinned ({other})")
    assert page.locator(STATUS).get_attribute("data-state") == "failed"


def test_the_verify_page_fails_and_names_a_page_changed_on_the_host(
    browser: Browser, served: Server, example: Built
) -> None:
    statement = _statement(example)
    count = len(statement["subject"])
    original = (example.site / "handover" / "model-card" / "index.html").read_bytes()
    assert b"0.3" in original
    # The host serves an altered model card (the disk stays as built).
    served.override(
        "handover/model-card/index.html",
        original.replace(b"</article>", b"<p>Threshold raised to 0.9 by the host.</p></article>"),
    )
    page = browser.page
    shown = _verdict(page, f"{served.url}handover/verify/?key-id={example.key_id}")
    assert shown.startswith(f"FAILED: 1 of {count} files do not match the signature"), shown
    problems = page.locator("[data-handover=files] li").all_inner_texts()
    assert len(problems) == 1, problems
    assert "handover/model-card/index.html" in problems[0], problems
    # The altered page itself shows what the host served: the check is about bytes served.
    page.goto(served.url + "handover/model-card/")
    assert "Threshold raised to 0.9 by the host." in page.locator("article").inner_text()
