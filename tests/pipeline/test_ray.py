"""`voice analyze --engine ray`: Ray Data actors on a local Ray instance write what one process writes."""

from __future__ import annotations

import pytest

import voice
from voice.errors import ConfigError

from .test_parallel import _ingested, assert_same_tables


@pytest.mark.slow
def test_ray_actors_write_what_one_process_writes(tmp_path):
    pytest.importorskip("ray.data")
    from voice._resources import resource

    examples = resource("examples", "crm").parent
    one = _ingested(tmp_path / "one.db", examples)
    report_one = one.analyze(workers=1)
    one.close()
    two = _ingested(tmp_path / "ray.db", examples)
    report_ray = two.analyze(workers=2, engine="ray", batch_size=16)
    two.close()
    assert report_ray.analysed == report_one.analysed > 50
    assert report_ray.step_seconds.get("write", 0) > 0 and report_ray.step_seconds.get("sentiment", 0) > 0
    assert report_ray.where == "2 Ray actors"
    assert_same_tables(tmp_path / "one.db", tmp_path / "ray.db")
    import ray

    assert not ray.is_initialized()  # the Ray instance it started is stopped


def test_an_unknown_engine_or_an_in_memory_store_is_refused(tmp_path):
    v = voice.init(tmp_path / "v.db")
    with pytest.raises(ConfigError, match="unknown engine"):
        v.analyze(engine="spark")
    assert v.store.db.execute("select count(*) from analysis_runs").fetchone()[0] == 0  # no run started
    v.close()
    mem = voice.init(":memory:")
    with pytest.raises(ConfigError, match="database file"):
        mem.analyze(engine="ray")
