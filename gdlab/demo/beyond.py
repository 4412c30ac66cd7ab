"""Beyond the seeds: tuned races, a learning-rate sweep, escaping a saddle, basins, a boundary that learns."""

from __future__ import annotations

import numpy as np

import gdlab
from gdlab import datasets, functions, nn, viz

from ._core import experiment

RACERS = ("gd", "momentum", "nesterov", "rmsprop", "adam")
# the Rosenbrock race also runs the classics of optimisation courses and today's large-model optimizers
ROSENBROCK_RACERS = RACERS + ("rprop", "lbfgs", "adafactor", "muon")


def tuned_race(f, x0, names, steps, **kwargs):
    """Tune each optimizer's learning rate (gdlab.tune: same budget, divergence penalised); race them tuned."""
    result = gdlab.tune(f, x0, list(names), steps=steps, **kwargs)
    tuned = {k: v for k, v in result.best_lr.items() if v is not None}
    optimizers = {name: {"optimizer": name, "lr": lr} for name, lr in tuned.items()}
    return gdlab.race(f, x0, optimizers=optimizers, steps=steps, **kwargs), tuned


def _report_race(ctx, f, runs, tuned):
    for label, traj in runs.items():
        dist = float(gdlab.runs.distance_to_minimum(traj.final, f))
        ctx.value(f"{label} (tuned lr {tuned[label]:.3g})", float(traj.final_loss), digits=4,
                  note=f"final loss; {traj.status}; {dist:.2g} from the nearest minimum")


@experiment("race_rosenbrock", seed="beyond", heavy=True)
def race_rosenbrock(ctx):
    """A fair race on Rosenbrock's banana valley

    Every optimizer gets its own best learning rate (gdlab.tune, same step budget), then all start at (−1.5, 2):
    plain GD crawls along the curved valley, momentum and Adam run down it, L-BFGS (a step is one function
    evaluation) is at the minimum first. Rprop, Adafactor and Muon (each point a 1 x 2 matrix) join them.
    """
    f = functions.get("rosenbrock")
    steps = ctx.pick(1000, 300)
    runs, tuned = tuned_race(f, [-1.5, 2.0], ROSENBROCK_RACERS, steps)
    _report_race(ctx, f, runs, tuned)
    ctx.draw("contour.png", "the tuned optimizers' paths (log-spaced contours)", viz.contour, f, runs,
             title=f"Rosenbrock: {len(runs)} tuned optimizers, {steps} steps")
    ctx.draw("loss.png", "loss against step (log scale)", viz.loss_curves, runs, logy=True)
    ctx.draw("race.gif", "the race, animated", viz.animate, runs, view="contour", frames=ctx.frames, fps=12)


@experiment("race_rastrigin", seed="beyond")
def race_rastrigin(ctx):
    """Rastrigin: tuning cannot make a local method global

    An egg-box with a local minimum near every integer point. Each optimizer is tuned on the same random starts
    (mean final loss), then run from all of them: every one settles in the pit it starts in — only starts
    already in the central basin reach the global minimum. The five rows are the same on purpose: each
    optimizer ends at the same 64 points, the bottoms of the starts' own pits, so the counts and the median
    loss cannot differ; a larger lr only throws runs into higher pits or out of bounds, which is why tuning
    picks a small one.
    """
    f = functions.get("rastrigin")
    steps = ctx.pick(500, 200)
    starts = np.random.default_rng(0).uniform(-3.0, 3.0, size=(ctx.pick(64, 16), 2))
    result = gdlab.tune(f, starts, list(RACERS), steps=steps)
    runs = {}
    for name, lr in result.best_lr.items():
        if lr is None:
            ctx.value(f"{name}", "diverged at every lr")
            continue
        traj = gdlab.minimize(f, starts, name, lr=lr, steps=steps)
        runs[name] = traj
        reached = int(np.sum(np.linalg.norm(np.asarray(traj.final), axis=1) < 0.5))
        ctx.value(f"{name} (tuned lr {lr:.3g}): starts reaching the global minimum", f"{reached} of {len(starts)}",
                  note=f"median final loss {np.median(traj.final_loss):.3g}")
    ends = [np.asarray(t.final, dtype=float) for t in runs.values()]
    spread = max(float(np.max(np.linalg.norm(e - ends[0], axis=1))) for e in ends)
    first = next(iter(result.scores))
    scores = np.asarray(result.scores[first], dtype=float)
    flat = int(np.sum(np.isclose(scores, np.min(scores), rtol=1e-6)))
    ctx.note(f"Why the rows agree: the {len(runs)} tuned optimizers end within {spread:.2g} of one another from "
             f"every start (the pits' bottoms); for {first}, the {flat} smallest lrs of the grid all score the "
             f"same mean loss {np.min(scores):.3g}, and every larger lr scores worse.")
    in_basin = int(np.sum(np.all(np.abs(starts) < 0.5, axis=1)))
    ctx.value("starts inside the global minimum's basin", f"{in_basin} of {len(starts)}",
              note="the basin around (0, 0) is about the square |x|, |y| < 0.5")
    shown = "adam" if "adam" in runs else next(iter(runs))
    ctx.draw("paths.png", f"{shown} (tuned) from every start: each path drops into the nearest pit", viz.contour, f,
             {shown: runs[shown]}, bounds=[[-3.5, 3.5], [-3.5, 3.5]])


