"""gdlab.runs._engine: the vectorized loop's use of memory."""

import platform
import subprocess
import sys
import textwrap

import pytest


# A fresh process, one large run (10,000 starts, autodiff gradient, no history): the page faults
# it takes. Its per-step temporaries are about 1 MB; if glibc handed them back to the kernel at
# every step, 300 steps would fault about 16,000 pages in again (measured: 53 faults a step).
_FRESH_RUN = textwrap.dedent("""
    import resource
    import numpy as np
    import gdlab
    import gdlab.runs._engine as engine
    if {cold}:
        engine._allocator_warm = True  # as if already warmed: skip the warm-up
    x0 = np.random.default_rng(0).uniform([-2, -1], [2, 3], size=(10_000, 2))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    gdlab.minimize("rosenbrock", x0, "adam", steps=300, lr=0.01, gradient="autodiff", record=())
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")


def _faults(cold):
    out = subprocess.run([sys.executable, "-c", _FRESH_RUN.format(cold=cold)], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="the warm-up addresses glibc's malloc")
def test_a_first_large_run_does_not_hand_its_temporaries_back_to_the_kernel_every_step():
    faults = _faults(cold=False)
    assert faults < 5_000, f"{faults} page faults: the per-step temporaries are being returned to the kernel"
