"""Hybrid search: FTS5 BM25 and cosine over the interactions' vectors, fused by
reciprocal rank (Cormack et al. 2009: score = sum of 1 / (k + rank), k = 60),
with the same SQL filters on both sides."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._text import clip
from ..encode import Encoder, MemoryCache, load_encoder
from ..encode.cache import text_hash
from ..errors import ConfigError
from .filters import Filters, Many
from .index import index_for
from .query import (MARK_CLOSE, MARK_OPEN, fts_match, marked_html, match_terms, name_terms, query_language,
                    snippet, stop_words, terms)

if TYPE_CHECKING:
    from ..store import Store

MODES = ("text", "meaning", "hybrid")
RRF_K = 60                  # the "k" of reciprocal-rank fusion
MIN_SIMILARITY = 0.2        # below this cosine a meaning hit is noise (USE: unrelated texts sit at 0.0-0.2)
PROBE = 20_000              # a filter passing more interactions than this is checked on candidates instead
ANN_FILTER_MAX = 8_000      # the most candidates asked of the approximate index for a filtered search
ANN_NARROW_MAX = 100_000    # past it, a filter too few of those candidates pass is checked on an exact scan
SNIPPET_TOKENS = 16
SNIPPET_CHARS = 240


@dataclass
class Hit:
    interaction_id: str
    customer_id: str | None
    customer_name: str | None
    channel: str
    timestamp: str | None
    subject: str | None
    snippet: str                    # HTML: escaped text, matches in <mark>
    sentiment: str | None
    sentiment_score: float | None
    themes: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    score: float = 0.0              # fused reciprocal-rank score
    why: str = "text"               # text | meaning | both


_QUERY_CACHES: dict[str, MemoryCache] = {}


def _query_encoder(encoder: Encoder) -> MemoryCache:
    """Query vectors are kept in process (the last 1,000), never in the store."""
    cache = _QUERY_CACHES.get(encoder.name)
    if cache is None or cache.encoder is not encoder:
        cache = _QUERY_CACHES[encoder.name] = MemoryCache(encoder, size=1000)
    return cache


def _default_encoder() -> str:
    """USE in torch when torch is loaded already (the web app, a notebook that analysed), else the same
    model in numpy: a command-line search then does not pay torch's import (2 s) for one query."""
    import sys

    return "usem3" if "torch" in sys.modules else "usem3-numpy"


def search(store: Store, query: str, *, encoder: str | Encoder | None = None, channel: Many = None,
           sentiment: Many = None, since=None, until=None, customer: Many = None, theme: Many = None,
           product: Many = None, lang: Many = None, limit: int = 20, mode: str = "hybrid",
           min_similarity: float = MIN_SIMILARITY) -> list[Hit]:
    """Interactions matching ``query`` by its words (FTS5, BM25), its meaning
    (cosine to the USE vectors: a Spanish query finds English complaints), or
    both fused by reciprocal rank; best first, at most ``limit``. Filters narrow
    both sides in SQL: ``customer`` is an id or exact name, ``theme`` an id,
    name or label, ``since``/``until`` dates (inclusive). An empty query (or
    one of only punctuation) finds nothing."""
    if mode not in MODES:
        raise ConfigError(f"unknown search mode {mode!r}.", fix=f"use one of {', '.join(MODES)}.")
    if limit <= 0:
        return []
    query = re.sub(r"[\x00-\x1f\x7f]", " ", query or "").strip()  # a NUL ends an FTS string early
    match = fts_match(query)
    if match is None:
        return []
    filters = Filters(channel=channel, sentiment=sentiment, since=since, until=until, customer=customer,
                      theme=theme, product=product, lang=lang)
    where, params = filters.sql()
    depth = max(3 * limit, 50)
    text_ranked: list[int] = []
    qlang = None
    if mode != "meaning":
        qlang = _query_lang(store, query)
        text_ranked = _text_side(store, query, qlang, filters, where, params, depth)
    meaning_ranked: list[tuple[int, float]] = []
    query_vector = None
    enc = None
    if mode != "text":
        enc = load_encoder(encoder or _default_encoder())
        query_vector = _query_encoder(enc).encode([query])[0]
        meaning_ranked = _meaning_side(store, enc, query_vector, filters, where, params, depth, min_similarity)
    fused = _fuse([r for r in text_ranked], [r for r, _ in meaning_ranked])[:limit]
    if not fused:
        return []
    return _hits(store, fused, query, enc, query_vector, qlang)


