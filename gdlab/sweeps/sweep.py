"""``gdlab.sweep(grid, backend=...)``: expand the grid, run the chunks on a backend, store the tasks, score them."""

from __future__ import annotations

import math
import time

import numpy as np

from .backends import make_backend
from .grid import expand, grid_values
from .tasks import plan, task_function

__all__ = ["sweep", "GridResult", "KEEP_RESULTS"]

#: GridResult.results keeps the arrays of the tasks whose index is below this (rows are kept for every
#: task; with a store every task's arrays are in the store): 10,000 tasks of 500 steps are 40 MB of loss curves
KEEP_RESULTS = 10_000


def _finite_or_none(v):
    return None if v is None or not math.isfinite(v) else float(v)


def _common(statuses):
    s = set(np.asarray(statuses).ravel().tolist())
    return s.pop() if len(s) == 1 else "mixed"


def _best_finite(values):
    a = np.asarray(values, dtype=np.float64).ravel()
    finite = a[np.isfinite(a)]
    return float(finite.min()) if finite.size else float(a[0])


def objective_summary(traj, f):
    """status, final_loss (the smallest finite over starts, as the store lists it) and score: the
    final loss minus the known minimum, the mean over starts, +inf when any start diverged (gdlab.tune's)."""
    status = traj.status if traj.single else _common(traj.status)
    fl = np.asarray(traj.final_loss, dtype=np.float64)
    ref = f.minimum_value if f.minimum_value is not None else 0.0
    diverged = np.any(np.asarray(traj.status) == "diverged") or not np.all(np.isfinite(fl))
    score = math.inf if diverged else float(np.mean(fl - ref))
    return {"status": status, "final_loss": _best_finite(fl), "score": score}


def train_summary(history):
    """status, the last epoch's metrics, and score: val_loss (else loss), +inf when not finite."""
    metrics = {k: float(v[-1]) for k, v in history.history.items() if len(v)}
    loss = metrics.get("loss")
    asked = (history.params or {}).get("epochs")
    if loss is not None and not math.isfinite(loss):
        status = "diverged"
    elif isinstance(asked, int) and len(history.epochs) < asked:
        status = "stopped"
    else:
        status = "completed"
    score = metrics.get("val_loss", loss)
    score = math.inf if score is None or not math.isfinite(score) else score
    return {"status": status, "final_loss": loss, "score": score, **{k: v for k, v in metrics.items() if k != "loss"}}


def _describe(task):
    """The row's description of a task: flat keys (function/dataset, optimizer, hyperparameters, ...)."""
    if "spec" in task:
        s = task["spec"]
        row = {"dataset": s["dataset"], "model": s["model"], "optimizer": s["optimizer"], "lr": s["lr"],
               **s["optimizer_params"], "batch_size": s["batch_size"], "epochs": s["epochs"], "seed": s["seed"]}
        return row
    row = {"function": task["function"], "optimizer": task["optimizer"], **task["hyperparameters"],
           "steps": task["steps"], "seed": task["seed"]}
    if task.get("starts") is not None:
        row["starts"] = task["starts"]
    if task.get("x0") is not None:
        row["x0"] = task["x0"]
    row.update(task.get("options", {}))
    return row


