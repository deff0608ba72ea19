import time

import pytest

from voice.sentences.content import content_mask, non_content

CASES = [
    # empty: no letters or digits
    ("", "empty"), ("  ...  ", "empty"), ("😡😡", "empty"), ("-", "empty"),
    # greetings, with a name or addressee and punctuation
    ("Buenos días,", "greeting"), ("Buenas tardes,", "greeting"), ("Hola Ana:", "greeting"),
    ("Hola, buenas", "greeting"), ("Buenas", "greeting"), ("Estimado/a Sr. García:", "greeting"),
    ("Hola a todos", "greeting"), ("Hi team,", "greeting"), ("Dear Sir or Madam,", "greeting"),
    ("Good afternoon team", "greeting"), ("Hello again", "greeting"), ("Hi there!", "greeting"),
    ("Dear Ms. Johnson,", "greeting"), ("Hola María José y Pedro,", "greeting"),
    # sign-offs and formulaic thanks
    ("Un saludo.", "signoff"), ("Gracias.", "signoff"), ("Muchas gracias de antemano.", "signoff"),
    ("Thanks!", "signoff"), ("Thanks in advance", "signoff"), ("Thank you for your time.", "signoff"),
    ("Thank you and best regards", "signoff"), ("Many thanks and kind regards, Peter", "signoff"),
    ("Un cordial saludo", "signoff"), ("Saludos cordiales", "signoff"), ("Espero su respuesta.", "signoff"),
    ("Quedo a la espera de su respuesta", "signoff"), ("Quedo a la espera de sus noticias", "signoff"),
    ("Looking forward to hearing from you.", "signoff"), ("Have a nice day", "signoff"),
    ("Atentamente, Javier Morales", "signoff"), ("Gracias por su atención", "signoff"),
    ("Thanks for your help", "signoff"), ("Muchas gracias por su ayuda, un saludo.", "signoff"),
    ("Saludos, Ana", "signoff"), ("Best regards,", "signoff"),
    # the closing lines of complaint letters (CFPB narratives), names blanked by the cleaner
    ("Thank you for your assistance in this matter.", "signoff"), ("Thanking you in advance.", "signoff"),
    ("Thank you in advance for any help you can give me.", "signoff"), ("I thank you for your assistance.", "signoff"),
    ("Thank you so much for looking into this for me, it is appreciated.", "signoff"),
    ("Thank you for your kind considerations.", "signoff"), ("Thank you for your assistance and        .", "signoff"),
    # signatures: a name alone, or with a role, phone or e-mail
    ("Javier Morales", "signature"), ("Ana Ruiz – Dpto. Compras", "signature"),
    ("Javier Morales 612 345 678", "signature"), ("María de la Fuente", "signature"),
    ("Peter O'Neill, Purchasing Manager", "signature"), ("Ana Ruiz ana.ruiz@example.com", "signature"),
    # contact lines
    ("Tel: +34 612 345 678", "contact"), ("Mi teléfono es 612 345 678", "contact"),
    ("email: ana@example.com", "contact"), ("www.example.com", "contact"),
    ("https://example.com/pedidos/4589", "contact"), ("Call me on 0044 7700 900123", "contact"),
    ("Calle Mayor 12, 3ºB, 28013 Madrid", "contact"), ("C/ Mayor 12, 28013 Madrid", "contact"),
    ("28013 Madrid", "contact"), ("221B Baker Street, London NW1 6XE", "contact"),
    ("Móvil: 612 345 678 / correo: ana@example.com", "contact"),
    # references, attachments included
    ("Pedido 4589-221", "reference"), ("Nº de pedido: 4589221", "reference"), ("Order #A-1234", "reference"),
    ("My order number is 55621.", "reference"), ("Ref. INV-2024-0042", "reference"),
    ("Ref: INV-2024-0042", "reference"), ("Mi número de cliente es C017.", "reference"),
    ("Pedido 4589-221 y factura F-2024-17", "reference"), ("INV-2024-0042", "reference"),
    ("Adjunto la factura.", "reference"), ("Please find attached the invoice", "reference"),
    ("I attach the receipt", "reference"), ("Os adjunto copia del ticket de compra", "reference"),
    ("Adjunto: factura_4589.pdf", "reference"),
    # content: a greeting or thanks followed by content, sarcastic thanks, evaluations
    ("Hola, llevo tres semanas esperando el reembolso.", None),
    ("Thanks so much, the installer was brilliant", None), ("Gracias por nada.", None),
    ("Gracias por la rapidez", None), ("Thanks for fixing it so quickly", None),
    ("Thanks, that worked", None), ("Thank you for nothing, my car is still broken.", None),
    ("I thank you for fixing the billing error so quickly", None), ("No me han dado ni un número de incidencia", None),
    ("El pedido 4589 llegó roto", None), ("My order 55621 never arrived", None),
    ("Espero su respuesta cuanto antes, llevo un mes así", None),
    ("Adjunto fotos del producto roto", None), ("Buenos días, el técnico no vino", None),
    # capitalised short evaluations are not names
    ("Muy Mal Servicio", None), ("Great Service!", None), ("Never Again", None), ("Pésimo Servicio", None),
    ("Entrega Rápida", None), ("Hola Muy Mal Servicio", None), ("Best Support", None),
    # numbers that are not contact or reference
    ("10/10", None), ("5", None), ("Me llamaron 3 veces", None), ("Llámame ya, estoy harto: 612 345 678", None),
    ("Calle Mayor 12, el repartidor no encontró el portal", None),
    # more shapes
    ("Vale, gracias.", "answer"), ("No, that's it.", "answer"), ("Okay, thanks.", "answer"), ("Sin más, un saludo", "signoff"), ("Ticket #5567", "reference"),
    ("Avda. de la Constitución 5, 2º izda, 41001 Sevilla", "contact"),
    ("Cinco Estrellas", None), ("Gracias Ana", None), ("Muchas gracias por todo", None),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_non_content(text, expected):
    assert non_content(text) == expected


@pytest.mark.parametrize("lang", ["es", "en", None])
def test_language_does_not_change_the_answer(lang):
    assert non_content("Un saludo.", lang) == "signoff" and non_content("Muy Mal Servicio", lang) is None


@pytest.mark.parametrize("piece", ["Order #A-1 and ", "Pedido 4589 ", "Calle Mayor 12, ", "Hola Ana ", "Gracias, "])
def test_long_sentences_that_almost_match_fail_fast(piece):
    start = time.perf_counter()
    assert non_content(piece * 25 + "mal") is None
    assert time.perf_counter() - start < 1  # no catastrophic backtracking


def test_content_mask_equals_one_by_one():
    texts = [t for t, _ in CASES]
    langs = ["es" if i % 2 else "en" for i in range(len(texts))]
    assert content_mask(texts, langs) == [non_content(t, g) for t, g in zip(texts, langs)]
    assert content_mask(texts) == [e for _, e in CASES]
    assert content_mask([]) == []


@pytest.mark.parametrize("text, why", [("No.", "answer"), ("Sí, es correcto.", "answer"), ("Exacto.", "answer"),
                                       ("No, no, no.", "answer"), ("Yes, that's right.", "answer"),
                                       ("No me fío nada.", None), ("No funciona.", None),
                                       ("Bien hecho, gracias.", None), ("Fine, but it still leaks.", None)])
def test_call_answers_carry_no_sentiment(text, why):
    assert non_content(text) == why
