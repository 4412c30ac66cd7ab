"""The seed articles' trainings, reproduced with gdlab.nn, with their numbers.

Each test says what the article did and which gdlab call does the same.
"""


import numpy as np
import pytest

from gdlab import datasets as ds
from gdlab import nn, optim


# ------------------------------------------------------------------ seed 002: GD, SGD, mini-batch SGD on y = w x

def line_model(w0=1.0):
    """y = w x: one weight, no bias, w starting at w0 (the article's ``w = 1.0``)."""
    return nn.Sequential(nn.Linear(1, 1, bias=False, init=nn.init.Constant(w0), dtype="float64"))


def test_seed002_batch_gradient_descent():
    x, y = ds.load_seed002_gd()  # x = [1, 2, 3], y = [2, 4, 6]
    model = line_model()
    assert model.predict([[4.0]])[0, 0] == 4.0  # "Predict (before training) 4 4.0"
    model.compile(optim.SGD(lr=0.01), "mse")
    weights = nn.WeightHistory()
    h = model.fit(x, y, epochs=100, batch_size=None, verbose=0, callbacks=[weights])

    # the article's loop: cost = mean((x w - y)^2) printed before the update w -= 0.01 * mean(2 x (x w - y))
    w, ws, costs = 1.0, [], []
    for _ in range(100):
        costs.append(sum((xi * w - yi) ** 2 for xi, yi in zip([1, 2, 3], [2, 4, 6])) / 3)
        w -= 0.01 * sum(2 * xi * (xi * w - yi) for xi, yi in zip([1, 2, 3], [2, 4, 6])) / 3
        ws.append(w)
    np.testing.assert_allclose(h.history["loss"], costs, rtol=1e-12)
    np.testing.assert_allclose(weights.series("0.weight")[1:, 0, 0], ws, rtol=1e-12)
    assert h.history["loss"][0] == pytest.approx(14 / 3)  # epoch 0: w = 1
    # w_t = 2 - (1 - 0.01 * 28/3)^t exactly: the error shrinks by 0.9067 per epoch
    assert model[0].weight.data[0, 0] == pytest.approx(2 - (1 - 0.28 / 3) ** 100, rel=1e-13)
    assert model[0].weight.data[0, 0] == pytest.approx(1.9999444, abs=1e-7)
    assert model.predict([[4.0]])[0, 0] == pytest.approx(7.9997778, abs=1e-7)  # "Prediction (after training) 4 ~8.0"
    assert h.history["loss"][-1] == pytest.approx(1.7524e-08, rel=1e-4)


def test_seed002_stochastic_gradient_descent():
    x, y = ds.load_seed002_sgd()  # x = [1, 2, 3], y = [4, 5, 6]: one update per sample, in order
    model = line_model()
    model.compile(optim.SGD(lr=0.01), "mse")
    weights = nn.WeightHistory()
    h = model.fit(x, y, epochs=100, batch_size=1, shuffle=False, verbose=0, callbacks=[weights])
    w, ws, printed = 1.0, [], []
    for _ in range(100):
        for xi, yi in zip([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]):
            loss = (xi * w - yi) ** 2
            w -= 0.01 * 2 * xi * (xi * w - yi)
        ws.append(w)
        printed.append(loss)  # the article prints the last sample's loss of each epoch
    assert len(h.step_losses) == 300
    np.testing.assert_allclose(h.step_losses[2::3], printed, rtol=1e-12)
    np.testing.assert_allclose(weights.series("0.weight")[1:, 0, 0], ws, rtol=1e-12)
    # no line through the origin fits these points; SGD hovers near (not at) the least-squares w = 16/7
    assert model[0].weight.data[0, 0] == pytest.approx(ws[-1], rel=1e-12)
    assert abs(ws[-1] - 16 / 7) < 0.1


@pytest.mark.parametrize("batch_size,updates", [(None, 1), (1, 3), (2, 2)])
def test_seed002_the_three_regimes(batch_size, updates):
    x, y = ds.load_seed002_gd()
    model = line_model()
    model.compile(optim.SGD(lr=0.01), "mse")
    h = model.fit(x, y, epochs=30, batch_size=batch_size, verbose=0, seed=0)
    assert len(h.step_losses) == 30 * updates
    assert model[0].weight.data[0, 0] == pytest.approx(2.0, abs=0.3)


