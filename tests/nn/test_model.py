"""Model (the Keras-style side), Trainer.train_step, CallbackList, config records; layers stay layers."""

import numpy as np
import pytest

import gdlab
from gdlab import nn, optim
from gdlab.nn import config, training


def data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    return x, x @ np.array([1.0, -2.0, 0.5]) + 0.3


def test_layers_know_parameters_forward_and_state_only():
    for layer in (nn.Linear(2, 1), nn.ReLU(), nn.Flatten(), nn.Module()):
        for name in ("compile", "fit", "evaluate", "predict", "summary", "save", "save_weights", "load_weights",
                     "compiled_", "optimizer", "history", "fit_state_"):
            assert not hasattr(layer, name), f"{type(layer).__name__}.{name}"
    assert isinstance(nn.Sequential(nn.Linear(2, 1)), nn.Model) and isinstance(nn.mlp([2, 3, 1]), nn.Model)
    assert isinstance(nn.Sequential(nn.Linear(2, 3), nn.ReLU())[:1], nn.Model)


class TwoLayer(nn.Model):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 6, seed=0, dtype="float64")
        self.out = nn.Linear(6, 1, seed=1, dtype="float64")

    def forward(self, x):
        return self.out(gdlab.tanh(self.hidden(x)))


def test_a_subclassed_model_trains_like_the_same_sequential():
    x, y = data()
    sub = TwoLayer()
    seq = nn.Sequential(nn.Linear(3, 6, seed=0, dtype="float64"), nn.Tanh(), nn.Linear(6, 1, seed=1, dtype="float64"))
    assert sub.compiled_ is None and sub.history is None and sub.fit_state_ is None
    for m in (sub, seq):
        m.compile(optim.Adam(lr=0.05), "mse", metrics=["mae"])
    h_sub = sub.fit(x, y, epochs=4, batch_size=5, validation_split=0.25, verbose=0, seed=3)
    h_seq = seq.fit(x, y, epochs=4, batch_size=5, validation_split=0.25, verbose=0, seed=3)
    assert h_sub.history == h_seq.history and h_sub.step_losses == h_seq.step_losses
    assert sub.history is h_sub and sub.fit_state_ == {"epoch": 4, "seed": 3}
    np.testing.assert_array_equal(sub.predict(x), seq.predict(x))
    assert sub.evaluate(x, y) == seq.evaluate(x, y)
    text = sub.summary(print_fn=None)
    assert 'Model: "TwoLayer"' in text and "hidden (Linear)" in text and "Total params: 31 (float64)" in text


def test_train_step_is_one_pytorch_style_update():
    x, y = data()
    model = nn.Sequential(nn.Linear(3, 4, seed=0, dtype="float64"), nn.ReLU(), nn.Linear(4, 1, seed=1, dtype="float64"))
    twin = nn.Sequential(nn.Linear(3, 4, seed=0, dtype="float64"), nn.ReLU(), nn.Linear(4, 1, seed=1, dtype="float64"))
    model.compile(optim.SGD(lr=0.1, momentum=0.9), "mse")
    trainer = nn.Trainer(model)
    opt = optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        loss, out = trainer.train_step(x, y.reshape(-1, 1))
        opt.zero_grad()
        ref = nn.losses.mse(twin(x), y.reshape(-1, 1))
        ref.backward()
        opt.step()
        assert loss == float(ref.data) and out.shape == (24, 1)
    for a, b in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_callback_list_calls_only_the_hooks_a_callback_overrides_in_order():
    calls = []

    class A(nn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            calls.append(("A", epoch, dict(logs)))

    class B(nn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            calls.append(("B", epoch, dict(logs)))

        def on_batch_end(self, batch, logs=None):
            calls.append(("B batch", batch))

    model = nn.mlp([2, 1])
    cbs = nn.CallbackList([A(), B(), nn.LambdaCallback(on_train_begin=lambda logs: calls.append("begin"))],
                          model, {"epochs": 1})
    assert [cb.model for cb in cbs] == [model] * 3 and all(cb.params == {"epochs": 1} for cb in cbs)
    assert cbs.wants("on_batch_end") and cbs.wants("on_train_begin")
    assert not cbs.wants("on_batch_begin") and not cbs.wants("on_train_end")
    cbs.on_train_begin({})
    cbs.on_batch_end(0, {"loss": 1.0})
    cbs.on_epoch_end(2, {"loss": 0.5})
    cbs.on_train_end({})
    assert calls == ["begin", ("B batch", 0), ("A", 2, {"loss": 0.5}), ("B", 2, {"loss": 0.5})]


def test_config_records_round_trip():
    @nn.register_module
    class Doubler(nn.Module):  # a layer of one's own: get_config, no from_config
        def __init__(self, factor=2.0):
            super().__init__()
            self.factor = factor

        def forward(self, x):
            return x * self.factor

        def get_config(self):
            return {"factor": self.factor}

    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Sequential(nn.LeakyReLU(0.2), Doubler(3.0)), nn.Linear(4, 2))
    record = config.layer_config(model)
    assert record["config"]["layers"][1] == {"class": "Sequential", "config": {"layers": [
        {"class": "LeakyReLU", "config": {"negative_slope": 0.2}}, {"class": "Doubler", "config": {"factor": 3.0}}]}}
    again = config.layer_from_config(record)
    assert repr(again) == repr(model) and again[1][1].factor == 3.0
    with pytest.raises(ValueError, match="unknown module class 'Nope'"):
        config.layer_from_config({"class": "Nope", "config": {}})

    model.compile(optim.RMSprop(lr=0.01, alpha=0.9, centered=True), "huber", metrics=["mae", "r2"])
    record = config.compile_config(model.compiled_)
    assert record["optimizer"]["class"] == "RMSprop" and record["loss"]["name"] == "huber"
    opt, loss, metrics = config.compile_from_config(record)
    twin = config.layer_from_config(config.layer_config(model))
    twin.compile(opt, loss, metrics)
    assert config.compile_config(twin.compiled_) == record and opt.defaults == model.optimizer.defaults
    with pytest.raises(ValueError, match="unknown optimizer class 'Adamm'"):
        config.compile_from_config({**record, "optimizer": {**record["optimizer"], "class": "Adamm"}})


def test_the_functions_of_training_call_the_model():
    x, y = data()
    model = nn.Sequential(nn.Linear(3, 1, seed=0))
    compiled = training.compile(model, "sgd", "mse", lr=0.05)
    assert compiled is model.compiled_
    h = training.fit(model, x, y, epochs=2, verbose=0)
    assert h is model.history and training.evaluate(model, x, y) == model.evaluate(x, y)
    np.testing.assert_array_equal(training.predict(model, x), model.predict(x))
    assert training.summary(model, print_fn=None) == model.summary(print_fn=None)
    with pytest.raises(TypeError, match="fit needs a gdlab.nn.Model.*got Linear"):
        training.fit(nn.Linear(3, 1), x, y)
