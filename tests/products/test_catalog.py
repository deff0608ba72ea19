from pathlib import Path

import pytest

from voice.errors import ConfigError
from voice.products import Catalog

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_catalog_loads():
    catalog = Catalog.load(ROOT / "examples" / "catalog" / "products.yaml")
    assert len(catalog) == 19
    airpure = catalog.get("airpure-500")
    assert airpure.name == "AirPure 500"
    assert airpure.category == "purificadores"
    assert "purificador AirPure" in airpure.aliases["es"]
    assert "AirPure air purifier" in airpure.aliases["en"]


def test_products_key_and_plain_alias_list_are_accepted():
    catalog = Catalog.from_yaml("products:\n  - id: a-1\n    name: Alpha One\n    aliases: [alpha, the A1]\n")
    assert catalog.get("a-1").all_aliases() == ["alpha", "the A1"]


def _error(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        Catalog.from_yaml(text, source="cat.yaml")
    return str(info.value)


def test_missing_file_names_path_and_fix(tmp_path):
    with pytest.raises(ConfigError) as info:
        Catalog.load(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(info.value) and "Fix:" in str(info.value)


def test_invalid_yaml_says_where():
    msg = _error("- id: a\n  name: [unclosed\n")
    assert "cat.yaml" in msg and "not valid YAML" in msg and "Fix:" in msg


def test_missing_name_names_the_product():
    msg = _error("- id: airpure-500\n  category: purificadores\n")
    assert "'airpure-500'" in msg and "has no name" in msg and "Fix: add 'name:" in msg


def test_missing_id_gives_position():
    msg = _error("- id: ok-1\n  name: OK\n- name: Nameless\n")
    assert "product #2 has no id" in msg and "Fix:" in msg


def test_bad_slug_suggests_one():
    msg = _error("- id: Air Pure 500\n  name: AirPure 500\n")
    assert "not a slug" in msg and "'air-pure-500'" in msg


def test_duplicate_id():
    msg = _error("- id: a\n  name: A\n- id: a\n  name: B\n")
    assert "'a'" in msg and "used already by product #1" in msg


def test_alias_shared_by_two_products_is_refused():
    msg = _error("- id: a\n  name: Alpha\n  aliases: {es: [el robot]}\n"
                 "- id: b\n  name: Beta\n  aliases: {en: [El Robot]}\n")
    assert "'b'" in msg and "also names product 'a'" in msg and "Fix: remove" in msg


def test_aliases_must_be_lists_per_language():
    msg = _error("- id: a\n  name: Alpha\n  aliases: {es: {x: 1}}\n")
    assert "aliases for 'es' must be a list" in msg


def test_unknown_field_and_empty_catalog():
    assert "unknown field(s) 'alias'" in _error("- id: a\n  name: Alpha\n  alias: [x]\n")
    assert "non-empty list" in _error("")
