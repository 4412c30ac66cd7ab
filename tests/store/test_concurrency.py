"""8 processes x 200 saves into one file at the same moment: no row lost, nothing corrupt."""

import multiprocessing as mp
import sqlite3

import pytest

import gdlab
from gdlab.store import Store

WORKERS, SAVES = 8, 200


def _worker(path, k, barrier, out):
    t = gdlab.minimize("rosenbrock", [float(k), 1.0], "adam", lr=0.01, steps=10)
    store = Store(path)
    barrier.wait(timeout=60)  # every process starts saving at once
    out.put((k, [store.save(t, worker=k, i=i) for i in range(SAVES)]))
    store.close()


def test_eight_processes_saving_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "runs.db")
    Store(path).close()
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    barrier, out = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(path, k, barrier, out)) for k in range(WORKERS)]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    ids = [i for k in range(WORKERS) for i in results[k]]
    assert len(ids) == WORKERS * SAVES == len(set(ids))

    store = Store(path)
    rows = store.runs(limit=None)
    assert {r.id for r in rows} == set(ids)
    assert sorted((r.tags["worker"], r.tags["i"]) for r in rows) == [(k, i) for k in range(WORKERS)
                                                                     for i in range(SAVES)]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM arrays").fetchone()[0] == WORKERS * SAVES
    for k in range(WORKERS):  # the arrays of each worker's first and last save are intact
        for run_id in (results[k][0], results[k][-1]):
            assert store.load(run_id).params[0].tolist() == [float(k), 1.0]


def _save_with_parents_store(store, k, out):
    out.put([store.save(gdlab.minimize("square", float(k), "gd", lr=0.1, steps=3), child=k) for _ in range(20)])


def test_a_store_opened_before_fork_works_in_the_children(tmp_path):
    if "fork" not in mp.get_all_start_methods():
        pytest.skip("this platform cannot fork: a child inherits no store")
    ctx = mp.get_context("fork")
    store = Store(tmp_path / "runs.db")
    first = store.save(gdlab.minimize("square", 1.0, "gd", lr=0.1, steps=3))  # the parent's connection is open
    out = ctx.Queue()
    procs = [ctx.Process(target=_save_with_parents_store, args=(store, k, out)) for k in range(3)]
    for p in procs:
        p.start()
    ids = [i for _ in procs for i in out.get(timeout=60)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    store.save(gdlab.minimize("square", 2.0, "gd", lr=0.1, steps=3))  # and the parent's still works
    assert store.count() == 62 and {r.id for r in store.runs(limit=None)} >= {first, *ids}
