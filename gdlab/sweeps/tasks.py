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

import itertools
import json
import numbers
import time

import numpy as np

from .. import functions, optim
from ..runs.minimize import check_steps, minimize, resolve_starts, run
from .summary import objective_summary, rows_summaries, train_summary

__all__ = ["run_chunk", "ChunkResult", "plan", "route", "CHUNK_TASKS", "CHUNK_ROWS", "task_function", "task_starts"]

#: at most this many tasks, and this many rows (tasks x starts), in one vectorised chunk
CHUNK_TASKS = 200
CHUNK_ROWS = 2000
#: what a sweep task records per step (the loss curves; memory per task stays (steps + 1) x starts numbers)
RECORD = ("loss",)
_KEY = json.JSONEncoder(sort_keys=True)


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
    return type(v) in (float, int) or (isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)))


def _program(task):
    """The key of the array program an objective task runs in (tasks of one key share it), or None for a
    task that draws random numbers while it runs (noise, mini-batches): it runs alone."""
    options = task["options"]
    if options and _random(task):
        return None
    hp = task["hyperparameters"]
    fixed = ""
    for v in hp.values():  # the common case, numbers only, without the general test per value
        if type(v) is not float and type(v) is not int:
            fixed = {k: v for k, v in hp.items() if not _numeric(v)}
            fixed = _KEY.encode(fixed) if fixed else ""
            break
    return (task["function"], task["optimizer"], task["steps"], _KEY.encode(options) if options else "",
            tuple(sorted(hp)), fixed, task.get("starts") is not None)


def plan(tasks, indices=None):
    """Chunks of task indices: tasks that can share one array program, in order, at most CHUNK_TASKS each.

    The chunks of different programs alternate (the first chunk of each, then the second of each, ...),
    so that a backend's first chunks spread the programs over its workers. The plan depends on the
    tasks alone (never on the backend or the number of workers).
    """
    indices = range(len(tasks)) if indices is None else indices
    groups = {}  # program key -> [task indices, rows]; dicts keep the order of first appearance
    for i in indices:
        task = tasks[i]
        key = None if "spec" in task else _program(task)
        if key is None:
            key = ("alone", i)
        group = groups.get(key)
        if group is None:
            groups[key] = group = [[], 0]
        group[0].append(i)
        group[1] += task.get("starts") or 1
    per_group = []
    for i_s, rows in groups.values():
        if rows == len(i_s):  # one row per task (the common case): slices of CHUNK_TASKS tasks
            step = min(CHUNK_TASKS, CHUNK_ROWS)
            per_group.append([i_s[lo:lo + step] for lo in range(0, len(i_s), step)])
            continue
        chunks, current, rows = [], [], 0
        for i in i_s:
            n = tasks[i].get("starts") or 1
            if current and (len(current) >= CHUNK_TASKS or rows + n > CHUNK_ROWS):
                chunks.append(current)
                current, rows = [], 0
            current.append(i)
            rows += n
        chunks.append(current)
        per_group.append(chunks)
    return [c for round_ in itertools.zip_longest(*per_group) for c in round_ if c is not None]


def route(tasks):
    """A chunk's routing key for the backends: its function and optimizer (the chunks of one key run
    the same compiled program, which a worker loads once), None for a training. A hint only: where a
    chunk runs changes nothing in its numbers."""
    first = tasks[0]
    return None if "spec" in first else (first["function"], first["optimizer"])


def _strip(traj):
    """A Trajectory that pickles: without its function (the caller attaches it again)."""
    traj.function = None
    return traj


def _plain_history(history):
    """A History that pickles: without its model."""
    from ..nn import History

    h = History()
    h.history = {k: list(v) for k, v in history.history.items()}
    h.step_losses = list(history.step_losses)
    h.epochs = list(history.epochs)
    h.params = dict(history.params or {})
    return h


def run_task(task):
    """One task on its own: ``gdlab.minimize`` or ``gdlab.nn.recipe.train``; returns the stripped result."""
    if "spec" in task:
        from ..nn.recipe import TrainSpec, train

        return _plain_history(train(TrainSpec.from_dict(task["spec"])).history)
    f = task_function(task)
    X0, single = task_starts(task, f)
    x0 = X0[0] if single else X0
    return _strip(minimize(f, x0, task["optimizer"], steps=check_steps(task["steps"]), seed=task["seed"],
                           record=RECORD, label=task["optimizer"], **task["options"], **task["hyperparameters"]))


