"""gdlab.sweep: the same numbers on every backend, failures recorded, nothing finished lost, resume."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import gdlab
from gdlab.store import Store
from gdlab.sweeps import GridError, expand, plan

ROOT = Path(__file__).resolve().parents[2]
GRID = {"function": ["rosenbrock", "rastrigin"], "optimizer": ["gd", "momentum", "adam"],
        "lr": {"log": [1e-4, 0.3, 4]}, "steps": 150, "seed": [0, 1], "starts": 2}


def rows(result):
    """The result rows as JSON text, without the run ids (which differ from store to store)."""
    data = result.to_dict()
    return json.dumps({"rows": [{k: v for k, v in r.items() if k != "run_id"} for r in data["rows"]],
                       "best": {k: {a: b for a, b in r.items() if a != "run_id"} for k, r in data["best"].items()}},
                      sort_keys=True)


@pytest.fixture(scope="module")
def local():
    return gdlab.sweep(GRID)


def test_grid_expands_to_the_product_per_optimizer():
    mode, tasks = expand({"function": "sphere", "optimizer": ["adam", "momentum"], "momentum": [0.5, 0.9],
                          "lr": "1e-3:1e-1:3", "seed": [0, 1]})
    assert mode == "objective"
    # adam has no momentum: 3 lrs x 2 seeds; momentum: 2 x 3 x 2
    assert len(tasks) == 6 + 12
    assert sorted({t["hyperparameters"]["lr"] for t in tasks}) == np.geomspace(1e-3, 1e-1, 3).tolist()
    assert all("momentum" not in t["hyperparameters"] for t in tasks if t["optimizer"] == "adam")


@pytest.mark.parametrize("grid, message", [
    ({"optimizer": "gd"}, "needs 'function'"),
    ({"function": "sphere", "starts": 3}, "give seed too"),
    ({"function": "sphere", "betas2": [1]}, "no optimizer of the grid has"),
    ({"function": "sphere", "lr": {"log": [0, 1, 3]}}, "ends > 0"),
    ({"function": "sphere", "steps": [0]}, "steps"),
    ({"dataset": "moons", "epochs": [0]}, "epochs"),
])
def test_bad_grids_say_what_is_wrong(grid, message):
    with pytest.raises(GridError, match=message):
        expand(grid)


def test_a_task_is_what_gdlab_minimize_gives_for_it_alone(local):
    """Tasks share one array program; each one's numbers are still gdlab.minimize's, bit for bit."""
    assert len(plan(local.tasks)) < len(local.tasks) / 5  # really vectorised
    for i in (0, 5, 17, len(local.tasks) - 1):
        task, mine = local.tasks[i], local.results[i]
        f = gdlab.functions.resolve_function(task["function"])
        rng = np.random.default_rng(task["seed"])
        X0 = f.bounds[:, 0] + (f.bounds[:, 1] - f.bounds[:, 0]) * rng.random((task["starts"], 2))
        ref = gdlab.minimize(f, X0, task["optimizer"], steps=task["steps"], seed=task["seed"], record=("loss",),
                             **task["hyperparameters"])
        np.testing.assert_array_equal(mine.loss, ref.loss)
        np.testing.assert_array_equal(mine.final, ref.final)
        np.testing.assert_array_equal(mine.lr, ref.lr)  # sent as one row per chunk, rebuilt per task
        assert mine.lr.shape == ref.lr.shape and mine.lr.flags.writeable
        assert mine.hyperparameters == ref.hyperparameters and mine.x0.tolist() == ref.x0.tolist()
        assert mine.config()["rerun"] is None


def test_best_setting_uses_tunes_scoring(local):
    best = local.best()
    for key, row in best.items():
        problem, optimizer = key.split(" / ")
        same = [r for r in local.rows if r["function"] == problem and r["optimizer"] == optimizer]
        assert row["score"] == min(r["score"] for r in same)
        assert row["status"] != "diverged"
    diverged = [r for r in local.rows if r["status"] == "diverged"]
    assert diverged and all(r["score"] == float("inf") for r in diverged)


def test_processes_give_the_same_json(local):
    assert rows(gdlab.sweep(GRID, "processes", workers=2)) == rows(local)


def test_dask_local_cluster_gives_the_same_json(local):
    before = dict(os.environ)
    assert rows(gdlab.sweep(GRID, "dask", cluster="local", workers=2)) == rows(local)
    assert dict(os.environ) == before  # distributed's nannies set MALLOC_TRIM_THRESHOLD_ etc. here; put back


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dask_scheduler_and_worker_processes_give_the_same_json(local, tmp_path):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    scheduler = subprocess.Popen(dask + ["--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                 env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", f"tcp://127.0.0.1:{port}",
                               "--nthreads", "1", "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"],
                              env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        from distributed import Client

        deadline = time.time() + 60
        while True:
            try:
                with Client(f"tcp://127.0.0.1:{port}", timeout="5s") as client:
                    client.wait_for_workers(1, timeout=30)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        result = gdlab.sweep(GRID, "dask", scheduler=f"tcp://127.0.0.1:{port}", store=tmp_path / "runs.db")
        assert rows(result) == rows(local)
    finally:
        for p in (worker, scheduler):
            os.kill(p.pid, signal.SIGTERM)
        for p in (worker, scheduler):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()


def test_a_raising_task_is_recorded_as_failed_and_the_rest_finish(tmp_path):
    store = Store(tmp_path / "runs.db")
    grid = {"function": "rosenbrock", "optimizer": "momentum", "momentum": [0.9, -1.0], "lr": [1e-4, 1e-3],
            "steps": 50}
    result = gdlab.sweep(grid, store=store)
    failed = [r for r in result.rows if r["status"] == "failed"]
    assert len(failed) == 2 and all(r["momentum"] == -1.0 and "momentum" in r["error"] for r in failed)
    assert result.done == 2 and store.count(status="failed") == 2 and store.count() == 4
    ok = [r for r in result.rows if r["status"] != "failed"]
    ref = gdlab.minimize("rosenbrock", None, "momentum", steps=50, lr=ok[0]["lr"], momentum=0.9)
    assert ok[0]["final_loss"] == ref.final_loss


def test_a_worker_killed_mid_sweep_loses_no_finished_result(tmp_path, monkeypatch, local):
    from gdlab.sweeps import backends

    pools, backend = [], []
    new_pool = backends.Processes._new_pool

    def recording(self):
        backend[:] = [self]
        pools.append(new_pool(self))
        return pools[-1]

    monkeypatch.setattr(backends.Processes, "_new_pool", recording)
    killed = []

    def progress(done, failed, total):
        if done and not killed:  # one chunk is stored: kill a worker that has a chunk in flight
            lanes = backend[0]
            busy = [k for k, futs in lanes._inflight.items() if any(not f.done() for f in futs)]
            if busy:
                pid = next(iter(lanes._lanes[busy[0]]._processes))
                os.kill(pid, signal.SIGKILL)
                killed.append((pid, done))

    # a chunk seen in flight may finish before the kill lands (then no pool breaks), or every chunk may be
    # done by the first report: the sweep is correct either way, and it is tried again until a kill broke a
    # pool (a few tries at most)
    for attempt in range(5):
        pools.clear()
        killed.clear()
        store = Store(tmp_path / f"runs{attempt}.db")
        result = gdlab.sweep(GRID, "processes", workers=2, store=store, progress=progress)
        assert result.failed == 0 and store.count(status="failed") == 0
        assert store.count() == len(result.tasks)
        assert rows(result) == rows(local)
        if killed and len(pools) >= 3:  # a new one-worker pool replaced the broken one of the two
            break
    else:
        pytest.fail("no kill of a busy worker broke its pool in 5 sweeps")


def test_ctrl_c_keeps_the_finished_tasks_and_resume_runs_only_the_rest(tmp_path, local):
    store = Store(tmp_path / "runs.db")
    seen = []

    def interrupt(done, failed, total):
        seen.append(done)
        if done >= 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        gdlab.sweep(GRID, store=store, progress=interrupt)
    kept = store.count()
    assert kept == seen[-1] and 0 < kept < len(local.tasks)
    again = gdlab.sweep(GRID, store=store, resume=True)
    assert again.skipped == kept and len(again.results) == len(local.tasks) - kept
    assert store.count() == len(local.tasks)
    assert rows(again) == rows(local)
    third = gdlab.sweep(GRID, store=store, resume=True)
    assert third.skipped == len(local.tasks) and not third.results and store.count() == len(local.tasks)


def test_training_grid_runs_the_recipe_the_same_everywhere(tmp_path):
    from gdlab.nn.recipe import TrainSpec, train

    grid = {"dataset": "moons", "data": {"n_samples": 80}, "model": "2-8-2", "optimizer": ["adam", "momentum"],
            "lr": [0.01, 0.1], "epochs": 3, "seed": 0}
    store = Store(tmp_path / "runs.db")
    result = gdlab.sweep(grid, store=store)
    assert len(result.rows) == 4 and result.failed == 0
    ref = train(TrainSpec.from_dict(result.tasks[1]["spec"]))
    assert result.rows[1]["val_loss"] == ref.history.history["val_loss"][-1]
    assert store.load(result.rows[1]["run_id"]).history == ref.history.history
    assert rows(gdlab.sweep(grid, "processes", workers=2)) == rows(result)
    assert rows(gdlab.sweep(grid, store=store, resume=True)) == rows(result)


def test_bad_backend_arguments():
    with pytest.raises(ValueError, match="backend must be one of"):
        gdlab.sweep(GRID, "threads")
    with pytest.raises(ValueError, match="workers must be"):
        gdlab.sweep(GRID, "processes", workers=0)
    with pytest.raises(ValueError, match="resume=True needs a store"):
        gdlab.sweep(GRID, resume=True)


def test_a_worker_killed_while_sending_its_result_does_not_hang_the_sweep(tmp_path):
    """concurrent.futures waits forever for the rest of a result whose sender died mid-message; the
    processes backend notices the dead worker and breaks the pool (without it this test hangs)."""
    from gdlab.sweeps.backends import Processes
    from tests.sweeps._big import big_result

    backend = Processes(1)
    try:
        marker = tmp_path / "sending"
        lane = backend._lanes[0]
        fut = lane.submit(big_result, str(marker), 160_000_000)
        fut.gdlab_pool = lane
        deadline = time.time() + 60
        while not marker.exists() and time.time() < deadline:
            time.sleep(0.001)
        time.sleep(0.25)  # into the transfer of the 160 MB (or before it: the pool breaks either way)
        os.kill(next(iter(lane._processes)), signal.SIGKILL)
        t0 = time.time()
        done, _ = backend.wait({fut})
        assert time.time() - t0 < 10
        status, message = backend.outcome(next(iter(done)))
        assert status == "error" and "died" in message
        task = {"function": "sphere", "optimizer": "gd", "hyperparameters": {"lr": 0.1}, "steps": 5, "seed": None,
                "x0": None, "starts": None, "options": {}}
        again = backend.submit([task])  # a new pool runs the next chunk
        assert backend.outcome(next(iter(backend.wait({again})[0])))[0] == "ok"
    finally:
        backend.close()


def _worker_pids(pool):
    from tests.sweeps._big import loaded

    return sorted(lane.submit(loaded, []).result(timeout=60)[1] for lane in pool._lanes)


def test_a_warm_pool_serves_several_sweeps_with_the_same_numbers(local):
    """A Processes object passed as backend= keeps its workers: a sweep stopped by Ctrl-C leaves them up,
    the next sweeps reuse them and give the same rows as the local backend."""
    from gdlab.sweeps import Processes

    def interrupt(done, failed, total):
        if done:
            raise KeyboardInterrupt

    with Processes(2) as pool:
        pids = _worker_pids(pool)
        with pytest.raises(KeyboardInterrupt):
            gdlab.sweep(GRID, backend=pool, progress=interrupt)
        first = gdlab.sweep(GRID, backend=pool)
        second = gdlab.sweep(GRID, backend=pool)
        assert rows(first) == rows(second) == rows(local)
        assert _worker_pids(pool) == pids  # the same two processes all along
        with pytest.raises(ValueError, match="backend object"):
            gdlab.sweep(GRID, backend=pool, workers=2)


def test_chunks_of_one_program_go_to_one_worker_unless_it_is_much_busier():
    import concurrent.futures as cf

    from gdlab.sweeps import Processes

    with Processes(2) as pool:
        home = pool._lane(("sphere", "gd"))
        pool._inflight[home] |= {cf.Future(), cf.Future()}  # two chunks of it in flight there, none elsewhere
        assert pool._lane(("sphere", "gd")) == home          # busier by 2: it keeps its program
        assert pool._lane(("sphere", "adam")) != home        # a new program goes to the least busy worker
        pool._inflight[home].add(cf.Future())
        assert pool._lane(("sphere", "gd")) != home          # busier by Processes.STEAL = 3: the other takes it
        task = {"function": "sphere", "optimizer": "gd", "hyperparameters": {"lr": 0.1}, "steps": 5, "seed": None,
                "x0": None, "starts": None, "options": {}}
        fut = pool.submit([task], ("sphere", "gd"))
        fut.result(timeout=60)
        status, value = pool.outcome(fut)
        assert status == "ok" and value.summaries[0]["final_loss"] == gdlab.minimize("sphere", None, "gd", steps=5,
                                                                                      lr=0.1).final_loss


def test_a_stolen_program_is_then_shared_by_both_lanes_and_a_new_worker_has_none():
    import concurrent.futures as cf

    from gdlab.sweeps import Processes

    with Processes(2) as pool:
        key = ("sphere", "gd")
        home = pool._lane(key)
        pool._inflight[home] |= {cf.Future() for _ in range(Processes.STEAL)}
        other = pool._lane(key)  # stolen: the other lane loads the program ...
        assert other != home and all(key in pool._keys[k] for k in (home, other))
        pool._inflight[other] |= {cf.Future() for _ in range(Processes.STEAL + 1)}
        assert pool._lane(key) == home  # ... and from then on the least busy of the two runs it
        pool._inflight[other] = set()
        pool._lanes[home]._broken = True
        pool._restart()  # a new worker has loaded nothing: the key stays with the lane that has it
        assert pool._keys[home] == set()
        assert pool._lane(key) == other


@pytest.mark.parametrize("sizes", [[1, 1, 1, 1], [3, 3], [2, 1, 3]])
def test_a_chunks_summaries_are_each_tasks_own(sizes):
    """rows_summaries computes all tasks of a chunk at once; each is what its rows alone give."""
    from gdlab.sweeps.summary import rows_summaries

    n = sum(sizes)
    status = np.array(["converged", "diverged", "max_steps", "converged", "converged", "max_steps"][:n])
    loss = np.array([0.5, np.inf, 2.0, np.nan, 0.25, 1.0][:n])
    together = rows_summaries(status, loss, sizes, 0.125)
    lo = 0
    for size, got in zip(sizes, together):
        s, f = status[lo:lo + size], loss[lo:lo + size]
        lo += size
        assert json.dumps(got) == json.dumps(rows_summaries(s, f, [size], 0.125)[0])  # NaN too
        bad = "diverged" in s or not np.all(np.isfinite(f))
        assert got["score"] == (float("inf") if bad else float(np.mean(f - 0.125)))
        assert got["status"] == (s[0] if len(set(s)) == 1 else "mixed")
        np.testing.assert_equal(got["final_loss"], f[np.isfinite(f)].min() if np.isfinite(f).any() else f[0])


@pytest.mark.parametrize("per_program", [1, 7, 100, 101, 250])
def test_the_plan_runs_every_task_once_in_order_and_alternates_programs(per_program, monkeypatch):
    from gdlab.sweeps import tasks as T

    monkeypatch.setattr(T, "CHUNK_TASKS", 50)
    grid = {"function": ["sphere", "rosenbrock"], "optimizer": ["gd", "adam"],
            "lr": {"log": [1e-3, 1e-1, per_program]}, "steps": 5}
    _, tasks = expand(grid)
    chunks = plan(tasks)
    assert sorted(i for c in chunks for i in c) == list(range(len(tasks)))
    keys = [T.route([tasks[i] for i in c]) for c in chunks]
    for c, key in zip(chunks, keys):
        assert len(c) <= 50 and all(T.route([tasks[i]]) == key for i in c)
    for key in set(keys):  # a program's tasks, chunk after chunk, in the grid's order
        mine = [i for c, k in zip(chunks, keys) if k == key for i in c]
        assert mine == sorted(mine)
    rounds = -(-per_program // 50)
    assert len(chunks) == 4 * rounds
    for r in range(rounds):  # the r-th chunk of every program, before any (r+1)-th
        assert len(set(keys[4 * r:4 * r + 4])) == 4


def test_the_workers_preload_stays_out_of_the_callers_process(tmp_path):
    """The forkserver preloads gdlab.sweeps._worker (numba started where the engine uses it); the process
    calling gdlab.sweep imports neither it nor numba, and its workers start with it loaded."""
    code = f"""
