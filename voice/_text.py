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
    if not isinstance(value, str):
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
