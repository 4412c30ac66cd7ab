"""Seeded synthetic data generators for regression and classification.

All generators take ``n_samples``, ``noise`` and ``seed`` (None, an int, or a
``numpy.random.Generator``; ints go through ``np.random.default_rng``). They draw the
noise-free data first and the standard-normal noise second, whatever ``noise`` is, so with a
fixed seed the output is ``clean + noise * z`` with the same ``clean`` and ``z`` for every
``noise``: doubling ``noise`` doubles the deviation from ``noise=0`` exactly.

Regression generators return ``x`` (n, d) float64 and ``y`` (n,) float64, the noise added to
``y``. Classification generators return ``x`` (n, 2) (``(n, n_features)`` for blobs) float64
and integer labels ``y`` (n,) int64 in ``0 .. k-1``, the noise added to ``x``; their samples
are shuffled unless ``shuffle=False`` (then they come class by class).
"""

from __future__ import annotations

import numbers

import numpy as np

from ._base import Dataset, check_n_samples, check_nonneg, check_range, check_real, make_rng

__all__ = [
    "make_linear",
    "make_polynomial",
    "make_sine",
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_xor",
    "make_blobs",
]


def _split_counts(n: int, k: int) -> np.ndarray:
    """n samples into k classes as evenly as possible, the first ``n % k`` classes one larger."""
    counts = np.full(k, n // k, dtype=np.int64)
    counts[: n % k] += 1
    return counts


def _classification(clean, y, noise, rng, shuffle: bool, **dataset) -> Dataset:
    """A classification Dataset: Gaussian noise of standard deviation ``noise`` added to the ``clean``
    points (the labels ``y`` stay those of the clean points), then shuffled unless ``shuffle`` is False."""
    x = clean + noise * rng.standard_normal(clean.shape)
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    if shuffle:
        order = rng.permutation(len(y))
        x, y = x[order], y[order]
    return Dataset(np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(y, dtype=np.int64),
                   task="classification", **dataset)


# ------------------------------------------------------------------------------- regression


def make_linear(
    n_samples: int = 100,
    n_features: int = 1,
    noise: float = 0.1,
    weights=None,
    bias: float = 1.0,
    x_range=(-1.0, 1.0),
    seed=None,
) -> Dataset:
    """Linear regression data: ``y = x @ w + b + noise * N(0, 1)``.

    ``x`` is uniform on ``x_range`` in every feature. ``weights=None`` means ``w = 2`` in every
    feature, so the default is the line ``y = 2 x + 1``.

    Returns
    -------
    Dataset
        ``x`` (n, n_features), ``y`` (n,); ``true_params = {"w": array (d,), "b": float}``.
    """
    n = check_n_samples(n_samples)
    d = check_n_samples(n_features, "n_features")
    noise = check_nonneg(noise)
    low, high = check_range(x_range, "x_range")
    b = check_real(bias, "bias")
    if weights is None:
        w = np.full(d, 2.0)
    else:
        w = np.asarray(weights, dtype=np.float64).reshape(-1)
        if w.shape != (d,) or not np.all(np.isfinite(w)):
            raise ValueError(f"weights must be {d} finite numbers (one per feature, n_features={d}), got {weights!r}")
    rng = make_rng(seed)
    x = rng.uniform(low, high, size=(n, d))
    y = x @ w + b + noise * rng.standard_normal(n)
    return Dataset(
        x,
        y,
        name="linear",
        description=f"y = x @ w + b + noise, x uniform on [{low:g}, {high:g}]^{d}.",
        true_params={"w": w.copy(), "b": b},
        info={"n_samples": n, "noise": noise, "x_range": (low, high), "rng_seed": seed},
    )


def make_polynomial(
    n_samples: int = 100,
    coefficients=(0.0, 0.0, 2.0),
    noise: float = 0.1,
    x_range=(-3.0, 3.0),
    seed=None,
    n_features: int = 1,
) -> Dataset:
    """Polynomial regression data: ``y = c0 + c1 x + c2 x^2 + ... + noise * N(0, 1)``.

    ``coefficients`` are in increasing powers of x (the reverse of ``np.polyval``); the
    default ``(0, 0, 2)`` is seed 003's ``y = 2 x^2``. ``x`` is uniform on ``x_range``
    (use :func:`make_seed003_quadratic` for the seed's evenly spaced version). With
    ``n_features = d > 1`` the polynomial is summed over the features,
    ``y = sum_j p(x_j) + noise`` (d = 2 with the default: the bowl ``2 x1^2 + 2 x2^2``);
    d = 1 draws exactly the numbers it always did.

    Returns
    -------
    Dataset
        ``x`` (n, n_features), ``y`` (n,); ``true_params = {"coefficients": array}``.
    """
    n = check_n_samples(n_samples)
    d = check_n_samples(n_features, "n_features")
    noise = check_nonneg(noise)
    low, high = check_range(x_range, "x_range")
    c = np.asarray(coefficients, dtype=np.float64).reshape(-1)
    if c.size == 0 or not np.all(np.isfinite(c)):
        raise ValueError(f"coefficients must be one or more finite numbers (c0, c1, ...), got {coefficients!r}")
    rng = make_rng(seed)
    x = rng.uniform(low, high, size=(n, d))
    y = np.polynomial.polynomial.polyval(x, c).sum(axis=1) + noise * rng.standard_normal(n)
    where = f"[{low:g}, {high:g}]" + (f"^{d}" if d > 1 else "")
    return Dataset(
        x,
        y,
        name="polynomial",
        description=(f"y = sum_k c_k x^k + noise (degree {c.size - 1}" + (", summed over the features" if d > 1 else "")
                     + f"), x uniform on {where}."),
        true_params={"coefficients": c.copy()},
        info={"n_samples": n, "noise": noise, "x_range": (low, high), "rng_seed": seed},
    )


def make_sine(
    n_samples: int = 100,
    noise: float = 0.1,
    amplitude: float = 1.0,
    frequency: float = 1.0,
    phase: float = 0.0,
    x_range=(0.0, 2.0 * np.pi),
    seed=None,
    n_features: int = 1,
) -> Dataset:
    """A noisy sine wave: ``y = amplitude * sin(frequency * x + phase) + noise * N(0, 1)``.

    ``x`` is uniform on ``x_range`` (default one period, [0, 2 pi]). A classic target for a
    small network with a nonlinear activation. With ``n_features = d > 1`` the sines of the
    features are multiplied, ``y = amplitude * prod_j sin(frequency * x_j + phase) + noise``
    (d = 2: an egg crate of four bumps on the default square); d = 1 draws exactly the
    numbers it always did.

    Returns
    -------
    Dataset
        ``x`` (n, n_features), ``y`` (n,).
    """
    n = check_n_samples(n_samples)
    d = check_n_samples(n_features, "n_features")
    noise = check_nonneg(noise)
    low, high = check_range(x_range, "x_range")
    a, f, p = check_real(amplitude, "amplitude"), check_real(frequency, "frequency"), check_real(phase, "phase")
    rng = make_rng(seed)
    x = rng.uniform(low, high, size=(n, d))
    y = a * np.prod(np.sin(f * x + p), axis=1) + noise * rng.standard_normal(n)
    where = f"[{low:g}, {high:g}]" + (f"^{d}" if d > 1 else "")
    return Dataset(
        x,
        y,
        name="sine",
        description=(f"y = {a:g} " + ("prod_j " if d > 1 else "") + f"sin({f:g} x{'_j' if d > 1 else ''} + {p:g})"
                     f" + noise, x uniform on {where}."),
        true_params={"amplitude": a, "frequency": f, "phase": p},
        info={"n_samples": n, "noise": noise, "x_range": (low, high), "rng_seed": seed},
    )


# --------------------------------------------------------------------------- classification


def make_moons(n_samples: int = 200, noise: float = 0.1, seed=None, shuffle: bool = True) -> Dataset:
    """Two interleaving half circles in 2-D (binary classification).

    Class 0: ``(cos t, sin t)`` for t evenly spaced on [0, pi] (the upper arc, ``n // 2``
    points); class 1: ``(1 - cos t, 0.5 - sin t)`` (the lower arc shifted right, the rest).
    Gaussian noise of standard deviation ``noise`` is added to both coordinates.

    Returns
    -------
    Dataset
        ``x`` (n, 2) float64, ``y`` (n,) int64 in {0, 1}.
    """
    n = check_n_samples(n_samples)
    noise = check_nonneg(noise)
    rng = make_rng(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    clean = np.concatenate(
        [np.column_stack([np.cos(t0), np.sin(t0)]), np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])]
    )
    y = np.repeat(np.array([0, 1]), [n0, n1])
    return _classification(clean, y, noise, rng, shuffle,
                           name="moons",
                           description="Two interleaving half circles (binary classification).",
                           info={"n_samples": n, "noise": noise, "rng_seed": seed})