import sys, multiprocessing.forkserver as fs
sys.path.insert(0, {str(ROOT)!r})
import gdlab
from tests.sweeps._big import loaded
with gdlab.sweeps.Processes(1) as pool:
    r = gdlab.sweep({{"function": "sphere", "lr": [0.1, 0.2], "steps": 20}}, backend=pool)
    worker = pool._lanes[0].submit(loaded, ["gdlab.sweeps._worker", "gdlab.runs"]).result(timeout=60)[0]
print(r.done, "numba" in sys.modules, "gdlab.sweeps._worker" in sys.modules, worker,
      "gdlab.sweeps._worker" in fs._forkserver._preload_modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "False", "False", "['gdlab.sweeps._worker',", "'gdlab.runs']", "True"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_SETPIPE_SZ is Linux's")
def test_a_lanes_result_pipe_holds_a_whole_chunks_result():
    import fcntl

    from gdlab.sweeps import Processes
    from gdlab.sweeps.backends import RESULT_PIPE_BYTES

    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    with Processes(1) as pool:
        size = fcntl.fcntl(pool._lanes[0]._result_queue._reader.fileno(), fcntl.F_GETPIPE_SZ)
    if limit < RESULT_PIPE_BYTES:  # an unprivileged process gets no more than the system's limit
        pytest.skip(f"pipe-max-size is {limit}")
    assert size == RESULT_PIPE_BYTES


BIG = {"function": "rosenbrock", "optimizer": ["gd", "adam"], "lr": {"log": [1e-4, 0.1, 10]}, "steps": 500,
       "seed": [0, 1], "starts": 1}  # 2 chunks of 20 tasks: 80 kB of loss curves each, over SHARED_MIN_BYTES


def _same_results(a, b):
    assert rows(a) == rows(b) and sorted(a.results) == sorted(b.results) == list(range(len(a.tasks)))
    for i in a.results:
        ta, tb = a.results[i], b.results[i]
        for name in ("loss", "lr", "final", "final_loss", "x0", "status", "stopped_at"):
            x, y = np.asarray(getattr(ta, name)), np.asarray(getattr(tb, name))
            assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), (i, name)


