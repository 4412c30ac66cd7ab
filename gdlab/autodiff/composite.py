"""Composite functions: built from primitives only, so they need no gradient code.

Each is arranged to be numerically stable: the running maximum is subtracted
before exponentiating (it is a constant for differentiation, since the result
does not depend on it), so large inputs give finite values and gradients.
"""

from __future__ import annotations

import numpy as np

from . import ops
from .tensor import Tensor


def _shift(x, axis):
    """max(x) over axis (kept dims), detached, with non-finite maxima replaced by 0."""
    m = np.max(x.data, axis=axis, keepdims=True)
    return Tensor(np.where(np.isfinite(m), m, 0).astype(x.data.dtype, copy=False))


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def logsumexp(x, axis=None, keepdims: bool = False):
    """log(sum(exp(x))) over ``axis``; its gradient is softmax(x)."""
    x = _as_tensor(x)
    m = _shift(x, axis)
    out = ops.log(ops.sum(ops.exp(x - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        out = ops.reshape(out, np.sum(x.data, axis=axis).shape)
    return out


def log_softmax(x, axis: int = -1):
    """x - logsumexp(x) along ``axis``."""
    x = _as_tensor(x)
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax(x, axis: int = -1):
    """exp(x) / sum(exp(x)) along ``axis``, as exp(log_softmax(x))."""
    return ops.exp(log_softmax(x, axis=axis))
