r"""Checks of the autodiff engine against finite differences: ``gradcheck`` and ``step_size_study``.

They live one layer above ``gdlab.numdiff`` because they compare the two. The Tensor comes from
``gdlab.autodiff.tensor`` (not from the package, whose ``__init__`` imports this module).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdlab.numdiff import derivative, gradient, optimal_step
from gdlab.numdiff._validate import (
    as_float_array,
    check_callable,
    check_method,
    check_nonnegative,
    check_positive,
)
from gdlab.numdiff.finite import METHODS

__all__ = ["GradcheckError", "gradcheck", "StepSizeStudy", "step_size_study", "DEFAULT_HS"]

DEFAULT_HS = np.logspace(-1, -13, 25)  # 1e-1, 10**-1.5, ..., 1e-13
_WEIGHT_SEED = 0


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when the autodiff gradient disagrees with finite differences."""


def _tensor_class():
    from .tensor import Tensor

    return Tensor


def _output_weights(shape):
    """The fixed weights w of ``sum(out * w)`` for a non-scalar output: w = s * u with u ~ U(0.5, 1.5)
    and random signs s, drawn from ``np.random.default_rng(0)`` (so every output element counts)."""
    rng = np.random.default_rng(_WEIGHT_SEED)
    return rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _input_array(x, position):
    Tensor = _tensor_class()
    data = x.data if isinstance(x, Tensor) else x
    return as_float_array(data, name=f"input {position}")


def gradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    r"""Compare gdlab's autodiff gradient of ``f`` with central differences, in float64.

    ``f`` takes Tensors (one per input) and returns a Tensor. ``inputs`` are floats, arrays or Tensors;
    each is copied to a new float64 Tensor with ``requires_grad=True`` (the caller's objects and their
    ``.grad`` are left alone). The checked scalar is

        L = out                   if out has one element,
        L = sum(out * w)          otherwise, w a fixed weight array (seed 0, |w| in [0.5, 1.5],
                                  random signs; the backward pass is seeded with grad = w),

    a = dL/dx_k by ``out.backward(...)`` and n = dL/dx_k by central differences
    (L(x + eps e_i) - L(x - eps e_i)) / (2 eps), for every input k and element i. An element passes if

        |a - n| <= atol + rtol * |n|

    (NaN fails). Returns True when all pass. Otherwise raises ``GradcheckError`` naming the worst
    element (the largest |a - n| / (atol + rtol |n|)): the input's position (0-based) and shape, the
    index, both values, the absolute and relative errors and how many elements fail; with
    ``raise_exception=False`` it returns False instead. An input that the output does not depend on
    has autodiff gradient zero.
    """
    Tensor = _tensor_class()
    check_callable(f)
    eps = check_positive(eps, "eps")
    atol = check_nonnegative(atol, "atol")
    rtol = check_nonnegative(rtol, "rtol")
    if not inputs:
        raise ValueError("gradcheck needs at least one input after f; got none")
    arrays = [_input_array(x, k) for k, x in enumerate(inputs)]

    # autodiff
    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = f(*leaves)
    if not isinstance(out, Tensor):
        raise TypeError(f"f must return a gdlab Tensor; got {out!r} of type {type(out).__name__}")
    weights = None if out.data.size == 1 else _output_weights(out.data.shape)
    if out.requires_grad:
        out.backward(None if weights is None else weights)
    analytic = [np.zeros(a.shape) if t.grad is None else np.asarray(t.grad, dtype=np.float64)
                for a, t in zip(arrays, leaves)]

    # finite differences of the same scalar L, one input at a time
    def loss(values):
        o = f(*[Tensor(v) for v in values]).data
        return float(np.asarray(o, dtype=np.float64).reshape(())) if weights is None else float(np.sum(o * weights))

    problems = []  # (score, message) per failing input
    for k, a in enumerate(arrays):
        if analytic[k].shape != a.shape:
            problems.append((np.inf, f"input {k}: the autodiff gradient has shape {analytic[k].shape}, "
                                     f"the input has shape {a.shape}"))
            continue

        def loss_k(xk, k=k):
            values = list(arrays)
            values[k] = xk
            return loss(values)

        numeric = gradient(loss_k, a, h=eps, method="central")
        abs_err = np.abs(analytic[k] - numeric)
        bound = atol + rtol * np.abs(numeric)
        bad = ~(abs_err <= bound)
        if not bad.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(abs_err == 0, 0.0, abs_err / bound)
        score = np.where(np.isnan(score), np.inf, score)
        flat = int(np.argmax(score))
        idx = np.unravel_index(flat, a.shape)
        ai, ni, ei = (float(v.flat[flat]) for v in (analytic[k], numeric, abs_err))
        rel = ei / abs(ni) if ni != 0 else (0.0 if ei == 0 else float("inf"))
        problems.append((float(score.flat[flat]), (
            f"input {k} (0-based position, shape {a.shape}) at index {tuple(int(i) for i in idx)}: "
            f"autodiff {ai!r}, numerical {ni!r}; absolute error {ei:.3e}, relative error {rel:.3e}; "
            f"allowed |a - n| <= atol + rtol*|n| = {bound.flat[flat]:.3e} (atol={atol:g}, rtol={rtol:g}); "
            f"{int(bad.sum())} of {a.size} elements of this input fail"
        )))

    if not problems:
        return True
    if not raise_exception:
        return False
    problems.sort(key=lambda p: -p[0])
    what = "out" if weights is None else "sum(out * w), w fixed random weights (seed 0)"
    lines = [f"gradcheck failed (gradient of {what}, central differences eps={eps:g}); worst: {problems[0][1]}"]
    lines += [f"  also {p[1]}" for p in problems[1:]]
    raise GradcheckError("\n".join(lines))


