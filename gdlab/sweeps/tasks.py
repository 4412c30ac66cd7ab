"""Running tasks: :func:`run_chunk` is the one function every backend calls.

A *chunk* is a list of tasks that share a function, an optimizer, the steps and the options,
and draw no random numbers while they run (no noise, no mini-batches): they run as one
vectorised array program (``gdlab.runs``' engine, one row per start, the hyperparameters that
differ as per-row arrays), and each task's Trajectory is cut out of it. Rows are independent,
so a task's numbers are those of ``gdlab.minimize`` called for it alone (tests/sweeps pins it
bit for bit). Any other task is a chunk of one and runs through ``gdlab.minimize`` or
``gdlab.nn.recipe.train`` itself.

What comes back is plain data that pickles (dask and concurrent.futures send it between
processes): a Trajectory without its function object (the caller attaches it again) or a
History without its model.
"""

from __future__ import annotations

import json
import numbers
import time

import numpy as np

from .. import functions, optim
from ..runs.minimize import check_steps, minimize, resolve_starts, run

__all__ = ["run_chunk", "plan", "CHUNK_TASKS", "CHUNK_ROWS", "task_function", "task_starts"]

#: at most this many tasks, and this many rows (tasks x starts), in one vectorised chunk
CHUNK_TASKS = 50
CHUNK_ROWS = 2000
#: what a sweep task records per step (the loss curves; memory per task stays (steps + 1) x starts numbers)
RECORD = ("loss",)


def task_function(task):
    return functions.resolve_function(task["function"])


def task_starts(task, f):
    """``(X0 (n, d), single)`` of an objective task: its x0, the function's start, or N starts drawn from its seed."""
    if task.get("starts"):
        rng = np.random.default_rng(task["seed"])
        lo, hi = f.bounds[:, 0], f.bounds[:, 1]
        return lo + (hi - lo) * rng.random((task["starts"], f.dim)), False
    return resolve_starts(f, task.get("x0"))


def _random(task):
    o = task.get("options", {})
    return o.get("noise") not in (None, 0) or o.get("batch_size") is not None


def _bound(f, X0):
    return 1e6 * max(1.0, float(np.max(np.abs(f.bounds))), float(np.max(np.abs(X0))))


def _numeric(v):
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def plan(tasks, indices=None):
    """Chunks of task indices: tasks that can share one array program, in order, at most CHUNK_TASKS each.

    The plan depends on the tasks alone (never on the backend or the number of workers).
    """
    indices = range(len(tasks)) if indices is None else indices
    groups, order = {}, []
    for i in indices:
        task = tasks[i]
        if "spec" in task or _random(task):
            key = ("alone", i)
        else:
            hp = task["hyperparameters"]
            fixed = {k: v for k, v in hp.items() if not _numeric(v)}
            key = json.dumps([task["function"], task["optimizer"], task["steps"], task["options"], sorted(hp),
                              fixed, task.get("starts") is not None], sort_keys=True)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(i)
    chunks = []
    for key in order:
        members, current, rows = groups[key], [], 0
        for i in members:
            n = tasks[i].get("starts") or 1
            if current and (len(current) >= CHUNK_TASKS or rows + n > CHUNK_ROWS):
                chunks.append(current)
                current, rows = [], 0
            current.append(i)
            rows += n
        chunks.append(current)
    return chunks


def _strip(result):
    """A result that pickles: the Trajectory without its function, the History without its model."""
    from ..nn import History

    if isinstance(result, History):
        h = History()
        h.history = {k: list(v) for k, v in result.history.items()}
        h.step_losses = list(result.step_losses)
        h.epochs = list(result.epochs)
        h.params = dict(result.params or {})
        return h
    result.function = None
    return result


def run_task(task):
    """One task on its own: ``gdlab.minimize`` or ``gdlab.nn.recipe.train``; returns the stripped result."""
    if "spec" in task:
        from ..nn.recipe import TrainSpec, train

        return _strip(train(TrainSpec.from_dict(task["spec"])).history)
    f = task_function(task)
    X0, single = task_starts(task, f)
    x0 = X0[0] if single else X0
    return _strip(minimize(f, x0, task["optimizer"], steps=check_steps(task["steps"]), seed=task["seed"],
                           record=RECORD, label=task["optimizer"], **task["options"], **task["hyperparameters"]))


def _vectorised(tasks):
    first = tasks[0]
    f = task_function(first)
    name = first["optimizer"]
    rule = optim.get_rule(name)
    starts = [task_starts(t, f) for t in tasks]
    bounds = {_bound(f, X0) for X0, _ in starts}
    if len(bounds) > 1 or "divergence_bound" in first["options"]:
        return [run_task(t) for t in tasks]  # their own divergence bounds: each alone
    X0 = np.concatenate([X for X, _ in starts])
    sizes = [X.shape[0] for X, _ in starts]
    owner = np.repeat(np.arange(len(tasks)), sizes)
    hp = {}
    for k in first["hyperparameters"]:
        column = [t["hyperparameters"][k] for t in tasks]
        if _numeric(column[0]) and len(set(column)) > 1:
            hp[k] = np.asarray(column, dtype=np.float64)[owner][:, None]
        else:
            hp[k] = column[0]
    lr = hp.pop("lr", None)
    options = dict(first["options"])
    traj = run(f, X0, False, name, first["steps"], lr, hp, seed=first["seed"], record=RECORD, label=name,
               **options)
    out, lo = [], 0
    share = traj.wall_time / len(tasks)
    for task, (X, single), n in zip(tasks, starts, sizes):
        part = traj.run(lo) if single else traj.select(np.arange(lo, lo + n))
        lo += n
        part.hyperparameters = rule.hyperparameters(**task["hyperparameters"])
        if part.lr.ndim == 2:
            part.lr = np.ascontiguousarray(part.lr[:, 0])
        part.seed = task["seed"]
        part.subset_of = None  # rows are independent: this is what gdlab.minimize gives for the task alone
        part.wall_time = share
        out.append(_strip(part))
    return out


def run_chunk(tasks):
    """Run a chunk (see :func:`plan`); returns ``(results, seconds)``, one stripped result per task, in order.

    An error of any task raises: the caller retries the tasks of a failed chunk one by one.
    """
    t0 = time.perf_counter()
    if len(tasks) == 1:
        results = [run_task(tasks[0])]
    else:
        results = _vectorised(tasks)
    return results, time.perf_counter() - t0
