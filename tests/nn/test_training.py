"""compile / fit / evaluate / predict / summary, callbacks, progress output, and bad input."""

import math
import sys

import numpy as np
import pytest

import gdlab
from gdlab import nn, optim


def regression_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.3
    return x, y


def classification_data(n=60, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)
    return x, y % classes


def small_regressor(seed=0, dtype="float32"):
    return nn.Sequential(nn.Linear(3, 8, seed=seed, dtype=dtype), nn.Tanh(),
                         nn.Linear(8, 1, seed=seed + 1, dtype=dtype))


class Counter(nn.Callback):
    def __init__(self):
        super().__init__()
        self.batches = []
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch_begin {epoch}")

    def on_batch_end(self, batch, logs=None):
        self.batches.append((batch, logs["size"]))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch}")

    def on_train_end(self, logs=None):
        self.events.append("train_end")


@pytest.mark.parametrize("batch_size,steps,sizes", [
    (None, 1, [10]), (1, 10, [1] * 10), (3, 4, [3, 3, 3, 1]), (4, 3, [4, 4, 2]), (10, 1, [10]), (32, 1, [10]),
])
def test_updates_per_epoch(batch_size, steps, sizes):
    x, y = regression_data(10)
    model = small_regressor()
    model.compile("adam", "mse")
    counter = Counter()
    h = model.fit(x, y, epochs=3, batch_size=batch_size, callbacks=[counter], verbose=0, seed=0)
    assert len(h.step_losses) == 3 * steps
    assert [s for _, s in counter.batches] == sizes * 3
    assert all(model.optimizer.state[p]["step"] == 3 * steps for p in model.parameters())
    assert h.params["steps"] == steps
    assert counter.events == ["train_begin", "epoch_begin 0", "epoch_end 0", "epoch_begin 1", "epoch_end 1",
                              "epoch_begin 2", "epoch_end 2", "train_end"]
    # the epoch's loss is the sample-weighted mean of its batch losses
    np.testing.assert_allclose(h.history["loss"][0], np.dot(h.step_losses[:steps], sizes) / 10, rtol=1e-12)


def test_full_batch_epoch_is_one_gradient_descent_step():
    x, y = regression_data(20)
    model = small_regressor(dtype="float64")
    twin = small_regressor(dtype="float64")
    model.compile(optim.SGD(lr=0.1), "mse")
    model.fit(x, y, epochs=1, verbose=0)
    # the same step by hand, PyTorch style
    opt = optim.SGD(twin.parameters(), lr=0.1)
    opt.zero_grad()
    loss = nn.losses.mse(twin(x), y)
    loss.backward()
    opt.step()
    for a, b in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_pytorch_style_loop_equals_fit_with_shuffled_minibatches():
    x, y = regression_data(30)
    a, b = small_regressor(), small_regressor()
    a.compile(optim.Adam(lr=0.01), "mse")
    h = a.fit(x, y, epochs=4, batch_size=8, verbose=0, seed=5)
    opt = optim.Adam(b.parameters(), lr=0.01)
    x32, y32 = x.astype(np.float32), y.astype(np.float32).reshape(-1, 1)
    losses = []
    for epoch in range(4):
        perm = np.random.default_rng([5, epoch]).permutation(30)  # fit's documented shuffling
        for lo in range(0, 30, 8):
            idx = perm[lo:lo + 8]
            opt.zero_grad()
            loss = nn.losses.mse(b(x32[idx]), y32[idx])
            loss.backward()
            opt.step()
            losses.append(float(loss.data))
    assert h.step_losses == losses
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_shuffle_seed_and_epoch_count_continue_across_calls():
    x, y = regression_data(30)
    runs = []
    for split in ([6], [2, 4], [3, 3]):
        model = small_regressor()
        model.compile("sgd", "mse", lr=0.05)
        for k in split:
            model.fit(x, y, epochs=k, batch_size=4, verbose=0, seed=11)
        runs.append([p.data.copy() for p in model.parameters()])
        assert model.fit_state_["epoch"] == 6
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            np.testing.assert_array_equal(a, b)
    model = small_regressor()
    model.compile("sgd", "mse", lr=0.05)
    model.fit(x, y, epochs=6, batch_size=4, verbose=0, seed=12)
    assert not np.array_equal(model.parameters()[0].data, runs[0][0])
    h = model.fit(x, y, epochs=2, verbose=0)
    assert h.epochs == [6, 7]


