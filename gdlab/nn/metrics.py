r"""Metrics: functions on arrays and streaming objects for ``fit``/``evaluate``.

Argument order **(y_pred, y_true)**, as gdlab's losses (scikit-learn's and Keras's metric
functions take ``(y_true, y_pred)``; r2 is not symmetric, so mind the order or pass keywords).

====================  ==================================================================
name (aliases)        value
====================  ==================================================================
``accuracy`` (acc)    fraction of correct predictions; the kind is chosen from the shapes:
                      * y_pred (N, C), C > 1, integer labels y_true (N,): argmax(y_pred) == y_true (sparse)
                      * y_pred (N, C), C > 1, one-hot y_true (N, C): argmax == argmax (categorical)
                      * y_pred (N,) or (N, 1), y_true in {0, 1}: (y_pred > threshold) == y_true
                        (binary; threshold 0.5 for probabilities, 0 for logits)
``mse``               mean((y_pred - y_true)^2)
``mae``               mean(|y_pred - y_true|)
``r2``                1 - SS_res / SS_tot (coefficient of determination), averaged over outputs
====================  ==================================================================

Accuracy is for classification: with a single output and targets that are not 0/1 it
raises a ValueError (Keras would silently report about 0 for a regression such as
seed 000's Celsius-to-Fahrenheit fit, whose ``metrics=['accuracy']`` measures nothing).

During ``fit`` a metric accumulates over the batches of an epoch, from the predictions
made before each update (as Keras does); ``evaluate`` measures the current model.
"""

from __future__ import annotations

import copy
import numbers

import numpy as np

from .._registry import Registry

__all__ = ["Metric", "Accuracy", "MeanSquaredError", "MeanAbsoluteError", "R2Score", "get", "names",
           "accuracy", "mean_squared_error", "mean_absolute_error", "r2_score"]


def _pair(y_pred, y_true):
    p = np.asarray(getattr(y_pred, "data", y_pred))
    t = np.asarray(getattr(y_true, "data", y_true))
    if p.shape != t.shape:
        if p.ndim == 2 and p.shape[1] == 1 and t.shape == (p.shape[0],):
            t = t.reshape(-1, 1)
        elif t.ndim == 2 and t.shape[1] == 1 and p.shape == (t.shape[0],):
            p = p.reshape(-1, 1)
        else:
            raise ValueError(f"y_pred has shape {p.shape} but y_true has shape {t.shape}; they must match")
    return p, t


