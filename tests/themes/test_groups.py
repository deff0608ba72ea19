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
