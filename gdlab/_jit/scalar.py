"""Scalar numba source of the activations and losses that compiled kernels apply element by element.

The autodiff (gdlab.autodiff.ops, gdlab.autodiff.nn_ops) computes these on whole arrays with
NumPy; a compiled kernel that fuses a network's forward pass (gdlab.nn.landscape's slices) needs
them one element at a time. They are written here once, as ``@njit(inline="always")`` functions,
each the NumPy op's formula in the op's order of operations (tests/_jit/test_scalar.py compares
every one with the autodiff op on random values, NaN, ±inf and -0.0, in float32 and float64).

Constants come in through ``p``, an array in the data's dtype, so float32 stays float32 as in NumPy
(a Python ``1`` in numba would promote float32 to float64): ``p = (a, b, 1, 0)`` with ``a``, ``b``
the activation's parameters (LeakyReLU: slope; Softplus: beta, threshold) or the loss's (MSE:
the factor, 1 or 1/2).

``ACTIVATIONS``: name -> code (the ``code`` argument of ``_activate``); ``LOSSES``: name -> code of
``_loss_block``. ``SOURCE``: the functions, to paste into a generated module after ``MAX_MIN``
(gdlab._jit.source) and ``import numpy as np``. Per-sample values are computed in the data's
dtype; a block's sum is returned in float64.
"""

from __future__ import annotations

__all__ = ["ACTIVATIONS", "LOSSES", "SOURCE", "params"]

ACTIVATIONS = {"identity": 0, "relu": 1, "leaky_relu": 2, "tanh": 3, "sigmoid": 4, "softplus": 5}
LOSSES = {"sparse_ce_logits": 0, "bce_logits": 1, "mse": 2}


def params(a=0.0, b=0.0):
    """The ``p`` row of an activation or loss (a, b, 1, 0), to be stored in the data's dtype."""
    return (float(a), float(b), 1.0, 0.0)


