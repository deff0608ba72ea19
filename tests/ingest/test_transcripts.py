"""Call transcript readers: labelled text, WebVTT, SRT and speech-to-text JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voice.errors import BadDate, EmptyInput, FileTooLarge, MalformedRecord, UnreadableFile
from voice.ingest import read_paths, reader_for
from voice.ingest._base import ReadOptions, registered
from voice.ingest._speakers import RawTurn, decide_roles, parse_clock, role_from_label
from voice.ingest.transcripts import JsonTranscriptReader, SrtReader, TextTranscriptReader, VttReader
from voice.records import Identity, Interaction

READERS = {".txt": TextTranscriptReader(), ".vtt": VttReader(), ".srt": SrtReader(), ".json": JsonTranscriptReader()}


def write(tmp_path: Path, name: str, content: str | bytes | dict) -> Path:
    path = tmp_path / name
    if isinstance(content, dict):
        content = json.dumps(content, ensure_ascii=False)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def read_one(tmp_path: Path, name: str, content: str | bytes | dict, options: ReadOptions | None = None) -> Interaction:
    path = write(tmp_path, name, content)
    items = list(READERS[path.suffix].read(path, options or ReadOptions()))
    assert len(items) == 1
    assert isinstance(items[0], Interaction)
    return items[0]


def roles(call: Interaction) -> list[tuple[str | None, str]]:
    return [(t.speaker, t.role) for t in call.turns]


# --- registry ---------------------------------------------------------------------


def test_readers_are_registered_by_name_and_suffix(tmp_path):
    names = {"call.text.v1": ".txt", "call.vtt.v1": ".vtt", "call.srt.v1": ".srt", "call.json.v1": ".json"}
    for name, suffix in names.items():
        reader = registered()[name]
        assert reader.channel == "call" and reader.suffixes == (suffix,)
        assert reader_for(tmp_path / f"x{suffix}", "call").name == name


def test_read_paths_yields_one_interaction_per_call(tmp_path):
    write(tmp_path, "a.txt", "Agente: Hola.\nCliente: Quiero la baja.\n")
    write(tmp_path, "b.srt", "1\n00:00:01,000 --> 00:00:02,000\nCliente: Otra cosa.\n")
    got = [(p.name, item.text) for p, item in read_paths([tmp_path], channel="call")]
    assert got == [("a.txt", "Quiero la baja."), ("b.srt", "Otra cosa.")]


# --- speaker-labelled text ----------------------------------------------------------

HEADER_CALL = """\
# Transcripción de la llamada
# fecha: 2026-10-03 10:15
# Teléfono: +34 612 345 678
# call_id: C-1002
# agente: Laura Gómez
# cliente: Javier Morales
# email: javier@example.com
# crm_id: C017
# Duración: 00:07:32

[00:00:02] Agente: Gracias por llamar a Telco, le atiende Laura. ¿En qué puedo ayudarle?
[00:01:05] Cliente: Hola, me han cobrado dos veces la factura
de septiembre.
00:02:10 Agente: Lo reviso ahora mismo.
(02:30) Cliente: Gracias. Nota: quiero la devolución.
"""


def test_text_turns_times_and_customer_text(tmp_path):
    call = read_one(tmp_path, "call.txt", HEADER_CALL)
    assert call.channel == "call"
    assert roles(call) == [("Agente", "agent"), ("Cliente", "customer"), ("Agente", "agent"), ("Cliente", "customer")]
    assert [t.idx for t in call.turns] == [0, 1, 2, 3]
    assert [t.start for t in call.turns] == [2.0, 65.0, 130.0, 150.0]
    assert call.turns[1].text == "Hola, me han cobrado dos veces la factura de septiembre."
    assert call.text == ("Hola, me han cobrado dos veces la factura de septiembre.\n"
                         "Gracias. Nota: quiero la devolución.")
    assert call.metadata["roles_method"] == "labels"
    assert call.metadata["speakers"] == {"Agente": "agent", "Cliente": "customer"}


def test_text_header_metadata_identities_and_ids(tmp_path):
    call = read_one(tmp_path, "call.txt", HEADER_CALL)
    assert call.timestamp == "2026-10-03T10:15:00"
    assert call.direction == "inbound"
    assert call.external_id == "C-1002"
    assert call.thread_id is None
    assert call.hash_basis == "C-1002"
    assert call.identities == [
        Identity("phone", "+34 612 345 678", role="caller", customer_side=True),
        Identity("email", "javier@example.com", role="customer", customer_side=True),
        Identity("crm_id", "C017", role="customer", customer_side=True),
    ]
    meta = call.metadata
    assert (meta["date"], meta["phone"], meta["call_id"]) == ("2026-10-03 10:15", "+34 612 345 678", "C-1002")
    assert (meta["agent"], meta["customer"], meta["crm_id"]) == ("Laura Gómez", "Javier Morales", "C017")
    assert meta["duration_s"] == 452.0
    assert meta["format"] == "call.text.v1"
    assert meta["n_turns"] == 4
    assert call.raw == HEADER_CALL


@pytest.mark.parametrize("agent, customer", [
    ("Agente", "Cliente"), ("Agent", "Customer"), ("Operador", "Usuario"), ("Asesor", "Caller"),
    ("AGENT", "CLIENT"), ("Laura (agente)", "Javier (cliente)"), ("Soporte", "Llamante"),
    ("Customer Service", "Customer"),
])
def test_text_role_labels_in_both_languages(tmp_path, agent, customer):
    call = read_one(tmp_path, "c.txt", f"{customer}: Hola, no me funciona.\n{agent}: Vamos a verlo.\n")
    assert roles(call) == [(customer, "customer"), (agent, "agent")]
    assert call.text == "Hola, no me funciona."
    assert call.metadata["roles_method"] == "labels"


def test_text_front_matter_english_keys_and_outbound(tmp_path):
    content = """---
