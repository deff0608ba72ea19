"""The user's catalog in the database: imported from their file (YAML or CSV), read by the analysis.

    import_catalog(store, "products.csv")          # add and update; --replace retires the missing ones
    load_catalog(store)                             # the active products, as a Catalog
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .._clock import utc_now
from .catalog import Catalog, Product

if TYPE_CHECKING:
    from ..store import Store

VERSION_KEY = "catalog_version"


@dataclass
class CatalogImport:
    version: int
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    retired: list[str] = field(default_factory=list)


def catalog_version(store: "Store") -> int:
    row = store.db.execute("select value from settings where key = ?", [VERSION_KEY]).fetchone()
    return int(row[0]) if row else 0


def import_catalog(store: "Store", path: str | Path, *, replace: bool = False) -> CatalogImport:
    """Read the catalog file (checked whole before anything is written) and store its products; with
    ``replace``, products of earlier imports that are not in this file are retired."""
    catalog = Catalog.load(path)
    db = store.db
    version = catalog_version(store) + 1
    report = CatalogImport(version)
    stamp = utc_now()
    with db.atomic():
        known = {r[0]: tuple(r[1:]) for r in db.execute(
            "select id, name, category, price, aliases, status from products")}
        for p in catalog:
            row = (p.name, p.category, p.price, json.dumps({k: list(v) for k, v in p.aliases.items()},
                                                           ensure_ascii=False), "active")
            if p.id not in known:
                report.added.append(p.id)
            elif known[p.id] != row:
                report.updated.append(p.id)
            else:
                report.unchanged += 1
                continue
            db.execute("insert or replace into products (id, name, category, price, aliases, status, version, source,"
                       " updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)", [p.id, *row, version, str(path), stamp])
        if replace:
            ids = {p.id for p in catalog}
            for pid, values in known.items():
                if pid not in ids and values[-1] == "active":
                    db.execute("update products set status = 'retired', version = ?, updated_at = ? where id = ?",
                               [version, stamp, pid])
                    report.retired.append(pid)
        db.execute("insert or replace into settings (key, value) values (?, ?)", [VERSION_KEY, str(version)])
    return report


def load_catalog(store: "Store") -> Catalog:
    """The active products (an empty catalog when none was imported: nothing is found)."""
    products = [Product(pid, name, category, {k: tuple(v) for k, v in json.loads(aliases or "{}").items()}, price)
                for pid, name, category, price, aliases in store.db.execute(
                    "select id, name, category, price, aliases from products where status = 'active' order by id")]
    return Catalog(products, source=f"database, catalog version {catalog_version(store)}")