def test_dtypes_are_kept():
    x, y = regression_data(16)
    for dtype in ("float32", "float64"):
        model = small_regressor(dtype=dtype)
        model.compile("adam", "mse")
        model.fit(x, y, epochs=2, batch_size=4, verbose=0, seed=0)
        for p in model.parameters():
            assert p.data.dtype == np.dtype(dtype)
            arrays = [v for v in model.optimizer.state[p].values() if isinstance(v, np.ndarray)]
            assert all(v.dtype == np.dtype(dtype) for v in arrays)
        assert model.predict(x).dtype == np.dtype(dtype)


def test_validation_split_and_data():
    x, y = regression_data(50)
    model = small_regressor()
    model.compile("adam", "mse", metrics=["mae", "r2"])
    h = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.2, verbose=0, seed=0)
    assert set(h.history) == {"loss", "mae", "r2", "val_loss", "val_mae", "val_r2"}
    assert h.params["samples"] == 40  # the last 10 are held out
    ev = model.evaluate(x[40:], y[40:])
    assert ev["loss"] == pytest.approx(h.history["val_loss"][-1], rel=1e-6)
    assert ev["mae"] == pytest.approx(h.history["val_mae"][-1], rel=1e-6)
    h2 = model.fit(x[:40], y[:40], epochs=1, validation_data=(x[40:], y[40:]), verbose=0)
    assert "val_r2" in h2.history


def test_evaluate_predict_summary():
    x, y = classification_data()
    model = nn.mlp([4, 16, 3], seed=0)
    model.compile(optim.Adam(lr=0.05), "cross_entropy", metrics=["accuracy"])
    model.fit(x, y, epochs=30, verbose=0)
    ev = model.evaluate(x, y)
    assert set(ev) == {"loss", "accuracy"} and ev["accuracy"] > 0.9
    p = model.predict(x)
    assert p.shape == (60, 3) and p.dtype == np.float32
    np.testing.assert_allclose(model.predict(x, batch_size=7), p, rtol=1e-5, atol=1e-6)
    text = model.summary(print_fn=None)
    assert "0 (Linear)" in text and "(None, 16)" in text and "Total params: 131" in text
    lines = []
    assert model.summary(print_fn=lines.append) is None and lines == [text]


