"""``typed_key(value)``: hyperparameters as a hashable memo key that keeps what changes the numbers.

Python's ``1 == 1.0 == True`` and ``0.0 == -0.0`` share a hash, so ``tuple(hp.items())`` would let
a call with ``lr=-0.0`` reuse what was built for ``lr=0.0``. The key keeps each value's type and a
float's sign. Arrays (per-row values) are not keys: :class:`NotAKey`.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["typed_key", "NotAKey"]


class NotAKey(Exception):
    """The value holds an array or something unhashable: the caller takes its full path."""


def typed_key(v):
    """``v`` (a dict of hyperparameters, a tuple, a value) as a hashable key; NotAKey for an array."""
    t = type(v)
    if t is bool or t is int or t is str or v is None:  # the common values first
        return (t, v)
    if t is float or isinstance(v, np.floating):
        return (t, v, math.copysign(1.0, v))
    if t is dict:
        return tuple([(k, typed_key(x)) for k, x in v.items()])
    if t is tuple or t is list:
        return (t, *[typed_key(x) for x in v])
    if isinstance(v, np.ndarray):
        raise NotAKey
    try:
        hash(v)
    except TypeError:
        raise NotAKey from None
    return (t, v)
