"""Runner benchmark: Rosenbrock, Adam lr 0.01, 1000 steps, for 1, 100 and 10,000 start points.

Four contenders (six rows), in one process, on the same starts:

* gdlab, autodiff gradient   ``gdlab.minimize(f, X0, "adam", lr=0.01, steps=1000, gradient="autodiff")``
* gdlab, closed-form gradient ``... gradient="closed_form"``
* PyTorch: autograd for the gradient and torch.optim.Adam (CPU, float64, ``torch.set_num_threads(2)``),
  a parameter tensor of shape (n, 2) and ``loss.sum().backward()`` each step
* a hand-written NumPy loop: the closed-form gradient and Adam's update written inline,
  recording nothing (the floor a general runner can hope for)
* a diagnostic row, "reverse mode by hand": gdlab's runner (``record=()``) on a gradient made of
  exactly the array operations gdlab's reverse pass performs on this graph (7 forward ops, the
  VJPs with their doubled squares, the column scatter), written out with preallocated buffers
  and no engine at all. It is the floor for any reverse-mode autodiff of Rosenbrock in NumPy:
  the gap from it to "gdlab autodiff" is the engine's cost, the gap from it to the closed form
  is the method's

gdlab is timed twice per gradient mode: with no history (``record=()``: the work of the hand
loop plus the loss at every step, the divergence checks and the statuses) and with the
full recording (loss, params, grads, grad norms and the optimizer state of every step, given as a
tuple: the default record="auto" now thins a 10,000-start run to its memory budget). PyTorch and the hand loop record nothing. One more gdlab row passes a progress
hook that does nothing (``progress=``, called about 200 times a run): its cost beside the
closed-form row without one.

``--keep-heap`` first tells glibc (through ``mallopt``) to keep freed memory instead of
returning it to the operating system (M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD). It
changes the conditions for every contender alike; on a virtual machine where a fresh page
costs a hypervisor fault it shows how much of a time is spent re-faulting memory that a
contender's per-step temporaries keep allocating and freeing (autodiff allocates the most).

Timing: every contender runs once per round, in a rotating order with a pause before each
(PyTorch's worker threads spin for a while after it returns), for several rounds; the first table
gives the median time, the second the median over rounds of each round's ratio (a busy
machine slows a whole round alike, so the ratios are steadier than the times). Run:

    python bench/bench_runs.py [--rounds 5] [--sizes 1 100 10000] [--keep-heap]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import gdlab
from gdlab.functions import rosenbrock

STEPS = 1000
LR = 0.01
BETAS = (0.9, 0.999)
EPS = 1e-8


def starts(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform([-2.0, -1.0], [2.0, 3.0], size=(n, 2))


def numpy_loop(x0):
    """Adam on Rosenbrock, written out by hand (torch's Adam formula), recording nothing."""
    p = x0.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    g = np.empty_like(p)
    b1, b2 = BETAS
    for t in range(1, STEPS + 1):
        a, b = p[:, 0], p[:, 1]
        r = b - a * a
        g[:, 0] = -400.0 * a * r - 2.0 * (1.0 - a)
        g[:, 1] = 200.0 * r
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        bc1 = 1 - b1**t
        bc2 = 1 - b2**t
        p -= LR / bc1 * m / (np.sqrt(v / bc2) + EPS)
    return p


def torch_loop(torch, x0):
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=LR, betas=BETAS, eps=EPS)
    for _ in range(STEPS):
        opt.zero_grad()
        a, b = p[:, 0], p[:, 1]
        loss = (100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2).sum()
        loss.backward()
        opt.step()
    return p.detach().numpy()


def reverse_mode_by_hand(n):
    """Rosenbrock (2-D) as gdlab's autodiff computes it, op for op, into preallocated buffers.

    The same operations in the same order as the engine's backward pass over
    ``(t * t) * 100 + s * s`` with ``t = b - a * a``, ``s = a - 1`` and a seed of ones, so the
    same numbers bit for bit (``main`` checks it); only the engine (graph, closures, scheduling,
    allocation) is gone.
    """
    buf = {k: np.empty(n) for k in ("aa", "t", "s", "tt", "tt100", "ss", "out", "gs", "g100", "gt", "gaa", "ga")}
    ones = np.ones(n)

    def value_and_grad(x, out=None):
        G = out if out is not None else np.empty_like(x)
        a, b = x[:, 0], x[:, 1]
        aa = np.multiply(a, a, out=buf["aa"])
        t = np.subtract(b, aa, out=buf["t"])
        s = np.subtract(a, 1.0, out=buf["s"])
        tt = np.multiply(t, t, out=buf["tt"])
        np.multiply(tt, 100.0, out=buf["tt100"])
        ss = np.multiply(s, s, out=buf["ss"])
        value = np.add(buf["tt100"], ss, out=buf["out"])
        gs = np.multiply(ones, s, out=buf["gs"])  # s * s: g s, doubled
        gs += gs
        g100 = np.multiply(ones, 100.0, out=buf["g100"])  # (t t) * 100
        gt = np.multiply(g100, t, out=buf["gt"])  # t * t
        gt += gt
        gaa = np.negative(gt, out=buf["gaa"])  # b - a a
        ga = np.multiply(gaa, a, out=buf["ga"])  # a * a
        ga += ga
        ga += gs  # a's two uses
        G[:, 0] = ga  # the column scatter
        G[:, 1] = gt
        return value, G

    return gdlab.functions.Function(F._value, 2, generic=True, name="rosenbrock (reverse mode by hand)",
                                    grad=F.grad, value_and_grad=value_and_grad)