def test_large_results_come_through_shared_memory_with_the_same_bits(monkeypatch):
    """A lane's chunk whose arrays are large is sent as a file in the pool's /dev/shm folder, mapped by the
    caller and removed at once: the same bytes as the local backend's, writeable, alive after the pool
    closed (the mapping outlives the folder); what a sweep left there (Ctrl-C) goes at close()."""
    from gdlab.sweeps import Processes, backends

    if not os.access("/dev/shm", os.W_OK):  # no /dev/shm here: the pipe carries them (the next test)
        pytest.skip("no writeable /dev/shm")
    sent = []
    load = backends._Shared.load
    monkeypatch.setattr(backends._Shared, "load", lambda self: sent.append(self.path) or load(self))
    local = gdlab.sweep(BIG)
    with Processes(2) as pool:
        folder = pool._folder
        assert os.path.isdir(folder) and folder.startswith("/dev/shm/")
        result = gdlab.sweep(BIG, backend=pool)
        assert len(sent) == 2 and os.listdir(folder) == []  # both chunks, each file removed once mapped

        def interrupt(done, failed, total):
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            gdlab.sweep(BIG, backend=pool, progress=interrupt)
    assert not os.path.exists(folder)
    _same_results(result, local)
    curve = result.results[0].loss
    assert curve.flags.writeable
    curve[0] = -1.0  # a private copy of the page: nothing else sees it
    assert result.results[0].loss[0] == -1.0 and gdlab.sweep(BIG).results[0].loss[0] != -1.0


