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
# An e-mail address in running text, found from its "@" outwards (a pattern that starts anywhere would
# rescan a long run of letters or hex for every start: quadratic, 15 s on a 100 KB hex dump): the local
# part is up to 64 characters before the "@" and the domain up to 255 after it, as RFC 5321 allows.
_LOCAL_PART = re.compile(r"[A-Za-z0-9._%+\-]{1,64}\Z")
#: the same, as one pattern for other rules to embed (bounded, so linear: at most 64 steps per start)
EMAIL_PATTERN = r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9.\-]{1,253}\.[A-Za-z]{2,}"
_DOMAIN = re.compile(r"[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# A run of digits with the separators people type inside phone numbers.
PHONE_PATTERN = r"(?<![\w+])(?:\+|00)?\d[\d .\-()]{7,16}\d(?!\w)"
_PHONE_IN_TEXT = re.compile(PHONE_PATTERN)


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


def emails_in_text(text: str) -> list[str]:
    """The e-mail addresses written in ``text``, in order; linear in its length."""
    out = []
    at = text.find("@")
    while at != -1:
        local = _LOCAL_PART.search(text[max(0, at - 64):at])
        domain = _DOMAIN.match(text, at + 1, min(len(text), at + 256))
        if local and domain:
            out.append(local.group(0) + "@" + domain.group(0))
        at = text.find("@", at + 1)
    return out


def handles_in_text(text: str, region: str = "ES") -> list[tuple[str, str]]:
    """Emails and phone numbers a customer wrote or said in the text itself
    ("mi correo es ana@…", "call me on 612 345 678"), normalized."""
    found: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for address in emails_in_text(text):
        e = normalize_email(address)
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
