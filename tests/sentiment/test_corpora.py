"""The public sentiment corpora read into one shape (tiny files in each corpus's real format; no shared data)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from voice.errors import InputError
from voice.sentiment.corpora import CORPORA, Example, corpus_names, load_corpus
from voice.sentiment.data import _held_back


def pick(stem: str, split: str) -> str:
    """``stem`` with the first number appended that puts the text in ``split`` (sha1 mod 5)."""
    return next(f"{stem} {i}" for i in range(100) if _held_back(f"{stem} {i}") == (split == "dev"))


T, D = "train", "dev"
COAH_DEV, COAH_TRAIN = pick("Habitación amplia y limpia, volveremos", D), pick("Ruido toda la noche", T)
COAH_MID = pick('Un "hotel" correcto sin más', T)
NEG_DEV, NEG_TRAIN = pick("no es malo para nada", D), pick("no me gusta nada", T)
NONEG = pick("los sensores de no se que historias", T)
AIR_SPACED = pick("@united  what   time", T)  # held back by its raw text, as data.py does
ALEXA_DUP, ALEXA_DEV = pick("Love my Echo!", T), pick("Stopped working after a week", D)

FILES = {
    "sentiment/twitter_airline/train.csv": (
        "tweet_id,airline_sentiment,negativereason,text\n"
        f"1,negative,Late Flight,{pick('@united late again', T)}\n"
        f"2,positive,,{pick('@united thanks a lot', D)}\n"
        f'3,neutral,,"{AIR_SPACED}"\n'),
    "sentiment/tass2020_es/train.tsv": "1\tQué día tan bonito \tP\n2\tNo me lo creo\tN\n",
    "sentiment/tass2020_es/dev.tsv": "3\tMañana hay clase\tNEU\n",
    "sentiment/coah_es/train.tsv": (
        "id\tstars\ttitle\treview\r\n"
        f"1\t5\tInmejorable!\t{COAH_DEV}\r\n"
        f"2\t1\t\t{COAH_TRAIN}\r\n"
        f'3\t3\t"""C"" de correcto"\t"{COAH_MID.replace(chr(34), chr(34) * 2)}"\r\n'),
    "sentiment/sfu_review_sp_neg/reviews.tsv": (
        "domain\tfile\tpolarity\ttext\r\n"
        f"coches\tno_1_1.tbf.xml\tnegative\t{pick('El embrague se rompió .', T)}\r\n"
        f"hoteles\tyes_4_1.tbf.xml\tpositive\t{pick('Un hotel precioso .', D)}\r\n"),
    "sentiment/sfu_review_sp_neg/negation.tsv": (
        "domain\tfile\tpolarity\tpolarity_modifier\tvalue\ttext\r\n"
        f"coches\tno_1_1.tbf.xml\tpositive\tincrement\tneg\t{NEG_DEV}\r\n"
        f"coches\tno_1_1.tbf.xml\tnegative\t\tneg\t{NEG_TRAIN}\r\n"
        "coches\tno_1_1.tbf.xml\tnegative\t\tneg\tno saben\r\n"
        f"coches\tno_1_1.tbf.xml\t\t\tnoneg\t{NONEG}\r\n"),
    "sentiment/airline_es/train.csv": (
        "airline_sentiment,is_reply,text,tweet_id\n"
        f"negative,FALSE,{pick('@Iberia otra vez tarde', T)},1\n"
        f'neutral,TRUE,"{pick("Vuelos a Cancún, desde 300 €", D)}",2\n'
        f"positive,FALSE,{pick('Gracias @Vueling por todo', T)},3\n"),
    "sentiment/amazon_alexa_en/train.tsv": (
        "rating\tdate\tvariation\tverified_reviews\tfeedback\r\n"
        f"5\t31-Jul-18\tCharcoal Fabric \t{ALEXA_DUP}\t1\r\n"
        f"4\t31-Jul-18\tCharcoal Fabric \t {ALEXA_DUP.replace(' ', '  ')}\t1\r\n"
        "3\t31-Jul-18\tWalnut Finish \t \t1\r\n"
        f"1\t30-Jul-18\tBlack  Dot\t{ALEXA_DEV}\t0\r\n"
        f"3\t30-Jul-18\tBlack  Dot\t{pick('It is fine I guess', T)}\t1\r\n"),
}


