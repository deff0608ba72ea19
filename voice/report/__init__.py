"""The CX team's sentiment report: the numbers (:func:`report_data`), the tables as
CSV / Parquet (:func:`export_tables`), and one self-contained HTML file
(:func:`render_html`, :func:`write_report`). Charts live in :mod:`voice.report.charts`
and the stylesheet in ``static/report.css`` (:func:`css`), for the web app too."""

from .data import COLUMNS, NO_THEMES, Filters, ReportData, report_data
from .export import export_tables
from .render import css, interaction_href, render_html, write_report

__all__ = ["COLUMNS", "NO_THEMES", "Filters", "ReportData", "css", "export_tables", "interaction_href",
           "render_html", "report_data", "write_report"]
