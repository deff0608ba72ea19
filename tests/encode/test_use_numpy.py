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
    from tests.helpers import add_analysed
    from voice.store import Store

    store = Store.open(tmp_path / "v.db", create=True)
    add_analysed(store, "e1", "2026-10-01T10:00:00", "The courier never came and my parcel is lost.")
    store.db.conn.commit()
    store.close()
    # a Spanish query shares no word with the message: only the meaning side (the encoder) can find it
    code = ("import sys, voice\n"
            f"v = voice.open({str(tmp_path / 'v.db')!r})\n"
            "hits = v.search('el repartidor no vino', mode='meaning')\n"
            "print([h.interaction_id for h in hits], 'torch' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['e1']", "False", "False"], out.stdout + out.stderr
