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
    each quoted; None when nothing searchable is left. With ``any_term`` the
    function words of Spanish and English ("me", "mi", "la", "no", "the") are left out
    (phrases are kept): alone they match nearly every message, and in another language —
    "cargo no autorizado en mi tarjeta" found English complaints by their "no"."""
    found = terms(query)
    if any_term:
        stop = stop_words()
        found = [t for t in found if " " in t or t.lower() not in stop]
    if not found:
        return None
    return (" OR " if any_term else " ").join(_quote(t) for t in found)


def stop_words() -> frozenset[str]:
    """Spanish and English function words: articles, prepositions, pronouns, conjunctions, auxiliaries
    and "no"/"not" — not spaCy's longer lists, which hold words a complaint turns on ("tarde", "bien")."""
    return _STOP


_STOP = frozenset("""
    a al algo algun alguna alguno ante aquel aquella aquello aqui asi aun cada como con contra cual cuando de
    del desde donde durante e el ella ellas ellos en entre era eran es esa ese eso esta estaba estan estas este
    esto estos fue fueron ha han hasta hay la las le les lo los me mi mis muy nos nosotros o os para pero por
    porque que quien se sea ser si sin sobre son su sus tambien te ti tu tus u un una unas uno unos ya yo no
    about after all also an and any are as at be been being but by can could did do does for from had has
    have he her here him his how i if in into is it its me more my no not of on or our out she so than that
    the their them then there these they this those to too up us was we were what when where which who why
    will with would you your
""".split())


def marked_html(text: str) -> str:
    """Text carrying MARK_OPEN/MARK_CLOSE as HTML: everything escaped, then the
    markers turned into <mark>…</mark>, so customer text never becomes markup."""
    escaped = html.escape(text, quote=True)
    return escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def strip_markers(text: str) -> str:
    """Customer text with any stray marker characters taken out, before it is marked."""
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
