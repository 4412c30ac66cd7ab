"""Data-defined objectives: the loss of a model over a data set, as a function of its parameters.

``regression_loss(x, y, bias=True, loss="mse")`` is the loss of the linear model
``y_hat = x @ w (+ b)`` over the data, as a function of the parameter vector
``theta = (w_1, ..., w_f[, b])``::

    r_i(theta) = x_i . w (+ b) - y_i
    L(theta)   = c * sum_i r_i^2,   c = 1/N ("mse"), 1/(2N) ("half_mse"), 1 ("sse"), 1/2 ("half_sse")
    grad L     = 2c * X_a^T r,      Hessian = 2c * X_a^T X_a (constant: a quadratic)

with ``X_a`` the data with a column of ones appended when there is a bias. Seed 001 uses
"sse", seed 002 "mse" and seed 003 "half_sse" (its ``0.5 * np.square(out - y).sum()``).

Mini-batches
------------
``f.value(theta, batch=idx)`` and ``f.grad(theta, batch=idx)`` estimate the *same* loss from
the samples ``idx`` (b of them)::

    L_B(theta) = c * (N / b) * sum_{i in B} r_i^2

so that the estimate is unbiased (its mean over uniformly drawn batches is ``L``), and GD
(all samples), SGD (b = 1) and mini-batch paths move on the same surface with the same
meaning of lr. ``idx`` may be (b,) (one batch for every parameter row) or (n, b) (a batch per
row, as the vectorized runner draws them). For "mse" this is the batch's own mean squared
error; for the sum reductions it is N/b times the batch's sum. (Seed 003's SGD updates with
the gradient of one sample's ``0.5 r_i^2``, which is 1/N of gdlab's estimate: its lr 1e-4 is
gdlab's lr 1e-4 / N.)
"""

from __future__ import annotations

import numpy as np

from ._function import Function, as_points

__all__ = ["DataLoss", "regression_loss", "LOSSES"]

#: loss name -> (scale c as a function of N, plain-text prefix)
LOSSES = {
    "mse": (lambda n: 1.0 / n, "1/N * sum_i"),
    "half_mse": (lambda n: 0.5 / n, "1/(2N) * sum_i"),
    "sse": (lambda n: 1.0, "sum_i"),
    "half_sse": (lambda n: 0.5, "0.5 * sum_i"),
}
_MODELS = ("linear",)