def opener(*sentences: tuple[str, list[str]]) -> str:
    return json.dumps([{"sent_id": f"opener/{n}", "text": text, "opinions": [
        {"Polar_expression": [[text], [f"0:{len(text)}"]], "Polarity": pol.split()[0], "Intensity": pol.split()[1]}
        for pol in pols]} for n, (text, pols) in enumerate(sentences)])


for lang in ("es", "en"):
    FILES[f"sentiment/opener_{lang}/train.json"] = opener(
        ("Muy contentos", ["Positive Strong", "Positive Standard"]), ("Habitación sucia", ["Negative Standard"]),
        ("Buen desayuno , mala cama", ["Positive Standard", "Negative Strong"]), ("Llegamos el lunes .", []))
    FILES[f"sentiment/opener_{lang}/dev.json"] = opener(("Personal  amable", ["Positive Standard"]))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    for rel, body in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(body, encoding="utf-8", newline="")
    return tmp_path


def rows(data: Path, name: str, split: str) -> set[tuple[str, str, str]]:
    return {(e.text, e.label, e.level) for e in load_corpus(name, data, split)}


PUBLIC = [n for n in CORPORA if not n.startswith("service_")]  # read from the data folder


@pytest.mark.parametrize("name", PUBLIC)
def test_splits_are_disjoint_and_make_all(data, name):
    train, dev, both = (load_corpus(name, data, s) for s in ("train", "dev", "all"))
    assert train and dev and both == train + dev
    assert not {e.text for e in train} & {e.text for e in dev}
    for e in both:
        assert isinstance(e, Example) and e.source == name and e.lang == CORPORA[name]["lang"]
        assert e.label in ("negative", "neutral", "positive") and e.level in ("sentence", "document")
        assert e.text == " ".join(e.text.split()) != ""


def test_airline_and_tass(data):
    assert rows(data, "twitter_airline", "train") == {
        (pick("@united late again", T), "negative", "sentence"), (" ".join(AIR_SPACED.split()), "neutral", "sentence")}
    assert rows(data, "twitter_airline", "dev") == {(pick("@united thanks a lot", D), "positive", "sentence")}
    assert rows(data, "tass2020_es", "train") == {("Qué día tan bonito", "positive", "sentence"),
                                                  ("No me lo creo", "negative", "sentence")}
    assert rows(data, "tass2020_es", "dev") == {("Mañana hay clase", "neutral", "sentence")}


@pytest.mark.parametrize("name", ["opener_es", "opener_en"])
def test_opener_leaves_out_mixed_and_labels_no_opinion_neutral(data, name):
    assert rows(data, name, "train") == {("Muy contentos", "positive", "sentence"),
                                         ("Habitación sucia", "negative", "sentence"),
                                         ("Llegamos el lunes .", "neutral", "sentence")}
    assert rows(data, name, "dev") == {("Personal amable", "positive", "sentence")}


def test_coah_gives_title_and_document_in_the_review_split(data):
    assert rows(data, "coah_es", "dev") == {("Inmejorable!", "positive", "sentence"),
                                            (f"Inmejorable! {COAH_DEV}", "positive", "document")}
    assert rows(data, "coah_es", "train") == {(COAH_TRAIN, "negative", "document"),  # empty title: no sentence
                                              ('"C" de correcto', "neutral", "sentence"),
                                              (f'"C" de correcto. {COAH_MID}', "neutral", "document")}


def test_sfu_reviews_and_negation(data):
    assert rows(data, "sfu_reviews_es", "all") == {(pick("El embrague se rompió .", T), "negative", "document"),
                                                   (pick("Un hotel precioso .", D), "positive", "document")}
    assert rows(data, "sfu_negation_es", "all") == {  # "no saben" (2 words) dropped; noneg -> neutral
        (NEG_TRAIN, "negative", "sentence"), (NONEG, "neutral", "sentence"), (NEG_DEV, "positive", "sentence")}


