"""Which sentences carry no evaluation: greetings, sign-offs, signatures, contact
lines and bare references. They get no sentiment and do not move an
interaction's score.

A sentence is non-content only when the *whole* of it is such a formula; a
greeting or thanks followed by anything else is content ("Hola, llevo tres
semanas esperando", "Thanks so much, the installer was brilliant", "Gracias
por nada"). When in doubt, content. Thanks are a sign-off only with no object
or a formulaic one (your time, help, attention, patience, understanding…):
"Gracias por la rapidez" says what was good and is content.

Matching is on the text with accents removed; formula words ignore case, names
must be capitalised (``(?-i:…)``). Spanish and English are matched together, so
``lang`` is accepted for the API but not needed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ..ingest._email_text import _CLOSING, _THANKS  # closings and thanks the email cleaner strips
from ..ingest._speakers import fold
from ..link.normalize import EMAIL_PATTERN, PHONE_PATTERN

MIN_PHONE_DIGITS = 9  # as handles_in_text: shorter digit runs are order numbers, dates, amounts

# Punctuation and spaces between and around formula parts. Possessive (*+), like the atomic groups (?>…) below,
# so that a long sentence that is not a formula fails fast instead of backtracking.
_P = r"[\s,.;:!¡?¿()\-–—|/]*+"
# A capitalised name word or an initial ("Ana", "García-Pérez", "O'Neill", "J.").
_NAME_WORD = r"(?-i:[A-Z](?:(?:['’][A-Z])?[a-z'’]+(?:-[A-Z][a-z'’]+)?|\.))"
# 1-4 name words with the particles of Spanish names ("Ana de la Fuente").
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+(?:(?:de|del|la|las|los|y|van|von|da|di)\s+)*{_NAME_WORD}){{0,3}})"

_GREET = (r"hola|buen[oa]s(?:\s+(?:dias|tardes|noches))?|buen\s+dia|hello|hi|hey|hiya|greetings"
          r"|good\s+(?:morning|afternoon|evening|day)|dear|estimad[oa]s?(?:/[oa]s?)?|querid[oa]s?"
          r"|to\s+whom\s+it\s+may\s+concern|a\s+quien\s+corresponda")
# Who a greeting is addressed to, besides a name ("Hola a todos", "Dear Sir or Madam", "Estimado Sr.").
_ADDRESSEE = (r"(?:a\s+)?tod[oa]s|all|everyone|there|again|de\s+nuevo|otra\s+vez|equipo|team|support|soporte"
              r"|customer\s+(?:service|support|care)|atencion\s+al\s+cliente|servicio\s+(?:al\s+cliente|tecnico)"
              r"|sir(?:\s+or\s+madam)?|madam|senor(?:a|es|as)?|sr(?:es|a|ta)?\.?|mrs?\.?|ms\.?|miss|dr[a]?\.?"
              r"|don|dona|cliente|customer")
# Closings the email cleaner does not need (it strips what follows them anyway).
_EXTRA_CLOSING = (r"cordialmente|sin\s+(?:mas|otro\s+particular)|saludos\s+cordiales|muchos\s+saludos"
                  r"|un\s+(?:afectuoso|fuerte)\s+saludo|adios|bye|goodbye|take\s+care|talk\s+soon"
                  r"|hasta\s+(?:luego|pronto|otra)|(?:que\s+tengas?\s+(?:un\s+)?)?buen\s+(?:dia|fin\s+de\s+semana)"
                  r"|have\s+a\s+(?:nice|good|great|lovely)\s+(?:day|weekend|one)")
_MORE_THANKS = (r"thank\s+you\s+(?:so|very)\s+much|thanks\s+(?:so|very)\s+much|thanks\s+a\s+(?:lot|million|bunch)"
                r"|(?:i|we)\s+(?:thank|appreciate)\s+you|thanking\s+you|thank\s+you\s+kindly"
                r"|muchisimas\s+gracias|gracias\s+mil|(?:se\s+|te\s+|os\s+)?lo\s+agradezco|thx|ty")
# Thanks for nothing in particular: what a letter thanks for by habit, not what was done well.
_FORMULA_OBJECT = (r"(?:\s+(?:de\s+antemano|por\s+adelantado|in\s+advance|again|de\s+nuevo|otra\s+vez))?"
                   r"(?:\s+(?:for|por)\s+(?:(?:your|su|tu|vuestra|la|all\s+your|any|all\s+the)\s+)?"
                   r"(?:(?:kind|prompt|time\s+and)\s+)?(?:time|help|attention|atencion"
                   r"|ayuda|tiempo|comprension|understanding|patience|paciencia|colaboracion|cooperation"
                   r"|considerations?|assistance)"
                   # "… any help you can give me", "… in this matter"
                   r"(?:\s+(?:you\s+(?:can|could|may)\s+(?:give|provide|offer)(?:\s+(?:me|us))?"
                   r"|(?:in|on|with)\s+this(?:\s+matter)?|en\s+este\s+asunto))?"
                   # "… for looking into this (matter) (for me)", "por revisarlo"
                   r"|\s+for\s+(?:looking\s+into|reviewing|reading|considering)\s+(?:this|my\s+(?:complaint|request|case))"
                   r"(?:\s+matter)?(?:\s+for\s+me)?|\s+por\s+(?:revisarlo|leerme|su\s+tiempo))?"
                   r"(?:\s+(?:de\s+antemano|in\s+advance))?"
                   r"(?:\s*,?\s*(?:it\s+is\s+|it's\s+)?(?:much\s+|greatly\s+|truly\s+)?appreciated)?")
# Waiting for the reply ("Quedo a la espera de sus noticias", "Looking forward to hearing from you").
_REPLY = r"(?:su|tu|vuestra|sus|tus)\s+(?:respuesta|noticias|contestacion)"
_AWAIT = (rf"(?:(?:quedo|quedamos|me\s+quedo|estoy|estamos)\s+)?(?:a|en)\s+(?:la\s+)?espera\s+de\s+{_REPLY}"
          rf"|espero\s+{_REPLY}(?:\s+(?:pronto|en\s+breve))?|quedo\s+(?:atent[oa]|a\s+(?:su|tu|vuestra)\s+disposicion)"
          r"|(?:i\s+am\s+|i'm\s+|i\s+)?(?:looking|look)\s+forward\s+to\s+"
          r"(?:hearing\s+from\s+you|your\s+(?:reply|response|answer))(?:\s+soon)?"
          r"|hope\s+to\s+hear\s+from\s+you(?:\s+soon)?|awaiting\s+your\s+(?:reply|response)")
_SIGNOFF_PART = (rf"(?:{_CLOSING}|{_EXTRA_CLOSING}|{_AWAIT}"
                 rf"|(?:{_MORE_THANKS}|{_THANKS}|muchas\s+gracias){_FORMULA_OBJECT})(?![\w'])")

_REF_NOUN = (r"pedido|factura|ticket|incidencia|reclamacion|expediente|cliente|contrato|referencia|albaran|envio"
             r"|seguimiento|localizador|poliza|caso|abonado|socio|cuenta|reserva|devolucion|solicitud|ref\.?"
             r"|order|invoice|case|reference|customer|account|tracking|claim|policy|contract|incident|complaint"
             r"|booking|reservation|membership|receipt|delivery|shipment|return|rma|confirmation|request")
_NUMBER_WORD = r"(?:(?:numero|num\.?|n[o°]\.?|nr\.?|number|no\.?|id|code|codigo)(?!\w)|#)"
_ID = r"(?=[\w/.-]*\d)[A-Za-z0-9][\w/.-]*+"  # a code with at least one digit: 4589-221, INV-2024-0042, C017
_LEAD = r"(?:(?:mi|el|la|su|nuestro|nuestra|my|our|the|your|this\s+is|here\s+is|este\s+es)\s+)?"
_ONE_REF = (rf"(?>{_LEAD}(?:{_NUMBER_WORD}\s*(?:de(?:l)?\s+)?)?+(?:{_REF_NOUN})(?:\s+{_NUMBER_WORD})?+"
            rf"(?:\s+(?:es|is|was))?+\s*+[:=-]?\s*+{_ID})")  # atomic and possessive: one way to read each part
# What a customer attaches ("la factura", "copia del ticket de compra", "a copy of the receipt").
_DOC = (r"(?:factura|ticket|recibo|albaran|justificante|comprobante|foto(?:grafia)?|imagen"
        r"|captura(?:\s+de\s+pantalla)?|pantallazo|documento|documentacion|contrato|presupuesto|pdf|archivo"
        r"|fichero|copia|garantia|resguardo"
        r"|invoice|receipt|photo|picture|image|screenshot|document|copy|quote|file|bill|statement"
        r"|proof\s+of\s+(?:purchase|payment)|order\s+confirmation)s?"
        r"(?:\s+(?:de|del|of|for)\s+(?:la\s+|el\s+|mi\s+|the\s+|my\s+)?"
        r"(?:pago|compra|envio|pedido|purchase|payment|order))?")
_ARTICLE = (r"(?:\s+(?:la|el|los|las|un|una|mi|mis|the|my|a|an|copia\s+del?(?:\s+la|\s+el|\s+mi)?"
            r"|a\s+copy\s+of(?:\s+the|\s+my)?))?")
_FILE = r"[\w.-]+\.(?:pdf|jpe?g|png|gif|heic|docx?|xlsx?|zip)"
_ATTACH_VERB = (r"(?:(?:te|le|os|les|se)\s+)?(?:adjunto|adjuntamos|adjunta|adjuntan|remito|envio|mando)"
                r"|(?:please\s+)?(?:find|see)\s+(?:the\s+)?(?:attached|enclosed)|(?:i(?:'ve|\s+have|\s+am|'m)?\s+)?"
                r"(?:attach(?:ed|ing)?|enclos(?:e|ed|ing)|send(?:ing)?)(?:\s+you)?|attached(?:\s+(?:is|are))?")
_ATTACHMENT = (rf"(?:{_ATTACH_VERB})(?:{_ARTICLE}\s+{_DOC}(?:\s+{_ID})?|\s*+:?\s*+{_FILE})(?:\s+adjunt[oa]s?)?"
               rf"|(?:the\s+|my\s+)?{_DOC}\s+(?:is|are)\s+attached")

# Contact lines: what may stand around the phone numbers, e-mails and URLs ("Mi teléfono es …", "Call me on …").
_CONTACT_ITEM = re.compile(rf"{EMAIL_PATTERN}|(?:https?://|www\.)\S+"
                           rf"|\b[\w-]+\.(?:com|es|org|net|eu)\b(?:/\S*)?|(?P<phone>{PHONE_PATTERN})",
                           re.IGNORECASE)
_CONTACT_WORDS = frozenset("""
    tel telf tlf tfno telefono movil fijo fax whatsapp phone mobile cell mob email e mail correo electronico web
    website url contacto contact mi my es is son are numero number de del al en a o y or and at on me puede puedes
    pueden llamar llamarme llamame llamadme localizar localizarme escribir escribirme escribeme contactar
    contactarme call reach write you can to por favor please
