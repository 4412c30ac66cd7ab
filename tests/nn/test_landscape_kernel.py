"""The compiled batch path of the landscape slices (gdlab.nn._landscape_kernel): the naive loop's numbers.

The suite runs with GDLAB_ENGINE=numpy (tests/conftest.py); these tests select numba explicitly. The kernel
compiles once per dtype (float32, float64) and is cached on disk."""

import numpy as np
import pytest

from gdlab import nn
from gdlab.nn import _landscape_kernel as K
from gdlab.nn import landscape as L

from .test_landscape import _loop_reference, _same, _snapshot

pytest.importorskip("numba")


@pytest.fixture(autouse=True)
def _numba(monkeypatch):
    monkeypatch.setenv("GDLAB_ENGINE", "numba")


def _moons(dtype, n=120):
    rng = np.random.default_rng(0)
    t = rng.uniform(0, np.pi, n)
    lab = rng.integers(0, 2, n)
    x = np.column_stack([np.cos(t) - lab, np.sin(t) * (1 - 2 * lab) + 0.5 * lab]) + 0.1 * rng.standard_normal((n, 2))
    model = nn.mlp([2, 16, 16, 2], activation="relu", seed=0, dtype=dtype)
    model.compile("adam", "cross_entropy", lr=0.02)
    model.fit(x, lab, epochs=10, batch_size=16, seed=0, verbose=0)
    return model, x, lab


def _digits_like(dtype, n=150):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 10, n)
    x = rng.random((n, 64)) + 0.5 * np.eye(10)[y].repeat(7, axis=1)[:, :64]
    model = nn.mlp([64, 64, 10], activation="relu", seed=0, dtype=dtype)
    model.compile("sgd", "cross_entropy", lr=0.1)
    model.fit(x, y, epochs=3, batch_size=32, seed=0, verbose=0)
    return model, x, y


def _numpy_path(monkeypatch, *args, **kw):
    monkeypatch.setenv("GDLAB_ENGINE", "numpy")
    try:
        return L.slice_2d(*args, **kw)
    finally:
        monkeypatch.setenv("GDLAB_ENGINE", "numba")


@pytest.mark.parametrize("make", [_moons, _digits_like], ids=["moons 2-16-16-2", "digits-like 64-64-10"])
@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-10), ("float32", 1e-5)])
def test_compiled_slice_equals_the_naive_loop(make, dtype, rtol):
    model, x, y = make(dtype)
    plane = L.directions(model, seed=3)
    f = L.LossFunction(model, x, y)
    assert f.engine == "numba"
    snap = _snapshot(model)
    fast = L.slice_2d(model, x, y, plane, steps=7)
    _same(model, snap)
    np.testing.assert_allclose(fast.loss, _loop_reference(model, x, y, plane, 7), rtol=rtol)
    assert fast.loss[3, 3] == pytest.approx(model.evaluate(x, y)["loss"], rel=1e-12 if dtype == "float64" else 1e-6)


LAYERS = {  # every activation and loss the kernel covers, float64, against the NumPy batch path
    "tanh/sigmoid/mse": lambda: (nn.Sequential(nn.Linear(3, 6, seed=0, dtype="float64"), nn.Tanh(),
                                               nn.Linear(6, 5, seed=1, dtype="float64"), nn.Sigmoid(),
                                               nn.Linear(5, 2, seed=2, dtype="float64")), "mse"),
    "leaky/softplus/half_sse": lambda: (nn.Sequential(nn.Linear(3, 7, seed=0, dtype="float64"), nn.LeakyReLU(0.1),
                                                      nn.Linear(7, 4, seed=1, dtype="float64"), nn.Softplus(2.0, 1.5),
                                                      nn.Linear(4, 2, seed=2, dtype="float64"), nn.Sigmoid()),
                                        "half_sse"),
    "one layer, bce from logits": lambda: (nn.Sequential(nn.Linear(3, 2, seed=0, dtype="float64")),
                                           "binary_crossentropy_from_logits"),
}


@pytest.mark.parametrize("case", list(LAYERS))
def test_every_activation_and_loss_equals_the_numpy_batch_path(case, monkeypatch):
    model, loss = LAYERS[case]()
    model.compile("sgd", loss, lr=0.1)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((70, 3))
    y = (rng.random((70, 2)) > 0.5).astype(float)
    assert L.LossFunction(model, x, y).engine == "numba"
    plane = L.directions(model, seed=2)
    fast = L.slice_2d(model, x, y, plane, steps=5)
    ref = _numpy_path(monkeypatch, model, x, y, plane, steps=5)
    np.testing.assert_allclose(fast.loss, ref.loss, rtol=1e-12)
    np.testing.assert_allclose(fast.loss, _loop_reference(model, x, y, plane, 5), rtol=1e-10)


