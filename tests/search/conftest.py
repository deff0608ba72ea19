import pytest

from tests.helpers import add_analysed

# (id, timestamp, text, channel, customer, sentiment, lang, mentions)
CORPUS = [
    ("E1", "2026-10-01T09:00:00", "The delivery was late and the courier never called me.",
     "email", "C001", "negative", "en", [("envio-express", "delivery")]),
    ("S1", "2026-10-03T12:00:00", "Entrega tardía: el pedido llegó tres días tarde.",
     "survey", "C017", "negative", "es", []),
    ("E2", "2026-10-05T10:00:00", "I love the new coffee machine, it makes great espresso.",
     "email", "C001", "positive", "en", [("cafetera-c1", "coffee machine")]),
    ("S2", "2026-10-07T10:00:00", "La cafetera nueva es fantástica, hace un café buenísimo.",
     "survey", "C020", "positive", "es", [("cafetera-c1", "cafetera")]),
    ("E3", "2026-10-09T10:00:00", "My invoice shows a double charge on my credit card.",
     "email", "C020", "negative", "en", []),
    ("S3", "2026-10-11T10:00:00", "Pagué el Envío Express y el paquete no llegó a tiempo.",
     "survey", "C017", "negative", "es", [("envio-express", "Envío Express")]),
    ("S4", "2026-10-13T10:00:00", "El envío fue gratis pero el servicio express no existe.",
     "survey", "C001", "neutral", "es", []),
    ("X1", "2026-10-15T10:00:00", "<script>alert('x')</script> The washing machine arrived broken.",
     "email", "C017", "negative", "en", []),
]


def build(store, rows=CORPUS):
    db = store.db
    db.execute("insert or ignore into customers (id, name) values ('C001', 'Ana Ruiz'), "
               "('C017', 'Javier Morales'), ('C020', 'Tom Baker')")
    for iid, ts, text, channel, customer, sentiment, lang, mentions in rows:
        add_analysed(store, iid, ts, text, channel=channel, customer=customer, sentiment=sentiment,
                     score={"negative": -0.8, "neutral": 0.0, "positive": 0.8}[sentiment], mentions=mentions)
        db.execute("update analyses set lang = ? where interaction_id = ?", [lang, iid])
    db.execute("insert or ignore into themes (id, name, label) values ('T001', 'Entregas', 'entrega retraso')")
    db.conn.executemany("insert or ignore into theme_assignments (interaction_id, sentence_idx, theme_id) "
                        "values (?, 0, 'T001')", [("E1",), ("S1",), ("S3",)])
    return store


@pytest.fixture
def corpus(store):
    return build(store)
