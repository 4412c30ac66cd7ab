"""Values made JSON-ready: arrays and NumPy scalars as Python lists and numbers, None where not finite.

JSON has no inf or nan, so a diverged run's loss becomes ``null``. One function for every layer
that writes JSON (a Trajectory's ``to_dict``, the run store's records, the web server's responses).
"""

from __future__ import annotations

import math

import numpy as np


def plain(value):
    """Arrays, NumPy scalars, tuples and dicts made JSON-ready; non-finite floats become None.

    Finite floats keep every bit (``tolist`` gives Python floats, whose repr round-trips)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            if value.size and not np.isfinite(value).all():
                return np.where(np.isfinite(value), value, None).tolist()
            return value.tolist()
        if value.dtype.kind in "iub":
            return value.tolist()
        return [plain(v) for v in value.tolist()] if value.ndim else plain(value.item())
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
