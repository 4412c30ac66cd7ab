"""gdlab.nn.landscape: slices equal model.evaluate, the batch path equals the point-by-point one,
filter normalisation, PCA and shared planes, and the model left exactly as it was."""

import numpy as np
import pytest

import gdlab
from gdlab import nn
from gdlab.nn import landscape as L


def _data(n=60, d=2, classes=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = (x[:, 0] * x[:, -1] > 0).astype(int) if classes == 2 else rng.integers(0, classes, n)
    return x, y


def _snapshot(model):
    return [(p.data.copy(), None if p.grad is None else p.grad.copy(), p.grad) for p in model.parameters()]


def _same(model, snap):
    for p, (data, grad, grad_ref) in zip(model.parameters(), snap):
        assert p.data.dtype == data.dtype and np.array_equal(p.data, data)
        assert p.grad is grad_ref
        if grad is not None:
            assert np.array_equal(p.grad, grad)


def _trained(dtype="float64", activation="tanh", sizes=(2, 8, 8, 2), loss="cross_entropy", epochs=15, seed=0):
    x, y = _data()
    model = nn.mlp(list(sizes), activation=activation, seed=seed, dtype=dtype)
    model.compile("adam", loss, metrics=["accuracy"] if "entropy" in loss else None, lr=0.02)
    model.fit(x, y, epochs=epochs, batch_size=16, seed=0, verbose=0)
    return model, x, y


# ------------------------------------------------------------------------------------- centre = evaluate


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_slice_centres_equal_model_evaluate(dtype):
    model, x, y = _trained(dtype)
    expected = model.evaluate(x, y)["loss"]
    plane = L.directions(model, seed=1)
    s1 = L.slice_1d(model, x, y, plane.d1, steps=21)
    s2 = L.slice_2d(model, x, y, plane, steps=11)
    assert s1.alpha[10] == 0.0 and s2.alpha[5] == 0.0 and s2.beta[5] == 0.0
    assert s1.center_loss == expected and s2.center_loss == expected  # evaluate's own number, bit for bit
    tol = 1e-12 if dtype == "float64" else 2e-6
    assert s1.loss[10] == pytest.approx(expected, rel=tol)
    assert s2.loss[5, 5] == pytest.approx(expected, rel=tol)
    assert s2.method == "vectorised" and s2.loss.shape == (11, 11)


def test_interpolation_ends_are_the_two_models():
    a, x, y = _trained(epochs=0)
    b, _, _ = _trained(epochs=20)
    line = L.interpolate(a, b, x, y, steps=51, extend=0.5)
    assert 0.0 in line.alpha and 1.0 in line.alpha  # inserted where the grid misses them
    assert line.alpha[0] == -0.5 and line.alpha[-1] == 1.5
    assert line.loss[line.alpha == 0][0] == pytest.approx(a.evaluate(x, y)["loss"], rel=1e-12)
    assert line.loss[line.alpha == 1][0] == pytest.approx(b.evaluate(x, y)["loss"], rel=1e-12)
    assert line.metrics["accuracy"][line.alpha == 1][0] == b.evaluate(x, y)["accuracy"]
    # a state_dict or flat weights as the far end give the same line
    again = L.interpolate(a, b.state_dict(), x, y, steps=51)
    flat = L.interpolate(a, L.flat_weights(b), x, y, steps=51)
    assert np.array_equal(again.loss, line.loss) and np.array_equal(flat.loss, line.loss)


# ------------------------------------------------------------------------------------- batch path = loop


CASES = {
    "tanh, cross-entropy": dict(sizes=[2, 6, 5, 3], activation="tanh", loss="cross_entropy", classes=3),
    "relu, sparse CE": dict(sizes=[2, 7, 3], activation="relu", loss="sparse_categorical_crossentropy_from_logits",
                           classes=3),
    "sigmoid, mse": dict(sizes=[2, 5, 1], activation="sigmoid", loss="mse", classes=None),
    "softplus, half_sse": dict(sizes=[2, 4, 4, 1], activation="softplus", loss="half_sse", classes=None),
    "leaky relu, huber": dict(sizes=[2, 6, 1], activation="leaky_relu", loss="huber", classes=None),
    "softmax head, CE from probabilities (fused)": dict(sizes=[2, 6, 3], activation="tanh",
                                                       loss="sparse_categorical_crossentropy", classes=3,
                                                       output_activation="softmax"),
    "one logit, binary CE": dict(sizes=[2, 5, 1], activation="tanh", loss="binary_crossentropy_from_logits",
                                 classes=2),
}


@pytest.mark.parametrize("case", list(CASES))
def test_batched_slices_equal_the_point_by_point_loop(case):
    c = CASES[case]
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 2))
    if c["classes"] is None:
        y = np.sin(x[:, :1]) + 0.1 * x[:, 1:]
    else:
        y = rng.integers(0, c["classes"], 40)
        if c["sizes"][-1] == 1:
            y = y.reshape(-1, 1).astype(float)
    model = nn.mlp(c["sizes"], activation=c["activation"], output_activation=c.get("output_activation"), seed=1,
                   dtype="float64")
    model.compile("sgd", c["loss"], metrics=["accuracy"] if c["classes"] else ["mae"], lr=0.1)
    plane = L.directions(model, seed=2)
    fast = L.slice_2d(model, x, y, plane, steps=7, span=1.5)
    slow = L.slice_2d(model, x, y, plane, steps=7, span=1.5, vectorize=False)
    assert (fast.method, slow.method) == ("vectorised", "loop")
    np.testing.assert_allclose(fast.loss, slow.loss, rtol=1e-12)
    # metrics too, along a line
    b = nn.mlp(c["sizes"], activation=c["activation"], output_activation=c.get("output_activation"), seed=5,
               dtype="float64")
    f1 = L.interpolate(model, b, x, y, steps=9)
    f2 = L.interpolate(model, b, x, y, steps=9, vectorize=False)
    np.testing.assert_allclose(f1.loss, f2.loss, rtol=1e-12)
    for key in f2.metrics:
        np.testing.assert_allclose(f1.metrics[key], f2.metrics[key], rtol=1e-12)