class Metric:
    """A streaming metric: ``reset()``, ``update(y_pred, y_true)`` per batch, ``result()`` -> float."""

    name = "metric"

    def __init__(self):
        self.reset()

    def reset(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, y_pred, y_true):  # pragma: no cover - abstract
        raise NotImplementedError

    def result(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, y_pred, y_true) -> float:
        """The metric of one batch (the streaming state is left alone)."""
        m = type(self).from_config(self.get_config())
        m.build_for(y_pred, y_true)
        m.update(y_pred, y_true)
        return m.result()

    def build_for(self, y_pred, y_true):
        """Check the metric applies to predictions and targets like these (called once, before training)."""

    def get_config(self) -> dict:
        return {"name": self.name}

    def fresh(self) -> "Metric":
        """A reset copy that keeps what ``build_for`` decided."""
        m = copy.copy(self)
        m.reset()
        return m

    @classmethod
    def from_config(cls, config):
        config = {k: v for k, v in config.items() if k != "name"}
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Accuracy(Metric):
    """Fraction of correct predictions (see the module docstring for how the kind is chosen).

    ``kind``: "auto" (default), "binary", "categorical" or "sparse"; ``threshold`` for binary.
    """

    name = "accuracy"
    KINDS = ("auto", "binary", "categorical", "sparse")

    def __init__(self, kind="auto", threshold=0.5):
        if kind not in self.KINDS:
            raise ValueError(f"accuracy kind must be one of {self.KINDS}, got {kind!r}")
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not np.isfinite(threshold):
            raise ValueError(f"threshold must be a finite number, got {threshold!r}")
        self.kind = kind
        self.threshold = float(threshold)
        super().__init__()

    def reset(self):
        self.correct = 0
        self.count = 0

    def _resolve(self, p, t):
        if self.kind != "auto":
            return self.kind
        if p.ndim == 2 and p.shape[1] > 1:
            return "categorical" if t.ndim == 2 and t.shape[1:] == p.shape[1:] else "sparse"
        return "binary"

    def build_for(self, y_pred, y_true):
        """Fix the kind from the shapes (y_pred may be a few probed rows, y_true all the targets) and
        check that accuracy applies: 0/1 targets for one output, labels or one-hot rows otherwise."""
        p = np.asarray(getattr(y_pred, "data", y_pred))
        t = np.asarray(getattr(y_true, "data", y_true))
        kind = self._resolve(p, t)
        if kind == "binary":
            flat = t.reshape(-1)
            bad = ~((flat == 0) | (flat == 1))
            if bad.any():
                raise ValueError(
                    "accuracy is a classification metric: with one output it needs 0/1 targets, but y holds "
                    f"other values (e.g. {flat[bad][0]!r}); for a regression use 'mae', 'mse' or 'r2'"
                )
        elif kind == "sparse":
            if t.ndim not in (1, 2) or (t.ndim == 2 and t.shape[1] != 1):
                raise ValueError(f"accuracy: integer labels must have shape (n,), got {t.shape}")
        elif kind == "categorical" and t.shape[1:] != p.shape[1:]:
            raise ValueError(f"accuracy: one-hot targets must have {p.shape[1:]} per sample, got {t.shape[1:]}")
        self._kind = kind

    def update(self, y_pred, y_true):
        p = np.asarray(getattr(y_pred, "data", y_pred))
        t = np.asarray(getattr(y_true, "data", y_true))
        kind = getattr(self, "_kind", None) or self._resolve(p, t)
        if kind == "sparse":
            hit = p.argmax(axis=-1) == t.reshape(-1)
        elif kind == "categorical":
            hit = p.argmax(axis=-1) == t.argmax(axis=-1)
        else:
            p, t = _pair(p, t)
            hit = (p > self.threshold) == (t > 0.5)
        self.correct += int(np.count_nonzero(hit))
        self.count += int(hit.size)

    def result(self):
        return self.correct / self.count if self.count else float("nan")

    def get_config(self):
        cfg = {"name": self.name}
        if self.kind != "auto":
            cfg["kind"] = self.kind
        if self.threshold != 0.5:
            cfg["threshold"] = self.threshold
        return cfg


def _check_shapes(name, y_pred, y_true):
    """Per-sample shapes must agree (a (n,) target goes with (n, 1) predictions)."""
    p = np.asarray(getattr(y_pred, "data", y_pred))
    t = np.asarray(getattr(y_true, "data", y_true))
    ps, ts = p.shape[1:], t.shape[1:]
    if ps != ts and not (ps == (1,) and ts == ()) and not (ps == () and ts == (1,)):
        raise ValueError(f"the {name} metric compares predictions and targets element by element, but the model "
                         f"gives {ps or 'a scalar'} per sample and y holds {ts or 'a scalar'} per sample")


class _MeanOf(Metric):
    def build_for(self, y_pred, y_true):
        _check_shapes(self.name, y_pred, y_true)

    def reset(self):
        self.total = 0.0
        self.count = 0

    def update(self, y_pred, y_true):
        p, t = _pair(y_pred, y_true)
        d = p.astype(np.float64) - t
        self.total += float(self._per(d).sum())
        self.count += d.size

    def result(self):
        return self.total / self.count if self.count else float("nan")


class MeanSquaredError(_MeanOf):
    """mean((y_pred - y_true)^2), accumulated in float64."""

    name = "mse"

    @staticmethod
    def _per(d):
        return d * d