# ------------------------------------------------------------------ seed 001: five points, loss = sum of squares

def test_seed001_linear_regression():
    """tf.GradientTape + keras SGD(5e-4), loss = reduce_sum(square(a X + b - y)), 100 epochs from a = b = 0.

    Each of the article's epochs computes the gradient of the sum over all five points and
    applies it once: full-batch gradient descent on the sum of squared errors, i.e.
    loss="sse" with batch_size=None (Keras's "SGD" just applies the gradient it is given).
    """
    x, y = ds.load_seed001_points()
    model = nn.Sequential(nn.Linear(1, 1, init="zeros"))  # float32, as TensorFlow's constants
    model.compile(optim.SGD(lr=5e-4), "sse")
    h = model.fit(x, y, epochs=100, batch_size=None, verbose=0)
    a, b = float(model[0].weight.data[0, 0]), float(model[0].bias.data[0])
    assert round(a, 4) == 0.1542 and round(b, 4) == 0.1970  # the article's a = 0.1542, b = 0.1970
    assert h.history["loss"][0] == pytest.approx(0.36**2 + 0.54**2 + 0.82**2 + 1.0, rel=1e-6)
    # far from converged: the least-squares line is about y = 0.987 x + 0.052
    # one update per sample ("SGD" in the other sense) does not give the article's numbers:
    per_sample = nn.Sequential(nn.Linear(1, 1, init="zeros", dtype="float64"))
    per_sample.compile(optim.SGD(lr=5e-4), "sse")
    per_sample.fit(x, y, epochs=100, batch_size=1, shuffle=False, verbose=0)
    assert round(float(per_sample[0].weight.data[0, 0]), 4) == 0.154
    assert round(float(per_sample[0].bias.data[0]), 4) == 0.1968


# ------------------------------------------------------------------ seed 000: Celsius to Fahrenheit, Keras style

def test_seed000_celsius_to_fahrenheit():
    """compile(optimizer=Adam(0.1), loss='mse'), fit(c, f, epochs=500): a Dense(1) learns f = 1.8 c + 32.

    Seven points, Keras's default batch of 32: one update per epoch. The article also passes
    metrics=['accuracy'], which measures nothing for a regression (gdlab refuses it, see
    test_training); 'mae' is used here.
    """
    c, f = ds.load_celsius()
    model = nn.Sequential(nn.Linear(1, 1, seed=0))
    model.compile(optim.Adam(0.1), "mse", metrics=["mae"])
    h = model.fit(c, f, epochs=500, verbose=0)
    w, b = float(model[0].weight.data[0, 0]), float(model[0].bias.data[0])
    assert h.history["loss"][0] > 1000 and h.history["loss"][-1] < 10
    # after 500 epochs, as in the TensorFlow tutorial this comes from (w ~ 1.82, b ~ 29.1, 100 C -> 211.3 F):
    assert w == pytest.approx(1.824, abs=0.01) and b == pytest.approx(29.16, abs=0.1)
    assert model.predict([[100.0]])[0, 0] == pytest.approx(212, abs=1)
    assert h.history["mae"][-1] < 3
    # the bias is the slow coordinate: 1000 more epochs and the line is exact to float32 precision
    model.fit(c, f, epochs=1000, verbose=0)
    assert float(model[0].weight.data[0, 0]) == pytest.approx(1.8, abs=1e-4)
    assert float(model[0].bias.data[0]) == pytest.approx(32, abs=1e-3)


