"""Learning from analysts: their corrections of sentiment, intents and themes.

A correction is stored with who made it and when (``corrections``), wins over the model's output at once
(the analysis rows are updated), and wins again after any later ``voice analyze --all`` (the pipeline
re-applies the latest correction of each field). Corrected sentiment feeds training:
:func:`export_sentiment_rows` writes them as ``text,label,lang`` rows for
``voice train sentiment --data rows.csv`` (weighted x3 there as the user's own rows); corrected intents
become examples of a taxonomy (:func:`export_intent_examples`) for ``voice train intent --taxonomy``.

    correct(store, "a1b2…", "sentiment", "negative", sentence=2, by="ana")
    correct(store, "a1b2…", "intent", ["complaint", "refund_return"], by="ana")
    correct(store, "a1b2…", "theme", "T004", sentence=0, by="ana")
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._clock import utc_now
from .._csv import write_rows
from ..errors import InputError, NotFound

if TYPE_CHECKING:
    from ..store import Store

FIELDS = ("sentiment", "intent", "theme")
#: the score a corrected label stands for (the model's scores are -1..1)
SCORE = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
LABELS = tuple(SCORE)  # as voice.pipeline.doc.LABELS (not imported: the pipeline imports this module)


@dataclass
class Correction:
    id: int
    interaction_id: str
    sentence_idx: int | None
    field: str
    value: str | list[str]
    by: str | None
    at: str


def correct(store: "Store", interaction_id: str, field: str, value: str | Sequence[str], *,
            sentence: int | None = None, by: str | None = None, note: str | None = None) -> Correction:
    """Store one correction and apply it now. ``value``: a sentiment label; a list of intent ids (or one,
    or "other"); a theme id (``sentence`` required)."""
    db = store.db
    if field not in FIELDS:
        raise InputError(f"cannot correct {field!r}.", fix=f"correct one of: {', '.join(FIELDS)}.")
    if not db.execute("select 1 from analyses where interaction_id = ?", [interaction_id]).fetchone():
        raise NotFound(f"no analysed interaction {interaction_id!r}.",
                       fix="give the id of an analysed interaction (voice search, voice customer … list them).")
    if sentence is not None and not db.execute("select 1 from sentences where interaction_id = ? and idx = ?",
                                               [interaction_id, sentence]).fetchone():
        raise NotFound(f"interaction {interaction_id} has no sentence {sentence}.",
                       fix="sentences are numbered from 0 in their order; leave --sentence out for the whole "
                           "interaction.")
    value = _check(store, field, value, sentence)
    stamp = utc_now()
    with db.atomic():
        cur = db.execute("insert into corrections (interaction_id, sentence_idx, field, value, by, at, note)"
                         " values (?, ?, ?, ?, ?, ?, ?)",
                         [interaction_id, sentence, field, json.dumps(value, ensure_ascii=False), by, stamp, note])
        _apply(store, interaction_id, sentence, field, value)
    return Correction(int(cur.lastrowid), interaction_id, sentence, field, value, by, stamp)


def _check(store: "Store", field: str, value, sentence: int | None):
    if field == "sentiment":
        if value not in LABELS:
            raise InputError(f"{value!r} is not a sentiment.", fix=f"use one of: {', '.join(LABELS)}.")
        return value
    if field == "intent":
        if sentence is not None:
            raise InputError("intents are corrected per interaction.", fix="leave --sentence out.")
        intents = [value] if isinstance(value, str) else list(value)
        intents = [i.strip() for i in intents if i and i.strip()] or ["other"]
        if "other" in intents and len(intents) > 1:
            raise InputError("'other' means no intent fits: it cannot come with others.",
                             fix="give the intents that fit, or only 'other'.")
        return intents
    if sentence is None:
        raise InputError("themes are corrected per sentence.", fix="give --sentence N.")
    if value not in ("none", "") and not store.db.execute("select 1 from themes where id = ?", [value]).fetchone():
        raise NotFound(f"no theme {value!r}.", fix="give a theme id from 'voice themes list', or 'none'.")
    return None if value in ("none", "") else value


def _apply(store: "Store", interaction_id: str, sentence: int | None, field: str, value) -> None:
    db = store.db
    if field == "sentiment":
        table, where = ("sentences", " and idx = ?") if sentence is not None else ("analyses", "")
        db.execute(f"update {table} set sentiment = ?, sentiment_score = ? where interaction_id = ?{where}",
                   [value, SCORE[value], interaction_id, *([sentence] if sentence is not None else [])])
        if sentence is not None and not db.execute(
                "select 1 from corrections where interaction_id = ? and field = 'sentiment' and sentence_idx is null",
                [interaction_id]).fetchone():
            _resum(store, interaction_id)
    elif field == "intent":
        db.execute("delete from intents where interaction_id = ?", [interaction_id])
        db.conn.executemany("insert into intents (interaction_id, intent, confidence, model) values (?, ?, 1.0,"
                            " 'correction')", [(interaction_id, i) for i in value])
    else:
        db.execute("insert or replace into theme_assignments (interaction_id, sentence_idx, theme_id, similarity,"
                   " version, assigned_at) values (?, ?, ?, null, (select coalesce(max(version), 0) from"
                   " theme_assignments), ?)", [interaction_id, sentence, value, utc_now()])


def _resum(store: "Store", interaction_id: str) -> None:
    """The interaction's sentiment again from its sentences, after one of them was corrected (and the
    interaction itself was not): as the analysis weighs them, a sentence counts by how far from neutral it
    is (weight |score|), so a corrected sentence (score -1 or +1) counts fully; the label is the one its
    sentences carry most weight for."""
    rows = store.db.execute("select sentiment, sentiment_score from sentences where interaction_id = ?"
                            " and sentiment is not null and sentiment_score is not null", [interaction_id]).fetchall()
    if not rows:
        return
    weights = [abs(score) + 1e-3 for _, score in rows]
    score = sum(w * s for w, (_, s) in zip(weights, rows)) / sum(weights)
    mass = {label: 0.0 for label in LABELS}
    for w, (label, _) in zip(weights, rows):
        mass[label] += w
    label = max(LABELS, key=lambda lb: (mass[lb], lb == "neutral"))
    store.db.execute("update analyses set sentiment = ?, sentiment_score = ? where interaction_id = ?",
                     [label, round(score, 4), interaction_id])


def reapply(store: "Store", interaction_ids: Iterable[str]) -> int:
    """After the analysis rewrote these interactions: apply the latest correction of each field again.
    Returns how many were applied. Call inside the analysis's transaction."""
    ids = list(interaction_ids)
    applied = 0
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        # the latest of each field, for sentences that are still there (the text may have changed)
        rows = store.db.execute(
            f"""select c.interaction_id, c.sentence_idx, c.field, c.value from corrections c
                where c.interaction_id in ({",".join("?" * len(chunk))})
                and c.id = (select max(id) from corrections d where d.interaction_id = c.interaction_id
                            and d.field = c.field and d.sentence_idx is c.sentence_idx)
                and (c.sentence_idx is null or exists (select 1 from sentences s
                     where s.interaction_id = c.interaction_id and s.idx = c.sentence_idx))
                order by c.id""", chunk).fetchall()
        for iid, idx, field, value in rows:
            _apply(store, iid, idx, field, json.loads(value))
            applied += 1
    return applied


