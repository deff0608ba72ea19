"""The shipped default pipeline, end to end, on the inputs that break analysers."""

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
}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    v = voice.init(tmp_path_factory.mktemp("p") / "v.db")
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
