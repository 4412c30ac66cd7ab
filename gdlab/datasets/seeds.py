"""The data sets of the five seed articles, exactly as the experiments use them.

Every function returns a :class:`~gdlab.datasets.Dataset` with ``x`` of shape ``(n, d)``
(float64) and ``y`` of shape ``(n,)`` (float64).
"""

from __future__ import annotations

import numpy as np

from ._base import Dataset, check_n_samples, check_nonneg, make_rng

__all__ = [
    "load_celsius",
    "load_seed001_points",
    "load_seed002_gd",
    "load_seed002_sgd",
    "make_seed003_linear",
    "make_seed003_quadratic",
]

#: Celsius values of the classic Keras/TensorFlow "Celsius to Fahrenheit" example.
CELSIUS = (-40.0, -10.0, 0.0, 8.0, 15.0, 22.0, 38.0)


def _column(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1, 1)


def load_celsius() -> Dataset:
    """Celsius to Fahrenheit pairs (seed 000, the Keras example).

    Seed 000 shows the Keras way of fitting a line: ``compile(optimizer=Adam(0.1),
    loss='mse')`` then ``fit(c, f, epochs=500)``. The data are the classic seven Celsius
    values -40, -10, 0, 8, 15, 22, 38 with ``f = 1.8 c + 32`` computed exactly (the
    tutorial it comes from rounds some of them, e.g. 46 for 8 C; gdlab does not).

    Returns
    -------
    Dataset
        ``x`` (7, 1) Celsius, ``y`` (7,) Fahrenheit; ``true_params = {"w": 1.8, "b": 32.0}``.
    """
    c = _column(CELSIUS)
    f = 1.8 * c[:, 0] + 32.0
    return Dataset(
        c,
        f,
        name="celsius",
        description="Celsius to Fahrenheit, f = 1.8 c + 32 (seed 000, Keras Adam(0.1), mse, 500 epochs).",
        true_params={"w": 1.8, "b": 32.0},
        info={"seed": "000", "units": ("degC", "degF")},
    )


def load_seed002_gd() -> Dataset:
    """x = [1, 2, 3], y = [2, 4, 6] (seed 002, batch gradient descent on y = w x).

    Seed 002 fits ``y = w x`` from ``w = 1`` with lr 0.01 for 100 epochs, cost = mean squared
    error; predict(4) goes from 4.0 before training to about 8.0 after.

    Returns
    -------
    Dataset
        ``x`` (3, 1), ``y`` (3,); ``true_params = {"w": 2.0}`` (an exact fit).
    """
    return Dataset(
        _column([1.0, 2.0, 3.0]),
        np.array([2.0, 4.0, 6.0]),
        name="seed002_gd",
        description="x = [1, 2, 3], y = [2, 4, 6]: seed 002's batch gradient descent on y = w x (w0 = 1, lr 0.01, 100 epochs).",
        true_params={"w": 2.0},
        info={"seed": "002", "w0": 1.0, "lr": 0.01, "epochs": 100},
    )


def load_seed002_sgd() -> Dataset:
    """x = [1, 2, 3], y = [4, 5, 6] (seed 002, stochastic gradient descent, one update per sample).

    Seed 002 trains ``y = w x`` by SGD for 100 epochs on these points. No line through the
    origin fits them: they lie on ``y = x + 3`` exactly, and the least-squares ``w`` of the
    model ``y = w x`` is ``sum(x y) / sum(x^2) = 32 / 14 = 16/7``.

    Returns
    -------
    Dataset
        ``x`` (3, 1), ``y`` (3,); ``true_params = {"w": 1.0, "b": 3.0}``;
        ``info["least_squares_w_no_bias"] = 16/7``.
    """
    return Dataset(
        _column([1.0, 2.0, 3.0]),
        np.array([4.0, 5.0, 6.0]),
        name="seed002_sgd",
        description="x = [1, 2, 3], y = [4, 5, 6]: seed 002's SGD on y = w x (one update per sample, 100 epochs).",
        true_params={"w": 1.0, "b": 3.0},
        info={"seed": "002", "epochs": 100, "least_squares_w_no_bias": 16.0 / 7.0},
    )