def test_without_a_shared_folder_results_come_through_the_pipe(monkeypatch):
    """No /dev/shm (another platform) or a folder that is gone: the same results, inline."""
    from gdlab.sweeps import Processes, backends

    local = gdlab.sweep(BIG)
    monkeypatch.setattr(backends, "_shared_folder", lambda: None)
    _same_results(gdlab.sweep(BIG, "processes", workers=2), local)
    monkeypatch.undo()
    with Processes(1) as pool:
        if pool._folder is not None:
            os.rmdir(pool._folder)  # the worker's write fails: it sends the result itself
        _same_results(gdlab.sweep(BIG, backend=pool), local)


def test_a_nearly_full_shared_folder_is_left_alone(monkeypatch):
    """A result goes through /dev/shm only when SHARED_FREE_BYTES stay free after it (a container's small
    /dev/shm is left to the programs that need it): else through the pipe, with the same numbers."""
    from gdlab.sweeps import Processes, backends

    sent = []
    load = backends._Shared.load
    monkeypatch.setattr(backends._Shared, "load", lambda self: sent.append(self.path) or load(self))
    with Processes(1) as pool:
        pool._free = 1 << 62  # more than any /dev/shm has
        _same_results(gdlab.sweep(BIG, backend=pool), gdlab.sweep(BIG))
    assert sent == []


