"""``handover serve --engine zensical``: live editing without MkDocs plugins.

The pages are rendered into a serve folder (``.handover/serve/zensical/``, with the
engine's config), ``zensical serve`` serves and live-reloads that folder, and a watcher
re-renders it when a manifest, narrative, template or the evidence file changes. Only
files whose bytes changed are rewritten (so Zensical rebuilds just those pages), and
files no longer rendered are removed. Broken manifests are reported on the terminal and
the last good pages stay served until they are fixed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from handover_docs.engines.build import ZENSICAL_CACHE, engine_env
from handover_docs.engines.config import (
    read_settings,
    stage_theme,
    write_config,
    zensical_config,
)
from handover_docs.engines.locate import engine_command
from handover_docs.engines.render import project_options, render_project, site_settings
from handover_docs.errors import HandoverError
from handover_docs.project import Project

SERVE_FOLDER = Path(".handover") / "serve" / "zensical"
DEBOUNCE_SECONDS = 0.3
"""Edits arriving together (an editor's save, a git checkout) make one re-render."""


class ZensicalServer:
    """Render, serve with ``zensical serve``, re-render on change. ``start``/``stop``."""

    def __init__(
        self,
        project: Project,
        dev_addr: str = "127.0.0.1:8000",
        report: Callable[[str], None] = print,
    ) -> None:
        self.project = project
        self.dev_addr = dev_addr
        self.report = report
        self.folder = project.root / SERVE_FOLDER
        self.renders = 0
        """Successful renders so far (the first one included)."""
        self.process: subprocess.Popen[bytes] | None = None
        self._observer: Any = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    # --- rendering ---------------------------------------------------------------------------

    def render(self) -> None:
        """Render into a fresh staging folder, then update the served docs folder in place
        (only changed files are written). Raises HandoverError for bad input."""
        staging = self.folder / "next"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            docs = staging / "docs"
            rendered = render_project(self.project, docs, links_from_source=True, edit_meta=True)
            (docs / rendered.folder / "nav.yml").unlink()
            settings = read_settings(self.project.config_file) if self.project.config_file else {}
            settings.setdefault("site_name", rendered.loaded.handover.model.name)
            for warning in stage_theme(settings, self.project.root, staging / "theme"):
                self.report(warning)
            config = zensical_config(
                settings,
                root=self.project.root,
                nav_section=rendered.nav,
                pages=set(rendered.pages),
                folder=rendered.folder,
                theme_dir=self.folder / "theme",
            )
            _sync(docs, self.folder / "docs")
            _sync(staging / "theme", self.folder / "theme")
            config_file = self.folder / "mkdocs.yml"
            new_config = self.folder / "mkdocs.yml.next"
            write_config(config, new_config)
            if not config_file.is_file() or config_file.read_bytes() != new_config.read_bytes():
                os.replace(new_config, config_file)
            else:
                new_config.unlink()
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.renders += 1

    def _rerender(self) -> None:
        with self._lock:
            try:
                self.render()
            except HandoverError as exc:
                for finding in exc.findings:
                    self.report(str(finding))
                self.report("handover: the pages were not updated; fix the input and save")
                return
            self.report(f"handover: pages re-rendered ({self.renders})")

    def relevant(self, path: str) -> bool:
        """Whether a change at PATH can change the pages (not the serve folder's own)."""
        changed = Path(path).resolve()
        if changed.is_relative_to(self.folder.resolve()):
            return False
        for watched in self.watched():
            target = watched.resolve()
            if changed == target or (watched.is_dir() and changed.is_relative_to(target)):
                return True
        return False

    def changed(self, path: str) -> None:
        """A watched file changed: re-render once the burst of edits is over."""
        if not self.relevant(path):
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(DEBOUNCE_SECONDS, self._rerender)
        self._timer.daemon = True
        self._timer.start()

    # --- serving -----------------------------------------------------------------------------

    def watched(self) -> list[Path]:
        options = project_options(self.project)[0]
        paths = [
            self.project.manifests,
            self.project.docs,
            options.evidence_file(self.project.root),
        ]
        templates = options.templates_dir(self.project.root)
        if templates is not None:
            paths.append(templates)
        if self.project.config_file is not None:
            paths.append(self.project.config_file)
            theme = site_settings(self.project.config_file).get("theme")
            if isinstance(theme, dict) and theme.get("custom_dir"):
                paths.append(self.project.root / str(theme["custom_dir"]))  # copied by render
        return paths

    def start(self) -> None:
        """First render (bad input: HandoverError), then the engine and the watcher."""
        command = engine_command("zensical")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.render()
        cache = self.project.root / ZENSICAL_CACHE
        link = self.folder / ".cache"
        if not link.exists():
            try:
                cache.mkdir(parents=True, exist_ok=True)
                link.symlink_to(cache.resolve(), target_is_directory=True)
            except OSError:
                pass
        handler = _Handler(self.changed)
        observer = Observer()
        for path in self.watched():
            if path.is_dir():
                observer.schedule(handler, str(path), recursive=True)
            elif path.parent.is_dir():
                observer.schedule(handler, str(path.parent), recursive=False)
        observer.daemon = True
        observer.start()
        self._observer = observer
        self.process = subprocess.Popen(
            [*command, "serve", "-f", str(self.folder / "mkdocs.yml"), "-a", self.dev_addr],
            cwd=self.folder,
            env=engine_env("zensical"),
            stdin=subprocess.DEVNULL,
        )

    def wait(self) -> int:
        assert self.process is not None
        return self.process.wait()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class _Handler(FileSystemEventHandler):
    def __init__(self, changed: Callable[[str], None]) -> None:
        self._changed = changed

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        self._changed(os.fsdecode(event.src_path))


def _sync(new: Path, served: Path) -> None:
    """Make SERVED hold exactly NEW's files, writing only those whose bytes differ."""
    served.mkdir(parents=True, exist_ok=True)
    wanted = {p.relative_to(new) for p in new.rglob("*") if p.is_file()}
    for rel in sorted(wanted):
        target = served / rel
        data = (new / rel).read_bytes()
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(new / rel, target)
    for path in sorted(served.rglob("*"), reverse=True):
        rel = path.relative_to(served)
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
