"""A task for tests/sweeps: a large result, sent back after a marker file says it is about to be."""

import numpy as np


def big_result(marker, nbytes):
    out = np.ones(nbytes // 8)
    open(marker, "w").close()
    return out