def _text_side(store, query: str, lang: str | None, filters: Filters, where: str, params: list,
               depth: int) -> list[int]:
    """Rowids by BM25, all the query's words first, then (if few) any of them. Words match
    in the query's language only (by their stems), so a Spanish query finds English
    messages by meaning, never by a shared word; a query whose language cannot be told
    matches its exact words anywhere. The language is kept inside the word index (its ``lang``
    column): a message in another of the languages told apart is left out by FTS5 itself, while
    one read as "other" (a code, a link) or not analysed yet still matches. Measured: also matching
    messages the detector was unsure of (below 0.8) let short Spanish tweets in by English words
    and cost hybrid 0.04-0.06 nDCG@10 on the cross-language queries."""
    match = fts_match(query, lang=lang)
    if match is None:
        return []
    others = [x for x in QUERY_LANGUAGES if x != lang] if lang else []
    join = " left join analyses a on a.interaction_id = i.id" if filters.needs_analyses else ""

    def ranked_by(expression: str) -> list[int]:
        plain = ("select rowid from interactions_fts where interactions_fts match ? "
                 "order by bm25(interactions_fts) limit ?")
        if not filters:
            return _fts(store, plain, [expression, depth])
        # rank first, then keep what passes the filters: joining every match (30,000 for "flight
        # cancelled" at 1M, 200,000 for "credit*") cost 4-10x the ranking
        head = _fts(store, plain, [expression, FILTER_OVERSAMPLE * depth])
        kept = _passing(store, head, filters)
        if len(kept) >= depth or len(head) < FILTER_OVERSAMPLE * depth:
            return kept[:depth]
        return _fts(store, f"select f.rowid from interactions_fts f join interactions i on i.rowid = f.rowid{join} "
                           f"where interactions_fts match ? and {where} order by bm25(interactions_fts) limit ?",
                    [expression, *params, depth])

    ranked = ranked_by(in_words(match, not_in=others))
    any_match = fts_match(query, any_term=True, lang=lang)
    if len(ranked) < depth and any_match is not None and any_match != match:
        seen = set(ranked)
        ranked += [r for r in ranked_by(in_words(any_match, not_in=others)) if r not in seen][:depth - len(ranked)]
    names = name_terms(query) if lang else []
    if names and len(ranked) < depth:  # names and codes ("Equifax", "AirPure 500") match in every language
        seen = set(ranked)
        ranked += [r for r in ranked_by(in_words(fts_match(" ".join(f'"{t}"' for t in names)), within=others))
                   if r not in seen][:depth - len(ranked)]
    return ranked


def in_words(match: str, *, not_in: Sequence[str] = (), within: Sequence[str] = ()) -> str:
    """``match`` (from :func:`fts_match`) on the words of the subject and text only (never the language
    column), in messages not in the languages ``not_in`` or only in those ``within``."""
    langs = lambda codes: " OR ".join(f'"{c}"' for c in codes)  # noqa: E731
    out = "{subject text} : (" + match + ")"
    if not_in:
        out += f" NOT lang : ({langs(not_in)})"
    if within:
        out += f" AND lang : ({langs(within)})"
    return out


QUERY_LANGUAGES = ("es", "en")  # the languages a query's words are kept within
FILTER_OVERSAMPLE = 32     # best matches ranked per wanted one before keeping those that pass the filters
VOCABULARY_SAMPLE = 2000   # messages read per word to tell its language
VOCABULARY_ALONE = 0.02    # a word is a language's when the other language holds at most 2% of its uses


def _query_lang(store, query: str) -> str | None:
    """The query's language: by its function words, else by where its words occur in this store
    ("reembolso" is Spanish when Spanish messages hold it and English ones never do; "hotel", in both,
    tells nothing), else by the detector when it is sure (``query_language``). The counts are kept on the
    store while its data stays the same: a query's words are counted once."""
    stop = stop_words()
    words = [w.lower() for w in terms(query) if " " not in w and w.isalpha()]
    if any(w in stop for w in words):
        return query_language(query)
    kept = store.kept("query_vocabulary")  # for as long as the store's data stays the same
    if "held" not in kept:
        # which of the languages the store holds at all (a count per language took 300 ms at 1M)
        kept["held"] = [lang for lang in QUERY_LANGUAGES if store.db.execute(
            "select exists (select 1 from analyses where lang = ?)", [lang]).fetchone()[0]]
        kept["votes"] = {}
    held, votes_of = kept["held"], kept["votes"]
    votes = set()
    if len(held) == 2:
        for word in words:
            if word not in votes_of:
                votes_of[word] = _word_language(store, word, held)
            if votes_of[word]:
                votes.add(votes_of[word])
    if len(votes) == 1:
        return votes.pop()
    return query_language(query)


