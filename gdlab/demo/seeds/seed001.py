"""Seed 001: gradient descent on 3x² + 2x + 1, a regression with recorded gradients, backpropagation by hand."""

from __future__ import annotations

import numpy as np

import gdlab
from gdlab import datasets, functions, nn, optim, viz

from .._core import experiment

__all__ = ["seed001_network"]


def seed001_network(dtype="float64") -> nn.Sequential:
    """Seed 001's 1-2-1 sigmoid network: w11 = 1, w12 = -1, b1 = 3 (both hidden units), w21 = 2, w22 = 1, b2 = 0."""
    net = nn.Sequential(nn.Linear(1, 2, dtype=dtype, seed=0), nn.Sigmoid(), nn.Linear(2, 1, dtype=dtype, seed=0),
                        nn.Sigmoid())
    net[0].weight.data[...] = [[1.0, -1.0]]
    net[0].bias.data[...] = [3.0, 3.0]
    net[2].weight.data[...] = [[2.0], [1.0]]
    net[2].bias.data[...] = [0.0]
    return net


@experiment("seed001_quadratic", seed="001")
def quadratic(ctx):
    """Gradient descent on y = 3x² + 2x + 1 from x = −10

    x ← x − 0.2·(6x + 2) for 1000 iterations: the step overshoots (factor 1 − 0.2·6 = −0.2), zig-zags, and lands
    on the minimum y = 2/3 at x = −1/3.
    """
    f = functions.get("quadratic")
    traj = gdlab.minimize(f, -10.0, optimizer="gd", lr=0.2, steps=1000)
    ctx.match("final y", traj.final_loss, "0.67", note="the minimum is 2/3")
    ctx.value("final x", float(np.asarray(traj.final).reshape(-1)[0]), note="the minimiser is −1/3")
    ctx.value("steps until |x + 1/3| < 1e-6", int(np.argmax(np.abs(np.asarray(traj.params).reshape(-1) + 1 / 3) < 1e-6)))
    ctx.draw("path.png", "the first iterations zig-zag across the minimum", viz.path_1d, f, traj,
             xlim=(-11, 4), numbers=4, arrows=3, title="y = 3x² + 2x + 1, lr 0.2")


@experiment("seed001_regression", seed="001")
def regression(ctx):
    """Linear regression with recorded gradients (GradientTape style)

    y_pred = a·X + b on five points, loss = sum of squared errors, gradients by gdlab's autodiff, plain SGD with
    lr 5e-4 for 100 epochs — far from converged, as in the article.
    """
    ds = datasets.get("seed001_points")
    X, y = ds.x[:, 0], ds.y
    a = gdlab.Tensor(0.0, requires_grad=True)
    b = gdlab.Tensor(0.0, requires_grad=True)
    opt = optim.SGD([a, b], lr=5e-4)
    losses, lines = [], {}
    for epoch in range(100):
        opt.zero_grad()
        loss = ((a * X + b - y) ** 2).sum()  # recorded as it is computed
        loss.backward()
        losses.append(loss.item())
        opt.step()
        if epoch + 1 in (1, 10, 50, 100):
            lines[epoch + 1] = (a.item(), b.item())
    ctx.match("a after 100 epochs", a.item(), "0.1542", shown=f"{a.item():.4f}")
    ctx.match("b after 100 epochs", b.item(), "0.1970", shown=f"{b.item():.4f}")
    # the article's closing remark: a (mini-)batch loss is the mean of the per-sample losses (reduce_mean)
    zero = gdlab.Tensor(np.zeros((len(X), 1)))
    per_sample = nn.losses.get("mse", reduction="none")(zero, y[:, None]).numpy().reshape(-1)
    batch = nn.losses.get("mse")(zero, y[:, None]).item()
    ctx.check("batch loss at a = b = 0 = mean of the per-sample losses", bool(np.isclose(batch, per_sample.mean())),
              f"{batch:.5f} = mean({', '.join(f'{v:.4g}' for v in per_sample)})", "reduce_mean of the losses",
              note="this regression itself sums them (reduce_sum): 2.0936")
    slope, intercept = np.polyfit(X, y, 1)
    ctx.value("least-squares line", (slope, intercept), digits=4,
              note="where SGD would end: lr 5e-4 × 100 epochs is far too little")
    ctx.draw("fit.png", "the five points, the line after 1, 10, 50 and 100 epochs, and the least-squares line",
             viz.fit_curve, X, y, {f"epoch {k}": (lambda xs, ab=ab: ab[0] * xs + ab[1]) for k, ab in lines.items()}
             | {"least squares": (lambda xs: slope * xs + intercept)}, xlabel="X", ylabel="y")
    ctx.draw("loss.png", "sum of squared errors per epoch", viz.loss_curves, {"SGD lr 5e-4": np.array(losses)})


