"""Synthetic generators: shapes, dtypes, determinism, labels, noise scaling, errors."""

import numpy as np
import pytest

from gdlab.datasets import (
    make_blobs,
    make_circles,
    make_linear,
    make_moons,
    make_polynomial,
    make_sine,
    make_spirals,
    make_xor,
)

REGRESSION = [make_linear, make_polynomial, make_sine]
CLASSIFICATION = [make_moons, make_circles, make_spirals, make_xor, make_blobs]
ALL = REGRESSION + CLASSIFICATION


@pytest.mark.parametrize("fn", REGRESSION)
def test_regression_shapes(fn):
    ds = fn(n_samples=37, seed=0)
    assert ds.x.shape == (37, 1) and ds.x.dtype == np.float64
    assert ds.y.shape == (37,) and ds.y.dtype == np.float64
    assert ds.task == "regression"


@pytest.mark.parametrize("fn", CLASSIFICATION)
def test_classification_shapes(fn):
    ds = fn(n_samples=41, seed=0)
    assert ds.x.shape == (41, 2) and ds.x.dtype == np.float64
    assert ds.y.shape == (41,) and ds.y.dtype == np.int64
    assert ds.task == "classification"
    assert ds.y.min() >= 0 and ds.y.max() == ds.n_classes - 1


@pytest.mark.parametrize("fn", ALL)
def test_deterministic_with_seed(fn):
    a, b, c = fn(seed=7), fn(seed=7), fn(seed=8)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x) or not np.array_equal(a.y, c.y)
    # a Generator works as seed, too
    g = fn(seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a.x, g.x)


@pytest.mark.parametrize("fn", ALL)
def test_noise_scales_linearly(fn):
    # Same seed: output = clean + noise * z with the same clean and z.
    clean, one, two = fn(noise=0.0, seed=3), fn(noise=0.1, seed=3), fn(noise=0.2, seed=3)
    if clean.task == "classification":
        # labels do not depend on the noise level; the noise moves the points
        np.testing.assert_array_equal(clean.y, one.y)
        np.testing.assert_array_equal(clean.y, two.y)
        d1, d2 = one.x - clean.x, two.x - clean.x
    else:
        d1, d2 = one.y - clean.y, two.y - clean.y
    np.testing.assert_allclose(d2, 2 * d1, rtol=1e-9, atol=1e-12)
    assert 0.05 < d1.std() < 0.15


@pytest.mark.parametrize("fn", ALL)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_tiny_sizes(fn, n):
    ds = fn(n_samples=n, seed=0)
    assert len(ds.x) == n and len(ds.y) == n


@pytest.mark.parametrize("fn", ALL)
def test_bad_common_arguments(fn):
    for bad in (0, -5):
        with pytest.raises(ValueError, match=rf"n_samples must be an int >= 1, got {bad}"):
            fn(n_samples=bad)
    with pytest.raises(TypeError, match="n_samples"):
        fn(n_samples=2.5)
    with pytest.raises(TypeError, match="n_samples"):
        fn(n_samples=True)
    with pytest.raises(ValueError, match=r"noise must be a finite real number >= 0, got -0.5"):
        fn(noise=-0.5)
    with pytest.raises(ValueError, match="noise"):
        fn(noise=float("nan"))
    with pytest.raises(TypeError, match="noise"):
        fn(noise="0.1")
    with pytest.raises(ValueError, match="seed"):
        fn(seed=-1)


def test_linear_truth():
    ds = make_linear(n_samples=200, n_features=3, weights=[1.0, -2.0, 0.5], bias=4.0, noise=0.0, seed=0)
    np.testing.assert_allclose(ds.y, ds.x @ [1.0, -2.0, 0.5] + 4.0)
    assert ds.x.shape == (200, 3)
    assert ds.x.min() >= -1 and ds.x.max() <= 1
    default = make_linear(noise=0.0, seed=0)
    np.testing.assert_allclose(default.y, 2 * default.x[:, 0] + 1)
    with pytest.raises(ValueError, match="weights"):
        make_linear(n_features=2, weights=[1.0])
    with pytest.raises(ValueError, match="x_range"):
        make_linear(x_range=(1, -1))


