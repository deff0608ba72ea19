"""Builders for source files that tests write into tmp_path."""

from __future__ import annotations

import csv
import io
import json as _json
from pathlib import Path

from openpyxl import Workbook

EML = """From: {name} <{sender}>
To: Soporte Luna Hogar <soporte@lunahogar.example>
Subject: {subject}
Date: Tue, 06 Oct 2026 09:{minute:02d}:00 +0200
Message-ID: <{mid}>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

{body}
"""


def write_emails(folder: Path, count: int, *, sender=lambda n: f"cliente{n % 7}@gmail.example") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        p = folder / f"{n:05d}.eml"
        p.write_text(EML.format(name=f"Cliente {n}", sender=sender(n), subject=f"Pedido {n} retrasado",
                                minute=n % 60, mid=f"t{n}@gmail.example",
                                body=f"Hola, mi pedido {n} no ha llegado todavía. ¿Qué pasa con la entrega?"),
                     encoding="utf-8")
        paths.append(p)
    return paths


CUSTOMERS_CSV = """id_cliente;nombre;apellidos;email;telefono;segmento;valor_cliente;acepta_email;acepta_marketing
C000;Ana;Ruiz;cliente0@gmail.example;612 000 000;Premium;1.234,50;sí;no
C001;Luis;Gil;cliente1@gmail.example;+34 612 000 001;Estándar;300;sí;sí
C002;Eva;Sanz;cliente2@gmail.example;612000002;Nuevo;0;no;no
"""


def write_customers(path: Path, text: str = CUSTOMERS_CSV) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    """Rows written as a CSV file in the given delimiter and encoding (CRLF, as spreadsheets export)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], *, title: str = "Sheet1", more: dict | None = None) -> Path:
    """Rows written to the first sheet of a workbook; `more` adds further sheets by name."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for name, extra_rows in (more or {}).items():
        other = wb.create_sheet(name)
        for r in extra_rows:
            other.append(r)
    wb.save(path)
    return path


def add_analysed(store, iid: str, ts: str, text: str, *, channel: str = "email", direction: str = "inbound",
        thread: str = "T1", customer: str = "C001", sentiment: str | None = "neutral", score: float = 0.0,
        intents: dict | None = None, mentions: list | None = None, experience: tuple | None = None,
        nps: float | None = None, survey: dict | None = None):
    """One interaction written straight into the tables the analysis fills (no models)."""
    db = store.db
    db.execute("""insert into interactions (id, content_hash, channel, timestamp, direction, subject, text,
                  thread_id, customer_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
               [iid, f"h-{iid}", channel, ts, direction, f"Asunto {iid}", text, thread, customer])
    if sentiment is not None:
        db.execute("""insert into analyses (interaction_id, sentiment, sentiment_score, analysed_text)
                      values (?, ?, ?, ?)""", [iid, sentiment, score, text])
    for intent, conf in (intents or {}).items():
        db.execute("insert into intents (interaction_id, intent, confidence) values (?, ?, ?)", [iid, intent, conf])
    for pid, surface in mentions or []:
        start = text.find(surface)
        db.execute("""insert into mentions (interaction_id, product_id, start, "end", surface)
                      values (?, ?, ?, ?, ?)""", [iid, pid, start, start + len(surface), surface])
    if experience is not None:
        db.execute("""insert into experience (interaction_id, customer_id, channel, timestamp, score, components)
                      values (?, ?, ?, ?, ?, ?)""", [iid, customer, channel, ts, experience[0], _json.dumps(experience[1])])
    survey = {**(survey or {}), **({"nps": nps} if nps is not None else {})}
    if survey:
        db.execute("insert into survey_scores (interaction_id, nps, csat, ces, touchpoint) values (?, ?, ?, ?, ?)",
                   [iid, survey.get("nps"), survey.get("csat"), survey.get("ces"), survey.get("touchpoint")])
