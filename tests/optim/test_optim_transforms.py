"""Gradient transforms and the chain: one chain in both engines, torch's clipping, the order noise -> clip -> rule."""

import numpy as np
import pytest

import gdlab
import gdlab.optim as optim
from gdlab.optim.transforms import Chain, StepInfo, Transform, add_noise, clip_by_norm, clip_by_value
from tests.optim.optim_cases import P

SHAPES = [(4, 3), (5,), (2, 2, 2)]


def grads_at(params, scale=1.0):
    return [scale * (2.0 * p.data + np.cos(p.data) + 1.0) for p in params]


def make_params(seed=0):
    rng = np.random.default_rng(seed)
    return [P(rng.standard_normal(s)) for s in SHAPES]


@pytest.mark.parametrize("cls_name, kwargs", [("SGD", {"lr": 0.05, "momentum": 0.9}), ("Adam", {"lr": 0.05}),
                                              ("RMSprop", {"lr": 0.01, "centered": True})])
def test_clip_by_norm_in_the_tensor_engine_is_clip_grad_norm_over_all_parameters(cls_name, kwargs):
    """transforms=[clip_by_norm(c)] == torch's recipe clip_grad_norm_(params, c); opt.step(), bit for bit."""
    ours, theirs = make_params(), make_params()
    opt = getattr(optim, cls_name)(ours, transforms=[clip_by_norm(1.5)], **kwargs)
    ref = getattr(optim, cls_name)(theirs, **kwargs)
    for t in range(30):
        for p, g in zip(ours, grads_at(ours, 1.0 + t % 3)):
            p.grad = g
        given = [p.grad.copy() for p in ours]
        opt.step()
        for p, g in zip(ours, given):
            np.testing.assert_array_equal(p.grad, g)  # .grad is never written
        for p, g in zip(theirs, grads_at(theirs, 1.0 + t % 3)):
            p.grad = g
        total = optim.clip_grad_norm_(theirs, 1.5)
        ref.step()
        assert opt._chain_state[1]["norm"] == total
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a.data, b.data)


def test_clip_by_value_in_the_tensor_engine_is_clip_grad_value_():
    ours, theirs = make_params(1), make_params(1)
    opt = optim.SGD(ours, lr=0.1, momentum=0.5, transforms=clip_by_value(0.3))
    ref = optim.SGD(theirs, lr=0.1, momentum=0.5)
    for _ in range(20):
        for p, g in zip(ours, grads_at(ours)):
            p.grad = g
        for p, g in zip(theirs, grads_at(theirs)):
            p.grad = g
        opt.step()
        optim.clip_grad_value_(theirs, 0.3)
        ref.step()
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.data, b.data)


def test_the_chain_applies_noise_before_clipping():
    """With huge noise and clip 1, every SGD(lr=1) step moves the parameters by at most 1 (plus torch's 1e-6 slack)."""
    params = make_params(2)
    opt = optim.SGD(params, lr=1.0, noise_std=100.0, noise_seed=0, transforms=[clip_by_norm(1.0)])
    for _ in range(10):
        before = np.concatenate([p.data.ravel() for p in params])
        for p in params:
            p.grad = np.zeros_like(p.data)  # all of the step is noise
        opt.step()
        after = np.concatenate([p.data.ravel() for p in params])
        assert 0.99 < np.linalg.norm(after - before) <= 1.0 + 1e-12


def test_the_runner_clips_each_row_by_its_own_norm():
    """A row of a clipped vectorized run equals that start run alone (rows independent), and the
    clipped gradient is g * min(1, c / (|g_row| + 1e-6))."""
    X0 = np.array([[-1.5, 2.0], [0.5, 0.5], [1.2, -0.8]])
    many = gdlab.minimize("rosenbrock", X0, "adam", lr=0.01, steps=40, clip_grad_norm=2.0)
    for i, x0 in enumerate(X0):
        one = gdlab.minimize("rosenbrock", x0, "adam", lr=0.01, steps=40, clip_grad_norm=2.0)
        np.testing.assert_array_equal(many.params[:, i], one.params)
    g = np.array([[3.0, 4.0], [0.3, 0.4]])
    tr = clip_by_norm(1.0)
    state = tr.init([g])
    (out,), state = tr.update([g], state, [g], StepInfo(0, [({}, 1)], rows=True))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    np.testing.assert_array_equal(state["norm"], [5.0, 0.5])
    np.testing.assert_array_equal(g, [[3.0, 4.0], [0.3, 0.4]])


def test_one_chain_two_engines_give_the_same_numbers():
    """minimize (the runner) and an Optimizer over one (1, 2) parameter, with noise from the same seed."""
    f = gdlab.functions.get("rosenbrock")
    vg = f.value_and_grad_fn("closed_form")
    x0 = np.array([[-1.2, 1.0]])
    traj = gdlab.minimize(f, x0, "nadam", lr=0.02, steps=50, noise=0.05, seed=3)
    p = P(x0.copy())
    opt = optim.NAdam([p], lr=0.02, noise_std=0.05, noise_seed=3)
    for t in range(50):
        p.grad = np.array(vg(p.data)[1])
        opt.step()
        np.testing.assert_array_equal(p.data, traj.params[t + 1])


