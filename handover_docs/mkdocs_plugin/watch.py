"""Make a running ``mkdocs serve`` follow model folders added to or removed from a portfolio.

MkDocs watches paths given at start-up and ignores folder events, so a model folder
created while serving would stay unseen. This watcher listens (not recursively) on the
portfolio folder and on each model folder. When a model folder, or its ``handover/`` or
``docs/`` folder, appears, it asks the server to watch what is there; when one appears,
disappears or is renamed, it requests a rebuild by touching a file under
``.handover/serve/`` that the server watches (MkDocs has no public "rebuild now"). Each
model's ``.handover/`` is never watched: the diagram cache there changes in every build.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

from handover_docs.atomic import write_text
from handover_docs.portfolio import is_model_folder

WATCHED_IN_MODEL = ("handover", "docs")


class ModelFolderWatcher(FileSystemEventHandler):
    def __init__(self, server: Any, base: Path, trigger: Path) -> None:
        self.server = server
        self.base = base
        self.trigger = trigger
        self._lock = threading.Lock()
        self._listening: dict[Path, Any] = {}
        """Folders this handler listens on, with their watchdog watch (to stop it)."""
        self._watched: set[Path] = set()
        """Paths the server watches for us."""

    def start(self) -> None:
        write_text(self.trigger, "")
        self.server.watch(str(self.trigger), recursive=False)
        self._listen(self.base)
        for model in sorted(self.base.iterdir()) if self.base.is_dir() else []:
            if model.is_dir() and is_model_folder(model):
                self._add_model(model, rebuild=False)

    def _listen(self, folder: Path) -> None:
        with self._lock:
            if folder in self._listening or not folder.is_dir():
                return
            self._listening[folder] = None
        watch = self.server.observer.schedule(self, str(folder), recursive=False)
        with self._lock:
            self._listening[folder] = watch

    def _add_model(self, model: Path, *, rebuild: bool) -> None:
        self._listen(model)
        self._watch_parts(model)
        if rebuild:
            write_text(self.trigger, str(model))
            # The listener on a new folder starts in the observer's own thread, a moment
            # later: a folder made inside it meanwhile sends no event. Look again soon.
            for delay in (0.5, 2.0):
                timer = threading.Timer(delay, self._look_again, (model,))
                timer.daemon = True
                timer.start()

    def _watch_parts(self, model: Path) -> bool:
        """Watch the model's manifests, docs and evidence that exist; True if any is new."""
        parts = [model / name for name in WATCHED_IN_MODEL if (model / name).is_dir()]
        evidence = model / ".handover" / "evidence.json"
        if evidence.exists():
            parts.append(evidence)
        with self._lock:
            new = [p for p in parts if p not in self._watched]
            self._watched.update(new)
        for path in new:
            self.server.watch(str(path), recursive=path.is_dir())
        return bool(new)

    def _look_again(self, model: Path) -> None:
        if self._watch_parts(model):
            write_text(self.trigger, str(model))

    def _forget(self, gone: Path) -> None:
        """Stop watching what was at or under a removed folder, so that a folder made again
        at the same path (a branch switch, say) is watched anew."""
        with self._lock:
            paths = [p for p in self._watched if p == gone or gone in p.parents]
            self._watched.difference_update(paths)
            folders = [p for p in self._listening if p == gone or gone in p.parents]
            watches = [self._listening.pop(p) for p in folders]
        for path in paths:
            with contextlib.suppress(Exception):  # its inotify watch may be gone already
                self.server.unwatch(str(path))
        for watch in watches:
            with contextlib.suppress(Exception):
                self.server.observer.unschedule(watch)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if isinstance(event, (DirDeletedEvent, DirMovedEvent)):
            gone = Path(str(event.src_path))
            if self._is_model_part(gone):  # a model removed or renamed: rebuild without it
                self._forget(gone)
                write_text(self.trigger, str(gone))
        if isinstance(event, DirMovedEvent):
            path = Path(str(event.dest_path))
        elif isinstance(event, DirCreatedEvent):
            path = Path(str(event.src_path))
        else:
            return
        if self._is_model_part(path):
            self._add_model(path if path.parent == self.base else path.parent, rebuild=True)

    def _is_model_part(self, path: Path) -> bool:
        """A model folder, or a model's ``handover/`` or ``docs/`` folder."""
        if path.parent == self.base:
            return is_model_folder(path)
        return (
            path.parent.parent == self.base
            and path.name in WATCHED_IN_MODEL
            and is_model_folder(path.parent)
        )
