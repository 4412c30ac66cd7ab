"""Boundary checks shared by the finite-difference functions (and by ``gdlab.autodiff.check``).

Each check raises ``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind, bad value)
with a message that names the bad value and what is allowed.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "check_callable",
    "check_positive",
    "check_nonnegative",
    "check_method",
    "as_float_point",
    "as_float_array",
    "to_scalar",
    "to_array",
]


def check_callable(f, name="f"):
    """Raise TypeError unless ``f`` is callable."""
    if not callable(f):
        raise TypeError(f"{name} must be a callable (a function); got {f!r} of type {type(f).__name__}")


def _real_number(value, name, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}; got {value!r} of type {type(value).__name__}")
    return float(value)


def check_positive(value, name="h"):
    """Return ``value`` as a float; raise unless it is a finite real number > 0."""
    v = _real_number(value, name, "a positive finite number")
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a positive finite number; got {value!r}")
    return v


def check_nonnegative(value, name):
    """Return ``value`` as a float; raise unless it is a finite real number >= 0."""
    v = _real_number(value, name, "a finite number >= 0")
    if not (math.isfinite(v) and v >= 0):
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
    return v


def check_method(method, allowed):
    """Raise unless ``method`` is one of the names in ``allowed``."""
    if not isinstance(method, str) or method not in allowed:
        names = ", ".join(repr(m) for m in allowed)
        raise ValueError(f"unknown method {method!r}; allowed: {names}")
    return method


def _numeric_array(x, name):
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a real number or an array of real numbers; got {x!r}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a real number or an array of real numbers; got {x!r} (dtype {arr.dtype})"
        )
    return arr


def as_float_point(x, name="x"):
    """A point for ``derivative``: a Python float when ``x`` is a scalar, else a float64 array (a copy)."""
    arr = _numeric_array(x, name)
    if arr.ndim == 0:
        return float(arr)
    return np.array(arr, dtype=np.float64)


def as_float_array(x, name="x"):
    """A float64 copy of ``x`` (any shape, 0-d included); the caller's object is never touched."""
    return np.array(_numeric_array(x, name), dtype=np.float64)


def _unwrap(out):
    """NumPy data of ``out``; a Tensor-like object (an ndarray in ``.data``) is unwrapped."""
    if isinstance(out, (np.ndarray, np.generic, numbers.Number)):
        return out
    data = getattr(out, "data", None)
    if isinstance(data, np.ndarray):
        return data
    return out


def to_scalar(out, name="f"):
    """``out`` as a float; raise ValueError naming the shape unless it has exactly one element.

    A one-element array of any shape counts as a scalar, as in ``gdlab.grad`` and PyTorch's backward.
    """
    value = _unwrap(out)
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise TypeError(f"{name} must return a real scalar; got {out!r}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must return a real scalar; got {out!r} of type {type(out).__name__} (dtype {arr.dtype})"
        )
    if arr.size != 1:
        raise ValueError(
            f"{name} must return a scalar (a float or a one-element array); got an array of shape {arr.shape}"
        )
    return float(arr.reshape(()))


def to_array(out, name="f"):
    """``out`` as a float64 array (always a copy, so a view of the input cannot change later)."""
    value = _unwrap(out)
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise TypeError(f"{name} must return a real number or array; got {out!r}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must return a real number or array; got {out!r} of type {type(out).__name__} "
            f"(dtype {arr.dtype})"
        )
    return np.array(arr, dtype=np.float64)
