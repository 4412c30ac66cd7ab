"""Tasks for tests/sweeps run in worker processes: a large result (sent back after a marker file says it is
about to be), the modules a worker has loaded."""

import numpy as np


def big_result(marker, nbytes):
    out = np.ones(nbytes // 8)
    open(marker, "w").close()
    return out


def loaded(names):
    """Which of the modules ``names`` this (worker) process has imported, and its pid."""
    import os
    import sys

    return [n for n in names if n in sys.modules], os.getpid()
