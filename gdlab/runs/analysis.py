"""Analysis: how far a run ended from a minimum, which basin it fell into, what kind of point it
reached, and which learning rates are stable.

Distances and basins
--------------------
``distance_to_minimum(points, minima)`` is the Euclidean distance from each point to the nearest
known minimum (``nearest_minimum`` also says which); every caller (tuning's "distance" objective,
the command line's tables, the gallery, basin maps) measures with it. ``basins(run)`` takes a
multi-start run, usually from a grid made by ``grid_starts(bounds, n)``, and says which minimum
each start reached and after how many steps; ``gdlab.viz.basin_map`` draws it.

Critical points
---------------
``classify_point(f, x)`` computes the gradient and the Hessian H at x (``f.hessian``: exact for
quadratics, else ``gdlab.hessian``) and sorts the eigenvalues lambda_i of H, with
``eps = tol * max(1, max|lambda|)``:

* "minimum"  every lambda_i >  eps
* "maximum"  every lambda_i < -eps
* "saddle"   some lambda_i > eps and some < -eps
* "flat"     otherwise: some curvature vanishes (|lambda_i| <= eps) and the second-order
  test cannot decide (e.g. the monkey saddle's origin, where H = 0).

``critical`` says whether x is a critical point at all (||grad|| <= grad_tol); the kind
describes the curvature either way.

Stability of fixed learning rates (quadratics)
----------------------------------------------
On f(x) = 1/2 x^T H x + b^T x the error e_t = x_t - x* of every method below evolves
linearly, independently along each eigenvector of H (eigenvalue lambda, h = lr * lambda):

* gradient descent:  e <- (1 - h) e;  stable iff 0 < h < 2 for every lambda, so the
  largest stable lr is 2 / L (L = lambda_max), the per-step rate max |1 - h|.
* heavy-ball momentum (torch's form b <- beta b + g, x <- x - lr b): on (e, u = lr b) the
  matrix [[1 - h, -beta], [h, beta]], whose spectral radius is < 1 iff 0 < h < 2 + 2 beta
  (0 <= beta < 1): the largest stable lr is (2 + 2 beta) / L.
* Nesterov (torch's form): [[1 - h (1 + beta), -beta^2], [h, beta]], stable iff
  0 < h < (2 + 2 beta) / (1 + 2 beta).

Dampening tau scales h by (1 - tau); coupled weight decay wd adds wd to every lambda. A
negative lambda (a saddle's or maximum's direction) grows for every lr > 0: no stable lr.
On other objectives the same numbers are computed from the Hessian at a point (a local,
linearised prediction: ``exact`` is False). Adaptive methods (Adagrad, RMSprop, Adam, ...)
have no fixed-lr bound of this kind; their report says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import optim
from ..functions import Function
from .minimize import resolve_function
from .trajectory import Trajectory, _plain

__all__ = ["classify_point", "CriticalPoint", "stability", "StabilityReport", "analyze", "RunAnalysis", "KINDS",
           "distance_to_minimum", "nearest_minimum", "grid_starts", "basins", "Basins"]

KINDS = ("minimum", "maximum", "saddle", "flat")


# ---------------------------------------------------------------------------------------
# distances to the known minima, and basins of attraction


def _minima_array(minima, d):
    """Known minima as a (k, d) float array: from an array-like, or a function's ``.minima``."""
    if minima is not None and not isinstance(minima, (np.ndarray, list, tuple)):
        minima = getattr(minima, "minima", None)
    m = np.zeros((0, d)) if minima is None else np.asarray(minima, dtype=np.float64)
    if m.size == 0:
        raise ValueError("no known minimum to measure the distance to")
    if m.shape[-1] != d:
        raise ValueError(f"minima of dimension {m.shape[-1]} do not match points of dimension {d}")
    return m.reshape(-1, d)


