"""Duck-typed inputs: runs, races, raw arrays and objective functions, normalised once.

gdlab.viz draws results; it never runs an optimizer. What it accepts as "runs":

- a Trajectory (anything with ``.params``; ``.loss``, ``.grad``, ``.grad_norm``, ``.lr``,
  ``.state``, ``.status``, ``.stopped_at``, ``.label``, ``.optimizer``, ``.function`` are used
  when present), or its ``to_dict()``;
- a race: a dict ``label -> Trajectory`` (or ``label -> array``);
- a list of those;
- raw arrays of visited points: (steps+1,) for a 1-D path, (steps+1, d), or (steps+1, n, d).

What it accepts as an objective: a gdlab function (``f(x)`` on arrays whose last axis is
``f.dim``, with ``.grad``, ``.bounds``, ``.minima``, ``.name``) or any plain callable. A plain
callable may take the point's coordinates as ``x[..., i]`` (gdlab's convention), as ``x[i]``
(the seeds' ``x[0]**2 + x[1]**2``) or one point at a time; gdlab.viz finds out which.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np


# ---------------------------------------------------------------------------------------------
# runs

@dataclass
class Run:
    """A run normalised for drawing: every per-step array has a start axis (n).

    The arrays hold recorded *slots*; ``steps[t]`` is the step of slot t (0..T-1 when every
    step was recorded; 0, k, 2k, ..., and the last step when the record was thinned: the
    Trajectory's ``recorded_steps``). ``stopped_at[j]`` is the slot where start j stopped (an
    index into the arrays) and ``stop_step[j]`` the step at which it stopped. Figures put
    their x data (and step labels) through :meth:`axis` and :meth:`slot`, never an arange.
    """
    label: str
    params: np.ndarray                 # (T, n, d)
    loss: np.ndarray | None = None     # (T, n)
    grad: np.ndarray | None = None     # (T, n, d)
    grad_norm: np.ndarray | None = None  # (T, n)
    lr: np.ndarray | None = None       # (T-1,)
    state: dict = field(default_factory=dict)  # name -> (T, n, d)
    stopped_at: np.ndarray | None = None  # (n,) int
    status: np.ndarray | None = None   # (n,) str
    optimizer: str | None = None
    function: object = None
    hyperparameters: dict = field(default_factory=dict)
    single: bool = True
    color: str | None = None
    steps: np.ndarray | None = None    # (T,) int: the step of each slot (None: 0..T-1)
    stop_step: np.ndarray | None = None  # (n,) int: the step at which each start stopped

    def __post_init__(self):
        if self.steps is None:
            self.steps = np.arange(self.T)
        self.steps = np.asarray(self.steps, dtype=np.int64)
        if self.steps.shape != (self.T,):
            raise ValueError(f"a run's steps must have one entry per recorded point ({self.T}), "
                             f"got shape {self.steps.shape}")
        if self.stop_step is None and self.stopped_at is not None:
            self.stop_step = self.steps[np.clip(np.asarray(self.stopped_at, int), 0, self.T - 1)]

    def axis(self, j=0, upto=None):
        """The steps of start j's slots up to where it stopped (or up to slot ``upto``): the x data
        of its curves. The slot it stopped in is labelled with the step it stopped at (a thinned
        record holds the stop value in the first slot at or after it)."""
        stop = self.T - 1 if self.stopped_at is None else int(self.stopped_at[j])
        last = stop if upto is None else min(int(upto), stop)
        x = self.steps[: last + 1].copy()
        if last == stop and self.stop_step is not None:
            x[-1] = int(self.stop_step[j])
        return x

    def slot(self, step, j=0):
        """The slot start j shows at ``step``: the last one recorded at or before it; from the step it
        stopped at on, the slot that holds its stop."""
        stop = self.T - 1 if self.stopped_at is None else int(self.stopped_at[j])
        if self.stopped(step, j):
            return stop
        t = int(np.searchsorted(self.steps, int(step), side="right")) - 1
        return max(0, min(t, stop))

    def stopped(self, step, j=0):
        """Whether start j has stopped by ``step``."""
        return self.stop_step is not None and int(step) >= int(self.stop_step[j])

    @property
    def thinned(self):
        return self.T > 1 and int(self.steps[-1]) != self.T - 1

    @property
    def T(self):
        return self.params.shape[0]

    @property
    def n(self):
        return self.params.shape[1]

    @property
    def dim(self):
        return self.params.shape[2]

    @property
    def last(self):
        """The last step worth showing: the latest step at which a start stopped."""
        return int(np.max(self.stop_step)) if self.stop_step is not None else int(self.steps[-1])

    def diverged(self, j=0):
        return self.status is not None and str(self.status[j]) == "diverged"

    @property
    def any_diverged(self):
        return self.status is not None and bool(np.any(self.status == "diverged"))


def _arr(value):
    if value is None:
        return None
    value = getattr(value, "data", value) if not isinstance(value, np.ndarray) else value
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def _with_start_axis(a, T, n, d=None):
    """Reshape a per-step array to (T, n[, d])."""
    if a is None:
        return None
    if d is None:  # scalar per step: (T,) or (T, n)
        if a.ndim == 1 and a.shape[0] == T:
            return a.reshape(T, 1) if n == 1 else np.repeat(a[:, None], n, axis=1)
        if a.ndim == 2 and a.shape == (T, n):
            return a
        if a.ndim == 2 and a.shape == (T, 1):
            return np.repeat(a, n, axis=1)
        return None
    if a.ndim == 1 and d == 1 and a.shape[0] == T and n == 1:
        return a.reshape(T, 1, 1)
    if a.ndim == 2 and a.shape == (T, d) and n == 1:
        return a[:, None, :]
    if a.ndim == 2 and a.shape == (T, n) and d == 1:
        return a[:, :, None]
    if a.ndim == 3 and a.shape == (T, n, d):
        return a
    return None


def _params_array(p):
    """(T, n, d) from (T,), (T, d) or (T, n, d); returns (array, single)."""
    p = np.asarray(p, dtype=float)
    if p.ndim == 1:
        return p.reshape(-1, 1, 1), True
    if p.ndim == 2:
        return p[:, None, :], True
    if p.ndim == 3:
        return p, False
    raise ValueError(f"visited points must have shape (steps+1,), (steps+1, d) or (steps+1, n, d), "
                     f"got an array of shape {p.shape}")


def is_run_like(obj):
    """A Trajectory-like object (visited points in ``.params``), its to_dict(), or a Run.
    Objective functions are callable and never count, whatever attributes they have."""
    if isinstance(obj, Run):
        return True
    if isinstance(obj, Mapping):
        return "params" in obj
    return hasattr(obj, "params") and not callable(obj)


def as_run(obj, label=None):
    """One :class:`Run` from a Trajectory, its to_dict(), or an array of visited points."""
    if isinstance(obj, Run):
        if label is not None and label != obj.label:
            return Run(**{**obj.__dict__, "label": str(label)})
        return obj
    if isinstance(obj, Mapping):
        obj = SimpleNamespace(**obj)
    if not hasattr(obj, "params"):
        params, single = _params_array(obj)
        T, n, d = params.shape
        return Run(label=str(label) if label is not None else "run", params=params,
                   stopped_at=np.full(n, T - 1), status=np.full(n, "max_steps", dtype=object),
                   single=single)
    params = _arr(obj.params)
    if params is None or params.ndim == 0:
        params, single = _unrecorded_points(obj)
    else:
        params, single = _params_array(params)
    T, n, d = params.shape
    loss = _with_start_axis(_arr(getattr(obj, "loss", None)), T, n)
    grad = _with_start_axis(_arr(getattr(obj, "grad", None)), T, n, d)
    gn = _with_start_axis(_arr(getattr(obj, "grad_norm", None)), T, n)
    if gn is None and grad is not None:
        gn = np.linalg.norm(grad, axis=-1)
    lr = getattr(obj, "lr", None)
    if lr is not None:
        lr = np.asarray(_arr(lr), float)
        lr = np.full(T - 1, float(lr)) if lr.ndim == 0 else lr.reshape(-1)
    state = {}
    for name, value in dict(getattr(obj, "state", None) or {}).items():
        a = _arr(value)
        if a is None:
            continue
        a = _with_start_axis(a, T, n, d) if a.ndim != 1 or d == 1 else _with_start_axis(a, T, n)
        if a is not None:
            state[str(name)] = a if a.ndim == 3 else a[:, :, None]
    steps = _recorded_steps(obj, T)
    stopped = getattr(obj, "stopped_at", None)
    stop_step = np.full(n, steps[-1], int) if stopped is None else \
        np.broadcast_to(np.asarray(stopped, int).reshape(-1), (n,)).copy()
    stop_step = np.clip(stop_step, 0, steps[-1])
    stopped = np.searchsorted(steps, stop_step, side="left")  # the first slot at or after the stop
    status = getattr(obj, "status", None)
    status = np.full(n, "max_steps", dtype=object) if status is None else \
        np.broadcast_to(np.asarray(status, dtype=object).reshape(-1), (n,)).copy()
    optimizer = getattr(obj, "optimizer", None)
    optimizer = getattr(optimizer, "name", optimizer)
    if label is None:
        label = getattr(obj, "label", None) or optimizer or "run"
    return Run(label=str(label), params=params, loss=loss, grad=grad, grad_norm=gn, lr=lr, state=state,
               stopped_at=stopped, stop_step=stop_step, steps=steps, status=status,
               optimizer=str(optimizer) if optimizer else None,
               function=getattr(obj, "function", None),
               hyperparameters=dict(getattr(obj, "hyperparameters", None) or {}), single=single)


def _unrecorded_points(obj):
    """NaN points (a read-only view, no memory) for a run that recorded its loss but not its points
    (``record`` without "params"): its curves can be drawn, its path cannot."""
    loss = _arr(getattr(obj, "loss", None))
    if loss is None:
        loss = _arr(getattr(obj, "grad_norm", None))
    if loss is None or loss.ndim == 0:
        raise ValueError("this run recorded neither its points nor its loss (record=...): there is nothing to draw")
    final = np.asarray(_arr(getattr(obj, "final", None)) if getattr(obj, "final", None) is not None else [np.nan])
    d = int(final.shape[-1]) if final.ndim else 1
    n = 1 if loss.ndim == 1 else loss.shape[1]
    return np.broadcast_to(np.nan, (loss.shape[0], n, d)), loss.ndim == 1


def _recorded_steps(obj, T):
    """The step of each of the T recorded points: ``obj.recorded_steps`` (a Trajectory, or the
    ``recorded_steps`` of its to_dict()), else 0..T-1."""
    at = getattr(obj, "recorded_steps", None)
    if at is None:
        return np.arange(T)
    at = np.asarray(at, dtype=np.int64).reshape(-1)
    if at.shape != (T,):
        raise ValueError(f"recorded_steps has {at.size} entries but the run has {T} recorded points")
    return at


def as_runs(obj):
    """A list of :class:`Run` from a run, a race (dict), a list of runs, or arrays."""
    if obj is None:
        return []
    if isinstance(obj, Run) or is_run_like(obj):
        return [as_run(obj)]
    if isinstance(obj, Mapping):
        return [as_run(v, label=k) for k, v in obj.items()]
    if isinstance(obj, (list, tuple)):
        if len(obj) == 0:
            return []
        if all(is_run_like(o) for o in obj):
            runs = [as_run(o) for o in obj]
            return _dedupe_labels(runs)
        if np.ndim(obj[0]) == 0:  # a list of numbers: one 1-D path
            return [as_run(np.asarray(obj, float))]
        return [as_run(o, label=f"run {i + 1}") for i, o in enumerate(obj)]
    return [as_run(obj)]


def _dedupe_labels(runs):
    seen = {}
    for r in runs:
        seen[r.label] = seen.get(r.label, 0) + 1
    if all(c == 1 for c in seen.values()):
        return runs
    out = []
    for r in runs:
        if seen[r.label] > 1:
            lr = r.hyperparameters.get("lr")
            if lr is None and r.lr is not None and r.lr.size:
                lr = r.lr[0]
            if lr is not None:
                r = as_run(r, label=f"{r.label} lr={float(lr):g}")
        out.append(r)
    return out


def split_function_and_runs(f, runs):
    """Figure functions take ``(f, runs)``; ``f`` may itself be the runs (then f = run.function)."""
    if runs is None and f is not None and (is_run_like(f) or _is_race(f) or _is_list_of_runs(f)):
        runs, f = f, None
    rs = as_runs(runs)
    if f is None:
        f = next((r.function for r in rs if r.function is not None), None)
    return f, rs


def _is_race(obj):
    return isinstance(obj, Mapping) and "params" not in obj and len(obj) > 0 and \
        all(is_run_like(v) or isinstance(v, (np.ndarray, list, tuple)) for v in obj.values())


def _is_list_of_runs(obj):
    return isinstance(obj, (list, tuple)) and len(obj) > 0 and all(is_run_like(o) for o in obj)


# ---------------------------------------------------------------------------------------------
# objective functions

def _plain(out):
    out = getattr(out, "data", out) if not isinstance(out, (np.ndarray, float, int)) else out
    return np.asarray(out, dtype=float)


class Objective:
    """A callable evaluated on many points at once, whatever convention it was written in."""

    def __init__(self, f, dim=None):
        self.f = f
        self.dim = int(dim or getattr(f, "dim", 0) or 0) or None
        self.name = getattr(f, "name", None) or getattr(f, "__name__", None) or "f"
        if self.name == "<lambda>":
            self.name = "f"
        self._mode = None

    # point-at-a-time reference
    def _one(self, p):
        arg = float(p[0]) if p.shape[0] == 1 else p
        return float(_plain(self.f(arg)).reshape(-1)[0])

    def _try(self, mode, pts):
        m = pts.shape[0]
        with np.errstate(all="ignore"):
            if mode == "last":
                out = _plain(self.f(pts))
            elif mode == "first":
                out = _plain(self.f(pts.T))
            elif mode == "flat":
                out = _plain(self.f(pts[:, 0]))
            else:
                return np.array([self._one(p) for p in pts])
        if out.size != m:
            raise ValueError("shape")
        return out.reshape(m)

    def __call__(self, pts):
        """Values at ``pts`` of shape (..., d); returns shape pts.shape[:-1]."""
        pts = np.asarray(pts, dtype=float)
        if pts.ndim == 1 and (self.dim or 1) == 1:
            pts = pts[:, None]
        shape = pts.shape[:-1]
        flat = pts.reshape(-1, pts.shape[-1])
        if self._mode is None:
            self._mode = self._detect(flat)
        try:
            return self._try(self._mode, flat).reshape(shape)
        except Exception:
            return self._try("loop", flat).reshape(shape)

    def _detect(self, flat):
        probe = flat[: min(3, len(flat))]
        if len(probe) < 3:  # make a probe with distinct points
            probe = np.vstack([probe, probe + 0.37, probe - 0.61])[:3]
        with np.errstate(all="ignore"):
            try:
                ref = np.array([self._one(p) for p in probe])
            except Exception:
                ref = None
        modes = ["last", "flat", "first"] if probe.shape[1] == 1 else ["last", "first"]
        for mode in modes:
            try:
                out = self._try(mode, probe)
            except Exception:
                continue
            if ref is None or np.allclose(out, ref, rtol=1e-9, atol=1e-12, equal_nan=True):
                return mode
        return "loop"

    def grad(self, pts):
        """Gradient at ``pts`` (..., d): the function's own ``.grad`` when it has one, else
        central differences (h = 1e-5 relative)."""
        pts = np.asarray(pts, dtype=float)
        g = getattr(self.f, "grad", None)
        if callable(g):
            try:
                with np.errstate(all="ignore"):
                    out = _plain(g(pts))
                if out.shape == pts.shape:
                    return out
                if out.size == pts.size:
                    return out.reshape(pts.shape)
            except Exception:
                pass
        out = np.empty_like(pts)
        for i in range(pts.shape[-1]):
            h = 1e-5 * np.maximum(1.0, np.abs(pts[..., i]))
            up, down = pts.copy(), pts.copy()
            up[..., i] += h
            down[..., i] -= h
            out[..., i] = (self(up) - self(down)) / (2 * h)
        return out


def objective(f, dim=None):
    return f if isinstance(f, Objective) else Objective(f, dim)


def _points_of(f, attr, dim=None):
    """The points ``f.<attr>`` (minima, saddles) as (k, d), or an empty (0, d) array."""
    m = getattr(f, attr, None)
    if m is None:
        return np.zeros((0, dim or 2))
    m = np.asarray(m, float)
    if m.size == 0:
        return np.zeros((0, dim or 2))
    if m.ndim <= 1:
        return m.reshape(-1, dim) if dim else m.reshape(1, -1)
    return m.reshape(-1, m.shape[-1])


def minima_of(f, dim=None):
    """Known minima of f as (k, d), or an empty (0, d) array."""
    return _points_of(f, "minima", dim)


def saddles_of(f, dim=None):
    """Known saddle points of f as (k, d), or an empty (0, d) array."""
    return _points_of(f, "saddles", dim)


def finite_points(runs, dim):
    """All finite, not-absurd visited points of the runs (up to where each stopped), (m, dim)."""
    pts = []
    for r in runs:
        if r.dim != dim:
            continue
        for j in range(r.n):
            p = r.params[: r.stopped_at[j] + 1, j]
            pts.append(p)
    if not pts:
        return np.zeros((0, dim))
    p = np.concatenate(pts)
    ok = np.all(np.isfinite(p), axis=1) & np.all(np.abs(p) < 1e6, axis=1)
    return p[ok]


def plot_bounds(f, runs, dim, bounds=None, pad=0.12):
    """(d, 2) drawing bounds: explicit > the function's bounds (grown to show the runs' points
    that are not far outside) > the runs' extent > [-2, 2]."""
    if bounds is not None:
        b = np.asarray(bounds, float).reshape(dim, 2)
        return b
    b = getattr(f, "bounds", None)
    pts = finite_points(runs, dim)
    if b is not None:
        b = np.asarray(b, float).reshape(dim, 2).copy()
        if len(pts):
            # grow to show the visited points (with a 5 % margin), up to 1.5 widths each side
            width = b[:, 1] - b[:, 0]
            margin = 0.05 * width
            b[:, 0] = np.minimum(b[:, 0], np.maximum(pts.min(0) - margin, b[:, 0] - 1.5 * width))
            b[:, 1] = np.maximum(b[:, 1], np.minimum(pts.max(0) + margin, b[:, 1] + 1.5 * width))
        return b
    mins = minima_of(f, dim)
    if mins.shape[-1] == dim and len(mins):
        pts = np.vstack([pts, mins]) if len(pts) else mins
    if len(pts) == 0:
        return np.tile([-2.0, 2.0], (dim, 1))
    lo, hi = pts.min(0), pts.max(0)
    span = hi - lo
    span = np.where(span > 0, span, np.maximum(np.abs(lo), 1.0))
    return np.stack([lo - pad * span, hi + pad * span], axis=1)


