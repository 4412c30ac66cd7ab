"""Schedules: torch's learning rates step by step (fixtures + live), closed forms, checkpoints, validation."""

import numpy as np
import pytest

import gdlab.optim as optim
from gdlab.optim import lr_scheduler as sched
from tests.optim.optim_cases import (GROUP_LRS, PLATEAU_CASES, SCHEDULE_CASES, SCHEDULE_STEPS, SCHEDULES, P,
                         schedule_lrs)

ALL = [(cid, cls, kw) for cid, cls, kw in SCHEDULE_CASES] + [(cid, "ReduceLROnPlateau", kw)
                                                              for cid, kw in PLATEAU_CASES]
IDS = [c[0] for c in ALL]


def ours(cls_name, kwargs):
    return schedule_lrs(optim, sched, cls_name, kwargs, lambda: P(np.zeros(2)))


@pytest.fixture(scope="module")
def fixture():
    with np.load(SCHEDULES) as data:
        return {k: data[k] for k in data.files}


@pytest.mark.parametrize("case_id, cls_name, kwargs", ALL, ids=IDS)
def test_matches_torch_fixture(case_id, cls_name, kwargs, fixture):
    np.testing.assert_allclose(ours(cls_name, kwargs), fixture[case_id], rtol=1e-12, atol=0)


@pytest.mark.parametrize("case_id, cls_name, kwargs", ALL, ids=IDS)
def test_matches_torch_live(case_id, cls_name, kwargs):
    torch = pytest.importorskip("torch")
    theirs = schedule_lrs(torch.optim, torch.optim.lr_scheduler, cls_name, kwargs,
                          lambda: torch.zeros(2, requires_grad=True))
    np.testing.assert_allclose(ours(cls_name, kwargs), theirs, rtol=1e-12, atol=0)


CLOSED = {
    "StepLR": lambda t, b, kw: sched.step_lr(t, b, **kw),
    "MultiStepLR": lambda t, b, kw: sched.multistep_lr(t, b, **kw),
    "ExponentialLR": lambda t, b, kw: sched.exponential_lr(t, b, **kw),
    "CosineAnnealingLR": lambda t, b, kw: sched.cosine_annealing_lr(t, b, **kw),
    "LinearLR": lambda t, b, kw: sched.linear_lr(t, b, **kw),
}


@pytest.mark.parametrize("case_id, cls_name, kwargs", SCHEDULE_CASES, ids=[c[0] for c in SCHEDULE_CASES])
def test_closed_forms_equal_the_classes(case_id, cls_name, kwargs):
    t = np.arange(SCHEDULE_STEPS + 1)[:, None]
    base = np.array(GROUP_LRS)[None, :]  # arrays broadcast: all steps and groups at once
    np.testing.assert_allclose(CLOSED[cls_name](t, base, kwargs), ours(cls_name, kwargs), rtol=1e-12, atol=1e-15)


def test_scheduler_drives_the_rule_through_group_lr():
    p, q = P(np.array([1.0])), P(np.array([1.0]))
    opt = optim.SGD([p], lr=0.1)
    s = sched.StepLR(opt, step_size=2, gamma=0.5)
    for t in range(5):
        p.grad = np.array([1.0])
        opt.step()
        s.step()
        q.data -= sched.step_lr(t, 0.1, 2, 0.5)
    np.testing.assert_allclose(p.data, q.data, rtol=1e-15)
    assert s.last_epoch == 5 and s.get_last_lr() == [opt.param_groups[0]["lr"]]
    assert opt.param_groups[0]["initial_lr"] == 0.1


def test_state_dict_round_trip():
    def make():
        opt = optim.Adam([P(np.zeros(1))], lr=0.1)
        return opt, sched.CosineAnnealingLR(opt, T_max=10, eta_min=0.01)

    opt, s = make()
    for _ in range(4):
        s.step()
    saved, saved_opt = s.state_dict(), opt.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 4
    expected = []
    for _ in range(6):
        s.step()
        expected.append(s.get_last_lr()[0])
    opt2, s2 = make()
    opt2.load_state_dict(saved_opt)
    s2.load_state_dict(saved)
    got = []
    for _ in range(6):
        s2.step()
        got.append(s2.get_last_lr()[0])
    assert got == expected


def test_plateau_reduces_after_patience_and_respects_min_lr():
    opt = optim.SGD([P(np.zeros(1))], lr=1.0)
    s = sched.ReduceLROnPlateau(opt, patience=2, factor=0.5, min_lr=0.3)
    lrs = []
    for metric in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]:
        s.step(metric)
        lrs.append(s.get_last_lr()[0])
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3]


def test_unbound_or_wrong_optimizer_and_bad_arguments():
    with pytest.raises(TypeError, match="not an optimizer"):
        sched.StepLR(object(), step_size=2)
    with pytest.raises(ValueError, match="bind"):
        sched.StepLR(optim.Adam(lr=0.1), step_size=2)
    opt = optim.SGD([P(np.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match="step_size"):
        sched.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="start_factor"):
        sched.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="T_max"):
        sched.CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(ValueError, match="milestones"):
        sched.MultiStepLR(opt, milestones=[3, -1])
    with pytest.raises(ValueError, match="factor"):
        sched.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode"):
        sched.ReduceLROnPlateau(opt, mode="up")
    with pytest.raises(ValueError, match="min_lrs"):
        sched.ReduceLROnPlateau(opt, min_lr=[0.1, 0.2])
    with pytest.raises(KeyError, match="initial_lr"):
        sched.ExponentialLR(optim.SGD([P(np.zeros(1))], lr=0.1), gamma=0.9, last_epoch=3)
