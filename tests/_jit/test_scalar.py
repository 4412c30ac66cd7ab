"""gdlab._jit.scalar: each scalar source equals the autodiff op it stands for, on random values, NaN, ±inf, -0.0."""

import numpy as np
import pytest

from gdlab._jit import scalar
from gdlab._jit.load import load
from gdlab._jit.source import MAX_MIN
from gdlab.autodiff import nn_ops, ops

pytest.importorskip("numba")

_WRAP = '''
@njit(cache=True)
def act_rows(code, H, p):
    for u in range(H.shape[0]):
        _activate(code, H[u], H.shape[1], p)


@njit(cache=True)
def act_axpy(code, a, x, r, p):
    h = np.empty_like(x)
    _activate_axpy(code, h, a, x, r, x.shape[0], p)
    return h


@njit(cache=True)
def per_element(code, Z, T, p):
    out = np.empty(Z.shape[1])
    for s in range(Z.shape[1]):
        out[s] = _bce_logits(Z[0, s], T[0, s], p) if code == 1 else _mse(Z[0, s], T[0, s], p)
    return out


@njit(cache=True)
def block(code, Z, labels, T, p, fast):
    nb = Z.shape[1]
    m = np.empty(nb, Z.dtype)
    e = np.empty(nb, Z.dtype)
    x = np.empty(nb, Z.dtype)
    k = np.empty(nb, np.int32)
    return _loss_block(code, Z, Z.shape[0], nb, labels, T, p, m, e, x, k, fast)


@njit(cache=True)
def exp_row(x, fast, first):
    n = x.shape[0]
    e = np.ones(n, x.dtype)  # with first=False: 1 + exp(x)
    _exp_sum_row(e, x, np.zeros(n, x.dtype), n, fast, np.empty(n, np.int32), np.empty(n, x.dtype), first)
    return e


@njit(cache=True)
def log_row(e, fast):
    n = e.shape[0]
    _log_row(e, n, fast, np.empty(n, e.dtype), np.empty(n, np.int32))
'''


@pytest.fixture(scope="module")
def mod():
    src = "\n".join(["import numpy as np", "from numba import njit", MAX_MIN, scalar.SOURCE, _WRAP])
    return load(src, "scalar_test", "the scalar sources' test wrappers")[0]


SPECIAL = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-30, -1e-30, 30.0, -30.0, 100.0, -100.0, 0.75]


def _values(dtype):
    rng = np.random.default_rng(0)
    return np.concatenate([SPECIAL, 5 * rng.standard_normal(200)]).astype(dtype)


ACTS = {"identity": (lambda x: x, ()), "relu": (ops.relu, ()), "leaky_relu": (lambda x: ops.leaky_relu(x, 0.2), (0.2,)),
        "tanh": (ops.tanh, ()), "sigmoid": (ops.sigmoid, ()),
        "softplus": (lambda x: ops.softplus(x, 1.5, 4.0), (1.5, 4.0))}


