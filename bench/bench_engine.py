"""The compiled engine (numba) beside the NumPy engine and PyTorch, in one process, as ratios.

Rows (issue 18's goals):

* one start, 1000 Adam steps on Rosenbrock (lr 0.01): the whole ``gdlab.minimize`` call (back to back in
  blocks of about 20 ms, as timeit; the same with a new lr every call, so that nothing of the last call's
  hyperparameters is reused; and single calls, each after the other engine's, with colder caches) and the
  loop alone (``Trajectory.wall_time``), both engines; PyTorch eager (autograd + torch.optim.Adam);
* the five-optimizer race ``gdlab.race(f, [-1.5, 2], [gd, momentum, adam, rmsprop, nesterov],
  steps=1000)`` on Rosenbrock and on the formula ``x**2 + 10*y**2 + sin(3*x)``, both engines;
* 1,000 starts (default record) and 10,000 starts x 1000 Adam steps on Rosenbrock, the default
  record (record="auto") and no record; PyTorch eager on the same (n, 2) parameter (one thread
  by default, ``--torch-threads``: on a machine shared with other work more threads only wait);
* JAX jit of the same runs when ``jax`` is installed (it is skipped otherwise, and said so): the whole
  run in one ``jax.jit`` (``lax.fori_loop``), final points only (no history), float64, warm; its final
  points are compared with the numba engine's (the header gives the largest relative difference).

Optimizer steps: ``opt.step()`` on the 269,322 float32 parameters of the 784-256-256-10 MLP,
the fused one-pass kernels (gdlab.optim.fused) against the NumPy rule and torch.optim.

Compile times: a fresh process compiles the programs of the first row into an empty cache
folder (cold), a second process loads them (warm); each figure is the first ``minimize`` call
in that process (the import of gdlab and numba is timed separately).

Timing: each contender runs ``--rounds`` times per row in alternating order; the table gives the
median time and the ratios of medians. Run:

    python bench/bench_engine.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import gdlab

RACE = ["gd", "momentum", "adam", "rmsprop", "nesterov"]
FORMULA = "x**2 + 10*y**2 + sin(3*x)"


def timed(fn, rounds):
    ts = []
    out = None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), out


def per_call(fn, rounds, block_s=0.02):
    """Median seconds a call, over ``rounds`` blocks of calls back to back (each block about ``block_s``,
    at least one call), as timeit does: the steady cost of a call made again and again."""
    t0 = time.perf_counter()
    fn()
    k = max(1, int(block_s / max(time.perf_counter() - t0, 1e-9)))
    ts = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(k):
            fn()
        ts.append((time.perf_counter() - t0) / k)
    return statistics.median(ts)


def torch_adam(X, steps, lr=0.01):
    import torch

    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([x], lr=lr)

    def run():
        with torch.no_grad():
            x.copy_(torch.as_tensor(X))
        opt.state.clear()
        for _ in range(steps):
            opt.zero_grad()
            a, b = x[:, 0], x[:, 1]
            loss = ((b - a * a) ** 2 * 100 + (a - 1) ** 2).sum()
            loss.backward()
            opt.step()
        return x.detach().numpy().copy()

    return run


def jax_adam(X, steps, lr=0.01):
    """JAX's jit of the whole run (float64, ``lax.fori_loop`` over the steps; torch's Adam: bias-corrected
    step size, eps added to the corrected root), the final points only: a callable returning them (warm:
    compiled before it is returned), and the function it compiled."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    b1, b2, eps = 0.9, 0.999, 1e-8

    def loss(x):
        a, b = x[:, 0], x[:, 1]
        return jnp.sum(100.0 * (b - a * a) ** 2 + (a - 1.0) ** 2)

    grad = jax.grad(loss)

    def body(t, carry):
        x, m, v = carry
        g = grad(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        k = (t + 1).astype(jnp.float64)
        step = lr / (1 - b1 ** k)
        denom = jnp.sqrt(v) / jnp.sqrt(1 - b2 ** k) + eps
        return x - step * m / denom, m, v

    @jax.jit
    def run(x0):
        zeros = jnp.zeros_like(x0)
        return jax.lax.fori_loop(0, steps, body, (x0, zeros, zeros))[0]

    x0 = jnp.asarray(X, dtype=jnp.float64)
    run(x0).block_until_ready()
    return lambda: run(x0).block_until_ready()


SHAPES = [(784, 256), (256,), (256, 256), (256,), (256, 10), (10,)]  # 269,322 float32 parameters (the MLP)


def step_time(make, engine, k=30, blocks=9):
    """Median seconds of one ``opt.step()`` over the MLP's parameters; engine "numba" (fused) or "numpy"."""
    from gdlab import Tensor

    os.environ["GDLAB_ENGINE"] = "auto" if engine == "numba" else "numpy"
    rng = np.random.default_rng(0)
    ps = [Tensor(rng.normal(size=s).astype(np.float32), requires_grad=True) for s in SHAPES]
    for p in ps:
        p.grad = rng.normal(size=p.shape).astype(np.float32)
    opt = make(ps)
    t = _median_step(opt, k, blocks)
    os.environ.pop("GDLAB_ENGINE", None)
    return t


def _median_step(opt, k, blocks):
    """Seconds per ``opt.step()``: 3 warm-up steps, then the median over ``blocks`` blocks of ``k`` steps."""
    for _ in range(3):
        opt.step()
    ts = []
    for _ in range(blocks):
        t0 = time.perf_counter()
        for _ in range(k):
            opt.step()
        ts.append((time.perf_counter() - t0) / k)
    return statistics.median(ts)


def torch_step_time(make, k=30, blocks=9):
    import torch

    ps = [torch.randn(s, requires_grad=True) for s in SHAPES]
    for p in ps:
        p.grad = torch.randn(p.shape)
    opt = make(ps)
    return _median_step(opt, k, blocks)


def optimizer_steps(no_torch):
    from gdlab import optim

    cases = [("SGD", dict(lr=0.01)), ("SGD momentum 0.9, weight decay 1e-4", dict(lr=0.01, momentum=0.9,
                                                                                  weight_decay=1e-4)),
             ("Adam", dict(lr=1e-3)), ("AdamW", dict(lr=1e-3))]
    out = []
    for name, kw in cases:
        cls = name.split()[0]
        make = (lambda ps, cls=cls, kw=kw: getattr(optim, cls)(ps, **kw))
        fused, plain = step_time(make, "numba"), step_time(make, "numpy")
        tt = None
        if not no_torch:
            import torch

            tt = torch_step_time(lambda ps, cls=cls, kw=kw: getattr(torch.optim, cls)(ps, **kw))
        out.append((name, fused, plain, tt))
    return out


def compile_times():
    """(cold, warm, import) seconds: first minimize in a fresh process, empty then filled cache folder."""
    code = ("import time; t0 = time.perf_counter(); import gdlab, numba; t1 = time.perf_counter(); "
            "gdlab.minimize('rosenbrock', [-1.5, 2.0], 'adam', steps=1000, lr=0.01, engine='numba'); "
            "print(time.perf_counter() - t1, t1 - t0)")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "GDLAB_CACHE": tmp, "PYTHONPATH": os.pathsep.join(sys.path)}
        env.pop("GDLAB_ENGINE", None)
        out = []
        for _ in range(2):
            res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
            out.append([float(v) for v in res.stdout.split()])
    return out[0][0], out[1][0], out[1][1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--torch-threads", type=int, default=1)
    args = ap.parse_args()
    os.environ.pop("GDLAB_ENGINE", None)
    if not args.no_torch:
        import torch

        torch.set_num_threads(args.torch_threads)
    R = args.rounds
    rows = []

    def row(name, engine_times, torch_time=None, jax_time=None):
        rows.append((name, engine_times, torch_time, jax_time))

    # warm both engines (and the compiled programs) first
    gdlab.minimize("rosenbrock", [-1.5, 2.0], "adam", steps=1000, lr=0.01, engine="numba")
    gdlab.race("rosenbrock", [-1.5, 2.0], RACE, steps=1000, engine="numba")
    gdlab.race(FORMULA, [-1.5, 2.0], RACE, steps=1000, engine="numba")
    X = np.random.default_rng(0).uniform([-2.0, -1.0], [2.0, 3.0], size=(10_000, 2))
    gdlab.minimize("rosenbrock", X[:10], "adam", steps=10, lr=0.01, engine="numba")

    one = {"numba": [], "numpy": []}  # single calls, alternating: each one after the other engine's call
    for _ in range(R):
        for e in one:
            one[e].append(timed(lambda e=e: gdlab.minimize("rosenbrock", [-1.5, 2.0], "adam", steps=1000, lr=0.01,
                                                           engine=e), 1)[0])
    one = {e: statistics.median(v) for e, v in one.items()}
    loop = {e: statistics.median(
        gdlab.minimize("rosenbrock", [-1.5, 2.0], "adam", steps=1000, lr=0.01, engine=e).wall_time for _ in range(R))
        for e in ("numba", "numpy")}
    t_torch1 = None if args.no_torch else timed(torch_adam(np.array([[-1.5, 2.0]]), 1000), max(3, R // 2))[0]
    steady, fresh = {}, {}
    for e in ("numba", "numpy"):
        steady[e] = per_call(lambda e=e: gdlab.minimize("rosenbrock", [-1.5, 2.0], "adam", steps=1000, lr=0.01,
                                                        engine=e), R)
        # a new lr every call: nothing of the last call's hyperparameters is reused
        lrs = iter(0.01 + 1e-9 * np.arange(1, 10**6))
        fresh[e] = per_call(lambda e=e: gdlab.minimize("rosenbrock", [-1.5, 2.0], "adam", steps=1000, lr=next(lrs),
                                                       engine=e), R)
    row("1 start x 1000 Adam steps, whole minimize call, back to back (as timeit)", steady, t_torch1)
    row("1 start x 1000 Adam steps, whole call, a new lr every call (back to back)", fresh, t_torch1)
    row("1 start x 1000 Adam steps, whole call, single calls after other work", one, t_torch1)
    row("1 start x 1000 Adam steps, the loop alone (wall_time)", loop, t_torch1)
    for name, f in (("race of 5 optimizers x 1000 steps, rosenbrock", "rosenbrock"),
                    (f"race of 5 optimizers x 1000 steps, {FORMULA}", FORMULA)):
        row(name, {e: timed(lambda e=e: gdlab.race(f, [-1.5, 2.0], RACE, steps=1000, engine=e), R)[0]
                   for e in ("numba", "numpy")})
    r10 = R  # the 10,000-start rows: a record served from the heap again from the second run on (gdlab._alloc)
    X1k = X[:1000]
    t_torch1k = None if args.no_torch else timed(torch_adam(X1k, 1000), 3)[0]
    row("1,000 starts x 1000 Adam steps, default record",
        {e: timed(lambda e=e: gdlab.minimize("rosenbrock", X1k, "adam", steps=1000, lr=0.01, engine=e), R)[0]
         for e in ("numba", "numpy")}, t_torch1k)
    t_torch = None if args.no_torch else timed(torch_adam(X, 1000), 3)[0]
    for rec, label in (("auto", "default record"), ((), "record=()")):
        row(f"10,000 starts x 1000 Adam steps, {label}",
            {e: timed(lambda e=e: gdlab.minimize("rosenbrock", X, "adam", steps=1000, lr=0.01, engine=e,
                                                   record=rec), r10)[0] for e in ("numba", "numpy")}, t_torch)
    try:
        import jax
        jax_note = (f"jax {jax.__version__} (jit of the whole run, final points only, float64; its final points "
                    "against the numba engine's: max relative difference {diff:.1e})")
    except ImportError:
        jax = None
        jax_note = "JAX is not installed: no JAX rows"
    if jax is not None:
        diff = 0.0
        for k, (n, label) in enumerate(((1, "1 start"), (1000, "1,000 starts"), (10_000, "10,000 starts"))):
            Xn = np.array([[-1.5, 2.0]]) if n == 1 else X[:n]
            fn = jax_adam(Xn, 1000)
            ours = gdlab.minimize("rosenbrock", Xn, "adam", steps=1000, lr=0.01, engine="numba", record=()).final
            theirs = np.asarray(fn())
            diff = max(diff, float(np.max(np.abs(theirs - ours) / np.maximum(np.abs(ours), 1e-300))))
            t = per_call(fn, R) if n == 1 else timed(fn, R if n == 1000 else r10)[0]
            for i, (name, times, tt, _) in enumerate(rows):
                if name.startswith(label + " x"):
                    rows[i] = (name, times, tt, t)
        jax_note = jax_note.format(diff=diff)
    cold, warm, imp = compile_times()
    steps = optimizer_steps(args.no_torch)

    print(f"gdlab {gdlab.__version__}, numpy {np.__version__}, numba {__import__('numba').__version__}; "
          f"torch with {args.torch_threads} thread(s); {jax_note}; medians of {R} rounds")
    print("| run | numba | numpy | torch eager | JAX jit | numba / numpy | numba / torch | numba / JAX |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")

    def fmt(t):
        return "-" if t is None else (f"{t * 1e3:.3g} ms" if t >= 1e-3 else f"{t * 1e6:.3g} µs")

    for name, times, tt, tj in rows:
        nb, npy = times["numba"], times["numpy"]
        print(f"| {name} | {fmt(nb)} | {fmt(npy)} | {fmt(tt)} | {fmt(tj)} | {nb / npy:.3g} | "
              f"{'-' if tt is None else f'{nb / tt:.3g}'} | {'-' if tj is None else f'{nb / tj:.3g}'} |")
    print()
    print("| optimizer step, 269,322 float32 parameters | fused (numba) | NumPy rule | torch.optim | fused / torch | "
          "NumPy / torch |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, a, b, c in steps:
        print(f"| {name} | {fmt(a)} | {fmt(b)} | {fmt(c)} | {'-' if c is None else f'{a / c:.2f}'} | "
              f"{'-' if c is None else f'{b / c:.2f}'} |")
    print(f"compile (first minimize of a process): cold {cold:.2f} s (empty cache), warm {warm * 1e3:.0f} ms "
          f"(loaded from the cache); import gdlab + numba {imp:.2f} s")


if __name__ == "__main__":
    main()
