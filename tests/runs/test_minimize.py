"""gdlab.minimize and race: shapes, statuses, recording, vectorization, errors."""

import json

import numpy as np
import pytest

import gdlab
from gdlab import optim
from gdlab.functions import Function, get, regression_loss
from gdlab.runs import Trajectory, minimize, race
from gdlab.runs.minimize import MAX_STEPS

OPTIMIZERS = ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "adamax",
              "nadam", "radam", "lion"]


def test_single_start_shapes():
    t = minimize("rosenbrock", [-1.2, 1.0], "adam", steps=50, lr=0.01)
    assert isinstance(t, Trajectory) and len(t) == 51
    assert t.params.shape == (51, 2) and t.grad.shape == (51, 2)
    assert t.loss.shape == (51,) and t.grad_norm.shape == (51,) and t.lr.shape == (50,)
    assert t.final.shape == (2,) and isinstance(t.final_loss, float)
    assert isinstance(t.status, str) and isinstance(t.stopped_at, int)
    assert t.n_runs == 1 and t.steps == 50 and t.dim == 2
    assert t.optimizer == "adam" and t.label == "adam" and t.hyperparameters["lr"] == 0.01
    assert t.hyperparameters["betas"] == (0.9, 0.999)
    assert set(t.state) == {"exp_avg", "exp_avg_sq"} and t.state["exp_avg"].shape == (51, 2)
    np.testing.assert_array_equal(t.state["exp_avg"][0], 0.0)
    assert t.function.name == "rosenbrock"
    f = get("rosenbrock")
    np.testing.assert_allclose(t.loss, f(t.params))
    np.testing.assert_allclose(t.grad, f.grad(t.params))
    np.testing.assert_allclose(t.grad_norm, np.linalg.norm(t.grad, axis=1))
    np.testing.assert_array_equal(t.params[0], [-1.2, 1.0])


def test_many_starts_are_one_program_and_equal_single_runs():
    x0 = np.random.default_rng(0).uniform(-2, 2, size=(7, 2))
    many = minimize("himmelblau", x0, "momentum", steps=60, lr=0.005)
    assert many.params.shape == (61, 7, 2) and many.loss.shape == (61, 7) and many.status.shape == (7,)
    assert many.state["momentum_buffer"].shape == (61, 7, 2)
    for i in (0, 3, 6):
        one = minimize("himmelblau", x0[i], "momentum", steps=60, lr=0.005)
        np.testing.assert_allclose(many.params[:, i], one.params, rtol=1e-14, atol=1e-14)
        run = many.run(i)
        assert run.single and run.params.shape == (61, 2)
        np.testing.assert_array_equal(run.params, many.params[:, i])
    sub = many.select([1, 2])
    assert sub.n_runs == 2 and sub.params.shape == (61, 2, 2)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_runs_the_optim_rule(name):
    """The runner steps with gdlab.optim's rule: the same numbers as the rule applied by hand."""
    f = get("beale")
    x0 = np.array([[1.0, 1.0], [-1.0, 0.5]])
    t = minimize(f, x0, name, steps=20, lr=1e-3)
    rule = optim.get_rule(name)
    hp = rule.hyperparameters(lr=1e-3)
    p = x0.copy()
    state = rule.init(p, **hp)
    for _ in range(20):
        rule.update(p, f.grad(p), state, **hp)
    np.testing.assert_allclose(t.final, p, rtol=1e-13, atol=1e-15)
    assert t.status.tolist() == ["max_steps", "max_steps"]


def test_matches_the_stateful_optimizer_on_tensors():
    f = get("rosenbrock")
    x = gdlab.Tensor(np.array([-1.2, 1.0]), requires_grad=True)
    opt = optim.Adam([x], lr=0.02)
    for _ in range(30):
        opt.zero_grad()
        f(x).backward()
        opt.step()
    t = minimize(f, [-1.2, 1.0], "adam", steps=30, lr=0.02, gradient="autodiff")
    np.testing.assert_allclose(t.final, x.data, rtol=1e-12)