def nearest_minimum(points, minima):
    """The nearest known minimum to each point, and the Euclidean distance to it.

    ``points``: (..., d), e.g. a run's ``final`` (d,) or (n, d), or its ``params`` (T, n, d).
    ``minima``: (k, d) with k >= 1, or a function with ``.minima``. Returns ``(index, distance)``,
    both of shape ``points.shape[:-1]``: ``index`` into the minima and ``||point - minimum||``.
    A point that is not finite (a diverged run) is at distance inf. ValueError without minima.
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim == 0:
        pts = pts.reshape(1)
    m = _minima_array(minima, pts.shape[-1])
    with np.errstate(all="ignore"):
        dist = np.linalg.norm(pts[..., None, :] - m, axis=-1)             # (..., k)
    dist = np.where(np.isfinite(dist), dist, np.inf)
    index = np.argmin(dist, axis=-1)
    return index, np.take_along_axis(dist, index[..., None], axis=-1)[..., 0]


def distance_to_minimum(points, minima):
    """The Euclidean distance from each point (..., d) to the nearest of ``minima`` (see :func:`nearest_minimum`)."""
    return nearest_minimum(points, minima)[1]


def grid_starts(bounds, n=40):
    """Start points on a regular grid over 2-D ``bounds`` ((xmin, xmax), (ymin, ymax)).

    ``n``: points per side, or (nx, ny). Returns an (ny * nx, 2) array ordered row by row
    (x varies fastest), the layout :func:`basins` and ``gdlab.viz.basin_map`` expect.
    """
    b = np.asarray(bounds, float).reshape(2, 2)
    nx, ny = (int(n), int(n)) if np.ndim(n) == 0 else (int(n[0]), int(n[1]))
    if nx < 2 or ny < 2:
        raise ValueError(f"a start grid needs at least 2 points per side, got n={n!r}")
    X, Y = np.meshgrid(np.linspace(b[0, 0], b[0, 1], nx), np.linspace(b[1, 0], b[1, 1], ny))
    return np.stack([X.ravel(), Y.ravel()], axis=1)


@dataclass
class Basins:
    """What :func:`basins` found for n starts and k known minima.

    ``label`` (n,) int: index into ``minima`` of the minimum the start reached, -1 for none;
    ``steps`` (n,) int: the first step within ``tol`` of that minimum, -1 for none; ``minima``
    (k, d); ``tol``; ``share`` (k + 1,): the fraction of starts per minimum, the last for none.
    """

    label: np.ndarray
    steps: np.ndarray
    minima: np.ndarray
    tol: float
    share: np.ndarray


def _default_tol(minima, starts):
    """A tenth of the smallest distance between two minima; with one minimum, 2 % of the starts' span."""
    if len(minima) >= 2:
        d = np.linalg.norm(minima[:, None, :] - minima[None, :, :], axis=-1)
        return float(0.1 * d[np.triu_indices(len(minima), 1)].min())
    span = np.ptp(starts, axis=0) if len(starts) else np.ones(minima.shape[-1])
    return float(0.02 * np.linalg.norm(span))


def basins(run, minima=None, *, tol=None) -> Basins:
    """Which known minimum each start of a (multi-start) run reached, and after how many steps.

    ``run``: a :class:`Trajectory` with its visited points recorded (or anything with ``.params``
    of shape (T, n, d) or (T, d), and optionally ``.stopped_at`` and ``.function``). A start
    belongs to the nearest minimum when the point where it stopped lies within ``tol`` of it
    (default: a tenth of the smallest distance between minima), else to none (-1): it diverged,
    stalled or stopped elsewhere. ``minima``: (k, d), default the run's function's.
    """
    P = getattr(run, "params", None)
    if P is None:
        raise ValueError("basins needs the visited points: run with record including 'params'")
    P = np.asarray(P, dtype=np.float64)
    P = P.reshape(P.shape[0], 1, -1) if P.ndim < 3 else P                 # (T, n, d)
    T, n, d = P.shape
    if minima is None:
        minima = getattr(getattr(run, "function", None), "minima", None)
        if minima is None:
            raise ValueError("basins needs the minima: pass minima=, or a run whose .function has .minima")
    minima = np.asarray(minima, dtype=np.float64).reshape(-1, d)
    if len(minima) == 0:
        raise ValueError("basins needs at least one known minimum")
    stopped = getattr(run, "stopped_at", None)
    stopped = np.full(n, T - 1) if stopped is None else np.broadcast_to(np.asarray(stopped, int).reshape(-1), (n,))
    stopped = np.clip(stopped, 0, T - 1)
    if tol is None:
        tol = _default_tol(minima, P[0])
    nearest, dist = nearest_minimum(P[stopped, np.arange(n)], minima)   # where each start stopped
    ok = dist <= tol
    label = np.where(ok, nearest, -1)
    steps = np.full(n, -1)
    if ok.any():
        idx = np.nonzero(ok)[0]
        with np.errstate(all="ignore"):   # each start's distance to its own minimum, step by step: (T, m)
            inside = np.linalg.norm(P[:, idx, :] - minima[nearest[idx]], axis=-1) <= tol
        steps[idx] = np.argmax(inside, axis=0)
    share = np.array([np.mean(label == i) for i in range(len(minima))] + [np.mean(label == -1)])
    return Basins(label, steps, minima, float(tol), share)


