"""The stateful optimizers: torch.optim's numbers (fixtures + live), checkpoints, binding, validation, by-name."""

import copy
import inspect

import numpy as np
import pytest

import gdlab.optim as optim
from tests.optim.optim_cases import CASES, RECORD, RTOL, SHAPES, TRAJECTORIES, P, gradient, run_gdlab, run_torch, starts

ALL_CLASSES = [optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adadelta, optim.Adam, optim.AdamW, optim.Adamax,
               optim.NAdam, optim.RAdam, optim.Lion]
CASE_IDS = [c[0] for c in CASES]


@pytest.fixture(scope="module")
def fixture():
    with np.load(TRAJECTORIES) as data:
        return {k: data[k] for k in data.files}


@pytest.fixture(scope="module")
def problem(fixture):
    return {k: v for k, v in fixture.items() if not k.startswith("traj/") and k != "torch_version"}


def assert_close_rel(ours, ref, rtol=RTOL):
    """Per step: max |ours - ref| <= rtol * max |ref| (relative error in the max norm)."""
    err = np.max(np.abs(ours - ref), axis=-1) / np.max(np.abs(ref), axis=-1)
    worst = int(np.argmax(err))
    assert err[worst] <= rtol, f"relative error {err[worst]:.3e} at row {worst}"


# -- agreement with torch.optim ---------------------------------------------------------

def test_case_table_covers_every_torch_optimizer_and_the_variants():
    covered = {cls for _, cls, _ in CASES}
    assert covered == {c.__name__ for c in ALL_CLASSES} - {"Lion"}
    flags = {k for _, _, kw in CASES for k, v in kw.items() if v is True}
    assert flags == {"nesterov", "centered", "amsgrad", "maximize", "decoupled_weight_decay"}
    used = {k for _, _, kw in CASES for k in kw}
    assert {"weight_decay", "dampening", "lr_decay", "initial_accumulator_value", "momentum", "momentum_decay",
            "betas", "eps", "alpha", "rho"} <= used


@pytest.mark.parametrize("case_id, cls_name, kwargs", CASES, ids=CASE_IDS)
def test_matches_torch_fixture(case_id, cls_name, kwargs, fixture, problem):
    ours = run_gdlab(problem, cls_name, kwargs)[np.array(RECORD) - 1]
    assert_close_rel(ours, fixture[f"traj/{case_id}"])


@pytest.mark.parametrize("case_id, cls_name, kwargs", CASES, ids=CASE_IDS)
def test_matches_torch_live(case_id, cls_name, kwargs, problem):
    pytest.importorskip("torch")
    assert_close_rel(run_gdlab(problem, cls_name, kwargs), run_torch(problem, cls_name, kwargs))


def test_defaults_match_the_rules_and_torch():
    for cls in ALL_CLASSES:
        sig = inspect.signature(cls)
        params = {k: p.default for k, p in sig.parameters.items()
                  if k not in ("params", "noise_std", "noise_seed", "transforms")}
        expected = dict(cls.rule.defaults)
        if cls is optim.AdamW:
            assert expected.pop("decoupled_weight_decay") is True
        assert params == expected, cls.__name__
        assert list(sig.parameters)[0] == "params"
    torch = pytest.importorskip("torch")
    for cls in ALL_CLASSES[:-1]:
        theirs = inspect.signature(getattr(torch.optim, cls.__name__)).parameters
        for name, p in inspect.signature(cls).parameters.items():
            if name in theirs and name != "params":
                assert theirs[name].default == p.default, (cls.__name__, name)


def test_docstrings_give_the_formula_and_the_variant():
    for cls in ALL_CLASSES:
        doc = cls.__doc__
        assert "p <-" in doc.replace("p  <-", "p <-") and "Variant" in doc, cls.__name__
    assert "bias-corrected" in optim.Adam.__doc__ and "Keras" in optim.Adam.__doc__
    assert "rho_t > 5" in optim.RAdam.__doc__
    assert "momentum_decay" in optim.NAdam.__doc__
    assert "lr_decay" in optim.Adagrad.__doc__
    assert "centered" in optim.RMSprop.__doc__