def test_closed_form_and_autodiff_gradients_give_the_same_run():
    x0 = np.random.default_rng(1).uniform(-2, 2, (5, 2))
    a = minimize("rosenbrock", x0, "adam", steps=200, lr=0.01, gradient="closed_form")
    b = minimize("rosenbrock", x0, "adam", steps=200, lr=0.01, gradient="autodiff")
    assert a.gradient == "closed_form" and b.gradient == "autodiff"
    np.testing.assert_allclose(a.params, b.params, rtol=1e-9, atol=1e-12)


def test_one_dimensional_starts():
    t = minimize("square", 3.0, steps=5, lr=0.1)
    assert t.params.shape == (6, 1) and t.single
    t = minimize("square", [3.0, -1.0, 2.0], steps=5, lr=0.1)   # three starts of a 1-D function
    assert t.params.shape == (6, 3, 1) and not t.single
    t = minimize("square", [[3.0], [1.0]], steps=5, lr=0.1)
    assert t.params.shape == (6, 2, 1)


def test_default_start_and_default_lr():
    t = minimize("rosenbrock", steps=3)
    np.testing.assert_array_equal(t.x0, get("rosenbrock").start)
    assert t.hyperparameters["lr"] == optim.get_rule("gd").defaults["lr"]


def test_tol_converges_and_the_last_point_repeats():
    x0 = np.array([[3.0, 4.0], [0.3, 0.4], [1e-12, 0.0]])
    t = minimize("sphere", x0, "gd", steps=100, lr=0.1, tol=1e-6)
    assert t.status.tolist() == ["converged"] * 3
    assert t.stopped_at[2] == 0
    for i in range(3):
        s = t.stopped_at[i]
        assert t.grad_norm[s, i] < 1e-6 and (s == 0 or t.grad_norm[s - 1, i] >= 1e-6)
        np.testing.assert_array_equal(t.params[s:, i], np.broadcast_to(t.params[s, i], (101 - s, 2)))
        np.testing.assert_array_equal(t.loss[s:, i], t.loss[s, i])
        np.testing.assert_array_equal(t.final[i], t.params[s, i])
    assert t.stopped_at[1] < t.stopped_at[0]


def test_mixed_statuses_in_one_vectorized_run():
    x0 = np.array([[0.5, 0.5], [4.0, 4.0], [1e-9, 1e-9]])
    t = minimize("sphere", x0, "gd", steps=50, lr=np.float64(0.9), tol=1e-6)
    assert t.status[2] == "converged"
    t2 = minimize("saddle", np.array([[1.0, 0.0], [1.0, 1.0]]), "gd", steps=200, lr=0.3, tol=1e-9)
    assert t2.status.tolist() == ["converged", "diverged"]
    assert np.isfinite(t2.params).all()


def test_divergence_bound_and_non_finite_loss():
    t = minimize("saddle", [0.0, 1.0], "gd", steps=100, lr=0.5, divergence_bound=1e3)
    assert t.status == "diverged" and t.divergence_bound == 1e3
    assert abs(t.final[1]) > 1e3 and abs(t.params[t.stopped_at - 1, 1]) <= 1e3
    f = gdlab.expr("log(x)")                         # loss nan once x < 0: diverged, no exception
    t = minimize(f, 0.5, "gd", steps=10, lr=10.0, maximize=False)
    assert t.status == "diverged" and not np.isfinite(t.final_loss)
    # the default bound: 1e6 * max(1, |bounds|, |x0|)
    assert minimize("paraboloid", [-3.0, 4.0], steps=1).divergence_bound == 4.5e6