date: 2026-10-04 09:00
caller: "+34 699 111 222"
customer_id: C099
E-mail: ana@example.com
Direction: outbound
language: es
---
Agent: Hi, this is Acme calling about your order.
Customer: Oh, hello.
"""
    call = read_one(tmp_path, "c.txt", content)
    assert call.direction == "outbound"
    assert call.timestamp == "2026-10-04T09:00:00"
    assert call.metadata["language"] == "es"
    assert {(i.kind, i.value, i.role) for i in call.identities} == {
        ("phone", "+34 699 111 222", "caller"), ("email", "ana@example.com", "customer"),
        ("crm_id", "C099", "customer")}
    assert all(i.customer_side for i in call.identities)
    assert call.text == "Oh, hello."


def test_text_spanish_outbound_type(tmp_path):
    call = read_one(tmp_path, "c.txt", "# tipo: saliente\nAgente: Le llamo de Telco.\nCliente: Dígame.\n")
    assert call.direction == "outbound"
    assert call.metadata["direction"] == "outbound"


def test_text_metadata_names_win(tmp_path):
    content = ("# agente: Laura Gómez\n# cliente: Javier Morales\n"
               "Javier: Hola, quería reclamar.\nLaura: Dígame.\nJavier: El router no va.\n")
    call = read_one(tmp_path, "c.txt", content)
    assert roles(call) == [("Javier", "customer"), ("Laura", "agent"), ("Javier", "customer")]
    assert call.metadata["roles_method"] == "metadata"
    assert call.text == "Hola, quería reclamar.\nEl router no va."


def test_text_greeting_finds_the_agent_who_speaks_second(tmp_path):
    content = ("Javier: Buenas.\nLaura: Gracias por llamar a Telco, ¿en qué puedo ayudarle?\n"
               "Javier: Tengo una avería.\n")
    call = read_one(tmp_path, "c.txt", content)
    assert roles(call) == [("Javier", "customer"), ("Laura", "agent"), ("Javier", "customer")]
    assert call.metadata["roles_method"] == "greeting"
    assert call.text == "Buenas.\nTengo una avería."


def test_text_first_speaker_is_the_agent(tmp_path):
    content = "SPEAKER_00: Buenos días.\nSPEAKER_01: Hola, quiero darme de baja.\nSPEAKER_00: Vale.\n"
    call = read_one(tmp_path, "c.txt", content)
    assert roles(call) == [("SPEAKER_00", "agent"), ("SPEAKER_01", "customer"), ("SPEAKER_00", "agent")]
    assert call.metadata["roles_method"] == "first_speaker"
    assert call.metadata["speakers"] == {"SPEAKER_00": "agent", "SPEAKER_01": "customer"}


def test_text_names_used_once_count_when_another_name_recurs(tmp_path):
    call = read_one(tmp_path, "c.txt", "Laura: Hola.\nJavier: Quiero la baja.\nLaura: Hecho.\n")
    assert roles(call) == [("Laura", "agent"), ("Javier", "customer"), ("Laura", "agent")]


def test_text_consecutive_lines_of_one_speaker_merge(tmp_path):
    call = read_one(tmp_path, "c.txt", "Agente: Hola.\nCliente: Uno.\nCliente: Dos.\n")
    assert [t.text for t in call.turns] == ["Hola.", "Uno. Dos."]


def test_text_otter_style_speaker_lines(tmp_path):
    content = "Speaker 1  0:00\nGracias por llamar, le atiende Ana.\n\nSpeaker 2  0:05\nMi pedido no llega.\n"
    call = read_one(tmp_path, "c.txt", content)
    assert [(t.speaker, t.role, t.start, t.text) for t in call.turns] == [
        ("Speaker 1", "agent", 0.0, "Gracias por llamar, le atiende Ana."),
        ("Speaker 2", "customer", 5.0, "Mi pedido no llega."),
    ]


def test_text_bracketed_speaker_lines_with_times(tmp_path):
    content = ("[Laura García] 00:00:05\nGracias por llamar.\n[Javier] 00:00:09\nHola, llamé\n"
               "10:15 de la mañana y nadie contestó.\n[Laura García] 00:00:20\nLo siento.\n")
    call = read_one(tmp_path, "c.txt", content)
    assert [(t.speaker, t.role, t.start) for t in call.turns] == [
        ("Laura García", "agent", 5.0), ("Javier", "customer", 9.0), ("Laura García", "agent", 20.0)]
    assert call.text == "Hola, llamé 10:15 de la mañana y nadie contestó."


def test_text_time_ranges(tmp_path):
    content = "[00:00:01 - 00:00:04] Agente: Hola.\n[00:00:05 --> 00:00:08.5] Cliente: Baja.\n"
    call = read_one(tmp_path, "c.txt", content)
    assert [(t.start, t.end) for t in call.turns] == [(1.0, 4.0), (5.0, 8.5)]


def test_text_file_holding_captions_is_read_as_captions(tmp_path):
    call = read_one(tmp_path, "c.txt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Cliente>Hola.\n")
    assert (call.text, call.turns[0].start, call.metadata["shape"]) == ("Hola.", 1.0, "webvtt")
    call = read_one(tmp_path, "d.txt", "1\n00:00:01,000 --> 00:00:02,500\nCliente: Hola.\n")
    assert (call.text, call.turns[0].end, call.metadata["shape"]) == ("Hola.", 2.5, "srt")


def test_text_without_call_id_hashes_the_normalized_transcript(tmp_path):
    call = read_one(tmp_path, "a.txt", "Agente:  Hola.\nCliente: Baja,\n  por favor.\n")
    again = read_one(tmp_path, "b.txt", "[00:00:01] Agente: Hola.\n[00:00:03] Cliente: Baja, por favor.\n")
    assert call.hash_basis == "agent: Hola.\ncustomer: Baja, por favor."
    assert call.id == again.id
    assert call.external_id is None


def test_text_cp1252_file_decodes(tmp_path):
    content = ("# cliente: Javier Muñoz\n"
               "Agente: Buenos días, le atiende Laura. ¿En qué puedo ayudarle?\n"
               "Cliente: Hola, mi niño rompió el módem y la conexión no va desde el miércoles.\n"
               "Agente: Sí, claro, ¿me da su teléfono?\n"
               "Cliente: Sí, es el 612 345 678. Gracias, señorita.\n")
    call = read_one(tmp_path, "c.txt", content.encode("cp1252"))
    assert call.text == ("Hola, mi niño rompió el módem y la conexión no va desde el miércoles.\n"
                         "Sí, es el 612 345 678. Gracias, señorita.")
    assert call.metadata["customer"] == "Javier Muñoz"


def test_text_day_first_date(tmp_path):
    call = read_one(tmp_path, "c.txt", "# fecha: 25/03/2026 10:00\nAgente: Hola.\nCliente: Hola.\n")
    assert call.timestamp == "2026-03-25T10:00:00"


# --- bad text input ----------------------------------------------------------------


def read_error(tmp_path: Path, name: str, content: str | bytes | dict, options: ReadOptions | None = None):
    path = write(tmp_path, name, content)
    with pytest.raises(Exception) as info:
        list(READERS[path.suffix].read(path, options or ReadOptions()))
    return info.value


def test_text_without_speaker_labels_is_malformed(tmp_path):
    error = read_error(tmp_path, "c.txt", "Hola, llamé ayer por la factura.\nMe dijeron que me llamarían.\n")
    assert isinstance(error, MalformedRecord)
    assert error.message == "no speaker labels found: cannot tell the customer's words from the agent's."
    assert "'Agente:'/'Cliente:'" in error.fix and "diarization" in error.fix
    assert error.source.endswith("c.txt")


def test_text_only_metadata_is_empty(tmp_path):
    error = read_error(tmp_path, "c.txt", "# fecha: 2026-10-03\n# call_id: C-1\n\n\n")
    assert isinstance(error, EmptyInput)
    assert "no dialogue turns" in error.message


def test_text_bad_front_matter_names_the_line(tmp_path):
    error = read_error(tmp_path, "c.txt", "---\nfecha: 2026-10-03\ncliente: [sin cerrar\n---\nAgente: Hola.\n")
    assert isinstance(error, MalformedRecord)
    assert error.position == "line 3"
    assert "YAML" in error.message and error.fix


def test_text_bad_date_is_a_typed_error(tmp_path):
    error = read_error(tmp_path, "c.txt", "# fecha: ayer por la tarde\nAgente: Hola.\nCliente: Hola.\n")
    assert isinstance(error, BadDate)
    assert "ayer por la tarde" in error.message


@pytest.mark.parametrize("content, error_type", [
    (b"", EmptyInput),
    (b"%PDF-1.4 binary", UnreadableFile),
    (b"Agente: hola\x00\x01\x02", UnreadableFile),
])
def test_text_unusable_files(tmp_path, content, error_type):
    assert isinstance(read_error(tmp_path, "c.txt", content), error_type)


def test_text_too_large(tmp_path):
    error = read_error(tmp_path, "c.txt", "Agente: hola\n" * 100, ReadOptions(max_bytes=100))
    assert isinstance(error, FileTooLarge)


# --- WebVTT ----------------------------------------------------------------------

VTT = """WEBVTT - llamada

