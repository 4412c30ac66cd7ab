"""Function transformations: gradients of Python functions written with gdlab ops."""

from __future__ import annotations

import numbers

import numpy as np

from .tensor import Tensor, enable_grad

__all__ = ["grad", "value_and_grad", "hessian"]


def _argnums(argnums, nargs, fname):
    nums = (argnums,) if isinstance(argnums, numbers.Integral) else tuple(argnums)
    for i in nums:
        if not isinstance(i, numbers.Integral) or not -nargs <= i < nargs:
            raise ValueError(f"{fname}: argnums={argnums!r} does not fit a call with {nargs} positional arguments")
    return tuple(i % nargs for i in nums)


def _float_array(x):
    arr = np.asarray(x.data if isinstance(x, Tensor) else x)
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def value_and_grad(f, argnums=0):
    """Return a function computing ``(f(*args), df/dargs[argnums])``.

    ``f`` is written with gdlab ops and returns a one-element Tensor (a scalar).
    The arguments may be floats or arrays; gradients come back as ndarrays of the
    arguments' shapes (a tuple of them when ``argnums`` is a tuple). The value is
    returned as a NumPy float.
    """
    single = isinstance(argnums, numbers.Integral)

    def wrapped(*args, **kwargs):
        nums = _argnums(argnums, len(args), "value_and_grad")
        targs = list(args)
        for i in nums:
            targs[i] = Tensor(_float_array(args[i]), requires_grad=True)
        with enable_grad():
            out = f(*targs, **kwargs)
        if not isinstance(out, Tensor):
            out = Tensor(out)
        if out.data.size != 1:
            raise ValueError(
                f"grad needs f to return a scalar, but it returned shape {out.data.shape}; "
                "reduce it first (e.g. .sum() or .mean())"
            )
        if out.requires_grad:
            out.backward()
        grads = tuple(
            targs[i].grad if targs[i].grad is not None else np.zeros_like(targs[i].data) for i in nums
        )
        value = out.data.reshape(())[()]
        return value, (grads[0] if single else grads)

    wrapped.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return wrapped


def grad(f, argnums=0):
    """Return a function computing the gradient of scalar-valued ``f`` (see value_and_grad)."""
    vg = value_and_grad(f, argnums)

    def wrapped(*args, **kwargs):
        return vg(*args, **kwargs)[1]

    wrapped.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return wrapped


def hessian(f, h: float = 1e-5):
    """Return a function computing the Hessian of scalar-valued ``f`` at ``x``.

    Computed as central differences of the exact (autodiff) gradient, column by
    column, then symmetrised: H[:, i] = (g(x + h_i e_i) - g(x - h_i e_i)) / (2 h_i)
    with h_i = h * max(1, |x_i|). The error is O(h^2) truncation plus O(eps/h)
    round-off; with the default h = 1e-5 it is about 1e-9 relative for smooth f
    (exact for quadratics up to round-off). The result has shape x.shape + x.shape.
    """
    if not (h > 0 and np.isfinite(h)):
        raise ValueError(f"hessian: h must be a positive finite number, got {h!r}")
    g = grad(f)

    def wrapped(x):
        x = np.array(_float_array(x), dtype=np.float64)
        flat = x.reshape(-1)
        n = flat.size
        H = np.empty((n, n))
        for i in range(n):
            hi = h * max(1.0, abs(flat[i]))
            xp, xm = flat.copy(), flat.copy()
            xp[i] += hi
            xm[i] -= hi
            H[:, i] = (np.ravel(g(xp.reshape(x.shape))) - np.ravel(g(xm.reshape(x.shape)))) / (2 * hi)
        H = (H + H.T) / 2
        return H.reshape(x.shape + x.shape)

    return wrapped
