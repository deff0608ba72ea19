"""The sentence-level readers of the public data (tiny inline files; /work/shared/data is not needed)."""

from pathlib import Path

import pytest

from voice.errors import InputError
from voice.sentiment.data import (ABSA_FILES, is_semeval_test, load_absa_sentences, load_emoevent,
                                  load_semeval_aspects, semeval_test_texts)

# ids chosen so that one is held back by is_semeval_test and the others are not
IDS = [str(i) for i in range(40)]
HELD = next(i for i in IDS if is_semeval_test(i))
KEPT = [i for i in IDS if not is_semeval_test(i)][:6]

REST14 = f"""<?xml version="1.0" encoding="UTF-8"?>
<sentences>
  <sentence id="{KEPT[0]}"><text>The staff was friendly and the food great.</text>
    <aspectTerms><aspectTerm term="staff" polarity="positive" from="4" to="9"/>
      <aspectTerm term="food" polarity="positive" from="34" to="38"/></aspectTerms></sentence>
  <sentence id="{KEPT[1]}"><text>Good food, rude waiter.</text>
    <aspectTerms><aspectTerm term="food" polarity="positive" from="5" to="9"/>
      <aspectTerm term="waiter" polarity="negative" from="16" to="22"/></aspectTerms></sentence>
  <sentence id="{KEPT[2]}"><text>The pasta was both good and bad.</text>
    <aspectTerms><aspectTerm term="pasta" polarity="conflict" from="4" to="9"/></aspectTerms></sentence>
  <sentence id="{KEPT[3]}"><text>We went there on a Tuesday.</text></sentence>
  <sentence id="{KEPT[4]}"><text>Overall a lovely evening.</text>
    <aspectCategories><aspectCategory category="ambience" polarity="positive"/></aspectCategories></sentence>
  <sentence id="{HELD}"><text>The service was slow.</text>
    <aspectTerms><aspectTerm term="service" polarity="negative" from="4" to="11"/></aspectTerms></sentence>
</sentences>
"""

REST16 = """<?xml version="1.0" encoding="UTF-8"?>
<Reviews><Review rid="1"><sentences>
  <sentence id="1:0"><text>the service was   slow.</text>
    <Opinions><Opinion target="service" category="SERVICE#GENERAL" polarity="negative" from="4" to="11"/></Opinions>
  </sentence>
  <sentence id="1:1"><text>They never brought the bill.</text>
    <Opinions><Opinion target="NULL" category="SERVICE#GENERAL" polarity="negative" from="0" to="0"/></Opinions>
  </sentence>
  <sentence id="1:2"><text>We ordered at eight.</text></sentence>
</sentences></Review></Reviews>
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    for key, body in (("semeval2014/restaurants", REST14), ("semeval2016/restaurants", REST16)):
        path = tmp_path / ABSA_FILES[key]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    emo = tmp_path / "emotion" / "emoevent_es"
    emo.mkdir(parents=True)
    (emo / "train.tsv").write_text(
        "id\ttweet\tlabel \n"
        '1\t"Qué alegría, ganamos 😍"\tjoy \n'
        "2\tQué rabia me da\tanger \n"
        "3\tSe quemó la catedral\tsadness \n"
        "4\tHoy es lunes\tothers \n"
        "5\t¡No me lo esperaba!\tsurprise \n", encoding="utf-8")
    return tmp_path


def test_absa_sentences_agree_or_are_skipped(data):
    texts, labels = load_absa_sentences(data, ("semeval2014/restaurants",))
    assert dict(zip(texts, labels)) == {
        "The staff was friendly and the food great.": "positive",   # all terms agree
        "Overall a lovely evening.": "positive",                     # no terms: its categories
    }   # disagreement and conflict skipped; no aspect skipped by default; held-back sentence never


def test_absa_sentences_without_aspects_can_be_neutral(data):
    texts, labels = load_absa_sentences(data, ("semeval2014/restaurants",), no_aspect="neutral")
    assert dict(zip(texts, labels))["We went there on a Tuesday."] == "neutral"
    assert "The service was slow." not in texts


def test_held_back_sentences_are_kept_out_of_other_files_too(data):
    assert semeval_test_texts(data) == {"the service was slow."}
    assert [a.sentence_id for a in load_semeval_aspects(data, "test")] == [HELD]
    texts, labels = load_absa_sentences(data, ("semeval2016/restaurants",), no_aspect="neutral")
    assert dict(zip(texts, labels)) == {"They never brought the bill.": "negative",   # a NULL-target opinion
                                        "We ordered at eight.": "neutral"}


def test_absa_unknown_set_is_refused(data):
    with pytest.raises(InputError):
        load_absa_sentences(data, ("semeval2015/hotels",))


def test_emoevent_maps_emotions_to_sentiment(data):
    texts, labels = load_emoevent(data, "train")
    assert list(zip(texts, labels)) == [("Qué alegría, ganamos 😍", "positive"), ("Qué rabia me da", "negative"),
                                        ("Se quemó la catedral", "negative"), ("Hoy es lunes", "neutral")]
    texts, labels = load_emoevent(data, "train", {"joy": "positive", "anger": "negative", "sadness": None,
                                                  "disgust": None, "fear": None, "others": None, "surprise": None})
    assert labels == ["positive", "negative"]


def test_emoevent_bad_line_is_refused(tmp_path):
    path = tmp_path / "emotion" / "emoevent_es"
    path.mkdir(parents=True)
    (path / "train.tsv").write_text("id\ttweet\tlabel\n1\tsin etiqueta\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_emoevent(tmp_path)


def test_train_options_reach_train_sentiment(monkeypatch):
    from voice.sentiment import train

    got = {}
    monkeypatch.setattr(train, "train_sentiment", lambda data, out, encoder, **kw: got.update(kw))
    train.main(["--no-airline"])
    assert got["airline"] is False and got["absa"] == () and got["emoevent"] is False
    train.main(["--absa", "--absa-weight", "2", "--emoevent", "--emoevent-others", "skip"])
    assert got["absa"] == tuple(ABSA_FILES) and got["absa_weight"] == 2.0 and got["absa_no_aspect"] is None
    assert got["emoevent"] is True and got["emoevent_others"] is None and got["airline"] is True
    train.main(["--absa", "semeval2016/laptops", "--absa-no-aspect", "neutral"])
    assert got["absa"] == ("semeval2016/laptops",) and got["absa_no_aspect"] == "neutral"