# -- checkpoints -----------------------------------------------------------------------------

RESUME_CASES = CASES + [("lion", "Lion", {"lr": 0.01, "weight_decay": 0.1}),
                        ("sgd_noise", "SGD", {"lr": 0.05, "momentum": 0.9, "noise_std": 0.1, "noise_seed": 3})]


@pytest.mark.parametrize("case_id, cls_name, kwargs", RESUME_CASES, ids=[c[0] for c in RESUME_CASES])
def test_state_dict_resume_is_bit_identical(case_id, cls_name, kwargs, problem):
    cls = getattr(optim, cls_name)
    sign = -1.0 if kwargs.get("maximize") else 1.0

    def run(params, opt, steps):
        for _ in range(steps):
            for i, p in enumerate(params):
                p.grad = gradient(problem, i, p.data, sign)
            opt.step()

    straight = [P(x) for x in starts(problem)]
    run(straight, cls(straight, **kwargs), 200)

    first = [P(x) for x in starts(problem)]
    opt = cls(first, **kwargs)
    run(first, opt, 100)
    saved = opt.state_dict()
    at_100 = [p.data.copy() for p in first]
    run(first, opt, 3)  # moving on must not change what was saved

    resumed = [P(x) for x in at_100]
    opt2 = cls(resumed, **{k: v for k, v in kwargs.items() if k != "noise_seed"})
    opt2.load_state_dict(saved)
    run(resumed, opt2, 100)
    for a, b in zip(resumed, straight):
        np.testing.assert_array_equal(a.data, b.data)


def test_state_dict_layout_and_deep_copy():
    p, q = P(np.ones(3)), P(np.ones(2))
    opt = optim.Adam([{"params": [p]}, {"params": [q], "lr": 0.5}], amsgrad=True)
    p.grad = np.ones(3)
    opt.step()
    sd = opt.state_dict()
    assert list(sd["state"]) == [0]  # q had no gradient: no state
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}  # scratch left out
    assert sd["param_groups"][0]["params"] == [0] and sd["param_groups"][1]["params"] == [1]
    assert sd["param_groups"][1]["lr"] == 0.5
    before = sd["state"][0]["exp_avg"].copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"], before)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.Adam([p]).load_state_dict(sd)
    with pytest.raises(ValueError, match="parameters"):
        optim.Adam([{"params": [p, q]}, {"params": [P(np.ones(1))]}]).load_state_dict(sd)


# -- usage: PyTorch style, Keras style, groups, skipping ------------------------------------

def test_keras_style_unbound_then_bind_equals_pytorch_style():
    a, b = P(np.array([1.0, -2.0])), P(np.array([1.0, -2.0]))
    torch_style = optim.Adam([a], lr=0.1)
    keras_style = optim.Adam(lr=0.1)
    assert not keras_style.bound
    with pytest.raises(RuntimeError, match="bind"):
        keras_style.step()
    assert keras_style.bind([b]) is keras_style
    for _ in range(5):
        a.grad, b.grad = 2 * a.data, 2 * b.data
        torch_style.step()
        keras_style.step()
    np.testing.assert_array_equal(a.data, b.data)
    assert keras_style.bind([b]) is keras_style  # the same parameters again (a second fit): no-op
    with pytest.raises(RuntimeError, match="already bound"):
        keras_style.bind([P(np.ones(1))])


def test_keras_positional_learning_rate():
    assert optim.Adam(0.1).defaults["lr"] == 0.1
    assert optim.SGD(0.5).defaults["lr"] == 0.5
    with pytest.raises(TypeError, match="both"):
        optim.Adam(0.1, lr=0.2)


def test_param_with_grad_none_is_skipped():
    p, q = P(np.array([1.0, 2.0])), P(np.array([3.0]))
    opt = optim.SGD([p, q], lr=0.1, momentum=0.9, weight_decay=0.1)
    p.grad = np.array([1.0, 1.0])
    opt.step()
    np.testing.assert_array_equal(q.data, [3.0])  # not even weight decay touches it
    assert q not in opt.state and p in opt.state
    np.testing.assert_allclose(p.data, [1.0 - 0.1 * 1.1, 2.0 - 0.1 * 1.2])


