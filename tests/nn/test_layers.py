"""Module, Linear, activations, Sequential, mlp, initialisers."""

import math

import numpy as np
import pytest
from tests.nn.conftest import module_gradcheck

import gdlab
from gdlab import nn
from gdlab.autodiff import Tensor


def test_linear_shapes_dtype_and_layout():
    layer = nn.Linear(3, 5, seed=0)
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (5,)  # (in, out): PyTorch's transposed
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    x = np.random.default_rng(1).normal(size=(4, 3))  # float64 in, float32 out (converted to the layer's dtype)
    out = layer(x)
    assert out.dtype == np.float32 and out.shape == (4, 5)
    np.testing.assert_allclose(out.data, x.astype(np.float32) @ layer.weight.data + layer.bias.data, rtol=1e-6)
    assert np.all(layer.bias.data == 0)
    assert nn.Linear(3, 5, dtype="float64", seed=0).weight.dtype == np.float64
    assert nn.Linear(3, 5, bias=False).bias is None


def test_linear_seeding():
    a, b, c = nn.Linear(4, 4, seed=7), nn.Linear(4, 4, seed=7), nn.Linear(4, 4, seed=8)
    assert np.array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.weight.data, c.weight.data)
    rng = np.random.default_rng(0)
    d, e = nn.Linear(4, 4, seed=rng), nn.Linear(4, 4, seed=rng)  # one shared stream: different layers
    assert not np.array_equal(d.weight.data, e.weight.data)


@pytest.mark.parametrize("bad", [dict(in_features=0, out_features=2), dict(in_features=2, out_features=2.5),
                                 dict(in_features=2, out_features=2, dtype="int32"),
                                 dict(in_features=2, out_features=2, init="nope")])
def test_linear_bad_arguments(bad):
    with pytest.raises((ValueError, TypeError)):
        nn.Linear(**bad)


LAYERS = [
    lambda: nn.Linear(3, 4, dtype="float64", seed=0),
    lambda: nn.Linear(3, 4, bias=False, dtype="float64", seed=0),
    nn.Sigmoid, nn.Tanh, nn.ReLU, lambda: nn.LeakyReLU(0.1), nn.Softplus, lambda: nn.Softplus(beta=2.0, threshold=3.0),
    nn.Softmax, nn.Identity, nn.Flatten,
    lambda: nn.Sequential(nn.Linear(3, 6, dtype="float64", seed=0), nn.Tanh(),
                          nn.Linear(6, 2, dtype="float64", seed=1)),
    lambda: nn.mlp([3, 5, 4, 2], activation="tanh", output_activation="softmax", dtype="float64", seed=0),
]


@pytest.mark.parametrize("make", LAYERS)
def test_every_layer_gradchecks(make, rng):
    layer = make()
    x = rng.normal(size=(5, 3)) * 2
    x[0, 0] = 0.3  # keep away from ReLU's kink at 0 is not needed: no exact zeros
    assert module_gradcheck(layer, x)


def test_activations_values():
    z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(nn.Sigmoid()(z).data, 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(nn.Tanh()(z).data, np.tanh(z))
    np.testing.assert_allclose(nn.ReLU()(z).data, [[0, 0, 3]])
    np.testing.assert_allclose(nn.LeakyReLU()(z).data, [[-0.02, 0, 3]])
    np.testing.assert_allclose(nn.Softplus()(z).data, np.log1p(np.exp(z)))
    np.testing.assert_allclose(nn.Softmax()(z).data, np.exp(z) / np.exp(z).sum())
    np.testing.assert_allclose(nn.Identity()(z), z)
    assert nn.Flatten()(np.zeros((2, 8, 8))).shape == (2, 64)
    assert nn.ReLU()(np.float32([1.0])).dtype == np.float32


def test_module_registration_and_parameters():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(2, 3, seed=0)
            self.scale = Tensor(np.ones(3, np.float32), requires_grad=True)
            self.constant = Tensor(np.ones(3))  # no grad: not a parameter
            self.out = nn.Linear(3, 1, seed=1)

        def forward(self, x):
            return self.out(gdlab.relu(self.hidden(x)) * self.scale)

    m = Two()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert len(m.parameters()) == 5 and m.count_params() == 3 + 6 + 3 + 3 + 1
    m(np.ones((4, 2))).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    sd = m.state_dict()
    m.hidden.weight.data[...] = 0
    m.load_state_dict(sd)
    assert np.array_equal(m.hidden.weight.data, sd["hidden.weight"])
    with pytest.raises(ValueError, match="missing"):
        m.load_state_dict({"scale": np.ones(3)})
    with pytest.raises(ValueError, match="shape"):
        m.load_state_dict({**sd, "scale": np.ones(4)})
    assert m.eval().training is False and m.hidden.training is False
    assert m.train().hidden.training is True
    assert "Two(" in repr(m) and "(hidden): Linear(in_features=2" in repr(m)


def test_module_without_super_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)

    with pytest.raises(RuntimeError, match="super"):
        Broken()


