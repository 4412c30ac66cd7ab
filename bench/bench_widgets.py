"""The redraw of ``gdlab.widgets.explore``: 3 optimizers x 500 steps on Rosenbrock, beside a full redraw.

    python bench/bench_widgets.py [--rounds 15] [--steps 500]

Each round moves one lane's learning-rate slider (set programmatically, as a user's drag ends),
which reruns ``gdlab.race`` (gd, momentum, adam; params and loss recorded) and redraws the
picture the widget shows (PNG bytes). Rows (median and worst over rounds, milliseconds):

* the whole redraw, as the widget does it: ``race`` + the blitted paths and loss panel + PNG;
* its parts: ``race`` alone, and the drawing alone (the same runs, ``LiveRace.update``);
* the reference: the same picture drawn from scratch each time (a new figure, the contour map
  computed and drawn again, the loss panel by ``viz.loss_curves``, ``fig.savefig`` to PNG), which is what a redraw without the cached
  background would cost.

The goal of issue 17: a redraw "well under 0.2 s".
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
os.environ.setdefault("MPLBACKEND", "Agg")
import gdlab  # noqa: E402
from gdlab import widgets  # noqa: E402

OPTIMIZERS = {"gd": {"lr": 1e-3}, "momentum": {"lr": 1e-3, "momentum": 0.9}, "adam": {"lr": 0.05}}


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def full_redraw(f, runs):
    from gdlab import viz
    from gdlab.viz import _style

    with _style.house():
        fig, (ax_map, ax_loss) = _style.new_figure(1, 2, figsize=(10.0, 4.0), dpi=80)
        viz.contour(f, runs, ax=ax_map, colorbar=False, legend=False, resolution=120)
        viz.loss_curves(runs, metrics=("gap",), ax=ax_loss)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return buf.getvalue()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--steps", type=int, default=500)
    args = ap.parse_args(argv)
    e = widgets.explore("rosenbrock", OPTIMIZERS, steps=args.steps)
    f = e.function
    lrs = [1e-3 * (1 + 0.01 * (i % 7 + 1)) for i in range(args.rounds)]
    rows = {"explore redraw (race + draw + PNG)": [], "  race alone": [], "  draw + PNG alone": [],
            "reference: full redraw (both panels + PNG)": []}
    for lr in lrs:
        rows["explore redraw (race + draw + PNG)"].append(timed(lambda: setattr(e.lanes[0].lr, "value", lr)))
        runs = {}
        rows["  race alone"].append(timed(lambda: runs.update(gdlab.race(f, [float(e.x0.value), float(e.y0.value)],
                                                                         e.settings(), steps=args.steps,
                                                                         record=("params", "loss")))))
        rows["  draw + PNG alone"].append(timed(lambda: e.figure.update(runs)))
        rows["reference: full redraw (both panels + PNG)"].append(timed(lambda: full_redraw(f, runs)))
    ref = statistics.median(rows["reference: full redraw (both panels + PNG)"])
    print(f"explore('rosenbrock'), 3 optimizers x {args.steps} steps, {args.rounds} rounds "
          f"(picture {e.figure.size[0]}x{e.figure.size[1]} px)")
    print(f"{'':48} {'median ms':>10} {'worst ms':>10} {'vs full':>8}")
    for name, times in rows.items():
        med = statistics.median(times)
        print(f"{name:48} {1e3 * med:10.1f} {1e3 * max(times):10.1f} {med / ref:8.2f}")


if __name__ == "__main__":
    main()
