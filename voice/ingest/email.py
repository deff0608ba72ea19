"""Email readers: one message per ``.eml`` file, many per ``.mbox``.

Parsing uses the stdlib ``email`` package with the fast ``compat32`` policy; header
decoding (RFC 2047 encoded words, raw 8-bit headers) and body decoding are done
here so every charset comes out right. The body is cleaned to the sender's own new
words by :func:`voice.ingest._email_text.clean_body`; ``raw`` keeps the message whole.
"""

from __future__ import annotations

import binascii
import email.errors
import email.utils
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path
from typing import BinaryIO

from ..errors import BadDate, EmptyInput, InputError, MalformedRecord
from ..records import Identity, Interaction
from ._base import ReadOptions, open_checked, parse_timestamp, read_bytes, register
from ._email_text import clean_body, decode_bytes, html_to_text, is_forward_subject, unflow

_PARSER = BytesParser(policy=compat32)

# A file is an email when it carries at least one of these headers.
EMAIL_HEADERS = frozenset({
    "from", "to", "cc", "subject", "date", "message-id", "in-reply-to", "references", "reply-to", "sender",
    "received", "return-path", "delivered-to", "mime-version", "x-mailer", "x-gm-thrid", "thread-index",
})
NOT_AN_EMAIL_FIX = ("export the message as .eml (RFC 5322: header lines such as 'From:', 'To:', 'Subject:', "
                    "'Date:', then a blank line, then the body), or remove this file from the email input.")
_UNPARSEABLE = (email.errors.MessageError, LookupError, ValueError, UnicodeError, IndexError, binascii.Error)


# --- one message --------------------------------------------------------------


def parse_email(data: bytes, options: ReadOptions, *, source: str, position: str | None = None) -> Interaction:
    """Build the :class:`Interaction` for one RFC 5322 message.

    Raises MalformedRecord for bytes that are not an email and EmptyInput for a
    message with neither a subject nor any body text.
    """
    data = _trim_start(data)
    try:
        msg = _PARSER.parsebytes(data)
        headers = _header_map(msg)
        if not EMAIL_HEADERS.intersection(headers):
            raise MalformedRecord("the message has no email headers (From:, To:, Subject:, Date:…); "
                                  "it does not look like an email.", source=source, position=position,
                                  fix=NOT_AN_EMAIL_FIX, excerpt=data[:120].decode("utf-8", "replace"))
        body = _extract_body(msg, options.encoding)
        return _build(headers, body, data, options, source=source, position=position)
    except _UNPARSEABLE as exc:
        raise MalformedRecord(f"the message cannot be parsed ({type(exc).__name__}: {exc}).", source=source,
                              position=position, fix=NOT_AN_EMAIL_FIX) from exc


