"""Fused primitives for neural networks: each forward beside its VJP.

Every function here could be written with the primitives of :mod:`gdlab.autodiff.ops`
(and the tests check that it equals that composition); fusing buys speed (one graph
node instead of three to six, no temporaries that the composition would keep for
its backward pass) and stability (the cross-entropies never take the log of a
probability that rounded to 0).

* ``linear(x, weight, bias)``: ``x @ weight + bias``, weight of shape (in, out).
* ``linear_relu(x, weight, bias)``: ``relu(x @ weight + bias)`` in one node (the ReLU is
  applied in place on the product, and its VJP is folded into the linear one).
* ``softmax_cross_entropy(logits, target, sparse=..., reduction=...)``: the
  cross-entropy of ``softmax(logits)`` against integer labels (``sparse=True``) or
  target distributions (one-hot or soft rows). Its VJP is ``(softmax - onehot)``,
  divided by N for the mean.
* ``sigmoid_binary_cross_entropy(logits, target, reduction=...)``: the binary
  cross-entropy of ``sigmoid(logits)``; VJP ``sigmoid(z) - t``.

Every VJP here hands its gradients to the engine, as the primitives' do; the engine keeps a
fresh gradient array as a leaf's ``.grad`` without copying it, and adds later ones into it.
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor, _result

__all__ = ["linear", "linear_relu", "softmax_cross_entropy", "sigmoid_binary_cross_entropy", "REDUCTIONS"]

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


# ----------------------------------------------------------------------------------
# linear


def _linear_parts(x, weight, bias):
    xt = x if type(x) is Tensor or isinstance(x, Tensor) else None
    wt = weight if isinstance(weight, Tensor) else None
    bt = bias if isinstance(bias, Tensor) else None
    xd = x.data if xt is not None else (x if type(x) is np.ndarray else np.asarray(x))
    wd = weight.data if wt is not None else np.asarray(weight)
    if xd.ndim == 0 or wd.ndim != 2 or xd.shape[-1] != wd.shape[0]:
        raise ValueError(
            f"linear: input of shape {xd.shape} does not fit a weight of shape {wd.shape} "
            f"(need input (..., {wd.shape[0] if wd.ndim == 2 else 'in'}) and weight (in, out))"
        )
    out = xd @ wd
    if bias is not None:
        out += bias.data if bt is not None else bias
    return xt, wt, bt, xd, wd, out


def _linear_vjp(g, xt, wt, bt, xd, wd):
    """(dx, dweight, dbias) for output gradient g (None where no gradient is needed)."""
    g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
    gx = gw = gb = None
    if xt is not None and xt.requires_grad:
        gx = g @ wd.T
    if wt is not None and wt.requires_grad:
        x2 = xd.reshape(-1, xd.shape[-1]) if xd.ndim != 2 else xd
        gw = x2.T @ g2
    if bt is not None and bt.requires_grad:
        gb = g2.sum(axis=0)
    return gx, gw, gb


def linear(x, weight, bias=None):
    """``x @ weight + bias``: the affine map of a dense layer.

    ``x`` has shape (..., in), ``weight`` (in, out), ``bias`` (out,) or None; the
    result has shape (..., out). Any of them may be a Tensor or an array (an array is
    a constant: no gradient is computed for it, so the first layer of a network does
    not pay for the gradient of its input).

    VJP, with G the output gradient reshaped to (N, out) and X the input to (N, in):
    ``dx = G @ weight.T``, ``dweight = X.T @ G``, ``dbias = sum of G over the rows``.
    """
    xt, wt, bt, xd, wd, out = _linear_parts(x, weight, bias)
    return _result(out, (xt, wt, bt), lambda g: _linear_vjp(g, xt, wt, bt, xd, wd))


def linear_relu(x, weight, bias=None):
    """``relu(x @ weight + bias)`` as one node: the dense layer and its ReLU fused.

    Forward: the product is clipped at 0 in place (no second array). VJP: with
    ``a`` the output, the gradient through the ReLU is ``G * (a > 0)`` (0 at the
    kink, as ``relu``), then the linear VJP of :func:`linear`.
    """
    xt, wt, bt, xd, wd, out = _linear_parts(x, weight, bias)
    np.maximum(out, 0, out=out)

    def vjp(g):
        return _linear_vjp(g * (out > 0), xt, wt, bt, xd, wd)

    return _result(out, (xt, wt, bt), vjp)


# ----------------------------------------------------------------------------------
# cross-entropies


def _reduce(losses, reduction, n):
    if reduction == "mean":
        return losses.mean() if n else losses.sum() * np.nan
    if reduction == "sum":
        return losses.sum()
    return losses


def _grad_scale(g, reduction, n):
    """The factor on each sample's gradient: g/N (mean), g (sum), g[i] (none), shaped (n, 1)."""
    if reduction == "none":
        return np.asarray(g).reshape(-1, 1)
    return g / n if reduction == "mean" else g


