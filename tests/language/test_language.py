import pytest

from voice.language import LanguageDetector
from voice.pipeline import Doc, Sentence


@pytest.fixture(scope="module")
def detect():
    return LanguageDetector().detect


def test_es_en_and_other(detect):
    got = detect(["Hola, mi pedido no ha llegado todavía", "My order never arrived and nobody answers",
                  "Bom dia, o meu pedido não chegou", "", "😡😡😡", "12345"])
    assert [g[0] for g in got] == ["es", "en", "other", "other", "other", "other"]
    assert got[0][1] > 0.7 and got[1][1] > 0.7 and got[3][1] == 0.0


def test_short_sentences_keep_the_interaction_language():
    doc = Doc("x", "email", "Vale. Mi lavadora llegó rota y nadie me contesta desde hace días. Ok")
    doc.sentences = [Sentence(0, 0, 5, "Vale."), Sentence(1, 6, 63, doc.text[6:63]), Sentence(2, 64, 66, "Ok")]
    LanguageDetector()([doc])
    assert doc.lang == "es" and [s.lang for s in doc.sentences] == ["es", "es", "es"]


def test_a_mixed_language_email_labels_each_sentence():
    text = "Os escribo porque la entrega no llegó. My husband speaks English, please reply to him in English."
    doc = Doc("x", "email", text)
    doc.sentences = [Sentence(0, 0, 38, text[:38]), Sentence(1, 39, len(text), text[39:])]
    LanguageDetector()([doc])
    assert [s.lang for s in doc.sentences] == ["es", "en"]


def test_short_comments_are_not_other_unless_near_certain(detect):
    got = detect(["todo ok", "gr8 service", "La entrega express no es express.", "Bien",
                  "Bom dia, o meu pedido não chegou, estou muito chateado com isto"])
    assert [g[0] for g in got] == ["es", "en", "es", "es", "other"]
