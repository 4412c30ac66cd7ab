"""One allocator warm-up per process, for code whose arrays are large.

glibc's malloc serves blocks above its mmap threshold (128 KiB in a fresh process) with fresh
mappings, and hands free memory at the top of its heap back to the kernel once it exceeds its
trim threshold (also 128 KiB). The first time a mapped block is freed it raises both thresholds,
to that block's size and twice it. Until that happens, a loop whose temporaries add up to more
than the trim threshold (autodiff at 10,000 points makes about 1 MB of them a call) hands them
back to the kernel at every iteration and takes them back as page faults. Any NumPy program that
has freed a 4-32 MiB array is already past this; :func:`warm_allocator` gets there first by
freeing one. Other allocators just allocate and free the array.

Measured on the development machine, in fresh processes (medians of 5):

* a 10,000-start Rosenbrock run (Adam, 1000 steps, autodiff gradient, no history): 218 ms and
  53,000 page faults without the warm-up, 116 ms and 660 with it; recorded in full, 278 and 202 ms;
* 300 autodiff gradients of Rosenbrock at 10,000 points, in a script that imports only gdlab:
  139 and 71 us a call.

Whether a process without the warm-up thrashes depends on what it allocated and freed before
(even an import compiled from source can warm it); the warm-up makes the good case the only one.
"""

from __future__ import annotations

import numpy as np

__all__ = ["warm_allocator"]

#: the warm-up is for work on arrays at least this large (bytes)
WARM_FROM_BYTES = 64 * 1024
_warm = False


def warm_allocator(nbytes: int) -> None:
    """Allocate and free one 4 MiB array, once per process, when ``nbytes`` >= 64 KiB.

    Safe in threads without a lock: two threads that both see the flag unset each free one array,
    which only repeats a harmless warm-up (tests/test_threads.py).
    """
    global _warm
    if _warm or nbytes < WARM_FROM_BYTES:
        return
    _warm = True
    freed = np.empty(1 << 19)  # 4 MiB, never touched: no page is faulted in
    del freed
