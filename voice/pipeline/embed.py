"""One place where a batch of Docs gets its vectors, shared by every step that
needs them (sentiment, intent, keyphrases), so whichever runs first pays and the
rest reuse ``doc.embedding`` and ``sentence.embedding``."""

from __future__ import annotations

from typing import Any

from .doc import Doc


def _has_text(text: str | None) -> bool:
    return bool(text and text.strip())


def embed(docs: list[Doc], encoder: Any, *, sentences: bool = True) -> list[Doc]:
    """Fill the missing vectors of ``docs`` (those with text) in one encoder call.

    An encoder that can pool (``encode_pooled``: USE) encodes each doc's
    sentences once and pools the doc vector from the same pass; a doc without
    sentences is its own single piece, so its vector is exactly its text's.
    Other encoders encode the doc texts (and, with ``sentences``, the sentence
    texts) in one call."""
    todo = [d for d in docs if _has_text(d.text)
            and (d.embedding is None or (sentences and any(s.embedding is None for s in d.sentences)))]
    if not todo:
        return docs
    pooled = getattr(encoder, "encode_pooled", None)
    if pooled is not None:
        groups = [[s.text for s in d.sentences] or [d.text] for d in todo]
        pieces, vectors = pooled(groups, [d.text for d in todo])
        for d, piece_vecs, vector in zip(todo, pieces, vectors):
            if d.sentences:
                for s, v in zip(d.sentences, piece_vecs):
                    if s.embedding is None:
                        s.embedding = v
            if d.embedding is None:
                d.embedding = vector
        return docs
    targets = [t for d in todo for t in ([*d.sentences] if sentences else []) + [d]
               if t.embedding is None and _has_text(t.text)]
    for t, v in zip(targets, encoder.encode([t.text for t in targets])):
        t.embedding = v
    return docs


def embed_tokens(docs: list[Doc], encoder: Any) -> list[list[Any]]:
    """One encoder pass that also keeps token features, for steps that read tokens (sentiment).

    Each doc's units are its sentences (or the doc itself when it has none); returns, per doc,
    one ``(tokens, sum, length)`` per unit, or ``None`` for a unit with no text. Missing vectors
    (sentences', and the doc's pooled one) are filled from the same pass, so the steps after it
    do not encode again. Needs an encoder with ``encode_groups`` (USE)."""
    units = [[*d.sentences] or [d] for d in docs]
    groups = [[u.text for u in us if _has_text(u.text)] for us in units]
    enc = encoder.encode_groups(groups, tokens=True, texts=[d.text for d in docs])
    out, flat = [], 0
    for d, us, vecs, toks, pooled in zip(docs, units, enc.pieces, enc.tokens, enc.pooled):
        row, k = [], 0
        for u in us:
            if not _has_text(u.text):
                row.append(None)
                continue
            if u.embedding is None:
                u.embedding = vecs[k]
            row.append((toks[k], enc.sums[flat], enc.lens[flat]))
            k += 1
            flat += 1
        if d.embedding is None and toks:
            d.embedding = pooled
        out.append(row)
    return out