def test_float32_batch_matches_the_loop_to_float32_rounding():
    model, x, y = _trained("float32", activation="relu")
    plane = L.directions(model, seed=0)
    fast = L.slice_2d(model, x, y, plane, steps=5)
    slow = L.slice_2d(model, x, y, plane, steps=5, vectorize=False)
    np.testing.assert_allclose(fast.loss, slow.loss, rtol=1e-5)


def test_small_batches_of_points_give_the_same_numbers():
    model, x, y = _trained()
    plane = L.directions(model, seed=0)
    whole = L.slice_2d(model, x, y, plane, steps=9)
    pieces = L.slice_2d(model, x, y, plane, steps=9, max_bytes=1)  # one grid point at a time
    np.testing.assert_allclose(pieces.loss, whole.loss, rtol=1e-13)


def test_flatten_and_a_layer_without_bias_are_batched():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((30, 2, 3))
    y = rng.integers(0, 3, 30)
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 5, bias=False, seed=0, dtype="float64"), nn.Tanh(),
                          nn.Linear(5, 3, seed=1, dtype="float64"))
    model.compile("sgd", "cross_entropy", lr=0.1)
    plane = L.directions(model, seed=0)
    fast = L.slice_2d(model, x, y, plane, steps=5)
    slow = L.slice_2d(model, x, y, plane, steps=5, vectorize=False)
    assert fast.method == "vectorised"
    np.testing.assert_allclose(fast.loss, slow.loss, rtol=1e-12)


def _loop_reference(model, x, y, plane, steps):
    """The naive loop by hand: set the weights to centre + a d1 + b d2, call evaluate, put them back."""
    alpha = np.linspace(-1.0, 1.0, steps)
    alpha[steps // 2] = 0.0
    theta = L.flat_weights(model)
    params = model.parameters()
    saved = [p.data.copy() for p in params]
    out = np.empty((steps, steps))
    try:
        for i, b in enumerate(alpha):
            for j, a in enumerate(alpha):
                w, at = theta + a * plane.d1 + b * plane.d2, 0
                for p in params:
                    p.data[...] = w[at:at + p.data.size].reshape(p.data.shape)
                    at += p.data.size
                out[i, j] = model.evaluate(x, y)["loss"]
    finally:
        for p, data in zip(params, saved):
            p.data[...] = data
    return out


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-10), ("float32", 1e-5)])
def test_a_digits_like_net_in_many_batches_equals_the_naive_loop(dtype, rtol):
    rng = np.random.default_rng(7)
    x = rng.random((150, 64))
    y = rng.integers(0, 10, 150)
    model = nn.mlp([64, 24, 10], activation="relu", seed=3, dtype=dtype)
    model.compile("sgd", "cross_entropy", lr=0.1)
    plane = L.directions(model, seed=4)
    fast = L.slice_2d(model, x, y, plane, steps=7, max_bytes=3 * 150 * 24 * np.dtype(dtype).itemsize)
    assert fast.method == "vectorised"
    np.testing.assert_allclose(fast.loss, _loop_reference(model, x, y, plane, 7), rtol=rtol)
    expected = model.evaluate(x, y)["loss"]
    assert fast.center_loss == expected
    assert fast.loss[3, 3] == pytest.approx(expected, rel=1e-12 if dtype == "float64" else 1e-6)


