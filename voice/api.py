"""The Python API. Everything the CLI and the web app do goes through here.

>>> import voice
>>> v = voice.init("cx.db", region="ES", company_domains=["lunahogar.example"])
>>> v.import_customers(["crm/customers.csv"])
>>> v.ingest(["emails/", "calls/", "surveys/"])
>>> v.status().linked_pct
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._resources import resource
from .errors import ConfigError, InputError, NotFound, VoiceError
from .ingest import ReadOptions, iter_files, read_paths
from .ingest._base import DEFAULT_MAX_BYTES
from .link import LinkResult, link, unlinked
from .records import Customer, Interaction, TableColumns
from .scoring.history import parse_ts
from .store import Store

if TYPE_CHECKING:
    import pandas as pd

    from .campaigns import Campaign, CampaignResults, OutcomeImport
    from .encode import Encoder
    from .intent.fit import TaxonomyFit
    from .pipeline import AnalyzeReport, Pipeline
    from .pipeline.doc import Doc
    from .scoring import ScoreReport, ScoreSettings
    from .privacy import ForgetReport, RedactReport
    from .products.store import CatalogImport
    from .scoring.timeline import Timeline
    from .segments import Segment

Progress = Callable[[int, int, Path], None]  # (files done, files in all, file now)

BATCH_SIZE = 500
STALE_DAYS = 7  # data ending longer ago than this is scored as of its newest interaction


@dataclass
class RunReport:
    """What one ingest or import run did."""

    run_id: int
    files: int = 0
    seen: int = 0
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0
    linked: int = 0
    resolved: int = 0  # earlier quarantine entries whose files now read cleanly
    forgotten: int = 0  # records of customers erased with 'voice forget': not stored again
    columns: list = field(default_factory=list)  # TableColumns: what each table's columns became
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # the quarantine messages, first 50

    @property
    def rate(self) -> float:
        return self.seen / self.seconds if self.seconds else 0.0


@dataclass
class Status:
    customers: int
    interactions: int
    by_channel: dict[str, dict[str, int]]  # {"email": {"total": 40, "linked": 36}}
    linked: int
    unlinked_no_match: int
    unlinked_ambiguous: int
    linkable_unlinked: int  # unlinked although a customer has one of its handles: should be 0
    quarantined: int
    quarantined_by_kind: dict[str, int]
    last_run: dict | None

    @property
    def linked_pct(self) -> float:
        return 100.0 * self.linked / self.interactions if self.interactions else 0.0


class Voice:
    """A voice database and the operations on it."""

    def __init__(self, store: Store):
        self.store = store
        self._pipelines: dict = {}

    # --- lifecycle ---

    def close(self) -> None:
        from .search import forget

        forget(self.store)  # the search index kept for this store
        self.store.close()

    def __enter__(self) -> "Voice":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def read_options(self, *, encoding: str | None = None, dayfirst: bool | None = None,
                     mapping: dict[str, str] | None = None, max_mb: float | None = None,
                     sheet: str | None = None, date_format: str | None = None) -> ReadOptions:
        s = self.store.settings()
        return ReadOptions(
            company_domains=frozenset(s["company_domains"]),
            default_region=s["region"],
            max_bytes=int(max_mb * 1024 * 1024) if max_mb else DEFAULT_MAX_BYTES,
            encoding=encoding,
            dayfirst=dayfirst,
            mapping=dict(mapping or {}),
            sheet=sheet,
            timezone=s["timezone"],
            date_format=date_format,
        )

    # --- writing ---

    def import_customers(self, paths: Sequence[str | Path], *, mapping: dict[str, str] | None = None,
                         encoding: str | None = None, sheet: str | None = None,
                         progress: Progress | None = None) -> RunReport:
        """Import CRM exports (CSV/XLSX). Known customers are updated; then every
        unlinked interaction is linked again, so earlier contacts find them."""
        return self._run("customers import", paths, channel="customers", progress=progress,
                         options=self.read_options(mapping=mapping, encoding=encoding, sheet=sheet))

    def ingest(self, paths: Sequence[str | Path], *, channel: str | None = None,
               mapping: dict[str, str] | None = None, encoding: str | None = None,
               dayfirst: bool | None = None, max_mb: float | None = None, sheet: str | None = None,
               date_format: str | None = None, batch_size: int = BATCH_SIZE,
               progress: Progress | None = None) -> RunReport:
        """Read emails, transcripts and surveys from files and folders into the
        store, quarantine what cannot be read, and link what can. ``date_format``: the ``strptime`` form
        of a survey table's dates when the usual forms do not read them."""
        options = self.read_options(mapping=mapping, encoding=encoding, dayfirst=dayfirst, max_mb=max_mb,
                                    sheet=sheet, date_format=date_format)
        return self._run("ingest", paths, channel=channel, progress=progress, options=options,
                         batch_size=batch_size)

    def _run(self, command: str, paths: Sequence[str | Path], *, channel: str | None, options: ReadOptions,
             progress: Progress | None, batch_size: int = BATCH_SIZE) -> RunReport:
        start = time.perf_counter()
        missing = [str(p) for p in paths if not Path(p).exists()]
        if missing:
            raise VoiceError(f"no such file or folder: {', '.join(missing)}.", fix="check the path.")
        total = sum(1 for f in iter_files(paths) if isinstance(f, Path))  # a cheap first walk, for the progress bar
        report = RunReport(run_id=self.store.start_run(command, [str(p) for p in paths]), files=total)
        records: list[Interaction | Customer] = []
        errors: list[InputError] = []

        finished_files: list[str] = []  # read to the end since the last flush

        def flush() -> None:
            if records:
                if channel == "customers":
                    counts, problems = self.store.upsert_customers(records)  # type: ignore[arg-type]
                    errors.extend(problems)
                    report.updated += counts.updated
                else:
                    counts = self.store.add_interactions(records, report.run_id)  # type: ignore[arg-type]
                report.added += counts.added
                report.duplicates += counts.duplicates
                report.forgotten += counts.forgotten
                records.clear()
            if errors:
                report.quarantined += self.store.quarantine(errors, report.run_id)
                report.problems.extend(str(e) for e in errors[: max(0, 50 - len(report.problems))])
                errors.clear()
            report.resolved += self.store.resolve_quarantine(finished_files, report.run_id)
            finished_files.clear()

        done, current = 0, None
        for path, item in read_paths(paths, options, channel=channel, columns=True):
            if path != current:
                if current is not None:
                    finished_files.append(str(current))
                    done += 1
                    if progress:
                        progress(done, total, path)
                current = path
            if isinstance(item, TableColumns):
                report.columns.append(item)
                continue
            if isinstance(item, InputError):
                errors.append(item)
            else:
                report.seen += 1
                records.append(item)
            if len(records) >= batch_size or len(errors) + len(finished_files) >= batch_size:
                flush()
        if current is not None:
            finished_files.append(str(current))
        flush()
        if progress:
            progress(total, total, current or Path("."))
        if channel != "customers":
            self.store.resolve_threads()
        report.linked = self.link().linked
        report.seconds = time.perf_counter() - start
        self.store.finish_run(report.run_id, seen=report.seen, added=report.added, duplicates=report.duplicates,
                              quarantined=report.quarantined, linked=report.linked)
        return report

    def link(self) -> LinkResult:
        return link(self.store)

    def pipeline(self, pipeline: "str | Path | Pipeline | None" = None, *, encoder: "str | Encoder | None" = None
                 ) -> "Pipeline":
        """A built pipeline (the default one unless named), its encoder cached in
        this store. Built once per Voice and kept: models load once."""
        from .encode import CachedEncoder, load_encoder
        from .pipeline import Pipeline

        if pipeline is None:  # the database's own pipeline (voice config set pipeline FILE), else the default
            pipeline = self._setting("pipeline") or None
        key = (str(pipeline) if not isinstance(pipeline, Pipeline) else id(pipeline), str(encoder))
        if key not in self._pipelines:
            pipe = pipeline if isinstance(pipeline, Pipeline) else Pipeline.load(pipeline)
            spec = encoder or pipe.encoder
            enc = CachedEncoder(load_encoder(spec), self.store)
            self._pipelines[key] = pipe.build(enc)
            pipe.encoder_spec = spec if isinstance(spec, str) else None  # what worker processes load
        self._sync_catalog(self._pipelines[key])
        return self._pipelines[key]

    def _setting(self, key: str) -> str | None:
        row = self.store.db.execute("select value from settings where key = ?", [key]).fetchone()
        return row[0] if row else None

    #: what ``voice config set`` may change, with what it means
    CONFIG_KEYS = {
        "region": "country for phone numbers written without a prefix (ISO code, e.g. ES)",
        "timezone": "zone of times written without one (e.g. Europe/Madrid)",
        "company_domains": "your own e-mail domains, comma-separated: mail from them is an agent's",
        "pipeline": "the pipeline file analyze uses when none is named ('default' for the shipped one)",
        "redact": "on: mask personal data in everything stored (and what is stored already); off: from now on no",
    }

    def config(self) -> dict[str, Any]:
        """Every setting of this database in one place: region, time zone, company domains, the pipeline
        analyze uses, masking, and the product catalog's version and size."""
        from .privacy import redacting
        from .products.store import catalog_version

        s = self.store.settings()
        return {**s, "pipeline": self._setting("pipeline") or "default (shipped)",
                "redact": "on" if redacting(self.store) else "off",
                "catalog_version": catalog_version(self.store),
                "products": self.store.db.execute("select count(*) from products where status = 'active'")
                .fetchone()[0]}

    def configure(self, key: str, value: str) -> None:
        """Change one setting (:attr:`CONFIG_KEYS`); checked before it is written."""
        from .privacy import REDACT_KEY

        key = key.replace("-", "_")
        if key not in self.CONFIG_KEYS:
            raise ConfigError(f"there is no setting {key!r}.", fix="set one of: " + ", ".join(self.CONFIG_KEYS) + ".")
        if key in ("region", "timezone"):
            self.store.set_settings(**{key: value})
        elif key == "company_domains":
            self.store.set_settings(company_domains=[d for d in value.split(",") if d.strip()])
        elif key == "pipeline":
            if value.strip().lower() in ("", "default"):
                self.store.db.execute("delete from settings where key = 'pipeline'")
            else:
                from .pipeline import Pipeline

                path = Path(value).expanduser().resolve()
                Pipeline.load(path)  # refuse a file that does not load
                self.store.db.execute("insert or replace into settings (key, value) values ('pipeline', ?)", [str(path)])
            self._pipelines.clear()
        elif value.strip().lower() in ("on", "yes", "true", "1"):
            self.redact()
        elif value.strip().lower() in ("off", "no", "false", "0"):
            self.store.db.execute("insert or replace into settings (key, value) values (?, '0')", [REDACT_KEY])
        else:
            raise ConfigError(f"redact {value!r}: say on or off.", fix="voice config set redact on")

    def _sync_catalog(self, pipe: "Pipeline") -> None:
        """Steps that read the database's product catalog get its current version."""
        from .pipeline.pipeline import sync_catalog

        sync_catalog(pipe, self.store)

    def import_products(self, path: str | Path, *, replace: bool = False) -> "CatalogImport":
        """Your products, from a YAML or CSV catalog (id, name, category, price, aliases per language), into
        the database: the analysis finds mentions of them from the next ``analyze`` on. ``replace``:
        products not in this file are retired."""
        from .products.store import import_catalog

        return import_catalog(self.store, path, replace=replace)

    def analyze(self, pipeline: "str | Path | Pipeline | None" = None, *, all: bool = False,  # noqa: A002
                encoder: "str | Encoder | None" = None, batch_size: int | None = None, limit: int | None = None,
                progress: Callable[[int, int], None] | None = None, workers: int = 1, engine: str = "local",
                ray_address: str | None = None) -> "AnalyzeReport":
        """Run the analysis pipeline over interactions not analysed yet (``all``:
        every one again): language, sentences, sentiment, intents, keyphrases,
        product mentions and aspect sentiment, stored with their provenance. ``workers``: processes to
        run it in (each loads the models once; the results are the same as with one); ``engine="ray"``:
        Ray actors instead, on a local Ray or the cluster at ``ray_address``."""
        from .pipeline import analyze

        return analyze(self.store, self.pipeline(pipeline, encoder=encoder), all=all, batch_size=batch_size,
                       progress=progress, limit=limit, workers=workers, engine=engine, ray_address=ray_address)

    def correct(self, interaction_id: str, field: str, value: "str | Sequence[str]", *, sentence: int | None = None,
                by: str | None = None, note: str | None = None):
        """An analyst's correction of an interaction's (or one sentence's) sentiment, intents or theme:
        stored with who and when, applied at once, and again after any new analysis (:mod:`voice.learn`).
        Run ``score()`` afterwards for the customer's scores to follow."""
        from .learn import correct

        return correct(self.store, interaction_id, field, value, sentence=sentence, by=by, note=note)

    def taxonomy_fit(self, min_interactions: int = 50) -> "TaxonomyFit":
        """Whether the intents the analysis stored fit these interactions, with the figures that say
        why not (most negative ones only "other", one intent on most of them…): :mod:`voice.intent.fit`."""
        from .intent.fit import taxonomy_fit

        return taxonomy_fit(self.store, min_interactions)

    def read_texts(self, texts: Sequence[str], *, channel: str = "survey",
                   pipeline: "str | Path | Pipeline | None" = None) -> list["Doc"]:
        """Texts analysed as ``analyze`` would analyse a comment of ``channel``, without storing
        anything: the Docs with their sentences, sentiment, intents, keyphrases and mentions."""
        from .pipeline.doc import Doc

        docs = [Doc(f"text-{i}", channel, t) for i, t in enumerate(texts)]
        live = [d for d in docs if d.text.strip()]
        if live:
            self.pipeline(pipeline)(live)
        return docs

    def score(self, *, as_of: "dt.datetime | str | None" = None, full: bool = False,
              settings: "ScoreSettings | None" = None) -> "ScoreReport":
        """Customer intelligence for the customers whose history changed (``full``:
        all): experience per touchpoint and customer, product interest, open loops
        and relationship class, each stored with what explains it. ``as_of``: the
        date recency is measured from (a datetime, an ISO date, or "latest": the
        newest interaction; "now"). Default: now, or the newest interaction when the data ends more than
        :data:`STALE_DAYS` before today (old exports: every recency-weighted score would decay to nothing
        and no one would look at risk); the report's ``note`` says so."""
        from .scoring import ScoreSettings, score

        note = None
        when = self._as_of(None if as_of == "now" else as_of)
        if as_of is None:
            latest = self._as_of("latest")
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            if latest is not None and (now - latest.replace(tzinfo=None)).days > STALE_DAYS:
                when = latest
                note = (f"scored as of the newest interaction, {latest.date().isoformat()}: the data ends "
                        f"{(now - latest.replace(tzinfo=None)).days} days before today (--as-of now to score from "
                        "today, or --as-of YYYY-MM-DD)")
        report = score(self.store, as_of=when, full=full, settings=settings or ScoreSettings())
        report.note = note
        return report

    def _as_of(self, as_of: "dt.datetime | str | None") -> "dt.datetime | None":
        if as_of is None or isinstance(as_of, dt.datetime):
            return as_of
        if as_of == "latest":
            latest = self.store.db.execute("select max(timestamp) from interactions").fetchone()[0]
            return parse_ts(latest) if latest else None
        ts = parse_ts(as_of)
        if ts is None:
            raise ConfigError(f"as of {as_of!r} is not a date.", fix="write it as 2026-11-23, or 'latest'.")
        return ts

    def timeline(self, customer_id: str) -> "Timeline":
        """Everything a customer said, across channels, in order, with its analysis,
        experience and the loops still open: where to resume."""
        from .scoring.timeline import timeline

        return timeline(self.store, customer_id)

    def interested(self, product: str | None = None, *, min_interest: float = 0.0, top: int | None = 10
                   ) -> list[dict]:
        """Customers by interest in a product (or the top ones for every product), with the evidence."""
        from .scoring import interested

        if product is not None:
            known = [r[0] for r in self.store.db.execute("select distinct product_id from mentions order by 1")]
            if product not in known:
                raise NotFound(f"no customer has mentioned a product {product!r}.",
                                  fix="use one of: " + (", ".join(known) or "(none yet: run voice analyze)"))
        return interested(self.store, product, min_interest=min_interest, top=top)

    def valuable_at_risk(self, *, include_medium: bool = False) -> list[dict]:
        """High-value customers at risk, detractors, or with low or falling experience."""
        from .scoring import valuable_at_risk

        return valuable_at_risk(self.store, include_medium=include_medium)

    def potentially_profitable(self, *, min_interest: float = 0.6) -> list[dict]:
        """Customers with strong product interest and low value so far."""
        from .scoring import potentially_profitable

        return potentially_profitable(self.store, min_interest=min_interest)

    def value_needs(self) -> dict[str, dict]:
        """Per value band: customers, classes, dominant intents and wanted products."""
        from .scoring import value_needs

        return value_needs(self.store)

    def experience_by(self, by: str = "channel") -> dict[str, dict]:
        """Experience (0-100) per channel or touchpoint: recency-weighted, mean and count."""
        from .scoring import experience_by

        return experience_by(self.store, by)

    def redact(self) -> "RedactReport":
        """Mask personal data from now on and in what is stored (the analysis of changed interactions is
        removed: ``analyze`` makes it again from the masked text)."""
        from .privacy import redact_stored

        return redact_stored(self.store)

    def forget(self, customer_id: str) -> "ForgetReport":
        """Erase a customer and everything derived from them; their handles are remembered only as salted
        hashes, so that ingesting the same sources again does not bring them back."""
        from .privacy import forget

        return forget(self.store, customer_id)

    def segment(self, product: str, *, min_interest: float = 0.6, consent: str = "marketing",
                exclude_open_complaints: bool = False, stages: "list[str] | None" = None) -> "Segment":
        """Customers interested in a product, with contact, score and evidence; consent and open complaints respected."""
        from .segments import segment

        return segment(self.store, product, min_interest=min_interest, consent=consent,
                       exclude_open_complaints=exclude_open_complaints, stages=stages)

    def export_segment(self, product: str, path: "str | Path", *, campaign: str | None = None, holdout: float = 0.0,
                       preset: str = "generic", min_interest: float = 0.6, consent: str = "marketing",
                       exclude_open_complaints: bool = False, stages: "list[str] | None" = None) -> "Campaign":
        """A campaign's segment written to ``path`` as CSV (``preset``: generic, mailchimp, hubspot, brevo),
        and the campaign recorded: who was targeted, who was held out (a random ``holdout`` share of the
        segment, kept out of the CSV to measure against), when, by which criteria."""
        from .campaigns import record_campaign
        from .segments import PRESETS, write_csv

        if preset not in PRESETS:  # checked before anything is recorded
            raise InputError(f"unknown CSV preset {preset!r}.", fix=f"use one of: {', '.join(PRESETS)}.")
        seg = self.segment(product, min_interest=min_interest, consent=consent,
                           exclude_open_complaints=exclude_open_complaints, stages=stages)
        criteria = {"consent": consent, "exclude_open_problems": exclude_open_complaints, "stages": stages or [],
                    "preset": preset}
        camp = record_campaign(self.store, seg, campaign, holdout=holdout, criteria=criteria, output=str(path))
        targeted = type(seg)(seg.product_id, seg.min_interest, camp.targeted, seg.excluded)
        write_csv(targeted, path, preset)
        return camp

    def import_campaign_results(self, path: "str | Path", *, campaign: str | None = None,
                                mapping: dict[str, str] | None = None, encoding: str | None = None,
                                sheet: str | None = None) -> "OutcomeImport":
        """Outcomes from the campaign tool or the shop (customer, contacted, responded, converted, value)."""
        from .campaigns import import_outcomes

        return import_outcomes(self.store, path, campaign=campaign, sheet=sheet,
                               options=self.read_options(mapping=mapping, encoding=encoding))

    def campaigns(self) -> list[dict]:
        """Every recorded campaign, newest first."""
        from .campaigns import campaigns

        return campaigns(self.store)

    def campaign_results(self, campaign: str) -> "CampaignResults":
        """Conversion of the targeted vs the holdout (or the rest) with intervals, and the interest AUC."""
        from .campaigns import campaign_results

        return campaign_results(self.store, campaign)

    # --- DataFrames for analysts (voice.frames): the same filters as search ---

    def interactions(self, **filters) -> "pd.DataFrame":
        """One row per customer interaction: customer, channel, time, language, sentiment, intents (best
        first) and the top one, themes, theme group, products, NPS/CSAT/CES, touchpoint, experience, text.
        Filters: channel, sentiment, since, until, customer, theme, product, lang."""
        from .frames import interactions

        return interactions(self.store, **filters)

    def sentences(self, **filters) -> "pd.DataFrame":
        """One row per sentence: its text, language, kind (greeting, signature… or none), sentiment, theme."""
        from .frames import sentences

        return sentences(self.store, **filters)

    def customers_frame(self) -> "pd.DataFrame":
        """One row per customer with their scores, interactions, open loops and interests."""
        from .frames import customers

        return customers(self.store)

    def mentions(self, **filters) -> "pd.DataFrame":
        """One row per product mention with the polarity of what was said about it."""
        from .frames import mentions

        return mentions(self.store, **filters)

    def themes_frame(self) -> "pd.DataFrame":
        """One row per theme: group, generic, size, sentiment, mean NPS and NPS impact (drivers)."""
        from .frames import themes

        return themes(self.store)

    def search(self, query: str, *, limit: int = 20, mode: str = "hybrid", **filters) -> list:
        """Hybrid search (full text and meaning, es and en alike) with filters: channel, sentiment,
        since, until, customer, theme, product, lang. Returns voice.search.Hit rows, best first."""
        from .search import search

        return search(self.store, query, limit=limit, mode=mode, **filters)

    def facets(self, query: str | None = None, **filters) -> dict[str, list[dict]]:
        """How the matches spread over channel, sentiment, lang, theme and product, with counts: over a
        search's results when ``query`` is given (its first 50), else over every interaction passing the
        filters."""
        from .search import facet_counts, search

        if query:
            return facet_counts(self.store, [h.interaction_id for h in search(self.store, query, limit=50,
                                                                              **filters)])
        return facet_counts(self.store, **filters)

    def browse(self, *, limit: int = 50, offset: int = 0, **filters) -> tuple[list, int]:
        """The interactions passing the filters, newest first: (a page of voice.search.Hit rows, the total)."""
        from .search import browse

        return browse(self.store, limit=limit, offset=offset, **filters)

    # --- reading ---

    def status(self) -> Status:
        db = self.store.db
        by_channel: dict[str, dict[str, int]] = {}
        for channel, total, linked in db.execute(
                "select channel, count(*), count(customer_id) from interactions group by channel order by channel"):
            by_channel[channel] = {"total": total, "linked": linked}
        interactions = sum(c["total"] for c in by_channel.values())
        linked = sum(c["linked"] for c in by_channel.values())
        ambiguous = self.store.count("interactions", "customer_id is null and link_method = 'ambiguous'")
        linkable = int(db.execute("""
            select count(distinct x.id) from interactions x
            join interaction_handles h on h.interaction_id = x.id and h.customer_side = 1
            join identities i on i.kind = h.kind and i.value = h.value
            where x.customer_id is null and coalesce(x.link_method, '') != 'ambiguous'""").fetchone()[0])
        kinds = Counter(dict(db.execute(
            "select kind, count(*) from quarantine where resolved_at is null group by kind").fetchall()))
        runs = self.store.runs(1)
        return Status(
            customers=self.store.count("customers"),
            interactions=interactions,
            by_channel=by_channel,
            linked=linked,
            unlinked_no_match=interactions - linked - ambiguous - linkable,
            unlinked_ambiguous=ambiguous,
            linkable_unlinked=linkable,
            quarantined=sum(kinds.values()),
            quarantined_by_kind=dict(kinds),
            last_run=runs[0] if runs else None,
        )

    def analysis_summary(self, top: int = 5) -> dict:
        """What the analysis found, in a few numbers: sentiment per channel, the
        most frequent intents, keyphrases and products (with their mean aspect
        polarity). Counts only interactions with something of the customer's."""
        db = self.store.db
        sentiment = {ch: {"n": n, "negative": neg, "neutral": neu, "positive": pos, "mean_score": mean}
                     for ch, n, neg, neu, pos, mean in db.execute("""
            select x.channel, count(*), sum(a.sentiment = 'negative'), sum(a.sentiment = 'neutral'),
                   sum(a.sentiment = 'positive'), round(avg(a.sentiment_score), 3)
            from analyses a join interactions x on x.id = a.interaction_id
            where a.sentiment is not null group by x.channel order by x.channel""")}
        intents = db.execute("select intent, count(*) n from intents where intent != 'other'"
                             " group by intent order by n desc, intent limit ?", [top]).fetchall()
        phrases = db.execute("select phrase, count(*) n from keyphrases group by phrase order by n desc, phrase"
                             " limit ?", [top]).fetchall()
        products = db.execute("""
            select product_id, count(distinct interaction_id) n, round(avg(polarity_score), 3)
            from mentions group by product_id order by n desc, product_id limit ?""", [top]).fetchall()
        return {"sentiment": sentiment, "intents": intents, "keyphrases": phrases, "products": products}

    def unlinked(self, limit: int | None = 100) -> list[dict]:
        return unlinked(self.store, limit)

    def quarantined(self, run_id: int | None = None, limit: int | None = None, *,
                    resolved: bool = False) -> list[dict]:
        return self.store.quarantined(run_id, limit, resolved=resolved)

    def interaction(self, interaction_id: str) -> dict | None:
        return self.store.interaction(interaction_id)

    def customer(self, customer_id: str) -> dict | None:
        return self.store.customer(customer_id)