NOTE
agent: Laura García
phone: +34 612 345 678
call_id: V-7

1
00:00:01.000 --> 00:00:04.000 align:start
<v Laura García>Buenos días, <i>gracias</i> por llamar.</v>

2
00:00:04.500 --> 00:00:06.000
<v Laura García>¿En qué puedo <b>ayudarle</b>?</v>

3
00:01:02.500 --> 00:01:05.000
<v.loud Javier>Mi router <00:01:03.000><c.yellow>no funciona</c> &amp; nadie me llama.</v>

4
00:01:xx.000 --> 00:01:09.000
<v Javier>Esto se salta.</v>

5
00:01:10.000 --> 00:01:12.000
<v Laura García>Lo reviso.</v>
"""


def test_vtt_voice_tags_merge_times_and_metadata(tmp_path):
    call = read_one(tmp_path, "c.vtt", VTT)
    assert [(t.speaker, t.role, t.start, t.end, t.text) for t in call.turns] == [
        ("Laura García", "agent", 1.0, 6.0, "Buenos días, gracias por llamar. ¿En qué puedo ayudarle?"),
        ("Javier", "customer", 62.5, 65.0, "Mi router no funciona & nadie me llama."),
        ("Laura García", "agent", 70.0, 72.0, "Lo reviso."),
    ]
    assert call.text == "Mi router no funciona & nadie me llama."
    assert call.metadata["roles_method"] == "metadata"
    assert call.metadata["skipped_cues"] == ["cue 4 (line 21): bad timing '00:01:xx.000 --> 00:01:09.000'"]
    assert call.metadata["duration_s"] == 72.0
    assert call.external_id == "V-7"
    assert call.identities == [Identity("phone", "+34 612 345 678", role="caller", customer_side=True)]
    assert call.metadata["format"] == "call.vtt.v1"


def test_vtt_voice_tag_roles_and_name_prefixes(tmp_path):
    content = ("WEBVTT\n\n00:00.000 --> 00:02.000\n<v Cliente>Quiero la baja.\n\n"
               "00:02.000 --> 00:04.000\nAgente: De acuerdo.\n\n00:04.000 --> 00:05.000\ny algo más\n")
    call = read_one(tmp_path, "c.vtt", content)
    assert [(t.speaker, t.role, t.start, t.end) for t in call.turns] == [
        ("Cliente", "customer", 0.0, 2.0), ("Agente", "agent", 2.0, 5.0)]
    assert call.turns[1].text == "De acuerdo. y algo más"
    assert call.metadata["roles_method"] == "labels"


def test_vtt_without_header_is_malformed(tmp_path):
    error = read_error(tmp_path, "c.vtt", "00:00:01.000 --> 00:00:02.000\n<v Cliente>Hola\n")
    assert isinstance(error, MalformedRecord)
    assert "WEBVTT" in error.message and "WEBVTT" in error.fix
    assert error.position == "line 1"


def test_vtt_all_cues_bad_is_malformed(tmp_path):
    error = read_error(tmp_path, "c.vtt", "WEBVTT\n\n00:00:aa --> 00:00:02.000\n<v Cliente>Hola\n")
    assert isinstance(error, MalformedRecord)
    assert "no usable cue" in error.message and "bad timing" in error.message


def test_vtt_header_only_is_empty(tmp_path):
    assert isinstance(read_error(tmp_path, "c.vtt", "WEBVTT\n\nNOTE agent: Laura\n"), EmptyInput)


def test_vtt_without_speakers_is_malformed(tmp_path):
    error = read_error(tmp_path, "c.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHola, buenas.\n")
    assert isinstance(error, MalformedRecord)
    assert error.message.startswith("no speaker labels found")


# --- SRT -------------------------------------------------------------------------

SRT = """1
00:00:01,000 --> 00:00:03,000
Agente: Hola, buenas.

