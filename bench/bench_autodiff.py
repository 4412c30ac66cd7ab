"""Autodiff benchmark: gdlab against PyTorch eager (CPU, 2 threads) in one process.

(a) per-op overhead: forward + backward of a chain of 100 elementwise ops on a
    size-10 float64 array, reported per op;
(b) a 784-256-256-10 ReLU MLP with softmax cross-entropy, float32, forward + backward
    at batch 32, 128 and 1024: written with primitives (matmul, relu, log_softmax,
    indexing, mean), and with the fused ops gdlab.nn trains with (linear_relu,
    softmax_cross_entropy), both against the same PyTorch step.

Each side runs in its own process (NumPy's OpenBLAS threads keep spinning after a matrix
product and would slow PyTorch in the same process), in rounds whose order alternates; each
round's ratio is kept, so a noisy machine shifts both sides alike, and the table gives medians:

    python bench/bench_autodiff.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np

import gdlab


def chain(ns, x):
    """100 elementwise ops cycling sin, *, +, tanh."""
    y = x
    for i in range(25):
        y = ns.tanh(ns.sin(y) * 1.01 + 0.1)
    return y.sum()


def mlp_params(rng):
    sizes = [784, 256, 256, 10]
    out = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        out.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        out.append(np.zeros(fan_out, np.float32))
    return out


def gdlab_mlp_step(params, x, labels):
    w1, b1, w2, b2, w3, b3 = params
    h = gdlab.relu(x @ w1 + b1)
    h = gdlab.relu(h @ w2 + b2)
    logp = gdlab.log_softmax(h @ w3 + b3, axis=-1)
    loss = -logp[np.arange(len(labels)), labels].mean()
    for p in params:
        p.grad = None
    loss.backward()
    return loss


def gdlab_fused_mlp_step(params, x, labels):
    """The same network through the fused ops gdlab.nn trains with (linear_relu, softmax_cross_entropy)."""
    w1, b1, w2, b2, w3, b3 = params
    h = gdlab.autodiff.linear_relu(x, w1, b1)
    h = gdlab.autodiff.linear_relu(h, w2, b2)
    loss = gdlab.autodiff.softmax_cross_entropy(gdlab.autodiff.linear(h, w3, b3), labels)
    for p in params:
        p.grad = None
    loss.backward()
    return loss


def torch_mlp_step(torch, params, x, labels):
    w1, b1, w2, b2, w3, b3 = params
    h = torch.relu(x @ w1 + b1)
    h = torch.relu(h @ w2 + b2)
    loss = torch.nn.functional.cross_entropy(h @ w3 + b3, labels)
    for p in params:
        p.grad = None
    loss.backward()
    return loss


def timed(fn, reps, repeats=5):
    """Median seconds per call over ``repeats`` blocks of ``reps`` calls, after a warm-up block.

    The warm-up matters for PyTorch: its first calls in a process are markedly slower.
    """
    for _ in range(2 * reps):
        fn()
    blocks = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        blocks.append((time.perf_counter() - t) / reps)
    return statistics.median(blocks)


BATCHES = (32, 128, 1024)


def worker(side):
    """Time every case for one side ("gdlab" or "torch") in this process; print JSON."""
    rng = np.random.default_rng(0)
    x0 = rng.random(10)
    base = mlp_params(rng)
    data = [(rng.standard_normal((b, 784)).astype(np.float32), rng.integers(0, 10, b)) for b in BATCHES]
    out = {}
    if side == "gdlab":
        def g_chain():
            x = gdlab.Tensor(x0, requires_grad=True)
            chain(gdlab, x).backward()

        out["chain"] = timed(g_chain, reps=20) / 100
        params = [gdlab.Tensor(p, requires_grad=True) for p in base]
        for b, (x, labels) in zip(BATCHES, data):
            out[f"mlp{b}"] = timed(lambda: gdlab_mlp_step(params, x, labels), reps=max(2, 1024 // b))
            out[f"fused{b}"] = timed(lambda: gdlab_fused_mlp_step(params, x, labels), reps=max(2, 1024 // b))
    else:
        import torch

        torch.set_num_threads(2)

        def t_chain():
            x = torch.tensor(x0, requires_grad=True)
            chain(torch, x).backward()

        out["chain"] = timed(t_chain, reps=20) / 100
        params = [torch.tensor(p, requires_grad=True) for p in base]
        for b, (x, labels) in zip(BATCHES, data):
            xt, lt = torch.from_numpy(x), torch.from_numpy(labels)
            out[f"mlp{b}"] = timed(lambda: torch_mlp_step(torch, params, xt, lt), reps=max(2, 1024 // b))
            out[f"fused{b}"] = out[f"mlp{b}"]  # PyTorch's own cross_entropy is fused already
    print(json.dumps(out))


def run_side(side):
    res = subprocess.run([sys.executable, __file__, "--worker", side], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--worker", choices=("gdlab", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker)
    try:
        import torch  # noqa: F401
    except ImportError:
        raise SystemExit("this benchmark compares with PyTorch: pip install torch==2.13.0")

    results = {"gdlab": [], "torch": []}
    for r in range(args.rounds):
        order = ("gdlab", "torch") if r % 2 == 0 else ("torch", "gdlab")
        for side in order:
            time.sleep(0.3)
            results[side].append(run_side(side))
    names = [("chain", "chain of 100 elementwise ops, per op", 1e6, "us")] + [
        (f"mlp{b}", f"MLP 784-256-256-10 fwd+bwd, batch {b}, primitives", 1e3, "ms") for b in BATCHES] + [
        (f"fused{b}", f"MLP 784-256-256-10 fwd+bwd, batch {b}, fused nn ops", 1e3, "ms") for b in BATCHES]
    print(f"{args.rounds} rounds, each side in its own process, order alternating; medians\n")
    print("| benchmark | gdlab | PyTorch eager (2 threads) | gdlab / PyTorch |")
    print("|---|---:|---:|---:|")
    for key, label, scale, unit in names:
        g = [res[key] for res in results["gdlab"]]
        t = [res[key] for res in results["torch"]]
        ratio = statistics.median(a / b for a, b in zip(g, t))
        print(f"| {label} | {statistics.median(g) * scale:.2f} {unit} | {statistics.median(t) * scale:.2f} {unit} "
              f"| {ratio:.2f} |")


if __name__ == "__main__":
    main()
