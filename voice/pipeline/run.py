"""Running a pipeline over the store: incremental, batched, streaming.

Interactions with no analysis yet (or every one, with ``all=True``) are read in
batches, turned into :class:`Doc` objects holding the customer's own words, run
through the pipeline, and written back in one transaction per batch with the
analysis run that produced them (pipeline, components, models). Outbound emails
(an agent writing) and empty texts get an analysis row with no results, so they
are not picked up again.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._clock import utc_now
from .._text import name_words
from ..errors import ConfigError
from ..learn import reapply
from ..store import Store
from .doc import Doc
from .embed import written
from .pipeline import Pipeline

Progress = Callable[[int, int], None]  # (done, total)

_SOFT_BREAK = re.compile(r"(?<=\S)[ \t]*\n(?![ \t]*\n|[ \t]*(?:[-*•>]|\d+[.)])\s)(?=[ \t]*\S)")


@dataclass
class AnalyzeReport:
    run_id: int
    analysed: int = 0
    skipped: int = 0  # outbound or empty: nothing of the customer's to analyse
    seconds: float = 0.0
    step_seconds: dict[str, float] | None = None
    workers: int = 1  # processes (or Ray actors) that ran the pipeline; 1: this process
    engine: str = "local"
    precision: str | None = None  # the encoder's (bf16, fp32), where it says; workers resolve "auto" alike

    @property
    def where(self) -> str:
        """Where it ran, in words: "this process", "2 worker processes", "4 Ray actors"."""
        if self.engine == "ray":
            return f"{self.workers} Ray actor{'s' * (self.workers != 1)}"
        return "this process" if self.workers == 1 else f"{self.workers} worker processes"

    @property
    def rate(self) -> float:
        return (self.analysed + self.skipped) / self.seconds if self.seconds else 0.0


def unwrap(text: str) -> str:
    """Join the hard-wrapped lines of a paragraph (email bodies wrap at ~72
    characters) with spaces, keeping paragraph breaks and list items. Same length
    as the input, so offsets carry over to the stored text."""
    return _SOFT_BREAK.sub(lambda m: " " * len(m.group(0)), text)


#: The most characters of one interaction the analysis reads (~60 pages; a 100,000-character complaint is
#: read whole). A 10 MB HTML body or a pasted log would otherwise hold every step (spaCy refuses texts over
#: 1M characters); the stored text stays whole.
MAX_ANALYSED_CHARS = 200_000


def _capped(doc: Doc) -> Doc:
    if len(doc.text) > MAX_ANALYSED_CHARS:
        cut = doc.text.rfind(" ", MAX_ANALYSED_CHARS - 200, MAX_ANALYSED_CHARS)
        doc.extra["truncated_from"] = len(doc.text)
        doc.text = doc.text[:cut if cut > 0 else MAX_ANALYSED_CHARS]
        doc.turns = [(i, a, min(b, len(doc.text))) for i, a, b in doc.turns if a < len(doc.text)]
    return doc


def to_doc(row: dict[str, Any], turns: list[tuple[int, str, str]]) -> Doc:
    """The Doc of one interaction: the customer turns of a call (with their
    offsets), else the interaction's text; nothing for an agent's outbound email.
    Cut to :data:`MAX_ANALYSED_CHARS` (``extra["truncated_from"]`` keeps the length)."""
    return _capped(_to_doc(row, turns))


def _to_doc(row: dict[str, Any], turns: list[tuple[int, str, str]]) -> Doc:
    if row["direction"] == "outbound":
        return Doc(row["id"], row["channel"], "")
    if row["channel"] == "call" and turns:
        parts, spans, cursor = [], [], 0
        for idx, role, text in turns:
            if role != "customer" or not (text or "").strip():
                continue
            if parts:
                parts.append("\n\n")
                cursor += 2
            spans.append((idx, cursor, cursor + len(text)))
            parts.append(text)
            cursor += len(text)
        return Doc(row["id"], "call", "".join(parts), turns=spans)
    return Doc(row["id"], row["channel"], unwrap(row["text"] or ""))


def given_names(store: Store) -> frozenset[str]:
    """The first word of every customer's and call speaker's name, lower-case ("ana", "thomas"): a
    capitalised one in a text is a person, whoever's interaction it is (``Doc.extra["people"]``)."""
    return frozenset(w for name in store.people_names() for w in name_words(name)[:1])


