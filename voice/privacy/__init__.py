"""Personal data: masking it in what is stored, and erasing a customer (the GDPR's right to erasure).

**Masking** (``voice init --redact``, or ``voice redact`` on a database already filled): e-mail addresses,
phone numbers, IBANs (mod-97 checked), payment card numbers (Luhn checked), Spanish DNI/NIE (check letter),
US social security numbers and UK National Insurance numbers in the customers' words are replaced by a tag
("[EMAIL]", "[PHONE]", "[IBAN]", "[CARD]", "[ID]") in the stored text, subject, raw source, call turns,
survey metadata and quarantine excerpts — so also in the full-text index, the analysis, the report, the
web app and every export. Linking still works: the handles are read from the message *before* it is
masked and kept apart (``interaction_handles``, ``identities``), where matching needs them. The analysis
reads a tag as nothing (the clean step blanks it).

**Erasure** (``voice forget CUSTOMER``): the customer's record and identities, every interaction linked to
them with everything derived from it (turns, scores, sentences, intents, keyphrases, mentions, themes
and groups assignments, corrections, experience, open loops, the vectors of its texts, its full-text
rows), their interest and relationship rows. What is left is a salted hash of each handle (``forgotten``),
so a later ingest of the same mailbox or CRM export does not bring them back; the report says what was
removed. Files outside the database (the sources, exports written earlier) are the user's to delete.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._clock import utc_now
from ..errors import NotFound
from ..link.normalize import EMAIL_PATTERN, PHONE_PATTERN

if TYPE_CHECKING:
    from ..store import Store

REDACT_KEY = "redact"
SALT_KEY = "forget_salt"

# An IBAN: country, check digits, 11-30 letters and digits, in groups of four or not.
_IBAN = r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b"
# A card number: 13-19 digits, in groups of four with spaces or dashes, or not.
_CARD = r"(?<![\d-])\d{4}(?:[ -]?\d{4}){2}(?:[ -]?\d{1,4}){1,2}(?![\d-])"
_DNI = r"\b\d{8}[ -]?[A-Za-z]\b"
_NIE = r"\b[XYZxyz][ -]?\d{7}[ -]?[A-Za-z]\b"
_SSN = r"\b\d{3}-\d{2}-\d{4}\b"
_NINO = r"\b[A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-Da-d]\b"
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"

def _luhn(m: re.Match[str]) -> bool:
    digits = [int(c) for c in m.group(0) if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return 13 <= len(digits) <= 19 and total % 10 == 0


def _iban(m: re.Match[str]) -> bool:
    code = m.group(0).replace(" ", "").upper()
    moved = code[4:] + code[:4]
    try:
        return 15 <= len(code) <= 34 and int("".join(str(int(c, 36)) for c in moved)) % 97 == 1
    except ValueError:
        return False


def _dni(m: re.Match[str]) -> bool:
    core = re.sub(r"[ -]", "", m.group(0)).upper()
    if core[0] in "XYZ":
        core = str("XYZ".index(core[0])) + core[1:]
    return core[:-1].isdigit() and _DNI_LETTERS[int(core[:-1]) % 23] == core[-1]


def _phone(m: re.Match[str]) -> bool:
    """9 to 15 digits (E.164), and not the start of a longer run of digit groups (an order number)."""
    digits = sum(c.isdigit() for c in m.group(0))
    return 9 <= digits <= 15 and not re.match(r"[ .\-]?\d", m.string[m.end():m.end() + 2])


#: (tag, pattern, check), in this order: an IBAN or a card number also looks like a phone number
RULES: tuple[tuple[str, re.Pattern[str], object], ...] = tuple((tag, re.compile(p), check) for tag, p, check in (
    ("[EMAIL]", EMAIL_PATTERN, None),
    ("[IBAN]", _IBAN, _iban),
    ("[CARD]", _CARD, _luhn),
    ("[ID]", _NIE, _dni),
    ("[ID]", _DNI, _dni),
    ("[ID]", _SSN, None),
    ("[ID]", _NINO, None),
    ("[PHONE]", PHONE_PATTERN, _phone),
))


def mask(text: str | None, counts: Counter | None = None) -> str | None:
    """``text`` with its personal data replaced by tags ("[EMAIL]", "[PHONE]", …); ``counts`` (if given)
    adds how many of each were masked. A number that fails its check (an order number of 16 digits that
    is not a card by Luhn, a "DNI" whose letter is wrong) is left as written."""
    if not text:
        return text
    for tag, pattern, check in RULES:
        def repl(m: re.Match[str], tag: str = tag, check=check) -> str:
            if check is not None and not check(m):
                return m.group(0)
            if counts is not None:
                counts[tag] += 1
            return tag
        text = pattern.sub(repl, text)
    return text


def mask_json(value):
    """Every string inside a JSON-like value, masked."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [mask_json(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_json(v) for k, v in value.items()}
    return value


