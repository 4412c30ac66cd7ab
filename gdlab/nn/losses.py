r"""Losses, as functions and by name.

Argument order: **(y_pred, y_true)**, as PyTorch's ``loss(input, target)`` (Keras's loss
functions take ``(y_true, y_pred)``; pass keywords if in doubt). ``y_pred`` is what the
model returns (a Tensor); ``y_true`` an array (or Tensor, which gets no gradient).
Every loss returns a scalar Tensor for ``reduction="mean"`` (default) or ``"sum"``,
and the per-sample (per-element for the regression losses) Tensor for ``"none"``.

==================================  ===================================================================
name (aliases)                      per sample, d = y_pred - y_true
==================================  ===================================================================
``mse`` (mean_squared_error)        d^2, averaged over all elements
``sse`` (sum_squared_error)         d^2, summed (seed 001's linear regression)
``half_sse``                        d^2 / 2, summed: E = 1/2 (y_true - y_pred)^2 (seeds 001 and 003)
``mae`` (mean_absolute_error)       |d|
``huber``                           d^2/2 if |d| <= delta else delta (|d| - delta/2)   (delta = 1)
``binary_crossentropy`` (bce)       -(t log p + (1 - t) log(1 - p)), p = y_pred a probability
``categorical_crossentropy``        -sum_c t_c log p_c, y_true rows of class probabilities (one-hot)
``sparse_categorical_crossentropy`` -log p_y, y_true integer labels
``cross_entropy``                   PyTorch's: sparse categorical cross-entropy from logits
==================================  ===================================================================

The cross-entropies take probabilities by default, as Keras's do; ``from_logits=True``
(or the names ``binary_crossentropy_from_logits``, ``categorical_crossentropy_from_logits``,
``sparse_categorical_crossentropy_from_logits``) takes raw scores and uses the fused,
stable primitives of :mod:`gdlab.autodiff.nn_ops` (log-sum-exp; gradient
``softmax - onehot`` or ``sigmoid - t``). From probabilities, p is clipped to
[eps, 1 - eps] (eps = 1e-7, Keras's) before the log. A model that ends with
``Softmax``/``Sigmoid`` trained by ``fit`` with a from-probabilities cross-entropy is
trained from its logits (see :func:`gdlab.nn.training.compile`).

Regression targets of shape (N,) are accepted for a prediction of shape (N, 1) (a
column); any other shape mismatch is a ValueError rather than a silent broadcast.
"""

from __future__ import annotations

import numbers

import numpy as np

from gdlab._registry import Registry
from gdlab.autodiff import Tensor, ops
from gdlab.autodiff.nn_ops import REDUCTIONS, sigmoid_binary_cross_entropy, softmax_cross_entropy

__all__ = [
    "Loss", "MeanSquaredError", "MeanAbsoluteError", "Huber", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "get", "names",
    "mean_squared_error", "mse", "sum_squared_error", "mean_absolute_error", "mae", "huber",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "cross_entropy",
]

EPSILON = 1e-7


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def _data(y):
    return y.data if isinstance(y, Tensor) else np.asarray(y)


def _target_like(y_pred, y_true):
    """y_true as an array matching y_pred's shape (a (N,) target for a (N, 1) prediction becomes a column)."""
    p = y_pred.data if isinstance(y_pred, Tensor) else np.asarray(y_pred)
    t = _data(y_true)
    if t.shape != p.shape:
        if p.ndim == 2 and p.shape[1] == 1 and t.shape == (p.shape[0],):
            t = t.reshape(-1, 1)
        else:
            raise ValueError(
                f"y_true has shape {t.shape} but y_pred has shape {p.shape}; they must match "
                "(a (N,) target is accepted for an (N, 1) prediction)"
            )
    if t.dtype != p.dtype and p.dtype.kind == "f":
        t = t.astype(p.dtype)
    return t


