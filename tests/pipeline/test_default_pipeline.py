"""The shipped default pipeline, end to end, on the inputs that break analysers."""

from pathlib import Path

import pytest

import voice
from tests.conftest import make_email, make_survey

AWKWARD = {
    "empty": "",
    "blank": "  \n\t  ",
    "emoji": "😡😡😡 👎",
    "long": "La entrega express de la lavadora EcoWash llegó tarde otra vez y nadie me avisó. " * 1200,
    "mixed": "La nevera llegó rota. My husband is furious, please call him back today.",
    "unknown": "Bom dia, a minha encomenda ainda não chegou e ninguém me responde há uma semana.",
    "clear": "Quiero comprar el purificador AirPure 500, ¿cuánto cuesta y tenéis stock en Madrid?",
    "two topics": ("La cafetera CafeMatic Barista que compré en julio pierde agua y deja un charco cada día. "
                   "Aparte, quiero comprar el purificador AirPure 500, ¿tenéis alguna oferta?"),
    # a CFPB narrative: redactions everywhere, a polite sign-off that once made it "praise"
    "redacted": ("On XX/XX/2019 XXXX XXXX called me about a debt I do not owe to XXXX XXXX XXXX. "
                 "They said my account XXXX was sent to collections and my credit report shows it. "
                 "I disputed it with XXXX twice and nothing was fixed.\n\nThank you and best regards"),
    "tweet": "@united @AmericanAir my bag is lost again and nobody answers #fail",
    "only greetings": "Hola Ana,\n\nUn saludo,\nJavier Morales",
}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    v = voice.init(tmp_path_factory.mktemp("p") / "v.db")
    v.import_products(Path(__file__).resolve().parents[2] / "examples" / "catalog" / "products.yaml")
    items = {k: make_survey(i, comment=t) if k in ("empty", "blank") else make_email(i, text=t)
             for i, (k, t) in enumerate(AWKWARD.items())}
    v.store.add_interactions(list(items.values()))
    report = v.analyze()
    rows = {k: v.store.db.execute("select * from analyses where interaction_id = ?", [it.id]).fetchone()
            for k, it in items.items()}
    yield v, report, items, rows
    v.close()


def test_every_awkward_input_gets_an_analysis_row(analysed):
    v, report, items, rows = analysed
    assert report.analysed + report.skipped == len(AWKWARD) and report.skipped == 2  # empty and blank
    assert all(rows[k] is not None for k in AWKWARD)


def test_languages(analysed):
    v, _, items, _ = analysed
    lang = {k: v.store.db.execute("select lang from analyses where interaction_id = ?", [it.id]).fetchone()[0]
            for k, it in items.items()}
    assert lang["long"] == lang["clear"] == "es" and lang["unknown"] == "other" and lang["emoji"] == "other"
    mixed = [r[0] for r in v.store.db.execute("select lang from sentences where interaction_id = ? order by idx",
                                              [items["mixed"].id])]
    assert mixed == ["es", "en", "en"] or mixed == ["es", "en"]


def test_a_100k_character_message_is_analysed_whole(analysed):
    v, _, items, _ = analysed
    iid = items["long"].id
    sentiment = v.store.db.execute("select sentiment from analyses where interaction_id = ?", [iid]).fetchone()[0]
    n_sentences = v.store.db.execute("select count(*) from sentences where interaction_id = ?", [iid]).fetchone()[0]
    mentions = {r[0] for r in v.store.db.execute("select product_id from mentions where interaction_id = ?", [iid])}
    assert sentiment == "negative" and n_sentences == 1200 and "envio-express" in mentions and any(m.startswith("ecowash") for m in mentions)


def test_a_clear_request_reads_as_one(analysed):
    v, _, items, _ = analysed
    iid = items["clear"].id
    intents = {r[0] for r in v.store.db.execute("select intent from intents where interaction_id = ?", [iid])}
    assert intents & {"purchase_interest", "price_availability"}
    assert v.store.db.execute("select product_id from mentions where interaction_id = ?", [iid]).fetchall() == [
        ("airpure-500",)]