def redacting(store: "Store") -> bool:
    row = store.db.execute("select value from settings where key = ?", [REDACT_KEY]).fetchone()
    return bool(row and row[0] == "1")


# --- masking what is already stored ------------------------------------------------------------------------

@dataclass
class RedactReport:
    interactions: int = 0  # interactions whose stored text changed (their analysis must be made again)
    masked: Counter = field(default_factory=Counter)  # tag -> how many
    quarantine: int = 0


DERIVED = ("analyses", "sentences", "intents", "keyphrases", "mentions", "theme_assignments", "interaction_groups")


def redact_stored(store: "Store") -> RedactReport:
    """Turn masking on and mask what the database already holds. The analysis of every interaction whose
    text changed is removed (its sentences, keyphrases… held the unmasked words): ``voice analyze`` makes
    it again from the masked text."""
    db = store.db
    report = RedactReport()
    changed: list[str] = []
    with db.atomic():
        db.execute("insert or replace into settings (key, value) values (?, '1')", [REDACT_KEY])
        rows = db.execute("select id, subject, text, raw, metadata from interactions").fetchall()
        for iid, subject, text, raw, metadata in rows:
            new = (mask(subject, report.masked), mask(text, report.masked), mask(raw),
                   json.dumps(mask_json(json.loads(metadata)), ensure_ascii=False) if metadata else metadata)
            if new != (subject, text, raw, metadata):
                db.execute("update interactions set subject = ?, text = ?, raw = ?, metadata = ? where id = ?",
                           [*new, iid])
                changed.append(iid)
        for iid, idx, text in db.execute("select interaction_id, idx, text from turns").fetchall():
            masked = mask(text, report.masked)
            if masked != text:
                db.execute("update turns set text = ? where interaction_id = ? and idx = ?", [masked, iid, idx])
                changed.append(iid)
        for qid, excerpt in db.execute("select id, excerpt from quarantine where excerpt is not null").fetchall():
            masked = mask(excerpt)
            if masked != excerpt:
                db.execute("update quarantine set excerpt = ? where id = ?", [masked, qid])
                report.quarantine += 1
        changed = sorted(set(changed))
        _delete_derived(store, changed)
    if changed:
        _remove_saved_copies(store)  # made from the unmasked texts
    report.interactions = len(changed)
    return report


def _delete_derived(store: "Store", ids: list[str], tables=DERIVED) -> Counter:
    """Delete the rows of ``tables`` for these interactions, and the stored vectors of their texts."""
    from ..encode.cache import text_hash

    db = store.db
    removed: Counter = Counter()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        texts = [r[0] for r in db.execute(f"select text from sentences where interaction_id in ({marks})", chunk)]
        texts += [r[0] for r in db.execute(f"select analysed_text from analyses where interaction_id in ({marks})"
                                           " and analysed_text is not null", chunk)]
        hashes = sorted({text_hash(t) for t in texts if t})
        for j in range(0, len(hashes), 500):
            part = hashes[j:j + 500]
            cur = db.execute(f"delete from embeddings where text_hash in ({','.join('?' * len(part))})", part)
            removed["vectors"] += max(cur.rowcount, 0)
        for table in tables:
            cur = db.execute(f"delete from {table} where interaction_id in ({marks})", chunk)
            removed[table] += max(cur.rowcount, 0)
    return removed


