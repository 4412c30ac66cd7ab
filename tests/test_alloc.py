"""gdlab._alloc: the allocator warm-up, seen as the page faults of a fresh process.

The check runs a 10,000-start run in a fresh process and counts its minor page faults. If glibc
handed the per-step temporaries (about 1 MB) back to the kernel at every step, it would fault
about 16,000 pages in again (measured with the warm-up switched off: 16,200; with it: 650).
Whether a process without the warm-up thrashes depends on what it allocated and freed before
(an import compiled from source can be enough to warm it), which is why the warm-up is there.
"""

import platform
import subprocess
import sys
import textwrap

import pytest

_FRESH = textwrap.dedent("""
    import resource
    import numpy as np
    import gdlab
    import gdlab.functions._function
    import gdlab.runs._engine
    if {cold}:  # no warm-up (the callers' reference is switched off: no new import is compiled)
        gdlab.functions._function.warm_allocator = gdlab.runs._engine.warm_allocator = lambda nbytes: None
    X = np.random.default_rng(0).uniform([-2, -1], [2, 3], size=(10_000, 2))
    f = gdlab.functions.get("rosenbrock")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    {work}
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")

RUN = 'gdlab.minimize(f, X, "adam", steps=300, lr=0.01, gradient="autodiff", record=())'


def faults(work, cold=False):
    """Minor page faults of ``work`` in a fresh process (``cold``: with the warm-up switched off)."""
    out = subprocess.run([sys.executable, "-c", _FRESH.format(cold=cold, work=work)], capture_output=True,
                         text=True, check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="the warm-up addresses glibc's malloc")
def test_a_large_run_does_not_hand_its_temporaries_back_to_the_kernel_every_step():
    n = faults(RUN)
    assert n < 5_000, f"{n} page faults: the per-step temporaries are being returned to the kernel"


def test_small_work_does_not_warm_and_large_work_warms_once(monkeypatch):
    import gdlab._alloc as alloc

    monkeypatch.setattr(alloc, "_warm", False)
    alloc.warm_allocator(alloc.WARM_FROM_BYTES - 1)
    assert alloc._warm is False
    alloc.warm_allocator(alloc.WARM_FROM_BYTES)
    assert alloc._warm is True
