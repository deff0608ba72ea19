import pytest

from voice.errors import ConfigError
from voice.pipeline import Doc
from voice.sentences import SentenceSplitter


def split(doc, **kw):
    SentenceSplitter(**kw)([doc])
    return doc.sentences


@pytest.mark.parametrize("method", ["rules", "senter", "parser"])
def test_offsets_slice_back_to_each_sentence(method):
    text = "Hola.\n\nMi lavadora llegó rota. ¿Quién me lo arregla?\n- el pedido LH-1\n- la factura"
    doc = Doc("x", "email", text, lang="es")
    got = split(doc, method=method)
    assert [s.text for s in got] == ["Hola.", "Mi lavadora llegó rota.", "¿Quién me lo arregla?",
                                     "- el pedido LH-1", "- la factura"]
    assert all(text[s.start:s.end] == s.text for s in got) and [s.idx for s in got] == [0, 1, 2, 3, 4]


def test_sentences_without_content_are_marked_with_why():
    text = "Buenos días,\n\nEl técnico no vino y nadie me avisó.\n\nPedido 4589-221\n\nUn saludo,\n\nJavier Morales"
    got = split(Doc("x", "email", text, lang="es"))
    assert [(s.text, s.kind) for s in got] == [("Buenos días,", "greeting"),
                                               ("El técnico no vino y nadie me avisó.", None),
                                               ("Pedido 4589-221", "reference"), ("Un saludo,", "signoff"),
                                               ("Javier Morales", "signature")]
    assert all(s.kind is None for s in split(Doc("y", "email", text, lang="es"), mark_non_content=False))


def test_call_turns_are_split_on_their_own_and_keep_their_turn():
    text = "Sí, claro\n\nEl pedido no llegó. Nadie vino"
    doc = Doc("c", "call", text, turns=[(1, 0, 9), (3, 11, len(text))], lang="es")
    got = split(doc)
    assert [(s.turn_idx, s.text) for s in got] == [(1, "Sí, claro"), (3, "El pedido no llegó."), (3, "Nadie vino")]


@pytest.mark.parametrize("text", ["", "   \n\t ", "😡😡😡"])
def test_empty_and_emoji_only(text):
    got = split(Doc("x", "survey", text))
    assert [s.text for s in got] == ([] if not text.strip() else ["😡😡😡"])


def test_a_very_long_text_is_split_without_losing_offsets():
    text = ("La entrega llegó tarde otra vez " * 3000).strip()  # ~100k characters, no full stop
    got = split(Doc("x", "email", text, lang="es"))
    assert len(got) >= 5 and all(text[s.start:s.end] == s.text for s in got)
    assert got[-1].end == len(text)


def test_unknown_method():
    with pytest.raises(ConfigError):
        SentenceSplitter(method="magic")