def make_circles(
    n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, seed=None, shuffle: bool = True
) -> Dataset:
    """Two concentric circles in 2-D (binary classification).

    Class 0 lies on the unit circle (``n // 2`` points, evenly spaced angles), class 1 on the
    circle of radius ``factor`` (0 < factor < 1, the rest). Gaussian noise of standard
    deviation ``noise`` is added to both coordinates. Not linearly separable.

    Returns
    -------
    Dataset
        ``x`` (n, 2) float64, ``y`` (n,) int64 in {0, 1}.
    """
    n = check_n_samples(n_samples)
    noise = check_nonneg(noise)
    factor = check_real(factor, "factor")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor (inner radius / outer radius) must be in (0, 1), got {factor!r}")
    rng = make_rng(seed)
    n0 = n // 2
    n1 = n - n0
    a0 = np.linspace(0.0, 2.0 * np.pi, n0, endpoint=False)
    a1 = np.linspace(0.0, 2.0 * np.pi, n1, endpoint=False)
    clean = np.concatenate(
        [np.column_stack([np.cos(a0), np.sin(a0)]), factor * np.column_stack([np.cos(a1), np.sin(a1)])]
    )
    y = np.repeat(np.array([0, 1]), [n0, n1])
    return _classification(clean, y, noise, rng, shuffle,
                           name="circles",
                           description=f"Two concentric circles, radii 1 and {factor:g} (binary classification).",
                           info={"n_samples": n, "noise": noise, "factor": factor, "rng_seed": seed})


