"""Critical points and the stability of fixed learning rates, checked against actual runs."""

import numpy as np
import pytest

from gdlab.functions import get
from gdlab.runs import analyze, classify_point, lr_sweep, minimize, stability


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
