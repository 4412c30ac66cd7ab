"""The functional core: the contract the runner codes against, vectorized rows, array hyperparameters, Lion."""

import numpy as np
import pytest

import gdlab.optim as optim
from gdlab.optim.rules import RULES, Rule, get_rule, rule_names
from tests.optim.optim_cases import P

N_RUNS, DIM, STEPS = 5, 3, 60

# per rule name: extra hyperparameters exercising its branches (on top of the preset's defaults)
VARIANTS = {
    "gd": {"lr": 0.05},
    "sgd": {"lr": 0.05, "momentum": 0.5, "dampening": 0.2, "weight_decay": 0.1},
    "momentum": {"lr": 0.05},
    "nesterov": {"lr": 0.05, "maximize": True},
    "adagrad": {"lr": 0.3, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.05},
    "rmsprop": {"lr": 0.01, "centered": True, "momentum": 0.5},
    "adadelta": {"weight_decay": 0.1},
    "adam": {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1},
    "adamw": {"lr": 0.05, "amsgrad": True},
    "adamax": {"lr": 0.05, "maximize": True},
    "nadam": {"lr": 0.05, "decoupled_weight_decay": True, "weight_decay": 0.1},
    "radam": {"lr": 0.05},
    "lion": {"lr": 0.01, "weight_decay": 0.1},
}


def grad_rows(x, sign=1.0):
    """A gradient that mixes the coordinates of each row (and only of that row).

    x @ A written as elementwise products, so a row and a single vector see the very
    same floating-point operations (BLAS may sum in another order for a batch).
    """
    A = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 3.0]])
    xa = x[..., 0:1] * A[0] + x[..., 1:2] * A[1] + x[..., 2:3] * A[2]
    return sign * (xa + np.array([1.0, -2.0, 0.5]) + 0.5 * np.cos(x))


def starts(dtype=np.float64):
    return np.random.default_rng(5).uniform(-3, 3, (N_RUNS, DIM)).astype(dtype)


def test_registry_names_and_contract_fields():
    assert rule_names() == sorted(["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam",
                                   "adamw", "adamax", "nadam", "radam", "lion", "rprop", "asgd", "adafactor", "muon",
                                   "lbfgs", "lbfgs_wolfe"])
    for name in rule_names():
        rule = get_rule(name)
        assert isinstance(rule, Rule) and rule.doc and rule.state_keys
        assert "lr" in rule.defaults
    assert get_rule("ADAM") is RULES["adam"] and get_rule(" Momentum ") is RULES["momentum"]
    assert get_rule("gd").update is get_rule("sgd").update is get_rule("nesterov").update
    assert get_rule("adamw").update is get_rule("adam").update
    assert get_rule("momentum").defaults["momentum"] == 0.9
    assert get_rule("adamw").defaults["decoupled_weight_decay"] is True


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_init_and_update_contract(name):
    rule = get_rule(name)
    hp = rule.hyperparameters(**VARIANTS[name])
    p = starts()
    g = grad_rows(p)
    g_before = g.copy()
    state = rule.init(p, **hp)
    assert state["step"] == 0
    arrays = {k: v for k, v in state.items() if isinstance(v, np.ndarray)}
    for k, v in arrays.items():
        assert v.shape == p.shape and v.dtype == p.dtype and k in rule.state_keys
    p_id = id(p)
    assert rule.update(p, g, state, **hp) is None
    assert id(p) == p_id and state["step"] == 1
    np.testing.assert_array_equal(g, g_before)  # the gradient is read, never written
    for k, v in arrays.items():
        assert state[k] is v  # state arrays updated in place
    for k in state:
        assert k.startswith("_") or k == "step" or k in rule.state_keys
    with pytest.raises(TypeError):
        rule.update(p, g, state, not_a_hyperparameter=1.0)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_vectorized_rows_equal_single_runs(name):
    """Row i of a (n_runs, d) run equals the stateful optimizer run from row i's start, bit for bit."""
    rule = get_rule(name)
    hp = rule.hyperparameters(**VARIANTS[name])
    sign = -1.0 if hp.get("maximize") else 1.0
    batch = starts()
    state = rule.init(batch, **hp)
    for _ in range(STEPS):
        rule.update(batch, grad_rows(batch, sign), state, **hp)

    cls, preset = optim.OPTIMIZERS[name]
    for i, x0 in enumerate(starts()):
        p = P(x0.copy())
        opt = cls([p], **{**preset, **VARIANTS[name]})
        for _ in range(STEPS):
            p.grad = grad_rows(p.data, sign)
            opt.step()
        np.testing.assert_array_equal(batch[i], p.data)


