"""``kind: environment``: compare the running environment with a recorded one.

Compares the Python version, package versions (from the environment's ``packages`` and
its ``lock_file``), the operating system and hardware constraints, and reports every
difference, not just the first. Also makes the environment fingerprint of the evidence.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from handover_docs.checks.result import CheckContext, CheckResult, Comparison
from handover_docs.schema import Environment, EnvironmentCheck, Hardware

GB = 1_000_000_000
"""``memory_gb`` is in decimal gigabytes (a '16 GB' machine reports about 16.7e9 bytes)."""


def normalize(name: str) -> str:
    """PEP 503 normalised package name: 'Scikit_Learn' and 'scikit-learn' are the same."""
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def installed_packages() -> dict[str, str]:
    """Normalised name to version of every distribution importable by this interpreter."""
    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(normalize(name), dist.version)
    return found


class LockFileError(Exception):
    """A lock file that cannot be read."""


TOML_LOCKS = frozenset({"uv.lock", "poetry.lock", "pdm.lock"})
"""Lock files read as TOML besides ``*.toml`` (``pylock.toml``); others are requirements."""

_REQ_LINE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*===?\s*([^\s;\\]+)")


def read_lock_file(path: Path) -> dict[str, tuple[str, bool]]:
    """Pinned packages of a lock file: normalised name -> (version, has environment marker).

    Reads requirements-style pins (``pip freeze``, ``pip-compile``, ``uv pip compile``:
    ``name==version``, extras, hashes and comments allowed) and, on Python 3.11+, TOML
    locks with ``[[package]]`` / ``[[packages]]`` tables (``uv.lock``, ``poetry.lock``,
    ``pdm.lock``, ``pylock.toml``).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LockFileError(f"cannot read lock file {path.name}: {exc}") from None
    if path.suffix == ".toml" or path.name in TOML_LOCKS:
        return _read_toml_lock(path, text)
    pins: dict[str, tuple[str, bool]] = {}
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        match = _REQ_LINE.match(line)
        if match:
            pins[normalize(match.group(1))] = (match.group(3), ";" in line)
    return pins


def _read_toml_lock(path: Path, text: str) -> dict[str, tuple[str, bool]]:
    if sys.version_info >= (3, 11):
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise LockFileError(f"lock file {path.name} is not valid TOML: {exc}") from None
        pins: dict[str, tuple[str, bool]] = {}
        for entry in data.get("package", []) + data.get("packages", []):
            if isinstance(entry, dict) and "name" in entry and "version" in entry:
                pins[normalize(str(entry["name"]))] = (str(entry["version"]), "marker" in entry)
        return pins
    raise LockFileError(f"reading {path.name} needs Python 3.11 or later (tomllib)")


# --- probes of the running machine -----------------------------------------------------------


def cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def memory_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


@cache
def gpus() -> tuple[str, ...]:
    """Names of the GPUs found (NVIDIA through nvidia-smi or the driver's /proc entries)."""
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run(
                [smi, "-L"], capture_output=True, text=True, timeout=20, check=False
            ).stdout
            names = tuple(line.strip() for line in out.splitlines() if line.startswith("GPU"))
            if names:
                return names
        except (OSError, subprocess.SubprocessError):
            pass
    proc = Path("/proc/driver/nvidia/gpus")
    if proc.is_dir():
        return tuple(f"NVIDIA GPU {p.name}" for p in sorted(proc.iterdir()))
    return ()


@cache
def os_release() -> dict[str, str]:
    try:
        return platform.freedesktop_os_release()
    except OSError:
        return {}


def os_description() -> str:
    release = os_release()
    return release.get("PRETTY_NAME") or f"{platform.system()} {platform.release()}"


def _tokens(text: str) -> set[str]:
    return {t for t in re.split(r"[^a-z0-9._]+", text.casefold()) if t}


def os_matches(wanted: str) -> bool:
    """Every word of the recorded OS ('Debian 12', 'linux x86_64') names the running one.

    Words in parentheses are comments ('Debian 12 (the platform team's base image)').
    """
    release = os_release()
    running = [platform.system(), sys.platform, platform.machine(), *release.values()]
    return _tokens(re.sub(r"\([^)]*\)", " ", wanted)) <= _tokens(" ".join(running))


def gpu_matches(wanted: str, found: tuple[str, ...]) -> bool:
    if not found:
        return False
    words = _tokens(wanted) - {"nvidia", "gpu", "any", "yes"}
    return not words or any(words <= _tokens(name) for name in found)


def python_matches(wanted: str, running: str) -> bool:
    return running.split(".")[: len(wanted.split("."))] == wanted.split(".")


# --- the check -------------------------------------------------------------------------------


def _environment(context: CheckContext, env_id: str) -> Environment:
    for env in context.loaded.handover.environments:
        if env.id == env_id:
            return env
    raise LookupError(f"no environment '{env_id}'")  # manifest.load rejects this earlier


