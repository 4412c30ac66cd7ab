"""Seed 000: gradient descent written by hand on y = x², and Keras's compile/fit on Celsius to Fahrenheit."""

from __future__ import annotations

import numpy as np

import gdlab
from gdlab import datasets, functions, nn, optim, viz

from .._core import experiment


def _title(chinese: str, english: str) -> str:
    """The seed's Chinese title where a CJK font is installed, the English one otherwise (no tofu boxes)."""
    try:
        return chinese if viz.cjk_font() else english
    except Exception:  # pragma: no cover - a font lookup problem must not cost the figure
        return english


def _seed_arrow(fig, w, f):
    """Seed 000's green quiver: from the start toward the 4th visited point, the direction of the updates."""
    ax = fig.axes[0]
    x0, y0 = w[0], float(f(w[0]))
    x4, y4 = w[4], float(f(w[4]))
    ax.annotate("", xy=(x0 + 0.55 * (x4 - x0), y0 + 0.55 * (y4 - y0)), xytext=(x0 - 0.2, y0), zorder=7,
                arrowprops=dict(arrowstyle="-|>", color="#1a9641", lw=2.6, mutation_scale=22))
    ax.annotate("update direction", (x0 + 0.3 * (x4 - x0), y0 + 0.3 * (y4 - y0)), xytext=(12, 6),
                textcoords="offset points", color="#1a9641", fontsize=9, zorder=7)


@experiment("seed000_x2", seed="000")
def x_squared(ctx):
    """Gradient descent on y = x² from w = −5

    w ← w − 0.1·2w for 150 epochs: each step keeps 80% of w, so the red dotted path runs down the parabola to 0;
    the green arrow shows the direction of the updates.
    """
    f = functions.get("square")
    traj = gdlab.minimize(f, -5.0, optimizer="gd", lr=0.1, steps=150)
    w = np.asarray(traj.params, dtype=float).reshape(-1)
    ctx.match("history length (epochs + 1)", len(w), "151")
    rounded = np.round(w, 2)
    first_zero = int(np.argmax(rounded == 0))
    ctx.approx("epochs until w prints as 0.00", first_zero, "about 32",
               note=f"w after 31 epochs is {w[31]:.5f} (−5·0.8³¹), which np.around shows as −0.0")
    ctx.match("w after 150 epochs (2 decimals)", w[-1], "0.00", shown=f"{w[-1]:.2e}")
    fig = viz.path_1d(f, traj, xlim=(-6, 6), arrows=0, numbers=5,
                      title=_title("梯度下降法", "gradient descent on y = x²"), xlabel="w", ylabel="Loss")
    _seed_arrow(fig, w, f)
    ctx.save(fig, "path.png", "the visited points (red, dotted), the green arrow toward the 4th point")


@experiment("seed000_slow", seed="000")
def slow(ctx):
    """A tiny learning rate: start 5, lr 0.001, 15000 epochs

    With lr 0.001 each step keeps 99.8% of w: 15000 epochs still bring w from 5 to 0, slowly — the same minimum,
    a thousand times more steps.
    """
    f = functions.get("square")
    fast = gdlab.minimize(f, -5.0, optimizer="gd", lr=0.1, steps=150)
    slow_run = gdlab.minimize(f, 5.0, optimizer="gd", lr=0.001, steps=15000)
    w = np.asarray(slow_run.params, dtype=float).reshape(-1)
    ctx.match("final w (2 decimals)", w[-1], "0.00", shown=f"{w[-1]:.2e}", note="5·0.998¹⁵⁰⁰⁰ ≈ 4.4e-13")
    half = int(np.argmax(np.abs(w) < 2.5))
    ctx.value("epochs to halve w", half, note="ln 2 / −ln 0.998 ≈ 346")
    ctx.draw("curves.png", "loss against epoch (log scale): lr 0.1 from −5 and lr 0.001 from 5",
             viz.loss_curves, {"lr = 0.1, w₀ = −5": fast, "lr = 0.001, w₀ = 5": slow_run}, logy=True)


@experiment("seed000_celsius", seed="000")
def celsius(ctx):
    """Keras-style fit: Celsius to Fahrenheit with Adam(0.1)

    compile(optimizer=Adam(0.1), loss='mse') then fit(c, f, epochs=500): a single Linear(1, 1) is close (w 1.82,
    b 29.2: b is still climbing); 1500 more epochs give f = 1.8·c + 32 exactly.
    """
    c, fahrenheit = datasets.get("celsius")
    model = nn.Sequential(nn.Linear(1, 1, seed=0, dtype="float64"))
    model.compile(optimizer=optim.Adam(0.1), loss="mse", metrics=["mae"])
    history = model.fit(c, fahrenheit[:, None], epochs=500, verbose=0, seed=0)

    def weights():
        layer = model.layers[0]
        return float(np.asarray(layer.weight.data).reshape(-1)[0]), float(np.asarray(layer.bias.data).reshape(-1)[0])

    w, b = weights()
    ctx.value("w after 500 epochs (true 1.8)", w, digits=4)
    ctx.value("b after 500 epochs (true 32)", b, digits=4,
              note="Adam moves each weight by at most about lr = 0.1 per step: b is still on its way")
    more = model.fit(c, fahrenheit[:, None], epochs=1500, verbose=0, seed=0)  # fit continues where it stopped
    w2, b2 = weights()
    ctx.value("w, b after 2000 epochs", (w2, b2), digits=5)
    prediction = float(model.predict(np.array([[100.0]])).reshape(-1)[0])
    ctx.value("predict(100 °C) after 2000 epochs", prediction, note="exact: 212 °F")
    for key, values in more.history.items():
        history.history.setdefault(key, []).extend(values)
    ctx.note("The seed compiles with metrics=['accuracy'], which means nothing for a regression; "
             "gdlab reports the mean absolute error instead.")
    ctx.draw("fit.png", "the seven points and the learned line", viz.fit_curve, c, fahrenheit, model,
             truth=lambda x: 1.8 * np.asarray(x) + 32, xlabel="°C", ylabel="°F")
    ctx.draw("history.png", "mse loss and mae per epoch (500 epochs, then 1500 more)", viz.history_curves, history,
             logy=True)
