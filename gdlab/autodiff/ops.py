"""Primitive operations: each forward beside its vector-Jacobian product (VJP).

An op computes its output from the inputs' arrays and hands the engine a closure
``vjp(g) -> (grad_input_0, grad_input_1, ...)``. The engine (``tensor.py``) sums
gradients back to each input's shape and accumulates them, so no op here deals
with broadcasting. Inputs that are not Tensors are constants (their slot in
``parents`` is None); Python and NumPy scalars stay "weak", so a float32 tensor
times 0.5 stays float32. A VJP returns arrays (or None for an input that needs no
gradient), which it never writes into afterwards, or a :class:`~gdlab.autodiff.tensor.Scatter`
for a gradient that is zero outside an index (indexing does); VJPs never write into ``g``.

The derivative conventions at kinks follow PyTorch: d|x|/dx = 0 at 0, relu'(0) = 0,
leaky_relu'(0) = negative_slope, clip passes the gradient on the closed interval
[lo, hi], maximum/minimum split the gradient evenly on ties, max/min reductions split
it evenly among tied maxima; for a ** b, d/da = 0 where b == 0 and d/db = 0 where
a == 0 and b >= 0. The tests (tests/autodiff/op_table.py) pin each one against PyTorch.

Domains: real semantics, as NumPy. Outside an op's domain (log and sqrt of x < 0, x ** p of
x < 0 for a fractional p) the value is NaN and so is its gradient; on the domain's edge the
value and gradient are PyTorch's limits (log(0) = -inf with gradient inf, sqrt'(0) = inf,
0 ** -1 = inf with gradient -inf, x / 0 = ±inf), with NumPy's RuntimeWarnings. Constants
alone (no Tensor) are computed the same way: ``power(-8.0, 1/3)`` is NaN, not a complex
number, and ``div(1, 0)`` is inf, not a ZeroDivisionError. Where gdlab differs from PyTorch:
log'(x) for x < 0 is NaN (PyTorch: 1/x); d/dx x ** 0.5 at -0.0 is +inf (IEEE pow; PyTorch -inf,
as gdlab's sqrt); at a NaN input the gradient of the piecewise ops
follows their masks (relu, maximum, minimum: 0 where PyTorch passes it; abs: NaN where
PyTorch gives 0); softmax and log_softmax of +inf give [NaN, 0] and [NaN, -inf] (PyTorch: NaN
throughout). tests/autodiff/edge_table.py lists every edge and tests/autodiff/test_edges.py
pins each against PyTorch.
"""

from __future__ import annotations

import builtins
import math
import numbers

import numpy as np

from .tensor import Scatter, Tensor, _result, _unbroadcast

# ----------------------------------------------------------------------------------
# helpers


def _split(x):
    """(Tensor or None, array-or-weak-scalar) for an op input: every op starts with it.

    The common cases come first (a Tensor, then a Python float or int), so they cost one
    type check each; a constant's slot in the op's ``parents`` is None.
    """
    if type(x) is Tensor:
        return x, x.data
    if type(x) is float or type(x) is int:
        return None, x
    if isinstance(x, Tensor):
        return x, x.data
    if isinstance(x, (bool, np.bool_)):
        return None, x
    if isinstance(x, numbers.Real) and not isinstance(x, np.ndarray):
        # Python/NumPy scalars become Python scalars: weakly typed, so they never upcast.
        return None, (int(x) if isinstance(x, numbers.Integral) else float(x))
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"cannot use a value of type {type(x).__name__} (dtype {arr.dtype}) in a tensor op")
    return None, arr


def _operands(a, b):
    """``(a, x, b, y)`` for a binary op's inputs: :func:`_split` of each, in one call."""
    if type(a) is Tensor:
        if type(b) is Tensor:
            return a, a.data, b, b.data
        if type(b) is float:
            return a, a.data, None, b
    return (*_split(a), *_split(b))


