"""What in a handover is prose, and how the audit reads it: words outside code, placeholders,
acronyms. Code is found by :mod:`handover_docs.markdown_scan`, the rule every reader shares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from handover_docs import schema
from handover_docs.markdown_scan import blank_code
from handover_docs.yamlsource import DataPath

PLACEHOLDER = re.compile(r"\b(?:TODO|TBD|FIXME|XXX|lorem|ipsum)\b", re.I)
"""Words that mark unfinished prose. TODO, TBD, FIXME and XXX match in any case."""

ACRONYM = re.compile(r"(?<![\w./-])(?=(?:[0-9]*[A-Z]){2})[A-Z][A-Z0-9]{1,5}s?(?![\w-])")
"""A word of 2-6 capitals (digits allowed, a plural 's' ignored), e.g. AUC, PSI, SHA256.

Words joined to others by '-', '.' or '/' (ROC-AUC, UTF-8, a/B) are not checked."""

ACRONYM_STOP_LIST = frozenset(
    [
        "ID",
        "OK",
        "URL",
        "URI",
        "CPU",
        "GPU",
        "RAM",
        "CSV",
        "JSON",
        "YAML",
        "HTML",
        "API",
        "CI",
        "CD",
        "PR",
        "TODO",
        "TBD",
        "FIXME",
        "XXX",
        "FAQ",
        "PDF",
        "HTTP",
        "HTTPS",
        "SQL",
        "UTC",
        "OS",
        "IO",
        "UI",
        "MB",
        "GB",
        "TB",
        "KB",
        "MS",
        "SHA",
        "SHA256",
        "AND",
        "OR",
        "NOT",
        "ML",
        "AI",
        "README",
        "MIT",
        "BSD",
        "GPL",
        "ISO",
        "NOTE",
        "INFO",
        "TIP",
        "NB",
        "FYI",
    ]
)
"""Acronyms so common they need no glossary entry."""

PROSE_KEYS = frozenset(
    [
        "summary",
        "details",
        "description",
        "rationale",
        "decision",
        "consequences",
        "alternatives",
        "evaluation_data",
        "training_data",
        "ethical_considerations",
        "caveats_and_recommendations",
        "downstream_use",  # the model card's interop fields (issue 17)
        "get_started",
        "training_procedure",
        "group_at_risk",
        "benefits",
        "harms",
        "primary_uses",
        "primary_users",
        "out_of_scope",
        "factors",
        "metrics",
        "note",
        "notes",
        "question",
        "answer",
        "definition",
        "title",
        "what",
        "original",
        "replacement",
        "trigger",
        "action",
        "scenario",
        "plan",
        "procedure",
        "tuning",
        "approval_workflow",
        "impact_assessment",
        "privacy",
        "security",
        "sensitivity_flags",
        "regulatory",
        "mitigation",
        "acceptance",
        "topics",
        "alerts",
        "motivation",
        "composition",
        "collection",
        "preprocessing",
        "uses",
        "distribution",
        "maintenance",
        "steps",
        "label",
    ]
)
"""Manifest fields holding prose: scanned for placeholders, glossary terms and acronyms."""


_INLINE_CODE = re.compile(r"`[^`\n]*`")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _blank(match: re.Match[str]) -> str:
    """Replace a span by spaces, keeping newlines, so line:col positions survive."""
    return re.sub(r"[^\n]", " ", match.group(0))


def strip_code(text: str) -> str:
    """Markdown without front matter, code, comments and link targets (positions kept)."""
    text = blank_code(text)
    for pattern in (_COMMENT, _INLINE_CODE, _LINK_TARGET):
        text = pattern.sub(_blank, text)
    return text


def word_count(text: str) -> int:
    """Words of prose, outside code blocks, comments and link targets."""
    return len(_WORD.findall(strip_code(text)))


def _positions(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, str]]:
    # Line breaks are neither word characters nor in the patterns' look-arounds, so a text
    # with no match as a whole has none in any line: most prose is done in one C call.
    if not pattern.search(text):
        return
    for line_no, line in enumerate(text.splitlines(), start=1):
        for match in pattern.finditer(line):
            yield line_no, match.start() + 1, match.group(0)


def placeholders(text: str) -> Iterator[tuple[int, int, str]]:
    yield from _positions(strip_code(text), PLACEHOLDER)


def acronyms(text: str) -> Iterator[tuple[int, int, str]]:
    yield from _positions(text, ACRONYM)


def all_pages(docs: Path, limit: int = 5000) -> list[Path]:
    """Markdown files under the docs folder (where a glossary term may also be used)."""
    if not docs.is_dir():
        return []
    return sorted(p for p in docs.rglob("*.md") if p.is_file())[:limit]


def read_page(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def manifest_prose(handover: schema.Handover) -> Iterator[tuple[DataPath, str]]:
    """Every prose string of the manifest with its data path."""
    yield from _walk(handover.model_dump(mode="json", by_alias=True), (), False)


def _walk(value: Any, path: DataPath, prose: bool) -> Iterator[tuple[DataPath, str]]:
    if isinstance(value, str):
        if prose and value.strip():
            yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key), key in PROSE_KEYS)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index), prose)


def dotted(path: DataPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