# ---------------------------------------------------------------------------------------
# critical points


@dataclass
class CriticalPoint:
    """The result of :func:`classify_point`."""

    point: np.ndarray
    value: float
    grad: np.ndarray
    grad_norm: float
    hessian: np.ndarray
    eigenvalues: np.ndarray
    kind: str
    critical: bool

    def __str__(self):
        what = self.kind if self.critical else f"not a critical point (|grad| = {self.grad_norm:.3g}); curvature: {self.kind}"
        return f"{np.array2string(self.point, precision=6)}: {what}, eigenvalues {np.array2string(self.eigenvalues, precision=4)}"

    def to_dict(self):
        return {k: _plain(v) for k, v in self.__dict__.items()}


def _kind(eigenvalues, tol):
    eps = tol * max(1.0, float(np.max(np.abs(eigenvalues))) if eigenvalues.size else 1.0)
    pos, neg = eigenvalues > eps, eigenvalues < -eps
    if pos.all():
        return "minimum"
    if neg.all():
        return "maximum"
    if pos.any() and neg.any():
        return "saddle"
    return "flat"


def classify_point(f, x, tol=1e-6, grad_tol=1e-6) -> CriticalPoint:
    """Gradient, Hessian, eigenvalues and kind ("minimum", "maximum", "saddle", "flat") at x (d,)."""
    f = resolve_function(f, x)
    pt = np.asarray(x, dtype=np.float64).reshape(-1)
    if pt.shape != (f.dim,):
        raise ValueError(f"classify_point takes one point of shape ({f.dim},), got shape {np.shape(x)}")
    if not np.all(np.isfinite(pt)):
        raise ValueError(f"classify_point needs a finite point, got {pt.tolist()}")
    H = f.hessian(pt)
    lam = np.linalg.eigvalsh(H)
    g = np.asarray(f.grad(pt), dtype=np.float64).reshape(-1)
    gn = float(np.linalg.norm(g))
    return CriticalPoint(pt, float(f(pt)), g, gn, H, lam, _kind(lam, tol), gn <= grad_tol)


# ---------------------------------------------------------------------------------------
# stability


def _iteration_matrix(kind, h, beta):
    if kind == "momentum":
        return np.array([[1.0 - h, -beta], [h, beta]])
    return np.array([[1.0 - h * (1.0 + beta), -beta * beta], [h, beta]])


def _radius(kind, h, beta):
    if kind == "gd":
        return abs(1.0 - h)
    return float(np.max(np.abs(np.linalg.eigvals(_iteration_matrix(kind, h, beta)))))


@dataclass
class StabilityReport:
    """What linear stability theory predicts for a fixed-lr method on f (see the module docstring).

    ``max_stable_lr``: the largest stable learning rate (None when no fixed-lr theory applies,
    0.0 when no positive lr is stable); ``stable``: whether ``lr`` is inside it (None without
    lr or theory); ``rate``: the predicted per-step contraction of the error (spectral
    radius; < 1 converges); ``steps_to_1e-6``: steps to shrink the error a millionfold;
    ``exact``: True for quadratics (constant Hessian), False for a local prediction at ``point``.
    """

    optimizer: str
    lr: float | None
    momentum: float
    eigenvalues: np.ndarray
    L: float
    mu: float
    condition_number: float
    max_stable_lr: float | None
    stable: bool | None
    rate: float | None
    steps_to_1e6: float | None
    exact: bool
    point: np.ndarray
    bound: str
    notes: list = field(default_factory=list)

    def __str__(self):
        lines = [f"{self.optimizer}: eigenvalues of the Hessian {np.array2string(self.eigenvalues, precision=4)}"
                 f" ({'exact, quadratic' if self.exact else 'local, at ' + np.array2string(self.point, precision=4)})"]
        if self.max_stable_lr == 0:
            lines.append(f"{self.bound}: no learning rate is stable")
        elif self.max_stable_lr is not None:
            lines.append(f"{self.bound}: stable for lr < {self.max_stable_lr:.6g}")
        if self.lr is not None and self.stable is not None:
            lines.append(f"lr = {self.lr:g}: {'stable' if self.stable else 'UNSTABLE'}"
                         + (f", error x {self.rate:.4g} per step" if self.rate is not None else ""))
        lines.extend(self.notes)
        return "\n".join(lines)

    def to_dict(self):
        return {k: _plain(v) for k, v in self.__dict__.items()}