def _build(headers: dict[str, list[str]], body: _Body, data: bytes, options: ReadOptions, *,
           source: str, position: str | None) -> Interaction:
    fallback = options.encoding
    subject = decode_header_value(_first(headers, "subject"), fallback) or None
    cleaned = clean_body(body.text, forward_subject=is_forward_subject(subject))
    if not cleaned.text and not subject:
        raise EmptyInput("the message has no subject and no body text (after removing quotes and signatures).",
                         source=source, position=position,
                         fix="nothing to analyse here; remove the message from the input, or export it again "
                             "if its body was lost.")
    senders = _addresses(headers, "from", fallback)
    reply_to = _addresses(headers, "reply-to", fallback)
    to = _addresses(headers, "to", fallback)
    cc = _addresses(headers, "cc", fallback)
    from_addr = senders[0][1] if senders else None
    direction = "outbound" if from_addr and options.is_company_address(from_addr) else "inbound"
    customer_roles = {"from", "reply_to"} if direction == "inbound" else {"to", "cc"}
    identities = [
        Identity("email", addr, role=role,
                 customer_side=role in customer_roles and not options.is_company_address(addr))
        for role, group in (("from", senders), ("reply_to", reply_to), ("to", to), ("cc", cc))
        for _name, addr in group
    ]
    message_id = _first_id(_first(headers, "message-id"))
    in_reply_to = _first_id(_first(headers, "in-reply-to"))
    references = _all_ids(" ".join(headers.get("references", [])))
    timestamp, date_problem = _timestamp(decode_header_value(_first(headers, "date"), fallback), source, position,
                                         options.timezone)
    raw = data.decode("utf-8", "replace")
    metadata: dict[str, object] = {
        "from_name": (senders[0][0] or None) if senders else None,
        "from": from_addr,
        "to": [a for _n, a in to],
        "cc": [a for _n, a in cc],
        "reply_to": [a for _n, a in reply_to],
        "in_reply_to": in_reply_to,
        "references": references,
        "attachments": body.attachments,
        "charsets": body.charsets,
        "html_only": body.html_only,
        "is_forward": cleaned.is_forward,
        "had_quote": cleaned.had_quote,
        "had_signature": cleaned.had_signature,
        "empty_body": not cleaned.text,
    }
    if date_problem:
        metadata["date_problem"] = date_problem
    return Interaction(
        channel="email",
        source_path=source,
        source_pos=position,
        text=cleaned.text,
        timestamp=timestamp,
        direction=direction,
        subject=subject,
        thread_id=(references[0] if references else None) or in_reply_to or message_id,
        external_id=message_id,
        identities=identities,
        metadata=metadata,
        raw=raw,
        hash_basis=message_id if message_id else raw,
    )


def _trim_start(data: bytes) -> bytes:
    """Drop a UTF-8 BOM and blank lines before the first header."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.lstrip(b"\r\n") if data[:1] in (b"\r", b"\n") else data


def _header_map(msg: Message) -> dict[str, list[str]]:
    """Raw header values by lower-cased name, unfolded, in order."""
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        if "\n" in value:
            value = _FOLD.sub("", value)
        headers.setdefault(name.lower(), []).append(value)
    return headers


_FOLD = re.compile(r"\r?\n")  # unfolding removes the line break and keeps the indent


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


# --- headers ------------------------------------------------------------------

_ENCODED_WORD = re.compile(r"=\?([!->@-~]+)\?([QqBb])\?([!->@-~]*)\?=")  # printable ASCII but "?"


def decode_header_value(value: str | None, fallback: str | None = None) -> str:
    """Decode a raw header value: raw 8-bit bytes (UTF-8, else Windows-1252) and
    RFC 2047 encoded words (``=?iso-8859-1?Q?Re:_Pedido?=``); adjacent encoded words
    in one charset are joined before decoding, so a character split across them survives."""
    if not value:
        return ""
    if not value.isascii():  # compat32 keeps 8-bit header bytes as surrogate escapes
        value = decode_bytes(value.encode("utf-8", "surrogateescape"), None, fallback=fallback)[0]
    if "=?" not in value:
        return value.strip()
    out: list[str] = []
    pending = bytearray()  # bytes of adjacent encoded words in one charset
    pending_charset = ""
    after_word = False
    pos = 0
    for m in _ENCODED_WORD.finditer(value):
        between = value[pos:m.start()]
        charset = m.group(1).lower()
        word = _decode_word(m.group(2), m.group(3))
        if word is None:  # not valid base64: keep it as written
            between += m.group(0)
        if word is None or between.strip() or not after_word or charset != pending_charset:
            if pending:
                out.append(decode_bytes(bytes(pending), pending_charset)[0])
                pending.clear()
            if word is None or not after_word or between.strip():
                out.append(between)  # whitespace between two encoded words is dropped (RFC 2047 6.2)
        if word is not None:
            pending += word
            pending_charset = charset
        after_word = word is not None
        pos = m.end()
    if pending:
        out.append(decode_bytes(bytes(pending), pending_charset)[0])
    out.append(value[pos:])
    return "".join(out).strip()


def _decode_word(encoding: str, text: str) -> bytes | None:
    if encoding in "Qq":
        return binascii.a2b_qp(text.encode("ascii"), header=True)
    try:
        return binascii.a2b_base64(text.encode("ascii") + b"=" * (-len(text) % 4))
    except binascii.Error:
        return None


def _addresses(headers: dict[str, list[str]], name: str, fallback: str | None) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs; names decoded after splitting, so an
    encoded comma in a name cannot split an address."""
    values = headers.get(name)
    if not values:
        return []
    simple = _SIMPLE_ADDRESS.match(values[0]) if len(values) == 1 else None
    if simple:
        parsed = [(simple.group(1) or "", simple.group(2) or simple.group(3))]
    else:
        parsed = email.utils.getaddresses(values)
    pairs = []
    for display, addr in parsed:
        addr = decode_header_value(addr, fallback).lower()
        if "@" in addr:
            pairs.append((decode_header_value(display, fallback), addr))
    return pairs