class MeanAbsoluteError(_MeanOf):
    """mean(|y_pred - y_true|), accumulated in float64."""

    name = "mae"

    @staticmethod
    def _per(d):
        return np.abs(d)


class R2Score(Metric):
    """R^2 = 1 - SS_res / SS_tot per output column, averaged (scikit-learn's ``uniform_average``).

    Streaming: accumulates n, sum(y), sum(y^2) and SS_res in float64. A constant target
    (SS_tot = 0) scores 1.0 if predicted exactly, else 0.0 (scikit-learn's convention).
    """

    name = "r2"

    def build_for(self, y_pred, y_true):
        _check_shapes(self.name, y_pred, y_true)

    def reset(self):
        self.n = 0
        self.sum_y = self.sum_y2 = self.ss_res = 0.0

    def update(self, y_pred, y_true):
        p, t = _pair(y_pred, y_true)
        p = p.astype(np.float64).reshape(len(p), -1) if p.ndim else p.reshape(1, 1)
        t = t.astype(np.float64).reshape(len(t), -1) if t.ndim else t.reshape(1, 1)
        self.n += t.shape[0]
        self.sum_y = self.sum_y + t.sum(axis=0)
        self.sum_y2 = self.sum_y2 + (t * t).sum(axis=0)
        self.ss_res = self.ss_res + ((p - t) ** 2).sum(axis=0)

    def result(self):
        if self.n == 0:
            return float("nan")
        ss_tot = np.maximum(np.asarray(self.sum_y2 - self.sum_y ** 2 / self.n, dtype=float), 0.0)
        ss_res = np.asarray(self.ss_res, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1), np.where(ss_res == 0, 1.0, 0.0))
        return float(np.mean(r2))


REGISTRY = Registry("metric")
REGISTRY.register("accuracy", (Accuracy, {}), aliases=["acc"])
REGISTRY.register("binary_accuracy", (Accuracy, {"kind": "binary"}))
REGISTRY.register("categorical_accuracy", (Accuracy, {"kind": "categorical"}))
REGISTRY.register("sparse_categorical_accuracy", (Accuracy, {"kind": "sparse"}))
REGISTRY.register("mean_squared_error", (MeanSquaredError, {}), aliases=["mse"])
REGISTRY.register("mean_absolute_error", (MeanAbsoluteError, {}), aliases=["mae"])
REGISTRY.register("r2_score", (R2Score, {}), aliases=["r2"])


def names() -> list[str]:
    """The metric names ``get`` accepts (aliases included)."""
    return sorted(REGISTRY.names(aliases=True))


def get(spec, **kwargs) -> Metric:
    """A new :class:`Metric` from a name, a config dict or a Metric (a fresh copy of it)."""
    if isinstance(spec, Metric):
        return type(spec).from_config(spec.get_config())
    if isinstance(spec, dict):
        spec = dict(spec)
        return get(spec.pop("name", None), **spec, **kwargs)
    if isinstance(spec, str):
        cls, preset = REGISTRY.get(spec)
        return cls(**{**preset, **kwargs})
    raise TypeError(f"a metric must be a name, a config dict or a gdlab.nn.metrics.Metric, got {spec!r}")


def accuracy(y_pred, y_true, threshold=0.5) -> float:
    """Fraction of correct predictions; the kind (binary/categorical/sparse) is chosen from the shapes."""
    return Accuracy(threshold=threshold)(y_pred, y_true)


def mean_squared_error(y_pred, y_true) -> float:
    return MeanSquaredError()(y_pred, y_true)


def mean_absolute_error(y_pred, y_true) -> float:
    return MeanAbsoluteError()(y_pred, y_true)


def r2_score(y_pred, y_true) -> float:
    """1 - SS_res / SS_tot (averaged over output columns)."""
    return R2Score()(y_pred, y_true)