# per rule: a numeric hyperparameter given per row, as an (n_runs, 1) array
ARRAY_HP = {
    "sgd": {"lr": [0.01, 0.03, 0.05, 0.1, 0.2], "momentum": [0.0, 0.5, 0.9, 0.9, 0.1]},
    "adagrad": {"lr": [0.1, 0.3, 1.0, 0.05, 0.5], "lr_decay": [0.0, 0.01, 0.1, 0.0, 0.5]},
    "rmsprop": {"lr": [1e-3, 1e-2, 3e-2, 1e-2, 5e-3], "alpha": [0.9, 0.99, 0.95, 0.5, 0.999]},
    "adadelta": {"rho": [0.5, 0.9, 0.95, 0.8, 0.99], "lr": [1.0, 0.5, 2.0, 1.0, 0.1]},
    "adam": {"lr": [1e-3, 1e-2, 0.1, 0.5, 0.05], "weight_decay": [0.0, 0.1, 0.0, 0.01, 0.0]},
    "adamw": {"lr": [1e-3, 1e-2, 0.1, 0.5, 0.05], "weight_decay": [0.0, 0.1, 0.3, 0.01, 1.0]},
    "adamax": {"lr": [1e-3, 1e-2, 0.1, 0.5, 0.05]},
    "nadam": {"lr": [1e-3, 1e-2, 0.1, 0.5, 0.05], "momentum_decay": [4e-3, 0.0, 0.1, 4e-3, 1e-2]},
    "lion": {"lr": [1e-4, 1e-3, 1e-2, 0.1, 0.05]},
}


@pytest.mark.parametrize("name", sorted(ARRAY_HP))
def test_array_hyperparameters_equal_separate_scalar_runs(name):
    rule = get_rule(name)
    per_row = {k: np.array(v).reshape(N_RUNS, 1) for k, v in ARRAY_HP[name].items()}
    batch = starts()
    hp = rule.hyperparameters(**per_row)
    state = rule.init(batch, **hp)
    for _ in range(STEPS):
        rule.update(batch, grad_rows(batch), state, **hp)
    for i, x0 in enumerate(starts()):
        x = x0.copy()
        hp_i = rule.hyperparameters(**{k: float(v[i, 0]) for k, v in per_row.items()})
        s = rule.init(x, **hp_i)
        for _ in range(STEPS):
            rule.update(x, grad_rows(x), s, **hp_i)
        np.testing.assert_allclose(batch[i], x, rtol=1e-14, atol=1e-14)


def test_array_betas_and_radam_rows_taking_different_branches():
    """beta2 per row: rows with beta2 = 0.6 never rectify (rho_inf = 4), the others do after a few steps."""
    b1 = np.full((N_RUNS, 1), 0.9)
    b2 = np.array([0.999, 0.6, 0.99, 0.5, 0.9]).reshape(N_RUNS, 1)
    for name in ("radam", "adam", "nadam", "adamax", "lion"):
        rule = get_rule(name)
        hp = rule.hyperparameters(lr=0.05, betas=(b1, b2))
        batch = starts()
        state = rule.init(batch, **hp)
        for _ in range(STEPS):
            rule.update(batch, grad_rows(batch), state, **hp)
        for i, x0 in enumerate(starts()):
            x = x0.copy()
            hp_i = rule.hyperparameters(lr=0.05, betas=(0.9, float(b2[i, 0])))
            s = rule.init(x, **hp_i)
            for _ in range(STEPS):
                rule.update(x, grad_rows(x), s, **hp_i)
            np.testing.assert_allclose(batch[i], x, rtol=1e-13, atol=1e-13, err_msg=f"{name} row {i}")


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_float32_stays_float32_with_float64_hyperparameter_arrays(name):
    rule = get_rule(name)
    hp = rule.hyperparameters(**{**VARIANTS[name], "lr": np.full((N_RUNS, 1), 0.01)})
    p = starts(np.float32)
    state = rule.init(p, **hp)
    for _ in range(3):
        rule.update(p, grad_rows(p).astype(np.float32), state, **hp)
    assert p.dtype == np.float32
    for v in state.values():
        if isinstance(v, np.ndarray):
            assert v.dtype == np.float32
    assert np.all(np.isfinite(p))


