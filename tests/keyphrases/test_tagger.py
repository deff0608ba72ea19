"""The window tagger that tags keyphrase candidates in English instead of spaCy's tok2vec + tagger."""

import numpy as np
import pytest

from voice.errors import ConfigError
from voice.keyphrases import KeyphraseExtractor
from voice.keyphrases import tagger as wt
from voice.pipeline.doc import Doc
from voice.spacy_models import load_spacy

from .test_extract import HashEncoder

CUSTOMER = [
    "The delivery of my washing machine was two weeks late and the refund never arrived.",
    "I called customer service three times and nobody could tell me where my package is.",
    "Your agent promised a credit to my account but my statement still shows the late fee.",
    "Please cancel my subscription and send the confirmation to my email address.",
    "The new coffee maker leaks water every morning, I want a replacement or my money back.",
]


@pytest.fixture(scope="module")
def pipelines():
    if not wt.available("en"):
        pytest.skip("no shipped window tagger for English")
    full = load_spacy("en", exclude=("ner", "parser"))
    if not full.has_pipe("tagger"):
        pytest.skip("no English spaCy model installed")
    fast = wt.add_to(load_spacy("en", exclude=("ner", "parser", "tok2vec", "tagger", "morphologizer")), "en")
    return full, fast


def test_the_shipped_tagger_agrees_with_spacys_on_customer_words(pipelines):
    full, fast = pipelines
    assert not fast.has_pipe("tok2vec") and fast.has_pipe("voice_window_tagger")
    same = total = 0
    for a, b in zip(full.pipe(CUSTOMER), fast.pipe(CUSTOMER)):
        assert [t.text for t in a] == [t.text for t in b]
        same += sum(x.pos_ == y.pos_ for x, y in zip(a, b))
        total += len(a)
    assert same / total >= 0.9
    doc = fast(CUSTOMER[0])
    pos = {t.text: t.pos_ for t in doc}
    assert pos["delivery"] == pos["machine"] == pos["refund"] == "NOUN"
    assert pos["arrived"] == "VERB" and pos["late"] in ("ADJ", "ADV")
    assert {t.text: t.lemma_ for t in fast("two washing machines")}["machines"] == "machine"  # the lemmatizer reads its POS


def test_an_unknown_word_is_tagged_from_its_suffix_shape_and_lexicon(pipelines):
    _, fast = pipelines
    tagger = fast.get_pipe("voice_window_tagger")
    doc = fast("The thermoacoustic refrigeration prototype performed well.")
    assert "thermoacoustic" not in tagger.words
    pos = {t.text: t.pos_ for t in doc}
    assert pos["refrigeration"] == "NOUN" and pos["prototype"] == "NOUN"
    assert pos["thermoacoustic"] in ("ADJ", "NOUN")


def test_saved_and_loaded_it_predicts_the_same(tmp_path, pipelines):
    _, fast = pipelines
    tagger = fast.get_pipe("voice_window_tagger")
    docs = [fast.make_doc(t) for t in CUSTOMER]
    before = tagger.predict(docs)
    tagger.save(tmp_path)
    again = wt.WindowTagger.load(tmp_path, "en", fast)
    assert all(np.array_equal(a, b) for a, b in zip(before, again.predict(docs)))
    assert [len(p) for p in again.predict([fast.make_doc(""), docs[0]])] == [0, len(docs[0])]  # an empty doc


def test_keyphrases_with_either_tagger(pipelines):
    docs = lambda: [Doc(str(i), "email", t, lang="en") for i, t in enumerate(CUSTOMER)]  # noqa: E731
    window = KeyphraseExtractor(HashEncoder(), top_k=5)(docs())
    spacy_ = KeyphraseExtractor(HashEncoder(), top_k=5, tagger="spacy")(docs())
    assert window[0].keyphrases and spacy_[0].keyphrases
    for a, b in zip(window, spacy_):
        found_a, found_b = {k for k, _, _ in a.keyphrases}, {k for k, _, _ in b.keyphrases}
        assert len(found_a & found_b) >= min(len(found_a), len(found_b)) - 2
    assert "washing machine" in {k for k, _, _ in window[0].keyphrases}


def test_spanish_keeps_spacys_tagger_and_a_wrong_name_is_refused():
    ex = KeyphraseExtractor(HashEncoder())
    if wt.available("es"):
        pytest.skip("a Spanish window tagger is shipped")
    nlp = ex._nlp("es")
    assert not nlp.has_pipe("voice_window_tagger")
    with pytest.raises(ConfigError, match="keyphrase tagger"):
        KeyphraseExtractor(HashEncoder(), tagger="crf")


def test_the_technical_prose_it_learns_unknown_words_from_reads_as_sentences():
    sentences = wt.docstring_sentences(limit=50, packages=("json", "email"), stdlib=False)
    assert len(sentences) == 50
    assert all(s.endswith(".") and 6 <= len(s.split()) <= 40 and "_" not in s for s in sentences)


@pytest.mark.parametrize("tagger", ["window", "spacy"])
def test_emoticons_and_entities_are_not_keyphrases(tagger):
    text = "Loved the new lounge :-D the crew was lovely &lt;3 and the wifi worked :D"
    [doc] = KeyphraseExtractor(HashEncoder(), tagger=tagger)([Doc("1", "survey", text, lang="en")])
    surfaces = [s for _, s, _ in doc.keyphrases]
    assert any("lounge" in s for s in surfaces)
    assert not any(":" in s or ";" in s for s in surfaces), surfaces
