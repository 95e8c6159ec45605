"""``mkdocs build``: the handover loaded, planned and rendered in a forked worker, so MkDocs'
process neither imports the schema nor holds the manifests.

The plugin starts the worker in ``on_config`` (after the other plugins' ``on_config``);
meanwhile MkDocs reads its theme and collects the docs. The child (``pages/worker.py``):

1. loads and validates the manifests and plans the site, and sends the :class:`SitePlan`
   (the plugin waits for it in ``on_files``: the pages' paths and nav);
2. resolves the ``[[...]]`` references of every Markdown file under ``docs_dir``, read as
   MkDocs reads it (front matter removed), and sends each result with the digest of the
   Markdown it resolved; MkDocs' ``on_page_markdown`` takes a page's result only when it
   was made from the same Markdown (another plugin may have changed it, or added the
   page): else the plugin resolves that page itself, loading the manifests then;
3. renders the generated pages, sending each (MkDocs reads them after the narratives);
4. links glossary terms in the pages' HTML that MkDocs sends it, until MkDocs is done.

A manifest error ends the child with its findings, raised in MkDocs' process where the
plan is awaited, so the build fails with the same ``file:line:col`` lines as before.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.utils import meta

from handover_docs.errors import Finding, HandoverError, display_path
from handover_docs.pages import worker
from handover_docs.pages.plan import SitePlan
from handover_docs.project import Project

if TYPE_CHECKING:  # the child imports these; MkDocs' process never does
    from handover_docs.pages.prepared import PreparedSite
    from handover_docs.pages.site import SiteOptions

PLAN = "plan"


@dataclass(frozen=True)
class Resolved:
    """A narrative's references, resolved in the child from Markdown with this digest."""

    digest: bytes
    markdown: str | None
    """None: the Markdown has no reference (nothing sent back)."""
    findings: list[Finding]


def digest(markdown: str) -> bytes:
    return hashlib.blake2b(markdown.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def narratives(docs: Path) -> Iterator[tuple[str, Path]]:
    """(path under docs_dir, file) of every Markdown file, roughly in MkDocs' order."""
    for folder, dirs, names in os.walk(docs):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(folder)
        rel = base.relative_to(docs).as_posix()
        for name in sorted(names, key=lambda n: (n not in ("index.md", "README.md"), n)):
            if name.endswith(".md"):
                yield (name if rel == "." else f"{rel}/{name}"), base / name


class ForkedSite:
    """MkDocs' side of the worker: the plan, each narrative's references, each page."""

    def __init__(self, started: worker.Worker, inputs: Any) -> None:
        self.worker = started
        self.inputs = inputs
        """What the child built the site options from: ``on_files`` checks they still hold."""
        self.narratives: set[str] = set()

    @classmethod
    def start(
        cls,
        project: Project,
        inputs: Any,
        make_options: Callable[[], SiteOptions],
        *,
        require_evidence: bool,
        docs: Path,
    ) -> ForkedSite | None:
        """Fork the child; None where forking is unsafe (threads run) or impossible."""
        loaded: list[PreparedSite] = []

        def compute(emit: worker.Emit) -> None:
            from handover_docs.pages.prepared import PreparedSite

            gc.freeze()  # what the child inherited and imported: never walked by the collector
            site = PreparedSite.load(
                project, make_options(), require_evidence=require_evidence, plan_only=True
            )
            loaded.append(site)
            gc.freeze()  # the manifests live as long as the child: never walk them again
            files = list(narratives(docs))
            emit(PLAN, (site.plan(), [uri for uri, _ in files]))
            for uri, path in files:
                emit(("refs", uri), _resolve_file(site, uri, path))
            site.render(lambda path, text: emit(("page", path), text))

        def link_glossary(request: tuple[str, str, Any]) -> str:
            return loaded[0].glossary.link_html(*request)

        started = worker.start(compute, link_glossary)
        return cls(started, inputs) if started is not None else None

    def plan(self) -> SitePlan:
        """The site plan, waiting for the child. Raises the child's HandoverError."""
        plan, files = self.worker.take(PLAN)
        self.narratives = set(files)
        assert isinstance(plan, SitePlan)
        return plan

    def page(self, path: str) -> str:
        text = self.worker.take(("page", path))
        assert isinstance(text, str)
        return text

    def resolved(self, uri: str, markdown: str) -> str | None:
        """A narrative with its references resolved by the child; None when the child
        resolved other Markdown for it (or none): the caller resolves it. Raises
        HandoverError with the page's broken references."""
        if uri not in self.narratives:
            return None
        self.narratives.discard(uri)
        result = self.worker.take(("refs", uri))
        assert isinstance(result, Resolved)
        if result.digest != digest(markdown):
            return None
        if result.findings:
            raise HandoverError(result.findings)
        return markdown if result.markdown is None else result.markdown

    def cancel(self) -> None:
        self.worker.cancel()


def _resolve_file(site: PreparedSite, uri: str, path: Path) -> Resolved:
    """In the child: one narrative as MkDocs reads it, its references resolved."""
    try:
        markdown = meta.get_data(path.read_bytes().decode("utf-8-sig"))[0]
    except (OSError, UnicodeDecodeError):
        return Resolved(b"", None, [])  # MkDocs reports it; no digest matches
    if "[[" not in markdown:
        return Resolved(digest(markdown), None, [])
    try:
        text = site.resolve(markdown, page=uri, display=display_path(path))
    except HandoverError as exc:
        return Resolved(digest(markdown), markdown, list(exc.findings))
    return Resolved(digest(markdown), text, [])
