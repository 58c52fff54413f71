"""Check: a 10 s PostgreSQL outage in the middle of a run loses no point.

    python bench/bench_postgres_outage.py [--down 10]

A run logs 100 keys at ~10 Hz for 25 s into a throwaway PostgreSQL (fsync on);
5 s in, the server is stopped (`pg_ctl stop -m fast`) and started again
`--down` seconds later. Prints the steps logged and stored, whether every value
came back, and how long `finish()` took.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nbmonitor as nbm  # noqa: E402
from tests.pgcluster import PgCluster  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--down", type=float, default=10.0)
    args = ap.parse_args()
    warnings.simplefilter("ignore")  # "could not write run ... retrying" while the server is down
    durable = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
    with PgCluster(settings=durable) as pg:
        url = pg.create_database()
        nbm.init(project="outage", name="r", dir=url, display=False, system_metrics=False)
        n, t0 = 0, time.monotonic()
        stopped = started = None
        while time.monotonic() - t0 < 15 + args.down:
            nbm.log({f"k{j}": float(n) for j in range(100)})
            n += 1
            if stopped is None and time.monotonic() - t0 > 5:
                pg.stop("fast")
                stopped = time.monotonic()
            if stopped is not None and started is None and time.monotonic() - stopped >= args.down:
                pg.start()
                started = time.monotonic()
            time.sleep(0.1)
        t = time.monotonic()
        nbm.finish(quiet=True)
        took = time.monotonic() - t
        h = nbm.get_run("r", dir=url).history()
        ok = h["_step"].tolist() == list(range(n)) and h["k7"].tolist() == [float(i) for i in range(n)]
        print(f"logged {n} steps x 100 keys; server down {started - stopped:.1f} s; finish() {took:.2f} s")
        print(f"stored {len(h)} steps; every point back: {ok}; state: {nbm.runs(dir=url)['state'].tolist()}")


if __name__ == "__main__":
    main()
