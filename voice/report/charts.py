"""Small chart helpers that return self-contained inline SVG (or an HTML table),
for the HTML report and the web app: no scripts, no external resources.

Every label and value is escaped here, so callers may pass customer text (theme
names, keyphrases) as it is. Each SVG has ``role="img"``, a ``<title>`` and a
``<desc>`` that says the data in words (the text alternative), and sizes from
its ``viewBox`` so it scales on screen and in print. Colours are the Okabe-Ito
palette (safe for colour-blind readers); lines also differ by dash pattern.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from html import escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
NEGATIVE, POSITIVE, NEUTRAL = "#D55E00", "#009E73", "#0072B2"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

_ids = itertools.count(1)


def esc(value) -> str:
    """Text or attribute value, escaped (quotes included)."""
    return escape("" if value is None else str(value), quote=True)


def _uid(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "chart"
    return f"{slug}-{next(_ids)}"


def _fmt(fmt: str | Callable[[float], str], v: float | None) -> str:
    if v is None:
        return "n/a"
    return fmt(v) if callable(fmt) else fmt.format(v)


def nice_ticks(lo: float, hi: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Round tick values covering [lo, hi] (whole numbers only with ``integer``, e.g. for counts)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(count, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    if integer:
        step = max(1, round(step))
    start = math.floor(lo / step) * step
    ticks, t = [], start
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _svg_open(uid: str, width: int, height: int, title: str, desc: str) -> str:
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-labelledby="{uid}-t {uid}-d" font-family="{esc(FONT)}" font-size="12">'
            f'<title id="{uid}-t">{esc(title)}</title><desc id="{uid}-d">{esc(desc)}</desc>')


def empty_chart(title: str, message: str = "no data for these filters", *, width: int = 720, height: int = 80) -> str:
    uid = _uid(title)
    return (_svg_open(uid, width, height, title, message)
            + f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#555">{esc(message)}</text></svg>')


def line_chart(series: dict[str, Sequence[tuple[str, float | None]]], *, title: str, x_label: str, y_label: str,
               y_min: float | None = None, y_max: float | None = None, value_format: str | Callable = "{:.2f}",
               width: int = 720, height: int = 320) -> str:
    """One line per series over shared categorical x values (e.g. ISO weeks), in the order first seen
    sorted; a missing or ``None`` value breaks the line. Each point has a tooltip (``<title>``)."""
    xs = sorted({x for pts in series.values() for x, _ in pts})
    values = [v for pts in series.values() for _, v in pts if v is not None]
    if not xs or not values:
        return empty_chart(title, width=width)
    lo = min(values) if y_min is None else y_min
    hi = max(values) if y_max is None else y_max
    ticks = nice_ticks(lo, hi)
    lo, hi = min(ticks[0], lo), max(ticks[-1], hi)
    legend_rows = math.ceil(len(series) / 4)
    left, right, top, bottom = 62, 36, 18 + 18 * legend_rows, 58
    pw, ph = width - left - right, height - top - bottom
    step = pw / max(len(xs) - 1, 1)

    def px(i: int) -> float:
        return left + (i * step if len(xs) > 1 else pw / 2)

    def py(v: float) -> float:
        return top + ph - (v - lo) / (hi - lo) * ph

    desc = "; ".join(f"{name}: " + ", ".join(f"{x} {_fmt(value_format, v)}" for x, v in pts if v is not None)
                     for name, pts in series.items())
    uid = _uid(title)
    out = [_svg_open(uid, width, height, title, f"{y_label} by {x_label}. {desc}")]
    for t in ticks:
        y = py(t)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333">'
                   f'{esc(_fmt(value_format, t))}</text>')
    if lo < 0 < hi:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(0):.1f}" y2="{py(0):.1f}" stroke="#888"/>')
    every = max(1, math.ceil(len(xs) / 12))
    for i, x in enumerate(xs):
        if i % every == 0 or i == len(xs) - 1:
            out.append(f'<text x="{px(i):.1f}" y="{top + ph + 16}" text-anchor="middle" fill="#333">{esc(x)}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#333"/>'
               f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#333"/>'
               f'<text x="{left + pw / 2}" y="{height - 8}" text-anchor="middle" font-weight="600">{esc(x_label)}</text>'
               f'<text transform="translate(14 {top + ph / 2}) rotate(-90)" text-anchor="middle" '
               f'font-weight="600">{esc(y_label)}</text>')
    index = {x: i for i, x in enumerate(xs)}
    for n, (name, pts) in enumerate(series.items()):
        colour, dash = PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]
        byx = dict(pts)
        segments, current = [], []
        for x in xs:
            v = byx.get(x)
            if v is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((px(index[x]), py(v), x, v))
        if current:
            segments.append(current)
        out.append(f'<g class="series"><title>{esc(name)}</title>')
        for seg in segments:
            d = " ".join(f"{'M' if k == 0 else 'L'}{a:.1f},{b:.1f}" for k, (a, b, _, _) in enumerate(seg))
            out.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"'
                       + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
            for a, b, x, v in seg:
                out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{colour}">'
                           f'<title>{esc(name)}, {esc(x)}: {esc(_fmt(value_format, v))}</title></circle>')
        out.append("</g>")
        lx, ly = left + (n % 4) * (pw / 4), 12 + 18 * (n // 4)
        out.append(f'<line x1="{lx:.1f}" x2="{lx + 22:.1f}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"'
                   + (f' stroke-dasharray="{dash}"' if dash else "")
                   + f'/><text x="{lx + 27:.1f}" y="{ly + 4}">{esc(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def hbar_chart(rows: Sequence[tuple[str, float | None]], *, title: str, x_label: str,
               x_min: float | None = None, x_max: float | None = None, value_format: str | Callable = "{:.2f}",
               notes: Sequence[str] | None = None, width: int = 720, bar: int = 20,
               label_width: int = 220) -> str:
    """Horizontal bars, one per (label, value), in the given order. With ``x_min < 0`` the bars diverge
    from zero (negative orange, positive green); otherwise they grow from ``x_min`` (default 0).
    ``notes`` (one per row) are shown after the value (e.g. ``n=12``)."""
    rows = [(label, v) for label, v in rows]
    values = [v for _, v in rows if v is not None]
    if not values:
        return empty_chart(title, width=width)
    lo = min(0.0, min(values)) if x_min is None else x_min
    hi = max(0.0, max(values)) if x_max is None else x_max
    if hi <= lo:
        hi = lo + 1
    integer = all(float(v).is_integer() for v in values)
    ticks = [t for t in nice_ticks(lo, hi, 4, integer=integer) if lo - 1e-9 <= t <= hi + 1e-9]
    notes = list(notes or [""] * len(rows))
    diverging = lo < 0
    left, right, top = label_width, 160 if any(notes) else 80, 8
    pw = width - left - right
    height = top + len(rows) * (bar + 8) + 46

    def px(v: float) -> float:
        return left + (v - lo) / (hi - lo) * pw

    base = px(0.0 if lo <= 0 <= hi else lo)
    desc = "; ".join(f"{label}: {_fmt(value_format, v)}{(' ' + n) if n else ''}"
                     for (label, v), n in zip(rows, notes))
    uid = _uid(title)
    out = [_svg_open(uid, width, height, title, f"{x_label}. {desc}")]
    axis_y = top + len(rows) * (bar + 8)
    for t in ticks:
        out.append(f'<line x1="{px(t):.1f}" x2="{px(t):.1f}" y1="{top}" y2="{axis_y}" stroke="#e3e3e3"/>'
                   f'<text x="{px(t):.1f}" y="{axis_y + 15}" text-anchor="middle" fill="#333">'
                   f'{esc(_fmt(value_format, t))}</text>')
    for k, ((label, v), note) in enumerate(zip(rows, notes)):
        y = top + k * (bar + 8)
        short = label if len(label) <= 30 else label[:29] + "…"
        out.append(f'<g><title>{esc(label)}: {esc(_fmt(value_format, v))}{esc((" " + note) if note else "")}</title>'
                   f'<text x="{left - 8}" y="{y + bar / 2 + 4:.1f}" text-anchor="end">{esc(short)}</text>')
        if v is not None:
            x0, x1 = sorted((base, px(v)))
            colour = (NEGATIVE if v < 0 else POSITIVE) if diverging else NEUTRAL
            out.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{bar}" fill="{colour}"/>')
        text = _fmt(value_format, v) + (f"  {note}" if note else "")
        out.append(f'<text x="{left + pw + 6}" y="{y + bar / 2 + 4:.1f}" fill="#333">{esc(text)}</text></g>')
    out.append(f'<line x1="{base:.1f}" x2="{base:.1f}" y1="{top}" y2="{axis_y}" stroke="#333"/>'
               f'<text x="{left + pw / 2}" y="{height - 6}" text-anchor="middle" font-weight="600">{esc(x_label)}</text>'
               "</svg>")
    return "".join(out)


def _heat(value: float, low: float, high: float) -> str:
    """Orange (low) through white to blue-green (high)."""
    t = min(max((value - low) / (high - low) if high > low else 0.5, 0.0), 1.0)
    a, b = ((213, 94, 0), (255, 255, 255)) if t < 0.5 else ((255, 255, 255), (0, 158, 115))
    u = t * 2 if t < 0.5 else (t - 0.5) * 2
    r, g, bl = (round(a[i] + (b[i] - a[i]) * u) for i in range(3))
    return f"#{r:02x}{g:02x}{bl:02x}"


def heatmap_table(row_labels: Sequence[str], col_labels: Sequence[str],
                  cells: dict[tuple[str, str], tuple[float | None, int]], *, caption: str,
                  low: float = 0, high: float = 100, value_format: str | Callable = "{:.0f}",
                  row_header: str = "") -> str:
    """An HTML table coloured by value: ``cells[(row, col)] = (value, count)``. The number is always
    written in the cell (the colour is never the only carrier), with the count in its tooltip."""
    out = [f'<table class="heatmap"><caption>{esc(caption)}</caption><thead><tr>',
           f'<th scope="col">{esc(row_header)}</th>']
    out += [f'<th scope="col">{esc(c)}</th>' for c in col_labels]
    out.append("</tr></thead><tbody>")
    for r in row_labels:
        out.append(f'<tr><th scope="row">{esc(r)}</th>')
        for c in col_labels:
            value, count = cells.get((r, c), (None, 0))
            if value is None:
                out.append('<td class="empty">–</td>')
            else:
                dark = abs((value - low) / (high - low) - 0.5) > 0.38 if high > low else False
                out.append(f'<td style="background:{_heat(value, low, high)};{"color:#fff;" if dark else ""}" '
                           f'title="{esc(r)}, {esc(c)}: {esc(_fmt(value_format, value))} (n={count})">'
                           f'{esc(_fmt(value_format, value))}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)
