"""gdlab.nn.regularizers: L1/L2 penalties on the kernels, through compile, fit, evaluate, save and load."""

import numpy as np
import pytest

from gdlab import nn, optim
from gdlab.autodiff import Tensor
from gdlab.nn import regularizers as R


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype(np.float32)
    y = (x[:, :1] * x[:, 1:] > 0).astype(np.float32)
    return x, y


def kernels(model):
    return [layer.weight for layer in model.layers if isinstance(layer, nn.Linear)]


def test_values_and_gradients_are_the_formulas():
    w = np.array([[1.5, -2.0], [0.0, 0.25]], dtype=np.float32)
    v = np.array([-3.0, 0.0, 4.0], dtype=np.float32)
    for reg, value, grad in [(R.L1(0.1), 0.1 * (3.75 + 7.0), lambda a: 0.1 * np.sign(a)),
                             (R.L2(0.1), 0.05 * (6.3125 + 25.0), lambda a: 0.1 * a)]:
        ts = [Tensor(w, requires_grad=True), Tensor(v, requires_grad=True)]
        out = reg(ts)
        out.backward()
        assert out.data.dtype == np.float32  # float32 stays float32
        assert float(out.data) == pytest.approx(value, rel=1e-6)
        assert reg.value([w, v]) == pytest.approx(value, rel=1e-6)
        for t, a in zip(ts, (w, v)):
            np.testing.assert_allclose(t.grad, grad(a), rtol=1e-6)
    # the L1 subgradient at 0 is 0, as torch.abs's backward
    t = Tensor(np.zeros(3, dtype=np.float32), requires_grad=True)
    R.L1(1.0)([t]).backward()
    np.testing.assert_array_equal(t.grad, 0.0)


@pytest.mark.parametrize("optimizer, batch_size", [("adam", None), ("momentum", 8)])
def test_fit_with_l1_is_the_hand_written_loop_that_adds_the_penalty(optimizer, batch_size):
    x, y = data()
    rate, lr, epochs, seed = 0.02, 0.05, 6, 3
    model = nn.mlp([2, 5, 1], activation="tanh", seed=0)
    model.compile(optimizer, "binary_crossentropy_from_logits", regularizer=R.L1(rate), lr=lr)
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, seed=seed, verbose=0)

    hand = nn.mlp([2, 5, 1], activation="tanh", seed=0)
    opt = optim.get(optimizer, lr=lr)
    opt.bind(hand.parameters())
    bce = nn.losses.get("binary_crossentropy_from_logits")
    w1, w2 = kernels(hand)
    losses, n = [], len(x)
    bs = n if batch_size is None else batch_size
    for e in range(epochs):
        order = np.arange(n) if batch_size is None else np.random.default_rng([seed, e]).permutation(n)
        for lo in range(0, n, bs):
            idx = order[lo:lo + bs]
            opt.zero_grad()
            loss = bce(hand(x[idx]), y[idx]) + (w1.abs().sum() + w2.abs().sum()) * rate
            loss.backward()
            opt.step()
            losses.append(float(loss.data))
    np.testing.assert_allclose(history.step_losses, losses, rtol=1e-5)
    for (name, a), (_, b) in zip(model.named_parameters(), hand.named_parameters()):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-5, atol=1e-7, err_msg=name)


def test_l2_with_sgd_is_sgd_weight_decay_on_the_kernels():
    x, y = data()
    def net():
        return nn.Sequential(nn.Linear(2, 4, bias=False, seed=1), nn.Tanh(), nn.Linear(4, 1, bias=False, seed=2))
    a, b = net(), net()
    a.compile("sgd", "mse", regularizer=R.L2(0.3), lr=0.1)
    b.compile("sgd", "mse", lr=0.1, weight_decay=0.3)
    a.fit(x, y, epochs=5, verbose=0)
    b.fit(x, y, epochs=5, verbose=0)
    for (name, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-6, atol=1e-8, err_msg=name)
        assert not np.allclose(p.data, net().state_dict()[name])  # they did move


def test_biases_are_not_penalised():
    x, y = data()
    plain, l1 = nn.mlp([2, 3, 1], seed=0), nn.mlp([2, 3, 1], seed=0)
    plain.compile("sgd", "mse", lr=0.1)
    l1.compile("sgd", "mse", regularizer=R.L1(0.5), lr=0.1)
    start = plain.state_dict()
    plain.fit(x, y, epochs=1, verbose=0)
    l1.fit(x, y, epochs=1, verbose=0)
    p, q = plain.state_dict(), l1.state_dict()
    for name in p:
        if name.endswith("bias"):
            np.testing.assert_array_equal(p[name], q[name])
        else:  # one full-batch SGD step: the kernel moves a further lr * rate * sign(w)
            np.testing.assert_allclose(q[name], p[name] - 0.1 * 0.5 * np.sign(start[name]), atol=1e-6)


