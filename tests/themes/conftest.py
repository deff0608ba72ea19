import pytest

from tests.helpers import add_analysed

DELIVERY = [("es", "Mi pedido con envío express todavía no ha llegado."),
            ("en", "My order with express delivery has still not arrived."),
            ("es", "El envío urgente llegó cuatro días tarde."),
            ("en", "The express shipping arrived four days late."),
            ("es", "Pagué el envío express y el paquete no llega."),
            ("en", "I paid for express delivery and the parcel never came.")]
WASHER = [("es", "La lavadora llegó rota y no funciona."),
          ("en", "The washing machine arrived broken and does not work."),
          ("es", "Mi lavadora nueva hace un ruido horrible y pierde agua."),
          ("en", "My new washing machine makes a horrible noise and leaks water."),
          ("es", "La lavadora no centrifuga desde el primer día."),
          ("en", "The washing machine has not spun since the first day.")]
BILLING = [("es", "Me habéis cobrado dos veces en la tarjeta de crédito."),
           ("en", "You charged my credit card twice this month."),
           ("es", "Veo un cargo duplicado en mi cuenta bancaria."),
           ("en", "There is a duplicate charge on my bank account.")]


def add_sentences(store, iid: str, sentences, *, ts: str = "2026-10-01T10:00:00", customer: str = "C001",
                  sentiment: str = "negative", score: float = -0.5, channel: str = "email", direction="inbound",
                  kinds=None):
    """An analysed interaction with its sentences, as the pipeline writes them (no models)."""
    add_analysed(store, iid, ts, " ".join(t for _, t in sentences), customer=customer, sentiment=sentiment,
                 score=score, channel=channel, direction=direction)
    kinds = kinds or [None] * len(sentences)
    store.db.conn.executemany(
        "insert into sentences (interaction_id, idx, text, lang, sentiment, sentiment_score, kind)"
        " values (?, ?, ?, ?, ?, ?, ?)",
        [(iid, i, text, lang, sentiment, score, kind) for i, ((lang, text), kind) in enumerate(zip(sentences, kinds))])


@pytest.fixture
def two_topics(store):
    """One interaction per sentence: delivery and washer, es and en, plus noise the discovery skips."""
    for n, sent in enumerate(DELIVERY):
        add_sentences(store, f"d{n}", [("es", "Hola,"), sent], customer=f"C{n % 3}")
    for n, sent in enumerate(WASHER):
        add_sentences(store, f"w{n}", [sent, ("en", "Thanks.")], customer=f"C{n % 3 + 3}")
    add_sentences(store, "out1", [("es", "Su pedido sale mañana por la tarde sin falta.")], direction="outbound")
    return store