SOURCE = '''
@njit(inline="always", cache=True)
def _identity(x, p):
    return x


@njit(inline="always", cache=True)
def _relu(x, p):
    return x if (x > p[3] or x != x) else p[3]  # np.maximum(x, 0): NaN stays NaN, -0.0 gives 0.0 as in NumPy


@njit(inline="always", cache=True)
def _leaky_relu(x, p):
    return x if x > p[3] else x * p[0]  # np.where(x > 0, x, x * slope)


@njit(inline="always", cache=True)
def _tanh(x, p):
    return np.tanh(x)


@njit(inline="always", cache=True)
def _sigmoid(x, p):
    e = np.exp(-abs(x))  # exp of a non-positive number only (ops._stable_sigmoid)
    return p[2] / (p[2] + e) if x >= p[3] else e / (p[2] + e)


@njit(inline="always", cache=True)
def _softplus(x, p):
    bx = x * p[0]  # log(1 + exp(beta x)) / beta, x itself where beta x > threshold (ops.softplus)
    if bx > p[1]:
        return x
    return (_max(bx, p[3]) + np.log1p(np.exp(-abs(bx)))) / p[0]


@njit(inline="always", cache=True)
def _activate(code, h, nb, p):
    """The activation ``code`` on the row h[:nb] in place (one loop per kind, so that each vectorises)."""
    if code == 1:
        for s in range(nb):
            h[s] = _relu(h[s], p)
    elif code == 2:
        for s in range(nb):
            h[s] = _leaky_relu(h[s], p)
    elif code == 3:
        for s in range(nb):
            h[s] = _tanh(h[s], p)
    elif code == 4:
        for s in range(nb):
            h[s] = _sigmoid(h[s], p)
    elif code == 5:
        for s in range(nb):
            h[s] = _softplus(h[s], p)


@njit(inline="always", cache=True)
def _activate_axpy(code, h, a, x, r, nb, p):
    """h[:nb] = the activation ``code`` of a x[:nb] + r[:nb], in one pass (a first layer's output at a grid
    point, from its parts; a pass of its own for the activation costs a sixth of a digits slice)."""
    if code == 0:
        for s in range(nb):
            h[s] = a * x[s] + r[s]
    elif code == 1:
        for s in range(nb):
            h[s] = _relu(a * x[s] + r[s], p)
    elif code == 2:
        for s in range(nb):
            h[s] = _leaky_relu(a * x[s] + r[s], p)
    elif code == 3:
        for s in range(nb):
            h[s] = _tanh(a * x[s] + r[s], p)
    elif code == 4:
        for s in range(nb):
            h[s] = _sigmoid(a * x[s] + r[s], p)
    elif code == 5:
        for s in range(nb):
            h[s] = _softplus(a * x[s] + r[s], p)


@njit(inline="always", cache=True)
def _exp_sum_row(e, z, m, nb, fast, k, w, first):
    """e[:nb] = exp(z[:nb] - m[:nb]) (``first``), else e[:nb] += it, for z <= m or NaN (a log-sum-exp's
    shifted values). ``fast`` (float32): a vectorised exp, exp(x) = 2^n exp(r), n = round(x / ln 2),
    |r| <= ln 2 / 2, exp(r) by its Taylor polynomial of degree 7 in the data's dtype (within 2 ulp of np.exp;
    x < -87 gives exp(-87) ~ 1.6e-38 instead of 0 or a subnormal, which no sum with its maximum's 1 can
    tell); ``k``, ``w``: int32 and float32 scratch rows."""
    if not fast:
        if first:
            for s in range(nb):
                e[s] = np.exp(z[s] - m[s])
        else:
            for s in range(nb):
                e[s] += np.exp(z[s] - m[s])
        return
    f = np.float32
    for s in range(nb):
        x = z[s] - m[s]
        x = x if (x >= f(-87.0) or x != x) else f(-87.0)
        n = np.floor(x * f(1.4426950408889634) + f(0.5))
        r = (x - n * f(0.693145751953125)) - n * f(1.428606765330187e-06)
        w[s] = f(1.0) + r * (f(1.0) + r * (f(0.5) + r * (f(1.0 / 6) + r * (f(1.0 / 24) + r * (f(1.0 / 120)
               + r * (f(1.0 / 720) + r * f(1.0 / 5040)))))))
        k[s] = (np.int32(n) + np.int32(127)) << np.int32(23) if n == n else np.int32(0)
    scale = k.view(np.float32)  # 2^n, from its bits
    if first:
        for s in range(nb):
            e[s] = w[s] * scale[s]
    else:
        for s in range(nb):
            e[s] += w[s] * scale[s]


@njit(inline="always", cache=True)
def _log_row(e, nb, fast, w, k):
    """e[:nb] = log(e[:nb]) for e >= 1, +inf or NaN (a log-sum-exp's sum). ``fast`` (float32): a vectorised
    log, e = 2^n m with m in (sqrt(1/2), sqrt(2)], log m = 2 atanh(t), t = (m - 1) / (m + 1), by its odd
    series to t^9 (within 2 ulp of the exact log; inf and NaN stay as they are); ``w``, ``k``: float32
    and int32 scratch rows. The C library's scalar logf costs ~2.9 ns a value here, this ~0.9 ns."""
    if not fast:
        for s in range(nb):
            e[s] = np.log(e[s])
        return
    f = np.float32
    i32 = np.int32
    bits = e.view(np.int32)
    for s in range(nb):
        b = bits[s]
        n = ((b >> i32(23)) & i32(0xFF)) - i32(127)  # the sign bit off: a NaN may have it (inf - inf)
        mb = (b & i32(0x007FFFFF)) | i32(0x3F800000)  # m in [1, 2)
        up = mb > i32(0x3FB504F3)  # m > sqrt(2): m / 2 and n + 1
        special = n == i32(128)  # inf or NaN: kept in k, marked by n = -1000
        k[s] = b if special else (mb - i32(0x00800000) if up else mb)
        w[s] = f(-1000.0) if special else (f(n + i32(1)) if up else f(n))
    m = k.view(np.float32)
    for s in range(nb):
        n = w[s]
        g = m[s] - f(1.0)
        t = g / (f(2.0) + g)
        z = t * t
        lg = t * f(2.0) + t * (z * (f(2.0 / 3) + z * (f(2.0 / 5) + z * (f(2.0 / 7) + z * f(2.0 / 9)))))
        v = n * f(0.693145751953125) + (lg + n * f(1.428606765330187e-06))
        e[s] = m[s] if n == f(-1000.0) else v


@njit(inline="always", cache=True)
def _bce_logits(z, t, p):
    return _max(z, p[3]) - z * t + np.log1p(np.exp(-abs(z)))  # nn_ops.sigmoid_binary_cross_entropy


@njit(inline="always", cache=True)
def _mse(z, t, p):
    d = z - t
    return d * d * p[0]  # losses.MeanSquaredError: d * d, times 1/2 with half=True (times 1 is exact)


@njit(inline="always", cache=True)
def _loss_block(code, Z, rows, nb, labels, T, p, m, e, x, k, fast):
    """The sum (float64) of the per-sample losses of the logits Z[:rows, :nb] (feature-major: row c holds
    class or output c of the block's samples). ``labels`` (nb,): their class labels (sparse cross-entropy);
    ``T`` (rows, nb): their targets, feature-major (the others); ``m``, ``e``, ``x``: scratch rows of the
    data's dtype, ``k`` an int32 one; ``fast``: the vectorised exp and log of float32 (``_exp_sum_row``,
    ``_log_row``)."""
    total = 0.0
    if code == 0:  # nn_ops.softmax_cross_entropy, sparse: log(sum exp(z - max z)) - (z_y - max z)
        for s in range(nb):
            m[s] = Z[0, s]
        for c in range(1, rows):
            z = Z[c]
            for s in range(nb):
                m[s] = _max(m[s], z[s])
        for c in range(rows):
            _exp_sum_row(e, Z[c], m, nb, fast, k, x, c == 0)
        _log_row(e, nb, fast, x, k)
        for s in range(nb):
            total += e[s] - (Z[labels[s], s] - m[s])
        return total
    for c in range(rows):
        z = Z[c]
        t = T[c]
        if code == 1:
            for s in range(nb):
                total += _bce_logits(z[s], t[s], p)
        else:
            for s in range(nb):
                total += _mse(z[s], t[s], p)
    return total
'''
