"""Distances to the minima, basins, critical points and the stability of fixed learning rates, checked
against actual runs."""

import numpy as np
import pytest

from gdlab.functions import get
from gdlab.runs import (analyze, basins, classify_point, distance_to_minimum, grid_starts, lr_sweep, minimize,
                        nearest_minimum, stability, tune)


def test_classify_points():
    assert classify_point("sphere", [0.0, 0.0]).kind == "minimum"
    him = get("himmelblau")
    cp = classify_point(him, him.maxima[0])
    assert cp.kind == "maximum" and cp.critical
    assert all(classify_point(him, s).kind == "saddle" for s in him.saddles)
    assert classify_point("saddle", [0.0, 0.0]).kind == "saddle"
    flat = classify_point("monkey_saddle", [0.0, 0.0])
    assert flat.kind == "flat" and flat.critical
    np.testing.assert_allclose(flat.eigenvalues, 0.0, atol=1e-8)
    off = classify_point("rosenbrock", [0.0, 0.0])
    assert not off.critical and off.grad_norm == pytest.approx(2.0)
    np.testing.assert_allclose(classify_point("rosenbrock", [1.0, 1.0]).hessian, [[802, -400], [-400, 200]], rtol=1e-6)
    with pytest.raises(ValueError, match=r"one point of shape \(2,\)"):
        classify_point("sphere", [0.0, 0.0, 0.0])


def test_gd_bound_two_over_L():
    rep = stability("elongated_bowl", "gd", lr=0.5)
    assert rep.exact and rep.L == pytest.approx(2.0) and rep.mu == pytest.approx(0.1)
    assert rep.max_stable_lr == pytest.approx(1.0) and rep.condition_number == pytest.approx(20.0)
    assert rep.stable and rep.rate == pytest.approx(0.95)
    # the run contracts at the predicted rate
    t = minimize("elongated_bowl", [1.0, 1.0], "gd", steps=200, lr=0.5)
    assert np.linalg.norm(t.params[200]) / np.linalg.norm(t.params[199]) == pytest.approx(0.95, rel=1e-9)


@pytest.mark.parametrize("optimizer,hp,limit", [
    ("gd", {}, 2.0),
    ("momentum", {"momentum": 0.9}, 3.8),
    ("momentum", {"momentum": 0.5}, 3.0),
    ("nesterov", {"momentum": 0.9}, 3.8 / 2.8),
])
def test_bounds_agree_with_runs(optimizer, hp, limit):
    f = get("elongated_bowl")            # L = 2
    bound = stability(f, optimizer, **hp).max_stable_lr
    assert bound == pytest.approx(limit / 2.0)
    assert stability(f, optimizer, lr=0.97 * bound, **hp).stable
    assert not stability(f, optimizer, lr=1.03 * bound, **hp).stable
    s = lr_sweep(f, [1.0, 1.0], optimizer, lrs=[0.97 * bound, 1.03 * bound], steps=3000, record=(), **hp)
    assert s.status.tolist() == ["max_steps", "diverged"]
    assert s.final_loss[0] < 1e-10


def test_adaptive_methods_have_no_fixed_bound():
    rep = stability("sphere", "adam", lr=0.1)
    assert rep.max_stable_lr is None and rep.stable is None and "adapts" in rep.notes[0]


def test_local_prediction_on_a_non_quadratic():
    rep = stability("rosenbrock", "gd", lr=1e-3, x=[1.0, 1.0])
    assert not rep.exact and rep.max_stable_lr == pytest.approx(2 / rep.L)
    assert rep.L == pytest.approx(1001.6, rel=1e-3)


