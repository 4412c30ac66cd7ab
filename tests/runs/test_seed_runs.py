"""The seeds' runs, reproduced with their numbers (see the seeds' README).

Where a seed's number differs from gdlab's, the test says which is right and why. Seed 003's
regression surface (gdlab.demo.seeds.seed003_loss) and its runs are in tests/demo/seeds/test_seed003.py.
"""

import numpy as np
import pytest

from gdlab.functions import get
from gdlab.runs import analyze, minimize, stability


# -- seed 000: y = x^2 by hand -------------------------------------------------------------

def seed000_train(w_start, epochs, lr):
    """The article's train(): w -= dfunc(w) * lr, history of epochs + 1 values."""
    w_list = np.zeros(epochs + 1)
    w = w_start
    w_list[0] = w
    for i in range(epochs):
        w -= 2 * w * lr
        w_list[i + 1] = w
    return w_list


def test_seed000_x_squared_from_minus_5():
    traj = minimize("square", -5.0, "gd", steps=150, lr=0.1)
    assert len(traj) == 151 and traj.params.shape == (151, 1) and traj.loss.shape == (151,)
    w = traj.params[:, 0]
    np.testing.assert_array_equal(w, seed000_train(-5.0, 150, 0.1))   # bit for bit
    np.testing.assert_allclose(w, -5.0 * 0.8 ** np.arange(151), rtol=1e-12)
    rounded = np.around(w, 2)
    first = int(np.flatnonzero(rounded == 0)[0])
    # "rounded to 2 decimals w reaches 0.00 after about 32 epochs": the first 0.00 is
    # w_31 = -5 * 0.8**31 = -0.00495, the 32nd value of the printed history (start included).
    assert first == 31
    assert abs(w[30]) >= 0.005 > abs(w[31])
    assert np.all(rounded[31:] == 0)
    assert traj.status == "max_steps"


def test_seed000_start_5_small_lr():
    traj = minimize("square", 5.0, "gd", steps=15000, lr=0.001, record=("params",))
    w = traj.params[:, 0]
    assert len(w) == 15001 and np.all(np.diff(w) < 0)           # slowly, monotonically down
    assert traj.final[0] == pytest.approx(5 * 0.998**15000, rel=1e-9)   # about 4.5e-13
    assert abs(traj.final[0]) < 1e-12


# -- seed 001: y = 3x^2 + 2x + 1 ------------------------------------------------------------

def test_seed001_quadratic():
    traj = minimize("quadratic", -10.0, "gd", steps=1000, lr=0.2)
    assert round(traj.final_loss, 4) == 0.6667
    assert traj.final[0] == pytest.approx(-1 / 3, abs=1e-12)
    assert traj.final_loss == pytest.approx(2 / 3, abs=1e-12)
    # x_{t+1} = x_t - 0.2 (6 x_t + 2): the error shrinks by |1 - 1.2| = 0.2 per step, alternating sign
    e = traj.params[:5, 0] + 1 / 3
    np.testing.assert_allclose(e[1:] / e[:-1], -0.2)


# -- seed 004: x0^2 + x1^2 ------------------------------------------------------------------

def test_seed004_gradient_descent():
    traj = minimize("paraboloid", [-3.0, 4.0], "gd", steps=100, lr=0.1)
    assert traj.params.shape == (101, 2)
    # the book prints [-6.11110793e-10  8.14814391e-10]
    np.testing.assert_allclose(traj.final, [-6.11110793e-10, 8.14814391e-10], rtol=1e-8)
    assert f"{traj.final[0]:.1e}" == "-6.1e-10" and f"{traj.final[1]:.1e}" == "8.1e-10"


def test_seed004_lr_10_diverges_without_raising():
    traj = minimize("paraboloid", [-3.0, 4.0], "gd", steps=100, lr=10.0)
    assert traj.status == "diverged"
    # x_t = (1 - 2 lr)^t x_0 = (-19)^t x_0 leaves the bound 1e6 * 4.5 at step 5
    assert traj.stopped_at == 5
    np.testing.assert_allclose(traj.final, (-19.0) ** 5 * np.array([-3.0, 4.0]))
    np.testing.assert_array_equal(traj.params[6:], np.broadcast_to(traj.final, (95, 2)))  # the last point repeats
    assert stability("paraboloid", "gd", lr=10.0).stable is False


def test_seed004_lr_1e_10_barely_moves():
    traj = minimize("paraboloid", [-3.0, 4.0], "gd", steps=100, lr=1e-10)
    np.testing.assert_allclose(traj.final, [-3.0, 4.0], atol=1e-7)
    assert traj.final[0] != -3.0  # it did move, by 100 * 2e-10 * 3 = 6e-8
    assert traj.final == pytest.approx(np.array([-3.0, 4.0]) * (1 - 2e-10) ** 100, rel=1e-12)


# -- seed 003: the saddle x^2 - y^2 ---------------------------------------------------------

def test_seed003_saddle_from_the_ridge_line_never_leaves_it():
    f = get("saddle")
    traj = minimize(f, [10.0, 0.0], "gd", steps=500, lr=0.2, tol=1e-8)
    assert np.all(traj.params[:, 1] == 0.0)                 # dy = -2y = 0: y stays exactly 0
    assert traj.status == "converged"                       # the gradient vanished ...
    report = analyze(traj)
    assert report.final[0].kind == "saddle"                 # ... at a saddle point
    assert report.no_minimum and len(f.minima) == 0 and f.unbounded_below
    assert "saddle point, not a minimum" in report.verdicts[0] and "no minimum" in report.verdicts[0]
    assert stability(f, "gd", lr=0.2).max_stable_lr == 0.0  # negative curvature: no stable lr


def test_seed003_saddle_escapes_from_off_the_line():
    traj = minimize("saddle", [10.0, 0.01], "gd", steps=500, lr=0.2)
    assert traj.status == "diverged"                        # y grows by 1.4 per step, loss -> -inf
    assert abs(traj.final[1]) > 1e6 and traj.final_loss < -1e12
    assert np.all(np.diff(traj.loss[:traj.stopped_at + 1]) < 0)
    # the article's own run: lr 0.004, 500 epochs from (10, 0.01)
    slow = minimize("saddle", [10.0, 0.01], "gd", steps=500, lr=0.004)
    np.testing.assert_allclose(slow.final, [10 * 0.992**500, 0.01 * 1.008**500], rtol=1e-10)


def test_seed003_saddle_escapes_with_gradient_noise():
    traj = minimize("saddle", [10.0, 0.0], "gd", steps=500, lr=0.2, noise=0.01, seed=0)
    assert traj.status == "diverged" and abs(traj.final[1]) > 1e6
    again = minimize("saddle", [10.0, 0.0], "gd", steps=500, lr=0.2, noise=0.01, seed=0)
    np.testing.assert_array_equal(traj.params, again.params)   # reproducible from the seed
