"""Seed 004 (notes on "Deep Learning from Scratch", ch. 4): numerical differentiation and learning."""

from __future__ import annotations

import numpy as np

from ._core import experiment


@experiment(
    "seed004_numdiff", seed="004", title="Numerical derivative and tangent lines",
    explain="The central difference (f(x+h) − f(x−h)) / 2h with h = 1e-4 on y = 0.01x² + 0.1x, "
            "and the partial derivatives of x0² + x1² at (3, 4), against autodiff's exact values.",
)
def numdiff(ctx):
    import gdlab
    from gdlab import functions, viz

    rows = gdlab.numdiff.seed004_table(exact=gdlab.grad)
    d5, d10, p0, p1 = (r["numerical"] for r in rows[:4])
    ctx.match("f'(5), f = 0.01x² + 0.1x", d5, "0.1999999999990898", digits=16,
              note=f"the exact derivative (autodiff) is {rows[0]['exact']:g}")
    ctx.match("f'(10)", d10, "0.2999999999986347", digits=16, note=f"exact: {rows[1]['exact']:g}")
    ctx.match("∂f/∂x0 at (3, 4), f = x0² + x1²", p0, "6.00000000000378", digits=15,
              note=f"exact: {rows[2]['exact']:g}; error {rows[2]['abs_error']:.1e}")
    ctx.match("∂f/∂x1 at (3, 4)", p1, "7.999999999999119", digits=16,
              note=f"exact: {rows[3]['exact']:g}; error {rows[3]['abs_error']:.1e}")
    f = functions.get("gentle_quadratic")
    ctx.draw("tangents.png", "y = 0.01x² + 0.1x with its tangents at x = 5 and x = 10 (slopes 0.2 and 0.3)",
             viz.tangents, f, [5.0, 10.0], xlim=(0.0, 20.0))
    ctx.draw("surface.png", "f(x0, x1) = x0² + x1² (the book's figure 4-8)",
             viz.surface, functions.get("paraboloid"), bounds=[[-3, 3], [-3, 3]], labels=("x0", "x1"), resolution=ctx.pick(60, 30))


@experiment(
    "seed004_gradient", seed="004", title="The gradient as a field of arrows",
    explain="numerical_gradient of x0² + x1² at three points; the negative gradient everywhere points to "
            "the minimum, and its length grows with the distance.",
)
def gradient(ctx):
    import gdlab
    from gdlab import functions, viz

    rows = gdlab.numdiff.seed004_table(exact=gdlab.grad)[4:]
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


@experiment(
    "seed004_descent", seed="004", title="Gradient descent from (−3, 4): the learning rate matters",
    explain="100 steps of x ← x − lr·∇f on x0² + x1²: lr 0.1 reaches the minimum, lr 10 diverges, "
            "lr 1e-10 barely moves.",
)
def descent(ctx):
    import gdlab
    from gdlab import functions, viz

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


@experiment(
    "seed004_digits", seed="004", title="The learning loop: a two-layer network reads handwritten digits",
    explain="Repeat: draw a mini-batch of 100, compute the gradient, step. A 64-50-10 sigmoid network on the "
            "8×8 digits, plain SGD; train and test accuracy are measured after every epoch.",
)
def digits(ctx):
    from gdlab import datasets, nn, optim, viz

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
