"""Gradient noise: perturbed gradient descent, for any optimizer.

Gaussian noise of standard deviation ``std`` is added to the gradient *before* the
update rule sees it::

    g~ = g + std * xi,    xi ~ N(0, I)

With a small ``std`` this is what lets plain gradient descent leave a strict saddle
point (e.g. z = x**2 - y**2 started on the line y = 0, where the exact gradient
never points off the line; Ge et al. 2015, Jin et al. 2017).

Two forms, one function:

* functional, for the vectorized runner: ``perturb_grad(g, std, rng, out=buf)`` with
  ``rng = np.random.default_rng(seed)``; ``std`` may be an array broadcastable to
  ``g`` (e.g. ``(n_runs, 1)``: a noise level per run). One draw covers the whole
  array, so a vectorized run is reproducible from its seed, but row i of it does not
  equal a single run seeded the same way.
* stateful: ``gdlab.optim.SGD(params, lr=..., noise_std=0.01, noise_seed=0)`` (every
  optimizer takes ``noise_std`` and ``noise_seed``); see :class:`~gdlab.optim.Optimizer`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["perturb_grad"]


def perturb_grad(g: np.ndarray, std, rng: np.random.Generator, out: np.ndarray | None = None) -> np.ndarray:
    """``g + std * xi`` with ``xi ~ N(0, I)`` drawn from ``rng``, in ``g``'s dtype (float32 or float64).

    ``g`` is not modified. ``out`` (optional) receives the result and is returned;
    it must have ``g``'s shape and a float32/float64 dtype. Draws are made in the
    dtype of ``out`` (of ``g`` when ``out`` is None), so float32 stays float32.
    """
    if out is None:
        out = np.empty(g.shape, dtype=g.dtype if g.dtype in (np.float32, np.float64) else np.float64)
    rng.standard_normal(out=out, dtype=out.dtype)
    out *= std
    out += g
    return out
