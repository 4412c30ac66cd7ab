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


# -- keep_large_blocks: a recorded history served from the heap, not from fresh mappings


@pytest.fixture
def fake_mallopt(monkeypatch):
    import gdlab._alloc as alloc

    calls = []
    monkeypatch.setattr(alloc, "_kept", False)
    monkeypatch.setattr(alloc, "_refused", False)
    monkeypatch.setattr(alloc, "_glibc_mallopt", lambda: (lambda param, value: calls.append((param, value)) or 1))
    monkeypatch.delenv("GDLAB_MALLOC", raising=False)
    return alloc, calls


def test_large_blocks_set_glibcs_thresholds_once_and_only_for_blocks_past_its_cap(fake_mallopt):
    alloc, calls = fake_mallopt
    assert alloc.keep_large_blocks(alloc.GLIBC_ADAPTIVE_CAP) is False        # glibc adapts up to here itself
    assert alloc.keep_large_blocks(alloc.KEEP_BLOCK_BYTES + 1) is False      # a mapping, as before
    assert calls == []
    assert alloc.keep_large_blocks(40 << 20) is True
    assert calls == [(-3, alloc.KEEP_BLOCK_BYTES), (-1, 2 * alloc.KEEP_BLOCK_BYTES)]  # M_MMAP_, M_TRIM_THRESHOLD
    assert alloc.keep_large_blocks(40 << 20) is True and len(calls) == 2     # once per process


def test_large_blocks_leave_malloc_alone_when_asked_or_not_glibc(fake_mallopt, monkeypatch):
    alloc, calls = fake_mallopt
    monkeypatch.setenv("GDLAB_MALLOC", "default")
    assert alloc.keep_large_blocks(40 << 20) is False
    monkeypatch.delenv("GDLAB_MALLOC")
    asked = []
    monkeypatch.setattr(alloc, "_glibc_mallopt", lambda: asked.append(1))  # None: not glibc
    assert alloc.keep_large_blocks(40 << 20) is False and alloc.keep_large_blocks(40 << 20) is False
    assert calls == [] and asked == [1]  # asked once, not at every run


_HEAP = textwrap.dedent("""
    import numpy as np
    import gdlab
    X = np.random.default_rng(0).uniform([-2, -1], [2, 3], size=(10_000, 2))
    t = gdlab.minimize("rosenbrock", X, "adam", steps=250, lr=0.01, engine="numpy")  # 40 MB params, grads
    start = t.params.__array_interface__["data"][0]
    heap = [tuple(int(v, 16) for v in line.split()[0].split("-")) for line in open("/proc/self/maps")
            if line.rstrip().endswith("[heap]")]
    print(t.params.nbytes, any(lo <= start < hi for lo, hi in heap))
""")


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="keep_large_blocks addresses glibc's malloc")
@pytest.mark.parametrize(("setting", "in_heap"), [("", True), ("default", False)])
def test_a_large_record_comes_from_the_heap_unless_told_otherwise(setting, in_heap):
    env = {**__import__("os").environ, "GDLAB_MALLOC": setting}
    out = subprocess.run([sys.executable, "-c", _HEAP], capture_output=True, text=True, check=True, env=env)
    nbytes, heap = out.stdout.split()
    assert int(nbytes) == 251 * 10_000 * 2 * 8 and heap == str(in_heap), out.stdout