class DataLoss(Function):
    """The loss of the linear model over a data set, as a Function of theta = (w[, b]).

    Attributes (besides :class:`Function`'s): ``x`` (N, f), ``y`` (N,), ``n_samples``,
    ``n_features``, ``bias`` (bool), ``loss`` (name), ``scale`` (c), ``param_names`` (also the
    ``variables`` figures label their axes with),
    ``least_squares`` (the exact minimiser, also ``minima[0]``), ``true_params`` (when the data
    set knows them, else None).
    """

    def __init__(self, x, y, *, bias=True, loss="mse", name=None, bounds=None, start=None,
                 true_params=None, description="", label=None):
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2:
            raise ValueError(f"x must be (n_samples, n_features) or (n_samples,), got shape {x.shape}")
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or y.shape[0] != x.shape[0]:
            raise ValueError(f"y must be (n_samples,) with n_samples = {x.shape[0]} (x's rows), got shape {y.shape}")
        if x.shape[0] < 1:
            raise ValueError("the data set is empty: x has no rows")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise ValueError("x and y must be finite (no nan or inf)")
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}; got {loss!r}")
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"bias must be True or False, got {bias!r}")
        self.x, self.y = x, y
        self.n_samples, self.n_features = x.shape
        self.bias = bool(bias)
        self.loss = loss
        self.scale = LOSSES[loss][0](self.n_samples)
        self._xa = np.concatenate([x, np.ones((self.n_samples, 1))], axis=1) if self.bias else x
        self._xa_t = np.ascontiguousarray(self._xa.T)
        f = self.n_features
        self.param_names = tuple(f"w{i + 1}" for i in range(f)) if f > 1 else ("w",)
        if self.bias:
            self.param_names += ("b",)
        d = len(self.param_names)
        self.least_squares = np.linalg.lstsq(self._xa, y, rcond=None)[0]
        self.true_params = None if true_params is None else np.asarray(true_params, dtype=np.float64).reshape(d)
        H = 2.0 * self.scale * (self._xa.T @ self._xa)
        if bounds is None:
            centre = self.least_squares
            half = np.maximum(5.0, 2.0 * np.abs(centre))
            bounds = np.stack([centre - half, centre + half], axis=-1)
        model = " + ".join(f"{p}*x{i + 1}" if f > 1 else f"{p}*x" for i, p in enumerate(self.param_names[:f]))
        if self.bias:
            model += " + b"
        prefix = LOSSES[loss][1]
        xa, scale = self._xa_t, self.scale

        def value(theta, m):
            r = theta @ xa - y
            return scale * m.sum(r * r, axis=-1)

        super().__init__(
            value, d, generic=True, name=name or f"{loss}_linear_regression",
            grad=self._full_grad,
            formula=f"{prefix} ({model} - y_i)**2 over {self.n_samples} samples",
            latex=_latex(loss, self.param_names, f, self.bias),
            description=description or f"The {loss} of y = {model} over {self.n_samples} samples.",
            minima=self.least_squares[None, :], bounds=bounds, start=start, constant_hessian=H,
            params={"n_samples": self.n_samples, "n_features": f, "bias": self.bias, "loss": loss},
            label=label, variables=self.param_names,
        )

    # -- full batch -----------------------------------------------------------------------
    def _full_grad(self, theta):
        r = theta @ self._xa_t - self.y
        return (2.0 * self.scale) * (r @ self._xa)

    def residuals(self, theta):
        """r_i = x_i . w (+ b) - y_i for parameter rows theta (..., d) -> (..., N)."""
        pts, _ = as_points(theta, self.dim, "theta")
        return pts @ self._xa_t - self.y

    def predict(self, theta, x=None):
        """Model output x . w (+ b) for one parameter vector theta (d,) on x (default: the data)."""
        theta = np.asarray(theta, dtype=np.float64)
        xa = self._xa if x is None else np.asarray(x, dtype=np.float64).reshape(-1, self.n_features)
        if x is not None and self.bias:
            xa = np.concatenate([xa, np.ones((xa.shape[0], 1))], axis=1)
        return xa @ theta

    # -- mini-batches -----------------------------------------------------------------------
    def _check_batch(self, batch, n_rows):
        idx = np.asarray(batch)
        if idx.dtype.kind not in "iu":
            raise TypeError(f"batch must be integer sample indices, got dtype {idx.dtype}")
        if idx.size == 0 or idx.ndim not in (1, 2) or (idx.ndim == 2 and idx.shape[0] != n_rows):
            raise ValueError(f"batch must be (b,) or (n, b) indices with n = {n_rows} parameter rows, got shape {idx.shape}")
        if idx.min() < 0 or idx.max() >= self.n_samples:
            raise ValueError(f"batch indices must be in [0, {self.n_samples}), got min {idx.min()} and max {idx.max()}")
        return idx

    def batch_value_and_grad(self, theta, idx):
        """Batch estimates (L_B, grad L_B) for rows theta (n, d) and indices idx (b,) or (n, b). No checks."""
        b = idx.shape[-1]
        k = self.scale * self.n_samples / b
        if idx.ndim == 1:
            xb = self._xa[idx]
            r = theta @ xb.T - self.y[idx]
            return k * np.sum(r * r, axis=-1), (2.0 * k) * (r @ xb)
        xb = self._xa[idx]  # (n, b, d)
        r = np.einsum("nbd,nd->nb", xb, theta) - self.y[idx]
        return k * np.sum(r * r, axis=-1), (2.0 * k) * np.einsum("nb,nbd->nd", r, xb)

    def value(self, theta, batch=None):
        """L(theta), or its estimate from the samples ``batch`` (see the module docstring)."""
        if batch is None:
            return self(theta)
        pts, unwrap = as_points(theta, self.dim, "theta")
        flat = pts.reshape(-1, self.dim)
        v, _ = self.batch_value_and_grad(flat, self._check_batch(batch, flat.shape[0]))
        return unwrap(v.reshape(pts.shape[:-1]))

    def grad(self, theta, batch=None):
        """grad L(theta), or the mini-batch estimate from the samples ``batch``."""
        if batch is None:
            return super().grad(theta)
        pts, unwrap = as_points(theta, self.dim, "theta")
        flat = pts.reshape(-1, self.dim)
        _, g = self.batch_value_and_grad(flat, self._check_batch(batch, flat.shape[0]))
        return unwrap(g.reshape(pts.shape), grad=True)

    def to_dict(self):
        out = super().to_dict()
        out.update(n_samples=self.n_samples, param_names=list(self.param_names), loss=self.loss,
                   least_squares=self.least_squares.tolist(),
                   true_params=None if self.true_params is None else self.true_params.tolist())
        return out


def _latex(loss, names, f, bias):
    pre = {"mse": r"\frac{1}{N}\sum_{i}", "half_mse": r"\frac{1}{2N}\sum_{i}",
           "sse": r"\sum_{i}", "half_sse": r"\frac{1}{2}\sum_{i}"}[loss]
    terms = " + ".join(rf"{_tex_name(p)} x_{{i{j + 1}}}" if f > 1 else rf"{_tex_name(p)} x_i"
                       for j, p in enumerate(names[:f]))
    if bias:
        terms += " + b"
    return rf"{pre} \left({terms} - y_i\right)^2"


def _tex_name(p):
    return p if len(p) == 1 else f"{p[0]}_{{{p[1:]}}}"


def regression_loss(x, y, model="linear", *, bias=True, loss="mse", **kwargs) -> DataLoss:
    """The loss of a linear model over the data (x, y), as a function of its parameters.

    >>> ds = gdlab.datasets.get("seed003_linear")
    >>> f = regression_loss(ds.x, ds.y, bias=False, loss="half_sse")   # seed 003's surface over (w1, w2)
    >>> f = regression_loss([1, 2, 3], [2, 4, 6], bias=False)           # seed 002's MSE over w
    >>> traj = gdlab.minimize(f, [-10, 10], optimizer="sgd", lr=1e-4, steps=1000, batch_size=1, seed=0)

    Parameters
    ----------
    x : (N, f) or (N,) array; y : (N,) array
    model : "linear" (y_hat = x . w + b); the only model so far
    bias : bool, default True; whether theta ends with an intercept b
    loss : "mse" (default), "half_mse", "sse" or "half_sse" (see the module docstring)
    kwargs : name, label, bounds, start, true_params, description

    Returns a :class:`DataLoss`: a Function of theta (dim f + bias) with the closed-form
    gradient, the constant Hessian, the least-squares minimiser as ``minima`` and the
    mini-batch estimates ``value(theta, batch=idx)`` / ``grad(theta, batch=idx)``.
    """
    if model not in _MODELS:
        raise ValueError(f"model must be one of {', '.join(map(repr, _MODELS))}; got {model!r}")
    return DataLoss(x, y, bias=bias, loss=loss, **kwargs)