def expected_packages(
    context: CheckContext, env: Environment, only: list[str], notes: list[str]
) -> tuple[dict[str, tuple[str, str, bool]], list[Comparison]]:
    """Normalised name -> (shown name, version, optional); plus lock-file problems."""
    wanted: dict[str, tuple[str, str, bool]] = {}
    problems: list[Comparison] = []
    if env.lock_file is not None:
        try:
            for name, (version, marker) in read_lock_file(context.path(env.lock_file)).items():
                wanted[name] = (name, version, marker)
        except LockFileError as exc:
            problems.append(Comparison("lock file", None, env.lock_file, False, note=str(exc)))
    for name, version in env.packages.items():
        wanted[normalize(name)] = (name, version, False)
    if only:
        chosen: dict[str, tuple[str, str, bool]] = {}
        for name in only:
            key = normalize(name)
            if key in wanted:
                chosen[key] = wanted[key]
            else:
                problems.append(
                    Comparison(
                        f"package {name}",
                        installed_packages().get(key),
                        None,
                        False,
                        note=f"package '{name}' is not recorded in environment '{env.id}' "
                        "(neither in its packages nor in its lock file)",
                    )
                )
        wanted = chosen
    if not wanted and not problems:
        notes.append(f"environment '{env.id}' records no package versions")
    return wanted, problems


def run(context: CheckContext, spec: EnvironmentCheck) -> CheckResult:
    env = _environment(context, spec.environment)
    notes: list[str] = []
    comparisons: list[Comparison] = []
    running = platform.python_version()
    if env.python:
        ok = python_matches(env.python, running)
        comparisons.append(
            Comparison(
                "python",
                running,
                env.python,
                ok,
                note=""
                if ok
                else f"Python {running} runs here, environment '{env.id}' records {env.python}",
            )
        )
    if env.os:
        ok = os_matches(env.os)
        here = os_description()
        comparisons.append(
            Comparison(
                "os",
                here,
                env.os,
                ok,
                note="" if ok else f"operating system is '{here}', expected '{env.os}'",
            )
        )
    wanted, problems = expected_packages(context, env, spec.packages, notes)
    comparisons.extend(problems)
    installed = installed_packages()
    for key in sorted(wanted):
        shown, version, optional = wanted[key]
        have = installed.get(key)
        if have is None and optional:
            notes.append(f"{shown} {version} (with an environment marker) is not installed")
            continue
        ok = have == version
        note = ""
        if have is None:
            note = f"{shown} is not installed (expected {version})"
        elif not ok:
            note = f"{shown} {have} is installed, expected {version}"
        comparisons.append(Comparison(f"package {shown}", have, version, ok, note=note))
    if env.hardware is not None:
        comparisons += _hardware_comparisons(env.hardware)
    if env.container is not None:
        notes.append(
            f"container image {env.container.image} is not checked: run the check inside it"
        )
    for comparison in comparisons:
        context.log(
            f"{'ok  ' if comparison.ok else 'DIFF'} {comparison.name}: "
            f"measured {comparison.measured}, expected {comparison.expected}"
        )
    if not comparisons:
        return CheckResult(
            "fail", f"environment '{env.id}' records nothing to compare", notes=notes
        )
    same = sum(c.ok for c in comparisons)
    return CheckResult.from_comparisons(
        comparisons,
        passed=f"environment '{env.id}': all {same} recorded values match",
        notes=notes,
    )


def fingerprint() -> dict[str, Any]:
    """What ran the checks, for the evidence record."""
    packages = installed_packages()
    listing = "".join(f"{name}=={packages[name]}\n" for name in sorted(packages))
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "os": os_description(),
        "machine": platform.machine(),
        "cpu_count": cpu_count(),
        "memory_bytes": memory_bytes(),
        "gpus": list(gpus()),
        "packages": len(packages),
        "packages_sha256": hashlib.sha256(listing.encode()).hexdigest(),
    }


def _hardware_comparisons(hardware: Hardware) -> list[Comparison]:
    """The machine against the environment's recorded hardware (cores, memory, GPU)."""
    comparisons: list[Comparison] = []
    if hardware.cpu_cores is not None:
        cores = cpu_count()
        ok = cores >= hardware.cpu_cores
        comparisons.append(
            Comparison(
                "cpu cores",
                cores,
                f">= {hardware.cpu_cores}",
                ok,
                note="" if ok else f"{cores} CPU cores, at least {hardware.cpu_cores} needed",
            )
        )
    if hardware.memory_gb is not None:
        memory = memory_bytes()
        have_gb = None if memory is None else round(memory / GB, 2)
        ok = have_gb is not None and have_gb >= hardware.memory_gb
        note = ""
        if have_gb is None:
            note = "cannot measure the memory of this machine"
        elif not ok:
            note = f"{have_gb} GB memory, at least {hardware.memory_gb:g} GB needed"
        comparisons.append(
            Comparison("memory GB", have_gb, f">= {hardware.memory_gb:g}", ok, note=note)
        )
    if hardware.gpu:
        found = gpus()
        ok = gpu_matches(hardware.gpu, found)
        comparisons.append(
            Comparison(
                "gpu",
                ", ".join(found) or "none",
                hardware.gpu,
                ok,
                note=""
                if ok
                else f"GPU '{hardware.gpu}' needed, found " + (", ".join(found) or "none"),
            )
        )
    return comparisons