def _reduce(x, reduction):
    if reduction == "mean":
        return ops.mean(x)
    if reduction == "sum":
        return ops.sum(x)
    return x


class Loss:
    """Base class. ``loss(y_pred, y_true) -> Tensor``; ``get_config()`` names it for saving.

    Subclasses used by ``fit`` also say how targets are checked and converted
    (``prepare_target``) once, before training.
    """

    name = "loss"
    #: for the cross-entropies: the activation whose output they take (fit trains from its input instead)
    fuses_with = None
    from_logits = False

    def __init__(self, reduction="mean"):
        self.reduction = _check_reduction(reduction)

    def __call__(self, y_pred, y_true):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_config(self) -> dict:
        cfg = {"name": self.name}
        if self.reduction != "mean":
            cfg["reduction"] = self.reduction
        cfg.update(self._params())
        return cfg

    def _params(self) -> dict:
        return {}

    def fast(self):
        """The function ``fit`` calls per batch, once ``prepare_target`` has checked the targets
        (the loss itself by default; subclasses may skip their per-call checks)."""
        return self

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"

    # -- boundary checks used by fit/evaluate ---------------------------------------
    def prepare_target(self, y, out_shape, dtype, what="y"):
        """Check ``y`` against the model's output shape ``out_shape`` (N, ...) and convert it once.

        Regression: float of the model's dtype, (N,) reshaped to (N, 1) for one output.
        """
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{what} must be numeric, got dtype {y.dtype}")
        y = y.astype(dtype, copy=False)
        if y.shape != out_shape:
            if len(out_shape) == 2 and out_shape[1] == 1 and y.shape == (out_shape[0],):
                y = y.reshape(-1, 1)
            else:
                raise ValueError(
                    f"{what} has shape {y.shape} but the model's output has shape {out_shape} "
                    f"for the same samples; the {self.name} loss needs them equal"
                )
        return np.ascontiguousarray(y)


class MeanSquaredError(Loss):
    """Squared error d^2 (d = y_pred - y_true), averaged (``reduction="mean"``: MSE), summed ("sum": SSE)
    or per element ("none"); ``half=True`` multiplies by 1/2 (so that dE/dy_pred = d)."""

    name = "mse"

    def __init__(self, reduction="mean", half=False):
        super().__init__(reduction)
        self.half = bool(half)

    def __call__(self, y_pred, y_true):
        d = ops.sub(y_pred, _target_like(y_pred, y_true))
        sq = ops.mul(d, d)
        if self.half:
            sq = ops.mul(sq, 0.5)
        return _reduce(sq, self.reduction)

    def _params(self):
        return {"half": True} if self.half else {}

    def get_config(self):
        if self.half and self.reduction == "sum":
            return {"name": "half_sse"}
        if not self.half and self.reduction == "sum":
            return {"name": "sse"}
        return super().get_config()


class MeanAbsoluteError(Loss):
    """|y_pred - y_true|, averaged (or summed, or per element). Its gradient at d = 0 is 0."""

    name = "mae"

    def __call__(self, y_pred, y_true):
        return _reduce(ops.abs(ops.sub(y_pred, _target_like(y_pred, y_true))), self.reduction)


class Huber(Loss):
    """Huber loss: d^2 / 2 for |d| <= delta, delta (|d| - delta / 2) beyond (quadratic near 0, linear far).

    Written as q^2/2 + delta (|d| - q) with q = min(|d|, delta) (PyTorch's ``HuberLoss`` and Keras's ``Huber``).
    """

    name = "huber"

    def __init__(self, delta=1.0, reduction="mean"):
        super().__init__(reduction)
        if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not np.isfinite(delta) or delta <= 0:
            raise ValueError(f"huber delta must be a positive finite number, got {delta!r}")
        self.delta = float(delta)

    def __call__(self, y_pred, y_true):
        a = ops.abs(ops.sub(y_pred, _target_like(y_pred, y_true)))
        q = ops.minimum(a, self.delta)
        per = ops.add(ops.mul(ops.mul(q, q), 0.5), ops.mul(ops.sub(a, q), self.delta))
        return _reduce(per, self.reduction)

    def _params(self):
        return {} if self.delta == 1.0 else {"delta": self.delta}


