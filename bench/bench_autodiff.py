"""Autodiff benchmark: gdlab against PyTorch eager (CPU, 2 threads) in one process.

(a) per-op overhead: forward + backward of a chain of 100 elementwise ops on a
    size-10 float64 array, reported per op;
(b) a 784-256-256-10 ReLU MLP with softmax cross-entropy, float32, forward + backward
    at batch 32, 128 and 1024.

gdlab and PyTorch are timed in alternating rounds and each round's ratio is kept, so a
noisy machine shifts both sides alike; the table gives medians. Run:

    python bench/bench_autodiff.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
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


def torch_mlp_step(torch, params, x, labels):
    w1, b1, w2, b2, w3, b3 = params
    h = torch.relu(x @ w1 + b1)
    h = torch.relu(h @ w2 + b2)
    loss = torch.nn.functional.cross_entropy(h @ w3 + b3, labels)
    for p in params:
        p.grad = None
    loss.backward()
    return loss


def timed(fn, reps):
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t) / reps


def compare(fa, fb, reps, rounds):
    fa(), fb()  # warm up
    ta, tb, ratios = [], [], []
    for _ in range(rounds):
        a, b = timed(fa, reps), timed(fb, reps)
        ta.append(a)
        tb.append(b)
        ratios.append(a / b)
    return statistics.median(ta), statistics.median(tb), statistics.median(ratios)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        raise SystemExit("this benchmark compares with PyTorch: pip install torch==2.13.0")
    torch.set_num_threads(2)
    rng = np.random.default_rng(0)

    rows = []
    x0 = rng.random(10)

    def g_chain():
        x = gdlab.Tensor(x0, requires_grad=True)
        chain(gdlab, x).backward()

    def t_chain():
        x = torch.tensor(x0, requires_grad=True)
        chain(torch, x).backward()

    a, b, r = compare(g_chain, t_chain, reps=20, rounds=args.rounds)
    rows.append(("chain of 100 elementwise ops, per op", f"{a / 100 * 1e6:.2f} us", f"{b / 100 * 1e6:.2f} us", r))

    base = mlp_params(rng)
    gp = [gdlab.Tensor(p, requires_grad=True) for p in base]
    tp = [torch.tensor(p, requires_grad=True) for p in base]
    for batch in (32, 128, 1024):
        x = rng.standard_normal((batch, 784)).astype(np.float32)
        labels = rng.integers(0, 10, batch)
        xt, lt = torch.from_numpy(x), torch.from_numpy(labels)
        reps = max(2, 2048 // batch)
        a, b, r = compare(lambda: gdlab_mlp_step(gp, x, labels), lambda: torch_mlp_step(torch, tp, xt, lt),
                          reps=reps, rounds=args.rounds)
        rows.append((f"MLP 784-256-256-10 fwd+bwd, batch {batch}", f"{a * 1e3:.2f} ms", f"{b * 1e3:.2f} ms", r))

    print("| benchmark | gdlab | PyTorch eager | gdlab / PyTorch |")
    print("|---|---:|---:|---:|")
    for name, a, b, r in rows:
        print(f"| {name} | {a} | {b} | {r:.2f} |")


if __name__ == "__main__":
    main()
