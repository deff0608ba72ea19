"""The encoder cache (voice/encode/cache.py) and what reads through it."""


def test_the_device_of_an_encoder_is_read_through_its_cache(store):
    from voice.encode import CachedEncoder
    from voice.encode._base import device_of

    class OnGpu:
        name, dim, device = "fake", 4, "cuda:1"

        def encode(self, texts):
            raise AssertionError("not called")

    class Plain:
        name, dim = "plain", 4

        def encode(self, texts):
            raise AssertionError("not called")

    assert device_of(CachedEncoder(OnGpu(), store)) == "cuda:1"  # the sentiment model follows it there
    assert device_of(CachedEncoder(Plain(), store)) == "cpu"
