"""Seed 002: batch gradient descent, stochastic gradient descent and mini-batch SGD on y = w·x."""

from __future__ import annotations

import numpy as np

from gdlab import datasets, nn, optim, viz

from .._core import experiment


def _line_model(w0=1.0):
    """y = w·x with w starting at ``w0`` (no bias), in float64 as the seed's Python floats."""
    return nn.Sequential(nn.Linear(1, 1, bias=False, init=nn.init.Constant(w0), dtype="float64"))


def _w(model) -> float:
    return float(np.asarray(model.layers[0].weight.data).reshape(-1)[0])


@experiment("seed002_gd", seed="002")
def batch_gd(ctx):
    """Batch gradient descent on y = w·x

    x = [1, 2, 3], y = [2, 4, 6], w = 1, lr 0.01, cost = mean squared error, one update per epoch from the mean
    gradient 2x(xw − y): w → 2 and predict(4) → 8.
    """
    x, y = datasets.get("seed002_gd")
    model = _line_model(1.0)
    before = float(model.predict(np.array([[4.0]])).reshape(-1)[0])
    model.compile(optimizer=optim.SGD(lr=0.01), loss="mse")
    history = model.fit(x, y[:, None], epochs=100, batch_size=None, shuffle=False, verbose=0)
    after = float(model.predict(np.array([[4.0]])).reshape(-1)[0])
    ctx.match("predict(4) before training", before, "4.0")
    ctx.match("predict(4) after 100 epochs", after, "8.0", digits=6, note="w = 2 − 0.9067¹⁰⁰ = 1.99994")
    ctx.value("cost at epoch 0 (w = 1)", history.history["loss"][0], note="(1 + 4 + 9)/3 = 4.667")
    ctx.value("final w", _w(model))
    ctx.draw("cost.png", "cost against epoch (the seed's plot; log scale)", viz.history_curves, history,
             logy=True, title="batch GD: cost per epoch")


@experiment("seed002_sgd", seed="002")
def sgd(ctx):
    """Stochastic gradient descent: one update per sample

    x = [1, 2, 3], y = [4, 5, 6]: three updates per epoch, in order. No line through the origin fits these
    points (they lie on y = x + 3), so w settles near the least-squares 16/7 and the per-sample loss never
    reaches 0.
    """
    ds = datasets.get("seed002_sgd")
    x, y = ds.x, ds.y
    model = _line_model(1.0)
    model.compile(optimizer=optim.SGD(lr=0.01), loss="mse")
    history = model.fit(x, y[:, None], epochs=100, batch_size=1, shuffle=False, verbose=0)
    ctx.value("updates per epoch", len(history.step_losses) // 100 if getattr(history, "step_losses", None) else 3)
    ctx.value("final w", _w(model), note=f"least squares without a bias: 16/7 = {16 / 7:.4f}")
    ctx.value("predict(4) after training", float(model.predict(np.array([[4.0]])).reshape(-1)[0]),
              note="the points' own line y = x + 3 gives 7")
    ctx.draw("loss.png", "loss against epoch", viz.history_curves, history, title="SGD: loss per epoch")


@experiment("seed002_regimes", seed="002")
def regimes(ctx):
    """GD, SGD and mini-batch SGD side by side

    The same data, model and learning rate; only the samples per update change: all 3 (GD, 1 update per epoch),
    1 (SGD, 3 updates) or 2 (mini-batch, 2 updates). More updates per epoch reach w = 2 in fewer epochs.
    """
    x, y = datasets.get("seed002_gd")
    histories, models = {}, {}
    for label, batch in (("GD (batch 3)", None), ("mini-batch (batch 2)", 2), ("SGD (batch 1)", 1)):
        model = _line_model(1.0)
        model.compile(optimizer=optim.SGD(lr=0.01), loss="mse")
        histories[label] = model.fit(x, y[:, None], epochs=30, batch_size=batch, shuffle=batch is not None,
                                     seed=0, verbose=0)
        models[label] = model
    for label, model in models.items():
        steps = len(getattr(histories[label], "step_losses", []) or [])
        ctx.value(f"{label}: w after 30 epochs", _w(model),
                  note=f"{steps // 30 if steps else '?'} updates per epoch")
    ctx.draw("curves.png", "loss per epoch for the three regimes (log scale)", viz.history_curves, histories,
             logy=True, title="GD vs mini-batch vs SGD")
    ctx.draw("predictions.png", "the data and each model's line after 30 epochs", viz.fit_curve, x, y, models,
             title="predictions after 30 epochs")