# every step of everything (record="auto" now thins large runs to its memory budget: see bench_engine.py)
FULL = ("params", "loss", "grad", "grad_norm", "state")


def gdlab_run(x0, gradient, record):
    return gdlab.runs.minimize(F, x0, "adam", steps=STEPS, lr=LR, gradient=gradient, record=record,
                               engine="numpy").final


F = rosenbrock()


def keep_heap():
    """glibc only: keep freed memory in the process (no trimming, no per-allocation mmap)."""
    import ctypes

    libc = ctypes.CDLL("libc.so.6")
    M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
    ok = (libc.mallopt(M_TRIM_THRESHOLD, 1 << 30) and libc.mallopt(M_TOP_PAD, 64 << 20)
          and libc.mallopt(M_MMAP_THRESHOLD, 32 << 20))
    print(f"glibc mallopt: trim threshold 1 GiB, top pad 64 MiB, mmap threshold 32 MiB ({'ok' if ok else 'FAILED'})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 10_000])
    ap.add_argument("--keep-heap", action="store_true", help="mallopt: never trim the heap (see the docstring)")
    args = ap.parse_args()
    if args.keep_heap:
        keep_heap()
    try:
        import torch

        torch.set_num_threads(2)
    except ImportError:  # pragma: no cover - the table then has no PyTorch column
        torch = None

    contenders = {
        "gdlab autodiff (no history)": lambda x: gdlab_run(x, "autodiff", ()),
        "gdlab closed form (no history)": lambda x: gdlab_run(x, "closed_form", ()),
        "gdlab autodiff (full record)": lambda x: gdlab_run(x, "autodiff", FULL),
        "gdlab closed form (full record)": lambda x: gdlab_run(x, "closed_form", FULL),
        "gdlab closed form (no history, progress hook)": lambda x: gdlab.runs.minimize(
            F, x, "adam", steps=STEPS, lr=LR, gradient="closed_form", record=(), progress=lambda done, total: None).final,
        "hand-written NumPy": numpy_loop,
        "reverse mode by hand": lambda x: gdlab.runs.minimize(
            reverse_mode_by_hand(len(x)), x, "adam", steps=STEPS, lr=LR, gradient="closed_form", record=()).final,
    }
    if torch is not None:
        contenders["PyTorch autograd + Adam"] = lambda x: torch_loop(torch, x)

    print(f"Rosenbrock, Adam lr={LR}, {STEPS} steps, float64; median of {args.rounds} rounds"
          f"{' (heap kept)' if args.keep_heap else ''} "
          f"(numpy {np.__version__}{', torch ' + torch.__version__ if torch else ''})\n")
    rows = []
    for n in args.sizes:
        x0 = starts(n)
        # the same answer from everyone (a check, not timed). gdlab's Adam folds sqrt(1 - beta2^t)
        # into lr and eps (same value, different rounding); on a few chaotic Rosenbrock starts
        # those ulps grow over 1000 steps, so 98% of the runs must agree to 1e-8.
        ref = numpy_loop(x0)
        # the hand-written reverse pass computes what gdlab's engine computes, bit for bit
        xf = np.asfortranarray(x0)
        by_hand = reverse_mode_by_hand(n).closed_form_value_and_grad(xf)
        engine = F.autodiff_value_and_grad(xf)
        assert all(np.array_equal(h, e) for h, e in zip(by_hand, engine)), "reverse mode by hand != gdlab autodiff"
        for name, fn in contenders.items():
            dev = np.abs(fn(x0) - ref).max(axis=1)
            assert np.mean(dev < 1e-8) >= 0.98, (name, np.mean(dev < 1e-8))
        times = {name: [] for name in contenders}
        order = list(contenders)
        for r in range(args.rounds):
            # rotate the order every round and pause between contenders: PyTorch's OpenMP threads
            # keep spinning for a while after a parallel region, which would slow whoever runs next
            for name in order[r % len(order):] + order[:r % len(order)]:
                time.sleep(0.3)
                t0 = time.perf_counter()
                contenders[name](x0)
                times[name].append(time.perf_counter() - t0)
        med = {name: statistics.median(ts) for name, ts in times.items()}
        # ratios per round (a noisy machine slows a whole round alike), then their median
        ratio_torch = {k: statistics.median(a / b for a, b in zip(times["PyTorch autograd + Adam"], times[k]))
                       for k in contenders} if torch is not None else {}
        ratio_numpy = {k: statistics.median(a / b for a, b in zip(times[k], times["hand-written NumPy"]))
                       for k in contenders}
        rows.append((n, med, ratio_torch, ratio_numpy))

    names = list(contenders)
    print("| starts | " + " | ".join(names) + " |")
    print("|---:|" + "---:|" * len(names))
    for n, med, _, _ in rows:
        print(f"| {n:,} | " + " | ".join(f"{med[k] * 1e3:.1f} ms" for k in names) + " |")
    print()
    print("| starts | contender | x faster than PyTorch | x the hand-written NumPy time |")
    print("|---:|---|---:|---:|")
    for n, _, ratio_torch, ratio_numpy in rows:
        for k in names[:5] + ["reverse mode by hand"]:
            vs_torch = f"{ratio_torch[k]:.2f}" if ratio_torch else "-"
            print(f"| {n:,} | {k} | {vs_torch} | {ratio_numpy[k]:.2f} |")


if __name__ == "__main__":
    main()
