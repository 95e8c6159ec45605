"""Links from the site back to the lines that made it: "edit source" for every entry.

A reviewer reading "Model weights" on the artifacts page should reach the YAML line to
change in one click. The repository's address comes from the site's own settings, as
MkDocs uses them for its "edit this page" button: ``repo_url`` with ``edit_uri`` (or
``edit_uri_template``). Those name the docs folder (``edit/main/docs/``); the manifests
live beside it, so the part that names the docs folder is cut off to get the address of
the repository's top (``…/edit/main/``), under which any file's path can be put.

- The page's edit button of a generated page opens its manifest file there (the edit
  form of GitHub or GitLab, or the configured view);
- an entry's link opens the file *at the entry's line*, which needs the host's view
  address and its line fragment: GitHub ``blob/<branch>/<path>#L12``, GitLab
  ``-/blob/<branch>/<path>#L12``, Bitbucket ``src/<branch>/<path>#lines-12``. Other
  hosts (Gitea, Forgejo, a self-hosted forge whose name says nothing) get entry links
  only from the plugin option ``source_links``: a template such as
  ``https://git.example.org/org/repo/src/branch/main/{path}#L{line}``.

Nothing configured, a ``repo_url`` that is not http(s), an ``edit_uri`` that does not end
with the docs folder's path: no link at all. A wrong link is worse than none.
The core never imports MkDocs: both engines pass the settings as a plain mapping.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from markupsafe import Markup
from pydantic import BaseModel

from handover_docs.errors import Finding, HandoverError, Location
from handover_docs.git import run_git
from handover_docs.manifest import LoadedHandover
from handover_docs.pages import escape
from handover_docs.pages.catalog import PAGES, entries
from handover_docs.yamlsource import DataPath

AUTO = "auto"
OFF = "off"

_MKDOCS_DEFAULT_EDIT_URI = {"github.com": "edit/master/docs/", "gitlab.com": "edit/master/docs/"}
_BITBUCKET = "bitbucket.org"
"""MkDocs fills in ``edit_uri`` for these hosts when mkdocs.yml has none;
``handover render`` reads mkdocs.yml itself and does the same, so both engines agree."""


@dataclass(frozen=True)
class SourceLinks:
    """Where a repository file is shown (``view``, with ``{path}`` and ``{line}``) and edited
    (``edit``, with ``{path}``), and the repository's top folder the paths are relative to."""

    top: Path
    edit: str
    view: str | None

    def path_of(self, file: Path) -> str | None:
        """``file`` relative to the repository's top (posix), or None when outside it."""
        return _relative(file, self.top)

    def line_url(self, file: Path, line: int) -> str | None:
        """The address showing ``file`` at ``line``; None without a view for this host."""
        rel = self.path_of(file)
        if self.view is None or rel is None:
            return None
        return _checked(self.view.format(path=quote(rel, safe="/"), line=max(line, 1)))

    def edit_url(self, file: Path) -> str | None:
        """The address of the host's editor (or view) for ``file``."""
        rel = self.path_of(file)
        if rel is None:
            return None
        return _checked(self.edit.format(path=quote(rel, safe="/"), line=1))