def test_sequential_api():
    s = nn.Sequential([nn.Linear(2, 3, seed=0), nn.ReLU()])
    s.add(nn.Linear(3, 1, seed=1))
    assert len(s) == 3 and isinstance(s[0], nn.Linear) and isinstance(s[-1], nn.Linear)
    assert [n for n, _ in s.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert isinstance(s[:2], nn.Sequential) and len(s[:2]) == 2
    assert s.input_features == 2 and s.output_features(2) == 1
    with pytest.raises(TypeError):
        nn.Sequential(nn.Linear(2, 2), "relu")


def test_sequential_fuses_linear_relu_with_the_same_numbers(rng):
    class MyReLU(nn.ReLU):  # a subclass is never fused
        pass

    fused = nn.mlp([5, 7, 6, 3], seed=0)
    plain = nn.Sequential(*[MyReLU() if isinstance(layer, nn.ReLU) else layer for layer in fused])
    assert len(fused.steps()) == 3 and len(plain.steps()) == 5
    x = rng.normal(size=(4, 5)).astype(np.float32)
    out_f = fused(x)
    out_f.sum().backward()
    grads_f = [p.grad.copy() for p in fused.parameters()]
    fused.zero_grad()
    out_p = plain(x)
    out_p.sum().backward()
    np.testing.assert_array_equal(out_f.data, out_p.data)
    for a, p in zip(grads_f, plain.parameters()):
        np.testing.assert_array_equal(a, p.grad)
    fused.add(nn.Linear(3, 2))  # the cached plan follows changes
    assert fused(x).shape == (4, 2)


def test_mlp():
    m = nn.mlp([784, 256, 256, 10], seed=0)
    kinds = [type(layer).__name__ for layer in m]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert m.count_params() == 784 * 256 + 256 + 256 * 256 + 256 + 2570
    bound = math.sqrt(6 / 784)  # he_uniform for ReLU
    assert np.abs(m[0].weight.data).max() <= bound
    assert np.array_equal(nn.mlp([3, 4, 2], seed=5)[2].weight.data, nn.mlp([3, 4, 2], seed=5)[2].weight.data)
    assert isinstance(nn.mlp([3, 2], output_activation="softmax")[-1], nn.Softmax)
    with pytest.raises(ValueError, match="activation"):
        nn.mlp([3, 4, 2], activation="swish")
    with pytest.raises(ValueError):
        nn.mlp([3])


@pytest.mark.parametrize("name,check", [
    ("zeros", lambda w: np.all(w == 0)),
    ("ones", lambda w: np.all(w == 1)),
    ("normal", lambda w: abs(w.std() - 0.05) < 0.005),
    ("uniform", lambda w: w.min() >= -0.05 and w.max() <= 0.05),
    ("glorot_uniform", lambda w: np.abs(w).max() <= math.sqrt(6 / 500) and abs(w.std() - math.sqrt(2 / 500)) < 0.003),
    ("xavier_normal", lambda w: abs(w.std() - math.sqrt(2 / 500)) < 0.003),
    ("he_uniform", lambda w: np.abs(w).max() <= math.sqrt(6 / 200) and abs(w.std() - math.sqrt(2 / 200)) < 0.005),
    ("kaiming_normal", lambda w: abs(w.std() - math.sqrt(2 / 200)) < 0.005),
])
def test_initialisers(name, check):
    w = nn.init.get(name)((200, 300), 0, np.float32)
    assert w.dtype == np.float32 and w.shape == (200, 300)
    assert check(w)
    assert np.array_equal(w, nn.init.get(name)((200, 300), 0, np.float32))  # seeded


def test_initialiser_specs():
    assert nn.init.get({"name": "normal", "std": 0.1}).std == 0.1
    assert nn.init.get("constant", value=2.5)((2,), 0)[0] == 2.5
    assert nn.init.get("xavier_uniform") == nn.init.get("glorot_uniform")
    assert nn.init.glorot_uniform((3, 3), 0).shape == (3, 3)
    with pytest.raises(ValueError, match="unknown initialiser"):
        nn.init.get("lecun")
    with pytest.raises(ValueError):
        nn.init.get("normal", std=-1)
    layer = nn.Linear(2, 2, init={"name": "constant", "value": 0.5}, bias_init="ones")
    assert np.all(layer.weight.data == 0.5) and np.all(layer.bias.data == 1)
