"""The normalized records every reader produces and the store keeps.

One :class:`Interaction` per customer contact (an email, a call, a survey reply),
whatever the channel. Readers fill it; the store writes it; the linker ties it to a
:class:`Customer` through its :class:`Identity` hints.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

Channel = Literal["email", "call", "survey", "chat"]
Direction = Literal["inbound", "outbound", "unknown"]
Role = Literal["customer", "agent", "unknown"]
IdentityKind = Literal["email", "phone", "crm_id"]

CHANNELS: tuple[str, ...] = ("email", "call", "survey", "chat")


@dataclass(frozen=True)
class Identity:
    """A handle that may name a customer: an email address, a phone number, a CRM id.

    ``role`` says where it came from in the record (``from``, ``to``, ``cc``,
    ``reply_to``, ``caller``, ``respondent``, ``customer``). ``customer_side`` is
    True when the reader knows this handle belongs to the customer rather than to
    the company (an inbound email's sender, a call's caller, a survey respondent).
    Values are raw as read; the store normalizes them (lower-cased emails, E.164
    phones) before matching.
    """

    kind: IdentityKind
    value: str
    role: str = "customer"
    customer_side: bool = True


@dataclass
class Turn:
    """One speaker turn of a conversation, in order.

    ``role`` is normalized (customer / agent / unknown); ``speaker`` is the label
    as it appeared (``"Cliente"``, ``"Laura García"``, ``"spk_1"``). Times are
    seconds from the start of the call, when the source gives them.
    """

    idx: int
    role: Role
    text: str
    speaker: str | None = None
    start: float | None = None
    end: float | None = None


@dataclass
class Interaction:
    """One customer contact, normalized across channels.

    ``text`` is what later analysis reads: the customer's own words (an email body
    without quoted replies and signatures; the customer turns of a call; a survey
    comment). ``raw`` keeps the original in full. ``hash_basis`` is what makes two
    records "the same" for idempotent re-ingest; readers set it (the Message-ID of
    an email, the normalized text of a transcript, the values of a survey row) and
    it defaults to ``raw``.
    """

    channel: Channel
    source_path: str
    text: str
    source_pos: str | None = None
    timestamp: str | None = None  # ISO 8601, UTC where the source gave a zone
    direction: Direction = "inbound"
    subject: str | None = None
    turns: list[Turn] = field(default_factory=list)
    thread_id: str | None = None
    external_id: str | None = None  # Message-ID, call id, response id
    identities: list[Identity] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # nps, csat, ces
    metadata: dict[str, Any] = field(default_factory=dict)
    raw: str = ""
    hash_basis: str | None = None

    @property
    def content_hash(self) -> str:
        basis = self.hash_basis if self.hash_basis is not None else self.raw
        return content_hash(self.channel, basis)

    @property
    def id(self) -> str:
        """Stable id: the same content always gets the same id."""
        return self.content_hash[:20]


@dataclass
class Customer:
    """A customer record as exported from a CRM."""

    id: str
    name: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    segment: str | None = None
    lifetime_value: float | None = None
    consent: dict[str, bool] = field(default_factory=dict)  # e.g. {"email": True, "marketing": False}
    attributes: dict[str, Any] = field(default_factory=dict)  # every other column, as read
    source_path: str | None = None
    source_pos: str | None = None


def content_hash(channel: str, basis: str) -> str:
    return hashlib.sha256(f"{channel}\x00{basis}".encode("utf-8", "surrogatepass")).hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: a stable basis for hashing."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass
class TableColumns:
    """What a table reader made of a file's columns, yielded once before its rows (not stored): which
    header feeds which field, which are consent flags, which are kept as attributes — so an import can
    say what mapped where, and a column it did not understand is never dropped without a word."""

    source: str
    fields: dict[str, str | list[str]]
    consent: dict[str, str] = field(default_factory=dict)  # header -> consent key
    attributes: list[str] = field(default_factory=list)  # headers kept as they are

    def summary(self) -> str:
        parts = [f"{h if isinstance(h, str) else ' + '.join(h)} → {f}" for f, h in self.fields.items()]
        parts += [f"{h} → consent {k}" for h, k in self.consent.items()]
        text = ", ".join(parts) or "no column recognised"
        if self.attributes:
            text += "; kept as attributes: " + ", ".join(self.attributes)
        return text
