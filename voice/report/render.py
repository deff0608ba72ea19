"""The report as one self-contained HTML file: inline CSS, inline SVG charts,
no scripts and nothing fetched, so it opens offline, prints, and can be mailed.

Everything from the database goes through Jinja2 with autoescape on (and the
chart helpers escape their own labels), so customer text shows as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..store import Store
from . import charts
from .data import ReportData, report_data
from .export import export_tables

DEFAULT_TITLE = "Customer voice: sentiment report"


@lru_cache(maxsize=1)
def css() -> str:
    """The report's stylesheet (also for the web app)."""
    return resources.files("voice.report").joinpath("static/report.css").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the report templates (autoescape on for .html and .j2)."""
    env = Environment(loader=PackageLoader("voice.report", "templates"),
                      autoescape=select_autoescape(["html", "j2", "html.j2"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = num
    return env


def num(value, digits: int = 2) -> str:
    """A table cell: numbers rounded, None as an en dash."""
    if value is None or value == "":
        return "–"
    if digits is None or digits is False or digits is True:
        digits = 2
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def interaction_href(interaction_id: str, link_base: str | None) -> str:
    """Where a quote links: an anchor in the file, or ``link_base`` + the id (e.g. ``/interactions/``)."""
    if link_base is None:
        return f"#i-{interaction_id}"
    return f"{link_base}{quote(str(interaction_id), safe='')}"


def _trend_series(rows: list[dict], value: str) -> dict[str, list[tuple[str, float | None]]]:
    """Lines of the trend table: "all channels" first, then each channel (a period with too few
    interactions has no value: a gap, not a spike)."""
    out: dict[str, list] = {"all channels": []}
    for r in rows:
        out.setdefault("all channels" if r["channel"] == "all" else r["channel"], []).append((r["period"], r[value]))
    return out


def charts_for(data: ReportData) -> dict[str, Markup]:
    """The report's charts as inline SVG / HTML (Markup: already escaped)."""
    unit = {"week": "ISO week", "month": "month", "quarter": "quarter"}[data.trend_unit]
    sentiment = _trend_series(data.trend, "mean_sentiment")
    experience = _trend_series(data.trend, "mean_experience")
    out = {
        "sentiment_weekly": charts.line_chart(
            sentiment, title=f"Mean sentiment by {unit} and channel", x_label=unit,
            y_label="mean sentiment (−1 to 1)", y_min=-1, y_max=1),
        "experience_weekly": charts.line_chart(
            experience, title=f"Mean experience (CEM) by {unit} and channel", x_label=unit,
            y_label="mean experience (0–100)", y_min=0, y_max=100, value_format="{:.0f}"),
        "touchpoints": charts.hbar_chart(
            [(t["touchpoint"], t["mean_experience"]) for t in data.touchpoints],
            title="Mean experience by touchpoint", x_label="mean experience (0–100)", x_min=0, x_max=100,
            value_format="{:.1f}", notes=[f"n={t['count']}" for t in data.touchpoints]),
    }
    weeks = sorted({r["week"] for r in data.touchpoint_weeks})
    years = {w[:4] for w in weeks}
    short = (lambda w: w[5:]) if len(years) == 1 else (lambda w: w)  # "W41" when one year
    out["touchpoint_heatmap"] = charts.heatmap_table(
        [t["touchpoint"] for t in data.touchpoints], [short(w) for w in weeks],
        {(r["touchpoint"], short(r["week"])): (r["mean_experience"], r["count"]) for r in data.touchpoint_weeks},
        caption="Mean experience (0–100) by touchpoint and ISO week"
                + (f" of {next(iter(years))}" if len(years) == 1 else "") + "; lower is orange, higher is green",
        row_header="touchpoint")
    if data.theme_groups:
        out["groups_volume"] = charts.hbar_chart(
            [(g["group"], g["interactions"]) for g in data.theme_groups], title="Theme groups by volume",
            x_label="interactions", value_format="{:.0f}",
            notes=[f"{100 * g['share']:.0f}%, sentiment {num(g['mean_sentiment'])}" for g in data.theme_groups])
    if data.themes:
        top = data.themes[:12]
        out["themes_volume"] = charts.hbar_chart(
            [(t["theme"], t["interactions"]) for t in top], title="Top themes by volume",
            x_label="interactions", value_format="{:.0f}",
            notes=[f"sentiment {num(t['mean_sentiment'])}" for t in top])
        with_nps = [t for t in top if t["nps_impact"] is not None]
    if data.themes and with_nps:  # else the report says why there is no NPS (data.empty["nps"])
        out["themes_nps"] = charts.hbar_chart(
            [(t["theme"], t["nps_impact"]) for t in with_nps], title="NPS impact by theme",
            x_label="mean NPS of customers raising the theme minus the overall mean NPS",
            x_min=min([-1.0] + [t["nps_impact"] for t in with_nps]),
            x_max=max([1.0] + [t["nps_impact"] for t in with_nps]),
            value_format="{:+.2f}",
            notes=[f"n={t['nps_n']}" + (f", 95% {t['nps_impact_low']:+.1f} to {t['nps_impact_high']:+.1f}"
                                       if t.get("nps_impact_low") is not None else ", too few for an interval")
                   for t in with_nps])
    if data.rising_themes:
        out["rising"] = charts.hbar_chart(
            [(t["theme"], t["change"]) for t in data.rising_themes[:10]], title="Rising themes",
            x_label="more interactions than in the previous period", value_format="{:+.0f}",
            notes=[f"{t['interactions_before']} → {t['interactions_now']}" for t in data.rising_themes[:10]])
    if data.keyphrases:
        out["keyphrases"] = charts.hbar_chart(
            [(k["surface"], k["interactions"]) for k in data.keyphrases], title="Top keyphrases",
            x_label="interactions", value_format="{:.0f}",
            notes=[f"sentiment {num(k['mean_sentiment'])}" for k in data.keyphrases])
    if data.product_interest:
        out["interest"] = charts.hbar_chart(
            [(p["product_id"], p["customers"]) for p in data.product_interest],
            title="Customers interested (0.5 or more) by product", x_label="customers", value_format="{:.0f}",
            notes=[f"mean {num(p['mean_interest'])}" for p in data.product_interest])
    return {k: Markup(v) for k, v in out.items()}


