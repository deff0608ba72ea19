import numpy as np

from voice.themes import interaction_themes, list_themes, theme_examples


def test_figures_on_a_hand_built_store(store):
    db = store.db
    db.execute("insert into themes (id, name, label, keyphrases, centroid, status, size) values "
               "('T001', null, 'entrega / delivery', '[[\"entrega\", 0.5, \"es\"]]', ?, 'active', 3)",
               [np.ones(4, np.float32).tobytes()])
    db.execute("insert into themes (id, name, label, status) values ('T002', 'Old', 'x', 'retired')")
    rows = [("i1", "C1", "negative", -0.8, 0.9), ("i2", "C2", "positive", 0.6, 0.7), ("i3", "C2", "negative", -0.4, 0.8)]
    for iid, cust, sent, score, sim in rows:
        db.execute("insert into interactions (id, content_hash, channel, timestamp, customer_id, direction) "
                   "values (?, ?, 'email', '2026-10-01', ?, 'inbound')", [iid, iid, cust])
        db.execute("insert into sentences (interaction_id, idx, text, sentiment, sentiment_score) values (?, 0, ?, ?, ?)",
                   [iid, f"text {iid}", sent, score])
        db.execute("insert into theme_assignments (interaction_id, sentence_idx, theme_id, similarity, version) "
                   "values (?, 0, 'T001', ?, 1)", [iid, sim])
    for sid, cust, nps, ts in [("s1", "C1", 2, "2026-09-05"), ("s3", "C2", 10, "2026-10-02"),
                               ("s2", "C2", 8, "2026-09-01")]:
        db.execute("insert into interactions (id, content_hash, channel, customer_id, timestamp)"
                   " values (?, ?, 'survey', ?, ?)", [sid, sid, cust, ts])
        db.execute("insert into survey_scores (interaction_id, nps) values (?, ?)", [sid, nps])
    [t] = list_themes(store)
    assert (t["id"], t["name"], t["keyphrases"], t["sentences"], t["interactions"]) == \
        ("T001", "entrega / delivery", ["entrega"], 3, 3)
    assert t["mean_sentiment"] == -0.2 and t["share_negative"] == 0.667
    assert t["mean_nps"] == 6.0 and t["nps_customers"] == 2  # C1: 2, C2: its latest answer, 10
    assert [e["interaction_id"] for e in theme_examples(store, "T001", limit=2)] == ["i1", "i3"]
    assert theme_examples(store, "T001")[0]["customer_id"] == "C1"
    assert interaction_themes(store, "i2") == ["T001"]
    assert [t["id"] for t in list_themes(store, include=("retired",))] == ["T002"]


def test_people_names_are_never_theme_words(store):
    from voice.themes.label import label_themes, people_names

    store.db.execute("insert into customers (id, name) values ('C1', 'Laura O''Connor'), ('C2', 'Tom Baker')")
    names = people_names(store)
    assert {"laura", "connor", "tom", "baker"} <= names
    texts = ["Gracias Laura, la entrega express llegó", "Laura, la entrega express tarde", "Tom: delivery late"]
    [terms] = label_themes(texts, ["es", "es", "en"], ["T1"] * 3, exclude=sorted(names)).values()
    words = {w for t, _, _ in terms for w in t.split()}
    assert "entrega" in words and not words & {"laura", "tom"}


def test_a_label_names_a_word_once_whatever_its_number():
    from voice.themes.label import label_themes

    texts = ["Late payments and a payment refused", "My payment was late, payments keep failing",
             "The loan payments", "Refund of my loans"] * 2
    [terms] = label_themes(texts, ["en"] * 8, ["T1"] * 8).values()
    firsts = [t for t, _, _ in terms]
    assert not ({"payment", "payments"} <= set(firsts)) and not ({"loan", "loans"} <= set(firsts))
