"""The manifest reference, generated from the schema (never kept by hand)."""

from __future__ import annotations

from functools import cache
from typing import Any

from handover_docs import schema


def _type_name(node: dict[str, Any]) -> str:
    if "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    if "x-handover-ref" in node:
        return "id of " + " / ".join(node["x-handover-ref"])
    if "enum" in node:
        return " | ".join(repr(v).replace("'", '"') for v in node["enum"])
    if "const" in node:
        return repr(node["const"]).replace("'", '"')
    for key in ("anyOf", "oneOf"):
        if key in node:
            parts = [_type_name(n) for n in node[key] if n.get("type") != "null"]
            optional = any(n.get("type") == "null" for n in node[key])
            text = " or ".join(dict.fromkeys(parts))
            return f"{text} (optional)" if optional else text
    kind = node.get("type")
    if kind == "array":
        return f"list of {_type_name(node.get('items', {}))}"
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        return f"map of name to {_type_name(node['additionalProperties'])}"
    if node.get("format") == "date":
        return "date"
    return str(kind or "any")


@cache
def manifest_reference() -> list[dict[str, Any]]:
    """Every object type of a manifest file with its fields (name, type, required, doc)."""
    js = schema.ManifestFile.model_json_schema(by_alias=True)
    defs: dict[str, Any] = js.get("$defs", {})
    out = [_entry("ManifestFile", js)]
    for name in sorted(defs):
        if defs[name].get("type") == "object":
            out.append(_entry(name, defs[name]))
    return out


def _entry(name: str, node: dict[str, Any]) -> dict[str, Any]:
    required = set(node.get("required", []))
    fields = []
    for key, prop in node.get("properties", {}).items():
        fields.append(
            {
                "name": key,
                "type": _type_name(prop),
                "required": key in required,
                "description": " ".join(str(prop.get("description", "")).split()),
            }
        )
    return {
        "name": name,
        "description": " ".join(str(node.get("description", "")).split()),
        "fields": fields,
    }
