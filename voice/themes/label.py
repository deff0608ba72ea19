"""Theme labels: class-based TF-IDF (each theme's sentences as one document)
over lower-case words and word pairs, stop words of es and en removed. The
label shows the top words of each language that makes up a fifth or more of
the theme, so a bilingual theme reads "entrega / express / delivery"."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._text import name_words


def _stop_words() -> list[str]:
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.es.stop_words import STOP_WORDS as ES

    extra = {"hola", "gracias", "thanks", "thank", "hello", "hi", "dear", "saludo", "saludos", "please", "favor",
             "xxxx", "xx", "pues", "vale", "okay", "ok", "sí", "si", "no", "just", "want", "quiero", "hace", "he"}
    return sorted(ES | EN | extra)


def people_names(store) -> set[str]:
    """Words of customers' names and call speakers' names ("laura", "tom", "morales"): they
    fill call turns ("Gracias, Laura") and would label a theme with a person."""
    # as the vectorizer splits words; "Cliente" is a role, not a name
    return {w for name in store.people_names() for w in name_words(name)}


def label_themes(texts: Sequence[str], langs: Sequence[str], groups: Sequence[object], *, top: int = 10,
                 exclude: Sequence[str] = ()) -> dict[object, list[tuple[str, float, str]]]:
    """For each group: its top ``(term, weight, lang)`` by c-TF-IDF; ``exclude``:
    more words never to use (people's names)."""
    from sklearn.feature_extraction.text import CountVectorizer

    order = list(dict.fromkeys(groups))
    if not order:
        return {}
    vec = CountVectorizer(lowercase=True, stop_words=sorted(set(_stop_words()) | set(exclude)), ngram_range=(1, 2),
                          min_df=1,
                          token_pattern=r"(?u)\b[^\W\d_]{3,}\b")
    try:
        X = vec.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return {g: [] for g in order}
    terms = vec.get_feature_names_out()
    index = {g: i for i, g in enumerate(order)}
    rows = np.array([index[g] for g in groups])
    counts = np.zeros((len(order), X.shape[1]))
    lang_counts: dict[str, np.ndarray] = {}
    for lang in set(langs):
        mask = np.array([lg == lang for lg in langs])
        lang_counts[lang] = np.asarray(X[mask].sum(axis=0)).ravel()
    for g, i in index.items():
        counts[i] = np.asarray(X[rows == i].sum(axis=0)).ravel()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    avg = counts.sum() / len(order)
    idf = np.log(1 + avg / np.maximum(counts.sum(axis=0), 1))
    weights = tf * idf
    lang_of = [max(lang_counts, key=lambda lg: lang_counts[lg][j]) for j in range(len(terms))]
    out = {}
    for g, i in index.items():
        best = np.argsort(-weights[i], kind="stable")[:top * 3]
        picked: list[tuple[str, float, str]] = []
        for j in best:
            if weights[i, j] <= 0:
                break
            term = str(terms[j])
            if any(term in p[0].split() or p[0] in term.split() or _plain(term) == _plain(p[0]) for p in picked):
                continue  # "envío" beside "envío express", "payments" beside "payment": keep the first
            picked.append((term, round(float(weights[i, j]), 4), lang_of[j]))
            if len(picked) == top:
                break
        out[g] = picked
    return out


def _plain(term: str) -> tuple[str, ...]:
    """The term's words without a final plural "s" ("payments" and "payment", "pedidos" and "pedido")."""
    return tuple(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in term.split())


def make_label(keyphrases: Sequence[tuple[str, float, str]], langs: Sequence[str], *, words: int = 4) -> str:
    """"term / term / term": the top terms, with the top ones of every language
    that holds at least a fifth of the theme's sentences."""
    if not keyphrases:
        return "(no keywords)"
    shares = {lg: langs.count(lg) / len(langs) for lg in set(langs)} if langs else {}
    wanted = [lg for lg, share in sorted(shares.items(), key=lambda kv: -kv[1]) if share >= 0.2 and lg != "other"]
    chosen: list[str] = []
    for lg in wanted:  # the top one or two of each language first
        for term, _, term_lang in [k for k in keyphrases if k[2] == lg][:max(1, words // max(len(wanted), 1))]:
            chosen.append(term)
    for term, _, _ in keyphrases:
        if len(chosen) >= words:
            break
        if term not in chosen:
            chosen.append(term)
    ranked = [k[0] for k in keyphrases]
    return " / ".join(sorted(chosen[:words], key=ranked.index))