def make_spirals(
    n_samples: int = 300, n_arms: int = 2, noise: float = 0.05, turns: float = 1.0, seed=None, shuffle: bool = True
) -> Dataset:
    """Interleaved spiral arms in 2-D, one class per arm (k-class classification).

    Arm ``k`` of ``K`` is ``r (cos theta, sin theta)`` with ``r`` evenly spaced on
    [0.05, 1] and ``theta = 2 pi (turns * r + k / K)``: the arms start near the origin,
    rotated by 1/K of a turn from one another, and wind ``turns`` times. Gaussian noise of
    standard deviation ``noise`` is added to both coordinates. The samples are split over
    the arms as evenly as possible.

    Returns
    -------
    Dataset
        ``x`` (n, 2) float64, ``y`` (n,) int64 in ``0 .. n_arms - 1``.
    """
    n = check_n_samples(n_samples)
    k_arms = check_n_samples(n_arms, "n_arms", minimum=2)
    noise = check_nonneg(noise)
    turns = check_real(turns, "turns")
    if turns <= 0:
        raise ValueError(f"turns must be > 0, got {turns!r}")
    rng = make_rng(seed)
    parts, labels = [], []
    for k, m in enumerate(_split_counts(n, k_arms)):
        r = np.linspace(0.05, 1.0, m)
        theta = 2.0 * np.pi * (turns * r + k / k_arms)
        parts.append(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
        labels.append(np.full(m, k))
    clean = np.concatenate(parts)
    y = np.concatenate(labels)
    return _classification(clean, y, noise, rng, shuffle,
                           name="spirals",
                           description=f"{k_arms} interleaved spiral arms, {turns:g} turn(s) each (one class per arm).",
                           info={"n_samples": n, "n_arms": k_arms, "noise": noise, "turns": turns, "rng_seed": seed})


def make_xor(n_samples: int = 200, noise: float = 0.1, seed=None, shuffle: bool = True) -> Dataset:
    """The XOR problem in 2-D (binary classification, not linearly separable).

    Points are uniform on the square [-1, 1]^2; the label is 1 where exactly one coordinate
    is positive (quadrants II and IV), else 0. Gaussian noise of standard deviation
    ``noise`` is then added to the coordinates (the labels stay those of the clean points,
    so noise blurs the boundary along the axes).

    Returns
    -------
    Dataset
        ``x`` (n, 2) float64, ``y`` (n,) int64 in {0, 1}.
    """
    n = check_n_samples(n_samples)
    noise = check_nonneg(noise)
    rng = make_rng(seed)
    clean = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = ((clean[:, 0] > 0) != (clean[:, 1] > 0)).astype(np.int64)
    return _classification(clean, y, noise, rng, shuffle,
                           name="xor",
                           description="XOR: label 1 where exactly one of x1, x2 is positive (binary classification).",
                           info={"n_samples": n, "noise": noise, "rng_seed": seed})


def make_blobs(
    n_samples: int = 300,
    centers=3,
    n_features: int = 2,
    noise: float = 1.0,
    center_box=(-10.0, 10.0),
    seed=None,
    shuffle: bool = True,
) -> Dataset:
    """Isotropic Gaussian blobs, one class per center (k-class classification).

    ``centers`` is either the number of centers k (drawn uniformly in ``center_box`` in every
    feature) or an array (k, n_features) of centers. Each sample is its center plus
    ``noise * N(0, I)``: here ``noise`` is the standard deviation of every blob. The samples
    are split over the centers as evenly as possible.

    Returns
    -------
    Dataset
        ``x`` (n, n_features) float64, ``y`` (n,) int64 in ``0 .. k - 1``;
        ``true_params = {"centers": array (k, n_features)}``.
    """
    n = check_n_samples(n_samples)
    noise = check_nonneg(noise)
    rng = make_rng(seed)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = check_n_samples(centers, "centers", minimum=1)
        d = check_n_samples(n_features, "n_features")
        low, high = check_range(center_box, "center_box")
        c = rng.uniform(low, high, size=(k, d))
    else:
        try:
            c = np.array(centers, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"centers must be an int >= 1 or an array (k, n_features) of centers, got {centers!r}") from None
        if c.ndim != 2 or c.shape[0] < 1 or c.shape[1] < 1 or not np.all(np.isfinite(c)):
            raise ValueError(f"centers must be an int >= 1 or a finite array (k, n_features), got shape {c.shape}")
        k, d = c.shape
    counts = _split_counts(n, k)
    y = np.repeat(np.arange(k), counts)
    return _classification(c[y], y, noise, rng, shuffle,
                           name="blobs",
                           description=f"{k} Gaussian blobs in {d}-D, standard deviation {noise:g} (one class per blob).",
                           true_params={"centers": c.copy()},
                           info={"n_samples": n, "noise": noise, "rng_seed": seed})