def softmax_cross_entropy(logits, target, sparse: bool = True, reduction: str = "mean", axis: int = -1):
    """Cross-entropy of ``softmax(logits)`` against ``target``, fused and stable.

    ``logits`` (N, C) (a Tensor or an array). With ``sparse=True`` ``target`` holds N
    integer class labels in [0, C); otherwise ``target`` is (N, C) rows of class
    probabilities (one-hot or soft). Per sample

        l_i = logsumexp(z_i) - z_i[y_i]               (sparse)
        l_i = sum_c t_ic (logsumexp(z_i) - z_ic)       (dense)

    computed with the row maximum subtracted first, so huge logits stay finite. The
    result is ``mean(l)`` (default), ``sum(l)`` or the vector ``l`` (``reduction``).

    VJP: ``dl_i/dz_i = softmax(z_i) * sum_c t_ic - t_i`` (``softmax(z_i) - onehot(y_i)``
    for labels), times g/N for the mean. No gradient flows to ``target``.

    Labels are not validated here (hot loop); ``gdlab.nn``'s losses check them once
    at the boundary. Only ``axis=-1`` (classes in the last axis of 2-D logits) is
    supported.
    """
    _check_reduction(reduction)
    if axis not in (-1, 1):
        raise ValueError(f"softmax_cross_entropy: classes must be the last axis (axis=-1), got axis={axis}")
    zt = logits if isinstance(logits, Tensor) else None
    z = logits.data if zt is not None else np.asarray(logits)
    if z.ndim != 2:
        raise ValueError(f"softmax_cross_entropy: logits must have shape (N, C), got {z.shape}")
    n = z.shape[0]
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    log_s = np.log(s)
    rows = np.arange(n)
    if sparse:
        if t.shape != (n,):
            raise ValueError(f"softmax_cross_entropy: sparse labels must have shape ({n},), got {t.shape}")
        losses = log_s[:, 0] - shifted[rows, t]
    else:
        if t.shape != z.shape:
            raise ValueError(f"softmax_cross_entropy: targets must have the logits' shape {z.shape}, got {t.shape}")
        t = t.astype(z.dtype, copy=False)
        losses = (t * (log_s - shifted)).sum(axis=1)
    out = _reduce(losses, reduction, n)

    def vjp(g):
        p = e / s
        if sparse:
            p[rows, t] -= 1
        else:
            p *= t.sum(axis=1, keepdims=True)
            p -= t
        p *= _grad_scale(g, reduction, n)
        return (p,)

    return _result(out, (zt,), vjp)


def sigmoid_binary_cross_entropy(logits, target, reduction: str = "mean"):
    """Binary cross-entropy of ``sigmoid(logits)`` against ``target`` in [0, 1], fused and stable.

    Per element ``l = max(z, 0) - z t + log(1 + exp(-|z|))`` (equal to
    ``-t log sigmoid(z) - (1 - t) log(1 - sigmoid(z))`` but finite for every z);
    ``target`` has the logits' shape. The result is the mean over all elements
    (default), the sum, or the elementwise array (``reduction``).

    VJP: ``dl/dz = sigmoid(z) - t``, times g/N for the mean (N = number of elements).
    """
    _check_reduction(reduction)
    zt = logits if isinstance(logits, Tensor) else None
    z = logits.data if zt is not None else np.asarray(logits)
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t.shape != z.shape:
        raise ValueError(f"sigmoid_binary_cross_entropy: target shape {t.shape} differs from logits shape {z.shape}")
    t = t.astype(z.dtype, copy=False)
    a = np.abs(z)
    losses = np.maximum(z, 0) - z * t + np.log1p(np.exp(-a))
    n = z.size
    if reduction == "mean":
        out = losses.mean() if n else np.asarray(np.nan, dtype=z.dtype)
    elif reduction == "sum":
        out = losses.sum()
    else:
        out = losses

    def vjp(g):
        e = np.exp(-a)
        p = np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype, copy=False)
        p -= t
        if reduction == "mean":
            p *= g / n
        else:
            p *= g
        return (p,)

    return _result(out, (zt,), vjp)
