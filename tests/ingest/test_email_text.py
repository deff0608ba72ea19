"""Body cleaning for emails: charsets, HTML to text, quotes, forwards, signatures."""

from __future__ import annotations

import pytest

from voice.ingest._email_text import clean_body, decode_bytes, html_to_text, is_forward_subject, unflow

# --- charsets -------------------------------------------------------------------------


@pytest.mark.parametrize("data, charset, expected, used", [
    ("plain".encode(), "utf-8", "plain", "ascii"),
    ("niño €".encode("utf-8"), "utf-8", "niño €", "utf-8"),
    ("“cita” – 5 €".encode("cp1252"), "iso-8859-1", "“cita” – 5 €", "cp1252"),
    ("año".encode("latin-1"), "ISO-8859-1", "año", "cp1252"),
    ("año €".encode("cp1252"), "utf-8", "año €", "cp1252"),  # mislabelled
    ("año".encode("utf-8"), "no-such-charset", "año", "utf-8"),
    ("año".encode("utf-8"), "base64", "año", "utf-8"),  # a codec, but not a text encoding
    ("año".encode("utf-8"), None, "año", "utf-8"),
    ("Ελλάδα".encode("iso-8859-7"), "iso-8859-7", "Ελλάδα", "iso8859-7"),
    ("中文".encode("gbk"), "gb2312", "中文", "gb18030"),
    (b"\x81\x8d", "iso-8859-1", "\x81\x8d", "latin-1"),  # undefined in cp1252: never crash
])
def test_decode_bytes(data, charset, expected, used):
    assert decode_bytes(data, charset) == (expected, used)


def test_decode_bytes_forced_fallback_applies_only_without_charset():
    data = "Ελλάδα".encode("iso-8859-7")
    assert decode_bytes(data, None, fallback="iso-8859-7")[0] == "Ελλάδα"
    assert decode_bytes("año".encode(), "utf-8", fallback="iso-8859-7")[0] == "año"


# --- HTML -----------------------------------------------------------------------------


def test_html_to_text_blocks_entities_and_hidden_content():
    html = ("<html><head><title>Hidden</title><style>.x{}</style></head><body>"
            "<p>Uno &amp; dos&nbsp;tres &euro; &#8220;cita&#8221;</p><div>Línea<br/>partida</div>"
            "<script>alert('x')</script><table><tr><td>a</td><td>b</td></tr></table></body></html>")
    assert html_to_text(html) == "Uno & dos\xa0tres € “cita”\n\nLínea\npartida\n\na b"


def test_html_blockquote_becomes_quote_lines():
    html = "<div>Respuesta</div><blockquote>Cita <b>uno</b><br>dos<blockquote>tres</blockquote></blockquote>"
    assert html_to_text(html) == "Respuesta\n\n> Cita uno\n> dos\n> > tres"


def test_html_gmail_reply_cleans_to_own_words():
    html = ('<div dir="ltr">Sigue sin llegar.</div><br><div class="gmail_quote"><div class="gmail_attr">'
            'El lun, 3 oct 2026 a las 10:00, Soporte (&lt;<a href="mailto:s@l.example">s@l.example</a>&gt;) '
            'escribió:<br></div><blockquote class="gmail_quote">Su pedido sale mañana.</blockquote></div>')
    cleaned = clean_body(html_to_text(html))
    assert cleaned.text == "Sigue sin llegar."
    assert cleaned.had_quote


def test_html_outlook_reply_and_signature_div():
    html = ('<p class=MsoNormal>Buenos días,<o:p></o:p></p><p class=MsoNormal>&nbsp;</p>'
            '<p class=MsoNormal>La factura está mal.</p><div id="Signature"><p>Laura</p></div>'
            '<div id=divRplyFwdMsg><hr><b>De:</b> Ana<br><b>Enviado:</b> lunes<br><b>Para:</b> x<br>'
            '<b>Asunto:</b> y</div><div>texto anterior</div>')
    cleaned = clean_body(html_to_text(html))
    assert cleaned.text == "Buenos días,\n\nLa factura está mal."
    assert cleaned.had_quote and cleaned.had_signature


