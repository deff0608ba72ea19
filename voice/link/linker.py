"""Identity resolution: tie each interaction to its customer record.

An interaction carries handles (the sender's email, the caller's phone, the CRM
id a survey row names, an email a customer typed in the text). A customer owns
identities (from the CRM, or learned). Where they meet, the interaction is linked,
with the method and a confidence:

=============  ==========  ==================================================
method         confidence  evidence
=============  ==========  ==================================================
crm_id         1.00        the record names the CRM id
respondent_id  0.98        a survey respondent id learned from a linked reply
email          0.95        the customer-side address (sender of inbound mail,
                           recipient of outbound mail, survey respondent)
phone          0.90        the caller's number, in E.164
thread         0.85        another message of the same email thread is linked
mentioned      0.70        an email or phone the customer wrote in the text
=============  ==========  ==================================================

The strongest method wins. Two different customers at the strongest level make
the link *ambiguous*: the interaction stays unlinked and says why, rather than
being given to the wrong person. Linking only touches unlinked interactions, so
it is cheap to run after every ingest and after every customer import (which is
how earlier interactions find customers imported later).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._clock import utc_now as now

if TYPE_CHECKING:
    from ..store.db import Store

CONFIDENCE = {"crm_id": 1.0, "respondent_id": 0.98, "email": 0.95, "phone": 0.9, "thread": 0.85, "mentioned": 0.7}


@dataclass
class LinkResult:
    linked: int = 0
    ambiguous: int = 0
    learned: int = 0


def _method(kind: str, role: str) -> str:
    return "mentioned" if role == "mentioned" else kind


def link(store: Store, *, only_ids: list[str] | None = None) -> LinkResult:
    """Link every unlinked interaction that a known identity points to."""
    result = LinkResult()
    for _ in range(2):  # a second pass uses identities learned in the first
        result.linked += _link_by_handles(store, result, only_ids)
        result.linked += _link_by_thread(store)
        learned = _learn_respondent_ids(store)
        result.learned += learned
        if not learned:
            break
    return result


def _link_by_handles(store: Store, result: LinkResult, only_ids: list[str] | None) -> int:
    sql = """
        select h.interaction_id, h.kind, h.value, h.role, i.customer_id
        from interaction_handles h
        join interactions x on x.id = h.interaction_id
        join identities i on i.kind = h.kind and i.value = h.value
        where x.customer_id is null and h.customer_side = 1
    """
    candidates: dict[str, list[tuple[float, str, str, str]]] = defaultdict(list)
    for iid, kind, value, role, customer_id in store.db.execute(sql):
        method = _method(kind, role)
        candidates[iid].append((CONFIDENCE[method], method, value, customer_id))
    if only_ids is not None:
        wanted = set(only_ids)
        candidates = {k: v for k, v in candidates.items() if k in wanted}
    links, ambiguous = [], []
    stamp = now()
    for iid, cands in candidates.items():
        best = max(c[0] for c in cands)
        top = [c for c in cands if c[0] == best]
        customers = sorted({c[3] for c in top})
        if len(customers) == 1:
            conf, method, value, customer_id = top[0]
            links.append((customer_id, method, value, conf, stamp, iid))
        else:
            ambiguous.append((f"ambiguous: {top[0][1]} matches customers {', '.join(customers)}", iid))
    with store.db.atomic():
        store.db.conn.executemany(
            "update interactions set customer_id = ?, link_method = ?, link_value = ?, link_confidence = ?,"
            " linked_at = ? where id = ? and customer_id is null", links)
        store.db.conn.executemany(
            "update interactions set link_method = 'ambiguous', link_value = ? where id = ? and customer_id is null",
            ambiguous)
    result.ambiguous = len(ambiguous)
    return len(links)


def _link_by_thread(store: Store) -> int:
    """An unlinked message in a thread whose other messages all belong to one
    customer belongs to that customer too (a reply from a second address)."""
    rows = store.db.execute("""
        select u.id, min(l.customer_id), u.thread_id
        from interactions u
        join interactions l on l.thread_id = u.thread_id and l.customer_id is not null and l.id != u.id
        where u.customer_id is null and u.channel = 'email' and u.thread_id is not null
        group by u.id
        having count(distinct l.customer_id) = 1
    """).fetchall()
    stamp = now()
    with store.db.atomic():
        store.db.conn.executemany(
            "update interactions set customer_id = ?, link_method = 'thread', link_value = ?, link_confidence = ?,"
            " linked_at = ? where id = ? and customer_id is null",
            [(cust, thread, CONFIDENCE["thread"], stamp, iid) for iid, cust, thread in rows])
    return len(rows)


def _learn_respondent_ids(store: Store) -> int:
    """A survey respondent id seen on a linked reply names that customer from now on."""
    cur = store.db.execute("""
        insert or ignore into identities (kind, value, customer_id, source)
        select distinct h.kind, h.value, x.customer_id, 'learned'
        from interaction_handles h join interactions x on x.id = h.interaction_id
        where h.kind = 'respondent_id' and x.customer_id is not null
          and x.link_method in ('crm_id', 'email', 'phone')
    """)
    return max(cur.rowcount, 0)


def unlinked(store: Store, limit: int | None = 100) -> list[dict]:
    """Interactions with no customer, with the handles they carry and why they did
    not link (no customer has these handles, or more than one does)."""
    sql = """
        select x.id, x.channel, x.timestamp, x.subject, x.source_path, x.source_pos, x.link_value as problem,
               (select group_concat(h.kind || ':' || h.value, ' ') from interaction_handles h
                where h.interaction_id = x.id and h.customer_side = 1) as handles
        from interactions x where x.customer_id is null
        order by x.timestamp
    """
    if limit:
        sql += f" limit {int(limit)}"
    out = []
    for row in store.db.query(sql):
        row = dict(row)
        row["reason"] = row.pop("problem") or ("no handle to match (no email, phone or id)" if not row["handles"]
                                               else "no customer has these handles")
        out.append(row)
    return out