def test_recording_choices():
    x0 = np.zeros((3, 2))
    t = minimize("booth", x0, "adam", steps=10, lr=0.1, record=())
    assert t.params is None and t.loss is None and t.grad is None and t.grad_norm is None and t.state == {}
    assert t.final.shape == (3, 2) and t.final_loss.shape == (3,)
    full = minimize("booth", x0, "adam", steps=10, lr=0.1)
    np.testing.assert_array_equal(t.final, full.final)
    np.testing.assert_array_equal(t.final_loss, full.loss[-1])
    losses = minimize("booth", x0, "adam", steps=10, lr=0.1, record=("loss",))
    np.testing.assert_array_equal(losses.loss, full.loss)
    assert losses.params is None
    g = minimize("booth", x0, "adam", steps=10, lr=0.1, record=("grad_norm",))
    np.testing.assert_allclose(g.grad_norm, full.grad_norm)
    # auto: no state history for many runs of many dimensions
    big = minimize(get("sphere", dim=50), np.ones((100, 50)), "adam", steps=2, lr=0.1)
    assert big.state == {} and big.params is not None
    with pytest.raises(ValueError, match="unknown name"):
        minimize("booth", x0, record=("parms",))


def test_schedules_and_lr_history():
    t = minimize("sphere", [1.0, 1.0], "gd", steps=10, lr=0.1, schedule=("step", {"step_size": 5, "gamma": 0.5}))
    np.testing.assert_allclose(t.lr, [0.1] * 5 + [0.05] * 5)
    t = minimize("sphere", [1.0, 1.0], "gd", steps=4, lr=0.1, schedule="cosine")
    np.testing.assert_allclose(t.lr, 0.05 * (1 + np.cos(np.pi * np.arange(4) / 4)))
    # the schedule is really used: x_{t+1} = (1 - 2 lr_t) x_t
    np.testing.assert_allclose(t.final, np.prod(1 - 2 * t.lr) * np.ones(2))
    t = minimize("sphere", [1.0, 1.0], "gd", steps=3, lr=0.1, schedule=lambda step, lr: lr / (1 + step))
    np.testing.assert_allclose(t.lr, [0.1, 0.05, 0.1 / 3])
    with pytest.raises(ValueError, match="needs gamma"):
        minimize("sphere", [1.0, 1.0], schedule="exponential")
    with pytest.raises(ValueError, match="unknown schedule"):
        minimize("sphere", [1.0, 1.0], schedule="cosinus")


def test_mini_batches_on_a_data_objective():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 1))
    y = 3 * x[:, 0] - 1
    f = regression_loss(x, y)
    for sampling in ("shuffle", "random", "cyclic"):
        t = minimize(f, [[0.0, 0.0], [1.0, 1.0]], "sgd", steps=400, lr=0.05, batch_size=4, sampling=sampling, seed=1)
        np.testing.assert_allclose(t.final, [[3.0, -1.0]] * 2, atol=1e-6)   # noise-free data: SGD reaches it
        np.testing.assert_allclose(t.loss, f(t.params))                     # the full loss is recorded
    gd = minimize(f, [0.0, 0.0], "gd", steps=50, lr=0.1)
    full_batch = minimize(f, [0.0, 0.0], "gd", steps=50, lr=0.1, batch_size=40, sampling="cyclic")
    np.testing.assert_allclose(gd.params, full_batch.params, rtol=1e-12, atol=1e-14)
    a = minimize(f, [0.0, 0.0], "sgd", steps=30, lr=0.05, batch_size=1, seed=3)
    b = minimize(f, [0.0, 0.0], "sgd", steps=30, lr=0.05, batch_size=1, seed=3)
    np.testing.assert_array_equal(a.params, b.params)
    with pytest.raises(ValueError, match="batch_size must be an int in"):
        minimize(f, [0.0, 0.0], batch_size=41)
    with pytest.raises(ValueError, match="needs a data-defined objective"):
        minimize("sphere", [0.0, 0.0], batch_size=1)


def test_noise_draws_do_not_depend_on_the_memory_layout():
    """Several 2-D starts (stored coordinate-major by the runner): the noise of step t is still
    rng.standard_normal((n, d)) in row-major order, as a hand-written loop draws it."""
    x0 = np.array([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25]])
    t = minimize("sphere", x0, "gd", steps=15, lr=0.1, noise=0.5, seed=7)
    rng = np.random.default_rng(7)
    p = x0.copy()
    for _ in range(15):
        p = p - 0.1 * (2 * p + 0.5 * rng.standard_normal(p.shape))
    np.testing.assert_allclose(t.final, p, rtol=1e-14, atol=1e-15)


