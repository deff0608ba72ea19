"""The .eml and .mbox readers: fields, charsets, MIME structure, threads, errors."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from voice.errors import EmptyInput, FileTooLarge, InputError, MalformedRecord, UnreadableFile
from voice.ingest import read_paths, reader_for
from voice.ingest._base import ReadOptions, registered
from voice.ingest.email import EmlReader, MboxReader, decode_header_value, iter_mbox_messages
from voice.records import Identity, Interaction

COMPANY = ReadOptions(company_domains=frozenset({"lunahogar.example"}))


def message(body: str | bytes = "Hola, mi pedido no ha llegado.", *, headers: dict[str, str] | None = None,
            content_type: str | None = "text/plain; charset=utf-8", cte: str = "8bit") -> bytes:
    """An RFC 5322 message: default headers, overridden (or removed with None) by ``headers``."""
    base = {
        "From": "Ana Ruiz <ana.ruiz@example.com>",
        "To": "Soporte <soporte@lunahogar.example>",
        "Subject": "Pedido retrasado",
        "Date": "Mon, 5 Oct 2026 10:00:00 +0200",
        "Message-ID": "<m1@example.com>",
        "MIME-Version": "1.0",
    }
    if content_type:
        base["Content-Type"] = content_type
        base["Content-Transfer-Encoding"] = cte
    for name, value in (headers or {}).items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    head = "".join(f"{k}: {v}\r\n" for k, v in base.items()).encode("utf-8")
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    return head + b"\r\n" + data


def read_one(tmp_path: Path, data: bytes, options: ReadOptions = COMPANY, name: str = "m.eml") -> Interaction:
    path = tmp_path / name
    path.write_bytes(data)
    items = list(EmlReader().read(path, options))
    assert len(items) == 1
    assert isinstance(items[0], Interaction), items[0]
    return items[0]


# --- registration --------------------------------------------------------------


def test_readers_are_registered_by_name_and_suffix(tmp_path):
    assert isinstance(registered()["email.eml.v1"], EmlReader)
    assert isinstance(registered()["email.mbox.v1"], MboxReader)
    assert reader_for(tmp_path / "a.EML").name == "email.eml.v1"
    assert reader_for(tmp_path / "a.mbox").name == "email.mbox.v1"
    assert EmlReader.channel == MboxReader.channel == "email"


# --- plain fields --------------------------------------------------------------


def test_plain_utf8_eml_fields(tmp_path):
    body = "Hola,\r\n\r\nMi pedido 4471 no ha llegado. ¿Qué pasa?\r\n\r\nEl sofá era para el sábado.\r\n"
    it = read_one(tmp_path, message(body, headers={"Cc": "Luis <LUIS@Example.com>"}))
    assert it.channel == "email"
    assert it.source_path == str(tmp_path / "m.eml")
    assert it.source_pos is None
    assert it.text == "Hola,\n\nMi pedido 4471 no ha llegado. ¿Qué pasa?\n\nEl sofá era para el sábado."
    assert it.subject == "Pedido retrasado"
    assert it.timestamp == "2026-10-05T08:00:00"
    assert it.direction == "inbound"
    assert it.external_id == "m1@example.com"
    assert it.thread_id == "m1@example.com"
    assert it.hash_basis == "m1@example.com"
    assert "Mi pedido 4471" in it.raw and "Subject: Pedido retrasado" in it.raw
    md = it.metadata
    assert md["from"] == "ana.ruiz@example.com"
    assert md["from_name"] == "Ana Ruiz"
    assert md["to"] == ["soporte@lunahogar.example"]
    assert md["cc"] == ["luis@example.com"]
    assert md["attachments"] == []
    assert md["charsets"] == ["utf-8"]
    assert md["html_only"] is False
    assert md["is_forward"] is md["had_quote"] is md["had_signature"] is md["empty_body"] is False
    assert md["in_reply_to"] is None and md["references"] == []
    assert "date_problem" not in md


def test_bad_date_is_noted_not_fatal(tmp_path):
    it = read_one(tmp_path, message(headers={"Date": "el lunes por la mañana"}))
    assert it.timestamp is None
    assert "el lunes por la mañana" in it.metadata["date_problem"]
    it = read_one(tmp_path, message(headers={"Date": None}))
    assert it.timestamp is None and "no Date header" in it.metadata["date_problem"]


def test_non_rfc_date_is_still_read(tmp_path):
    it = read_one(tmp_path, message(headers={"Date": "2026-10-05 10:30"}))
    assert it.timestamp == "2026-10-05T10:30:00"


# --- charsets --------------------------------------------------------------------


def test_latin1_declared_body_with_cp1252_quotes_and_euro(tmp_path):
    body = "Pagué 120 € por el envío “urgente” y no llegó. Año nuevo, niño.\r\n".encode("cp1252")
    it = read_one(tmp_path, message(body, content_type="text/plain; charset=iso-8859-1"))
    assert it.text == "Pagué 120 € por el envío “urgente” y no llegó. Año nuevo, niño."
    assert it.metadata["charsets"] == ["cp1252"]


def test_windows1252_quoted_printable_body(tmp_path):
    body = b"El env=EDo cost=F3 30 =80 y la caja lleg=F3 =93rota=94.\r\n"
    it = read_one(tmp_path, message(body, content_type='text/plain; charset="windows-1252"',
                                    cte="quoted-printable"))
    assert it.text == "El envío costó 30 € y la caja llegó “rota”."


def test_base64_utf8_body(tmp_path):
    body = base64.encodebytes("Quiero cambiar el colchón, ¡está hundido!".encode("utf-8"))
    it = read_one(tmp_path, message(body, cte="base64"))
    assert it.text == "Quiero cambiar el colchón, ¡está hundido!"


@pytest.mark.parametrize("charset", ["utf-8", "x-unknown-charset", "us-ascii", None])
def test_wrong_or_missing_charset_falls_back(tmp_path, charset):
    ct = f"text/plain; charset={charset}" if charset else "text/plain"
    utf8 = read_one(tmp_path, message("Señal débil, ñandú".encode("utf-8"), content_type=ct))
    assert utf8.text == "Señal débil, ñandú"
    cp = read_one(tmp_path, message("Señal débil, 5 €".encode("cp1252"), content_type=ct))
    assert cp.text == "Señal débil, 5 €"


def test_rfc2047_subject_and_display_name(tmp_path):
    it = read_one(tmp_path, message(headers={
        "Subject": "=?iso-8859-1?Q?Re:_Pedido_retrasado_=F1_=80?=",
        "From": "=?utf-8?B?TWFyw61hIE7DusOxZXo=?= <MARIA@example.com>",
    }))
    assert it.subject == "Re: Pedido retrasado ñ €"
    assert it.metadata["from_name"] == "María Núñez"
    assert it.metadata["from"] == "maria@example.com"


def test_encoded_name_with_comma_and_raw_8bit_header(tmp_path):
    data = message(headers={"From": '=?utf-8?Q?Ru=C3=ADz=2C_Ana?= <ana@example.com>, "Pérez, Luis" <luis@example.com>',
                            "Subject": "Devolución del pedido"})
    it = read_one(tmp_path, data)
    assert it.subject == "Devolución del pedido"
    assert it.metadata["from_name"] == "Ruíz, Ana"
    assert [i.value for i in it.identities if i.role == "from"] == ["ana@example.com", "luis@example.com"]


@pytest.mark.parametrize("raw, expected", [
    ("=?utf-8?Q?caf=C3=A9?= =?utf-8?Q?_con_leche?=", "café con leche"),
    ("=?utf-8?B?w6k=?==?utf-8?B?w7E=?=", "éñ"),
    ("Re: =?utf-8?Q?env=C3=ADo?= tarde", "Re: envío tarde"),
    ("=?utf-8?Q?a=C3?= =?utf-8?Q?=A9b?=", "aéb"),  # a character split across two words
    ("plain subject", "plain subject"),
    ("=?bogus-charset?Q?caf=E9?=", "café"),
    ("", ""),
])
def test_decode_header_value(raw, expected):
    assert decode_header_value(raw) == expected


# --- MIME structure ----------------------------------------------------------------


def multipart(parts: list[tuple[str, str, bytes]], subtype: str = "mixed",
              boundary: str = "BOUND") -> tuple[str, bytes]:
    """(content type, body) of a multipart message from (headers, ..., payload) parts."""
    chunks = []
    for ctype, extra, payload in parts:
        chunks.append(f"--{boundary}\r\nContent-Type: {ctype}\r\n{extra}\r\n".encode() + payload + b"\r\n")
    return f'multipart/{subtype}; boundary="{boundary}"', b"".join(chunks) + f"--{boundary}--\r\n".encode()


HTML = (b"<html><head><style>p {color: red}</style><title>T</title></head><body>"
        b"<p>Hola,</p><div>El pedido lleg&oacute; <b>roto</b> &amp; tarde.<br>Quiero&nbsp;el reembolso.</div>"
        b"<script>var secret = 'tracking';</script><ul><li>sof&aacute;</li><li>mesa</li></ul></body></html>")


def test_html_only_body_becomes_text(tmp_path):
    it = read_one(tmp_path, message(HTML, content_type="text/html; charset=utf-8"))
    assert "<" not in it.text and "&" not in it.text.replace(" & ", "")
    assert "secret" not in it.text and "color" not in it.text
    assert it.text == "Hola,\n\nEl pedido llegó roto & tarde.\nQuiero el reembolso.\n\n- sofá\n- mesa"
    assert it.metadata["html_only"] is True


def test_multipart_alternative_picks_plain(tmp_path):
    ctype, body = multipart([
        ("text/plain; charset=utf-8", "", "Texto plano: el pedido llegó roto.".encode()),
        ("text/html; charset=utf-8", "", b"<p>HTML version</p>"),
    ], subtype="alternative")
    it = read_one(tmp_path, message(body, content_type=ctype))
    assert it.text == "Texto plano: el pedido llegó roto."
    assert it.metadata["html_only"] is False
    assert it.metadata["attachments"] == []


def test_attachment_listed_and_not_in_text(tmp_path):
    pdf = base64.encodebytes(b"%PDF-1.4 factura secreta 123")
    inner_ct, inner = multipart([
        ("text/plain; charset=utf-8", "", b"Adjunto la factura."),
        ("text/html; charset=utf-8", "", b"<p>Adjunto la factura.</p>"),
    ], subtype="alternative", boundary="ALT")
    ctype, body = multipart([
        (inner_ct, "", inner),
        ("application/pdf; name=factura.pdf", "Content-Disposition: attachment; filename=\"factura.pdf\"\r\n"
         "Content-Transfer-Encoding: base64\r\n", pdf),
        ("text/plain; charset=utf-8", "Content-Disposition: attachment; filename=\"notas.txt\"\r\n",
         b"texto del adjunto"),
    ])
    it = read_one(tmp_path, message(body, content_type=ctype))
    assert it.text == "Adjunto la factura."
    assert it.metadata["attachments"] == [
        {"filename": "factura.pdf", "content_type": "application/pdf", "size": len(b"%PDF-1.4 factura secreta 123")},
        {"filename": "notas.txt", "content_type": "text/plain", "size": len(b"texto del adjunto")},
    ]
    assert "secreta" not in it.text and "adjunto" not in it.text


def test_attached_message_is_an_attachment(tmp_path):
    inner = message("Texto del correo adjunto.", headers={"Message-ID": "<inner@x>"})
    ctype, body = multipart([
        ("text/plain; charset=utf-8", "", b"Os reenvio la queja como adjunto."),
        ("message/rfc822", "", inner),
    ])
    it = read_one(tmp_path, message(body, content_type=ctype))
    assert it.text == "Os reenvio la queja como adjunto."
    assert it.metadata["attachments"][0]["content_type"] == "message/rfc822"
    assert it.metadata["attachments"][0]["size"] > 0


# --- quotes, forwards, signatures (through the reader) ------------------------------


def test_english_quoted_reply_stripped_but_kept_in_raw(tmp_path):
    body = ("It still hasn't arrived.\r\n\r\n"
            "On Mon, 3 Oct 2026 at 10:00, Soporte <soporte@lunahogar.example> wrote:\r\n"
            "> Your order ships tomorrow.\r\n> Regards\r\n")
    it = read_one(tmp_path, message(body))
    assert it.text == "It still hasn't arrived."
    assert it.metadata["had_quote"] is True
    assert "Your order ships tomorrow." in it.raw


def test_spanish_quoted_reply_stripped(tmp_path):
    body = ("Sigue sin llegar.\r\n\r\nEl lun, 3 oct 2026 a las 10:00, Soporte (<soporte@lunahogar.example>)\r\n"
            "escribió:\r\n\r\n> Su pedido sale mañana.\r\n")
    it = read_one(tmp_path, message(body))
    assert it.text == "Sigue sin llegar."
    assert it.metadata["had_quote"] is True
    assert "Su pedido sale mañana." in it.raw


def test_outlook_spanish_header_block_stripped(tmp_path):
    body = ("Necesito una respuesta hoy.\r\n\r\n________________________________\r\n"
            "De: Soporte Luna Hogar <soporte@lunahogar.example>\r\nEnviado el: lunes, 3 de octubre de 2026 10:00\r\n"
            "Para: Ana Ruiz <ana.ruiz@example.com>\r\nAsunto: RE: Pedido\r\n\r\nLe escribimos por su pedido.\r\n")
    it = read_one(tmp_path, message(body))
    assert it.text == "Necesito una respuesta hoy."
    assert it.metadata["had_quote"] is True and it.metadata["is_forward"] is False


def test_forward_keeps_sender_words_only(tmp_path):
    body = ("Mirad lo que me contestaron, es inaceptable.\r\n\r\n---------- Forwarded message ---------\r\n"
            "From: Soporte <soporte@lunahogar.example>\r\nDate: Mon, 3 Oct 2026 at 10:00\r\nSubject: Pedido\r\n"
            "To: <ana.ruiz@example.com>\r\n\r\nNo podemos hacer nada.\r\n")
    it = read_one(tmp_path, message(body, headers={"Subject": "Fwd: Pedido"}))
    assert it.text == "Mirad lo que me contestaron, es inaceptable."
    assert it.metadata["is_forward"] is True


def test_forward_with_nothing_above_keeps_forwarded_body(tmp_path):
    body = ("---------- Mensaje reenviado ----------\r\nDe: Ana Ruiz <ana.ruiz@example.com>\r\n"
            "Fecha: lun, 3 oct 2026 a las 10:00\r\nAsunto: Queja\r\nPara: <tienda@example.org>\r\n\r\n"
            "La mesa llegó con una pata rota.\r\n\r\nSaludos,\r\nAna\r\n")
    it = read_one(tmp_path, message(body, headers={"Subject": "RV: Queja"}))
    assert it.text == "La mesa llegó con una pata rota."
    assert it.metadata["is_forward"] is True and it.metadata["had_signature"] is True


@pytest.mark.parametrize("tail", [
    "\r\n-- \r\nAna Ruiz\r\nTel 600 123 456\r\n",
    "\r\nEnviado desde mi iPhone\r\n",
    "\r\nSaludos,\r\nAna Ruiz\r\nTel 600 123 456\r\n",
])
def test_signatures_stripped(tmp_path, tail):
    it = read_one(tmp_path, message("El colchón está hundido a los dos meses.\r\n" + tail))
    assert it.text == "El colchón está hundido a los dos meses."
    assert it.metadata["had_signature"] is True
    assert tail.strip().splitlines()[0] in it.raw


def test_subject_only_message_is_kept_with_empty_body(tmp_path):
    it = read_one(tmp_path, message("> solo cita\r\n", headers={"Subject": "Llamadme"}))
    assert it.text == ""
    assert it.subject == "Llamadme"
    assert it.metadata["empty_body"] is True


def test_message_without_subject_or_text_is_empty_input(tmp_path):
    path = tmp_path / "e.eml"
    path.write_bytes(message("\r\nEnviado desde mi iPhone\r\n", headers={"Subject": None}))
    [err] = list(EmlReader().read(path, COMPANY))
    assert isinstance(err, EmptyInput)
    assert err.source == str(path) and err.fix


# --- threads and identities ------------------------------------------------------------


def test_thread_id_from_references_first():
    refs = "<root@lunahogar.example>\r\n <second@example.com>"
    it = _parse(message(headers={"References": refs, "In-Reply-To": "<second@example.com>"}))
    assert it.thread_id == "root@lunahogar.example"
    assert it.metadata["references"] == ["root@lunahogar.example", "second@example.com"]
    assert it.metadata["in_reply_to"] == "second@example.com"


def test_thread_id_from_in_reply_to_then_own_id():
    it = _parse(message(headers={"In-Reply-To": "<prev@lunahogar.example> (Soporte's message)"}))
    assert it.thread_id == "prev@lunahogar.example"
    it = _parse(message(headers={"Message-ID": "<own@example.com>"}))
    assert it.thread_id == "own@example.com" == it.external_id
    it = _parse(message(headers={"Message-ID": None}))
    assert it.thread_id is None and it.external_id is None
    assert it.hash_basis == it.raw


def _parse(data: bytes, options: ReadOptions = COMPANY) -> Interaction:
    from voice.ingest.email import parse_email

    return parse_email(data, options, source="mem.eml")


def test_inbound_identities_customer_side():
    it = _parse(message(headers={"Reply-To": "ana.casa@example.com",
                                 "Cc": "Luis <luis@example.com>, jefe@lunahogar.example"}))
    assert it.direction == "inbound"
    assert it.identities == [
        Identity("email", "ana.ruiz@example.com", role="from", customer_side=True),
        Identity("email", "ana.casa@example.com", role="reply_to", customer_side=True),
        Identity("email", "soporte@lunahogar.example", role="to", customer_side=False),
        Identity("email", "luis@example.com", role="cc", customer_side=False),
        Identity("email", "jefe@lunahogar.example", role="cc", customer_side=False),
    ]


def test_outbound_identities_customer_side():
    it = _parse(message(headers={"From": "Laura <Laura@LunaHogar.example>",
                                 "To": "Ana Ruiz <Ana.Ruiz@Example.com>",
                                 "Cc": "ventas@tienda.lunahogar.example"}))
    assert it.direction == "outbound"
    assert it.identities == [
        Identity("email", "laura@lunahogar.example", role="from", customer_side=False),
        Identity("email", "ana.ruiz@example.com", role="to", customer_side=True),
        Identity("email", "ventas@tienda.lunahogar.example", role="cc", customer_side=False),
    ]


def test_no_company_domains_means_inbound():
    it = _parse(message(), ReadOptions())
    assert it.direction == "inbound"
    assert [(i.role, i.customer_side) for i in it.identities] == [("from", True), ("to", False)]


# --- file-level errors ----------------------------------------------------------------


@pytest.mark.parametrize("reader, suffix", [(EmlReader(), ".eml"), (MboxReader(), ".mbox")])
def test_empty_binary_and_too_large_files_raise(tmp_path, reader, suffix):
    empty = tmp_path / f"empty{suffix}"
    empty.write_bytes(b"")
    pdf = tmp_path / f"doc{suffix}"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    big = tmp_path / f"big{suffix}"
    big.write_bytes(message("x" * 5000))
    with pytest.raises(EmptyInput):
        list(reader.read(empty, COMPANY))
    with pytest.raises(UnreadableFile, match="PDF"):
        list(reader.read(pdf, COMPANY))
    with pytest.raises(FileTooLarge):
        list(reader.read(big, ReadOptions(max_bytes=1000)))


def test_missing_file_raises_unreadable(tmp_path):
    with pytest.raises(UnreadableFile):
        list(MboxReader().read(tmp_path / "nope.mbox", COMPANY))


def test_plain_text_file_is_malformed(tmp_path):
    path = tmp_path / "nota.eml"
    path.write_text("Hola, esto es una nota que alguien guardó como .eml\nsin cabeceras.\n", encoding="utf-8")
    [err] = list(EmlReader().read(path, COMPANY))
    assert isinstance(err, MalformedRecord)
    assert "does not look like an email" in err.message
    assert err.source == str(path) and err.position is None
    assert ".eml" in err.fix and "RFC 5322" in err.fix


def test_text_with_a_colon_first_line_is_still_malformed(tmp_path):
    path = tmp_path / "nota.eml"
    path.write_text("Nota: llamar a la clienta\nmañana sin falta.\n", encoding="utf-8")
    [err] = list(EmlReader().read(path, COMPANY))
    assert isinstance(err, MalformedRecord)


# --- mbox -----------------------------------------------------------------------------------


def mbox(*messages: bytes) -> bytes:
    out = []
    for i, msg in enumerate(messages):
        out.append(f"From sender{i}@example.com Mon Oct  5 10:00:0{i} 2026\n".encode() + msg.replace(b"\r\n", b"\n"))
        out.append(b"\n")
    return b"".join(out)


def test_mbox_bad_middle_message_is_yielded_and_the_rest_read(tmp_path):
    path = tmp_path / "box.mbox"
    path.write_bytes(mbox(
        message("Primero.", headers={"Message-ID": "<a@x>"}),
        b"esto no es un correo\nni tiene cabeceras\n",
        message("Tercero.", headers={"Message-ID": "<c@x>"}),
    ))
    items = list(MboxReader().read(path, COMPANY))
    assert [type(i).__name__ for i in items] == ["Interaction", "MalformedRecord", "Interaction"]
    first, err, third = items
    assert (first.text, first.source_pos, first.external_id) == ("Primero.", "message 1", "a@x")
    assert (third.text, third.source_pos, third.external_id) == ("Tercero.", "message 3", "c@x")
    assert isinstance(err, InputError)
    assert err.position == "message 2" and err.source == str(path)
    assert "message 2" in str(err) and err.fix


def test_mbox_unescapes_from_lines(tmp_path):
    body = b"Hola,\n\n>From now on I shop elsewhere.\n>>From quoted\n"
    path = tmp_path / "box.mbox"
    path.write_bytes(mbox(message(body)))
    [it] = list(MboxReader().read(path, COMPANY))
    assert "From now on I shop elsewhere." in it.text
    assert ">From now on" not in it.raw
    assert ">From quoted" in it.raw


def test_mbox_separators_need_a_blank_line_before_or_a_full_date():
    data = (b"From a@x Mon Oct  5 10:00:00 2026\n" + message(b"Hola.\nFrom here on I buy elsewhere.\n")
            + b"\nFrom b@x Mon Oct  5 11:00:00 2026\n" + message(b"Adios.\n", headers={"Message-ID": "<2@x>"})
            + b"From c@x Mon Oct  5 12:00:00 2026\n" + message(b"Tres.\n", headers={"Message-ID": "<3@x>"}))
    stream = list(iter_mbox_messages(io.BytesIO(data)))
    assert [n for n, _ in stream] == [1, 2, 3]
    assert b"From here on I buy elsewhere." in stream[0][1]
    assert stream[1][1].startswith(b"From: Ana Ruiz") and b"Adios." in stream[1][1]
    assert b"Tres." in stream[2][1]


def test_mbox_without_separator_is_one_message(tmp_path):
    path = tmp_path / "one.mbox"
    path.write_bytes(message("Solo uno."))
    [it] = list(MboxReader().read(path, COMPANY))
    assert it.text == "Solo uno." and it.source_pos == "message 1"


def test_mbox_is_streamed(tmp_path):
    path = tmp_path / "box.mbox"
    path.write_bytes(mbox(*(message(f"Mensaje {i}.", headers={"Message-ID": f"<{i}@x>"}) for i in range(50))))
    items = MboxReader().read(path, COMPANY)
    first = next(items)
    assert first.text == "Mensaje 0." and first.source_pos == "message 1"
    rest = list(items)
    assert len(rest) == 49 and rest[-1].source_pos == "message 50"


def test_eml_with_bom_blank_lines_and_mbox_from_line(tmp_path):
    data = b"\xef\xbb\xbf\r\nFrom ana@example.com Mon Oct  5 10:00:00 2026\r\n" + message("Con BOM.")
    it = read_one(tmp_path, data)
    assert it.text == "Con BOM." and it.subject == "Pedido retrasado"


def test_flowed_body_is_unflowed(tmp_path):
    body = "Esta frase larga \r\nsigue aquí.\r\n\r\n-- \r\nAna\r\n"
    it = read_one(tmp_path, message(body, content_type="text/plain; charset=utf-8; format=flowed"))
    assert it.text == "Esta frase larga sigue aquí."
    assert it.metadata["had_signature"] is True


def test_html_part_with_latin1_charset(tmp_path):
    html = "<p>El env&iacute;o cost&oacute; 5 € y lleg\u00f3 “tarde”.</p>".encode("cp1252")
    it = read_one(tmp_path, message(html, content_type="text/html; charset=ISO-8859-1"))
    assert it.text == "El envío costó 5 € y llegó “tarde”."
    assert it.metadata["html_only"] is True and it.metadata["charsets"] == ["cp1252"]


def test_same_message_id_same_hash_in_eml_and_mbox(tmp_path):
    data = message("Mismo mensaje.", headers={"Message-ID": "<same@example.com>"})
    eml = read_one(tmp_path, data)
    (tmp_path / "box.mbox").write_bytes(mbox(data))
    [boxed] = list(MboxReader().read(tmp_path / "box.mbox", COMPANY))
    assert eml.hash_basis == boxed.hash_basis == "same@example.com"
    assert eml.id == boxed.id


def test_read_paths_walks_eml_and_mbox(tmp_path):
    (tmp_path / "a.eml").write_bytes(message("Uno."))
    (tmp_path / "b.mbox").write_bytes(mbox(message("Dos."), message("Tres.")))
    texts = [item.text for _path, item in read_paths([tmp_path], COMPANY)]
    assert texts == ["Uno.", "Dos.", "Tres."]
