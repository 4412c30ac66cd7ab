r"""Finite differences: derivative, gradient, Jacobian and Hessian of plain NumPy functions.

Every first-derivative method is one stencil, one line of the table ``STENCILS``::

    f'(x) ~= sum_k w_k * f(x + o_k * h) / (d * h)

    method        offsets o_k      weights w_k      d    error (truncation)       best h (round-off)
    forward       +1, 0            +1, -1           1    h/2 * f''                ~ eps**(1/2) ~ 1.5e-8
    backward       0, -1           +1, -1           1    h/2 * f''                ~ eps**(1/2) ~ 1.5e-8
    central       +1, -1           +1, -1           2    h**2/6 * f'''            ~ eps**(1/3) ~ 6e-6
    five-point    +2, +1, -1, -2   -1, +8, -8, +1   12   h**4/30 * f'''''         ~ eps**(1/5) ~ 7e-4

(eps = 2.2e-16, the float64 machine epsilon; "best h" assumes f and its derivatives are of order 1.)
The terms are added in the order of the table and divided by ``d * h``, so "central" is computed exactly
as ``(f(x + h) - f(x - h)) / (2 * h)``, the formula of seed 004, bit for bit.

The step is the nominal ``h``; the difference between ``x + h`` and ``x`` as stored in float64 is not
re-measured (that would change the seed's numbers in the last digits).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import (
    as_float_array,
    as_float_point,
    check_callable,
    check_method,
    check_positive,
    to_array,
    to_scalar,
)

__all__ = [
    "Stencil",
    "STENCILS",
    "METHODS",
    "derivative",
    "gradient",
    "jacobian",
    "hessian",
    "optimal_step",
    "numerical_diff",
    "numerical_gradient",
]



class Stencil(NamedTuple):
    """f'(x) ~= sum_k weights[k] * f(x + offsets[k] * h) / (divisor * h), error O(h**order)."""

    offsets: tuple
    weights: tuple
    divisor: int
    order: int


STENCILS = {
    "forward": Stencil((1, 0), (1, -1), 1, order=1),
    "backward": Stencil((0, -1), (1, -1), 1, order=1),
    "central": Stencil((1, -1), (1, -1), 2, order=2),
    "five-point": Stencil((2, 1, -1, -2), (-1, 8, -8, 1), 12, order=4),
}
METHODS = tuple(STENCILS)

SEED_H = 1e-4  # the step of seed 004's numerical_diff / numerical_gradient


def _stencil(method):
    """(offsets, weights, divisor) of ``method``, after checking the name."""
    return STENCILS[check_method(method, METHODS)][:3]


def optimal_step(method, eps=float(np.finfo(np.float64).eps)):
    """The step that balances truncation and round-off for ``method``: eps ** (1 / (order + 1)).

    Truncation ~ C h**p, round-off ~ eps |f| / h; their sum is smallest near h ~ eps**(1/(p+1)) when f
    and its derivatives are of order 1: ~1.5e-8 (forward, backward), ~6e-6 (central), ~7e-4 (five-point).
    """
    return float(eps) ** (1.0 / (STENCILS[check_method(method, METHODS)].order + 1))


def _combine(weights, values, d, h):
    """sum_k w_k * values_k / (d * h), summed left to right (floats or arrays)."""
    acc = weights[0] * values[0]
    for w, v in zip(weights[1:], values[1:]):
        acc = acc + w * v
    return acc / (d * h)


