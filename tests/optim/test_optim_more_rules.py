"""Rprop, ASGD, Adafactor, Muon, L-BFGS: rows of the vectorized runner, state_dict resume, torch's messages."""

import re

import numpy as np
import pytest

import gdlab.optim as optim
from gdlab.optim.rules import get_rule
from tests.optim.optim_cases import P

N, D = 4, 3


def rosen_vg(x):
    """Rosenbrock in d dimensions (rows of x): loss and gradient."""
    a, b = x[..., :-1], x[..., 1:]
    loss = np.sum(100 * (b - a ** 2) ** 2 + (1 - a) ** 2, axis=-1)
    g = np.zeros_like(x)
    g[..., :-1] += -400 * a * (b - a ** 2) - 2 * (1 - a)
    g[..., 1:] += 200 * (b - a ** 2)
    return loss, g


def starts():
    return np.random.default_rng(3).uniform(-1.5, 1.5, (N, D))


# -- rows: per-run reductions equal single runs of the stateful class --------------------------

ROW_CASES = {
    "rprop": ({"lr": 0.02}, "Rprop", None),
    "asgd": ({"lr": 1e-3, "t0": 5, "weight_decay": 0.1}, "ASGD", None),
    "adafactor": ({"lr": 0.05, "weight_decay": 0.01}, "Adafactor", None),  # each run: a 1-D parameter
    "muon": ({"lr": 0.02, "adjust_lr_fn": "match_rms_adamw"}, "Muon", (1, D)),  # each run: a 1 x d matrix
}


@pytest.mark.parametrize("name", sorted(ROW_CASES))
def test_rows_equal_single_runs_bit_for_bit(name):
    hp_over, cls, shape = ROW_CASES[name]
    rule = get_rule(name)
    hp = rule.hyperparameters(**hp_over)
    batch = starts()
    state = rule.init(batch, **hp, rows=True)
    for _ in range(30):
        rule.update(batch, rosen_vg(batch)[1], state, **hp)
    for i, x0 in enumerate(starts()):
        p = P(x0.reshape(shape) if shape else x0.copy())
        opt = getattr(optim, cls)([p], **hp_over)
        for _ in range(30):
            p.grad = rosen_vg(p.data.reshape(-1))[1].reshape(p.data.shape)
            opt.step()
        np.testing.assert_array_equal(batch[i], p.data.reshape(-1))


def test_adafactor_without_rows_treats_the_array_as_one_matrix():
    """The rows flag matters: without it an (n, d) array is one factored n x d parameter (torch's meaning)."""
    rule = get_rule("adafactor")
    hp = rule.hyperparameters()
    assert set(rule.init(starts(), **hp)) == {"step", "row_var", "col_var"}
    assert set(rule.init(starts(), **hp, rows=True)) == {"step", "variance", "_rows"}


def test_lbfgs_rows_evaluate_where_the_stateful_lbfgs_calls_its_closure():
    """Each runner step is one closure call: row i's points are the stateful L-BFGS's closure points, in order."""
    for hp_over in ({}, {"line_search_fn": "strong_wolfe", "max_iter": 5}):
        rule = get_rule("lbfgs")
        hp = rule.hyperparameters(**hp_over)
        batch = starts()
        state = rule.init(batch, **hp, rows=True)
        points = [batch.copy()]
        for _ in range(60):
            loss, g = rosen_vg(batch)
            rule.update(batch, g, state, loss=loss, **hp)
            points.append(batch.copy())
        points = np.array(points)
        for i, x0 in enumerate(starts()):
            p = P(x0.copy())
            opt = optim.LBFGS([p], **hp_over)
            seen = []

            def closure():
                seen.append(p.data.copy())
                loss, p.grad = rosen_vg(p.data)
                return loss

            while len(seen) < 61:
                opt.step(closure)
            np.testing.assert_array_equal(points[:, i], np.array(seen[:61]))
            assert opt.state[p]["func_evals"] == len(seen)


# -- state_dict: torch's layout, exact resume --------------------------------------------------

