"""Data-defined objectives: the loss of a linear model over a data set, full and mini-batch."""

import numpy as np
import pytest

import gdlab
from gdlab.functions import DataLoss, regression_loss


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 2))
    y = x @ np.array([1.5, -0.5]) + 0.3 + 0.1 * rng.normal(size=30)
    return x, y


@pytest.mark.parametrize("loss,scale", [("mse", 1 / 30), ("half_mse", 0.5 / 30), ("sse", 1.0), ("half_sse", 0.5)])
@pytest.mark.parametrize("bias", [True, False])
def test_value_gradient_and_hessian(data, loss, scale, bias):
    x, y = data
    f = regression_loss(x, y, bias=bias, loss=loss)
    assert f.dim == 3 if bias else 2
    theta = np.random.default_rng(1).normal(size=(4, f.dim))
    xa = np.concatenate([x, np.ones((30, 1))], axis=1) if bias else x
    r = theta @ xa.T - y
    np.testing.assert_allclose(f(theta), scale * (r**2).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(f.grad(theta), f.autodiff_grad(theta), rtol=1e-10)
    np.testing.assert_allclose(f.constant_hessian, gdlab.hessian(lambda t: f(t))(theta[0]), rtol=1e-6)
    # the minimiser is the least-squares solution: the gradient vanishes there
    assert np.linalg.norm(f.grad(f.minima[0])) < 1e-9
    assert f.minimum_value == pytest.approx(f(f.least_squares))


def test_mini_batch_estimates_are_unbiased(data):
    x, y = data
    for loss in ("mse", "half_sse"):
        f = regression_loss(x, y, loss=loss)
        theta = np.array([0.2, 0.1, -1.0])
        singles = np.array([f.grad(theta, batch=[i]) for i in range(30)])
        np.testing.assert_allclose(singles.mean(axis=0), f.grad(theta), rtol=1e-12)
        values = np.array([f.value(theta, batch=[i]) for i in range(30)])
        assert values.mean() == pytest.approx(f(theta), rel=1e-12)
        np.testing.assert_allclose(f.grad(theta, batch=np.arange(30)), f.grad(theta), rtol=1e-12)


def test_per_row_batches(data):
    x, y = data
    f = regression_loss(x, y)
    theta = np.random.default_rng(2).normal(size=(3, 3))
    idx = np.array([[0, 1], [5, 7], [29, 3]])
    g = f.grad(theta, batch=idx)
    for i in range(3):
        np.testing.assert_allclose(g[i], f.grad(theta[i], batch=idx[i]), rtol=1e-12)
    shared = f.grad(theta, batch=[4, 9])
    np.testing.assert_allclose(shared[1], f.grad(theta[1], batch=[4, 9]))


def test_seed002_single_feature():
    f = regression_loss([1.0, 2.0, 3.0], [2.0, 4.0, 6.0], bias=False)
    assert f.dim == 1 and f.param_names == ("w",)
    assert f(1.0) == pytest.approx((1 + 4 + 9) / 3)  # w = 1: residuals -1, -2, -3
    assert f.grad(1.0) == pytest.approx(np.mean(2 * np.array([1, 2, 3]) * (np.array([1, 2, 3]) - [2, 4, 6])))
    assert f.least_squares[0] == pytest.approx(2.0)
    assert f.predict([2.0], x=[4.0])[0] == 8.0


def test_bad_input(data):
    x, y = data
    with pytest.raises(ValueError, match="loss must be one of 'mse'"):
        regression_loss(x, y, loss="mae")
    with pytest.raises(ValueError, match="model must be one of 'linear'"):
        regression_loss(x, y, model="cubic")
    with pytest.raises(ValueError, match=r"y must be \(n_samples,\) with n_samples = 30"):
        regression_loss(x, y[:5])
    with pytest.raises(TypeError, match="bias must be True or False"):
        regression_loss(x, y, bias="yes")
    f = regression_loss(x, y)
    with pytest.raises(ValueError, match=r"batch indices must be in \[0, 30\)"):
        f.grad([0.0, 0.0, 0.0], batch=[30])
    with pytest.raises(TypeError, match="integer sample indices"):
        f.grad([0.0, 0.0, 0.0], batch=[0.5])
    assert isinstance(f, DataLoss)
