"""Campaign segments: interest threshold, consent, open complaints, the CSV."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from voice.errors import InputError, NotFound
from voice.scoring import score
from voice.segments import segment, write_csv

from tests.helpers import add_analysed as add


@pytest.fixture
def scored(store):
    store.db.execute("""insert into customers (id, name, lifetime_value, consent) values
        ('C1', 'Ana', 100, '{"email": true, "marketing": true}'),
        ('C2', 'Luis', 200, '{"email": true, "marketing": false}'),
        ('C3', 'Eva', 300, null),
        ('C4', 'Tom', 50, '{"marketing": true}')""")
    store.db.execute("""insert into identities (kind, value, customer_id, source) values
        ('email', 'ana@x.example', 'C1', 'crm'), ('phone', '+34600000001', 'C1', 'crm'),
        ('email', 'tom@x.example', 'C4', 'crm')""")
    for n, cid in enumerate(("C1", "C2", "C3", "C4")):
        add(store, f"b{n}", "2026-10-10T10:00:00+00:00", "Quiero comprar la AirPure 500, ¿qué precio tiene?",
            customer=cid, thread=f"T{n}", intents={"purchase_interest": 0.95, "price_availability": 0.8},
            mentions=[("airpure-500", "AirPure 500")])
    add(store, "c4", "2026-10-11T10:00:00+00:00", "Mi pedido llegó roto y nadie contesta", customer="C4",
        thread="X", sentiment="negative", score=-0.8, intents={"complaint": 0.9})
    add(store, "w2", "2026-08-01T10:00:00+00:00", "¿Tenéis la AirPure 500?", customer="C2", thread="Y",
        intents={"price_availability": 0.9}, mentions=[("airpure-500", "AirPure 500")])
    score(store, as_of=dt.datetime(2026, 10, 12, tzinfo=dt.timezone.utc))
    return store


def test_everyone_interested_strongest_first(scored):
    seg = segment(scored, "airpure-500", min_interest=0.6, consent="any")
    assert [r["customer_id"] for r in seg.rows][0] == "C2"  # asked twice: the strongest
    assert {r["customer_id"] for r in seg.rows} == {"C1", "C2", "C3", "C4"}
    ana = next(r for r in seg.rows if r["customer_id"] == "C1")
    assert (ana["email"], ana["phone"], ana["consent"]) == ("ana@x.example", "+34600000001", "email;marketing")
    assert "wants to buy" in ana["evidence"] and ana["interest"] >= 0.6


def test_consent_is_respected_and_unknown_means_no(scored):
    seg = segment(scored, "airpure-500", consent="marketing")
    assert {r["customer_id"] for r in seg.rows} == {"C1", "C4"}
    assert seg.excluded == {"no marketing consent": 2}
    assert segment(scored, "airpure-500").rows == seg.rows  # marketing consent unless told otherwise
    with pytest.raises(InputError, match="which consent"):
        segment(scored, "airpure-500", consent=" ")


def test_open_complaints_can_be_left_out(scored):
    seg = segment(scored, "airpure-500", consent="marketing", exclude_open_complaints=True)
    assert [r["customer_id"] for r in seg.rows] == ["C1"]
    assert seg.excluded == {"no marketing consent": 2, "open problem": 1}


def test_threshold_and_unknown_product(scored):
    assert segment(scored, "airpure-500", min_interest=0.99).rows == []
    with pytest.raises(NotFound) as err:
        segment(scored, "nevera-x")
    assert "airpure-500" in err.value.fix
    with pytest.raises(ValueError):
        segment(scored, "airpure-500", min_interest=60)


def test_csv_opens_in_a_spreadsheet(scored, tmp_path):
    path = write_csv(segment(scored, "airpure-500", consent="marketing"), tmp_path / "out" / "seg.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: accents survive Excel
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert [r["customer_id"] for r in rows] == ["C1", "C4"]  # equal interest: by id
    assert rows[0].keys() >= {"customer_id", "email", "interest", "evidence"}


def test_a_name_that_is_a_formula_stays_text_in_the_csv(scored, tmp_path):
    scored.db.execute("""update customers set name = '=HYPERLINK("http://x.example","pay")' where id = 'C1'""")
    scored.db.execute("update customers set segment = '@SUM(1)' where id = 'C4'")
    rows = list(csv.DictReader(write_csv(segment(scored, "airpure-500", consent="any"), tmp_path / "s.csv")
                               .open(encoding="utf-8-sig")))
    ana = next(r for r in rows if r["customer_id"] == "C1")
    assert ana["name"].startswith("'=HYPERLINK") and ana["phone"] == "+34600000001"  # phones keep their +
    assert next(r for r in rows if r["customer_id"] == "C4")["segment"] == "'@SUM(1)"


def test_every_csv_cell_that_a_spreadsheet_would_run_is_text():
    import io

    from voice._csv import safe_cell, unsafe_cell, write_dicts

    cases = {"=1+1": "'=1+1", "-2+3": "'-2+3", "@SUM(1)": "'@SUM(1)", "+A1": "'+A1", "\t=x": "'\t=x",
             " =cmd|' /C calc'!A0": "' =cmd|' /C calc'!A0", "+34 600 000 001": "+34 600 000 001",
             "-0.5": "-0.5", "hola": "hola", 7: 7, None: None}
    for raw, safe in cases.items():
        assert safe_cell(raw) == safe, raw
        if isinstance(raw, str):
            assert unsafe_cell(safe_cell(raw)) == raw
    out = io.StringIO()
    write_dicts(out, ["id", "name"], [{"id": "-2+3", "name": "=HYPERLINK(\"x\")", "extra": "dropped"}])
    assert out.getvalue().splitlines() == ["id,name", "'-2+3,\"'=HYPERLINK(\"\"x\"\")\""]


def test_a_problem_read_as_another_intent_still_leaves_the_customer_out(scored):
    # an open account change written in anger (a CFPB complaint read as account_change) is a problem
    add(scored, "c9", "2026-10-11T11:00:00+00:00", "Cerrad mi cuenta YA, es una vergüenza", customer="C1",
        thread="Z", sentiment="negative", score=-0.9, intents={"account_change": 0.8})
    scored.db.execute("insert into open_loops (customer_id, opened_by, intent, status) values ('C1', 'c9', "
                      "'account_change', 'open')")
    seg = segment(scored, "airpure-500", consent="marketing", exclude_open_complaints=True)
    assert seg.rows == [] and seg.excluded["open problem"] == 2


def test_a_segment_by_lifecycle_stage(scored):
    stages = dict(scored.db.execute("select customer_id, stage from relationships"))
    assert set(stages.values()) <= {"new", "active", "loyal", "at_risk", "lapsed", None}
    wanted = next(st for st in stages.values() if st)
    seg = segment(scored, "airpure-500", consent="any", stages=[wanted])
    assert seg.rows and all(stages[r["customer_id"]] == wanted for r in seg.rows)
    with pytest.raises(InputError, match="lifecycle stage"):
        segment(scored, "airpure-500", consent="any", stages=["sleepy"])