def render_html(data: ReportData, *, title: str = DEFAULT_TITLE, link_base: str | None = None) -> str:
    """The report as one self-contained HTML page. ``link_base=None`` links quotes to anchors at the end
    of the file; a base such as ``"/interactions/"`` or ``"voice://interaction/"`` links outside it."""
    quoted: dict[str, dict] = {}
    for q in data.quotes:
        quoted.setdefault(q["interaction_id"], q)
    return environment().get_template("report.html.j2").render(
        title=title, data=data, summary=data.summary, charts=charts_for(data), css=Markup(css()),
        href=lambda iid: interaction_href(iid, link_base), anchors=link_base is None,
        quoted=sorted(quoted.values(), key=lambda q: (q["day"] or "", q["interaction_id"])),
        theme_quotes=[(t, [q for q in data.quotes if q["kind"] == "theme" and q["theme_id"] == t["theme_id"]])
                      for t in data.themes[:12]],
        negative=[q for q in data.quotes if q["kind"] == "negative"],
        positive=[q for q in data.quotes if q["kind"] == "positive"],
    )


def write_report(store: Store, path: str | Path, *, title: str = DEFAULT_TITLE, link_base: str | None = None,
                 export_dir: str | Path | None = None, formats: Sequence[str] = ("csv", "parquet"),
                 **filters) -> Path:
    """Compute the report for ``filters`` (see :func:`report_data`), write it to ``path`` as one HTML file,
    and with ``export_dir`` also every table there (:func:`export_tables`). Returns the HTML path."""
    data = report_data(store, **filters)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data, title=title, link_base=link_base), encoding="utf-8")
    if export_dir is not None:
        export_tables(data, export_dir, formats=formats)
    return path