def test_softmax_output_is_trained_from_logits():
    x, y = classification_data()
    with_softmax = nn.mlp([4, 8, 3], output_activation="softmax", seed=3)
    logits_only = nn.mlp([4, 8, 3], seed=3)
    with_softmax.compile(optim.SGD(lr=0.5), "sparse_categorical_crossentropy", ["accuracy"])
    logits_only.compile(optim.SGD(lr=0.5), "sparse_categorical_crossentropy_from_logits", ["accuracy"])
    assert with_softmax.compiled_.fused and not logits_only.compiled_.fused
    ha = with_softmax.fit(x, y, epochs=5, batch_size=16, verbose=0, seed=0)
    hb = logits_only.fit(x, y, epochs=5, batch_size=16, verbose=0, seed=0)
    assert ha.history == hb.history
    for a, b in zip(with_softmax.parameters(), logits_only.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    probs = with_softmax.predict(x)
    np.testing.assert_allclose(probs.sum(1), 1, rtol=1e-6)
    # Keras's unfused loss on the probabilities gives the same number (up to float32 rounding)
    ref = nn.losses.sparse_categorical_crossentropy(gdlab.Tensor(probs), y).item()
    assert with_softmax.evaluate(x, y)["loss"] == pytest.approx(ref, rel=1e-5)


def test_binary_classification_with_sigmoid_and_logits():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(float)
    a = nn.mlp([2, 8, 1], output_activation="sigmoid", seed=0)
    a.compile(optim.Adam(lr=0.05), "binary_crossentropy", ["accuracy"])
    b = nn.mlp([2, 8, 1], seed=0)
    b.compile(optim.Adam(lr=0.05), "binary_crossentropy_from_logits", ["accuracy"])
    ha = a.fit(x, y, epochs=40, verbose=0)
    hb = b.fit(x, y, epochs=40, verbose=0)
    assert ha.history["accuracy"] == hb.history["accuracy"] and ha.history["accuracy"][-1] > 0.95


def test_custom_module_and_callable_loss():
    class Affine(nn.Model):  # trained with fit: a model (layers do not fit)
        def __init__(self):
            super().__init__()
            self.w = gdlab.Tensor(np.zeros((3, 1)), requires_grad=True)

        def forward(self, x):
            return gdlab.Tensor(x) @ self.w

    def half_mse(y_pred, y_true):
        d = y_pred - y_true
        return (d * d).mean() * 0.5

    x, y = regression_data(40)
    model = Affine()
    model.compile(optim.SGD(lr=0.5), half_mse)
    model.fit(x, y.reshape(-1, 1) - 0.3, epochs=200, verbose=0)
    np.testing.assert_allclose(model.w.data[:, 0], [1.0, -2.0, 0.5], atol=1e-6)


# ---------------------------------------------------------------------------- callbacks

def test_early_stopping_and_restore_best_weights():
    x, y = regression_data(40)
    model = small_regressor()
    model.compile(optim.SGD(lr=0.05), "mse")
    losses = iter([5.0, 4.0, 4.5, 4.2, 4.1, 1.0])

    class FakeVal(nn.Callback):  # makes val_loss follow the list above
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = next(losses)

    stop = nn.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    snapshots = nn.WeightHistory()
    h = model.fit(x, y, epochs=6, validation_data=(x, y), callbacks=[FakeVal(), snapshots, stop], verbose=0)
    assert h.epochs == [0, 1, 2, 3] and stop.stopped_epoch == 3 and stop.best == 4.0
    for name, value in snapshots.weights[2].items():  # after epoch 1, the best
        np.testing.assert_array_equal(model.state_dict()[name], value)


def test_early_stopping_on_a_missing_key_fails_before_training():
    x, y = regression_data(20)
    model = small_regressor()
    model.compile("adam", "mse")
    before = model.state_dict()
    with pytest.raises(ValueError, match="val_loss.*validation"):
        model.fit(x, y, epochs=3, callbacks=[nn.EarlyStopping()], verbose=0)
    for k, v in before.items():
        np.testing.assert_array_equal(model.state_dict()[k], v)


def test_model_checkpoint(tmp_path):
    x, y = regression_data(40)
    model = small_regressor()
    model.compile(optim.SGD(lr=0.05), "mse")
    ck = nn.ModelCheckpoint(str(tmp_path / "m-{epoch:02d}-{loss:.3f}.npz"), monitor="loss", save_best_only=True)
    model.fit(x, y, epochs=3, callbacks=[ck], verbose=0)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 3 and files[0].startswith("m-01-")
    again = nn.load_model(ck.last_saved)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    ck2 = nn.ModelCheckpoint(tmp_path / "w.npz", save_weights_only=True)
    model.fit(x, y, epochs=1, callbacks=[ck2], verbose=0)
    fresh = small_regressor(seed=9)
    fresh.load_weights(tmp_path / "w.npz")
    np.testing.assert_array_equal(fresh.predict(x), model.predict(x))


def test_learning_rate_scheduler():
    x, y = regression_data(20)
    model = small_regressor()
    model.compile(optim.SGD(lr=0.1), "mse")
    sched = nn.LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** epoch)
    h = model.fit(x, y, epochs=4, callbacks=[sched], verbose=0)
    assert h.history["lr"] == [0.1, 0.05, 0.025, 0.0125]
    assert model.optimizer.param_groups[0]["lr"] == 0.0125
    with pytest.raises(ValueError, match="schedule returned"):
        model.fit(x, y, epochs=1, callbacks=[nn.LearningRateScheduler(lambda e, lr: float("nan"))], verbose=0)


