"""The objective-function interface shared by the catalog, expressions and data losses.

A :class:`Function` is a scalar field f: R^d -> R with what a lab bench wants beside it:

* ``f(x)``: values on arrays or Tensors whose last axis is ``f.dim`` (batch shapes allowed,
  result shape ``x.shape[:-1]``). A 1-D function also takes scalars (-> a float) and, for
  plotting, arrays whose last axis is not 1 (evaluated elementwise, result of the same shape).
* ``f.grad(x)``: the gradient, same shape as the points; closed form where the catalog lists
  one (``f.has_closed_form_grad``), reverse-mode autodiff otherwise. ``f.autodiff_grad(x)``
  always differentiates ``f``'s value with gdlab's autodiff (the tests compare the two).
* ``f.value_and_grad(x)``, ``f.hessian(x)`` (d, d) at one point.
* what is known: ``minima`` (k, d) global minima and ``minimum_value``, ``local_minima``,
  ``maxima``, ``saddles`` (arrays of points, (0, d) when none), ``bounds`` (d, 2) plot bounds,
  ``start`` (d,) a default start, ``formula`` (plain text), ``latex``, ``name``, ``dim``,
  ``label`` (the name figures show, default ``name``), ``variables`` (the coordinates' names,
  default x, y, z), ``params`` (the parameters it was built with), ``constant_hessian`` ((d, d) for quadratics,
  else None), ``unbounded_below`` (True when f has no minimum at all, e.g. x^2 - y^2).

How values are computed
-----------------------
Catalog and expression functions write their value once, as ``value(x, ops)``, where ``ops``
is a NumPy-like namespace: on Tensors it is :mod:`gdlab.autodiff` (so autodiff gives the
gradient), on plain arrays it is NumPy itself (:data:`NUMPY_OPS`), so evaluating a grid of a
million points costs what NumPy costs, with no graph. A user's own callable ``value(x)``,
written with gdlab ops (``gdlab.sin(x[..., 0]) * ...``), works too (``Function(value, dim)``);
it is then always evaluated through gdlab ops.

Objective functions compute in float64 (inputs are converted); Tensors keep their dtype.
"""

from __future__ import annotations

import functools
import numbers
import types

import numpy as np

from .. import _display
from .. import autodiff as _ad
from .._alloc import warm_allocator
from ..autodiff import Tensor, enable_grad, no_grad
from ..autodiff.tensor import _leaf

__all__ = ["Function", "NUMPY_OPS", "AUTODIFF_OPS", "as_points"]


