"""Optimizer step time: gdlab.optim against torch.optim on the CPU, in one process.

    python bench/bench_optim.py [--repeats 30] [--steps 20]

269,322 float32 parameters shaped like the weights and biases of a 784-256-256-10
MLP (784*256 + 256 + 256*256 + 256 + 256*10 + 10; Muon, for matrices only, gets the
three weight matrices, 268,800 parameters). For each optimizer, one
``step()`` with fixed gradients is timed: blocks of ``--steps`` steps, gdlab and
torch alternating block by block (so both see the same machine load), ``--repeats``
blocks each. The table gives the best block (time per step; as timeit advises, the
minimum is the least disturbed by other processes) and the median block. torch runs
its default CPU implementation (the single-tensor for-loop; foreach/fused are
defaults on CUDA only) with ``torch.set_num_threads(2)``; NumPy runs
single-threaded ufuncs. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import gdlab.optim as optim  # noqa: E402

SHAPES = [(784, 256), (256,), (256, 256), (256,), (256, 10), (10,)]
CONFIGS = [  # (label, gdlab class / torch class name, kwargs)
    ("SGD", "SGD", {"lr": 1e-2}),
    ("SGD momentum 0.9", "SGD", {"lr": 1e-2, "momentum": 0.9}),
    ("Adam", "Adam", {"lr": 1e-3}),
    ("AdamW", "AdamW", {"lr": 1e-3}),
    ("Rprop", "Rprop", {}),
    ("ASGD", "ASGD", {}),
    ("Adafactor", "Adafactor", {}),
    ("Muon (the 3 weight matrices)", "Muon", {"lr": 0.02}),
]
MATRICES_ONLY = {"Muon"}  # torch.optim.Muon takes 2-D parameters only
# torch's Muon runs Newton-Schulz in bfloat16 (gdlab: in the parameters' float32): the parameters'
# moves agree to bfloat16's precision (relative to the move), not to float32 rounding
RTOL = {"Muon": 5e-2}


class Param:
    def __init__(self, data, grad):
        self.data, self.grad = data, grad


def block_time(step, steps: int) -> float:
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30, help="timed blocks per optimizer and library")
    ap.add_argument("--steps", type=int, default=20, help="steps per timed block")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    datas = [(rng.standard_normal(s) * 0.05).astype(np.float32) for s in SHAPES]
    grads = [(rng.standard_normal(s) * 0.01).astype(np.float32) for s in SHAPES]
    n = sum(d.size for d in datas)
    assert n == 269_322, n

    rows = []
    for label, cls_name, kwargs in CONFIGS:
        pairs = [(d, g) for d, g in zip(datas, grads) if d.ndim == 2 or cls_name not in MATRICES_ONLY]
        ours = [Param(d.copy(), g) for d, g in pairs]
        opt = getattr(optim, cls_name)(ours, **kwargs)
        theirs = [torch.tensor(d, requires_grad=True) for d, _ in pairs]
        for t, (_, g) in zip(theirs, pairs):
            t.grad = torch.tensor(g)
        topt = getattr(torch.optim, cls_name)(theirs, **kwargs)
        for _ in range(10):  # warm up: state allocated, caches hot
            opt.step()
            topt.step()
        ours_t, theirs_t = [], []
        for _ in range(args.repeats):
            ours_t.append(block_time(opt.step, args.steps))
            theirs_t.append(block_time(topt.step, args.steps))
        # same numbers, to rounding (float32); Muon: the same moves to bfloat16's precision
        for p, t, (d, _) in zip(ours, theirs, pairs):
            if cls_name in RTOL:
                moved = np.linalg.norm(t.detach().numpy() - d)
                assert np.linalg.norm(p.data - t.detach().numpy()) <= RTOL[cls_name] * moved, label
            else:
                np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-3, atol=1e-5, err_msg=label)
        best = (min(ours_t) * 1e6, min(theirs_t) * 1e6)
        median = (np.median(ours_t) * 1e6, np.median(theirs_t) * 1e6)
        rows.append((label, best, median))

    print(f"{n:,} float32 parameters (784-256-256-10 MLP), time per step() in µs, best and median of "
          f"{args.repeats} blocks of {args.steps} steps; NumPy {np.__version__}, torch {torch.__version__} "
          f"(CPU, {torch.get_num_threads()} threads), {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| optimizer | gdlab best | torch.optim best | gdlab / torch (best) | gdlab median | torch median "
          "| gdlab / torch (median) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, (a, b), (c, d) in rows:
        print(f"| {label} | {a:.0f} | {b:.0f} | {a / b:.2f} | {c:.0f} | {d:.0f} | {c / d:.2f} |")


if __name__ == "__main__":
    main()