def init(db: str | Path, *, region: str | None = None, company_domains: Iterable[str] | None = None,
         timezone: str | None = None, redact: bool = False) -> Voice:
    """Make a database (or upgrade an existing one) and record its settings:
    the phone region, the company's own email domains, and the time zone of
    times written without one. ``redact``: mask personal data (e-mail addresses, phone, card and IBAN
    numbers, national ids) in everything stored from now on, and in what is stored already
    (:mod:`voice.privacy`)."""
    store = Store.open(db, create=True)
    try:
        store.set_settings(region=region, timezone=timezone,
                           company_domains=list(company_domains) if company_domains is not None else None)
    except VoiceError:
        store.close()
        raise
    v = Voice(store)
    if redact:
        v.redact()
    return v


def open(db: str | Path) -> Voice:  # noqa: A001 - voice.open reads like sqlite3.connect
    """Open an existing database (its schema is upgraded if this version is newer)."""
    return Voice(Store.open(db))


EXAMPLES = resource("examples")


@dataclass
class DemoResult:
    customers: RunReport
    ingest: RunReport
    status: Status
    analysis: "AnalyzeReport"
    summary: dict
    scores: "ScoreReport | None" = None
    themes: Any = None  # voice.themes.ThemeReport
    report: Path | None = None
    sentiment_checks: list[dict] = field(default_factory=list)
    groups: Any = None  # voice.themes.GroupReport


