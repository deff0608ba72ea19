"""Who is speaking in a call transcript, and which speaker is the customer.

Transcript readers cut a file into :class:`Segment` pieces (a labelled line, a
subtitle cue, a diarized utterance). :func:`split_label` finds a ``Name:`` prefix,
:func:`cue_segments` the voice tags, prefixes and dash turns of a subtitle cue,
:func:`accepted_labels` decides which prefixes really name speakers (and which are
prose such as ``Nota:``), :func:`assemble` joins the pieces into speaker turns, and
:func:`decide_roles` says which speaker is the agent and which the customer.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..records import Role

# A clock time: 01:05, 00:01:05, 1:02:03.500, 00:00:03,200.
CLOCK = r"\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?"
_CLOCK_RE = re.compile(r"(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{1,2}(?:[.,]\d{1,3})?)")

_AGENT_WORDS = (
    "agente", "agent", "operador", "operadora", "operator", "asesor", "asesora", "advisor",
    "adviser", "rep", "representative", "representante", "soporte", "support", "teleoperador",
    "teleoperadora", "supervisor", "supervisora", "tecnico", "tecnica", "technician",
    "especialista", "specialist", "ivr", "bot",
)
_CUSTOMER_WORDS = (
    "cliente", "clienta", "customer", "client", "caller", "llamante", "usuario", "usuaria",
    "user", "abonado", "abonada", "consumidor", "consumidora", "consumer",
)
ROLE_WORDS: dict[str, Role] = {**{w: "customer" for w in _CUSTOMER_WORDS}, **{w: "agent" for w in _AGENT_WORDS}}
# Phrases that name the company side although they hold a customer word.
_AGENT_PHRASES = (
    "customer service", "customer support", "customer care", "customer success", "client services",
    "atencion al cliente", "servicio al cliente", "servicio de atencion", "call center", "contact center",
)

# Diarization labels with no role: spk_0, SPEAKER_00, Speaker 1, Hablante 2, A, B.
_DIARIZED = re.compile(
    r"^(?:spk|spkr|speaker|hablante|locutor|interlocutor|participante?|persona|voz|voice|canal|channel|ch)"
    r"[\s_-]*(?:\d{1,2}|[a-z])$|^[a-z]$|^\d{1,2}$"
)
_UPPER = "A-ZÁÉÍÓÚÑÜÀÈÌÒÙÇ"
_NAME = re.compile(
    rf"^[{_UPPER}][\w'’.\-]*(?:\s+(?:de|del|la|las|los|van|von|da|di|y|[{_UPPER}][\w'’.\-]*)){{0,3}}$"
)
# "Word:" prefixes that start prose, not a turn (compared folded).
_NOT_SPEAKERS = frozenset("""
    nota notas note notes asunto subject resumen summary ps re fw fwd importante important ejemplo
    example total hora time ref referencia reference pedido order url http https www motivo reason
    resultado result estado status producto product tema topic inaudible musica music risas laughter
    laughs silencio silence ruido noise crosstalk aplausos applause pausa pause transcripcion transcript
    fecha date telefono phone tel email correo mail duracion duration idioma language
""".split())

_LABEL = re.compile(rf"^(?P<label>[^\W\d_][^:\n]{{0,40}}?)\s*(?:[\[(](?P<time>{CLOCK})[\])])?\s*:\s*(?P<text>.*)$")
_BRACKET_LABEL = re.compile(r"^\[(?P<label>[^\]\n]{1,40})\]\s*:?\s*(?P<text>\S.*)$")
_LABEL_THEN_TIME = re.compile(rf"^\[?(?P<label>[^\W\d_][^:\[\]\n]{{0,40}}?)\]?\s+(?P<time>{CLOCK})\s*$")
_NOT_IN_LABEL = re.compile(r"[?!,;\"«»¿¡=/]|https?")

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+(?P<name>[^>]*))?>", re.IGNORECASE)
_SOUND = re.compile(r"^(?:\[[^\]]*\]|\([^)]*\)|♪.*)$")  # [Música], (risas), ♪

_GREETINGS = tuple(re.compile(p) for p in (
    r"gracias por (?:llamar|contactar|comunicarse|su llamada)",
    r"thanks? (?:you )?for (?:calling|contacting)",
    r"\b(?:le|te) atiende\b",
    r"\ben que (?:le |te )?(?:puedo|podemos) (?:ayudar|servir)",
    r"\bcomo (?:le |te )?(?:puedo|podemos) ayudar",
    r"\bhow (?:can|may) (?:i|we) (?:help|assist)",
    r"\bbienvenid[oa]s? a\b",
    r"\bwelcome to\b",
    r"\byou(?:'re| are) (?:speaking|through) (?:with|to)\b",
))


def fold(text: str) -> str:
    """Lower-case, accents removed, spaces collapsed: the form labels are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def parse_clock(text: str) -> float:
    """Seconds from ``01:05``, ``00:01:05``, ``00:01:02.500`` or ``00:00:03,200``.

    Raises ValueError for anything else (minutes or seconds of 60 or more included).
    """
    if not _valid_clock(text):
        raise ValueError(f"not a clock time: {text!r}")
    m = _CLOCK_RE.fullmatch(text.strip())
    hours = int(m.group("h") or 0)
    return hours * 3600 + int(m.group("m")) * 60 + float(m.group("s").replace(",", "."))