def derivative(f, x, h=1e-4, method="central"):
    r"""Derivative of ``f: R -> R`` at ``x`` by a finite-difference stencil.

    ``method`` is one of ``"forward"``, ``"backward"``, ``"central"``, ``"five-point"``:

    - forward:    (f(x + h) - f(x)) / h                                         error O(h)
    - backward:   (f(x) - f(x - h)) / h                                         error O(h)
    - central:    (f(x + h) - f(x - h)) / (2h)                                  error O(h^2)
    - five-point: (-f(x + 2h) + 8 f(x + h) - 8 f(x - h) + f(x - 2h)) / (12h)   error O(h^4)

    ``x`` may be a number (the result is a Python float) or an array of points; then ``f`` must be
    vectorized (elementwise: ``f(x)[i]`` depends on ``x[i]`` only) and the result is a float64 array of
    ``x``'s shape holding the derivative at every point. ``x`` is converted to float64 first.

    Raises ValueError for ``h <= 0`` or not finite, an unknown method, or (scalar ``x``) an ``f`` that
    returns a non-scalar; TypeError for a non-callable ``f`` or non-numeric ``x``.
    """
    check_callable(f)
    h = check_positive(h, "h")
    offsets, weights, d = _stencil(method)
    x = as_float_point(x)
    if isinstance(x, float):
        values = [to_scalar(f(x + o * h) if o else f(x)) for o in offsets]
        return float(_combine(weights, values, d, h))
    values = []
    for o in offsets:
        v = to_array(f(x + o * h) if o else f(x.copy()))
        if np.broadcast_shapes(v.shape, x.shape) != x.shape:
            raise ValueError(
                f"f must be elementwise on an array of points: expected an output of shape {x.shape} "
                f"(x's shape); got {v.shape}"
            )
        values.append(v)
    return np.array(np.broadcast_to(_combine(weights, values, d, h), x.shape), dtype=np.float64)


def _perturbed(work, offsets, h, center, evaluate):
    """For each coordinate i of the float array ``work``: (i, [evaluate(i) at x + o h e_i for o in offsets]).

    ``work`` is perturbed in place, one coordinate at a time, and restored even when ``evaluate``
    raises; the offset 0 gives ``center`` (f at x, computed once by the caller).
    """
    flat = work.reshape(-1)  # a view of it
    for i in range(work.size):
        xi = float(flat[i])
        values = []
        for o in offsets:
            if o == 0:
                values.append(center)
                continue
            flat[i] = xi + o * h
            try:
                values.append(evaluate(i))
            finally:
                flat[i] = xi
        yield i, values


def gradient(f, x, h=1e-4, method="central"):
    r"""Gradient of a scalar function ``f: array -> scalar`` at ``x``, one coordinate at a time.

    For every index i (in C order), with e_i the unit array at i, the stencil of ``method`` (see
    ``derivative``) is applied to t -> f(x + t e_i); for "central"::

        g[i] = (f(x + h e_i) - f(x - h e_i)) / (2h)

    ``x`` may have any shape (0-d, a vector, a 2x3 weight matrix ...); the result is a float64 array of
    ``x``'s shape. The perturbations are made on a float64 copy, so the caller's ``x`` is never modified,
    even when ``f`` raises. ``f`` is called with arrays of ``x``'s shape and must not modify them; it
    must return a scalar (a float, a NumPy scalar or any one-element array), else ValueError naming the shape.
    Cost: ``len(offsets) * x.size`` calls (one fewer per coordinate for forward/backward).
    """
    check_callable(f)
    h = check_positive(h, "h")
    offsets, weights, d = _stencil(method)
    work = as_float_array(x)  # our own C-contiguous copy
    g = np.empty(work.size, dtype=np.float64)
    center = to_scalar(f(work)) if (0 in offsets and work.size) else None
    for i, values in _perturbed(work, offsets, h, center, lambda i: to_scalar(f(work))):
        g[i] = _combine(weights, values, d, h)
    return g.reshape(work.shape)


def jacobian(f, x, h=1e-4, method="central"):
    r"""Jacobian of ``f: R^n -> R^m`` (any input and output shapes) at ``x``.

    ``J[j..., i...] = d f(x)[j...] / d x[i...]``: the result has shape ``f(x).shape + x.shape``
    (float64). Column i is the stencil of ``method`` applied to t -> f(x + t e_i); for "central"::

        J[:, i] = (f(x + h e_i) - f(x - h e_i)) / (2h)

    A scalar-valued ``f`` gives the gradient. ``x`` is perturbed on a float64 copy and left unchanged.
    ``f`` must return arrays of one shape at every point (ValueError naming both shapes otherwise).
    """
    check_callable(f)
    h = check_positive(h, "h")
    offsets, weights, d = _stencil(method)
    work = as_float_array(x)
    center = to_array(f(work)) if (0 in offsets or work.size == 0) else None
    out_shape = None if center is None else center.shape
    columns = np.empty((0 if out_shape is None else int(np.prod(out_shape)), work.size))

    def evaluate(i):
        nonlocal out_shape, columns
        v = to_array(f(work))
        if out_shape is None:
            out_shape = v.shape
            columns = np.empty((v.size, work.size), dtype=np.float64)
        elif v.shape != out_shape:
            raise ValueError(
                f"f must return arrays of one shape; got {v.shape} after {out_shape} "
                f"(at index {np.unravel_index(i, work.shape)} of x)"
            )
        return v

    for i, values in _perturbed(work, offsets, h, center, evaluate):
        columns[:, i] = _combine(weights, values, d, h).reshape(-1)
    return columns.reshape(out_shape + work.shape)


