r"""Curvature of a network's loss: Hessian-vector products, top eigenvalues, sharpness during training.

Gradient descent with step η is stable along a direction of curvature λ only while η λ < 2:
on a quadratic the error along an eigenvector is multiplied by (1 − η λ) each step. For a
network the largest eigenvalue of the loss's Hessian, the *sharpness*, plays λ's part, and
full-batch gradient descent drives it up to 2/η and keeps it hovering there (Cohen et al.
2021, "Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability")::

    from gdlab.nn import curvature
    curvature.hvp(model, x, y, v)                    # H v, flat (n_params,)
    curvature.hessian_eigs(model, x, y, k=3)         # the 3 largest eigenvalues of H
    cb = curvature.SharpnessCallback(x, y, every=10)
    model.fit(x, y, epochs=500, batch_size=None, callbacks=[cb])
    cb.steps, cb.sharpness, cb.threshold             # update counts, λ_max, 2/η

**Hessian-vector products by central differences of exact gradients.** gdlab's engine has no
double backward, so H v is computed from two exact (reverse-mode) gradients::

    H v ≈ ‖v‖ (∇L(θ + h v̂) − ∇L(θ − h v̂)) / (2h),   v̂ = v / ‖v‖,   h = ε^(1/3) · max(1, ‖θ‖/√n)

in float64 (on a float64 copy of the weights for the layer stacks of
:mod:`gdlab.nn.landscape`; any other model in its own dtype). The error is the truncation
h²/6 · ∇³L[v̂, v̂, ·] plus the rounding ε‖∇L‖/h; the step ε^(1/3) ≈ 6e-6 balances the two,
which leaves about 1e-9 relative on smooth losses (the tests ask 1e-6 against a dense Hessian
and find ~1e-9); for a quadratic loss the difference quotient is exact and only rounding
remains (~1e-11). At a ReLU kink the loss has no second derivative: the result is the
average of the two sides' curvature within h.

**Eigenvalues by Lanczos.** :func:`hessian_eigs` runs the Lanczos iteration on H v products,
with full reorthogonalisation (the basis is kept, at most ``max_iter`` vectors), and stops
when the wanted Ritz values' residuals fall under ``tol`` relative to the largest; on an
invariant subspace (a Hessian of rank r is exhausted after r products) it stops exactly.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .callbacks import Callback
from .landscape import LossFunction, flat_weights

__all__ = ["hvp", "hessian_eigs", "lanczos", "SharpnessCallback", "stability_threshold", "hvp_step"]

EPS64 = np.finfo(np.float64).eps
#: the default bound on the Lanczos basis kept by :func:`lanczos` (bytes)
BASIS_BYTES = 256 * 2**20


def hvp_step(theta) -> float:
    """The central-difference step h = ε^(1/3) · max(1, ‖θ‖/√n) used by :func:`hvp` (ε of float64)."""
    theta = np.asarray(theta, dtype=np.float64)
    scale = max(1.0, float(np.linalg.norm(theta)) / math.sqrt(max(theta.size, 1)))
    return EPS64 ** (1.0 / 3.0) * scale


def _hvp(f: LossFunction, theta, v, h):
    nv = float(np.linalg.norm(v))
    if nv == 0.0:
        return np.zeros_like(theta)
    u = v / nv
    return (f.grad(theta + h * u) - f.grad(theta - h * u)) * (nv / (2.0 * h))


def hvp(model, x, y, v, *, loss=None, h=None) -> np.ndarray:
    """The Hessian of the loss at the model's weights times ``v``: H v, flat float64 (n_params,).

    ``v``: a flat vector or a state_dict. ``loss``: for a model that was not compiled (else the
    compiled loss, as ``model.evaluate``). ``h``: the difference step (default
    :func:`hvp_step`). The model is not changed.
    """
    f = LossFunction(model, x, y, loss)
    theta = f.theta()
    v = f.check_vector(v, "vector v")
    return _hvp(f, theta, v, hvp_step(theta) if h is None else _positive(h, "h"))


def _positive(v, name):
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not v > 0 or not math.isfinite(v):
        raise ValueError(f"{name} must be a positive finite number, got {v!r}")
    return float(v)


def _count(v, name, minimum=1):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {v!r}")
    return int(v)


def lanczos(matvec, n, k=1, *, which="largest", tol=1e-8, max_iter=None, v0=None, seed=0):
    """The ``k`` extreme eigenpairs of a symmetric operator ``matvec`` on R^n, by Lanczos.

    Full reorthogonalisation (twice, classical Gram-Schmidt) keeps the basis orthonormal.
    Stops when each wanted Ritz pair's residual β_m |s_mi| is at most ``tol`` times the largest
    |Ritz value|, when the Krylov space is invariant, or after ``max_iter`` products (default
    min(n, 200), and fewer for a large n: the kept basis stays within ``BASIS_BYTES``, 256 MiB,
    but has at least 2k + 10 vectors). ``which``: "largest" (algebraic, largest first) or "smallest" (smallest
    first). Returns (values (k,), vectors (k, n), products used, converged).
    """
    if which not in ("largest", "smallest"):
        raise ValueError(f"which must be 'largest' or 'smallest', got {which!r}")
    k = _count(k, "k")
    if k > n:
        raise ValueError(f"k = {k} eigenvalues asked of an operator on R^{n}")
    m_max = (min(n, 200, max(2 * k + 10, BASIS_BYTES // (8 * n))) if max_iter is None
             else min(n, _count(max_iter, "max_iter")))
    m_max = max(m_max, k)
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(n) if v0 is None else np.asarray(v0, dtype=np.float64).reshape(n).copy()
    if not np.linalg.norm(q) > 0 or not np.all(np.isfinite(q)):
        q = rng.standard_normal(n)
    nq = np.linalg.norm(q)
    Q = np.zeros((m_max, n))
    Q[0] = q / nq
    alpha, beta = [], []
    converged = False
    m = 0
    vals = vecs_t = None
    for j in range(m_max):
        w = np.asarray(matvec(Q[j]), dtype=np.float64)
        if not np.all(np.isfinite(w)):
            raise FloatingPointError("the Hessian-vector product is not finite (the loss overflows at these weights)")
        a = float(Q[j] @ w)
        alpha.append(a)
        for _ in range(2):
            w -= Q[:j + 1].T @ (Q[:j + 1] @ w)
        b = float(np.linalg.norm(w))
        m = j + 1
        T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
        vals, S = np.linalg.eigh(T)
        order = np.argsort(vals)[::-1] if which == "largest" else np.argsort(vals)
        scale = max(float(np.max(np.abs(vals))), np.finfo(float).tiny)
        invariant = b <= 1e-12 * scale
        if m >= k:
            resid = np.abs(b * S[-1, order[:k]])
            if invariant or np.all(resid <= tol * scale):
                converged = True
        if converged or invariant or m == m_max:
            vals, vecs_t = vals[order[:k]], S[:, order[:k]]
            break
        beta.append(b)
        Q[j + 1] = w / b
    vectors = (Q[:m].T @ vecs_t).T
    return np.asarray(vals, dtype=np.float64), vectors, m, converged or m == n


def hessian_eigs(model, x, y, k=1, *, loss=None, which="largest", tol=1e-8, max_iter=None, seed=0, v0=None,
                 vectors=False):
    """The ``k`` largest (``which="smallest"``: smallest) eigenvalues of the loss's Hessian at the model's weights.

    Lanczos (:func:`lanczos`) on :func:`hvp` products; each product costs two gradients on all of
    (x, y). ``v0``: a start vector (e.g. the previous top eigenvector, as
    :class:`SharpnessCallback` does); else a Gaussian one from ``seed``. Returns the eigenvalues
    (k,), largest first (smallest first for "smallest"), and with ``vectors=True`` also the unit
    eigenvectors (k, n_params). The model is not changed.
    """
    f = LossFunction(model, x, y, loss)
    theta = f.theta()
    h = hvp_step(theta)
    vals, vecs, _, _ = lanczos(lambda v: _hvp(f, theta, v, h), f.n_params, k, which=which, tol=tol,
                               max_iter=max_iter, v0=None if v0 is None else flat_weights(v0), seed=seed)
    return (vals, vecs) if vectors else vals


def stability_threshold(optimizer):
    """The largest curvature a fixed-lr SGD-family optimizer is stable on: 2/η for gradient descent,
    (2 + 2β)/η for heavy-ball momentum, (2 + 2β)/((1 + 2β) η) for Nesterov (dampening τ divides by
    1 − τ), as :func:`gdlab.runs.stability` states them; None for adaptive optimizers (no fixed bound).
    Read from the optimizer's first parameter group (``lr``, ``momentum``, ``nesterov``, ``dampening``)."""
    groups = getattr(optimizer, "param_groups", None)
    if not groups or type(optimizer).__name__ != "SGD":
        return None
    g = groups[0]
    lr = float(g.get("lr", 0.0))
    if not lr > 0:
        return None
    beta = float(g.get("momentum", 0.0) or 0.0)
    tau = float(g.get("dampening", 0.0) or 0.0)
    if beta == 0:
        return 2.0 / lr
    limit = (2.0 + 2.0 * beta) / (1.0 + 2.0 * beta) if g.get("nesterov") else 2.0 + 2.0 * beta
    return limit / (lr * (1.0 - tau)) if tau < 1 else None