@dataclass(frozen=True)
class StepSizeStudy:
    """The result of ``step_size_study``.

    ``hs`` the steps, ``errors[i]`` the error of the numerical derivative with step ``hs[i]`` (max over
    the coordinates for an array point), ``best_h``/``best_error`` the smallest error and its step,
    ``exact`` the autodiff derivative, ``expected_h`` = eps ** (1 / (order + 1)), the step where
    truncation and round-off balance for this method (see ``gdlab.numdiff.optimal_step``).
    """

    method: str
    x: object
    exact: object
    hs: np.ndarray
    errors: np.ndarray
    best_h: float
    best_error: float
    expected_h: float

    def rows(self):
        """One dict per step: h, error."""
        return [{"h": float(h), "error": float(e)} for h, e in zip(self.hs, self.errors)]

    def __str__(self):
        lines = [f"step-size study, method={self.method!r}, exact derivative {self.exact!r}",
                 f"{'h':>10}  {'error':>10}"]
        for h, e in zip(self.hs, self.errors):
            mark = "  <- best" if h == self.best_h else ""
            lines.append(f"{h:10.1e}  {e:10.2e}{mark}")
        lines.append(f"best h {self.best_h:.1e} (error {self.best_error:.2e}); "
                     f"expected near eps**(1/(order+1)) = {self.expected_h:.1e}")
        return "\n".join(lines)


def step_size_study(f, x, hs=None, method="central", exact=None):
    r"""The error of the numerical derivative of ``f`` at ``x`` for each step h: the h trade-off.

    ``f`` is written with gdlab ops (it is called with Tensors): R -> R, or array -> scalar at an array
    point ``x``. The exact derivative is gdlab's autodiff gradient at ``x`` (or ``exact`` when given).
    For every h in ``hs`` (default ``np.logspace(-1, -13, 25)``) the error is

        error(h) = |D_h f(x) - f'(x)|        (max over coordinates for an array x)

    with D_h the stencil of ``method`` (see ``gdlab.numdiff.derivative``). Large h: truncation error
    ~ C h^p (p = 1 forward/backward, 2 central, 4 five-point) falls as h shrinks; small h: round-off
    ~ eps |f| / h grows. The best h is near eps^(1/(p+1)) for f of order 1 (eps = 2.2e-16):
    ~1.5e-8 forward/backward, ~6e-6 central, ~7e-4 five-point; the smallest error near eps^(p/(p+1)):
    ~1e-8, ~1e-11, ~1e-13.

    Returns a ``StepSizeStudy`` (hs, errors, best_h, best_error, exact, expected_h; ``str()`` prints a table).
    """
    Tensor = _tensor_class()
    check_callable(f)
    method = check_method(method, METHODS)
    hs = DEFAULT_HS if hs is None else hs
    hs = np.array(hs, dtype=np.float64).reshape(-1) if np.ndim(hs) <= 1 else None
    if hs is None or hs.size == 0 or not np.all(np.isfinite(hs) & (hs > 0)):
        raise ValueError("hs must be a non-empty 1-D sequence of positive finite steps")
    point = as_float_array(x)

    def value(v):
        out = f(Tensor(v))
        data = out.data if isinstance(out, Tensor) else out
        return data

    if exact is None:
        t = Tensor(point.copy(), requires_grad=True)
        out = f(t)
        if not isinstance(out, Tensor):
            raise TypeError(f"f must return a gdlab Tensor; got {out!r} of type {type(out).__name__}")
        if out.data.size != 1:
            raise ValueError(f"f must return a scalar (one element); got a Tensor of shape {out.data.shape}")
        if out.requires_grad:
            out.backward()
        exact = np.zeros(point.shape) if t.grad is None else np.array(t.grad, dtype=np.float64)
    exact = np.broadcast_to(np.asarray(exact, dtype=np.float64), point.shape)

    errors = np.empty(hs.size)
    for i, h in enumerate(hs):
        if point.ndim == 0:
            approx = derivative(value, float(point), h=h, method=method)
        else:
            approx = gradient(value, point, h=h, method=method)
        errors[i] = np.max(np.abs(np.asarray(approx) - exact)) if point.size else 0.0
    best = int(np.nanargmin(errors)) if not np.all(np.isnan(errors)) else 0
    exact_out = float(exact) if point.ndim == 0 else np.array(exact)
    x_out = float(point) if point.ndim == 0 else point
    return StepSizeStudy(method=method, x=x_out, exact=exact_out, hs=hs, errors=errors,
                         best_h=float(hs[best]), best_error=float(errors[best]),
                         expected_h=optimal_step(method))
