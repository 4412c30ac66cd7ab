"""Splitting a data set into training and test parts."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._base import make_rng

__all__ = ["train_test_split"]


def _n_test(test_size, n: int) -> int:
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(
            f"test_size must be a float in (0, 1) (a fraction) or an int in [1, n - 1] (a count), got {test_size!r}"
        )
    if isinstance(test_size, numbers.Integral):
        k = int(test_size)
        if not 1 <= k <= n - 1:
            raise ValueError(f"test_size as a count must be in [1, n - 1] = [1, {n - 1}] for n = {n} samples, got {k}")
        return k
    frac = float(test_size)
    if not 0.0 < frac < 1.0:
        raise ValueError(f"test_size as a fraction must be in (0, 1), got {test_size!r}")
    # ceil(frac * n), guarded against rounding (0.1 * 30 is 3.0000000000000004 in floating point).
    k = math.ceil(round(frac * n, 9))
    if k >= n:
        raise ValueError(f"test_size={test_size!r} of n = {n} samples leaves no training sample ({k} test samples)")
    return max(k, 1)


def train_test_split(x, y, test_size=0.25, seed=None, shuffle: bool = True, stratify=None):
    """Split ``x`` and ``y`` into training and test parts (scikit-learn's semantics).

    Parameters
    ----------
    x, y : array-likes with the same first dimension n (n >= 2)
    test_size : float in (0, 1) or int in [1, n - 1], default 0.25
        A fraction (the test part gets ``ceil(test_size * n)`` samples) or a count.
    seed : None, int >= 0 or numpy.random.Generator
        Seeds the shuffle; the same seed gives the same split.
    shuffle : bool, default True
        False takes the last ``n_test`` samples, in order, as the test part (and cannot be
        combined with ``stratify``).
    stratify : array-like of n class labels, or None
        If given, each class keeps (as nearly as whole samples allow) its proportion in both
        parts. Usually ``stratify=y``. Every class needs at least 2 samples, and the test and
        training parts at least one sample per class.

    Returns
    -------
    x_train, x_test, y_train, y_test : ndarrays
        In this order, as in scikit-learn. With ``shuffle=True`` both parts are in random
        order.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"x and y must be arrays with a first (sample) dimension, got shapes {x.shape} and {y.shape}")
    n = len(x)
    if len(y) != n:
        raise ValueError(f"x and y must have the same number of samples, got len(x) = {n} and len(y) = {len(y)}")
    if n < 2:
        raise ValueError(f"need at least 2 samples to split, got {n}")
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    n_test = _n_test(test_size, n)
    rng = make_rng(seed)

    if stratify is None:
        if shuffle:
            order = rng.permutation(n)
            test_idx, train_idx = order[:n_test], order[n_test:]
        else:
            train_idx, test_idx = np.arange(n - n_test), np.arange(n - n_test, n)
    else:
        if not shuffle:
            raise ValueError("stratify requires shuffle=True (a stratified split draws each class's samples at random)")
        train_idx, test_idx = _stratified(np.asarray(stratify), n, n_test, rng)
    return x[train_idx], x[test_idx], y[train_idx], y[test_idx]


def _stratified(strata: np.ndarray, n: int, n_test: int, rng: np.random.Generator):
    if strata.ndim != 1 or len(strata) != n:
        raise ValueError(f"stratify must be a 1-D array of n = {n} labels, got shape {strata.shape}")
    classes, inverse, counts = np.unique(strata, return_inverse=True, return_counts=True)
    k = len(classes)
    if counts.min() < 2:
        lonely = classes[counts < 2]
        raise ValueError(
            f"stratify: every class needs at least 2 samples; class(es) {lonely.tolist()} have only 1"
        )
    if n_test < k or n - n_test < k:
        raise ValueError(
            f"stratify: the test part ({n_test} samples) and the training part ({n - n_test}) must each hold "
            f"at least one sample of each of the {k} classes; change test_size"
        )
    # Largest-remainder allocation of the n_test test samples over the classes (ties at random).
    quota = n_test * counts / n
    per_class = np.floor(quota).astype(np.int64)
    left = n_test - int(per_class.sum())
    if left:
        order = np.lexsort((rng.random(k), -(quota - per_class)))
        per_class[order[:left]] += 1
    train_parts, test_parts = [], []
    for c in range(k):
        members = rng.permutation(np.flatnonzero(inverse == c))
        test_parts.append(members[: per_class[c]])
        train_parts.append(members[per_class[c]:])
    train_idx = rng.permutation(np.concatenate(train_parts))
    test_idx = rng.permutation(np.concatenate(test_parts))
    return train_idx, test_idx