def test_seed000_keras_epsilon_does_not_matter_here():
    """Keras's Adam uses epsilon = 1e-7 (added to sqrt(v) before the bias correction, "epsilon hat");
    torch's and gdlab's use 1e-8 after it. With gradients in the hundreds the difference is invisible."""
    c, f = ds.load_celsius()
    out = []
    for eps in (1e-8, 1e-7):
        model = nn.Sequential(nn.Linear(1, 1, seed=0, dtype="float64"))
        model.compile(optim.Adam(0.1, eps=eps), "mse")
        model.fit(c, f, epochs=500, verbose=0)
        out.append(model.predict([[100.0]])[0, 0])
    assert abs(out[0] - out[1]) < 1e-3


# ------------------------------------------------------------------ seed 003: y = 2 x^2 with a 1-H-1 ReLU network

def fit_quadratic(normalise, lr=0.1, hidden=10, epochs=300):
    """Full-batch GD on the 1-H-1 ReLU network; returns (MSE in the original units, history)."""
    x, y = ds.make_seed003_quadratic()  # 100 points on [-3, 3], noise 0.2
    if normalise:  # fit a Standardizer on the training data, explicitly, for x and for y
        sx, sy = ds.Standardizer(), ds.Standardizer()
        xs, ys = sx.fit_transform(x), sy.fit_transform(y)
    else:
        xs, ys = x, y
    model = nn.Sequential(nn.Linear(1, hidden, seed=0, init="he_uniform", dtype="float64"), nn.ReLU(),
                          nn.Linear(hidden, 1, seed=1, init="he_uniform", dtype="float64"))
    model.compile(optim.SGD(lr=lr), "mse")
    with np.errstate(all="ignore"):
        h = model.fit(xs, ys, epochs=epochs, batch_size=None, verbose=0, callbacks=[nn.TerminateOnNaN()])
        pred = model.predict(xs)
    if normalise:
        pred = sy.inverse_transform(pred)  # back to the original units
    mse = float(np.mean((pred[:, 0] - y) ** 2))
    return mse if np.isfinite(mse) else np.inf, h


def test_seed003_normalisation():
    """Standardising x and y (fitted on the training data, predictions mapped back) conditions the problem:
    at lr = 0.1 plain GD on the raw data (y up to 18) diverges, while on standardised data it fits
    y = 2 x^2 closely in 300 epochs."""
    raw, h_raw = fit_quadratic(False)
    norm, h_norm = fit_quadratic(True)
    assert raw == np.inf and not np.isfinite(h_raw.step_losses[-1])  # diverged (TerminateOnNaN stopped it)
    assert norm < 0.5  # noise variance is 0.04; a ReLU net with 10 units is piecewise linear
    assert h_norm.history["loss"][-1] < 0.02 * h_norm.history["loss"][0]


def test_seed003_raw_data_needs_a_smaller_step():
    """Honest about the other side: on raw data GD is stable only for lr below about 0.05; there it can fit
    as well in 300 epochs. Normalisation widens the range of usable learning rates."""
    raw, _ = fit_quadratic(False, lr=0.03)
    assert raw < 0.5
    assert fit_quadratic(True, lr=0.2)[0] < 0.5  # raw data diverges already at 0.1


# ------------------------------------------------------------------ seed 004: the learning loop on handwritten digits

def test_seed004_digits_minibatch_sgd():
    """Mini-batches drawn at random, gradient, update, repeat; train and test accuracy per epoch (a 64-H-10 net)."""
    d = ds.load_digits(scale=True)
    x_train, x_test, y_train, y_test = ds.train_test_split(d.x, d.y, test_size=0.25, seed=0, stratify=d.y)
    model = nn.mlp([64, 64, 10], activation="relu", seed=0)
    model.compile(optim.SGD(lr=0.1), "cross_entropy", metrics=["accuracy"])
    h = model.fit(x_train, y_train, epochs=20, batch_size=32, validation_data=(x_test, y_test), verbose=0, seed=0)
    assert len(h.history["accuracy"]) == len(h.history["val_accuracy"]) == 20
    assert len(h.step_losses) == 20 * int(np.ceil(len(x_train) / 32))
    assert h.history["val_accuracy"][0] < h.history["val_accuracy"][-1]
    assert h.history["val_accuracy"][-1] >= 0.95
    assert model.evaluate(x_test, y_test)["accuracy"] == h.history["val_accuracy"][-1]
