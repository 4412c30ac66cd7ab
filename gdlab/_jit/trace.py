"""Tracing NumPy code into a straight-line scalar program (the compiled engine's front end).

The compiled engine does not carry its own copy of any maths: it runs the NumPy code that the
NumPy engine runs (an optimizer's rule from gdlab.optim.rules, the chain's transforms, a catalog
function's closed-form value and gradient, a formula's autodiff), once, on *symbolic* arrays. A
:class:`SymArray` is an object array of :class:`Node` s; every NumPy operation on it (ufuncs with
``out=``, in-place operators, views, ``np.copyto``, ``np.stack``, ``np.where``, sums along an
axis) records a node instead of computing a number, in the order NumPy would compute it. The
result is a DAG per output element that :mod:`._codegen` writes out as scalar Python for numba.
The autodiff runs on a :class:`NodeArray` instead (an object ndarray of the same Nodes, which its
Tensors and VJPs handle as any ndarray): there the masks it computes from values (NaN outside a
domain, the kinks of abs and max) become comparison and "select" nodes.
Because every recorded operation is one IEEE operation of the NumPy program, in its order, the
compiled numbers are NumPy's (sums are recorded in NumPy's pairwise order; the only differences
left are the last bits of transcendental functions, where NumPy's SIMD ``exp``/``log``/``pow``
and the C library's differ).

What cannot be traced raises :class:`TraceError` and the engine falls back to NumPy:
a branch on a value that varies per element or over the steps, an operation the tracer does not
know (``np.asarray`` of a symbolic array, random draws other than the noise transform's), a
reduction across rows, reading an uninitialised buffer.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["TraceError", "Node", "SymArray", "Tracer", "leaf", "const"]


class TraceError(Exception):
    """The code cannot be traced into a compiled program (the NumPy engine runs it instead)."""


# levels: how often a node's value changes, for hoisting (a node's level is the join of its inputs')
CONST, RUN, STEP, ROW, ROWSTEP, ELEM = 0, 1, 2, 3, 4, 5


def _join(a, b):
    if a == b or b <= RUN:
        return a
    if a <= RUN:
        return b
    if ELEM in (a, b):
        return ELEM
    return ROWSTEP  # STEP with ROW, or either with ROWSTEP


class Node:
    """One scalar operation: ``op`` on ``args`` (Nodes), or a leaf/constant; ``val`` when known at trace time."""

    __slots__ = ("op", "args", "level", "val", "key", "id", "__weakref__")

    def __init__(self, op, args, level, val, key, id_):
        self.op, self.args, self.level, self.val, self.key, self.id = op, args, level, val, key, id_

    # -- Python arithmetic (scalar hyperparameters, the step number, NumPy's object loops) --
    def __add__(self, o):
        return _binary("add", self, o)

    def __radd__(self, o):
        return _binary("add", o, self)

    def __sub__(self, o):
        return _binary("sub", self, o)

    def __rsub__(self, o):
        return _binary("sub", o, self)

    def __mul__(self, o):
        return _binary("mul", self, o)

    def __rmul__(self, o):
        return _binary("mul", o, self)

    def __truediv__(self, o):
        return _binary("div", self, o)

    def __rtruediv__(self, o):
        return _binary("div", o, self)

    def __pow__(self, o):
        return _binary("pow", self, o)

    def __rpow__(self, o):
        return _binary("pow", o, self)

    def __neg__(self):
        return _unary("neg", self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _unary("abs", self)

    def __lt__(self, o):
        return _binary("lt", self, o)

    def __le__(self, o):
        return _binary("le", self, o)

    def __gt__(self, o):
        return _binary("gt", self, o)

    def __ge__(self, o):
        return _binary("ge", self, o)

    def __eq__(self, o):
        return _binary("eq", self, o)

    def __ne__(self, o):
        return _binary("ne", self, o)

    __hash__ = object.__hash__

    def __bool__(self):
        """A branch: decided by the value known at trace time (the same for every row), else untraceable."""
        v = self.val
        if v is None:
            raise TraceError(f"a branch on a value that changes from element to element or step to step ({self.op})")
        arr = np.asarray(v)
        if arr.ndim and not (arr == arr.flat[0]).all():
            raise TraceError(f"a branch on a hyperparameter that differs between rows ({self.op})")
        out = bool(arr.flat[0]) if arr.ndim else bool(arr)
        _TRACER.guards.append((self.id, out))
        return out

    # NumPy's object loops call these methods (np.sin on an object array calls x.sin())
    def sin(self):
        return _unary("sin", self)

    def cos(self):
        return _unary("cos", self)

    def tan(self):
        return _unary("tan", self)

    def exp(self):
        return _unary("exp", self)

    def log(self):
        return _unary("log", self)

    def log1p(self):
        return _unary("log1p", self)

    def expm1(self):
        return _unary("expm1", self)

    def sqrt(self):
        return _unary("sqrt", self)

    def tanh(self):
        return _unary("tanh", self)

    def arctan(self):
        return _unary("arctan", self)

    def __float__(self):
        raise TraceError("a symbolic value converted to a Python float")

    __int__ = __index__ = __float__

    def __repr__(self):
        return f"Node#{self.id}({self.op})"


# -- the tracer (one per trace; nodes are hash-consed within it) ------------------------------

class Tracer:
    """Holds the nodes of one trace; ``with Tracer() as tr:`` makes it the current one."""

    def __init__(self):
        self.nodes = []
        self.table = {}
        self.guards = []
        self.elementwise = True  # False once the code reduced or read a shape (see gdlab.optim.fused)

    def __enter__(self):
        global _TRACER
        self._prev, _TRACER = _TRACER, self
        return self

    def __exit__(self, *exc):
        global _TRACER
        _TRACER = self._prev

    def node(self, op, args, level, val):
        key = (op, tuple(a.id for a in args)) if args else (op, val if op == "const" else None)
        if op != "const" and not args:
            raise AssertionError("leaves are made with leaf()")
        found = self.table.get(key)
        if found is not None:
            return found
        n = Node(op, args, level, val, key, len(self.nodes))
        self.nodes.append(n)
        self.table[key] = n
        return n

    def leaf(self, name, level, val=None):
        key = ("leaf", name)
        found = self.table.get(key)
        if found is not None:
            return found
        n = Node("leaf", (), level, val, key, len(self.nodes))
        n.key = name
        self.nodes.append(n)
        self.table[key] = n
        return n


_TRACER: Tracer | None = None


def _tracer() -> Tracer:
    if _TRACER is None:
        raise TraceError("a symbolic value used outside a trace")
    return _TRACER


def const(v) -> Node:
    if isinstance(v, Node):
        return v
    if isinstance(v, (bool, np.bool_)):
        v = float(v)
    if not isinstance(v, (numbers.Real, np.floating, np.integer)):
        raise TraceError(f"a constant of type {type(v).__name__}")
    v = float(v)
    return _tracer().node("const", (), CONST, v)


def leaf(name, level, val=None) -> Node:
    return _tracer().leaf(name, level, val)


_UNINIT = "uninit"


def _uninit():
    return _tracer().leaf(_UNINIT, ELEM)


def _check(a):
    if a is None or (isinstance(a, Node) and a.op == "leaf" and a.key == _UNINIT):
        raise TraceError("an uninitialised buffer was read")
    return a


_PY = {  # how a known value is computed at trace time (for branches on hyperparameters)
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
    "lt": lambda a, b: a < b, "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
    "max": np.maximum, "min": np.minimum,
    "neg": lambda a: -a, "abs": abs, "sqrt": np.sqrt, "sign": np.sign, "square": lambda a: a * a,
}


def _val(op, args):
    vals = [a.val for a in args]
    if any(v is None for v in vals) or op not in _PY:
        return None
    with np.errstate(all="ignore"):
        try:
            return _PY[op](*vals)
        except (ArithmeticError, ValueError, TypeError):
            return None


def _make(op, args):
    args = tuple(_check(a) for a in args)
    level = CONST
    for a in args:
        level = _join(level, a.level)
    return _tracer().node(op, args, level, _val(op, args))


def _binary(op, a, b):
    if isinstance(a, SymArray) or isinstance(b, SymArray) or isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return NotImplemented
    try:
        return _make(op, (const(a), const(b)))
    except TraceError:
        raise
    except TypeError:
        return NotImplemented


def _unary(op, a):
    return _make(op, (a,))


# -- symbolic arrays ---------------------------------------------------------------------------

def _as_obj(x):
    """An object ndarray of Nodes for an operand (SymArray, Node, number, float array)."""
    if isinstance(x, SymArray):
        return x.a
    if isinstance(x, Node):
        out = np.empty((), dtype=object)
        out[()] = x
        return out
    if isinstance(x, np.ndarray) and x.dtype == object:
        return x
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TraceError(f"an operand of dtype {arr.dtype}")
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(arr.reshape(-1).tolist()):
        flat[i] = const(v)
    return out


def _elementwise(name, nin):
    fn = {1: lambda a: _make(name, (a,)), 2: lambda a, b: _make(name, (const(a), const(b)))}[nin]
    return np.frompyfunc(fn, nin, 1)


_UFUNCS = {
    np.add: ("add", 2), np.subtract: ("sub", 2), np.multiply: ("mul", 2), np.true_divide: ("div", 2),
    np.power: ("pow", 2), np.maximum: ("max", 2), np.minimum: ("min", 2), np.fmax: None, np.fmin: None,
    np.negative: ("neg", 1), np.absolute: ("abs", 1), np.sqrt: ("sqrt", 1), np.square: ("square", 1),
    np.sign: ("sign", 1), np.sin: ("sin", 1), np.cos: ("cos", 1), np.tan: ("tan", 1), np.exp: ("exp", 1),
    np.log: ("log", 1), np.log1p: ("log1p", 1), np.expm1: ("expm1", 1), np.tanh: ("tanh", 1),
    np.arctan: ("arctan", 1), np.reciprocal: ("recip", 1), np.positive: ("pos", 1),
    np.greater: ("gt", 2), np.greater_equal: ("ge", 2), np.less: ("lt", 2), np.less_equal: ("le", 2),
    np.equal: ("eq", 2), np.not_equal: ("ne", 2),
}
_LOOPS = {}


def _loop(ufunc):
    spec = _UFUNCS.get(ufunc)
    if spec is None:
        raise TraceError(f"the ufunc {getattr(ufunc, '__name__', ufunc)} is not traced")
    name, nin = spec
    if name == "pos":
        return np.frompyfunc(lambda a: _check(a), 1, 1)
    if name == "recip":
        return np.frompyfunc(lambda a: _make("div", (const(1.0), a)), 1, 1)
    loop = _LOOPS.get(name)
    if loop is None:
        loop = _LOOPS[name] = _elementwise(name, nin)
    return loop


def _pairwise(items):
    """NumPy's float sum of a contiguous run (pairwise_sum: 8 accumulators from 8 terms on, blocks of 128)."""
    n = len(items)
    if n < 8:
        acc = const(0.0)  # numpy starts at 0.0 (-0.0 + 0.0 = 0.0, as NumPy gives)
        for a in items:
            acc = _make("add", (acc, a))
        return acc
    if n <= 128:
        r = list(items[:8])
        i = 8
        while i < n - n % 8:
            for j in range(8):
                r[j] = _make("add", (r[j], items[i + j]))
            i += 8
        res = _make("add", (_make("add", (_make("add", (r[0], r[1])), _make("add", (r[2], r[3])))),
                            _make("add", (_make("add", (r[4], r[5])), _make("add", (r[6], r[7]))))))
        while i < n:
            res = _make("add", (res, items[i]))
            i += 1
        return res
    m = (n // 2) - (n // 2) % 8
    return _make("add", (_pairwise(items[:m]), _pairwise(items[m:])))


def _not_elementwise():
    if _TRACER is not None:
        _TRACER.elementwise = False


def _sum(a, axis=None, keepdims=False):
    _not_elementwise()
    obj = _as_obj(a)
    if obj.ndim == 0:
        return SymArray(obj.copy())
    if axis is None:
        if obj.ndim != 1:
            raise TraceError("a sum over several axes")
        axis = 0
    if isinstance(axis, tuple):
        if len(axis) != 1:
            raise TraceError("a sum over several axes")
        axis = axis[0]
    axis = axis % obj.ndim
    if axis != obj.ndim - 1:
        raise TraceError("a sum over an axis other than the last (across rows)")
    lead = obj.shape[:-1]
    out = np.empty(lead, dtype=object)
    for idx in np.ndindex(*lead):
        out[idx] = _pairwise([_check(v) for v in obj[idx]])
    if keepdims:
        out = out[..., None]
    return SymArray(out)


def _reduce_max(a, axis=None, initial=None, keepdims=False):
    _not_elementwise()
    obj = _as_obj(a)
    if axis is None:
        axis = tuple(range(obj.ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    axes = tuple(x % obj.ndim for x in axes)
    if any(x != obj.ndim - 1 for x in axes) and obj.ndim > 1 and set(axes) != set(range(1, obj.ndim)):
        raise TraceError("a max over the rows")
    lead = obj.shape[:-1]
    out = np.empty(lead, dtype=object)
    for idx in np.ndindex(*lead):
        acc = const(initial) if initial is not None else None
        for v in obj[idx]:
            acc = _check(v) if acc is None else _make("max", (acc, v))
        out[idx] = acc
    if keepdims:
        out = out[..., None]
    return SymArray(out)


class SymArray(np.lib.mixins.NDArrayOperatorsMixin):
    """An array of symbolic scalars; NumPy calls on it record nodes (see the module docstring)."""

    __slots__ = ("a",)
    dtype = np.dtype(object)

    def __init__(self, a):
        self.a = a

    # shape and views (reading the shape marks a trace as not elementwise)
    @property
    def shape(self):
        _not_elementwise()
        return self.a.shape

    @property
    def ndim(self):
        _not_elementwise()
        return self.a.ndim

    @property
    def size(self):
        _not_elementwise()
        return self.a.size

    nbytes = property(lambda self: 8 * self.a.size)
    T = property(lambda self: SymArray(self.a.T))

    def __len__(self):
        _not_elementwise()
        return len(self.a)

    def __getitem__(self, idx):
        r = self.a[idx]
        return SymArray(r) if isinstance(r, np.ndarray) else r

    def __setitem__(self, idx, value):
        self.a[idx] = _as_obj(value)

    def reshape(self, *shape):
        return SymArray(self.a.reshape(*shape))

    def copy(self):
        return SymArray(self.a.copy())

    def sum(self, axis=None, keepdims=False):
        return _sum(self, axis, keepdims)

    def max(self, axis=None, initial=None, keepdims=False):
        return _reduce_max(self, axis, initial, keepdims)

    def __array__(self, *args, **kwargs):
        raise TraceError("a symbolic array converted to a NumPy array")

    def __bool__(self):
        raise TraceError("a branch on a symbolic array")

    def __pow__(self, other):
        # ndarray ** scalar takes NumPy's fast paths for 2, 0.5, -1 and 1
        if isinstance(other, (numbers.Real, np.floating, np.integer)) and not isinstance(other, bool):
            e = float(other)
            if e == 2.0:
                return np.square(self)
            if e == 0.5:
                return np.sqrt(self)
            if e == -1.0:
                return np.reciprocal(self)
            if e == 1.0:
                return np.positive(self)
        return np.power(self, other)

    def __ipow__(self, other):
        r = self.__pow__(other)
        self.a[...] = r.a
        return self

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        kwargs.pop("dtype", None)
        kwargs.pop("casting", None)
        if kwargs:
            raise TraceError(f"ufunc keywords {sorted(kwargs)}")
        if method == "reduce":
            if ufunc is np.add:
                return _sum(inputs[0], kwargs.get("axis", 0))
            raise TraceError(f"{ufunc.__name__}.reduce")
        if method != "__call__":
            raise TraceError(f"ufunc method {method}")
        loop = _loop(ufunc)
        args = [_as_obj(x) for x in inputs]
        if out is not None:
            (target,) = out
            dst = target.a if isinstance(target, SymArray) else target
            if not (isinstance(dst, np.ndarray) and dst.dtype == object):
                raise TraceError("a symbolic result written into a numeric array")
            loop(*args, out=dst)
            return target
        res = loop(*args)
        if isinstance(res, np.ndarray):
            return SymArray(res)
        return res

    def __array_function__(self, func, types, args, kwargs):
        impl = _FUNCTIONS.get(func)
        if impl is None:
            raise TraceError(f"np.{getattr(func, '__name__', func)} is not traced")
        return impl(*args, **kwargs)


def _like(fill):
    def impl(a, dtype=None, order=None, **kw):
        shape = kw.get("shape", np.shape(a.a if isinstance(a, SymArray) else a))
        out = np.empty(shape, dtype=object)
        node = _uninit() if fill is None else const(fill)
        out[...] = node
        return SymArray(out)
    return impl


def _full_like(a, fill_value, dtype=None, **kw):
    return _like(fill_value)(a)


def _copyto(dst, src, casting=None, where=True):
    if where is not True:
        w = where.a if isinstance(where, SymArray) else np.asarray(where)
        if w.dtype != bool:
            raise TraceError("np.copyto with a symbolic where")
        np.copyto(dst.a, np.broadcast_to(_as_obj(src), dst.a.shape), where=w)
        return
    dst.a[...] = _as_obj(src)


def _stack(arrays, axis=0, out=None):
    return SymArray(np.stack([_as_obj(a) for a in arrays], axis=axis))


def _where(cond, a, b):
    c, x, y = _as_obj(cond), _as_obj(a), _as_obj(b)
    sel = np.frompyfunc(lambda c_, x_, y_: _make("select", (c_, const(x_), const(y_))), 3, 1)
    return SymArray(sel(c, x, y))


def _clip(a, lo, hi, out=None, **kw):
    r = np.minimum(np.maximum(a, lo), hi)
    if out is not None:
        out.a[...] = r.a
        return out
    return r


def _broadcast_to(a, shape, subok=False):
    return SymArray(np.broadcast_to(_as_obj(a), shape))


def _concatenate(arrays, axis=0, **kw):
    return SymArray(np.concatenate([_as_obj(a) for a in arrays], axis=axis))


def _mean(a, axis=None, keepdims=False, **kw):
    s = _sum(a, axis, keepdims)
    n = _as_obj(a).shape[-1]
    return np.true_divide(s, float(n))


_FUNCTIONS = {
    np.empty_like: _like(None), np.zeros_like: _like(0.0), np.ones_like: _like(1.0), np.full_like: _full_like,
    np.copyto: _copyto, np.stack: _stack, np.where: _where, np.sum: _sum, np.clip: _clip,
    np.broadcast_to: _broadcast_to, np.concatenate: _concatenate, np.mean: _mean, np.shape: lambda a: a.shape,
    np.ndim: lambda a: a.ndim,
}


def sym_leaves(prefix, shape, level=ELEM):
    """A SymArray of fresh leaves named (prefix, i, j, ...)."""
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(*shape):
        out[idx] = leaf((prefix,) + idx, level)
    return SymArray(out)


# -- the autodiff's arrays during a trace -----------------------------------------------------------

def _and(a, b):
    """``a & b`` of two truth values, as a select (``b if a else a``): no operation of its own."""
    return _select(a, b, a)


def _select(c, x, y):
    """One element of ``np.where(c, x, y)``; a constant condition picks its side at once."""
    c = const(c)
    if c.level == CONST:
        return const(x) if c.val else const(y)
    return _make("select", (c, const(x), const(y)))


_MASK_LOOPS = {  # the ufuncs whose NumPy object loop asks each element for a truth value
    np.isnan: np.frompyfunc(lambda a: _make("ne", (const(a), const(a))), 1, 1),  # x != x: NaN alone
    np.logical_and: np.frompyfunc(_and, 2, 1), np.bitwise_and: np.frompyfunc(_and, 2, 1),  # of masks
}
for _u in (np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal, np.maximum, np.minimum,
           np.sign):
    _MASK_LOOPS[_u] = _u
_SELECT = np.frompyfunc(_select, 3, 1)


def _base(x):
    return x.view(np.ndarray) if isinstance(x, NodeArray) else x


def _node_array(res):
    if isinstance(res, np.ndarray):
        return res.view(NodeArray) if res.dtype == object else res
    if isinstance(res, Node):  # a 0-d result: NumPy gives a scalar, here a 0-d array (it has .any())
        out = np.empty((), dtype=object)
        out[()] = res
        return out.view(NodeArray)
    return res


class NodeArray(np.ndarray):
    """An object ndarray of Nodes whose masks are symbolic: the data of the autodiff's tensors in a trace.

    The autodiff runs on object arrays of Nodes, where NumPy's object loops call each Node's
    arithmetic (``x + y`` records an "add"). A comparison, ``np.isnan``, ``np.sign``,
    ``np.maximum`` or ``np.minimum`` would ask each Node for a truth value, which a per-element
    value does not have; on a NodeArray they record comparison nodes instead (``isnan(x)`` as
    ``x != x``, ``a & b`` of masks as ``b if a else a``), ``np.where`` on such a mask records
    "select" nodes (``b if c else e``), and ``x ** p`` takes NumPy's fast paths for float arrays
    (``** 2`` squares, ``** -1`` divides, ``** 0.5`` takes the square root), as the NumPy engine
    computes them. So a domain mask (``np.where(x < 0, nan, g)``) is traced element by element,
    with the very numbers NumPy gives.

    ``mask.any()`` of a mask whose values are not known answers True: the code after it then
    runs for every element, which gives the same numbers where it is a shortcut (the autodiff's
    ``if outside.any(): g = np.where(outside, nan, g)``: with no element outside, the select
    keeps g). Code on the traced path uses ``.any()`` only so; ``.all()``, ``bool(mask)`` and
    every other branch on such values raise :class:`TraceError`, and the NumPy engine runs.
    """

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        args = [_base(x) for x in inputs]
        if out is not None:
            kwargs["out"] = tuple(_base(o) for o in out)
        loop = _MASK_LOOPS.get(ufunc) if method == "__call__" else None
        if loop is not None:
            if set(kwargs) - {"out"}:
                raise TraceError(f"ufunc keywords {sorted(set(kwargs) - {'out'})}")
            if loop is ufunc:
                loop = _loop(ufunc)
            res = loop(*[a if isinstance(a, np.ndarray) else _as_obj(a) for a in args], **kwargs)
        else:
            res = getattr(ufunc, method)(*args, **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _node_array(res)

    def __array_function__(self, func, types, args, kwargs):
        if func is np.where and len(args) + len(kwargs) == 3:
            return _node_where(*args, **kwargs)
        return super().__array_function__(func, types, args, kwargs)

    def __pow__(self, other):
        # NumPy's fast paths for float arrays (its object loops take none): exactly an int 2 or -1, a float 0.5
        if type(other) is int and other in (2, -1):
            return np.square(self) if other == 2 else np.reciprocal(self)
        if type(other) is float and other == 0.5:
            return np.sqrt(self)
        return np.power(self, other)

    def __ipow__(self, other):
        self[...] = self.__pow__(other)
        return self

    def any(self, axis=None, out=None, keepdims=False, *, where=True):
        if axis is not None or out is not None or keepdims or where is not True:
            raise TraceError("any() along an axis of symbolic values")
        known = []
        for v in self.view(np.ndarray).flat:
            v = const(v)
            if v.level != CONST:
                return np.True_  # a value known only at run time: maybe (see the class docstring)
            known.append(bool(v.val))
        return np.bool_(any(known))

    def all(self, axis=None, out=None, keepdims=False, *, where=True):
        vals = [const(v) for v in self.view(np.ndarray).flat]
        if axis is not None or out is not None or keepdims or where is not True or any(v.level != CONST for v in vals):
            raise TraceError("a branch on whether every element of a symbolic mask holds")
        return np.bool_(all(bool(v.val) for v in vals))


def _node_where(condition, x, y):
    c = condition.view(np.ndarray) if isinstance(condition, np.ndarray) else np.asarray(condition)
    if c.dtype != object:  # a mask of known values: NumPy's own where on the object arrays
        return _node_array(np.where(c, _base(x), _base(y)))
    return _node_array(_SELECT(c, _base(x) if isinstance(x, np.ndarray) else _as_obj(x),
                               _base(y) if isinstance(y, np.ndarray) else _as_obj(y)))



def value(x):
    """A Node of a traced scalar or 0-d array result."""
    if isinstance(x, SymArray):
        if x.size != 1:
            raise TraceError("a traced result of the wrong shape")
        x = x.a.reshape(-1)[0]
    if isinstance(x, Node):
        return _check(x)
    return const(x)


# -- branches re-decided for new hyperparameters (whether a traced program still applies) ---------------

def _evaluate(node, env, memo):
    """A guard's value for new hyperparameters (the leaves are ("hp"|"hy", name))."""
    got = memo.get(node.id)
    if got is not None or node.id in memo:
        return got
    if node.op == "const":
        out = node.val
    elif node.op == "leaf":
        out = env[node.key[1]] if isinstance(node.key, tuple) and node.key[0] in ("hp", "hy") else None
        if out is None:
            raise KeyError(node.key)
    else:  # (under decide's np.errstate)
        out = _PY[node.op](*[_evaluate(a, env, memo) for a in node.args])
    memo[node.id] = out
    return out


def expression(node):
    """A guard's expression as text (equal for the same test made in different traces)."""
    if node.op == "const":
        return repr(node.val)
    if node.op == "leaf":
        return repr(node.key)
    return f"{node.op}({', '.join(expression(a) for a in node.args)})"


def decide(node, env):
    try:
        with np.errstate(all="ignore"):
            v = np.asarray(_evaluate(node, env, {}))
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    if v.ndim and not (v == v.flat[0]).all():
        return None
    return bool(v.flat[0]) if v.ndim else bool(v)


__all__ += ["decide", "expression", "sym_leaves", "NodeArray", "value", "CONST", "RUN", "STEP", "ROW", "ROWSTEP", "ELEM", "math", "post_order"]


def post_order(outputs):
    """Every node the ``outputs`` need, each once, arguments before their users (an iterative
    post-order, so deep chains do not hit the recursion limit)."""
    order, seen = [], set()
    stack = [(o, False) for o in reversed(outputs)]
    while stack:
        node, expanded = stack.pop()
        if node.id in seen:
            continue
        if expanded or not node.args:
            seen.add(node.id)
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((a, False) for a in reversed(node.args) if a.id not in seen)
    return order
