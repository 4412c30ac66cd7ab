"""Every loss: gradchecked, equal to its formula, by name, with clear errors."""

import numpy as np
import pytest

from gdlab import nn
from gdlab.autodiff import Tensor
from gdlab.autodiff.check import gradcheck
from gdlab.nn import losses

rng = np.random.default_rng(0)
P = rng.uniform(0.05, 0.95, size=(6, 1))
T01 = rng.integers(0, 2, size=(6, 1)).astype(float)
Y = rng.normal(size=(6, 2))
PRED = rng.normal(size=(6, 2))
Z = rng.normal(size=(6, 4)) * 2
LABELS = np.array([0, 3, 1, 2, 2, 0])
ONEHOT = np.eye(4)[LABELS]
PROBS = np.exp(Z) / np.exp(Z).sum(1, keepdims=True)


def softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


CASES = [
    # (name, y_pred, y_true, per-sample formula on arrays, reduce over elements)
    ("mse", PRED, Y, lambda p, t: (p - t) ** 2),
    ("mae", PRED, Y, lambda p, t: np.abs(p - t)),
    ("huber", PRED * 2, Y, lambda p, t: np.where(np.abs(p - t) <= 1, 0.5 * (p - t) ** 2, np.abs(p - t) - 0.5)),
    ("binary_crossentropy", P, T01, lambda p, t: -(t * np.log(p) + (1 - t) * np.log(1 - p))),
    ("binary_crossentropy_from_logits", Z[:, :1], T01,
     lambda z, t: -(t * np.log(1 / (1 + np.exp(-z))) + (1 - t) * np.log(1 - 1 / (1 + np.exp(-z))))),
    ("categorical_crossentropy", PROBS, ONEHOT, lambda p, t: -(t * np.log(p)).sum(1)),
    ("categorical_crossentropy_from_logits", Z, ONEHOT, lambda z, t: -(t * np.log(softmax(z))).sum(1)),
    ("sparse_categorical_crossentropy", PROBS, LABELS, lambda p, t: -np.log(p[np.arange(6), t])),
    ("sparse_categorical_crossentropy_from_logits", Z, LABELS, lambda z, t: -np.log(softmax(z)[np.arange(6), t])),
    ("cross_entropy", Z, LABELS, lambda z, t: -np.log(softmax(z)[np.arange(6), t])),
]


@pytest.mark.parametrize("name,p,t,formula", CASES, ids=[c[0] for c in CASES])
def test_loss_value_and_gradcheck(name, p, t, formula):
    loss = losses.get(name)
    np.testing.assert_allclose(loss(Tensor(p), t).data, formula(p, t).mean(), rtol=1e-10)
    assert gradcheck(lambda q: loss(q, t), p)
    for reduction in ("sum", "none"):
        lr = losses.get(name, reduction=reduction)
        want = formula(p, t).sum() if reduction == "sum" else formula(p, t)
        np.testing.assert_allclose(lr(Tensor(p), t).data, want, rtol=1e-10)
        assert gradcheck(lambda q: lr(q, t), p)


def test_sse_and_half_sse():
    np.testing.assert_allclose(losses.get("sse")(Tensor(PRED), Y).data, ((PRED - Y) ** 2).sum())
    np.testing.assert_allclose(losses.get("half_sse")(Tensor(PRED), Y).data, 0.5 * ((PRED - Y) ** 2).sum())
    np.testing.assert_allclose(losses.sum_squared_error(Tensor(PRED), Y).data, ((PRED - Y) ** 2).sum())
    assert gradcheck(lambda q: losses.get("half_sse")(q, Y), PRED)


def test_functions_and_argument_order():
    # (y_pred, y_true), PyTorch's order
    np.testing.assert_allclose(losses.mse(Tensor(PRED), Y).data, ((PRED - Y) ** 2).mean())
    np.testing.assert_allclose(losses.mae(Tensor(PRED), Y).data, np.abs(PRED - Y).mean())
    np.testing.assert_allclose(losses.huber(Tensor(PRED), Y, delta=0.5).data,
                               losses.Huber(0.5)(Tensor(PRED), Y).data)
    np.testing.assert_allclose(losses.cross_entropy(Tensor(Z), LABELS).data,
                               losses.sparse_categorical_crossentropy(Tensor(Z), LABELS, from_logits=True).data)
    np.testing.assert_allclose(losses.binary_crossentropy(Tensor(P), T01).data,
                               losses.binary_crossentropy(Tensor(np.log(P / (1 - P))), T01, from_logits=True).data)
    np.testing.assert_allclose(losses.categorical_crossentropy(Tensor(PROBS), ONEHOT).data,
                               losses.sparse_categorical_crossentropy(Tensor(PROBS), LABELS).data)


def test_column_targets_and_shape_errors():
    p = Tensor(rng.normal(size=(5, 1)))
    t = rng.normal(size=5)
    np.testing.assert_allclose(losses.mse(p, t).data, ((p.data[:, 0] - t) ** 2).mean())  # (N,) target for (N, 1)
    with pytest.raises(ValueError, match="must match"):
        losses.mse(p, rng.normal(size=4))
    with pytest.raises(ValueError, match="integer labels"):
        losses.sparse_categorical_crossentropy(Tensor(Z), LABELS[:3])
    with pytest.raises(ValueError, match="one-hot"):
        losses.categorical_crossentropy(Tensor(PROBS), LABELS)
    with pytest.raises(TypeError):
        losses.sparse_categorical_crossentropy(Tensor(Z), LABELS.astype(bool))


@pytest.mark.parametrize("name,p,t,formula", CASES, ids=[c[0] for c in CASES])
def test_float32_stays_float32(name, p, t, formula):
    q = Tensor(p.astype(np.float32), requires_grad=True)
    out = losses.get(name)(q, t)  # float64 targets do not upcast
    out.backward()
    assert out.dtype == np.float32 and q.grad.dtype == np.float32
    np.testing.assert_allclose(out.data, formula(p, t).mean(), rtol=1e-5)


def test_float32_cross_entropy_from_logits():
    z = Tensor(Z.astype(np.float32), requires_grad=True)
    out = losses.cross_entropy(z, LABELS)
    out.backward()
    assert out.dtype == np.float32 and z.grad.dtype == np.float32


def test_probabilities_are_clipped():
    p = Tensor(np.array([[0.0], [1.0]]), requires_grad=True)
    out = losses.binary_crossentropy(p, np.array([[1.0], [0.0]]))
    np.testing.assert_allclose(out.data, -np.log(1e-7), rtol=1e-6)


def test_names_and_configs():
    for name in losses.names():
        loss = losses.get(name)
        again = losses.get(loss.get_config())
        assert type(again) is type(loss) and again.get_config() == loss.get_config()
    assert losses.get("huber", delta=2.0).get_config() == {"name": "huber", "delta": 2.0}
    with pytest.raises(ValueError, match="unknown loss 'msee'"):
        losses.get("msee")
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError):
        losses.Huber(delta=0)
    assert isinstance(nn.losses.get("bce"), losses.BinaryCrossentropy)