# --- erasure -----------------------------------------------------------------------------------------------

@dataclass
class ForgetReport:
    customer_id: str
    removed: Counter = field(default_factory=Counter)  # table -> rows removed
    handles: int = 0  # handles remembered (hashed) so that they are not ingested again

    def summary(self) -> str:
        parts = [f"{n} {table.replace('_', ' ')}" for table, n in sorted(self.removed.items()) if n]
        return ", ".join(parts) or "nothing"


def salt(store: "Store") -> str:
    row = store.db.execute("select value from settings where key = ?", [SALT_KEY]).fetchone()
    if row:
        return row[0]
    value = secrets.token_hex(16)
    store.db.execute("insert into settings (key, value) values (?, ?)", [SALT_KEY, value])
    return value


def handle_hash(store: "Store", kind: str, value: str, *, salt_value: str | None = None) -> str:
    """The salted hash a forgotten handle is remembered by (``salt_value``: the store's salt, read once)."""
    key = salt_value if salt_value is not None else salt(store)
    return hashlib.sha256(f"{key}\0{kind}\0{value}".encode("utf-8", "surrogatepass")).hexdigest()


def forget(store: "Store", customer_id: str) -> ForgetReport:
    """Erase a customer and everything derived from them (see the module docstring)."""
    db = store.db
    if not db.execute("select 1 from customers where id = ?", [customer_id]).fetchone():
        raise NotFound(f"there is no customer {customer_id!r}.",
                       fix="give the CRM id as 'voice customer' or the report shows it.")
    report = ForgetReport(customer_id)
    with db.atomic():
        handles = [("crm_id", customer_id)] + [tuple(r) for r in db.execute(
            "select kind, value from identities where customer_id = ?", [customer_id])]
        ids = [r[0] for r in db.execute("select id from interactions where customer_id = ?", [customer_id])]
        report.removed.update(_delete_derived(store, ids, DERIVED + (
            "corrections", "experience", "turns", "interaction_handles", "survey_scores")))
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            cur = db.execute(f"delete from open_loops where opened_by in ({marks}) or closed_by in ({marks})",
                             chunk + chunk)
            report.removed["open_loops"] += max(cur.rowcount, 0)
            cur = db.execute(f"delete from interactions where id in ({marks})", chunk)  # FTS rows by trigger
            report.removed["interactions"] += max(cur.rowcount, 0)
        for table in ("open_loops", "experience", "interest", "relationships", "identities", "campaign_members",
                      "campaign_outcomes"):
            cur = db.execute(f"delete from {table} where customer_id = ?", [customer_id])
            report.removed[table] += max(cur.rowcount, 0)
        db.execute("delete from customers where id = ?", [customer_id])
        report.removed["customers"] += 1
        stamp = utc_now()
        db.conn.executemany("insert or ignore into forgotten (kind, value_hash, at) values (?, ?, ?)",
                            [(kind, handle_hash(store, kind, value), stamp) for kind, value in handles])
        report.handles = len(handles)
    if ids:
        _remove_saved_copies(store)  # they hold the erased interactions' vectors and words
    return report


def _remove_saved_copies(store: "Store") -> None:
    """Delete what other processes keep beside the database, made from its contents: the search's
    approximate index and vectors, the kept report (it quotes customers)."""
    from ..report.kept import remove as remove_kept_report
    from ..search.ann import remove as remove_ann

    remove_ann(store.path)
    remove_kept_report(store.path)


def forgotten_hashes(store: "Store") -> set[tuple[str, str]]:
    return {(k, h) for k, h in store.db.execute("select kind, value_hash from forgotten")}