def people_words(store: Store, ids: list[str]) -> dict[str, frozenset[str]]:
    """Per interaction: every word of its customer's name and of its call's speakers' names."""
    out: dict[str, set[str]] = {}
    marks = ",".join("?" * len(ids))
    for iid, name in store.db.execute(
            f"select x.id, c.name from interactions x join customers c on c.id = x.customer_id "
            f"where x.id in ({marks}) and c.name is not null union all "
            f"select interaction_id, speaker from turns where interaction_id in ({marks}) and speaker is not null",
            [*ids, *ids]):
        out.setdefault(iid, set()).update(name_words(name))
    return {k: frozenset(v) for k, v in out.items()}


ENGINES = ("local", "ray")


def analyze(store: Store, pipeline: Pipeline, *, all: bool = False, batch_size: int | None = None,  # noqa: A002
            progress: Progress | None = None, limit: int | None = None, workers: int = 1,
            engine: str = "local", ray_address: str | None = None) -> AnalyzeReport:
    """Analyse interactions not analysed yet (``all``: every one again). ``workers`` > 1: in that many
    processes (voice.pipeline.parallel), when the texts to analyse hold more than MIN_PARALLEL_CHARS.
    ``engine="ray"``: in ``workers`` Ray actors over Ray Data (voice.pipeline.ray_engine), on a local Ray
    instance or the cluster at ``ray_address``; results written here, the same rows."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}.", fix=f"use one of {', '.join(ENGINES)}.")
    # workers load the encoder by name and open the database file themselves
    elsewhere = store.path not in (None, ":memory:") and pipeline.encoder_spec is not None
    if engine == "ray" and not elsewhere:
        raise ConfigError("the Ray engine needs a database file and an encoder it can load by name.",
                          fix="open a database on disk and pass the encoder by name (usem3, minilm, a folder).")
    start = time.perf_counter()
    db = store.db
    with db.atomic():
        # a run still marked running was killed (its committed batches stay): say so
        db.execute("update analysis_runs set status = 'interrupted' where status = 'running'")
        cur = db.execute("insert into analysis_runs (pipeline, components, started_at, status) values (?, ?, ?, 'running')",
                         [pipeline.label, json.dumps(pipeline.components(), ensure_ascii=False), utc_now()])
    run_id = int(cur.lastrowid)
    report = AnalyzeReport(run_id=run_id, step_seconds={}, precision=pipeline.encoder_precision)
    pending_sql = ("from interactions x where not exists (select 1 from analyses a where a.interaction_id = x.id"
                   + (" and a.run_id = ?)" if all else ")"))
    params = [run_id] if all else []
    batch_size = batch_size or BATCH_SIZE
    # the pending ids (and lengths) are read once: asking for the next batch of pending ones after each write
    # scanned every interaction analysed so far again (212 ms a batch at 100,000; a third of a 100k-tweet run)
    pending = _pending(store, pending_sql, params, limit)
    total = len(pending)
    if pending and (engine == "ray" or (workers > 1 and elsewhere
                                        and sum(n for _, n in pending) > MIN_PARALLEL_CHARS)):
        # (an encoder object handed in cannot be loaded again by the workers); at least ~8 batches per
        # worker, so that none waits long for the last one
        chunks = _chunks(pending, min(batch_size, max(64, total // (8 * workers))))
        _analyze_parallel(store, pipeline, run_id, report, chunks, total, workers, progress, engine=engine,
                          ray_address=ray_address)
    elif pending:
        given = given_names(store)
        done = 0
        for chunk in _chunks(pending, batch_size):
            docs = batch_docs(store, chunk)  # an interaction erased meanwhile is left out
            for d in docs:
                d.extra["people"] = given | d.extra["people"]
            live = [d for d in docs if d.text.strip()]
            if live:
                pipeline(live)
            _write(store, docs, run_id, pipeline.label)
            report.analysed += len(live)
            report.skipped += len(docs) - len(live)
            done += len(chunk)
            if progress:
                progress(done, total)
    report.seconds = time.perf_counter() - start
    report.step_seconds = {**dict(pipeline.timings), **(report.step_seconds or {})}
    with db.atomic():
        db.execute("update analysis_runs set finished_at = ?, status = 'done', analysed = ? where id = ?",
                   [utc_now(), report.analysed, run_id])
    return report


#: Characters of text to analyse above which the workers start (each loads the models: ~4 s). On 2 cores
#: the one process was faster up to about 5,000 short messages (~1M characters: 2,500 tweets 10 s in one,
#: 11 s in two workers; 5,000: 18 s against 17) and no slower than the workers on 1,532 complaint emails
#: (1.7M characters: 79.4 against 84.2/s).
MIN_PARALLEL_CHARS = 1_000_000


def _docs(store: Store, rows: list[dict]) -> list[Doc]:
    turns: dict[str, list[tuple[int, str, str]]] = {}
    call_ids = [r["id"] for r in rows if r["channel"] == "call"]
    if call_ids:
        for iid, idx, role, text in store.db.execute(
                f"select interaction_id, idx, role, text from turns where interaction_id in "
                f"({','.join('?' * len(call_ids))}) order by interaction_id, idx", call_ids):
            turns.setdefault(iid, []).append((idx, role, text))
    return [to_doc(r, turns.get(r["id"], [])) for r in rows]


def batch_docs(store: Store, ids: list[str]) -> list[Doc]:
    """The Docs of these interactions, in this order, each with the words of its own people's names
    (``extra["people"]``; the names every text shares are handed to the workers once)."""
    rows = {r["id"]: dict(r) for r in store.db.query(
        f"select x.id, x.channel, x.direction, x.text from interactions x where x.id in "
        f"({','.join('?' * len(ids))})", ids)}
    docs = _docs(store, [rows[i] for i in ids if i in rows])
    own = people_words(store, [d.interaction_id for d in docs])
    for d in docs:
        d.extra["people"] = own.get(d.interaction_id, frozenset())
    return docs


#: Interactions per batch, at most: every step runs once per batch, and larger batches paid (6,000 short
#: texts in one process: 222-239/s at 64, 308-311/s at 256; benchmarks/RESULTS.md).
BATCH_SIZE = 512
#: Characters per batch, at most: the sentiment step holds every token's features of a batch (256 complaint
#: emails of ~1,100 characters: 1.4 GB at the peak against 0.9 GB for 64), so long texts go in fewer.
BATCH_CHARS = 100_000


def _pending(store: Store, pending_sql: str, params: list, limit: int | None = None) -> list[tuple[str, int]]:
    """(id, characters) of the (at most ``limit``) interactions to analyse, oldest first."""
    return [(iid, min(length or 0, MAX_ANALYSED_CHARS)) for iid, length in store.db.execute(
        f"select x.id, length(x.text) {pending_sql} order by x.timestamp, x.id limit ?",
        [*params, -1 if limit is None else limit])]


def _chunks(pending: list[tuple[str, int]], batch_size: int, batch_chars: int | None = None) -> list[list[str]]:
    """The ids in batches of at most ``batch_size`` interactions and ``batch_chars`` characters (one
    longer interaction is a batch alone)."""
    batch_chars = BATCH_CHARS if batch_chars is None else batch_chars
    chunks: list[list[str]] = []
    chunk: list[str] = []
    size = 0
    for iid, length in pending:
        if chunk and (len(chunk) >= batch_size or size + length > batch_chars):
            chunks.append(chunk)
            chunk, size = [], 0
        chunk.append(iid)
        size += length
    if chunk:
        chunks.append(chunk)
    return chunks


def _analyze_parallel(store: Store, pipeline: Pipeline, run_id: int, report: AnalyzeReport, chunks: list[list[str]],
                      total: int, workers: int, progress: Progress | None, engine: str = "local",
                      ray_address: str | None = None) -> None:
    """Batches of Docs (``chunks`` of ids, read before the writer changes what is pending) go to the workers
    (processes, or Ray actors that read their batch by ids) and come back to be written here."""

    def write(docs: list[Doc], vectors: list[tuple]) -> None:
        if vectors:
            with store.db.atomic():
                store.db.conn.executemany(
                    "insert or ignore into embeddings (text_hash, model, dim, vector) values (?, ?, ?, ?)", vectors)
        _write(store, docs, run_id, pipeline.label)

    done = 0

    def on_done(docs: list[Doc]) -> None:
        nonlocal done
        live = sum(1 for d in docs if d.text.strip())
        report.analysed += live
        report.skipped += len(docs) - live
        done += len(docs)
        if progress:
            progress(done, total)

    if engine == "ray":
        from .ray_engine import run_ray

        report.workers, report.engine = workers, "ray"
        report.step_seconds = run_ray(store, pipeline, chunks, workers=workers, given=given_names(store),
                                      write=write, on_done=on_done, address=ray_address)
        return
    from .parallel import run_parallel

    report.workers = workers
    report.step_seconds = run_parallel(store, pipeline, (batch_docs(store, c) for c in chunks), workers=workers,
                                       given=given_names(store), write=write, on_done=on_done)


def _write(store: Store, docs: list[Doc], run_id: int, label: str) -> None:
    ids = [d.interaction_id for d in docs]
    marks = ",".join("?" * len(ids))
    stamp = utc_now()
    c = store.db.conn
    with store.db.atomic():
        for table in ("sentences", "intents", "keyphrases", "mentions"):
            c.execute(f"delete from {table} where interaction_id in ({marks})", ids)
        c.executemany(
            "insert or replace into analyses (interaction_id, run_id, pipeline, lang, lang_confidence, sentiment,"
            " sentiment_score, analysed_text, analysed_at, intent_candidates) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(d.interaction_id, run_id, label, d.lang, d.lang_confidence, d.sentiment, d.sentiment_score,
              written(d), stamp, json.dumps(d.intent_candidates) if d.intent_candidates else None) for d in docs])
        c.executemany(
            'insert into sentences (interaction_id, idx, turn_idx, start, "end", text, lang, sentiment,'
            " sentiment_score, intents, kind) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(d.interaction_id, s.idx, s.turn_idx, s.start, s.end, s.text, s.lang, s.sentiment, s.sentiment_score,
              json.dumps(s.intents) if s.intents else None, s.kind) for d in docs for s in d.sentences])
        c.executemany(
            "insert or replace into intents (interaction_id, intent, confidence, model) values (?, ?, ?, ?)",
            [(d.interaction_id, intent, conf, d.extra.get("intent_model", label)) for d in docs
             for intent, conf in d.intents])
        c.executemany(
            "insert or replace into keyphrases (interaction_id, phrase, surface, score, rank) values (?, ?, ?, ?, ?)",
            [(d.interaction_id, phrase, surface, score, rank)
             for d in docs for rank, (phrase, surface, score) in enumerate(d.keyphrases, 1)])
        c.executemany(
            'insert or replace into mentions (interaction_id, product_id, start, "end", surface, method, match_score,'
            " sentence_idx, polarity, polarity_score) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(d.interaction_id, m.product_id, m.start, m.end, m.surface, m.method, m.score, m.sentence_idx,
              m.polarity, m.polarity_score) for d in docs for m in d.mentions])
        reapply(store, ids)  # analysts' corrections win over the new output too
