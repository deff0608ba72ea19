"""Call transcripts: speaker-labelled text, WebVTT, SRT and speech-to-text JSON.

Each file is one call, read into one :class:`~voice.records.Interaction`: every turn
in order (with its speaker, role and times), and as ``text`` the customer's own words.
Each reader only cuts its format into :class:`~._speakers.Segment` pieces and reads
the call's metadata (a ``# key: value`` header, YAML front matter, VTT ``NOTE``
blocks, JSON fields); :func:`build_call` does the rest for all of them: turns,
roles (see :mod:`._speakers`), identities, timestamp.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

import yaml

from ..errors import EmptyInput, InputError, MalformedRecord
from ..records import Identity, Interaction, Turn
from ._base import ReadOptions, decode_text, guess_dayfirst, parse_timestamp, read_bytes, register
from ._speakers import (
    CLOCK,
    Segment,
    accepted_labels,
    assemble,
    clock_or_none,
    cue_segments,
    decide_roles,
    fold,
    parse_clock,
    role_from_label,
    split_label,
)

# --- metadata ---------------------------------------------------------------

_KEY_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "fecha", "fecha_hora", "fecha_llamada", "datetime", "started_at", "start_time",
             "call_date", "inicio", "hora_inicio", "timestamp", "created_at"),
    "phone": ("phone", "telefono", "tel", "movil", "caller", "llamante", "caller_id", "ani",
              "phone_number", "numero_telefono", "telefono_cliente"),
    "call_id": ("call_id", "callid", "id_llamada", "llamada_id", "conversation_id", "contact_id", "id"),
    "agent": ("agent", "agente", "operador", "operadora", "operator", "asesor", "asesora", "advisor",
              "agent_name", "nombre_agente"),
    "customer": ("customer", "cliente", "client", "customer_name", "nombre_cliente"),
    "email": ("email", "e_mail", "mail", "correo", "correo_electronico", "customer_email"),
    "crm_id": ("crm_id", "customer_id", "id_cliente", "cliente_id", "client_id", "crm", "account_id",
               "numero_cliente", "num_cliente"),
    "duration_s": ("duration", "duration_s", "duracion", "duracion_s", "length"),
    "direction": ("direction", "direccion", "sentido", "tipo", "type", "call_type", "tipo_llamada"),
    "language": ("language", "idioma", "lang", "lengua", "language_code"),
    "speakers": ("speakers", "hablantes", "speaker_roles"),
}
_KEYS = {alias: key for key, aliases in _KEY_ALIASES.items() for alias in aliases}
_DIRECTIONS = {"outbound": "outbound", "outgoing": "outbound", "saliente": "outbound", "emitida": "outbound",
               "inbound": "inbound", "incoming": "inbound", "entrante": "inbound", "recibida": "inbound"}
_DURATION = re.compile(r"^(?:(?P<h>\d+)\s*h\s*)?(?:(?P<m>\d+)\s*(?:m|min|mins|minutos?|minutes?)\s*)?"
                       r"(?:(?P<s>\d+(?:[.,]\d+)?)\s*(?:s|seg|segs|sec|secs|segundos?|seconds?)?)?$")
_NAME_KEYS = ("name", "nombre", "full_name", "nombre_completo")


def snake(key: str) -> str:
    """``Teléfono`` -> ``telefono``, ``Call ID`` -> ``call_id``."""
    return re.sub(r"[^a-z0-9]+", "_", fold(str(key))).strip("_")


def duration_seconds(value: str) -> float | None:
    """Seconds from ``00:07:32``, ``7:32``, ``452``, ``452s`` or ``7 min 32 s``; None if unreadable."""
    text = fold(value)
    if ":" in text:
        return clock_or_none(text)
    m = _DURATION.match(text)
    if not text or not m:
        return None
    return int(m["h"] or 0) * 3600 + int(m["m"] or 0) * 60 + float((m["s"] or "0").replace(",", "."))


@dataclass
class CallMeta:
    """A call's metadata, keys normalized to English snake_case (``date``, ``phone``,
    ``call_id``, ``agent``, ``customer``, ``email``, ``crm_id``, ``duration_s``,
    ``direction``, ``language``); other keys are kept in snake_case as read."""

    values: dict[str, Any] = field(default_factory=dict)
    speaker_map: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, key: str, value: Any) -> None:
        name = snake(key)
        key = _KEYS.get(name, name)
        if value is None or value == "" or not name:
            return
        if isinstance(value, dict):
            self._add_group(key, value)
            return
        text = value if isinstance(value, list) else " ".join(str(value).split())
        if key == "direction":
            direction = _DIRECTIONS.get(fold(str(text)).split(" ")[-1])
            key, text = ("direction", direction) if direction else (name, text)
        elif key == "phone" and len(re.findall(r"\d", str(text))) < 6:
            key = "customer" if name in ("caller", "llamante") else name  # a caller's name, not a number
        elif key == "duration_s":
            seconds = duration_seconds(str(text))
            if seconds is None:
                self.warnings.append(f"duration {text!r} not read as a time; kept as 'duration'.")
                key = "duration"
            text = text if seconds is None else seconds
        if key == "phone" and self.values.get("phone") not in (None, text):
            key = "customer_phone"
        self.values[key] = text

    def _add_group(self, key: str, group: dict[Any, Any]) -> None:
        if key == "speakers":
            self.speaker_map.update({str(k): str(v) for k, v in group.items()})
            return
        if key not in ("agent", "customer"):
            self.values[key] = group
            return
        for sub, value in group.items():
            sub = snake(sub)
            if sub in _NAME_KEYS:
                self.add(key, value)
            elif key == "customer" and sub == "id":
                self.add("crm_id", value)
            elif key == "customer" and sub in _KEYS:
                self.add(sub, value)
            else:
                self.add(f"{key}_{sub}", value)

    def get_str(self, key: str) -> str | None:
        value = self.values.get(key)
        return None if value is None else str(value)


# --- building the interaction -----------------------------------------------


@dataclass
class Parsed:
    """What a format reader hands to :func:`build_call`."""

    segments: list[Segment]
    meta: CallMeta
    skipped: list[str] = field(default_factory=list)
    shape: str | None = None  # the variant read: "assemblyai", "whisperx", "webvtt" (in a .txt), ...


_IDENTITY_KEYS = (("phone", "phone", "caller"), ("customer_phone", "phone", "caller"),
                  ("email", "email", "customer"), ("crm_id", "crm_id", "customer"))


def build_call(parsed: Parsed, *, raw: str, source: str, fmt: str, label_fix: str,
               options: ReadOptions, encoding: str | None = None) -> Interaction:
    """Turns, roles, customer text, identities and metadata of one call."""
    meta = parsed.meta
    if not parsed.segments and parsed.skipped:
        raise MalformedRecord(
            f"no usable cue: all {len(parsed.skipped)} were skipped ({'; '.join(parsed.skipped[:3])}).",
            source=source, fix="fix the cue timings (00:01:02.500 --> 00:01:05.000) and read the file again.")
    agent_names = [n for n in (meta.get_str("agent"),) if n]
    customer_names = [n for n in (meta.get_str("customer"),) if n]
    candidates = [s.label for s in parsed.segments if s.label and not s.voice]
    turns = assemble(parsed.segments, accepted_labels(candidates, agent_names + customer_names))
    if not turns:
        where = " after its metadata" if meta.values else ""
        raise EmptyInput(f"the transcript holds no dialogue turns{where}.", source=source,
                         fix="export the call with its dialogue, or remove this file from the input.")
    if not any(t.speaker for t in turns) and not any(s.dash for s in parsed.segments):
        raise MalformedRecord("no speaker labels found: cannot tell the customer's words from the agent's.",
                              source=source, fix=label_fix)
    roles, method = decide_roles(turns, speaker_map=meta.speaker_map, agent_names=agent_names,
                                 customer_names=customer_names)
    out = [Turn(idx=i, role=roles[t.speaker] if t.speaker is not None else "unknown", text=t.text,
                speaker=t.speaker, start=t.start, end=t.end) for i, t in enumerate(turns)]
    metadata: dict[str, Any] = dict(meta.values)
    customer_text = [t.text for t in out if t.role == "customer"]
    if not customer_text:  # nobody known to be the customer: the words of unknown speakers
        customer_text = [t.text for t in out if t.role == "unknown"]
        metadata["text_roles"] = "unknown" if customer_text else "none"
    times = [x for t in out for x in (t.start, t.end) if x is not None]
    duration = meta.values.get("duration_s")
    metadata.update(
        format=fmt, speakers=dict(roles), roles_method=method, n_turns=len(out),
        duration_s=duration if isinstance(duration, float) else (max(times) if times else None),
    )
    for key, value in (("shape", parsed.shape), ("skipped_cues", parsed.skipped),
                       ("warnings", meta.warnings), ("encoding", encoding)):
        if value:
            metadata[key] = value
    call_id = meta.get_str("call_id")
    return Interaction(
        channel="call",
        source_path=source,
        text="\n".join(customer_text),
        timestamp=_timestamp(meta.get_str("date"), source, options),
        direction=meta.values.get("direction", "inbound"),
        turns=out,
        external_id=call_id,
        identities=_identities(meta),
        metadata=metadata,
        raw=raw,
        hash_basis=call_id or "\n".join(f"{t.role}: {t.text}" for t in out),
    )


def _timestamp(date: str | None, source: str, options: ReadOptions) -> str | None:
    if not date:
        return None
    dayfirst = options.dayfirst if options.dayfirst is not None else guess_dayfirst([date])
    return parse_timestamp(date, source=source, position="metadata 'date'", dayfirst=dayfirst,
                           timezone=options.timezone)


def _identities(meta: CallMeta) -> list[Identity]:
    found: dict[tuple[str, str], Identity] = {}
    for key, kind, role in _IDENTITY_KEYS:
        value = meta.get_str(key)
        if value and (kind, value) not in found:
            found[(kind, value)] = Identity(kind, value, role=role, customer_side=True)  # type: ignore[arg-type]
    return list(found.values())


class _TranscriptReader:
    """Shared ``read``: guard and decode the file, parse it, build the call."""

    channel: ClassVar[str] = "call"
    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    label_fix: ClassVar[str] = ("label each turn as 'Agente:'/'Cliente:' (or 'Agent:'/'Customer:'), "
                                "or export with speaker diarization.")

    def read(self, path: Path, options: ReadOptions) -> Iterator[Interaction | InputError]:
        source = str(path)
        raw, encoding = decode_text(read_bytes(path, options), source, options.encoding)
        parsed = self.parse(raw, source)
        yield build_call(parsed, raw=raw, source=source, fmt=self.name, label_fix=self.label_fix,
                         options=options, encoding=encoding)

    def parse(self, text: str, source: str) -> Parsed:  # pragma: no cover - every reader overrides it
        raise NotImplementedError


# --- speaker-labelled text ----------------------------------------------------

_HEADER_LINE = re.compile(r"^#\s*(?P<key>[^:#]{1,40}?)\s*:\s*(?P<value>.*)$")


def _time_range(g: str) -> str:
    return rf"(?P<{g}>{CLOCK})(?:\s*(?:-->|-|–)\s*(?P<{g}2>{CLOCK}))?"


_TIME_PREFIX = re.compile(
    rf"^\s*(?:\[{_time_range('a')}\]|\({_time_range('b')}\)|{_time_range('c')}(?=\s|$))\s*(?:[-–|]\s+)?"
)
_PREAMBLE_KEYS = {"date", "phone", "call_id", "email", "crm_id", "duration_s", "direction", "language"}


def _parse_text(text: str, source: str) -> Parsed:
    lines = text.splitlines()
    meta = CallMeta()
    segments: list[Segment] = []
    for line in lines[_read_header(lines, meta, source):]:
        if not line.strip():
            continue
        start = end = None
        body = line
        m = _TIME_PREFIX.match(line)
        if m:
            start = clock_or_none(m["a"] or m["b"] or m["c"])
            stop = m["a2"] or m["b2"] or m["c2"]
            end = clock_or_none(stop) if stop else None
            body = line[m.end():]
        seg = split_label(body)
        if m and m["c"]:  # a bare "10:15 " may be words, not a time: a continuation keeps it
            seg.line_text = line.strip()
        if not segments and seg.label and _KEYS.get(snake(seg.label)) in _PREAMBLE_KEYS \
                and not role_from_label(seg.label):
            meta.add(seg.label, seg.text)  # "Fecha: 2026-10-03" before the first turn
            continue
        seg.start = start if start is not None else seg.start
        seg.end = end
        segments.append(seg)
    return Parsed(segments, meta)


def _read_header(lines: list[str], meta: CallMeta, source: str) -> int:
    """Read front matter and ``# key: value`` lines into ``meta``; return the first body line."""
    i = next((k for k, line in enumerate(lines) if line.strip()), len(lines))
    if i < len(lines) and lines[i].strip() == "---":
        i = _read_front_matter(lines, i, meta, source)
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        m = _HEADER_LINE.match(lines[i].strip())
        if m:  # a '#' line without 'key: value' is a comment
            meta.add(m["key"], m["value"])
        i += 1
    return i


