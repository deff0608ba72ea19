"""Turning an email body into the customer's own words.

Three small, pure helpers the email readers share:

* :func:`decode_bytes` decodes a MIME part or a raw 8-bit header with its declared
  charset, falling back sensibly (Latin-1 is read as Windows-1252; an unknown or
  wrong charset tries UTF-8, then Windows-1252; it never fails).
* :func:`html_to_text` turns an HTML body into plain text (line breaks kept,
  ``<script>``/``<style>`` dropped, entities unescaped, ``<blockquote>`` marked as
  ``>`` quotes so the quote stripper sees it).
* :func:`clean_body` strips quoted replies, forwarded-message headers, signatures,
  mobile footers, closing blocks and legal disclaimers, and tidies whitespace.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser

# --- charsets ---------------------------------------------------------------

# Declared Latin-1 (or plain ASCII, which mailers also write over 8-bit text) is
# nearly always really Windows-1252: curly quotes and the euro sign live in 0x80-0x9F.
_LATIN1_NAMES = frozenset({"iso-8859-1", "iso8859-1", "iso_8859-1", "latin-1", "latin1", "l1",
                           "iso-ir-100", "cp819", "ibm819", "windows-1252", "cp1252", "x-cp1252"})
_ASCII_NAMES = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us"})
# Labels whose real content is usually a superset encoding.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949",
    "shift_jis": "cp932", "shift-jis": "cp932", "x-sjis": "cp932",
    "iso-8859-8-i": "iso-8859-8", "iso-8859-6-i": "iso-8859-6",
    "tis-620": "cp874", "iso-8859-11": "cp874",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
}
_FALLBACKS = ("utf-8", "cp1252")


def decode_bytes(data: bytes, charset: str | None, *, fallback: str | None = None) -> tuple[str, str]:
    """Decode ``data`` declared as ``charset``; return (text, encoding used).

    ``fallback`` is tried first when no charset is declared (a forced
    ``--encoding``). Never raises: the last resort is Latin-1, which maps every byte.
    """
    if data.isascii():
        return data.decode("ascii"), "ascii"
    for encoding in _candidates(charset, fallback):
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1"), "latin-1"


def _candidates(charset: str | None, fallback: str | None) -> list[str]:
    label = (charset or "").strip().strip("\"'").split("*", 1)[0].lower()
    first: list[str] = []
    if label in _LATIN1_NAMES:
        first = ["cp1252"]
    elif label and label not in _ASCII_NAMES:
        name = _SUPERSETS.get(label, label)
        try:
            first = [codecs.lookup(name).name]
        except LookupError:
            first = []
    elif not label and fallback:
        first = [fallback]
    return first + [e for e in _FALLBACKS if e not in first]


# --- HTML to text -----------------------------------------------------------

_QUOTE_OPEN = "\ue000"  # private-use marks for <blockquote> edges, removed in html_to_text
_QUOTE_CLOSE = "\ue001"
_SKIP_TAGS = frozenset({"script", "style", "title", "noscript", "template", "xml"})  # not <head>: often unclosed
_BLOCK_TAGS = frozenset({"p", "div", "li", "tr", "table", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3",
                         "h4", "h5", "h6", "pre", "section", "article", "header", "footer", "address",
                         "center", "form", "fieldset", "caption", "tbody", "thead", "tfoot"})
_SIGNATURE_CLASSES = ("gmail_signature", "moz-signature")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


class _HtmlText(HTMLParser):
    """Collects the visible text of an HTML body, one output line per block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "br" or tag == "hr":
            self.parts.append("\n")
        elif tag == "blockquote":
            self.parts.append(f"\n{_QUOTE_OPEN}\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n- " if tag == "li" else "\n")
            if tag == "pre":
                self._pre += 1
            if tag == "div" and _is_signature(attrs):
                self.parts.append("-- \n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP_TAGS:  # <script/> has no content to skip
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag == "blockquote":
            self.parts.append(f"\n{_QUOTE_CLOSE}\n")
        elif tag in _BLOCK_TAGS and tag != "li":  # the next <li> or the list's end breaks the line
            self.parts.append("\n")
            if tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data if self._pre else _SPACES.sub(" ", data))