def test_zero_grad():
    p = P(np.ones(2))
    opt = optim.SGD([p])
    p.grad = np.ones(2)
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and not g.any()
    opt.zero_grad()
    assert p.grad is None


def test_param_groups_are_independent_and_schedulable():
    p, q = P(np.ones(2)), P(np.ones(2))
    opt = optim.SGD([{"params": [p], "lr": 0.1}, {"params": [q]}], lr=0.01, momentum=0.5)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert opt.param_groups[1]["momentum"] == 0.5
    p.grad = q.grad = np.ones(2)
    opt.step()
    np.testing.assert_allclose(p.data, 0.9)
    np.testing.assert_allclose(q.data, 0.99)
    opt.param_groups[0]["lr"] = 0.0
    opt.step()
    np.testing.assert_allclose(p.data, 0.9)
    r = P(np.ones(1))
    opt.add_param_group({"params": r, "lr": 1.0})
    r.grad = np.ones(1)
    opt.step()
    np.testing.assert_allclose(r.data, 0.0)
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": [p]})


def test_closure_is_called_and_its_loss_returned():
    p = P(np.array([3.0]))
    opt = optim.SGD([p], lr=0.25)

    def closure():
        p.grad = 2 * p.data
        return float(p.data[0] ** 2)

    assert opt.step(closure) == 9.0
    np.testing.assert_allclose(p.data, [1.5])


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
def test_float32_stays_float32(cls):
    rng = np.random.default_rng(0)
    params = [P(rng.standard_normal(s).astype(np.float32)) for s in SHAPES]
    kwargs = {"amsgrad": True} if cls in (optim.Adam, optim.AdamW) else {}
    kwargs.update({"centered": True, "momentum": 0.5} if cls is optim.RMSprop else {})
    opt = cls(params, weight_decay=0.01, maximize=True, noise_std=0.01, noise_seed=0, **kwargs)
    datas = [p.data for p in params]
    for _ in range(3):
        for p in params:
            p.grad = (2 * p.data).astype(np.float32)
        opt.step()
    for p, d in zip(params, datas):
        assert p.data is d and p.data.dtype == np.float32
        for v in opt.state[p].values():
            if isinstance(v, np.ndarray):
                assert v.dtype == np.float32


def test_data_updated_in_place_never_rebound():
    p = P(np.ones((2, 2)))
    data = p.data
    opt = optim.Adam([p], lr=0.1)
    p.grad = np.ones((2, 2))
    opt.step()
    assert p.data is data and not np.all(data == 1.0)


# -- validation ------------------------------------------------------------------------------

BAD = [
    (optim.SGD, {"lr": -0.1}, ValueError, r"lr=-0\.1.*lr >= 0"),
    (optim.Adam, {"lr": -1e-3}, ValueError, r"lr=-0\.001"),
    (optim.Adam, {"betas": (1.0, 0.999)}, ValueError, r"betas\[0\]=1\.0.*\[0, 1\)"),
    (optim.AdamW, {"betas": (0.9, -0.1)}, ValueError, r"betas\[1\]=-0\.1"),
    (optim.Adam, {"betas": 0.9}, TypeError, "pair"),
    (optim.Adam, {"eps": 0.0}, ValueError, r"eps=0\.0.*eps > 0"),
    (optim.RMSprop, {"eps": -1e-8}, ValueError, "eps"),
    (optim.Adagrad, {"weight_decay": -0.1}, ValueError, "weight_decay"),
    (optim.SGD, {"momentum": -0.5}, ValueError, r"momentum=-0\.5"),
    (optim.RMSprop, {"momentum": -0.5}, ValueError, "momentum"),
    (optim.SGD, {"nesterov": True}, ValueError, "nesterov=True requires momentum > 0"),
    (optim.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, ValueError, "dampening == 0"),
    (optim.Adadelta, {"rho": 1.5}, ValueError, "rho"),
    (optim.Adagrad, {"lr_decay": -1}, ValueError, "lr_decay"),
    (optim.Adagrad, {"initial_accumulator_value": -1}, ValueError, "initial_accumulator_value"),
    (optim.NAdam, {"momentum_decay": -1}, ValueError, "momentum_decay"),
    (optim.Lion, {"betas": (0.9, 1.0)}, ValueError, "betas"),
    (optim.SGD, {"lr": "fast"}, TypeError, "lr must be a number"),
    (optim.SGD, {"lr": float("nan")}, ValueError, "NaN"),
    (optim.Adam, {"amsgrad": 1}, TypeError, "amsgrad must be True or False"),
    (optim.SGD, {"noise_std": -1.0}, ValueError, "noise_std"),
]