class _NumpyOps:
    """NumPy with the names and conventions of :mod:`gdlab.autodiff` (the ops namespace on arrays)."""

    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    tan = staticmethod(np.tan)
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    abs = staticmethod(np.abs)
    tanh = staticmethod(np.tanh)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    where = staticmethod(np.where)
    stack = staticmethod(np.stack)

    @staticmethod
    def sum(x, axis=None, keepdims=False):
        return np.sum(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def mean(x, axis=None, keepdims=False):
        return np.mean(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def sigmoid(x):
        e = np.exp(-np.abs(x))
        return np.where(np.asarray(x) >= 0, 1 / (1 + e), e / (1 + e))

    @staticmethod
    def relu(x):
        return np.maximum(x, 0)

    @staticmethod
    def softplus(x):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


#: The ops namespace used on plain arrays.
NUMPY_OPS = _NumpyOps()
#: The ops namespace used on Tensors (gdlab's autodiff ops).
AUTODIFF_OPS = _ad


def _points_array(value, name):
    """``value`` as an at-least-0-d float64 ndarray, or a TypeError naming it."""
    if isinstance(value, Tensor):
        value = value.data
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    return arr


def as_points(x, dim: int, name: str = "x"):
    """Return ``(points, unwrap)``: ``points`` is a float64 array (..., dim).

    ``unwrap(values)`` turns values of shape ``points.shape[:-1]`` (or gradients of shape
    ``points.shape``) back into the caller's shape: a float for a scalar input to a 1-D
    function, the input's shape for a 1-D function called elementwise.
    """
    arr = _points_array(x, name)
    if dim == 1 and (arr.ndim == 0 or arr.shape[-1] != 1):
        shape = arr.shape
        pts = arr[..., None]

        def unwrap(v, grad=False):
            v = np.asarray(v)
            if grad:
                v = v[..., 0]
            return float(v) if not shape else v.reshape(shape)

        return pts, unwrap
    if arr.ndim == 0 or arr.shape[-1] != dim:
        raise ValueError(
            f"{name} must have its last axis equal to the function's dimension {dim}, "
            f"got shape {arr.shape}"
            + (" (a scalar only fits a 1-D function)" if arr.ndim == 0 else "")
        )
    return arr, _identity_unwrap


def _identity_unwrap(v, grad=False):
    return v


def _point_set(points, dim, what):
    """A (k, dim) float64 array of points (empty (0, dim) for None)."""
    if points is None:
        return np.zeros((0, dim))
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim <= 1 and dim == 1:
        arr = arr.reshape(-1, 1)
    elif arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ValueError(f"{what} must be points of dimension {dim}, got an array of shape {np.shape(points)}")
    return arr


def _variable_names(variables, dim):
    """The coordinates' names: the given ones (dim distinct strings) or x, y, z / x1 ... xd."""
    if variables is None:
        return ("x", "y", "z")[:dim] if dim <= 3 else tuple(f"x{i + 1}" for i in range(dim))
    names = (variables,) if isinstance(variables, str) else tuple(str(v) for v in variables)
    if len(names) != dim or len(set(names)) != dim or not all(names):
        raise ValueError(f"variables must be {dim} distinct names (one per coordinate), got {variables!r}")
    return names


class Function:
    """An objective f: R^d -> R (see the module docstring for the whole interface).

    Parameters
    ----------
    value : callable
        ``value(x)`` written with gdlab ops (x a Tensor or array (..., d), result (...)), or,
        with ``generic=True``, ``value(x, ops)`` written against the ops namespace ``ops``.
    dim : int >= 1
    name, formula, latex, description : str
    label : str or None
        The name figures and reports show (titles, colour bars); default ``name``. Set it where
        ``name`` is an internal key (a data loss's ``"seed003_loss"`` shows as its formula).
    variables : sequence of str or None
        The names of the d coordinates, used as axis labels: default ("x",), ("x", "y"),
        ("x", "y", "z"), else x1 ... xd.
    grad : callable or None
        A closed-form gradient ``grad(x) -> (..., d)`` on float64 arrays (NumPy).
    value_and_grad : callable or None
        Optionally, both at once in closed form, ``value_and_grad(x, out=None) -> (values, grads)``
        sharing intermediates (grads written into ``out`` when given); used by the runner.
    minima, local_minima, maxima, saddles : array-like of points or None
    minimum_value : float or None
        f at the global minima (computed from ``minima`` when not given).
    bounds : array-like (d, 2) or None
        Suggested plot bounds (lo, hi) per dimension; default: a box around the minima and start.
    start : array-like (d,) or None
        A default start point; default: the upper-left corner region of the bounds.
    constant_hessian : (d, d) array or None
        The Hessian of a quadratic objective (exact; used by the stability analysis).
    unbounded_below : bool
        True when f has no minimum (inf f = -inf), e.g. x^2 - y^2.
    params : dict
        The construction parameters (dim, condition number, ...), for the record.
    """

    def __init__(self, value, dim, *, name="f", formula="", latex="", description="", grad=None,
                 minima=None, minimum_value=None, local_minima=None, maxima=None, saddles=None,
                 bounds=None, start=None, constant_hessian=None, unbounded_below=False, params=None,
                 generic=False, value_and_grad=None, label=None, variables=None):
        if not callable(value):
            raise TypeError(f"value must be callable, got {value!r}")
        if isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or dim < 1:
            raise ValueError(f"dim must be an int >= 1, got {dim!r}")
        if grad is not None and not callable(grad):
            raise TypeError(f"grad must be callable or None, got {grad!r}")
        if value_and_grad is not None and grad is None:
            raise ValueError("a fused value_and_grad needs the closed-form grad too")
        self._value = value
        self._grad = grad
        self._fused = value_and_grad
        self._generic = bool(generic)
        self.dim = int(dim)
        self.name = str(name)
        self.label = str(label) if label else self.name
        self.variables = _variable_names(variables, self.dim)
        self.formula = str(formula)
        self.latex = str(latex)
        self.description = str(description)
        self.params = dict(params or {})
        self.minima = _point_set(minima, self.dim, "minima")
        self.local_minima = _point_set(local_minima, self.dim, "local_minima")
        self.maxima = _point_set(maxima, self.dim, "maxima")
        self.saddles = _point_set(saddles, self.dim, "saddles")
        self.unbounded_below = bool(unbounded_below)
        if minimum_value is None and len(self.minima):
            minimum_value = float(np.min(self._eval_array(self.minima)))
        self.minimum_value = None if minimum_value is None else float(minimum_value)
        self.constant_hessian = None if constant_hessian is None else np.array(constant_hessian, dtype=np.float64).reshape(self.dim, self.dim)
        self.bounds = self._default_bounds() if bounds is None else np.array(bounds, dtype=np.float64).reshape(self.dim, 2)
        if np.any(self.bounds[:, 0] >= self.bounds[:, 1]):
            raise ValueError(f"bounds must have lo < hi in every dimension, got {self.bounds.tolist()}")
        if start is None:
            lo, hi = self.bounds[:, 0], self.bounds[:, 1]
            start = lo + 0.2 * (hi - lo)
        self.start = np.array(start, dtype=np.float64).reshape(self.dim)

    # -- description -------------------------------------------------------------------
    @property
    def has_closed_form_grad(self) -> bool:
        """True when ``grad`` uses a closed-form expression (else it is reverse-mode autodiff)."""
        return self._grad is not None

    @property
    def is_quadratic(self) -> bool:
        return self.constant_hessian is not None

    def __repr__(self):
        text = self.formula or self.name
        return f"<gdlab function {self.name!r}: {text} (dim {self.dim})>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _display.bundle("function", self, include, exclude)

    def _default_bounds(self):
        pts = [p for p in (self.minima, self.local_minima, self.saddles, self.maxima) if len(p)]
        if not pts:
            return np.tile([-5.0, 5.0], (self.dim, 1))
        allp = np.concatenate(pts)
        lo, hi = allp.min(axis=0), allp.max(axis=0)
        pad = np.maximum(1.0, 0.5 * (hi - lo))
        return np.stack([lo - pad, hi + pad], axis=-1)

    # -- evaluation ----------------------------------------------------------------------
    def _eval_array(self, pts):
        """Values at float64 points (..., d) -> ndarray (...). No checks."""
        if self._generic:
            return np.asarray(self._value(pts, NUMPY_OPS), dtype=np.float64)
        with no_grad():
            out = self._value(pts)
        return np.asarray(out.data if isinstance(out, Tensor) else out, dtype=np.float64)

    def _eval_tensor(self, x):
        """Values at a Tensor (..., d) -> Tensor (...), recording the graph."""
        out = self._value(x, AUTODIFF_OPS) if self._generic else self._value(x)
        return out if isinstance(out, Tensor) else Tensor(out)

    def __call__(self, x):
        """f at the points ``x`` (last axis = dim); Tensors in, Tensor out (differentiable)."""
        if isinstance(x, Tensor):
            if self.dim == 1 and (x.ndim == 0 or x.shape[-1] != 1):
                return self._eval_tensor(x[..., None])
            if x.ndim == 0 or x.shape[-1] != self.dim:
                raise ValueError(
                    f"x must have its last axis equal to the function's dimension {self.dim}, got shape {x.shape}"
                )
            return self._eval_tensor(x)
        pts, unwrap = as_points(x, self.dim)
        return unwrap(self._eval_array(pts))

    def check_value(self, pts):
        """Evaluate f once at float64 points ``pts`` (..., d) and check what it returns: real numbers,
        one per point (shape ``pts.shape[:-1]``); else a TypeError/ValueError naming what came back.

        For boundaries (a run checks its first start once, before its loop): a user's callable that
        forgot to reduce over the last axis gets this message, not an error from deep inside a run.
        The catalog's functions and formulas pass by construction.
        """
        with no_grad(), np.errstate(all="ignore"):  # NaN outside a domain is the run's result, not an error
            # a user's callable sees a Tensor, as in the run (it may call Tensor methods)
            out = self._value(pts, NUMPY_OPS) if self._generic else self._value(_leaf(pts, requires_grad=False))
        arr = np.asarray(out.data if isinstance(out, Tensor) else out)
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"the objective {self.name!r} returned {type(out).__name__} values of dtype "
                            f"{arr.dtype}; it must return real numbers, one per point")
        want = pts.shape[:-1]
        if arr.shape != want:
            raise ValueError(
                f"the objective {self.name!r} returned shape {arr.shape} for points of shape {pts.shape}; it "
                f"must return one number per point, shape {want} (x.shape[:-1]): reduce over the last axis, "
                f"e.g. (x ** 2).sum(axis=-1) or x[..., 0] ** 2 + x[..., 1] ** 2")
        return arr

    def autodiff_value_and_grad(self, pts, _seed=None):
        """Values (...) and gradients (..., d) at float64 points (..., d), by reverse-mode autodiff.

        The values of independent points do not interact, so one backward pass of
        ``sum(f(X))`` (seeded with ones) gives every point's gradient at once.
        """
        warm_allocator(pts.nbytes)  # the graph's temporaries stay in the heap (see gdlab._alloc)
        X = _leaf(pts)  # pts is float64 (..., d), not changed while the graph lives: no copy
        with enable_grad():
            out = self._eval_tensor(X)
        if out.requires_grad:
            seed = _seed if _seed is not None and _seed.shape == out.data.shape else np.ones_like(out.data)
            out.backward(seed)
        g = X.grad if X.grad is not None else np.zeros_like(pts)
        v = np.asarray(out.data, dtype=np.float64)
        if v.base is not None and np.may_share_memory(v, pts):  # e.g. f(x) = x: a view of the points
            v = v.copy()
        return v, g

    def closed_form_value_and_grad(self, pts, out=None):
        """Values and gradients in closed form (fused where the function has a fused form)."""
        if self._grad is None:
            raise ValueError(f"function {self.name!r} has no closed-form gradient; use autodiff")
        if self._fused is not None:
            return self._fused(pts, out)
        g = np.asarray(self._grad(pts), dtype=np.float64)
        if out is not None:
            np.copyto(out, g)
            g = out
        return self._eval_array(pts), g

    def value_and_grad_fn(self, gradient: str = "auto", reuse_buffers: bool = False):
        """The fastest ``(points (n, d)) -> (values (n,), grads (n, d))`` for the runner's loop.

        ``gradient``: "auto" (closed form where listed, else autodiff), "closed_form" or "autodiff".
        With ``reuse_buffers`` the returned gradient array may be overwritten by the next call
        (the runner copies what it records). No input checks (the caller validated once).
        """
        if gradient == "autodiff" or (gradient == "auto" and self._grad is None):
            if not reuse_buffers:
                return self.autodiff_value_and_grad
            seed = np.ones(0)

            def ad_vg(pts):
                nonlocal seed
                if seed.shape != pts.shape[:-1]:
                    seed = np.ones(pts.shape[:-1])
                    seed.setflags(write=False)  # shared between calls: nothing may write into it
                return self.autodiff_value_and_grad(pts, seed)

            return ad_vg
        if gradient in ("closed_form", "auto"):
            if self._grad is None:
                raise ValueError(f"function {self.name!r} has no closed-form gradient; use gradient='autodiff' or 'auto'")
            if not reuse_buffers:
                return self.closed_form_value_and_grad
            buf = np.empty(0)

            def cf_vg(pts):
                nonlocal buf
                if buf.shape != pts.shape:
                    buf = np.empty_like(pts)
                return self.closed_form_value_and_grad(pts, buf)

            return cf_vg
        raise ValueError(f"gradient must be 'auto', 'closed_form' or 'autodiff', got {gradient!r}")

    def value_and_grad(self, x):
        """``(f(x), grad f(x))`` at points x (shapes as for ``f(x)`` and ``f.grad(x)``)."""
        pts, unwrap = as_points(x, self.dim)
        v, g = self.value_and_grad_fn("auto")(pts)
        return unwrap(v), unwrap(g, grad=True)

    def grad(self, x):
        """The gradient at points x: closed form where listed, else autodiff. Same shape as x."""
        pts, unwrap = as_points(x, self.dim)
        if self._grad is not None:
            return unwrap(np.asarray(self._grad(pts), dtype=np.float64), grad=True)
        return unwrap(self.autodiff_value_and_grad(pts)[1], grad=True)

    def autodiff_grad(self, x):
        """The gradient at points x by reverse-mode autodiff of the value (whatever ``grad`` uses)."""
        pts, unwrap = as_points(x, self.dim)
        return unwrap(self.autodiff_value_and_grad(pts)[1], grad=True)

    def hessian(self, x):
        """The (d, d) Hessian at one point x (d,).

        Exact for quadratics (``constant_hessian``); otherwise ``gdlab.hessian``: central
        differences of the autodiff gradient, O(h^2) accurate (about 1e-9 relative).
        """
        pts, _ = as_points(x, self.dim)
        if pts.shape != (self.dim,):
            raise ValueError(f"hessian takes one point of shape ({self.dim},), got shape {np.shape(x)}")
        if self.constant_hessian is not None:
            return self.constant_hessian.copy()
        return np.asarray(_ad.hessian(lambda t: self._eval_tensor(t))(pts), dtype=np.float64)

    # -- plotting helper -----------------------------------------------------------------
    def grid(self, n: int = 100, bounds=None):
        """``(X, Y, Z)`` on an n x n grid over the bounds of a 2-D function (for contour plots)."""
        if self.dim != 2:
            raise ValueError(f"grid needs a 2-D function, {self.name!r} has dim {self.dim}")
        b = self.bounds if bounds is None else np.asarray(bounds, dtype=np.float64).reshape(2, 2)
        X, Y = np.meshgrid(np.linspace(b[0, 0], b[0, 1], n), np.linspace(b[1, 0], b[1, 1], n))
        return X, Y, self._eval_array(np.stack([X, Y], axis=-1))

    def copy(self) -> "Function":
        """An independent copy: its own arrays, dicts and lists (changing one does not change the
        other), the same value and gradient code (``_origin``: the Function first copied)."""
        g = object.__new__(type(self))
        d = self.__dict__.copy()
        for k, v in d.items():  # most entries are immutable or code: only the others are copied
            t = type(v)
            if t is np.ndarray:
                d[k] = v.copy()
            elif t not in _SHARED and not isinstance(v, Function):
                d[k] = _own(v)
        d["_origin"] = self.__dict__.get("_origin", self)
        g.__dict__ = d
        return g

    def _code_origin(self) -> "Function":
        """The Function this one was copied from while both run the same code, else itself: what is
        known of one's code (a compiled program, a checked return shape) holds for the other."""
        o = self.__dict__.get("_origin")
        if (o is not None and type(o) is type(self) and o._value is self._value and o._grad is self._grad
                and o._fused is self._fused and o._generic == self._generic):
            return o
        return self

    def to_dict(self):
        """A JSON-friendly description (no callables)."""
        return {
            "name": self.name, "label": self.label, "variables": list(self.variables), "dim": self.dim,
            "formula": self.formula, "latex": self.latex,
            "description": self.description, "params": {k: _plain(v) for k, v in self.params.items()},
            "minima": self.minima.tolist(), "minimum_value": self.minimum_value,
            "local_minima": self.local_minima.tolist(), "maxima": self.maxima.tolist(),
            "saddles": self.saddles.tolist(), "bounds": self.bounds.tolist(), "start": self.start.tolist(),
            "has_closed_form_grad": self.has_closed_form_grad, "quadratic": self.is_quadratic,
            "unbounded_below": self.unbounded_below,
        }


#: the types Function.copy shares with the copy (values that cannot change, and code)
_SHARED = frozenset({str, int, float, bool, tuple, type(None), types.FunctionType, types.BuiltinFunctionType,
                     functools.partial})


def _own(v):
    """``v`` with its own storage where it is mutable (an array, or a dict/list of values)."""
    t = type(v)
    if t is str or t is int or t is float or t is bool or t is tuple or v is None:  # immutable: most entries
        return v
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, dict):
        return {k: _own(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_own(x) for x in v]
    return v


def _plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    return v