# "Ana Ruiz <ana@example.com>" or "ana@example.com": parsed without the general (slow) parser.
_SIMPLE_ADDRESS = re.compile(r'\s*(?:([^<>",;:()@\\\[\]]*?)\s*<([^<>\s",;:()\\\[\]]+@[^<>\s",;:()\\\[\]]+)>'
                             r'|([^<>\s",;:()\\\[\]]+@[^<>\s",;:()\\\[\]]+))\s*$')
_ID = re.compile(r"<([^<>\s]+)>")


def _first_id(value: str | None) -> str | None:
    if not value:
        return None
    m = _ID.search(value)
    if m:
        return m.group(1)
    value = value.strip().strip("<>").strip()
    return value.split()[0] if value else None


def _all_ids(value: str) -> list[str]:
    ids = _ID.findall(value)
    return ids if ids else value.split()


def _timestamp(value: str | None, source: str, position: str | None,
               timezone: str) -> tuple[str | None, str | None]:
    """(UTC ISO timestamp, problem) from a Date header; a bad date is noted, not fatal."""
    if not value or not value.strip():
        return None, "the message has no Date header."
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None  # not an RFC 5322 date: the general date reader gets a try
    try:
        return parse_timestamp(parsed if parsed is not None else value, source=source, position=position,
                               timezone=timezone), None
    except BadDate:
        return None, f"cannot read the Date header {value.strip()!r}; the timestamp is left empty."


# --- body -----------------------------------------------------------------------


@dataclass
class _Body:
    text: str = ""
    html_only: bool = False
    charsets: list[str] = field(default_factory=list)
    attachments: list[dict[str, object]] = field(default_factory=list)


def _extract_body(msg: Message, fallback: str | None) -> _Body:
    """The text/plain parts joined (else the text/html parts as text), and the attachments."""
    plain: list[_Leaf] = []
    html: list[_Leaf] = []
    body = _Body()
    _collect(msg, plain, html, body.attachments)
    texts = []
    for leaf in plain or html:
        text, charset = _leaf_text(leaf, fallback)
        if charset not in body.charsets:
            body.charsets.append(charset)
        texts.append(text if plain else html_to_text(text))
    body.text = "\n\n".join(texts)
    body.html_only = bool(html) and not plain
    return body


@dataclass(frozen=True)
class _Leaf:
    """A non-multipart MIME part, with its Content-Type parsed once."""

    part: Message
    ctype: str
    params: dict[str, str]
    filename: str | None
    attached: bool  # Content-Disposition: attachment, or a file name

    @classmethod
    def of(cls, part: Message) -> _Leaf:
        ctype = part.get_content_type()
        params = {k.lower(): email.utils.collapse_rfc2231_value(v) for k, v in (part.get_params() or [])[1:]}
        disposition = part.get("content-disposition")
        filename = part.get_filename() if disposition else params.get("name")
        attached = bool(filename) or (disposition is not None and disposition.strip().lower().startswith("attachment"))
        return cls(part, ctype, params, filename, attached)