def _same_numbers(got, want, rtol):
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.signbit(got[~np.isnan(got)]), np.signbit(want[~np.isnan(want)]))  # -0.0 too
    np.testing.assert_allclose(got, want, rtol=rtol, atol=0)


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-15), ("float32", 2e-7)])
@pytest.mark.parametrize("name", list(ACTS))
def test_each_activation_is_the_autodiff_op(mod, name, dtype, rtol):
    op, args = ACTS[name]
    x = _values(dtype)
    want = np.asarray(getattr(op(x), "data", op(x)))
    H = x.reshape(1, -1).copy()
    mod.act_rows(scalar.ACTIVATIONS[name], H, np.array(scalar.params(*args), dtype))
    _same_numbers(H[0], want, rtol)


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-15), ("float32", 4e-7)])  # float32: libm's expf/log1pf
@pytest.mark.parametrize("name", list(ACTS))                                         # and NumPy's, an ulp apart
def test_each_activation_of_a_x_plus_r_in_one_pass_is_the_op_of_numpys_sum(mod, name, dtype, rtol):
    op, args = ACTS[name]
    x = _values(dtype)
    r = np.roll(_values(dtype), 5)
    a = np.array(-0.75, dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        u = a * x + r  # the NumPy batch path's order: a S_1 + R
        want = np.asarray(getattr(op(u), "data", op(u)))
    got = mod.act_axpy(scalar.ACTIVATIONS[name], a, x, r, np.array(scalar.params(*args), dtype))
    _same_numbers(got, want, rtol)


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-15), ("float32", 2e-7)])
def test_the_elementwise_losses_are_the_nn_ops(mod, dtype, rtol):
    z = _values(dtype)
    t = np.resize(np.array([0.0, 1.0, 0.3], dtype), z.shape)
    with np.errstate(invalid="ignore", over="ignore"):  # the op's own NaN/inf for the non-finite inputs
        want = nn_ops.sigmoid_binary_cross_entropy(z, t, reduction="none")
    got = mod.per_element(scalar.LOSSES["bce_logits"], z[None], t[None], np.array(scalar.params(), dtype))
    _same_numbers(got.astype(dtype), np.asarray(getattr(want, "data", want)), rtol)
    for half in (1.0, 0.5):
        d = z - t
        got = mod.per_element(scalar.LOSSES["mse"], z[None], t[None], np.array(scalar.params(half), dtype))
        _same_numbers(got.astype(dtype), (d * d * half if half != 1.0 else d * d).astype(dtype), rtol)


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-13), ("float32", 1e-6)])
def test_the_sparse_cross_entropy_block_sums_the_ops_per_sample_losses(mod, dtype, rtol):
    rng = np.random.default_rng(1)
    z = (4 * rng.standard_normal((40, 10))).astype(dtype)
    labels = rng.integers(0, 10, 40)
    want = np.asarray(nn_ops.softmax_cross_entropy(z, labels, reduction="none").data, dtype=np.float64)
    p = np.array(scalar.params(), dtype)
    got = mod.block(scalar.LOSSES["sparse_ce_logits"], np.ascontiguousarray(z.T), labels, np.zeros((1, 1), dtype), p,
                    dtype == "float32")
    assert got == pytest.approx(want.sum(), rel=rtol)
    for bad in (np.nan, np.inf, -np.inf):  # a non-finite logit: NaN or inf, as the op gives
        zb = z.copy()
        zb[3, 2] = bad
        with np.errstate(invalid="ignore", over="ignore"):
            want = np.asarray(nn_ops.softmax_cross_entropy(zb, labels, reduction="none").data,
                              dtype=np.float64).sum()
        got = mod.block(0, np.ascontiguousarray(zb.T), labels, np.zeros((1, 1), dtype), p, dtype == "float32")
        assert (np.isnan(got) and np.isnan(want)) or got == pytest.approx(want, rel=rtol)


def test_the_fast_float32_exp_is_within_two_ulp_of_numpys(mod):
    x = np.concatenate([-np.geomspace(1e-8, 87.0, 3000), [0.0, -0.0, -1e-30, -np.inf, np.nan]]).astype(np.float32)
    got = mod.exp_row(x, True, True)
    want = np.exp(x)
    assert np.isnan(got[-1])
    assert got[-2] == np.float32(np.exp(np.float32(-87.0)))  # below -87: exp(-87), see _exp_sum_row
    ok = slice(0, -2)
    ulp = np.abs(got[ok].astype(np.float64) - want[ok]) / np.spacing(want[ok]).astype(np.float64)
    assert ulp.max() <= 2
    np.testing.assert_array_equal(mod.exp_row(x, True, False), np.float32(1) + got)  # the sum's form
    slow = mod.exp_row(x, False, True)  # not fast: the C library's expf (each within an ulp: 2 apart at most)
    assert np.max(np.abs(slow[ok] - want[ok]) / np.spacing(want[ok])) <= 2


def test_the_fast_float32_log_is_within_two_ulp_of_the_exact_log(mod):
    rng = np.random.default_rng(0)
    x = np.concatenate([np.geomspace(1.0, 3e38, 4000), 1 + rng.random(2000), 1 + 1e-6 * rng.random(200),
                        [1.0, np.sqrt(2.0), 1.4142135, 1.4142137, 2.0, 10.0, np.inf, -np.nan]]).astype(np.float32)
    got = x.copy()
    mod.log_row(got, True)
    assert got[-2] == np.inf and np.isnan(got[-1]) and got[0] == 0.0  # -nan: the sign bit set, as inf - inf
    exact = np.log(x[:-2].astype(np.float64))
    ulp = np.abs(got[:-2].astype(np.float64) - exact) / np.spacing(np.float32(exact)).astype(np.float64)
    assert ulp.max() <= 2
    slow = x.copy()
    mod.log_row(slow, False)
    want = np.log(x[:-2])  # the C library's logf (each within an ulp: 2 apart at most)
    assert np.max(np.abs(slow[:-2] - want) / np.spacing(np.maximum(want, np.float32(1e-30)))) <= 2
