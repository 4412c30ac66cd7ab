"""The compiled engine (gdlab.runs.compiled) against the NumPy engine: same numbers, statuses and stop steps.

Each case below is one compiled program (compiling costs seconds, so the matrix is a diagonal: every
catalog function, every optimizer and every flag appears, each program covering several of them,
with noise, clipping, schedules and tol spread over the cases). Numbers agree to 1e-12 relative;
most agree to the last bit (the exceptions are the last bits of NumPy's SIMD exp/log/pow).
"""


import numpy as np
import pytest

import gdlab
from gdlab import optim
from gdlab.runs import compiled, minimize

numba = pytest.importorskip("numba")


@pytest.fixture(autouse=True)
def _auto_means_auto(monkeypatch):
    monkeypatch.delenv("GDLAB_ENGINE", raising=False)  # the suite's conftest makes "auto" NumPy elsewhere

HISTORIES = ("params", "loss", "grad", "grad_norm")


def _starts(f, n=6, seed=0):
    f = gdlab.functions.resolve_function(f)
    lo, hi = f.bounds[:, 0], f.bounds[:, 1]
    return np.random.default_rng(seed).uniform(lo, hi, size=(n, f.dim))


def close(x, y, what):
    """x equals y to 1e-12 relative, measured against the largest finite |y| of the array (the run's scale:
    an entry near zero that is a difference of large terms, e.g. a gradient near a minimum, is held to the
    accuracy of those terms)."""
    finite = np.isfinite(y)
    np.testing.assert_array_equal(np.isfinite(x), finite, err_msg=what)
    if finite.any():
        scale = np.max(np.abs(y[finite]))
        np.testing.assert_allclose(x[finite], y[finite], rtol=1e-12, atol=1e-12 * scale, err_msg=what)
    np.testing.assert_array_equal(x[~finite], y[~finite], err_msg=what)