""".split())
_STREET = (r"(?:c/|calle|cl\.|avda?\.?|avenida|plaza|pza\.|paseo|pso\.|camino|ctra\.|carretera|ronda|travesia"
           r"|glorieta|urb\.|urbanizacion)")
_ADDRESS = re.compile(
    r"^(?:(?:mi\s+|my\s+)?(?:direccion|domicilio|address)(?:\s+(?:de\s+envio|de\s+entrega|postal))?"
    r"(?:\s+(?:es|is))?\s*:?\s*)?"  # optional label
    rf"(?:{_STREET}\s*[\w .'’-]{{1,40}}?,?\s*(?:n[o°]\.?\s*)?\d+[a-z]?"  # C/ Mayor 12
    r"|\d+[a-z]?\s+(?:(?-i:[A-Z])\w*\s+){1,4}"
    r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|way|close|place|square)\.?)"  # 221B Baker Street
    r"(?:[\s,]++(?>\d+[oa]?(?:\s*-?\s*(?-i:[A-Z])(?!\w))?|piso\s+\w+|puerta\s+\w+|bajo|izq(?:uierda|da)?\.?"
    r"|izda\.?|dcha\.?|derecha|portal\s+\w+|(?-i:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})"  # floor, door, UK postcode
    r"|(?-i:[A-Z])[\w'’-]*))*[\s.]*$"  # 5-digit postcode (as a number above), town
    r"|^\d{5}\s+(?-i:[A-Z])[\w'’ -]*$", re.IGNORECASE)  # 28013 Madrid

# The rules, tried in this order on the whole sentence (accents removed, spaces collapsed).
_RULES = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in (
    # "Pedido 4589-221", "Nº de pedido: 4589221", "My order number is 55621", "Ref. INV-2024-0042", "#A-1234"
    ("reference", rf"^{_P}{_ONE_REF}(?:{_P}(?:y|and|&)?{_P}{_ONE_REF})*{_P}$"),
    # a code alone: letters or a dash with digits ("INV-2024-0042", "#A-1234"), or 6+ digits; not "10/10", not "5"
    ("reference", r"^#?(?=.*\d)(?=.*[a-z#-])[a-z0-9][\w/.-]{3,}[.\s]*$|^\d{6,}[.\s]*$"),
    # attachments are references: "Adjunto la factura", "Please find attached the invoice", "I attach the receipt"
    ("reference", rf"^{_P}(?:{_ATTACHMENT}){_P}$"),
    # "Buenos días,", "Hola Ana:", "Estimado/a Sr. García:", "Dear Sir or Madam,", "Hello again"
    ("greeting", rf"^{_P}(?:(?:{_GREET})(?![\w']){_P})+(?:(?:{_ADDRESSEE})(?![\w']){_P})*(?:{_NAME}{_P})?$"),
    # "Un saludo.", "Muchas gracias de antemano", "Many thanks and kind regards, Peter", "Quedo a la espera…"
    ("signoff", rf"^{_P}{_SIGNOFF_PART}(?:{_P}(?:(?:and|y)\s+)?{_SIGNOFF_PART})*(?:\s*[,–—-]\s*{_NAME})?"
                rf"(?:\s+(?:and|y))?{_P}$"),
    # "Javier Morales", "Ana Ruiz – Dpto. Compras", "Javier Morales, Jefe de Compras"
    ("signature", rf"^{_P}{_NAME}(?:\s*[,–—|-]\s*(?P<role>(?-i:[A-Z])[\w.&'’ ,-]{{0,50}}?)"
                  rf"|\s*\((?P<role2>[^)]{{1,40}})\))?{_P}$"),
))

# Words no name or role is made of: es/en function words, common verbs and evaluations, so that short
# capitalised content ("Muy Mal Servicio", "Great Service!", "Never Again") is not taken for a signature.
_NOT_NAME = frozenset("""
    el la los las lo un una unos unas le les me mi mis tu su sus nos que o pero en con sin por para a al es son era
    fue esta estan estoy estaba tengo tiene tienen hay he ha han ser estar este esto ese eso aqui ya todo toda todos
    siempre nunca jamas mas menos nada nadie no si muy mal malo mala malos malas bien buen bueno buena buenos buenas
    mejor peor excelente estupendo estupenda genial perfecto perfecta fatal horrible terrible pesimo pesima
    lamentable vergonzoso verguenza desastre desastroso basura timo estafa inutil encantado encantada contento
    contenta satisfecho satisfecha harto harta decepcionado decepcionada decepcion gracias enhorabuena rapido rapida
    lento lenta tarde caro cara barato barata roto rota increible fenomenal recomendable cero
    the an i you he she it we they my your our is are was were be been am have has had do does did this that what
    why how when where who to of in on at for with from by or but if just very so too really not never again
    nothing nobody no yes great good bad poor awful excellent amazing awesome brilliant fantastic wonderful perfect
    best worst better worse love loved hate hated disappointed disappointing useless rubbish scam shame disgrace
    happy unhappy satisfied dissatisfied nice lovely fine okay ok totally highly super recommend avoid zero fast
    slow late quick broken cheap expensive thanks thank please help impecable maravilloso maravillosa espectacular
    ideal correcto correcta top estrella estrellas star stars