def _read_front_matter(lines: list[str], opening: int, meta: CallMeta, source: str) -> int:
    close = next((k for k in range(opening + 1, len(lines)) if lines[k].strip() in ("---", "...")), None)
    if close is None:
        raise MalformedRecord(f"the metadata block opened by '---' on line {opening + 1} is never closed.",
                              source=source, position=f"line {opening + 1}",
                              fix="end the metadata block with a line holding only '---'.")
    try:
        data = yaml.safe_load("\n".join(lines[opening + 1:close]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = opening + 2 + mark.line if mark is not None else opening + 1
        raise MalformedRecord(f"the metadata block is not valid YAML ({getattr(exc, 'problem', None) or exc}).",
                              source=source, position=f"line {line}",
                              fix="write one 'key: value' per line between the '---' lines.") from exc
    if data is not None and not isinstance(data, dict):
        raise MalformedRecord("the metadata block between '---' lines is not a set of 'key: value' lines.",
                              source=source, position=f"line {opening + 1}",
                              fix="write one 'key: value' per line between the '---' lines.")
    for key, value in (data or {}).items():
        meta.add(str(key), value)
    return close + 1


# --- subtitles: WebVTT and SRT --------------------------------------------------

_CUE_TIMING = re.compile(r"^(?P<start>\S+)\s*-->\s*(?P<end>\S+)(?:\s.*)?$")
_SRT_START = re.compile(r"^\s*\d+[ \t]*\r?\n[ \t]*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->")
_NOTE_LINE = re.compile(r"^\s*(?P<key>[^\W\d][\w .\-]{0,30}?)\s*:\s*(?P<value>\S.*)$")


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the (1-based) number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    after_blank = True
    for n, line in enumerate(lines, 1):
        if not line.strip():
            after_blank = True
            continue
        if after_blank:
            blocks.append((n, []))
        blocks[-1][1].append(line)
        after_blank = False
    return blocks


def _cue_timing(block: list[str], lineno: int, n: int, skipped: list[str]) -> tuple[float, float, list[str]] | None:
    """The times and text lines of a cue; None (and a note in ``skipped``) when its timing is bad."""
    idx = next((k for k, line in enumerate(block[:2]) if "-->" in line), None)
    if idx is None:
        skipped.append(f"cue {n} (line {lineno}): no timing line")
        return None
    m = _CUE_TIMING.match(block[idx].strip())
    try:
        if m is None:
            raise ValueError(block[idx])
        start, end = parse_clock(m["start"]), parse_clock(m["end"])
    except ValueError:
        skipped.append(f"cue {n} (line {lineno + idx}): bad timing {block[idx].strip()!r}")
        return None
    if end < start:
        skipped.append(f"cue {n} (line {lineno + idx}): ends before it starts {block[idx].strip()!r}")
        return None
    return start, end, block[idx + 1:]


def _parse_vtt(text: str, source: str) -> Parsed:
    lines = text.splitlines()
    if not lines or not re.match(r"^\ufeff?WEBVTT(?:[ \t].*)?$", lines[0]):
        raise MalformedRecord("this .vtt file does not start with 'WEBVTT'.", source=source, position="line 1",
                              fix="make 'WEBVTT' the first line, as WebVTT requires; or, if it is another "
                                  "format, rename it (.srt for numbered cues, .txt for labelled lines).")
    meta, segments, skipped = CallMeta(), [], []
    blocks = _blocks(lines)
    _note_metadata(blocks[0][1][1:], meta)  # header lines under WEBVTT ("Language: es")
    n = 0
    for lineno, block in blocks[1:]:
        head = block[0].strip()
        if re.match(r"^NOTE(?:\s|$)", head):
            _note_metadata([head[4:]] + block[1:], meta)
        elif not re.match(r"^(?:STYLE|REGION)\s*$", head):
            n += 1
            cue = _cue_timing(block, lineno, n, skipped)
            if cue is not None:
                segments.extend(cue_segments("\n".join(cue[2]), cue[0], cue[1]))
    return Parsed(segments, meta, skipped)


def _note_metadata(lines: list[str], meta: CallMeta) -> None:
    for line in lines:
        m = _NOTE_LINE.match(line)
        if m:
            meta.add(m["key"], m["value"])


def _parse_srt(text: str, source: str) -> Parsed:
    meta, segments, skipped = CallMeta(), [], []
    for n, (lineno, block) in enumerate(_blocks(text.splitlines()), 1):
        cue = _cue_timing(block, lineno, n, skipped)
        if cue is not None:
            segments.extend(cue_segments("\n".join(cue[2]), cue[0], cue[1]))
    return Parsed(segments, meta, skipped)


# --- speech-to-text JSON --------------------------------------------------------


def _seconds(value: Any, scale: float) -> float | None:
    """Seconds from a JSON time: a number (divided by ``scale``: 1000 for milliseconds),
    a numeric string, or a clock string. Raises ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, str) and ":" in value:
        seconds = parse_clock(value)
    else:
        seconds = float(value) / scale
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a time: {value!r}")
    return seconds


def _first(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((item[k] for k in keys if item.get(k) not in (None, "")), None)


def _utterances(items: Any, skipped: list[str], *, what: str, scale: float = 1.0,
                speaker: tuple[str, ...] = ("speaker", "speaker_label", "role"),
                text: tuple[str, ...] = ("text", "transcript")) -> list[Segment]:
    """Segments from a list of ``{speaker, start, end, text}`` objects; bad ones are noted and skipped."""
    segments = []
    for k, item in enumerate(items if isinstance(items, list) else [], 1):
        if not isinstance(item, dict):
            skipped.append(f"{what} {k}: not an object")
            continue
        try:
            start, end = _seconds(item.get("start"), scale), _seconds(item.get("end"), scale)
            if start is not None and end is not None and end < start:
                raise ValueError("ends before it starts")
        except ValueError:
            skipped.append(f"{what} {k}: bad timing (start {item.get('start')!r}, end {item.get('end')!r})")
            continue
        label, words = _first(item, speaker), " ".join(str(_first(item, text) or "").split())
        segments.append(Segment(words, words, label=None if label is None else str(label), voice=True,
                                start=start, end=end))
    return segments


def _words(words: list[tuple[str | None, str, float | None, float | None, bool]]) -> list[Segment]:
    """Segments from word-level output: consecutive words of one speaker form one
    segment; punctuation sticks to the word before it."""
    segments: list[Segment] = []
    for speaker, word, start, end, punctuation in words:
        last = segments[-1] if segments else None
        if last is not None and (punctuation or last.label == speaker):
            last.text += word if punctuation else " " + word
            last.end = end if end is not None else last.end
        else:
            segments.append(Segment(word, label=speaker, voice=True, start=start, end=end))
    for seg in segments:
        seg.line_text = seg.text
    return segments


def _unlabelled(text: Any) -> list[Segment]:
    """A transcript without diarization: one segment with no speaker."""
    words = " ".join(str(text or "").split())
    return [Segment(words, words, voice=True)] if words else []


def _generic_segments(data: dict[str, Any], skipped: list[str]) -> list[Segment]:
    return _utterances(data["segments"], skipped, what="segment")


def _generic_meta(data: dict[str, Any], meta: CallMeta) -> None:
    for key, value in data.items():
        if key not in ("segments", "word_segments", "text"):
            meta.add(key, value)


def _assemblyai_segments(data: dict[str, Any], skipped: list[str]) -> list[Segment]:
    if not isinstance(data.get("utterances"), list):
        return _unlabelled(data.get("text"))
    return _utterances(data["utterances"], skipped, what="utterance", scale=1000.0)


def _assemblyai_meta(data: dict[str, Any], meta: CallMeta) -> None:
    for key, ours in (("id", "transcript_id"), ("language_code", "language"), ("audio_duration", "duration")):
        meta.add(ours, data.get(key))


def _deepgram_segments(data: dict[str, Any], skipped: list[str]) -> list[Segment]:
    results = data["results"]
    if isinstance(results.get("utterances"), list):
        return _utterances(results["utterances"], skipped, what="utterance")
    channels = results.get("channels") or [{}]
    best = ((channels[0] or {}).get("alternatives") or [{}])[0] or {}
    words = best.get("words") or []
    if words and all(isinstance(w, dict) and "speaker" in w for w in words):
        return _words([(str(w["speaker"]), str(w.get("punctuated_word") or w.get("word", "")),
                        _seconds(w.get("start"), 1.0), _seconds(w.get("end"), 1.0), False) for w in words])
    return _unlabelled(best.get("transcript"))


def _deepgram_meta(data: dict[str, Any], meta: CallMeta) -> None:
    info = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    meta.add("transcript_id", info.get("request_id"))
    meta.add("duration", info.get("duration"))


def _aws_segments(data: dict[str, Any], skipped: list[str]) -> list[Segment]:
    results = data["results"]
    speaker_at: dict[Any, str] = {}
    for seg in (results.get("speaker_labels") or {}).get("segments") or []:
        for item in seg.get("items") or []:
            speaker_at[item.get("start_time")] = item.get("speaker_label") or seg.get("speaker_label")
    for channel in (results.get("channel_labels") or {}).get("channels") or []:
        for item in channel.get("items") or []:
            speaker_at.setdefault(item.get("start_time"), channel.get("channel_label"))
    words = []
    for k, item in enumerate(results.get("items") or [], 1):
        content = str(((item.get("alternatives") or [{}])[0] or {}).get("content", ""))
        if item.get("type") == "punctuation":
            words.append((None, content, None, None, True))
            continue
        try:
            start, end = _seconds(item.get("start_time"), 1.0), _seconds(item.get("end_time"), 1.0)
        except ValueError:
            skipped.append(f"item {k}: bad timing (start {item.get('start_time')!r}, end {item.get('end_time')!r})")
            continue
        speaker = item.get("speaker_label") or speaker_at.get(item.get("start_time"))
        words.append((speaker, content, start, end, False))
    if not words:
        return _unlabelled(" ".join(t.get("transcript", "") for t in results.get("transcripts") or []))
    return _words(words)


def _aws_meta(data: dict[str, Any], meta: CallMeta) -> None:
    meta.add("job_name", data.get("jobName"))


def _results(data: dict[str, Any]) -> dict[str, Any]:
    return data["results"] if isinstance(data.get("results"), dict) else {}


@dataclass(frozen=True)
class JsonShape:
    """One speech-to-text output shape: how to spot it, its turns, its metadata."""

    name: str
    matches: Callable[[dict[str, Any]], bool]
    segments: Callable[[dict[str, Any], list[str]], list[Segment]]
    meta: Callable[[dict[str, Any], CallMeta], None]


_GENERIC_KEYS = {"call_id", "started_at", "date", "caller", "phone", "customer", "agent", "speakers"}
JSON_SHAPES: tuple[JsonShape, ...] = (
    JsonShape("generic", lambda d: isinstance(d.get("segments"), list) and bool(_GENERIC_KEYS & d.keys()),
              _generic_segments, _generic_meta),
    JsonShape("whisperx", lambda d: isinstance(d.get("segments"), list), _generic_segments, _generic_meta),
    JsonShape("assemblyai", lambda d: isinstance(d.get("utterances"), list)
              or ("utterances" in d and "text" in d), _assemblyai_segments, _assemblyai_meta),
    JsonShape("deepgram", lambda d: bool({"utterances", "channels"} & _results(d).keys()),
              _deepgram_segments, _deepgram_meta),
    JsonShape("aws_transcribe", lambda d: bool({"items", "speaker_labels", "transcripts"} & _results(d).keys()),
              _aws_segments, _aws_meta),
)
_SHAPES_HELP = ("'segments': [{speaker, start, end, text}] (generic, WhisperX; seconds), 'utterances' "
                "(AssemblyAI; milliseconds), 'results.utterances' (Deepgram), 'results.items' with "
                "'results.speaker_labels' (AWS Transcribe)")


def _parse_json(text: str, source: str) -> Parsed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedRecord(f"this is not valid JSON: {exc.msg}.",
                              source=source, position=f"line {exc.lineno}, column {exc.colno}",
                              fix="export the transcript again; the file may be cut short or hand-edited.") from exc
    found = f"top-level keys {', '.join(map(repr, list(data)[:12]))}" if isinstance(data, dict) \
        else f"a top-level {type(data).__name__}"
    shape = next((s for s in JSON_SHAPES if isinstance(data, dict) and s.matches(data)), None)
    if shape is None:
        raise MalformedRecord(f"unrecognized speech-to-text JSON: found {found or 'no keys'}.", source=source,
                              fix=f"export one of the supported shapes: {_SHAPES_HELP}.")
    meta, skipped = CallMeta(), []
    shape.meta(data, meta)
    try:
        segments = shape.segments(data, skipped)
    except (AttributeError, TypeError, ValueError, IndexError) as exc:
        raise MalformedRecord(f"this looks like {shape.name} output but a part of it is malformed ({exc}).",
                              source=source, fix=f"export the transcript again in one of: {_SHAPES_HELP}.") from exc
    return Parsed(segments, meta, skipped, shape.name)


# --- the readers ------------------------------------------------------------------


@register
class TextTranscriptReader(_TranscriptReader):
    """Speaker-labelled lines (``Agente: …``, ``[00:01:05] Cliente: …``) with an
    optional ``# key: value`` header or ``---`` front matter."""

    name: ClassVar[str] = "call.text.v1"
    suffixes: ClassVar[tuple[str, ...]] = (".txt",)

    def parse(self, text: str, source: str) -> Parsed:
        if re.match(r"^\ufeff?WEBVTT(?:\s|$)", text):  # captions saved as .txt
            return replace(_parse_vtt(text, source), shape="webvtt")
        if _SRT_START.match(text):
            return replace(_parse_srt(text, source), shape="srt")
        return _parse_text(text, source)


@register
class VttReader(_TranscriptReader):
    """WebVTT captions: voice tags ``<v Name>`` or ``Name:`` cues; ``NOTE`` metadata."""

    name: ClassVar[str] = "call.vtt.v1"
    suffixes: ClassVar[tuple[str, ...]] = (".vtt",)
    label_fix: ClassVar[str] = ("mark each cue's speaker with a voice tag (<v Cliente>…</v>) or a "
                                "'Cliente:'/'Agente:' prefix, or export with speaker diarization.")

    def parse(self, text: str, source: str) -> Parsed:
        return _parse_vtt(text, source)


@register
class SrtReader(_TranscriptReader):
    """SRT subtitles: ``Name: text``, ``[Name] text`` or ``- `` turns."""

    name: ClassVar[str] = "call.srt.v1"
    suffixes: ClassVar[tuple[str, ...]] = (".srt",)
    label_fix: ClassVar[str] = ("start each cue's text with its speaker ('Cliente: …' or '[Agente] …'), "
                                "or export with speaker diarization.")

    def parse(self, text: str, source: str) -> Parsed:
        return _parse_srt(text, source)


@register
class JsonTranscriptReader(_TranscriptReader):
    """Speech-to-text JSON: generic segments, WhisperX, AssemblyAI, Deepgram, AWS Transcribe."""

    name: ClassVar[str] = "call.json.v1"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)
    label_fix: ClassVar[str] = ("export with speaker diarization turned on (AssemblyAI speaker_labels, "
                                "Deepgram diarize=true&utterances=true, AWS ShowSpeakerLabels, WhisperX "
                                "diarize), or give each segment a 'speaker'")

    def parse(self, text: str, source: str) -> Parsed:
        return _parse_json(text, source)


__all__ = [
    "JSON_SHAPES",
    "CallMeta",
    "JsonShape",
    "JsonTranscriptReader",
    "Parsed",
    "SrtReader",
    "TextTranscriptReader",
    "VttReader",
    "build_call",
    "duration_seconds",
    "snake",
]