@pytest.mark.parametrize("cls, kwargs, exc, match", BAD, ids=[f"{c.__name__}-{'-'.join(k)}" for c, k, _, _ in BAD])
def test_bad_hyperparameters_fail_at_construction(cls, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        cls(**kwargs)
    with pytest.raises(exc, match=match):  # bound or not, and per group
        cls([{"params": [P(np.ones(1))], **kwargs}])


def test_bad_params():
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([])
    with pytest.raises(TypeError, match="single parameter"):
        optim.SGD(P(np.ones(1)))
    with pytest.raises(TypeError, match="floating-point"):
        optim.SGD([P(np.ones(2, dtype=int))])
    with pytest.raises(TypeError, match="unknown hyperparameter"):
        optim.SGD([{"params": [P(np.ones(1))], "betas": (0.9, 0.9)}])


def test_eps_zero_differs_from_torch_on_purpose():
    torch = pytest.importorskip("torch")
    torch.optim.Adam([torch.zeros(1, requires_grad=True)], eps=0.0)  # torch accepts it
    with pytest.raises(ValueError, match="eps > 0"):
        optim.Adam(eps=0.0)


# -- by name -------------------------------------------------------------------------------------

def test_get_by_name():
    assert optim.names() == ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam",
                             "adamw", "adamax", "nadam", "radam", "lion", "rprop", "asgd", "adafactor", "muon",
                             "lbfgs", "lbfgs_wolfe"]
    for name in optim.names():
        opt = optim.get(name)
        assert isinstance(opt, optim.Optimizer) and not opt.bound
        assert opt.rule.update is optim.get_rule(name).update
        for k, v in optim.get_rule(name).defaults.items():
            if k == "max_eval":  # None means max_iter * 5 // 4; the class stores it, as torch
                v = 25
            assert opt.defaults[k] == v, (name, k)
    assert type(optim.get("GD")) is optim.SGD
    m = optim.get("momentum", lr=0.01)
    assert m.defaults["momentum"] == 0.9 and m.defaults["lr"] == 0.01 and not m.defaults["nesterov"]
    n = optim.get("nesterov")
    assert n.defaults["nesterov"] and n.defaults["momentum"] == 0.9
    assert optim.get("adamw").defaults["weight_decay"] == 1e-2
    assert optim.get("adam", lr=0.1).defaults["lr"] == 0.1
    adam = optim.Adam(lr=0.1)
    assert optim.get(adam) is adam
    assert isinstance(optim.get(optim.RAdam, lr=0.5), optim.RAdam)
    with pytest.raises(TypeError, match="overrides"):
        optim.get(adam, lr=0.2)


def test_get_unknown_name_lists_names_and_close_matches():
    with pytest.raises(ValueError, match=r"unknown optimizer 'adamm'.*Did you mean 'adam'.*Known optimizers: .*rmsprop"):
        optim.get("adamm")
    with pytest.raises(ValueError, match="Known"):
        optim.get("newton")
    with pytest.raises(ValueError, match="nesterov"):
        optim.get_rule("nestrov")
    with pytest.raises(TypeError):
        optim.get(3)


# -- with gdlab's own Tensor --------------------------------------------------------------------

