"""Reading a predictions file: one row per held-out case, a label, a score, maybe a slice.

CSV with a header row (stdlib ``csv``, UTF-8). Parquet is not read: pyarrow is not a
dependency, and CSV keeps the signed artifact diffable. Every problem is reported as
``file:line: what is wrong`` so a bad row is found at once.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from handover_docs.evaluation.metrics import BoolArray, FloatArray

MAX_BYTES = 512 * 1024 * 1024
"""Larger files are refused rather than read into memory whole."""


class PredictionsError(Exception):
    """The predictions file is missing or malformed; the message names file and line."""


@dataclass(frozen=True)
class Predictions:
    """Labels (True = positive), scores and, when the file has one, a slice per row."""

    labels: BoolArray
    scores: FloatArray
    slices: list[str] | None

    def __len__(self) -> int:
        return len(self.labels)

    def slice_values(self) -> list[str]:
        """Distinct slice values, sorted numerically when they are all integers."""
        if self.slices is None:
            return []
        values = set(self.slices)
        if all(v.lstrip("-").isdigit() for v in values):
            return sorted(values, key=int)
        return sorted(values)

    def only(self, value: str) -> Predictions:
        """The rows of one slice."""
        assert self.slices is not None
        mask = np.array([s == value for s in self.slices], dtype=np.bool_)
        return Predictions(self.labels[mask], self.scores[mask], None)


def read_predictions(
    path: Path,
    shown: str,
    *,
    label: str = "label",
    score: str = "score",
    slice_column: str | None = None,
    positive: str = "1",
) -> Predictions:
    """Read ``path`` (named ``shown`` in messages); labels other than ``positive`` are negative."""
    if path.suffix.lower() in (".parquet", ".pq"):
        raise PredictionsError(
            f"{shown}: Parquet predictions need pyarrow, which is not installed; write CSV"
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PredictionsError(f"{shown}: {size} bytes, more than the {MAX_BYTES} read")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PredictionsError(f"{shown}: predictions file not found") from None
    except UnicodeDecodeError as exc:
        raise PredictionsError(f"{shown}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise PredictionsError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise PredictionsError(f"{shown}:1: empty file: expected a header row")
    wanted = [label, score] + ([slice_column] if slice_column else [])
    missing = [c for c in wanted if c not in header]
    if missing:
        raise PredictionsError(
            f"{shown}:1: no column {', '.join(repr(c) for c in missing)} "
            f"(columns: {', '.join(header)})"
        )
    li, si = header.index(label), header.index(score)
    ci = header.index(slice_column) if slice_column else None
    labels: list[bool] = []
    scores: list[float] = []
    slices: list[str] = []
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise PredictionsError(
                f"{shown}:{line}: {len(row)} fields, the header has {len(header)}"
            )
        try:
            value = float(row[si])
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise PredictionsError(f"{shown}:{line}: score {row[si]!r} is not a finite number")
        labels.append(row[li].strip() == positive)
        scores.append(value)
        if ci is not None:
            slices.append(row[ci].strip())
    if not labels:
        raise PredictionsError(f"{shown}:2: no rows after the header")
    return Predictions(
        np.array(labels, dtype=np.bool_),
        np.array(scores, dtype=np.float64),
        slices if ci is not None else None,
    )