class GridResult:
    """What :func:`sweep` returns.

    ``rows``: one dict per task, in the grid's order: the task's settings (function or dataset,
    optimizer, hyperparameters, steps or epochs, seed, ...), then ``status`` ("failed" with
    ``error`` for a task that failed twice), ``final_loss``, ``score`` (lower is better; +inf
    diverged; see ``objective_summary``/``train_summary``), the final metrics of a training,
    and ``run_id`` when stored. ``results``: task index -> its Trajectory or History, for the
    tasks run now (not for those ``resume`` skipped). ``best()``: the best row per
    (function or dataset, optimizer). ``mode``, ``tasks``, ``group``, ``done``, ``failed``,
    ``skipped``, ``wall_time``, ``backend``.
    """

    def __init__(self, mode, tasks, rows, results, group, skipped, wall_time, backend):
        self.mode = mode
        self.tasks = tasks
        self.rows = rows
        self.results = results
        self.group = group
        self.skipped = skipped
        self.wall_time = wall_time
        self.backend = backend
        self.failed = sum(1 for r in rows if r["status"] == "failed")
        self.done = len(rows) - self.failed

    def __repr__(self):
        return (f"<GridResult {self.mode}: {len(self.rows)} tasks, {self.failed} failed, {self.skipped} resumed, "
                f"{self.wall_time:.3g} s on {self.backend}>")

    def best(self) -> dict:
        """``{"problem / optimizer": row}``: the lowest score per problem and optimizer (ties: the first
        in the grid's order); a pair whose every task diverged or failed is missing."""
        out = {}
        for row in self.rows:
            score = row.get("score")
            if score is None or not math.isfinite(score):
                continue
            key = f"{row.get('function', row.get('dataset'))} / {row['optimizer']}"
            if key not in out or score < out[key]["score"]:
                out[key] = row
        return out

    def to_dict(self) -> dict:
        """JSON-friendly (non-finite numbers as None): mode, counts, rows, best."""
        from .._plain import plain as _plain

        return {"kind": "sweep", "mode": self.mode, "group": self.group, "tasks": len(self.rows),
                "done": self.done, "failed": self.failed, "skipped": self.skipped,
                "rows": [_plain(r) for r in self.rows], "best": _plain(self.best())}


def _record_row(task, record):
    """A row from a stored run (a task that ``resume`` skipped)."""
    row = _describe(task)
    if "spec" in task:
        metrics = dict(record.metrics)
        loss = metrics.pop("loss", None)
        metrics.pop("epochs_trained", None)
        metrics.pop("updates", None)
        score = metrics.get("val_loss", loss)
        score = math.inf if score is None or not math.isfinite(score) else score
        row.update({"status": record.status, "final_loss": loss, "score": score, **metrics})
    else:
        score = record.tags.get("score")
        row.update({"status": record.status, "final_loss": record.final_loss,
                    "score": math.inf if score is None else float(score)})
    row["run_id"] = record.id
    return row


def _save(store, group, task, result, summary, functions_cache):
    score = _finite_or_none(summary["score"])
    if "spec" in task:
        return store.save(result, config=task["spec"], group=group, task=task, score=score)
    name = task["function"]
    if name not in functions_cache:
        functions_cache[name] = task_function(task)
    result.function = functions_cache[name]
    return store.save(result, kind="sweep_task", group=group, task=task, score=score)


