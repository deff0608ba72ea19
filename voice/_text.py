"""Small text helpers shared by the readers of the analysis (timeline, loops, report, search)."""

from __future__ import annotations

import re


def clip(text: str | None, limit: int, *, whole_words: bool = False) -> str:
    """``text`` on one line (runs of whitespace made one space), cut to ``limit``
    characters with "…" when longer; ``whole_words`` cuts at the last space."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    cut = cut.rsplit(" ", 1)[0] if whole_words else cut.rstrip()
    return cut + "…"


_NAME_WORD = re.compile(r"[^\W\d_]{3,}")
#: words of speaker labels that name a role or a channel, not a person ("Cliente", "Agent 2", "SPEAKER_00")
NOT_NAME_WORDS = frozenset("""
    agente agent operador operadora operator asesor asesora advisor adviser rep representative representante
    soporte support teleoperador teleoperadora supervisor supervisora tecnico tecnica technician especialista
    specialist ivr bot cliente clienta customer client caller llamante usuario usuaria user abonado abonada
    consumidor consumidora consumer spk spkr speaker hablante locutor interlocutor participante participant
    persona voz voice canal channel desconocido unknown
""".split())


def name_words(name: str) -> list[str]:
    """The lower-case words (3+ letters) of a person's name or speaker label, role words left out:
    "Laura Gómez" -> ["laura", "gómez"], "Cliente" -> [], "Agente Laura" -> ["laura"]."""
    return [w for w in _NAME_WORD.findall(name.lower()) if w not in NOT_NAME_WORDS]


def storable(value):
    """A str SQLite and UTF-8 can hold, for any str (others pass through). A file name that is not valid
    UTF-8 reaches Python with its odd bytes as lone surrogates ("bad\\udcff.eml"), which SQLite refuses:
    such a byte is written as ``\\xff`` ("bad\\xff.eml"), so the name stays readable and says which bytes
    it holds."""
    if not isinstance(value, str) or value.isascii():  # the common case, checked in C
        return value
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        try:
            raw = value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = value.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")


def storable_rows(rows):
    """Each row (a tuple) with its str values made :func:`storable`."""
    return [tuple(storable(v) for v in row) for row in rows]


# Terminal escapes (CSI "ESC [ … letter", OSC "ESC ] … BEL/ST" that sets the window title, other "ESC x"),
# other C0 and C1 controls, and the bidirectional overrides that reorder what a terminal shows.
_TERMINAL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?"
                       r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def terminal_safe(text: str) -> str:
    """``text`` without what would act on a terminal instead of being shown: escape sequences (a file
    name that changes the window title), carriage returns (that overwrite a line) and other controls.
    Newlines and tabs stay: the CLI's own layout uses them."""
    return _TERMINAL.sub("", text)


def one_line(text: str | None) -> str:
    """A value from the input (a file name, a customer's words) shown inside one line of output: line
    breaks become "⏎", so it cannot start a fake line of its own; controls go as in :func:`terminal_safe`."""
    return terminal_safe(_LINE_BREAK.sub("⏎", text or ""))