def stability(f, optimizer="gd", lr=None, x=None, **hyperparameters) -> StabilityReport:
    """Largest stable learning rate of GD (2/L) or momentum ((2 + 2 beta)/L) on f, and whether ``lr`` is.

    >>> gdlab.runs.stability("paraboloid", "gd", lr=10).stable      # seed 004's lr = 10
    False
    >>> gdlab.runs.stability("elongated_bowl", "momentum").max_stable_lr   # (2 + 2*0.9) / 2
    1.9

    ``x``: where to take the Hessian for non-quadratic f (default ``f.start``).
    ``hyperparameters``: the optimizer's (momentum, nesterov, dampening, weight_decay).
    """
    f = resolve_function(f, x)
    rule = optim.get_rule(optimizer)
    name = optimizer.strip().lower() if isinstance(optimizer, str) else rule.name
    hp = rule.hyperparameters(**({} if lr is None else {"lr": lr}), **hyperparameters)
    pt = f.start if x is None else np.asarray(x, dtype=np.float64).reshape(-1)
    if pt.shape != (f.dim,):
        raise ValueError(f"x must be one point of shape ({f.dim},), got shape {np.shape(x)}")
    exact = f.constant_hessian is not None
    H = f.hessian(pt)
    lam = np.linalg.eigvalsh(H)
    wd = float(hp.get("weight_decay", 0.0) or 0.0)
    lam_eff = lam + wd if wd and not hp.get("decoupled_weight_decay", False) else lam
    L = float(lam_eff.max())
    mu = float(lam_eff.min())
    cond = L / mu if mu > 0 else math.inf
    notes = []
    beta = 0.0
    if rule.name not in ("sgd", "momentum", "nesterov"):
        return StabilityReport(name, lr, beta, lam, L, mu, cond, None, None, None, None, exact, pt,
                               "no fixed-lr bound",
                               [f"{name} adapts its steps: linear stability theory for a fixed lr does not apply"])
    beta = float(np.max(hp.get("momentum", 0.0)))
    tau = float(np.max(hp.get("dampening", 0.0)))
    kind = "gd" if beta == 0 else ("nesterov" if hp.get("nesterov") else "momentum")
    if kind == "gd":
        limit, bound = 2.0, "gradient descent, 0 < lr*lambda < 2"
    elif kind == "momentum":
        limit, bound = 2.0 + 2.0 * beta, f"heavy-ball momentum (beta={beta:g}), 0 < lr*lambda < 2 + 2*beta"
    else:
        limit, bound = (2.0 + 2.0 * beta) / (1.0 + 2.0 * beta), \
            f"Nesterov momentum (beta={beta:g}), 0 < lr*lambda < (2 + 2*beta)/(1 + 2*beta)"
    scale = 1.0 - tau if kind != "gd" else 1.0
    if mu < 0:
        max_lr = 0.0
        notes.append("negative curvature (a saddle or maximum direction): the error along it grows for every lr > 0")
    elif mu == 0:
        max_lr = limit / (L * scale) if L > 0 else math.inf
        notes.append("zero curvature in some direction: no contraction along it (marginal)")
    else:
        max_lr = limit / (L * scale)
    rate = steps = stable = None
    lr_val = hp["lr"]
    if lr is not None:
        lr_val = float(np.max(lr))
        rate = max(_radius(kind, lr_val * lam_i * scale, beta) for lam_i in lam_eff)
        stable = bool(rate < 1.0)
        steps = math.log(1e-6) / math.log(rate) if 0 < rate < 1 else (0.0 if rate == 0 else math.inf)
    if not exact:
        notes.append("f is not quadratic: a local prediction from the Hessian at the point")
    return StabilityReport(name, None if lr is None else lr_val, beta, lam, L, mu, cond, max_lr, stable, rate,
                           steps, exact, pt, bound, notes)


