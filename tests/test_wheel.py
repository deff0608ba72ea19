"""An installed voice works anywhere (issue #12): the wheel built from this checkout, installed into a
fresh virtual environment, run from a folder outside the checkout, ingests, analyses and reports a copy of
the examples — with the models, pipelines and examples it carries (voice/_bundled), not the checkout's."""

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json, pathlib, shutil, sys
import voice
from voice._resources import resource
from voice.pipeline.pipeline import DEFAULT_PIPELINE

work = pathlib.Path(sys.argv[1])
shutil.copytree(resource("examples"), work / "examples")
v = voice.init(work / "v.db", company_domains=["lunahogar.example"])
v.import_customers([work / "examples" / "crm"])
ingested = v.ingest([work / "examples" / "emails", work / "examples" / "calls", work / "examples" / "surveys"])
analysed = v.analyze()
from voice.report import write_report
report = write_report(v.store, work / "report.html")
print(json.dumps({"voice": voice.__file__, "pipeline": str(DEFAULT_PIPELINE), "added": ingested.added,
                  "analysed": analysed.analysed, "report": pathlib.Path(report).stat().st_size,
                  "negative": v.store.db.execute("select count(*) from analyses where sentiment = 'negative'")
                  .fetchone()[0]}))
"""


def test_the_built_wheel_installs_and_analyses_outside_the_checkout(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheels)], check=True, cwd=tmp_path)
    [wheel] = wheels.glob("voice-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    site = next(env_dir.glob("lib/python*/site-packages"))
    # the dependencies come from this environment (a path, so its editable voice is not activated);
    # voice itself only from the wheel
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    out = subprocess.run([str(env_dir / "bin" / "python"), "-c", SCRIPT, str(work)], cwd=work, check=False,
                         capture_output=True, text=True, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    import json

    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["voice"].startswith(str(site)) and not got["voice"].startswith(str(ROOT))
    assert "/_bundled/pipelines/default.toml" in got["pipeline"]
    assert got["added"] > 50 and got["analysed"] > 50 and got["negative"] > 10 and got["report"] > 20_000