class _CrossEntropy(Loss):
    def __init__(self, from_logits=False, reduction="mean", eps=EPSILON):
        super().__init__(reduction)
        self.from_logits = bool(from_logits)
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < 0.5:
            raise ValueError(f"eps must be in (0, 0.5), got {eps!r}")
        self.eps = float(eps)

    def _params(self):
        out = {}
        if self.from_logits:
            out["from_logits"] = True
        if self.eps != EPSILON:
            out["eps"] = self.eps
        return out

    def with_logits(self):
        """The same loss taking logits (what fit uses for a model ending in ``fuses_with``)."""
        cfg = {k: v for k, v in self.get_config().items() if k != "name"}
        cfg["from_logits"] = True
        return type(self)(**cfg)


class BinaryCrossentropy(_CrossEntropy):
    """-(t log p + (1 - t) log(1 - p)) per element, t in [0, 1].

    ``from_logits=False`` (default): y_pred = p, probabilities (clipped to [eps, 1 - eps]).
    ``from_logits=True``: y_pred = z with p = sigmoid(z), computed as
    max(z, 0) - z t + log(1 + exp(-|z|)) (PyTorch's ``BCEWithLogitsLoss``).
    """

    name = "binary_crossentropy"
    fuses_with = "Sigmoid"

    def __call__(self, y_pred, y_true):
        t = _target_like(y_pred, y_true)
        if self.from_logits:
            return sigmoid_binary_cross_entropy(y_pred, t, reduction=self.reduction)
        p = ops.clip(y_pred, self.eps, 1 - self.eps)
        per = ops.neg(ops.add(ops.mul(ops.log(p), t), ops.mul(ops.log(ops.sub(1.0, p)), ops.sub(1.0, t))))
        return _reduce(per, self.reduction)

    def prepare_target(self, y, out_shape, dtype, what="y"):
        y = super().prepare_target(y, out_shape, dtype, what)
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError(
                f"{what} must hold targets in [0, 1] for binary cross-entropy, got values in [{y.min()}, {y.max()}]"
            )
        return y


class CategoricalCrossentropy(_CrossEntropy):
    """-sum_c t_c log p_c per sample; y_true (N, C) rows of class probabilities (one-hot or soft).

    From probabilities (default) p is clipped to [eps, 1] (it is not renormalised, unlike
    Keras); ``from_logits=True`` applies log-softmax to y_pred, fused and stable.
    """

    name = "categorical_crossentropy"
    fuses_with = "Softmax"

    def __call__(self, y_pred, y_true):
        t = _data(y_true)
        p_data = _data(y_pred)
        if p_data.ndim != 2 or t.shape != p_data.shape:
            raise ValueError(
                f"categorical cross-entropy needs y_pred (N, C) and y_true of the same shape (one-hot rows); "
                f"got y_pred {p_data.shape}, y_true {t.shape} (integer labels: use sparse_categorical_crossentropy)"
            )
        if self.from_logits:
            return softmax_cross_entropy(y_pred, t, sparse=False, reduction=self.reduction)
        t = t.astype(p_data.dtype, copy=False)
        per = ops.neg(ops.sum(ops.mul(ops.log(ops.clip(y_pred, self.eps, 1.0)), t), axis=-1))
        return _reduce(per, self.reduction)

    def prepare_target(self, y, out_shape, dtype, what="y"):
        y = np.asarray(y)
        if len(out_shape) != 2 or y.shape != out_shape:
            raise ValueError(
                f"{what} has shape {y.shape} but categorical cross-entropy needs one-hot rows of the model's "
                f"output shape {out_shape}; for integer labels use sparse_categorical_crossentropy"
            )
        y = super().prepare_target(y, out_shape, dtype, what)
        if y.size and y.min() < 0:
            raise ValueError(f"{what} must hold class probabilities (>= 0), got a minimum of {y.min()}")
        return y