def _checked(url: str) -> str | None:
    """``url`` when it is an absolute http(s) address (never ``javascript:`` and the like)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch in url for ch in '"<>\\ \t\r\n`'):
        return None
    return url


def repository_top(folder: Path) -> Path:
    """The git work tree holding ``folder``; the folder itself outside git."""
    result = run_git(folder, "rev-parse", "--show-toplevel")
    if result.ok and result.stdout.strip():
        return Path(result.stdout.strip())
    return folder


def template_problem(template: str) -> str | None:
    """Why a ``source_links`` template cannot make links; None when it can."""
    if "{path}" not in template:
        return "must hold {path} (and {line} for the line)"
    try:
        sample = template.format(path="handover/model.yaml", line=1)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        return f"has a placeholder other than {{path}} and {{line}} ({exc})"
    if _checked(sample) is None:
        return "must be an http(s) address such as https://host/org/repo/blob/main/{path}#L{line}"
    return None


def source_links(
    settings: Mapping[str, Any], *, option: str, root: Path, docs: Path
) -> SourceLinks | None:
    """The links of a site from its mkdocs.yml ``settings`` (``repo_url``, ``edit_uri``,
    ``edit_uri_template``) and the plugin's ``source_links`` option (``auto``, ``off`` or
    a template); ``root`` is the folder of mkdocs.yml, ``docs`` the docs folder as
    configured (not a temporary copy). HandoverError for a malformed template."""
    named = settings.get("repo_url") or settings.get("edit_uri_template")
    if option == OFF or (option == AUTO and not named):
        return None
    top = repository_top(root)
    if option != AUTO:
        problem = template_problem(option)
        if problem is not None:
            raise HandoverError(
                Finding(
                    Location("mkdocs.yml"),
                    f"handover plugin option 'source_links' {problem}",
                    hint="use auto, off, or a template with {path} and {line}",
                )
            )
        return SourceLinks(top, option, option)
    base = _repository_base(settings, _relative(docs, top))
    if base is None:
        return None
    return SourceLinks(top, base + "{path}", _view(base))


def _relative(path: Path, top: Path) -> str | None:
    """``path`` from ``top`` (posix), symlinks resolved on both sides (git names the top by
    its real path: ``/private/tmp/…`` for ``/tmp/…`` on macOS); None when outside it."""
    try:
        return path.resolve().relative_to(top.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def _repository_base(settings: Mapping[str, Any], docs_rel: str | None) -> str | None:
    """The address under which a path from the repository's top is edited, from the
    address MkDocs would give the docs folder's top; None when it cannot be known."""
    raw = settings.get("repo_url")
    repo_url = raw.strip() if isinstance(raw, str) and raw.strip() else None
    if raw is not None and (repo_url is None or _checked(repo_url) is None):
        return None
    docs_url = _docs_url(settings, repo_url)
    if not docs_url or docs_url.startswith(("?", "#")) or docs_rel is None:
        return None
    if not docs_url.endswith("/"):
        docs_url += "/"
    # As MkDocs joins them; an absolute edit_uri_template needs no repo_url.
    absolute = urljoin(repo_url.rstrip("/") + "/", docs_url) if repo_url else docs_url
    suffix = "" if docs_rel in ("", ".") else "/" + docs_rel.strip("/") + "/"
    if not absolute.endswith(suffix):  # "/docs/": not ".../mydocs/"
        return None
    suffix = suffix[1:]
    base = absolute[: len(absolute) - len(suffix)]
    if "{" in base or "}" in base:  # would be read as placeholders
        return None
    return base if _checked(base + "x") is not None else None


def _docs_url(settings: Mapping[str, Any], repo_url: str | None) -> str | None:
    """The docs folder's edit address as configured (maybe relative to ``repo_url``)."""
    template = settings.get("edit_uri_template")
    edit_uri = settings.get("edit_uri")
    if isinstance(template, str) and template:
        head, sep, tail = template.partition("{path}")
        return head if sep and not tail else None  # {path_noext}.md names docs pages only
    if repo_url is None:
        return None
    if isinstance(edit_uri, str):
        return edit_uri
    if edit_uri is None:
        return _default_edit_uri(repo_url)
    return None


def _default_edit_uri(repo_url: str) -> str:
    """MkDocs's own default ``edit_uri`` for well-known hosts (it assumes ``docs/`` at the
    repository's top: elsewhere the check against the docs folder refuses it); empty
    for other hosts."""
    host = (urlsplit(repo_url).hostname or "").lower()
    if host in _MKDOCS_DEFAULT_EDIT_URI:
        return _MKDOCS_DEFAULT_EDIT_URI[host]
    if host == _BITBUCKET:
        return "src/default/docs/"
    return ""


