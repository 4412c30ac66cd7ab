"""lr_sweep (all learning rates in one program) and tune (the fair protocol)."""

import numpy as np
import pytest

from gdlab.functions import get
from gdlab.runs import DEFAULT_LRS, SweepResult, TuneResult, lr_sweep, minimize, tune


def test_seed004_learning_rates_in_one_sweep():
    s = lr_sweep("paraboloid", [-3.0, 4.0], "gd", lrs=[1e-10, 0.1, 0.9, 1.1, 10.0], steps=100)
    assert isinstance(s, SweepResult)
    assert s.status.tolist() == ["max_steps", "max_steps", "max_steps", "diverged", "diverged"]
    assert s.final_loss.shape == (5,) and s.final.shape == (5, 2) and s.loss.shape == (101, 5)
    assert s.best_lr in (0.1, 0.9)
    assert s.trajectory.lr.shape == (100, 5)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam", "adagrad", "rmsprop"])
def test_sweep_equals_separate_runs(optimizer):
    lrs = [1e-3, 1e-2, 0.1]
    x0 = np.array([[-1.2, 1.0], [0.5, -0.5]])
    s = lr_sweep("rosenbrock", x0, optimizer, lrs=lrs, steps=40)
    assert s.final_loss.shape == (3, 2) and s.loss.shape == (41, 3, 2)
    for i, lr in enumerate(lrs):
        one = minimize("rosenbrock", x0, optimizer, steps=40, lr=lr)
        np.testing.assert_allclose(s.final[i], one.final, rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(s.status[i], one.status)
        run = s.run(i)
        np.testing.assert_allclose(run.params, one.params, rtol=1e-12, atol=1e-14)
        assert run.lr.shape == (40,) and run.hyperparameters["lr"] == lr


def test_sweep_with_a_schedule_and_hyperparameters():
    s = lr_sweep("elongated_bowl", None, "momentum", lrs=[0.01, 0.1], steps=20, momentum=0.5,
                 schedule=("step", {"step_size": 10, "gamma": 0.1}))
    one = minimize("elongated_bowl", None, "momentum", steps=20, lr=0.1, momentum=0.5,
                   schedule=("step", {"step_size": 10, "gamma": 0.1}))
    np.testing.assert_allclose(s.final[1], one.final, rtol=1e-13)
    np.testing.assert_allclose(s.trajectory.lr[:, 1], one.lr)
    assert s.hyperparameters["momentum"] == 0.5


def test_sweep_errors():
    with pytest.raises(ValueError, match="finite number > 0"):
        lr_sweep("sphere", None, "gd", lrs=[0.1, -1.0])
    with pytest.raises(ValueError, match="non-empty"):
        lr_sweep("sphere", None, "gd", lrs=[])
    with pytest.raises(TypeError, match="lrs="):
        lr_sweep("sphere", None, "gd", lr=0.1)
    assert len(DEFAULT_LRS) == 25 and DEFAULT_LRS[0] == pytest.approx(1e-5) and DEFAULT_LRS[-1] == pytest.approx(10)


def test_tune_same_budget_and_tuned_race():
    r = tune("rosenbrock", [-1.2, 1.0], ["gd", "momentum", "adam"], steps=300)
    assert isinstance(r, TuneResult)
    assert set(r.best_lr) == {"gd", "momentum", "adam"}
    for label, traj in r.race.items():
        assert traj.steps == 300 and traj.label == label
        assert traj.hyperparameters["lr"] == r.best_lr[label] and isinstance(r.best_lr[label], float)
        np.testing.assert_array_equal(traj.x0, [-1.2, 1.0])
        # the tuned run is the scored run: its final loss is the best score (minimum value 0)
        assert traj.final_loss == pytest.approx(r.best_score[label])
        assert traj.status != "diverged"
        # no learning rate on the grid did better
        assert np.all(r.scores[label][np.isfinite(r.scores[label])] >= r.best_score[label] - 1e-9)
    # diverged learning rates are penalised with +inf (GD on Rosenbrock at lr 10)
    assert r.scores["gd"][-1] == np.inf
    assert "| gd |" in r.summary()


def test_tune_ties_go_to_the_fastest_then_the_smaller_lr():
    # sphere from (1, 1): lr 0.5 lands on 0 in one step; lr 0.25 and 0.75 halve |x| each step
    r = tune("sphere", [1.0, 1.0], ["gd"], steps=100, lrs=[0.25, 0.5, 0.75])
    assert r.best_lr["gd"] == 0.5
    r = tune("sphere", [1.0, 1.0], ["gd"], steps=100, lrs=[0.25, 0.75])
    assert r.best_lr["gd"] == 0.25          # equally good and equally fast: the smaller lr


def test_tune_distance_objective_and_several_starts():
    x0 = np.array([[0.0, 0.0], [-1.0, 1.0], [1.0, -1.0]])
    r = tune("himmelblau", x0, {"heavy": {"optimizer": "momentum", "momentum": 0.8}, "adam": {}}, steps=200,
             objective="distance", lrs=10.0 ** np.arange(-4, 1))
    assert r.objective == "distance"
    for label, traj in r.race.items():
        assert traj.params.shape == (201, 3, 2)
        m = get("himmelblau").minima
        d = np.linalg.norm(traj.final[:, None] - m[None], axis=-1).min(axis=1).mean()
        assert d == pytest.approx(r.best_score[label])
    assert r.race["heavy"].hyperparameters["momentum"] == 0.8


def test_tune_all_diverged_and_errors():
    r = tune("saddle", [1.0, 1.0], ["gd"], steps=200, lrs=[0.1, 1.0])
    assert r.best_lr["gd"] is None and "gd" not in r.race
    with pytest.raises(ValueError, match="needs known minima"):
        tune("saddle", [1.0, 1.0], ["gd"], objective="distance")
    with pytest.raises(ValueError, match="objective must be one of"):
        tune("sphere", None, ["gd"], objective="speed")
    with pytest.raises(ValueError, match="tune chooses the learning rate"):
        tune("sphere", None, {"gd": {"lr": 0.1}})
