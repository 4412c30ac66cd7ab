"""``gdlab.minimize`` and ``gdlab.race``: optimization runs recorded as Trajectories.

Divergence
----------
A run is "diverged" at the first step where its loss is not finite or one of its parameters
leaves the box ``|x_i| <= divergence_bound``, by default ``1e6 * max(1, max|bounds|, max|x0|)``
(the function's plot bounds and the starts set the scale). Divergence never raises: the run
stops there, its status says so, ``stopped_at`` says when, and the remaining steps repeat the
offending point (``final``). Other rows of a vectorized run go on unaffected.

Recording
---------
``record="auto"`` (default) chooses by a memory budget, ``record_budget`` bytes (default 128 MiB;
the environment variable ``GDLAB_RECORD_BUDGET``, e.g. ``512M``, changes the default):

1. every step of the params, loss, grad and grad_norm (and of the optimizer state when
   ``n * d <= 4096``), when that fits;
2. else the same, thinned to every k-th step (the first and the last step always kept), k the
   smallest that fits with at least 101 points (without the state first, then with it dropped);
3. else only the loss and grad_norm curves, thinned to fit; then the loss curve alone;
4. else no history: the statuses, stop steps, final points and final losses only.

What was kept is said on the Trajectory: ``record`` (the names), ``record_every`` (k),
``recorded_steps`` (the step of each recorded point) and ``record_note`` (one line, e.g.
"every 4th step (251 of 1001 points; not state; record budget 128 MiB)"); the CLI prints that
line when the record was thinned. 10,000 starts x 1,000 Adam steps in 2-D (480 MB in full)
keep every 4th step. Pass a tuple of names among "params", "loss", "grad", "grad_norm",
"state" to choose yourself (every step, no budget), e.g. ``record=("loss",)`` for loss
curves only, or ``record=()`` for the fastest run: no history at all, only the statuses, stop
steps, final points and final losses (unrecorded histories are None).

A request that cannot fit in memory in any mode (its working arrays, or an explicit record,
larger than the machine's physical memory) is a ValueError before anything is allocated.

Repeated calls
--------------
A playground redraws the same run again and again (a new start dragged, a new lr on a slider).
``minimize`` (and each run of ``race``) remembers the checked, prepared form of a call (a
:class:`Call`: on the compiled engine its program bound to the run's arrays, see
gdlab.runs.compiled.engine.Bound) under a key of its arguments, each by its type and exact bits
(``1``, ``1.0``, ``True``, ``0.0``, ``-0.0`` apart), and of the settings a run reads
($GDLAB_RECORD_BUDGET, $GDLAB_ENGINE). The starts' values and the label are not part of the
key: a remembered call runs from the starts it is given (checked every time, of the same
shape), and a call that differs from a remembered one in its lr only is prepared from it
(:meth:`Call.with_lr`). A call is remembered from the second call of its family (its key less
the lr) on, and once a call of its family is kept, from its own second call on (a stream of
calls each made once is not kept). Only catalog names and formulas, with plain arguments, no
progress hook, at most 4,096 start numbers (n x d) and fewer than 20,000 steps are
remembered; Functions, callables,
Generator seeds, callable schedules and arrays of hyperparameters always take the full path.
Every call returns a new Trajectory with arrays of its own, with the numbers the full path
gives, to the bit; an error is raised every time (a call that fails is never remembered).
Memory: at most 64 calls (``MEMO_KEPT``) holding at most 32 MiB of arrays in all
(``MEMO_MAX_BYTES``: starts, initial optimizer state, lr history and tables, recorded steps,
the step table), and the hashes of the last 1,024 keys and families seen; ``clear_memo()``
forgets them. Threads (the web server's) share the memo under a lock.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
import threading
import time
import weakref

import numpy as np

from .. import functions, optim
from .._registry import Registry
from ..functions import Function
from ..functions.data import DataLoss
from ..functions.resolve import built_function
from ..optim import lr_scheduler
from ._engine import recorded_steps, run_rows
from .trajectory import Race, Trajectory, share_function

__all__ = ["minimize", "race", "clear_memo", "RECORDABLE", "SCHEDULES", "MAX_STEPS", "MAX_START_NUMBERS"]

RECORDABLE = ("params", "loss", "grad", "grad_norm", "state")
#: minimize's keyword options that are not optimizer hyperparameters (race and sweeps pass them on).
RUN_OPTIONS = ("schedule", "batch_size", "sampling", "gradient", "clip_grad_norm", "divergence_bound", "record",
               "record_every", "record_budget", "engine")
#: The most steps one call may run (an int; 10 million steps of one start take minutes).
MAX_STEPS = 10_000_000
#: The most numbers the starts may hold (n starts x d dimensions): 80 MB a copy, and a run keeps
#: about six copies (points, gradient, optimizer state, scratch) besides what it records.
MAX_START_NUMBERS = 10_000_000
_STATE_CAP_ND = 4096
#: record="auto"'s default memory budget (bytes); $GDLAB_RECORD_BUDGET or record_budget= override it.
DEFAULT_RECORD_BUDGET = 128 * 2**20
#: a thinned record of every history keeps at least this many points (else fewer histories are kept)
_MIN_THINNED_POINTS = 101

#: Named learning-rate schedules: name -> (closed form from gdlab.optim.lr_scheduler, required kwargs).
SCHEDULES = {
    "step": (lr_scheduler.step_lr, ("step_size",)),
    "multistep": (lr_scheduler.multistep_lr, ("milestones",)),
    "exponential": (lr_scheduler.exponential_lr, ("gamma",)),
    "cosine": (lr_scheduler.cosine_annealing_lr, ()),
    "linear": (lr_scheduler.linear_lr, ()),
}
_SCHEDULES = Registry("schedule", SCHEDULES)
_SAMPLING = ("shuffle", "random", "cyclic")
_GRADIENT = ("auto", "closed_form", "autodiff")
_GIVEN = object()  # Call.execute: "the call's own" (schedule, label)


# ---------------------------------------------------------------------------------------
# argument checks (once per call, never in the loop)


def resolve_function(f, x0=None) -> Function:
    """:func:`gdlab.functions.resolve_function`, where a plain callable's dimension is x0's last axis."""
    if callable(f) and not isinstance(f, Function):
        if x0 is None:
            raise ValueError("x0 is required when f is a plain callable (its dimension is x0's last axis)")
        arr = np.asarray(x0, dtype=np.float64)
        return functions.resolve_function(f, dim=1 if arr.ndim == 0 else int(arr.shape[-1]))
    return functions.resolve_function(f)


def resolve_starts(f: Function, x0):
    """``(X0 (n, d) float64, single)``; x0 None means ``f.start``. The one check of the starts: numbers,
    a shape that fits ``f``, at least one start, at most :data:`MAX_START_NUMBERS` numbers, all finite."""
    if x0 is None:
        return f.start[None, :].copy(), True
    try:
        # asarray: a float64 array is not copied before its size is checked (the copy is the last step)
        arr = np.asarray(x0.data if hasattr(x0, "data") and not isinstance(x0, np.ndarray) else x0, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"x0 must be a number or an array of numbers, got {_short(x0)}") from None
    d = f.dim
    if arr.size == 0:
        raise ValueError(f"x0 is empty (shape {arr.shape}): give at least one start, of shape ({d},) for the "
                         f"{d}-D function {f.name!r}, or n starts of shape (n, {d})")
    if d == 1 and (arr.ndim == 0 or (arr.ndim == 1 and arr.shape[0] != 1)):
        # a 1-D function: a scalar is one start, a vector of numbers is n starts
        X0, single = (arr.reshape(1, 1), True) if arr.ndim == 0 else (arr[:, None], False)
    elif arr.ndim == 1 and arr.shape[0] == d:
        X0, single = arr[None, :], True
    elif arr.ndim == 2 and arr.shape[1] == d:
        X0, single = arr, False
    else:
        raise ValueError(
            f"x0 must be one start of shape ({d},) or n >= 1 starts of shape (n, {d}) for the {d}-D function "
            f"{f.name!r}, got shape {arr.shape}" + (" (or a scalar for a 1-D function)" if d == 1 else ""))
    if X0.size > MAX_START_NUMBERS:
        raise ValueError(f"x0 holds {X0.shape[0]:,} starts x {d} dimensions = {X0.size:,} numbers; at most "
                         f"{MAX_START_NUMBERS:,} are allowed in one call (split the starts into several calls)")
    if not _all_finite(X0):
        finite = np.isfinite(X0)
        i, j = (int(k) for k in np.argwhere(~finite)[0])
        if single:
            where = f"x0 = {float(X0[0, 0])}" if arr.ndim == 0 else f"x0[{j}] = {float(X0[0, j])}"
        else:
            where = f"x0[{i}] = {float(X0[i, 0])}" if arr.ndim == 1 else f"x0[{i}, {j}] = {float(X0[i, j])}"
        raise ValueError(f"x0 must be finite numbers (no nan or inf), got {where}")
    return X0.copy(), single


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def check_steps(steps) -> int:
    """``steps`` as an int in [1, :data:`MAX_STEPS`]; TypeError/ValueError naming the value otherwise."""
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"steps must be an int in [1, {MAX_STEPS:,}], got {_short(steps)} ({type(steps).__name__})")
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be an int in [1, {MAX_STEPS:,}], got {steps:,}")
    return int(steps)


def _all_finite(a) -> bool:
    """``np.isfinite(a).all()``, without NumPy's call overhead for a few numbers."""
    if a.size <= 32:
        return all(map(math.isfinite, a.ravel().tolist()))
    return bool(np.isfinite(a).all())


