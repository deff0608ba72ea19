"""The user's words as a safe FTS5 query, and snippets as safe HTML.

Every term reaches FTS5 as a double-quoted string, so nothing the user types is
read as syntax: ``AND``/``OR``/``NOT``/``NEAR``, ``*``, ``(``, ``:`` and ``^``
are plain words or dropped. A ``"quoted phrase"`` stays a phrase. FTS5 runs its
own tokenizer (unicode61, remove_diacritics 2) over each string, so ``tardía``
matches ``tardia`` and ``e-mail`` the phrase ``e mail``.
"""

from __future__ import annotations

import html
import re

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w", re.UNICODE)

# Markers FTS5's snippet() puts around matches; the text is escaped, then they become <mark>.
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"


def terms(query: str) -> list[str]:
    """The query's phrases (quoted) and words, in order, without empty ones."""
    out: list[str] = []
    pos = 0
    for m in _PHRASE.finditer(query):
        out.extend(query[pos:m.start()].replace('"', " ").split())
        out.append(m.group(1).strip())
        pos = m.end()
    out.extend(query[pos:].replace('"', " ").split())  # an unbalanced quote is a space
    return [t for t in out if _WORD.search(t)]


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts_match(query: str, *, any_term: bool = False) -> str | None:
    """An FTS5 MATCH expression for ``query``: all terms (or, ``any_term``, any),
    each quoted; None when nothing searchable is left."""
    found = terms(query)
    if not found:
        return None
    return (" OR " if any_term else " ").join(_quote(t) for t in found)


def marked_html(text: str) -> str:
    """Text carrying MARK_OPEN/MARK_CLOSE as HTML: everything escaped, then the
    markers turned into <mark>…</mark>, so customer text never becomes markup."""
    escaped = html.escape(text, quote=True)
    return escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def strip_markers(text: str) -> str:
    """Customer text with any stray marker characters taken out, before it is marked."""
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