@pytest.mark.parametrize("outputs, bias", [(1, True), (3, False), (4, True), (7, True), (12, False)])
def test_every_grouping_of_a_layers_outputs_over_several_blocks_equals_the_loop(outputs, bias):
    # the later Linears run 5, 2 and 1 outputs at a time (_dense_source), inputs 4 at a time and the rest
    # one by one (6 inputs here); n spans two blocks of samples and part of a third
    n = 2 * K.BLOCK + 37
    model = nn.Sequential(nn.Linear(3, 6, seed=0, dtype="float64"), nn.ReLU(),
                          nn.Linear(6, outputs, bias=bias, seed=1, dtype="float64"))
    model.compile("sgd", "mse", lr=0.1)
    rng = np.random.default_rng(outputs)
    x = rng.standard_normal((n, 3))
    y = rng.standard_normal((n, outputs))
    assert L.LossFunction(model, x, y).engine == "numba"
    plane = L.directions(model, seed=1)
    fast = L.slice_2d(model, x, y, plane, steps=5)
    np.testing.assert_allclose(fast.loss, _loop_reference(model, x, y, plane, 5), rtol=1e-10)


def test_overflowing_weights_give_the_numpy_paths_inf_and_nan(monkeypatch):
    model, x, y = _moons("float32")
    plane = L.directions(model, seed=0)
    fast = L.slice_2d(model, x, y, plane, span=1e36, steps=5)
    ref = _numpy_path(monkeypatch, model, x, y, plane, span=1e36, steps=5)
    assert not np.all(np.isfinite(ref.loss))  # the test reaches overflow
    np.testing.assert_array_equal(np.isnan(fast.loss), np.isnan(ref.loss))
    np.testing.assert_array_equal(np.isinf(fast.loss), np.isinf(ref.loss))
    ok = np.isfinite(ref.loss)
    np.testing.assert_allclose(fast.loss[ok], ref.loss[ok], rtol=1e-5)


def test_a_small_memory_bound_gives_the_same_numbers_in_more_calls():
    model, x, y = _moons("float64")
    plane = L.directions(model, seed=1)
    f = L.LossFunction(model, x, y)
    a = np.linspace(-1, 1, 9)
    C = np.column_stack([np.tile(a, 9), np.repeat(a, 9)])
    big = f.values(f.theta(), np.stack([plane.d1, plane.d2]), C)["loss"]
    assert f.batches == 1
    f.max_bytes = 1
    small = f.values(f.theta(), np.stack([plane.d1, plane.d2]), C)["loss"]
    assert f.batches > 1
    np.testing.assert_array_equal(small, big)  # each point's sums do not depend on the chunking


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_an_exception_midway_leaves_the_weights_as_they_were(monkeypatch, error):
    model, x, y = _moons("float32")
    nn.losses.cross_entropy(model(x), y).backward()
    snap = _snapshot(model)
    real = K._module()
    calls = {"n": 0}

    class Flaky:
        threads = staticmethod(real.threads)

        @staticmethod
        def slice_sums(*args):
            calls["n"] += 1
            if calls["n"] == 3:
                raise error("interrupted midway")
            return real.slice_sums(*args)

    monkeypatch.setattr(K, "_module", lambda: Flaky)
    with pytest.raises(error, match="interrupted midway"):
        L.slice_2d(model, x, y, L.directions(model), steps=5, max_bytes=1)
    assert calls["n"] == 3
    _same(model, snap)


def test_what_the_kernel_does_not_cover_runs_on_the_numpy_batch_path(monkeypatch):
    model, x, y = _moons("float64")
    f = L.LossFunction(model, x, np.eye(2)[y], loss="mae")  # a loss the kernel has no form of
    assert (f.method, f.engine) == ("vectorised", "numpy")
    mid = nn.Sequential(nn.Linear(2, 4, seed=0, dtype="float64"), nn.Softmax(), nn.Linear(4, 2, seed=1, dtype="float64"))
    mid.compile("sgd", "mse")
    assert L.LossFunction(mid, x, np.zeros((len(x), 2))).engine == "numpy"
    line = L.interpolate(model, L.flat_weights(model) * 0.5, x, y, steps=5)  # metrics: the NumPy batch path
    monkeypatch.setenv("GDLAB_ENGINE", "numpy")
    ref = L.interpolate(model, L.flat_weights(model) * 0.5, x, y, steps=5)
    np.testing.assert_allclose(line.loss, ref.loss, rtol=1e-12)
    assert L.LossFunction(model, x, y).engine == "numpy"


def test_blas_runs_on_one_thread_inside_the_compiled_path_only():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from gdlab.nn import _landscape_kernel

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    with _landscape_kernel.one_blas_thread():
        assert all(t == 1 for t in blas_threads())
    assert blas_threads() == before  # restored
    with _landscape_kernel.one_blas_thread(False):
        assert blas_threads() == before