def test_lambda_callback_and_terminate_on_nan():
    x, y = regression_data(20)
    model = small_regressor()
    model.compile(optim.SGD(lr=1e6), "mse")  # diverges
    seen = []
    stop = nn.TerminateOnNaN()
    with np.errstate(all="ignore"):
        h = model.fit(x, y, epochs=50, batch_size=5, verbose=0,
                      callbacks=[stop, nn.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))])
    assert stop.stopped_batch is not None and len(h.epochs) < 50 and not math.isfinite(h.step_losses[-1])
    assert seen == h.epochs


# ---------------------------------------------------------------------------- progress output

def test_verbose_outputs(capsys, monkeypatch):
    x, y = regression_data(20)
    model = small_regressor()
    model.compile("adam", "mse", metrics=["mae"])
    model.fit(x, y, epochs=2, batch_size=5, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=2, batch_size=5, verbose=2)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("Epoch 1/2") and "loss:" in out[0] and "mae:" in out[0]
    pytest.importorskip("rich")
    model.fit(x, y, epochs=2, batch_size=5, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "4/4" in out
    monkeypatch.setitem(sys.modules, "rich", None)  # rich not installed: plain text
    monkeypatch.setitem(sys.modules, "rich.console", None)
    monkeypatch.setitem(sys.modules, "rich.progress", None)
    model.fit(x, y, epochs=2, batch_size=5, verbose=1)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[1].startswith("Epoch 2/2 [") and "4/4" in out[1]


# ---------------------------------------------------------------------------- bad input

def _assert_untouched(model, before):
    for k, v in before.items():
        np.testing.assert_array_equal(model.state_dict()[k], v)
    assert len(model.optimizer.state) == 0
    assert model.__dict__.get("history") is None


BAD_FITS = [
    ("lengths", lambda x, y: (x, y[:-1]), {}, ValueError, "x has 20 samples but y has 19"),
    ("features", lambda x, y: (x[:, :2], y), {}, ValueError, "2 features.*expects 3"),
    ("nan x", lambda x, y: (np.where(np.arange(60).reshape(20, 3) == 7, np.nan, x), y), {}, ValueError,
     r"x contains 1 NaN or inf.*\(2, 1\)"),
    ("inf y", lambda x, y: (x, np.where(np.arange(20) == 3, np.inf, y)), {}, ValueError, "y contains 1 NaN or inf"),
    ("strings", lambda x, y: (x.astype(str), y), {}, TypeError, "numbers"),
    ("batch size", lambda x, y: (x, y), {"batch_size": 0}, ValueError, "batch_size"),
    ("epochs", lambda x, y: (x, y), {"epochs": 1.5}, ValueError, "epochs"),
    ("split", lambda x, y: (x, y), {"validation_split": 1.0}, ValueError, "validation_split"),
    ("val data", lambda x, y: (x, y), {"validation_data": (np.ones((3, 2)), np.ones(3))}, ValueError,
     "validation x has 2 features"),
    ("callback", lambda x, y: (x, y), {"callbacks": [print]}, TypeError, "Callback"),
    ("target shape", lambda x, y: (x, np.ones((20, 2))), {}, ValueError, r"y has shape \(20, 2\)"),
]


@pytest.mark.parametrize("case,make,kwargs,exc,match", BAD_FITS, ids=[c[0] for c in BAD_FITS])
def test_bad_input_fails_before_any_update(case, make, kwargs, exc, match):
    x, y = regression_data(20)
    model = small_regressor()
    model.compile("adam", "mse")
    before = model.state_dict()
    with pytest.raises(exc, match=match):
        model.fit(*make(x, y), **{"epochs": 2, "verbose": 0, **kwargs})
    _assert_untouched(model, before)


@pytest.mark.parametrize("labels,match", [
    (np.array([0, 1, 3] * 20), "label 3, outside \\[0, 2\\]: the model has 3 outputs"),
    (np.array([0, -1, 2] * 20), "label -1"),
    (np.array([0.0, 1.5, 2.0] * 20), "integer class labels"),
])
def test_labels_out_of_range(labels, match):
    x, _ = classification_data()
    model = nn.mlp([4, 8, 3], seed=0)
    model.compile("sgd", "cross_entropy")
    before = model.state_dict()
    with pytest.raises(ValueError, match=match):
        model.fit(x, labels, verbose=0)
    _assert_untouched(model, before)


def test_probabilities_loss_on_logits_and_accuracy_on_regression_fail_before_training():
    x, y = classification_data()
    model = nn.mlp([4, 8, 3], seed=0)
    model.compile("sgd", "sparse_categorical_crossentropy")
    before = model.state_dict()
    with pytest.raises(ValueError, match="expects probabilities.*Softmax"):
        model.fit(x, y, verbose=0)
    _assert_untouched(model, before)
    xr, yr = regression_data(20)
    reg = small_regressor()
    reg.compile("adam", "mse", metrics=["accuracy"])  # seed 000's metrics=['accuracy'] on a regression
    before = reg.state_dict()
    with pytest.raises(ValueError, match="classification metric.*'mae'"):
        reg.fit(xr, yr, verbose=0)
    _assert_untouched(reg, before)
    model = nn.mlp([4, 8, 3], seed=0)
    model.compile("sgd", "cross_entropy", metrics=["mse"])  # mse of (n, 3) scores against (n,) labels
    before = model.state_dict()
    with pytest.raises(ValueError, match="mse metric.*per sample"):
        model.fit(x, y, verbose=0)
    _assert_untouched(model, before)


def test_compile_errors_and_fit_before_compile():
    model = small_regressor()
    x, y = regression_data(10)
    with pytest.raises(RuntimeError, match="before compile"):
        model.fit(x, y, verbose=0)
    with pytest.raises(RuntimeError, match="before compile"):
        model.evaluate(x, y)
    with pytest.raises(ValueError, match="unknown loss 'msqe'"):
        model.compile("adam", "msqe")
    with pytest.raises(ValueError, match="unknown metric 'precision'"):
        model.compile("adam", "mse", metrics=["precision"])
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'.*'adam'"):
        model.compile("adamm", "mse")
    with pytest.raises(ValueError, match="other than this model's"):
        model.compile(optim.SGD(small_regressor().parameters(), lr=0.1), "mse")
    with pytest.raises(ValueError, match="scalar loss"):
        model.compile("sgd", nn.losses.MeanSquaredError(reduction="none"))
    with pytest.raises(TypeError):
        model.compile(optim.SGD(lr=0.1), "mse", lr=0.2)
    compiled = model.compile("momentum", "mse", lr=0.05)
    assert model.optimizer.param_groups[0]["momentum"] == 0.9 and model.optimizer.param_groups[0]["lr"] == 0.05
    assert compiled is model.compiled_


def test_images_through_flatten_and_flat_single_feature_inputs():
    from gdlab import datasets as ds

    d = ds.load_digits(scale=True, return_images=True, dtype=np.float32)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10, seed=0))
    model.compile(optim.SGD(lr=0.5), "cross_entropy", ["accuracy"])
    h = model.fit(d.x[:500], d.y[:500], epochs=3, batch_size=50, verbose=0, seed=0)
    assert h.history["accuracy"][-1] > 0.8
    with pytest.raises(ValueError, match=r"cannot take x of shape \(500, 8, 7\)"):
        model.fit(d.x[:500, :, :7], d.y[:500], verbose=0)
    line = nn.Sequential(nn.Linear(1, 1, bias=False, init="ones", dtype="float64"))
    line.compile(optim.SGD(lr=0.01), "mse")
    line.fit([1.0, 2.0, 3.0], [2.0, 4.0, 6.0], epochs=100, verbose=0)  # x as a flat list: one feature
    assert line.predict([4.0])[0, 0] == pytest.approx(7.9997778, abs=1e-7)
