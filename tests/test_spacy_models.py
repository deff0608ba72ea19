import spacy
import pytest

from voice.spacy_models import MODEL_NAMES, load_spacy, speed_up_attributes

TEXTS = {
    "en": ["I'm gonna cancel, it gets worse every week and the refund never got here.",
           "There is no way I ain't calling again. Do you have the AirPure 500 in stock?",
           "  The  delivery   guys left it in the hall.\n\nThanks, Tom"],
    "es": ["Me han entregado la lavadora rota y nadie me llama.", "¿Tenéis la AirPure 500 en stock? Gracias."],
}


def _installed(lang):
    for name in MODEL_NAMES[lang]:
        try:
            return name, spacy.load(name, exclude=["ner"])
        except OSError:
            continue
    pytest.skip(f"no spaCy model for {lang}")


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("exclude", [["ner"], ["ner", "parser"]])
def test_faster_attributes_give_the_rulers_output(lang, exclude):
    name, _ = _installed(lang)
    ruler = spacy.load(name, exclude=exclude)
    mapped = speed_up_attributes(spacy.load(name, exclude=exclude))
    assert type(mapped.get_pipe("attribute_ruler")).__name__ == "AttributeMap"
    for text in TEXTS[lang]:
        a, b = ruler(text), mapped(text)
        assert [(t.pos_, t.tag_, str(t.morph), t.lemma_) for t in a] == \
               [(t.pos_, t.tag_, str(t.morph), t.lemma_) for t in b]


def test_the_rulers_lemmas_and_pos_still_apply():
    _installed("en")
    doc = load_spacy("en", exclude=("ner", "parser"))("It gets worse and I got nothing, I'm gonna leave.")
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["gets"] == "get" and lemmas["got"] == "get"
    assert lemmas["gon"] == "go" and lemmas["na"] == "to"  # a two-token pattern
    assert all(t.pos_ for t in doc)  # every token has its coarse POS from the tag


def test_a_pipeline_whose_vocabulary_grew_is_loaded_afresh(monkeypatch):
    from functools import lru_cache

    import voice.spacy_models as sm

    @lru_cache(maxsize=2)
    def loader(lang):
        return spacy.blank(lang)

    monkeypatch.setattr(sm, "VOCAB_GROWTH", 50)
    first = sm.renewed(loader, "en")
    assert sm.renewed(loader, "en") is first
    list(first.pipe([f"word{i} token{i}" for i in range(40)]))  # 80 new words: more than allowed
    again = sm.renewed(loader, "en")
    assert again is not first and len(again.vocab) < len(first.vocab)
    assert sm.renewed(loader, "en") is again
