"""Work in threads (the web server and notebooks run it so): N trainings and N races in a thread pool give
exactly the numbers they give one at a time.

The autodiff grad mode was one process-wide flag: one thread's no_grad (a fit's evaluation, a function's
value on arrays) switched recording off for every thread, and 8 concurrent fits failed 8 of 8 with
"backward() on a tensor that does not require grad". It is per thread now (tests/autodiff/test_engine.py
tests the mode itself); these tests run the library's own loops side by side. The other module-level
state was audited with them: the allocator warm-up (a flag set once; a race frees one more 4 MiB array,
harmlessly), the registries (filled at import, under Python's import lock), random streams (every run,
optimizer and fit owns a seeded Generator; nothing draws from NumPy's global one), NumPy's errstate
(per thread in NumPy 2) and the progress bars (one per fit, verbose=0 here).
"""

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import gdlab
from gdlab import datasets, nn

N = 8


@pytest.fixture(autouse=True)
def fine_thread_switching():
    """Switch threads every 10 us instead of 5 ms, so that the threads interleave inside each step."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(interval)


def _in_threads(fn, args):
    """fn(*a) for every a, all at once in a pool of threads released together by a barrier."""
    barrier = threading.Barrier(len(args))

    def start(a):
        barrier.wait(30)
        return fn(*a)

    with ThreadPoolExecutor(len(args)) as pool:
        return list(pool.map(start, args))


def _train(seed, optimizer):
    x, y = datasets.get("moons", n_samples=120, noise=0.2, seed=seed)
    model = nn.mlp([2, 8, 2], activation="tanh", seed=seed)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy_from_logits", metrics=["accuracy"],
                  lr=0.02)
    history = model.fit(x, y, epochs=4, batch_size=16, seed=seed, validation_data=(x, y), verbose=0)
    weights = [p.data.copy() for p in model.parameters()]
    return np.array(history.step_losses), history.history, weights, model.predict(x)


def test_n_trainings_in_threads_match_one_at_a_time():
    args = [(seed, ("sgd", "adam", "rmsprop", "adagrad")[seed % 4]) for seed in range(N)]
    alone = [_train(*a) for a in args]
    together = _in_threads(_train, args)
    for a, (one, par) in zip(args, zip(alone, together)):
        np.testing.assert_array_equal(par[0], one[0], err_msg=f"step losses of {a}")
        assert par[1] == one[1], f"history of {a}"
        for w1, w2 in zip(one[2], par[2]):
            np.testing.assert_array_equal(w2, w1, err_msg=f"weights of {a}")
        np.testing.assert_array_equal(par[3], one[3])


def _race(seed):
    starts = np.random.default_rng(seed).uniform(-2, 2, (16, 2))
    runs = gdlab.race("sin(x)*cos(y) + 0.1*(x**2 + y**2)", starts,  # a formula: autodiff gradients
                      {"gd": {"lr": 0.05}, "adam": {"lr": 0.05}, "noisy": {"optimizer": "momentum", "lr": 0.01}},
                      steps=60, noise=0.01, seed=seed, tol=1e-9)
    closed = gdlab.minimize("rosenbrock", starts, "nadam", lr=0.01, steps=60)  # a closed-form gradient
    return {k: (t.params, t.status, t.final_loss) for k, t in runs.items()}, closed.params


def test_n_races_in_threads_match_one_at_a_time():
    alone = [_race(s) for s in range(N)]
    together = _in_threads(_race, [(s,) for s in range(N)])
    for seed, (one, par) in enumerate(zip(alone, together)):
        for label in one[0]:
            for a, b in zip(one[0][label], par[0][label]):
                np.testing.assert_array_equal(b, a, err_msg=f"race {seed}, {label}")
        np.testing.assert_array_equal(par[1], one[1])


def test_evaluating_in_one_thread_never_stops_another_from_recording():
    """A callable's value on arrays runs under no_grad; a gradient in another thread must still record."""
    f = gdlab.functions.Function(lambda x: gdlab.sin(x[..., 0]) * x[..., 1] ** 2, 2, name="mine")
    grid = np.random.default_rng(0).uniform(-5, 5, (2_000, 2))
    want = f.autodiff_grad(grid[:50])
    stop = threading.Event()

    def evaluate():
        while not stop.is_set():
            f(grid)

    worker = threading.Thread(target=evaluate)
    worker.start()
    try:
        for _ in range(200):
            np.testing.assert_array_equal(f.autodiff_grad(grid[:50]), want)
    finally:
        stop.set()
        worker.join(30)


@pytest.mark.parametrize("n_threads", [4])
def test_the_allocator_warm_up_races_harmlessly(n_threads, monkeypatch):
    from gdlab import _alloc

    monkeypatch.setattr(_alloc, "_warm", False)
    _in_threads(_alloc.warm_allocator, [(1 << 20,)] * n_threads)
    assert _alloc._warm is True
