from pathlib import Path

import pytest

from voice.pipeline.doc import Doc, Sentence
from voice.pipeline.registry import make_component
from voice.products import Catalog, ProductMatcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def matcher():
    return ProductMatcher(Catalog.load(ROOT / "examples" / "catalog" / "products.yaml"))


def found(matcher, text):
    [mentions] = matcher.find([text])
    for m in mentions:  # spans slice back to the surface text
        assert text[m.start:m.end] == m.surface
        assert 0 < m.score <= 1
    return [(m.product_id, m.surface, m.method) for m in mentions]


def test_exact_name(matcher):
    assert found(matcher, "Compré el AirPure 500 ayer.") == [("airpure-500", "AirPure 500", "exact")]


def test_alias_es_and_en(matcher):
    assert found(matcher, "La nevera FrostFree hace ruido") == [("frostfree-nf360", "nevera FrostFree", "alias")]
    assert found(matcher, "My ChefPro oven stopped heating") == [("chefpro-70", "ChefPro oven", "alias")]


def test_plural_inflections(matcher):
    assert found(matcher, "Tenemos dos lavadoras EcoWash y tres purificadores AirPure.") == [
        ("ecowash-9kg", "lavadoras EcoWash", "lemma"), ("airpure-500", "purificadores AirPure", "lemma")]
    assert found(matcher, "both CleanWave 60 dishwashers leak") == [
        ("cleanwave-60", "CleanWave 60 dishwashers", "lemma")]


def test_typos(matcher):
    assert found(matcher, "Mi AirPur 500 no enciende") == [("airpure-500", "AirPur 500", "fuzzy")]
    assert found(matcher, "the Robo Clean X2 got stuck") == [("roboclean-x2", "Robo Clean X2", "fuzzy")]
    assert found(matcher, "la ecowash pierde agua") == [("ecowash-9kg", "la ecowash", "alias")]
    assert found(matcher, "my CafeMatc Barista leaks")[0][:1] == ("cafematic-barista",)


def test_accent_and_case_insensitive(matcher):
    assert found(matcher, "pedí ENVIO EXPRES y no llegó") == [("envio-express", "ENVIO EXPRES", "alias")]
    assert found(matcher, "la garantia plus no cubre nada") == [("garantia-plus", "garantia plus", "exact")]


def test_longest_match_wins(matcher):
    # "AirPure 500" and "purificador AirPure" overlap inside the longer alias
    assert found(matcher, "el purificador AirPure 500 huele") == [
        ("airpure-500", "purificador AirPure 500", "alias")]
    assert found(matcher, "FrostFree Duo fridge") == [("frostfree-duo", "FrostFree Duo fridge", "alias")]


def test_no_false_positives_on_near_words(matcher):
    assert found(matcher, "I drove to the airport and the airline lost my bag") == []
    assert found(matcher, "The AirPure 700 is not ours") == []  # numbers must agree
    assert found(matcher, "EcoWashing") == []  # word-bounded
    assert found(matcher, "sitting here, fitted it myself") == []
    assert found(matcher, "") == []


def test_component_sets_mentions_and_sentence_idx():
    component = make_component("products.catalog.v1", {"catalog": str(ROOT / "examples/catalog/products.yaml")})
    text = "Todo bien. Pero la secadora DryEco no seca."
    doc = Doc("1", "email", text, lang="es",
              sentences=[Sentence(0, 0, 10, text[:10]), Sentence(1, 11, len(text), text[11:])])
    other = Doc("2", "survey", "Great AirPure 300 purifier", lang="en")
    component([doc, other])
    assert [(m.product_id, m.surface, m.sentence_idx) for m in doc.mentions] == [("dryeco-8kg", "secadora DryEco", 1)]
    assert [(m.product_id, m.surface, m.sentence_idx) for m in other.mentions] == [
        ("airpure-300", "AirPure 300 purifier", None)]


def test_batch_equals_one_by_one(matcher):
    texts = ["lavadoras EcoWash", "Robo Clean X2 y AirPur 500", "nada", "RoboClean S1"]
    assert matcher.find(texts) == [matcher.find([t])[0] for t in texts]
