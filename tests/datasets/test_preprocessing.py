"""Standardizer: statistics, round trips, 1-D and 2-D, constant features, errors."""

import numpy as np
import pytest

from gdlab.datasets import Standardizer, make_seed003_quadratic


def test_fit_transform_2d():
    rng = np.random.default_rng(0)
    x = rng.normal([1.0, -5.0, 100.0], [2.0, 0.1, 30.0], size=(500, 3))
    s = Standardizer()
    assert s.fit(x) is s
    np.testing.assert_allclose(s.mean_, x.mean(axis=0))
    np.testing.assert_allclose(s.std_, x.std(axis=0))
    z = s.transform(x)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), 1, atol=1e-12)
    np.testing.assert_allclose(s.inverse_transform(z), x, rtol=1e-12)
    assert s.n_features_in_ == 3 and s.n_samples_seen_ == 500
    np.testing.assert_allclose(Standardizer().fit_transform(x), z)


def test_new_data_uses_training_statistics():
    s = Standardizer().fit(np.array([[0.0], [2.0]]))  # mean 1, std 1
    np.testing.assert_array_equal(s.transform(np.array([[3.0], [1.0]])), [[2.0], [0.0]])


def test_one_dimensional_targets_seed003():
    # seed 003 normalises y too and maps predictions back
    ds = make_seed003_quadratic()
    sy = Standardizer()
    z = sy.fit_transform(ds.y)
    assert z.shape == (100,) and sy.mean_.shape == () and sy.n_features_in_ == 1
    np.testing.assert_allclose(sy.inverse_transform(z), ds.y, rtol=1e-12)
    # a model's (n, 1) predictions invert too
    np.testing.assert_allclose(sy.inverse_transform(z[:, None])[:, 0], ds.y, rtol=1e-12)
    sx = Standardizer().fit(ds.x)
    assert abs(sx.transform(ds.x).std() - 1) < 1e-12


def test_constant_feature_no_division_by_zero():
    x = np.column_stack([np.full(10, 7.3), np.arange(10.0), np.zeros(10)])
    s = Standardizer().fit(x)
    np.testing.assert_array_equal(s.scale_[[0, 2]], [1.0, 1.0])
    with np.errstate(all="raise"):
        z = s.transform(x)
    np.testing.assert_allclose(z[:, 0], 0, atol=1e-12)
    np.testing.assert_array_equal(z[:, 2], 0)
    assert np.all(np.isfinite(z))
    np.testing.assert_allclose(s.inverse_transform(z), x, rtol=1e-12)
    one = Standardizer().fit(np.array([[4.0, 5.0]]))  # a single sample: every std is 0
    np.testing.assert_array_equal(one.transform(np.array([[4.0, 5.0]])), [[0.0, 0.0]])


def test_float32_stays_float32():
    x = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
    s = Standardizer().fit(x)
    assert s.transform(x).dtype == np.float32
    assert s.inverse_transform(s.transform(x)).dtype == np.float32
    assert Standardizer().fit_transform(np.arange(5)).dtype == np.float64


def test_errors():
    s = Standardizer()
    with pytest.raises(RuntimeError, match="not fitted"):
        s.transform(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="NaN or inf"):
        s.fit(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match=r"shape \(n,\) or \(n, d\)"):
        s.fit(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="at least one sample"):
        s.fit(np.zeros((0, 3)))
    with pytest.raises(TypeError, match="numeric"):
        s.fit(np.array(["a", "b"]))
    s.fit(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"3 features in its last dimension .* got shape \(4, 2\)"):
        s.transform(np.zeros((4, 2)))
    assert "n_features_in_=3" in repr(s)
