"""One allocator warm-up per process, for code whose arrays are large; and large blocks kept for reuse.

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

import os
import platform
import threading

import numpy as np

__all__ = ["warm_allocator", "keep_large_blocks"]

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


# -- large blocks: a run's recorded history -------------------------------------------------
#
# glibc raises its mmap threshold as mapped blocks are freed, but only up to 32 MiB (64-bit). A block
# above that is a fresh mapping every time: the kernel zeroes its pages and faults them in (2 MiB at a
# time with NumPy's huge-page advice) at first touch, and unmaps them at free. A 10,000-start run of
# 1000 steps records 120 MB (params, gradients, losses and norms at every 4th step, arrays of 20 and
# 40 MB), and repeating it paid that each time: measured, Rosenbrock x Adam on the numba engine,
# 25.5-28.3 ms a run with fresh mappings, 18.7-18.8 ms with the blocks served from the heap (medians of
# 15, alternating with record=() runs). keep_large_blocks extends glibc's own rule past its cap, up to
# the record budget's default: blocks up to KEEP_BLOCK_BYTES come from the heap, and up to twice that
# stays free at the heap's top for the next run (glibc's trim threshold is twice its mmap threshold).

#: blocks up to this size are served from the heap once keep_large_blocks has run (128 MiB: the default
#: record budget, so no array of a default record is larger)
KEEP_BLOCK_BYTES = 128 << 20
#: glibc's own cap of its adaptive mmap threshold (64-bit): below it, nothing needs doing
GLIBC_ADAPTIVE_CAP = 32 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
_kept = False
_refused = False  # no glibc, or mallopt said no: not asked again
_kept_lock = threading.Lock()


def keep_large_blocks(nbytes: int) -> bool:
    """Before allocating a block of ``nbytes`` (a recorded history): where malloc is glibc's and the block
    is above glibc's 32 MiB cap and at most KEEP_BLOCK_BYTES, set, once per process, glibc's mmap threshold
    to KEEP_BLOCK_BYTES and its trim threshold to twice it (so the process keeps at most 256 MiB free at
    its heap's top for reuse; blocks above 128 MiB are mappings as before). True where the thresholds are
    (now) set. $GDLAB_MALLOC=default leaves malloc as it is.

    Process-wide, as glibc's own thresholds are (which it would raise the same way itself were it not
    for its cap); other allocators (musl, macOS, Windows, jemalloc preloaded) are left alone.
    """
    global _kept, _refused
    if _kept:
        return True
    if _refused or not GLIBC_ADAPTIVE_CAP < nbytes <= KEEP_BLOCK_BYTES or os.environ.get("GDLAB_MALLOC") == "default":
        return False
    with _kept_lock:
        if not _kept and not _refused:
            mallopt = _glibc_mallopt()
            _kept = mallopt is not None and bool(mallopt(_M_MMAP_THRESHOLD, KEEP_BLOCK_BYTES)) and bool(
                mallopt(_M_TRIM_THRESHOLD, 2 * KEEP_BLOCK_BYTES))
            _refused = not _kept
    return _kept


def _glibc_mallopt():
    """glibc's ``mallopt`` (int, int) -> int, or None where malloc is not glibc's."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    import ctypes

    try:
        fn = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return fn

