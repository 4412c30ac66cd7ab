"""Loss landscapes and curvature of trained networks: three gallery cards (gdlab.nn.landscape, gdlab.nn.curvature)."""

from __future__ import annotations

import time

import numpy as np

from ._core import experiment

#: the edge-of-stability card's learning rates (full-batch GD); 2/η = 50, 28.6, 20
EOS_LRS = (0.04, 0.07, 0.1)


@experiment(
    "landscape_interpolation", seed="beyond", title="From init to trained: the loss along a straight line",
    explain="Goodfellow et al.'s test on the digits network of seed 004 (64-64-10 ReLU, SGD lr 0.1, 20 epochs): "
            "evaluate θ(α) = (1 − α)·θ_init + α·θ_trained. The loss falls all the way, with no bump to climb: "
            "the hard part of training is not a barrier in the way.",
    heavy=True,
)
def interpolation(ctx):
    from gdlab import datasets, nn, optim, viz
    from gdlab.nn import landscape

    d = datasets.load_digits(scale=True)
    x_tr, x_te, y_tr, y_te = datasets.train_test_split(d.x, d.y, test_size=0.25, seed=0, stratify=d.y)
    init = nn.mlp([64, 64, 10], activation="relu", seed=0)
    model = nn.mlp([64, 64, 10], activation="relu", seed=0)  # the same seed: the same initial weights
    for m in (init, model):
        m.compile(optimizer=optim.SGD(lr=0.1), loss="cross_entropy", metrics=["accuracy"])
    epochs = ctx.pick(20, 8)
    model.fit(x_tr, y_tr, epochs=epochs, batch_size=32, seed=0, verbose=0)
    steps = ctx.pick(61, 31)
    ends = ("init", "trained")
    lines = {"train": landscape.interpolate(init, model, x_tr, y_tr, steps=steps, labels=ends),
             "test": landscape.interpolate(init, model, x_te, y_te, steps=steps, labels=ends)}
    tr = lines["train"]
    a, loss = tr.alpha, tr.loss
    inside = (a >= 0) & (a <= 1)
    rise = float(np.max(np.diff(loss[inside])))
    ctx.value("training loss at init → trained", (loss[a == 0][0], loss[a == 1][0]), digits=4,
              note=f"{epochs} epochs; the ends equal model.evaluate: "
                   f"{init.evaluate(x_tr, y_tr)['loss']:.4f}, {model.evaluate(x_tr, y_tr)['loss']:.4f}")
    ctx.check("loss along the segment", rise < 0, "falls at every step" if rise < 0 else f"rises by {rise:.3g}",
              "no barrier (Goodfellow et al. 2015)", note="largest change between neighbouring α on [0, 1]: "
                                                          f"{rise:.3g}")
    te = lines["test"]
    ctx.value("test accuracy at α = 0, 1, 1.5", (te.metrics["accuracy"][te.alpha == 0][0],
                                                 te.metrics["accuracy"][te.alpha == 1][0],
                                                 te.metrics["accuracy"][-1]), digits=3,
              note="past the trained weights (α > 1) the loss rises again: the line leaves the valley")
    ctx.draw("line.png", "loss (solid, log scale) and accuracy (dashed) along the line init → trained and beyond",
             viz.landscape_1d, lines, title="digits 64-64-10: the loss on the segment init → trained")


def _moons_model(optimizer, lr, seed=0):
    from gdlab import nn

    model = nn.mlp([2, 16, 16, 2], activation="relu", seed=seed)
    model.compile(optimizer=optimizer, loss="cross_entropy", metrics=["accuracy"], lr=lr)
    return model


