"""Tolerance edges: |measured - value| <= max(abs_tol, rel_tol * |value|), inclusive."""

from __future__ import annotations

import json
import math

import pytest
from checks_fixtures import Project, item

from handover_docs.checks.metrics import allowed_deviation, within
from handover_docs.schema import Tolerance


def tol(value: float, abs_tol: float = 0.0, rel_tol: float = 0.0) -> Tolerance:
    return Tolerance(value=value, abs_tol=abs_tol, rel_tol=rel_tol)


@pytest.mark.parametrize(
    ("measured", "tolerance", "ok"),
    [
        (1.0, tol(1.0), True),  # no tolerance: exact
        (math.nextafter(1.0, 2.0), tol(1.0), False),
        (1.5, tol(1.0, abs_tol=0.5), True),  # exactly on the absolute bound
        (0.5, tol(1.0, abs_tol=0.5), True),
        (math.nextafter(1.5, 2.0), tol(1.0, abs_tol=0.5), False),  # one ulp beyond
        (1.5000001, tol(1.0, abs_tol=0.5), False),
        (0.96, tol(0.95, abs_tol=0.01), True),  # decimal edge despite binary rounding
        (0.94, tol(0.95, abs_tol=0.01), True),
        (0.9600001, tol(0.95, abs_tol=0.01), False),
        (110.0, tol(100.0, rel_tol=0.1), True),  # relative bound, inclusive
        (110.00001, tol(100.0, rel_tol=0.1), False),
        (-110.0, tol(-100.0, rel_tol=0.1), True),  # relative to |value|
        (1.05, tol(1.0, abs_tol=0.05, rel_tol=0.01), True),  # the larger of the two wins
        (1.06, tol(1.0, abs_tol=0.05, rel_tol=0.01), False),
        (0.001, tol(0.0, rel_tol=0.5), False),  # rel_tol of zero is zero
        (float("nan"), tol(1.0, abs_tol=1e9), False),
        (float("inf"), tol(1.0, abs_tol=1e9), False),
    ],
)
def test_within(measured: float, tolerance: Tolerance, ok: bool) -> None:
    assert within(measured, tolerance) is ok


def test_allowed_deviation_is_the_larger_bound() -> None:
    assert allowed_deviation(tol(200.0, abs_tol=1.0, rel_tol=0.01)) == 2.0
    assert allowed_deviation(tol(50.0, abs_tol=1.0, rel_tol=0.01)) == 1.0


def test_edges_through_a_real_command(project: Project) -> None:
    project.write("m.json", json.dumps({"on_edge": 0.96, "beyond": 0.9600001, "nan": "x"}))
    project.manifest(
        checklist=[
            item(
                "edges",
                {
                    "kind": "command",
                    "run": "true",
                    "metrics_file": "m.json",
                    "expect": {
                        "on_edge": {"value": 0.95, "abs_tol": 0.01},
                        "beyond": {"value": 0.95, "abs_tol": 0.01},
                    },
                },
            )
        ],
    )
    result = project.check("--json")
    assert result.returncode == 1
    [report] = json.loads(result.stdout)["items"]
    oks = {c["name"]: c["ok"] for c in report["comparisons"]}
    assert oks == {"exit code": True, "on_edge": True, "beyond": False}