def clock_or_none(text: str) -> float | None:
    """Like :func:`parse_clock`, but None for a time that cannot be read (an
    optional time prefix that is wrong is dropped, not the line)."""
    return parse_clock(text) if _valid_clock(text) else None


def _valid_clock(text: str) -> bool:
    m = _CLOCK_RE.fullmatch(text.strip())
    return bool(m) and float(m.group("s").replace(",", ".")) < 60 and (m.group("h") is None or int(m.group("m")) < 60)


@dataclass
class Segment:
    """A piece of a transcript, before it is joined into turns.

    ``label`` is a candidate speaker label (``"Cliente"`` from ``Cliente: hola``);
    ``voice`` says the label comes from markup (a VTT voice tag, a JSON speaker
    field), so it is a speaker for sure, or no speaker when ``label`` is None;
    ``dash`` marks a ``- `` subtitle turn: a new speaker with no name.
    ``line_text`` is the whole line, used when the label turns out to be prose.
    """

    text: str
    line_text: str = ""
    label: str | None = None
    voice: bool = False
    dash: bool = False
    start: float | None = None
    end: float | None = None


@dataclass
class RawTurn:
    """A speaker turn being built: the label as written, its text pieces and times."""

    speaker: str | None
    parts: list[str] = field(default_factory=list)
    start: float | None = None
    end: float | None = None

    @property
    def text(self) -> str:
        return " ".join(" ".join(p for p in self.parts if p).split())


def split_label(line: str, *, dashes: bool = False) -> Segment:
    """Cut one line into a candidate label and its text.

    Reads ``Name: text``, ``Name (01:05): text``, ``[Name] text``, a bare
    ``Name 01:05`` header line (Otter-style, the text follows on the next lines) and,
    with ``dashes``, ``- text`` subtitle turns. Whether the label names a speaker is
    decided later, for the whole file, by :func:`accepted_labels`.
    """
    line = line.strip()
    seg = Segment(text=line, line_text=line)
    if dashes and line[:1] in ("-", "–", "—"):
        seg.dash = True
        line = line[1:].strip()
        seg.text = seg.line_text = line
    for pattern in (_LABEL_THEN_TIME, _LABEL, _BRACKET_LABEL):
        m = pattern.match(line)
        if m and _plausible_label(m.group("label")):
            seg.label = m.group("label").strip()
            seg.text = m.groupdict().get("text") or ""
            if m.groupdict().get("time"):
                seg.start = clock_or_none(m.group("time"))
            break
    return seg