def test_drives_gdlab_tensors_with_backward_like_torch():
    gdlab = pytest.importorskip("gdlab")
    if not hasattr(gdlab, "Tensor"):
        pytest.skip("gdlab.Tensor not available")
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((20, 3)), rng.standard_normal((20, 1))
    w0, b0 = rng.standard_normal((3, 1)), np.zeros((1,))

    w = gdlab.Tensor(w0.copy(), requires_grad=True)
    b = gdlab.Tensor(b0.copy(), requires_grad=True)
    opt = optim.Adam([w, b], lr=0.05, weight_decay=0.01)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = (((gdlab.Tensor(x) @ w + b - y) ** 2).sum() / 20.0)
        loss.backward()
        opt.step()
        losses.append(float(loss.data))
    assert losses[-1] < losses[0]

    # the same with plain arrays and hand-written gradients
    pw, pb = P(w0.copy()), P(b0.copy())
    ref = optim.Adam([pw, pb], lr=0.05, weight_decay=0.01)
    for _ in range(30):
        r = x @ pw.data + pb.data - y
        pw.grad, pb.grad = 2 * x.T @ r / 20.0, 2 * r.sum(axis=0) / 20.0
        ref.step()
    np.testing.assert_allclose(w.data, pw.data, rtol=1e-12)
    np.testing.assert_allclose(b.data, pb.data, rtol=1e-12)

    torch = pytest.importorskip("torch")
    tw = torch.tensor(w0.copy(), requires_grad=True)
    tb = torch.tensor(b0.copy(), requires_grad=True)
    topt = torch.optim.Adam([tw, tb], lr=0.05, weight_decay=0.01)
    for _ in range(30):
        topt.zero_grad()
        (((torch.from_numpy(x) @ tw + tb - torch.from_numpy(y)) ** 2).sum() / 20.0).backward()
        topt.step()
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-10)


def test_base_class_needs_a_rule_and_a_subclass_with_one_works():
    with pytest.raises(TypeError, match="no update rule"):
        optim.Optimizer([P(np.ones(1))])

    class HalfSGD(optim.Optimizer):
        rule = optim.get_rule("sgd")

    p = P(np.array([2.0]))
    opt = HalfSGD([p], {**optim.get_rule("sgd").defaults, "lr": 0.5})
    p.grad = np.array([1.0])
    opt.step()
    np.testing.assert_array_equal(p.data, [1.5])


