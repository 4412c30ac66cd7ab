"""Loss-landscape slices batched over grid points against a naive loop, and the top Hessian eigenvalue.

Two trained ReLU nets, float32 (gdlab.nn's default):

* a 2-16-16-2 net on 500 moons points;
* the 64-64-10 digits net of seed 004 on all 1,797 images.

For each, a 41 x 41 slice on two filter-normalised directions is computed

* by ``gdlab.nn.landscape.slice_2d`` with the compiled kernel (numba: gdlab.nn._landscape_kernel),
* by ``slice_2d`` on the NumPy batch path (GDLAB_ENGINE=numpy: every grid point through the network
  in batches of NumPy operations), and
* by the naive loop: set the weights to centre + a d1 + b d2 and call ``model.evaluate`` at each
  of the 1,681 points;

in rounds whose order rotates, with a short pause between them (OpenBLAS's threads
keep spinning after a product and would slow whoever runs next on a small machine). The table
gives medians and the median of the per-round ratios; the compiled result is checked against the loop.
Then the top Hessian eigenvalue (``gdlab.nn.curvature``: Lanczos on central differences of exact
gradients, float64) is timed, with the Hessian-vector products it used.

Run::

    python bench/bench_landscape.py [--rounds 5] [--threads N]

``--threads`` sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS before NumPy loads (default: as set).
On a machine that other processes keep busy, use ``--threads 1``: OpenBLAS's threaded kernel (for
products above about half a million multiply-adds, such as each ``evaluate``'s first layer of the
digits net) then waits for threads that are not scheduled, and the naive loop's time, hence the
ratio, says more about the load than about either method (34 s instead of 1.9 s for the digits loop
under a load average of 5 to 7 on 2 cores). The batch path keeps its products below that size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _setup(threads):
    if threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(threads)


def nets():
    import numpy as np

    from gdlab import datasets, nn, optim

    x, y = datasets.get("moons", n_samples=500, noise=0.15, seed=0)
    moons = nn.mlp([2, 16, 16, 2], activation="relu", seed=0)
    moons.compile("adam", "cross_entropy", lr=0.01)
    moons.fit(x, y, epochs=30, batch_size=32, seed=0, verbose=0)
    d = datasets.load_digits(scale=True)
    digits = nn.mlp([64, 64, 10], activation="relu", seed=0)
    digits.compile(optim.SGD(lr=0.1), "cross_entropy")
    digits.fit(d.x, d.y, epochs=10, batch_size=32, seed=0, verbose=0)
    return {"2-16-16-2, moons (500)": (moons, x, y), "64-64-10, digits (1,797)": (digits, d.x,
                                                                                  np.asarray(d.y))}


def naive(model, x, y, plane, alpha, beta):
    """The loop the batch path replaces: set the weights, call evaluate, for every grid point."""
    import numpy as np

    params = model.parameters()
    sizes = np.cumsum([0] + [p.data.size for p in params])
    saved = [p.data.copy() for p in params]
    out = np.empty((len(beta), len(alpha)))
    try:
        for i, b in enumerate(beta):
            for j, a in enumerate(alpha):
                theta = plane.origin + a * plane.d1 + b * plane.d2
                for k, p in enumerate(params):
                    p.data[...] = theta[sizes[k]:sizes[k + 1]].reshape(p.data.shape)
                out[i, j] = model.evaluate(x, y)["loss"]
    finally:
        for p, s in zip(params, saved):
            p.data[...] = s
    return out


def run(rounds, steps=41):
    import numpy as np

    from gdlab.nn import curvature, landscape

    rows = []
    for name, (model, x, y) in nets().items():
        plane = landscape.directions(model, kind="filter", seed=0)
        def batched(engine):
            before = os.environ.get("GDLAB_ENGINE")
            os.environ["GDLAB_ENGINE"] = engine
            try:
                return landscape.slice_2d(model, x, y, plane, steps=steps)
            finally:
                if before is None:
                    os.environ.pop("GDLAB_ENGINE")
                else:
                    os.environ["GDLAB_ENGINE"] = before

        fast = batched("numba")  # warm-up (the compile, once per machine) and the reference
        batched("numpy")
        slow = naive(model, x, y, plane, fast.alpha, fast.beta)
        agree = float(np.max(np.abs(fast.loss - slow) / np.abs(slow)))
        kinds = ("compiled", "numpy", "naive")
        times = {k: [] for k in kinds}
        ratios = {"compiled": [], "numpy": []}
        for r in range(rounds):
            order = kinds[r % 3:] + kinds[:r % 3]  # rotating
            got = {}
            for which in order:
                time.sleep(0.3)
                t0 = time.perf_counter()
                if which == "naive":
                    naive(model, x, y, plane, fast.alpha, fast.beta)
                else:
                    batched("numba" if which == "compiled" else "numpy")
                got[which] = time.perf_counter() - t0
                times[which].append(got[which])
            for k in ratios:
                ratios[k].append(got["naive"] / got[k])
        # the top eigenvalue, with the products it took
        f = landscape.LossFunction(model, x, y)
        theta = f.theta()
        h = curvature.hvp_step(theta)
        count = [0]

        def matvec(v):
            count[0] += 1
            return curvature._hvp(f, theta, v, h)

        time.sleep(0.3)
        t0 = time.perf_counter()
        vals, _, _, converged = curvature.lanczos(matvec, f.n_params, 1)
        t_eig = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in range(10):
            f.grad(theta)
        t_grad = (time.perf_counter() - t0) / 10
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append((name, model.count_params(), med["compiled"], med["numpy"], med["naive"],
                     statistics.median(ratios["compiled"]), statistics.median(ratios["numpy"]), agree,
                     float(vals[0]), t_eig, count[0], converged, t_grad))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args(argv)
    _setup(args.threads)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    rows = run(args.rounds)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"41 x 41 filter-normalised slices, float32; medians of {args.rounds} alternating rounds; BLAS threads: "
          f"{threads}; {os.cpu_count()} CPUs, load average {load0:.2f} at the start, {os.getloadavg()[0]:.2f} at "
          f"the end; {time.perf_counter() - t0:.0f} s.\n")
    print("| net | params | compiled slice | NumPy batch slice | naive loop (evaluate x 1,681) | naive / compiled | "
          "naive / NumPy batch | max rel. difference |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, n, tc, tb, tn, rc, rb, agree, *_ in rows:
        print(f"| {name} | {n:,} | {tc * 1e3:.0f} ms | {tb * 1e3:.0f} ms | {tn * 1e3:.0f} ms | {rc:.1f}x | {rb:.1f}x | "
              f"{agree:.1e} |")
    print("\n| net | top eigenvalue | time | Hessian-vector products | one gradient (float64) |")
    print("|---|---:|---:|---:|---:|")
    for name, n, *_, lam, t_eig, count, converged, t_grad in rows:
        print(f"| {name} | {lam:.4g} | {t_eig * 1e3:.0f} ms | {count}{'' if converged else ' (not converged)'} | "
              f"{t_grad * 1e3:.2f} ms |")


if __name__ == "__main__":
    main()