def demo(db: str | Path, examples: str | Path = EXAMPLES) -> DemoResult:
    """The main job on the bundled examples: a fresh database, the CRM export,
    then every email, call and survey (and the deliberately bad files), then the
    analysis of what the customers wrote and said."""
    examples = Path(examples)
    if not examples.is_dir():
        raise VoiceError(f"the examples folder {examples} is missing.",
                         fix="run the demo from a clone of the voice repository, or pass --examples.")
    v = init(db, region="ES", company_domains=["lunahogar.example"], timezone="Europe/Madrid")
    with v:
        customers = v.import_customers(sorted((examples / "crm").glob("*.csv")))
        v.import_products(examples / "catalog" / "products.yaml")  # as a user imports theirs
        sources = [examples / name for name in ("emails", "calls", "surveys", "bad") if (examples / name).exists()]
        ingest = v.ingest(sources)
        analysis = v.analyze()
        scores = v.score(as_of="latest")  # the examples' own "today": the demo reads the same every year
        from .report import write_report
        from .themes import discover, find_groups

        found = discover(v.store)
        groups = find_groups(v.store)
        report = write_report(v.store, Path(db).parent / "report.html", title="Luna Hogar — customer voice")
        checks = sentiment_checks(v, examples / "sentiment_checks.csv")
        return DemoResult(customers, ingest, v.status(), analysis, v.analysis_summary(), scores, found, report,
                          checks, groups)


def sentiment_checks(v: Voice, path: Path) -> list[dict]:
    """The sentences in ``path`` (text, expected[, why]) as the pipeline reads them: label and score."""
    import csv

    with path.open(encoding="utf-8", newline="") as fh:  # this module's open() is voice.open
        rows = list(csv.DictReader(fh))
    docs = v.read_texts([r["text"] for r in rows])
    return [{**r, "label": d.sentiment, "score": d.sentiment_score} for r, d in zip(rows, docs)]