2
00:00:03,200 --> 00:00:05,000
[Cliente] Quiero darme de baja.

3
00:00:05,100 --> 00:00:06,000
<i>es urgente</i>

4
00:00:07,000 --> 00:00:0x,000
Agente: se salta

5
00:00:08,000 --> 00:00:10,000
- ¿Seguro?
- Sí.
"""


def test_srt_labels_brackets_dashes_and_times(tmp_path):
    call = read_one(tmp_path, "c.srt", SRT)
    assert [(t.speaker, t.role, t.start, t.end, t.text) for t in call.turns] == [
        ("Agente", "agent", 1.0, 3.0, "Hola, buenas."),
        ("Cliente", "customer", 3.2, 6.0, "Quiero darme de baja. es urgente"),
        (None, "unknown", 8.0, 10.0, "¿Seguro?"),
        (None, "unknown", 8.0, 10.0, "Sí."),
    ]
    assert call.text == "Quiero darme de baja. es urgente"
    assert call.metadata["skipped_cues"] == ["cue 4 (line 14): bad timing '00:00:07,000 --> 00:00:0x,000'"]
    assert call.metadata["roles_method"] == "labels"


def test_srt_dash_turns_only_keep_unknown_speakers(tmp_path):
    content = "1\n00:00:01,000 --> 00:00:02,000\n- Hola.\n- Buenas.\n"
    call = read_one(tmp_path, "c.srt", content)
    assert roles(call) == [(None, "unknown"), (None, "unknown")]
    assert call.metadata["roles_method"] == "none"
    assert call.metadata["text_roles"] == "unknown"
    assert call.text == "Hola.\nBuenas."


# --- speech-to-text JSON --------------------------------------------------------------

GENERIC = {
    "call_id": "C-2001", "started_at": "2026-10-03T10:15:00+02:00", "caller": "+34 612 345 678",
    "customer": {"email": "ana@example.com", "crm_id": "C042", "name": "Ana Ruiz"},
    "agent": {"name": "Laura"}, "direction": "outbound", "language": "es",
    "speakers": {"spk_0": "agent", "spk_1": "customer"},
    "segments": [
        {"speaker": "spk_1", "start": 0.5, "end": 2.0, "text": "Hola, llamo por la factura."},
        {"speaker": "spk_0", "start": 2.1, "end": 4.0, "text": "Claro."},
        {"speaker": "spk_1", "start": "x", "end": 5.0, "text": "se salta"},
        {"speaker": "spk_1", "start": 5.0, "end": 7.5, "text": "Está mal."},
    ],
}


def test_json_generic_shape(tmp_path):
    call = read_one(tmp_path, "c.json", GENERIC)
    assert [(t.speaker, t.role, t.start, t.end) for t in call.turns] == [
        ("spk_1", "customer", 0.5, 2.0), ("spk_0", "agent", 2.1, 4.0), ("spk_1", "customer", 5.0, 7.5)]
    assert call.text == "Hola, llamo por la factura.\nEstá mal."
    assert call.metadata["roles_method"] == "metadata"
    assert call.metadata["shape"] == "generic"
    assert call.metadata["skipped_cues"] == ["segment 3: bad timing (start 'x', end 5.0)"]
    assert call.timestamp == "2026-10-03T08:15:00"
    assert call.direction == "outbound"
    assert call.external_id == "C-2001"
    assert (call.metadata["customer"], call.metadata["agent"], call.metadata["language"]) == ("Ana Ruiz", "Laura", "es")
    assert call.identities == [
        Identity("phone", "+34 612 345 678", role="caller", customer_side=True),
        Identity("email", "ana@example.com", role="customer", customer_side=True),
        Identity("crm_id", "C042", role="customer", customer_side=True),
    ]


def test_json_speakers_map_may_name_the_people(tmp_path):
    data = {"call_id": "C-3", "agent": {"name": "Laura García"}, "speakers": {"S1": "Laura García", "S2": "Ana"},
            "segments": [{"speaker": "S2", "start": 0, "end": 1, "text": "Hola."},
                         {"speaker": "S1", "start": 1, "end": 2, "text": "Buenas."}]}
    call = read_one(tmp_path, "c.json", data)
    assert roles(call) == [("S2", "customer"), ("S1", "agent")]
    assert call.metadata["roles_method"] == "metadata"


def test_json_assemblyai_milliseconds(tmp_path):
    data = {"id": "t1", "audio_duration": 30, "text": "…", "utterances": [
        {"speaker": "A", "start": 1200, "end": 5400, "text": "Thank you for calling Acme, how can I help?"},
        {"speaker": "B", "start": 5600, "end": 9000, "text": "My order never arrived."}]}
    call = read_one(tmp_path, "c.json", data)
    assert [(t.speaker, t.role, t.start, t.end) for t in call.turns] == [
        ("A", "agent", 1.2, 5.4), ("B", "customer", 5.6, 9.0)]
    assert call.text == "My order never arrived."
    assert call.metadata["shape"] == "assemblyai"
    assert call.metadata["duration_s"] == 30.0
    assert call.metadata["roles_method"] == "greeting"


def test_json_deepgram_utterances_greeting_agent_second(tmp_path):
    data = {"metadata": {"request_id": "r1", "duration": 12.5}, "results": {"channels": [], "utterances": [
        {"speaker": 0, "start": 0.0, "end": 2.0, "transcript": "Hi, I want to cancel."},
        {"speaker": 1, "start": 2.0, "end": 4.0, "transcript": "My name is Bob, how can I help you today?"}]}}
    call = read_one(tmp_path, "c.json", data)
    assert roles(call) == [("0", "customer"), ("1", "agent")]
    assert call.metadata["roles_method"] == "greeting"
    assert call.metadata["shape"] == "deepgram"
    assert call.text == "Hi, I want to cancel."


def test_json_whisperx_first_speaker_and_merge(tmp_path):
    data = {"language": "es", "segments": [
        {"speaker": "SPEAKER_00", "start": 0.0, "end": 1.5, "text": " Buenos días."},
        {"speaker": "SPEAKER_01", "start": 1.6, "end": 3.0, "text": " Hola, quiero una baja."},
        {"speaker": "SPEAKER_01", "start": 3.0, "end": 4.0, "text": " Ya."}]}
    call = read_one(tmp_path, "c.json", data)
    assert [(t.speaker, t.role, t.start, t.end, t.text) for t in call.turns] == [
        ("SPEAKER_00", "agent", 0.0, 1.5, "Buenos días."),
        ("SPEAKER_01", "customer", 1.6, 4.0, "Hola, quiero una baja. Ya.")]
    assert call.metadata["shape"] == "whisperx"
    assert call.metadata["roles_method"] == "first_speaker"


def test_json_aws_transcribe_words_and_punctuation(tmp_path):
    def word(t0, t1, w):
        return {"start_time": t0, "end_time": t1, "alternatives": [{"content": w}], "type": "pronunciation"}

    def punct(p):
        return {"alternatives": [{"content": p}], "type": "punctuation"}

    data = {"jobName": "call-77", "results": {
        "transcripts": [{"transcript": "Hello. Hi there, my bill is wrong."}],
        "speaker_labels": {"speakers": 2, "segments": [
            {"speaker_label": "spk_0", "start_time": "0.1", "end_time": "0.5",
             "items": [{"speaker_label": "spk_0", "start_time": "0.1", "end_time": "0.5"}]},
            {"speaker_label": "spk_1", "start_time": "1.2", "end_time": "2.9", "items": [
                {"speaker_label": "spk_1", "start_time": t} for t in ("1.2", "1.5", "1.9", "2.2", "2.6")]}]},
        "items": [word("0.1", "0.5", "Hello"), punct("."), word("1.2", "1.4", "Hi"), word("1.5", "1.8", "there"),
                  punct(","), word("1.9", "2.1", "my"), word("2.2", "2.5", "bill"), word("2.6", "2.9", "wrong"),
                  punct(".")]}}
    call = read_one(tmp_path, "c.json", data)
    assert [(t.speaker, t.role, t.start, t.end, t.text) for t in call.turns] == [
        ("spk_0", "agent", 0.1, 0.5, "Hello."), ("spk_1", "customer", 1.2, 2.9, "Hi there, my bill wrong.")]
    assert call.metadata["shape"] == "aws_transcribe"
    assert call.metadata["job_name"] == "call-77"


def test_json_unknown_shape_names_keys_and_shapes(tmp_path):
    error = read_error(tmp_path, "c.json", {"foo": 1, "bar": [1]})
    assert isinstance(error, MalformedRecord)
    assert "'foo', 'bar'" in error.message
    assert "AssemblyAI" in error.fix and "Deepgram" in error.fix and "AWS Transcribe" in error.fix


def test_json_invalid_names_line_and_column(tmp_path):
    error = read_error(tmp_path, "c.json", '{"segments": [\n  {"a": 1,}\n]}')
    assert isinstance(error, MalformedRecord)
    assert error.position == "line 2, column 11"


def test_json_without_diarization_is_malformed(tmp_path):
    data = {"text": "hola", "segments": [{"start": 0, "end": 1, "text": "Hola."}]}
    error = read_error(tmp_path, "c.json", data)
    assert isinstance(error, MalformedRecord)
    assert error.message.startswith("no speaker labels found") and "diarization" in error.fix


def test_json_without_segments_is_empty(tmp_path):
    assert isinstance(read_error(tmp_path, "c.json", {"call_id": "C-1", "segments": []}), EmptyInput)


# --- the speaker helpers -------------------------------------------------------------


@pytest.mark.parametrize("label, role", [
    ("Agente", "agent"), ("teleoperadora", "agent"), ("Representative", "agent"), ("Atención al cliente", "agent"),
    ("Cliente", "customer"), ("USUARIO", "customer"), ("Laura (agente)", "agent"), ("Laura", None),
    ("spk_0", None),
])
def test_role_from_label(label, role):
    assert role_from_label(label) == role


@pytest.mark.parametrize("text, seconds", [
    ("01:05", 65.0), ("00:01:05", 65.0), ("00:01:02.500", 62.5), ("00:00:03,200", 3.2), ("1:00:00", 3600.0),
])
def test_parse_clock(text, seconds):
    assert parse_clock(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["00:61:00", "ab:cd", "00:00:75"])
def test_parse_clock_rejects(text):
    with pytest.raises(ValueError):
        parse_clock(text)


def test_decide_roles_with_three_unnamed_speakers_finds_only_the_agent():
    turns = [RawTurn("A", ["Gracias por llamar."]), RawTurn("B", ["Hola."]), RawTurn("C", ["Y yo."])]
    decided, method = decide_roles(turns)
    assert decided == {"A": "agent", "B": "unknown", "C": "unknown"}
    assert method == "greeting"


def test_decide_roles_speaker_map_beats_labels():
    turns = [RawTurn("Cliente", ["Hola."]), RawTurn("Agente", ["Hola."])]
    decided, method = decide_roles(turns, speaker_map={"Cliente": "agent", "Agente": "customer"})
    assert decided == {"Cliente": "agent", "Agente": "customer"}
    assert method == "metadata"
