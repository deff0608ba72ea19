"""The Jinja2 environment: autoescape always on, and the few filters the templates use.

Two filters return markup instead of escaped text, and only after checking it:
``marked`` (a search snippet that voice.search has already escaped, with <mark>
around the matches) and ``svg`` (a chart from voice.report.charts). Database
values are never marked safe anywhere else.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

_MARK = re.compile(r"</?mark>")
_SVG_DANGER = re.compile(r"<\s*(script|foreignObject|iframe|object|embed)\b|\son\w+\s*=|javascript:|<!ENTITY",
                         re.IGNORECASE)


def marked(snippet: Any) -> Markup:
    """A pre-escaped snippet with <mark> highlights, as markup: only if <mark>
    and </mark> are its only tags; anything else is escaped as text, so a
    snippet that was not escaped after all shows as text rather than running."""
    text = "" if snippet is None else str(snippet)
    if "<" in _MARK.sub("", text) or ">" in _MARK.sub("", text):
        return escape(text)
    return Markup(text)


def svg(chart: Any) -> Markup:
    """A chart from voice.report.charts (an inline <svg>, or the heat-map <table>;
    the helpers escape every label): shown only when it is one of those with no
    script, event handler or embedded document in it; else a note. The page's
    CSP blocks inline script anyway."""
    text = "" if chart is None else str(chart).strip()
    if not text:
        return Markup("")
    if not text.startswith(("<svg", "<table")) or _SVG_DANGER.search(text):
        return Markup('<p class="muted">(chart not shown: it is not a plain SVG image)</p>')
    return Markup(text)


def num(value: Any, digits: int = 0) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, (int, float)):
        return f"{value:,.{digits}f}"
    return str(value)


def signed(value: Any, digits: int = 2) -> str:
    return "—" if value is None else f"{round(value, digits) + 0.0:+.{digits}f}"  # + 0.0: never "-0"


def pct(value: Any, digits: int = 0) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def when(value: Any, with_time: bool = True) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def make_environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
                             undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(marked=marked, svg=svg, num=num, signed=signed, pct=pct, when=when)
    return env
