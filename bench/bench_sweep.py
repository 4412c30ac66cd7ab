"""Sweep throughput per backend, beside direct gdlab.minimize calls, in one run.

    python bench/bench_sweep.py [--seeds 10] [--steps 500] [--direct 200] [--no-dask]

The grid of issue 16: Rosenbrock and Rastrigin x 5 optimizers (gd, momentum, rmsprop, adam,
nadam) x 20 learning rates (log-spaced 1e-5 .. 1) x 10 seeds, 500 steps, one random start per
task drawn from its seed: 2,000 tasks. Rows:

* direct: ``gdlab.minimize`` called once per task (the first ``--direct`` tasks, timed, scaled
  to the whole grid) - the floor a naive loop pays;
* local: ``gdlab.sweep(grid)``, this process (tasks sharing a function and an optimizer are
  one array program of up to 50 rows);
* local + store: the same, every task saved into a fresh run store;
* processes x1, x2: ``backend="processes"`` with 1 and 2 worker processes (pool start included);
* dask x2: a 2-worker ``LocalCluster`` (start-up included, and reported apart).

Columns: seconds, tasks/s, the per-task overhead over a direct call (negative: cheaper than a
direct call, thanks to vectorisation), and the speed-up of 2 workers over 1 (goal >= 1.7x).
The load average before and after says how busy the machine was.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import gdlab  # noqa: E402
from gdlab.store import Store  # noqa: E402
from gdlab.sweeps import expand  # noqa: E402
from gdlab.sweeps.tasks import run_task  # noqa: E402


def grid(seeds, steps):
    return {"function": ["rosenbrock", "rastrigin"], "optimizer": ["gd", "momentum", "rmsprop", "adam", "nadam"],
            "lr": {"log": [1e-5, 1.0, 20]}, "steps": steps, "seed": list(range(seeds)), "starts": 1}


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--direct", type=int, default=200, help="tasks timed as direct calls (scaled to the grid)")
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    g = grid(args.seeds, args.steps)
    _, tasks = expand(g)
    n = len(tasks)
    load0 = os.getloadavg()
    print(f"{n} tasks, {args.steps} steps; {os.cpu_count()} CPUs; load average before {load0[0]:.2f}")
    sample = tasks[:: max(1, n // args.direct)][: args.direct]
    t_direct, _ = timed(lambda: [run_task(t) for t in sample])
    per_direct = t_direct / len(sample)
    rows = [("direct (gdlab.minimize per task)", per_direct * n, None)]
    t, _ = timed(lambda: gdlab.sweep(g))
    rows.append(("local", t, None))
    with tempfile.TemporaryDirectory() as tmp:
        t, _ = timed(lambda: gdlab.sweep(g, store=Store(os.path.join(tmp, "runs.db"))))
    rows.append(("local + store", t, None))
    t1, _ = timed(lambda: gdlab.sweep(g, "processes", workers=1))
    rows.append(("processes x1", t1, None))
    t2, _ = timed(lambda: gdlab.sweep(g, "processes", workers=2))
    rows.append(("processes x2", t2, None))
    if not args.no_dask:
        import distributed

        ts, cluster = timed(lambda: distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                              dashboard_address=None, silence_logs=40))
        address = cluster.scheduler_address
        td, _ = timed(lambda: gdlab.sweep(g, "dask", scheduler=address))
        cluster.close()
        rows.append((f"dask x2 (LocalCluster; its start {ts:.2f} s not included)", td, None))
    print(f"{'backend':<58} {'seconds':>8} {'tasks/s':>9} {'overhead/task':>14}")
    for name, seconds, _ in rows:
        over = seconds / n - per_direct
        print(f"{name:<58} {seconds:8.2f} {n / seconds:9.0f} {over * 1e3:+11.3f} ms")
    print(f"speed-up of 2 worker processes over 1: {t1 / t2:.2f}x (goal >= 1.7x)")
    print(f"load average after {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min)")
    assert np.isfinite(per_direct)


if __name__ == "__main__":
    main()
