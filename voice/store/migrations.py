"""Versioned schema migrations, in the manner of sqlite-utils' ``Migrations``.

Each change to the schema is one decorated function, applied once, in order, in
its own transaction, and recorded in ``_voice_migrations``. Never edit a
migration that has shipped: add a new one.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable

import sqlite_utils

from ..errors import StoreError

Step = Callable[[sqlite_utils.Database], None]


class UpgradeNotice(UserWarning):
    """A migration about to rewrite every interaction of a large database: said before it runs, so that a
    command that seems to hang for a minute is understood."""


#: Migrations that rewrite every interaction: what they do, and the seconds a million interactions took.
SLOW = {"m016_language_in_word_index": ("rebuilding the word index with each interaction's language", 27)}
SLOW_FROM = 100_000  # interactions from which the notice is given


class Migrations:
    def __init__(self, name: str):
        self.name = name
        self._steps: list[tuple[str, Step]] = []

    def __call__(self, fn: Step) -> Step:
        """Register ``fn`` as the next migration, named after the function."""
        if any(n == fn.__name__ for n, _ in self._steps):
            raise ValueError(f"migration {fn.__name__!r} is defined twice")
        self._steps.append((fn.__name__, fn))
        return fn

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self._steps]

    def applied(self, db: sqlite_utils.Database) -> list[str]:
        if "_voice_migrations" not in db.table_names():
            return []
        return [r[0] for r in db.execute(
            "select migration from _voice_migrations where name = ? order by id", [self.name]).fetchall()]

    def pending(self, db: sqlite_utils.Database) -> list[str]:
        done = set(self.applied(db))
        return [n for n in self.names if n not in done]

    def apply(self, db: sqlite_utils.Database) -> list[str]:
        """Apply every pending migration; returns the names applied."""
        db.execute(
            "create table if not exists _voice_migrations ("
            " id integer primary key, name text not null, migration text not null,"
            " applied_at text not null, unique(name, migration))"
        )
        done = self.applied(db)
        unknown = [n for n in done if n not in self.names]
        if unknown:
            raise StoreError(
                f"this database has schema migrations this version of voice does not know ({', '.join(unknown)}).",
                fix="upgrade voice (pip install -U voice) to open it, or use a database made by this version.",
            )
        ran = []
        for name, step in self._steps:
            if name in done:
                continue
            if name in SLOW and "interactions" in db.table_names():
                rows = db.execute("select count(*) from interactions").fetchone()[0]
                if rows >= SLOW_FROM:
                    what, per_million = SLOW[name]
                    warnings.warn(f"upgrading this database: {what} ({rows:,} interactions, about "
                                  f"{max(1, round(per_million * rows / 1e6))} s); this runs once.", UpgradeNotice,
                                  stacklevel=2)
            with db.atomic():
                step(db)
                db.execute(
                    "insert into _voice_migrations (name, migration, applied_at) values (?, ?, ?)",
                    [self.name, name, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")],
                )
            ran.append(name)
        return ran


migrations = Migrations("voice")


@migrations
def m001_initial(db: sqlite_utils.Database) -> None:
    db.execute("""
        create table settings (
            key text primary key,
            value text
        )""")
    db.execute("""
        create table customers (
            id text primary key,
            name text,
            segment text,
            lifetime_value real,
            consent text,          -- JSON {"email": true, "marketing": false}
            attributes text,       -- JSON: every other CRM column
            source_path text,
            source_pos text,
            imported_at text,
            updated_at text
        )""")
    db.execute("""
        create table identities (
            kind text not null,    -- email | phone | crm_id | respondent_id
            value text not null,   -- normalized: lower-case email, E.164 phone
            customer_id text not null references customers(id),
            source text,           -- crm | learned
            primary key (kind, value)
        )""")
    db.execute("create index identities_customer on identities(customer_id)")
    db.execute("""
        create table ingest_runs (
            id integer primary key,
            command text,
            started_at text,
            finished_at text,
            status text,           -- running | done | interrupted
            paths text,            -- JSON list
            seen integer default 0,
            added integer default 0,
            duplicates integer default 0,
            quarantined integer default 0,
            linked integer default 0
        )""")
    db.execute("""
        create table interactions (
            id text primary key,
            content_hash text not null unique,
            channel text not null,
            source_path text,
            source_pos text,
            timestamp text,
            direction text,
            subject text,
            text text,
            thread_id text,
            external_id text,
            customer_id text references customers(id),
            link_method text,      -- crm_id | email | phone | respondent_id | thread | mentioned
            link_value text,
            link_confidence real,
            linked_at text,
            metadata text,         -- JSON
            raw text,
            run_id integer references ingest_runs(id),
            ingested_at text
        )""")
    for col in ("customer_id", "channel", "timestamp", "thread_id", "external_id"):
        db.execute(f"create index interactions_{col} on interactions({col})")
    db.execute("""
        create table interaction_handles (
            interaction_id text not null references interactions(id),
            kind text not null,
            value text not null,   -- normalized like identities.value
            role text not null,    -- from | to | cc | reply_to | caller | respondent | customer | mentioned
            customer_side integer not null,
            primary key (interaction_id, kind, value, role)
        )""")
    db.execute("create index interaction_handles_value on interaction_handles(kind, value)")
    db.execute("""
        create table turns (
            interaction_id text not null references interactions(id),
            idx integer not null,
            role text,             -- customer | agent | unknown
            speaker text,
            start real,
            "end" real,
            text text,
            primary key (interaction_id, idx)
        )""")
    db.execute("""
        create table survey_scores (
            interaction_id text primary key references interactions(id),
            nps real,
            csat real,
            ces real,
            touchpoint text
        )""")
    db.execute("""
        create table quarantine (
            id integer primary key,
            run_id integer references ingest_runs(id),
            source_path text,
            position text,
            kind text,
            reason text,
            fix text,
            excerpt text,
            first_seen text,
            last_seen text,
            times_seen integer default 1
        )""")
    db.execute("create unique index quarantine_where on quarantine(source_path, coalesce(position, ''), kind)")
    db["interactions"].enable_fts(["subject", "text"], create_triggers=True,
                                  tokenize="unicode61 remove_diacritics 2")


@migrations
def m002_quarantine_resolved(db: sqlite_utils.Database) -> None:
    """A quarantined input that reads cleanly on a later run is resolved, not deleted:
    the history of what was refused stays."""
    db.execute("alter table quarantine add column resolved_at text")
    db.execute("alter table quarantine add column resolved_run_id integer references ingest_runs(id)")


@migrations
def m003_analysis(db: sqlite_utils.Database) -> None:
    """What the analysis engine writes. Every result row names the pipeline run
    (and so the models and versions) that produced it."""
    db.execute("""
        create table embeddings (
            text_hash text not null,
            model text not null,
            dim integer not null,
            vector blob not null,      -- float32, little-endian, unit length
            primary key (text_hash, model)
        )""")
    db.execute("""
        create table analysis_runs (
            id integer primary key,
            pipeline text,             -- name and version of the pipeline file
            components text,           -- JSON {step: component name, model, version}
            started_at text,
            finished_at text,
            status text,
            analysed integer default 0
        )""")
    db.execute("""
        create table analyses (
            interaction_id text primary key references interactions(id),
            run_id integer references analysis_runs(id),
            pipeline text,
            lang text,
            lang_confidence real,
            sentiment text,            -- negative | neutral | positive
            sentiment_score real,      -- -1 .. 1
            analysed_text text,        -- the customer's own words that were analysed
            analysed_at text
        )""")
    db.execute("""
        create table sentences (
            interaction_id text not null references interactions(id),
            idx integer not null,
            turn_idx integer,          -- the call turn it comes from, if any
            start integer,             -- character offsets in analyses.analysed_text
            "end" integer,
            text text,
            lang text,
            sentiment text,
            sentiment_score real,
            primary key (interaction_id, idx)
        )""")
    db.execute("""
        create table intents (
            interaction_id text not null references interactions(id),
            intent text not null,
            confidence real,
            model text,
            primary key (interaction_id, intent)
        )""")
    db.execute("create index intents_intent on intents(intent)")
    db.execute("""
        create table keyphrases (
            interaction_id text not null references interactions(id),
            phrase text not null,      -- lemma-normalised
            surface text,              -- as written, first occurrence
            score real,
            rank integer,
            primary key (interaction_id, phrase)
        )""")
    db.execute("create index keyphrases_phrase on keyphrases(phrase)")
    db.execute("""
        create table mentions (
            interaction_id text not null references interactions(id),
            product_id text not null,
            start integer not null,    -- character offsets in analyses.analysed_text
            "end" integer not null,
            surface text,
            method text,               -- exact | alias | lemma | fuzzy
            match_score real,
            sentence_idx integer,
            polarity text,             -- aspect sentiment from the sentence that carries it
            polarity_score real,
            primary key (interaction_id, product_id, start)
        )""")
    db.execute("create index mentions_product on mentions(product_id)")


@migrations
def m004_scoring(db: sqlite_utils.Database) -> None:
    """Customer intelligence: experience per interaction, interest per customer
    and product, relationship class per customer, open loops. Every score row
    keeps the components that explain it (JSON) and the scoring run that wrote it."""
    db.execute("""
        create table scoring_runs (
            id integer primary key,
            started_at text,
            finished_at text,
            as_of text,                -- the date recency is measured from
            settings text,             -- JSON: half-lives, windows, thresholds
            customers integer default 0,
            interactions integer default 0,
            status text
        )""")
    db.execute("""
        create table experience (
            interaction_id text primary key references interactions(id),
            customer_id text references customers(id),
            channel text,
            touchpoint text,           -- survey touchpoint, else the channel
            timestamp text,
            score real,                -- 0 .. 100
            components text,           -- JSON [{name, value, points, why}]
            run_id integer references scoring_runs(id)
        )""")
    db.execute("create index experience_customer on experience(customer_id)")
    db.execute("""
        create table interest (
            customer_id text not null references customers(id),
            product_id text not null,
            score real,                -- 0 .. 1
            evidence text,             -- JSON [{interaction_id, timestamp, surface, start, end, signals, weight, contribution}]
            last_seen text,
            run_id integer references scoring_runs(id),
            primary key (customer_id, product_id)
        )""")
    db.execute("create index interest_product on interest(product_id, score)")
    db.execute("""
        create table relationships (
            customer_id text primary key references customers(id),
            class text,                -- promoter | passive | detractor | at_risk
            reason text,
            cem real,                  -- recency-weighted experience, 0 .. 100
            cem_trend real,            -- recent minus earlier experience, points
            nps real,                  -- latest NPS answer
            lifetime_value real,
            value_band text,           -- high | medium | low | unknown
            needs text,                -- JSON [[intent, weight]], strongest first
            interests text,            -- JSON [[product_id, score]]
            interactions integer,
            fingerprint text,          -- what was scored: re-scored only when it changes
            as_of text,
            run_id integer references scoring_runs(id)
        )""")
    db.execute("""
        create table open_loops (
            customer_id text references customers(id),
            opened_by text not null references interactions(id),
            intent text not null,
            opened_at text,
            last_contact_at text,
            contacts integer,          -- contacts on this loop, the first included
            status text,               -- open | answered | resolved
            closed_by text,            -- the interaction that answered or resolved it
            summary text,
            run_id integer references scoring_runs(id),
            primary key (opened_by, intent)
        )""")
    db.execute("create index open_loops_customer on open_loops(customer_id, status)")


@migrations
def m005_sentence_intents(db: sqlite_utils.Database) -> None:
    """Intents per sentence (JSON [[intent, confidence], ...], those over the
    threshold): an email about a broken coffee machine and a purifier the
    customer wants to buy holds a complaint and a purchase interest, and each
    belongs to its own product mention."""
    db.execute("alter table sentences add column intents text")


@migrations
def m006_themes(db: sqlite_utils.Database) -> None:
    """Themes discovered in what customers say: stable ids, a label from their
    keyphrases, a centroid so new sentences join existing themes, and which
    taxonomy version assigned each sentence."""
    db.execute("""
        create table themes (
            id text primary key,       -- stable: T001, T002, ... never reused
            name text,                 -- the user's name (taxonomy file), else the label
            label text,                -- automatic, from keyphrases
            keyphrases text,           -- JSON [[phrase, weight], ...]
            centroid blob,             -- float32 unit vector in the encoder's space
            encoder text,              -- the encoder the centroid belongs to
            size integer default 0,    -- sentences assigned
            status text,               -- active | proposed | merged | retired
            merged_into text,          -- for merged themes: the theme that took them
            pinned text,               -- JSON: example sentences the user pinned to this theme
            version integer,           -- taxonomy version that last changed this theme
            created_at text,
            updated_at text
        )""")
    db.execute("""
        create table theme_assignments (
            interaction_id text not null references interactions(id),
            sentence_idx integer not null,
            theme_id text references themes(id),   -- null: an outlier (no theme close enough)
            similarity real,
            version integer,           -- taxonomy version that made this assignment
            assigned_at text,
            primary key (interaction_id, sentence_idx)
        )""")
    db.execute("create index theme_assignments_theme on theme_assignments(theme_id)")


@migrations
def m007_sentence_kind(db: sqlite_utils.Database) -> None:
    """Why a sentence carries no content (greeting, signoff, signature, contact, reference, answer,
    empty), or null: such sentences get no sentiment, intent or theme. Rows analysed before this
    version have null (themes then fall back to their own greeting rule)."""
    db.execute("alter table sentences add column kind text")


@migrations
def m008_theme_groups(db: sqlite_utils.Database) -> None:
    """Theme groups: one primary group per interaction, found on whole interactions (voice.themes.groups),
    the upper level over the sentence themes (themes.group_id)."""
    db.execute("""
        create table theme_groups (
            id text primary key,       -- G01, G02, ... by size; replaced on each run
            label text,                -- from the group's words
            keywords text,             -- JSON [[word, weight, lang], ...]
            size integer default 0,    -- interactions whose primary group it is
            created_at text
        )""")
    db.execute("""
        create table interaction_groups (
            interaction_id text primary key references interactions(id),
            group_id text references theme_groups(id),
            similarity real            -- to the group's centre
        )""")
    db.execute("create index interaction_groups_group on interaction_groups(group_id)")
    db.execute("alter table themes add column group_id text")


@migrations
def m009_intent_candidates(db: sqlite_utils.Database) -> None:
    """The best three intents of each analysed interaction with their confidence, passed or not
    (JSON [[intent, confidence], ...]): the runner-up when the answer is "other" or looks wrong."""
    db.execute("alter table analyses add column intent_candidates text")


@migrations
def m010_corrections(db: sqlite_utils.Database) -> None:
    """Analysts' corrections of sentiment, intents and themes (voice.learn): who, when, what; the latest of
    each field wins over the model's output, also after a new analysis."""
    db.execute("""
        create table corrections (
            id integer primary key,
            interaction_id text not null references interactions(id),
            sentence_idx integer,      -- null: the whole interaction
            field text not null,       -- sentiment | intent | theme
            value text not null,       -- JSON: "negative", ["complaint", "refund_return"], "T004" or null
            by text,                   -- who corrected it
            at text not null,
            note text
        )""")
    db.execute("create index corrections_interaction on corrections(interaction_id)")


