"""Sweep throughput per backend, beside direct gdlab.minimize calls, in one run.

    python bench/bench_sweep.py [--seeds 10] [--steps 500] [--direct 200] [--rounds 3] [--engine numpy]
                                [--no-dask] [--no-cold] [--chunk-tasks 100] [--block 10]

The grid of issue 16: Rosenbrock and Rastrigin x 5 optimizers (gd, momentum, rmsprop, adam,
nadam) x 20 learning rates (log-spaced 1e-5 .. 1) x 10 seeds, 500 steps, one random start per
task drawn from its seed: 2,000 tasks. Rows:

* direct: ``gdlab.minimize`` called once per task (the first ``--direct`` tasks, timed, scaled
  to the whole grid) - the floor a naive loop pays;
* local: ``gdlab.sweep(grid)``, this process (tasks sharing a function and an optimizer are
  one array program of up to 100 rows);
* local + store: the same, every task saved into a fresh run store;
* processes x1, x2, cold: ``backend="processes"`` as the first sweep of a fresh Python process
  (``gdlab sweep --backend processes`` does this): the forkserver's start, its preload of
  gdlab.sweeps._worker (gdlab's runs, numba) and the pool's start included; each in its own
  process, the sweep call timed;
* processes x1, x2, new pool: ``backend="processes"`` in this process, whose forkserver is
  already up (a second ``gdlab.sweep`` call in a notebook): the pool's start included (timed as
  ``Processes(n)``, the sweep and ``close()``, which is what ``backend="processes"`` does, so that
  the workers' CPU can be read before they exit); ``--rounds`` rounds, x1 and x2 alternating, the
  median (and the range);
* processes x1, x2, warm pool: a ``gdlab.sweeps.Processes(n)`` made once and passed as
  ``backend=`` to each sweep (after one sweep that warms it); ``--rounds`` rounds, x1 and x2
  alternating (x1 first in even rounds, x2 first in odd ones), each round ``--block`` sweeps back
  to back (default 10: one sweep of this grid is ~40 ms, where the scheduler's noise on a shared
  machine is of the same size), the median of the rounds' means per sweep (and the range);
* dask x2: a 2-worker ``LocalCluster`` (start-up included, and reported apart).

The pool rows give the CPU seconds per sweep of the calling process (``time.process_time``, its
threads included: median of the rounds) and of each worker (``/proc/PID/stat``, Linux; summed over
the rounds, divided by them): on a machine with as many cores as workers, the caller's CPU is
taken from the workers, so these add up whatever the load, where wall times do not.

Columns: seconds, tasks/s, the per-task overhead over a direct call (negative: cheaper than a
direct call, thanks to vectorisation); then the speed-up of 2 workers over 1 for each kind of
start (goal >= 1.7x), from the medians, with the range of the per-round ratios. ``--engine numpy`` sets GDLAB_ENGINE=numpy for the whole run (this process,
its workers and the cold processes). The load average before and after says how busy the machine was.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def grid(seeds, steps):
    return {"function": ["rosenbrock", "rastrigin"], "optimizer": ["gd", "momentum", "rmsprop", "adam", "nadam"],
            "lr": {"log": [1e-5, 1.0, 20]}, "steps": steps, "seed": list(range(seeds)), "starts": 1}


def median(xs):
    return statistics.median(xs)


def spread(xs):
    return f"median of {len(xs)}, {min(xs):.3f}..{max(xs):.3f}" if len(xs) > 1 else "1 run"


def worker_cpu(pool):
    """CPU seconds so far of each worker process of a gdlab.sweeps.Processes (Linux /proc; [] elsewhere)."""
    out = []
    for lane in pool._lanes:
        for proc in list((lane._processes or {}).values()):
            try:
                with open(f"/proc/{proc.pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                return []
            out.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    return out


def cpu_note(caller, workers, rounds):
    """'caller CPU 0.012 s, workers 0.021 + 0.022 s': the caller's median, each worker's sum / rounds."""
    text = f"caller CPU {median(caller):.3f} s"
    if workers and all(len(w) == len(workers[0]) for w in workers):
        per = [sum(w[k] for w in workers) / rounds for k in range(len(workers[0]))]
        text += ", workers " + " + ".join(f"{x:.3f}" for x in per) + " s"
    return text


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def chunk_tasks(n):
    """Set gdlab.sweeps.tasks.CHUNK_TASKS (the plan reads it, in the calling process) when n is given."""
    if n is not None:
        import gdlab.sweeps.tasks

        gdlab.sweeps.tasks.CHUNK_TASKS = n


def cold_one(workers, seeds, steps):
    """The first sweep of this (fresh) process on `workers` processes; prints its seconds."""
    import gdlab

    g = grid(seeds, steps)
    t, _ = timed(lambda: gdlab.sweep(g, "processes", workers=workers))
    print(f"{t:.6f}")


def cold(workers, args):
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    extra = ["--chunk-tasks", str(args.chunk_tasks)] if args.chunk_tasks is not None else []
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--cold-one", str(workers), "--seeds",
                          str(args.seeds), "--steps", str(args.steps), *extra], env=env, check=True,
                         capture_output=True, text=True, timeout=600)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--direct", type=int, default=200, help="tasks timed as direct calls (scaled to the grid)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds of the new- and warm-pool sweeps (median reported)")
    ap.add_argument("--engine", choices=("auto", "numpy", "numba"), default=None,
                    help="GDLAB_ENGINE for this run and its worker processes")
    ap.add_argument("--block", type=int, default=10,
                    help="warm-pool sweeps per round, back to back (each round's figure: their mean per sweep)")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--no-cold", action="store_true", help="skip the two fresh-process sweeps")
    ap.add_argument("--chunk-tasks", type=int, default=None,
                    help="at most this many tasks per chunk (gdlab.sweeps.tasks.CHUNK_TASKS; default: gdlab's)")
    ap.add_argument("--cold-one", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.engine:
        os.environ["GDLAB_ENGINE"] = args.engine
    chunk_tasks(args.chunk_tasks)
    if args.cold_one is not None:
        return cold_one(args.cold_one, args.seeds, args.steps)

    import numpy as np

    import gdlab
    from gdlab.store import Store
    from gdlab.sweeps import Processes, expand
    from gdlab.sweeps.tasks import run_task

    g = grid(args.seeds, args.steps)
    _, tasks = expand(g)
    n = len(tasks)
    load0 = os.getloadavg()
    from gdlab.sweeps.tasks import CHUNK_TASKS

    print(f"{n} tasks, {args.steps} steps; {os.cpu_count()} CPUs; GDLAB_ENGINE={os.environ.get('GDLAB_ENGINE', '')!r}; "
          f"chunks of at most {CHUNK_TASKS} tasks; load average before {load0[0]:.2f}")
    rows, speedups = [], []
    if not args.no_cold:  # first, while this process has started no worker of its own
        c1, c2 = cold(1, args), cold(2, args)
        rows += [("processes x1, cold (fresh process: forkserver + pool start)", c1),
                 ("processes x2, cold", c2)]
        speedups.append(("cold (first sweep of a fresh process)", c1, c2))
    sample = tasks[:: max(1, n // args.direct)][: args.direct]
    t_direct, _ = timed(lambda: [run_task(t) for t in sample])
    per_direct = t_direct / len(sample)
    rows.insert(0, ("direct (gdlab.minimize per task)", per_direct * n))
    t, _ = timed(lambda: gdlab.sweep(g))
    rows.append(("local", t))
    with tempfile.TemporaryDirectory() as tmp:
        t, _ = timed(lambda: gdlab.sweep(g, store=Store(os.path.join(tmp, "runs.db"))))
    rows.append(("local + store", t))
    tf, _ = timed(lambda: Processes(1).close())  # this process's forkserver starts (once) here
    new, new_caller, new_workers = {1: [], 2: []}, {1: [], 2: []}, {1: [], 2: []}

    def new_pool(w):
        pool = Processes(w)
        gdlab.sweep(g, backend=pool)
        new_workers[w].append(worker_cpu(pool))  # the whole life of the workers: a fresh pool's
        pool.close()

    for _ in range(args.rounds):
        for w in (1, 2):
            c0 = time.process_time()
            new[w].append(timed(lambda: new_pool(w))[0])
            new_caller[w].append(time.process_time() - c0)
    rows += [(f"processes x1, new pool (forkserver up: its start {tf:.2f} s apart; {spread(new[1])}; "
              f"{cpu_note(new_caller[1], new_workers[1], args.rounds)})", median(new[1])),
             (f"processes x2, new pool ({spread(new[2])}; {cpu_note(new_caller[2], new_workers[2], args.rounds)})",
              median(new[2]))]
    speedups.append(("new pool (forkserver already up)", new[1], new[2]))
    warm, caller, workers = {1: [], 2: []}, {1: [], 2: []}, {1: [], 2: []}
    with Processes(1) as p1, Processes(2) as p2:
        pools = {1: p1, 2: p2}
        for pool in pools.values():
            gdlab.sweep(g, backend=pool)
        block = max(1, args.block)
        for r in range(args.rounds):
            for w in ((1, 2) if r % 2 == 0 else (2, 1)):  # alternating order
                pool = pools[w]
                w0 = worker_cpu(pool)
                c0 = time.process_time()
                t, _ = timed(lambda: [gdlab.sweep(g, backend=pool) for _ in range(block)])
                warm[w].append(t / block)
                caller[w].append((time.process_time() - c0) / block)
                workers[w].append([(b - a) / block for a, b in zip(w0, worker_cpu(pool))])
    rows += [(f"processes x1, warm pool ({spread(warm[1])}; {cpu_note(caller[1], workers[1], args.rounds)})",
              median(warm[1])),
             (f"processes x2, warm pool ({spread(warm[2])}; {cpu_note(caller[2], workers[2], args.rounds)})",
              median(warm[2]))]
    speedups.append(("warm pool (Processes object reused)", warm[1], warm[2]))
    if not args.no_dask:
        import distributed

        ts, cluster = timed(lambda: distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                              dashboard_address=None, silence_logs=40))
        address = cluster.scheduler_address
        td, _ = timed(lambda: gdlab.sweep(g, "dask", scheduler=address))
        cluster.close()
        rows.append((f"dask x2 (LocalCluster; its start {ts:.2f} s not included)", td))
    print(f"{'backend':<132} {'seconds':>8} {'tasks/s':>9} {'overhead/task':>14}")
    for name, seconds in rows:
        over = seconds / n - per_direct
        print(f"{name:<132} {seconds:8.3f} {n / seconds:9.0f} {over * 1e3:+11.3f} ms")
    for name, a, b in speedups:
        a, b = (a, b) if isinstance(a, list) else ([a], [b])
        ratios = [x / y for x, y in zip(a, b)]
        rng = f" (rounds {min(ratios):.2f}..{max(ratios):.2f})" if len(ratios) > 1 else ""
        print(f"speed-up of 2 worker processes over 1, {name}: {median(a) / median(b):.2f}x{rng} (goal >= 1.7x)")
    print(f"load average after {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min)")
    assert np.isfinite(per_direct)


if __name__ == "__main__":
    main()