class SharpnessCallback(Callback):
    """Record the top Hessian eigenvalue (the sharpness) of the loss on (x, y) during ``fit``.

    Measured before the first update, every ``every`` updates, and after the last one, by
    :func:`hessian_eigs` warm-started from the previous eigenvector (a few products each after
    the first). ``x, y`` are usually the whole training set (the full-batch loss, whose Hessian
    the stability bound speaks of). ``max_iter``/``tol``: Lanczos's budget and tolerance.

    Attributes: ``steps`` (update counts, running across fit calls), ``sharpness`` (λ_max at
    each), ``eigenvalues`` (the top ``k`` at each), ``lr`` (the optimizer's lr then),
    ``threshold`` (:func:`stability_threshold`: 2/η for GD, None for adaptive optimizers),
    ``n_hvp`` (products used). Training is not changed: the weights and their gradients are
    only read.
    """

    def __init__(self, x, y, every=1, *, k=1, loss=None, tol=1e-6, max_iter=50, seed=0):
        super().__init__()
        self.x, self.y = x, y
        self.every = _count(every, "every")
        self.k = _count(k, "k")
        self.loss = loss
        self.tol = _positive(tol, "tol")
        self.max_iter = _count(max_iter, "max_iter", minimum=self.k)
        self.seed = seed
        self.steps, self.sharpness, self.eigenvalues, self.lr, self.threshold = [], [], [], [], []
        self.n_hvp = 0
        self._count = 0
        self._f = None
        self._v = None

    def on_train_begin(self, logs=None):
        self._f = LossFunction(self.model, self.x, self.y, self.loss)
        if not self.steps or self.steps[-1] != self._count:
            self._measure()

    def on_batch_end(self, batch, logs=None):
        self._count += 1
        if self._count % self.every == 0:
            self._measure()

    def on_train_end(self, logs=None):
        if not self.steps or self.steps[-1] != self._count:
            self._measure()

    def _measure(self):
        f = self._f
        theta = f.theta()
        h = hvp_step(theta)
        vals, vecs, used, _ = lanczos(lambda v: _hvp(f, theta, v, h), f.n_params, self.k, tol=self.tol,
                                      max_iter=self.max_iter, v0=self._v, seed=self.seed)
        self._v = vecs[0]
        self.n_hvp += used
        opt = getattr(self.model, "optimizer", None)
        groups = getattr(opt, "param_groups", None)
        self.steps.append(self._count)
        self.sharpness.append(float(vals[0]))
        self.eigenvalues.append(vals.copy())
        self.lr.append(float(groups[0]["lr"]) if groups else float("nan"))
        self.threshold.append(stability_threshold(opt))
