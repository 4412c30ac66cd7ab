"""train_test_split: sizes, disjointness, determinism, stratification, errors."""

import numpy as np
import pytest

from gdlab.datasets import load_digits, make_blobs, train_test_split


def _data(n=20, d=3):
    x = np.arange(n * d, dtype=float).reshape(n, d)
    y = np.arange(n)
    return x, y


@pytest.mark.parametrize("test_size, n_test", [(0.25, 5), (0.1, 2), (0.5, 10), (0.01, 1), (3, 3), (19, 19)])
def test_sizes(test_size, n_test):
    x, y = _data()
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_size, seed=0)
    assert len(x_te) == len(y_te) == n_test
    assert len(x_tr) == len(y_tr) == 20 - n_test
    # rows stay paired, and the parts are disjoint and cover everything
    np.testing.assert_array_equal(x_tr[:, 0] / 3, y_tr)
    np.testing.assert_array_equal(x_te[:, 0] / 3, y_te)
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(20))


def test_fraction_uses_ceil_without_rounding_noise():
    x, y = np.zeros((30, 1)), np.zeros(30)
    assert len(train_test_split(x, y, test_size=0.1, seed=0)[1]) == 3  # 0.1 * 30 = 3.0000000000000004
    assert len(train_test_split(x, y, test_size=0.11, seed=0)[1]) == 4  # ceil(3.3)


def test_deterministic_and_shuffled():
    x, y = _data(100)
    a = train_test_split(x, y, seed=42)
    b = train_test_split(x, y, seed=42)
    c = train_test_split(x, y, seed=43)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])
    assert not np.array_equal(a[2], np.sort(a[2]))


def test_no_shuffle_takes_the_tail():
    x, y = _data(8)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, shuffle=False)
    assert y_tr.tolist() == [0, 1, 2, 3, 4, 5] and y_te.tolist() == [6, 7]


def test_lists_and_1d_x():
    x_tr, x_te, y_tr, y_te = train_test_split([1, 2, 3, 4], [10, 20, 30, 40], test_size=1, seed=0)
    assert isinstance(x_tr, np.ndarray) and x_tr.shape == (3,) and x_te.shape == (1,)
    np.testing.assert_array_equal(y_te, x_te * 10)


def test_stratified_proportions():
    # 3 classes of 60, 30 and 10 samples
    y = np.repeat([0, 1, 2], [60, 30, 10])
    x = np.arange(100, dtype=float)[:, None]
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, seed=0, stratify=y)
    assert np.bincount(y_te).tolist() == [12, 6, 2]
    assert np.bincount(y_tr).tolist() == [48, 24, 8]
    np.testing.assert_array_equal(y[x_te[:, 0].astype(int)], y_te)


def test_stratified_digits_largest_remainder():
    ds = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(ds.x, ds.y, test_size=0.25, seed=1, stratify=ds.y)
    assert len(y_te) == 450 and len(y_tr) == 1347
    full = np.bincount(ds.y, minlength=10)
    test = np.bincount(y_te, minlength=10)
    assert np.all(np.abs(test - full * 450 / 1797) < 1)


def test_stratified_is_deterministic_and_accepts_string_labels():
    labels = np.array(["a", "b"] * 10)
    x = np.arange(20)
    a = train_test_split(x, labels, test_size=0.5, seed=3, stratify=labels)
    b = train_test_split(x, labels, test_size=0.5, seed=3, stratify=labels)
    np.testing.assert_array_equal(a[1], b[1])
    assert sorted(a[3].tolist()) == ["a"] * 5 + ["b"] * 5


def test_stratify_with_blobs_keeps_balance():
    ds = make_blobs(n_samples=90, centers=3, seed=0)
    *_, y_tr, y_te = train_test_split(ds.x, ds.y, test_size=1 / 3, seed=0, stratify=ds.y)
    assert np.bincount(y_te).tolist() == [10, 10, 10]


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.2, 1.5])
def test_bad_fraction(bad):
    x, y = _data()
    with pytest.raises(ValueError, match=rf"test_size as a fraction must be in \(0, 1\), got {bad}"):
        train_test_split(x, y, test_size=bad)


@pytest.mark.parametrize("bad", [0, 20, 25, -1])
def test_bad_count(bad):
    x, y = _data()
    with pytest.raises(ValueError, match=rf"test_size as a count must be in \[1, n - 1\] = \[1, 19\] for n = 20 samples, got {bad}"):
        train_test_split(x, y, test_size=bad)


def test_other_errors():
    x, y = _data()
    with pytest.raises(TypeError, match="test_size"):
        train_test_split(x, y, test_size="0.2")
    with pytest.raises(TypeError, match="test_size"):
        train_test_split(x, y, test_size=True)
    with pytest.raises(ValueError, match=r"len\(x\) = 20 and len\(y\) = 19"):
        train_test_split(x, y[:-1])
    with pytest.raises(ValueError, match="at least 2 samples"):
        train_test_split(x[:1], y[:1])
    with pytest.raises(ValueError, match="leaves no training sample"):
        train_test_split(x, y, test_size=0.99)
    with pytest.raises(ValueError, match="shuffle=True"):
        train_test_split(x, y, shuffle=False, stratify=y % 2)
    with pytest.raises(ValueError, match=r"class\(es\) \[19\] have only 1"):
        train_test_split(x, y, stratify=np.where(y == 19, 19, 0))
    with pytest.raises(ValueError, match="one sample of each of the 2 classes"):
        train_test_split(x, y, test_size=1, stratify=y % 2)
    with pytest.raises(ValueError, match="1-D array of n = 20 labels"):
        train_test_split(x, y, stratify=y[:5])
