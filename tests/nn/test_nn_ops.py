"""The fused primitives of gdlab.autodiff.nn_ops: gradchecked, equal to their compositions, stable."""

import numpy as np
import pytest

import gdlab
from gdlab.autodiff import Tensor
from gdlab.autodiff.check import gradcheck
from gdlab.autodiff.nn_ops import linear, linear_relu, sigmoid_binary_cross_entropy, softmax_cross_entropy

rng = np.random.default_rng(0)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("xshape", [(4, 3), (3,), (2, 4, 3)])
def test_linear_gradcheck(bias, xshape):
    x = rng.normal(size=xshape)
    w = rng.normal(size=(3, 5))
    b = rng.normal(size=5)
    if bias:
        assert gradcheck(lambda x, w, b: linear(x, w, b), x, w, b)
    else:
        assert gradcheck(lambda x, w: linear(x, w), x, w)


def test_linear_equals_matmul_plus_bias_and_accumulates():
    x, w, b = rng.normal(size=(6, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    wt, bt = Tensor(w, requires_grad=True), Tensor(b, requires_grad=True)
    out = linear(x, wt, bt)
    np.testing.assert_allclose(out.data, x @ w + b)
    g = rng.normal(size=(6, 2))
    out.backward(g)
    np.testing.assert_allclose(wt.grad, x.T @ g)
    np.testing.assert_allclose(bt.grad, g.sum(0))
    # a second backward adds (PyTorch's accumulation), also when the weight is used twice
    (linear(x, wt, bt).sum() + (wt * 2).sum()).backward()
    np.testing.assert_allclose(wt.grad, x.T @ g + x.T @ np.ones((6, 2)) + 2)
    np.testing.assert_allclose(bt.grad, g.sum(0) + 6)


def test_linear_non_leaf_weight_and_float32():
    v = Tensor(rng.normal(size=(3, 2)), requires_grad=True)
    x = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    linear(x, v * 3.0).sum().backward()
    np.testing.assert_allclose(v.grad, 3 * x.data.T @ np.ones((4, 2)))
    np.testing.assert_allclose(x.grad, np.ones((4, 2)) @ (3 * v.data).T)
    w32 = Tensor(rng.normal(size=(3, 2)).astype(np.float32), requires_grad=True)
    out = linear(rng.normal(size=(4, 3)).astype(np.float32), w32, Tensor(np.zeros(2, np.float32), requires_grad=True))
    out.sum().backward()
    assert out.dtype == np.float32 and w32.grad.dtype == np.float32


def test_linear_relu_is_relu_of_linear():
    x, w, b = rng.normal(size=(7, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    assert gradcheck(lambda x, w, b: linear_relu(x, w, b), x, w, b)
    np.testing.assert_array_equal(linear_relu(x, w, b).data, gdlab.relu(linear(x, w, b)).data)
    ts = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    us = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    g = rng.normal(size=(7, 4))
    linear_relu(*ts).backward(g)
    gdlab.relu(linear(*us)).backward(g)
    for t, u in zip(ts, us):
        np.testing.assert_array_equal(t.grad, u.grad)


def test_linear_shape_error():
    with pytest.raises(ValueError, match="does not fit a weight"):
        linear(np.ones((2, 4)), np.ones((3, 2)))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_softmax_cross_entropy_sparse(reduction):
    z = rng.normal(size=(5, 4))
    y = np.array([0, 3, 1, 1, 2])
    assert gradcheck(lambda z: softmax_cross_entropy(z, y, reduction=reduction), z)
    ref = -gdlab.log_softmax(Tensor(z)).data[np.arange(5), y]
    got = softmax_cross_entropy(z, y, reduction=reduction).data
    want = {"mean": ref.mean(), "sum": ref.sum(), "none": ref}[reduction]
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_softmax_cross_entropy_dense(reduction):
    z = rng.normal(size=(5, 4))
    t = rng.dirichlet(np.ones(4), size=5)
    assert gradcheck(lambda z: softmax_cross_entropy(z, t, sparse=False, reduction=reduction), z)
    ref = -(t * gdlab.log_softmax(Tensor(z)).data).sum(1)
    want = {"mean": ref.mean(), "sum": ref.sum(), "none": ref}[reduction]
    np.testing.assert_allclose(softmax_cross_entropy(z, t, sparse=False, reduction=reduction).data, want, rtol=1e-12)


def test_softmax_cross_entropy_vjp_is_softmax_minus_onehot():
    z = Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    y = np.array([2, 0, 3])
    softmax_cross_entropy(z, y).backward()
    p = np.exp(z.data) / np.exp(z.data).sum(1, keepdims=True)
    np.testing.assert_allclose(z.grad, (p - np.eye(4)[y]) / 3, rtol=1e-12)


def test_softmax_cross_entropy_stable_for_huge_logits():
    z = Tensor(np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], dtype=np.float32), requires_grad=True)
    loss = softmax_cross_entropy(z, np.array([1, 1]))
    assert np.isfinite(loss.data) and loss.dtype == np.float32
    np.testing.assert_allclose(loss.data, 1e4 / 2, rtol=1e-6)  # sample 0 costs 1e4, sample 1 costs 0
    loss.backward()
    assert np.all(np.isfinite(z.grad))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_sigmoid_bce(reduction):
    z = rng.normal(size=(4, 3)) * 3
    t = rng.uniform(size=(4, 3))
    assert gradcheck(lambda z: sigmoid_binary_cross_entropy(z, t, reduction=reduction), z)
    p = 1 / (1 + np.exp(-z))
    ref = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    want = {"mean": ref.mean(), "sum": ref.sum(), "none": ref}[reduction]
    np.testing.assert_allclose(sigmoid_binary_cross_entropy(z, t, reduction=reduction).data, want, rtol=1e-10)


def test_sigmoid_bce_stable():
    z = Tensor(np.array([-1000.0, 1000.0, 0.0]), requires_grad=True)
    loss = sigmoid_binary_cross_entropy(z, np.array([1.0, 0.0, 1.0]), reduction="sum")
    np.testing.assert_allclose(loss.data, 2000 + np.log(2))
    loss.backward()
    np.testing.assert_allclose(z.grad, [-1.0, 1.0, -0.5])


def test_bad_arguments():
    with pytest.raises(ValueError, match="reduction"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), reduction="avg")
    with pytest.raises(ValueError, match="shape"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="shape"):
        sigmoid_binary_cross_entropy(np.zeros(3), np.zeros(2))
