"""A small hand-built store: 3 customers, 7 interactions over ISO weeks 41-43 of 2026,
three themes (one merged into another) and one theme with only recent volume."""

import json

import pytest

from tests.helpers import add_analysed

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)>'


def add_theme(store, tid, name, *, status="active", merged_into=None):
    store.db.execute("insert into themes (id, name, label, status, merged_into) values (?, ?, ?, ?, ?)",
                     [tid, name, name.lower(), status, merged_into])


def assign(store, iid, tid, similarity, idx=0):
    store.db.execute("insert into theme_assignments (interaction_id, sentence_idx, theme_id, similarity) "
                     "values (?, ?, ?, ?)", [iid, idx, tid, similarity])


@pytest.fixture
def base(store):
    """Interactions, experience, NPS, keyphrases, interest and relationships; no themes."""
    db = store.db
    for cid, name, segment, value in (("C1", "Ana Ruiz", "Premium", 5000.0), ("C2", "Luis Gil", "Premium", 4000.0),
                                      ("C3", "Eva Sanz", "Standard", 100.0)):
        db.execute("insert into customers (id, name, segment, lifetime_value) values (?, ?, ?, ?)",
                   [cid, name, segment, value])
    rows = [  # id, day, channel, customer, sentiment score, experience, nps, touchpoint
        ("e1", "2026-10-05", "email", "C1", -0.6, 30, None, None),
        ("e2", "2026-10-07", "email", "C2", -0.2, 50, None, None),
        ("c1", "2026-10-08", "call", "C3", 0.4, 70, None, None),
        ("s1", "2026-10-14", "survey", "C1", -0.8, 20, 2, "delivery"),
        ("s2", "2026-10-15", "survey", "C2", 0.6, 90, 10, "delivery"),
        ("s3", "2026-10-16", "survey", "C3", 0.0, 60, 6, "installation"),
        ("e3", "2026-10-20", "email", "C3", 0.5, 80, None, None),
    ]
    for iid, day, channel, cid, score, exp, nps, tp in rows:
        label = "negative" if score < 0 else "positive" if score > 0 else "neutral"
        add_analysed(store, iid, f"{day}T10:00:00", f"Texto de {iid}", channel=channel, customer=cid,
                     sentiment=label, score=score, experience=(exp, []), nps=nps)
        db.execute("update experience set touchpoint = ? where interaction_id = ?", [tp, iid])
        db.execute("update analyses set lang = ? where interaction_id = ?", ["en" if iid == "e2" else "es", iid])
    db.execute("insert into sentences (interaction_id, idx, text, sentiment_score) values (?, ?, ?, ?)",
               ["e1", 0, "El pedido llegó tarde.", -0.9])
    for iid, phrase, surface in (("e1", "entrega", "entrega"), ("s1", "entrega", "Entrega"), ("e3", "lavadora", "lavadora")):
        db.execute("insert into keyphrases (interaction_id, phrase, surface) values (?, ?, ?)", [iid, phrase, surface])
    for iid, pid, start, polarity, score in (("e1", "airpure-500", 0, "negative", -0.7),
                                             ("s1", "airpure-500", 0, "negative", -0.5),
                                             ("s2", "airpure-500", 0, "positive", 0.6),
                                             ("e3", "roboclean-x2", 0, "positive", 0.8)):
        db.execute("insert into mentions (interaction_id, product_id, start, \"end\", surface, polarity, polarity_score)"
                   " values (?, ?, ?, 5, ?, ?, ?)", [iid, pid, start, pid, polarity, score])
    for cid, pid, score in (("C1", "airpure-500", 0.9), ("C2", "airpure-500", 0.6), ("C3", "airpure-500", 0.3),
                            ("C3", "roboclean-x2", 0.7)):
        db.execute("insert into interest (customer_id, product_id, score) values (?, ?, ?)", [cid, pid, score])
    for cid, cls, band, value, cem, trend, nps in (("C1", "at_risk", "high", 5000.0, 30.0, -20.0, 2.0),
                                                   ("C2", "promoter", "high", 4000.0, 80.0, 5.0, 10.0)):
        db.execute("insert into relationships (customer_id, class, reason, cem, cem_trend, nps, lifetime_value, "
                   "value_band, needs, interests, interactions) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [cid, cls, "churn threat" if cls == "at_risk" else "NPS 10", cem, trend, nps, value, band,
                    json.dumps([["complaint", 0.9]]), "[]", 3])
    return store


@pytest.fixture
def filled(base):
    """``base`` with themes: T001 late delivery (e1, s1, s3), T002 friendly staff (s2, c1, and e3 through
    the merged T003), T004 new (s2, e3), T005 generic (e1, s2), and one outlier sentence; two theme
    groups: G01 named "Deliveries" (e1, s1, s3) and G02 labelled by its phrases (s2, c1, e3, e2)."""
    store = base
    add_theme(store, "T001", "Late delivery")
    add_theme(store, "T002", "Friendly staff")
    add_theme(store, "T003", "Kind people", status="merged", merged_into="T002")
    add_theme(store, "T004", "Something new")
    for iid, tid, sim in (("e1", "T001", 0.9), ("s1", "T001", 0.7), ("s3", "T001", 0.8),
                          ("s2", "T002", 0.9), ("c1", "T002", 0.6), ("e3", "T003", 0.5)):
        assign(store, iid, tid, sim)
    assign(store, "s2", "T004", 0.5, idx=1)
    assign(store, "e3", "T004", 0.5, idx=1)
    store.db.execute("insert into theme_assignments (interaction_id, sentence_idx, theme_id) values ('e2', 0, null)")
    add_theme(store, "T005", "Called them")
    assign(store, "e1", "T005", 0.6, idx=2)
    assign(store, "s2", "T005", 0.6, idx=2)
    store.db.execute("update themes set generic = 1 where id = 'T005'")
    store.db.execute("insert into theme_groups (id, label, name, phrases, size) values "
                     "('G01', 'pedido / tarde', 'Deliveries', '[[\"late order\", 0.5]]', 3), "
                     "('G02', 'staff / kind', null, '[[\"friendly staff\", 0.4], [\"kind people\", 0.3]]', 4)")
    store.db.conn.executemany("insert into interaction_groups (interaction_id, group_id, similarity) values (?, ?, ?)",
                         [("e1", "G01", 0.9), ("s1", "G01", 0.8), ("s3", "G01", 0.7), ("s2", "G02", 0.9),
                          ("c1", "G02", 0.8), ("e3", "G02", 0.7), ("e2", "G02", 0.6)])
    store.db.execute("update themes set group_id = 'G01' where id in ('T001', 'T005')")
    store.db.execute("update themes set group_id = 'G02' where id in ('T002', 'T004')")
    return store
