"""What both writers of numba source share: the compiled engine (gdlab.runs.compiled._codegen) and the
fused optimizer steps (gdlab.optim.fused) turn the same trace nodes into the same scalar Python.

``BINARY``: trace op -> infix operator; :func:`number`: a float constant as source text;
``MAX_MIN``: the ``_max``/``_min`` helpers (NumPy's maximum/minimum: NaN propagates). Each writer
keeps its own ``_sign`` (the fused step keeps float32 as float32; the run engine is float64).
"""

from __future__ import annotations

import math

__all__ = ["BINARY", "number", "MAX_MIN"]

BINARY = {"add": "+", "sub": "-", "mul": "*", "div": "/", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
          "eq": "==", "ne": "!="}

MAX_MIN = '''
@njit(inline="always", cache=True)
def _max(a, b):
    return a if (a >= b or a != a) else b  # np.maximum: nan propagates


@njit(inline="always", cache=True)
def _min(a, b):
    return a if (a <= b or a != a) else b
'''


def number(v) -> str:
    """A float as source text: ``repr`` of finite values, ``math.nan`` / ``math.inf`` otherwise."""
    if math.isnan(v):
        return "math.nan"
    if math.isinf(v):
        return "math.inf" if v > 0 else "(-math.inf)"
    return repr(float(v))
