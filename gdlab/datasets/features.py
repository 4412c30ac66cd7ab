"""Input features of 2-D points, as TensorFlow Playground offers them.

``expand_features(x, ["x1", "x2", "x1^2"])`` maps points ``x`` (n, 2) to the named columns, in
the order given::

    x1, x2          the coordinates
    x1^2, x2^2      their squares
    x1x2            their product
    sin_x1, sin_x2  their sines

A network whose inputs include ``x1^2`` and ``x2^2`` separates the circles with one hidden
neuron; one with ``sin_x1`` fits a sine with none. NumPy only.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FEATURES", "expand_features", "check_features"]

#: the feature names, each a function of the columns x1 = x[:, 0], x2 = x[:, 1]
FEATURES = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1x2": lambda a, b: a * b,
    "sin_x1": lambda a, b: np.sin(a),
    "sin_x2": lambda a, b: np.sin(b),
}


def check_features(names) -> tuple[str, ...]:
    """``names`` as a tuple of known, distinct feature names (at least one), else ValueError."""
    if isinstance(names, str):
        names = [names]
    try:
        names = tuple(names)
    except TypeError:
        raise ValueError(f"features must be a list of names from {', '.join(FEATURES)}, got {names!r}") from None
    if not names:
        raise ValueError(f"features must name at least one of {', '.join(FEATURES)}")
    for name in names:
        if name not in FEATURES:
            raise ValueError(f"unknown feature {name!r}; the features are {', '.join(FEATURES)}")
    if len(set(names)) != len(names):
        raise ValueError(f"features must be distinct, got {list(names)!r}")
    return names


def expand_features(x, names) -> np.ndarray:
    """The named features of the 2-D points ``x`` (n, 2), as an (n, len(names)) float64 array."""
    names = check_features(names)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"features are made from 2-D points, shape (n, 2); got shape {x.shape}")
    a, b = x[:, 0], x[:, 1]
    return np.column_stack([FEATURES[name](a, b) for name in names])