def test_each_sentence_keeps_its_intents_and_each_product_its_own(analysed):
    import json

    from voice.scoring.history import load_items
    from voice.scoring.interest import score_interest

    v, _, items, _ = analysed
    iid = items["two topics"].id
    rows = v.store.db.execute("select idx, intents from sentences where interaction_id = ? order by idx",
                              [iid]).fetchall()
    per = [{k for k, _ in json.loads(js or "[]")} for _, js in rows]
    assert len(per) == 2 and "purchase_interest" in per[1] and "purchase_interest" not in per[0]
    [item] = load_items(v.store, "x.id = ?", [iid])
    by_product = {i.product_id: i for i in score_interest([item], item.timestamp)}
    assert by_product["airpure-500"].score >= 0.6
    # the wish to buy is the purifier's, not the leaking coffee machine's: that one is only named
    assert "purchase_interest" not in by_product["cafematic-barista"].evidence[0].get("signals", {})
    assert by_product["cafematic-barista"].score <= 0.2


def test_redactions_handles_and_sign_offs_are_not_analysed(analysed):
    v, _, items, _ = analysed
    db = v.store.db
    for key in ("redacted", "tweet"):
        iid = items[key].id
        phrases = [r[0] for r in db.execute("select phrase from keyphrases where interaction_id = ?", [iid])]
        assert phrases and not any("xx" in p or "@" in p or "united" in p or "americanair" in p for p in phrases), phrases
        # what is stored and shown is the text as written; offsets point into it
        text = db.execute("select analysed_text from analyses where interaction_id = ?", [iid]).fetchone()[0]
        assert text == items[key].text
    kinds = {r[0]: r[1] for r in db.execute("select text, kind from sentences where interaction_id = ?",
                                             [items["redacted"].id])}
    assert kinds["Thank you and best regards"] == "signoff"
    assert all(k is None for t, k in kinds.items() if t != "Thank you and best regards")
    intents = [r[0] for r in db.execute("select intent from intents where interaction_id = ?", [items["redacted"].id])]
    assert "praise" not in intents and "complaint" in intents, intents


def test_a_message_of_only_greetings_and_a_signature_says_nothing(analysed):
    v, _, items, _ = analysed
    iid = items["only greetings"].id
    db = v.store.db
    kinds = [r[0] for r in db.execute("select kind from sentences where interaction_id = ? order by idx", [iid])]
    assert kinds and all(kinds), kinds
    assert db.execute("select sentiment from analyses where interaction_id = ?", [iid]).fetchone()[0] == "neutral"
    assert [r[0] for r in db.execute("select intent from intents where interaction_id = ?", [iid])] == ["other"]
    assert db.execute("select count(*) from keyphrases where interaction_id = ?", [iid]).fetchone()[0] == 0


def test_the_runner_up_intents_are_kept_with_their_confidence(analysed):
    import json

    v, _, items, _ = analysed
    for key in ("clear", "tweet", "redacted"):
        iid = items[key].id
        raw = v.store.db.execute("select intent_candidates from analyses where interaction_id = ?", [iid]).fetchone()[0]
        cands = json.loads(raw)
        assert len(cands) == 3 and [c for _, c in cands] == sorted((c for _, c in cands), reverse=True)
        chosen = [r[0] for r in v.store.db.execute("select intent from intents where interaction_id = ?", [iid])]
        assert chosen == ["other"] or cands[0][0] in chosen  # the best candidate is the answer unless "other"
    # a message of only greetings decides nothing: no candidates either
    iid = items["only greetings"].id
    assert v.store.db.execute("select intent_candidates from analyses where interaction_id = ?", [iid]).fetchone()[0] is None



def test_warm_up_loads_the_spacy_pipelines_and_encodes_nothing(tmp_path, monkeypatch):
    import voice.keyphrases.extract as kp

    loaded = []
    real = kp.load_spacy
    monkeypatch.setattr(kp, "load_spacy", lambda lang, *a, **kw: loaded.append(lang) or real(lang, *a, **kw))
    v = voice.init(tmp_path / "w.db")
    pipe = v.pipeline()
    assert pipe.warm_up() is pipe
    assert {"en", "es"} <= set(loaded)  # the keyphrase step's tagged pipelines, before any batch
    assert v.store.db.execute("select count(*) from embeddings").fetchone()[0] == 0
    v.close()
