"""Site engines for ``handover build`` / ``handover serve``: MkDocs and ProperDocs run the
plugin; Zensical (no MkDocs plugins) builds the ``handover render`` output.

One module per job: ``locate`` (find an engine's command), ``render`` (the plain-Markdown
pages), ``config`` (the engine's mkdocs.yml), ``swap`` (replace a site in one step),
``build`` (render, run, sign, swap) and ``serve`` (live editing with Zensical).
Engines run as separate processes: the core never imports MkDocs.
"""

from __future__ import annotations

from typing import Literal

Engine = Literal["mkdocs", "zensical", "properdocs"]
ENGINES: tuple[Engine, ...] = ("mkdocs", "zensical", "properdocs")
