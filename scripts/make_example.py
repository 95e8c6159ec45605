"""Regenerate everything derived in the example handover and sync the manifest with it.

Run from anywhere: ``.venv/bin/python scripts/make_example.py``. It

1. exports the data set (``model/data/breast_cancer.csv``),
2. runs the threshold analysis, trains with the recorded seed (saving the sample run
   log and the held-out predictions), retrains the earlier seeds of the seed history,
   runs the seed sweep and measures latency, all into ``model/artifacts/``,
3. rewrites, in ``handover/*.yaml``, only the scalar values that come from those
   files and runs (sha256 and size of every artifact with a path, recorded metrics,
   seed history metrics, seed-independent results, expected output digests, drift
   baselines, model-card numbers, command-check expectations, package versions),
   keeping comments and layout, and prints every value it set,
4. regenerates ``handover.schema.json`` (one manifest file's schema, for editors) and
   ``handover_docs/handover_model.schema.json`` (the merged handover's schema, package
   data the reference checks walk instead of generating it in every process).

``--check`` changes nothing and exits 1 when the manifest is out of date (for CI).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from handover_docs.manifest import MODEL_SCHEMA_FILE, model_schema_text

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "handover"
ART = ROOT / "model" / "artifacts"
PY = sys.executable

Path_ = tuple[Any, ...]


def run(args: list[str], timings: dict[str, float], name: str) -> None:
    """Run a model command from the project root; fail loudly on error."""
    start = time.perf_counter()
    subprocess.run([PY, *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    timings[name] = time.perf_counter() - start


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# --- scalar spans of a YAML text: data path -> (start, end) character offsets -----------------


def _spans(node: yaml.Node, path: Path_, out: dict[Path_, tuple[int, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _spans(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _spans(item, (*path, index), out)
    else:
        out[path] = (node.start_mark.index, node.end_mark.index)


def scalar_spans(text: str) -> dict[Path_, tuple[int, int]]:
    out: dict[Path_, tuple[int, int]] = {}
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is not None:
        _spans(node, (), out)
    return out


def render(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value))  # a double-quoted YAML scalar


# --- what the manifest should say -------------------------------------------------------------


def desired(data: dict[str, Any], facts: dict[str, Any]) -> Iterator[tuple[Path_, Any]]:
    """(data path, value) pairs that must hold in one manifest file's data."""
    recorded = facts["recorded"]
    sweep = facts["sweep"]
    for i, art in enumerate(data.get("artifacts") or []):
        if art.get("path") and (ROOT / art["path"]).is_file():
            file = ROOT / art["path"]
            yield ("artifacts", i, "sha256"), sha256(file)
            yield ("artifacts", i, "size"), file.stat().st_size
    for i, exp in enumerate(data.get("experiments") or []):
        source = facts["experiments"].get(exp.get("id"), {})
        for name in exp.get("metrics") or {}:
            if name in source:
                yield ("experiments", i, "metrics", name), source[name]
        for j, out in enumerate(exp.get("expected_outputs") or []):
            if (ROOT / out["path"]).is_file():
                yield (
                    ("experiments", i, "expected_outputs", j, "sha256"),
                    sha256(ROOT / out["path"]),
                )
        seeds = exp.get("seeds") or {}
        for j, past in enumerate(seeds.get("history") or []):
            got = facts["history"].get(past["seed"], {})
            for name in past.get("metrics") or {}:
                if name in got:
                    yield ("experiments", i, "seeds", "history", j, "metrics", name), got[name]
        for name, result in (exp.get("seed_independent") or {}).items():
            at = ("experiments", i, "seed_independent", name)
            yield (*at, "mean"), sweep[f"{name}_mean"]
            yield (*at, "std"), sweep[f"{name}_std"]
            yield (*at, "n"), sweep["n_seeds"]
            for k in range(len(result.get("seeds") or [])):
                yield (*at, "seeds", k), facts["sweep_seeds"][k]
    for i, drift in enumerate((data.get("monitoring") or {}).get("drift") or []):
        if drift["metric"] in recorded:
            yield ("monitoring", "drift", i, "baseline"), recorded[drift["metric"]]
    card = (data.get("model") or {}).get("card") or {}
    for i, qa in enumerate(card.get("quantitative_analyses") or []):
        name = qa["metric"]
        value = recorded.get(name, sweep.get(name, facts["latency"].get(name)))
        if value is not None:
            yield ("model", "card", "quantitative_analyses", i, "value"), value
    for i, item in enumerate(data.get("checklist") or []):
        check = item.get("check") or {}
        if check.get("kind") != "command":
            continue
        source = {}
        if "model.train" in check.get("run", ""):
            source = recorded
            for j, out in enumerate(check.get("outputs") or []):
                twin = ART / Path(out["path"]).name  # the retrain's file vs the recorded one
                if twin.is_file():
                    yield ("checklist", i, "check", "outputs", j, "sha256"), sha256(twin)
        elif "model.seed_sweep" in check.get("run", ""):
            source = sweep
        for name in check.get("expect") or {}:
            if name in source:
                yield ("checklist", i, "check", "expect", name, "value"), source[name]
    for i, env in enumerate(data.get("environments") or []):
        if env.get("id") != facts["training_env"]:
            continue
        yield ("environments", i, "python"), platform.python_version()
        for name in env.get("packages") or {}:
            yield ("environments", i, "packages", name), importlib.metadata.version(name)