class SparseCategoricalCrossentropy(_CrossEntropy):
    """-log p_y per sample; y_true N integer labels in [0, C), y_pred (N, C).

    From probabilities (default, Keras's ``sparse_categorical_crossentropy``) p_y is clipped
    to [eps, 1]; ``from_logits=True`` (PyTorch's ``cross_entropy``) uses the fused primitive:
    logsumexp(z) - z_y, gradient (softmax(z) - onehot(y)) / N.
    """

    name = "sparse_categorical_crossentropy"
    fuses_with = "Softmax"

    def __call__(self, y_pred, y_true):
        labels = _data(y_true)
        p_data = _data(y_pred)
        if p_data.ndim != 2 or labels.shape != (p_data.shape[0],):
            if p_data.ndim == 2 and labels.shape == (p_data.shape[0], 1):
                labels = labels.reshape(-1)
            else:
                raise ValueError(
                    f"sparse categorical cross-entropy needs y_pred (N, C) and N integer labels; "
                    f"got y_pred {p_data.shape}, y_true {labels.shape}"
                )
        if labels.dtype.kind not in "iu":
            labels = _integer_labels(labels, "y_true")
        if self.from_logits:
            return softmax_cross_entropy(y_pred, labels, sparse=True, reduction=self.reduction)
        picked = ops.getitem(y_pred, (np.arange(len(labels)), labels))
        return _reduce(ops.neg(ops.log(ops.clip(picked, self.eps, 1.0))), self.reduction)

    def fast(self):
        if not self.from_logits:
            return self
        reduction = self.reduction

        def sparse_ce_from_logits(z, labels):  # labels already int64 (N,), checked by prepare_target
            return softmax_cross_entropy(z, labels, True, reduction)

        return sparse_ce_from_logits

    def prepare_target(self, y, out_shape, dtype, what="y"):
        y = np.asarray(y)
        if len(out_shape) != 2:
            raise ValueError(f"sparse categorical cross-entropy needs a model output of shape (N, C), got {out_shape}")
        n, c = out_shape
        if y.shape == (n, 1):
            y = y.reshape(-1)
        if y.shape != (n,):
            raise ValueError(
                f"{what} has shape {y.shape}; sparse categorical cross-entropy needs {n} integer class labels "
                f"(shape ({n},)); one-hot rows go with categorical_crossentropy"
            )
        y = _integer_labels(y, what)
        if y.size:
            lo, hi = int(y.min()), int(y.max())
            if lo < 0 or hi >= c:
                bad = lo if lo < 0 else hi
                raise ValueError(
                    f"{what} holds the label {bad}, outside [0, {c - 1}]: the model has {c} outputs (classes)"
                )
        return np.ascontiguousarray(y)


def _integer_labels(y, what):
    y = np.asarray(y)
    if y.dtype.kind in "iu":
        return y.astype(np.int64, copy=False)
    if y.dtype.kind == "b" or y.dtype.kind not in "f":
        raise TypeError(f"{what} must hold integer class labels, got dtype {y.dtype}")
    if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
        raise ValueError(f"{what} must hold integer class labels; it has non-integer values")
    return y.astype(np.int64)


# ---------------------------------------------------------------------------------
# by name