def test_histories_are_exact_per_step_copies_whatever_the_layout():
    """2-D runs are stored coordinate-major, higher-d ones row-major: the recorded numbers are the
    same ones (a 3-D run whose third coordinate is inert matches the 2-D run exactly)."""
    x0 = np.random.default_rng(3).uniform(-2, 2, size=(5, 2))
    two = minimize("sphere", x0, "adam", steps=25, lr=0.05)
    three = minimize(gdlab.functions.sphere(3), np.c_[x0, np.zeros(5)], "adam", steps=25, lr=0.05)
    np.testing.assert_array_equal(three.params[..., :2], two.params)
    np.testing.assert_array_equal(three.grad[..., :2], two.grad)
    np.testing.assert_array_equal(three.state["exp_avg_sq"][..., :2], two.state["exp_avg_sq"])
    np.testing.assert_allclose(three.grad_norm, two.grad_norm, rtol=1e-15)


def test_noise_and_clipping():
    a = minimize("sphere", [1.0, 1.0], "gd", steps=20, lr=0.1, noise=0.5, seed=0)
    b = minimize("sphere", [1.0, 1.0], "gd", steps=20, lr=0.1)
    assert not np.allclose(a.params, b.params)
    np.testing.assert_allclose(a.grad, 2 * a.params)        # the recorded gradient is the exact one
    c = minimize("sphere", [100.0, 0.0], "gd", steps=1, lr=1.0, clip_grad_norm=1.0)
    assert c.final[0] == pytest.approx(99.0, abs=1e-4)


def test_callables_strings_and_formulas():
    t = minimize(lambda x: (x[..., 0] - 1) ** 2 + gdlab.sin(x[..., 1]) ** 2, [0.0, 0.5], "gd", steps=200, lr=0.1)
    np.testing.assert_allclose(t.final, [1.0, 0.0], atol=1e-6)
    assert t.gradient == "autodiff"
    t = minimize("x**2 + 3*y**2", [1.0, 1.0], "gd", steps=100, lr=0.1)
    assert t.function.formula == "x**2 + 3 * y**2" and np.allclose(t.final, 0, atol=1e-8)
    t = minimize("x^2", 2.0, steps=1, lr=0.25)
    assert t.function.name == "square" and t.final[0] == 1.0


def test_to_dict_is_json():
    t = minimize("paraboloid", [-3.0, 4.0], "momentum", steps=10, lr=10.0)
    d = json.loads(json.dumps(t.to_dict()))
    assert d["status"] == "diverged" and len(d["params"]) == 11 and d["function"]["name"] == "paraboloid"
    assert "momentum_buffer" in d["state"]


def test_race():
    runs = race("rosenbrock", [-1.2, 1.0], {"gd": {"lr": 1e-3}, "adam": {"lr": 0.05},
                                             "heavy ball": {"optimizer": "momentum", "lr": 1e-3, "momentum": 0.95}},
                steps=300)
    assert list(runs) == ["gd", "adam", "heavy ball"]
    assert runs["heavy ball"].optimizer == "momentum" and runs["heavy ball"].label == "heavy ball"
    assert runs["heavy ball"].hyperparameters["momentum"] == 0.95
    assert all(r.params.shape == (301, 2) for r in runs.values())
    assert runs["adam"].final_loss < runs["gd"].final_loss
    many = race("himmelblau", np.zeros((4, 2)), ["gd", "adam"], steps=10)
    assert many["adam"].params.shape == (11, 4, 2)
    with pytest.raises(ValueError, match="'fast' is not an optimizer name"):
        race("rosenbrock", None, {"fast": {"lr": 0.1}})
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        race("rosenbrock", None, {"fast": {"optimizer": "adamm"}})


# -- item 8: bad input, clear errors ----------------------------------------------------------