def test_analyze_sets_the_run_beside_the_theory():
    rep = analyze(minimize("paraboloid", [-3.0, 4.0], "gd", steps=100, lr=10.0))
    assert "diverged at step 5, as predicted" in rep.verdicts[0]
    assert rep.stability.max_stable_lr == pytest.approx(1.0)
    ok = analyze(minimize("paraboloid", [-3.0, 4.0], "gd", steps=100, lr=0.1, tol=1e-8))
    assert ok.final[0].kind == "minimum" and ok.verdicts[0].startswith("converged to a minimum")
    many = analyze(minimize("himmelblau", np.array([[0.0, 0.0], [-1.0, -1.0]]), "adam", steps=2000, lr=0.05))
    assert [cp.kind for cp in many.final] == ["minimum", "minimum"]
    assert "stable" in str(ok)


# -- distances and basins -------------------------------------------------------------------

def test_distance_to_the_nearest_minimum():
    him = get("himmelblau")
    m = np.asarray(him.minima)
    pts = np.array([m[2] + [0.3, -0.4], m[0], [np.nan, 1.0], [1e300, 1e300]])
    index, dist = nearest_minimum(pts, him)                         # a function's .minima, or the array
    assert index[:2].tolist() == [2, 0]
    np.testing.assert_allclose(dist[:2], [0.5, 0.0], atol=1e-12)
    assert dist[2] == np.inf and dist[3] == np.inf                  # not finite: infinitely far
    np.testing.assert_array_equal(distance_to_minimum(pts, m), dist)
    assert distance_to_minimum(m[1], m) == 0.0                      # one point (d,) gives a number
    steps = distance_to_minimum(np.stack([pts[:2], pts[:2] * 0]), m)  # (T, n, d) -> (T, n)
    assert steps.shape == (2, 2)
    with pytest.raises(ValueError, match="no known minimum"):
        distance_to_minimum(pts, get("saddle"))
    with pytest.raises(ValueError, match="dimension 2 do not match points of dimension 3"):
        distance_to_minimum(np.zeros(3), m)


def test_tune_by_distance_scores_the_distance_it_reports():
    result = tune("rosenbrock", [-1.2, 1.0], ["adam"], steps=200, lrs=[1e-3, 1e-2, 1e-1], objective="distance")
    best = result.race["adam"]
    assert result.best_score["adam"] == pytest.approx(distance_to_minimum(best.final, best.function))


def test_grid_starts_row_by_row():
    s = grid_starts([[-1, 1], [0, 2]], (3, 2))
    assert s.shape == (6, 2)
    assert np.allclose(s[:3, 1], 0) and np.allclose(s[:3, 0], [-1, 0, 1])
    with pytest.raises(ValueError):
        grid_starts([[-1, 1], [0, 2]], 1)


def test_basins_of_himmelblau():
    f = get("himmelblau")
    minima = np.asarray(f.minima, float)
    run = minimize(f, minima + 0.3, "gd", steps=200, lr=0.01)      # each start near its own minimum
    res = basins(run)
    assert list(res.label) == [0, 1, 2, 3]
    assert np.all(res.steps > 0) and res.share[-1] == 0
    d = np.linalg.norm(run.params[:, 0] - minima[0], axis=-1)      # the first step within tol, by hand
    assert res.steps[0] == np.argmax(d <= res.tol)
    assert res.tol == pytest.approx(0.1 * min(np.linalg.norm(a - b) for i, a in enumerate(minima)
                                               for b in minima[i + 1:]))


def test_basins_none_for_diverged_starts():
    run = minimize("sphere", np.array([[0.5, 0.5], [3.0, 4.0]]), "gd", steps=100, lr=0.1)
    assert basins(run, tol=1e-3).label.tolist() == [0, 0]
    far = minimize("sphere", [3.0, 4.0], "gd", steps=100, lr=1.1)  # one start, diverging
    res = basins(far)
    assert res.label.tolist() == [-1] and res.steps.tolist() == [-1] and res.share.tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match="record including 'params'"):
        basins(minimize("sphere", [1.0, 1.0], "gd", steps=5, lr=0.1, record=("loss",)))
    with pytest.raises(ValueError, match="at least one known minimum"):
        basins(minimize("saddle", [1.0, 0.5], "gd", steps=5, lr=0.1))
