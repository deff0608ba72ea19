import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from voice.errors import ConfigError  # noqa: E402
from voice.pipeline.doc import LABELS, Doc, Sentence  # noqa: E402
from voice.pipeline.registry import make_component  # noqa: E402
from voice.sentiment.transformers_backend import TransformersSentiment, map_label  # noqa: E402

WORDS = ["good", "bad", "service", "the", "is", "very", "muy", "mal", "bien", "servicio", "el", "es"]


def tiny_model(folder, id2label):
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    vocab = folder / "vocab.txt"
    folder.mkdir(parents=True, exist_ok=True)
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n", encoding="utf-8")
    tok = BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(WORDS) + 5, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64, num_labels=len(id2label),
                        id2label=id2label, label2id={v: k for k, v in id2label.items()})
    BertForSequenceClassification(config).eval().save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


TEXTS = ["the service is very good", "muy mal servicio", "bien", "", "el servicio es muy muy mal " * 40]


def test_tiny_model_batched_equals_one_by_one(tmp_path):
    folder = tiny_model(tmp_path / "m", {0: "NEG", 1: "NEU", 2: "POS"})
    backend = TransformersSentiment(str(folder), batch_size=2)
    labels, scores, probs = backend.predict(TEXTS)
    assert set(labels) <= set(LABELS) and len(labels) == len(TEXTS)
    assert probs.shape == (len(TEXTS), 3) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert np.allclose(scores, probs[:, 2] - probs[:, 0])
    one = np.vstack([backend.predict([t])[2] for t in TEXTS])
    assert np.allclose(one, probs, atol=1e-5)


def test_label_map_and_stars(tmp_path):
    with pytest.raises(ConfigError, match="label_map"):
        TransformersSentiment(str(tiny_model(tmp_path / "a", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})))
    mapping = {"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"}
    comp = make_component("sentiment.transformers.v1", {"model": str(tmp_path / "a"), "label_map": mapping})
    doc = Doc("1", "email", "muy mal. bien", sentences=[Sentence(0, 0, 7, "muy mal"), Sentence(1, 9, 13, "bien")])
    comp([doc, Doc("2", "survey", "  ")])
    assert all(s.sentiment in LABELS for s in doc.sentences) and doc.sentiment in LABELS
    stars = {i: f"{i + 1} star{'s' if i else ''}" for i in range(5)}
    b = TransformersSentiment(str(tiny_model(tmp_path / "s", stars)))
    assert b._to_ours.tolist() == [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]]
    assert b.predict(["good"])[2].shape == (1, 3)
    assert map_label("negative") == "negative" and map_label("LABEL_0") is None