def same(a, b, what=""):
    """The compiled run ``a`` equals the NumPy run ``b``: statuses and stop steps exactly, numbers to 1e-12."""
    assert a.engine == "numba" and b.engine == "numpy", (a.engine, b.engine)
    np.testing.assert_array_equal(a.status, b.status, err_msg=what)
    np.testing.assert_array_equal(a.stopped_at, b.stopped_at, err_msg=what)
    np.testing.assert_array_equal(a.x0, b.x0, err_msg=f"{what} x0")  # the starts are left as given
    for name in HISTORIES + ("final", "final_loss", "lr"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            close(np.asarray(x, dtype=float), np.asarray(y, dtype=float), f"{what} {name}")
    assert list(a.state) == list(b.state), what
    for k in a.state:
        close(a.state[k], b.state[k], f"{what} state {k}")


def both(f, x0, optimizer, **kw):
    given = np.array(x0, copy=True)
    a = minimize(f, x0, optimizer, engine="numba", **kw)
    np.testing.assert_array_equal(x0, given)
    b = minimize(f, x0, optimizer, engine="numpy", **kw)
    same(a, b, f"{f} {optimizer} {kw}")
    return a


# (function, optimizer, options): every catalog function, optimizer and flag at least once
CASES = [
    ("rosenbrock", "adam", dict(lr=0.02, steps=300, tol=1e-3)),
    ("himmelblau", "momentum", dict(lr=0.01, steps=200, tol=1e-6, noise=0.5, seed=3)),
    ("beale", "nesterov", dict(lr=1e-3, steps=200, weight_decay=0.01, clip_grad_norm=5.0)),
    ("booth", "gd", dict(lr=0.09, steps=100, schedule="cosine")),
    ("matyas", "sgd", dict(lr=0.5, steps=200, momentum=0.7, dampening=0.3, maximize=False, tol=1e-4)),
    ("rastrigin", "rmsprop", dict(lr=0.01, steps=200, momentum=0.5, centered=True, weight_decay=0.01)),
    ("ackley", "adamw", dict(lr=0.05, steps=200, amsgrad=True)),
    ("goldstein_price", "adagrad", dict(lr=0.1, steps=200, lr_decay=0.01, initial_accumulator_value=0.1)),
    ("six_hump_camel", "adadelta", dict(lr=1.0, steps=200, rho=0.95, weight_decay=0.001)),
    ("styblinski_tang", "adamax", dict(lr=0.05, steps=200, schedule=("step", {"step_size": 50, "gamma": 0.5}))),
    ("monkey_saddle", "nadam", dict(lr=0.01, steps=200, decoupled_weight_decay=True, weight_decay=0.01)),
    ("saddle", "lion", dict(lr=0.01, steps=200, noise=0.01, seed=1, clip_grad_norm=1.0)),
    ("double_well", "adam", dict(lr=0.05, steps=200, maximize=True)),
    ("square", "gd", dict(lr=1.1, steps=60)),                                  # diverges
    ("quadratic", "momentum", dict(lr=0.2, steps=100, tol=1e-8)),
    ("gentle_quadratic", "rmsprop", dict(lr=0.05, steps=100)),
    ("paraboloid", "adagrad", dict(lr=0.5, steps=80, tol=1e-6)),
    ("elongated_bowl", "sgd", dict(lr=0.5, steps=100, momentum=0.9, nesterov=True)),
]


@pytest.mark.parametrize("f, optimizer, kw", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_compiled_equals_numpy(f, optimizer, kw):
    both(f, _starts(f), optimizer, **kw)


def test_nd_catalog_functions_and_per_row_learning_rates():
    # d = 3 rows (C order in the NumPy engine), sphere/ill_conditioned/rosenbrock in 3-D, and a sweep's (n, 1) lrs
    for f in (gdlab.functions.get("rosenbrock", dim=3), gdlab.functions.get("ill_conditioned", dim=3, condition=50.0)):
        a = gdlab.lr_sweep(f, _starts(f, 3), "adam", lrs=[1e-3, 1e-2, 0.1], steps=150, engine="numba")
        b = gdlab.lr_sweep(f, _starts(f, 3), "adam", lrs=[1e-3, 1e-2, 0.1], steps=150, engine="numpy")
        same(a.trajectory, b.trajectory, f.name)
        assert a.best_lr == b.best_lr


FORMULAS = ["x**2 + 10*y**2 + sin(3*x)", "exp(-(x**2 + y**2)/4)*cos(x) + 0.05*(x**2+y**2)",
            "log(1 + x**2) + sqrt(1 + y**2) + tanh(x*y) + (x**2 + 1)**1.5/50 + x**3/30"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_formulas_compile_from_the_parser_tree(formula):
    a = both(formula, _starts(formula, 5), "adam", lr=0.05, steps=150, tol=1e-7)
    assert a.gradient == "autodiff"


def test_every_registered_optimizer_runs_on_both_engines():
    # the diagonal above covers every rule but radam; radam's step branches on a value that changes with the
    # step (its rectification), which the tracer refuses: "auto" runs it on NumPy, "numba" says why
    covered = {optim.get_rule(c[1]).name for c in CASES}
    for name in optim.rule_names():
        if name in covered or optim.get_rule(name).name in covered:
            continue
        auto = minimize("rosenbrock", [-1.2, 1.0], name, steps=30, engine="auto")
        ref = minimize("rosenbrock", [-1.2, 1.0], name, steps=30, engine="numpy")
        np.testing.assert_allclose(auto.params, ref.params, rtol=1e-12)
        if auto.engine == "numpy":
            with pytest.raises(compiled.EngineUnavailable, match="cannot run this"):
                minimize("rosenbrock", [-1.2, 1.0], name, steps=30, engine="numba")


def test_auto_falls_back_with_the_same_numbers():
    # a Python callable, a mini-batch objective, noise from a Generator: NumPy under "auto"; "numba" refuses
    def f(x):
        return (x * x).sum(-1)

    t = minimize(f, [1.0, 2.0], "adam", steps=20)
    assert t.engine == "numpy"
    # (formulas whose autodiff masks by value, log, sqrt, abs, max, ..., compile: tests/runs/test_compiled_domains.py)
    with pytest.raises(compiled.EngineUnavailable, match="callable"):
        minimize(f, [1.0, 2.0], "adam", steps=20, engine="numba")
    gen = np.random.default_rng(0)
    t = minimize("booth", [0.0, 0.0], "gd", steps=20, lr=0.01, noise=0.1, seed=gen)
    assert t.engine == "numpy"
    # "auto" compiles runs of any size (it stopped at 2,048 rows while the compiled loop was scalar)
    big = np.zeros((5000, 2))
    assert compiled.AUTO_MAX_ROWS >= len(big)
    assert minimize("booth", big, "gd", steps=3, lr=0.01).engine == "numba"
    with pytest.raises(ValueError, match="engine must be one of"):
        minimize("booth", [0.0, 0.0], "gd", engine="fast")


def test_gdlab_engine_sets_what_auto_means(monkeypatch):
    monkeypatch.setenv("GDLAB_ENGINE", "numpy")
    assert minimize("booth", [0.0, 0.0], "gd", steps=5).engine == "numpy"
    assert minimize("booth", [0.0, 0.0], "gd", steps=5, engine="numba").engine == "numba"
    monkeypatch.setenv("GDLAB_ENGINE", "numba")
    assert minimize("booth", [0.0, 0.0], "gd", steps=5).engine == "numba"
    monkeypatch.setenv("GDLAB_ENGINE", "jax")
    with pytest.raises(ValueError, match="GDLAB_ENGINE"):
        minimize("booth", [0.0, 0.0], "gd", steps=5)


def test_a_thinned_record_and_a_race_on_the_compiled_engine():
    x0 = _starts("himmelblau", 40)
    a = minimize("himmelblau", x0, "momentum", lr=0.01, steps=300, tol=1e-6, engine="numba", record_budget=40_000)
    b = minimize("himmelblau", x0, "momentum", lr=0.01, steps=300, tol=1e-6, engine="numpy", record_budget=40_000)
    assert a.record_every > 1
    same(a, b)
    runs = gdlab.race("rosenbrock", [-1.5, 2.0], ["adam", "momentum"], steps=100, engine="numba")
    assert {t.engine for t in runs.values()} == {"numba"}


def test_first_compile_is_announced_and_the_code_is_cached(tmp_path, monkeypatch, compile_log):
    monkeypatch.setenv("GDLAB_CACHE", str(tmp_path))
    seen = compile_log
    compiled._PROGRAMS.clear()
    minimize("x**2 + 3.25*y**2", [1.0, 2.0], "gd", lr=0.1, steps=5, engine="numba")
    assert [m for m in seen if "compiling" in m and str(tmp_path) in m]
    assert list((tmp_path / "engine").glob("run_*.py"))
    seen.clear()
    compiled._PROGRAMS.clear()
    minimize("x**2 + 3.25*y**2", [1.0, 2.0], "gd", lr=0.1, steps=5, engine="numba")
    assert not [m for m in seen if "compiling" in m]


def test_a_repeated_call_reuses_its_program_and_stays_exact():
    # the second identical call takes the program from the memo of calls seen (no key, no guards): the
    # numbers stay the NumPy engine's, and other hyperparameter values are other entries
    x0 = [-1.5, 2.0]
    for kw in ({"lr": 0.01}, {"lr": 0.01}, {"lr": 0.02}, {"lr": 0.01, "betas": (0.5, 0.9)}, {"lr": 0.01}):
        same(minimize("rosenbrock", x0, "adam", steps=200, engine="numba", **kw),
             minimize("rosenbrock", x0, "adam", steps=200, engine="numpy", **kw), str(kw))
    chain = optim.Chain(optim.get_rule("adam"), [], lr=None)
    f = gdlab.functions.resolve_function("rosenbrock")
    hp = optim.get_rule("adam").hyperparameters(lr=0.01)
    a = compiled.program(f, "auto", chain, hp, None, 1, 2, None)
    b = compiled.program(gdlab.functions.resolve_function("rosenbrock"), "auto", chain, dict(hp), None, 1, 2, None)
    assert a[0] is b[0] and a[1] == b[1]
    compiled._PROGRAMS.clear()  # a cleared program cache is not bypassed by the memo
    c = compiled.program(f, "auto", chain, hp, None, 1, 2, None)
    assert c[0] is not a[0] and c[1] == a[1]


def test_the_parallel_kernel_equals_the_serial_one_on_any_thread_count(monkeypatch):
    # 700 rows: two full blocks and a partial one; rows converge, diverge and run out at different steps
    from gdlab.runs.compiled import engine

    f = gdlab.functions.resolve_function("himmelblau")
    x0 = np.random.default_rng(0).uniform(f.bounds[:, 0] * 1.5, f.bounds[:, 1] * 1.5, size=(700, 2))
    kw = dict(lr=0.02, steps=300, tol=1e-6, engine="numba", record=HISTORIES + ("state",), record_every=7)
    calls = []
    real = engine.Compiled.function

    def spy(self, parallel=False):
        calls.append(parallel)
        return real(self, parallel)

    monkeypatch.setattr(engine.Compiled, "function", spy)
    monkeypatch.setattr(engine, "PARALLEL_MIN_ROWS", 10**9)
    serial = minimize("himmelblau", x0, "momentum", **kw)
    assert calls == [False]
    assert set(serial.status) == {"converged", "diverged", "max_steps"}
    monkeypatch.setattr(engine, "PARALLEL_MIN_ROWS", 1)
    monkeypatch.setattr(engine, "_threads", lambda: 2)  # the parallel kernel, also on one thread
    before = numba.get_num_threads()
    runs = []
    try:
        for threads in sorted({1, 2, before}):
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            runs.append(minimize("himmelblau", x0, "momentum", **kw))
    finally:
        numba.set_num_threads(before)
    assert calls[1:] == [True] * len(runs)
    for par in runs:
        for name in HISTORIES + ("final", "final_loss", "status", "stopped_at"):
            np.testing.assert_array_equal(getattr(par, name), getattr(serial, name), err_msg=name)
        for k in serial.state:
            np.testing.assert_array_equal(par.state[k], serial.state[k], err_msg=k)
    same(serial, minimize("himmelblau", x0, "momentum", **{**kw, "engine": "numpy"}))


def _program_of(kw):
    chain = optim.Chain(optim.get_rule("adam"), [], lr=None)
    hp = optim.get_rule("adam").hyperparameters(**kw)
    return compiled.program(gdlab.functions.resolve_function("rosenbrock"), "auto", chain, hp, None, 1, 2, None)[0]


def test_the_step_table_is_kept_per_hyperparameters_and_bounded(monkeypatch):
    from gdlab.runs.compiled import engine

    compiled._PROGRAMS.clear()
    x0 = [-1.5, 2.0]
    first = minimize("rosenbrock", x0, "adam", steps=300, lr=0.01, engine="numba")
    prog = _program_of({"lr": 0.01})
    assert len(prog._tables) == 1
    (tab,) = prog._tables.values()
    assert not tab.flags.writeable and tab.shape[0] == 301  # read only by the loop
    again = minimize("rosenbrock", x0, "adam", steps=300, lr=0.01, engine="numba")
    assert len(prog._tables) == 1 and next(iter(prog._tables.values())) is tab  # the same table served it
    for name in HISTORIES + ("final", "final_loss"):
        np.testing.assert_array_equal(getattr(again, name), getattr(first, name), err_msg=name)
    # a new lr reuses the table (its columns depend on the betas and the step only: _codegen.table_split);
    # other values of a hyperparameter the table depends on (beta2) are other tables; all exact
    for kw in ({"lr": 0.02}, {"lr": 0.01, "betas": (0.9, 0.99)}, {"lr": 0.01}):
        same(minimize("rosenbrock", x0, "adam", steps=300, engine="numba", **kw),
             minimize("rosenbrock", x0, "adam", steps=300, engine="numpy", **kw), str(kw))
    assert _program_of({"lr": 0.02}) is prog and len(prog._tables) == 2 and any(t is tab for t in prog._tables.values())
    monkeypatch.setattr(engine, "TABLES_KEPT", 3)
    for lr in (0.03, 0.04, 0.05):
        minimize("rosenbrock", x0, "adam", steps=300, lr=lr, engine="numba")
    assert len(prog._tables) == 2  # no new table for a new lr
    for beta2 in (0.95, 0.96, 0.97):
        minimize("rosenbrock", x0, "adam", steps=300, lr=0.01, betas=(0.9, beta2), engine="numba")
    assert len(prog._tables) == 3 and not any(t is tab for t in prog._tables.values())  # the oldest go
    # a schedule's learning rates are not in the table: its runs keep and reuse tables too, and stay exact
    kept = {k: id(t) for k, t in prog._tables.items()}
    for schedule in ("cosine", ("step", {"step_size": 50})):
        same(minimize("rosenbrock", x0, "adam", steps=300, lr=0.01, betas=(0.9, 0.97), schedule=schedule,
                      engine="numba"),
             minimize("rosenbrock", x0, "adam", steps=300, lr=0.01, betas=(0.9, 0.97), schedule=schedule,
                      engine="numpy"), str(schedule))
    assert {k: id(t) for k, t in prog._tables.items()} == kept


def test_the_step_table_holds_no_value_of_the_lr():
    # Adam's bias corrections (pow of the betas) are kept; lr / (1 - beta1**t) is computed at each step
    prog = _program_of({"lr": 0.01})
    table = prog.source.split("def table(")[1].split("@njit")[0]
    loop = prog.source.split("def run(")[1]
    lr_slot = [name for name, level in prog.signature].index("lr")  # RUN inputs come in signature order
    assert f"hs{lr_slot}" not in table.split("for t in range")[1] and "math.pow" in table
    assert f"(hs{lr_slot} / " in loop.split("for q in range(m):")[1]  # in the loop over steps, before the rows
    assert lr_slot not in prog.table_slots and len(prog.table_slots) == len(prog.signature) - 1


def test_guard_decisions_are_kept_by_the_values_the_guards_read():
    compiled._PROGRAMS.clear()
    x0 = [-1.5, 2.0]
    for lr in (0.01, 0.02, 0.03):
        minimize("rosenbrock", x0, "adam", steps=20, lr=lr, engine="numba")
    prog = _program_of({"lr": 0.01})
    assert prog.guard_names == ("betas[0]", "weight_decay")  # Adam's branches: not on the lr
    assert list(prog._decisions.values()) == [True]  # one decision served the three lrs
    # a weight decay flips a guard: the decision for its values is False, another program runs it, exactly
    same(minimize("rosenbrock", x0, "adam", steps=20, lr=0.01, weight_decay=0.1, engine="numba"),
         minimize("rosenbrock", x0, "adam", steps=20, lr=0.01, weight_decay=0.1, engine="numpy"))
    assert _program_of({"lr": 0.01, "weight_decay": 0.1}) is not prog
    assert sorted(prog._decisions.values()) == [False, True]
    minimize("rosenbrock", x0, "adam", steps=20, lr=0.01, betas=(0.95, 0.999), engine="numba")
    assert len(prog._decisions) == 3


def test_long_runs_go_to_the_loop_in_chunks_with_the_same_numbers(monkeypatch):
    # the step table (and the noise block) of a chunk bounds the memory of a run of millions of steps; the
    # rows carry their state from chunk to chunk, so stops, records and numbers do not depend on the chunks
    from gdlab.runs.compiled import engine

    f = gdlab.functions.resolve_function("himmelblau")
    x0 = np.random.default_rng(1).uniform(f.bounds[:, 0] * 1.5, f.bounds[:, 1] * 1.5, size=(150, 2))
    kw = dict(lr=0.02, steps=300, tol=1e-6, engine="numba", record=HISTORIES + ("state",), record_every=7)
    whole = minimize(f, x0, "momentum", **kw)
    assert set(whole.status) == {"converged", "diverged", "max_steps"}
    calls = []
    real = engine.Compiled.table

    def spy(self, HPS, LRT, t0, t1, keep):
        calls.append((t0, t1))
        return real(self, HPS, LRT, t0, t1, keep)

    monkeypatch.setattr(engine.Compiled, "table", spy)
    monkeypatch.setattr(engine, "MAX_CHUNK_STEPS", 7)
    chunked = minimize(f, x0, "momentum", **kw)
    assert len(calls) > 10 and all(t1 - t0 <= 7 for t0, t1 in calls)
    for name in HISTORIES + ("final", "final_loss", "status", "stopped_at"):
        np.testing.assert_array_equal(getattr(chunked, name), getattr(whole, name), err_msg=name)
    for k in whole.state:
        np.testing.assert_array_equal(chunked.state[k], whole.state[k], err_msg=k)


def test_a_bound_program_shares_only_what_the_loop_reads():
    from gdlab.runs.compiled import engine

    prog = _program_of({"lr": 0.01})
    hp = optim.get_rule("adam").hyperparameters(lr=0.01)
    inputs = engine.hp_values(hp, 1)
    init = optim.get_rule("adam").init(np.zeros((1, 2)), **hp, rows=True)
    a = prog.bind(1, 2, 50, inputs=inputs, init_state=init, record=HISTORIES + ("state",))
    b = prog.bind(1, 2, 50, inputs=inputs, init_state=init, record=HISTORIES + ("state",))
    assert a.AT is b.AT and not a.AT.flags.writeable  # the recorded steps: read only, shared
    assert a.TAB is b.TAB and not a.TAB.flags.writeable
    x0 = np.array([[-1.5, 2.0]])
    one, two = a(x0, 1e6), a(x0, 1e6)
    for name in ("params", "loss", "grad", "grad_norm", "final", "final_loss", "stopped_at"):
        assert one[name] is not two[name] and np.shares_memory(one[name], two[name]) is False, name
        np.testing.assert_array_equal(one[name], two[name], err_msg=name)
    for k in one["state"]:
        assert not np.shares_memory(one["state"][k], two["state"][k])
    np.testing.assert_array_equal(x0, [[-1.5, 2.0]])  # the starts are left as given
    with pytest.raises(ValueError, match="shape"):
        a(np.zeros((2, 2)), 1e6)