def test_a_pool_starts_its_workers_in_the_background_and_closes_at_once():
    """Processes(n) returns while its workers are being forked (a thread starts them); a close() right
    after waits for those starts and stops every worker (none left running, none started after)."""
    from gdlab.sweeps import Processes

    pool = Processes(2)
    starting = pool._starting
    pool.close()
    assert not starting.is_alive()
    assert all(lane._processes is None for lane in pool._lanes)  # concurrent.futures drops them once joined
    with Processes(2) as pool:
        assert sorted(set(_worker_pids(pool))) == _worker_pids(pool)  # two distinct workers answer
        assert len(_worker_pids(pool)) == 2


def test_a_result_whose_shared_file_is_gone_is_an_error_and_runs_again():
    """The file of a chunk's result removed before the caller read it: outcome says so (a task error, which
    the sweep retries), and the pool goes on."""
    from gdlab.sweeps import Processes, backends

    _, tasks = expand(BIG)
    chunk = [tasks[i] for i in plan(tasks)[0]]
    with Processes(1) as pool:
        if pool._folder is None:
            pytest.skip("no writeable /dev/shm")
        fut = pool.submit(chunk)
        done, _ = pool.wait({fut})
        shared = fut.result()
        assert isinstance(shared, backends._Shared)
        os.unlink(shared.path)
        status, message = pool.outcome(next(iter(done)))
        assert status == "error" and shared.path in message and "FileNotFoundError" in message
        again = pool.submit(chunk)
        assert pool.outcome(next(iter(pool.wait({again})[0])))[0] == "ok"