def _abs_max(a) -> float:
    """``float(np.abs(a).max())`` (a finite, non-empty array), without NumPy's call overhead for a few numbers."""
    if a.size <= 32:
        return max(map(abs, a.ravel().tolist()))
    return float(np.abs(a).max())


def _check_positive_or_none(value, name, allow_zero=False):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be None or a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {'>=' if allow_zero else '>'} 0, got {value!r}")
    return value


def check_seed(seed):
    """``seed`` when it is None, an int >= 0 or a numpy Generator; ValueError naming it otherwise."""
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be None, an int >= 0 or a numpy Generator, got {seed!r}")
    return int(seed)


def make_rng(seed):
    return np.random.default_rng(check_seed(seed))


def _names(record):
    if record is None:
        return set()
    if isinstance(record, str):
        record = (record,)
    try:
        keep = set(record)
    except TypeError:
        raise TypeError(f"record must be 'auto' or a tuple of names among {RECORDABLE}, got {record!r}") from None
    unknown = keep - set(RECORDABLE)
    if unknown:
        raise ValueError(f"record: unknown name(s) {sorted(unknown)}; allowed: 'auto' or any of {RECORDABLE}")
    return keep


def _gib(nbytes):
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= size:
            return f"{nbytes / size:.3g} {unit}"
    return f"{int(nbytes)} bytes"


def resolve_record_budget(budget=None) -> int:
    """The memory budget of ``record="auto"`` in bytes: ``budget``, else $GDLAB_RECORD_BUDGET, else 128 MiB."""
    if budget is None:
        env = os.environ.get("GDLAB_RECORD_BUDGET")
        if env is None or not env.strip():
            return DEFAULT_RECORD_BUDGET
        text = env.strip().upper().replace("IB", "").replace("B", "")
        scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
        try:
            value = float(text[:-1] if scale > 1 else text) * scale
        except ValueError:
            raise ValueError(f"GDLAB_RECORD_BUDGET must be a number of bytes (e.g. 268435456, 256M, 1G), "
                             f"got {env!r}") from None
        budget, name = value, "GDLAB_RECORD_BUDGET"
    else:
        name = "record_budget"
    if isinstance(budget, bool) or not isinstance(budget, numbers.Real) or not math.isfinite(budget) or budget <= 0:
        raise ValueError(f"{name} must be a number of bytes > 0, got {budget!r}")
    return int(budget)