def _word_language(store, word: str, languages: list[str]) -> str | None:
    """The language whose messages hold ``word`` when the other's (nearly) never do."""
    counts = dict(store.db.execute(
        "select i.lang, count(*) from (select rowid from interactions_fts where interactions_fts match ? "
        "limit ?) f join interactions i on i.rowid = f.rowid where i.lang is not null group by i.lang",
        [in_words(fts_match(word)), VOCABULARY_SAMPLE]))
    (best, n1), (_, n2) = sorted(((lang, counts.get(lang, 0)) for lang in languages), key=lambda kv: -kv[1])
    return best if n1 >= 3 and n2 <= VOCABULARY_ALONE * n1 else None


def _passing(store, rowids: list[int], filters: Filters) -> list[int]:
    """``rowids`` (in order) whose interaction passes ``filters``, checked row by row."""
    if not rowids:
        return []
    where, params = filters.sql(per_row=True)
    join = " left join analyses a on a.interaction_id = i.id" if filters.needs_analyses else ""
    out: set[int] = set()
    for i in range(0, len(rowids), 900):
        chunk = rowids[i:i + 900]
        out |= {r[0] for r in store.db.execute(
            f"select i.rowid from interactions i{join} where i.rowid in ({','.join('?' * len(chunk))}) "
            f"and {where}", [*chunk, *params])}
    return [r for r in rowids if r in out]


def _fts(store, sql: str, params: list) -> list[int]:
    try:
        return [r[0] for r in store.db.execute(sql, params)]
    except sqlite3.OperationalError as exc:  # every term is quoted; this is a guard, not a path
        if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
            return []
        raise


def _meaning_side(store, encoder: Encoder, vector: np.ndarray, filters: Filters, where: str, params: list,
                  depth: int, min_similarity: float) -> list[tuple[int, float]]:
    """Rowids by cosine, at least ``min_similarity``. With filters, at scale (an approximate index):
    its best candidates are checked in SQL, more of them while the share that passes says enough
    would; a filter too narrow for that (a customer, a rare theme) is read whole from SQL and the
    matrix scored on its rows. Without the approximate index: a narrow filter (at most PROBE
    interactions pass) is read whole; a broad one is checked on the best rows of an exact scan, in
    growing chunks, until ``depth`` pass."""
    index = index_for(store, encoder)
    if not filters:
        return [(r, s) for r, s in index.top(vector, depth) if s >= min_similarity]
    join = " left join analyses a on a.interaction_id = i.id" if filters.needs_analyses else ""
    probe = PROBE
    if index.ann is not None:
        wanted, seen = 8 * depth, np.zeros(0, dtype=np.int64)
        found: list[tuple[int, float]] = []
        while wanted <= ANN_FILTER_MAX:
            rows = index.candidates(vector, wanted)  # matrix rows, several per wanted one
            new = rows[~np.isin(rows, seen)]
            found = _checked(store, index, vector, new, filters, min_similarity, found)
            seen = rows
            if len(found) >= depth:
                return found[:depth]
            if not len(new):  # the approximate index has no more to give: read the filter's rows
                break
            # as many as the share that passed says will give ``depth`` (with a margin), if not too many
            share = len(found) / len(seen)
            wanted = (max(2 * wanted, int(1.5 * depth / share * wanted / len(seen))) if share
                      else ANN_FILTER_MAX + 1)
        probe = ANN_NARROW_MAX  # few pass: the filter is read whole, up to this many rows
    passing = [r[0] for r in store.db.execute(f"select i.rowid from interactions i{join} where {where} limit ?",
                                              [*params, probe + 1])]
    if len(passing) <= probe:  # a narrow filter: only its rows are scored
        within = index.positions(passing)
        return [(r, s) for r, s in index.top(vector, depth, within=within) if s >= min_similarity]
    scores = index.scores(vector)
    out: list[tuple[int, float]] = []
    done, size = 0, 4 * depth + 1000
    while done < len(scores) and len(out) < depth:
        rows = index.best_first(scores, done, size)
        rows = rows[scores[rows] >= min_similarity]
        if not len(rows):
            break
        rowids = [int(r) for r in index.rowids[rows]]
        ok = set(_passing(store, rowids, filters))
        out += [(r, float(scores[p])) for r, p in zip(rowids, rows) if r in ok]
        done, size = size, size * 4
    return out[:depth]


