"""The web app through FastAPI's TestClient, on the demo database: every page
renders and tells the demo's stories; customer text is escaped; a token guards
the app when set; other hosts are refused without one; nothing is written."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import sqlite3

import pytest
from fastapi.testclient import TestClient

from voice.errors import ConfigError
from voice.segments import COLUMNS
from voice.web import create_app, serve
from voice.web.render import marked

from .conftest import HOSTILE_TEXT, TOKEN

BASE = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client(demo_db):
    app = create_app(demo_db)
    with TestClient(app, base_url=BASE) as c:
        yield c


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _interaction_ids(db, n=2) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("select interaction_id from analyses order by interaction_id limit ?", [n])]
    finally:
        conn.close()


PAGES = ["/", "/?since=2026-10-01&until=2026-11-30&channel=email", "/?segment=Premium&lang=es", "/themes",
         "/search", "/search?q=entrega+tard%C3%ADa&channel=survey&sentiment=negative&since=2026-09-01",
         "/customers/C017", "/segments", "/segments?product=airpure-500&min_interest=0.5&consent=marketing",
         "/at-risk", "/at-risk?include_medium=1", "/static/style.css", "/report.css"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    if url.startswith(("/static", "/report.css")):
        return
    assert "<nav>" in r.text and 'href="/segments"' in r.text  # the shared layout
    assert "Internal Server Error" not in r.text


def test_security_headers(client):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "cdn" not in r.text.lower() and "https://" not in r.text  # nothing fetched from elsewhere


def test_dashboard_shows_the_report(client, demo_db):
    from voice.report import report_data
    from voice.web.readonly import open_readonly

    r = client.get("/")
    assert r.text.count("<svg") >= 3  # trends, touchpoints, ...
    assert "Clínica Dental Sonrisas" in r.text  # the most valuable customer at risk
    assert "airpure-500" in r.text
    store = open_readonly(demo_db)
    try:
        calls = report_data(store, channel="call").summary["interactions"]
        everything = report_data(store).summary["interactions"]
    finally:
        store.close()
    assert calls < everything
    filtered = client.get("/?channel=call").text
    assert f'<span class="v">{calls}</span><span class="k">interactions</span>' in filtered
    assert f'<span class="v">{everything}</span><span class="k">interactions</span>' in r.text


def test_dashboard_rejects_a_bad_date(client):
    r = client.get("/?since=yesterday")
    assert r.status_code == 400
    assert "is not a date" in r.text and "YYYY-MM-DD" in r.text


def test_search_finds_late_deliveries_in_both_languages(client):
    r = client.get("/search", params={"q": "entrega tardía"})
    assert r.status_code == 200
    page = r.text
    assert "<mark>" in page  # matches highlighted
    assert "entrega</mark>" in page.lower() or "<mark>entrega" in page.lower()
    english = ("Delivery was late", "days late", "delivery, got it 4 days later")
    assert any(e in page for e in english), "the meaning side finds the English delivery complaints"
    assert 'href="/interactions/' in page and 'href="/customers/' in page


def test_search_filters_narrow(client):
    everything = client.get("/search", params={"q": "entrega tardía"}).text.count('class="hit"')
    calls = client.get("/search", params={"q": "entrega tardía", "channel": "call"}).text.count('class="hit"')
    assert 0 < calls < everything
    assert client.get("/search", params={"q": "entrega", "sentiment": "angry"}).status_code == 400


def test_customer_timeline_tells_javiers_story(client):
    r = client.get("/customers/C017")
    assert r.status_code == 200
    page = r.text
    assert "Javier Morales" in page
    assert "Open loops (4)" in page and "complaint" in page and "cancel_churn" in page
    assert "Resume here" in page
    assert page.index("Open loops") < page.index("Interactions (")  # open loops first
    assert page.count('href="/interactions/') >= 6  # every interaction links to its page


def test_interaction_page(client, demo_db):
    conn = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    iid = conn.execute("select opened_by from open_loops where customer_id = 'C017' and intent = 'complaint'"
                       ).fetchone()[0]
    conn.close()
    r = client.get(f"/interactions/{iid}")
    assert r.status_code == 200
    assert "LAVADORA" in r.text.upper() and "Javier Morales" in r.text
    assert "complaint" in r.text and "sent-negative" in r.text
    assert client.get("/interactions/nope").status_code == 404
    assert client.get("/customers/C999").status_code == 404


def test_themes_pages(client):
    r = client.get("/themes")
    assert r.status_code == 200
    if "not available yet" in r.text:
        pytest.skip("voice.themes is not installed")
    assert 'href="/themes/T001"' in r.text
    one = client.get("/themes/T001")
    assert one.status_code == 200 and "Examples" in one.text and 'href="/interactions/' in one.text
    assert client.get("/themes/T999").status_code == 404
    # the groups above the themes, each with its page of interactions
    import re

    groups = re.findall(r'href="/groups/(G\d+)"', r.text)
    assert 'id="groups"' in r.text and len(groups) >= 3
    g = client.get(f"/groups/{groups[0]}")
    assert g.status_code == 200 and "Interactions nearest its centre" in g.text
    assert g.text.count('href="/interactions/') >= 3
    assert client.get("/groups/G999").status_code == 404


def test_segment_page_and_csv(client, demo_db):
    params = {"product": "airpure-500", "min_interest": "0.3", "consent": "marketing"}
    page = client.get("/segments", params=params).text
    assert 'id="segment-rows"' in page and "/segments.csv?" in page
    r = client.get("/segments.csv", params=params)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="segment-airpure-500.csv"'
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows, "some customers interested in the AirPure 500 consented to marketing"
    assert tuple(rows[0].keys()) == COLUMNS
    conn = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    consent = dict(conn.execute("select id, consent from customers").fetchall())
    conn.close()
    for row in rows:
        assert row["product_id"] == "airpure-500"
        assert float(row["interest"]) >= 0.3
        assert "marketing" in row["consent"].split(";")
        assert json.loads(consent[row["customer_id"]])["marketing"] is True
    default = list(csv.DictReader(io.StringIO(
        client.get("/segments.csv", params={**params, "consent": ""}).content.decode("utf-8-sig"))))
    assert default == rows  # no consent chosen: marketing consent, never everyone
    everyone = list(csv.DictReader(io.StringIO(
        client.get("/segments.csv", params={**params, "consent": "any"}).content.decode("utf-8-sig"))))
    assert len(everyone) > len(rows)  # "any", chosen on purpose: the consent filter left someone out


def test_segment_input_errors(client):
    assert client.get("/segments.csv").status_code == 400
    assert client.get("/segments.csv?product=airpure-500&min_interest=2").status_code == 400
    r = client.get("/segments?product=no-such-thing")
    assert r.status_code == 404 and "use one of" in r.text


# --- escaping ------------------------------------------------------------------------------------------------


def test_hostile_text_is_escaped_everywhere(hostile):
    app = create_app(hostile["path"])
    with TestClient(app, base_url=BASE) as c:
        pages = {
            "interaction": c.get(f"/interactions/{hostile['id']}").text,
            "customer": c.get(f"/customers/{hostile['customer']}").text,
            # quoted: words match in every language (the message, "<script>alert(1)</script>", reads as Spanish)
            "search": c.get("/search", params={"q": '"alert" "script"'}).text,
            "search by subject": c.get("/search", params={"q": "retraso onerror"}).text,
            "dashboard": c.get("/").text,
        }
    for name, page in pages.items():
        assert HOSTILE_TEXT not in page, name
        assert "<img src=x" not in page and 'onerror="alert' not in page, name
    for name in ("interaction", "customer"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[name], name
    # the search snippet is escaped by voice.search, with the matches marked inside it
    assert "&lt;<mark>script</mark>&gt;<mark>alert</mark>(1)&lt;/<mark>script</mark>&gt;" in pages["search"]
    for name in ("interaction", "search", "search by subject"):
        assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in pages[name], name
    assert hostile["customer"] == "C017"


def test_marked_filter_only_lets_mark_through():
    assert str(marked("a <mark>b</mark> &amp; c")) == "a <mark>b</mark> &amp; c"
    assert str(marked("<mark>x</mark><script>alert(1)</script>")) == \
        "&lt;mark&gt;x&lt;/mark&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert str(marked(None)) == ""


# --- token, host, read-only ----------------------------------------------------------------------------------


def test_token_is_required_when_set(demo_db):
    app = create_app(demo_db, token=TOKEN)
    with TestClient(app, base_url=BASE) as c:
        for url in ("/", "/customers/C017", "/segments.csv?product=airpure-500", "/static/style.css"):
            r = c.get(url)
            assert r.status_code == 401, url
            assert "Javier" not in r.text
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert c.get("/", headers={"Authorization": "Bearer wrong-token-wrong-token"}).status_code == 401
        assert c.get("/?token=wrong-token-wrong-token").status_code == 401
        ok = c.get("/customers/C017", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and "Javier Morales" in ok.text
        # ?token= trades the token for a cookie and drops it from the address
        r = c.get(f"/customers/C017?token={TOKEN}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/customers/C017"
        assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
        assert c.get("/customers/C017").status_code == 200  # the cookie now carries it
        assert c.get("/search?q=entrega&token=" + TOKEN, follow_redirects=False).headers["location"] == \
            "/search?q=entrega"


def test_short_token_refused(demo_db):
    with pytest.raises(ConfigError) as err:
        create_app(demo_db, token="1234")
    assert "secrets.token_urlsafe" in err.value.fix


def test_other_hosts_refused_without_token(demo_db, monkeypatch):
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(kw))
    for host in ("0.0.0.0", "192.168.1.20", "::", "example.com"):
        with pytest.raises(ConfigError) as err:
            serve(demo_db, host=host)
        assert "--token" in err.value.fix
    assert calls == []
    serve(demo_db)  # the default: loopback, no token needed
    serve(demo_db, host="0.0.0.0", port=9999, token=TOKEN)
    assert [(c["host"], c["port"]) for c in calls] == [("127.0.0.1", 8765), ("0.0.0.0", 9999)]


def test_foreign_host_header_refused_without_token(demo_db):
    """A page that rebinds its own name to 127.0.0.1 cannot read the app."""
    with TestClient(create_app(demo_db), base_url="http://attacker.example") as c:
        assert c.get("/").status_code == 400
    with TestClient(create_app(demo_db), base_url="http://localhost:8765") as c:
        assert c.get("/").status_code == 200


def test_missing_database_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as err:
        create_app(tmp_path / "nope.db")
    assert "there is no voice database" in err.value.message and "voice demo" in err.value.fix
    with pytest.raises(ConfigError):
        serve(tmp_path / "nope.db")


def test_the_app_cannot_write(demo_db):
    before = _digest(demo_db)
    app = create_app(demo_db)
    db = app.state.voice.store.db
    for sql in ("insert into customers (id, name) values ('X1', 'Mallory')", "delete from interactions",
                "update customers set name = 'x'", "create table evil (a)", "drop table customers"):
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
            db.execute(sql)
    with TestClient(app, base_url=BASE) as c:  # every page, search (which encodes and caches vectors) included
        for url in PAGES + ["/search?q=courier+rude", "/segments.csv?product=airpure-500"]:
            assert c.get(url).status_code == 200
        assert db.execute("select count(*) from customers where id = 'X1'").fetchone()[0] == 0
    assert _digest(demo_db) == before




# --- corrections ----------------------------------------------------------------------------------------------


@pytest.fixture
def demo_copy(demo_db, tmp_path):
    path = tmp_path / "voice.db"
    src, dst = sqlite3.connect(demo_db), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    return path


def test_without_a_token_the_app_offers_no_corrections_and_refuses_them(demo_copy):
    before = _digest(demo_copy)
    iid = _interaction_ids(demo_copy, 1)[0]
    with TestClient(create_app(demo_copy), base_url=BASE) as c:
        page = c.get(f"/interactions/{iid}").text
        assert 'class="correct"' not in page
        r = c.post(f"/interactions/{iid}/correct", data={"field": "sentiment", "value": "negative"})
        assert r.status_code == 403 and "--token" in r.text
    assert _digest(demo_copy) == before


def test_with_the_token_an_analyst_corrects_sentiment_intent_and_theme(demo_copy):
    conn = sqlite3.connect(demo_copy)
    iid, idx = conn.execute("select s.interaction_id, s.idx from sentences s join analyses a using (interaction_id) "
                            "where s.kind is null and s.sentiment = 'positive' order by 1, 2 limit 1").fetchone()
    theme = conn.execute("select id from themes where status = 'active' order by id limit 1").fetchone()[0]
    conn.close()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(demo_copy, token=TOKEN), base_url=BASE) as c:
        page = c.get(f"/interactions/{iid}", headers=auth).text
        assert page.count('class="correct"') >= 3  # the interaction's sentiment and intents, each sentence
        r = c.post(f"/interactions/{iid}/correct", headers=auth, follow_redirects=False,
                   data={"field": "sentiment", "sentence": str(idx), "value": "negative", "by": "ana"})
        assert r.status_code == 303 and r.headers["location"].startswith(f"/interactions/{iid}?corrected=sentiment")
        c.post(f"/interactions/{iid}/correct", headers=auth, data={"field": "intent", "value": "complaint, refund_return"})
        c.post(f"/interactions/{iid}/correct", headers=auth,
               data={"field": "theme", "sentence": str(idx), "value": theme})
        page = c.get(f"/interactions/{iid}?corrected=theme", headers=auth).text
        assert 'id="corrections"' in page and "by ana" in page and "is stored" in page
        # a bad value says what to do, and stores nothing
        bad = c.post(f"/interactions/{iid}/correct", headers=auth, data={"field": "sentiment", "value": "angry"})
        assert bad.status_code == 400 and "negative, neutral, positive" in bad.text
        assert c.post(f"/interactions/{iid}/correct", headers=auth, data={"field": "mood", "value": "x"}).status_code == 400
        # a form posted from another site is refused
        other = c.post(f"/interactions/{iid}/correct", data={"field": "sentiment", "value": "positive"},
                       headers={**auth, "Origin": "http://attacker.example"})
        assert other.status_code == 403
    conn = sqlite3.connect(demo_copy)
    assert conn.execute("select sentiment from sentences where interaction_id = ? and idx = ?", [iid, idx]).fetchone() \
        == ("negative",)
    assert {r[0] for r in conn.execute("select intent from intents where interaction_id = ?", [iid])} == \
        {"complaint", "refund_return"}
    assert conn.execute("select theme_id from theme_assignments where interaction_id = ? and sentence_idx = ?",
                        [iid, idx]).fetchone() == (theme,)
    assert [r[0] for r in conn.execute("select by from corrections order by id")] == ["ana", "web", "web"]
    conn.close()


def test_odd_requests_answer_with_the_security_headers(demo_copy, monkeypatch):
    conn = sqlite3.connect(demo_copy)
    conn.execute("update customers set id = 'ACME/17' where id = 'C017'")
    conn.execute("update interactions set customer_id = 'ACME/17' where customer_id = 'C017'")
    conn.commit()
    conn.close()
    with TestClient(create_app(demo_copy), base_url=BASE, raise_server_exceptions=False) as c:
        r = c.get("/search", params={"q": "entrega\x00tarde"})
        assert r.status_code == 200 and "content-security-policy" in r.headers
        r = c.get("/customers/ACME%2F17")  # a CRM id with a slash opens
        assert r.status_code == 200 and "Javier Morales" in r.text
        monkeypatch.setattr("voice.web.app.reads.channels", lambda store: 1 / 0)  # a bug in a page
        r = c.get("/")
        assert r.status_code == 500 and "content-security-policy" in r.headers and "ZeroDivision" not in r.text


def test_the_dashboard_follows_a_write_from_another_process(demo_copy):
    import re

    def negative(page: str) -> int:
        return int(re.search(r'<span class="v">([\d,]+) / [\d,]+</span><span class="k">negative / positive', page)
                   .group(1).replace(",", ""))

    with TestClient(create_app(demo_copy), base_url=BASE) as c:
        before = negative(c.get("/").text)
        assert negative(c.get("/").text) == before  # the same state: computed once, the same answer
        conn = sqlite3.connect(demo_copy)  # an analysis or a correction elsewhere
        conn.execute("update analyses set sentiment = 'negative', sentiment_score = -0.9 "
                     "where interaction_id = (select interaction_id from analyses where sentiment = 'positive' limit 1)")
        conn.commit()
        conn.close()
        assert negative(c.get("/").text) == before + 1


def test_an_interaction_names_its_themes(client, demo_db):
    conn = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    iid, tid, name = conn.execute("""select ta.interaction_id, t.id, coalesce(nullif(t.name, ''), t.label)
        from theme_assignments ta join themes t on t.id = ta.theme_id limit 1""").fetchone()
    conn.close()
    page = client.get(f"/interactions/{iid}").text
    assert f'title="{tid}">' in page and html.escape(name, quote=True) in page  # the label, not the bare id


def test_a_customer_directory_with_lookup(client):
    page = client.get("/customers").text
    assert 'id="customers"' in page and page.count('href="/customers/C') >= 40 and "page 1 of" in page
    for q in ("Javier", "c017", "javier.morales@gmail.example", "612 345 678"):
        found = client.get("/customers", params={"q": q}).text
        assert 'href="/customers/C017"' in found, q
    none = client.get("/customers", params={"q": "nobody-like-this"}).text
    assert "No customer matches" in none
    assert client.get("/customers", params={"page": "x"}).status_code == 400
    assert client.get("/customers", params={"page": "9" * 30}).status_code == 200  # past the end: an empty page
    assert client.get("/customers", params={"page": "2"}).status_code == 200


def test_the_dashboard_and_the_report_show_the_same_figures(client, demo_db):
    import re

    from voice.report import report_data
    from voice.report.render import render_html
    from voice.store.readonly import open_readonly

    store = open_readonly(demo_db)
    data = report_data(store, channel="email")
    report = render_html(data)
    store.close()
    page = client.get("/", params={"channel": "email"}).text
    cards = dict((k, v) for v, k in re.findall(r'<span class="v">([^<]+)</span><span class="k">([^<]+)</span>', page))
    s = data.summary
    assert cards["interactions"] == f"{s['interactions']:,}" and cards["customers"] == f"{s['customers']:,}"
    assert cards["negative / positive"] == f"{s['negative']:,} / {s['positive']:,}"
    # the charts are one computation: the same trend and theme figures in both
    for figure in re.findall(r'<title id="[^"]+">([^<]+)</title>', report):
        assert figure in page, figure


def test_a_themes_sentences_are_paged(client, demo_db):
    conn = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    tid, n = conn.execute("select theme_id, count(*) from theme_assignments where theme_id is not null "
                          "group by theme_id order by 2 desc limit 1").fetchone()
    conn.close()
    assert n > 20  # the demo's largest theme has more sentences than a page
    first = client.get(f"/themes/{tid}").text
    second = client.get(f"/themes/{tid}", params={"page": 2}).text
    assert "Page 1 of" in first and f'href="/themes/{tid}?page=2"' in first and "Page 2 of" in second
    rows = lambda page: set(re.findall(r'href="/interactions/([^"]+)">([^<]+)</a>', page))  # noqa: E731
    assert rows(first) and not rows(first) & rows(second)  # the next sentences, not the same again
    assert client.get(f"/themes/{tid}", params={"page": "x"}).status_code == 400


def test_a_customer_page_shows_the_lifecycle_stage(client):
    page = client.get("/customers/C017").text
    stage = re.search(r'<span id="stage">([^<]+)</span>', page)
    assert stage and stage.group(1) in ("new", "active", "loyal", "at risk", "lapsed")


def test_campaigns_page_shows_the_reports_figures(demo_copy, tmp_path):
    import html

    import voice
    from voice.report.data import report_data

    with voice.open(demo_copy) as v:
        product = v.store.db.execute("select product_id from interest group by product_id "
                                     "order by count(*) desc limit 1").fetchone()[0]
        camp = v.export_segment(product, tmp_path / "seg.csv", campaign="Demo", consent="any", min_interest=0.0,
                                holdout=0.3)
        (tmp_path / "r.csv").write_text("customer_id,converted,value\n" + "".join(
            f"{r['customer_id']},yes,99\n" for r in camp.targeted[:2]), encoding="utf-8")
        v.import_campaign_results(tmp_path / "r.csv")
        tables = report_data(v.store).campaigns
    assert [t["id"] for t in tables] == ["demo"]
    with TestClient(create_app(demo_copy), base_url=BASE) as c:
        page = html.unescape(c.get("/campaigns").text)
    targeted = next(a for a in tables[0]["arms"] if a["arm"] == "targeted")
    assert f'<td class="n">{targeted["customers"]}</td><td class="n">2</td><td class="n">{targeted["conversion"]}</td>' \
        in page
    for line in tables[0]["lines"]:
        assert line in page


def test_theme_and_product_pages_show_their_trend(client, demo_db):
    import re

    from voice.report.data import factor_trend
    from voice.store import Store

    store = Store.open(demo_db)
    try:
        theme = store.db.execute("select theme_id from theme_assignments where theme_id is not null group by theme_id "
                                 "order by count(*) desc limit 1").fetchone()[0]
        product = store.db.execute("select product_id from mentions group by product_id order by count(*) desc "
                                   "limit 1").fetchone()[0]
        unit, rows = factor_trend(store, product=product)
        _, theme_rows = factor_trend(store, theme=theme)
    finally:
        store.close()
    page = client.get(f"/products/{product}").text
    assert 'id="trend"' in page and f"by {unit}" in page
    shown = [int(n) for n in re.findall(r'<tr><td>[^<]+</td><td class="n">(\d+)</td>', page.split('id="trend"')[1])]
    assert shown == [r["interactions"] for r in rows] and sum(shown) > 0   # the same figures as the computation
    assert "Interested customers" in page and "Mentioned in" in page
    page = client.get(f"/themes/{theme}").text
    shown = [int(n) for n in re.findall(r'<tr><td>[^<]+</td><td class="n">(\d+)</td>', page.split('id="trend"')[1])]
    assert shown == [r["interactions"] for r in theme_rows] and sum(shown) > 0
    assert client.get("/products/no-such-thing").status_code == 404


def test_search_page_narrows_by_facets_with_counts(client, demo_db):
    import html
    import re

    conn = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    negative = conn.execute("select count(*) from analyses where sentiment = 'negative'").fetchone()[0]
    by_channel = dict(conn.execute("select i.channel, count(*) from interactions i join analyses a "
                                   "on a.interaction_id = i.id where a.sentiment = 'negative' group by 1"))
    conn.close()
    page = html.unescape(client.get("/search", params={"sentiment": "negative"}).text)
    assert f"{negative} interactions match, newest first" in page
    shown = dict(re.findall(r'href="/search\?sentiment=negative&channel=(\w+)">\w+ <span class="n">(\d+)</span>',
                            page))
    assert {k: int(v) for k, v in shown.items()} == by_channel   # each facet's count is what a click gives
    channel, n = max(by_channel.items(), key=lambda kv: kv[1])
    page = html.unescape(client.get("/search", params={"sentiment": "negative", "channel": channel}).text)
    assert f"{n} interaction{'' if n == 1 else 's'} match" in page and "remove this filter" in page
    # with a query, the facets count the results
    page = client.get("/search", params={"q": "entrega tarde"}).text
    assert "In these results" in page and 'id="facet-channel"' in page
    assert client.get("/search", params={"sentiment": "negative", "page": "x"}).status_code == 400
    assert client.get("/search", params={"sentiment": "negative", "page": "9" * 30}).status_code == 200


def test_a_marketer_records_a_campaign_from_the_segments_page(demo_copy):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    conn = sqlite3.connect(demo_copy)
    product = conn.execute("select product_id from interest group by product_id order by count(*) desc").fetchone()[0]
    conn.close()
    form = {"product": product, "min_interest": "0", "consent": "any", "campaign": "Web spring", "holdout": "0.25",
            "preset": "brevo"}
    with TestClient(create_app(demo_copy), base_url=BASE) as c:
        assert 'id="campaign-form"' not in c.get("/segments", params={"product": product}).text
        assert c.post("/segments/campaign", data=form).status_code == 403   # read-only without a token
    with TestClient(create_app(demo_copy, token=TOKEN), base_url=BASE) as c:
        assert 'id="campaign-form"' in c.get("/segments", params={"product": product, "consent": "any"},
                                             headers=auth).text
        r = c.post("/segments/campaign", data=form, headers=auth)
        assert r.status_code == 200 and r.headers["x-voice-campaign"] == "web-spring"
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert rows and list(rows[0])[:3] == ["EMAIL", "FIRSTNAME", "LASTNAME"]
        bad = c.post("/segments/campaign", data={**form, "holdout": "lots"}, headers=auth)
        assert bad.status_code == 400 and "holdout" in bad.text
    conn = sqlite3.connect(demo_copy)
    arms = dict(conn.execute("select arm, count(*) from campaign_members where campaign_id = 'web-spring' group by 1"))
    conn.close()
    assert arms["targeted"] == len(rows) and arms["holdout"] == round(0.25 * (len(rows) + arms["holdout"]))


def test_other_pages_answer_while_the_dashboard_is_computed(demo_db, monkeypatch):
    """The dashboard takes a minute at a million interactions the first time: it is computed on a connection
    of its own, so that a search or a customer's page in the same process does not wait for it."""
    import threading

    from voice import report as report_mod

    app = create_app(demo_db)
    entered, release = threading.Event(), threading.Event()
    real = report_mod.report_data

    def slow(store, **filters):
        entered.set()
        assert release.wait(20)
        return real(store, **filters)

    monkeypatch.setattr(report_mod, "report_data", slow)
    answers: dict[str, int] = {}

    def visit(name: str, url: str) -> None:
        answers[name] = TestClient(app, base_url=BASE).get(url).status_code

    dashboard = threading.Thread(target=visit, args=("dashboard", "/?channel=email"))
    dashboard.start()
    try:
        assert entered.wait(20)
        other = threading.Thread(target=visit, args=("search", "/search?q=retraso"))
        other.start()
        other.join(20)
        assert answers.get("search") == 200 and "dashboard" not in answers  # answered meanwhile
    finally:
        release.set()
        dashboard.join(20)
    assert answers["dashboard"] == 200