def test_html_unclosed_head_does_not_hide_the_body():
    assert html_to_text("<html><head><meta charset=utf-8><title>x</title><body>Hola") == "Hola"


def test_html_pre_keeps_its_line_breaks():
    assert html_to_text("<pre>a  b\nc</pre>") == "a  b\nc"


# --- format=flowed ----------------------------------------------------------------------


def test_unflow_joins_soft_breaks_and_keeps_signature_delimiter():
    text = "Esta es una frase \nlarga partida.\n> cita \n> seguida\n-- \nAna"
    assert unflow(text) == "Esta es una frase larga partida.\n> cita seguida\n-- \nAna"
    assert unflow("uno \ndos", delsp=True) == "unodos"


# --- quotes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("attribution", [
    "On Mon, 3 Oct 2026 at 10:00, Ana <a@b.example> wrote:",
    "On Mon, Oct 3, 2026 at 10:00 AM Soporte Luna Hogar <\nsoporte@lunahogar.example> wrote:",
    "El lun, 3 oct 2026 a las 10:00, Ana (<a@b.example>) escribió:",
    "El lunes, 3 de octubre de 2026, Ana Ruiz <a@b.example>\nescribió:",
    "Ana Ruiz <a@b.example> wrote:",
])
def test_reply_attribution_and_quote_removed(attribution):
    cleaned = clean_body(f"Gracias, ya está resuelto.\n\n{attribution}\n\n> texto anterior\n> más\n")
    assert cleaned.text == "Gracias, ya está resuelto."
    assert cleaned.had_quote and not cleaned.is_forward


def test_attribution_without_quote_marks_cuts_to_the_end():
    cleaned = clean_body("Sigo esperando.\n\nOn Mon, 3 Oct 2026, Ana <a@b.example> wrote:\nTexto anterior sin >.\n")
    assert cleaned.text == "Sigo esperando."


def test_inline_replies_keep_the_new_words_between_quotes():
    text = ("On Mon, 3 Oct 2026 at 10:00, Soporte <s@l.example> wrote:\n> ¿Cuál es su pedido?\n4471\n\n"
            "> ¿Y su dirección?\nCalle Mayor 1\n")
    assert clean_body(text).text == "4471\n\nCalle Mayor 1"


@pytest.mark.parametrize("block", [
    "-----Original Message-----\nFrom: Soporte\nSent: Monday\nTo: Ana\nSubject: RE: x\n\nold",
    "-----Mensaje original-----\nDe: Soporte\nEnviado el: lunes\nPara: Ana\nAsunto: RE: x\n\nviejo",
    "From: Soporte <s@l.example>\nSent: Monday, October 3, 2026 10:00 AM\nTo: Ana\nSubject: RE: x\n\nold",
    "________________________________\nDe: Soporte <s@l.example>\nEnviado el: lunes, 3 de octubre de 2026 10:00\n"
    "Para: Ana Ruiz\nAsunto: RE: Pedido\n\nviejo",
    "*From:* Soporte <s@l.example>\n*Sent:* Monday\n*To:* Ana\n*Subject:* RE: x\n\nold",
])
def test_outlook_style_blocks_cut(block):
    cleaned = clean_body(f"Quiero una respuesta hoy.\n\n{block}\n")
    assert cleaned.text == "Quiero una respuesta hoy."
    assert cleaned.had_quote


def test_words_that_look_like_headers_are_kept():
    text = "De: mi parte, gracias.\nEl pedido llegó.\nOn time, for once.\nPara: nada."
    cleaned = clean_body(text)
    assert cleaned.text == text
    assert not (cleaned.had_quote or cleaned.had_signature or cleaned.is_forward)


# --- forwards --------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", [
    "---------- Forwarded message ---------",
    "---------- Mensaje reenviado ----------",
    "Begin forwarded message:",
])
def test_forward_keeps_only_what_sender_wrote(marker):
    text = (f"Mirad esto.\n\n{marker}\nFrom: Tienda <t@x.example>\nDate: lun\nSubject: Pedido\nTo: <a@b>\n\n"
            "Cuerpo reenviado.")
    cleaned = clean_body(text)
    assert cleaned.text == "Mirad esto."
    assert cleaned.is_forward