@experiment("lr_sweep", seed="beyond")
def sweep(ctx):
    """Learning-rate sweep on an ill-conditioned valley

    Final loss after 200 steps against the learning rate on 0.5·(x² + 100y²): GD diverges past 2/L = 0.02,
    momentum stays stable up to (2 + 2β)/L = 0.038, Adam's scale-free steps tolerate far more.
    """
    f = functions.get("ill_conditioned", condition=100.0)
    lrs = np.geomspace(1e-4, 1.0, ctx.pick(41, 17))
    results = {name: gdlab.lr_sweep(f, [1.0, 1.0], name, lrs, steps=200) for name in ("gd", "momentum", "adam")}
    for name, res in results.items():
        losses = np.asarray(res.final_loss, dtype=float)
        status = np.asarray(res.status).astype(str)
        ok = np.where((status != "diverged") & np.isfinite(losses), losses, np.inf)
        best = int(np.argmin(ok))
        diverged = lrs[status == "diverged"]
        ctx.value(f"{name}: best lr", lrs[best], digits=3,
                  note=f"final loss {losses[best]:.2g}; diverges from lr {diverged.min():.3g}" if diverged.size
                  else f"final loss {losses[best]:.2g}; never diverges here")
    ctx.value("theory: GD stable below 2/L", 0.02, note="L = 100, the largest curvature")
    ctx.draw("sweep.png", "final loss against learning rate; crosses mark divergence", viz.lr_sweep, results,
             title="0.5·(x² + 100y²): final loss after 200 steps from (1, 1)")


@experiment("saddle_escape", seed="beyond")
def saddle_escape(ctx):
    """Escaping a saddle: who leaves first?

    From (1, 1e-6), a hair off the ridge of x² − y², GD's y-step is proportional to y itself and grows only
    geometrically; Adam and RMSProp normalise it and leave at once.
    """
    f = functions.get("saddle")
    specs = {"gd": {"lr": 0.05}, "momentum": {"lr": 0.05, "momentum": 0.9}, "rmsprop": {"lr": 0.05},
             "adam": {"lr": 0.05}}
    runs = gdlab.race(f, [1.0, 1e-6], optimizers=specs, steps=ctx.pick(200, 120))
    distance = {}
    for label, traj in runs.items():
        y = np.abs(np.asarray(traj.params, dtype=float)[:, 1])
        out = np.flatnonzero(y > 1.0)
        ctx.value(f"{label}: steps until |y| > 1", int(out[0]) if out.size else "not within the budget",
                  note=f"{traj.status}" + (f" at step {int(traj.stopped_at)}" if str(traj.status) == "diverged" else ""))
        distance[label] = y[: int(traj.stopped_at) + 1]
    ctx.draw("views.png", "contour and surface with the four paths", viz.contour_and_surface, f, runs,
             bounds=[[-1.5, 1.5], [-3, 3]])
    ctx.draw("distance.png", "|y|, the distance from the ridge, against step (log scale)", viz.loss_curves, distance,
             logy=True, title="distance |y| from the ridge y = 0", ylabel="|y|")