class ChunkResult:
    """What :func:`run_chunk` returns: plain data that pickles, small to send.

    ``summaries``: one dict per task (status, final_loss, score: see :mod:`.summary`), computed
    where the chunk ran; ``seconds``: its wall time; ``result(j, task)``: the j-th task's Trajectory
    (without its function: the caller attaches it) or History, built when asked for. A vectorised
    chunk sends its one array program's Trajectory (the loss curves of all its rows, float64) and
    where each task's rows are (three lists of numbers, no object per task: the caller has the
    tasks); ``result(j, task)`` cuts the task's Trajectory out of it, as ``gdlab.minimize`` would
    have returned it for the task alone.
    """

    def __init__(self, summaries, seconds, results=None, traj=None, parts=None, rule=None):
        self.summaries = summaries
        self.seconds = seconds
        self._results = results  # run alone: the stripped results
        self._traj = traj        # vectorised: the chunk's Trajectory (stripped) ...
        self._parts = parts      # ... and per task: first row, rows, single (three lists)
        self._rule = rule
        self._lr = None          # (steps recorded, lr per row) when each row's lr is the same at every step
        if traj is not None and traj.lr.ndim == 2 and np.all(traj.lr == traj.lr[:1]):
            self._lr = (traj.lr.shape[0], traj.lr[0].copy())
            traj.lr = traj.lr[:1]  # half the bytes to send: the (steps, rows) table is one row repeated

    def __len__(self):
        return len(self.summaries)

    def result(self, j, task):
        if self._results is not None:
            return self._results[j]
        traj, (firsts, sizes, singles) = self._traj, self._parts
        lo, n = firsts[j], sizes[j]
        part = traj.run(lo) if singles[j] else traj.select(np.arange(lo, lo + n))
        part.hyperparameters = optim.get_rule(self._rule).hyperparameters(**task["hyperparameters"])
        if self._lr is not None:  # as gdlab.minimize gives it for the task alone (its lr is a number)
            part.lr = np.full(self._lr[0], self._lr[1][lo])
        elif part.lr.ndim == 2:
            part.lr = np.ascontiguousarray(part.lr[:, 0])
        part.seed = task["seed"]
        part.subset_of = None  # rows are independent: this is what gdlab.minimize gives for the task alone
        part.wall_time = traj.wall_time / len(sizes)
        return part


def _summary(task, result, f=None):
    if "spec" in task:
        return train_summary(result)
    return objective_summary(result, f if f is not None else task_function(task))


def _chunk_starts(tasks, f):
    """``[(X0, single, bound)]`` per task; tasks with the same seeded starts or the same x0 share one
    array (a grid's seeds repeat across its learning rates: drawn once per chunk)."""
    memo, out = {}, []
    for task in tasks:
        seed, x0 = task.get("seed"), task.get("x0")
        if task.get("starts"):
            key = ("starts", task["starts"], seed) if isinstance(seed, numbers.Integral) else None
        else:
            key = ("x0", None if x0 is None else tuple(x0))
        got = memo.get(key) if key is not None else None
        if got is None:
            X0, single = task_starts(task, f)
            got = (X0, single, _bound(f, X0))
            if key is not None:
                memo[key] = got
        out.append(got)
    return out


def _vectorised(tasks):
    first = tasks[0]
    f = task_function(first)
    name = first["optimizer"]
    starts = _chunk_starts(tasks, f)
    if len({b for _, _, b in starts}) > 1 or "divergence_bound" in first["options"]:
        results = [run_task(t) for t in tasks]  # their own divergence bounds: each alone
        return results, [_summary(t, r, f) for t, r in zip(tasks, results)], None
    X0 = np.concatenate([X for X, _, _ in starts])
    sizes = [X.shape[0] for X, _, _ in starts]
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
    summaries = rows_summaries(traj.status, traj.final_loss, sizes, f.minimum_value)
    firsts = np.cumsum([0] + sizes[:-1]).tolist()
    return _strip(traj), summaries, (firsts, sizes, [single for _, single, _ in starts])


def run_chunk(tasks):
    """Run a chunk (see :func:`plan`); returns a :class:`ChunkResult` (one summary and one result per task, in order).

    An error of any task raises: the caller retries the tasks of a failed chunk one by one.
    """
    t0 = time.perf_counter()
    if len(tasks) == 1:
        results = [run_task(tasks[0])]
        return ChunkResult([_summary(tasks[0], results[0])], time.perf_counter() - t0, results=results)
    got, summaries, parts = _vectorised(tasks)
    if parts is None:
        return ChunkResult(summaries, time.perf_counter() - t0, results=got)
    return ChunkResult(summaries, time.perf_counter() - t0, traj=got, parts=parts, rule=tasks[0]["optimizer"])