""".split())
_PARTICLES = frozenset("de del la las los y van von da di".split())


def _plain(text: str) -> str:
    """Accents removed, spaces collapsed, case kept ("Nº" becomes "No", "3ºB" becomes "3oB")."""
    if text.isascii():
        return " ".join(text.split())
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _made_of_names(text: str | None) -> bool:
    words = [w for w in re.findall(r"[\w'’]+", fold(text or "")) if w not in _PARTICLES]
    return not any(w in _NOT_NAME for w in words)


def _without_contacts(plain: str) -> tuple[str, int]:
    """The text with its phone numbers (9+ digits), e-mails and URLs taken out, and how many there were."""
    found = 0

    def drop(m: re.Match) -> str:
        nonlocal found
        if m.group("phone") and sum(c.isdigit() for c in m.group("phone")) < MIN_PHONE_DIGITS:
            return m.group(0)
        found += 1
        return " "
    return _plain(_CONTACT_ITEM.sub(drop, plain)), found


# An answer or backchannel in a call ("No.", "Sí, es correcto.", "Vale, vale.", "Exacto."): a reply
# to the agent's question, not an evaluation. Measured on the demo's calls: the sentiment model read
# "No." and "Exacto." as praise and turned an angry caller's call positive.
_ANSWER = re.compile(
    r"(?:(?:si|no|vale|ok|okay|exacto|exactamente|correcto|claro|bien|ya|vale vale|de acuerdo|eso es|aja|mhm|"
    r"yes|yeah|yep|nope|right|sure|fine|correct|exactly|alright|all right|got it|i see)"
    r"(?:[\s,.;:!¡?¿]+(?:es correcto|eso es|that's right|that is right|eso es todo|nada mas|that's it|that's all"
    r"|gracias|muchas gracias|thanks|thank you|))*[\s,.;:!¡?¿]*)+", re.I)


def non_content(text: str, lang: str | None = None) -> str | None:
    """Why this sentence carries no evaluation — "greeting", "signoff", "signature", "contact",
    "reference", "answer", "empty" — or None when it is content."""
    plain = _plain((text or "").lstrip("-*•> \t"))
    if not any(c.isalnum() for c in plain):
        return "empty"
    if len(plain) <= 40 and _ANSWER.fullmatch(fold(plain).strip()):
        return "answer"
    core, found = _without_contacts(plain)  # "Javier Morales 612 345 678" is a signature with a phone
    if _ADDRESS.match(plain) or (found and all(w in _CONTACT_WORDS for w in re.findall(r"[\w']+", fold(core)))):
        return "contact"  # only phones, e-mails, URLs or an address, with labels around them
    for kind, pattern in _RULES:
        m = pattern.match(plain if kind != "signature" else core)
        if not m:
            continue
        name = m.groupdict().get("name")
        if kind == "signature" and (len([w for w in name.split() if w not in _PARTICLES]) < 2
                                    or not _made_of_names(m.group("role") or m.group("role2"))):
            continue
        if _made_of_names(name):
            return kind
    return None


def content_mask(texts: Sequence[str], langs: Sequence[str | None] | None = None) -> list[str | None]:
    """non_content for a batch (the one batched method a component calls)."""
    langs = list(langs) if langs is not None else [None] * len(texts)
    return [non_content(t, lang) for t, lang in zip(texts, langs, strict=True)]


__all__ = ["content_mask", "content_text", "mark_non_content", "non_content"]


MARKED = "non_content_marked"  # Doc.extra flag: its sentences' kind has been decided


def mark_non_content(docs: Sequence) -> None:
    """Set ``Sentence.kind`` on every sentence of the docs (None for content), once per doc."""
    for doc in docs:
        if doc.extra.get(MARKED):
            continue
        for s in doc.sentences:
            s.kind = non_content(s.text, s.lang or doc.lang)
        doc.extra[MARKED] = True


def content_text(doc) -> str:
    """The doc's text with its non-content sentences blanked (same length, so offsets hold); the text
    itself when its sentences are not marked or all carry content."""
    if not doc.extra.get(MARKED) or all(s.kind is None for s in doc.sentences):
        return doc.text
    chars = list(doc.text)
    for s in doc.sentences:
        if s.kind is not None:
            chars[s.start:s.end] = " " * (s.end - s.start)
    return "".join(chars)
