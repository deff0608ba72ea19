"""Clean text for analysis: what is not the customer's words is blanked before any step reads it.

The step ``clean.noise.v1`` runs first. It replaces, in each Doc's text, every character of

- **redaction tokens**: ``XXXX``, ``XX/XX/XXXX`` (the CFPB's), ``[REDACTED]``, ``[NAME]``, ``***``, ``███``;
- **@handles** (``@united``, ``@Iberia``): who a tweet is addressed to, not what it says;
- **URLs**, **e-mail addresses** and HTML entities left escaped by exports (``&amp;``);
- the ``#`` of a hashtag (``#fail`` is read as the word ``fail``), and the braces of a redacted
  amount (``{$120.00}`` is read as ``$120.00``)

with a space. The text keeps its length, so every offset that steps store (sentences, product
mentions) still points into the interaction's text as written, which is what is stored and shown
(``analyses.analysed_text``); and the encoder does not see the blanks (SentencePiece collapses
whitespace: the vectors equal those of the text with the noise removed).

Whole sentences that carry no content (greetings, sign-offs, signatures, contact lines, bare
references, call answers) are marked by the sentences step (``Sentence.kind``,
:func:`voice.sentences.content.non_content`), not here.
"""

from __future__ import annotations

import re

from ..link.normalize import EMAIL_PATTERN
from ..pipeline.doc import Doc
from ..pipeline.registry import component

__all__ = ["NoiseCleaner", "mask_noise", "noise_spans"]

# Each rule: (kind, pattern); the match (or its group "mark" when present) is blanked.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(p)) for kind, p in (
    ("url", r"(?i)\b(?:https?://|www\.)[^\s<>\"']+"),
    ("email", EMAIL_PATTERN),
    ("handle", r"(?<![\w@.])@[A-Za-z0-9_]{1,30}(?![\w@])"),
    # CFPB-style: XX/XX/XXXX, XX/XX/2019, 03/XX/2019 (a redacted date), before the X runs
    ("redaction", r"\b(?=[\d/]*X)(?:X{2}|\d{1,2})/(?:X{2}|\d{1,2})/(?:X{2,4}|\d{2,4})\b"),
    # a run of 2+ capital X that is not part of a capitalised word ("TAXX", "XXL"), glued or not ("toXXXX")
    ("redaction", r"(?<![A-Z])X{2,}(?:[ \t\-/.]+X{2,})*(?![A-Z])|\bx{4,}\b"),
    ("redaction", r"(?i)[\[<{(](?:redacted|removed|name|address|phone|email|account(?:\s+number)?|number|date"
                  r"|dato\s+(?:eliminado|oculto)|nombre|direcci[oó]n|tel[eé]fono|correo|censurado|iban|card|id)[\]>})]"),
    ("redaction", r"\*{3,}|#{3,}|█+|▇+"),
    ("entity", r"&(?:amp|lt|gt|quot|apos|nbsp|#\d{2,5});"),  # HTML left escaped by exports ("&amp;" read "amp")
    ("hashtag", r"(?<![\w&#])(?P<mark>#)(?=[^\W\d_])"),
    ("amount", r"(?P<mark>\{)\$?[\d.,]+(?P<mark2>\})"),
))


def noise_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every character run to blank, in text order, not overlapping."""
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in RULES:
        for m in pattern.finditer(text):
            marks = [g for g in ("mark", "mark2") if g in pattern.groupindex and m.group(g) is not None]
            for a, b in ([m.span(g) for g in marks] if marks else [m.span()]):
                if b > a:
                    spans.append((a, b, kind))
    spans.sort()
    out: list[tuple[int, int, str]] = []
    for a, b, kind in spans:
        if out and a < out[-1][1]:  # overlapping: the earlier (wider, usually) wins
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b, out[-1][2])
            continue
        out.append((a, b, kind))
    return out


def mask_noise(text: str) -> str:
    """The text with its noise blanked (same length: each noise character becomes a space)."""
    if not text:
        return text
    spans = noise_spans(text)
    if not spans:
        return text
    chars = list(text)
    for a, b, _ in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


class NoiseCleaner:
    """Blanks the noise of each Doc's text (:func:`mask_noise`); the text as written is kept in
    ``doc.extra["text_as_written"]`` and is what the store keeps."""

    name = "clean.noise.v1"

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        for doc in docs:
            masked = mask_noise(doc.text)
            if masked != doc.text:
                doc.extra.setdefault("text_as_written", doc.text)
                doc.text = masked
        return docs


@component("clean.noise.v1")
def make_cleaner() -> NoiseCleaner:
    return NoiseCleaner()
