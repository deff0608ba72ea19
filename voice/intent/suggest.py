"""``voice intents suggest``: an intent taxonomy proposed from the user's own data, to edit and train.

When the shipped taxonomy does not fit (:mod:`.fit`), the theme groups (:mod:`voice.themes.groups`: one
primary group per interaction, the number chosen by the data) are what the customers write about. Each
group becomes a proposed intent: an id and a name from its label, a description that says where it came
from and asks to be rewritten, and up to ``examples`` examples per language from the interactions nearest
the group's centre, one per interaction: its content (no greetings or signatures), whole or (``unit=
"sentence"``) its sentence with most of the group's words. The
out-of-scope examples of the default taxonomy are kept (greetings, chit-chat). The file is written in the
taxonomy format (``models/intents/default.yaml``) and loads with :func:`.taxonomy.load_taxonomy`; a
person renames, merges and deletes, then ``voice train intent --taxonomy FILE``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .._resources import resource
from ..errors import NotFound
from .taxonomy import OTHER, load_taxonomy

if TYPE_CHECKING:
    from ..store import Store

DEFAULT_TAXONOMY = resource("models", "intents", "default.yaml")
MIN_WORDS = 5  # an example sentence says something


def _intent_id(label: str, taken: set[str]) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", _ascii(label.lower())) if w][:2] or ["topic"]
    base = "_".join(words)
    out, n = base, 2
    while out in taken or out == OTHER:
        out, n = f"{base}_{n}", n + 1
    taken.add(out)
    return out


def _ascii(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def suggest_taxonomy(store: "Store", path: str | Path, *, examples: int = 10, name: str = "suggested",
                     unit: str = "interaction") -> dict:
    """Write the proposed taxonomy to ``path`` (YAML) and return it as a dict. Needs theme groups.
    ``unit``: "interaction" (default), each example is a whole interaction's content sentences (up to 1,000
    characters), as the groups were found; "sentence", its sentence with most of the group's words. On CFPB
    the whole interactions made the intents tell the Product better (held-back accuracy 0.567 vs 0.523 with
    sentences; benchmarks/intents_suggest.py)."""
    from ..themes.groups import group_title

    groups = store.db.execute("select id, label, keywords, size, name, phrases from theme_groups "
                              "order by size desc, id").fetchall()
    if not groups:
        raise NotFound("there are no theme groups to suggest intents from.",
                       fix="run 'voice themes discover' first (it finds the groups), then suggest again.")
    taken: set[str] = set()
    intents = []
    for gid, label, keywords, size, group_name, phrases in groups:
        words = {w for term, *_ in json.loads(keywords or "[]") for w in term.split()}
        title = group_title(group_name, json.loads(phrases or "[]"), label)
        rows = store.db.execute("""
            select g.interaction_id, s.text, coalesce(s.lang, a.lang, 'en')
            from interaction_groups g
            join sentences s on s.interaction_id = g.interaction_id
            join analyses a on a.interaction_id = g.interaction_id
            where g.group_id = ? and s.kind is null
            order by g.similarity desc, g.interaction_id, s.idx""", [gid]).fetchall()
        best: dict[str, tuple[int, str, str]] = {}  # per interaction: its sentence with most of the group's words
        if unit == "interaction":
            joined: dict[str, tuple[list[str], str]] = {}
            for iid, text, lang in rows:
                joined.setdefault(iid, ([], lang))[0].append(" ".join(text.split()))
            rows = [(iid, " ".join(parts)[:1000], lang) for iid, (parts, lang) in joined.items()]
        for iid, text, lang in rows:
            text = " ".join(text.split())
            if len(text.split()) < MIN_WORDS or (unit == "sentence" and len(text) > 300):
                continue
            hits = len(words & set(re.findall(r"\w+", text.lower())))
            if iid not in best or hits > best[iid][0]:
                best[iid] = (hits, text, lang if lang in ("es", "en") else "en")
        by_lang: dict[str, list[str]] = {}
        seen: set[str] = set()
        for _hits, text, lang in best.values():  # nearest the centre first
            if text.lower() not in seen and len(by_lang.get(lang, [])) < examples:
                by_lang.setdefault(lang, []).append(text)
                seen.add(text.lower())
        by_lang = {lg: ex for lg, ex in by_lang.items() if len(ex) >= 2}
        if not by_lang:
            continue
        intents.append({
            "id": _intent_id(title or gid, taken),
            "name": title or gid,
            "description": (f"Suggested from theme group {gid} ({size} interactions; words: {label}). Rewrite: "
                            f"what belongs here, what does not, and which intent to use instead."),
            "examples": by_lang,
        })
    default = yaml.safe_load(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))
    taxonomy = {"version": 1, "name": name, "intents": intents, "out_of_scope": default.get("out_of_scope", {})}
    header = ("# Intent taxonomy suggested by 'voice intents suggest' from this database's theme groups.\n"
              "# Edit it: rename the ids and names, rewrite the descriptions, merge or delete intents, move examples.\n"
              "# The examples are your customers' own sentences (content sentences nearest each group's centre).\n"
              "# Then: voice train intent --taxonomy THIS_FILE --out models/intents/mine, and name that model in\n"
              "# your pipeline's intent step.\n")
    Path(path).write_text(header + yaml.safe_dump(taxonomy, allow_unicode=True, sort_keys=False, width=110),
                          encoding="utf-8")
    load_taxonomy(path)  # what was written must load
    return taxonomy