def _clean(text: str) -> str:
    """Cue text without markup (<i>, <c.x>, <00:00:01.000>, {\\an8}) or entities."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>|\{\\[^}]*\}", "", text)).split())


def cue_segments(text: str, start: float, end: float) -> list[Segment]:
    """Segments of one cue: one per voice tag, else one per line (``Name: ``, ``[Name]``, ``- ``)."""
    voices = list(_VOICE.finditer(text))
    if voices:
        lead = _clean(text[:voices[0].start()])
        segs = [Segment(lead, lead, start=start, end=end)] if lead else []
        for k, m in enumerate(voices):
            body = _clean(text[m.end():voices[k + 1].start() if k + 1 < len(voices) else len(text)])
            name = (m["name"] or "").strip() or None
            segs.append(Segment(body, body, label=name, voice=True, start=start, end=end))
        return segs
    segs = []
    for line in text.splitlines():
        line = _clean(line)
        if line and not _SOUND.match(line):
            seg = split_label(line, dashes=True)
            seg.start, seg.end = start, end
            segs.append(seg)
    return segs


def _plausible_label(label: str) -> bool:
    label = label.strip()
    return 0 < len(label) <= 40 and len(label.split()) <= 6 and not _NOT_IN_LABEL.search(label.lower())


def role_from_label(label: str) -> Role | None:
    """The role a label names (``Agente``, ``Customer``, ``Laura (agente)``), else None."""
    folded = fold(label)
    if any(p in folded for p in _AGENT_PHRASES):
        return "agent"
    found = {ROLE_WORDS[t] for t in re.findall(r"[a-z]+", folded) if t in ROLE_WORDS}
    return found.pop() if len(found) == 1 else None


def name_matches(label: str, name: str) -> bool:
    """``Laura`` or ``Laura (agente)`` or ``Laura García`` matches the name ``Laura García``."""
    label_tokens = set(re.findall(r"\w+", re.sub(r"[\[(].*?[\])]", " ", fold(label))))
    name_tokens = set(re.findall(r"\w+", fold(name)))
    return bool(label_tokens and name_tokens) and (label_tokens <= name_tokens or name_tokens <= label_tokens)


def accepted_labels(candidates: Sequence[str], names: Iterable[str] = ()) -> set[str]:
    """Which candidate labels name speakers.

    A label is a speaker when it names a role (``Cliente``), is a diarization label
    (``spk_0``, ``Speaker 1``), matches a name from the metadata, or looks like a
    person's name and is used at least twice. When speakers are named without roles,
    a name used once is a speaker too (a caller who speaks only once).
    """
    counts = Counter(candidates)
    names = [n for n in names if n]
    roles = {c for c in counts if role_from_label(c)}
    strong = {c for c in counts if _DIARIZED.match(fold(c)) or any(name_matches(c, n) for n in names)}
    name_like = {c for c in counts if _NAME.match(c) and fold(c) not in _NOT_SPEAKERS}
    recurring = {c for c in name_like if counts[c] >= 2}
    accepted = roles | strong | recurring
    if accepted and not roles:
        accepted |= name_like
    return accepted


def assemble(segments: Iterable[Segment], accepted: set[str]) -> list[RawTurn]:
    """Join segments into turns: a new speaker starts a turn, the same speaker (or a
    line without a label) continues it; a dash turn always starts a new one."""
    turns: list[RawTurn] = []
    for seg in segments:
        is_speaker = seg.voice or (seg.label is not None and seg.label in accepted)
        if not is_speaker and not seg.dash:
            if not turns:
                turns.append(RawTurn(None, start=seg.start, end=seg.end))
            last = turns[-1]
            last.parts.append(seg.line_text)
            last.end = seg.end if seg.end is not None else last.end
            continue
        speaker = seg.label if is_speaker else None
        text = seg.text if is_speaker else seg.line_text
        last = turns[-1] if turns else None
        if last is not None and speaker is not None and last.speaker == speaker and not seg.dash:
            last.parts.append(text)
            last.start = last.start if last.start is not None else seg.start
            last.end = seg.end if seg.end is not None else last.end
        else:
            turns.append(RawTurn(speaker, [text], seg.start, seg.end))
    return [t for t in turns if t.text]


def has_company_greeting(text: str) -> bool:
    """True when the text opens the call the way an agent does ("gracias por llamar")."""
    folded = fold(text)
    return any(p.search(folded) for p in _GREETINGS)


def decide_roles(
    turns: Sequence[RawTurn],
    *,
    speaker_map: Mapping[str, str] | None = None,
    agent_names: Iterable[str] = (),
    customer_names: Iterable[str] = (),
) -> tuple[dict[str, Role], str]:
    """Give every speaker a role, and say how: ``metadata`` (a speakers map or the
    agent's/customer's name in the header), ``labels`` (``Agente:``), ``greeting``
    (of two unnamed speakers, the one who greets like a company), ``first_speaker``
    (calls open with the agent), or ``none`` (no speaker to decide for).

    With two speakers of whom one is known, the other gets the opposite role.
    Speakers left undecided are ``unknown``.
    """
    speakers = list(dict.fromkeys(t.speaker for t in turns if t.speaker is not None))
    agent_names, customer_names = list(agent_names), list(customer_names)
    mapped = {fold(k): role_from_label(str(v)) or _role_by_name(str(v), agent_names, customer_names)
              for k, v in (speaker_map or {}).items()}
    roles: dict[str, Role] = {}
    how: set[str] = set()
    for s in speakers:
        by_metadata = mapped.get(fold(s)) or _role_by_name(s, agent_names, customer_names)
        by_label = role_from_label(s)
        if by_metadata or by_label:
            roles[s] = by_metadata or by_label
            how.add("metadata" if by_metadata else "labels")
    rest = [s for s in speakers if s not in roles]
    if len(speakers) == 2 and len(rest) == 1:
        known = roles[next(s for s in speakers if s in roles)]
        roles[rest[0]] = "customer" if known == "agent" else "agent"
    elif rest and not roles and len(speakers) >= 2:
        first_turns = {s: next(t.text for t in turns if t.speaker == s) for s in speakers}
        greeters = [s for s in speakers if has_company_greeting(first_turns[s])]
        agent = greeters[0] if len(greeters) == 1 else speakers[0]
        how.add("greeting" if len(greeters) == 1 else "first_speaker")
        roles[agent] = "agent"
        if len(speakers) == 2:
            roles[next(s for s in speakers if s != agent)] = "customer"
    roles = {s: roles.get(s, "unknown") for s in speakers}
    method = next((m for m in ("metadata", "labels", "greeting", "first_speaker") if m in how), "none")
    return roles, method


def _role_by_name(label: str, agent_names: list[str], customer_names: list[str]) -> Role | None:
    is_agent = any(name_matches(label, n) for n in agent_names)
    is_customer = any(name_matches(label, n) for n in customer_names)
    if is_agent != is_customer:
        return "agent" if is_agent else "customer"
    return None


__all__ = [
    "CLOCK",
    "ROLE_WORDS",
    "RawTurn",
    "Segment",
    "accepted_labels",
    "assemble",
    "clock_or_none",
    "cue_segments",
    "decide_roles",
    "fold",
    "has_company_greeting",
    "name_matches",
    "parse_clock",
    "role_from_label",
    "split_label",
]
