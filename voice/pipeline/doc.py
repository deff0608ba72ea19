"""What flows through an analysis pipeline: one :class:`Doc` per interaction.

A Doc holds the customer's own words (``text``: an inbound email's body, the
customer turns of a call joined by blank lines, a survey comment) and, as the
steps run, what they find. Offsets (sentences, mentions) are character offsets
into ``text``. Components fill their own fields and leave the rest alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

Polarity = str  # "negative" | "neutral" | "positive"
LABELS: tuple[str, ...] = ("negative", "neutral", "positive")


@dataclass
class Sentence:
    idx: int
    start: int
    end: int
    text: str
    turn_idx: int | None = None  # the call turn it comes from
    lang: str | None = None
    sentiment: Polarity | None = None
    sentiment_score: float | None = None  # -1 .. 1
    embedding: np.ndarray | None = None
    intents: list[tuple[str, float]] = field(default_factory=list)  # over the threshold, best first
    # why it carries no content ("greeting", "signoff", "signature", "contact", "reference", "answer",
    # "empty"), or None: such sentences get no sentiment, intent or theme and feed no keyphrase
    kind: str | None = None


@dataclass
class Mention:
    product_id: str
    start: int
    end: int
    surface: str
    method: str  # exact | alias | lemma | fuzzy
    score: float  # match quality, 0..1
    sentence_idx: int | None = None
    polarity: Polarity | None = None
    polarity_score: float | None = None


@dataclass
class Doc:
    interaction_id: str
    channel: str
    text: str
    # (turn_idx, start, end) of each customer turn inside ``text``; empty for emails and surveys
    turns: list[tuple[int, int, int]] = field(default_factory=list)
    lang: str | None = None
    lang_confidence: float | None = None
    sentences: list[Sentence] = field(default_factory=list)
    embedding: np.ndarray | None = None  # of the whole text
    sentiment: Polarity | None = None
    sentiment_score: float | None = None
    intents: list[tuple[str, float]] = field(default_factory=list)  # (intent, confidence), best first
    # the best three intents with their confidence whether or not they passed: what an analyst checks when
    # the answer is "other" or looks wrong (the runner-up is often right on large taxonomies)
    intent_candidates: list[tuple[str, float]] = field(default_factory=list)
    keyphrases: list[tuple[str, str, float]] = field(default_factory=list)  # (lemma phrase, surface, score)
    mentions: list[Mention] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def sentence_at(self, offset: int) -> Sentence | None:
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return None
