"""Seed 004 (notes on "Deep Learning from Scratch", ch. 4): numerical differentiation and learning.

The seed differentiates

1. y = 0.01 x^2 + 0.1 x at x = 5 and x = 10 (exact: 0.02 x + 0.1 = 0.2 and 0.3);
2. the partial derivatives of f(x0, x1) = x0^2 + x1^2 at (3, 4), one variable fixed
   (function_tmp1(x0) = x0*x0 + 4.0**2.0, function_tmp2(x1) = 3.0**2.0 + x1*x1; exact 6 and 8);
3. the numerical gradient of x0^2 + x1^2 at (3, 4), (0, 2) and (3, 0) (exact: (2 x0, 2 x1)).

``seed004_table()`` returns one dict per experiment: ``experiment``, ``point``, ``numerical`` (seed
004's ``numerical_diff`` / ``numerical_gradient`` from gdlab.numdiff, h = 1e-4) and ``exact`` (the
analytic formula, or a gradient function's value: ``seed004_table(exact=gdlab.grad)`` puts gdlab's
autodiff there), plus ``abs_error`` = max |numerical - exact|; ``format_seed004_table`` prints it.
The gallery's cards for the seed follow: the table, the gradient field, descent with three learning
rates, and the learning loop on the digits.
"""

from __future__ import annotations

import numpy as np

import gdlab
from gdlab import datasets, functions, nn, optim, viz
from gdlab.numdiff import numerical_diff, numerical_gradient

from .._core import experiment

__all__ = ["seed004_table", "format_seed004_table"]


def function_1(x):
    """Seed 004: y = 0.01 x^2 + 0.1 x."""
    return 0.01 * x**2 + 0.1 * x


def function_tmp1(x0):
    """Seed 004: x0^2 + x1^2 with x1 = 4 fixed."""
    return x0 * x0 + 4.0**2.0


def function_tmp2(x1):
    """Seed 004: x0^2 + x1^2 with x0 = 3 fixed."""
    return 3.0**2.0 + x1 * x1


def function_2(x):
    """Seed 004: x0^2 + x1^2 (written with ``**`` and ``sum`` so that it also runs on Tensors)."""
    return (x**2).sum()


_ANALYTIC = {
    function_1: lambda x: 0.02 * x + 0.1,
    function_tmp1: lambda x0: 2.0 * x0,
    function_tmp2: lambda x1: 2.0 * x1,
    function_2: lambda x: 2.0 * np.asarray(x, dtype=np.float64),
}


def _exact(f, x, source):
    return _ANALYTIC[f](x) if source == "analytic" else source(f)(x)


def _check_source(exact):
    if not (exact == "analytic" or callable(exact)):
        raise ValueError(f"exact must be 'analytic' or a gradient function such as gdlab.grad, got {exact!r}")


def _source_name(exact):
    if exact == "analytic":
        return "analytic"
    return f"{exact.__module__.split('.')[0]}.{exact.__name__}" if hasattr(exact, "__name__") else repr(exact)


