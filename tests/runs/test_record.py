"""record="auto" by a memory budget: what is kept, that it equals the full record at the kept steps, errors."""

import numpy as np
import pytest

import gdlab
from gdlab.runs import lr_sweep, minimize, tune
from gdlab.runs.minimize import DEFAULT_RECORD_BUDGET, plan_record, resolve_record_budget

HISTORIES = ("params", "loss", "grad", "grad_norm")


def _nbytes(t):
    arrays = [getattr(t, k) for k in HISTORIES] + list(t.state.values()) + [t.lr]
    return sum(a.nbytes for a in arrays if a is not None)


def _mixed_starts():
    """Rows that converge early, diverge, and run to the end (gd on a quadratic-ish surface)."""
    return np.array([[0.01, 0.0], [8.0, 9.0], [-1.2, 1.0], [0.3, -0.2], [60.0, 60.0]])


def test_auto_keeps_every_step_when_it_fits():
    t = minimize("rosenbrock", [-1.2, 1.0], "adam", steps=200, lr=0.01)
    assert t.record_every == 1 and t.record_note == "every step"
    assert set(t.record) == {"params", "loss", "grad", "grad_norm", "state"}
    np.testing.assert_array_equal(t.recorded_steps, np.arange(201))
    assert t.params.shape == (201, 2) and t.lr.shape == (200,)


@pytest.mark.parametrize("optimizer, kw", [("momentum", {"lr": 0.02}), ("adam", {"lr": 0.05}), ("gd", {"lr": 0.01})])
def test_thinned_record_is_the_full_record_at_the_kept_steps(optimizer, kw):
    x0 = _mixed_starts()
    common = dict(steps=600, tol=1e-3, **kw)
    full = minimize("himmelblau", x0, optimizer, record=("params", "loss", "grad", "grad_norm", "state"), **common)
    assert len(set(full.status)) >= 2  # rows stop at different steps, some diverge
    budget = 150 * 8 * (5 * 2 + 5 * 2 + 5 + 5 + 1)  # 150 points of params, grad, loss, grad_norm, lr
    thin = minimize("himmelblau", x0, optimizer, record_budget=budget, **common)
    k = thin.record_every
    assert k > 1 and "budget" in thin.record_note and str(k) in thin.record_note
    at = thin.recorded_steps
    assert at[0] == 0 and at[-1] == 600 and np.all(np.diff(at)[:-1] == k)
    for name in HISTORIES:
        np.testing.assert_array_equal(getattr(thin, name), getattr(full, name)[at], err_msg=name)
    for name, arr in thin.state.items():
        np.testing.assert_array_equal(arr, full.state[name][at])
    np.testing.assert_array_equal(thin.status, full.status)
    np.testing.assert_array_equal(thin.stopped_at, full.stopped_at)
    np.testing.assert_array_equal(thin.final, full.final)
    np.testing.assert_array_equal(thin.lr, full.lr[at[:-1]])
    assert _nbytes(thin) <= budget


def test_tiers_drop_histories_then_everything():
    # a few points of everything do not fit: loss and grad_norm curves only
    p = plan_record("auto", 1000, 2, 1000, budget=200_000)
    assert p.names == {"loss", "grad_norm"} and p.every > 1 and "not grad, params, state" in p.note
    p = plan_record("auto", 10_000, 2, 1000, budget=200_000)
    assert p.names == {"loss"}
    p = plan_record("auto", 10**6, 2, 1000, budget=1_000_000)
    assert p.names == set() and "only the final points" in p.note
    t = minimize("paraboloid", np.ones((50, 2)), "gd", steps=20, lr=0.1, record_budget=100)
    assert t.params is None and t.loss is None and t.record == () and t.final.shape == (50, 2)