def test_bare_forward_keeps_forwarded_body_without_header_block():
    text = ("Begin forwarded message:\n\nFrom: Ana <a@b.example>\nSubject: Silla rota\n"
            "Date: 3 October 2026 at 10:00:00 CEST\nTo: shop@x.example,\n    other@x.example\n\n"
            "The chair broke after a week.\n\n> old quote\n\nSent from my iPhone")
    cleaned = clean_body(text)
    assert cleaned.text == "The chair broke after a week."
    assert cleaned.is_forward and cleaned.had_quote and cleaned.had_signature


def test_outlook_block_counts_as_forward_with_forward_subject():
    text = "\n________________________________\nDe: Cliente <c@x.example>\nEnviado: lunes\nPara: tienda\n" \
           "Asunto: Queja\n\nLa lámpara no enciende.\n"
    assert is_forward_subject("RV: Queja") and is_forward_subject("Fwd: x") and not is_forward_subject("Re: x")
    forwarded = clean_body(text, forward_subject=True)
    assert forwarded.text == "La lámpara no enciende." and forwarded.is_forward
    reply = clean_body(text)
    assert reply.text == "" and reply.had_quote and not reply.is_forward


def test_nested_bare_forwards_unwrap():
    inner = "---------- Forwarded message ---------\nFrom: a@b\nSubject: x\n\n"
    assert clean_body(inner * 3 + "Texto original.").text == "Texto original."


# --- signatures and closings -------------------------------------------------------------------


@pytest.mark.parametrize("tail", [
    "-- \nAna Ruiz\nTel 600 123 456",
    "--\nAna",
    "Enviado desde mi iPhone",
    "Enviado desde mi móvil Huawei",
    "Sent from my iPhone",
    "Sent from Mail for Windows",
    "Get Outlook for iOS",
    "Obtener Outlook para Android",
    "Saludos,\nAna Ruiz\nTel 600 123 456",
    "Un saludo,\n\nAna Ruiz\nDirectora de compras\nFerretería Ruiz S.L.\nTel. 600 123 456\nana@ruiz.example\n"
    "www.ruiz.example",
    "Best regards,\nAna",
    "Kind regards,\nAna Ruiz\nHead of Purchasing\nRuiz Ltd",
    "Saludos cordiales",
    "Atentamente,\nAna Ruiz",
    "Un abrazo,\nAna",
    "Saludos, Ana",
    "Muchas gracias,\nAna",
    "Gracias,",
    "Thanks,\nAna",
    "Cheers,\nAna",
    "CONFIDENTIALITY NOTICE: This e-mail is confidential.\nIt may not be shared.",
    "AVISO LEGAL: Este mensaje es confidencial.",
    "Este mensaje y sus anexos son confidenciales y se dirigen exclusivamente a su destinatario.",
    "Saludos,\nAna\n\nEnviado desde mi iPhone",
])
def test_signature_tails_removed(tail):
    cleaned = clean_body(f"El colchón está hundido.\n\n{tail}\n")
    assert cleaned.text == "El colchón está hundido."
    assert cleaned.had_signature


@pytest.mark.parametrize("text", [
    "El producto es genial.\n\nGracias!",  # thanks that end the message carry meaning
    "Thanks, that fixed it.",
    "Saludos,\n" + "\n".join(f"línea de texto número {i} que sigue" for i in range(6)),  # not a short block
    "Best regards to your team.",
])
def test_content_that_resembles_a_closing_is_kept(text):
    assert clean_body(text).text == text


def test_whitespace_normalized_but_paragraphs_kept():
    text = "  \n\nUno.   \r\n\r\n\r\n\r\nDos\xa0tres.\t\n\n\n"
    assert clean_body(text).text == "Uno.\n\nDos tres."


def test_empty_after_cleaning():
    cleaned = clean_body("> todo es cita\n> nada más\n")
    assert cleaned.text == "" and cleaned.had_quote
