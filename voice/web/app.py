"""The FastAPI app and the function ``voice serve`` calls.

Handlers only read their query, call :mod:`voice.api` (or the report, search and
themes packages) and render a template; the few reads the API lacks are in
:mod:`voice.web.reads`. Security, in one place (:func:`_guard`):

* the database is opened read-only for every request (:mod:`voice.store.readonly`);
* :func:`serve` binds 127.0.0.1 and refuses any other host unless a token is given;
* with a token, every request carries it (``Authorization: Bearer``, or the
  cookie set by one visit to ``/?token=...``), else 401;
* without a token only loopback Host headers are answered (no DNS rebinding);
* every page is escaped by Jinja2's autoescape and sent with a strict
  Content-Security-Policy (no inline script, nothing from another origin);
* the one write, an analyst's correction (``POST /interactions/{id}/correct``), exists only when the app
  runs with a token (without one the app is read-only: anyone on the machine could post); it opens the
  file read-write for that request alone, refuses a form posted from another origin, and stores who
  corrected what (:mod:`voice.learn`).
"""

from __future__ import annotations

import datetime as dt
import io
import hmac
import ipaddress
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..api import Voice
from ..errors import ConfigError, NotFound, VoiceError
from .. import report as report_mod
from .. import search as search_mod
from .. import themes as themes_mod
from ..learn import correct as correct_one
from ..segments import COLUMNS, PRESETS, write_csv
from ..store import Store
from . import reads
from .readonly import check_database, open_readonly
from .render import make_environment

HERE = Path(__file__).resolve().parent
COOKIE = "voice_token"
MIN_TOKEN = 16
LOOPBACK_NAMES = ("localhost",)
SENTIMENTS = ("negative", "neutral", "positive")
EXAMPLES_PER_PAGE = 20
BROWSE_PAGE = 50        # interactions per page when narrowing by filters with no query
HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # a ?token= in the address never leaks to another site
    "Cache-Control": "no-store",  # customer data stays out of shared caches
}


class BadQuery(VoiceError):
    """A filter in the address is not valid (a date that is not one, an interest above 1)."""


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_token(token: str | None) -> str | None:
    if token is None:
        return None
    if len(token) < MIN_TOKEN:
        raise ConfigError(f"the token is too short ({len(token)} characters; at least {MIN_TOKEN}).",
                          fix="make one with: python -c \"import secrets; print(secrets.token_urlsafe(24))\"")
    return token


def default_workers() -> int:
    """Processes to serve with: one per core, up to 4 (each holds its own read-only connection and, once
    search is used, its own copy of the encoder, ~250 MB)."""
    import os

    return max(1, min(4, os.cpu_count() or 1))


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8765, token: str | None = None, *,
          log_level: str = "info", announce: Callable[[], None] | None = None, workers: int | None = None) -> None:
    """Serve the web app until interrupted. Binds the loopback interface unless a
    token is given: anyone who can reach another interface would read every
    customer's words. Blocks; ``announce`` is called once the settings and the
    database have been checked (the CLI prints the address there). ``workers``: processes answering
    requests (default :func:`default_workers`): one process answers one request at a time (its
    connection is not shared between threads), so on 2 cores two of them halve the wait under load."""
    import os

    if not is_loopback(host) and token is None:
        raise ConfigError(f"refusing to serve on {host} without a token: anyone on that network could read "
                          "every customer's messages.",
                          fix="keep the default --host 127.0.0.1, or pass --token with a secret of 16+ characters "
                              "(every request must then carry it).")
    workers = workers or default_workers()
    app = create_app(db_path, token=token)  # checks the database and the token before anything starts
    if announce is not None:
        announce()
    import uvicorn

    options = {"host": host, "port": port, "log_level": log_level, "server_header": False, "proxy_headers": False}
    if workers == 1:
        uvicorn.run(app, **options)
        return
    app.state.voice.close()
    os.environ[_DB_ENV] = str(check_database(db_path))
    if token is not None:
        os.environ[_TOKEN_ENV] = token  # the worker processes inherit it; it never reaches a command line
    uvicorn.run("voice.web.app:app_from_environment", factory=True, workers=workers, **options)


