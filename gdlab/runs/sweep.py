"""Learning-rate sweeps and a fair tuning protocol.

``lr_sweep(f, x0, optimizer, lrs)`` runs every learning rate (and every start) as *one* array
program: the rows are (lr, start) pairs and the rule receives ``lr`` as an (n_rows, 1) array
(gdlab.optim's rules take per-row hyperparameters), so 25 learning rates cost about what one
run of 25 starts costs.

The tuning protocol (``tune``)
------------------------------
1. Same budget: every optimizer gets the same number of steps, from the same start(s), with
   the same seed (hence the same noise draws and mini-batches), tol and other settings.
2. Same grid: learning rates log-spaced, by default ``DEFAULT_LRS = 10**linspace(-5, 1, 25)``
   (1e-5 to 10, four per decade); every optimizer's other hyperparameters stay at their
   defaults unless given.
3. Objective, per run, at its end (``final``): ``"loss"`` (default) the final loss minus the
   known minimum value (the final loss itself when the minimum is unknown); ``"distance"``
   the distance from the final point to the nearest known global minimum. With several starts
   the score of a learning rate is the mean over starts.
4. Divergence is penalised: a learning rate with any diverged run scores +inf (it can only
   "win" when every learning rate diverged, and then ``best_lr`` is None).
5. Ties: scores within ``tie_tol * max(1, |best|)`` of the best are ties. Among ties the
   learning rate whose score curve first got within that band wins (fewest steps: the
   fastest of the equally good), then the smaller learning rate (further from instability).

``tune`` returns the best learning rate per optimizer and the tuned race: the recorded runs
at those learning rates, taken from the sweep itself (not re-run), so what is shown is
exactly what was scored.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import _display
from .analysis import distance_to_minimum
from .minimize import RUN_OPTIONS as _RUN_KW
from .minimize import check_steps, normalize_optimizers, resolve_function, resolve_starts, run
from .trajectory import Race, _plain

__all__ = ["lr_sweep", "SweepResult", "tune", "TuneResult", "DEFAULT_LRS", "OBJECTIVES"]

DEFAULT_LRS = 10.0 ** np.linspace(-5, 1, 25)
OBJECTIVES = ("loss", "distance")


def _check_lrs(lrs):
    if lrs is None:
        return DEFAULT_LRS.copy()
    try:
        arr = np.asarray(lrs, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"lrs must be a sequence of numbers, got {lrs!r}") from None
    arr = np.atleast_1d(arr)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"lrs must be a non-empty 1-D sequence of learning rates, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"every learning rate must be a finite number > 0, got {arr.tolist()}")
    return arr


class SweepResult:
    """One optimizer over a grid of learning rates (see :func:`lr_sweep`).

    Attributes: ``lrs`` (k,); ``final_loss``, ``status``, ``stopped_at``: (k,) for one start,
    (k, n) for n starts; ``final``: (k, d) | (k, n, d); ``loss``: loss curves (steps+1, k) |
    (steps+1, k, n); ``best_lr`` / ``best_index`` (lowest mean final loss among the
    learning rates with no diverged run, ties to the smaller lr; None when all diverged);
    ``trajectory``: the whole sweep as one Trajectory of k*n runs (lr-major: run
    i*n + j is lr i from start j); ``optimizer``, ``hyperparameters``, ``steps``, ``function``,
    ``n_starts``, ``single``. ``run(i)`` is the Trajectory of learning rate i.
    """

    def __init__(self, lrs, trajectory, n_starts, single, label):
        self.lrs = lrs
        self.trajectory = trajectory
        self.n_starts = n_starts
        self.single = single
        self.label = label
        self.optimizer = trajectory.optimizer
        self.hyperparameters = {k: v for k, v in trajectory.hyperparameters.items() if k != "lr"}
        self.steps = trajectory.steps
        self.function = trajectory.function
        k, n = len(lrs), n_starts
        shape = (k,) if single else (k, n)
        self.final_loss = trajectory.final_loss.reshape(shape)
        self.status = trajectory.status.reshape(shape)
        self.stopped_at = trajectory.stopped_at.reshape(shape)
        self.final = trajectory.final.reshape(shape + (trajectory.dim,))
        self.loss = trajectory.loss.reshape((trajectory.loss.shape[0],) + shape)
        self.recorded_steps = trajectory.recorded_steps
        scores = np.where(self.status == "diverged", np.inf, self.final_loss)
        if not single:
            scores = scores.mean(axis=1)
        self.scores = scores
        self.best_index = _best(scores, None, lrs)
        self.best_lr = None if self.best_index is None else float(lrs[self.best_index])

    def __repr__(self):
        best = "all diverged" if self.best_lr is None else f"best lr {self.best_lr:.3g}"
        return (f"<SweepResult {self.label!r} on {getattr(self.function, 'name', 'f')}: {len(self.lrs)} lrs x "
                f"{self.n_starts} start(s) x {self.steps} steps; {best}>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _display.bundle("sweep", self, include, exclude)

    def run(self, i: int):
        """The Trajectory of learning rate ``lrs[i]`` (one start, or n starts)."""
        k = len(self.lrs)
        if not -k <= i < k:
            raise IndexError(f"lr index {i} out of range for {k} learning rates")
        i %= k
        if self.single:
            out = self.trajectory.run(i)
        else:
            out = self.trajectory.select(np.arange(i * self.n_starts, (i + 1) * self.n_starts))
        # one learning rate now: a scalar hyperparameter and a (steps,) history, as from minimize
        out.hyperparameters = {**out.hyperparameters, "lr": float(self.lrs[i])}
        if out.lr.ndim == 2:
            out.lr = out.lr[:, 0].copy()
        out.label = f"{self.label} (lr={self.lrs[i]:.3g})"
        return out

    def to_dict(self):
        return {"label": self.label, "optimizer": self.optimizer, "hyperparameters": _plain(self.hyperparameters),
                "steps": self.steps, "lrs": self.lrs.tolist(), "final_loss": _plain(self.final_loss),
                "status": self.status.tolist(), "stopped_at": self.stopped_at.tolist(),
                "best_lr": self.best_lr, "function": getattr(self.function, "name", "f")}


def _best(scores, first_steps, lrs, tie_tol=1e-9):
    """Index of the best score; ties (within tie_tol * max(1, |best|)) by fewer steps, then smaller lr."""
    finite = np.isfinite(scores)
    if not finite.any():
        return None
    best = scores[finite].min()
    tied = np.flatnonzero(finite & (scores <= best + tie_tol * max(1.0, abs(best))))
    if first_steps is not None:
        fs = first_steps[tied]
        tied = tied[fs == fs.min()]
    return int(tied[np.argmin(lrs[tied])])


def _sweep(f, X0, single, optimizer, lrs, steps, hp, label, **kw):
    kw["need"] = ("loss",)  # a sweep always keeps its loss curves
    n, d = X0.shape
    k = len(lrs)
    rows = np.repeat(lrs, n)[:, None]       # lr-major: row i*n + j = (lr i, start j)
    starts = np.tile(X0, (k, 1))
    traj = run(f, starts, False, optimizer, steps, rows, hp, label=label, **kw)
    return SweepResult(lrs, traj, n, single, label)


def lr_sweep(f, x0=None, optimizer="gd", lrs=None, steps=100, *, tol=None, noise=None, seed=None,
             label=None, **kwargs) -> SweepResult:
    """Final loss and status per learning rate, all learning rates in one vectorized run.

    >>> sweep = gdlab.lr_sweep("paraboloid", [-3.0, 4.0], "gd", lrs=[1e-10, 0.1, 0.9, 1.1, 10])
    >>> sweep.status.tolist()
    ['max_steps', 'max_steps', 'max_steps', 'diverged', 'diverged']

    ``lrs`` default :data:`DEFAULT_LRS`. Other keyword arguments are those of
    :func:`gdlab.minimize` (optimizer hyperparameters, schedule, batch_size, record, ...).
    """
    f = resolve_function(f, x0)
    X0, single = resolve_starts(f, x0)
    steps = check_steps(steps)
    lrs = _check_lrs(lrs)
    if "lr" in kwargs:
        raise TypeError("lr_sweep takes lrs=[...], not lr")
    name = optimizer if isinstance(optimizer, str) else getattr(optimizer, "name", optimizer)
    run_kw = {k: kwargs.pop(k) for k in list(kwargs) if k in _RUN_KW}
    return _sweep(f, X0, single, optimizer, lrs, steps, kwargs, label or str(name), tol=tol, noise=noise,
                  seed=seed, **run_kw)


class TuneResult:
    """What :func:`tune` found. See the protocol in this module's docstring.

    Attributes: ``best_lr`` dict label -> float | None; ``best_score`` dict label -> float;
    ``scores`` dict label -> (k,) score per learning rate (inf: diverged); ``sweeps`` dict
    label -> SweepResult; ``race`` dict label -> Trajectory at the best learning rate (missing
    when all diverged); ``lrs``; ``objective``; ``steps``; ``function``.
    """

    def __init__(self, lrs, objective, steps, function, sweeps, scores, best_index, tie_tol):
        self.lrs = lrs
        self.objective = objective
        self.steps = steps
        self.function = function
        self.sweeps = sweeps
        self.scores = scores
        self.tie_tol = tie_tol
        self.best_lr = {k: (None if i is None else float(lrs[i])) for k, i in best_index.items()}
        self.best_score = {k: (np.inf if i is None else float(scores[k][i])) for k, i in best_index.items()}
        self.race = Race((k, sweeps[k].run(i)) for k, i in best_index.items() if i is not None)
        for k, t in self.race.items():
            t.label = k

    def __repr__(self):
        parts = ", ".join(f"{k}: {'diverged' if v is None else f'{v:.3g}'}" for k, v in self.best_lr.items())
        return f"<TuneResult on {getattr(self.function, 'name', 'f')} ({self.objective}, {self.steps} steps): {parts}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _display.bundle("tune", self, include, exclude)

    def summary(self) -> str:
        """A markdown table: optimizer, best lr, score, status of the tuned run."""
        lines = [f"| optimizer | best lr | final {self.objective} | status |", "|---|---|---|---|"]
        for k in self.best_lr:
            lr = self.best_lr[k]
            if lr is None:
                lines.append(f"| {k} | - | inf | every lr diverged |")
                continue
            t = self.race[k]
            status = t.status if t.single else ", ".join(sorted(set(t.status.tolist())))
            lines.append(f"| {k} | {lr:.3g} | {self.best_score[k]:.3e} | {status} |")
        return "\n".join(lines)

    def to_dict(self):
        return {"objective": self.objective, "steps": self.steps, "lrs": self.lrs.tolist(),
                "best_lr": self.best_lr, "best_score": _plain(self.best_score),
                "scores": {k: _plain(v) for k, v in self.scores.items()},
                "function": getattr(self.function, "name", "f")}


def _objective_curves(sweep, f, objective):
    """Per-step objective (T, k) (mean over starts) and the final score (k,) of a sweep."""
    traj = sweep.trajectory
    k, n = len(sweep.lrs), sweep.n_starts
    diverged = (traj.status == "diverged").reshape(k, n).any(axis=1)
    if objective == "loss":
        ref = f.minimum_value if f.minimum_value is not None else 0.0
        curves = traj.loss - ref                                       # (T, k*n)
        final = traj.final_loss - ref
    else:
        final = distance_to_minimum(traj.final, f.minima)              # (k*n,)
        curves = None if traj.params is None else distance_to_minimum(traj.params, f.minima)
    final = final.reshape(k, n).mean(axis=1)
    final[diverged] = np.inf
    if curves is not None:
        curves = curves.reshape(curves.shape[0], k, n).mean(axis=2)
    return curves, final


def tune(f, x0=None, optimizers=None, steps=100, *, lrs=None, objective="loss", tie_tol=1e-9, tol=None,
         noise=None, seed=None, **kwargs) -> TuneResult:
    """The best learning rate per optimizer under one fair protocol, and the tuned race.

    >>> result = gdlab.tune("rosenbrock", [-1.2, 1.0], ["gd", "momentum", "adam"], steps=500)
    >>> result.best_lr            # {'gd': ..., 'momentum': ..., 'adam': ...}
    >>> result.race               # label -> Trajectory at its best lr (same start, same budget)

    ``optimizers``: as in :func:`gdlab.race` (names or label -> hyperparameters without lr).
    ``objective``: "loss" or "distance" (needs known minima). See the module docstring for the
    protocol. Other keyword arguments go to every run (schedule, batch_size, record, ...).
    """
    f = resolve_function(f, x0)
    X0, single = resolve_starts(f, x0)
    steps = check_steps(steps)
    lrs = _check_lrs(lrs)
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(map(repr, OBJECTIVES))}; got {objective!r}")
    if objective == "distance" and len(f.minima) == 0:
        raise ValueError(f"objective='distance' needs known minima, and {f.name!r} lists none; use objective='loss'")
    if isinstance(tie_tol, bool) or not isinstance(tie_tol, numbers.Real) or not tie_tol >= 0:
        raise ValueError(f"tie_tol must be a number >= 0, got {tie_tol!r}")
    specs = normalize_optimizers(optimizers)
    run_kw = {k: kwargs.pop(k) for k in list(kwargs) if k in _RUN_KW}
    if objective == "distance" and run_kw.get("record", "auto") not in ("auto",) and \
            "params" not in (run_kw.get("record") or ()):
        run_kw["record"] = tuple(run_kw["record"] or ()) + ("params",)
    sweeps, scores, best = {}, {}, {}
    for label, spec in specs.items():
        spec = dict(spec)
        name = spec.pop("optimizer")
        if "lr" in spec:
            raise ValueError(f"tune chooses the learning rate; remove 'lr' from {label!r}'s hyperparameters")
        sweep = _sweep(f, X0, single, name, lrs, steps, {**kwargs, **spec}, label, tol=tol, noise=noise,
                       seed=seed, **run_kw)
        curves, score = _objective_curves(sweep, f, objective)
        first = None
        finite = np.isfinite(score)
        if curves is not None and finite.any():
            s_best = score[finite].min()
            band = s_best + tie_tol * max(1.0, abs(s_best))
            within = curves <= band
            first = np.where(within.any(axis=0), sweep.recorded_steps[within.argmax(axis=0)], steps + 1)
        sweeps[label], scores[label] = sweep, score
        best[label] = _best(score, first, lrs, tie_tol)
    return TuneResult(lrs, objective, steps, f, sweeps, scores, best, tie_tol)