@migrations
def m011_group_names_and_generic_themes(db: sqlite_utils.Database) -> None:
    """Theme groups keep their ids across runs (a new run's group that shares most of its interactions
    with an old one takes its id) and get an analyst's ``name`` (kept with the id) and a label of the
    customers' own ``phrases`` (JSON [[phrase, weight], ...]). ``themes.generic``: 1 for a sentence theme
    spread over the groups as the data is (it says nothing about what an interaction is about: "I called
    them", "thank you for your help"); such themes are kept but not shown as topics."""
    db.execute("alter table theme_groups add column name text")
    db.execute("alter table theme_groups add column phrases text")
    db.execute("alter table themes add column generic integer not null default 0")


@migrations
def m012_forgotten(db: sqlite_utils.Database) -> None:
    """Customers erased with ``voice forget``: a salted hash of each of their handles (CRM id, e-mail,
    phone), never the handle itself, so that ingesting the same files or CRM export again does not bring
    them back."""
    db.execute("""
        create table forgotten (
            kind text not null,        -- crm_id | email | phone
            value_hash text not null,  -- sha256 of the store's salt and the normalised handle
            at text not null,
            primary key (kind, value_hash)
        )""")


@migrations
def m013_products(db: sqlite_utils.Database) -> None:
    """The user's product catalog, in the database (``voice products import``): what the analysis finds
    mentions of. ``version`` is the import that last changed a product; a product left out of a later
    import with ``--replace`` is retired, not deleted (its mentions keep their id)."""
    db.execute("""
        create table products (
            id text primary key,
            name text not null,
            category text,
            price real,
            aliases text,              -- JSON {lang: [alias, ...]}
            status text not null default 'active',   -- active | retired
            version integer not null,
            source text,               -- the file it came from
            updated_at text not null
        )""")