_DB_ENV, _TOKEN_ENV = "VOICE_WEB_DB", "VOICE_WEB_TOKEN"


def app_from_environment() -> FastAPI:
    """The app for one of :func:`serve`'s worker processes (uvicorn imports it by name)."""
    import os

    return create_app(os.environ[_DB_ENV], token=os.environ.get(_TOKEN_ENV))


def open_voice(request: Request) -> Iterator[Voice]:
    """The app's read-only Voice, for one request at a time."""
    with request.app.state.lock:
        yield request.app.state.voice


VoiceDep = Annotated[Voice, Depends(open_voice)]


# --- the app -------------------------------------------------------------------------------------------------


def create_app(db_path: str | Path, *, token: str | None = None) -> FastAPI:
    """The web app on the database at ``db_path``, opened read-only for each
    request. ``token``: every request must carry it. Raises
    :class:`ConfigError` (with the fix) when the database is missing or unreadable."""
    path = check_database(db_path)
    token = _check_token(token)
    # One read-only connection for the app's life (search keeps its vector index
    # per connection), used by one request at a time: sqlite3 connections are not
    # meant for concurrent use, and a team's dashboard does not need parallel reads.
    shared = Voice(open_readonly(path))
    lock = threading.Lock()
    # The report is computed on a connection of its own (a minute at a million interactions, the first time
    # for each state of the database): meanwhile the other pages answer on the shared one. Its lock makes a
    # second visitor wait for the first one's result instead of computing it again.
    reporter = Voice(open_readonly(path))
    reporter_lock = threading.Lock()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        shared.close()
        reporter.close()

    app = FastAPI(title="voice", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.voice = shared
    app.state.lock = lock
    templates = Jinja2Templates(env=make_environment(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def _guard(request: Request, call_next):
        response = _refuse(request, token)
        if response is None:
            try:
                response = await call_next(request)
            except Exception:  # noqa: BLE001 - a bug must not answer without the security headers
                import logging

                logging.getLogger("voice.web").exception("error serving %s", request.url.path)
                response = PlainTextResponse("voice: this page failed (the error is in the server's log). "
                                             "Go back and try other filters.", status_code=500)
        response.headers.update(HEADERS)
        return response

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("db_name", path.name)
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound):
        return page(request, "error.html", 404, title="Not found", error=exc)

    @app.exception_handler(VoiceError)
    async def _voice_error(request: Request, exc: VoiceError):
        return page(request, "error.html", 400, title="Cannot show this", error=exc)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        return page(request, "error.html", exc.status_code, title=str(exc.detail),
                    error=VoiceError(str(exc.detail)))

    # --- pages ---

    @app.get("/", response_class=HTMLResponse)
    def dashboard(request: Request, *, since: str | None = None, until: str | None = None, channel: str | None = None,
                  segment: str | None = None, lang: str | None = None):
        filters = {"since": _date(since, "since"), "until": _date(until, "until"), "channel": _text(channel),
                   "segment": _text(segment), "lang": _text(lang)}
        data, charts = dashboard_data(filters)  # on the report's connection: the shared one stays free
        with lock:
            status = shared.status()
            choices = {"channel": reads.channels(shared.store), "segment": reads.customer_segments(shared.store),
                       "lang": reads.languages(shared.store)}
        return page(request, "dashboard.html", title="Dashboard", filters=filters, data=data,
                    charts=charts, status=status, at_risk=data.valuable_at_risk[:5], choices=choices)

    def dashboard_data(filters: dict) -> tuple:
        """The report's tables and charts for these filters, computed on the report's own connection and
        kept there while the database stays the same (``Store.kept``: another connection's commit, an ingest
        or an analysis, empties it)."""
        with reporter_lock:
            dashboards = reporter.store.kept("dashboards")
            key = tuple(sorted((k, str(val)) for k, val in filters.items()))
            if key not in dashboards:
                if len(dashboards) >= 32:
                    dashboards.clear()
                data = report_mod.report_data(reporter.store, **filters)
                dashboards[key] = (data, report_mod.render.charts_for(data))
            return dashboards[key]

    @app.get("/themes", response_class=HTMLResponse)
    def themes(request: Request, *, v: VoiceDep):
        generic = themes_mod.generic_theme_ids(v.store)
        rows = themes_mod.list_themes(v.store)
        return page(request, "themes.html", title="Themes", groups=themes_mod.list_groups(v.store),
                    themes=[t for t in rows if t["id"] not in generic],
                    generic=[t for t in rows if t["id"] in generic])

    @app.get("/groups/{group_id}", response_class=HTMLResponse)
    def group(request: Request, *, group_id: str, v: VoiceDep):
        found = next((g for g in themes_mod.list_groups(v.store, generic=True) if g["id"] == group_id), None)
        if found is None:
            raise NotFound(f"there is no theme group {group_id!r}.",
                           fix="pick one from the themes page (groups are found again by 'voice themes discover').")
        return page(request, "group.html", title=f"Group {found['title']}", group=found,
                    examples=themes_mod.group_examples(v.store, group_id, limit=20))

    @app.get("/themes/{theme_id}", response_class=HTMLResponse)
    def theme(request: Request, *, theme_id: str, v: VoiceDep):
        found = next(iter(themes_mod.list_themes(v.store, include=("active", "proposed", "retired", "merged"),
                                                 ids=[theme_id])), None)
        if found is None:
            raise NotFound(f"there is no theme {theme_id!r}.", fix="pick one from the themes page.")
        raw = request.query_params.get("page") or "1"
        try:
            number = min(max(1, int(raw)), 10 ** 9)  # an offset SQLite can hold
        except ValueError:
            raise BadQuery(f"page={raw!r} is not a page number.", fix="use page=1, 2, …") from None
        pages = max(1, -(-(found["sentences"] or 0) // EXAMPLES_PER_PAGE))
        unit, trend = report_mod.data.factor_trend(v.store, theme=theme_id)
        return page(request, "theme.html", title=f"Theme {found['name']}", theme=found, page_number=number,
                    pages=pages, examples=themes_mod.theme_examples(v.store, theme_id, limit=EXAMPLES_PER_PAGE,
                                                                    offset=(number - 1) * EXAMPLES_PER_PAGE),
                    trend=trend, unit=unit)

    @app.get("/products/{product_id}", response_class=HTMLResponse)
    def product_page(request: Request, *, product_id: str, v: VoiceDep):
        row = v.store.db.execute("select id, name, category, status from products where id = ?",
                                 [product_id]).fetchone()
        mentioned = v.store.db.execute("select count(distinct interaction_id) from mentions where product_id = ?",
                                       [product_id]).fetchone()[0]
        if row is None and not mentioned:
            raise NotFound(f"there is no product {product_id!r}.",
                           fix="pick one from the dashboard (products mentioned) or voice products list.")
        unit, trend = report_mod.data.factor_trend(v.store, product=product_id)
        data, _ = dashboard_data({"since": None, "until": None, "channel": None, "segment": None, "lang": None})
        said = next((p for p in data.products if p["product_id"] == product_id), None)
        interest = next((p for p in data.product_interest if p["product_id"] == product_id), None)
        drivers = [d for d in data.drivers if d["kind"] == "product" and d["factor"] == product_id
                   and d["outcome"] == "experience"]
        return page(request, "product.html", title=f"Product {product_id}", product_id=product_id,
                    product=dict(zip(("id", "name", "category", "status"), row)) if row else None,
                    mentioned=mentioned, said=said, interest=interest, driver=drivers[0] if drivers else None,
                    trend=trend, unit=unit)

    @app.get("/search", response_class=HTMLResponse)
    def search(request: Request, *, q: str = "", channel: str | None = None, sentiment: str | None = None,
               since: str | None = None, until: str | None = None, customer: str | None = None,
               theme: str | None = None, product: str | None = None, lang: str | None = None,
               v: VoiceDep):
        filters = {"channel": _text(channel), "sentiment": _choice(sentiment, SENTIMENTS, "sentiment"),
                   "since": _date(since, "since"), "until": _date(until, "until"), "customer": _text(customer),
                   "theme": _text(theme), "product": _text(product), "lang": _text(lang)}
        total = None
        raw = request.query_params.get("page") or "1"
        try:
            number = min(max(1, int(raw)), 10 ** 9)  # an offset SQLite can hold
        except ValueError:
            raise BadQuery(f"page={raw!r} is not a page number.", fix="use page=1, 2, …") from None
        if q.strip():
            hits = search_mod.search(v.store, q.strip(), **filters, limit=50)
            facets = search_mod.facet_counts(v.store, [h.interaction_id for h in hits])
        elif any(filters.values()):  # no query: what passes the filters, newest first, to narrow by facets
            hits, total = search_mod.browse(v.store, **filters, limit=BROWSE_PAGE, offset=(number - 1) * BROWSE_PAGE)
            facets = search_mod.facet_counts(v.store, **filters)
        else:
            hits, facets = None, search_mod.facet_counts(v.store)
        theme_names = dict(v.store.db.execute("select id, coalesce(name, label, id) from themes")) if hits else {}
        return page(request, "search.html", title=f"Search: {q}" if q else "Search", q=q, filters=filters,
                    hits=hits, theme_names=theme_names, facets=facets, total=total, page_number=number,
                    pages=max(1, -(-(total or 0) // BROWSE_PAGE)), facet_url=_facet_url(q, filters),
                    choices={"channel": reads.channels(v.store), "sentiment": SENTIMENTS,
                             "product": reads.mentioned_products(v.store), "lang": reads.languages(v.store)})

    def _facet_url(q: str, filters: dict):
        """url(dim, value) -> the search URL with that facet set (value None: taken off), the rest kept."""
        from urllib.parse import urlencode

        def url(dim: str, value) -> str:
            params = {k: str(v) for k, v in filters.items() if v not in (None, "")}
            if q:
                params["q"] = q
            if value is None:
                params.pop(dim, None)
            else:
                params[dim] = str(value)
            return "/search?" + urlencode(params)
        return url

    @app.get("/customers", response_class=HTMLResponse)
    def customers(request: Request, *, q: str | None = None, v: VoiceDep):
        raw = request.query_params.get("page") or "1"
        try:
            number = min(max(1, int(raw)), 10 ** 9)  # an offset SQLite can hold
        except ValueError:
            raise BadQuery(f"page={raw!r} is not a page number.", fix="use page=1, 2, …") from None
        rows, total = reads.customer_directory(v.store, _text(q), number)
        return page(request, "customers.html", title="Customers", rows=rows, total=total, q=_text(q) or "",
                    page_number=number, pages=max(1, -(-total // reads.PAGE_SIZE)))

    @app.get("/customers/{customer_id:path}", response_class=HTMLResponse)  # a CRM id may hold "/"
    def customer(request: Request, *, customer_id: str, v: VoiceDep):
        tl = v.timeline(customer_id)
        return page(request, "customer.html", title=tl.customer.get("name") or customer_id, tl=tl,
                    record=v.customer(customer_id))

    @app.get("/interactions/{interaction_id}", response_class=HTMLResponse)
    def interaction(request: Request, *, interaction_id: str, v: VoiceDep):
        item = v.interaction(interaction_id)
        if item is None:
            raise NotFound(f"there is no interaction {interaction_id!r}.",
                           fix="follow a link from a customer's timeline or a search result.")
        theme_ids = themes_mod.interaction_themes(v.store, interaction_id)
        who = v.customer(item["customer_id"]) if item.get("customer_id") else None
        return page(request, "interaction.html", title=item.get("subject") or f"Interaction {interaction_id}",
                    item=item, who=who, analysis=reads.interaction_analysis(v.store, interaction_id),
                    theme_ids=theme_ids, theme_names=reads.theme_names(v.store, theme_ids),
                    can_correct=token is not None, sentiments=SENTIMENTS,
                    corrected=_text(request.query_params.get("corrected")),
                    corrections=reads.interaction_corrections(v.store, interaction_id),
                    theme_choices=reads.theme_choices(v.store) if token is not None else [])

    @app.post("/interactions/{interaction_id}/correct")
    async def correct(request: Request, interaction_id: str):
        if token is None:
            raise HTTPException(403, "Corrections need 'voice serve --token …': without a token the app is "
                                     "read-only. Or correct on the command line: voice label …")
        form = await _posted_form(request)
        field = _choice(form.get("field"), ("sentiment", "intent", "theme"), "field")
        if field is None:
            raise BadQuery("no field to correct.", fix="send field=sentiment|intent|theme and value=….")
        raw = (form.get("sentence") or "").strip()
        if raw and not raw.isdigit():
            raise BadQuery(f"sentence={raw!r} is not a sentence number.", fix="sentences are numbered from 0.")
        value: str | list[str] = (form.get("value") or "").strip()
        if field == "intent":
            value = [x.strip() for x in re.split(r"[,;\s]+", value) if x.strip()]

        def write() -> None:  # in a worker thread: the lock may be held by a request being served
            with lock:
                writer = Store.open(path)
                try:
                    correct_one(writer, interaction_id, field, value, sentence=int(raw) if raw else None,
                                by=(form.get("by") or "").strip()[:80] or "web", note="web app")
                finally:
                    writer.close()

        await run_in_threadpool(write)
        return RedirectResponse(f"/interactions/{quote(interaction_id, safe='')}?corrected={field}#analysis",
                                status_code=303)

    async def _posted_form(request: Request) -> dict[str, str]:
        """A form posted from this app's own pages (a form sent from another site is refused)."""
        origin = request.headers.get("origin")
        if origin and origin != "null" and origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}":
            raise HTTPException(403, "This form was sent from another site.")
        return {k: val for k, val in parse_qsl((await request.body()).decode("utf-8", "replace"),
                                               keep_blank_values=True)}

    @app.post("/segments/campaign")
    async def segment_campaign(request: Request):
        """The segment recorded as a campaign (targeted and a random holdout) and its CSV downloaded: what
        ``voice export segment --campaign`` does, for a marketer in the browser. Needs the token."""
        if token is None:
            raise HTTPException(403, "Recording a campaign needs 'voice serve --token …': without a token the app "
                                     "is read-only. Or: voice export segment --campaign NAME --holdout 0.1 …")
        form = await _posted_form(request)
        seg_form = _segment_form(form.get("product"), form.get("min_interest"), form.get("consent"),
                                 form.get("exclude_open_complaints"))
        if not seg_form["product"]:
            raise BadQuery("no product chosen for the segment.", fix="choose a product on the segments page.")
        raw = (form.get("holdout") or "0").strip()
        try:
            holdout = float(raw)
        except ValueError:
            raise BadQuery(f"holdout={raw!r} is not a number.", fix="give a share between 0 and 0.5, e.g. 0.1.") from None
        preset = (form.get("preset") or "generic").strip()
        if preset not in PRESETS:
            raise BadQuery(f"unknown preset {preset!r}.", fix=f"use one of: {', '.join(PRESETS)}.")
        name = (form.get("campaign") or "").strip()[:120] or None

        def record() -> tuple:
            from ..campaigns import record_campaign
            from ..segments import segment as build

            with lock:
                writer = Store.open(path)
                try:
                    seg = build(writer, **seg_form)
                    camp = record_campaign(writer, seg, name, holdout=holdout, output="web app",
                                           criteria={"consent": seg_form["consent"], "preset": preset,
                                                     "exclude_open_problems": seg_form["exclude_open_complaints"]})
                    return seg, camp
                finally:
                    writer.close()

        seg, camp = await run_in_threadpool(record)
        targeted = type(seg)(seg.product_id, seg.min_interest, camp.targeted, seg.excluded)
        body = write_csv(targeted, io.StringIO(), preset).getvalue().encode("utf-8-sig")
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="campaign-{camp.id}.csv"',
                                 "X-Voice-Campaign": camp.id})

    @app.get("/campaigns", response_class=HTMLResponse)
    def campaigns_page(request: Request, *, v: VoiceDep):
        from ..campaigns import campaign_tables, campaigns

        # the report's own computation (report_data calls it too), not the whole report for one section
        return page(request, "campaigns.html", title="Campaigns", measured=campaign_tables(v.store),
                    recorded=campaigns(v.store))

    @app.get("/segments", response_class=HTMLResponse)
    def segments(request: Request, *, product: str | None = None, min_interest: str | None = None,
                 consent: str | None = None, exclude_open_complaints: str | None = None,
                 v: VoiceDep):
        form = _segment_form(product, min_interest, consent, exclude_open_complaints)
        seg = v.segment(**form) if form["product"] else None
        query = urlencode({k: ("1" if v_ is True else v_) for k, v_ in form.items() if v_ not in (None, False)})
        return page(request, "segments.html", title="Segments", form=form, seg=seg, columns=COLUMNS,
                    csv_url=f"/segments.csv?{query}", can_record=token is not None, presets=list(PRESETS),
                    choices={"product": reads.products_with_interest(v.store),
                             "consent": reads.consent_kinds(v.store)})

    @app.get("/segments.csv")
    def segments_csv(*, product: str | None = None, min_interest: str | None = None, consent: str | None = None,
                     exclude_open_complaints: str | None = None, v: VoiceDep):
        form = _segment_form(product, min_interest, consent, exclude_open_complaints)
        if not form["product"]:
            raise BadQuery("no product chosen for the segment.", fix="add ?product=... (see the segments page).")
        seg = v.segment(**form)
        body = write_csv(seg, io.StringIO()).getvalue().encode("utf-8-sig")
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", form["product"]) or "segment"
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="segment-{name}.csv"'})

    @app.get("/at-risk", response_class=HTMLResponse)
    def at_risk(request: Request, *, include_medium: str | None = None, v: VoiceDep):
        medium = _flag(include_medium)
        return page(request, "at_risk.html", title="Valuable customers at risk", include_medium=medium,
                    rows=v.valuable_at_risk(include_medium=medium))

    @app.get("/report.css")
    def report_css():
        return Response(report_mod.css(), media_type="text/css; charset=utf-8")

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz():
        return "ok"

    return app


# --- security ----------------------------------------------------------------------------------------------


def _refuse(request: Request, token: str | None) -> Response | None:
    """The response that refuses the request, or None to let it through."""
    if token is None:
        # No token means loopback only: refuse other Host names, so that a web page
        # that rebinds its own name to 127.0.0.1 cannot read the app from the browser.
        if not is_loopback(request.url.hostname or ""):
            return PlainTextResponse("This voice server answers only on 127.0.0.1 / localhost.", status_code=400)
        return None
    given = request.query_params.get("token")
    if given is not None and _same(given, token):
        # Trade the token in the address for a cookie, and drop it from the address.
        rest = [(k, val) for k, val in request.query_params.multi_items() if k != "token"]
        target = "/" + request.url.path.lstrip("/") + ("?" + urlencode(rest) if rest else "")  # never //host
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response
    auth = request.headers.get("authorization", "")
    bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
    for candidate in (bearer, request.cookies.get(COOKIE)):
        if candidate is not None and _same(candidate, token):
            return None
    return PlainTextResponse("voice: a token is required. Open the address 'voice serve' printed (it ends in "
                             "?token=...), or send 'Authorization: Bearer <token>'.", status_code=401,
                             headers={"WWW-Authenticate": 'Bearer realm="voice"'})


def _same(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


# --- reading the query --------------------------------------------------------------------------------------


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "on", "yes")


def _date(value: str | None, name: str) -> dt.date | None:
    value = _text(value)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadQuery(f"{name}={value!r} is not a date.", fix="write it as YYYY-MM-DD, e.g. 2026-10-01.") from None


def _choice(value: str | None, valid: tuple[str, ...], name: str) -> str | None:
    value = _text(value)
    if value is not None and value not in valid:
        raise BadQuery(f"{name}={value!r} is not one of {', '.join(valid)}.", fix=f"use one of: {', '.join(valid)}.")
    return value


def _segment_form(product: str | None, min_interest: str | None, consent: str | None,
                  exclude_open_complaints: str | None) -> dict[str, Any]:
    raw = _text(min_interest)
    try:
        share = 0.6 if raw is None else float(raw)
    except ValueError:
        raise BadQuery(f"min_interest={raw!r} is not a number.", fix="use a share between 0 and 1, e.g. 0.6.") from None
    if not 0.0 <= share <= 1.0:
        raise BadQuery(f"min_interest={raw} is outside 0..1.", fix="use a share between 0 and 1, e.g. 0.6.")
    return {"product": _text(product), "min_interest": share, "consent": _text(consent) or "marketing",
            "exclude_open_complaints": _flag(exclude_open_complaints)}


