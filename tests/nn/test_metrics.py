"""Metrics: values, kinds chosen from shapes, streaming equals one shot."""

import numpy as np
import pytest

from gdlab.nn import metrics


def test_accuracy_kinds():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [4.0, 0.0, 0.0]])
    labels = np.array([0, 1, 1, 0])
    assert metrics.accuracy(logits, labels) == 0.75  # sparse
    assert metrics.accuracy(logits, np.eye(3)[labels]) == 0.75  # categorical
    assert metrics.accuracy(np.array([[0.9], [0.2], [0.6]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)  # binary
    assert metrics.accuracy(np.array([0.9, 0.2, 0.6]), np.array([1, 0, 0]), threshold=0.7) == 1.0


def test_accuracy_refuses_regression_targets():
    with pytest.raises(ValueError, match="classification metric"):
        metrics.accuracy(np.array([[1.0], [2.0]]), np.array([1.0, 2.5]))


def test_regression_metrics():
    rng = np.random.default_rng(0)
    p, t = rng.normal(size=(20, 2)), rng.normal(size=(20, 2))
    assert metrics.mean_squared_error(p, t) == pytest.approx(((p - t) ** 2).mean())
    assert metrics.mean_absolute_error(p, t) == pytest.approx(np.abs(p - t).mean())
    r2 = np.mean([1 - ((p[:, j] - t[:, j]) ** 2).sum() / ((t[:, j] - t[:, j].mean()) ** 2).sum() for j in range(2)])
    assert metrics.r2_score(p, t) == pytest.approx(r2)
    assert metrics.r2_score(t, t) == 1.0
    assert metrics.r2_score(np.ones(3), np.ones(3)) == 1.0 and metrics.r2_score(np.zeros(3), np.ones(3)) == 0.0


@pytest.mark.parametrize("name", ["accuracy", "mse", "mae", "r2"])
def test_streaming_equals_one_shot(name):
    rng = np.random.default_rng(1)
    if name == "accuracy":
        p, t = rng.normal(size=(50, 4)), rng.integers(0, 4, 50)
    else:
        p, t = rng.normal(size=(50, 1)), rng.normal(size=50)
    m = metrics.get(name)
    m.build_for(p, t)
    for lo in range(0, 50, 7):
        m.update(p[lo:lo + 7], t[lo:lo + 7])
    assert m.result() == pytest.approx(metrics.get(name)(p, t), rel=1e-12)
    m.reset()
    assert np.isnan(m.result())


def test_names():
    for name in metrics.names():
        assert isinstance(metrics.get(name), metrics.Metric)
    assert metrics.get("sparse_categorical_accuracy").kind == "sparse"
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.get("precision")
