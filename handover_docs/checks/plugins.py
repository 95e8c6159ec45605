"""Custom check plugins: discovery by entry point and from the project's ``plugins/`` folder.

A plugin is a callable ``check(context: CheckContext, options: dict) -> CheckResult``.
It is found, by the name a manifest gives in ``kind: custom, plugin: NAME``, in:

1. the project's ``plugins/`` folder: every ``*.py`` module there (not starting with
   ``_``) is imported; it registers checks with a ``CHECKS = {"name": callable}`` dict
   and/or by decorating functions with :func:`check_plugin`;
2. installed packages: entry points in the group ``handover_docs.checks``
   (``name = "package.module:function"``).

A project plugin shadows an installed one of the same name.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from handover_docs.checks.result import CheckFunction
from handover_docs.errors import Finding, HandoverError, Location, display_path

ENTRY_POINT_GROUP = "handover_docs.checks"
PLUGINS_FOLDER = "plugins"
_MARK = "__handover_check__"

F = TypeVar("F", bound=Callable[..., Any])


def check_plugin(name: str) -> Callable[[F], F]:
    """Decorator: register the function as the custom check ``name``."""

    def mark(function: F) -> F:
        setattr(function, _MARK, name)
        return function

    return mark


@dataclass(frozen=True)
class Plugin:
    name: str
    function: CheckFunction
    origin: str
    """Where it came from: 'plugins/dataset_schema.py' or 'entry point pkg.mod:fn'."""


def _import_error(path: Path, root: Path, exc: BaseException) -> HandoverError:
    shown = display_path(path, root)
    line = 0
    if isinstance(exc, SyntaxError) and exc.lineno:
        line = exc.lineno
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if Path(frame.filename).resolve() == path.resolve():
                line = frame.lineno or 0
    return HandoverError(
        Finding(
            Location(shown, line, 1 if line else 0),
            f"cannot load check plugin module: {type(exc).__name__}: {exc}",
            hint="fix the module or remove it from the plugins folder",
        )
    )


def _load_module(path: Path, root: Path) -> ModuleType:
    name = f"handover_project_plugins.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise _import_error(path, root, ImportError("not a Python module"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise _import_error(path, root, exc) from None
    return module


def _module_checks(module: ModuleType, path: Path, root: Path) -> dict[str, CheckFunction]:
    found: dict[str, CheckFunction] = {}
    shown = display_path(path, root)
    table = getattr(module, "CHECKS", {})
    if not isinstance(table, dict):
        raise HandoverError(f"{shown}: CHECKS must be a dict of name to callable", shown)
    for name, function in table.items():
        if not isinstance(name, str) or not callable(function):
            raise HandoverError(f"{shown}: CHECKS[{name!r}] must map a name to a callable", shown)
        found[name] = function
    for value in vars(module).values():
        mark = getattr(value, _MARK, None)
        if isinstance(mark, str) and callable(value):
            found[mark] = value
    return found


def project_plugins(root: Path) -> dict[str, Plugin]:
    """Checks defined by the modules of ``root/plugins``; duplicates are errors."""
    folder = root / PLUGINS_FOLDER
    plugins: dict[str, Plugin] = {}
    if not folder.is_dir():
        return plugins
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = _load_module(path, root)
        shown = display_path(path, root)
        for name, function in _module_checks(module, path, root).items():
            if name in plugins:
                raise HandoverError(
                    f"check plugin '{name}' is defined twice: in {plugins[name].origin} "
                    f"and in {shown}",
                    shown,
                )
            plugins[name] = Plugin(name, function, shown)
    return plugins


def entry_point_plugins() -> dict[str, Plugin]:
    plugins: dict[str, Plugin] = {}
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        plugins.setdefault(entry.name, _LazyEntry(entry).plugin())
    return plugins


@dataclass(frozen=True)
class _LazyEntry:
    entry: importlib.metadata.EntryPoint

    def plugin(self) -> Plugin:
        return Plugin(self.entry.name, self.call, f"entry point {self.entry.value}")

    def call(self, context: Any, options: dict[str, Any]) -> Any:
        function: CheckFunction = self.entry.load()
        return function(context, options)


def discover(root: Path) -> dict[str, Plugin]:
    """Every plugin visible from the project at ``root``: installed ones, then the project's."""
    plugins = entry_point_plugins()
    plugins.update(project_plugins(root))
    return plugins