def test_gdlab_optim_never_imports_autodiff():
    """The layering rule, checked on the source: gdlab.optim imports NumPy, the standard library and gdlab's
    rank -1 helpers only (relative imports; tests/test_package.py checks their ranks)."""
    import ast
    import pathlib

    root = pathlib.Path(optim.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [("." * node.level) + (node.module or "")]
            else:
                continue
            for mod in mods:
                assert mod.startswith(".") or mod.split(".")[0] in {
                    "numpy", "__future__", "math", "copy", "inspect", "dataclasses", "numbers", "typing",
                    "collections", "bisect", "difflib", "types", "os"}, f"{path.name} imports {mod}"


def test_rmsprop_alpha_one_rejected_unlike_torch():
    torch = pytest.importorskip("torch")
    torch.optim.RMSprop([torch.zeros(1, requires_grad=True)], alpha=1.0)  # torch accepts it
    with pytest.raises(ValueError, match="0 <= alpha < 1"):
        optim.RMSprop(alpha=1.0)


def test_load_state_dict_checks_everything_before_changing_anything():
    """Issue 12: optimizer state of the wrong shape was accepted silently (and failed, or broadcast, later)."""
    p = P(np.ones((3, 2)))
    opt = optim.Adam([p], lr=0.1)
    p.grad = np.ones((3, 2))
    opt.step()
    good = opt.state_dict()

    def edited(edit):
        sd = copy.deepcopy(good)
        edit(sd)
        return sd

    cases = [
        (lambda sd: sd["state"][0].update(exp_avg=np.zeros(3)),
         r"state\[0\]\['exp_avg'\]: expected a float array of shape \(3, 2\) \(the parameter's\), got a float64 array of shape \(3,\)"),
        (lambda sd: sd["state"][0].update(exp_avg=np.zeros((3, 2), int)), r"got a int64 array of shape \(3, 2\)"),
        (lambda sd: sd["state"][0].update(exp_avg=[0.0] * 6), "got a list"),
        (lambda sd: sd["state"][0].update(step=-1), r"state\[0\]\['step'\]: expected a whole number >= 0, got -1"),
        (lambda sd: sd["state"][0].update(step=1.5), "got 1.5"),
        (lambda sd: sd["state"][0].pop("exp_avg_sq"), r"state\[0\]: has the entries \['exp_avg', 'step'\]; Adam keeps"),
        (lambda sd: sd["state"][0].update(momentum_buffer=np.zeros((3, 2))), "has the entries"),
        (lambda sd: sd["state"].update({5: {}}), r"state\[5\]: no parameter has this index"),
        (lambda sd: sd["param_groups"][0].update(lr=-1.0), r"param_groups\[0\]: .*lr"),
        (lambda sd: sd["param_groups"][0].update(rocket=1), r"param_groups\[0\]: unknown hyperparameter\(s\) rocket"),
        (lambda sd: sd["param_groups"][0].update(params=["a"]), r"expected distinct parameter indices, got 'a'"),
        (lambda sd: sd.update(steps=[1]), r"steps: expected a whole number >= 0, got \[1\]"),
        (lambda sd: sd.update(noise_rng={"bit_generator": "MT19937"}), "noise_rng: not a PCG64 state"),
        (lambda sd: sd.update(state=[]), "expected a dict with a 'param_groups' list and a 'state' dict"),
    ]
    for edit, message in cases:
        before = opt.state_dict()
        with pytest.raises(ValueError, match=message):
            opt.load_state_dict(edited(edit))
        after = opt.state_dict()  # nothing changed
        assert after["steps"] == before["steps"] and after["param_groups"] == before["param_groups"]
        np.testing.assert_array_equal(after["state"][0]["exp_avg"], before["state"][0]["exp_avg"])
    # a momentum buffer appears later in SGD's state: accepted with or without it, of the right shape only
    sgd = optim.SGD([p], lr=0.1, momentum=0.9)
    sgd.step()
    sd = sgd.state_dict()
    sgd.load_state_dict(sd)
    sd["state"][0]["momentum_buffer"] = np.zeros(2)
    with pytest.raises(ValueError, match=r"state\[0\]\['momentum_buffer'\]"):
        sgd.load_state_dict(sd)


def test_get_refuses_an_unknown_hyperparameter_with_the_rules_message():
    """optim.get('adadelta', rocket=0) said Python's "__init__() got an unexpected keyword argument"; it now
    says what Rule.hyperparameters and gdlab.minimize say (found by tests/fuzz)."""
    with pytest.raises(TypeError) as via_get:
        optim.get("adadelta", rocket=0)
    with pytest.raises(TypeError) as via_rule:
        optim.get_rule("adadelta").hyperparameters(rocket=0)
    assert str(via_get.value) == str(via_rule.value) == (
        "adadelta: unknown hyperparameter(s) rocket; known: lr, rho, eps, weight_decay, maximize")


def test_asgd_with_a_huge_alpha_and_lbfgs_with_an_array_lr():
    """Found by tests/fuzz: ASGD(alpha=1e308) raised Python's OverflowError in its second step (eta's power);
    LBFGS(lr=array) failed in the line search with NumPy's "truth value of an array is ambiguous"."""
    p = P(np.array([[1.5, -0.5]]))
    opt = optim.ASGD([p], lr=0.01, alpha=1e308)
    for _ in range(3):
        p.grad = 2 * p.data
        opt.step()
    assert opt.state[p]["eta"] == 0.0 and np.all(np.isfinite(p.data))  # lr / inf
    with pytest.raises(TypeError, match=r"LBFGS: lr must be one number \(torch's float\), got array"):
        optim.LBFGS([p], lr=np.array([0.1, 0.2]))


def test_lbfgs_history_size_allocates_only_what_it_uses():
    """history_size=10**30 was an OverflowError at the first step ([None] * history_size); found by tests/fuzz."""
    p = P(np.array([[1.5, -0.5]]))
    opt = optim.LBFGS([p], history_size=10**30)

    def closure():
        p.grad = 2 * p.data
        return float((p.data ** 2).sum())

    for _ in range(3):
        opt.step(closure)
    assert len(opt.state_dict()["state"][0]["al"]) <= 20  # at most one slot per stored pair
    np.testing.assert_allclose(p.data, 0.0, atol=1e-12)
