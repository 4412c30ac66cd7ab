"""minimize's call memo: a repeated call of a name or formula runs its prepared form again.

What is pinned: the numbers are the un-memoised path's to the bit (both engines, many options); every call
returns fresh objects; errors are raised every time; what is not remembered is not; the memo is bounded
and follows the environment settings a run reads; threads share it safely; race goes through it.
"""

import sys
import threading

import numpy as np
import pytest

import gdlab
from gdlab.functions import resolve_function
from gdlab.runs import compiled, minimize, race

memo = sys.modules["gdlab.runs.minimize"]  # the module (gdlab.runs.minimize is the function)

NUMBA = compiled.available()
ENGINES = ["numpy"] + (["numba"] if NUMBA else [])
X0 = [-1.5, 2.0]
ARRAYS = ("params", "loss", "grad", "grad_norm", "lr", "final", "x0")


@pytest.fixture(autouse=True)
def _empty_memo():
    memo.clear_memo()
    yield
    memo.clear_memo()


def bits(a):
    a = np.asarray(a)
    return a.dtype.str, a.shape, a.tobytes()


def assert_same(a, b, what=""):
    """Trajectories a and b hold the same numbers to the bit and say the same things."""
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), f"{what} {name}"
        if x is not None:
            assert bits(x) == bits(y), f"{what} {name}"
    assert list(a.state) == list(b.state), what
    for k in a.state:
        assert bits(a.state[k]) == bits(b.state[k]), f"{what} state {k}"
    for name in ("status", "stopped_at", "final_loss"):
        assert bits(getattr(a, name)) == bits(getattr(b, name)), f"{what} {name}"
    for name in ("steps", "optimizer", "hyperparameters", "label", "tol", "noise", "seed", "divergence_bound",
                 "gradient", "schedule", "clip_grad_norm", "record", "record_every", "record_note", "engine",
                 "single", "n_runs", "dim", "state_descriptions"):
        assert getattr(a, name) == getattr(b, name), f"{what} {name}"
    assert a.function.name == b.function.name and bits(a.function.start) == bits(b.function.start), what


def twice(*args, **kw):
    """Two calls of minimize (a call is remembered from the second call of its family on): the first's result."""
    first = minimize(*args, **kw)
    minimize(*args, **kw)
    return first


def reference(f, *args, **kw):
    """The un-memoised run: the same call with a Function object (never remembered)."""
    return minimize(resolve_function(f), *args, **kw)