# ---------------------------------------------------------------------------------------
# a run beside the theory


@dataclass
class RunAnalysis:
    """A run's outcome beside the theory: see :func:`analyze`."""

    label: str
    status: object
    stopped_at: object
    final: list
    stability: StabilityReport | None
    no_minimum: bool
    verdicts: list

    def __str__(self):
        head = f"{self.label}: " + (self.status if isinstance(self.status, str) else ", ".join(map(str, self.status)))
        parts = [head]
        if self.stability is not None:
            parts.append(str(self.stability))
        parts.extend(self.verdicts)
        return "\n".join(parts)


def analyze(traj: Trajectory, tol=1e-6, grad_tol=1e-4) -> RunAnalysis:
    """Classify where each run ended, and set the run's status beside the stability theory.

    ``final``: a :class:`CriticalPoint` per run (None for diverged runs). ``verdicts``: one
    sentence per run, e.g. "converged to a saddle point, not a minimum (x**2 - y**2 has no
    minimum)", "diverged at step 1, as predicted (lr 10 > 2/L = 1)".
    """
    if not isinstance(traj, Trajectory):
        raise TypeError(f"analyze takes a Trajectory, got {type(traj).__name__}")
    f: Function = traj.function
    lr = traj.hyperparameters.get("lr")
    lr_scalar = lr if np.ndim(lr) == 0 else None
    try:
        x0 = traj.x0 if traj.single else traj.x0[0]
        hp = {k: traj.hyperparameters[k] for k in ("momentum", "nesterov", "dampening", "weight_decay",
                                                     "decoupled_weight_decay") if k in traj.hyperparameters}
        report = stability(f, traj.optimizer, lr=lr_scalar, x=x0, **hp) if traj.batch_size is None else None
    except (ValueError, TypeError, np.linalg.LinAlgError):
        report = None
    statuses = [traj.status] if traj.single else list(traj.status)
    stops = [traj.stopped_at] if traj.single else list(traj.stopped_at)
    finals = [traj.final] if traj.single else list(traj.final)
    points, verdicts = [], []
    for status, stop, point in zip(statuses, stops, finals):
        if status == "diverged" or not np.all(np.isfinite(point)):
            points.append(None)
            v = f"diverged at step {stop}"
            if report is not None and report.stable is False:
                v += (f", as predicted (lr {report.lr:g} >= the stable limit {report.max_stable_lr:.4g})"
                      if report.max_stable_lr else ", as predicted (no stable lr: negative curvature)")
            elif f.unbounded_below:
                v += f" (f = {f.formula} is unbounded below: it has no minimum)"
            verdicts.append(v)
            continue
        cp = classify_point(f, point, tol=tol, grad_tol=grad_tol)
        points.append(cp)
        where = {"minimum": "a minimum", "maximum": "a maximum", "saddle": "a saddle point, not a minimum",
                 "flat": "a flat (degenerate) point"}[cp.kind]
        verb = "converged to" if status == "converged" else ("ended at" if cp.critical else "stopped (max_steps) near")
        v = f"{verb} {where} at {np.array2string(cp.point, precision=4)}"
        if not cp.critical:
            shape = {"minimum": "positive definite (convex)", "maximum": "negative definite (concave)",
                     "saddle": "indefinite (saddle-shaped)", "flat": "degenerate"}[cp.kind]
            v = (f"not at a critical point yet ({status}) at {np.array2string(cp.point, precision=4)}, "
                 f"|grad| = {cp.grad_norm:.3g}; the Hessian there is {shape}")
        if f.unbounded_below:
            v += f" ({f.formula} has no minimum)"
        verdicts.append(v)
    return RunAnalysis(traj.label, traj.status, traj.stopped_at, points, report, f.unbounded_below, verdicts)
