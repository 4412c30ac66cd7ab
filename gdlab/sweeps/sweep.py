"""``gdlab.sweep(grid, backend=...)``: expand the grid, run the chunks on a backend, store the tasks, score them."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from .backends import is_backend, make_backend
from .grid import expand, grid_values
from .tasks import plan, route, task_function

__all__ = ["sweep", "GridResult", "KEEP_RESULTS"]

#: GridResult.results keeps the arrays of the tasks whose index is below this (rows are kept for every
#: task; with a store every task's arrays are in the store): 10,000 tasks of 500 steps are 40 MB of loss curves
KEEP_RESULTS = 10_000


def _finite_or_none(v):
    return None if v is None or not math.isfinite(v) else float(v)


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
    diverged; see :mod:`gdlab.sweeps.summary`, computed where the task ran), the final metrics
    of a training, and ``run_id`` when stored; built when first read (the sweep keeps each
    task's outcome, and the settings are the task's). ``results``: a mapping task index -> its
    Trajectory or History, for the tasks run now (not for those ``resume`` skipped; the first
    KEEP_RESULTS tasks), each built from its chunk's arrays when first read. ``best()``: the best row per
    (function or dataset, optimizer). ``mode``, ``tasks``, ``group``, ``done``, ``failed``,
    ``skipped``, ``wall_time``, ``backend``.
    """

    def __init__(self, mode, tasks, outcomes, results, group, skipped, wall_time, backend):
        self.mode = mode
        self.tasks = tasks
        self._outcomes = outcomes  # per task: status, final_loss, score, ... (a row without the settings)
        self._rows = None
        self.results = results
        self.group = group
        self.skipped = skipped
        self.wall_time = wall_time
        self.backend = backend
        self.failed = sum(1 for o in outcomes if o["status"] == "failed")
        self.done = len(outcomes) - self.failed

    @property
    def rows(self) -> list:
        if self._rows is None:
            self._rows = [{**_describe(task), **outcome} for task, outcome in zip(self.tasks, self._outcomes)]
        return self._rows

    def __repr__(self):
        return (f"<GridResult {self.mode}: {len(self._outcomes)} tasks, {self.failed} failed, {self.skipped} resumed, "
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


def _record_outcome(task, record):
    """A row's outcome from a stored run (a task that ``resume`` skipped)."""
    if "spec" in task:
        metrics = dict(record.metrics)
        loss = metrics.pop("loss", None)
        metrics.pop("epochs_trained", None)
        metrics.pop("updates", None)
        score = metrics.get("val_loss", loss)
        score = math.inf if score is None or not math.isfinite(score) else score
        return {"status": record.status, "final_loss": loss, "score": score, **metrics, "run_id": record.id}
    score = record.tags.get("score")
    return {"status": record.status, "final_loss": record.final_loss, "score": math.inf if score is None else float(score),
            "run_id": record.id}


class _Results(Mapping):
    """GridResult.results: task index -> its Trajectory (with its function) or History, each built
    from its chunk's result the first time it is read (a sweep's caller often wants the rows only)."""

    def __init__(self, tasks):
        self._tasks = tasks
        self._where = {}      # index -> its ChunkResult ...
        self._pos = {}        # ... and its position in it (two dicts: no tuple per task for the GC to count)
        self._built = {}      # index -> the result, once built
        self._functions = {}  # function name -> Function, resolved once per sweep

    def function(self, task):
        name = task["function"]
        if name not in self._functions:
            self._functions[name] = task_function(task)
        return self._functions[name]

    def add(self, value, chunk):
        """Keep the ChunkResult ``value`` of the tasks ``chunk`` (their indices, in its order)."""
        for j, i in enumerate(chunk):
            if i < KEEP_RESULTS:
                self._where[i] = value
                self._pos[i] = j

    def build(self, i, chunk, j):
        got = self._built.get(i)
        if got is None:
            got = chunk.result(j, self._tasks[i])
            if "spec" not in self._tasks[i]:
                got.function = self.function(self._tasks[i])
            if i in self._where:
                self._built[i] = got
        return got

    def __getitem__(self, i):
        if i not in self._where:
            raise KeyError(i)
        return self.build(i, self._where[i], self._pos[i])

    def __iter__(self):
        return iter(self._where)

    def __len__(self):
        return len(self._where)


def _save(store, group, task, result, summary):
    score = _finite_or_none(summary["score"])
    if "spec" in task:
        return store.save(result, config=task["spec"], group=group, task=task, score=score)
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
    LocalCluster started for the sweep). The numbers do not depend on the backend. A backend
    object (``gdlab.sweeps.Processes(2)``, ``gdlab.sweeps.Dask(...)``) made by the caller may be
    passed instead: its workers stay up for the next sweep (no start-up to pay again) until its
    ``close()``; then ``workers``, ``scheduler`` and ``cluster`` are not given.

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
    owned = not is_backend(backend)
    if owned:
        runner = make_backend(backend, workers=workers, scheduler=scheduler, cluster=cluster)
    elif workers is not None or scheduler is not None or cluster is not None:
        raise ValueError("workers=, scheduler= and cluster= are for a backend named by a string; a backend object "
                         f"({type(backend).__name__}) has its own")
    else:
        runner = backend
    t0 = time.perf_counter()
    group = None
    outcomes = [None] * len(tasks)
    results = _Results(tasks)
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
                        outcomes[i] = _record_outcome(task, store.info(run_id))
        skipped = len(tasks) - len(todo)
        _run(runner, tasks, todo, outcomes, results, store, group, progress, skipped)
    except BaseException:  # Ctrl-C (or an error of the caller's progress hook): stop the workers, keep what is stored
        if owned:
            runner.close(cancel=True)
        raise
    if owned:
        runner.close()
    return GridResult(mode, tasks, outcomes, results, group, skipped, time.perf_counter() - t0, runner.name)