UNUSUAL = {
    # a Softmax between two Linear layers normalises the features of each sample, not the samples
    "softmax inside": lambda: nn.Sequential(nn.Linear(3, 5, seed=0, dtype="float64"), nn.Softmax(),
                                            nn.Linear(5, 4, seed=1, dtype="float64"), nn.Identity(), nn.Tanh(),
                                            nn.Linear(4, 2, seed=2, dtype="float64")),
    # a Softmax output compiled with the MSE is not fused with the loss: it runs on the batch's outputs
    "softmax output, mse": lambda: nn.Sequential(nn.Linear(3, 6, seed=0, dtype="float64"), nn.LeakyReLU(0.2),
                                                 nn.Linear(6, 2, seed=1, dtype="float64"), nn.Softmax(),
                                                 nn.Sigmoid()),
    "one Linear only": lambda: nn.Sequential(nn.Linear(3, 2, seed=0, dtype="float64"), nn.Softplus()),
}


@pytest.mark.parametrize("case", list(UNUSUAL))
def test_unusual_stacks_are_batched_and_equal_the_naive_loop(case):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((35, 3))
    y = rng.random((35, 2))
    model = UNUSUAL[case]()
    model.compile("sgd", "mse", lr=0.1)
    plane = L.directions(model, seed=5)
    fast = L.slice_2d(model, x, y, plane, steps=5, max_bytes=2 * 35 * 6 * 8)
    assert fast.method == "vectorised"
    np.testing.assert_allclose(fast.loss, _loop_reference(model, x, y, plane, 5), rtol=1e-10)
    assert fast.loss[2, 2] == pytest.approx(model.evaluate(x, y)["loss"], rel=1e-12)


def test_the_memory_bound_is_respected_and_changes_nothing_but_the_batches(monkeypatch):
    monkeypatch.setenv("GDLAB_ENGINE", "numpy")  # the NumPy batch path's batches (the compiled one: test_landscape_kernel)
    import tracemalloc

    model, x, y = _trained(sizes=(2, 16, 16, 2))
    plane = L.directions(model, seed=0)
    per_point = len(x) * 16 * 8  # the widest layer's activations of one grid point, float64
    f = L.LossFunction(model, x, y)
    a = np.linspace(-1, 1, 31)
    C = np.column_stack([np.tile(a, 31), np.repeat(a, 31)])  # a plane's grid, row by row
    peaks, values = {}, {}
    for budget in (L.MAX_BYTES, 5 * per_point, 1):
        f.max_bytes = budget
        tracemalloc.start()
        values[budget] = f.values(f.theta(), np.stack([plane.d1, plane.d2]), C)["loss"]
        peaks[budget] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        expected = -(-len(C) // max(1, min(budget, L.CHUNK_BYTES) // per_point))
        assert f.batches == expected
    assert f.batches == len(C)  # a budget below one point's activations: one point at a time
    assert peaks[5 * per_point] < peaks[L.MAX_BYTES] / 4
    for budget in values:  # the same numbers (BLAS may round a stack of 1 and of 546 differently)
        np.testing.assert_allclose(values[budget], values[L.MAX_BYTES], rtol=1e-13)


def test_products_in_blocks_of_columns_equal_one_product():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 40, 70)), rng.standard_normal((3, 70, 200))
    assert L.SMALL_PRODUCT // (40 * 70) < 200  # so the product is split into blocks of columns
    out = np.empty((40, 3, 200)).transpose(1, 0, 2)  # a strided target, as the output layer's
    np.testing.assert_allclose(L._matmul(a, b, out), a @ b, rtol=1e-13)
    np.testing.assert_allclose(L._matmul(a[0], b[0], np.empty((40, 200))), a[0] @ b[0], rtol=1e-13)


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_an_exception_midway_through_the_batches_leaves_the_weights_as_they_were(monkeypatch, error):
    monkeypatch.setenv("GDLAB_ENGINE", "numpy")  # the NumPy batch path (the compiled one: test_landscape_kernel)
    model, x, y = _trained()
    nn.losses.cross_entropy(model(x), y).backward()
    snap = _snapshot(model)
    calls = {"n": 0}
    real = L.LossFunction._activation

    def flaky(*args):
        calls["n"] += 1
        if calls["n"] == 5:
            raise error("interrupted midway")
        return real(*args)

    monkeypatch.setattr(L.LossFunction, "_activation", staticmethod(flaky))
    with pytest.raises(error, match="interrupted midway"):
        L.slice_2d(model, x, y, L.directions(model), steps=5, max_bytes=1)  # a batch per point, 2 activations
    assert calls["n"] == 5
    _same(model, snap)


