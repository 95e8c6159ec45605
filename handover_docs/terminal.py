"""Text that is safe to print on a terminal.

File names, manifest values and hosts' answers come from people we do not trust. A
name holding escape sequences could clear the screen and print a fake "VERIFIED", so
every piece of such text goes through :func:`printable` before it reaches a terminal.
"""

from __future__ import annotations

import re

# C0 and C1 control characters and DEL, except tab and newline; plus the Unicode
# bidirectional overrides and isolates, which can reorder what a reader sees.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``), never sent raw.

    Surrogates left by undecodable file names (``os.fsdecode``) become ``\\udcXX`` so that
    printing them cannot raise ``UnicodeEncodeError`` whatever the output encoding.
    """
    safe = _UNSAFE.sub(_escape, text)
    if not keep_newlines:
        safe = safe.replace("\n", "\\n")
    if any("\ud800" <= ch <= "\udfff" for ch in safe):
        safe = "".join(f"\\u{ord(ch):04x}" if "\ud800" <= ch <= "\udfff" else ch for ch in safe)
    return safe
