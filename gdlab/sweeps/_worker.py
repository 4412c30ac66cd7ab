"""What a worker process of the processes backend loads once, before its first chunk.

The backend names this module in the forkserver's preload list, so the forkserver (the parent of
every worker) imports it once and each worker starts as a fork of a process that has gdlab's
run machinery imported and, when the runs will use the compiled engine, numba started (its
first call in a process costs ~0.4 s: the compiler's set-up and its disk cache). The workers'
``initializer`` imports it too, which does the same where the forkserver was started without it (by
other code, before the first sweep) or on platforms without forkserver (spawn); there it is
each worker's own cost, and nothing else differs.

Importing this module is what starts the warm-up; gdlab never imports it in the process that
calls ``gdlab.sweep`` (tests/sweeps pins that ``import gdlab`` and a sweep leave numba out of it).
"""

from __future__ import annotations

from . import tasks  # noqa: F401  (gdlab.runs, optim, functions: what run_chunk needs)

__all__ = ["warm"]

_WARM: list = []


def warm() -> bool:
    """Start the compiled engine in this process if the runs will use it (once; never raises): one
    step of gradient descent on the sphere, compiled or loaded from the disk cache. Returns
    whether numba was started."""
    if _WARM:
        return _WARM[0]
    started = False
    try:
        from ..runs import compiled
        from ..runs.minimize import minimize

        if compiled.available() and compiled.resolve_engine("auto") != "numpy":
            started = minimize("sphere", None, "gd", steps=1, lr=0.1, record=("loss",)).engine == "numba"
    except Exception:  # a worker that cannot start numba here still runs its chunks (and says why there)
        started = False
    _WARM.append(started)
    return started


warm()