def list_corrections(store: "Store", limit: int | None = None) -> list[Correction]:
    rows = store.db.execute("select id, interaction_id, sentence_idx, field, value, by, at from corrections"
                            " order by id desc" + (f" limit {int(limit)}" if limit else "")).fetchall()
    return [Correction(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]


def export_sentiment_rows(store: "Store", path: str | Path) -> int:
    """The latest sentiment correction of each sentence and interaction as ``text,label,lang`` rows (the
    text the model read: the sentence, or the interaction's analysed text). Returns how many rows."""
    rows = store.db.execute("""
        select coalesce(s.text, a.analysed_text), c.value, coalesce(s.lang, a.lang, '')
        from corrections c
        join analyses a on a.interaction_id = c.interaction_id
        left join sentences s on s.interaction_id = c.interaction_id and s.idx = c.sentence_idx
        where c.field = 'sentiment'
          and c.id = (select max(id) from corrections d where d.interaction_id = c.interaction_id
                      and d.field = 'sentiment' and d.sentence_idx is c.sentence_idx)
        order by c.id""").fetchall()
    with Path(path).open("w", encoding="utf-8", newline="") as fh:  # formula-safe; the trainer reads it back
        write_rows(fh, ["text", "label", "lang"],
                   ([" ".join((text or "").split()), json.loads(value), lang] for text, value, lang in rows))
    return len(rows)


@dataclass
class IntentExport:
    path: Path
    added: dict[str, int]  # intent id (or "out_of_scope") -> examples added
    skipped: dict[str, int]  # intents not in the taxonomy, with fewer examples than one needs -> how many


def export_intent_examples(store: "Store", taxonomy: str | Path, path: str | Path, *,
                           max_chars: int = 600) -> IntentExport:
    """The taxonomy at ``taxonomy`` with the corrected interactions added as examples, written to ``path``
    for ``voice train intent --taxonomy``. Each interaction's latest intent correction counts once: its
    content (the sentences that carry content, up to ``max_chars``) becomes an example of each intent it
    was corrected to, in its language; one corrected to "other" an out-of-scope example. An intent the
    taxonomy lacks is added when the corrections give it enough examples to train (else it is skipped and
    counted). The examples are what the model reads: a whole message, as intents are given per interaction."""
    import yaml

    from ..intent.taxonomy import MIN_EXAMPLES, OTHER, load_taxonomy

    load_taxonomy(taxonomy)  # a file that does not load is refused before anything is written
    data = yaml.safe_load(Path(taxonomy).read_text(encoding="utf-8"))
    rows = store.db.execute("""
        select c.interaction_id, c.value, coalesce(a.lang, 'en'), a.analysed_text,
               (select group_concat(s.text, ' ') from (select text from sentences s where s.interaction_id =
                c.interaction_id and s.kind is null order by s.idx) s)
        from corrections c join analyses a on a.interaction_id = c.interaction_id
        where c.field = 'intent' and c.sentence_idx is null
          and c.id = (select max(id) from corrections d where d.interaction_id = c.interaction_id
                      and d.field = 'intent' and d.sentence_idx is null)
        order by c.id""").fetchall()
    by_id = {i["id"]: i for i in data["intents"]}
    new: dict[str, dict[str, list[str]]] = {}
    added: dict[str, int] = {}
    for _iid, value, lang, analysed, content in rows:
        text = " ".join((content or analysed or "").split())[:max_chars].strip()
        if not text:
            continue
        lang = lang if lang in ("es", "en") else "en"
        for intent in json.loads(value):
            if intent == OTHER:
                target = data.setdefault("out_of_scope", {})
                key = "out_of_scope"
            elif intent in by_id:
                examples = by_id[intent].setdefault("examples", {})
                if isinstance(examples, list):  # a plain list: keep it as the "any" language
                    examples = by_id[intent]["examples"] = {"any": examples}
                target, key = examples, intent
            else:
                target, key = new.setdefault(intent, {}), intent
            if isinstance(target, list):
                target = data["out_of_scope"] = {"any": target}
            texts = target.setdefault(lang, [])
            if text not in texts:
                texts.append(text)
                added[key] = added.get(key, 0) + 1
    skipped = {}
    for intent, examples in new.items():
        if len({t for ts in examples.values() for t in ts}) >= MIN_EXAMPLES:
            data["intents"].append({"id": intent, "name": intent.replace("_", " "),
                                    "description": "Added from analysts' corrections: describe it.",
                                    "examples": examples})
        else:
            skipped[intent] = added.pop(intent)
    path = Path(path)
    path.write_text("# The taxonomy with analysts' corrected intents added as examples (voice label export-intents).\n"
                    + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")
    load_taxonomy(path)  # what was written must load
    return IntentExport(path, added, skipped)
