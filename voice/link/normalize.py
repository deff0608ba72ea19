"""Normal forms for the handles that identify a customer.

Two spellings of one handle must compare equal: ``Ana.Ruiz@Gmail.example`` and
``ana.ruiz@gmail.example``; ``612 345 678``, ``+34 612 34 56 78`` and
``0034612345678`` (all ``+34612345678``). A value that cannot be a handle
normalizes to None.
"""

from __future__ import annotations

import re
from functools import lru_cache

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# A run of digits with the separators people type inside phone numbers.
_PHONE_IN_TEXT = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d .\-()]{7,16}\d(?!\w)")


def normalize_email(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().strip("<>").strip().lower()
    if v.startswith("mailto:"):
        v = v[len("mailto:"):]
    return v if _EMAIL.match(v) else None


@lru_cache(maxsize=65536)
def normalize_phone(value: str | None, region: str = "ES") -> str | None:
    """E.164 (``+34612345678``) or None when it is not a valid number."""
    if not value:
        return None
    import phonenumbers

    text = str(value).strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_crm_id(value: str | None) -> str | None:
    if value is None:
        return None
    v = str(value).strip()
    if v.endswith(".0") and v[:-2].isdigit():  # a spreadsheet turned "1042" into 1042.0
        v = v[:-2]
    return v or None


def normalize(kind: str, value: str | None, region: str = "ES") -> str | None:
    if kind == "email":
        return normalize_email(value)
    if kind == "phone":
        return normalize_phone(value, region)
    if kind == "crm_id":
        return normalize_crm_id(value)
    raise ValueError(f"unknown identity kind {kind!r}; expected email, phone or crm_id")


def handles_in_text(text: str, region: str = "ES") -> list[tuple[str, str]]:
    """Emails and phone numbers a customer wrote or said in the text itself
    ("mi correo es ana@…", "call me on 612 345 678"), normalized."""
    found: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for m in _EMAIL_IN_TEXT.finditer(text):
        e = normalize_email(m.group(0))
        if e and ("email", e) not in seen:
            seen.add(("email", e))
            found.append(("email", e))
    for m in _PHONE_IN_TEXT.finditer(text):
        raw = m.group(0)
        if sum(c.isdigit() for c in raw) < 9:
            continue
        p = normalize_phone(raw, region)
        if p and ("phone", p) not in seen:
            seen.add(("phone", p))
            found.append(("phone", p))
    return found
