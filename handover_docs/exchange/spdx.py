"""License ids across the formats: SPDX (CycloneDX) and the Hugging Face Hub's ids.

The manifest takes ``model.licenses`` (and ``datasets[].licenses``) as SPDX ids or
expressions, checked by shape only (:func:`handover_docs.schema_types.license_problem`).
CycloneDX's strict schema accepts ``license.id`` only from the SPDX list, so an id is
written as ``id`` when it is one of the common ids below (a test checks each against the
schema's list) and as ``name`` otherwise; a single expression is written as
``expression``. No SPDX list is downloaded or bundled at run time.
"""

from __future__ import annotations

from typing import Any

COMMON_SPDX = (
    "0BSD",
    "AFL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-2.0",
    "Artistic-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSL-1.0",
    "CC-BY-2.0",
    "CC-BY-2.5",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-NC-2.0",
    "CC-BY-NC-3.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-ND-3.0",
    "CC-BY-NC-ND-4.0",
    "CC-BY-NC-SA-2.0",
    "CC-BY-NC-SA-3.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-ND-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDLA-Permissive-1.0",
    "CDLA-Permissive-2.0",
    "CDLA-Sharing-1.0",
    "ECL-2.0",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.1",
    "EUPL-1.2",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "LPPL-1.3c",
    "MIT",
    "MPL-2.0",
    "MS-PL",
    "NCSA",
    "ODbL-1.0",
    "ODC-By-1.0",
    "OFL-1.1",
    "OSL-3.0",
    "PDDL-1.0",
    "PostgreSQL",
    "Unlicense",
    "WTFPL",
    "Zlib",
)
"""SPDX ids common for models, code and data (all on the SPDX list CycloneDX 1.6 ships)."""

_BY_LOWER = {i.lower(): i for i in COMMON_SPDX}


def spdx_id(value: str) -> str | None:
    """The canonical SPDX id of VALUE when it is one of the common ids (any case)."""
    return _BY_LOWER.get(value.strip().lower())


def is_expression(value: str) -> bool:
    """Whether VALUE combines ids (AND, OR, WITH or parentheses) rather than naming one."""
    words = value.replace("(", " ( ").replace(")", " ) ").split()
    return len(words) > 1


def cyclonedx_licenses(ids: list[str], text: str) -> list[dict[str, Any]]:
    """CycloneDX ``licenses`` for a model or dataset: from the SPDX ``ids`` when given, else
    from the free-text ``text`` (an empty list when neither is set).

    CycloneDX allows either one ``expression`` or a list of ``license`` entries, never
    both: one expression is written as such; in a list, an expression is kept as a name."""
    if not ids:
        if not text.strip():
            return []
        known = spdx_id(text)
        return [{"license": {"id": known} if known else {"name": text.strip()}}]
    if len(ids) == 1 and is_expression(ids[0]):
        return [{"expression": " ".join(ids[0].split())}]
    out: list[dict[str, Any]] = []
    for value in ids:
        known = spdx_id(value)
        out.append({"license": {"id": known} if known else {"name": value}})
    return out