def test_float64_stays_float64_with_float32_gradient():
    rule = get_rule("adam")
    p = starts()
    state = rule.init(p)
    rule.update(p, grad_rows(p).astype(np.float32), state, lr=0.1)
    assert p.dtype == np.float64 and state["exp_avg"].dtype == np.float64


def test_lion_against_the_paper_formula_by_hand():
    """Lion with b1 = 0.9, b2 = 0.99, lr = 0.1, wd = 0.5, from p = (1, -2, 0.5, 0) with gradients g1, g2, g3.

    step 1: m = 0:           c = 0.1 g1 = (0.03, -0.01, 0, 0.02) -> sign (1, -1, 0, 1)
            p = p (1 - 0.05) - 0.1 sign = (0.85, -1.8, 0.475, -0.1);   m = 0.01 g1 = (0.003, -0.001, 0, 0.002)
    step 2: g2 = (-1, -1, 2, -0.01):  c = 0.9 m + 0.1 g2 = (-0.0973, -0.1009, 0.2, 0.0008) -> (-1, -1, 1, 1)
            p = (0.85, -1.8, 0.475, -0.1) * 0.95 - 0.1 sign = (0.9075, -1.61, 0.35125, -0.195)
            m = 0.99 m + 0.01 g2 = (-0.00703, -0.01099, 0.02, 0.00188)
    step 3: g3 = (0, 0, 0, 0):  c = 0.9 m = (-0.006327, -0.009891, 0.018, 0.001692)
            p = p * 0.95 - 0.1 sign(c) = (0.962125, -1.4295, 0.2336875, -0.28525)
    """
    g1 = np.array([0.3, -0.1, 0.0, 0.2])
    g2 = np.array([-1.0, -1.0, 2.0, -0.01])
    g3 = np.zeros(4)
    p = P(np.array([1.0, -2.0, 0.5, 0.0]))
    opt = optim.Lion([p], lr=0.1, betas=(0.9, 0.99), weight_decay=0.5)
    expected_p = [[0.85, -1.8, 0.475, -0.1], [0.9075, -1.61, 0.35125, -0.195], [0.962125, -1.4295, 0.2336875, -0.28525]]
    expected_m = [[0.003, -0.001, 0.0, 0.002], [-0.00703, -0.01099, 0.02, 0.00188],
                  [-0.0069597, -0.0108801, 0.0198, 0.0018612]]
    for g, ep, em in zip((g1, g2, g3), expected_p, expected_m):
        p.grad = g
        opt.step()
        np.testing.assert_allclose(p.data, ep, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(opt.state[p]["exp_avg"], em, rtol=1e-12, atol=1e-15)


def test_lion_moves_every_coordinate_by_exactly_lr():
    p = P(np.array([5.0, -3.0, 100.0]))
    opt = optim.Lion([p], lr=0.01)
    p.grad = np.array([1e-6, -1e3, 7.0])
    opt.step()
    np.testing.assert_allclose(p.data, [4.99, -2.99, 99.99])


def test_hyperparameters_validation_on_the_rule():
    rule = get_rule("adam")
    assert rule.hyperparameters(lr=0.1)["lr"] == 0.1
    with pytest.raises(TypeError, match="unknown hyperparameter.*momentum"):
        rule.hyperparameters(momentum=0.9)
    with pytest.raises(ValueError, match=r"lr=-0\.5"):
        rule.hyperparameters(lr=np.array([[0.1], [-0.5]]))
    with pytest.raises(ValueError, match=r"betas\[1\]=1\.0"):
        rule.hyperparameters(betas=(0.9, np.array([0.9, 1.0])))
    with pytest.raises(ValueError, match="nesterov"):
        get_rule("nesterov").hyperparameters(momentum=np.array([0.9, 0.0]))


def test_sgd_momentum_buffer_starts_as_the_gradient():
    """torch's convention: the first buffer is g itself (no dampening on step 1)."""
    rule = get_rule("sgd")
    p = np.array([1.0, 2.0])
    state = rule.init(p)
    assert "momentum_buffer" not in state
    rule.update(p, np.array([1.0, -1.0]), state, lr=0.1, momentum=0.9, dampening=0.5)
    np.testing.assert_array_equal(state["momentum_buffer"], [1.0, -1.0])
    rule.update(p, np.array([1.0, -1.0]), state, lr=0.1, momentum=0.9, dampening=0.5)
    np.testing.assert_allclose(state["momentum_buffer"], [1.4, -1.4])


@pytest.mark.parametrize("bad", [-1, -1.0, np.float64(-1.0), np.array(-1.0), np.array([[0.1], [-1.0]])])
def test_plain_numbers_and_arrays_get_the_same_checks(bad):
    # plain floats and ints take a path without arrays; every form gets the same error
    with pytest.raises(ValueError, match=r"invalid lr=-1(\.0)?; expected a finite lr >= 0"):
        get_rule("sgd").hyperparameters(lr=bad)
    with pytest.raises(ValueError, match=r"betas\[0\]=1(\.0)?; each beta"):
        get_rule("adam").hyperparameters(betas=(1 if np.ndim(bad) == 0 and isinstance(bad, int) else 1.0, 0.9))
    with pytest.raises(ValueError, match="lr is NaN"):
        get_rule("sgd").hyperparameters(lr=float("nan"))
    with pytest.raises(ValueError, match=r"invalid lr=inf"):
        get_rule("sgd").hyperparameters(lr=float("inf"))
    with pytest.raises(TypeError, match="momentum must be a number"):
        get_rule("sgd").hyperparameters(momentum=True)


def test_checked_hyperparameters_are_remembered_by_type_and_bits():
    # a repeated call skips the checks: it must still tell 1 from 1.0 and True, 0.0 from -0.0, give each
    # caller its own dict, and never remember a value that failed
    rule = get_rule("sgd")
    a = rule.hyperparameters(lr=0.1, momentum=0.9)
    a["lr"] = 123.0  # the caller's dict is its own
    b = rule.hyperparameters(lr=0.1, momentum=0.9)
    assert b["lr"] == 0.1 and b is not a
    assert type(rule.hyperparameters(lr=1)["lr"]) is int and type(rule.hyperparameters(lr=1.0)["lr"]) is float
    wd = rule.hyperparameters(lr=0.1, weight_decay=-0.0)["weight_decay"]
    assert str(wd) == "-0.0" and str(rule.hyperparameters(lr=0.1, weight_decay=0.0)["weight_decay"]) == "0.0"
    for _ in range(2):
        with pytest.raises(TypeError, match="momentum must be a number"):
            rule.hyperparameters(momentum=True)
        with pytest.raises(ValueError, match="invalid lr=-1"):
            rule.hyperparameters(lr=-1.0)
    betas = get_rule("adam").hyperparameters(betas=(0.5, 0.9))["betas"]
    assert betas == (0.5, 0.9)
    with pytest.raises(ValueError, match=r"betas\[0\]=1"):
        get_rule("adam").hyperparameters(betas=(1, 0.9))  # (1, 0.9) is not (1.0, 0.9) nor (0.5, 0.9)
    lst = [0.5, 0.9]  # a list may change after the call: it is checked every time
    get_rule("adam").hyperparameters(betas=lst)
    lst[0] = 1.0
    with pytest.raises(ValueError, match=r"betas\[0\]=1\.0"):
        get_rule("adam").hyperparameters(betas=lst)
    from gdlab.optim import rules

    for k in range(rules._CHECKED_KEPT + 10):
        rule.hyperparameters(lr=0.001 * (k + 1))
    assert len(rule._checked) == rules._CHECKED_KEPT  # bounded