def _axes(axis, ndim):
    """Normalise ``axis`` (None, int or tuple) to a sorted tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, numbers.Integral):
        axis = (axis,)
    out = []
    for a in axis:
        if not -builtins.max(ndim, 1) <= a < builtins.max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        if ndim:  # a 0-d tensor accepts axis 0 or -1 and has nothing to reduce (as in PyTorch)
            out.append(a % ndim)
    return tuple(sorted(out))


def _nan_where(r, outside):
    """``r`` (a gradient) with NaN where the boolean mask ``outside`` holds: outside an op's domain.

    The ``any()`` only saves the copy: ``np.where`` alone gives the same numbers. The compiled engine's
    tracer relies on that (it answers "maybe" for a mask known only at run time, gdlab._jit.trace.NodeArray).
    """
    if outside.any():
        r = np.where(outside, np.nan, r)  # np.nan is a weak scalar: float32 stays float32
    return r


def _expand(g, axes, keepdims):
    """Re-insert reduced axes into ``g`` so that it broadcasts against the input."""
    g = np.asarray(g)
    if keepdims or not axes:
        return g
    return np.expand_dims(g, axes)


# ----------------------------------------------------------------------------------
# arithmetic


def add(a, b):
    a, x, b, y = _operands(a, b)
    return _result(x + y, (a, b), _vjp_add)


def _vjp_add(g):
    return g, g


def sub(a, b):
    a, x, b, y = _operands(a, b)
    return _result(x - y, (a, b), _vjp_sub if b is not None else _vjp_sub_constant)


def _vjp_sub(g):
    return g, -g


def _vjp_sub_constant(g):  # "tensor minus constant": no negated copy for the constant
    return g, None


def mul(a, b):
    a, x, b, y = _operands(a, b)
    # skip the products nobody needs: a constant's, and a square's second
    if b is None:  # the common "tensor times constant"
        return _result(x * y, (a, b), lambda g: (g * y, None))
    if a is None:
        return _result(x * y, (a, b), lambda g: (None, g * x))
    if a is b:  # a square: d(x x)/dx = 2 x, doubled in place (exact), one gradient for the input
        return _result(x * y, (a, b), lambda g: (_twice(g * x), None))
    return _result(x * y, (a, b), lambda g: (g * y, g * x))


def _twice(r):
    r += r
    return r


def div(a, b):
    a, x, b, y = _operands(a, b)
    # two constants: NumPy's x / 0 (inf or nan, with its warning), not Python's ZeroDivisionError
    out = x / y if isinstance(x, np.ndarray) or isinstance(y, np.ndarray) else np.float64(x) / y
    if b is None:
        return _result(out, (a, b), lambda g: (g / y, None))
    return _result(out, (a, b), lambda g: (g / y, -g * out / y))


def neg(a):
    a, x = _split(a)
    return _result(-x, (a,), _vjp_neg)


def _vjp_neg(g):
    return (-g,)


def power(a, b):
    """a ** b. d/da = b a^(b-1); d/db = a^b log a.

    PyTorch's conventions where these formulas break down: d/da is 0 where b == 0
    (also at a == 0, where b a^(b-1) would be 0 * inf), and d/db is 0 where a == 0
    and b >= 0 (a^b log a would be 0 * -inf).

    Real semantics (NumPy's): a negative base with a fractional exponent is outside the
    domain, so the value is NaN and so is d/da, wherever the value is NaN (also at a = -inf
    with b = 0.5, where the formula alone gives 0; where IEEE pow gives (-inf) ** b a limit,
    inf or 0, the gradient is the formula's, as PyTorch's); d/db is NaN at a negative base
    (a^b log a). Two constants are computed
    with NumPy too: ``(-8.0) ** (1/3)`` is NaN (Python would give a complex number),
    ``0 ** -1`` is inf, ``2 ** 1024`` is inf, and an integer power is never computed exactly.
    """
    a, x, b, y = _operands(a, b)
    out = x**y if isinstance(x, np.ndarray) or isinstance(y, np.ndarray) else np.float64(x) ** y

    def vjp(g):
        ga = gb = None
        if a is not None:
            if type(y) is float or type(y) is int:
                ga = g * y * x ** (y - 1) if y != 0 else np.zeros_like(g)
                if type(y) is float and not y.is_integer():  # fractional: NaN below 0
                    ga = _nan_where(ga, np.isnan(out))
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    ga = np.where(y == 0, 0, g * y * x ** (y - 1))
                ga = _nan_where(ga, np.isnan(out))
        if b is not None:
            if isinstance(x, np.ndarray):
                with np.errstate(divide="ignore", invalid="ignore"):
                    log_x = np.log(x)
            else:  # a Python scalar base: keep it weakly typed (2 ** float32 stays float32)
                log_x = math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
            with np.errstate(invalid="ignore"):
                gb = g * np.where((x == 0) & (y >= 0), 0, out * log_x)
        return ga, gb

    return _result(out, (a, b), vjp)


def matmul(a, b):
    """Matrix product with NumPy's rules (1-D operands, batched operands)."""
    a, x, b, y = _operands(a, b)
    xs, ys = np.shape(x), np.shape(y)
    if len(xs) == 0 or len(ys) == 0:
        raise ValueError(f"matmul needs at least 1-D operands, got shapes {xs} and {ys}; use * for scalars")
    k_left = xs[-1]
    k_right = ys[-2] if len(ys) > 1 else ys[0]
    if k_left != k_right:
        raise ValueError(
            f"matmul: shapes {xs} and {ys} are not aligned: the left's last dimension ({k_left}) "
            f"must equal the right's {'second-to-last' if len(ys) > 1 else 'only'} dimension ({k_right})"
        )
    try:
        out = x @ y
    except ValueError:
        raise ValueError(
            f"matmul: shapes {xs} and {ys} are not aligned: their batch dimensions {xs[:-2]} and "
            f"{ys[:-2]} do not broadcast"
        ) from None
    if len(xs) == 2 and len(ys) == 2:

        def vjp(g):
            return (g @ y.T if a is not None and a.requires_grad else None,
                    x.T @ g if b is not None and b.requires_grad else None)

        return _result(out, (a, b), vjp)

    def vjp_general(g):
        # Promote 1-D operands to matrices, differentiate, then restore the shapes.
        x2 = x[None, :] if x.ndim == 1 else x
        y2 = y[:, None] if y.ndim == 1 else y
        g2 = np.asarray(g)
        if x.ndim == 1:
            g2 = np.expand_dims(g2, -2 if y.ndim > 1 else -1)
        if y.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if a is not None and a.requires_grad:
            ga = _unbroadcast(g2 @ np.swapaxes(y2, -1, -2), x2.shape).reshape(xs)
        if b is not None and b.requires_grad:
            gb = _unbroadcast(np.swapaxes(x2, -1, -2) @ g2, y2.shape).reshape(ys)
        return ga, gb

    return _result(out, (a, b), vjp_general)


# ----------------------------------------------------------------------------------
# elementwise functions


def exp(a):
    a, x = _split(a)
    out = np.exp(x)
    return _result(out, (a,), lambda g: (g * out,))


def log(a):
    """Natural logarithm. log(0) = -inf with gradient inf (torch's 1/x); for x < 0 the value
    and the gradient are NaN (torch's gradient there is 1/x)."""
    a, x = _split(a)
    return _result(np.log(x), (a,), lambda g: (_nan_where(g / x, x < 0),))


def sqrt(a):
    """Square root. sqrt'(0) = inf (as torch); for x < 0 the value and the gradient are NaN."""
    a, x = _split(a)
    out = np.sqrt(x)
    return _result(out, (a,), lambda g: (g * 0.5 / out,))


def abs(a):  # noqa: A001 - mirrors NumPy's name
    a, x = _split(a)
    return _result(np.abs(x), (a,), lambda g: (g * np.sign(x),))


def sin(a):
    a, x = _split(a)
    return _result(np.sin(x), (a,), lambda g: (g * np.cos(x),))


def cos(a):
    a, x = _split(a)
    return _result(np.cos(x), (a,), lambda g: (-g * np.sin(x),))


def tan(a):
    a, x = _split(a)
    out = np.tan(x)
    return _result(out, (a,), lambda g: (g * (1 + out * out),))


def tanh(a):
    a, x = _split(a)
    out = np.tanh(x)
    return _result(out, (a,), lambda g: (g * (1 - out * out),))


def _stable_sigmoid(x):
    # exp of a non-positive number only: finite for every x, exact in both tails.
    e = np.exp(-np.abs(x))
    return np.where(np.asanyarray(x) >= 0, 1 / (1 + e), e / (1 + e))  # asanyarray: a trace's arrays stay


def sigmoid(a):
    """1 / (1 + exp(-x)), computed without overflow for any x."""
    a, x = _split(a)
    out = _stable_sigmoid(x)
    return _result(out, (a,), lambda g: (g * out * (1 - out),))


def relu(a):
    a, x = _split(a)
    return _result(np.maximum(x, 0), (a,), lambda g: (g * (x > 0),))


def leaky_relu(a, negative_slope: float = 0.01):
    negative_slope = float(negative_slope)  # a NumPy scalar would upcast float32
    a, x = _split(a)
    pos = x > 0
    return _result(np.where(pos, x, x * negative_slope), (a,),
                   lambda g: (np.where(pos, g, g * negative_slope),))


def softplus(a, beta: float = 1.0, threshold: float = 20.0):
    """log(1 + exp(beta x)) / beta, linear where beta x > threshold (PyTorch's definition)."""
    beta = float(beta)  # a NumPy scalar would upcast float32
    a, x = _split(a)
    bx = x * beta
    smooth = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
    linear = bx > threshold
    out = np.where(linear, x, smooth)
    return _result(out, (a,), lambda g: (g * np.where(linear, 1, _stable_sigmoid(bx)),))


def _pairwise_extremum(pick, wins, a, b):
    """maximum (pick = np.maximum, wins = np.greater) or minimum (np.minimum, np.less): the gradient goes
    to the winner, and is shared evenly on ties."""
    a, x, b, y = _operands(a, b)
    out = pick(x, y)

    def vjp(g):
        half = g * (x == y) * 0.5  # in g's dtype: a float mask would upcast float32
        return g * wins(x, y) + half, g * wins(y, x) + half

    return _result(out, (a, b), vjp)


def maximum(a, b):
    return _pairwise_extremum(np.maximum, np.greater, a, b)


def minimum(a, b):
    return _pairwise_extremum(np.minimum, np.less, a, b)


def where(condition, a, b):
    """Elementwise choice: a where condition is true, else b. No gradient to the condition."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    a, x, b, y = _operands(a, b)
    return _result(np.where(cond, x, y), (a, b), lambda g: (np.where(cond, g, 0), np.where(cond, 0, g)))


def clip(a, min=None, max=None):  # noqa: A002 - NumPy/PyTorch names
    """Clamp to [min, max]; the gradient passes where min <= x <= max (PyTorch's convention)."""
    if min is None and max is None:
        raise ValueError("clip needs min, max or both; got neither")
    # NumPy scalar bounds become Python scalars (weak), so a float32 tensor stays float32
    min = min.item() if isinstance(min, np.generic) else min
    max = max.item() if isinstance(max, np.generic) else max
    a, x = _split(a)
    out = np.clip(x, min, max)
    inside = np.ones(np.shape(x), dtype=bool)
    if min is not None:
        inside &= x >= min
    if max is not None:
        inside &= x <= max
    return _result(out, (a,), lambda g: (g * inside,))


# ----------------------------------------------------------------------------------
# reductions


def _order(x):
    """"F" for a Fortran-ordered array (not also C-ordered), else "C": the memory order in which
    to build a gradient for ``x``. A gradient laid out as its input keeps later elementwise work
    (VJPs, an optimizer step on the input's layout) on contiguous memory; mixed layouts run
    several times slower."""
    return "F" if type(x) is np.ndarray and x.flags.f_contiguous and not x.flags.c_contiguous else "C"


def _spread(g, axes, keepdims, x):
    """The gradient of a sum: ``g`` repeated along the reduced axes, as a real array of x's
    shape and memory order.

    Not a zero-stride ``np.broadcast_to`` view: later elementwise VJPs run several
    times slower on those (measured 4x on (10000, 2)), and a leaf copies it anyway.
    """
    return np.broadcast_to(_expand(g, axes, keepdims), np.shape(x)).copy(order=_order(x))


def sum(a, axis=None, keepdims: bool = False):  # noqa: A001
    a, x = _split(a)
    axes = _axes(axis, np.ndim(x))
    return _result(np.sum(x, axis=axes, keepdims=keepdims), (a,),
                   lambda g: (_spread(g, axes, keepdims, x),))


def mean(a, axis=None, keepdims: bool = False):
    a, x = _split(a)
    axes = _axes(axis, np.ndim(x))
    shape = np.shape(x)
    count = int(np.prod([shape[i] for i in axes])) if axes else 1
    return _result(np.mean(x, axis=axes, keepdims=keepdims), (a,),
                   lambda g: (_spread(g / count, axes, keepdims, x),))


def _extremum(reduce, a, axis, keepdims):
    a, x = _split(a)
    if np.size(x) == 0:
        raise ValueError("max/min of an empty tensor is undefined")
    axes = _axes(axis, np.ndim(x))
    out = reduce(x, axis=axes, keepdims=keepdims)

    def vjp(g):
        g = _expand(g, axes, keepdims)
        hit = x == _expand(out, axes, keepdims)
        # the count in g's dtype: dividing by an integer array would upcast float32
        return (g * hit / np.sum(hit, axis=axes, keepdims=True, dtype=g.dtype),)

    return _result(out, (a,), vjp)


def max(a, axis=None, keepdims: bool = False):  # noqa: A001
    """Maximum over ``axis``; tied maxima share the gradient evenly.

    This is PyTorch's ``amax`` (and ``torch.max(x)`` without a dim). ``torch.max(x, dim)``
    differs: it returns indices and sends the whole gradient to one of the tied elements.
    """
    return _extremum(np.max, a, axis, keepdims)


def min(a, axis=None, keepdims: bool = False):  # noqa: A001
    """Minimum over ``axis``; tied minima share the gradient evenly (PyTorch's ``amin``; see ``max``)."""
    return _extremum(np.min, a, axis, keepdims)


# ----------------------------------------------------------------------------------
# shape


def reshape(a, *shape):
    """Reshape as ndarray.reshape: ``t.reshape(2, 3)``, ``t.reshape((2, 3))`` or any sequence of ints."""
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        shape = tuple(shape[0])
    a, x = _split(a)
    in_shape = np.shape(x)
    try:
        out = np.reshape(x, shape)
    except ValueError:
        raise ValueError(f"cannot reshape a tensor of shape {in_shape} ({np.size(x)} elements) into {shape}") from None
    return _result(out, (a,), lambda g: (np.reshape(g, in_shape),))


def transpose(a, *axes):
    """Permute axes (all reversed when none are given, or None), as ndarray.transpose.

    The permutation may be given as separate ints or as one sequence (tuple, list, array)."""
    if len(axes) == 1 and not isinstance(axes[0], numbers.Integral):
        axes = () if axes[0] is None else tuple(axes[0])
    a, x = _split(a)
    perm = tuple(range(np.ndim(x)))[::-1] if not axes else tuple(i % np.ndim(x) for i in axes)
    if sorted(perm) != list(range(np.ndim(x))):
        raise ValueError(f"transpose axes {axes} are not a permutation of the {np.ndim(x)} axes")
    inverse = tuple(np.argsort(perm))
    return _result(np.transpose(x, perm), (a,), lambda g: (np.transpose(g, inverse),))


def getitem(a, index):
    """Indexing with ints, slices, None, Ellipsis, integer arrays and boolean masks.

    The gradient is scattered back; repeated integer indices accumulate.
    """
    # one pass over the index: Tensors become arrays; any array or list makes it "advanced"
    items = index if type(index) is tuple else (index,)
    advanced = False
    for i in items:
        if isinstance(i, (Tensor, list, np.ndarray)):
            advanced = True
            break
    if advanced:
        index = tuple(_index_array(i) for i in items) if type(index) is tuple else _index_array(index)
    a, x = _split(a)
    out = x[index]

    def vjp(g):
        # zeros outside x[index], laid out as x (see _order); the engine adds it in place where it can
        dtype = g.dtype if g.dtype == x.dtype else np.result_type(x, g)
        return (Scatter(x.shape, dtype, _order(x), index, g, advanced),)

    return _result(out, (a,), vjp)


def _index_array(i):
    if isinstance(i, Tensor):
        return i.data
    return np.asarray(i) if isinstance(i, list) else i


def concatenate(tensors, axis: int = 0):
    pairs = [_split(t) for t in tensors]
    if not pairs:
        raise ValueError("concatenate needs at least one tensor")
    datas = [d for _, d in pairs]
    out = np.concatenate(datas, axis=axis)
    ax = axis % out.ndim
    cuts = np.cumsum([np.shape(d)[ax] for d in datas])[:-1]
    return _result(out, tuple(t for t, _ in pairs), lambda g: tuple(np.split(g, cuts, axis=ax)))


def stack(tensors, axis: int = 0):
    pairs = [_split(t) for t in tensors]
    if not pairs:
        raise ValueError("stack needs at least one tensor")
    out = np.stack([d for _, d in pairs], axis=axis)
    ax = axis % out.ndim
    return _result(out, tuple(t for t, _ in pairs),
                   lambda g: tuple(np.take(g, i, axis=ax) for i in range(len(pairs))))


# ----------------------------------------------------------------------------------
# comparisons (no gradient): boolean tensors


def _compare(ufunc):
    def compare(a, b):
        return Tensor(ufunc(_split(a)[1], _split(b)[1]))

    compare.__name__ = ufunc.__name__
    return compare


# ----------------------------------------------------------------------------------
# Tensor's operators and methods are these functions, bound once, here.


def _reflected(op):
    return lambda self, other: op(other, self)


_METHODS = {
    "__add__": add, "__radd__": _reflected(add),
    "__sub__": sub, "__rsub__": _reflected(sub),
    "__mul__": mul, "__rmul__": _reflected(mul),
    "__truediv__": div, "__rtruediv__": _reflected(div),
    "__pow__": power, "__rpow__": _reflected(power),
    "__matmul__": matmul, "__rmatmul__": _reflected(matmul),
    "__neg__": neg, "__pos__": lambda self: self, "__abs__": abs,
    "__getitem__": getitem,
    "__lt__": _compare(np.less), "__le__": _compare(np.less_equal),
    "__gt__": _compare(np.greater), "__ge__": _compare(np.greater_equal),
    "__eq__": _compare(np.equal), "__ne__": _compare(np.not_equal),
    "sum": sum, "mean": mean, "max": max, "min": min,
    "reshape": reshape, "transpose": transpose, "T": property(transpose),
    "exp": exp, "log": log, "sqrt": sqrt, "abs": abs, "clip": clip,
    "sin": sin, "cos": cos, "tan": tan, "tanh": tanh, "sigmoid": sigmoid, "relu": relu,
}
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
Tensor.__hash__ = object.__hash__  # __eq__ above compares values; hashing stays by identity
