"""Seed 003's regression surface, and the article's optimizers on it, with their numbers."""

import math

import numpy as np
import pytest

import gdlab
from gdlab.demo.seeds import seed003_loss
from gdlab.runs import minimize, stability


def test_seed003_surface():
    f = seed003_loss()
    assert f.loss == "half_sse" and f.dim == 2
    np.testing.assert_allclose(f.true_params, [2.0, -3.0])
    np.testing.assert_allclose(f.least_squares, [2.0, -3.0], atol=0.05)
    np.testing.assert_array_equal(f.start, [-10.0, 10.0])
    ds = gdlab.datasets.get("seed003_linear")
    w = np.array([-10.0, 10.0])
    assert f(w) == pytest.approx(0.5 * np.square(ds.x @ w - ds.y).sum())  # the article's get_loss
    np.testing.assert_allclose(f.grad(w), ds.x.T @ (ds.x @ w - ds.y))     # the article's g_w


# -- seed 003: the optimizers on the regression surface -------------------------------------
# The surface is 0.5 * sum_i (w1 x_i1 + w2 x_i2 - y_i)^2 over 100 samples, true w = (2, -3).

@pytest.fixture(scope="module")
def surface():
    return seed003_loss()


def test_seed003_batch_gd(surface):
    slow = minimize(surface, [-10.0, 10.0], "gd", steps=500, lr=1e-4)
    assert np.all(np.diff(slow.loss) < 0)
    assert np.linalg.norm(slow.final - surface.least_squares) < 0.5       # small lr: still on its way
    fast = minimize(surface, [-10.0, 10.0], "gd", steps=100, lr=0.01)
    np.testing.assert_allclose(fast.final, surface.least_squares, atol=1e-8)
    np.testing.assert_allclose(fast.final, surface.true_params, atol=0.05)
    # lr * lambda_max = 1.05 > 1: along the steep direction the error changes sign every step
    h = stability(surface, "gd", lr=0.01)
    assert h.stable and 1 < 0.01 * h.L < 2
    top = np.linalg.eigh(surface.constant_hessian)[1][:, -1]
    e = (fast.params[:8] - surface.least_squares) @ top
    assert np.all(np.sign(e[1:]) == -np.sign(e[:-1]))


def test_seed003_sgd(surface):
    traj = minimize(surface, [-10.0, 10.0], "sgd", steps=1000, lr=1e-4, batch_size=1, sampling="random", seed=0)
    assert traj.gradient == "mini_batch"
    assert np.linalg.norm(traj.final - surface.true_params) < 0.1
    # each step used one sample's gradient (scaled to estimate the full sum), not the full gradient
    full = surface.grad(traj.params[0])
    assert not np.allclose(traj.grad[0], full)


def test_seed003_adagrad_lr_1_and_gd_lr_1(surface):
    ada = minimize(surface, [-10.0, 10.0], "adagrad", steps=500, lr=1.0)
    assert ada.status == "max_steps"
    assert np.linalg.norm(ada.final - surface.least_squares) < 1e-2
    gd = minimize(surface, [-10.0, 10.0], "gd", steps=500, lr=1.0)
    assert gd.status == "diverged" and gd.stopped_at < 10
    assert stability(surface, "gd", lr=1.0).stable is False


def test_seed003_momentum(surface):
    traj = minimize(surface, [-10.0, 10.0], "momentum", steps=500, lr=0.01)
    assert traj.hyperparameters["momentum"] == 0.9
    np.testing.assert_allclose(traj.final, surface.least_squares, atol=1e-8)
    assert traj.state["momentum_buffer"].shape == (501, 2)
    assert math.isfinite(traj.final_loss)