RESUME = {
    "Rprop": ({"lr": 0.05, "etas": (0.4, 1.3)}, [(3, 2), (4,)], {"step", "prev", "step_size"}),
    "ASGD": ({"lr": 1e-3, "t0": 3}, [(3, 2), (4,)], {"step", "eta", "mu", "ax"}),
    "Adafactor": ({"lr": 0.05}, [(3, 2), (4,)], None),
    "Muon": ({"lr": 0.02}, [(3, 2), (2, 4)], {"momentum_buffer"}),
    "LBFGS": ({"history_size": 4, "max_iter": 3}, [(3, 2), (4,)], None),
}


def _run(opt, params, steps):
    def closure():
        loss = 0.0
        for p in params:
            l, p.grad = rosen_vg(p.data.reshape(-1))
            p.grad = p.grad.reshape(p.data.shape)
            loss += float(l)
        return loss

    for _ in range(steps):
        if isinstance(opt, optim.LBFGS):
            opt.step(closure)
        else:
            closure()
            opt.step()


@pytest.mark.parametrize("cls", sorted(RESUME))
def test_state_dict_resume_is_exact(cls):
    kwargs, shapes, keys = RESUME[cls]
    rng = np.random.default_rng(1)
    x0 = [rng.uniform(-1, 1, s) for s in shapes]
    straight = [P(x.copy()) for x in x0]
    opt = getattr(optim, cls)(straight, **kwargs)
    _run(opt, straight, 12)
    first = [P(x.copy()) for x in x0]
    opt1 = getattr(optim, cls)(first, **kwargs)
    _run(opt1, first, 5)
    saved, at_save = opt1.state_dict(), [p.data.copy() for p in first]
    _run(opt1, first, 3)  # moves on after the save: the saved copy must not follow
    again = [P(x) for x in at_save]  # a fresh optimizer from the saved point and state
    opt2 = getattr(optim, cls)(again, **kwargs)
    opt2.load_state_dict(saved)
    _run(opt2, again, 7)
    for a, b in zip(again, straight):
        np.testing.assert_array_equal(a.data, b.data)
    if keys is not None:
        assert set(saved["state"][0]) == keys
    if cls == "LBFGS":  # torch keeps L-BFGS's state on the first parameter only
        assert set(saved["state"]) == {0}
        assert {"func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad",
                "prev_loss"} <= set(saved["state"][0])
    if cls == "Adafactor":
        assert set(saved["state"][0]) == {"step", "row_var", "col_var"} and set(saved["state"][1]) == {"step",
                                                                                                   "variance"}


def test_state_dict_keys_are_torchs():
    torch = pytest.importorskip("torch")
    for cls, (kwargs, shapes, _) in RESUME.items():
        tparams = [torch.full(s, 0.5, dtype=torch.float64) for s in shapes]
        topt = getattr(torch.optim, cls)(tparams, **kwargs)

        def closure():
            loss = 0.0
            for p in tparams:
                l, g = rosen_vg(p.numpy().reshape(-1))
                p.grad = torch.from_numpy(g.reshape(p.shape))
                loss += float(l)
            return torch.tensor(loss)

        closure()
        topt.step(closure)
        params = [P(np.full(s, 0.5)) for s in shapes]
        opt = getattr(optim, cls)(params, **kwargs)
        _run(opt, params, 1)
        ts = topt.state_dict()["state"]
        ours = opt.state_dict()["state"]
        assert set(ts) == set(ours), cls
        for i in ts:
            assert set(ts[i]) == set(ours[i]), (cls, i)
        tg = {k for k in topt.state_dict()["param_groups"][0] if k not in ("foreach", "differentiable", "capturable",
                                                                       "fused", "decoupled_weight_decay")}
        assert tg <= set(opt.state_dict()["param_groups"][0]), cls


# -- bad hyperparameters: torch's messages -----------------------------------------------------

