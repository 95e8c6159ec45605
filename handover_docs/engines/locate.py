"""Find the command that runs a site engine, or say how to install it.

Order: the engine's environment variable (a command path, for an engine installed in a
venv of its own, e.g. ``HANDOVER_ZENSICAL=.venv-zensical/bin/zensical``), then the engine
importable by this Python (``python -m <engine>``), then the engine's command on PATH.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

from handover_docs.engines import Engine
from handover_docs.errors import Finding, HandoverError, Location

ENV_VARS: dict[Engine, str] = {
    "mkdocs": "HANDOVER_MKDOCS",
    "zensical": "HANDOVER_ZENSICAL",
    "properdocs": "HANDOVER_PROPERDOCS",
}
"""The environment variable naming each engine's command."""

INSTALL_HINTS: dict[Engine, str] = {
    "mkdocs": "pip install handover-docs (MkDocs is one of its dependencies)",
    "zensical": "pip install 'handover-docs[zensical]' (or scripts/setup.sh), or set "
    "HANDOVER_ZENSICAL to the zensical command of another venv",
    "properdocs": "pip install 'properdocs>=1.6,<2' handover-docs in a venv and set "
    "HANDOVER_PROPERDOCS to its properdocs command",
}


def engine_command(engine: Engine, env: dict[str, str] | None = None) -> list[str]:
    """The argv prefix that runs ENGINE (``[..., "build", ...]`` follows). Raises
    HandoverError (exit 2) with the install hint when the engine is not installed."""
    env = dict(os.environ) if env is None else env
    variable = ENV_VARS[engine]
    given = env.get(variable, "").strip()
    if given:
        found = shutil.which(given)
        if found is None:
            raise HandoverError(
                Finding(
                    Location(f"${variable}"),
                    f"{variable}={given} is not an executable command",
                    hint=INSTALL_HINTS[engine],
                )
            )
        return [found]
    if importlib.util.find_spec(engine) is not None:
        return [sys.executable, "-m", engine]
    on_path = shutil.which(engine)
    if on_path is not None:
        return [on_path]
    beside = Path(sys.executable).parent / engine
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    raise HandoverError(
        Finding(
            Location(f"--engine {engine}"),
            f"the {engine} engine is not installed",
            hint=INSTALL_HINTS[engine],
        )
    )