def test_errors():
    with pytest.raises(ValueError, match=r"unknown function 'rosenbrok'.*Did you mean 'rosenbrock'"):
        minimize("rosenbrok", [0.0, 0.0])
    with pytest.raises(ValueError, match=r"x0 must be one start of shape \(2,\) or n >= 1 starts of shape \(n, 2\).*got shape \(3,\)"):
        minimize("rosenbrock", [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"got shape \(2, 2, 2\)"):
        minimize("rosenbrock", np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match=r"steps must be an int in \[1, 10,000,000\], got 0"):
        minimize("rosenbrock", [0.0, 0.0], steps=0)
    with pytest.raises(TypeError, match=r"steps must be an int in \[1, 10,000,000\], got 2.5"):
        minimize("rosenbrock", [0.0, 0.0], steps=2.5)
    with pytest.raises(ValueError, match="unknown optimizer 'adma'. Did you mean .*'adam'"):
        minimize("rosenbrock", [0.0, 0.0], "adma")
    with pytest.raises(TypeError, match="unknown hyperparameter.*betaz"):
        minimize("rosenbrock", [0.0, 0.0], "adam", betaz=(0.9, 0.99))
    with pytest.raises(ValueError, match=r"invalid lr=-1.0; expected a finite lr >= 0"):
        minimize("rosenbrock", [0.0, 0.0], lr=-1.0)
    with pytest.raises(ValueError, match="tol must be a finite number > 0"):
        minimize("rosenbrock", [0.0, 0.0], tol=-1)
    with pytest.raises(ValueError, match="x0 must be finite"):
        minimize("rosenbrock", [np.nan, 0.0])
    with pytest.raises(ValueError, match="unknown function 'foo' at position 4"):
        minimize("x + foo(y)", [0.0, 0.0])
    with pytest.raises(ValueError, match="x0 is required"):
        minimize(lambda x: x[..., 0] ** 2)
    with pytest.raises(TypeError, match="use gdlab.lr_sweep"):
        minimize("sphere", [0.0, 0.0], lr=[0.1, 0.2])
    with pytest.raises(ValueError, match="gradient must be one of"):
        minimize("sphere", [0.0, 0.0], gradient="symbolic")
    with pytest.raises(ValueError, match="no closed-form gradient"):
        minimize(Function(lambda x: x[..., 0] ** 2, 1), 1.0, gradient="closed_form")


def test_the_boundary_refuses_before_any_work():
    """Issue 12: each bad input gets one rule and one message naming the value, before allocation."""
    for x0 in ([], np.empty((0, 2)), [[]]):
        with pytest.raises(ValueError, match=r"x0 is empty \(shape .*\): give at least one start"):
            minimize("rosenbrock" if np.size(x0) or np.ndim(x0) == 2 else "x**2", x0)
    with pytest.raises(ValueError, match=r"x0 is empty \(shape \(0,\)\).*1-D function 'square'"):
        minimize("x**2", [])  # was "zero-size array to reduction operation maximum"
    with pytest.raises(ValueError, match=r"x0 is empty"):
        race("rosenbrock", [], steps=3)
    for steps in (10**30, MAX_STEPS + 1):  # 10**30 was NumPy's "Maximum allowed dimension exceeded"
        with pytest.raises(ValueError, match=rf"steps must be an int in \[1, 10,000,000\], got {steps:,}"):
            minimize("x**2", 1.0, steps=steps)
    with pytest.raises(ValueError, match=r"steps must be an int in \[1, 10,000,000\]"):
        gdlab.lr_sweep("paraboloid", [1.0, 1.0], "gd", lrs=[0.1], steps=10**12)
    with pytest.raises(ValueError, match=r"x0 holds 5,000,001 starts x 2 dimensions = 10,000,002 numbers; at most "
                                         r"10,000,000"):
        minimize("paraboloid", np.broadcast_to(0.0, (5_000_001, 2)), steps=1)
    # non-finite starts, in every shape, name the first offending number (a 1-D nan start used to run)
    for x0, where in ((np.nan, "x0 = nan"), ([0.0, np.inf], r"x0\[1\] = inf"), ([[0, 0], [1, -np.inf]], r"x0\[1, 1\] = -inf")):
        with pytest.raises(ValueError, match=rf"x0 must be finite numbers \(no nan or inf\), got {where}"):
            minimize("x**2" if np.ndim(x0) == 0 else "rosenbrock", x0)
    with pytest.raises(ValueError, match=r"x0 must be finite numbers .*got x0\[2\] = nan"):
        minimize("x**2", [0.0, 1.0, np.nan])  # three starts of a 1-D function


@pytest.mark.parametrize("value, shape", [
    (lambda x: x, r"\(1, 2\)"), (lambda x: (x ** 2).sum(), r"\(\)"), (lambda x: 3.0, r"\(\)"),
])
def test_a_callable_of_the_wrong_shape_is_named(value, shape):
    """Was 'could not broadcast input array from shape (2,) into shape (1,)' or an IndexError from inside the run."""
    with pytest.raises(ValueError, match=rf"the objective '<lambda>' returned shape {shape} for points of shape "
                                         r"\(1, 2\); it must return one number per point, shape \(1,\)"):
        minimize(value, [1.0, 2.0], steps=2)
    with pytest.raises(TypeError, match="returned str values"):
        minimize(lambda x: "a", [1.0, 2.0], steps=2)


def test_lr_zero_is_allowed_everywhere_and_inf_nowhere():
    """One rule for lr (torch.optim's, stricter on inf): the optimizer classes and the runs agree."""
    t = minimize("rosenbrock", [-1.0, 1.0], "adam", lr=0, steps=5)
    np.testing.assert_array_equal(t.final, [-1.0, 1.0])  # lr 0: no step at all, as torch.optim
    assert gdlab.optim.Adam([gdlab.Tensor([1.0], requires_grad=True)], lr=0.0).param_groups[0]["lr"] == 0.0
    message = r"invalid lr=inf; expected a finite lr >= 0 \(lr = 0 is allowed, as in torch.optim\)"
    with pytest.raises(ValueError, match=message):
        minimize("rosenbrock", [-1.0, 1.0], "adam", lr=np.inf)
    with pytest.raises(ValueError, match=message):
        gdlab.optim.Adam([gdlab.Tensor([1.0], requires_grad=True)], lr=np.inf)
    with pytest.raises(ValueError, match=r"invalid lr=-0.5; expected a finite lr >= 0"):
        gdlab.optim.SGD(lr=-0.5)


def test_race_shared_options_and_hyperparameters():
    runs = race("sphere", [1.0, 1.0], {"gd": {"lr": 0.1}, "adam": {"lr": 0.1, "weight_decay": 0.0}}, steps=5,
                weight_decay=0.5, record=())
    assert runs["gd"].hyperparameters["weight_decay"] == 0.5 and runs["adam"].hyperparameters["weight_decay"] == 0.0
    assert runs["gd"].params is None
    with pytest.raises(TypeError, match="its own lr"):
        race("sphere", None, ["gd"], lr=0.1)


def test_data_objective_by_autodiff():
    rng = np.random.default_rng(0)
    f = regression_loss(rng.normal(size=(20, 2)), rng.normal(size=20))
    a = minimize(f, [0.0, 0.0, 0.0], "adam", steps=30, lr=0.1, gradient="autodiff")
    b = minimize(f, [0.0, 0.0, 0.0], "adam", steps=30, lr=0.1)
    np.testing.assert_allclose(a.params, b.params, rtol=1e-10, atol=1e-12)


def test_recorded_gradient_norm_at_the_divergence_step():
    t = minimize("paraboloid", [-3.0, 4.0], "gd", steps=20, lr=10.0, tol=1e-12, record=("grad_norm",))
    s = t.stopped_at
    assert t.status == "diverged" and s == 5
    np.testing.assert_allclose(t.grad_norm[s:], 2 * np.linalg.norm(t.final))   # not the parked zero


def test_progress_hook_counts_the_steps_and_changes_nothing():
    calls = []
    traj = gdlab.minimize("rosenbrock", [-1.5, 2.0], "adam", steps=1000, lr=0.01,
                          progress=lambda done, total: calls.append((done, total)))
    plain = gdlab.minimize("rosenbrock", [-1.5, 2.0], "adam", steps=1000, lr=0.01)
    np.testing.assert_array_equal(traj.params, plain.params)
    done = [d for d, _ in calls]
    assert {t for _, t in calls} == {1000} and done[-1] == 1000
    assert done == sorted(done) and 150 <= len(calls) <= 250      # about 200 calls, whatever the length
    # a run that stops early ends its count where it stopped
    calls.clear()
    traj = gdlab.minimize("square", -5.0, "gd", steps=10_000, lr=0.1, tol=1e-6,
                          progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (traj.stopped_at, 10_000) and traj.stopped_at < 200
    # a race counts the steps of every optimizer, one after the other
    calls.clear()
    gdlab.race("beale", None, ["gd", "adam", "momentum"], steps=50, progress=lambda d, t: calls.append((d, t)))
    assert {t for _, t in calls} == {150} and calls[-1] == (150, 150)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    with pytest.raises(TypeError, match="progress"):
        gdlab.minimize("square", -5.0, progress="bar")


@pytest.mark.parametrize("f, x0, lr, step, reason", [
    ("sqrt(x)", -1.0, 0.1, 0, "the loss is nan (the point is outside the function's domain, or an overflow)"),
    ("log(x)", -1.0, 0.1, 0, "the loss is nan"),
    ("(-8)**(1/3) * x", 1.0, 0.1, 0, "the loss is nan"),  # was a ComplexWarning, then a TypeError
    ("x**0.5", -4.0, 0.1, 0, "the loss is nan"),
    ("abs(x)**0.5", 0.0, 0.1, 1, "the point is nan (the gradient before it was not finite)"),  # 0 * inf
    ("x**2", 1e300, 0.1, 0, "the loss is inf (an overflow)"),
    ("paraboloid", [3.0, 4.0], 10.0, 5, "|x| = 9.9e+06 is past the divergence bound 4.5e+06"),  # x *= -19 a step
])
def test_a_diverged_run_says_why(f, x0, lr, step, reason):
    with np.errstate(all="ignore"):
        t = minimize(f, x0, "gd", lr=lr, steps=20)
    assert t.status == "diverged" and t.stopped_at == step
    assert t.reason.startswith(f"diverged at step {step}: {reason}")
    assert t.reason in repr(t) and json.loads(json.dumps(t.to_dict()))["reason"] == t.reason


def test_reasons_of_many_runs():
    with np.errstate(all="ignore"):
        t = minimize("log(x) + (x - 3)**2", [-1.0, 2.0, 4.0], "gd", lr=0.1, steps=500, tol=1e-6)
    assert t.reason.shape == (3,) and list(t.status) == ["diverged", "converged", "converged"]
    assert t.reason[0] == t.run(0).reason and t.reason[0].startswith("diverged at step 0: the loss is nan")
    assert all(r == f"converged at step {k}: |grad| < tol = 1e-06" for r, k in zip(t.reason[1:], t.stopped_at[1:]))
    assert minimize("x**2", 1.0, steps=3).reason == "ran all 3 steps"


def test_checks_stay_on_repeated_calls():
    # what a call caches (the function's build, its checked return shape) keeps every check of a new call
    for _ in range(2):
        with pytest.raises(ValueError, match="seed must be None, an int >= 0"):
            minimize("rosenbrock", [-1.0, 1.0], "adam", steps=3, seed=-1)  # no noise: no generator, still checked
        with pytest.raises(ValueError, match="returned shape"):
            minimize(lambda x: x, [1.0, 2.0], steps=2)
    f = gdlab.functions.resolve_function("rosenbrock")
    minimize(f, [-1.0, 1.0], steps=2)
    g = f.copy()
    g._value = lambda x, ops: x  # other code in a copy: checked again
    with pytest.raises(ValueError, match="returned shape"):
        minimize(g, [-1.0, 1.0], steps=2)
