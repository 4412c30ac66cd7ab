"""JSON for arrays: exact floats (Python's shortest round-trip repr), None where not finite.

JSON has no inf or nan; a diverged run's loss becomes ``null``. Big responses are encoded in
the worker thread (:func:`dumps` returns bytes) so the event loop stays free.
"""

from __future__ import annotations

import json
import math

import numpy as np


def plain(value):
    """Arrays, NumPy scalars, tuples and dicts made JSON-ready; non-finite floats become None."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            if value.size and not np.isfinite(value).all():
                return np.where(np.isfinite(value), value, None).tolist()
            return value.tolist()
        if value.dtype.kind in "iub":
            return value.tolist()
        return [plain(v) for v in value.tolist()]
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


def dumps(payload) -> bytes:
    """Compact JSON bytes of ``payload`` (after :func:`plain`)."""
    return json.dumps(plain(payload), separators=(",", ":"), allow_nan=False).encode()
