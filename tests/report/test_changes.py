"""What changed: a planted rise of one theme is found; a shuffled copy shows nothing."""

import random

import pytest

from tests.helpers import add_analysed
from voice.report.changes import what_changed


def _fill(store, planted: bool, seed: int = 0):
    rng = random.Random(seed)
    db = store.db
    db.execute("insert into themes (id, name, label, status) values ('T1', 'Cargos dobles', 'cargo doble', 'active'),"
               " ('T2', 'Entregas', 'entrega', 'active')")
    rows = []
    n = 0
    import datetime as dt

    monday = dt.date(2026, 9, 28)  # ISO week 40
    for week in range(8):  # 60 interactions a week, eight ISO weeks
        for k in range(60):
            rows.append((week, (monday + dt.timedelta(days=week * 7 + k % 7)).isoformat()))
    # T1: 5% of every week, and (planted) 30% of the last one; T2: 20% everywhere
    last = max(w for w, _ in rows)
    flags = []
    for week, day in rows:
        share = 0.30 if planted and week == last else 0.05
        flags.append((day, rng.random() < share, rng.random() < 0.20))
    if not planted:  # the same number of T1 messages, shuffled over the weeks
        t1 = [f[1] for f in flags]
        rng.shuffle(t1)
        flags = [(d, a, b) for (d, _, b), a in zip(flags, t1)]
    for day, t1, t2 in flags:
        iid = f"i{n}"
        n += 1
        add_analysed(store, iid, f"{day}T10:00:00", "Texto.", customer=None)
        db.execute("insert into sentences (interaction_id, idx, text) values (?, 0, ?), (?, 1, ?)",
                   [iid, "Me cobraron dos veces." if t1 else "Hola.", iid, "El paquete llegó."])
        for idx, tid, on in ((0, "T1", t1), (1, "T2", t2)):
            if on:
                db.execute("insert into theme_assignments (interaction_id, sentence_idx, theme_id, similarity) "
                           "values (?, ?, ?, 0.9)", [iid, idx, tid])
    return store


@pytest.mark.parametrize("seed", range(5))
def test_a_planted_rise_is_found_with_its_words(store, seed):
    result = what_changed(_fill(store, planted=True, seed=seed), unit="week")
    assert [c.key for c in result.changes] == ["T1"]
    t1 = result.changes[0]
    assert t1.direction == "up" and t1.share_now > 2 * t1.share_before and t1.q < 0.05
    assert t1.quotes == ["Me cobraron dos veces."]


@pytest.mark.parametrize("seed", range(5))
def test_a_shuffled_copy_shows_nothing(store, seed):
    assert what_changed(_fill(store, planted=False, seed=seed), unit="week").changes == []


def test_the_report_leads_with_what_changed(store):
    from voice.report import report_data
    from voice.report.render import render_html

    html = render_html(report_data(_fill(store, planted=True), period="week"))
    assert 'id="changes"' in html and "↑ theme Cargos dobles" in html and "Me cobraron dos veces." in html


def test_the_same_volume_but_angrier_is_a_change_too(store):
    import datetime as dt

    db = store.db
    db.execute("insert into themes (id, name, label, status) values ('T3', 'Atención', 'atención', 'active')")
    monday = dt.date(2026, 9, 28)
    n = 0
    for week in range(6):
        for k in range(30):  # T3 in every interaction; the last week far angrier, the same volume
            iid = f"a{n}"
            n += 1
            score = (-0.8 if week == 5 else 0.1) + (k % 5 - 2) * 0.05
            day = (monday + dt.timedelta(days=week * 7 + k % 7)).isoformat()
            add_analysed(store, iid, f"{day}T10:00:00", "Texto.", customer=None, score=score)
            db.execute("insert into sentences (interaction_id, idx, text) values (?, 0, 'La atención fue pésima.')",
                       [iid])
            db.execute("insert into theme_assignments (interaction_id, sentence_idx, theme_id, similarity) "
                       "values (?, 0, 'T3', 0.9)", [iid])
    result = what_changed(store, unit="week")
    # every interaction is an email: the email touchpoint grew as much angrier as the theme
    assert {(c.kind, c.key, c.direction) for c in result.changes} == {("theme sentiment", "T3", "down"),
                                                                       ("touchpoint sentiment", "email", "down")}
    theme = next(c for c in result.changes if c.kind == "theme sentiment")
    assert "mean sentiment +0.10 → -0.80" in theme.describe()


def test_a_touchpoint_that_got_worse_is_named(store):
    import datetime as dt

    monday = dt.date(2026, 9, 28)
    n = 0
    for week in range(6):
        for k in range(40):
            iid = f"t{n}"
            n += 1
            channel = "call" if k % 2 else "email"
            worse = week == 5 and channel == "call"        # the phone line got worse in the last week
            score = (-0.7 if worse else 0.2) + (k % 5 - 2) * 0.05
            day = (monday + dt.timedelta(days=week * 7 + k % 7)).isoformat()
            text = f"Nadie contesta al teléfono ({n})." if worse else f"Texto {n}."
            add_analysed(store, iid, f"{day}T10:00:00", text, customer=None, score=score, channel=channel)
    result = what_changed(store, unit="week")
    assert [(c.kind, c.key, c.direction) for c in result.changes] == [("touchpoint sentiment", "call", "down")]
    quotes = result.changes[0].quotes  # with what they said: the last week's calls, the most negative first
    assert len(quotes) == 2 and all(q.startswith("Nadie contesta") for q in quotes), quotes


def test_a_gap_of_years_is_not_a_baseline(store):
    # two quarters of data six years apart: nothing to compare, and it says why
    for n in range(20):
        add_analysed(store, f"old{n}", f"2020-01-{n % 28 + 1:02d}T10:00:00", "Texto.", customer=None)
        add_analysed(store, f"new{n}", f"2026-10-{n % 28 + 1:02d}T10:00:00", "Texto.", customer=None)
    result = what_changed(store, unit="quarter")
    assert result.now is None and result.changes == []
    assert "no analysed interactions in the 4 quarters before 2026-Q4" in result.note and "2020-Q1" in result.note
    # an empty quarter in between is skipped, the ones around it kept
    add_analysed(store, "mid", "2026-04-02T10:00:00", "Texto.", customer=None)
    result = what_changed(store, unit="quarter")
    assert (result.now, result.before) == ("2026-Q4", "2026-Q2")
