"""The web app under load (issue #11): latency of its pages with 20 clients at once, alone and while
`voice analyze --all` writes to the same database.

The demo database (`voice.demo`) is served by `voice serve` (its default workers: one per core) on 127.0.0.1; 20
threads each request a mix of pages for ``--seconds``: the dashboard, the themes page, a customer's
timeline, an interaction, a search (a different query each time). Latency is per request, from sending
to the whole body read. Then the same while another process re-analyses every interaction, again and
again, writing each batch. The clients run on the same machine (2 cores here): what they cost is counted.

    .venv/bin/python benchmarks/web_load.py [--clients 20 --seconds 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
WORDS = ["entrega", "retraso", "lavadora", "reembolso", "factura", "courier", "delivery", "airpure", "horno",
         "instalador", "garantía", "precio", "stock", "refund", "late", "broken", "rota", "express"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pages(db: Path) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(db)
    customers = [r[0] for r in conn.execute("select id from customers order by id limit 20")]
    interactions = [r[0] for r in conn.execute("select interaction_id from analyses order by 1 limit 40")]
    conn.close()
    out = ["/", "/themes"]
    out += [f"/customers/{c}" for c in customers]
    out += [f"/interactions/{i}" for i in interactions]
    return out


def load(base: str, urls: list[str], clients: int, seconds: float) -> dict:
    import httpx

    latencies: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.perf_counter() < stop:
                kind = rng.random()
                if kind < 0.2:
                    url = "/search?q=" + "+".join(rng.sample(WORDS, 2))
                elif kind < 0.3:
                    url = "/"
                else:
                    url = rng.choice(urls)
                t = time.perf_counter()
                try:
                    status = client.get(url).status_code
                except httpx.HTTPError:
                    status = 0
                with lock:
                    latencies.append((url.split("?")[0].split("/")[1] or "dashboard", time.perf_counter() - t, status))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    ms = np.array([x[1] for x in latencies]) * 1000
    by_page = {}
    for page in sorted({x[0] for x in latencies}):
        v = np.array([x[1] for x in latencies if x[0] == page]) * 1000
        by_page[page] = (len(v), float(np.percentile(v, 50)), float(np.percentile(v, 95)))
    return {"requests": len(ms), "failed": sum(1 for x in latencies if x[2] != 200),
            "p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)), "max": float(ms.max()),
            "rate": len(ms) / seconds, "by_page": by_page}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    import voice

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "voice.db"
        voice.demo(db)
        port = free_port()
        server = subprocess.Popen([str(BIN / "voice"), "serve", "--db", str(db), "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            import httpx

            for _ in range(100):
                try:
                    httpx.get(base + "/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            urls = pages(db)
            load(base, urls, 8, 6)  # warm every worker: models and the search index load on first use
            alone = load(base, urls, args.clients, args.seconds)
            loop = (f"import time, voice\nv = voice.open({str(db)!r})\nend = time.time() + {args.seconds + 5}\n"
                    "while time.time() < end:\n    v.analyze(all=True)\n")  # every interaction again, until the end
            writer = subprocess.Popen([sys.executable, "-c", loop], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(3)  # the analysis under way (models loaded, batches being written)
            busy = load(base, urls, args.clients, args.seconds)
            writing = writer.poll() is None
            writer.wait()
        finally:
            server.terminate()
            server.wait()
    print(f"# web app under load, {dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores; command: "
          f"`.venv/bin/python benchmarks/web_load.py --clients {args.clients} --seconds {args.seconds:g}`\n")
    print("| while | requests | failed | per s | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    for name, r in (("alone", alone), ("`voice analyze --all` writing" + ("" if writing else " (it ended first)"), busy)):
        print(f"| {name} | {r['requests']} | {r['failed']} | {r['rate']:.1f} | {r['p50']:.0f} | **{r['p95']:.0f}** | "
              f"{r['max']:.0f} |")
    print("\nBy page (alone): " + "; ".join(f"{p} n={n} p50 {a:.0f} ms p95 {b:.0f} ms"
                                           for p, (n, a, b) in alone["by_page"].items()))
    print("\nBy page (while writing): " + "; ".join(f"{p} n={n} p50 {a:.0f} ms p95 {b:.0f} ms"
                                                    for p, (n, a, b) in busy["by_page"].items()))


if __name__ == "__main__":
    main()