def _is_signature(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if name == "class" and value and any(c in value for c in _SIGNATURE_CLASSES):
            return True
        if name == "id" and value == "Signature":
            return True
    return False


def html_to_text(html: str) -> str:
    """Visible text of an HTML document; ``<blockquote>`` lines come out as ``> `` quotes."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    out: list[str] = []
    depth = 0
    for line in "".join(parser.parts).split("\n"):
        if line == _QUOTE_OPEN:
            depth += 1
        elif line == _QUOTE_CLOSE:
            depth = max(0, depth - 1)
        else:
            line = line.strip(" ")
            out.append("> " * depth + line if depth and line else line)
    return _tidy(out)


# --- format=flowed ----------------------------------------------------------


def unflow(text: str, *, delsp: bool = False) -> str:
    """Join the soft-broken lines of a ``format=flowed`` body (RFC 3676)."""
    out: list[str] = []
    buf: str | None = None
    buf_depth = 0
    for line in text.replace("\r\n", "\n").split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]  # space-stuffing
        soft = body.endswith(" ") and body != "-- "
        if soft and delsp:
            body = body[:-1]
        if buf is not None and depth == buf_depth:
            buf += body
        else:
            if buf is not None:
                out.append(_quoted(buf_depth, buf))
            buf, buf_depth = body, depth
        if not soft:
            out.append(_quoted(buf_depth, buf))
            buf = None
    if buf is not None:
        out.append(_quoted(buf_depth, buf))
    return "\n".join(out)


def _quoted(depth: int, body: str) -> str:
    return f"{'>' * depth} {body}" if depth else body


# --- cleaning ---------------------------------------------------------------

_I = re.IGNORECASE
# Reply attributions: "On Mon, 3 Oct 2026 at 10:00, Ana <a@b> wrote:",
# "El lun, 3 oct 2026 a las 10:00, Ana (<a@b>) escribió:" (and French, German).
_ATTRIBUTION_START = re.compile(r"(?:On|El|Le|Am)\s", _I)
_ATTRIBUTION = re.compile(
    r"(?:On\s.{1,300}\swrote|El\s.{1,300}\sescribi[óo]|Le\s.{1,300}\sa\s+[ée]crit|Am\s.{1,300}\sschrieb)\s*:\s*$",
    _I)
_ATTRIBUTION_VERBS = ("wrote", "escribi", "crit", "schrieb")
_ATTRIBUTION_LOOSE = re.compile(r".{0,300}@.{0,300}\s(?:wrote|escribi[óo])\s*:\s*$", _I)
_FORWARD_MARKER = re.compile(
    r"(?:-{2,}\s*(?:Forwarded message|Mensaje reenviado|Message transf[ée]r[ée]|Weitergeleitete Nachricht)\s*-{2,}"
    r"|Begin forwarded message:|Inicio del mensaje reenviado:)\s*$", _I)
_ORIGINAL_MARKER = re.compile(
    r"-{2,}\s*(?:Original Message|Mensaje original|Message d'origine|Urspr[üu]ngliche Nachricht)\s*-{2,}\s*$", _I)
_UNDERSCORES = re.compile(r"_{10,}\s*$")
_HDR_FROM = re.compile(r"\*?(?:From|De|Von)\s*:\*?\s*\S", _I)
_HDR_SENT = re.compile(r"\*?(?:Sent|Date|Enviado el|Enviado|Fecha|Gesendet|Envoy[ée])\s*:", _I)
_HDR_SUBJECT = re.compile(r"\*?(?:Subject|Asunto|Betreff|Objet)\s*:", _I)
_HDR_ANY = re.compile(
    r"\*?(?:From|De|Von|Sent|Date|Enviado el|Enviado|Fecha|Gesendet|To|Para|An|[ÀA]|Cc|Bcc|CCO|Subject|Asunto"
    r"|Betreff|Objet|Reply-To|Responder a|Importance|Importancia)\s*:", _I)
# One cheap test that a line may start a quote or forward, before the precise ones.
_MAY_START_QUOTE = re.compile(r"(?:On|El|Le|Am)\s|-{2,}|_{10,}|Begin|Inicio|\*?(?:From|De|Von)\s*:", _I)

_MOBILE_FOOTER = re.compile(
    r"(?:Sent from my \S+(?: \S+){0,4}"
    r"|Sent (?:from|with|via) (?:Mail|Outlook|Yahoo|Gmail|AOL|Proton|BlackBerry|Samsung)\b.{0,40}"
    r"|Enviado desde mi \S+(?: \S+){0,4}"
    r"|Enviado (?:desde|con) (?:Correo|Outlook|Yahoo|Gmail|AOL|Proton|BlackBerry|Samsung)\b.{0,40}"
    r"|Get Outlook for \S+|Obtener Outlook para \S+|Descargar Outlook para \S+)\s*$", _I)
_DISCLAIMER = re.compile(
    r"(?:CONFIDENTIALITY NOTICE|AVISO LEGAL|AVISO DE CONFIDENCIALIDAD|Este mensaje y sus anexos"
    r"|This e-?mail (?:message )?and any (?:files|attachments)|DISCLAIMER\s*:)", _I)
_SIGNATURE_START = re.compile(f"(?:{_MOBILE_FOOTER.pattern})|(?:{_DISCLAIMER.pattern})", _I)
# Closings that are only a formula: removed even when nothing follows them.
_CLOSING = (r"(?:best|kind|warm|warmest|kindest)\s+regards|regards|best|best wishes|all the best|cheers"
            r"|sincerely|yours (?:sincerely|truly|faithfully)|un saludo|saludos(?: cordiales)?|un cordial saludo"
            r"|cordiales saludos|reciba un cordial saludo|atentamente|un abrazo|abrazos|un beso|besos")
# Thanks carry meaning when they end a message; removed only with a name after them or a comma.
_THANKS = r"thanks|thank you|many thanks|thanks again|thanks in advance|gracias|muchas gracias|mil gracias"
# A closing may carry the name on its line ("Saludos, Ana"); thanks may not ("Thanks, that worked").
_VALEDICTION = re.compile(
    rf"(?:(?P<closing>{_CLOSING})(?:\s*,\s*[^\W\d_][\w.' -]{{0,40}})?|(?P<thanks>{_THANKS}))\s*[,.!]*\s*$", _I)
# Contact lines (phone, email, web) in a closing block do not count toward its length.
_CONTACT_LINE = re.compile(r".*(?:@|https?://|www\.|(?:\d[\s.()/-]*){6})")
MAX_CLOSING_LINES = 4  # name, title, phone, company
MAX_CLOSING_LINE_CHARS = 80
_FORWARD_SUBJECT = re.compile(r"\s*(?:fwd?|rv|reenv(?:iado)?|tr|wg)\s*:", _I)
_MANY_NEWLINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class CleanedBody:
    """The customer's own words, and what was taken out to get them."""

    text: str
    had_quote: bool = False
    had_signature: bool = False
    is_forward: bool = False


@dataclass(frozen=True)
class _Boundary:
    index: int  # first line of the quoted/forwarded part
    kind: str  # "forward" or "reply"
    body_start: int  # first line after the marker (where a forwarded header block starts)


def is_forward_subject(subject: str | None) -> bool:
    """True for subjects such as ``Fwd:``, ``FW:``, ``RV:`` (Spanish Outlook)."""
    return bool(subject) and _FORWARD_SUBJECT.match(subject) is not None


def clean_body(text: str, *, forward_subject: bool = False) -> CleanedBody:
    """Strip quotes, forwarded headers, signatures and footers from a plain-text body.

    For a forward, what the sender wrote above it is kept; when that is empty the
    forwarded body is kept instead, without its header block. ``forward_subject``
    (the subject starts ``Fwd:``/``RV:``) makes an Outlook-style header block count
    as a forward rather than a reply.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").split("\n")
    had_quote = had_signature = is_forward = False
    while True:
        boundary, dropped = _scan(lines)
        end = boundary.index if boundary else len(lines)
        own = [line for i, line in enumerate(lines[:end]) if i not in dropped]
        own, signed = _strip_signature(own)
        result = _tidy(own)
        forward = boundary is not None and (boundary.kind == "forward" or forward_subject)
        had_quote = had_quote or bool(dropped) or (boundary is not None and not forward)
        had_signature = had_signature or signed
        is_forward = is_forward or forward
        if result or not forward:
            return CleanedBody(result, had_quote, had_signature, is_forward)
        assert boundary is not None
        lines = _skip_header_block(lines[boundary.body_start:])
        forward_subject = False


def _scan(lines: list[str]) -> tuple[_Boundary | None, set[int]]:
    """Find where quoted or forwarded text starts; collect ``>`` lines above it."""
    dropped: set[int] = set()
    i, n = 0, len(lines)
    while i < n:
        s = lines[i].strip()
        if not s:
            i += 1
            continue
        if s[0] == ">":
            dropped.add(i)
            i += 1
            continue
        if _MAY_START_QUOTE.match(s) or s.endswith(":"):
            if _FORWARD_MARKER.match(s):
                return _Boundary(i, "forward", i + 1), dropped
            if _ORIGINAL_MARKER.match(s):
                return _Boundary(i, "reply", i + 1), dropped
            if _UNDERSCORES.match(s) and _header_block_at(lines, _next_filled(lines, i + 1)):
                return _Boundary(i, "reply", i + 1), dropped
            if _header_block_at(lines, i):
                return _Boundary(i, "reply", i), dropped
            span = _attribution_span(lines, i)
            if span:
                after = _next_filled(lines, i + span)
                if after < n and lines[after].lstrip().startswith(">"):
                    dropped.update(range(i, i + span))  # quote follows: drop both, keep reading
                    i += span
                    continue
                return _Boundary(i, "reply", i + span), dropped
        i += 1
    return None, dropped


def _next_filled(lines: list[str], start: int) -> int:
    while start < len(lines) and not lines[start].strip():
        start += 1
    return start


def _header_block_at(lines: list[str], i: int) -> bool:
    """An Outlook header block ("From: … Sent: … To: … Subject:") starts at line i."""
    if i >= len(lines) or not _HDR_FROM.match(lines[i].strip()):
        return False
    following = [line.strip() for line in lines[i + 1:i + 8]]
    return any(_HDR_SENT.match(s) for s in following) and any(_HDR_SUBJECT.match(s) for s in following)


def _attribution_span(lines: list[str], i: int) -> int:
    """How many lines (1-3) the reply attribution at line i spans; 0 if none."""
    first = lines[i].strip()
    if _ATTRIBUTION_START.match(first):
        window = " ".join(lines[i:i + 3]).lower()
        if not any(verb in window for verb in _ATTRIBUTION_VERBS):
            return 0
        joined = first
        for k in range(3):
            if k:
                if i + k >= len(lines) or not lines[i + k].strip():
                    break
                joined += " " + lines[i + k].strip()
            if _ATTRIBUTION.match(joined):
                return k + 1
        return 0
    return 1 if "@" in first and first.endswith(":") and _ATTRIBUTION_LOOSE.match(first) else 0


def _skip_header_block(lines: list[str]) -> list[str]:
    """Drop the From:/Date:/Subject:/To: block that opens a forwarded message."""
    i, seen = 0, False
    while i < len(lines):
        raw = lines[i]
        s = raw.strip()
        if _HDR_ANY.match(s):
            seen = True
        elif not s:
            if seen:
                break
        elif seen and raw[:1] in " \t":
            pass  # a folded header line
        elif seen or not (_UNDERSCORES.match(s) or _ORIGINAL_MARKER.match(s)):
            break
        i += 1
    return lines[i:]


def _strip_signature(lines: list[str]) -> tuple[list[str], bool]:
    """Cut at a "-- " delimiter, a mobile footer or a disclaimer; then drop a closing block."""
    cut = False
    for i, line in enumerate(lines):
        s = line.strip()
        if s == "--" or (s and _SIGNATURE_START.match(s)):
            lines, cut = lines[:i], True
            break
    lines, closed = _strip_closing(lines)
    return lines, cut or closed


def _strip_closing(lines: list[str]) -> tuple[list[str], bool]:
    """Remove "Saludos,\\nAna Ruiz\\nTel 600…": a valediction and ≤ 4 short lines after it
    (name, title, company; phone, email and web lines are not counted)."""
    counted = seen = 0
    for i in range(len(lines) - 1, -1, -1):
        s = lines[i].strip()
        if not s:
            continue
        m = _VALEDICTION.match(s)
        if m:
            if m.group("closing") or seen or s.endswith(","):
                return lines[:i], True
            return lines, False
        if len(s) > MAX_CLOSING_LINE_CHARS:
            break
        seen += 1
        counted += not _CONTACT_LINE.match(s)
        if counted > MAX_CLOSING_LINES or seen > 2 * MAX_CLOSING_LINES:
            break
    return lines, False


def _tidy(lines: list[str]) -> str:
    """Strip trailing spaces, collapse 3+ newlines to 2, trim the ends."""
    text = "\n".join(line.rstrip() for line in lines)
    return _MANY_NEWLINES.sub("\n\n", text).strip()


__all__ = ["CleanedBody", "MAX_CLOSING_LINES", "clean_body", "decode_bytes", "html_to_text",
           "is_forward_subject", "unflow"]
