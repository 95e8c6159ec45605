"""Check plugin ``dataset-schema``: the shape and cleanliness of a CSV data set.

Used by the example handover's checklist::

    check:
      kind: custom
      plugin: dataset-schema
      options: {path: model/data/breast_cancer.csv, rows: 569, columns: 31, target: target}

Options: ``path`` (CSV with a header row, relative to the project root), ``rows`` (data
rows, header excluded), ``columns``, ``target`` (a column whose values must all be 0 or
1). Every cell must be non-empty. Every difference is reported, not just the first.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from handover_docs.checks import CheckContext, CheckResult, Comparison, check_plugin

BINARY = {"0", "1", "0.0", "1.0"}


@dataclass
class _Scan:
    """What one pass over the data rows found (the first 5 examples of each problem)."""

    rows: int = 0
    empty: list[str] = field(default_factory=list)
    empty_cells: int = 0
    bad_target: list[str] = field(default_factory=list)
    ragged: list[int] = field(default_factory=list)


def _scan(reader: Iterator[list[str]], header: list[str], target_index: int | None) -> _Scan:
    found = _Scan()
    for line_number, row in enumerate(reader, start=2):
        found.rows += 1
        if len(row) != len(header):
            found.ragged.append(line_number)
        for index, cell in enumerate(row):
            if cell.strip():
                continue
            found.empty_cells += 1
            if len(found.empty) < 5:
                name = header[index] if index < len(header) else f"#{index + 1}"
                found.empty.append(f"line {line_number} column '{name}'")
        if target_index is not None and target_index < len(row):
            value = row[target_index].strip()
            if value not in BINARY and len(found.bad_target) < 5:
                found.bad_target.append(f"line {line_number}: {value!r}")
    return found


@check_plugin("dataset-schema")
def dataset_schema(context: CheckContext, options: dict[str, Any]) -> CheckResult:
    unknown = set(options) - {"path", "rows", "columns", "target"}
    if unknown or "path" not in options:
        return CheckResult(
            "fail",
            "dataset-schema options: 'path' is required; allowed: path, rows, columns, target"
            + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else ""),
        )
    relative = str(options["path"])
    path = context.path(relative)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return CheckResult("fail", f"{relative} is empty: no header row")
            target = options.get("target")
            target_index = header.index(target) if target in header else None
            scan = _scan(reader, header, target_index)
    except FileNotFoundError:
        return CheckResult("fail", f"no such file: {relative}")
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return CheckResult("fail", f"cannot read {relative}: {exc}")
    rows, empty, empty_cells = scan.rows, scan.empty, scan.empty_cells
    bad_target, ragged = scan.bad_target, scan.ragged
    context.log(f"{relative}: {rows} rows, {len(header)} columns")
    comparisons: list[Comparison] = []
    if "rows" in options:
        ok = rows == int(options["rows"])
        note = "" if ok else f"{relative} has {rows} data rows, expected {options['rows']}"
        comparisons.append(Comparison("rows", rows, int(options["rows"]), ok, note=note))
    if "columns" in options:
        ok = len(header) == int(options["columns"])
        note = "" if ok else f"{relative} has {len(header)} columns, expected {options['columns']}"
        comparisons.append(
            Comparison("columns", len(header), int(options["columns"]), ok, note=note)
        )
    comparisons.append(
        Comparison(
            "rows with the header's column count",
            rows - len(ragged),
            rows,
            not ragged,
            note="" if not ragged else f"rows of another length at lines {ragged[:5]}",
        )
    )
    if target is not None:
        present = target_index is not None
        comparisons.append(
            Comparison(
                f"target column '{target}'",
                "present" if present else "missing",
                "present",
                present,
                note="" if present else f"{relative} has no column '{target}'",
            )
        )
        if present:
            comparisons.append(
                Comparison(
                    "target values",
                    "0/1" if not bad_target else "other values",
                    "0/1",
                    not bad_target,
                    note="" if not bad_target else f"target values not 0 or 1: {bad_target}",
                )
            )
    comparisons.append(
        Comparison(
            "empty cells",
            empty_cells,
            0,
            not empty_cells,
            note="" if not empty_cells else f"{empty_cells} empty cell(s), e.g. {', '.join(empty)}",
        )
    )
    return CheckResult.from_comparisons(
        comparisons, passed=f"{relative}: {rows} rows × {len(header)} columns, schema as expected"
    )