def test_airline_es(data):
    assert Counter(e.label for e in load_corpus("airline_es", data, "all")) == {
        "negative": 1, "neutral": 1, "positive": 1}
    assert rows(data, "airline_es", "dev") == {(pick("Vuelos a Cancún, desde 300 €", D), "neutral", "sentence")}


def test_amazon_drops_duplicates_and_empty_texts(data):
    train = load_corpus("amazon_alexa_en", data, "train")
    assert [(e.text, e.label) for e in train] == [(ALEXA_DUP, "positive"), (pick("It is fine I guess", T), "neutral")]
    assert [(e.text, e.label, e.level) for e in load_corpus("amazon_alexa_en", data, "dev")] == [
        (ALEXA_DEV, "negative", "document")]


BAD_ROWS = {
    "twitter_airline": ("sentiment/twitter_airline/train.csv", "4,angry,,@united no\n"),
    "tass2020_es": ("sentiment/tass2020_es/train.tsv", "4\tPues vale\tX\n"),
    "coah_es": ("sentiment/coah_es/train.tsv", "4\t6\tGenial\tTodo genial\r\n"),
    "sfu_reviews_es": ("sentiment/sfu_review_sp_neg/reviews.tsv", "coches\tx\tmixed\tRegular sin más\r\n"),
    "sfu_negation_es": ("sentiment/sfu_review_sp_neg/negation.tsv", "coches\tx\tmixed\t\tneg\tno está mal\r\n"),
    "airline_es": ("sentiment/airline_es/train.csv", "enfadado,FALSE,@Iberia fatal,4\n"),
    "amazon_alexa_en": ("sentiment/amazon_alexa_en/train.tsv", "five\t1-Jul-18\tDot\tNice\t1\r\n"),
}


@pytest.mark.parametrize("name", list(BAD_ROWS))
def test_unknown_label_raises_naming_the_file(data, name):
    rel, line = BAD_ROWS[name]
    with open(data / rel, "a", encoding="utf-8", newline="") as fh:
        fh.write(line)
    with pytest.raises(InputError) as err:
        load_corpus(name, data, "all")
    assert err.value.source == str(data / rel) and err.value.position


def test_unknown_opener_polarity_raises(data):
    (data / "sentiment/opener_es/dev.json").write_text(opener(("Ni fu ni fa", ["Neutral Standard"])))
    with pytest.raises(InputError, match="dev.json.*sentence 1.*'Neutral'"):
        load_corpus("opener_es", data, "dev")


@pytest.mark.parametrize("name", PUBLIC)
def test_missing_file_raises(tmp_path, name):
    with pytest.raises(InputError, match="not found") as err:
        load_corpus(name, tmp_path, "train")
    assert err.value.source.startswith(str(tmp_path / "sentiment")) and "data" in err.value.fix


def test_unknown_corpus_or_split(data):
    with pytest.raises(InputError, match="unknown corpus"):
        load_corpus("imdb", data)
    with pytest.raises(InputError, match="unknown split"):
        load_corpus("coah_es", data, "test")


def test_commercial_only_leaves_out_non_commercial_licences():
    assert corpus_names() == list(CORPORA)
    assert corpus_names(commercial_only=True) == ["opener_es", "opener_en", "airline_es", "amazon_alexa_en",
                                                  "service_es", "service_en"]
    assert all(CORPORA[n]["licence"].startswith("CC BY-NC") or "research" in CORPORA[n]["licence"]
               for n in set(CORPORA) - set(corpus_names(commercial_only=True)))


def test_the_projects_service_sentences_read_from_the_repository_and_all_train(tmp_path):
    es, en = load_corpus("service_es", tmp_path, "train"), load_corpus("service_en", tmp_path, "train")
    assert len(es) > 500 and len(en) > 500 and {e.lang for e in es} == {"es"} and {e.lang for e in en} == {"en"}
    assert {e.label for e in es} == {"negative", "neutral", "positive"}
    assert load_corpus("service_es", tmp_path, "dev") == []