def _view(base: str) -> str | None:
    """The address showing a file at a line, from the repository's edit/view base; None
    for a host whose line fragment is unknown (use the ``source_links`` template)."""
    parts = urlsplit(base)
    host = (parts.hostname or "").lower()
    segments = PurePosixPath(parts.path).parts[1:]
    start = parts._replace(path="").geturl()

    def at(index: int, *middle: str) -> str:
        rest = "/".join((*segments[:index], *middle, *segments[index + 1 :]))
        return f"{start}/{rest}/{{path}}"

    if "-" in segments:  # GitLab: /group/sub/repo/-/edit/<branch>/
        dash = segments.index("-")
        if dash + 1 < len(segments) and segments[dash + 1] in ("edit", "blob"):
            return at(dash + 1, "blob") + "#L{line}"
        return None
    if "github" in host and len(segments) > 2 and segments[2] in ("edit", "blob"):
        return at(2, "blob") + "#L{line}"
    if "gitlab" in host:
        for index in range(2, len(segments)):
            if segments[index] in ("edit", "blob"):
                return at(index, "-", "blob") + "#L{line}"
    if host == _BITBUCKET and len(segments) > 2 and segments[2] == "src":
        return f"{start}/{'/'.join(segments)}/{{path}}#lines-{{line}}"
    return None


# --- entries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRef:
    """Where an entry was written, and the address that shows it."""

    url: str
    file: str
    """The manifest file, relative to the repository's top."""
    line: int

    @property
    def label(self) -> Markup:
        """The link's visible text (and accessible name): ``artifacts.yaml:12``."""
        return escape.text(f"{PurePosixPath(self.file).name}:{self.line}")

    @property
    def title(self) -> Markup:
        """The tooltip, for an HTML attribute that may sit in a table cell (no ``|``)."""
        shown = escape.attr(f"Edit source: {self.file}, line {self.line}")
        return Markup(str(shown).replace("|", "&#124;"))


def _walk(value: Any, path: DataPath) -> Iterator[tuple[int, DataPath]]:
    """Every model object (entry) of the handover, by identity, with its data path."""
    if isinstance(value, BaseModel):
        yield id(value), path
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield from _walk(item, (*path, key))


class EntrySources:
    """The template function ``source_link(entry)``: the entry's file, line and address.

    Entries are found by identity (the objects the templates loop over), so any entry on
    any page, of any collection, nested or not, gets its link without a list to keep."""

    def __init__(self, loaded: LoadedHandover, links: SourceLinks) -> None:
        self.loaded = loaded
        self.links = links
        self._paths: dict[int, DataPath] | None = None
        absolute = loaded.project.manifest_files()
        self._files = dict(zip(loaded.files, absolute, strict=False))

    def path(self, entry: Any) -> DataPath | None:
        if self._paths is None:
            self._paths = dict(_walk(self.loaded.handover, ()))
        return self._paths.get(id(entry))

    def file_line(self, path: DataPath) -> tuple[Path, int] | None:
        """The manifest file and line of the value at ``path`` (only where it was written:
        a default filled in by the schema has no line, and gets no link)."""
        where = self.loaded.where.values.get(path)
        if where is None or where.line <= 0:
            return None
        file = self._files.get(where.file)
        return (file, where.line) if file is not None else None

    def __call__(self, entry: Any) -> SourceRef | None:
        path = self.path(entry)
        found = self.file_line(path) if path is not None else None
        if found is None:
            return None
        file, line = found
        url = self.links.line_url(file, line)
        rel = self.links.path_of(file)
        if url is None or rel is None:
            return None
        return SourceRef(url, rel, line)

    def page_edit_urls(self, folder: str, sources: Mapping[str, list[Path]]) -> dict[str, str]:
        """The edit button of each generated page: its one manifest file (a per-entry page,
        such as a datasheet, at the entry's line when the host shows lines). Pages made
        from several files, or from none (git history), get no button."""
        manifests = set(self._files.values())
        urls: dict[str, str] = {}
        for page, files in sources.items():
            own = {f for f in files if f in manifests}
            if len(own) == 1:
                url = self.links.edit_url(own.pop())
                if url is not None:
                    urls[page] = url
        for spec in PAGES:
            if not spec.each:
                continue
            for entry in entries(self.loaded.handover, spec.each):
                page = f"{folder}/{spec.path.format(id=getattr(entry, 'id', ''))}"
                ref = self(entry)
                if ref is not None and page in urls:
                    urls[page] = ref.url
        return urls