def _checked(store, index, vector: np.ndarray, rows: np.ndarray, filters: Filters, min_similarity: float,
             found: list[tuple[int, float]] = ()) -> list[tuple[int, float]]:
    """``found`` and the (rowid, cosine) of the matrix ``rows`` that pass the filter, best first."""
    scores = index.matrix[rows] @ np.asarray(vector, dtype=np.float32).reshape(-1)
    keep = scores >= min_similarity
    rows, scores = rows[keep], scores[keep]
    rowids = [int(r) for r in index.rowids[rows]]
    ok = set(_passing(store, rowids, filters))
    out = [*found, *((r, float(s)) for r, s in zip(rowids, scores) if r in ok)]
    return sorted(out, key=lambda rs: -rs[1])


def _fuse(*rankings: list[int]) -> list[tuple[int, float, str]]:
    """(rowid, fused score, why) best first; ``why`` names the sides that found it."""
    names = ("text", "meaning")
    scores: dict[int, float] = {}
    found_by: dict[int, set[str]] = {}
    for name, ranking in zip(names, rankings):
        for rank, rowid in enumerate(ranking, start=1):
            scores[rowid] = scores.get(rowid, 0.0) + 1.0 / (RRF_K + rank)
            found_by.setdefault(rowid, set()).add(name)
    order = sorted(scores, key=lambda r: (-scores[r], r))
    return [(r, scores[r], "both" if len(found_by[r]) > 1 else next(iter(found_by[r]))) for r in order]


_DETAILS = """
select i.rowid, i.id, i.customer_id, c.name, i.channel, i.timestamp, i.subject, i.text, a.sentiment,
       a.sentiment_score, a.analysed_text,
       (select json_group_array(distinct ta.theme_id) from theme_assignments ta
         where ta.interaction_id = i.id and ta.theme_id is not null),
       (select json_group_array(distinct m.product_id) from mentions m where m.interaction_id = i.id)
from interactions i left join customers c on c.id = i.customer_id left join analyses a on a.interaction_id = i.id
where i.rowid in ({marks})"""


def _hits(store, fused: list[tuple[int, float, str]], query: str, encoder: Encoder | None,
          vector: np.ndarray | None, lang: str | None) -> list[Hit]:
    rowids = [r for r, _, _ in fused]
    rows = {r[0]: r for r in store.db.execute(_DETAILS.format(marks=",".join("?" * len(rowids))), rowids)}
    text_rows = [r for r, _, why in fused if why != "meaning"]
    snippets = _text_snippets(store, query, text_rows, rows, lang)
    meaning_only = {rows[r][1]: rows[r] for r, _, why in fused if why == "meaning" and r in rows}
    if meaning_only:
        snippets.update(_sentence_snippets(store, encoder, vector, meaning_only, rows))
    hits = []
    for rowid, score, why in fused:
        row = rows.get(rowid)
        if row is None:  # deleted since the index saw it
            continue
        hits.append(_hit(row, snippets.get(rowid) or _plain(row[7] or row[6] or ""), score, why))
    return hits


def _hit(row: tuple, snippet: str, score: float, why: str) -> Hit:
    """A Hit from a row of _DETAILS."""
    (_, iid, cid, cname, channel, ts, subject, _text, sentiment, sscore, _analysed, themes, products) = row
    return Hit(iid, cid, cname, channel, ts, subject, snippet, sentiment, sscore, sorted(json.loads(themes or "[]")),
               sorted(json.loads(products or "[]")), score, why)


