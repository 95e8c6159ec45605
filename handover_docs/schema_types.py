"""The building blocks of the manifest schema: ids, references, links, dates, base models.

:mod:`handover_docs.schema` builds every manifest section from these; they live apart so
that the schema module stays a readable list of sections and fields.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


@dataclass(frozen=True)
class Ref:
    """Marks a string field as a reference to an id in one of ``targets``."""

    targets: tuple[str, ...]

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["x-handover-ref"] = list(self.targets)
        return schema


def ref(*targets: str) -> Ref:
    return Ref(tuple(targets))


ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"

Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    Field(description="Unique id: letters, digits, '.', '_' or '-'.", examples=["model-weights"]),
]
Sha256 = Annotated[
    str,
    StringConstraints(pattern=SHA256_PATTERN),
    Field(description="SHA-256 digest, 64 lowercase hex characters.", examples=["9f86d0..."]),
]
Text = Annotated[str, StringConstraints(min_length=1)]
"""Non-empty prose; Markdown allowed where pages render it."""


LINK_SCHEMES = ("http", "https", "mailto")
"""Schemes a link field may use (besides a relative path): never script or data schemes."""
STORE_SCHEMES = ("file", "s3", "gs", "az", "abfs", "abfss", "hf", "oci", "hdfs")
"""Further schemes an artifact location may use: shown as text, never as a clickable link."""
_NEEDS_HOST = frozenset({"http", "https", "s3", "gs", "az", "hf", "oci"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def uri_scheme(value: str) -> str:
    """The scheme of ``value`` as a browser reads it, lowercased; '' for a relative reference.

    Browsers drop leading controls and spaces and every tab or newline before they read the
    scheme, and decode HTML entities in attributes: all are undone here first, so no
    spelling of ``javascript:`` hides from the allow-list.
    """
    text = value
    for _ in range(5):  # entities inside entities: &amp;#58;
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = "".join(c for c in text if c not in "\t\n\r").lstrip("".join(map(chr, range(33))))
    match = _SCHEME.match(text)
    return match.group(1).lower() if match else ""


def _uri_problem(value: str, schemes: tuple[str, ...], relative: bool) -> str | None:
    if any(c.isspace() or unicodedata.category(c) in {"Cc", "Cf"} for c in value):
        return f"malformed URI {value!r}: it contains white space or a control character"
    scheme = uri_scheme(value)
    allowed = " or ".join(
        [", ".join(schemes), "a relative path"] if relative else [", ".join(schemes)]
    )
    if not scheme:
        if relative and value:
            return None
        return f"malformed URI {value!r}: it needs a scheme, one of {allowed}"
    raw = _SCHEME.match(value)
    if scheme not in schemes or raw is None or raw.group(1).lower() != scheme:
        return f"URI scheme '{scheme}:' is not allowed here (in {value!r}): use {allowed}"
    parts = urlsplit(value)
    if scheme in _NEEDS_HOST and not parts.netloc:
        return f"malformed URI {value!r}: '{scheme}://' needs a host or bucket"
    if scheme == "mailto" and not parts.path:
        return f"malformed URI {value!r}: 'mailto:' needs an address"
    return None


def _check_link(value: str) -> str:
    problem = _uri_problem(value, LINK_SCHEMES, relative=True)
    if problem:
        raise ValueError(problem)
    return value


def _check_location(value: str) -> str:
    problem = _uri_problem(value, LINK_SCHEMES[:2] + STORE_SCHEMES, relative=False)
    if problem:
        raise ValueError(problem)
    return value


def _check_relpath(value: str) -> str:
    if value.startswith(("/", "\\")) or ".." in value.replace("\\", "/").split("/"):
        raise ValueError(f"path '{value}' must be relative to the project root, without '..'")
    if "://" in value:
        raise ValueError(f"'{value}' is a URI; use the 'uri' field for it")
    if uri_scheme(value):
        raise ValueError(
            f"path '{value}' would read as a URI with the scheme '{uri_scheme(value)}:' "
            f"in a link: write './{value}'"
        )
    return value


_LINK_PATTERN = (
    r"^(?:(?:[Hh][Tt][Tt][Pp][Ss]?|[Mm][Aa][Ii][Ll][Tt][Oo]):|[^:/?#\s]*(?:[/?#]|$))[^\s]*$"
)
Uri = Annotated[
    str,
    AfterValidator(_check_link),
    Field(
        description="A link: http, https or mailto URI, or a relative path.",
        examples=["https://models.example.org/fraud/v3"],
        json_schema_extra={"pattern": _LINK_PATTERN},
    ),
]
LocationUri = Annotated[
    str,
    AfterValidator(_check_location),
    Field(
        description="Where a file is stored: an http(s), file or object-store URI ("
        + ", ".join(STORE_SCHEMES[1:])
        + "); object-store URIs are shown as text, never as links.",
        examples=["s3://models/fraud/v3/model.pkl"],
    ),
]
RelPath = Annotated[
    str,
    AfterValidator(_check_relpath),
    Field(description="Path relative to the project root.", examples=["model/train.py"]),
]
Date = Annotated[dt.date, Field(description="Date as YYYY-MM-DD.", examples=["2026-11-20"])]
Sensitivity = Literal["public", "internal", "confidential", "restricted"]

PersonRef = Annotated[str, ref("people")]
ArtifactRef = Annotated[str, ref("artifacts")]
DatasetRef = Annotated[str, ref("datasets")]
ExperimentRef = Annotated[str, ref("experiments")]
EnvironmentRef = Annotated[str, ref("environments")]
MilestoneRef = Annotated[str, ref("milestones")]
ChecklistRef = Annotated[str, ref("checklist")]
ComponentRef = Annotated[str, ref("components")]
GroupRef = Annotated[str, ref("groups")]
AnyRef = Annotated[
    str,
    ref(
        "artifacts",
        "datasets",
        "experiments",
        "environments",
        "decisions",
        "deviations",
        "checklist",
        "milestones",
        "components",
        "targets",
        "fallbacks",
        "contingencies",
        "drift",
        "risks",
        "sessions",
        "narratives",
    ),
]
"""A reference to any entry that has its own place on the site."""


class Strict(BaseModel):
    """Base of every manifest model: unknown keys are errors, docstrings are descriptions."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        str_strip_whitespace=False,
        allow_inf_nan=False,
        defer_build=True,
    )


