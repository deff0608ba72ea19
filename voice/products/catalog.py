"""The product catalog: a YAML list of products, loaded and checked once.

Each product has an ``id`` (a stable slug), a ``name`` (as on the website), a
``category`` and ``aliases`` per language (how customers and agents refer to
it)::

    - id: airpure-500
      name: AirPure 500
      category: purificadores
      aliases:
        es: [purificador AirPure, AirPure 500]
        en: [AirPure air purifier]

A top-level mapping with a ``products:`` list is accepted too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_EXAMPLE = "- id: airpure-500\n  name: AirPure 500\n  category: purificadores\n  aliases: {es: [purificador AirPure]}"


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    category: str | None = None
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    price: float | None = None

    def all_aliases(self) -> list[str]:
        return [a for names in self.aliases.values() for a in names]


@dataclass
class Catalog:
    products: list[Product]
    source: str | None = None

    def __post_init__(self) -> None:
        self._by_id = {p.id: p for p in self.products}

    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self):
        return iter(self.products)

    def get(self, product_id: str) -> Product | None:
        return self._by_id.get(product_id)

    @classmethod
    def load(cls, path: str | Path) -> "Catalog":
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"the product catalog {str(path)!r} does not exist.",
                              fix="give the path of a catalog YAML file, such as examples/catalog/products.yaml.")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the product catalog {str(path)!r} ({exc}).",
                              fix="save it as a UTF-8 text file readable by this user.") from exc
        if path.suffix.lower() in (".csv", ".tsv"):
            return cls.from_csv(text, source=str(path))
        return cls.from_yaml(text, source=str(path))

    @classmethod
    def from_csv(cls, text: str, source: str = "<catalog>") -> "Catalog":
        """A catalog as a table: columns ``id``, ``name``, ``category``, ``price`` and the aliases in
        ``aliases`` (any language) or ``aliases_es``, ``aliases_en``…, several in a cell separated by ";"."""
        import csv
        import io

        header = text.lstrip("\ufeff").split("\n", 1)[0]
        delimiter = next((d for d in (",", "\t", ";") if d in header), ",")  # the header's: aliases use ";"
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))
        items = []
        for row in rows:
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            aliases: dict[str, list[str]] = {}
            for key, value in row.items():
                if key == "aliases" or key.startswith("aliases_") or key.startswith("alias_"):
                    lang = key.split("_", 1)[1] if "_" in key else "any"
                    names = [a.strip() for a in value.split(";") if a.strip()]
                    if names:
                        aliases.setdefault(lang, []).extend(names)
            items.append({k: v for k, v in (("id", row.get("id")), ("name", row.get("name")),
                                            ("category", row.get("category") or None),
                                            ("price", row.get("price") or None), ("aliases", aliases)) if v})
        return cls.from_data(items, source=source)

    @classmethod
    def from_yaml(cls, text: str, source: str = "<catalog>") -> "Catalog":
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" at line {where.line + 1}" if where is not None else ""
            raise ConfigError(f"{source}: the catalog is not valid YAML{line} ({getattr(exc, 'problem', exc)}).",
                              fix="check the indentation and quote names holding ':' or '#'.") from exc
        return cls.from_data(data, source=source)

    @classmethod
    def from_data(cls, data, source: str = "<catalog>") -> "Catalog":
        if isinstance(data, dict) and "products" in data:
            data = data["products"]
        if not isinstance(data, list) or not data:
            raise ConfigError(f"{source}: a catalog is a non-empty list of products; got {type(data).__name__}.",
                              fix=f"write one list item per product, e.g.\n{_EXAMPLE}")
        products: list[Product] = []
        seen_ids: dict[str, int] = {}
        owner: dict[str, str] = {}  # folded name/alias -> product id
        for n, item in enumerate(data, start=1):
            products.append(_product(item, n, source, seen_ids))
        for p in products:
            for label in [p.name, *p.all_aliases()]:
                key = _fold(label)
                other = owner.setdefault(key, p.id)
                if other != p.id:
                    raise ConfigError(
                        f"{source}: product {p.id!r}: the name or alias {label!r} also names product {other!r}, "
                        f"so a mention of it cannot be told apart.",
                        fix=f"remove {label!r} from one of the two products, or make it more specific.")
        return cls(products, source=source)


def _product(item, n: int, source: str, seen_ids: dict[str, int]) -> Product:
    where = f"{source}: product #{n}"
    if not isinstance(item, dict):
        raise ConfigError(f"{where} is a {type(item).__name__}, not a mapping.",
                          fix=f"write each product as a mapping with id, name, category and aliases, e.g.\n{_EXAMPLE}")
    pid = item.get("id")
    if not isinstance(pid, str) or not pid.strip():
        raise ConfigError(f"{where} has no id.", fix="add 'id: <slug>' (lower-case letters, digits, '-'), "
                                                     "e.g. 'id: airpure-500'.")
    pid = pid.strip()
    where = f"{source}: product {pid!r} (#{n})"
    if not _SLUG.match(pid):
        raise ConfigError(f"{where}: the id is not a slug.",
                          fix=f"use lower-case letters, digits, '.', '_' and '-', e.g. {_slugify(pid)!r}.")
    if pid in seen_ids:
        raise ConfigError(f"{where}: the id is used already by product #{seen_ids[pid]}.",
                          fix="give every product its own id.")
    seen_ids[pid] = n
    unknown = sorted(set(item) - {"id", "name", "category", "aliases", "price"})
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}.",
                          fix="a product has only id, name, category, aliases and price (check the spelling).")
    price = item.get("price")
    if price is not None and price != "":
        try:
            price = float(str(price).replace(",", "."))
        except ValueError:
            raise ConfigError(f"{where}: the price {price!r} is not a number.", fix="write e.g. 'price: 249.90'.") from None
    else:
        price = None
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where} has no name.", fix="add 'name: <the product's name as sold>'.")
    category = item.get("category")
    if category is not None and not isinstance(category, str):
        raise ConfigError(f"{where}: category must be text, got {type(category).__name__}.",
                          fix="write 'category: <slug>', e.g. 'category: purificadores'.")
    raw = item.get("aliases") or {}
    if isinstance(raw, list):  # aliases without languages
        raw = {"any": raw}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: aliases must map a language to a list of names, got {type(raw).__name__}.",
                          fix="write e.g. 'aliases: {es: [purificador AirPure], en: [AirPure purifier]}'.")
    aliases: dict[str, tuple[str, ...]] = {}
    for lang, names in raw.items():
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(a, (str, int, float)) for a in names):
            raise ConfigError(f"{where}: aliases for {lang!r} must be a list of names.",
                              fix=f"write '{lang}: [name one, name two]'.")
        cleaned = tuple(str(a).strip() for a in names if str(a).strip())
        if any(not _fold(a) for a in cleaned):
            bad = next(a for a in cleaned if not _fold(a))
            raise ConfigError(f"{where}: the alias {bad!r} has no letters or digits.",
                              fix="remove it or write the name customers use.")
        aliases[str(lang)] = cleaned
    return Product(pid, name.strip(), category.strip() if isinstance(category, str) else None, aliases, price)


def _fold(text: str) -> str:
    from .matcher import fold_tokens

    return " ".join(fold_tokens(text))


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "product-1"
