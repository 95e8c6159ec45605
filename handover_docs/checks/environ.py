"""The environment checks run in: an allow-list, so check code never sees secrets.

A pull request can change a check's ``run:`` or add ``plugins/*.py``; CI then runs that
code. So check commands get only the variables a build needs to behave the same
everywhere (PATH, HOME, locale, time zone, temp folder, SOURCE_DATE_EPOCH, Python's
own settings...) plus the names a command check declares in ``env:``, never the
signing variables. Check plugins are Python run inside ``handover check`` itself: on
POSIX, when the environment holds anything else, ``handover check`` starts itself
again (``execve``) with only the allowed variables, so neither ``os.environ`` nor
``/proc/self/environ`` of the process that imports plugins holds a secret.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping

from handover_docs.schema import SIGNING_ENV_PREFIX

SAFE_NAMES = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TERM",
        "COLORTERM",
        "NO_COLOR",
        "FORCE_COLOR",
        "COLUMNS",
        "LINES",
        "TMPDIR",
        "TMP",
        "TEMP",
        "SOURCE_DATE_EPOCH",
        "PYTHONHASHSEED",
        "PYTHONPATH",
        "PYTHONUTF8",
        "PYTHONIOENCODING",
        "PYTHONDONTWRITEBYTECODE",
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        "CI",
        "NO_MKDOCS_2_WARNING",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "CUDA_VISIBLE_DEVICES",
        "XDG_CACHE_HOME",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_RUNTIME_DIR",
        # where TLS finds its certificate authorities (artifact checks fetch over https)
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        # Windows needs these to start any process
        "SYSTEMROOT",
        "SYSTEMDRIVE",
        "WINDIR",
        "COMSPEC",
        "PATHEXT",
        "USERPROFILE",
        "APPDATA",
        "LOCALAPPDATA",
    }
)
"""Variables every check may see: none of them is meant to hold a secret."""
SAFE_PREFIXES = ("LC_",)
"""Locale categories (LC_ALL, LC_CTYPE...)."""
REEXEC_MARK = "HANDOVER_CHECK_ENV_SCRUBBED"
"""Set in the restarted ``handover check`` so it never restarts twice."""


def is_signing(name: str) -> bool:
    return name.upper().startswith(SIGNING_ENV_PREFIX)


def allowed(name: str, declared: Iterable[str] = ()) -> bool:
    """May a check see the variable ``name``? Signing variables never, whatever is declared."""
    if is_signing(name):
        return False
    upper = name.upper() if os.name == "nt" else name
    if upper in SAFE_NAMES or upper.startswith(SAFE_PREFIXES):
        return True
    return name in set(declared)


def filtered(environ: Mapping[str, str], declared: Iterable[str] = ()) -> dict[str, str]:
    """The part of ``environ`` a check may see."""
    names = set(declared)
    return {k: v for k, v in environ.items() if allowed(k, names)}


def withheld(environ: Mapping[str, str], declared: Iterable[str] = ()) -> list[str]:
    """Names in ``environ`` a check would not see (sorted; values never shown)."""
    names = set(declared)
    return sorted(k for k in environ if k != REEXEC_MARK and not allowed(k, names))


def restart_without_secrets(declared: Iterable[str]) -> None:
    """Start this ``handover check`` again with only the allowed variables (POSIX).

    Does nothing when nothing would be withheld, when already restarted, or where
    ``execve`` does not replace the process (Windows): there the command checks still
    get the filtered environment, and plugins are documented to see the full one.
    """
    names = sorted(set(declared))
    if os.name != "posix" or os.environ.get(REEXEC_MARK) or not withheld(os.environ, names):
        return
    env = filtered(os.environ, names)
    env[REEXEC_MARK] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    argv = [sys.executable, "-m", "handover_docs", *sys.argv[1:]]
    os.execve(sys.executable, argv, env)
