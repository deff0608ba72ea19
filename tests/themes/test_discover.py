from voice.themes import discover, interaction_themes, list_themes
from voice.themes.corpus import eligible

from .conftest import BILLING, DELIVERY, add_sentences


def themes_of(store, prefix):
    return {iid: interaction_themes(store, iid) for iid in
            [r[0] for r in store.db.execute("select id from interactions where id like ?", [prefix + "%"])]}


def test_greetings_and_short_sentences_are_not_eligible():
    assert not eligible("Hola,")
    assert not eligible("Okay.")
    assert not eligible("Un saludo, Ana")
    assert not eligible("Muchas gracias de antemano.")
    assert eligible("Hola, mi pedido no ha llegado")


def test_es_and_en_about_two_topics_make_two_themes(two_topics):
    report = discover(two_topics)
    assert report.themes == 2
    assert report.new_themes == ["T001", "T002"]
    assert report.eligible == 12 and report.outliers == 0
    delivery = {t for ts in themes_of(two_topics, "d").values() for t in ts}
    washer = {t for ts in themes_of(two_topics, "w").values() for t in ts}
    assert len(delivery) == 1 and len(washer) == 1 and delivery != washer
    assert interaction_themes(two_topics, "out1") == []  # an agent's outbound email is not the customer's voice
    rows = two_topics.db.execute("select count(*), count(similarity), count(theme_id) from theme_assignments").fetchone()
    assert rows == (24, 12, 12)  # one row per inbound sentence; greetings have no similarity and no theme
    themes = {t["id"]: t for t in list_themes(two_topics)}
    assert all(t["status"] == "active" for t in themes.values())
    label = themes[delivery.pop()]["label"]
    words = set(label.replace("/", " ").split())
    assert words & {"express", "envío", "delivery", "pedido", "order"}


def test_sentences_the_analysis_found_no_content_in_get_no_theme(two_topics):
    # a signature and a contact line long enough to pass the word count: the analysis marked them
    add_sentences(two_topics, "sig", [("es", "Mi pedido con envío express no ha llegado todavía."),
                                      ("es", "Javier Morales Cuesta, Jefe de Compras de Hostelería Norte"),
                                      ("es", "Mi teléfono es el 612 345 678 para lo que necesitéis")],
                  kinds=[None, "signature", "contact"])
    report = discover(two_topics)
    assert report.eligible == 13
    rows = two_topics.db.execute("select sentence_idx, theme_id, similarity from theme_assignments "
                                 "where interaction_id = 'sig' order by sentence_idx").fetchall()
    assert rows[0][1] is not None and [tuple(r[1:]) for r in rows[1:]] == [(None, None), (None, None)]


def test_rerun_with_nothing_new_changes_nothing(two_topics):
    discover(two_topics)
    before = two_topics.db.execute("select * from themes order by id").fetchall()
    assigned = two_topics.db.execute("select * from theme_assignments order by 1, 2").fetchall()
    report = discover(two_topics)
    assert not report.changed and report.new_themes == []
    assert two_topics.db.execute("select * from themes order by id").fetchall() == before
    assert two_topics.db.execute("select * from theme_assignments order by 1, 2").fetchall() == assigned


def test_new_data_joins_existing_themes_and_a_new_topic_is_proposed(two_topics):
    discover(two_topics)
    centroids = dict(two_topics.db.execute("select id, centroid from themes").fetchall())
    delivery_theme = interaction_themes(two_topics, "d0")[0]
    add_sentences(two_topics, "d9", [("en", "Where is my express order? It has not arrived yet.")])
    for n, sent in enumerate(BILLING):
        add_sentences(two_topics, f"b{n}", [sent])
    report = discover(two_topics, min_size=len(BILLING))  # a new topic with enough sentences of its own
    assert report.new_sentences == 5
    assert interaction_themes(two_topics, "d9") == [delivery_theme]
    assert report.new_themes == ["T003"]
    status = dict(two_topics.db.execute("select id, status from themes").fetchall())
    assert status == {"T001": "active", "T002": "active", "T003": "proposed"}
    assert {tuple(interaction_themes(two_topics, f"b{n}")) for n in range(len(BILLING))} == {("T003",)}
    assert dict(two_topics.db.execute("select id, centroid from themes where id != 'T003'").fetchall()) == centroids


def test_rebuild_retires_old_ids_and_never_reuses_them(two_topics):
    discover(two_topics)
    report = discover(two_topics, rebuild=True)
    assert report.new_themes == ["T003", "T004"]
    status = dict(two_topics.db.execute("select id, status from themes").fetchall())
    assert status == {"T001": "retired", "T002": "retired", "T003": "active", "T004": "active"}
    assert report.version == 2


def test_delivery_sentences_sit_together_across_languages(store):
    for n, sent in enumerate(DELIVERY):
        add_sentences(store, f"d{n}", [sent])
    discover(store)
    assert {tuple(interaction_themes(store, f"d{n}")) for n in range(len(DELIVERY))} == {("T001",)}
