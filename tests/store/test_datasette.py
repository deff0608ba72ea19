import asyncio

import pytest

from tests.conftest import make_email

datasette_app = pytest.importorskip("datasette.app")


def test_the_database_opens_in_datasette_as_is(tmp_path):
    from voice.store import Store

    path = tmp_path / "voice.db"
    s = Store.open(path, create=True)
    s.add_interactions([make_email(1, text="La entrega llegó tarde")])
    s.close()

    async def fetch():
        ds = datasette_app.Datasette([str(path)])
        tables = await ds.client.get("/voice.json")
        search = await ds.client.get("/voice/interactions.json?_search=entrega&_shape=array")
        return tables, search

    tables, search = asyncio.run(fetch())
    assert tables.status_code == 200
    names = {t["name"] for t in tables.json()["tables"]}
    assert {"interactions", "customers", "quarantine"} <= names
    assert [row["text"] for row in search.json()] == ["La entrega llegó tarde"]