CASES = [
    ("rosenbrock", X0, "adam", dict(lr=0.01)),
    ("rosenbrock", X0, "adam", dict(lr=0.01, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.01)),
    ("rosenbrock", X0, "adamw", dict(lr=0.02, schedule="cosine")),
    ("rosenbrock", X0, "momentum", dict(lr=1e-3, momentum=0.9, nesterov=True, tol=1e-3)),
    ("rosenbrock", X0, "rmsprop", dict(lr=0.01, noise=0.5, seed=3, clip_grad_norm=5.0)),
    ("rosenbrock", X0, "gd", dict(lr=0.01, schedule=("step", {"step_size": 30, "gamma": 0.5}), record=("loss",))),
    ("x**2 + 10*y**2 + sin(3*x)", X0, "adam", dict(lr=0.05, record="auto", record_budget=20_000)),
    ("x**2 + 10*y**2 + sin(3*x)", [[0.5, 1.0], [-1.0, 2.0], [3.0, -2.0]], "nesterov",
     dict(lr=0.01, momentum=0.5, record=("params", "state"), record_every=7)),
    ("himmelblau", np.array([[0.0, 0.0], [9.0, 9.0], [1e5, 1e5]]), "gd", dict(lr=0.05, tol=1e-6)),  # diverges
    ("square", -5.0, "adagrad", dict(lr=0.5, noise=0.1, seed=0, record=())),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", range(len(CASES)))
def test_a_repeated_call_equals_the_unmemoised_run_to_the_bit(case, engine, monkeypatch):
    f, x0, opt, kw = CASES[case]
    kw = dict(kw, steps=150, engine=engine)
    ref = reference(f, x0, opt, **kw)
    first = minimize(f, x0, opt, **kw)
    assert not memo._CALLS and len(memo._FAMILIES) == 2  # a first call is only noted (its key and family)
    second = minimize(f, x0, opt, **kw)
    assert len(memo._CALLS) == 1
    assert_same(first, ref, f"first {CASES[case]}")
    assert_same(second, ref, f"second {CASES[case]}")
    monkeypatch.setattr(memo, "prepare", None)  # a remembered call prepares nothing
    for k in range(2):
        again = minimize(f, x0, opt, **kw)
        assert again is not first
        assert_same(again, ref, f"again {k} {CASES[case]}")
    assert again.engine == engine


@pytest.mark.parametrize("engine", ENGINES)
def test_every_call_returns_fresh_objects(engine):
    kw = dict(steps=100, lr=0.01, engine=engine, tol=1e-12)
    ref = reference("rosenbrock", X0, "adam", **kw)
    for _ in range(3):
        t = minimize("rosenbrock", X0, "adam", **kw)
        assert_same(t, ref)
        for name in ("params", "loss", "grad", "grad_norm", "lr", "final", "x0"):
            getattr(t, name)[...] = 7.0
        for v in t.state.values():
            v[...] = 7.0
        t.hyperparameters["lr"] = 1.0
        t.function.start[...] = 7.0
        t.function.params["a"] = 7.0
        t.state.clear()
    t = minimize("rosenbrock", X0, "adam", **kw)
    assert_same(t, ref)
    assert t.function is not minimize("rosenbrock", X0, "adam", **kw).function


def test_a_function_read_from_a_remembered_run_is_its_own():
    a = minimize("rosenbrock", X0, "adam", steps=20, lr=0.01)
    b = minimize("rosenbrock", X0, "adam", steps=20, lr=0.01)
    fa, fb = a.function, b.function
    assert fa is a.function and fa is not fb  # copied once, on first read
    fa.start[0] = 99.0
    assert b.function.start[0] == -1.2 and minimize("rosenbrock", X0, "adam", steps=20, lr=0.01).function.start[0] == -1.2
    b.function = None  # set as before (sweeps drop it before pickling)
    assert b.function is None


@pytest.mark.parametrize("call, error", [
    (dict(lr=-1.0), ValueError),
    (dict(lr="0.1"), TypeError),
    (dict(lr=0.01, betas=(0.9, 1.5)), ValueError),
    (dict(lr=0.01, tol=-1.0), ValueError),
    (dict(lr=0.01, engine="jax"), ValueError),
    (dict(lr=0.01, record=("paramz",)), ValueError),
    (dict(lr=0.01, schedule="cosinus"), ValueError),
])
def test_errors_are_raised_every_time(call, error):
    messages = []
    for _ in range(3):
        with pytest.raises(error) as info:
            minimize("rosenbrock", X0, "adam", steps=10, **call)
        messages.append((type(info.value), str(info.value)))
    assert len(set(messages)) == 1 and not memo._CALLS


def test_a_bad_name_is_the_same_error_every_time():
    from gdlab._registry import UnknownNameError

    twice("rosenbrock", X0, "adam", steps=10, lr=0.01)
    for _ in range(2):
        with pytest.raises(UnknownNameError, match="rosenbrock"):
            minimize("rosenbrok", X0, "adam", steps=10, lr=0.01)
        with pytest.raises(UnknownNameError, match="adam"):
            minimize("rosenbrock", X0, "adamm", steps=10, lr=0.01)
    assert len(memo._CALLS) == 1


def test_the_environment_settings_are_part_of_the_call(monkeypatch):
    monkeypatch.delenv("GDLAB_RECORD_BUDGET", raising=False)
    kw = dict(steps=400, lr=0.01, engine="numpy")
    full = minimize("rosenbrock", X0, "adam", **kw)
    assert full.record_every == 1
    monkeypatch.setenv("GDLAB_RECORD_BUDGET", "20000")
    thin = minimize("rosenbrock", X0, "adam", **kw)
    assert thin.record_every > 1 and thin.params.shape[0] < full.params.shape[0]
    monkeypatch.setenv("GDLAB_RECORD_BUDGET", "lots")
    for _ in range(2):
        with pytest.raises(ValueError, match="GDLAB_RECORD_BUDGET"):
            minimize("rosenbrock", X0, "adam", **kw)
    monkeypatch.delenv("GDLAB_RECORD_BUDGET")
    assert minimize("rosenbrock", X0, "adam", **kw).record_every == 1
    if NUMBA:
        kw = dict(steps=50, lr=0.01)
        monkeypatch.setenv("GDLAB_ENGINE", "numpy")
        assert minimize("rosenbrock", X0, "adam", **kw).engine == "numpy"
        monkeypatch.setenv("GDLAB_ENGINE", "numba")
        assert minimize("rosenbrock", X0, "adam", **kw).engine == "numba"
        monkeypatch.setenv("GDLAB_ENGINE", "numpy")
        assert minimize("rosenbrock", X0, "adam", **kw).engine == "numpy"


def key(lr=0.01, x0=X0, f="rosenbrock", progress=None, seed=None, schedule=None, hp=None, steps=100):
    return memo.call_key(f, x0, "adam", steps, lr, hp or {}, None, None, seed, schedule, None, "shuffle", "auto",
                         None, None, "auto", None, None, None, progress, "auto")


def test_keys_keep_types_and_the_sign_of_zero():
    assert len({key(lr=1), key(lr=1.0), key(lr=True), key(lr=np.float64(1.0))}) == 4
    assert key(hp={"weight_decay": 0.0}) != key(hp={"weight_decay": -0.0})
    assert key() == key() and hash(key()) == hash(key())
    # the starts: by their kind and size only (their values are read by every call)
    assert key(x0=[1, 2]) == key(x0=[1.0, -0.0]) != key(x0=(1.0, 2.0)) != key(x0=[1.0, 2.0, 3.0])
    assert key(x0=np.array([1.0, 2.0])) == key(x0=np.array([5.0, -0.0]))
    assert key(x0=np.array([1.0, 2.0])) != key(x0=np.array([1.0, 2.0], dtype=np.float32))
    assert key(x0=np.array([1.0, 2.0])) != key(x0=np.array([[1.0, 2.0]])) != key(x0=None)
    assert key(x0=1.0) != key(x0=1)


def test_what_is_not_remembered():
    f = resolve_function("rosenbrock")
    assert key(f=f) is None and key(f=lambda x: x[..., 0] ** 2) is None
    assert key(progress=lambda done, total: None) is None
    assert key(seed=np.random.default_rng(0)) is None
    assert key(schedule=lambda t, lr: lr) is None
    assert key(lr=np.array([[0.1], [0.2]])) is None and key(lr=[0.1]) is not None  # (the call then fails)
    assert key(x0=np.zeros((2049, 2))) is None and key(x0=np.zeros((2048, 2))) is not None
    assert key(x0=np.zeros((2, 2), dtype=object)) is None and key(x0=[[0.0, 0.0]] * 4097) is None
    assert key(steps=memo.MEMO_MAX_STEPS) is None and key(steps=memo.MEMO_MAX_STEPS - 1) is not None
    assert key(steps=np.int64(10)) is None
    minimize(f, X0, "adam", steps=10, lr=0.01)
    minimize("rosenbrock", X0, "adam", steps=10, lr=0.01, seed=np.random.default_rng(0))
    minimize("rosenbrock", X0, "adam", steps=10, lr=0.01, progress=lambda done, total: None)
    assert not memo._CALLS


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(memo, "MEMO_KEPT", 3)
    for lr in (0.01, 0.02, 0.03, 0.04, 0.05):
        twice("rosenbrock", X0, "adam", steps=30, lr=lr)
    assert len(memo._CALLS) == 3
    assert [e[0][3] for e in memo._CALLS.values()] == [memo._key(lr) for lr in (0.03, 0.04, 0.05)]  # the oldest go
    assert memo._CALLS_BYTES == sum(e[1].nbytes() for e in memo._CALLS.values())
    one = next(iter(memo._CALLS.values()))[1].nbytes()
    monkeypatch.setattr(memo, "MEMO_KEPT", 10)
    monkeypatch.setattr(memo, "MEMO_MAX_BYTES", 4 * one)  # room for four calls of this size
    for lr in (0.06, 0.07, 0.08):
        twice("rosenbrock", X0, "adam", steps=30, lr=lr)
    assert len(memo._CALLS) == 4 and memo._CALLS_BYTES == 4 * one
    assert [e[0][3] for e in memo._CALLS.values()] == [memo._key(lr) for lr in (0.05, 0.06, 0.07, 0.08)]
    monkeypatch.setattr(memo, "MEMO_MAX_BYTES", 4 * one - 1)  # a call of more than a quarter is not kept
    twice("rosenbrock", X0, "adam", steps=30, lr=0.09)
    assert len(memo._CALLS) == 4 and memo._key(0.09) not in [e[0][3] for e in memo._CALLS.values()]


@pytest.mark.parametrize("engine", ENGINES)
def test_threads_share_the_memo_safely(engine):
    lrs = [0.01, 0.02, 0.03]
    kw = dict(steps=200, engine=engine, noise=0.1, seed=5)
    refs = {lr: reference("rosenbrock", X0, "adam", lr=lr, **kw) for lr in lrs}
    errors, got = [], []

    def work(i):
        try:
            for k in range(12):
                lr = lrs[(i + k) % len(lrs)]
                got.append((lr, minimize("rosenbrock", X0, "adam", lr=lr, **kw)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(got) == 72
    for lr, t in got:
        assert_same(t, refs[lr], str(lr))
    assert len(memo._CALLS) == len(lrs)


@pytest.mark.skipif(not NUMBA, reason="numba is not installed")
def test_a_dropped_program_is_not_served_from_the_memo(monkeypatch):
    kw = dict(steps=50, lr=0.01, engine="numba")
    a = twice("rosenbrock", X0, "adam", **kw)
    compiled._PROGRAMS.clear()
    calls = []
    real = memo.prepare
    monkeypatch.setattr(memo, "prepare", lambda *a, **k: calls.append(1) or real(*a, **k))
    b = minimize("rosenbrock", X0, "adam", **kw)
    assert calls == [1]
    assert_same(a, b)
    minimize("rosenbrock", X0, "adam", **kw)
    assert calls == [1]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_race_goes_through_the_memo(engine, monkeypatch):
    opts = {"adam": {"lr": 0.05}, "heavy": {"optimizer": "momentum", "lr": 1e-3, "momentum": 0.9}}
    for f in ("rosenbrock", "x**2 + 10*y**2 + sin(3*x)"):
        ref = race(resolve_function(f), X0, opts, steps=120, engine=engine, tol=1e-8)
        first = race(f, X0, opts, steps=120, engine=engine, tol=1e-8)
        race(f, X0, opts, steps=120, engine=engine, tol=1e-8)
        calls = []
        real = memo.prepare
        monkeypatch.setattr(memo, "prepare", lambda *a, **k: calls.append(1) or real(*a, **k))
        again = race(f, X0, opts, steps=120, engine=engine, tol=1e-8)
        assert calls == []
        # one of its runs is the same call as minimize's
        alone = minimize(f, X0, "adam", steps=120, lr=0.05, engine=engine, tol=1e-8, label="adam")
        assert calls == []
        monkeypatch.setattr(memo, "prepare", real)
        for label in opts:
            assert_same(first[label], ref[label], label)
            assert_same(again[label], ref[label], label)
        assert_same(alone, ref["adam"])
    # with a progress hook a race runs without the memo, and counts every step
    seen = []
    race("rosenbrock", X0, opts, steps=120, engine=engine, tol=1e-8, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][1] == 240


def test_a_schedule_object_is_the_callers():
    sched = ("step", {"step_size": 10, "gamma": 0.5})
    a = minimize("rosenbrock", X0, "adam", steps=30, lr=0.01, schedule=sched)
    sched2 = ("step", {"step_size": 10, "gamma": 0.5})
    b = minimize("rosenbrock", X0, "adam", steps=30, lr=0.01, schedule=sched2)
    assert a.schedule is sched and b.schedule is sched2
    assert_same(a, b)


STARTS = [[-1.5, 2.0], [0.5, -0.5], [1e4, -3e4], [0.0, -0.0], [1, 2]]  # a far start has another divergence bound


@pytest.mark.parametrize("engine", ENGINES)
def test_other_starts_and_labels_run_through_one_remembered_call(engine, monkeypatch):
    kw = dict(steps=80, lr=0.01, engine=engine, tol=1e-9)
    refs = [reference("rosenbrock", x0, "adam", label=f"run {i}", **kw) for i, x0 in enumerate(STARTS)]
    many = np.array(STARTS, dtype=float)
    ref_many = reference("rosenbrock", many[::-1].copy(), "adam", **kw)
    assert len({t.divergence_bound for t in refs}) == 2
    twice("rosenbrock", STARTS[0], "adam", **kw)
    twice("rosenbrock", many, "adam", **kw)
    assert len(memo._CALLS) == 2
    monkeypatch.setattr(memo, "prepare", None)  # no call below prepares
    for i, x0 in enumerate(STARTS):
        assert_same(minimize("rosenbrock", x0, "adam", label=f"run {i}", **kw), refs[i], str(x0))
    assert minimize("rosenbrock", STARTS[1], "adam", **kw).label == "adam"
    assert_same(minimize("rosenbrock", many[::-1].copy(), "adam", **kw), ref_many)
    # bad starts are refused every time, also through a remembered call
    for bad, error in (([np.nan, 1.0], ValueError), ([1.0, 2.0, 3.0], ValueError), (["a", 1.0], TypeError),
                       ([], ValueError)):
        for _ in range(2):
            with pytest.raises(error):
                minimize("rosenbrock", bad, "adam", **kw)
    assert len(memo._CALLS) == 2


@pytest.mark.skipif(not NUMBA, reason="numba is not installed")
@pytest.mark.parametrize("opt, kw", [("adam", {}), ("adamw", {"schedule": "cosine", "tol": 1e-8}),
                                     ("rmsprop", {"noise": 0.2, "seed": 1, "clip_grad_norm": 3.0})])
def test_a_new_lr_is_prepared_from_the_call_with_another(opt, kw, monkeypatch):
    kw = dict(kw, steps=120, engine="numba")
    lrs = [0.01, 0.02, 1e-3, 0.5, 0]
    refs = [reference("rosenbrock", X0, opt, lr=lr, **kw) for lr in lrs]
    twice("rosenbrock", X0, opt, lr=0.05, **kw)
    calls = []
    real = memo.prepare
    monkeypatch.setattr(memo, "prepare", lambda *a, **k: calls.append(1) or real(*a, **k))
    for lr, ref in zip(lrs, refs):
        assert_same(minimize("rosenbrock", X0, opt, lr=lr, **kw), ref, str(lr))
    assert calls == [] and len(memo._CALLS) == 1  # lrs seen once are not kept
    for again in range(2):  # kept from their second call on, then hits
        for lr, ref in zip(lrs, refs):
            assert_same(minimize("rosenbrock", X0, opt, lr=lr, **kw), ref, f"{lr} {again}")
        assert calls == [] and len(memo._CALLS) == len(lrs) + 1
    assert len(memo._SIBLINGS) == 1 and next(iter(memo._SIBLINGS.values()))[1] is list(memo._CALLS.values())[-1][1]
    # a bad lr is the full preparation's error, every time
    memo.clear_memo()
    expected = []
    for bad in (-1.0, float("nan"), "0.1", True):
        with pytest.raises((ValueError, TypeError)) as info:
            minimize("rosenbrock", X0, opt, lr=bad, **kw)
        expected.append((type(info.value), str(info.value)))
    twice("rosenbrock", X0, opt, lr=0.05, **kw)
    for _ in range(2):
        got = []
        for bad in (-1.0, float("nan"), "0.1", True):
            with pytest.raises((ValueError, TypeError)) as info:
                minimize("rosenbrock", X0, opt, lr=bad, **kw)
            got.append((type(info.value), str(info.value)))
        assert got == expected
    # where the program does not serve the new values, the call is prepared in full
    program = next(iter(memo._CALLS.values()))[1].bound.program
    monkeypatch.setattr(type(program), "matches", lambda self, inputs: False)
    calls.clear()
    minimize("rosenbrock", X0, opt, lr=0.07, **kw)
    assert calls == [1]


def test_a_sibling_goes_when_its_call_goes(monkeypatch):
    monkeypatch.setattr(memo, "MEMO_KEPT", 2)
    twice("rosenbrock", X0, "adam", steps=20, lr=0.01)
    twice("rosenbrock", X0, "gd", steps=20, lr=0.01)
    assert len(memo._SIBLINGS) == 2
    twice("rosenbrock", X0, "momentum", steps=20, lr=0.01)
    assert len(memo._CALLS) == 2 and len(memo._SIBLINGS) == 2
    assert {id(e[1]) for e in memo._SIBLINGS.values()} <= {id(e[1]) for e in memo._CALLS.values()}


def test_calls_made_once_are_not_kept(monkeypatch):
    # a new tol every call: none is remembered (nor freed later); only the families' hashes, bounded
    monkeypatch.setattr(memo, "MEMO_FAMILIES", 5)
    for k in range(8):
        minimize("rosenbrock", X0, "adam", steps=20, lr=0.01, tol=1e-9 * (k + 1))
    assert not memo._CALLS and len(memo._FAMILIES) == 5
    # a new lr is of the same family: the second is kept (the family's sibling), a third from its second call
    for lr in (0.01, 0.02, 0.03):
        minimize("rosenbrock", X0, "adam", steps=20, lr=lr)
    assert len(memo._CALLS) == 1
    minimize("rosenbrock", X0, "adam", steps=20, lr=0.03)
    assert len(memo._CALLS) == 2


def test_a_hash_collision_is_not_a_hit():
    # the memo's dicts are keyed by the keys' hashes: a lookup compares the key itself
    twice("rosenbrock", X0, "adam", steps=20, lr=0.01)
    (h, (k, call, _)), = memo._CALLS.items()
    other = (k[0], k[1], k[2] + 1) + k[3:]  # another call (steps) given the same hash
    assert memo._remembered((k, h)) is call and memo._remembered((other, h)) is None
    assert memo._sibling((k, h)) is call
    no_lr = lambda key: key[:memo._LR] + key[memo._LR + 1:]  # noqa: E731
    memo._SIBLINGS[hash(no_lr(other))] = (no_lr(k), call)  # a sibling entry of another family, same hash
    assert memo._sibling((other, h)) is None
