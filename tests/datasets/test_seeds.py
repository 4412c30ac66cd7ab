"""The seeds' data sets: exact values, shapes, dtypes, metadata, determinism."""

import numpy as np
import pytest

from gdlab.datasets import (
    Dataset,
    load_celsius,
    load_seed001_points,
    load_seed002_gd,
    load_seed002_sgd,
    make_seed003_linear,
    make_seed003_quadratic,
)


def _check_regression(ds, n, d):
    assert isinstance(ds, Dataset)
    assert ds.x.shape == (n, d) and ds.x.dtype == np.float64
    assert ds.y.shape == (n,) and ds.y.dtype == np.float64
    assert ds.task == "regression"
    assert ds.description and "seed" in ds.description.lower() or ds.name == "celsius"


def test_celsius_values():
    ds = load_celsius()
    _check_regression(ds, 7, 1)
    np.testing.assert_array_equal(ds.x[:, 0], [-40, -10, 0, 8, 15, 22, 38])
    np.testing.assert_allclose(ds.y, [-40, 14, 32, 46.4, 59, 71.6, 100.4], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ds.y, 1.8 * ds.x[:, 0] + 32)
    assert ds.true_params == {"w": 1.8, "b": 32.0}
    assert "000" in ds.description


def test_seed002_values():
    gd = load_seed002_gd()
    _check_regression(gd, 3, 1)
    np.testing.assert_array_equal(gd.x[:, 0], [1, 2, 3])
    np.testing.assert_array_equal(gd.y, [2, 4, 6])
    assert gd.true_params == {"w": 2.0}
    sgd = load_seed002_sgd()
    _check_regression(sgd, 3, 1)
    np.testing.assert_array_equal(sgd.x[:, 0], [1, 2, 3])
    np.testing.assert_array_equal(sgd.y, [4, 5, 6])
    w = sgd.info["least_squares_w_no_bias"]
    assert w == pytest.approx(np.sum(sgd.x[:, 0] * sgd.y) / np.sum(sgd.x[:, 0] ** 2))
    np.testing.assert_array_equal(sgd.true_params["w"] * sgd.x[:, 0] + sgd.true_params["b"], sgd.y)


def test_seed001_points():
    ds = load_seed001_points()
    _check_regression(ds, 5, 1)
    np.testing.assert_array_equal(ds.x[:, 0], [0, 0.25, 0.5, 0.74, 1])
    np.testing.assert_array_equal(ds.y, [0, 0.36, 0.54, 0.82, 1])
    assert ds.info["result_after_100_epochs"] == {"a": 0.1542, "b": 0.1970}


def test_unpacks_like_a_pair():
    x, y = load_seed002_gd()
    assert x.shape == (3, 1) and y.shape == (3,)
    ds = load_seed002_gd()
    assert ds.n_samples == 3 and ds.n_features == 1 and ds.n_classes is None
    assert "seed002_gd" in repr(ds)


def test_seed003_linear():
    ds = make_seed003_linear()
    _check_regression(ds, 100, 2)
    w = np.array(ds.true_params["w"])
    np.testing.assert_array_equal(w, [2.0, -3.0])
    residual = ds.y - ds.x @ w
    # noise 0.2: the residual's standard deviation is about 0.2
    assert 0.15 < residual.std() < 0.25
    w_hat = np.linalg.lstsq(ds.x, ds.y, rcond=None)[0]
    np.testing.assert_allclose(w_hat, w, atol=0.1)
    # deterministic by default (seed=0), other seeds differ
    np.testing.assert_array_equal(ds.y, make_seed003_linear().y)
    assert not np.array_equal(ds.y, make_seed003_linear(seed=1).y)
    # noise 0 gives the exact plane; other sizes and weights
    exact = make_seed003_linear(n_samples=7, weights=(1.5, 0.5), noise=0.0, seed=3)
    np.testing.assert_allclose(exact.y, exact.x @ [1.5, 0.5], atol=1e-15)
    assert exact.x.shape == (7, 2)


def test_seed003_quadratic():
    ds = make_seed003_quadratic()
    _check_regression(ds, 100, 1)
    np.testing.assert_allclose(ds.x[:, 0], np.linspace(-3, 3, 100))
    residual = ds.y - 2 * ds.x[:, 0] ** 2
    assert 0.15 < residual.std() < 0.25
    np.testing.assert_array_equal(ds.y, make_seed003_quadratic().y)
    clean = make_seed003_quadratic(n_samples=13, noise=0.0)
    np.testing.assert_array_equal(clean.y, 2 * clean.x[:, 0] ** 2)
    assert clean.x.min() == -3 and clean.x.max() == 3


@pytest.mark.parametrize("fn", [make_seed003_linear, make_seed003_quadratic])
def test_seed003_bad_input(fn):
    with pytest.raises(ValueError, match="n_samples"):
        fn(n_samples=0)
    with pytest.raises(ValueError, match="noise"):
        fn(noise=-0.1)
    with pytest.raises(TypeError, match="seed"):
        fn(seed="abc")


def test_seed003_linear_bad_weights():
    with pytest.raises(ValueError, match="weights"):
        make_seed003_linear(weights=(1.0, 2.0, 3.0))
