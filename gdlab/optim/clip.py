"""Gradient clipping, torch's semantics (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).

Stateful forms act in place on the ``.grad`` of duck-typed parameters (objects with
``.grad``: an array or None, which is skipped). Functional forms act on arrays of
shape ``(n_runs, ...)``, one clipping per row, for the vectorized runner.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_norm_rows", "clip_value"]


def _params(parameters) -> list:
    if hasattr(parameters, "grad"):
        return [parameters]
    return list(parameters)


def _norm_type(norm_type) -> float:
    p = float(norm_type)
    if not p > 0:  # also rejects NaN; inf is fine
        raise ValueError(f"norm_type must be > 0 or inf, got {norm_type!r}")
    return p


def _vector_norm(x: np.ndarray, p: float, axis=None):
    """The p-norm of ``x`` over ``axis`` (all axes when None), in x's dtype."""
    a = np.abs(x)
    if math.isinf(p):
        return a.max(axis=axis, initial=0.0)
    if p == 2.0:
        return np.sqrt(np.sum(a * a, axis=axis))
    if p == 1.0:
        return np.sum(a, axis=axis)
    return np.sum(a ** p, axis=axis) ** (1.0 / p)


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False) -> float:
    """Scale all gradients together so that their total norm is at most ``max_norm``; return that total norm.

    The total norm is the ``norm_type``-norm of all gradients seen as one vector
    (the norm of the per-parameter norms). Every gradient is multiplied by
    ``min(1, max_norm / (total_norm + 1e-6))``, in place, as in torch. Parameters
    whose ``.grad`` is None are skipped. Returns the norm *before* clipping, as a
    float. ``error_if_nonfinite=True`` raises RuntimeError on a NaN/inf total norm.
    """
    p = _norm_type(norm_type)
    max_norm = float(max_norm)
    grads = [q.grad for q in _params(parameters) if q.grad is not None]
    if not grads:
        return 0.0
    norms = np.array([_vector_norm(g, p) for g in grads], dtype=np.float64)
    total = float(_vector_norm(norms, p))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"the total {p}-norm of the gradients is {total}, so it cannot be clipped "
                           "(error_if_nonfinite=True)")
    coef = min(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        g *= coef
    return total


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clamp every gradient entry to ``[-clip_value, clip_value]``, in place (None gradients are skipped)."""
    c = float(clip_value)
    for q in _params(parameters):
        if q.grad is not None:
            np.clip(q.grad, -c, c, out=q.grad)


def clip_norm_rows(g: np.ndarray, max_norm, norm_type: float = 2.0, out: np.ndarray | None = None) -> np.ndarray:
    """Per-row :func:`clip_grad_norm_` for a batch of gradients of shape ``(n_runs, ...)``.

    Row i (all axes but the first) is scaled by ``min(1, max_norm / (norm_i + 1e-6))``.
    ``max_norm`` may be a scalar or an array of shape ``(n_runs,)``. The result is
    written to ``out`` (a new array when None; pass ``out=g`` to clip in place) and
    the row norms before clipping, shape ``(n_runs,)``, are returned.
    """
    p = _norm_type(norm_type)
    axes = tuple(range(1, g.ndim))
    norms = _vector_norm(g, p, axis=axes)
    coef = np.minimum(np.asarray(max_norm) / (norms + 1e-6), 1.0)
    if out is None:
        out = np.empty_like(g)
    np.multiply(g, coef.reshape(coef.shape + (1,) * len(axes)), out=out)
    return norms


def clip_value(g: np.ndarray, clip_value, out: np.ndarray | None = None) -> np.ndarray:
    """``clip(g, -clip_value, clip_value)`` (``clip_value`` scalar or broadcastable, e.g. ``(n_runs, 1)``)."""
    return np.clip(g, -np.asarray(clip_value), np.asarray(clip_value), out=out)
