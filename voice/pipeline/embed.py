"""One place where a batch of Docs gets its vectors, shared by every step that
needs them (sentiment, intent, keyphrases), so whichever runs first pays and the
rest reuse ``doc.embedding`` and ``sentence.embedding``."""

from __future__ import annotations

from typing import Any

from .doc import Doc


def _has_text(text: str | None) -> bool:
    return bool(text and text.strip())


def written(doc: Doc) -> str:
    """The doc's text as the customer wrote it (before ``clean.noise.v1`` blanked its noise): what the
    store keeps as ``analyses.analysed_text``, and the key of the doc's pooled vector in the cache."""
    return doc.extra.get("text_as_written", doc.text)


def _split(doc: Doc) -> tuple[list[Any], list[Any]]:
    """(units whose vectors make the doc's, the other sentences with text). The doc's vector is pooled
    from its content sentences; sentences that carry none (``Sentence.kind``: greetings, sign-offs,
    signatures…) are encoded on their own, unless the doc has nothing else. No sentences: the doc."""
    with_text = [s for s in doc.sentences if _has_text(s.text)]
    if not with_text:
        return ([doc] if _has_text(doc.text) else []), []
    content = [s for s in with_text if s.kind is None]
    if not content:
        return with_text, []
    return content, [s for s in with_text if s.kind is not None]


def embed(docs: list[Doc], encoder: Any, *, sentences: bool = True) -> list[Doc]:
    """Fill the missing vectors of ``docs`` (those with text) in one encoder call.

    An encoder that can pool (``encode_pooled``: USE) encodes each doc's content sentences once
    and pools the doc vector from the same pass (a doc without sentences is its own single piece,
    so its vector is exactly its text's); its other sentences are encoded apart. Other encoders
    encode the doc texts (and, with ``sentences``, the sentence texts) in one call."""
    todo = [d for d in docs if _has_text(d.text)
            and (d.embedding is None or (sentences and any(s.embedding is None for s in d.sentences)))]
    if not todo:
        return docs
    pooled = getattr(encoder, "encode_pooled", None)
    if pooled is not None:
        plans = [_split(d) for d in todo]
        pieces, vectors = pooled([[u.text for u in main] for main, _ in plans], [written(d) for d in todo])
        for d, (main, _), piece_vecs, vector in zip(todo, plans, pieces, vectors):
            if d.sentences:
                for s, v in zip(main, piece_vecs):
                    if s.embedding is None:
                        s.embedding = v
            if d.embedding is None:
                d.embedding = vector
        _encode_alone([s for _, rest in plans for s in rest if s.embedding is None], encoder)
        return docs
    targets = [t for d in todo for t in ([*d.sentences] if sentences else []) + [d]
               if t.embedding is None and _has_text(t.text)]
    for t, v in zip(targets, encoder.encode([t.text for t in targets])):
        t.embedding = v
    return docs


def _encode_alone(units: list[Any], encoder: Any) -> None:
    if units:
        for u, v in zip(units, encoder.encode([u.text for u in units])):
            u.embedding = v


def embed_tokens(docs: list[Doc], encoder: Any, *, content_only: bool = True) -> list[list[Any]]:
    """One encoder pass that also keeps token features, for steps that read tokens (sentiment).

    Each doc's units are its sentences (or the doc itself when it has none); returns, per doc,
    one ``(tokens, sum, length)`` per unit, or ``None`` for a unit with no text or (``content_only``)
    one that carries no content (it gets its vector, as a group of its own in the same pass, but is
    not pooled into the doc's). Missing vectors (sentences', and the doc's pooled one from its
    content sentences) are filled from the same pass, so the steps after it do not encode again.
    Needs an encoder with ``encode_groups`` (USE)."""
    plans = [_split(d) if content_only else ([u for u in ([*d.sentences] or [d]) if _has_text(u.text)], [])
             for d in docs]
    alone = [s for _, rest in plans for s in rest]
    # the docs' groups first (the pooled vectors are kept under the docs' texts), then one group per
    # sentence that carries no content
    enc = encoder.encode_groups([[u.text for u in main] for main, _ in plans] + [[s.text] for s in alone],
                                tokens=True, texts=[written(d) for d in docs])
    for s, vecs in zip(alone, enc.pieces[len(docs):]):
        if s.embedding is None:
            s.embedding = vecs[0]
    out, flat = [], 0
    for d, (main, _), vecs, toks, pooled in zip(docs, plans, enc.pieces, enc.tokens, enc.pooled):
        got = {}
        for k, u in enumerate(main):
            if u.embedding is None:
                u.embedding = vecs[k]
            got[id(u)] = (toks[k], enc.sums[flat], enc.lens[flat])
            flat += 1
        if d.embedding is None and main:
            d.embedding = pooled
        out.append([got.get(id(u)) for u in ([*d.sentences] or [d])])
    return out