class Skip(nn.Module):
    """A layer type the batch path does not know: out = W2 tanh(W1 x) + x W3."""

    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(2, 6, seed=0, dtype="float64")
        self.outer = nn.Linear(6, 1, seed=1, dtype="float64")
        self.skip = nn.Linear(2, 1, bias=False, seed=2, dtype="float64")

    def forward(self, x):
        return self.outer(gdlab.tanh(self.inner(x))) + self.skip(x)


def test_a_model_of_your_own_is_evaluated_point_by_point_and_named_when_refused():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((25, 2))
    y = rng.standard_normal((25, 1))
    model = Skip()
    plane = L.directions(model, seed=0)
    s = L.slice_1d(model, x, y, plane.d1, steps=5, loss="mse")
    assert s.method == "loop" and s.center_loss is None
    theta = L.flat_weights(model)
    for a, value in zip(s.alpha, s.loss):  # each point by hand: set the weights, compute the loss
        probe = Skip()
        w = theta + a * plane.d1
        i = 0
        for p in probe.parameters():
            p.data[...] = w[i:i + p.data.size].reshape(p.data.shape)
            i += p.data.size
        expected = float(nn.losses.mse(probe(x), y).data)
        assert value == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="Skip is not a gdlab.nn.Sequential"):
        L.slice_1d(model, x, y, plane.d1, steps=5, loss="mse", vectorize=True)


def test_an_unsupported_layer_is_named():
    class Twice(nn.Module):
        def forward(self, x):
            return x * 2.0

    model = nn.Sequential(nn.Linear(2, 3, seed=0, dtype="float64"), Twice(), nn.Linear(3, 2, seed=1, dtype="float64"))
    x, y = _data()
    f = L.LossFunction(model, x, y, loss="cross_entropy")
    assert f.method == "loop" and "layer Twice is not supported" in f.reason
    with pytest.raises(ValueError, match="layer Twice is not supported by the batch path"):
        L.LossFunction(model, x, y, loss="cross_entropy", vectorize=True)


# ------------------------------------------------------------------------------------- weights untouched


def test_every_function_leaves_the_weights_and_gradients_as_they_were():
    from gdlab.nn import curvature

    model, x, y = _trained()
    out = model(x)
    nn.losses.cross_entropy(out, y).backward()  # leave gradients on the parameters too
    snap = _snapshot(model)
    other, _, _ = _trained(epochs=3, seed=4)
    trace = nn.WeightHistory()
    trace.weights = [other.state_dict(), model.state_dict(), {k: v * 1.1 for k, v in model.state_dict().items()},
                     model.state_dict()]
    plane = L.directions(model, seed=0)
    for vectorize in ("auto", False):
        L.interpolate(model, other, x, y, steps=5, vectorize=vectorize)
        L.slice_1d(model, x, y, plane.d1, steps=5, vectorize=vectorize)
        L.slice_2d(model, x, y, plane, steps=3, vectorize=vectorize)
        _same(model, snap)
    L.directions(model, kind="pca", history=trace)
    L.project(trace, plane)
    L.shared_plane(other, model, L.flat_weights(model) + plane.d1)
    curvature.hvp(model, x, y, plane.d1)
    curvature.hessian_eigs(model, x, y, k=2)
    _same(model, snap)


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_an_exception_midway_leaves_the_weights_as_they_were(monkeypatch, error):
    model, x, y = _trained()
    nn.losses.cross_entropy(model(x), y).backward()
    snap = _snapshot(model)
    calls = {"n": 0}
    real = type(model).evaluate

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:  # the first call checks the data; points 1 and 2 go through; the third fails
            raise error("interrupted midway")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(model), "evaluate", flaky)
    with pytest.raises(error, match="interrupted midway"):
        L.slice_2d(model, x, y, L.directions(model), steps=3, vectorize=False)
    assert calls["n"] == 4
    _same(model, snap)