@experiment("basin_map", seed="beyond", heavy=True)
def basin_map(ctx):
    """Basins of attraction on Himmelblau's function

    Gradient descent from every point of a grid: the colour says which of the four minima the start ends in, the
    shade how many steps it took. Basin borders run along the ridges.
    """
    f = functions.get("himmelblau")
    n = ctx.pick(60, 24)
    starts = gdlab.runs.grid_starts(f.bounds, n=n)
    traj = gdlab.minimize(f, starts, optimizer="gd", lr=0.01, steps=ctx.pick(400, 200), tol=1e-6)
    nearest, _ = gdlab.runs.nearest_minimum(traj.final, f)
    counts = np.bincount(nearest, minlength=len(f.minima))
    for k, m in enumerate(f.minima):
        ctx.value(f"starts ending at ({m[0]:.3f}, {m[1]:.3f})", f"{counts[k]} of {len(starts)}")
    ctx.value("converged", int(np.sum(np.asarray(traj.status).astype(str) == "converged")),
              note=f"of {len(starts)} starts (|grad| < 1e-6)")
    ctx.draw("basins.png", "which minimum each start reaches (colour) and how fast (shade)", viz.basin_map,
             f, traj)


@experiment("decision_boundary", seed="beyond", heavy=True)
def decision_boundary(ctx):
    """A decision boundary learning, epoch by epoch

    A 2-16-16-2 ReLU network trained by Adam (lr 0.01) on two interleaving moons; the animation shows the
    predicted regions after each epoch bending around the data.
    """
    x, y = datasets.get("moons", n_samples=300, noise=0.15, seed=0)
    model = nn.mlp([2, 16, 16, 2], activation="relu", seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy_from_logits", metrics=["accuracy"], lr=0.01)
    epochs = ctx.pick(60, 15)
    snap = viz.SnapshotCallback(x, resolution=ctx.pick(100, 50))
    history = model.fit(x, y, epochs=epochs, batch_size=32, seed=0, verbose=0, callbacks=[snap])
    ctx.value("training accuracy", history.history["accuracy"][-1], digits=3, note=f"after {epochs} epochs")
    ctx.value("epoch 0 → last accuracy", (history.history["accuracy"][0], history.history["accuracy"][-1]),
              digits=3)
    ctx.draw("regions.png", "the learned regions and the data", viz.decision_regions, model, x, y)
    ctx.draw("training.gif", "the regions after each epoch, with the loss curve", viz.animate_training, snap, x, y,
             history=history, frames=ctx.pick(60, 15))


@experiment("interactive_report", seed="beyond")
def interactive(ctx):
    """An interactive report: rotate, hover, zoom

    The Rosenbrock race as one HTML page that works offline: the contour and the 3-D surface with every step
    hoverable (step, loss, gradient), the loss curves, and a step slider with play/pause that moves the three
    runs over all of them.
    """
    f = functions.get("rosenbrock")
    specs = {"gd": {"lr": 1e-3}, "momentum": {"lr": 1e-3, "momentum": 0.9}, "adam": {"lr": 0.05}}
    runs = gdlab.race(f, [-1.5, 2.0], optimizers=specs, steps=ctx.pick(500, 150))
    # plotly.js once for the gallery (plotly.min.js beside the pages), not inside every report
    path = ctx.report("report.html", viz.interactive, runs, plotlyjs="file")
    size = path.stat().st_size
    ctx.value("report size", f"{size / 1e6:.1f} MB",
              note="plus plotly.min.js (4.8 MB), written once beside the reports: no network needed")
    preview = ctx.draw("preview.png", "", viz.contour_and_surface, f, runs, register=False)
    del preview
    ctx.add(path, "the report: map, surface and loss curves, every step hoverable, a step slider", kind="html",
            preview="preview.png")