def _backprop_figure(values):
    """The 1-2-1 network with the forward values on the nodes and dE/dw on the edges."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle

    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(-0.4, 3.4)
    ax.set_ylim(-1.2, 1.4)
    nodes = {"x": (0, 0), "h1": (1.5, 0.65), "h2": (1.5, -0.65), "y": (3, 0)}
    edges = [("x", "h1", "w11"), ("x", "h2", "w12"), ("h1", "y", "w21"), ("h2", "y", "w22")]
    for a, b, name in edges:
        (x0, y0), (x1, y1) = nodes[a], nodes[b]
        ax.annotate("", xy=(x1 - 0.22, y1 + (y0 - y1) * 0.15), xytext=(x0 + 0.22, y0 + (y1 - y0) * 0.15),
                    arrowprops=dict(arrowstyle="-|>", color="#8a93a3", lw=1.3))
        # the weight above its edge, the gradient below it, both along the edge: no arrow runs through them
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        angle = float(np.degrees(np.arctan2(y1 - y0, x1 - x0)))
        along = dict(ha="center", va="center", rotation=angle, rotation_mode="anchor", transform_rotates_text=True)
        nx, ny = -(y1 - y0), x1 - x0
        nx, ny = nx / np.hypot(nx, ny), ny / np.hypot(nx, ny)
        ax.text(mx + 0.1 * nx, my + 0.1 * ny, f"{name} = {values['w'][name]:g}".replace("-", "−"), fontsize=8.5,
                color="#333", **along)
        ax.text(mx - 0.1 * nx, my - 0.1 * ny, f"∂E/∂{name} = {values['grad'][name]:.3g}".replace("-", "−"),
                fontsize=7.5, color="#c0392b", **along)
    labels = {"x": f"x = {values['x']:g}", "h1": f"σ(5) = {values['h1']:.4f}", "h2": f"σ(1) = {values['h2']:.4f}",
              "y": f"ŷ = {values['y']:.4f}"}
    for key, (x, y) in nodes.items():
        ax.add_patch(Circle((x, y), 0.2, facecolor="#eef3ff" if key != "y" else "#e5f5ec", edgecolor="#2f6fde",
                            lw=1.5))
        ax.text(x, y, key if key != "y" else "ŷ", ha="center", va="center", fontsize=11, fontweight="bold")
        # h1's value above it, clear of the gradients written under its two edges
        ax.text(x, y + (0.27 if key == "h1" else -0.33), labels[key], ha="center", va="bottom", fontsize=8.5)
    ax.text(3, -0.75, f"E = ½(1 − ŷ)² = {values['E']:.5f}", ha="center", fontsize=8.5)
    ax.text(1.5, 1.3, "b1 = 3 (both hidden units), b2 = 0, sigmoid everywhere", ha="center", fontsize=8.5,
            color="#5d6677")
    return fig


@experiment("seed001_backprop", seed="001")
def backprop(ctx):
    """Backpropagation by hand: a 1-2-1 sigmoid network

    Forward: hidden 0.9933 and 0.7311, output 0.9381; backward by the chain rule: dE/dw21 = (ŷ − y)·ŷ(1 − ŷ)·h1
    ≈ −0.00357. A gradient-descent step subtracts α·grad: w21 grows to 2.000715.
    """
    net = seed001_network()
    lines = []
    ex = nn.explain_backprop(net, [[2.0]], [[1.0]], lr=0.2, print_fn=lines.append)
    fw, grads = ex.forward, ex.gradients
    yp = fw["y_pred"]
    ctx.match("hidden 1: σ(x·w11 + b1)", fw["a11"], "0.99", digits=4)
    ctx.match("hidden 2: σ(x·w12 + b1)", fw["a12"], "0.73", digits=4)
    ctx.approx("y_temp", fw["z2"], "2.71", digits=4,
               note="the seed adds the rounded 0.99·2 + 0.73; unrounded it is 2.7177")
    ctx.corrected("output ŷ = σ(y_temp)", yp, "0.93", digits=4,
                  note="σ(2.7177) = 0.9381, which rounds to 0.94, not 0.93")
    ctx.corrected("∂E/∂ŷ = ŷ − y_true", yp - 1.0, "-0.07", digits=4,
                  note="follows from the rounded 0.93; with ŷ = 0.9381 it is −0.0619")
    ctx.match("∂ŷ/∂y_temp = ŷ(1 − ŷ)", yp * (1 - yp), "0.058", digits=4)
    ctx.match("∂E/∂w21", grads["w21"], "-0.004", digits=4, note="−0.0619 × 0.0581 × 0.9933 = −0.003575")
    ctx.corrected("w21 after one step (α = 0.2)", ex.updated["w21"], "1.9992", digits=7,
                  note="the seed writes w21 + α·grad (a sign error); gradient descent is w21 − α·grad = 2.000715")
    ctx.value("chain rule vs backward()", ex.max_abs_error, digits=2,
              note="largest difference between the hand products and gdlab's autodiff")
    text = ctx.path("chain_rule.txt")
    text.write_text(str(ex.text) + "\n", encoding="utf-8")
    ctx.add(text, "gdlab.nn.explain_backprop: every chain-rule factor, number by number", kind="text")
    values = {"x": 2.0, "h1": fw["a11"], "h2": fw["a12"], "y": yp, "E": fw["E"],
              "w": {"w11": 1.0, "w12": -1.0, "w21": 2.0, "w22": 1.0}, "grad": grads}
    ctx.save(_backprop_figure(values), "network.png", "the network: forward values on the nodes, ∂E/∂w on the edges")
