"""The Tensor and the reverse-mode engine.

A Tensor holds a NumPy array (``data``), and, when it was computed from tensors
that require gradients, the tuple of its inputs (``_parents``) and a function
``_vjp`` that maps the gradient of the output to the gradients of the inputs
(a vector-Jacobian product). The ops themselves live in :mod:`gdlab.autodiff.ops`,
each forward beside its VJP; this module only knows how to run the VJPs backwards.

Two rules are kept here, once, for every op:

* broadcasting is undone in the engine: a VJP may return a gradient of the
  broadcast shape, and :func:`backward` sums it back to the input's shape;
* gradients accumulate: an input used twice receives the sum.

The backward pass is iterative (no recursion), so a chain of 100,000 ops works.
Every tensor gets a creation number; an op's output is always newer than its
inputs, so visiting nodes from the newest down (a heap keyed by that number) is a
topological order, found while the gradients are accumulated. A node's pending
gradient waits in its ``_g`` slot until the node is visited.
"""

from __future__ import annotations

import heapq
import itertools

import numpy as np

__all__ = ["Tensor", "no_grad", "enable_grad", "is_grad_enabled"]


class _GradMode:
    """Whether new results record their graph. Changed only by the context managers below."""

    enabled = True


def is_grad_enabled() -> bool:
    return _GradMode.enabled


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
        self._prev = _GradMode.enabled
        _GradMode.enabled = self._mode
        return self

    def __exit__(self, *exc):
        _GradMode.enabled = self._prev
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_SetGradMode):
    """Context manager (and decorator) in which results record no graph.

    >>> with gdlab.no_grad():
    ...     y = x * 2          # y.requires_grad is False
    """

    _mode = False


class enable_grad(_SetGradMode):
    """Context manager (and decorator) that turns graph recording back on."""

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
        out = Tensor.__new__(Tensor)
        out.data = self.data
        out.grad = None
        out.requires_grad = False
        out._parents = ()
        out._vjp = None
        out._seq = next(_counter)
        out._g = None
        return out

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
        heap = []
        pop, push = heapq.heappop, heapq.heappush
        node, nxt = self, None
        try:
            while True:
                g = node._g
                node._g = None
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
                        if pg.shape != parent.data.shape:
                            pg = _unbroadcast(pg, parent.data.shape)
                        if parent._g is None:
                            parent._g = pg
                            # The chain case: the only node waiting is next; it skips the heap.
                            if nxt is None and not heap:
                                nxt = parent
                            else:
                                push(heap, (parent._seq, parent))
                        else:
                            parent._g = parent._g + pg
                if nxt is not None:
                    if not heap:
                        node = nxt
                        continue
                    push(heap, (nxt._seq, nxt))
                    nxt = None
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


def _result(data, parents, vjp, _new=object.__new__, _ndarray=np.ndarray, _mode=_GradMode):
    """Make the output of an op. ``parents`` holds Tensors or None (constants).

    This runs once per op, so the globals it needs are bound as default arguments.
    """
    out = _new(Tensor)
    out.data = data if type(data) is _ndarray else np.asarray(data)
    out.grad = None
    out._seq = next(_counter)
    out._g = None
    if _mode.enabled:
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