@migrations
def m014_lifecycle_stage(db: sqlite_utils.Database) -> None:
    """Each customer's lifecycle stage (new, active, loyal, at_risk, lapsed): voice.scoring.lifecycle. The
    fingerprints are cleared so that the next ``voice score`` computes every customer's stage once."""
    db.execute("alter table relationships add column stage text")
    db.execute("update relationships set fingerprint = null")


@migrations
def m015_campaigns(db: sqlite_utils.Database) -> None:
    """Campaigns measured (voice.campaigns): each segment export, the customers it chose in their arm
    (targeted: in the CSV; holdout: chosen alike and left out at random), and the outcomes the campaign
    tool reports back."""
    db.execute("""
        create table campaigns (
            id text primary key,
            name text not null,
            product_id text,
            created_at text not null,
            criteria text not null,        -- JSON: product, min_interest, consent, stages, holdout, excluded
            holdout_share real not null default 0,
            output text                    -- the CSV written
        )""")
    db.execute("""
        create table campaign_members (
            campaign_id text not null references campaigns(id) on delete cascade,
            customer_id text not null,
            arm text not null,             -- targeted | holdout
            interest real,                 -- the interest score at export
            stage text,                    -- the lifecycle stage at export
            primary key (campaign_id, customer_id)
        )""")
    db.execute("""
        create table campaign_outcomes (
            campaign_id text not null references campaigns(id) on delete cascade,
            customer_id text not null,
            contacted integer, responded integer, converted integer,   -- 1, 0 or unknown
            value real,
            source text,
            imported_at text not null,
            primary key (campaign_id, customer_id)
        )""")
    db.execute("create index campaign_outcomes_customer on campaign_outcomes (customer_id)")
    db.execute("create index campaign_members_customer on campaign_members (customer_id)")


