"""Theme groups: one primary group per interaction, found on whole interactions, over the themes."""

import numpy as np
import pytest

from tests.themes.conftest import BILLING, DELIVERY, WASHER, add_sentences
from voice.themes import discover, find_groups, list_groups
from voice.themes.groups import features, stable_k

EXTRA = {
    "delivery": [("es", "El repartidor no vino y el paquete sigue sin llegar."),
                 ("en", "The courier never showed up and my parcel is still missing."),
                 ("es", "Llevo una semana esperando la entrega del pedido."),
                 ("en", "I have been waiting a week for my order to be delivered.")],
    "washer": [("es", "La lavadora hace ruido al centrifugar y se mueve."),
               ("en", "The washer shakes and bangs during the spin cycle."),
               ("es", "La lavadora pierde agua por debajo de la puerta."),
               ("en", "Water leaks from under the washing machine door.")],
    "billing": [("es", "Me cobrasteis el pedido dos veces en la tarjeta."),
                ("en", "My card was charged twice for the same order."),
                ("es", "La factura tiene un importe que no es el mío."),
                ("en", "The invoice shows an amount I never agreed to.")],
}


def _store_with_three_topics(store, copies=3):
    n = 0
    for topic, base in (("delivery", DELIVERY), ("washer", WASHER), ("billing", BILLING)):
        for _ in range(copies):
            for lang, text in base + EXTRA[topic]:
                add_sentences(store, f"{topic}{n}", [(lang, text)], customer=f"C{n % 9}")
                n += 1
    return n


def test_each_interaction_gets_one_primary_group_and_groups_follow_topics(store):
    n = _store_with_three_topics(store)
    discover(store)
    report = find_groups(store, k=3)
    assert report.interactions == n and report.groups == 3
    assert report.words is False  # es and en: the vectors alone, else the words would split the languages
    rows = dict(store.db.execute("select interaction_id, group_id from interaction_groups"))
    assert len(rows) == n
    by_topic = {topic: {g for iid, g in rows.items() if iid.startswith(topic)} for topic in ("delivery", "washer", "billing")}
    assert all(len(gs) == 1 for gs in by_topic.values())  # es and en of one topic together
    assert len(set.union(*by_topic.values())) == 3  # and the three topics apart
    groups = list_groups(store)
    assert [g["interactions"] for g in groups] == sorted((g["interactions"] for g in groups), reverse=True)
    assert all(g["label"] and g["themes"] for g in groups)  # each labelled, with its sentence themes under it
    washer = next(g for g in groups if g["id"] == rows["washer" + str(len(DELIVERY + EXTRA["delivery"]) * 3)])
    assert {"lavadora", "washing", "washer", "machine"} & set(washer["label"].replace("/", " ").split())


def test_the_number_of_groups_comes_from_the_data(store):
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(8, 40))
    X = np.vstack([c + 0.15 * rng.normal(size=(30, 40)) for c in centres])
    k, scores = stable_k(X / np.linalg.norm(X, axis=1, keepdims=True), max_k=16)
    assert k == 8 and scores[8] > 0.95 and min(scores) >= 6


def test_too_few_interactions_give_no_groups_and_clear_old_ones(store):
    _store_with_three_topics(store)
    discover(store)
    find_groups(store, k=3)
    store.db.execute("delete from theme_assignments")
    keep = ",".join(f"'delivery{i}'" for i in range(10))
    store.db.execute(f"delete from sentences where interaction_id not in ({keep})")
    report = find_groups(store)
    assert report.groups == 0 and list_groups(store) == []
    assert store.db.execute("select count(*) from interaction_groups").fetchone()[0] == 0


def test_features_join_vectors_and_words():
    X = np.eye(8, 16)
    texts = ["envío tarde repartidor", "envío tarde paquete", "envío tarde caja", "envío repartidor caja",
             "lavadora ruido agua", "lavadora agua puerta", "lavadora ruido puerta", "lavadora agua ruido"]
    F = features(X, texts)
    assert F.shape[0] == 8 and F.shape[1] > 16 and np.allclose(np.linalg.norm(F, axis=1), 1.0)
    # the word part puts the two topics apart although the vectors (one-hot here) do not
    sim = F @ F.T
    assert sim[0, 1] > sim[0, 5] and sim[4, 6] > sim[4, 2]


