"""``handover build``: one command from manifests to a (signed) site, with any engine.

- ``mkdocs`` / ``properdocs``: the engine runs with the ``handover`` plugin, which renders
  the pages and signs after the build (as a plain ``mkdocs build`` does);
- ``zensical``: the pages are rendered as plain Markdown (``handover render``) into a build
  folder with the engine's config (``engines.config``), Zensical builds them, and the site
  is signed here with the plugin's signing step (``sign_built_site``).

Every engine builds beside the destination and the new site replaces the old one only
after a successful build and signing (``engines.swap``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handover_docs import manifest
from handover_docs.engines import Engine
from handover_docs.engines.config import (
    read_settings,
    stage_theme,
    write_config,
    zensical_config,
)
from handover_docs.engines.locate import engine_command
from handover_docs.engines.render import Rendered, project_options, render_project
from handover_docs.engines.swap import replace_site, staging_folder
from handover_docs.errors import HandoverError
from handover_docs.pages.evidence import evidence_gate, evidence_sha256
from handover_docs.project import Project
from handover_docs.signing.site_hook import sign_built_site, signing_configured

ZENSICAL_CACHE = Path(".handover") / "cache" / "zensical"
"""Zensical's own build cache, kept between builds (its ``.cache`` in the build folder
links here), so a second build of the same pages is a warm one."""

_NOTEWORTHY = re.compile(r"warn|error|abort", re.IGNORECASE)
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def engine_lines(output: str) -> list[str]:
    """An engine's output for people: colours dropped, and a Python traceback (Zensical
    raises one for a strict failure) cut down to its last line, the message."""
    lines: list[str] = []
    in_traceback = False
    for line in _COLOUR.sub("", output).splitlines():
        if line.startswith("Traceback (most recent call last):"):
            in_traceback = True
            continue
        if in_traceback and (line.startswith(" ") or not line.strip()):
            continue
        in_traceback = False
        lines.append(line)
    return lines


class BuildFailed(Exception):
    """The engine (or the strict evidence gate) failed the build: exit 1; the previous
    site is kept. ``args[0]`` is what to show."""


@dataclass
class BuildResult:
    engine: Engine
    site: Path
    signed: bool
    pages: list[str] = field(default_factory=list)
    """Generated pages (Zensical route; the plugin routes do not report them)."""
    log: list[str] = field(default_factory=list)
    """The engine's warnings and errors, and signing warnings."""


def default_out(project: Project) -> Path:
    """The project's ``site_dir`` (mkdocs.yml), else ``site`` beside it."""
    settings = read_settings(project.config_file) if project.config_file else {}
    return project.root / str(settings.get("site_dir") or "site")


def engine_env(engine: Engine) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1"}
    if engine != "zensical":
        env.setdefault("NO_MKDOCS_2_WARNING", "1")
        env.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    return env


def _run(command: list[str], cwd: Path, engine: Engine) -> list[str]:
    """Run an engine; its noteworthy lines on success, BuildFailed with its output else."""
    done = subprocess.run(
        command,
        cwd=cwd,
        env=engine_env(engine),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
    )
    lines = engine_lines(done.stdout + done.stderr)
    if done.returncode != 0:
        tail = lines[-80:]
        raise BuildFailed(
            "\n".join(
                [
                    *tail,
                    f"the {engine} build failed (exit {done.returncode}); "
                    "the previous site is kept",
                ]
            )
        )
    return [line for line in lines if _NOTEWORTHY.search(line)]


def build(project: Project, engine: Engine, out: Path, *, strict: bool = False) -> BuildResult:
    """Build PROJECT with ENGINE into OUT. Raises HandoverError for bad input (exit 2) and
    BuildFailed when the build itself fails (exit 1); either way OUT is left as it was."""
    command = engine_command(engine)
    out = out.absolute()  # the engines run in other folders
    options = project_options(project)[0]
    if engine != "zensical" and project.config_file is None:
        raise HandoverError(
            f"{project.root} has no mkdocs.yml: the {engine} engine builds from one "
            "(run 'handover init', or use --engine zensical)",
            project.root,
        )
    work = staging_folder(out)
    try:
        if engine == "zensical":
            result = _zensical(project, command, work, out, strict=strict)
        else:
            loaded = manifest.load_project(project)  # bad input: exit 2, not a failed build
            _gate(loaded, project, options.require_evidence)
            assert project.config_file is not None
            args = ["build", "-f", str(project.config_file), "-d", str(work / "site")]
            log = _run([*command, *args, *(["--strict"] if strict else [])], project.root, engine)
            result = BuildResult(engine, out, signing_configured(), log=log)
        replace_site(work / "site", out)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _gate(loaded: manifest.LoadedHandover, project: Project, required: bool) -> None:
    """Strict evidence mode (``require_evidence``): a failing required item fails the build."""
    if not required:
        return
    try:
        evidence_gate(loaded, project_options(project)[0].evidence_file(project.root))
    except HandoverError as exc:
        raise BuildFailed("\n".join(str(f) for f in exc.findings)) from None


def _zensical(
    project: Project, command: list[str], work: Path, out: Path, *, strict: bool
) -> BuildResult:
    root = project.root
    rendered = render_project(project, work / "docs", links_from_source=True, edit_meta=True)
    _gate(rendered.loaded, project, rendered.options.require_evidence)
    (work / "docs" / rendered.folder / "nav.yml").unlink()  # for other engines, not the site
    settings = read_settings(project.config_file) if project.config_file else {}
    settings.setdefault("site_name", rendered.loaded.handover.model.name)
    theme_warnings = stage_theme(settings, root, work / "theme")
    config = zensical_config(
        settings,
        root=root,
        nav_section=rendered.nav,
        pages=set(rendered.pages),
        folder=rendered.folder,
        theme_dir=work / "theme",
    )
    write_config(config, work / "mkdocs.yml")
    cache = root / ZENSICAL_CACHE
    try:
        cache.mkdir(parents=True, exist_ok=True)
        (work / ".cache").symlink_to(cache.resolve(), target_is_directory=True)
    except OSError:
        pass  # no shared cache: a cold build, still correct
    args = ["build", "-f", str(work / "mkdocs.yml"), *(["--strict"] if strict else [])]
    log = [*theme_warnings, *_run([*command, *args], work, "zensical")]
    signed = _sign(work / "site", rendered, root, settings, log)
    return BuildResult("zensical", out, signed, pages=rendered.pages, log=log)


def _sign(
    site: Path, rendered: Rendered, root: Path, settings: dict[str, Any], log: list[str]
) -> bool:
    """The plugin's signing step, on the site Zensical built (before it replaces the old)."""
    result = sign_built_site(
        site,
        project_root=root,
        manifest_digest=rendered.loaded.digest,
        evidence_digest=evidence_sha256(rendered.options.evidence_file(root)),
        site_url=str(settings.get("site_url") or "") or None,
        release=rendered.loaded.handover.model.version,
    )
    if result is None:
        return False
    log.extend(f"signing: {w}" for w in result.warnings)
    return True