def _run(runner, tasks, todo, outcomes, results, store, group, progress, skipped):
    queue = [(chunk, 1) for chunk in plan(tasks, todo)]
    queue.reverse()  # pop() takes the next chunk in order
    inflight = {}
    if progress is not None:
        progress(skipped, 0, len(tasks))
    try:
        _loop(runner, tasks, queue, inflight, outcomes, results, store, group, progress, skipped)
    except BaseException:  # the chunks not started yet are dropped (a backend the caller made stays up)
        runner.cancel(set(inflight))
        raise


def _loop(runner, tasks, queue, inflight, outcomes, results, store, group, progress, skipped):
    done = failed = 0
    total = len(tasks)
    while queue or inflight:
        while queue and len(inflight) < runner.window:
            chunk, attempt = queue.pop()
            members = [tasks[i] for i in chunk]
            inflight[runner.submit(members, route(members))] = (chunk, attempt)
        finished, _ = runner.wait(set(inflight))
        for fut in finished:
            chunk, attempt = inflight.pop(fut)
            status, value = runner.outcome(fut)
            if status == "error":
                if len(chunk) > 1 or attempt == 1:  # once more, each task alone
                    queue.extend(([i], 2) for i in reversed(chunk))
                    continue
                i = chunk[0]
                outcomes[i] = {"status": "failed", "error": value, "final_loss": None, "score": math.inf}
                if store is not None:
                    outcomes[i]["run_id"] = store.save_failed(tasks[i], value, group=group,
                                                          kind="train" if "spec" in tasks[i] else "sweep_task")
                failed += 1
            else:
                summaries = value.summaries
                for j, i in enumerate(chunk):
                    outcomes[i] = summaries[j]
                results.add(value, chunk)
                if store is not None:
                    with store.batch():
                        for j, i in enumerate(chunk):
                            outcomes[i] = {**summaries[j], "run_id": _save(store, group, tasks[i],
                                                                           results.build(i, value, j), summaries[j])}
                done += len(chunk)
            if progress is not None:
                progress(skipped + done, failed, total)
