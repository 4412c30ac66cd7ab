"""Training throughput of gdlab.nn's fit against PyTorch eager and a hand-written NumPy loop.

A 784-256-256-10 ReLU MLP, sparse categorical cross-entropy from logits, float32, trained
for one epoch of shuffled mini-batches (batch 32, 128 and 1024) with SGD (lr 0.01) and
Adam (lr 1e-3), in samples per second:

* gdlab: ``model.fit(x, y, epochs=1, batch_size=b, verbose=0)``: everything fit does
  (shuffling, batching, zero_grad, forward, loss, backward, optimizer step, recording
  every step's loss);
* PyTorch eager: the same loop written out with torch.nn and torch.optim
  (``torch.set_num_threads(2)``), including ``loss.item()`` per step;
* NumPy: forward and backward written by hand with in-place updates (the floor
  for a NumPy implementation that keeps Python's per-step work small).

With ``--fused``, instead: gdlab's fit with the fused one-pass optimizer steps (gdlab.optim.fused,
numba) on and off, in one process, alternating epoch by epoch: two models from the same weights,
``GDLAB_ENGINE`` set to "numpy" (fused steps off; ``fused.enabled()`` reads it at every step) for
one and unset for the other; the same numbers either way. Speed-up: the median over rounds of
(epoch time, not fused) / (epoch time, fused), > 1 when fusing is faster.

The three are timed in alternating rounds (their order rotating) and each round's ratios
are kept, so a noisy, shared machine shifts all of them alike; the table gives medians.
Each runs in its own process (see the harness below for why).
Run:

    python bench/bench_nn.py [--rounds 21] [--samples 2048] [--threads 2]
    python bench/bench_nn.py --fused [--rounds 21] [--batch 32 128]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import time

import numpy as np

SIZES = (784, 256, 256, 10)
LR = {"sgd": 0.01, "adam": 1e-3}


def init_params(seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = np.sqrt(6 / fan_in)
        out.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        out.append(np.zeros(fan_out, np.float32))
    return out


# ---------------------------------------------------------------------------- gdlab

def make_gdlab(opt):
    from gdlab import nn, optim

    model = nn.mlp(list(SIZES), activation="relu", seed=0)
    for p, w in zip(model.parameters(), init_params()):
        p.data[...] = w
    model.compile(optim.SGD(lr=LR["sgd"]) if opt == "sgd" else optim.Adam(lr=LR["adam"]), "cross_entropy")

    def epoch(x, y, batch, seed):
        model.fit(x, y, epochs=1, batch_size=batch, verbose=0, seed=seed)

    return epoch


# ---------------------------------------------------------------------------- PyTorch eager

def make_torch(opt):
    import torch

    linears = [torch.nn.Linear(a, b) for a, b in zip(SIZES[:-1], SIZES[1:])]
    with torch.no_grad():
        for lin, w, b in zip(linears, init_params()[::2], init_params()[1::2]):
            lin.weight.copy_(torch.from_numpy(w.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
    model = torch.nn.Sequential(linears[0], torch.nn.ReLU(), linears[1], torch.nn.ReLU(), linears[2])
    optimizer = (torch.optim.SGD if opt == "sgd" else torch.optim.Adam)(model.parameters(), lr=LR[opt])
    loss_fn = torch.nn.functional.cross_entropy
    cache = {}

    def epoch(x, y, batch, seed):
        if cache.get("x") is not x:
            cache.update(x=x, xt=torch.from_numpy(x), yt=torch.from_numpy(y))
        xt, yt = cache["xt"], cache["yt"]
        n = len(x)
        perm = torch.from_numpy(np.random.default_rng(seed).permutation(n))
        for lo in range(0, n, batch):
            idx = perm[lo:lo + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
            loss.item()

    return epoch


# ---------------------------------------------------------------------------- NumPy by hand

def make_numpy(opt):
    params = init_params()
    state = [dict(m=np.zeros_like(p), v=np.zeros_like(p), tmp=np.empty_like(p)) for p in params]
    step = [0]
    b1, b2, eps = 0.9, 0.999, 1e-8

    def update(grads):
        if opt == "sgd":
            for p, g in zip(params, grads):
                g *= LR["sgd"]
                p -= g
            return
        step[0] += 1
        t = step[0]
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        for p, g, s in zip(params, grads, state):
            m, v, tmp = s["m"], s["v"], s["tmp"]
            m *= b1
            np.multiply(g, 1 - b1, out=tmp)
            m += tmp
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp /= np.sqrt(bc2)
            tmp += eps
            np.divide(m, tmp, out=tmp)
            tmp *= LR["adam"] / bc1
            p -= tmp

    def epoch(x, y, batch, seed):
        w1, c1, w2, c2, w3, c3 = params
        n = len(x)
        perm = np.random.default_rng(seed).permutation(n)
        for lo in range(0, n, batch):
            idx = perm[lo:lo + batch]
            xb, yb = x.take(idx, axis=0), y.take(idx)
            nb = len(idx)
            rows = np.arange(nb)
            h1 = xb @ w1
            h1 += c1
            np.maximum(h1, 0, out=h1)
            h2 = h1 @ w2
            h2 += c2
            np.maximum(h2, 0, out=h2)
            z = h2 @ w3
            z += c3
            z -= z.max(axis=1, keepdims=True)
            e = np.exp(z)
            s = e.sum(axis=1, keepdims=True)
            float(np.log(s[:, 0]).mean() - z[rows, yb].mean())  # the loss, as a number
            p = e / s
            p[rows, yb] -= 1
            p /= nb
            g3 = h2.T @ p
            gc3 = p.sum(axis=0)
            d2 = p @ w3.T
            d2 *= h2 > 0
            g2 = h1.T @ d2
            gc2 = d2.sum(axis=0)
            d1 = d2 @ w2.T
            d1 *= h1 > 0
            g1 = xb.T @ d1
            gc1 = d1.sum(axis=0)
            update([g1, gc1, g2, gc2, g3, gc3])

    return epoch


# ---------------------------------------------------------------------------- harness
#
# Each implementation runs in its own worker process, and the next one starts only after a
# pause. OpenBLAS's worker threads (NumPy, hence gdlab) keep spinning for up to ~0.1 s after
# a matrix product (its THREAD_TIMEOUT), as OpenMP's do after a parallel region; on two cores
# that starves whoever runs next (measured here: torch's epoch took twice as long right after
# a NumPy one in the same process). Separate processes and a PAUSE keep the pools apart.

PAUSE_S = 0.3

MAKERS = {"gdlab": make_gdlab, "torch": make_torch, "numpy": make_numpy}


def _worker(conn, name, opt, threads, n_max):
    if name == "torch":
        import torch

        torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    x_all = rng.standard_normal((n_max, SIZES[0])).astype(np.float32)
    y_all = rng.integers(0, SIZES[-1], n_max)
    epoch = MAKERS[name](opt)
    while True:
        msg = conn.recv()
        if msg is None:
            break
        n, batch, seed = msg
        x, y = x_all[:n], y_all[:n]
        t0 = time.perf_counter()
        epoch(x, y, batch, seed)
        conn.send(time.perf_counter() - t0)


def run(rounds, samples, batches, opts, threads=2):
    """Per (optimizer, batch): ``rounds`` rounds, each timing one epoch of every implementation in turn.

    An epoch has ``max(samples, 8 * batch)`` samples, so a round is short (a few tenths of a
    second) and the implementations compared within it see about the same machine load.
    Throughput is from the median epoch time; the ratios are medians of the per-round ratios.
    """
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    n_max = max([samples] + [8 * b for b in batches])
    rows = []
    for opt in opts:
        workers = {}
        for name in MAKERS:
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(child, name, opt, threads, n_max), daemon=True)
            proc.start()
            workers[name] = (proc, parent)
        try:
            for batch in batches:
                n = max(samples, 8 * batch)
                for _, conn in workers.values():  # warm up (allocations, first-step state)
                    conn.send((batch * 4, batch, 0))
                    conn.recv()
                times = {k: [] for k in workers}
                order = list(workers)
                for r in range(rounds):
                    for k in order:
                        time.sleep(PAUSE_S)
                        conn = workers[k][1]
                        conn.send((n, batch, r))
                        times[k].append(conn.recv())
                    order = order[1:] + order[:1]
                ratio_t = statistics.median(t / g for t, g in zip(times["torch"], times["gdlab"]))
                ratio_n = statistics.median(t / g for t, g in zip(times["numpy"], times["gdlab"]))
                rate = {k: n / statistics.median(v) for k, v in times.items()}
                rows.append((opt, batch, rate["gdlab"], rate["torch"], rate["numpy"], ratio_t, ratio_n))
        finally:
            for proc, conn in workers.values():
                conn.send(None)
                proc.join(timeout=10)
    return rows


def fused_ab(rounds, samples, batches, opts):
    """Rows (optimizer, batch, samples/s fused, samples/s not fused, median per-round speed-up)."""
    rng = np.random.default_rng(0)
    n_max = max([samples] + [8 * b for b in batches])
    x_all = rng.standard_normal((n_max, SIZES[0])).astype(np.float32)
    y_all = rng.integers(0, SIZES[-1], n_max)
    rows = []
    for opt in opts:
        epochs = {"fused": make_gdlab(opt), "not fused": make_gdlab(opt)}
        for batch in batches:
            n = max(samples, 8 * batch)
            x, y = x_all[:n], y_all[:n]
            times = {k: [] for k in epochs}
            for r in range(rounds + 1):
                for k in (list(epochs) if r % 2 == 0 else list(epochs)[::-1]):
                    if k == "fused":
                        os.environ.pop("GDLAB_ENGINE", None)
                    else:
                        os.environ["GDLAB_ENGINE"] = "numpy"
                    t0 = time.perf_counter()
                    epochs[k](x, y, batch, r)
                    if r:  # round 0 warms up (first-step state, the kernels' compile or load)
                        times[k].append(time.perf_counter() - t0)
            os.environ.pop("GDLAB_ENGINE", None)
            speed = statistics.median(b / a for a, b in zip(times["fused"], times["not fused"]))
            rows.append((opt, batch, n / statistics.median(times["fused"]), n / statistics.median(times["not fused"]),
                         speed))
    return rows


def table(rows):
    lines = ["| optimizer | batch | gdlab fit (samples/s) | PyTorch eager | NumPy by hand "
             "| gdlab / PyTorch | gdlab / NumPy |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for opt, batch, g, t, n, rt, rn in rows:
        lines.append(f"| {opt} | {batch} | {g:,.0f} | {t:,.0f} | {n:,.0f} | {rt:.2f}x | {rn:.2f}x |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--samples", type=int, default=2048, help="samples per epoch (at least 8 batches)")
    parser.add_argument("--batch", type=int, nargs="*", default=[32, 128, 1024])
    parser.add_argument("--optimizer", nargs="*", default=["sgd", "adam"], choices=["sgd", "adam"])
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--fused", action="store_true",
                        help="gdlab's fit with the fused optimizer steps on and off (needs numba), nothing else")
    args = parser.parse_args(argv)
    if args.fused:
        load0 = os.getloadavg()[0]
        rows = fused_ab(args.rounds, args.samples, args.batch, args.optimizer)
        print(f"gdlab fit, fused optimizer steps on and off, alternating epochs in one process; medians of "
              f"{args.rounds} rounds; {os.cpu_count()} CPUs, load average {load0:.2f} at the start, "
              f"{os.getloadavg()[0]:.2f} at the end\n")
        print("| optimizer | batch | fused (samples/s) | not fused | fused speed-up |\n|---|---:|---:|---:|---:|")
        for opt, batch, a, b, sp in rows:
            print(f"| {opt} | {batch} | {a:,.0f} | {b:,.0f} | {sp:.2f}x |")
        return
    if importlib.util.find_spec("torch") is None:
        raise SystemExit("this benchmark compares with PyTorch: pip install torch==2.13.0")
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    rows = run(args.rounds, args.samples, args.batch, args.optimizer, args.threads)
    load1 = os.getloadavg()[0]
    print(f"784-256-256-10 ReLU MLP, sparse categorical cross-entropy, float32, one shuffled epoch of "
          f"max({args.samples}, 8 x batch) samples; medians of {args.rounds} alternating rounds (ratios per round, "
          "then median; "
          f"> 1 means gdlab is faster). torch threads: {args.threads}; {os.cpu_count()} CPUs, load average "
          f"{load0:.2f} at the start, {load1:.2f} at the end; {time.perf_counter() - t0:.0f} s.\n")
    print(table(rows))


if __name__ == "__main__":
    main()