def _collect(part: Message, plain: list[_Leaf], html: list[_Leaf], attachments: list[dict[str, object]]) -> None:
    if part.is_multipart():
        if part.get_content_maintype() == "message":  # an attached email (message/rfc822), not the body
            attachments.append(_attachment(part.get_filename(), part.get_content_type(), _message_size(part)))
            return
        for sub in part.get_payload():
            _collect(sub, plain, html, attachments)
        return
    leaf = _Leaf.of(part)
    # A multipart type on a part that is not multipart has no boundary: read it as text.
    if not leaf.attached and (leaf.ctype == "text/plain" or leaf.ctype.startswith("multipart/")):
        plain.append(leaf)
    elif not leaf.attached and leaf.ctype == "text/html":
        html.append(leaf)
    else:
        attachments.append(_attachment(leaf.filename, leaf.ctype, len(part.get_payload(decode=True) or b"")))


def _attachment(filename: str | None, ctype: str, size: int | None) -> dict[str, object]:
    return {"filename": (decode_header_value(filename) or None) if filename else None,
            "content_type": ctype, "size": size}


def _message_size(part: Message) -> int | None:
    try:
        return len(part.as_bytes())
    except _UNPARSEABLE:
        return None  # the attached message cannot be re-serialized; its size is unknown


def _leaf_text(leaf: _Leaf, fallback: str | None) -> tuple[str, str]:
    payload = leaf.part.get_payload(decode=True) or b""
    charset = leaf.params.get("charset")
    text, used = decode_bytes(payload, charset if charset and charset.isascii() else None, fallback=fallback)
    if leaf.params.get("format", "").lower() == "flowed":
        text = unflow(text, delsp=leaf.params.get("delsp", "").lower() == "yes")
    return text, used


# --- readers ----------------------------------------------------------------------


@register
class EmlReader:
    """One ``.eml`` file (RFC 5322 message) → one Interaction."""

    name = "email.eml.v1"
    channel = "email"
    suffixes = (".eml",)

    def read(self, path: Path, options: ReadOptions) -> Iterator[Interaction | InputError]:
        data = read_bytes(path, options)
        try:
            yield parse_email(data, options, source=str(path))
        except InputError as exc:
            yield exc


@register
class MboxReader:
    """An ``.mbox`` mailbox → one Interaction per message, read as a stream.

    A bad message is yielded as an InputError at ``"message N"`` and the rest are read.
    """

    name = "email.mbox.v1"
    channel = "email"
    suffixes = (".mbox",)

    def read(self, path: Path, options: ReadOptions) -> Iterator[Interaction | InputError]:
        source = str(path)
        with open_checked(path, options) as fh:
            for number, data in iter_mbox_messages(fh):
                try:
                    yield parse_email(data, options, source=source, position=f"message {number}")
                except InputError as exc:
                    yield exc


# "From sender Mon Oct  3 10:00:00 2026": a time and a year.
_STRONG_SEPARATOR = re.compile(rb"From \S+\s.*\d{1,2}:\d{2}.*\d{4}")
_ESCAPED_FROM = re.compile(rb">+From ")


def iter_mbox_messages(fh: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(1-based number, message bytes) for each message of an mbox stream.

    A line starting ``From `` separates messages when it follows a blank line (or
    opens the file) or looks like a full separator (sender, time, year); ``>From ``
    lines (mboxo/mboxrd escaping) lose one ``>``. Only the current message is held.
    """
    number = 0
    lines: list[bytes] = []
    prev_blank = True
    for line in fh:
        if line.startswith(b"From ") and (prev_blank or _STRONG_SEPARATOR.match(line)):
            if any(x.strip() for x in lines):
                number += 1
                yield number, b"".join(lines)
            lines = []
            prev_blank = False
            continue
        if line.startswith(b">") and _ESCAPED_FROM.match(line):
            line = line[1:]
        lines.append(line)
        prev_blank = not line.strip()
    if any(x.strip() for x in lines):
        yield number + 1, b"".join(lines)


__all__ = ["EMAIL_HEADERS", "EmlReader", "MboxReader", "decode_header_value", "iter_mbox_messages",
           "parse_email"]