def test_per_row_hyperparameters_flow_through_the_chain():
    """lr (n, 1) and noise (n, 1) per row with a schedule: row i equals the run with row i's scalars."""
    X0 = np.array([[-1.0, 1.5], [0.3, -0.4], [1.1, 0.9]])
    lrs = np.array([[1e-3], [5e-3], [2e-2]])
    noise = np.array([[0.0], [0.02], [0.05]])
    rule = optim.get_rule("adam")
    f = gdlab.functions.get("rosenbrock")
    vg = f.value_and_grad_fn("closed_form")
    sched = optim.lr_scheduler.cosine_annealing_lr
    table = sched(np.arange(30)[:, None, None], lrs[None], T_max=30)
    chain = Chain(rule, [add_noise(np.random.default_rng(0)), clip_by_norm(5.0)], lr=table)
    p = X0.copy()
    state = rule.init(p)
    hp = [rule.hyperparameters(lr=lrs)]
    info = StepInfo(0, [({"noise_std": noise}, 1)], rows=True)
    cstate = chain.init([p])
    for t in range(30):
        info.t = t
        chain.update([vg(p)[1]], cstate, [p], [state], hp, info)
    np.testing.assert_array_equal(hp[0]["lr"], table[29])  # the schedule is the learning-rate source
    # row 0 has no noise: it is the noiseless scalar run of row 0's lr
    x = X0[:1].copy()
    s = rule.init(x)
    chain0 = Chain(rule, [clip_by_norm(5.0)], lr=lambda t: sched(t, 1e-3, T_max=30))
    hp0 = [rule.hyperparameters(lr=1e-3)]
    info0 = StepInfo(0, [({}, 1)], rows=True)
    c0 = chain0.init([x])
    for t in range(30):
        info0.t = t
        chain0.update([vg(x)[1]], c0, [x], [s], hp0, info0)
    np.testing.assert_allclose(p[0], x[0], rtol=1e-14)
    assert not np.allclose(p[1:], 0) and np.all(np.isfinite(p))


def test_a_new_transform_is_one_function_and_both_engines_apply_it():
    """A user-made transform (scale the gradient by 1/2) in a tensor optimizer equals halving lr for SGD."""
    def init(params):
        return {}

    def update(grads, state, params, info):
        return [0.5 * g for g in grads], state

    half = Transform("half", init, update)
    a, b = make_params(3), make_params(3)
    opt_a = optim.SGD(a, lr=0.2, transforms=[half])
    opt_b = optim.SGD(b, lr=0.1)
    for _ in range(10):
        for params in (a, b):
            for p, g in zip(params, grads_at(params)):
                p.grad = g
        opt_a.step()
        opt_b.step()
    for x, y in zip(a, b):
        np.testing.assert_allclose(x.data, y.data, rtol=1e-15)
    assert repr(opt_a.chain) == "Chain(add_noise -> half -> sgd)"


def test_noise_skips_groups_without_noise_and_keeps_float32():
    a = P(np.ones((3, 2), np.float32))
    b = P(np.ones(4, np.float32))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "noise_std": 0.0}], lr=0.1, noise_std=0.1, noise_seed=0)
    a.grad = np.zeros((3, 2), np.float32)
    b.grad = np.zeros(4, np.float32)
    opt.step()
    xi = np.random.default_rng(0).standard_normal((3, 2), dtype=np.float32)
    np.testing.assert_array_equal(a.data, np.float32(1) - np.float32(0.1) * (np.float32(0.1) * xi))
    np.testing.assert_array_equal(b.data, np.ones(4, np.float32))
    assert a.data.dtype == b.data.dtype == np.float32
    # the stream moved by exactly one draw of a's size: the next draw is the 7th number
    assert opt.state_dict()["noise_rng"] == _rng_after(0, 6)


def test_noise_that_starts_later_in_one_group_gets_its_buffer():
    """Group 0 noiseless at first (no buffer for its leaf), noisy later: draws land in a new buffer."""
    a, b = P(np.zeros(3)), P(np.zeros(2))
    opt = optim.SGD([{"params": [a], "noise_std": 0.0}, {"params": [b]}], lr=1.0, noise_std=1.0, noise_seed=5)
    for std in (0.0, 2.0):
        opt.param_groups[0]["noise_std"] = std
        a.grad, b.grad = np.zeros(3), np.zeros(2)
        opt.step()
    rng = np.random.default_rng(5)
    first_b = rng.standard_normal(2)
    second_a, second_b = 2.0 * rng.standard_normal(3), rng.standard_normal(2)
    np.testing.assert_array_equal(a.data, -second_a)
    np.testing.assert_array_equal(b.data, -first_b - second_b)


def _rng_after(seed, n):
    rng = np.random.default_rng(seed)
    rng.standard_normal(n, dtype=np.float32)
    return rng.bit_generator.state


def test_bad_transform_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_norm(0.0)
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_norm(float("nan"))
    with pytest.raises(ValueError, match="norm_type"):
        clip_by_norm(1.0, norm_type=-1)
    with pytest.raises(ValueError, match="clip"):
        clip_by_value(-1.0)
    with pytest.raises(TypeError, match="Transform"):
        optim.Adam(transforms=[lambda g: g])
    with pytest.raises(TypeError, match="Rule"):
        Chain("adam")
    with pytest.raises(TypeError, match="lr"):
        Chain(optim.get_rule("adam"), lr=0.1)


def test_state_dict_keeps_the_step_count_and_resumes_bit_for_bit():
    a = make_params(4)
    opt = optim.Adam(a, lr=0.05, noise_std=0.01, noise_seed=1, transforms=[clip_by_norm(2.0)])
    for _ in range(5):
        for p, g in zip(a, grads_at(a)):
            p.grad = g
        opt.step()
    saved = opt.state_dict()
    snapshot = [p.data.copy() for p in a]
    assert saved["steps"] == 5
    for _ in range(5):
        for p, g in zip(a, grads_at(a)):
            p.grad = g
        opt.step()
    b = [P(x) for x in snapshot]
    opt_b = optim.Adam(b, lr=0.05, noise_std=0.01, transforms=[clip_by_norm(2.0)])
    opt_b.load_state_dict(saved)
    for _ in range(5):
        for p, g in zip(b, grads_at(b)):
            p.grad = g
        opt_b.step()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.data, y.data)
