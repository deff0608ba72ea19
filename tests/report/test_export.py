import csv

import pyarrow.parquet as pq
import pytest

from voice.report import COLUMNS, export_tables, report_data


def test_export_writes_csv_and_parquet_that_read_back(filled, tmp_path):
    data = report_data(filled)
    paths = export_tables(data, tmp_path / "tables")
    assert sorted(p.name for p in paths) == sorted(f"{n}.{f}" for n in COLUMNS for f in ("csv", "parquet"))
    for name, rows in data.tables().items():
        table = pq.read_table(tmp_path / "tables" / f"{name}.parquet")
        assert table.column_names == COLUMNS[name]
        assert table.to_pylist() == rows
        with (tmp_path / "tables" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            read = list(csv.DictReader(fh))
        assert read == [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]


def test_empty_tables_keep_their_header(base, tmp_path):
    data = report_data(base)
    export_tables(data, tmp_path, formats=("csv", "parquet"))
    assert (tmp_path / "themes.csv").read_text(encoding="utf-8").strip() == ",".join(COLUMNS["themes"])
    assert pq.read_table(tmp_path / "themes.parquet").column_names == COLUMNS["themes"]


def test_unknown_format(base, tmp_path):
    with pytest.raises(ValueError, match="csv, parquet"):
        export_tables(report_data(base), tmp_path, formats=("xlsx",))


def test_exported_cells_a_spreadsheet_would_run_are_text(filled, tmp_path):
    filled.db.execute("""update customers set name = '=HYPERLINK("http://x.example","pay")', segment = '@SUM(1)'
                         where id = 'C1'""")
    export_tables(report_data(filled), tmp_path, formats=("csv",))
    with (tmp_path / "valuable_at_risk.csv").open(encoding="utf-8", newline="") as fh:
        ana = next(r for r in csv.DictReader(fh) if r["customer_id"] == "C1")
    assert ana["name"] == "'=HYPERLINK(\"http://x.example\",\"pay\")" and ana["segment"] == "'@SUM(1)"
    assert ana["lifetime_value"] == "5000.0"  # numbers stay numbers