def sweep(grid, backend="local", *, workers=None, scheduler=None, cluster=None, store=None, resume=False,
          name="sweep", progress=None) -> GridResult:
    """Run every task of a grid; store each one; return the rows and the best setting per optimizer.

    >>> result = gdlab.sweep({"function": ["rosenbrock", "rastrigin"], "optimizer": ["gd", "adam"],
    ...                       "lr": {"log": [1e-4, 1e-1, 10]}, "steps": 500, "seed": range(3), "starts": 1})
    >>> result.best()["rosenbrock / adam"]["lr"]

    ``grid``: see :mod:`gdlab.sweeps.grid` (objective functions with ``function``, trainings
    with ``dataset``). ``backend``: "local" (this process; tasks sharing a function and an
    optimizer run as one array program), "processes" (``workers`` processes) or "dask"
    (``scheduler="tcp://host:8786"`` for a running cluster, or ``workers`` processes of a
    LocalCluster started for the sweep). The numbers do not depend on the backend.

    ``store``: a :class:`gdlab.store.Store` (or a path) that keeps every task as it finishes,
    in a group named ``name`` with the grid as its configuration; None keeps nothing.
    ``resume``: skip the tasks the store already holds (same task, not failed), reading their
    rows from the store. A task that raises, or whose worker dies, is run again once (alone),
    then recorded as failed with its error; the others go on. Ctrl-C stops: finished tasks stay
    in the store (``resume=True`` goes on from there) and KeyboardInterrupt is raised again.
    ``progress(done, failed, total)``: called after each chunk.
    """
    mode, tasks = expand(grid)
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be None or a callable(done, failed, total), got {progress!r}")
    if store is not None and not hasattr(store, "save"):
        from ..store import Store

        store = Store(store)
    if resume and store is None:
        raise ValueError("resume=True needs a store (the tasks already done are looked up there)")
    runner = make_backend(backend, workers=workers, scheduler=scheduler, cluster=cluster)
    t0 = time.perf_counter()
    group = None
    rows = [None] * len(tasks)
    results = {}
    todo = list(range(len(tasks)))
    try:
        if store is not None:
            values = {k: grid_values(k, v) for k, v in grid.items()}  # ranges spelled out: plain JSON
            group = store.group(name, {"mode": mode, "grid": values})
            if resume:
                todo = []
                for i, task in enumerate(tasks):
                    run_id = store.has(task)
                    if run_id is None:
                        todo.append(i)
                    else:
                        rows[i] = _record_row(task, store.info(run_id))
        skipped = len(tasks) - len(todo)
        _run(runner, tasks, todo, rows, results, store, group, progress, skipped)
    except BaseException:  # Ctrl-C (or an error of the caller's progress hook): stop the workers, keep what is stored
        runner.close(cancel=True)
        raise
    runner.close()
    return GridResult(mode, tasks, rows, results, group, skipped, time.perf_counter() - t0, runner.name)


def _run(runner, tasks, todo, rows, results, store, group, progress, skipped):
    queue = [(chunk, 1) for chunk in plan(tasks, todo)]
    queue.reverse()  # pop() takes the next chunk in order
    inflight = {}
    done = failed = 0
    total = len(tasks)
    cache = {}
    if progress is not None:
        progress(skipped, 0, total)
    while queue or inflight:
        while queue and len(inflight) < runner.window:
            chunk, attempt = queue.pop()
            inflight[runner.submit([tasks[i] for i in chunk])] = (chunk, attempt)
        finished, _ = runner.wait(set(inflight))
        for fut in finished:
            chunk, attempt = inflight.pop(fut)
            status, value = runner.outcome(fut)
            if status == "error":
                if len(chunk) > 1 or attempt == 1:  # once more, each task alone
                    queue.extend(([i], 2) for i in reversed(chunk))
                    continue
                i = chunk[0]
                rows[i] = {**_describe(tasks[i]), "status": "failed", "error": value, "final_loss": None,
                           "score": math.inf}
                if store is not None:
                    rows[i]["run_id"] = store.save_failed(tasks[i], value, group=group,
                                                          kind="train" if "spec" in tasks[i] else "sweep_task")
                failed += 1
            else:
                chunk_results, _seconds = value
                entries = []
                for i, result in zip(chunk, chunk_results):
                    task = tasks[i]
                    if "spec" in task:
                        summary = train_summary(result)
                    else:
                        if task["function"] not in cache:
                            cache[task["function"]] = task_function(task)
                        summary = objective_summary(result, cache[task["function"]])
                    entries.append((i, task, result, summary))
                if store is not None:
                    with store.batch():
                        ids = [_save(store, group, task, result, summary, cache)
                               for i, task, result, summary in entries]
                else:
                    ids = [None] * len(entries)
                for (i, task, result, summary), run_id in zip(entries, ids):
                    if "spec" not in task:
                        result.function = cache[task["function"]]
                    if i < KEEP_RESULTS:
                        results[i] = result
                    rows[i] = {**_describe(task), **summary}
                    if run_id is not None:
                        rows[i]["run_id"] = run_id
                done += len(entries)
            if progress is not None:
                progress(skipped + done, failed, total)
