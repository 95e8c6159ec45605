"""The collections registry covers the schema: a list of entries added to the schema without
a registry entry (so without ids checked, a diff or an anchor) fails here."""

from __future__ import annotations

import typing

from pydantic import BaseModel

from handover_docs import schema
from handover_docs.sections import COLLECTIONS, MAPPING_SECTIONS, REFERABLE, TOP_LEVEL_LISTS


def _lists_of_entries(model: type[BaseModel], path: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Data paths of every list of models in ``model``, one level into mapping sections."""
    found: set[tuple[str, ...]] = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        args = typing.get_args(annotation)
        if typing.get_origin(annotation) is list and args and isinstance(args[0], type):
            if issubclass(args[0], BaseModel):
                found.add((*path, name))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and not path:
            found |= _lists_of_entries(annotation, (name,))
    return found


def test_every_list_of_entries_in_the_schema_is_registered() -> None:
    in_schema = _lists_of_entries(schema.Sections, ())
    registered = {c.path for c in COLLECTIONS}
    # flows are the edges between components: they have no identity of their own
    missing = {p for p in in_schema if p not in registered} - {("architecture", "flows")}
    assert not missing, f"add these to handover_docs/sections.py: {sorted(missing)}"
    assert registered <= in_schema, sorted(registered - in_schema)


def test_the_registry_keys_are_fields_of_their_entries() -> None:
    for collection in COLLECTIONS:
        model: type[BaseModel] = schema.Sections
        for part in collection.path:
            annotation = model.model_fields[part].annotation
            model = typing.get_args(annotation)[0] if typing.get_args(annotation) else annotation
        assert collection.key in model.model_fields, collection


def test_top_level_and_mapping_sections_are_the_schema_sections() -> None:
    fields = set(schema.Sections.model_fields)
    assert set(TOP_LEVEL_LISTS) | set(MAPPING_SECTIONS) == fields
    assert schema.LIST_SECTIONS == TOP_LEVEL_LISTS
    assert set(REFERABLE) >= {"artifacts", "drift", "components"}