def test_words_join_the_vectors_where_one_language_holds_the_data(store):
    n = 0
    for topic, base in (("delivery", DELIVERY), ("washer", WASHER), ("billing", BILLING)):
        for _ in range(4):
            for lang, text in base + EXTRA[topic]:
                if lang == "en":
                    add_sentences(store, f"{topic}{n}", [(lang, text)])
                    n += 1
    discover(store)
    report = find_groups(store, k=3)
    assert report.words is True and report.groups == 3
    rows = dict(store.db.execute("select interaction_id, group_id from interaction_groups"))
    from collections import Counter

    majority = {t: Counter(g for iid, g in rows.items() if iid.startswith(t)).most_common(1)[0]
                for t in ("delivery", "washer", "billing")}
    sizes = Counter(next(t for t in majority if iid.startswith(t)) for iid in rows)
    assert len({g for g, _ in majority.values()}) == 3  # each topic has its own group
    assert all(count >= 0.75 * sizes[t] for t, (_, count) in majority.items())


def test_an_intent_taxonomy_is_suggested_from_the_groups(store, tmp_path):
    from voice.errors import NotFound
    from voice.intent import load_taxonomy
    from voice.intent.suggest import suggest_taxonomy

    with pytest.raises(NotFound, match="themes discover"):
        suggest_taxonomy(store, tmp_path / "none.yaml")
    _store_with_three_topics(store)
    discover(store)
    find_groups(store, k=3)
    tax = suggest_taxonomy(store, tmp_path / "mine.yaml", examples=4)
    loaded = load_taxonomy(tmp_path / "mine.yaml")
    assert len(loaded.intents) == 3 and loaded.ids == [i["id"] for i in tax["intents"]]
    own = {t for _, t in DELIVERY + WASHER + BILLING} | {t for ts in EXTRA.values() for _, t in ts}
    for intent in loaded.intents:
        texts = [t for ex in intent.examples.values() for t in ex]
        assert texts and set(texts) <= own  # the customers' own sentences
        assert all(len(ex) <= 4 for ex in intent.examples.values())
    assert loaded.out_of_scope  # greetings and chit-chat kept from the default taxonomy


def _keyphrases(store, rows):
    store.db.conn.executemany("insert into keyphrases (interaction_id, phrase, surface, score, rank) "
                              "values (?, ?, ?, 0.5, 1)", rows)


def test_group_ids_and_names_are_kept_across_runs(store):
    from voice.themes.groups import carry_ids

    _store_with_three_topics(store)
    discover(store)
    find_groups(store, k=3)
    first = dict(store.db.execute("select interaction_id, group_id from interaction_groups"))
    washer_gid = first["washer" + str(len(DELIVERY + EXTRA["delivery"]) * 3)]
    store.db.execute("update theme_groups set name = 'Washing machines' where id = ?", [washer_gid])
    find_groups(store, k=3)  # the same data: the same groups, the same ids, the name kept
    assert dict(store.db.execute("select interaction_id, group_id from interaction_groups")) == first
    assert next(g for g in list_groups(store) if g["id"] == washer_gid)["title"] == "Washing machines"
    # a cluster that matches no old group gets a new id, never a reused one; an old one goes to one cluster
    by_group: dict[str, set] = {}
    for iid, g in first.items():
        by_group.setdefault(g, set()).add(iid)
    old = sorted(by_group)
    gid, names = carry_ids(store, {0: by_group[old[0]], 1: {"new1", "new2"}, 2: set(list(by_group[old[1]])[:2])})
    assert gid[0] == old[0] and gid[1] not in old and gid[2] not in old and gid[1] != gid[2]
    assert int(gid[1][1:]) > max(int(g[1:]) for g in old)
    assert names == ({old[0]: "Washing machines"} if old[0] == washer_gid else {})