def test_evaluate_and_val_loss_are_the_data_loss_plus_the_penalty():
    x, y = data()
    model = nn.mlp([2, 4, 1], seed=0)
    model.compile("adam", "mse", metrics=["mae"], regularizer=R.L2(0.05), lr=0.01)
    h = model.fit(x, y, epochs=2, validation_data=(x, y), verbose=0, seed=0)
    out = model.predict(x).astype(np.float64)
    penalty = 0.025 * sum(float((w.data.astype(np.float64) ** 2).sum()) for w in kernels(model))
    got = model.evaluate(x, y)
    assert got["loss"] == pytest.approx(float(((out - y) ** 2).mean()) + penalty, rel=1e-5)
    assert got["mae"] == pytest.approx(float(np.abs(out - y).mean()), rel=1e-5)  # metrics: the data's only
    assert h.history["val_loss"][-1] == pytest.approx(got["loss"], rel=1e-6)


def test_save_and_load_keep_the_regularizer_and_continue_identically(tmp_path):
    x, y = data()
    def make():
        m = nn.mlp([2, 4, 1], seed=0)
        m.compile("adam", "mse", regularizer={"name": "l1", "rate": 0.01}, lr=0.02)
        return m
    straight = make()
    straight.fit(x, y, epochs=6, batch_size=8, seed=1, verbose=0)
    half = make()
    half.fit(x, y, epochs=3, batch_size=8, seed=1, verbose=0)
    half.save(tmp_path / "m.npz")
    loaded = nn.load_model(tmp_path / "m.npz")
    assert loaded.compiled_.regularizer == R.L1(0.01)
    loaded.fit(x, y, epochs=3, batch_size=8, verbose=0)
    for (name, p), (_, q) in zip(straight.named_parameters(), loaded.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    plain = nn.mlp([2, 4, 1], seed=0)
    plain.compile("adam", "mse")
    plain.save(tmp_path / "p.npz")
    assert nn.load_model(tmp_path / "p.npz").compiled_.regularizer is None


@pytest.mark.parametrize("spec, message", [
    ("l3", "unknown regularizer 'l3'"), ({"name": "l1", "rate": -1}, "got -1"),
    ({"name": "l2", "rate": float("nan")}, "finite number >= 0"), ({"name": "l1", "scale": 2}, "'scale'"),
    (0.1, "got 0.1"), ({"name": "l1", "rate": True}, "got True")])
def test_bad_specs_name_the_value(spec, message):
    with pytest.raises(ValueError, match=message):
        R.get(spec)
    with pytest.raises(ValueError, match=message):
        nn.mlp([2, 1]).compile("sgd", "mse", regularizer=spec)


def test_a_regularizer_needs_linear_kernels():
    class NoLinear(nn.Model):
        def __init__(self):
            super().__init__()
            self.w = Tensor(np.ones((2, 1), dtype=np.float32), requires_grad=True)

        def forward(self, x):
            return x @ self.w

    with pytest.raises(ValueError, match="Linear layers"):
        NoLinear().compile("sgd", "mse", regularizer="l1")
    assert R.get("L2") == R.L2(1e-3) and R.get(None) is None


# -- against PyTorch: loss + the penalty written out in torch, trained by torch.optim (stored; live where torch is)

def gdlab_fit(name, seed=0):
    from tests.nn.make_regularizer_fixtures import CASES, STEPS, case_data

    kind, rate, opt_name, kwargs = CASES[name]
    x, y, weights = case_data(seed)
    model = nn.Sequential(nn.Linear(3, 4, dtype="float64"), nn.Tanh(), nn.Linear(4, 1, dtype="float64"))
    for p, w in zip(model.parameters(), weights):
        p.data[...] = w
    model.compile(getattr(optim, opt_name)(**kwargs), "mse", regularizer=R.get(kind, rate))
    history = model.fit(x, y, epochs=STEPS, verbose=0)
    return np.array(history.step_losses), [p.data for p in model.parameters()]


def _cases():
    from tests.nn.make_regularizer_fixtures import CASES

    return list(CASES)


@pytest.mark.parametrize("name", _cases())
def test_matches_the_stored_torch_reference(name):
    from tests.nn.make_regularizer_fixtures import FIXTURE

    stored = np.load(FIXTURE)
    losses, params = gdlab_fit(name)
    np.testing.assert_allclose(losses, stored[f"{name}/losses"], rtol=1e-12)
    for i, p in enumerate(params):
        np.testing.assert_allclose(p, stored[f"{name}/param{i}"], rtol=1e-10, atol=1e-12, err_msg=f"param{i}")


@pytest.mark.parametrize("name", _cases())
def test_matches_torch_live(name):
    pytest.importorskip("torch", reason="live comparison only where PyTorch is installed (the stored one runs)")
    from tests.nn.make_regularizer_fixtures import torch_reference

    want_losses, want_params = torch_reference(name, seed=1)  # fresh data and weights
    losses, params = gdlab_fit(name, seed=1)
    np.testing.assert_allclose(losses, want_losses, rtol=1e-12)
    for p, q in zip(params, want_params):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)
