"""Custom check plugins: the project's plugins/ folder, entry points, failures, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from checks_fixtures import Project, item, run_handover

REPO = Path(__file__).resolve().parents[2]
SCHEMA = "dataset-schema"

DICT_PLUGIN = """\
from handover_docs.checks import CheckResult, Comparison

def even(context, options):
    n = int(context.path(options["file"]).read_text())
    context.log(f"read {n}")
    ok = n % 2 == 0
    return CheckResult.from_comparisons(
        [Comparison("parity", n % 2, 0, ok, note="" if ok else f"{n} is odd")], passed="even"
    )

CHECKS = {"even-number": even}
"""

DECORATED_PLUGIN = """\
from handover_docs.checks import CheckResult, check_plugin

@check_plugin("always-raises")
def boom(context, options):
    raise ValueError("bad option " + repr(options.get("x")))

@check_plugin("wrong-return")
def wrong(context, options):
    return True
"""


def test_project_plugins_dict_and_decorator(project: Project) -> None:
    project.write("plugins/numbers.py", DICT_PLUGIN)
    project.write("plugins/broken.py", DECORATED_PLUGIN)
    project.write("n.txt", "4")
    project.manifest(
        checklist=[
            item("even", {"kind": "custom", "plugin": "even-number", "options": {"file": "n.txt"}}),
            item("raises", {"kind": "custom", "plugin": "always-raises", "options": {"x": 1}}),
            item("wrong", {"kind": "custom", "plugin": "wrong-return"}),
        ]
    )
    result = project.check("--json")
    assert result.returncode == 1
    items = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    assert items["even"]["status"] == "pass"
    assert items["raises"]["status"] == "fail"
    assert items["raises"]["message"] == "check raised ValueError: bad option 1"
    assert any("Traceback" in line for line in items["raises"]["log_tail"])
    assert items["wrong"]["message"] == "plugin 'wrong-return' returned bool, not a CheckResult"
    project.write("n.txt", "5")
    result = project.check("--only", "even")
    assert result.returncode == 1
    assert "5 is odd" in result.stdout


def test_entry_point_plugin(project: Project, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "acme_checks").mkdir(parents=True)
    (site / "acme_checks" / "__init__.py").write_text(
        "from handover_docs.checks import CheckResult\n"
        "def ping(context, options):\n"
        "    return CheckResult('pass', 'pong ' + options['who'])\n"
    )
    dist = site / "acme_checks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-checks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[handover_docs.checks]\nping = acme_checks:ping\n")
    project.manifest(
        checklist=[item("ping", {"kind": "custom", "plugin": "ping", "options": {"who": "ops"}})]
    )
    result = run_handover(
        ["check", str(project.root)], cwd=project.root, env={"PYTHONPATH": str(site)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pong ops" in result.stdout


def test_unknown_plugin_is_bad_input_with_location(project: Project) -> None:
    project.write("plugins/numbers.py", DICT_PLUGIN)
    project.manifest(checklist=[item("x", {"kind": "custom", "plugin": "even-numbr"})])
    result = project.check()
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = next(ln for ln in result.stderr.splitlines() if "unknown check plugin" in ln)
    assert line.startswith("handover/checks.yaml:")
    assert "did you mean 'even-number'?" in line


def test_plugin_module_with_a_syntax_error_is_bad_input(project: Project) -> None:
    project.write("plugins/bad.py", "CHECKS = {\n  'x': lambda c, o: None,\n  oops\n")
    project.manifest(checklist=[item("x", {"kind": "custom", "plugin": "x"})])
    result = project.check()
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "plugins/bad.py:" in result.stderr and "SyntaxError" in result.stderr


def test_dataset_schema_plugin_passes_on_the_example_data(project: Project) -> None:
    shutil.copytree(REPO / "plugins", project.root / "plugins")
    shutil.copy(REPO / "model/data/breast_cancer.csv", project.root / "data.csv")
    options = {"path": "data.csv", "rows": 569, "columns": 31, "target": "target"}
    project.manifest(
        checklist=[
            item("schema", {"kind": "custom", "plugin": "dataset-schema", "options": options})
        ]
    )
    result = project.check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "data.csv: 569 rows × 31 columns" in result.stdout


def test_dataset_schema_plugin_reports_every_problem(project: Project) -> None:
    shutil.copytree(REPO / "plugins", project.root / "plugins")
    project.write("data.csv", "a,b,label\n1,2,0\n3,,1\n5,6,2\n7,8\n")
    options = {"path": "data.csv", "rows": 3, "columns": 4, "target": "label"}
    project.manifest(
        checklist=[
            item("schema", {"kind": "custom", "plugin": "dataset-schema", "options": options})
        ]
    )
    result = project.check("--json")
    assert result.returncode == 1
    [report] = json.loads(result.stdout)["items"]
    message = report["message"]
    assert "data.csv has 4 data rows, expected 3" in message
    assert "data.csv has 3 columns, expected 4" in message
    assert "rows of another length at lines [5]" in message
    assert "target values not 0 or 1: [\"line 4: '2'\"]" in message
    assert "1 empty cell(s), e.g. line 3 column 'b'" in message
    project.write("data.csv", "a,b\n1,2\n")
    options = {"path": "data.csv", "target": "label"}
    project.manifest(
        checklist=[
            item("schema", {"kind": "custom", "plugin": "dataset-schema", "options": options})
        ]
    )
    result = project.check()
    assert result.returncode == 1
    assert "data.csv has no column 'label'" in result.stdout
