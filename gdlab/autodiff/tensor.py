"""The Tensor and the reverse-mode engine.

A Tensor holds a NumPy array (``data``), and, when it was computed from tensors
that require gradients, the tuple of its inputs (``_parents``) and a function
``_vjp`` that maps the gradient of the output to the gradients of the inputs
(a vector-Jacobian product). The ops themselves live in :mod:`gdlab.autodiff.ops`,
each forward beside its VJP; this module only knows how to run the VJPs backwards.

Two rules are kept here, once, for every op:

* broadcasting is undone in the engine: a VJP may return a gradient of the
  broadcast shape, and :func:`backward` sums it back to the input's shape;
* gradients accumulate: an input used twice receives the sum. The first sum is a
  new array that only the engine holds, so later contributions are added into it in
  place; a VJP may also return a :class:`Scatter` (a gradient that is zero outside
  an index, as indexing gives), which is written into such an array directly.

The backward pass is iterative (no recursion), so a chain of 100,000 ops works.
Every tensor gets a creation number; an op's output is always newer than its
inputs, so visiting nodes from the newest down (a heap keyed by that number) is a
topological order, found while the gradients are accumulated. A node's pending
gradient waits in its ``_g`` slot until the node is visited.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools

import numpy as np

__all__ = ["Tensor", "no_grad", "enable_grad", "is_grad_enabled"]


# Whether new results record their graph: one flag per thread (and per asyncio task), as torch's
# grad mode is per thread, so trainings in a thread pool (the web server, notebooks) cannot switch
# each other's recording off. A context variable is read faster than a class attribute (its value is
# cached per thread), so the engine pays nothing for it. Each new thread starts with recording on
# (on Python builds that copy the context into a new thread, with its creator's mode).
_GRAD_ENABLED = contextvars.ContextVar("gdlab_grad_enabled", default=True)
# The modes that the open no_grad/enable_grad blocks replaced, innermost last, also per thread: an
# exit restores what its own entry replaced, even when one instance is shared by several threads
# or entered twice.
_REPLACED = contextvars.ContextVar("gdlab_grad_replaced", default=())


def is_grad_enabled() -> bool:
    """Whether ops record their graph in this thread (False inside ``no_grad()``)."""
    return _GRAD_ENABLED.get()


class _SetGradMode:
    _mode = True

    def __new__(cls, func=None):
        # ``@no_grad`` without parentheses, as PyTorch allows: decorate at once.
        if func is not None:
            if not callable(func):
                raise TypeError(f"{cls.__name__}() takes no arguments (or a function to decorate), got {func!r}")
            return object.__new__(cls)(func)
        return object.__new__(cls)

    def __enter__(self):
        _REPLACED.set(_REPLACED.get() + (_GRAD_ENABLED.get(),))
        _GRAD_ENABLED.set(self._mode)
        return self

    def __exit__(self, *exc):
        replaced = _REPLACED.get()
        _GRAD_ENABLED.set(replaced[-1] if replaced else True)
        _REPLACED.set(replaced[:-1])
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_SetGradMode):
    """Context manager (and decorator) in which results record no graph (in this thread only).

    >>> with gdlab.no_grad():
    ...     y = x * 2          # y.requires_grad is False
    """

    _mode = False


class enable_grad(_SetGradMode):
    """Context manager (and decorator) that turns graph recording back on (in this thread only)."""

    _mode = True


class Tensor:
    """An n-dimensional array that can record how it was computed.

    ``Tensor(data, requires_grad=False)`` copies ``data`` into a NumPy array. Python
    floats and float64 arrays give float64; float32 stays float32 through every op.
    Integer and boolean data are allowed (indices, masks) but cannot require grad.

    After ``loss.backward()``, every leaf tensor with ``requires_grad=True`` that
    ``loss`` depends on holds ``d loss / d leaf`` in ``.grad`` (an ndarray of the
    leaf's shape). Gradients accumulate across calls, as in PyTorch; clear them
    with ``zero_grad()`` (or the optimizer's ``zero_grad()``).
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_vjp", "_seq", "_g")
    # NumPy defers to our reflected operators (ndarray + Tensor -> Tensor.__radd__).
    __array_ufunc__ = None

    def __init__(self, data, requires_grad: bool = False):
        if isinstance(data, Tensor):
            data = data.data
        arr = np.array(data)
        kind = arr.dtype.kind
        if kind not in "fiub":
            raise TypeError(
                f"Tensor data must be real numbers or booleans, got dtype {arr.dtype}"
            )
        if requires_grad and kind != "f":
            raise TypeError(
                f"only floating-point tensors can require grad, got dtype {arr.dtype}; "
                "pass float data, e.g. Tensor(np.asarray(x, dtype=float), requires_grad=True)"
            )
        self.data = arr
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._parents = ()
        self._vjp = None
        self._seq = next(_counter)
        self._g = None

    # -- array-like properties ---------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (not computed by an op that records a graph)."""
        return self._vjp is None

    def __len__(self):
        return len(self.data)

    def __array__(self, dtype=None, copy=None):
        """The data for NumPy: shared with ``np.asarray(t)``, copied for ``np.array(t)`` (copy=True)."""
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        if dtype is None or np.dtype(dtype) == self.data.dtype:
            return self.data
        if copy is False:
            raise ValueError(f"a {self.data.dtype} tensor cannot become {np.dtype(dtype)} without a copy")
        return self.data.astype(dtype)

    def __iter__(self):
        # rows as tensors (they record the graph); without this, Python would iterate a 0-d tensor
        # through __getitem__ and silently yield nothing
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = "" if self.data.dtype == np.float64 else f", dtype={self.data.dtype}"
        if self.requires_grad:
            extra += ", requires_grad=True"
        return f"Tensor({body}{extra})"

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element, got shape {self.data.shape}"
            )
        return self.data.item()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.data.shape} is ambiguous; "
                "use .numpy().any() or .numpy().all()"
            )
        return bool(self.data)

    __hash__ = object.__hash__

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied, as in PyTorch)."""
        return self.data

    def detach(self) -> "Tensor":
        """A tensor sharing this one's data that records no graph."""
        return _leaf(self.data, requires_grad=False)

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        if flag and self.data.dtype.kind != "f":
            raise TypeError(f"only floating-point tensors can require grad, got dtype {self.data.dtype}")
        self.requires_grad = bool(flag)
        return self

    def retain_grad(self) -> "Tensor":
        """Keep ``.grad`` on this intermediate result too (leaves always keep it)."""
        vjp = self._vjp
        if vjp is not None and not getattr(vjp, "retains", False):

            def retaining_vjp(g):
                self.grad = np.array(g, dtype=self.data.dtype) if self.grad is None else _accumulate(self, g)
                return vjp(g)

            retaining_vjp.retains = True
            self._vjp = retaining_vjp
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient: ``.grad`` becomes None (PyTorch's set_to_none)."""
        self.grad = None

    # -- the engine ----------------------------------------------------------------
    def backward(self, grad=None) -> None:
        """Accumulate ``d self / d leaf`` into ``leaf.grad`` for every leaf that requires grad.

        ``grad`` is the gradient flowing into this tensor (the "vector" of the
        vector-Jacobian product). It may be omitted only for a one-element tensor,
        where it defaults to 1.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input of this "
                "computation was created with requires_grad=True (or it ran under no_grad())"
            )
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() on a non-scalar tensor of shape {self.data.shape} needs an explicit "
                    "grad of that shape; only a one-element output gets the implicit gradient 1"
                )
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype)
            if grad.shape != self.data.shape:
                raise ValueError(
                    f"backward(grad): grad has shape {grad.shape}, the tensor has shape {self.data.shape}"
                )

        # Each node's pending gradient waits in its _g slot until the node is visited.
        self._g = grad
        given = set()  # ids of the arrays handed to leaves as their .grad in this pass
        # ids of pending gradients that the engine made itself (a sum, a scattered gradient): nobody
        # else holds them, so later contributions are added in place. An id leaves the set when its
        # node is visited, while the array is still alive (so the id cannot have been reused).
        owned = set()
        heap = []
        pop, push = heapq.heappop, heapq.heappush
        node, nxt = self, None
        try:
            while True:
                g = node._g
                node._g = None
                if owned:
                    owned.discard(id(g))
                vjp = node._vjp
                nxt = None
                if vjp is None:
                    if node.grad is not None:
                        node.grad = _accumulate(node, g)
                    elif (type(g) is np.ndarray and g.base is None and g.dtype == node.data.dtype
                          and g is not grad and id(g) not in given):
                        # A fresh array no other leaf holds (VJPs never write into gradients): keep it.
                        given.add(id(g))
                        node.grad = g
                    else:
                        # A view, the caller's own array, or one already given to another leaf: copy.
                        node.grad = np.array(g, dtype=node.data.dtype)
                else:
                    for parent, pg in zip(node._parents, vjp(g)):
                        if pg is None or parent is None or not parent.requires_grad:
                            continue
                        pending = parent._g
                        if type(pg) is Scatter:
                            parent._g = _add_scatter(pending, pg, owned)
                            if pending is not None:
                                continue
                        else:
                            if pg.shape != parent.data.shape:
                                pg = _unbroadcast(pg, parent.data.shape)
                            if pending is not None:
                                if id(pending) in owned and pending.dtype == pg.dtype:
                                    np.add(pending, pg, out=pending)
                                else:
                                    parent._g = pending = pending + pg
                                    if type(pending) is np.ndarray:  # 0-d sums are NumPy scalars
                                        owned.add(id(pending))
                                continue
                            parent._g = pg
                        # the parent's first gradient: schedule its visit. The first one scheduled
                        # by this node waits in nxt, which skips the heap when it is the newest
                        # waiting node (always so in a chain).
                        if nxt is None:
                            nxt = parent
                        else:
                            push(heap, (parent._seq, parent))
                if nxt is not None:
                    # next is the newest waiting node: nxt itself when it is newer than the heap's top
                    if not heap or nxt._seq < heap[0][0]:
                        node = nxt
                        continue
                    node = heapq.heappushpop(heap, (nxt._seq, nxt))[1]
                    nxt = None
                    continue
                if not heap:
                    break
                node = pop(heap)[1]
        except BaseException:
            # Interrupted (an error in a VJP, KeyboardInterrupt): drop the pending gradients, or the
            # next backward through these nodes would add to them and never visit the nodes.
            for _, waiting in heap:
                waiting._g = None
            if nxt is not None:
                nxt._g = None
            raise


class Scatter:
    """A gradient that is zero outside ``x[index]``, as a VJP may return it (indexing does).

    The engine adds ``values`` into the input's pending gradient in place when it made that
    array itself, instead of building a zero array per use and summing them: taking the
    columns of an (n, 2) input costs one zero array and two writes, not three arrays.
    """

    __slots__ = ("shape", "dtype", "order", "index", "values", "advanced")

    def __init__(self, shape, dtype, order, index, values, advanced):
        self.shape, self.dtype, self.order = shape, dtype, order
        self.index, self.values, self.advanced = index, values, advanced

    def dense(self):
        """The gradient as an array of the input's shape (zeros outside the index)."""
        full = np.zeros(self.shape, dtype=self.dtype, order=self.order)  # calloc'd: cheaper than a memset
        if self.advanced:
            np.add.at(full, self.index, self.values)
        else:
            full[self.index] = self.values
        return full

    def __array__(self, dtype=None, copy=None):
        """NumPy sees the dense gradient (for code that calls a VJP itself)."""
        full = self.dense()
        return full if dtype is None else full.astype(dtype, copy=False)

    def add_into(self, out):
        if self.advanced:
            np.add.at(out, self.index, self.values)  # repeated indices accumulate
        else:
            out[self.index] += self.values


def _add_scatter(pending, pg, owned):
    """The pending gradient ``pending`` (None if there is none yet) plus the Scatter ``pg``:
    in place where the engine owns ``pending`` (and the dtypes agree), else a new owned array."""
    if pending is None:
        full = pg.dense()
    elif id(pending) in owned and pending.dtype == pg.dtype:
        pg.add_into(pending)
        return pending
    else:
        full = pending + pg.dense()
        if type(full) is not np.ndarray:  # 0-d sums are NumPy scalars
            return full
    owned.add(id(full))
    return full


# Creation numbers count down, so the newest node is the heap's smallest key.
_counter = itertools.count(0, -1)


def _accumulate(node, g):
    """node.grad + g, kept in the node's dtype (as the first gradient is): a float64 g
    (e.g. from a float64 constant in the graph) must not turn a float32 .grad into float64."""
    total = node.grad + g
    return total if total.dtype == node.data.dtype else total.astype(node.data.dtype)


def _unbroadcast(g, shape):
    """Sum ``g`` down to ``shape``: undo NumPy broadcasting of an input of that shape."""
    g = np.asarray(g)
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if g.shape != shape:
        # e.g. a VJP that returned a 0-d value for a shape-(1,) input
        g = np.broadcast_to(g, shape)
    return g


def _leaf(data, requires_grad=True):
    """A leaf sharing ``data`` (an ndarray, float if it requires grad, that the caller will not
    change while the graph lives): ``detach`` and the library's own leaves skip ``Tensor()``'s copy."""
    out = object.__new__(Tensor)
    out.data = data
    out.grad = None
    out.requires_grad = requires_grad
    out._parents = ()
    out._vjp = None
    out._seq = next(_counter)
    out._g = None
    return out


def _result(data, parents, vjp, _new=object.__new__, _ndarray=np.ndarray, _recording=_GRAD_ENABLED.get,
            _asanyarray=np.asanyarray):
    """Make the output of an op. ``parents`` holds Tensors or None (constants).

    This runs once per op, so the globals it needs are bound as default arguments.
    """
    out = _new(Tensor)
    out.data = data if type(data) is _ndarray else _asanyarray(data)  # a subclass stays (a trace's arrays)
    out.grad = None
    out._seq = next(_counter)
    out._g = None
    if _recording():
        for p in parents:
            if p is not None and p.requires_grad:
                out.requires_grad = True
                out._parents = parents
                out._vjp = vjp
                return out
    out.requires_grad = False
    out._parents = ()
    out._vjp = None
    return out
