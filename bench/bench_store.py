"""Run store write and read throughput, beside raw SQLite and one .npz file per run.

    python bench/bench_store.py [--runs 2000] [--rounds 3]

A "small run" is ``gdlab.minimize("rosenbrock", x0, "adam", lr=0.01, steps=20)`` with the
default recording (params, loss, grad, grad_norm, lr and Adam's two state arrays: 21 steps,
about 3 KB of arrays). Each round, in a fresh store file in a temporary folder:

* ``Store.save`` in one batch: ``store.save_many(runs)`` (one transaction);
* ``Store.save``, one transaction per run;
* ``Store.load`` of every run;
* what that costs without the database: building the stored form of every run (config JSON,
  metrics, .npz blob), nothing written;
* raw sqlite3, the floor: the same rows (id, the config and metrics texts, the blob) inserted
  with ``executemany`` in one transaction into the same tables, prepared beforehand;
* one ``.npz`` file per run (np.savez of the same arrays), the way to keep runs without a store.

Rows give runs per second (median over rounds) and the ratio to the raw SQLite insert.
The goal of issue 16: at least 2,000 small runs/s in one batch.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import gdlab  # noqa: E402
from gdlab.store import Store  # noqa: E402
from gdlab.store import _codec, _kinds  # noqa: E402


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def one_round(runs, folder, k):
    n = len(runs)
    out = {}
    store = Store(os.path.join(folder, f"batch{k}.db"))
    out["Store.save_many (one transaction)"] = timed(lambda: store.save_many(runs))
    ids = [r.id for r in store.runs(limit=None)]
    out["Store.load"] = timed(lambda: [store.load(i) for i in ids])
    store.close()

    single = Store(os.path.join(folder, f"single{k}.db"))
    out["Store.save (a transaction per run)"] = timed(lambda: [single.save(t) for t in runs])
    single.close()

    def build():
        for t in runs:
            e = _kinds.entry(t, spec_of=store._spec_of)
            _codec.config_hash(e.config)
            _codec.dumps(e.config), _codec.dumps(e.metrics), _codec.pack(e.arrays, e.meta)

    out["stored form only (no database)"] = timed(build)

    prepared = []
    for t in runs:
        e = _kinds.entry(t, spec_of=store._spec_of)
        prepared.append((os.urandom(4).hex(), _codec.dumps(e.config), _codec.dumps(e.metrics),
                         _codec.pack(e.arrays, e.meta), _codec.config_hash(e.config)))
    raw_path = os.path.join(folder, f"raw{k}.db")
    Store(raw_path).close()  # the same schema, WAL mode
    conn = sqlite3.connect(raw_path, isolation_level=None)
    conn.execute("PRAGMA synchronous = NORMAL")

    def raw():
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO runs (id, kind, created, version, status, config_hash, config, metrics) "
                         "VALUES (?, 'minimize', '2025-01-01', '0', 'max_steps', ?, ?, ?)",
                         [(i, h, c, m) for i, c, m, _b, h in prepared])
        conn.executemany("INSERT INTO arrays (run_id, npz) VALUES (?, ?)", [(i, b) for i, _c, _m, b, _h in prepared])
        conn.execute("COMMIT")

    out["raw sqlite3 executemany (the floor)"] = timed(raw)
    conn.close()

    npz_dir = os.path.join(folder, f"npz{k}")
    os.makedirs(npz_dir)

    def files():
        for j, t in enumerate(runs):
            np.savez(os.path.join(npz_dir, f"{j}.npz"), params=t.params, loss=t.loss, grad=t.grad,
                     grad_norm=t.grad_norm, lr=t.lr, **{f"state_{k}": v for k, v in t.state.items()})

    out["one .npz file per run (np.savez)"] = timed(files)
    return {name: n / s for name, s in out.items()}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2000, help="small runs per round")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    f = gdlab.functions.get("rosenbrock")  # one Function object, as in a sweep
    runs = [gdlab.minimize(f, rng.uniform(-2, 2, 2), "adam", lr=0.01, steps=20) for _ in range(args.runs)]
    blob = _codec.pack(_kinds.entry(runs[0]).arrays, _kinds.entry(runs[0]).meta)
    print(f"{args.runs} small runs (Rosenbrock, Adam, 20 steps; {len(blob):,} bytes of .npz each), "
          f"{args.rounds} rounds, median runs/s")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for k in range(args.rounds):
            results.append(one_round(runs, folder, k))
    floor = statistics.median(r["raw sqlite3 executemany (the floor)"] for r in results)
    print("\n| operation | runs/s | / raw SQLite insert |\n|---|---:|---:|")
    for name in results[0]:
        v = statistics.median(r[name] for r in results)
        print(f"| {name} | {v:,.0f} | {v / floor:.2f} |")


if __name__ == "__main__":
    main()