def test_an_exception_inside_the_gradient_of_an_unbatched_model_restores_it():
    from gdlab.nn import curvature

    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((20, 2)), rng.standard_normal((20, 1))
    model = Skip()
    snap = _snapshot(model)
    calls = {"n": 0}

    def loss(pred, target):
        calls["n"] += 1
        if calls["n"] == 2:  # the first gradient (at θ + h·v) goes through, the second (at θ − h·v) fails
            raise RuntimeError("loss failed")
        return nn.losses.mse(pred, target)

    with pytest.raises(RuntimeError, match="loss failed"):
        curvature.hvp(model, x, y, np.ones(model.count_params()), loss=loss)
    _same(model, snap)


# ------------------------------------------------------------------------------------- directions


@pytest.mark.parametrize("bias", ["zero", "unit"])
def test_filter_normalisation_gives_each_unit_the_norm_of_its_weights(bias):
    model, _, _ = _trained()
    plane = L.directions(model, seed=7, bias=bias)
    names = [n for n, _ in model.named_parameters()]
    params = [p.data for p in model.parameters()]
    offsets = np.cumsum([0] + [p.size for p in params])
    for d in plane:
        parts = {n: d[offsets[i]:offsets[i + 1]].reshape(params[i].shape) for i, n in enumerate(names)}
        for i, n in enumerate(names):
            if not n.endswith("weight"):
                continue
            w, dw = params[i], parts[n]
            b_name = n.replace("weight", "bias")
            if bias == "zero":
                np.testing.assert_allclose(np.linalg.norm(dw, axis=0), np.linalg.norm(w, axis=0), rtol=1e-12)
                assert not parts[b_name].any()
            else:
                b, db = params[names.index(b_name)], parts[b_name]
                np.testing.assert_allclose(np.hypot(np.linalg.norm(dw, axis=0), db),
                                           np.hypot(np.linalg.norm(w, axis=0), b), rtol=1e-12)
                assert db.any()
    assert not np.allclose(plane.d1, plane.d2)
    assert np.array_equal(L.directions(model, seed=7, bias=bias).d1, plane.d1)
    assert not np.array_equal(L.directions(model, seed=8, bias=bias).d1, plane.d1)


def test_pca_directions_recover_a_path_that_lies_in_a_plane():
    model, _, _ = _trained()
    theta = L.flat_weights(model)
    rng = np.random.default_rng(0)
    u, _ = np.linalg.qr(rng.standard_normal((theta.size, 2)))
    t = np.linspace(0, 1, 30)
    coords = np.column_stack([-3 * (1 - t) ** 2, np.sin(3 * t) * (1 - t)])  # ends at (0, 0)
    path = theta + coords @ u.T
    plane = L.directions(model, kind="pca", history=path)
    assert sum(plane.explained) == pytest.approx(1.0, abs=1e-12)
    assert plane.explained[0] > plane.explained[1]
    span = np.column_stack([plane.d1, plane.d2])
    np.testing.assert_allclose(np.linalg.svd(span.T @ u)[1], [1, 1], atol=1e-10)  # the same plane
    proj = L.project(path, plane)
    np.testing.assert_allclose(proj @ np.column_stack([plane.d1, plane.d2]).T, coords @ u.T, atol=1e-10)
    assert np.all(proj[0] < 0)  # the sign convention: the path starts at negative coordinates
    np.testing.assert_allclose(proj[-1], [0, 0], atol=1e-12)


def test_pca_from_a_weight_history_recorded_by_fit():
    x, y = _data()
    model = nn.mlp([2, 8, 2], activation="tanh", seed=0, dtype="float64")
    model.compile("sgd", "cross_entropy", lr=0.5)
    trace = nn.WeightHistory()
    model.fit(x, y, epochs=12, batch_size=None, verbose=0, callbacks=[trace])
    plane = L.directions(model, kind="pca", history=trace)
    assert 0.5 < sum(plane.explained) <= 1.0 + 1e-12
    assert np.array_equal(plane.origin, L.flat_weights(model))
    path = L.project(trace, plane)
    assert path.shape == (13, 2)
    surf = L.slice_2d(model, x, y, plane, span=L.path_span(path), steps=9)
    assert surf.center_loss == model.evaluate(x, y)["loss"]
    (a_lo, a_hi), (b_lo, b_hi) = L.path_span(path)
    assert a_lo < path[:, 0].min() and a_hi > 0 and b_lo < min(path[:, 1].min(), 0) and b_hi > path[:, 1].max()