def sync_file(path: Path, facts: dict[str, Any], check: bool) -> list[str]:
    """Rewrite the derived scalars of one manifest file; return the changes made."""
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    spans = scalar_spans(text)
    edits: list[tuple[int, int, str]] = []
    changes: list[str] = []
    for at, value in desired(data, facts):
        where = ".".join(map(str, at))
        if at not in spans:
            changes.append(f"{path.name}: {where}: MISSING, add it: {render(value)}")
            continue
        start, end = spans[at]
        new = render(value)
        current = _get(data, at)
        same = current == value and type(current) is type(value)
        print(f"  {path.name}: {where} = {new}")
        if not same:
            changes.append(f"{path.name}: {where}: {text[start:end]} -> {new}")
            edits.append((start, end, new))
    if edits and not check:
        for start, end, new in sorted(edits, reverse=True):
            text = text[:start] + new + text[end:]
        _write(path, text.encode("utf-8"))
    return changes


def _get(data: Any, at: Path_) -> Any:
    for part in at:
        data = data[part]
    return data


def _write(path: Path, raw: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(raw)
    os.replace(tmp, path)


# --- main -------------------------------------------------------------------------------------


def training_facts() -> tuple[str, list[int]]:
    """The id of the training environment and the seed-history seeds, from the manifest."""
    env_id, history = "training", []
    for file in sorted(MANIFESTS.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for exp in data.get("experiments") or []:
            if exp.get("id") == "train-recorded":
                env_id = exp.get("environment") or env_id
                history = [h["seed"] for h in (exp.get("seeds") or {}).get("history") or []]
    return env_id, history


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    parser.add_argument("--skip-runs", action="store_true", help="only re-hash and sync")
    args = parser.parse_args(argv)
    timings: dict[str, float] = {}
    env_id, history_seeds = training_facts()
    config = "model/config.yaml"
    scratch = Path(tempfile.mkdtemp(prefix="make-example-"))
    if not args.skip_runs and not args.check:
        print("== regenerating")
        run(["-m", "model.data", "--out", "model/data/breast_cancer.csv"], timings, "data")
        run(["-m", "model.threshold", "--config", config, "--out", str(ART)], timings, "threshold")
        run(
            [
                "-m",
                "model.train",
                "--config",
                config,
                "--out",
                str(ART),
                "--log",
                str(ART / "sample_run.log"),
            ],
            timings,
            "train",
        )
        run(
            ["-m", "model.evaluate", "--out", str(ART / "predictions.csv")],
            timings,
            "held-out predictions",
        )
        for seed in history_seeds:
            run(
                [
                    "-m",
                    "model.train",
                    "--config",
                    config,
                    "--out",
                    str(scratch / f"seed-{seed}"),
                    "--seed",
                    str(seed),
                ],
                timings,
                f"train seed {seed}",
            )
        run(
            ["-m", "model.seed_sweep", "--seeds", "5", "--out", str(ART / "seed_sweep")],
            timings,
            "seed sweep",
        )
        run(
            [
                "-m",
                "model.latency",
                "--model",
                str(ART / "model.pkl"),
                "--out",
                str(ART / "latency"),
            ],
            timings,
            "latency",
        )
        for name, seconds in timings.items():
            print(f"  {name}: {seconds:.2f} s")
    history = {
        seed: read_json(scratch / f"seed-{seed}" / "metrics.json")
        for seed in history_seeds
        if (scratch / f"seed-{seed}" / "metrics.json").is_file()
    }
    recorded = read_json(ART / "metrics.json")
    sweep = read_json(ART / "seed_sweep" / "metrics.json")
    latency = read_json(ART / "latency" / "metrics.json")
    threshold = read_json(ART / "threshold_analysis.json")
    facts = {
        "recorded": recorded,
        "sweep": sweep,
        "sweep_seeds": [int(s) for s in read_json(ART / "seed_sweep" / "per_seed.json")],
        "latency": latency,
        "history": history,
        "training_env": env_id,
        "experiments": {
            "train-recorded": recorded,
            "held-out-evaluation": recorded,
            "seed-sweep": sweep,
            "latency-benchmark": latency,
            "threshold-analysis": {
                "chosen_threshold": threshold["chosen_threshold"],
                **{
                    f"oof_{k}_at_chosen": r[k]
                    for r in threshold["candidates"]
                    if r["threshold"] == threshold["chosen_threshold"]
                    for k in ("recall", "precision")
                },
            },
        },
    }
    print("== manifest values (derived from the files and runs above)")
    changes: list[str] = []
    for file in sorted(MANIFESTS.glob("*.yaml")):
        changes.extend(sync_file(file, facts, args.check))
    schema = subprocess.run(
        [str(Path(PY).parent / "handover"), "schema"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    schema_file = ROOT / "handover.schema.json"
    if not schema_file.is_file() or schema_file.read_bytes() != schema:
        changes.append("handover.schema.json: regenerated")
        if not args.check:
            _write(schema_file, schema)
    model_schema = model_schema_text().encode("utf-8")
    if not MODEL_SCHEMA_FILE.is_file() or MODEL_SCHEMA_FILE.read_bytes() != model_schema:
        changes.append(f"{MODEL_SCHEMA_FILE.relative_to(ROOT)}: regenerated")
        if not args.check:
            _write(MODEL_SCHEMA_FILE, model_schema)
    print("== changes" if changes else "== manifest is up to date")
    for line in changes:
        print("  " + line)
    return 1 if args.check and changes else 0


if __name__ == "__main__":
    sys.exit(main())