def hessian(f, x, h=1e-4):
    r"""Hessian of a scalar function ``f: array -> scalar`` at ``x`` by second differences.

    One stencil for every entry (the mixed central second difference)::

        H[i, j] = (f(x + h e_i + h e_j) - f(x + h e_i - h e_j)
                   - f(x - h e_i + h e_j) + f(x - h e_i - h e_j)) / (4 h^2)

    which on the diagonal (i == j) is ``(f(x + 2h e_i) - 2 f(x) + f(x - 2h e_i)) / (4 h^2)``.
    Only i <= j is computed and mirrored, so the result is exactly symmetric; it has shape
    ``x.shape + x.shape`` (a 2-D matrix for a vector x). ``2 n^2 + 1`` calls for ``x.size == n``.

    Accuracy: truncation error O(h^2) (about h^2/3 * f'''' on the diagonal, zero for a quadratic);
    round-off about eps * |f| / h^2. The best step balances them near eps^(1/4) ~ 1e-4, the default,
    where round-off is about 2e-8 * |f(x)| and a smooth function's Hessian comes out with 7-8 correct
    digits relative to |f|. Note that second differences need a much larger h than first ones.
    ``x`` is perturbed on a float64 copy and left unchanged.
    """
    check_callable(f)
    h = check_positive(h, "h")
    work = as_float_array(x)
    flat = work.reshape(-1)
    n = work.size
    H = np.empty((n, n), dtype=np.float64)
    f0 = to_scalar(f(work)) if n else 0.0

    def f_at(i, si, j, sj):
        """f(x + si h e_i + sj h e_j) for signs si, sj in {+1, -1}."""
        xi, xj = float(flat[i]), float(flat[j])
        try:
            if i == j:
                flat[i] = xi + (si + sj) * h
            else:
                flat[i] = xi + si * h
                flat[j] = xj + sj * h
            return to_scalar(f(work))
        finally:
            flat[i] = xi
            flat[j] = xj

    for i in range(n):
        H[i, i] = (f_at(i, 1, i, 1) - 2.0 * f0 + f_at(i, -1, i, -1)) / (4 * h * h)
        for j in range(i + 1, n):
            H[i, j] = H[j, i] = (
                f_at(i, 1, j, 1) - f_at(i, 1, j, -1) - f_at(i, -1, j, 1) + f_at(i, -1, j, -1)
            ) / (4 * h * h)
    return H.reshape(work.shape + work.shape)


def numerical_diff(f, x):
    """Seed 004's ``numerical_diff``: the central difference with h = 1e-4.

    Exactly ``(f(x + h) - f(x - h)) / (2 * h)``, so it reproduces the seed's numbers bit for bit
    (``numerical_diff(lambda x: 0.01*x**2 + 0.1*x, 5) == 0.1999999999990898``).
    Same as ``derivative(f, x, h=1e-4, method="central")``.
    """
    return derivative(f, x, h=SEED_H, method="central")


def numerical_gradient(f, x):
    """Seed 004's ``numerical_gradient``: central differences, h = 1e-4, one coordinate at a time.

    Same as ``gradient(f, x, h=1e-4, method="central")``. Unlike the seed's version it works on a
    float64 copy (the caller's ``x`` is never written, integer ``x`` gives a float gradient) and accepts
    any shape of ``x``; the values are the seed's, bit for bit.
    """
    return gradient(f, x, h=SEED_H, method="central")
