"""Metrics files and numeric tolerance: the comparisons of command and drift checks."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

from handover_docs.schema import Tolerance


class MetricsError(Exception):
    """A metrics file is missing or not a JSON object of numbers."""


def read_metrics(path: Path, shown: str) -> dict[str, float]:
    """Read a JSON object of metric name to number; nested objects give dotted names."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MetricsError(f"metrics file {shown} was not written") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MetricsError(f"cannot read metrics file {shown}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MetricsError(
            f"metrics file {shown} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict):
        raise MetricsError(f"metrics file {shown} must hold a JSON object of metric name to number")
    flat: dict[str, float] = {}
    _flatten(data, "", flat)
    return flat


def _flatten(data: dict[str, object], prefix: str, out: dict[str, float]) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, (int, float)):  # bool is an int: true/false count as 1/0
            out[name] = float(value)
        elif isinstance(value, dict):
            _flatten(value, f"{name}.", out)


def allowed_deviation(tolerance: Tolerance) -> float:
    """The largest |measured - value| that still passes: max(abs_tol, rel_tol * |value|)."""
    return max(tolerance.abs_tol, tolerance.rel_tol * abs(tolerance.value))


def decimal(number: float) -> Decimal:
    """The number as its shortest decimal repr: 0.1 is 0.1, not 0.1000000000000000055..."""
    return Decimal(repr(float(number)))


def within(measured: float, tolerance: Tolerance) -> bool:
    """Pass iff |measured - value| <= max(abs_tol, rel_tol * |value|); NaN never passes.

    The arithmetic is done in decimal on the numbers as written (their shortest repr), so
    the bound is exact and inclusive: 0.96 is within 0.95 ± 0.01 (in binary floating point
    0.96 - 0.95 is 0.010000000000000009), and the next float above 0.96 is not.
    """
    value = tolerance.value
    if not (math.isfinite(measured) and math.isfinite(value)):
        return measured == value
    allowed = max(decimal(tolerance.abs_tol), decimal(tolerance.rel_tol) * abs(decimal(value)))
    return abs(decimal(measured) - decimal(value)) <= allowed