def test_default_budget_on_large_requests():
    # steps=10**9 from one start: thinned, not 7.45 GiB (planned only; nothing is run)
    p = plan_record("auto", 1, 2, 10**9, n_state=2)
    assert 1 < p.every < 10**9 and {"params", "loss"} <= p.names
    assert 8 * (10**9 // p.every + 2) * (1 + 2 + 2 + 1 + 1 + 4) <= DEFAULT_RECORD_BUDGET
    # the 10k x 1000 Adam case keeps every 4th step within 128 MiB
    p = plan_record("auto", 10_000, 2, 1000, n_state=3)
    assert p.every == 4 and "state" not in p.names


def test_requests_that_cannot_fit_fail_before_allocating():
    # minimize bounds steps (10 million) and starts before any planning: such requests never reach the planner
    for record in ("auto", ("params",)):
        with pytest.raises(ValueError, match=r"steps must be an int in \[1, 10,000,000\]"):
            minimize("rosenbrock", [-1.2, 1.0], "adam", steps=10**12, schedule="cosine", record=record)
    with pytest.raises(ValueError, match="working memory"):
        plan_record("auto", 10**12, 2, 10)


def test_budget_setting_and_its_errors(monkeypatch):
    assert resolve_record_budget() == DEFAULT_RECORD_BUDGET
    monkeypatch.setenv("GDLAB_RECORD_BUDGET", "1M")
    assert resolve_record_budget() == 2**20
    monkeypatch.setenv("GDLAB_RECORD_BUDGET", "5000")
    assert resolve_record_budget() == 5000 and resolve_record_budget(10) == 10
    t = minimize("paraboloid", np.ones((10, 2)), "gd", steps=100, lr=0.1)
    assert t.record_every > 1
    monkeypatch.setenv("GDLAB_RECORD_BUDGET", "lots")
    with pytest.raises(ValueError, match="GDLAB_RECORD_BUDGET.*'lots'"):
        resolve_record_budget()
    monkeypatch.delenv("GDLAB_RECORD_BUDGET")
    for bad in (0, -1, float("nan"), True):
        with pytest.raises(ValueError, match="record_budget"):
            minimize("paraboloid", [1.0, 1.0], "gd", record_budget=bad)


def test_record_every_thins_an_explicit_record():
    full = minimize("beale", [1.0, 1.0], "adam", steps=40, lr=0.01, record=("params", "loss"))
    t = minimize("beale", [1.0, 1.0], "adam", steps=40, lr=0.01, record=("params", "loss"), record_every=6)
    np.testing.assert_array_equal(t.recorded_steps, [0, 6, 12, 18, 24, 30, 36, 40])
    np.testing.assert_array_equal(t.params, full.params[t.recorded_steps])
    assert t.grad is None and t.record_every == 6
    cfg = t.config()
    assert cfg["record_every"] == 6 and cfg["rerun"] is None
    again = gdlab.minimize(gdlab.functions.function_from_spec(cfg["function"]), cfg["x0"], cfg["optimizer"],
                           cfg["steps"], cfg["lr"], record=tuple(cfg["record"]), record_every=cfg["record_every"],
                           **cfg["hyperparameters"])
    np.testing.assert_array_equal(again.params, t.params)
    with pytest.raises(ValueError, match="record_every"):
        minimize("beale", [1.0, 1.0], "adam", record_every=3)
    with pytest.raises(ValueError, match="record_every must be an int >= 1"):
        minimize("beale", [1.0, 1.0], "adam", record=("loss",), record_every=0)


def test_sweeps_keep_loss_curves_and_tune_counts_steps_not_slots():
    lrs = [1e-3, 1e-2, 1e-1]
    full = lr_sweep("booth", [-8.0, -6.0], "gd", lrs=lrs, steps=300)
    thin = lr_sweep("booth", [-8.0, -6.0], "gd", lrs=lrs, steps=300, record_budget=3000)
    assert thin.trajectory.record_every > 1 and thin.loss.shape[0] == len(thin.recorded_steps)
    np.testing.assert_array_equal(thin.loss, full.loss[thin.recorded_steps])
    assert thin.best_lr == full.best_lr
    a = tune("booth", [-8.0, -6.0], ["gd", "adam"], steps=300, lrs=lrs)
    b = tune("booth", [-8.0, -6.0], ["gd", "adam"], steps=300, lrs=lrs, record_budget=3000)
    assert a.best_lr == b.best_lr


def test_a_repeated_plan_is_remembered_and_follows_the_budget_setting(monkeypatch):
    monkeypatch.delenv("GDLAB_RECORD_BUDGET", raising=False)
    a = plan_record("auto", 10, 2, 100, n_state=2)
    assert plan_record("auto", 10, 2, 100, n_state=2) is a and a.every == 1
    with pytest.raises(AttributeError):
        a.names.add("x")  # shared plans cannot be changed by a caller
    monkeypatch.setenv("GDLAB_RECORD_BUDGET", "5000")  # the setting is part of the request
    b = plan_record("auto", 10, 2, 100, n_state=2)
    assert b.every > 1
    monkeypatch.delenv("GDLAB_RECORD_BUDGET")
    assert plan_record("auto", 10, 2, 100, n_state=2) is a
    assert plan_record(["loss"], 10, 2, 100).names == {"loss"}  # a list is a request too
    for _ in range(2):
        with pytest.raises(ValueError, match="unknown name"):
            plan_record(("los",), 10, 2, 100)