@functools.lru_cache(maxsize=1)
def _memory_limit() -> int:
    """The most memory a run may ask for: this machine's physical memory (a large fallback when unknown)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2**40


class RecordPlan:
    """What a run keeps: ``names`` (a subset of RECORDABLE), every ``every``-th step, and why (``note``)."""

    __slots__ = ("names", "every", "note", "recorded")

    def __init__(self, names, every, note):
        self.names, self.every, self.note = frozenset(names), int(every), note
        self.recorded = tuple(k for k in RECORDABLE if k in self.names)  # in RECORDABLE's order


def _points(steps, every):
    return steps // every + 1 + (1 if steps % every else 0)


_PLANS: dict = {}
_PLANS_KEPT = 256


def plan_record(record, n, d, steps, *, n_state=3, budget=None, need=(), schedule_rows=0, lr_rows=1,
                every=None) -> RecordPlan:
    """:func:`_plan_record`, remembered for a repeated request (a plan is immutable: its names are a frozenset)."""
    try:
        key = (type(record), record if isinstance(record, str) else tuple(record), n, d, steps, n_state,
               type(budget), budget, os.environ.get("GDLAB_RECORD_BUDGET") if budget is None else None,
               frozenset(need), schedule_rows, lr_rows, type(every), every)
        plan = _PLANS.get(key)
    except TypeError:  # not iterable, or not hashable: the full path says what is wrong
        key = plan = None
    if plan is None:
        plan = _plan_record(record, n, d, steps, n_state=n_state, budget=budget, need=need,
                            schedule_rows=schedule_rows, lr_rows=lr_rows, every=every)
        if key is not None:
            with _CALLS_LOCK:  # (threads)
                while len(_PLANS) >= _PLANS_KEPT:
                    _PLANS.pop(next(iter(_PLANS)))
                _PLANS[key] = plan
    return plan


def _plan_record(record, n, d, steps, *, n_state=3, budget=None, need=(), schedule_rows=0, lr_rows=1,
                 every=None) -> RecordPlan:
    """Choose what ``record`` keeps for n runs of d dimensions over ``steps`` steps (see the module docstring).

    ``n_state``: how many state arrays the optimizer may keep; ``need``: names that must be
    kept (a sweep's loss curves); ``schedule_rows``: numbers per step in the learning-rate
    table (0 without a schedule); ``lr_rows``: learning rates per step in the lr history
    (1, or n for per-run learning rates); ``every``: None, or the thinning of an explicit
    record (record_every). Raises ValueError, before anything is allocated, when the request cannot fit.
    """
    T = steps + 1
    per = {"params": n * d, "grad": n * d, "loss": n, "grad_norm": n, "state": n_state * n * d}  # numbers a point
    # the run itself: params, gradient, optimizer state and scratch (n, d) arrays, row vectors, the lr table
    working = 8 * (n * d * (n_state + 6) + 12 * n + steps * schedule_rows)
    limit = _memory_limit()
    if working > limit:
        raise ValueError(f"{n} runs of {d} dimensions over {steps} steps need about {_gib(working)} of working "
                         f"memory before anything is recorded, more than this machine's {_gib(limit)}: "
                         "use fewer starts or steps (or a schedule over fewer steps)")

    def size(names, every):
        return 8 * _points(steps, every) * (lr_rows + sum(per[k] for k in names))

    need = set(need)
    if every is not None:
        if record == "auto":
            raise ValueError("record_every thins an explicit record: give record=(names...) with it "
                             "(record='auto' chooses its own thinning)")
        if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
            raise ValueError(f"record_every must be an int >= 1, got {every!r}")
    if record != "auto":
        every = 1 if every is None else min(int(every), steps)
        names = _names(record) | need
        nbytes = size(names, every)
        if working + nbytes > limit:
            raise ValueError(f"record={tuple(sorted(names))} over {T} steps of {n} runs needs {_gib(nbytes)}, "
                             f"more than this machine's {_gib(limit)}: record fewer names, or use "
                             "record='auto' (thinned to a memory budget)")
        note = "nothing (record=())" if not names else (
            "as asked" if every == 1 else f"every {_ordinal(every)} step ({_points(steps, every)} of {T} points)")
        return RecordPlan(names, every, note)
    budget = resolve_record_budget(budget)
    full = {"params", "loss", "grad", "grad_norm"} | need
    if n * d <= _STATE_CAP_ND:
        full.add("state")
    if size(full, 1) <= budget:
        return RecordPlan(full, 1, "every step")

    def thinned(names, min_points):
        """The smallest k that fits names into the budget with at least min_points points, or None."""
        per_point = 8 * (lr_rows + sum(per[k] for k in names))
        fit = budget // per_point if per_point else T
        if fit < min(min_points, T):
            return None
        every = max(1, -(-steps // max(1, fit - 2)))  # ceil(steps / (fit - 2)): first and last included
        while every > 1 and _points(steps, every - 1) <= fit:
            every -= 1
        while _points(steps, every) > fit:
            every += 1
        return every

    for names, min_points in ((full, _MIN_THINNED_POINTS), (full - {"state"}, _MIN_THINNED_POINTS),
                              ({"loss", "grad_norm"} | need, 2), ({"loss"} | need, 2)):
        every = thinned(names, min_points)
        if every is not None:
            dropped = sorted(set(RECORDABLE) - names)
            return RecordPlan(names, every, (
                f"every {_ordinal(every)} step ({_points(steps, every)} of {T} points" if every > 1
                else "every step (") + (f"; not {', '.join(dropped)}" if dropped else "")
                + f"; record budget {_gib(budget)})")
    if need:
        raise ValueError(f"{n} runs cannot keep even two points of {', '.join(sorted(need))} within the record "
                         f"budget of {_gib(budget)}: raise record_budget or use fewer runs")
    return RecordPlan(set(), 1, f"only the final points (the record budget of {_gib(budget)} holds no history "
                                f"of {n} runs)")


def _ordinal(k):
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def schedule_values(schedule, base_lr, steps):
    """Per-step learning rates for steps 0..steps-1: an array (steps, ...) or None for a constant lr."""
    if schedule is None:
        return None
    t = np.arange(steps)
    if callable(schedule):
        fn, kwargs = schedule, {}
    else:
        if isinstance(schedule, str):
            name, kwargs = schedule, {}
        elif isinstance(schedule, (tuple, list)) and len(schedule) == 2 and isinstance(schedule[1], dict):
            name, kwargs = schedule
        elif isinstance(schedule, dict) and "name" in schedule:
            kwargs = {k: v for k, v in schedule.items() if k != "name"}
            name = schedule["name"]
        else:
            raise TypeError("schedule must be None, a callable schedule(t, base_lr), a name "
                            f"({', '.join(SCHEDULES)}), (name, kwargs) or {{'name': ..., **kwargs}}; got {schedule!r}")
        name = _SCHEDULES.canonical(name)
        fn, required = SCHEDULES[name]
        missing = [k for k in required if k not in kwargs]
        if missing:
            raise ValueError(f"schedule {name!r} needs {', '.join(missing)} (e.g. ({name!r}, {{{missing[0]!r}: ...}}))")
        if name == "cosine":
            kwargs = {"T_max": steps, **kwargs}
    lr = np.asarray(base_lr, dtype=np.float64)
    if lr.ndim == 0:
        values = np.asarray(fn(t, float(lr), **kwargs), dtype=np.float64)
        if values.shape != (steps,):
            raise ValueError(f"schedule returned shape {values.shape}, expected ({steps},)")
    else:  # per-row base lr (n, 1): values (steps, n, 1)
        values = np.asarray(fn(t[:, None, None], lr[None], **kwargs), dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError("schedule produced a learning rate that is negative or not finite")
    return values


#: Functions (their code) whose values came back well-formed for d-dimensional points (see run)
_VALUES_CHECKED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _check_value_once(f, X0):
    """``f.check_value`` at the first start, once per Function (and its copies running the same code)."""
    base = f._code_origin()
    try:
        if base in _VALUES_CHECKED:
            return
    except TypeError:  # an unhashable subclass: check every time
        f.check_value(X0[:1])
        return
    f.check_value(X0[:1])
    _VALUES_CHECKED[base] = True


def _batch_vg(f: DataLoss, n, batch_size, sampling, rng):
    """(vg, description) for mini-batch gradients: per-row batches drawn each step."""
    N = f.n_samples
    b = batch_size
    full = f._eval_array
    batch_vg = f.batch_value_and_grad
    if sampling == "random":  # with replacement, independently per row and step (seed 003's SGD)

        def vg(p):
            idx = rng.integers(0, N, size=(n, b))
            return full(p), batch_vg(p, idx)[1]

        return vg
    if sampling == "cyclic":  # in order, the same for every row (seed 002's SGD)
        counter = [0]

        def vg(p):
            start = counter[0]
            counter[0] = (start + b) % N
            idx = (start + np.arange(b)) % N
            return full(p), batch_vg(p, idx)[1]

        return vg
    # "shuffle": each row walks through its own permutation, reshuffled every epoch
    perm = [None]
    pos = [N]

    def vg(p):
        if pos[0] >= N:
            perm[0] = rng.permuted(np.broadcast_to(np.arange(N), (n, N)), axis=1)
            pos[0] = 0
        idx = perm[0][:, pos[0]:pos[0] + b]
        pos[0] += b
        return full(p), batch_vg(p, idx)[1]

    return vg


# ---------------------------------------------------------------------------------------
# the shared core


def run(f, X0, single, optimizer, steps, lr, hp, *, tol=None, noise=None, seed=None, schedule=None,
        batch_size=None, sampling="shuffle", gradient="auto", clip_grad_norm=None, divergence_bound=None,
        record="auto", record_every=None, record_budget=None, need=(), label=None, progress=None, engine="auto"):
    """Checks done by the callers except the ones listed here; returns a Trajectory.

    ``lr`` may be a float or an (n, 1) array (one per row, for sweeps). ``need``: names the
    record must keep whatever the budget (a sweep's loss curves). The same as
    ``prepare(...).execute(progress)``.
    """
    return prepare(f, X0, single, optimizer, steps, lr, hp, tol=tol, noise=noise, seed=seed, schedule=schedule,
                   batch_size=batch_size, sampling=sampling, gradient=gradient, clip_grad_norm=clip_grad_norm,
                   divergence_bound=divergence_bound, record=record, record_every=record_every,
                   record_budget=record_budget, need=need, label=label, engine=engine).execute(progress=progress,
                                                                                               kept=False)


def prepare(f, X0, single, optimizer, steps, lr, hp, *, tol=None, noise=None, seed=None, schedule=None,
            batch_size=None, sampling="shuffle", gradient="auto", clip_grad_norm=None, divergence_bound=None,
            record="auto", record_every=None, record_budget=None, need=(), label=None, engine="auto") -> "Call":
    """The checked, prepared form of :func:`run`'s call (the same arguments, less ``progress``): a
    :class:`Call`, whose ``execute()`` runs it. Raises what run raises, before anything runs."""
    rule = optim.get_rule(optimizer)
    name = optimizer.strip().lower() if isinstance(optimizer, str) else rule.name
    _check_value_once(f, X0)  # a user's callable returning the wrong shape fails here, named
    if lr is not None:
        hp = {**hp, "lr": lr}
    hyper = rule.hyperparameters(**hp)
    lr = hyper["lr"]
    n, d = X0.shape
    tol = _check_positive_or_none(tol, "tol")
    if noise is not None:
        if isinstance(noise, np.ndarray):
            if noise.shape not in ((n, 1), (n,)) or not np.all(np.isfinite(noise)) or np.any(noise < 0):
                raise ValueError(f"noise as an array must be (n, 1) finite values >= 0, got shape {noise.shape}")
            noise = noise.reshape(n, 1)
        else:
            noise = _check_positive_or_none(noise, "noise", allow_zero=True)
            if noise == 0:
                noise = None
    clip = _check_positive_or_none(clip_grad_norm, "clip_grad_norm")
    # the generator only where something draws from it (a Generator costs ~10 us); the seed is checked always
    rng = make_rng(seed) if noise is not None or batch_size is not None else check_seed(seed)
    if gradient not in _GRADIENT:
        raise ValueError(f"gradient must be one of {', '.join(map(repr, _GRADIENT))}; got {gradient!r}")
    if batch_size is not None:
        if not isinstance(f, DataLoss):
            raise ValueError("batch_size needs a data-defined objective (gdlab.functions.regression_loss); "
                             f"{f.name!r} has no samples to draw")
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or not 1 <= batch_size <= f.n_samples:
            raise ValueError(f"batch_size must be an int in [1, {f.n_samples}] (the number of samples), got {batch_size!r}")
        if sampling not in _SAMPLING:
            raise ValueError(f"sampling must be one of {', '.join(map(repr, _SAMPLING))}; got {sampling!r}")
        how = "mini_batch"
    else:
        how = "autodiff" if (gradient == "autodiff" or not f.has_closed_form_grad) else "closed_form"
    fscale = max(1.0, _abs_max(f.bounds))
    if divergence_bound is not None:
        divergence_bound = _check_positive_or_none(divergence_bound, "divergence_bound")
    lr_arr = np.asarray(lr, dtype=np.float64)
    plan = plan_record(record, n, d, steps, n_state=len(rule.state_keys), budget=record_budget,
                       need=need, schedule_rows=0 if schedule is None else lr_arr.size,
                       lr_rows=lr_arr.size, every=record_every)
    lr_values = schedule_values(schedule, lr, steps)
    call = Call(f, X0, single, rule, name, steps, hyper, tol, noise, seed, schedule, batch_size, sampling,
                gradient, how, clip, divergence_bound, fscale, plan, lr_values, label)
    # the optimizer's chain: noise -> clip (per row) -> rule, lr from the schedule's table
    chain = call.chain(rng)
    transform_hp = call.transform_hp
    prog = _compiled_program(engine, f, gradient, chain, hyper, transform_hp, n, d, lr_values, batch_size,
                             noise is not None and isinstance(seed, np.random.Generator))
    if prog is None:
        call.first = (rng, chain)
    else:
        program, inputs = prog
        call.bound = program.bind(n, d, steps, inputs=inputs,
                                  init_state=rule.init(np.zeros((n, d)), **hyper, rows=True), tol=tol,
                                  record=plan.names, every=plan.every, noise=noise is not None, lr_values=lr_values)
        call.first = (rng, None)
    return call


def _lr_history(plan, lr, lr_values, steps, n, single):
    """The lr of the updates made at the recorded steps (each Trajectory gets a copy of it)."""
    every, lr_arr = plan.every, np.asarray(lr, dtype=np.float64)
    at = recorded_steps(steps, every) if every > 1 else None
    updates = at[:-1] if every > 1 else slice(None)
    n_lr = steps if every <= 1 else len(at) - 1
    if lr_values is not None:
        lr_hist = (lr_values if lr_arr.ndim == 0 else lr_values[:, :, 0])[updates]
    elif lr_arr.ndim == 0:
        lr_hist = np.full(n_lr, float(lr_arr))
    else:
        lr_hist = np.broadcast_to(lr_arr.reshape(1, n), (n_lr, n)).copy()
    if single and lr_hist.ndim == 2:
        lr_hist = lr_hist[:, 0]
    return lr_hist


class Call:
    """A call of :func:`run`, checked and prepared by :func:`prepare`: ``execute()`` runs it and returns a new
    Trajectory, as ``run`` with the same arguments does, each time (the same numbers: the generator of noise
    or batches is made again from the seed for every run after the first). ``execute(X0, single)`` runs it
    from other starts of the same shape (checked by resolve_starts): nothing else of a call depends on the
    starts' values but the default divergence bound, computed for each run.

    On the compiled engine it holds the program bound to the run's arrays (gdlab.runs.compiled.engine.Bound),
    so that running it again is the compiled loop and the Trajectory; on NumPy the function, the starts and
    the checked arguments, from which each run makes its own value-and-gradient function (its buffers are
    the run's), chain and generator."""

    __slots__ = ("f", "X0", "single", "rule", "name", "steps", "hyper", "tol", "noise", "seed", "schedule",
                 "batch_size", "sampling", "gradient", "how", "clip", "bound_value", "fscale", "plan", "lr_values",
                 "label",
                 "transform_hp", "bound", "first", "lr_hist", "size")

    def __init__(self, f, X0, single, rule, name, steps, hyper, tol, noise, seed, schedule, batch_size, sampling,
                 gradient, how, clip, bound, fscale, plan, lr_values, label):
        self.f, self.X0, self.single, self.rule, self.name, self.steps = f, X0, single, rule, name, steps
        self.hyper, self.tol, self.noise, self.seed, self.schedule = hyper, tol, noise, seed, schedule
        self.batch_size, self.sampling, self.gradient, self.how, self.clip = batch_size, sampling, gradient, how, clip
        self.bound_value, self.fscale, self.plan, self.lr_values, self.label = bound, fscale, plan, lr_values, label
        self.transform_hp = {"noise_std": noise} if noise is not None else None
        self.bound = self.first = self.size = None
        self.lr_hist = _lr_history(plan, hyper["lr"], lr_values, steps, X0.shape[0], single)

    def nbytes(self) -> int:
        """The bytes of the arrays this call holds (what the call memo counts)."""
        if self.size is not None:
            return self.size
        arrays = [self.X0, self.lr_hist]
        if self.lr_values is not None:
            arrays.append(self.lr_values)
        total = sum(a.nbytes for a in arrays)
        if self.bound is not None:
            total += self.bound.nbytes + (0 if self.bound.TAB is None else self.bound.TAB.nbytes)
        self.size = total
        return total

    def with_lr(self, lr, hp):
        """This call with another ``lr`` (``hp``: its other hyperparameters, as given), prepared from this one
        on the compiled engine while its program serves the new values (its branches taken the same way, see
        Compiled.matches): the lr checked as a full preparation checks it (its errors), the rest reused.
        None where it does not apply (the NumPy engine, another program): prepare the call in full."""
        if self.bound is None or self.bound.program.dropped:
            return None
        from .compiled import hp_values

        hyper = self.rule.hyperparameters(**({**hp, "lr": lr} if lr is not None else hp))
        steps, plan = self.steps, self.plan
        n, d = self.X0.shape
        if np.ndim(hyper["lr"]) != 0:
            return None
        lr_values = schedule_values(self.schedule, hyper["lr"], steps)
        inputs = hp_values(hyper, n) + hp_values(self.transform_hp or {}, n)
        program = self.bound.program
        if not program.matches(inputs):
            return None
        call = Call(self.f, self.X0, self.single, self.rule, self.name, steps, hyper, self.tol, self.noise, self.seed,
                    self.schedule, self.batch_size, self.sampling, self.gradient, self.how, self.clip,
                    self.bound_value, self.fscale, plan, lr_values, self.label)
        call.bound = program.bind(n, d, steps, inputs=inputs,
                                  init_state=self.rule.init(np.zeros((n, d)), **hyper, rows=True), tol=self.tol,
                                  record=plan.names, every=plan.every, noise=self.noise is not None,
                                  lr_values=lr_values)
        return call

    def chain(self, rng):
        """The optimizer's chain of this run: noise (from ``rng``) -> clip (per row) -> rule, lr from the schedule."""
        transforms = []
        if self.noise is not None:
            transforms.append(optim.transforms.add_noise(rng))
        if self.clip is not None:
            transforms.append(optim.transforms.clip_by_norm(self.clip))
        return optim.Chain(self.rule, transforms, lr=self.lr_values)

    def execute(self, X0=None, single=None, progress=None, schedule=_GIVEN, label=_GIVEN, kept=True) -> Trajectory:
        """Run the call from the starts ``X0`` (n, d) (``single``: one start given as such; default: the
        call's own) and return a new Trajectory (``schedule``, ``label``: what the Trajectory says, the call's
        own by default; a memo hit passes the caller's objects). Each Trajectory's ``function`` is
        its own: the call's function itself for the first run of a call not remembered (``kept=False``),
        else a copy of it, made when it is first read."""
        first, self.first = self.first, None  # what prepare made serves the first run only
        if first is not None:
            rng, chain = first
        else:
            rng = (make_rng(self.seed) if self.noise is not None or self.batch_size is not None
                   else self.seed)
            chain = None
        f, plan, steps = self.f, self.plan, self.steps
        if X0 is None:
            X0, single = self.X0, self.single
        elif X0.shape != self.X0.shape or single != self.single:
            raise ValueError(f"starts of shape {X0.shape} for a call prepared for {self.X0.shape}")
        bound = self.bound_value
        if bound is None:  # (max(1, a, b) as max(max(1, a), b): the same float)
            bound = 1e6 * max(self.fscale, _abs_max(X0))
        if self.bound is not None:
            t0 = time.perf_counter()
            out = self.bound(X0, bound, progress, rng if self.noise is not None else None)
            wall = time.perf_counter() - t0
        else:
            if chain is None:
                chain = self.chain(rng)
            if self.batch_size is not None:
                vg = _batch_vg(f, X0.shape[0], int(self.batch_size), self.sampling, rng)
            else:
                vg = f.value_and_grad_fn(self.gradient, reuse_buffers=True)
            t0 = time.perf_counter()
            out = run_rows(vg, X0, chain, self.hyper, steps, hyper=self.transform_hp, tol=self.tol,
                           bound=bound, record=plan.names, every=plan.every, progress=progress)
            wall = time.perf_counter() - t0
        sq = (lambda a: None if a is None else a[:, 0]) if single else (lambda a: a)
        state = {k: sq(v) for k, v in out["state"].items()}
        keys = self.rule.state_keys
        descriptions = {k: keys.get(k, "") for k in state}
        X0 = X0.copy()
        if single:
            status, stopped = str(out["status"][0]), int(out["stopped_at"][0])
            final, final_loss = out["final"][0], float(out["final_loss"][0])
            x0_out = X0[0]
        else:
            status, stopped = out["status"], out["stopped_at"]
            final, final_loss = out["final"], out["final_loss"]
            x0_out = X0
        seed = self.seed
        traj = Trajectory(
            params=sq(out["params"]), loss=sq(out["loss"]), grad=sq(out["grad"]), grad_norm=sq(out["grad_norm"]),
            lr=self.lr_hist.copy(), state=state, status=status, stopped_at=stopped, final=final,
            final_loss=final_loss, steps=steps, optimizer=self.name, hyperparameters=dict(self.hyper),
            function=f, label=(self.label if label is _GIVEN else label) or self.name,
            x0=x0_out, single=single, tol=self.tol, noise=self.noise,
            seed=seed if not isinstance(seed, np.random.Generator) else None, batch_size=self.batch_size,
            divergence_bound=bound, gradient=self.how, wall_time=wall, state_descriptions=descriptions,
            schedule=self.schedule if schedule is _GIVEN else schedule, clip_grad_norm=self.clip,
            sampling=self.sampling if self.batch_size is not None else None,
            record=plan.recorded, record_every=plan.every, record_note=plan.note,
            engine="numpy" if self.bound is None else "numba",
        )
        return share_function(traj, f) if kept or first is None else traj


def _compiled_program(engine, f, gradient, chain, hyper, transform_hp, n, d, lr_values, batch_size, own_rng):
    """(program, inputs) of the compiled engine for this run, or None for the NumPy engine (see gdlab.runs.compiled)."""
    if engine == "numpy":
        return None
    from . import compiled

    engine = compiled.resolve_engine(engine)
    if engine == "numpy" or (engine == "auto" and n > compiled.AUTO_MAX_ROWS):
        return None
    try:
        if batch_size is not None:
            raise compiled.Unsupported("mini-batch gradients run on NumPy")
        if own_rng:
            raise compiled.Unsupported("noise drawn from a numpy Generator you passed runs on NumPy "
                                       "(its state after the run would differ); pass an int seed")
        return compiled.program(f, gradient, chain, hyper, transform_hp, n, d, lr_values)
    except compiled.Unsupported as exc:
        if engine == "numba":
            raise compiled.EngineUnavailable(f"engine='numba' cannot run this: {exc} (engine='auto' runs it "
                                             "on NumPy)") from None
        return None


# ---------------------------------------------------------------------------------------
# the call memo: a repeated call (a playground redraw) runs its prepared form again


class _NotAKey(Exception):
    pass


def _key(v):
    """``v`` as a memo key that keeps what changes a run: each value's type, a float's sign (``1``, ``1.0``,
    ``True``, ``0.0`` and ``-0.0`` are apart); plain values and tuples, lists and dicts of them only
    (anything else, a callable, a Generator, an array, raises _NotAKey)."""
    t = type(v)
    if t is str or t is int or t is bool or v is None:
        return t, v
    if t is float or isinstance(v, np.floating):
        return t, float(v), math.copysign(1.0, v)
    if t is tuple or t is list:
        return (t, *[_key(x) for x in v])
    if t is dict:
        return (t, *[(k, _key(x)) for k, x in v.items()])
    if isinstance(v, np.integer):
        return t, int(v)
    raise _NotAKey


def _x0_form(x0):
    """What of x0 a prepared call depends on, as a key: its kind and size (its values are checked and read by
    every call; the shape resolve_starts gives is compared with the call's): a float or int array by its
    dtype and shape, a list or tuple by its length, a number by its type; anything else raises _NotAKey."""
    t = type(x0)
    if t is np.ndarray:
        if x0.size > MEMO_MAX_NUMBERS or x0.dtype.kind not in "fiu":
            raise _NotAKey
        return t, x0.dtype.str, x0.shape
    if t is list or t is tuple:
        if len(x0) > MEMO_MAX_NUMBERS:
            raise _NotAKey
        return t, len(x0)
    if x0 is None or t is float or t is int:
        return t
    raise _NotAKey


#: The call memo's bounds: at most MEMO_KEPT calls, each of at most MEMO_MAX_NUMBERS start numbers (n x d) and
#: fewer than MEMO_MAX_STEPS steps, holding at most MEMO_MAX_BYTES of arrays in all (the starts, the optimizer's
#: initial state, the lr history, a schedule's lr table, the recorded steps and the step table: Call.nbytes),
#: a call of more than a quarter of that never; and the hashes of at most MEMO_FAMILIES keys and families seen.
MEMO_KEPT = 64
MEMO_MAX_NUMBERS = 4096
MEMO_MAX_STEPS = 20_000
MEMO_MAX_BYTES = 32 * 2**20
_CALLS: dict = {}  # hash of a key -> (key, Call, hash of the key less its lr)
_SIBLINGS: dict = {}  # hash of a key less its lr -> (that, the last remembered call of it: one of _CALLS')
_CALLS_BYTES = 0
_LR = 3  # where the lr is in a key
#: the hashes of the keys, and of their families (keys less their lr), seen and not kept: the last MEMO_FAMILIES
_FAMILIES: dict = {}
MEMO_FAMILIES = 1024
_CALLS_LOCK = threading.Lock()


def call_key(f, x0, optimizer, steps, lr, hp, tol, noise, seed, schedule, batch_size, sampling, gradient,
             clip_grad_norm, divergence_bound, record, record_every, record_budget, label, progress, engine):
    """The memo key of a call of :func:`minimize` with these arguments, as (key, its hash), or None when it is
    not remembered:
    ``f`` a catalog name or formula (a Function or callable is not: its code and arrays may change), no
    progress hook, no mini-batches, fewer than MEMO_MAX_STEPS steps, small starts, and only plain values
    (no arrays of hyperparameters, no Generator seed, no callable schedule), each by its type and bits
    (``1``, ``1.0``, ``True``, ``0.0``, ``-0.0`` apart). The environment settings a run reads
    ($GDLAB_RECORD_BUDGET, $GDLAB_ENGINE) are part of it. The starts' values and the label are not: a
    remembered call runs from the starts it is given (of the same shape) and takes the label it is given."""
    if type(f) is not str or progress is not None or batch_size is not None:
        return None
    if type(steps) is not int or steps >= MEMO_MAX_STEPS:
        return None
    try:  # (None and text stand for themselves: no key of another value equals them)
        key = (f, _x0_form(x0), steps, _key(lr), _key(hp) if hp else None, _key(tol), _key(noise), _key(seed),
                *[v if v is None or type(v) is str else _key(v)
                  for v in (optimizer, schedule, sampling, gradient, clip_grad_norm, divergence_bound, record,
                            record_every, record_budget, engine)],
                *_settings())
    except _NotAKey:
        return None
    return key, hash(key)


def _settings():
    """$GDLAB_RECORD_BUDGET and $GDLAB_ENGINE (None where unset). On POSIX read from os.environ's own dict of
    bytes: ``os.environ.get`` of an unset name raises and catches a KeyError inside (about 1 us each)."""
    data = getattr(os.environ, "_data", None)
    if os.name == "posix" and type(data) is dict:
        return data.get(b"GDLAB_RECORD_BUDGET"), data.get(b"GDLAB_ENGINE")
    return os.environ.get("GDLAB_RECORD_BUDGET"), os.environ.get("GDLAB_ENGINE")


def _remembered(k):
    """The Call remembered for the key ``k`` while it still applies (its compiled program not dropped), else
    None. (The memo's dicts are keyed by the key's hash, computed once a call, and hold the key to compare:
    a tuple's hash is not cached, and a call's dict operations would each hash it again.)"""
    key, h = k
    got = _CALLS.get(h)
    if got is None or got[0] != key:
        return None
    call = got[1]
    if call.bound is not None and call.bound.program.dropped:
        return None
    return call


def _sibling(k):
    """The last remembered call of the key ``k`` but for its lr, or None."""
    key = k[0]
    no_lr = key[:_LR] + key[_LR + 1:]
    got = _SIBLINGS.get(hash(no_lr))
    return got[1] if got is not None and got[0] == no_lr else None


def _forget(h):
    """Drop the call of hash ``h`` (the lock held); its bytes are no longer counted."""
    global _CALLS_BYTES
    old = _CALLS.pop(h, None)
    if old is not None:
        _CALLS_BYTES -= old[1].nbytes()
        sib = _SIBLINGS.get(old[2])
        if sib is not None and sib[1] is old[1]:
            del _SIBLINGS[old[2]]


def _remember(k, call):
    """Remember ``call`` under the key ``k``: from the second call of its family (the key less its lr) on, and
    once its family has a call remembered (the sibling a new lr is prepared from), from the second call of
    the key itself on. So a stream of calls each made once (a new tol, steps or optimizer every time, or a
    new lr every time after the first) is not kept, nor freed later, and a call made again is."""
    key, h = k
    no_lr = key[:_LR] + key[_LR + 1:]
    hs = hash(no_lr)
    seen = hs if hs not in _SIBLINGS else h  # what must have been seen before
    if seen not in _FAMILIES:
        with _CALLS_LOCK:
            _FAMILIES[hs] = None
            _FAMILIES[h] = None
            while len(_FAMILIES) > MEMO_FAMILIES:
                _FAMILIES.pop(next(iter(_FAMILIES)))
        return
    nbytes = call.nbytes()
    if call.X0.size > MEMO_MAX_NUMBERS or nbytes > MEMO_MAX_BYTES // 4:
        return
    global _CALLS_BYTES
    with _CALLS_LOCK:
        _forget(h)
        while _CALLS and (len(_CALLS) >= MEMO_KEPT or _CALLS_BYTES + nbytes > MEMO_MAX_BYTES):
            _forget(next(iter(_CALLS)))
        _CALLS[h] = (key, call, hs)
        _SIBLINGS[hs] = (no_lr, call)
        _CALLS_BYTES += nbytes


def clear_memo():
    """Forget the remembered calls (see :func:`minimize`)."""
    global _CALLS_BYTES
    with _CALLS_LOCK:
        _CALLS.clear()
        _SIBLINGS.clear()
        _FAMILIES.clear()
        _CALLS_BYTES = 0


# ---------------------------------------------------------------------------------------
# public


def minimize(f, x0=None, optimizer="gd", steps=100, lr=None, tol=None, noise=None, seed=None, *,
             schedule=None, batch_size=None, sampling="shuffle", gradient="auto", clip_grad_norm=None,
             divergence_bound=None, record="auto", record_every=None, record_budget=None, label=None,
             progress=None, engine="auto", **hyperparameters) -> Trajectory:
    """Run an optimizer on ``f`` from ``x0`` (one start or n starts as one array program).

    >>> traj = gdlab.minimize("square", -5.0, "gd", steps=150, lr=0.1)      # seed 000
    >>> traj.params.shape, traj.status
    ((151, 1), 'max_steps')
    >>> many = gdlab.minimize("rosenbrock", np.random.randn(100, 2), "adam", lr=0.01, steps=1000)

    Each step ``t = 0 .. steps-1`` the optimizer (a gdlab.optim rule: its maths lives there)
    updates ``x_{t+1}`` from the gradient ``g_t = grad f(x_t)``, e.g. for "gd"
    ``x_{t+1} = x_t - lr * g_t``.

    Parameters
    ----------
    f : Function | str | callable
        A gdlab Function, a catalog name ("rosenbrock"), a formula ("x**2 - y**2"), or a
        callable written with gdlab ops (then x0 is required).
    x0 : None | number | (d,) | (n, d)
        The start(s); None: ``f.start``. A 1-D function takes a scalar, or n numbers for n starts.
    optimizer : str
        A gdlab.optim rule name: "gd"/"sgd", "momentum", "nesterov", "adagrad", "rmsprop",
        "adadelta", "adam", "adamw", "adamax", "nadam", "radam", "lion", "rprop", "asgd",
        "adafactor", "muon", "lbfgs", "lbfgs_wolfe" (L-BFGS with its strong-Wolfe line
        search). Adafactor reduces over each run's point (its RMS): every run is torch's
        Adafactor on a 1-D parameter; Muon treats each run's point as a 1 x d matrix
        (torch's Muon on a parameter of shape (1, d): normalised momentum). L-BFGS: see
        ``steps``; it runs each start as its own Python program, about 0.1-0.3 ms per
        start and step on Rosenbrock (the array rules: 0.1-3 us), so it is for a few
        starts, not for basin maps of thousands.
    steps : int >= 1
        The number of updates; the trajectory has steps + 1 points. For "lbfgs" a step is
        one function evaluation (one call of torch's closure): the trajectory holds every
        point L-BFGS evaluated, in torch's order, line-search trials included (with
        ``line_search_fn="strong_wolfe"``), and a point evaluated twice where one torch
        ``LBFGS.step`` ends (``max_iter`` iterations) and the next begins, as torch
        evaluates it twice. So ``steps`` counts gradient evaluations for every optimizer.
    lr : float | None
        The learning rate (None: the optimizer's default, torch's).
    tol : float | None
        Stop a run ("converged") at the first point where ||grad|| < tol.
    noise : float | None
        Standard deviation of Gaussian noise added to each gradient before the update
        (perturbed gradient descent); drawn from ``seed``.
    seed : None | int | numpy Generator
        For noise and mini-batch sampling.
    schedule : None | callable(t, base_lr) | name | (name, kwargs)
        Learning-rate schedule over the steps (gdlab.optim.lr_scheduler's closed forms):
        "step" (step_size, gamma), "multistep" (milestones, gamma), "exponential" (gamma),
        "cosine" (T_max = steps by default, eta_min), "linear" (start_factor, end_factor, total_iters).
    batch_size : int | None
        For data-defined objectives: mini-batch gradients of this size (1 = SGD); the loss
        recorded is still the full loss. ``sampling``: "shuffle" (a new permutation per
        epoch and run, default), "random" (with replacement) or "cyclic" (in order).
    gradient : "auto" | "closed_form" | "autodiff"
        How gradients are computed ("auto": closed form where the function lists one).
    clip_grad_norm : float | None
        Clip each run's gradient to this norm (before the update).
    divergence_bound : float | None
        See the module docstring.
    record : "auto" | tuple
        What to keep per step (see the module docstring).
    record_every : int | None
        With a tuple ``record``: keep every k-th step (and the last) instead of every step.
    record_budget : int | None
        Bytes ``record="auto"`` may use (default $GDLAB_RECORD_BUDGET, else 128 MiB).
    label : str | None
        A name for the run (default: the optimizer's name).
    engine : "auto" | "numpy" | "numba"
        "auto" (default): the compiled engine (gdlab.runs.compiled) when numba is installed and
        the run can be compiled (and has at most 2,048 rows, where it is the faster), else NumPy, with the same numbers ($GDLAB_ENGINE=numpy or numba
        sets what "auto" means for a process); "numba" raises a ValueError saying why a run
        cannot be compiled. ``Trajectory.engine`` says which ran.
    progress : callable(done_steps, total_steps) | None
        Called every ``max(1, steps // 200)`` steps and once at the end (with the steps run, fewer
        than ``steps`` when every run stopped early), e.g. to draw a progress bar.
    **hyperparameters
        The optimizer's other hyperparameters with torch's names (momentum, betas, eps,
        weight_decay, nesterov, alpha, ...). Unknown names raise TypeError.

    Returns
    -------
    Trajectory
        A new one every call. A repeated call of a name or formula runs its remembered, prepared
        form (see "Repeated calls" in the module docstring), with the same numbers.
    """
    key = call_key(f, x0, optimizer, steps, lr, hyperparameters, tol, noise, seed, schedule, batch_size, sampling,
                   gradient, clip_grad_norm, divergence_bound, record, record_every, record_budget, label, progress,
                   engine)
    if key is not None:
        call = _remembered(key)
        if call is not None:
            X0, single = resolve_starts(call.f, x0)  # the starts: checked for every call
            if X0.shape == call.X0.shape and single == call.single:
                return call.execute(X0, single, None, schedule, label)
        else:
            call = _sibling(key)  # the same call with another lr (a playground's lr slider)
            if call is not None:
                X0, single = resolve_starts(call.f, x0)
                if X0.shape == call.X0.shape and single == call.single:
                    if lr is not None and (isinstance(lr, bool) or not isinstance(lr, numbers.Real)):
                        raise TypeError(f"lr must be a number or None, got {lr!r}; use gdlab.lr_sweep for "
                                        "several learning rates")
                    call = call.with_lr(lr, hyperparameters)
                    if call is not None:
                        traj = call.execute(X0, single, None, schedule, label)
                        _remember(key, call)
                        return traj
        f = built_function(f)  # (a name or formula) kept by the call; its runs' Trajectories get copies
    else:
        f = resolve_function(f, x0)
    X0, single = resolve_starts(f, x0)
    steps = check_steps(steps)
    if lr is not None and (isinstance(lr, bool) or not isinstance(lr, numbers.Real)):
        raise TypeError(f"lr must be a number or None, got {lr!r}; use gdlab.lr_sweep for several learning rates")
    progress = _check_progress(progress)
    call = prepare(f, X0, single, optimizer, steps, lr, hyperparameters, tol=tol, noise=noise, seed=seed,
                   schedule=schedule, batch_size=batch_size, sampling=sampling, gradient=gradient,
                   clip_grad_norm=clip_grad_norm, divergence_bound=divergence_bound, record=record,
                   record_every=record_every, record_budget=record_budget, label=label, engine=engine)
    traj = call.execute(progress=progress, kept=key is not None)
    if key is not None:
        _remember(key, call)
    return traj


def _check_progress(progress):
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be None or a callable(done_steps, total_steps), got {progress!r}")
    return progress


def normalize_optimizers(optimizers):
    """{label: {"optimizer": name, **hp}} from a name, a list of names, or a dict label -> hp."""
    if optimizers is None:
        optimizers = ["gd", "momentum", "adam"]
    if isinstance(optimizers, str):
        optimizers = [optimizers]
    if isinstance(optimizers, (list, tuple)):
        out = {}
        for name in optimizers:
            if not isinstance(name, str):
                raise TypeError(f"optimizers as a list must hold names, got {name!r}")
            out[name] = {}
        optimizers = out
    if not isinstance(optimizers, dict) or not optimizers:
        raise TypeError("optimizers must be a name, a list of names or a dict label -> hyperparameters, "
                        f"got {optimizers!r}")
    result = {}
    for label, spec in optimizers.items():
        spec = {} if spec is None else dict(spec)
        name = spec.pop("optimizer", label)
        if name not in optim.RULES and str(name).lower() not in optim.RULES:
            if "optimizer" not in (optimizers[label] or {}):
                raise ValueError(f"race: label {label!r} is not an optimizer name; give its optimizer with "
                                 f"{{'optimizer': name, ...}}. Known optimizers: {', '.join(optim.rule_names())}")
            optim.get_rule(name)  # raises with the close matches
        result[str(label)] = {"optimizer": name, **spec}
    return result


def race(f, x0=None, optimizers=None, steps=100, *, tol=None, noise=None, seed=None, progress=None, **common):
    """Several optimizers, each with its own hyperparameters, from the same start(s).

    >>> runs = gdlab.race("rosenbrock", [-1.2, 1.0], {"gd": {"lr": 1e-3}, "adam": {"lr": 0.05},
    ...                   "heavy": {"optimizer": "momentum", "lr": 1e-3, "momentum": 0.95}}, steps=500)
    >>> {label: t.final_loss for label, t in runs.items()}

    ``optimizers``: a dict label -> hyperparameters (with an "optimizer" key when the label
    is not an optimizer's name), a list of names (their default hyperparameters) or one
    name; default ["gd", "momentum", "adam"]. Every run gets the same x0, steps, tol, noise,
    seed (so the same noise draws and batches) and the ``common`` keyword arguments: minimize's
    options (schedule, batch_size, record, ...) and shared hyperparameters (e.g.
    ``weight_decay=1e-3``; an optimizer's own entry overrides them). ``progress(done_steps,
    total_steps)`` counts the steps of every run, one optimizer after the other (total: steps times
    the number of optimizers). Returns a :class:`Race`: a dict label -> Trajectory.
    """
    text = f
    f = resolve_function(f, x0)
    X0, single = resolve_starts(f, x0)
    steps = check_steps(steps)
    specs = normalize_optimizers(optimizers)
    if "lr" in common:
        raise TypeError("race: give each optimizer its own lr, e.g. optimizers={'adam': {'lr': 0.1}}")
    run_kw = {k: common.pop(k) for k in list(common) if k in RUN_OPTIONS}
    opts = {**{k: minimize.__kwdefaults__[k] for k in RUN_OPTIONS}, **run_kw}  # minimize's defaults: one place
    progress = _check_progress(progress)
    out = Race()
    for i, (label, spec) in enumerate(specs.items()):
        spec = {**common, **spec}  # shared hyperparameters, overridden per optimizer
        name = spec.pop("optimizer")
        lr = spec.pop("lr", None)
        hook = None if progress is None else (lambda done, _, i=i: progress(i * steps + done, len(specs) * steps))
        # each run is the call minimize(text, x0, name, steps, lr, ..., **spec): it shares minimize's memo
        key = None if hook is not None else call_key(
            text, x0, name, steps, lr, spec, tol, noise, seed, opts["schedule"], opts["batch_size"],
            opts["sampling"], opts["gradient"], opts["clip_grad_norm"], opts["divergence_bound"], opts["record"],
            opts["record_every"], opts["record_budget"], label, None, opts["engine"])
        call = None if key is None else _remembered(key)
        if call is not None and X0.shape == call.X0.shape and single == call.single:
            out[label] = call.execute(X0, single, None, opts["schedule"], label)
            continue
        call = prepare(f, X0, single, name, steps, lr, spec, tol=tol, noise=noise, seed=seed, label=label, **run_kw)
        out[label] = call.execute(progress=hook, kept=key is not None)
        if key is not None:
            _remember(key, call)
    return out
