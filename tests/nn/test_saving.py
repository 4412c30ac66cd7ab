"""save / load_model: round trips, resumed training identical to uninterrupted training, clear errors."""

import json
import zipfile

import numpy as np
import pytest

import gdlab
from gdlab import nn, optim


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5))
    y = (x[:, 0] - x[:, 2] > 0).astype(int) + (x[:, 1] > 0.7).astype(int)
    return x, y


def make(seed=0):
    return nn.Sequential(nn.Linear(5, 12, seed=seed, init="he_normal"), nn.LeakyReLU(0.05),
                         nn.Linear(12, 8, seed=seed + 1), nn.Tanh(), nn.Linear(8, 3, seed=seed + 2), nn.Softmax())


@pytest.mark.parametrize("optimizer", [optim.Adam(lr=0.01), optim.SGD(lr=0.1, momentum=0.9, nesterov=True),
                                       optim.RMSprop(lr=0.01), optim.Adagrad(lr=0.1)],
                         ids=["adam", "nesterov", "rmsprop", "adagrad"])
def test_resume_from_checkpoint_is_exact(tmp_path, optimizer):
    x, y = data()
    straight = make()
    straight.compile(type(optimizer)(**_kwargs(optimizer)), "sparse_categorical_crossentropy", ["accuracy"])
    h_straight = straight.fit(x, y, epochs=10, batch_size=10, validation_split=0.25, verbose=0, seed=42)

    first = make()
    first.compile(optimizer, "sparse_categorical_crossentropy", ["accuracy"])
    h1 = first.fit(x, y, epochs=5, batch_size=10, validation_split=0.25, verbose=0, seed=42)
    first.save(tmp_path / "ckpt.npz")
    resumed = nn.load_model(tmp_path / "ckpt.npz")
    h2 = resumed.fit(x, y, epochs=5, batch_size=10, validation_split=0.25, verbose=0)  # seed kept in the file

    for a, b in zip(straight.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    assert h1.step_losses + h2.step_losses == h_straight.step_losses
    assert h2.epochs == [5, 6, 7, 8, 9]
    assert h1.history["val_loss"] + h2.history["val_loss"] == h_straight.history["val_loss"]


def _kwargs(opt):
    import inspect

    accepted = inspect.signature(type(opt).__init__).parameters
    return {k: v for k, v in opt.defaults.items() if k in accepted}


def test_round_trip_contents(tmp_path):
    x, y = data()
    model = make()
    model.compile(optim.Adam(lr=0.02, betas=(0.8, 0.99)), "sparse_categorical_crossentropy",
                  ["acc", "sparse_categorical_accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, seed=1)
    path = tmp_path / "model.npz"
    model.save(path)
    with np.load(path, allow_pickle=False) as npz:  # a plain npz, no pickle
        header = json.loads(npz["__gdlab__"].tobytes())
        assert npz["param/0.weight"].dtype == np.float32
    assert header["architecture"]["class"] == "Sequential"
    assert [l["class"] for l in header["architecture"]["config"]["layers"]] == [
        "Linear", "LeakyReLU", "Linear", "Tanh", "Linear", "Softmax"]
    loaded = nn.load_model(path)
    assert repr(loaded) == repr(model)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert type(loaded.optimizer) is optim.Adam and loaded.optimizer.param_groups[0]["betas"] == (0.8, 0.99)
    assert [k for k, _ in loaded.compiled_.metrics] == ["acc", "sparse_categorical_accuracy"]
    assert loaded.compiled_.fused
    assert loaded.evaluate(x, y) == model.evaluate(x, y)
    uncompiled = nn.load_model(path, compile=False)
    assert getattr(uncompiled, "compiled_", None) is None


def test_uncompiled_and_float64_models(tmp_path):
    model = nn.mlp([3, 4, 2], activation="sigmoid", dtype="float64", seed=0)
    model.save(tmp_path / "m.npz")
    loaded = nn.load_model(tmp_path / "m.npz")
    assert loaded.dtype == np.float64 and getattr(loaded, "compiled_", None) is None
    np.testing.assert_array_equal(loaded[0].weight.data, model[0].weight.data)


def test_custom_modules(tmp_path):
    class Free(nn.Model):  # saved as a whole: a model (layers do not save themselves)
        def __init__(self):
            super().__init__()
            self.w = gdlab.Tensor(np.ones(3), requires_grad=True)

        def forward(self, x):
            return x * self.w

    m = Free()
    with pytest.raises(ValueError, match="not registered"):
        m.save(tmp_path / "free.npz")
    m.save_weights(tmp_path / "free.npz")  # weights always work
    m.w.data[...] = 0
    m.load_weights(tmp_path / "free.npz")
    assert np.all(m.w.data == 1)
    with pytest.raises(ValueError, match="weights only"):
        nn.load_model(tmp_path / "free.npz")

    @nn.register_module
    class Scale(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.n = n
            self.w = gdlab.Tensor(np.ones(n, np.float32), requires_grad=True)

        def forward(self, x):
            return x * self.w

        def get_config(self):
            return {"n": self.n}

    s = nn.Sequential(nn.Linear(2, 3, seed=0), Scale(3))
    s[1].w.data[...] = 2
    s.save(tmp_path / "scale.npz")
    assert np.all(nn.load_model(tmp_path / "scale.npz")[1].w.data == 2)


def test_custom_loss_needs_custom_objects(tmp_path):
    def my_loss(p, t):
        return ((p - t) * (p - t)).sum()

    model = nn.Sequential(nn.Linear(2, 1, seed=0))
    model.compile("sgd", my_loss, lr=0.01)
    model.save(tmp_path / "c.npz")
    with pytest.raises(ValueError, match="custom_objects"):
        nn.load_model(tmp_path / "c.npz")
    loaded = nn.load_model(tmp_path / "c.npz", custom_objects={"my_loss": my_loss})
    assert loaded.loss.fn is my_loss


def _saved(tmp_path):
    model = make()
    model.compile("adam", "sparse_categorical_crossentropy")
    x, y = data()
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    path = tmp_path / "good.npz"
    model.save(path)
    return path


def test_corrupt_and_incompatible_files(tmp_path):
    good = _saved(tmp_path)
    missing = tmp_path / "nothing.npz"
    with pytest.raises(FileNotFoundError, match="nothing.npz"):
        nn.load_model(missing)

    text = tmp_path / "text.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match="text.npz is not a gdlab model file: not a .npz"):
        nn.load_model(text)

    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:300])
    with pytest.raises(ValueError, match="truncated.npz is corrupt or truncated"):
        nn.load_model(truncated)

    plain = tmp_path / "plain.npz"
    np.savez(plain, a=np.ones(3))
    with pytest.raises(ValueError, match="plain.npz is not a gdlab model file: it has no '__gdlab__'"):
        nn.load_model(plain)

    def rewrite(name, edit_header=None, edit_arrays=None):
        with np.load(good, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        header = json.loads(arrays.pop("__gdlab__").tobytes())
        if edit_header:
            edit_header(header)
        if edit_arrays:
            edit_arrays(arrays)
        arrays["__gdlab__"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
        path = tmp_path / name
        np.savez(path, **arrays)
        return path

    future = rewrite("future.npz", lambda h: h.update(version=99))
    with pytest.raises(ValueError, match="future.npz has format version 99"):
        nn.load_model(future)
    unknown = rewrite("unknown.npz", lambda h: h["architecture"]["config"]["layers"][1].update({"class": "Swish"}))
    with pytest.raises(ValueError, match="unknown.npz: cannot rebuild the architecture: unknown module class 'Swish'"):
        nn.load_model(unknown)
    shape = rewrite("shape.npz", edit_arrays=lambda a: a.update({"param/0.weight": np.ones((4, 12), np.float32)}))
    with pytest.raises(ValueError, match=r"shape.npz: parameter '0.weight' has shape \(4, 12\)"):
        nn.load_model(shape)
    gone = rewrite("gone.npz", edit_arrays=lambda a: a.pop("param/2.bias"))
    with pytest.raises(ValueError, match="gone.npz is incomplete: no array for parameter '2.bias'"):
        nn.load_model(gone)
    broken = rewrite("broken.npz", lambda h: h.pop("optimizer_state"))
    with pytest.raises(ValueError, match="broken.npz"):
        nn.load_model(broken)

    garbled = tmp_path / "garbled.npz"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(garbled, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            zout.writestr(item, b"{not json" if item.filename == "__gdlab__.npy" else body)
    with pytest.raises(ValueError, match="garbled.npz"):
        nn.load_model(garbled)

    # a model of another shape refuses the weights
    other = nn.mlp([5, 7, 3], seed=0)
    with pytest.raises(ValueError, match="do not match"):
        other.load_weights(good)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = _saved(tmp_path)
    before = path.read_bytes()
    model = make()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["good.npz"]


# ---------------------------------------------------------------------------- files of the first format

def _contents(path):
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return json.loads(arrays.pop("__gdlab__").tobytes()), arrays


def test_files_of_the_first_format_load_and_are_written_the_same_way(tmp_path):
    """format1_*.npz were written by the code before nn was split into Model/Trainer/config/saving
    (see tests/nn/make_format_fixtures.py): they load, training goes on with the numbers of one
    uninterrupted run, and today's code writes the same records and arrays for the same recipe."""
    from tests.nn import make_format_fixtures as fx

    x, y = fx.recipe_data()
    straight = fx.recipe_model()
    h_straight = fx.recipe_fit(straight, epochs=fx.EPOCHS + 2)

    old = nn.load_model(fx.MODEL)
    assert old.fit_state_["epoch"] == fx.EPOCHS
    assert old.optimizer.state_dict()["steps"] == fx.EPOCHS * 4  # derived: format 1 has no "steps"
    assert [k for k, _ in old.compiled_.metrics] == ["acc", "sparse_categorical_accuracy"]
    h_more = fx.recipe_fit(old, epochs=2)
    assert h_more.epochs == [fx.EPOCHS, fx.EPOCHS + 1]
    assert h_more.step_losses == h_straight.step_losses[-len(h_more.step_losses):]
    for a, b in zip(straight.parameters(), old.parameters()):
        np.testing.assert_array_equal(a.data, b.data)

    fresh = fx.recipe_model()
    fresh.load_weights(fx.WEIGHTS)
    model = fx.recipe_model()
    fx.recipe_fit(model)
    np.testing.assert_array_equal(fresh.predict(x), model.predict(x))

    for name, written_before in ((tmp_path / "m.npz", fx.MODEL), (tmp_path / "w.npz", fx.WEIGHTS)):
        (model.save if name.stem == "m" else model.save_weights)(name)
        header, arrays = _contents(name)
        header_before, arrays_before = _contents(written_before)
        for h in (header, header_before):  # the noise generator of an optimizer without noise_seed is fresh
            h.get("optimizer_state", {}).pop("noise_rng", None)
        # the one record added since format 1: the optimizer's update count (the transform chain's step),
        # which a format-1 file lacks and which loading derives from its per-parameter "step"
        assert header.get("optimizer_state", {}).pop("steps", fx.EPOCHS * 4) == fx.EPOCHS * 4
        assert header == header_before
        assert arrays.keys() == arrays_before.keys()
        for k, a in arrays.items():
            assert a.dtype == arrays_before[k].dtype
            np.testing.assert_array_equal(a, arrays_before[k])