def load_seed001_points() -> Dataset:
    """Seed 001's five points for linear regression y = a x + b.

    ``X = [0, 0.25, 0.5, 0.74, 1]`` (0.74, not 0.75, as in the article) and
    ``y = [0, 0.36, 0.54, 0.82, 1]``. Seed 001 fits them from ``a = b = 0`` with the sum of
    squared errors and plain SGD, lr 5e-4, 100 epochs, ending at about a = 0.1542,
    b = 0.1970 (far from converged; the least-squares line is about y = 0.987 x + 0.052).

    Returns
    -------
    Dataset
        ``x`` (5, 1), ``y`` (5,); ``true_params`` is empty (the points are measured,
        not generated); ``info`` holds the seed's result after 100 epochs.
    """
    return Dataset(
        _column([0.0, 0.25, 0.5, 0.74, 1.0]),
        np.array([0.0, 0.36, 0.54, 0.82, 1.0]),
        name="seed001_points",
        description="Seed 001's five points for y = a x + b (sum of squared errors, SGD lr 5e-4, 100 epochs).",
        info={"seed": "001", "lr": 5e-4, "epochs": 100, "result_after_100_epochs": {"a": 0.1542, "b": 0.1970}},
    )


#: gdlab's choice for seed 003's true weights: the article never shows the call that sets them.
SEED003_WEIGHTS = (2.0, -3.0)


def make_seed003_linear(n_samples: int = 100, weights=SEED003_WEIGHTS, noise: float = 0.2, seed=0) -> Dataset:
    """y = w1 x1 + w2 x2 + noise (seed 003, example 1: the optimizer paths over (w1, w2)).

    As in the article's ``get_data``: ``x ~ N(0, 1)`` of shape (n, 2) and
    ``y = x @ w + noise * N(0, 1)`` with noise 0.2, and no bias. The article fits it from
    ``w = (-10, 10)`` with batch GD, SGD, Adagrad and momentum and draws the path on the loss
    contours over [-10, 10]^2. It never shows the call that sets the true weights and the
    sample size, so gdlab chooses ``w = (2, -3)`` and 100 samples (both arguments).
    The article's data were unseeded; here ``seed=0`` by default, so one call is reproducible.

    Parameters
    ----------
    n_samples : int >= 1
    weights : pair of floats, the true (w1, w2)
    noise : float >= 0, standard deviation of the Gaussian noise added to y
    seed : None, int or numpy.random.Generator

    Returns
    -------
    Dataset
        ``x`` (n, 2), ``y`` (n,); ``true_params = {"w": (w1, w2)}``.
    """
    n = check_n_samples(n_samples)
    noise = check_nonneg(noise)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (2,) or not np.all(np.isfinite(w)):
        raise ValueError(f"weights must be two finite numbers (w1, w2), got {weights!r}")
    rng = make_rng(seed)
    x = rng.standard_normal((n, 2))
    y = x @ w + noise * rng.standard_normal(n)
    return Dataset(
        x,
        y,
        name="seed003_linear",
        description="y = w1 x1 + w2 x2 + noise, x ~ N(0, 1) (seed 003, example 1: GD/SGD/Adagrad/momentum paths from w = (-10, 10)).",
        true_params={"w": tuple(float(v) for v in w)},
        info={"seed": "003", "n_samples": n, "noise": noise, "rng_seed": seed, "w0": (-10.0, 10.0)},
    )


def make_seed003_quadratic(n_samples: int = 100, noise: float = 0.2, seed=0) -> Dataset:
    """y = 2 x^2 + noise on [-3, 3] (seed 003, example 2: a 1-H-1 ReLU network by batch GD).

    As in the article's ``get_data``: ``x = linspace(-3, 3, n)`` (evenly spaced, sorted) and
    ``y = 2 x^2 + noise * N(0, 1)`` with noise 0.2. The article's heading says
    ``y = 2x^2 + 1`` but its code (and this function) has no ``+ 1``. The article trains for
    300 epochs, optionally normalising x and y first (see :class:`Standardizer`). It does
    not show the sample size; gdlab uses 100. ``seed=0`` by default (the article's noise was
    unseeded).

    Returns
    -------
    Dataset
        ``x`` (n, 1), ``y`` (n,); ``true_params = {"a": 2.0}`` for ``y = a x^2``.
    """
    n = check_n_samples(n_samples)
    noise = check_nonneg(noise)
    rng = make_rng(seed)
    x = np.linspace(-3.0, 3.0, n).reshape(-1, 1)
    y = 2.0 * x[:, 0] ** 2 + noise * rng.standard_normal(n)
    return Dataset(
        x,
        y,
        name="seed003_quadratic",
        description="y = 2 x^2 + noise, x evenly spaced on [-3, 3] (seed 003, example 2: 1-H-1 ReLU network, batch GD, 300 epochs).",
        true_params={"a": 2.0},
        info={"seed": "003", "n_samples": n, "noise": noise, "rng_seed": seed, "x_range": (-3.0, 3.0), "epochs": 300},
    )