class Reviewed(Strict):
    last_reviewed: Date | None = None
    """When a person last checked this entry was still true; the audit flags old ones."""


SIGNING_ENV_PREFIX = "HANDOVER_SIGNING_KEY"
"""Environment variables starting with this hold signing secrets: never given to checks."""


def _check_env_name(value: str) -> str:
    if not re.match(ENV_NAME_PATTERN, value):
        raise ValueError(
            f"{value!r} is not an environment variable name: letters, digits and '_', "
            "not starting with a digit"
        )
    if value.upper().startswith(SIGNING_ENV_PREFIX):
        raise ValueError(
            f"'{value}' holds a signing secret and is never passed to a check: sign in a "
            "separate CI job that runs no checks (see docs/reference/security.md)"
        )
    return value


EnvName = Annotated[
    str,
    AfterValidator(_check_env_name),
    Field(
        description="An environment variable name.",
        examples=["HF_HOME"],
        json_schema_extra={
            "pattern": ENV_NAME_PATTERN,
            "not": {
                "pattern": "^"
                + "".join(f"[{c}{c.lower()}]" if c.isalpha() else c for c in SIGNING_ENV_PREFIX)
            },
        },
    ),
]


_LICENSE_ID = re.compile(r"^(?:DocumentRef-[A-Za-z0-9.-]+:)?[A-Za-z0-9][A-Za-z0-9.+-]*$")
_LICENSE_TOKENS = re.compile(r"\(|\)|[^\s()]+")
_LICENSE_OPERATORS = frozenset({"AND", "OR", "WITH"})


def license_problem(value: str) -> str | None:
    """Why VALUE is not an SPDX license id or expression, loosely checked (None when it is).

    Ids are checked by their shape, not against the SPDX list, so Hub ids (``llama3.1``,
    ``openrail++``) and ``LicenseRef-...`` pass; operators (AND, OR, WITH, in either case)
    must join ids, and parentheses must balance."""
    tokens = _LICENSE_TOKENS.findall(value)
    if not tokens or "".join(tokens) != "".join(value.split()):
        return "it is empty"
    depth, expect_id = 0, True
    for token in tokens:
        op = token.upper() if token.upper() in _LICENSE_OPERATORS else None
        if token == "(" and expect_id:
            depth += 1
        elif token == ")" and not expect_id and depth:
            depth -= 1
        elif op and not expect_id:
            expect_id = True
        elif expect_id and not op and _LICENSE_ID.match(token):
            expect_id = False
        else:
            return f"'{token}' is out of place"
    if expect_id or depth:
        return "the expression is incomplete"
    return None


def _check_license(value: str) -> str:
    problem = license_problem(value)
    if problem:
        raise ValueError(
            f"{value!r} is not an SPDX license id or expression ({problem}): write ids such "
            "as 'Apache-2.0', 'MIT OR Apache-2.0' or 'LicenseRef-internal', and keep "
            "free text in 'license'"
        )
    return value


LicenseId = Annotated[
    str,
    AfterValidator(_check_license),
    Field(
        description="An SPDX license id or expression (or a Hub license id).",
        examples=["Apache-2.0", "MIT OR Apache-2.0", "LicenseRef-internal"],
        json_schema_extra={"pattern": r"^[\sA-Za-z0-9.+:()-]+$"},
    ),
]
"""A license as SPDX writes it: checked by shape, not against the SPDX list."""