def function_dim(f, runs):
    d = getattr(f, "dim", None)
    if d:
        return int(d)
    for r in runs:
        return r.dim
    m = getattr(f, "minima", None)
    if m is not None and np.size(m):
        return int(np.shape(np.atleast_2d(m))[-1])
    b = getattr(f, "bounds", None)
    if b is not None:
        return int(np.asarray(b).reshape(-1, 2).shape[0])
    return None


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def pretty(text):
    """A formula as figures print it: ``x**2`` as x², ``*`` as a centred dot, `` - `` as a minus
    sign (other text unchanged)."""
    text = re.sub(r"\*\*(-?\d+)(?![\d.])", lambda m: m.group(1).translate(_SUPERSCRIPTS), str(text))
    text = re.sub(r"\s*\*\s*", "·", text.replace("**", "^"))
    return text.replace(" - ", " − ")


def function_name(f):
    """The name figures show for ``f``: its ``label`` (gdlab functions), else its name, pretty-printed
    when it is a formula; None for an anonymous callable."""
    if f is None:
        return None
    name = getattr(f, "label", None) or getattr(f, "name", None) or getattr(f, "__name__", None)
    return None if name in (None, "<lambda>") else pretty(name)


def variable_names(f, dim):
    """The names of f's first ``dim`` coordinates (``f.variables``), else x, y, z / x1 ... xd."""
    names = getattr(f, "variables", None)
    if names is not None and len(names) >= dim:
        return tuple(str(v) for v in names[:dim])
    return ("x", "y", "z")[:dim] if dim <= 3 else tuple(f"x{i + 1}" for i in range(dim))


def axis_labels(f, labels, dim=2):
    """The axis labels a figure uses: the caller's, else the function's variable names."""
    return tuple(labels) if labels is not None else variable_names(f, dim)


def value_label(f, labels=None, dim=2):
    """What a colour bar or value axis is labelled with: ``name(x, y)`` for a named function, the
    formula itself for a formula (``x² + y²``, not ``x**2 + y**2(x, y)``)."""
    name = function_name(f) or "f"
    if re.fullmatch(r"[^\W\d]\w*", name):
        return f"{name}({', '.join(axis_labels(f, labels, dim))})"
    return name


def grid(bounds, n):
    """Meshgrid (X, Y) and points (ny, nx, 2) over 2-D bounds with n points per side."""
    nx, ny = (n, n) if np.ndim(n) == 0 else n
    xs = np.linspace(bounds[0, 0], bounds[0, 1], int(nx))
    ys = np.linspace(bounds[1, 0], bounds[1, 1], int(ny))
    X, Y = np.meshgrid(xs, ys)
    return X, Y, np.stack([X, Y], axis=-1)
