"""Feature (and target) standardisation, fitted on training data."""

from __future__ import annotations

import numpy as np

__all__ = ["Standardizer"]


class Standardizer:
    """Standardise to zero mean and unit standard deviation: ``z = (x - mean_) / scale_``.

    Fit it on the training data only, then apply the same transformation to validation,
    test and new data. Seed 003 normalises both x and y before fitting y = 2 x^2 with a ReLU
    network and maps the predictions back: use one Standardizer for x and one for y, and
    ``inverse_transform`` on the predictions.

    Works on 1-D data (n,) (one feature; the statistics are scalars) and on 2-D data (n, d)
    (one mean and one standard deviation per column). An instance fitted on (n, d) data
    transforms any array whose last dimension is d; one fitted on (n,) data transforms
    arrays of any shape, e.g. a model's (n, 1) predictions.

    Constant features: where a feature's standard deviation is zero (or within rounding of
    zero: ``std <= 1e-12 * |mean|``), ``scale_`` is 1, so the feature is only centred (it
    becomes 0) and nothing is divided by zero. Seed 003 instead divides by ``std + 1e-5``;
    the two agree to about 1e-5 relative for ordinary data.

    The standard deviation is the population one (``ddof=0``), as in NumPy's ``std`` and
    scikit-learn's ``StandardScaler``. Statistics are float64; float32 input gives float32
    output, other input float64.

    Attributes (after ``fit``)
    --------------------------
    mean_ : ndarray, shape () or (d,)
    std_ : ndarray, the standard deviation as measured
    scale_ : ndarray, ``std_`` with (near-)zeros replaced by 1.0; what is divided by
    n_samples_seen_ : int
    n_features_in_ : int (1 for 1-D data)

    Example
    -------
    >>> sx, sy = Standardizer(), Standardizer()
    >>> xs, ys = sx.fit_transform(x_train), sy.fit_transform(y_train)
    >>> # ... train on (xs, ys) ...
    >>> y_pred = sy.inverse_transform(model.predict(sx.transform(x_test)))
    """

    def __repr__(self) -> str:
        return "Standardizer()" if not hasattr(self, "mean_") else f"Standardizer(fitted, n_features_in_={self.n_features_in_})"

    @staticmethod
    def _as_float(x, what: str) -> np.ndarray:
        a = np.asarray(x)
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{what} must be a real numeric array, got dtype {a.dtype}")
        if a.dtype != np.float32:
            a = a.astype(np.float64)
        return a

    def fit(self, x) -> "Standardizer":
        """Learn ``mean_``, ``std_`` and ``scale_`` from ``x`` of shape (n,) or (n, d), n >= 1."""
        a = self._as_float(x, "x")
        if a.ndim not in (1, 2):
            raise ValueError(f"x must have shape (n,) or (n, d), got {a.shape}")
        if a.shape[0] < 1:
            raise ValueError(f"x must hold at least one sample, got shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError("x contains NaN or inf; standardisation needs finite values")
        a = a.astype(np.float64)
        mean = a.mean(axis=0)
        std = a.std(axis=0)
        constant = std <= 1e-12 * np.abs(mean)
        self.mean_ = mean
        self.std_ = std
        self.scale_ = np.where(constant, 1.0, std)
        self.n_samples_seen_ = int(a.shape[0])
        self.n_features_in_ = 1 if a.ndim == 1 else int(a.shape[1])
        self._ndim = a.ndim
        return self

    def _check(self, x, what: str) -> np.ndarray:
        if not hasattr(self, "mean_"):
            raise RuntimeError("this Standardizer is not fitted yet: call fit(x_train) (or fit_transform) first")
        a = self._as_float(x, what)
        if self._ndim == 2 and (a.ndim == 0 or a.shape[-1] != self.n_features_in_):
            raise ValueError(
                f"{what} must have {self.n_features_in_} features in its last dimension "
                f"(the data it was fitted on), got shape {a.shape}"
            )
        return a

    def transform(self, x) -> np.ndarray:
        """``(x - mean_) / scale_``; a new array of the same shape."""
        a = self._check(x, "x")
        return ((a - self.mean_) / self.scale_).astype(a.dtype, copy=False)

    def inverse_transform(self, z) -> np.ndarray:
        """``z * scale_ + mean_``: back to the original units (e.g. predicted targets)."""
        a = self._check(z, "z")
        return (a * self.scale_ + self.mean_).astype(a.dtype, copy=False)

    def fit_transform(self, x) -> np.ndarray:
        """``fit(x)`` then ``transform(x)``."""
        return self.fit(x).transform(x)
