"""The user's catalog in the database: imported from YAML or CSV, versioned, read by the analysis."""

import pytest

import voice
from tests.conftest import make_email
from voice.errors import ConfigError
from voice.products.store import catalog_version, import_catalog, load_catalog

CSV = """id,name,category,price,aliases_es,aliases_en
router-x1,Router X1,routers,89.90,router X1;el X1,X1 router
fibra-600,Fibra 600 Mb,fibra,35,fibra de 600;la fibra 600,600 Mb fiber
"""


def test_a_csv_catalog_imports_with_versions_and_retires_on_replace(store, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text(CSV, encoding="utf-8")
    first = import_catalog(store, path)
    assert (first.version, sorted(first.added), first.updated) == (1, ["fibra-600", "router-x1"], [])
    catalog = load_catalog(store)
    router = catalog.get("router-x1")
    assert router.price == 89.9 and router.aliases == {"es": ("router X1", "el X1"), "en": ("X1 router",)}
    again = import_catalog(store, path)  # the same file: nothing changes but the version count
    assert again.unchanged == 2 and not again.added and not again.updated
    path.write_text("id,name,price\nrouter-x1,Router X1 Pro,99\n", encoding="utf-8")
    third = import_catalog(store, path, replace=True)
    assert third.updated == ["router-x1"] and third.retired == ["fibra-600"] and catalog_version(store) == 3
    assert [p.id for p in load_catalog(store)] == ["router-x1"]
    path.write_text("id,name\nBad Id!,x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="slug"):
        import_catalog(store, path)
    assert catalog_version(store) == 3  # a bad file changes nothing


def test_the_analysis_finds_the_users_products_not_the_demos(tmp_path):
    with voice.init(tmp_path / "v.db") as v:
        v.store.add_interactions([make_email(1, text="El router X1 se reinicia solo y la AirPure 500 también.")])
        v.analyze()
        assert v.store.db.execute("select count(*) from mentions").fetchone()[0] == 0  # no catalog: nothing
        (tmp_path / "p.csv").write_text(CSV, encoding="utf-8")
        v.import_products(tmp_path / "p.csv")
        v.analyze(all=True)
        found = [r[0] for r in v.store.db.execute("select product_id from mentions")]
        assert found == ["router-x1"]  # the user's product; the demo's AirPure is not in their catalog
        components = v.store.db.execute("select components from analysis_runs order by id desc").fetchone()[0]
        assert "database, catalog version 1" in components