@experiment(
    "landscape_moons", seed="beyond", title="The landscape around a trained network, and the way training came",
    explain="A 2-16-16-2 ReLU net on the moons, trained by Adam. Left: the loss on a plane of two random "
            "directions normalised per filter (Li et al. 2018) around the trained weights. Then the plane of the "
            "training path's two principal directions, with the path; and one plane through the shared start "
            "and the endpoints of GD with momentum and Adam, so both paths lie on one map.",
    heavy=True,
)
def moons(ctx):
    from gdlab import datasets, nn, viz
    from gdlab.nn import landscape

    x, y = datasets.get("moons", n_samples=300, noise=0.15, seed=0)
    epochs = ctx.pick(60, 25)
    steps = ctx.pick(41, 21)
    model = _moons_model("adam", 0.01)
    init = model.state_dict()
    trace = nn.WeightHistory()
    model.fit(x, y, epochs=epochs, batch_size=32, seed=0, verbose=0, callbacks=[trace])
    ev = model.evaluate(x, y)

    t0 = time.perf_counter()
    surf = landscape.slice_2d(model, x, y, landscape.directions(model, kind="filter", seed=0), span=1.0, steps=steps)
    took = time.perf_counter() - t0
    centre = surf.loss[steps // 2, steps // 2]
    ctx.value("loss at the centre of the slice", centre, digits=6,
              note=f"model.evaluate: {ev['loss']:.6g} (relative difference {abs(centre - ev['loss']) / ev['loss']:.1e}); "
                   f"accuracy {ev['accuracy']:.3f}")
    ctx.value(f"{steps}×{steps} slice", f"{took * 1e3:.0f} ms", note=f"{surf.method}: every grid point's "
                                                                      "forward pass in one batch")
    ctx.value("loss at the corners (span 1)", float(np.max(surf.loss[[0, 0, -1, -1], [0, -1, 0, -1]])), digits=3,
              note="one filter norm away the valley has risen far above the centre")
    ctx.draw("filter.png", "loss around the trained weights on two filter-normalised random directions",
             viz.landscape_2d, surf)

    pca = landscape.directions(model, kind="pca", history=trace)
    path = landscape.project(trace, pca)
    surf_pca = landscape.slice_2d(model, x, y, pca, span=landscape.path_span(path), steps=steps)
    ctx.value("path variance in the PCA plane", sum(pca.explained), digits=3,
              note=f"PC1 {pca.explained[0]:.1%}, PC2 {pca.explained[1]:.1%}: the path is nearly flat in 2 of "
                   f"{model.count_params()} dimensions")
    ctx.draw("pca.png", "the training path (Adam, one point per epoch) on the plane of its principal directions",
             viz.landscape_2d, surf_pca, {"Adam": path})
    html = ctx.report("pca.html", viz.interactive_landscape, surf_pca, {"Adam": path})
    ctx.add(html, "open the interactive landscape", kind="html", preview="pca.png")

    # two optimizers from the same start on one plane
    other = _moons_model("momentum", 0.05)
    other.load_state_dict(init)
    trace_m = nn.WeightHistory()
    other.fit(x, y, epochs=epochs, batch_size=32, seed=0, verbose=0, callbacks=[trace_m])
    plane = landscape.shared_plane(init, other, model, labels=("momentum", "Adam"))
    paths = {"momentum": landscape.project(trace_m, plane), "Adam": landscape.project(trace, plane)}
    both = np.concatenate(list(paths.values()))
    surf_shared = landscape.slice_2d(model, x, y, plane, span=landscape.path_span(both, 0.15), steps=steps)
    ctx.value("momentum / Adam final loss", (other.evaluate(x, y)["loss"], ev["loss"]), digits=3,
              note=f"Adam ends at {tuple(round(v, 2) for v in plane.points['Adam'])} in the plane's units "
                   "(momentum's end is (1, 0))")
    ctx.draw("shared.png", "GD with momentum and Adam from one start: the plane through the start and both ends",
             viz.landscape_2d, surf_shared, paths, view="contour")


@experiment(
    "edge_of_stability", seed="beyond", title="The edge of stability: sharpness rises to 2/η and stays there",
    explain="Full-batch gradient descent on a 1-16-16-1 tanh net fitting sin(2x) (mean squared error), at three "
            "learning rates. The top Hessian eigenvalue grows until it reaches 2/η, then hovers there while the "
            "loss keeps falling, unsteadily (Cohen et al. 2021). Seed 004's lr 10 diverged because 2/η = 0.2 was "
            "below the bowl's curvature 2 (seed004_descent); a network instead shapes its own curvature to the step.",
    heavy=True,
)
def edge_of_stability(ctx):
    from gdlab import nn, optim, viz
    from gdlab.nn import curvature

    x = np.linspace(-2.0, 2.0, 64).reshape(-1, 1)
    y = np.sin(2.0 * x)
    epochs = ctx.pick(2000, 700)
    records, histories = {}, {}
    for lr in EOS_LRS:
        model = nn.mlp([1, 16, 16, 1], activation="tanh", seed=0, dtype="float64")
        model.compile(optimizer=optim.SGD(lr=lr), loss="mse")
        cb = curvature.SharpnessCallback(x, y, every=ctx.pick(10, 25))
        history = model.fit(x, y, epochs=epochs, batch_size=None, verbose=0, callbacks=[cb])
        label = f"η = {lr:g}"
        records[label], histories[label] = cb, history
        late = float(np.median(np.asarray(cb.sharpness)[np.asarray(cb.steps) >= epochs * 3 // 4]))
        note = (f"sharpness {cb.sharpness[0]:.3g} at the start; final loss {history.step_losses[-1]:.2g}; "
                f"{cb.n_hvp} Hessian-vector products")
        if ctx.quick:  # too few updates to reach the edge at the smallest lr
            ctx.value(f"{label}: sharpness over the last quarter (median)", late, digits=3, note=note)
        else:
            ctx.check(f"{label}: sharpness over the last quarter (median)", abs(late - 2 / lr) <= 0.1 * 2 / lr,
                      f"{late:.3g}", f"2/η = {2 / lr:.3g}", note=note)
    ctx.draw("sharpness.png", "training loss (top) and sharpness (bottom) against updates; dashed: 2/η",
             viz.sharpness_curve, records, losses=histories,
             title="full-batch GD: the sharpness climbs to 2/η and stays at the edge")