def _plain(value):
    """A float, or a tuple of floats for a vector (easy to print and to compare)."""
    arr = np.asarray(value, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else tuple(float(v) for v in arr.reshape(-1))


def seed004_table(exact="analytic"):
    """The seed-004 experiments as a list of dicts (see the module docstring).

    ``exact="analytic"`` fills the exact column with the hand-written derivatives; a gradient
    function ``grad(f) -> df`` fills it with ``grad(f)(x)``, e.g. ``exact=gdlab.grad`` (autodiff).
    """
    _check_source(exact)
    experiments = [
        ("d/dx (0.01 x^2 + 0.1 x)", function_1, 5.0, numerical_diff),
        ("d/dx (0.01 x^2 + 0.1 x)", function_1, 10.0, numerical_diff),
        ("d/dx0 (x0^2 + x1^2), x1 = 4", function_tmp1, 3.0, numerical_diff),
        ("d/dx1 (x0^2 + x1^2), x0 = 3", function_tmp2, 4.0, numerical_diff),
        ("grad (x0^2 + x1^2)", function_2, (3.0, 4.0), numerical_gradient),
        ("grad (x0^2 + x1^2)", function_2, (0.0, 2.0), numerical_gradient),
        ("grad (x0^2 + x1^2)", function_2, (3.0, 0.0), numerical_gradient),
    ]
    rows = []
    for name, f, point, method in experiments:
        x = point if isinstance(point, float) else np.array(point)
        numerical = _plain(method(f, x))
        exact_value = _plain(_exact(f, x, exact))
        error = float(np.max(np.abs(np.subtract(numerical, exact_value))))
        rows.append(
            {"experiment": name, "point": point, "numerical": numerical, "exact": exact_value, "abs_error": error}
        )
    return rows


def _fmt(value):
    if isinstance(value, tuple):
        return "(" + ", ".join(repr(v) for v in value) + ")"
    return repr(value)


def format_seed004_table(rows=None, exact="analytic"):
    """The rows of ``seed004_table(exact)`` as a plain-text table (numbers printed with ``repr``: all digits)."""
    _check_source(exact)
    if rows is None:
        rows = seed004_table(exact=exact)
    header = ("experiment", "point", "numerical (h = 1e-4)", f"exact ({_source_name(exact)})", "|error|")
    body = [
        (r["experiment"], _fmt(r["point"]), _fmt(r["numerical"]), _fmt(r["exact"]), f"{r['abs_error']:.1e}")
        for r in rows
    ]
    widths = [max(len(line[k]) for line in [header, *body]) for k in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in [header, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@experiment("seed004_numdiff", seed="004")
def numdiff(ctx):
    """Numerical derivative and tangent lines

    The central difference (f(x+h) − f(x−h)) / 2h with h = 1e-4 on y = 0.01x² + 0.1x, and the partial
    derivatives of x0² + x1² at (3, 4), against autodiff's exact values.
    """
    rows = seed004_table(exact=gdlab.grad)
    d5, d10, p0, p1 = (r["numerical"] for r in rows[:4])
    ctx.match("f'(5), f = 0.01x² + 0.1x", d5, "0.1999999999990898", digits=16,
              note=f"the exact derivative (autodiff) is {rows[0]['exact']:g}")
    ctx.match("f'(10)", d10, "0.2999999999986347", digits=16, note=f"exact: {rows[1]['exact']:g}")
    ctx.match("∂f/∂x0 at (3, 4), f = x0² + x1²", p0, "6.00000000000378", digits=15,
              note=f"exact: {rows[2]['exact']:g}; error {rows[2]['abs_error']:.1e}")
    ctx.match("∂f/∂x1 at (3, 4)", p1, "7.999999999999119", digits=16,
              note=f"exact: {rows[3]['exact']:g}; error {rows[3]['abs_error']:.1e}")
    table = ctx.path("table.txt")   # the seed's whole table: every digit, beside autodiff's exact values
    table.write_text(format_seed004_table(rows, exact=gdlab.grad) + "\n", encoding="utf-8")
    ctx.add(table, "numerical (h = 1e-4) against exact (autodiff) derivatives: all digits", kind="text")
    f = functions.get("gentle_quadratic")
    ctx.draw("tangents.png", "y = 0.01x² + 0.1x with its tangents at x = 5 and x = 10 (slopes 0.2 and 0.3)",
             viz.tangents, f, [5.0, 10.0], xlim=(0.0, 20.0), title="y = 0.01x² + 0.1x: tangent lines")
    ctx.draw("surface.png", "f(x0, x1) = x0² + x1² (the book's figure 4-8)",
             viz.surface, functions.get("paraboloid"), bounds=[[-3, 3], [-3, 3]], labels=("x0", "x1"), resolution=ctx.pick(60, 30))


@experiment("seed004_gradient", seed="004")
def gradient(ctx):
    """The gradient as a field of arrows

    numerical_gradient of x0² + x1² at three points; the negative gradient everywhere points to the minimum, and
    its length grows with the distance.
    """
    rows = seed004_table(exact=gdlab.grad)[4:]
    for row, seed in zip(rows, ("(6, 8)", "(0, 4)", "(6, 0)")):
        ctx.match(f"gradient at {tuple(int(v) for v in row['point'])}", row["numerical"], seed,
                  shown="(" + ", ".join(f"{v:.12g}" for v in row["numerical"]) + ")",
                  note=f"central differences; |error| {row['abs_error']:.1e} against autodiff")
    # the gradient of a loss with respect to a 2x3 weight matrix has the weight's shape (the book's simpleNet)
    rng = np.random.default_rng(0)
    w = rng.standard_normal((2, 3))
    x, t = np.array([0.6, 0.9]), np.array([0, 0, 1.0])

    def loss(weights):
        return -(gdlab.log_softmax(gdlab.Tensor(x) @ weights) * t).sum()

    numerical = gdlab.numdiff.gradient(lambda wv: float(loss(gdlab.Tensor(wv)).item()), w)
    exact = gdlab.grad(loss)(w)
    ctx.check("shape of ∂L/∂W for a 2×3 W", numerical.shape == w.shape == exact.shape,
              f"{numerical.shape[0]} × {numerical.shape[1]}", "2 × 3",
              note=f"numerical vs autodiff: max |difference| {np.max(np.abs(numerical - exact)):.1e}")
    f = functions.get("paraboloid")
    ctx.draw("field.png", "−∇f of x0² + x1² on [−2, 2]² (the book's figure 4-9)",
             viz.gradient_field, f, bounds=[[-2, 2], [-2, 2]], labels=("x0", "x1"), density=ctx.pick(17, 11))


@experiment("seed004_descent", seed="004")
def descent(ctx):
    """Gradient descent from (−3, 4): the learning rate matters

    100 steps of x ← x − lr·∇f on x0² + x1²: lr 0.1 reaches the minimum, lr 10 diverges, lr 1e-10 barely moves.
    """
    f = functions.get("paraboloid")
    x0 = [-3.0, 4.0]
    good = gdlab.minimize(f, x0, optimizer="gd", lr=0.1, steps=100)
    big = gdlab.minimize(f, x0, optimizer="gd", lr=10.0, steps=100)
    tiny = gdlab.minimize(f, x0, optimizer="gd", lr=1e-10, steps=100)
    ctx.match("lr 0.1, 100 steps: final x", good.final, "(-6.1e-10, 8.1e-10)", digits=3,
              note="−3·0.8¹⁰⁰ and 4·0.8¹⁰⁰ exactly")
    ctx.check("lr 10", str(big.status) == "diverged",
              f"{big.status} at step {int(big.stopped_at)}", "diverges to a huge value",
              note="each step multiplies x by 1 − 2·10 = −19")
    moved = float(np.linalg.norm(np.asarray(tiny.final) - np.asarray(x0)))
    ctx.check("lr 1e-10", moved < 1e-6, f"moved {moved:.1e}: ({tiny.final[0]:.9g}, {tiny.final[1]:.9g})",
              "barely moves")
    runs = {"lr = 0.1": good, "lr = 10": big, "lr = 1e-10": tiny}
    ctx.draw("lrs.png", "the three runs on the contour map of x0² + x1²", viz.side_by_side, f, runs,
             bounds=[[-4.5, 4.5], [-4.5, 4.5]], suptitle="gradient descent from (−3, 4), 100 steps")


@experiment("seed004_digits", seed="004")
def digits(ctx):
    """The learning loop: a two-layer network reads handwritten digits

    Repeat: draw a mini-batch of 100, compute the gradient, step. A 64-50-10 sigmoid network on the 8×8 digits,
    plain SGD; train and test accuracy are measured after every epoch.
    """
    x, y = datasets.load_digits(scale=True)
    x_train, x_test, y_train, y_test = datasets.train_test_split(x, y, test_size=0.2, seed=0)
    model = nn.mlp([64, 50, 10], activation="sigmoid", seed=0)
    model.compile(optimizer=optim.SGD(lr=0.5), loss="sparse_categorical_crossentropy_from_logits",
                  metrics=["accuracy"])
    epochs = 40
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=100, validation_data=(x_test, y_test), seed=0,
                        verbose=0)
    train_acc, test_acc = history.history["accuracy"][-1], history.history["val_accuracy"][-1]
    ctx.value("updates per epoch", -(-len(x_train) // 100), note=f"{len(x_train)} training images, batches of 100")
    ctx.value("train accuracy after 40 epochs", train_acc, digits=4)
    ctx.check("test accuracy after 40 epochs", test_acc >= 0.95, f"{test_acc:.4f}", "≥ 0.95",
              note="the book reaches about 0.95 on MNIST; these are the 8×8 UCI digits")
    ctx.value("train − test accuracy", train_acc - test_acc, digits=2, note="the two curves stay close: no overfitting")
    ctx.draw("accuracy.png", "loss and accuracy per epoch, train and test", viz.history_curves, history)
    ctx.draw("predictions.png", "test digits with the network's predictions (red: wrong)", viz.digits,
             x_test[:40], y_test[:40], model.predict(x_test[:40]), errors_first=True)
