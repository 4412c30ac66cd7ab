"""Seed 003: optimizer paths on a regression's loss surface, the saddle x² − y², a 1-H-1 ReLU network."""

from __future__ import annotations

import numbers

import numpy as np

import gdlab
from gdlab import datasets, functions, nn, optim, viz

from .._core import experiment, fmt

__all__ = ["seed003_loss"]

START = [-10.0, 10.0]


def seed003_loss(n_samples=100, noise=0.2, seed=0, loss="half_sse") -> functions.DataLoss:
    """Seed 003's surface: ``0.5 * sum_i (w1 x_i1 + w2 x_i2 - y_i)^2`` over (w1, w2).

    The data are ``gdlab.datasets.get("seed003_linear", ...)`` (x ~ N(0, 1), true w = (2, -3),
    noise 0.2, 100 samples, seeded); bounds [-10, 10]^2 and start (-10, 10) as in the article.
    ``loss`` may be changed (e.g. "mse"); the seed's own is "half_sse". Figures call it
    0.5·Σ(w·x − y)² and label its axes w1, w2.
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be an int >= 1, got {n_samples!r}")
    ds = datasets.get("seed003_linear", n_samples=n_samples, noise=noise, seed=seed)
    return functions.DataLoss(ds.x, ds.y, bias=False, loss=loss, name="seed003_loss", label="0.5·Σ(w·x − y)²",
                              bounds=[[-10.0, 10.0], [-10.0, 10.0]], start=[-10.0, 10.0],
                              true_params=ds.true_params.get("w"),
                              description="Seed 003: the loss of y = w1 x1 + w2 x2 (noise 0.2) over (w1, w2).")


def _final_w(traj):
    return np.asarray(traj.final, dtype=float).reshape(-1)


@experiment("seed003_paths", seed="003", heavy=True)
def paths(ctx):
    """Optimizer paths on the loss surface of y = w1·x1 + w2·x2

    From w = (−10, 10): batch GD with lr 1e-4 creeps, with lr 0.01 it jumps almost at once; SGD follows single
    samples; Adagrad takes lr 1 in its stride; momentum overshoots and settles. The star is the least-squares w.
    """
    f = seed003_loss()
    n = f.n_samples
    # momentum first: its wide swings are drawn under the other paths
    runs = {
        "Momentum lr 0.01, 500 epochs": gdlab.minimize(f, START, optimizer="momentum", lr=0.01, momentum=0.9,
                                                       steps=500),
        "GD lr 1e-4, 500 epochs": gdlab.minimize(f, START, optimizer="gd", lr=1e-4, steps=500),
        "GD lr 0.01, 100 epochs": gdlab.minimize(f, START, optimizer="gd", lr=0.01, steps=100),
        # the seed's SGD steps with one sample's 0.5·r², 1/N of gdlab's unbiased estimate: lr 1e-4 there is 1e-4/N here
        "SGD lr 1e-4, 1000 steps": gdlab.minimize(f, START, optimizer="sgd", lr=1e-4 / n, steps=1000,
                                                  batch_size=1, seed=0),
        "Adagrad lr 1, 500 epochs": gdlab.minimize(f, START, optimizer="adagrad", lr=1.0, steps=500),
    }
    best = np.asarray(f.minima, dtype=float)[0]
    ctx.value("least-squares w (the star)", best, digits=4, note="data drawn with true w = (2, −3), noise 0.2")
    for label, traj in runs.items():
        w = _final_w(traj)
        ctx.value(f"{label}: final w", w, digits=4,
                  note=f"{traj.status}; distance to the star {np.linalg.norm(w - best):.2g}")
    ctx.note("The seed's momentum averages the current and previous gradient with γ = 0.01 (almost plain GD); "
             "gdlab's is heavy-ball momentum, β = 0.9, as torch.optim.SGD.")
    ctx.note("The seed's data were unseeded and its true w not shown: gdlab uses w = (2, −3), 100 samples, seed 0.")
    ctx.draw("contour.png", "the five paths on the contour map of the loss", viz.contour, f, runs,
             bounds=[[-11, 11], [-11, 11]], title="0.5·Σ(w1·x1 + w2·x2 − y)²: five optimizers")
    ctx.draw("loss.png", "loss against step, log scale", viz.loss_curves, runs, logy=True,
             title="0.5·Σ(w1·x1 + w2·x2 − y)² against step")


@experiment("seed003_surface", seed="003", heavy=True)
def surface(ctx):
    """The 3-D loss surface, animated step by step

    Batch GD (lr 1e-4) drawn on the surface 0.5·Σ(w·x − y)², one frame per few steps, with the gradient (g_w1,
    g_w2) and the loss written on each frame — the seed's GIF.
    """
    f = seed003_loss()
    traj = gdlab.minimize(f, START, optimizer="gd", lr=1e-4, steps=500)
    g0 = np.asarray(traj.grad, dtype=float)[0]
    ctx.value("gradient at the start (g_w1, g_w2)", g0, digits=5)
    ctx.value("loss at the start → after 500 epochs", (float(traj.loss[0]), float(traj.final_loss)), digits=5)
    ctx.draw("views.png", "contour and surface side by side", viz.contour_and_surface, f, traj,
             bounds=[[-11, 11], [-11, 11]], title="batch GD, lr 1e-4, 500 epochs")
    ctx.draw("surface.gif", "animated: the path on the surface with g and loss on every frame", viz.animate, traj,
             view="surface", frames=ctx.frames, fps=10, title="batch GD, lr 1e-4")


@experiment("seed003_lr1", seed="003")
def lr_one(ctx):
    """Learning rate 1: plain GD fails, Adagrad copes

    On this surface the curvature is about N = 100, so GD is stable only for lr < 2/100: at lr 1 it explodes.
    Adagrad divides each step by the root of the summed squared gradients and converges.
    """
    f = seed003_loss()
    gd = gdlab.minimize(f, START, optimizer="gd", lr=1.0, steps=500)
    ada = gdlab.minimize(f, START, optimizer="adagrad", lr=1.0, steps=500)
    eig = np.linalg.eigvalsh(np.asarray(f.hessian(np.asarray(START)), dtype=float))
    ctx.value("largest stable lr of GD, 2/L", 2 / eig.max(), digits=4, note=f"L = {eig.max():.4g}, the Hessian's largest eigenvalue")
    ctx.check("GD, lr 1", str(gd.status) == "diverged", f"{gd.status} at step {int(gd.stopped_at)}", "very poor")
    ctx.check("Adagrad, lr 1", str(ada.status) != "diverged" and float(ada.final_loss) < float(ada.loss[0]),
              f"{ada.status}, final w {fmt(_final_w(ada), 4)}", "converges")
    ctx.draw("side.png", "GD and Adagrad at lr 1, same start", viz.side_by_side, f,
             {"GD, lr 1": gd, "Adagrad, lr 1": ada}, bounds=[[-11, 11], [-11, 11]],
             suptitle="lr 1 from w = (−10, 10) on 0.5·Σ(w·x − y)²")


@experiment("seed003_saddle", seed="003", heavy=True)
def saddle(ctx):
    """The saddle x² − y²: stuck on a line, or away

    From (10, 0) the y-gradient −2y is exactly 0 forever: GD slides to the saddle (0, 0) and stops. Start at
    (10, 0.01) or add a little gradient noise, and y grows by 0.8% a step: it escapes.
    """
    f = functions.get("saddle")
    stuck = gdlab.minimize(f, [10.0, 0.0], optimizer="gd", lr=0.2, steps=500)
    bounce = gdlab.minimize(f, [10.0, 0.0], optimizer="gd", lr=1.0, steps=500)
    nudged = gdlab.minimize(f, [10.0, 0.01], optimizer="gd", lr=0.004, steps=500)
    noisy = gdlab.minimize(f, [10.0, 0.0], optimizer="gd", lr=0.004, steps=500, noise=0.01, seed=0)
    ys = np.asarray(stuck.params, dtype=float)[:, 1]
    ctx.check("GD lr 0.2 from (10, 0): y", bool(np.all(ys == 0)), "y = 0 at all 501 points",
              "stays 0 (dy = −2y = 0)")
    ctx.value("GD lr 0.2 from (10, 0): final point", _final_w(stuck), digits=3, note="the saddle, not a minimum")
    xs = np.asarray(bounce.params, dtype=float)[:, 0]
    ctx.check("GD lr 1 from (10, 0): x", bool(np.allclose(np.abs(xs), 10)), "±10 forever (x ← −x)", "oscillates")
    y_end = float(_final_w(nudged)[1])
    ctx.check("GD lr 0.004 from (10, 0.01): final y", y_end > 0.1, f"{y_end:.4f}", "escapes",
              note="0.01 · 1.008⁵⁰⁰ = 0.537")
    y_noise = float(_final_w(noisy)[1])
    ctx.check("GD lr 0.004 from (10, 0) with noise 0.01: |final y|", abs(y_noise) > 0.01, f"{abs(y_noise):.4f}",
              "escapes")
    runs = {"(10, 0), lr 0.2": stuck, "(10, 0.01), lr 0.004": nudged, "(10, 0) + noise, lr 0.004": noisy}
    ctx.draw("contour.png", "the three runs on the contour map of x² − y²", viz.side_by_side, f, runs,
             bounds=[[-11, 11], [-11, 11]])
    ctx.draw("surface.gif", "animated: the nudged run leaving the saddle, with g and loss on every frame",
             viz.animate, nudged, view="surface", frames=ctx.frames, fps=10, bounds=[[-10, 10], [-10, 10]])


@experiment("seed003_saddle_optimizers", seed="003")
def saddle_optimizers(ctx):
    """Momentum, RMSProp and Adagrad at the saddle

    All three from (10, 0) with the seed's tiny gradient perturbation: momentum (β 0.9) swings through the
    saddle and gathers speed along y, RMSProp (γ 0.2) and Adagrad rescale each coordinate so the minute
    y-gradient gets a full-size step.
    """
    f = functions.get("saddle")
    specs = {
        "Momentum (β 0.9), lr 0.01": {"optimizer": "momentum", "lr": 0.01, "momentum": 0.9},
        "RMSProp (γ 0.2), lr 0.1": {"optimizer": "rmsprop", "lr": 0.1, "alpha": 0.2},
        "Adagrad, lr 1": {"optimizer": "adagrad", "lr": 1.0},
    }
    runs = gdlab.race(f, [10.0, 0.0], optimizers=specs, steps=100, noise=0.01, seed=0)
    for label, traj in runs.items():
        ctx.value(f"{label}: final point", _final_w(traj), digits=4, note=f"loss {float(traj.final_loss):.4g}")
    ctx.note("The article does not give these learning rates; gdlab picks them. RMSProp's γ is torch's alpha.")
    ctx.draw("contour.png", "the three paths from (10, 0)", viz.contour, f, runs, bounds=[[-11, 11], [-11, 11]])
    ctx.draw("state.png", "inside the optimizers: velocity and accumulated squares along the paths",
             viz.optimizer_state, runs)


@experiment("seed003_relu", seed="003")
def relu_fit(ctx):
    """A 1-H-1 ReLU network fits y = 2x², with and without normalisation

    Batch GD for 300 epochs on 0.5·Σ(ŷ − y)². Standardising x and y puts the loss on a scale where one learning
    rate suits every weight; raw targets up to 18 make the same network crawl or blow up.
    """
    ds = datasets.get("seed003_quadratic")
    x, y = ds.x, ds.y
    hidden, lr, epochs = 20, 0.002, 300
    models, losses = {}, {}
    # raw data
    raw = nn.mlp([1, hidden, 1], activation="relu", seed=0, dtype="float64")
    raw.compile(optimizer=optim.SGD(lr=lr / 40), loss="half_sse")
    h_raw = raw.fit(x, y[:, None], epochs=epochs, batch_size=None, verbose=0)
    models["raw x, y"] = raw
    # standardised x and y, predictions mapped back
    sx, sy = datasets.Standardizer().fit(x), datasets.Standardizer().fit(y)
    norm = nn.mlp([1, hidden, 1], activation="relu", seed=0, dtype="float64")
    norm.compile(optimizer=optim.SGD(lr=lr), loss="half_sse")
    h_norm = norm.fit(sx.transform(x), sy.transform(y)[:, None], epochs=epochs, batch_size=None, verbose=0)

    def predict_norm(xs):
        return sy.inverse_transform(norm.predict(sx.transform(np.asarray(xs).reshape(-1, 1))).reshape(-1))

    models["standardised"] = predict_norm
    for label, model in models.items():
        pred = model.predict(x).reshape(-1) if hasattr(model, "predict") else model(x)
        losses[label] = float(np.mean((pred - y) ** 2))
        ctx.value(f"{label}: mse after {epochs} epochs (original units)", losses[label], digits=4)
    ctx.corrected("de-normalising the prediction", "ŷ·std(y) + mean(y)", "ŷ·std(x) + mean(x)",
                  note="the article's plot maps the prediction back with x's statistics; gdlab uses y's")
    ctx.note(f"The article shows neither the hidden size nor the learning rate: gdlab uses H = {hidden}, "
             f"lr {lr} (standardised) and {lr / 40:g} (raw; larger diverges).")
    ctx.draw("fit.png", "the data and both fits", viz.fit_curve, x, y, models, truth=lambda v: 2 * np.asarray(v) ** 2, title="y = 2x² + noise, 1-H-1 ReLU")
    # one unit for both curves: the standardised network's loss is in units of std(y)²; times std(y)² it is
    # 0.5·Σ(ŷ − y)² of its predictions mapped back (ŷ − y = std(y)·(ŷₛ − yₛ)), the raw network's unit
    back = float(np.asarray(sy.scale_)) ** 2
    ctx.draw("loss.png", "training loss per epoch, both in y's units (the standardised one mapped back)",
             viz.history_curves, {"raw x, y": h_raw, "standardised": {"loss": [v * back for v in h_norm.history["loss"]]}},
             logy=True, title="training loss 0.5·Σ(ŷ − y)², in y's units", ylabel="0.5·Σ(ŷ − y)²")