@migrations
def m016_language_in_word_index(db: sqlite_utils.Database) -> None:
    """The analysed language of each interaction inside the word index, so that a search keeps its query's
    language in FTS5 itself (``... NOT lang : "en"``) instead of ranking every match and checking the
    language after: at a million interactions a Spanish query whose stem English shares ("cancel*":
    cancelado / cancelled) ranked 200,000 English matches first (115-370 ms; 30 ms with the language
    inside). ``interactions.lang`` copies ``analyses.lang`` (kept by triggers on analyses); the index is
    rebuilt once (27 s at 1,000,000 short messages: ``SLOW``). Its update trigger now fires only when the indexed
    columns change: linking an interaction to a customer no longer re-indexes its text."""
    db.execute("alter table interactions add column lang text")
    db.execute("update interactions set lang = (select a.lang from analyses a where a.interaction_id = interactions.id)")
    for trigger in ("interactions_ai", "interactions_ad", "interactions_au"):
        db.execute(f"drop trigger if exists {trigger}")
    db.execute("drop table if exists interactions_fts")
    db.execute("create virtual table interactions_fts using fts5(subject, text, lang, "
               "tokenize='unicode61 remove_diacritics 2', content='interactions')")
    cols, old = "subject, text, lang", "old.subject, old.text, old.lang"
    db.execute(f"""create trigger interactions_ai after insert on interactions begin
        insert into interactions_fts (rowid, {cols}) values (new.rowid, new.subject, new.text, new.lang); end""")
    db.execute(f"""create trigger interactions_ad after delete on interactions begin
        insert into interactions_fts (interactions_fts, rowid, {cols}) values ('delete', old.rowid, {old}); end""")
    db.execute(f"""create trigger interactions_au after update of {cols} on interactions begin
        insert into interactions_fts (interactions_fts, rowid, {cols}) values ('delete', old.rowid, {old});
        insert into interactions_fts (rowid, {cols}) values (new.rowid, new.subject, new.text, new.lang); end""")
    db.execute("insert into interactions_fts (interactions_fts) values ('rebuild')")
    # the language follows the analysis (insert or replace fires the insert trigger)
    keep = "update interactions set lang = new.lang where id = new.interaction_id and lang is not new.lang"
    db.execute(f"create trigger analyses_lang_ai after insert on analyses begin {keep}; end")
    db.execute(f"create trigger analyses_lang_au after update of lang on analyses begin {keep}; end")
    db.execute("""create trigger analyses_lang_ad after delete on analyses begin
        update interactions set lang = null where id = old.interaction_id and lang is not null; end""")