def _text_snippets(store, query: str, rowids: list[int], rows: dict, lang: str | None) -> dict[int, str]:
    """The words that matched, in <mark>, in a window of the subject or text, cut in Python from the rows
    already read (FTS5's snippet() runs the match again: 17 ms a row at 1M with a stem's prefix)."""
    found = match_terms(query, any_term=True, lang=lang) or match_terms(query, lang=lang)  # only function words
    out: dict[int, str] = {}
    if not found:
        return out
    for rowid in rowids:
        row = rows.get(rowid)
        if row is None:
            continue
        subject, text = row[6] or "", row[7] or ""
        snip = snippet([subject, text], found, SNIPPET_TOKENS)
        if snip is None:
            continue
        # text that already holds a marker character could unbalance <mark>: show it unmarked
        raw = subject + text
        out[rowid] = marked_html(snip) if MARK_OPEN not in raw and MARK_CLOSE not in raw else _plain(snip)
    return out


_SENTENCE_END = re.compile(r"(?<=[.!?¡¿…])\s+|\n+")


def _sentence_snippets(store, encoder: Encoder, vector: np.ndarray, by_id: dict, rows: dict) -> dict[int, str]:
    """The sentence closest in meaning to the query, per interaction, in <mark>.
    Sentence vectors come from the analysis (the ``sentences`` table and the
    encoder's cached vectors); an interaction not analysed yet is split on
    sentence punctuation and its sentences encoded here (uncached)."""
    ids = list(by_id)
    sentences: dict[str, list[str]] = {}
    for iid, text in store.db.execute(
            f"select interaction_id, text from sentences where interaction_id in ({','.join('?' * len(ids))}) "
            f"order by interaction_id, idx", ids):
        if text and text.strip():
            sentences.setdefault(iid, []).append(text)
    hashes = list({text_hash(s) for ss in sentences.values() for s in ss})
    stored: dict[str, bytes] = {}
    for i in range(0, len(hashes), 900):
        chunk = hashes[i:i + 900]
        stored.update(store.db.execute(
            f"select text_hash, vector from embeddings where model = ? and text_hash in ({','.join('?' * len(chunk))})",
            [encoder.name, *chunk]).fetchall())
    out = {}
    to_encode: list[tuple[int, list[str]]] = []
    for iid, row in by_id.items():
        found = [(s, stored.get(text_hash(s))) for s in sentences.get(iid, [])]
        found = [(s, np.frombuffer(b, dtype=np.float32)) for s, b in found if b is not None]
        if found:
            best = max(found, key=lambda sv: float(sv[1] @ vector))[0]
            out[row[0]] = _marked_sentence(best)
        else:
            text = row[10] or row[7] or row[6] or ""
            pieces = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()][:30]
            if pieces:
                to_encode.append((row[0], pieces))
    if to_encode:
        flat = [p for _, ps in to_encode for p in ps]
        scores = encoder.encode(flat) @ vector
        start = 0
        for rowid, pieces in to_encode:
            part = scores[start:start + len(pieces)]
            out[rowid] = _marked_sentence(pieces[int(np.argmax(part))])
            start += len(pieces)
    return out


def _marked_sentence(sentence: str) -> str:
    return "<mark>" + _plain(sentence) + "</mark>"


def _plain(text: str) -> str:
    return marked_html(clip(text.replace(MARK_OPEN, "").replace(MARK_CLOSE, ""), SNIPPET_CHARS, whole_words=True))


def browse(store: Store, *, limit: int = 50, offset: int = 0, channel: Many = None, sentiment: Many = None,
           since=None, until=None, customer: Many = None, theme: Many = None, product: Many = None,
           lang: Many = None) -> tuple[list[Hit], int]:
    """The interactions passing the filters with no query, newest first: (one page of hits, how many
    match in all). What a support lead reads after narrowing by facets."""
    f = Filters(channel=channel, sentiment=sentiment, since=since, until=until, customer=customer, theme=theme,
                product=product, lang=lang)
    where, params = f.sql()
    base = f"from interactions i left join analyses a on a.interaction_id = i.id where {where}"
    total = store.db.execute(f"select count(*) {base}", params).fetchone()[0]
    rowids = [r[0] for r in store.db.execute(
        f"select i.rowid {base} order by i.timestamp desc, i.id limit ? offset ?", [*params, limit, offset])]
    if not rowids:
        return [], total
    rows = {r[0]: r for r in store.db.execute(_DETAILS.format(marks=",".join("?" * len(rowids))), rowids)}
    return [_hit(rows[r], _plain(rows[r][10] or rows[r][7] or rows[r][6] or ""), 0.0, "") for r in rowids], total