def test_shared_plane_puts_the_three_points_where_it_says():
    rng = np.random.default_rng(0)
    init, a, b = (rng.standard_normal(50) for _ in range(3))
    plane = L.shared_plane(init, a, b, labels=("gd", "adam"))
    coords = L.project(np.stack([init, a, b]), plane)
    np.testing.assert_allclose(coords[0], [0, 0], atol=1e-12)
    np.testing.assert_allclose(coords[1], [1, 0], atol=1e-12)
    np.testing.assert_allclose(coords[2], plane.points["adam"], atol=1e-12)
    assert plane.points["adam"][1] > 0
    assert np.linalg.norm(plane.d1) == pytest.approx(np.linalg.norm(plane.d2))
    assert abs(plane.d1 @ plane.d2) < 1e-9 * np.linalg.norm(plane.d1) ** 2
    with pytest.raises(ValueError, match="on one line"):
        L.shared_plane(init, a, init + 2 * (a - init))


def test_weight_history_files_round_trip(tmp_path):
    model, x, y = _trained("float32", epochs=0)
    trace = nn.WeightHistory()
    model.fit(x, y, epochs=3, batch_size=None, verbose=0, callbacks=[trace])
    path = tmp_path / "path.npz"
    L.save_weight_history(trace, path)
    back = L.load_weight_history(path)
    assert len(back) == 4 and list(back[0]) == list(trace.weights[0])
    for w, v in zip(trace.weights, back):
        for k in w:
            assert v[k].dtype == w[k].dtype and np.array_equal(v[k], w[k])
    assert [p.name for p in tmp_path.iterdir()] == ["path.npz"]  # no temporary file left
    np.save(tmp_path / "other.npy", np.zeros(3))
    with pytest.raises(ValueError, match="is not a weight history"):
        L.load_weight_history(tmp_path / "other.npy")


@pytest.mark.parametrize("epochs, every, max_points", [(12, 1, 5), (7, 3, 100), (40, 1, 7)])
def test_path_recorder_keeps_evenly_spaced_points_within_its_bound(epochs, every, max_points):
    """Against WeightHistory (every epoch): the kept points are its points at the kept epochs."""
    model, x, y = _trained("float64", epochs=0)
    full, rec = nn.WeightHistory(), L.PathRecorder(every=every, max_points=max_points)
    model.fit(x, y, epochs=epochs, batch_size=None, verbose=0, callbacks=[full, rec])
    kept = rec.epochs
    assert kept[0] == 0 and kept[-1] == epochs and len(kept) == len(rec.weights) <= max_points
    gaps = np.diff(kept)
    assert np.all(gaps[:-1] == gaps[0]) and 0 < gaps[-1] <= gaps[0] and gaps[0] % every == 0
    if epochs >= 2 * max_points:
        assert len(kept) >= max_points // 2
    for e, w in zip(kept, rec.weights):
        for k in w:
            assert np.array_equal(w[k], full.weights[e][k])


# ------------------------------------------------------------------------------------- bad input


def test_bad_input_is_named():
    model, x, y = _trained()
    plane = L.directions(model)
    with pytest.raises(ValueError, match="kind must be 'filter' or 'pca'"):
        L.directions(model, kind="random")
    with pytest.raises(ValueError, match="needs history="):
        L.directions(model, kind="pca")
    with pytest.raises(ValueError, match="at least 3 recorded points"):
        L.directions(model, kind="pca", history=[model.state_dict()] * 2)
    with pytest.raises(ValueError, match="steps must be an integer"):
        L.slice_1d(model, x, y, plane.d1, steps=1)
    with pytest.raises(ValueError, match="make 1,003,002 grid points; at most 1,002,001"):
        L.slice_2d(model, x, y, plane, steps=(1001, 1002))
    with pytest.raises(ValueError, match="span must be a finite number > 0"):
        L.slice_1d(model, x, y, plane.d1, span=-1)
    with pytest.raises(ValueError, match="flat weights have 3 values, the model has"):
        L.slice_1d(model, x, y, np.ones(3))
    with pytest.raises(ValueError, match="NaN or infinite"):
        L.slice_1d(model, x, y, np.full(plane.d1.size, np.nan))
    with pytest.raises(ValueError, match="x has 60 samples but y has 5"):
        L.slice_1d(model, x, y[:5], plane.d1)
    raw = nn.mlp([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match="is not compiled"):
        L.slice_1d(raw, x, y, L.directions(raw).d1)
    with pytest.raises(ValueError, match="parallel"):
        L.project([model.state_dict()] * 3, plane.d1, 2 * plane.d1)