BAD = [
    ("Rprop", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("Rprop", {"etas": (1.5, 1.2)}, "Invalid eta values: 1.5, 1.2"),
    ("Rprop", {"etas": (0.5, 0.9)}, "Invalid eta values: 0.5, 0.9"),
    ("ASGD", {"lr": -1.0}, "Invalid learning rate: -1.0"),
    ("ASGD", {"weight_decay": -0.5}, "Invalid weight_decay value: -0.5"),
    ("Adafactor", {"lr": -0.01}, "Learning rate should be >= 0 but is: -0.01"),
    ("Adafactor", {"beta2_decay": 0.5}, "beta2_decay should be <= 0 but is: 0.5"),
    ("Adafactor", {"eps": (-1.0, 1e-3)}, "epsilon1 should be >= 0 but is: -1.0"),
    ("Adafactor", {"eps": (None, -1e-3)}, "epsilon2 should be >= 0 but is: -0.001"),
    ("Adafactor", {"d": 0.5}, "Clipping threshold d should be >= 1 but is: 0.5"),
    ("Adafactor", {"weight_decay": -0.1}, "weight_decay should be >= 0 but is: -0.1"),
    ("Muon", {"lr": -0.001}, "Learning rate should be >= 0 but is: -0.001"),
    ("Muon", {"momentum": -0.9}, "momentum should be >= 0 but is: -0.9"),
    ("Muon", {"weight_decay": -0.1}, "weight decay should be >= 0 but is: -0.1"),
    ("Muon", {"adjust_lr_fn": "spectral"}, "Adjust learning rate function spectral is not supported"),
    ("LBFGS", {"lr": -1.0}, "Invalid learning rate: -1.0"),
]


@pytest.mark.parametrize("cls,kwargs,message", BAD)
def test_bad_hyperparameters_are_refused_with_torchs_message(cls, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(optim, cls)([P(np.zeros((2, 2)))], **kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        get_rule(cls.lower()).hyperparameters(**kwargs)  # the runner's check: the same words


def test_the_messages_are_torchs_own():
    torch = pytest.importorskip("torch")
    for cls, kwargs, message in BAD:
        with pytest.raises(ValueError, match=re.escape(message)):
            getattr(torch.optim, cls)([torch.zeros((2, 2))], **kwargs)


def test_muon_refuses_what_is_not_a_matrix_as_torch():
    with pytest.raises(optim.ParameterShapeError, match=r"Muon only supports 2D parameters whereas we found a "
                                                        r"parameter with size: \(5,\)"):
        optim.Muon([P(np.zeros(5))])
    assert issubclass(optim.ParameterShapeError, ValueError)
    with pytest.raises(ValueError, match="less than 100"):
        optim.Muon([P(np.zeros((2, 2)))], ns_steps=100)


def test_lbfgs_needs_a_closure_and_one_group():
    p = P(np.zeros(2))
    with pytest.raises(TypeError, match="closure"):
        optim.LBFGS([p]).step()
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [p]}, {"params": [P(np.zeros(2))], "lr": 0.1}])
    with pytest.raises(ValueError, match="only 'strong_wolfe' is supported"):
        optim.LBFGS([p], line_search_fn="armijo")


def test_rprop_and_asgd_take_per_row_hyperparameters():
    """Elementwise rules: an (n, 1) lr is a sweep in one array program, row i as a run with lr[i]."""
    lrs = np.array([[0.0005], [0.001], [0.002], [0.003]])
    for name, cls in (("rprop", "Rprop"), ("asgd", "ASGD")):
        rule = get_rule(name)
        hp = rule.hyperparameters(lr=lrs)
        batch = starts()
        state = rule.init(batch, **hp, rows=True)
        for _ in range(20):
            rule.update(batch, rosen_vg(batch)[1], state, **hp)
        for i, x0 in enumerate(starts()):
            p = P(x0.copy())
            opt = getattr(optim, cls)([p], lr=float(lrs[i, 0]))
            for _ in range(20):
                p.grad = rosen_vg(p.data)[1]
                opt.step()
            np.testing.assert_array_equal(batch[i], p.data)
