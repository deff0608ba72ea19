"""USE in numpy for a few texts: the torch encoder's vectors, without importing torch."""

import subprocess
import sys

import numpy as np

TEXTS = ["entrega tarde", "La lavadora llegó rota y nadie contesta 😡", "", "Courier never showed up!!!",
         "¿Cuándo llega mi pedido LH-47958?", "x" * 300]


def test_the_numpy_encoder_gives_the_torch_encoders_vectors():
    from voice.encode import load_encoder

    fast, full = load_encoder("usem3-numpy"), load_encoder("usem3")
    assert fast.name == full.name  # the same space: stored vectors and trained heads stay valid
    cos = (fast.encode(TEXTS) * full.encode(TEXTS)).sum(1)
    assert np.all(cos > 0.999), cos


def test_a_search_from_the_command_line_does_not_import_torch(tmp_path):
    code = ("import sys, voice\n"
            f"v = voice.init({str(tmp_path / 'v.db')!r})\n"
            "v.search('entrega tarde')\n"
            "print('torch' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