def test_polynomial_and_sine_truth():
    p = make_polynomial(coefficients=(1.0, -1.0, 0.0, 0.5), noise=0.0, x_range=(-2, 2), seed=0)
    x = p.x[:, 0]
    np.testing.assert_allclose(p.y, 1 - x + 0.5 * x**3)
    assert x.min() >= -2 and x.max() <= 2
    s = make_sine(amplitude=2.0, frequency=3.0, phase=0.5, noise=0.0, seed=0)
    np.testing.assert_allclose(s.y, 2 * np.sin(3 * s.x[:, 0] + 0.5))
    with pytest.raises(ValueError, match="coefficients"):
        make_polynomial(coefficients=())


def test_moons_geometry_and_balance():
    ds = make_moons(n_samples=101, noise=0.0, seed=0)
    assert np.bincount(ds.y).tolist() == [50, 51]
    upper, lower = ds.x[ds.y == 0], ds.x[ds.y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12


def test_circles_radii():
    ds = make_circles(n_samples=60, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(*ds.x.T)
    np.testing.assert_allclose(r[ds.y == 0], 1.0)
    np.testing.assert_allclose(r[ds.y == 1], 0.3)
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="factor"):
            make_circles(factor=bad)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_spirals_arms(k):
    ds = make_spirals(n_samples=100, n_arms=k, seed=0)
    counts = np.bincount(ds.y, minlength=k)
    assert counts.sum() == 100 and counts.max() - counts.min() <= 1 and len(counts) == k
    clean = make_spirals(n_samples=100, n_arms=k, noise=0.0, seed=0)
    r = np.hypot(*clean.x.T)
    assert r.min() >= 0.05 - 1e-12 and r.max() <= 1 + 1e-12
    with pytest.raises(ValueError, match="n_arms"):
        make_spirals(n_arms=1)


def test_spirals_not_shuffled_come_by_arm():
    ds = make_spirals(n_samples=9, n_arms=3, shuffle=False, seed=0)
    assert ds.y.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_xor_labels():
    ds = make_xor(n_samples=500, noise=0.0, seed=0)
    expected = (ds.x[:, 0] > 0) ^ (ds.x[:, 1] > 0)
    np.testing.assert_array_equal(ds.y, expected.astype(np.int64))
    assert 0.4 < ds.y.mean() < 0.6
    assert np.abs(ds.x).max() <= 1


def test_blobs():
    ds = make_blobs(n_samples=300, centers=4, n_features=3, noise=0.5, seed=0)
    assert ds.x.shape == (300, 3)
    assert np.bincount(ds.y).tolist() == [75, 75, 75, 75]
    centers = ds.true_params["centers"]
    assert centers.shape == (4, 3) and np.all(np.abs(centers) <= 10)
    for k in range(4):
        np.testing.assert_allclose(ds.x[ds.y == k].mean(axis=0), centers[k], atol=0.25)
        assert np.all((0.4 < ds.x[ds.y == k].std(axis=0)) & (ds.x[ds.y == k].std(axis=0) < 0.6))
    given = make_blobs(n_samples=10, centers=[[0, 0], [5, 5]], noise=0.0, seed=0)
    np.testing.assert_array_equal(given.x, np.array([[0, 0], [5, 5]])[given.y])
    with pytest.raises(ValueError, match="centers"):
        make_blobs(centers=0)
    with pytest.raises(ValueError, match="centers"):
        make_blobs(centers=[1.0, 2.0])
    with pytest.raises(ValueError, match="n_features"):
        make_blobs(n_features=0)


def test_shuffle_must_be_bool():
    with pytest.raises(TypeError, match="shuffle"):
        make_moons(shuffle="yes")