REGISTRY = Registry("loss", plural="losses")
REGISTRY.register("mean_squared_error", (MeanSquaredError, {}), aliases=["mse"])
REGISTRY.register("sum_squared_error", (MeanSquaredError, {"reduction": "sum"}), aliases=["sse"])
REGISTRY.register("half_sse", (MeanSquaredError, {"reduction": "sum", "half": True}))
REGISTRY.register("mean_absolute_error", (MeanAbsoluteError, {}), aliases=["mae"])
REGISTRY.register("huber", (Huber, {}))
REGISTRY.register("binary_crossentropy", (BinaryCrossentropy, {}), aliases=["bce"])
REGISTRY.register("binary_crossentropy_from_logits", (BinaryCrossentropy, {"from_logits": True}))
REGISTRY.register("categorical_crossentropy", (CategoricalCrossentropy, {}))
REGISTRY.register("categorical_crossentropy_from_logits", (CategoricalCrossentropy, {"from_logits": True}))
REGISTRY.register("sparse_categorical_crossentropy", (SparseCategoricalCrossentropy, {}))
REGISTRY.register("sparse_categorical_crossentropy_from_logits", (SparseCategoricalCrossentropy, {"from_logits": True}))
REGISTRY.register("cross_entropy", (SparseCategoricalCrossentropy, {"from_logits": True}))


def names() -> list[str]:
    """The loss names ``get`` accepts (aliases included)."""
    return sorted(REGISTRY.names(aliases=True))


def get(spec, **kwargs) -> Loss:
    """A :class:`Loss` from a name, a config dict (``{"name": "huber", "delta": 2.0}``) or a Loss (as is)."""
    if isinstance(spec, Loss):
        if kwargs:
            raise TypeError("keyword arguments are only accepted with a loss name")
        return spec
    if isinstance(spec, dict):
        spec = dict(spec)
        return get(spec.pop("name", None), **spec, **kwargs)
    if isinstance(spec, str):
        cls, preset = REGISTRY.get(spec)
        try:
            return cls(**{**preset, **kwargs})
        except TypeError as exc:
            raise TypeError(f"loss {spec!r}: {exc}") from None
    raise TypeError(f"a loss must be a name, a config dict or a gdlab.nn.losses.Loss, got {spec!r}")


# ---------------------------------------------------------------------------------
# functions: loss(y_pred, y_true, ...)


def mean_squared_error(y_pred, y_true, reduction="mean"):
    """mean((y_pred - y_true)^2) (see :class:`MeanSquaredError`)."""
    return MeanSquaredError(reduction)(y_pred, y_true)


def sum_squared_error(y_pred, y_true):
    """sum((y_pred - y_true)^2)."""
    return MeanSquaredError("sum")(y_pred, y_true)


def mean_absolute_error(y_pred, y_true, reduction="mean"):
    """mean(|y_pred - y_true|)."""
    return MeanAbsoluteError(reduction)(y_pred, y_true)


def huber(y_pred, y_true, delta=1.0, reduction="mean"):
    """The Huber loss (see :class:`Huber`)."""
    return Huber(delta, reduction)(y_pred, y_true)


def binary_crossentropy(y_pred, y_true, from_logits=False, reduction="mean"):
    """Binary cross-entropy (see :class:`BinaryCrossentropy`)."""
    return BinaryCrossentropy(from_logits, reduction)(y_pred, y_true)


def categorical_crossentropy(y_pred, y_true, from_logits=False, reduction="mean"):
    """Categorical cross-entropy against one-hot/soft rows (see :class:`CategoricalCrossentropy`)."""
    return CategoricalCrossentropy(from_logits, reduction)(y_pred, y_true)


def sparse_categorical_crossentropy(y_pred, y_true, from_logits=False, reduction="mean"):
    """Categorical cross-entropy against integer labels (see :class:`SparseCategoricalCrossentropy`)."""
    return SparseCategoricalCrossentropy(from_logits, reduction)(y_pred, y_true)


def cross_entropy(logits, labels, reduction="mean"):
    """PyTorch's ``F.cross_entropy(logits, labels)``: sparse categorical cross-entropy from logits."""
    return SparseCategoricalCrossentropy(True, reduction)(logits, labels)


mse = mean_squared_error
mae = mean_absolute_error
