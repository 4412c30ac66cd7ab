"""Gradient clipping: torch.nn.utils' results (fixtures + live), per-row forms, skipping, dtypes."""

import numpy as np
import pytest

import gdlab.optim as optim
from tests.optim.optim_cases import CLIP_CASES, CLIP_VALUE, CLIPPING, P, clip_grads


@pytest.fixture(scope="module")
def fixture():
    with np.load(CLIPPING) as data:
        return {k: data[k] for k in data.files}


def params_with(grads):
    ps = [P(np.zeros_like(g)) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = g.copy()
    return ps


@pytest.mark.parametrize("k, max_norm, norm_type", [(k, *c) for k, c in enumerate(CLIP_CASES)])
def test_clip_grad_norm_matches_torch_fixture(k, max_norm, norm_type, fixture):
    ps = params_with(clip_grads())
    total = optim.clip_grad_norm_(ps, max_norm, norm_type)
    assert isinstance(total, float)
    np.testing.assert_allclose(total, fixture[f"norm/{k}/total"], rtol=1e-13)
    for i, p in enumerate(ps):
        np.testing.assert_allclose(p.grad, fixture[f"norm/{k}/grad{i}"], rtol=1e-13)


def test_clip_grad_value_matches_torch_fixture(fixture):
    ps = params_with(clip_grads())
    assert optim.clip_grad_value_(ps, CLIP_VALUE) is None
    for i, p in enumerate(ps):
        np.testing.assert_array_equal(p.grad, fixture[f"value/grad{i}"])


@pytest.mark.parametrize("max_norm, norm_type", CLIP_CASES)
def test_clip_grad_norm_matches_torch_live(max_norm, norm_type):
    torch = pytest.importorskip("torch")
    grads = clip_grads(11)
    ts = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for t, g in zip(ts, grads):
        t.grad = torch.from_numpy(g.copy())
    expected = float(torch.nn.utils.clip_grad_norm_(ts, max_norm, norm_type))
    ps = params_with(grads)
    np.testing.assert_allclose(optim.clip_grad_norm_(ps, max_norm, norm_type), expected, rtol=1e-13)
    for p, t in zip(ps, ts):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-13)


def test_none_grads_skipped_single_param_and_empty():
    p, q = P(np.zeros(2)), P(np.zeros(2))
    p.grad = np.array([3.0, 4.0])
    assert optim.clip_grad_norm_([p, q], 1.0) == 5.0
    assert q.grad is None
    np.testing.assert_allclose(p.grad, [0.6, 0.8], rtol=1e-6)
    r = P(np.zeros(1))
    r.grad = np.array([-2.0])
    optim.clip_grad_value_(r, 0.5)
    np.testing.assert_array_equal(r.grad, [-0.5])
    assert optim.clip_grad_norm_([q], 1.0) == 0.0
    with pytest.raises(ValueError, match="norm_type"):
        optim.clip_grad_norm_([p], 1.0, norm_type=0)
    p.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non|inf"):
        optim.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_float32_gradients_stay_float32():
    p = P(np.zeros(3, np.float32))
    p.grad = np.array([3.0, 4.0, 12.0], np.float32)
    g = p.grad
    optim.clip_grad_norm_([p], 1.0)
    assert p.grad is g and g.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(g), 1.0, rtol=1e-5)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_per_row_forms_equal_per_row_clipping(norm_type):
    g = np.random.default_rng(3).standard_normal((6, 4)) * np.arange(1, 7)[:, None]
    max_norm = np.array([0.5, 1.0, 100.0, 2.0, 3.0, 0.1])
    out = np.empty_like(g)
    norms = optim.clip_norm_rows(g, max_norm, norm_type, out=out)
    for i in range(len(g)):
        p = P(np.zeros(4))
        p.grad = g[i].copy()
        total = optim.clip_grad_norm_([p], max_norm[i], norm_type)
        np.testing.assert_allclose(norms[i], total, rtol=1e-14)
        np.testing.assert_allclose(out[i], p.grad, rtol=1e-14)
    inplace = g.copy()
    optim.clip_norm_rows(inplace, 1.0, out=inplace)
    assert np.all(np.linalg.norm(inplace, axis=1) <= 1.0 + 1e-12)
    np.testing.assert_array_equal(optim.clip_value(g, np.full((6, 1), 0.3)), np.clip(g, -0.3, 0.3))