def test_groups_are_labelled_with_the_phrases_typical_of_them(store):
    from voice.themes.groups import group_title, phrase_labels

    group_of = {f"a{i}": "G01" for i in range(10)} | {f"b{i}": "G02" for i in range(10)}
    rows = [(f"a{i}", "identity theft", "identity theft") for i in range(6)]
    rows += [(f"a{i}", "theft", "theft") for i in range(6)]  # inside a better phrase: skipped
    rows += [(f"a{i}", "police report", "Police report") for i in range(4)]
    rows += [(f"{x}{i}", "credit report", "credit report") for x in "ab" for i in range(8)]  # everywhere: no lift
    rows += [(f"a{i}", "laura", "Laura") for i in range(5)]  # a person's name
    rows += [(f"b{i}", "debt collector", "debt collector") for i in range(7)]
    rows += [("a0", "once only", "once only")] + [(f"a{i}", "oh", "OH") for i in range(6)]  # no word of 3+ letters
    for iid in group_of:
        add_sentences(store, iid, [("en", "A complaint sentence here.")])
    _keyphrases(store, rows)
    labels = phrase_labels(store, group_of, exclude={"laura"})
    assert [p[0] for p in labels["G01"]] == ["identity theft", "police report"]
    assert [p[0] for p in labels["G02"]] == ["debt collector"]
    assert group_title(None, labels["G01"], "identity / theft") == "identity theft / police report"
    assert group_title(None, labels["G02"], "debt / collector") == "debt / collector"  # one phrase: the words
    assert group_title("Fraud", labels["G01"], "x") == "Fraud"


def test_a_theme_spread_over_every_group_is_generic():
    from collections import Counter

    from voice.themes.groups import generic_themes

    sizes = Counter({"G01": 40, "G02": 30, "G03": 30})
    votes = {"everywhere": Counter({"G01": 20, "G02": 15, "G03": 15}),  # as the data is: lift 1.0
             "topical": Counter({"G02": 25, "G01": 2}),  # lift 3.1
             "rare": Counter({"G01": 1, "G02": 1}),  # too few interactions to tell
             "small_even": Counter({"G01": 4, "G02": 3, "G03": 3})}  # even, but 10%: maybe a topic the groups miss
    assert generic_themes(votes, sizes) == {"everywhere"}
    assert generic_themes(votes, Counter({"G01": 50, "G02": 50})) == set()  # two groups: cannot tell


def test_the_taxonomy_file_names_groups(store, tmp_path):
    import yaml

    from voice.errors import ConfigError
    from voice.themes import apply_taxonomy, export_taxonomy

    _store_with_three_topics(store)
    discover(store)
    find_groups(store, k=3)
    path = export_taxonomy(store, tmp_path / "themes.yaml")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(doc["groups"]) == 3 and all(g["examples"] and g["name"] for g in doc["groups"])
    gid = doc["groups"][0]["id"]
    doc["groups"][0]["name"] = "Broken washers"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    apply_taxonomy(store, path)
    assert next(g for g in list_groups(store) if g["id"] == gid)["title"] == "Broken washers"
    untouched = [g for g in list_groups(store) if g["id"] != gid]
    assert all(g["name"] is None for g in untouched)  # an unchanged automatic title is not stored as a name
    doc["groups"][0]["id"] = "G99"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="G99"):
        apply_taxonomy(store, path)


def test_suggest_from_the_command_line_with_as_many_intents_as_asked(tmp_path):
    from typer.testing import CliRunner

    from voice.cli import app
    from voice.store import Store

    db = tmp_path / "v.db"
    store = Store.open(db, create=True)
    store.set_settings(region="ES", company_domains=["lunahogar.example"])
    _store_with_three_topics(store)
    discover(store)
    store.db.conn.commit()  # the helpers write outside a transaction of their own
    store.close()
    r = CliRunner().invoke(app, ["intents", "suggest", str(tmp_path / "s.yaml"), "--intents", "3", "--db", str(db),
                                 "--examples", "3"])
    assert r.exit_code == 0, r.output
    assert "3 groups of" in r.output and "3 intents suggested" in r.output
    bad = CliRunner().invoke(app, ["intents", "suggest", str(tmp_path / "s.yaml"), "--intents", "1", "--db", str(db)])
    assert bad.exit_code == 1 and "two intents or more" in bad.output
