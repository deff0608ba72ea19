"""The SQLite store: one file that holds customers, their identities, every
interaction with its turns and survey scores, the ingest runs, and the quarantine.

Writes go in batches, one transaction each, keyed by content hash: a re-run adds
nothing twice, and a run killed midway loses at most the batch in flight (the
next run redoes it). The file opens in Datasette as it is.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from .._clock import utc_now as now
from .._clock import zone
from ..errors import ConfigError, DuplicateRecord, InputError, MalformedRecord, StoreError
from ..link.normalize import handles_in_text, normalize
from ..records import Customer, Interaction
from .. import privacy
from .._text import storable, storable_rows
from .migrations import migrations

DEFAULT_SETTINGS = {"region": "ES", "company_domains": "[]", "timezone": "UTC"}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


@dataclass
class WriteCounts:
    added: int = 0
    duplicates: int = 0
    updated: int = 0
    forgotten: int = 0  # records of customers erased with 'voice forget': not stored again


class _Database(sqlite_utils.Database):
    """sqlite-utils' Database whose transactions take the write lock when they begin (``BEGIN
    IMMEDIATE``): a writer that waits for another does so at its start, within the busy timeout, instead of
    failing half-way with "database is locked" when a transaction that has read tries to write."""

    @contextlib.contextmanager
    def atomic(self):
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.rollback()
            raise
        else:
            self.conn.commit()


def beside(db_path: str | Path | None, suffix: str) -> Path | None:
    """A file kept beside a database file (``cx.db`` + ``.ann`` -> ``cx.db.ann``): what search and the report
    save for the next process; None for a database in memory."""
    return None if db_path in (None, "", ":memory:") else Path(str(db_path) + suffix)


class Store:
    """A voice database. Open one with :meth:`Store.open`."""

    def __init__(self, db: sqlite_utils.Database, path: str):
        self.db = db
        self.path = path
        self._kept_state: tuple | None = None
        self._kept: dict[str, dict] = {}

    def kept(self, name: str) -> dict:
        """A dict kept on this store for as long as its data stays the same — emptied when another
        connection commits (SQLite's data_version) or this one writes (its total_changes) — for answers
        computed from the data: the search page's facet counts, the languages a query's words are used in."""
        state = (self.db.execute("pragma data_version").fetchone()[0], self.db.conn.total_changes)
        if state != self._kept_state:
            self._kept_state, self._kept = state, {}
        return self._kept.setdefault(name, {})

    # --- opening ---------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False) -> "Store":
        """Open (and with ``create=True`` make) the database at ``path``,
        upgrading its schema to this version's migrations."""
        path = str(path)
        if path != ":memory:":
            p = Path(path)
            if not p.exists() and not create:
                raise StoreError(f"there is no voice database at {path}.",
                                 fix=f"run 'voice init --db {path}' first, or pass the right --db.")
            if p.exists() and p.is_dir():
                raise StoreError(f"{path} is a folder, not a database file.", fix="pass a file path, e.g. voice.db.")
            p.parent.mkdir(parents=True, exist_ok=True)
        if path != ":memory:" and Path(path).exists() and not _writable(Path(path)):
            return cls._read_only(Path(path))
        try:
            conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
            db = _Database(conn)
            if path != ":memory:":
                db.enable_wal()
            db.execute("pragma synchronous = normal")
            db.execute("pragma busy_timeout = 30000")
            migrations.apply(db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} is not a usable SQLite database ({exc}).",
                             fix="point --db at a voice database, or a new path to make one.") from exc
        store = cls(db, path)
        for key, value in DEFAULT_SETTINGS.items():
            db.execute("insert or ignore into settings (key, value) values (?, ?)", [key, value])
        return store

    @classmethod
    def _read_only(cls, path: Path) -> "Store":
        """A file this user may not write: opened read-only, so reading commands work; one that writes gets
        a typed error ("the database is read-only") at its first write."""
        from .readonly import open_readonly

        store = open_readonly(path)
        if migrations.pending(store.db):
            store.close()
            raise StoreError(f"{path} is read-only and was made by an older voice (its tables need upgrading).",
                             fix="give your user write permission on it and run 'voice init --db' once, "
                                 "or open it with the voice version that made it.")
        return store

    def close(self) -> None:
        self.db.close()

    def people_names(self) -> list[str]:
        """Every customer's name and every call speaker's label, once each: what keyphrases, theme labels
        and the analysis must not take for words about the topic."""
        return [r[0] for r in self.db.execute("select name from customers where name is not null "
                                              "union select speaker from turns where speaker is not null")]

    # --- settings --------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        rows = dict(self.db.execute("select key, value from settings").fetchall())
        return {
            "region": rows.get("region") or "ES",
            "company_domains": json.loads(rows.get("company_domains") or "[]"),
            "timezone": rows.get("timezone") or "UTC",
        }

    def set_settings(self, *, region: str | None = None, company_domains: Sequence[str] | None = None,
                     timezone: str | None = None) -> None:
        if timezone:
            zone(timezone)  # refuse an unknown zone before writing anything
        if region:
            import phonenumbers

            if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
                raise ConfigError(f"unknown region {region!r} for phone numbers.",
                                  fix="use a two-letter ISO country code such as ES, GB, MX or US.")
        with self.db.atomic():
            if timezone:
                self.db.execute("insert or replace into settings (key, value) values ('timezone', ?)", [timezone])
            if region:
                self.db.execute("insert or replace into settings (key, value) values ('region', ?)", [region.upper()])
            if company_domains is not None:
                domains = sorted({d.strip().lower().lstrip("@") for d in company_domains if d.strip()})
                self.db.execute("insert or replace into settings (key, value) values ('company_domains', ?)",
                                [_json(domains)])

    # --- runs ------------------------------------------------------------

    def start_run(self, command: str, paths: Iterable[str]) -> int:
        with self.db.atomic():
            # A run still marked running was killed: say so, its committed batches stay.
            self.db.execute("update ingest_runs set status = 'interrupted' where status = 'running'")
            cur = self.db.execute(
                "insert into ingest_runs (command, started_at, status, paths) values (?, ?, 'running', ?)",
                [command, now(), _json([storable(str(p)) for p in paths])],
            )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, **counts: int) -> None:
        sets = ", ".join(f"{k} = ?" for k in counts)
        with self.db.atomic():
            self.db.execute(
                f"update ingest_runs set status = 'done', finished_at = ?{', ' + sets if sets else ''} where id = ?",
                [now(), *counts.values(), run_id],
            )

    def runs(self, limit: int = 10) -> list[dict]:
        return [dict(r) for r in self.db.query("select * from ingest_runs order by id desc limit ?", [limit])]

    # --- interactions ----------------------------------------------------

    def add_interactions(self, batch: Sequence[Interaction], run_id: int | None = None) -> WriteCounts:
        """Write a batch in one transaction; records already stored (same content
        hash) are skipped. Returns how many were added and skipped."""
        counts = WriteCounts()
        if not batch:
            return counts
        region = self.settings()["region"]
        by_id: dict[str, Interaction] = {}
        for item in batch:
            if item.id in by_id:
                counts.duplicates += 1
            else:
                by_id[item.id] = item
        existing = self._existing_ids(list(by_id))
        new = [item for iid, item in by_id.items() if iid not in existing]
        counts.duplicates += len(by_id) - len(new)
        stamp = now()
        redact = privacy.redacting(self)
        gone = privacy.forgotten_hashes(self) if self.db.execute("select 1 from forgotten limit 1").fetchone() else set()
        key = privacy.salt(self) if gone else ""
        rows, turns, handles, scores = [], [], [], []
        kept = []
        m = privacy.mask if redact else (lambda t: t)
        for item in new:
            iid = item.id
            own = self._handles(item, region)  # read before masking: linking needs them, kept apart
            if gone and any((kind, privacy.handle_hash(self, kind, value, salt_value=key)) in gone
                            for _, kind, value, _, side in own if side):
                counts.forgotten += 1
                continue
            kept.append(item)
            rows.append((
                iid, item.content_hash, item.channel, item.source_path, item.source_pos, item.timestamp,
                item.direction, m(item.subject), m(item.text), item.thread_id, item.external_id,
                _json(privacy.mask_json(item.metadata) if redact else item.metadata), m(item.raw), run_id, stamp,
            ))
            turns.extend((iid, t.idx, t.role, t.speaker, t.start, t.end, m(t.text)) for t in item.turns)
            handles.extend(own)
            if item.channel == "survey":
                scores.append((iid, item.scores.get("nps"), item.scores.get("csat"), item.scores.get("ces"),
                               item.metadata.get("touchpoint")))
        with self.db.atomic():
            c = self.db.conn
            c.executemany(
                "insert into interactions (id, content_hash, channel, source_path, source_pos, timestamp, direction,"
                " subject, text, thread_id, external_id, metadata, raw, run_id, ingested_at)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", storable_rows(rows))
            c.executemany('insert into turns (interaction_id, idx, role, speaker, start, "end", text)'
                          " values (?, ?, ?, ?, ?, ?, ?)", storable_rows(turns))
            c.executemany("insert or ignore into interaction_handles (interaction_id, kind, value, role, customer_side)"
                          " values (?, ?, ?, ?, ?)", storable_rows(handles))
            c.executemany("insert into survey_scores (interaction_id, nps, csat, ces, touchpoint)"
                          " values (?, ?, ?, ?, ?)", storable_rows(scores))
        counts.added = len(kept)
        return counts

    @staticmethod
    def _handles(item: Interaction, region: str) -> list[tuple]:
        out = []
        for ident in item.identities:
            value = normalize(ident.kind, ident.value, region)
            if value:
                out.append((item.id, ident.kind, value, ident.role, int(ident.customer_side)))
        if item.channel == "survey" and item.external_id:
            out.append((item.id, "respondent_id", item.external_id.strip(), "respondent", 1))
        if item.direction == "inbound" and item.text:
            for kind, value in handles_in_text(item.text, region):
                out.append((item.id, kind, value, "mentioned", 1))
        return out

    def _existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), 900):
            chunk = ids[i:i + 900]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.db.execute(f"select id from interactions where id in ({marks})", chunk))
        return found

    def resolve_threads(self) -> int:
        """Point every email at its thread's root: a reply that names only its parent
        (In-Reply-To) joins the thread the parent is in. Returns rows changed."""
        changed = 0
        for _ in range(10):  # each pass climbs one level of a reply chain
            cur = self.db.execute("""
                update interactions set thread_id = (
                    select p.thread_id from interactions p
                    where p.channel = 'email' and p.external_id = interactions.thread_id
                      and p.thread_id is not null and p.thread_id != p.external_id
                    limit 1)
                where channel = 'email' and thread_id is not null and exists (
                    select 1 from interactions p
                    where p.channel = 'email' and p.external_id = interactions.thread_id
                      and p.thread_id is not null and p.thread_id != p.external_id)
            """)
            if cur.rowcount <= 0:
                break
            changed += cur.rowcount
        return changed

    # --- quarantine ------------------------------------------------------

    def quarantine(self, errors: Sequence[InputError], run_id: int | None = None) -> int:
        if not errors:
            return 0
        stamp = now()
        m = privacy.mask if privacy.redacting(self) else (lambda t: t)
        rows = storable_rows([(run_id, e.source, e.position, e.kind, m(e.message), e.fix,
                              m((e.excerpt or "")[:500]) or None, stamp, stamp) for e in errors])
        with self.db.atomic():
            self.db.conn.executemany("""
                insert into quarantine (run_id, source_path, position, kind, reason, fix, excerpt, first_seen, last_seen)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (source_path, coalesce(position, ''), kind) do update set
                    run_id = excluded.run_id, reason = excluded.reason, fix = excluded.fix,
                    last_seen = excluded.last_seen, times_seen = times_seen + 1,
                    resolved_at = null, resolved_run_id = null
            """, rows)
        return len(rows)

    def resolve_quarantine(self, source_paths: Sequence[str], run_id: int) -> int:
        """Mark resolved the earlier problems of files this run read in full without
        raising them again (the user fixed the file). Call after the run's own
        problems for those files are written."""
        if not source_paths:
            return 0
        stamp = now()
        marks = ",".join("?" * len(source_paths))
        with self.db.atomic():
            cur = self.db.execute(
                f"update quarantine set resolved_at = ?, resolved_run_id = ? where resolved_at is null"
                f" and coalesce(run_id, -1) != ? and source_path in ({marks})",
                [stamp, run_id, run_id, *(storable(p) for p in source_paths)])
        return max(cur.rowcount, 0)

    def quarantined(self, run_id: int | None = None, limit: int | None = None, *,
                    resolved: bool = False) -> list[dict]:
        """Open problems (or, with ``resolved=True``, every one ever recorded)."""
        sql = "select * from quarantine where 1"
        params: list[Any] = []
        if not resolved:
            sql += " and resolved_at is null"
        if run_id is not None:
            sql += " and run_id = ?"
            params.append(run_id)
        sql += " order by source_path, position"
        if limit:
            sql += f" limit {int(limit)}"
        return [dict(r) for r in self.db.query(sql, params)]

    # --- customers -------------------------------------------------------

    def upsert_customers(self, batch: Sequence[Customer]) -> tuple[WriteCounts, list[InputError]]:
        """Insert new customers, update known ones (a newer export wins), and
        register their identities. An email or phone already owned by another
        customer is not moved: it comes back as a DuplicateRecord to quarantine."""
        counts = WriteCounts()
        problems: list[InputError] = []
        if not batch:
            return counts, problems
        region = self.settings()["region"]
        stamp = now()
        with self.db.atomic():
            c = self.db.conn
            known = {r[0] for r in c.execute(
                f"select id from customers where id in ({','.join('?' * len(batch))})", [b.id for b in batch])}
            gone = privacy.forgotten_hashes(self) if c.execute("select 1 from forgotten limit 1").fetchone() else set()
            key = privacy.salt(self) if gone else ""
            for cust in batch:
                if gone and any((kind, privacy.handle_hash(self, kind, normalize(kind, raw, region) or raw,
                                                           salt_value=key)) in gone
                                for kind, raw in [("crm_id", cust.id)] + [("email", e) for e in cust.emails]):
                    counts.forgotten += 1
                    continue
                row = tuple(storable(v) for v in (cust.name, cust.segment, cust.lifetime_value, _json(cust.consent),
                                                  _json(cust.attributes), cust.source_path, cust.source_pos, stamp))
                if cust.id in known:
                    c.execute("update customers set name = ?, segment = ?, lifetime_value = ?, consent = ?,"
                              " attributes = ?, source_path = ?, source_pos = ?, updated_at = ? where id = ?",
                              (*row, cust.id))
                    counts.updated += 1
                else:
                    c.execute("insert into customers (name, segment, lifetime_value, consent, attributes,"
                              " source_path, source_pos, updated_at, imported_at, id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              (*row, stamp, cust.id))
                    known.add(cust.id)
                    counts.added += 1
                handles = [("crm_id", cust.id)] + [("email", e) for e in cust.emails] + [("phone", p) for p in cust.phones]
                for kind, raw in handles:
                    value = normalize(kind, raw, region)
                    if not value:
                        if kind == "phone":
                            problems.append(MalformedRecord(
                                f"customer {cust.id}: {raw!r} is not a valid phone number for region {region}; "
                                "the customer was imported without it.",
                                source=cust.source_path, position=cust.source_pos,
                                fix="write it with its country prefix (+34 …), or set the region with 'voice init --region'."))
                        continue
                    owner = c.execute("select customer_id from identities where kind = ? and value = ?",
                                      (kind, value)).fetchone()
                    if owner is None:
                        c.execute("insert into identities (kind, value, customer_id, source) values (?, ?, ?, 'crm')",
                                  (kind, value, cust.id))
                    elif owner[0] != cust.id:
                        problems.append(DuplicateRecord(
                            f"{kind} {value} is listed for customers {owner[0]} and {cust.id}; it stays with {owner[0]}.",
                            source=cust.source_path, position=cust.source_pos,
                            fix="give each customer their own contact details in the CRM, or merge the two records."))
        return counts, problems

    # --- reads -----------------------------------------------------------

    def count(self, table: str, where: str = "", params: Sequence[Any] = ()) -> int:
        return int(self.db.execute(f"select count(*) from [{table}] {('where ' + where) if where else ''}",
                                   params).fetchone()[0])

    def interaction(self, interaction_id: str) -> dict | None:
        rows = list(self.db.query("select * from interactions where id = ?", [interaction_id]))
        if not rows:
            return None
        out = dict(rows[0])
        out["metadata"] = json.loads(out["metadata"] or "{}")
        out["turns"] = [dict(r) for r in self.db.query(
            "select idx, role, speaker, start, \"end\", text from turns where interaction_id = ? order by idx",
            [interaction_id])]
        out["scores"] = next((dict(r) for r in self.db.query(
            "select nps, csat, ces, touchpoint from survey_scores where interaction_id = ?", [interaction_id])), None)
        out["handles"] = [dict(r) for r in self.db.query(
            "select kind, value, role, customer_side from interaction_handles where interaction_id = ?",
            [interaction_id])]
        return out

    def customer(self, customer_id: str) -> dict | None:
        rows = list(self.db.query("select * from customers where id = ?", [customer_id]))
        if not rows:
            return None
        out = dict(rows[0])
        for key in ("consent", "attributes"):
            out[key] = json.loads(out[key] or "{}")
        out["identities"] = [dict(r) for r in self.db.query(
            "select kind, value, source from identities where customer_id = ? order by kind, value", [customer_id])]
        return out


__all__ = ["Store", "WriteCounts"]


def _writable(path: Path) -> bool:
    """Whether this user may write the database file and create its journal files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def sqlite_error(exc: Exception, path: str | None = None) -> StoreError:
    """A typed error, with the fix, for what SQLite raised (a locked, full, read-only or damaged database)."""
    text = str(exc).lower()
    where = f" ({path})" if path else ""
    if "locked" in text or "busy" in text:
        return StoreError(f"the database{where} is busy: another voice command is writing to it, and it did not "
                          "finish within 30 s.",
                          fix="wait for the other command (an ingest or analyze) to finish, then run this again; "
                              "'voice status' shows what ran.")
    if "full" in text or "disk i/o" in text or "no space" in text:
        return StoreError(f"the disk holding the database{where} is full (or failed while writing): nothing of this "
                          "batch was stored, what was stored before is intact.",
                          fix="free some space (or move the database with --db to a disk with room) and run it again.")
    if "readonly" in text or "read-only" in text:
        return StoreError(f"the database{where} is read-only, and this command writes to it.",
                          fix="give your user write permission on the file and its folder (chmod u+w), or copy it "
                              "somewhere writable; reading commands (status, report, search) work as it is.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(f"the database file{where} is damaged ({exc}).",
                          fix="restore it from a backup, or make a new one with 'voice init' and ingest the files "
                              "again (ingest never stores the same record twice).")
    if "unable to open" in text:
        return StoreError(f"the database{where} cannot be opened ({exc}).",
                          fix="check that its folder exists and is readable and writable by your user.")
    return StoreError(f"the database{where} refused the operation ({exc}).",
                      fix="run the command again; if it repeats, check the disk and the file's permissions.")
