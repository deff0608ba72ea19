import re
from html.parser import HTMLParser

import pytest

from tests.report.conftest import HOSTILE, add_theme, assign
from voice.report import render_html, report_data, write_report

EXTERNAL = re.compile(r"""(?:src|href|xlink:href|action|cite|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def parsed_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag as a browser's tokenizer sees it: (name, attributes)."""
    tags = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, attrs))

    Collect().feed(html)
    return tags


@pytest.fixture
def hostile(filled):
    """Customer-controlled text everywhere the report shows database values."""
    db = filled.db
    db.execute("update interactions set text = ? where id = 's1'", [HOSTILE])
    db.execute("update analyses set analysed_text = ? where interaction_id = 's1'", [HOSTILE])
    db.execute("update sentences set text = ? where interaction_id = 'e1'", [HOSTILE])
    db.execute("update customers set name = ?, segment = ? where id = 'C1'", [HOSTILE, HOSTILE])
    db.execute("update themes set name = ? where id = 'T001'", [HOSTILE])
    db.execute("update keyphrases set phrase = ?, surface = ? where interaction_id = 'e3'", [HOSTILE, HOSTILE])
    db.execute("update experience set touchpoint = ? where interaction_id = 's3'", [HOSTILE])
    db.execute("insert into interest (customer_id, product_id, score) values ('C1', ?, 0.8)", [HOSTILE])
    add_theme(filled, "T009", HOSTILE)
    assign(filled, "s1", "T009", 0.99, idx=5)
    return filled


def test_report_is_self_contained_with_svg_charts(filled):
    html = render_html(report_data(filled), title="Weekly CX")
    assert html.startswith("<!DOCTYPE html>")
    assert not EXTERNAL.search(html)
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower() and "<link" not in html.lower() and "@import" not in html
    assert "<style>" in html
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)
    assert len(svgs) >= 6  # two trend lines, touchpoints, theme volume, NPS impact, rising, keyphrases, interest
    assert all('role="img"' in s and "<title" in s and "<desc" in s for s in svgs)
    assert 'class="heatmap"' in html
    assert "Mean sentiment by ISO week and channel" in html
    assert "Late delivery" in html and "NPS impact" in html


def test_hostile_customer_text_is_shown_as_text(hostile):
    data = report_data(hostile)
    assert any(q["text"] == HOSTILE for q in data.quotes)
    for link_base in (None, "/interactions/"):
        html = render_html(data, link_base=link_base)
        assert "<script>" not in html
        assert "<img" not in html
        tags = parsed_tags(html)
        assert not {"script", "img", "iframe", "object"} & {t for t, _ in tags}
        assert not [a for _, attrs in tags for a, _ in attrs if a.startswith("on")]  # no event handler
        assert '"><img' not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html or "&quot;&gt;&lt;img" in html


def test_quotes_link_to_in_file_anchors_by_default(filled):
    html = render_html(report_data(filled))
    assert 'href="#i-e1"' in html and 'id="i-e1"' in html
    assert 'id="interactions"' in html


def test_quotes_link_to_the_web_app_with_a_link_base(filled):
    filled.db.execute("update interactions set id = 'a/b c' where id = 'e2'")
    for table in ("analyses", "experience"):
        filled.db.execute(f"update {table} set interaction_id = 'a/b c' where interaction_id = 'e2'")
    html = render_html(report_data(filled), link_base="/interactions/")
    assert 'href="/interactions/e1"' in html and "interaction e1" in html
    assert 'href="/interactions/a%2Fb%20c"' in html
    assert 'id="i-e1"' not in html


def test_no_themes_yet_is_said(base):
    html = render_html(report_data(base))
    assert "no themes yet: run voice themes discover" in html


def test_empty_store_renders(store):
    html = render_html(report_data(store))
    assert "no data for these filters" in html


def test_write_report_with_filters_and_export(filled, tmp_path):
    path = write_report(filled, tmp_path / "out" / "report.html", channel="email", export_dir=tmp_path / "tables",
                        formats=("csv",))
    html = path.read_text(encoding="utf-8")
    assert "channel email" in html
    assert (tmp_path / "tables" / "themes.csv").exists()
    assert not (tmp_path / "tables" / "themes.parquet").exists()
