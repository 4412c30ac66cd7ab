r"""Loss landscapes of trained networks: the loss along lines and planes through the weights.

A network's loss on fixed data is a function of its flat weight vector θ (every parameter,
in ``model.parameters()`` order, raveled and concatenated). This module evaluates it on
lines and planes θ = θ₀ + α d₁ (+ β d₂) and finds the directions worth looking along::

    from gdlab.nn import landscape as L
    line = L.interpolate(init, trained, x, y, labels=("init", "trained"))  # Goodfellow et al. 2015
    plane = L.directions(model, kind="filter", seed=0)                       # Li et al. 2018
    surf = L.slice_2d(model, x, y, plane, span=1.0, steps=41)               # surf.loss: (41, 41)
    pca = L.directions(model, kind="pca", history=weight_history)           # where training went
    path = L.project(weight_history, pca)                                    # (epochs + 1, 2)

* :func:`interpolate`: θ(α) = (1 − α) θ_a + α θ_b, α from −extend to 1 + extend.
* :func:`directions`: two random directions normalised per filter (Li et al.: each output
  unit's incoming weights, a column of a ``Linear`` weight, scaled to that unit's norm;
  biases zeroed, or part of their unit's filter with ``bias="unit"``), or the top two
  principal directions of θ_t − θ_final over a recorded training path (``kind="pca"``).
* :func:`slice_1d`, :func:`slice_2d`: the loss on the line / plane through the model's
  weights (or ``center=``). The centre's value is ``model.evaluate``'s loss up to rounding.
* :func:`project`: a recorded path's coordinates in a plane (least squares), to draw on it;
  :func:`shared_plane`: the plane through one initial point and two trained endpoints, so
  two optimizers' paths from the same start lie on one map.

**How it is computed.** A ``Sequential`` of ``Linear`` layers and elementwise activations
(Identity, Sigmoid, Tanh, ReLU, LeakyReLU, Softplus, Softmax on the last axis, Flatten) is
evaluated for a whole batch of grid points at once, in the model's dtype: the first layer's
output is affine in the grid coordinates, x W(α, β) = x W₀ + α x D₁ + β x D₂, so it costs
three matrix products for the whole grid, and each point only the sum (made once per grid
row for the β part); later layers multiply each point's activations by its own weights
W₀ + α D₁ + β D₂ in one stacked ``matmul`` over the batch, with the activations held
feature-major (point, unit, sample) so that the long sample axis runs along the products'
rows and the logits reach the loss column-major; activations and the compiled loss are the
library's own (the layers called on Tensors, the loss with ``reduction="none"``). (The
stacked product h [W₀ | D₁ | D₂] for a later layer does three times the multiply-adds of
each point's own product, and was slower on both benchmark nets.) Points go through in
batches of about 2 MiB of activations, never more than ``max_bytes`` (64 MiB by default),
at least one point. Where numba is installed (and $GDLAB_ENGINE is not "numpy") the same plan
runs compiled (:mod:`gdlab.nn._landscape_kernel`: after the first layer, every point's forward
pass and loss fused over blocks of samples held in cache; about 3x the NumPy batch path on the
digits net) for the layers and losses it covers, without metrics; ``engine`` says which ran
("numba" or "numpy"), with the same numbers to rounding. Any other
model (your own Module, a nested one, a loss given as a plain function) is evaluated point by
point: the weights set in place and ``model.evaluate`` called, the weights put back
afterwards. ``vectorize="auto"`` picks the batch path where it applies and says which it used
(``result.method``); ``vectorize=True`` refuses a model it cannot batch, naming the layer.
Both paths give the same numbers up to rounding (the tests compare them).

**The model is left exactly as it was.** No function here changes a parameter's value or
gradient: the batch path never touches the model, the point-by-point path restores every
array in a ``finally`` block, so an exception or Ctrl-C midway leaves the weights as they were.
"""

from __future__ import annotations

import contextlib
import json
import numbers
import os
from dataclasses import dataclass, field

import numpy as np

from gdlab._alloc import warm_allocator
from gdlab._atomic import atomic_path
from gdlab.autodiff import Tensor, linear, no_grad

from . import _landscape_kernel
from . import losses as losses_mod
from .callbacks import Callback
from .layers import Flatten, Identity, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .model import Sequential

__all__ = ["LossFunction", "Plane", "Slice1D", "Slice2D", "interpolate", "directions", "slice_1d", "slice_2d",
           "project", "shared_plane", "path_span", "flat_weights", "weight_matrix", "PathRecorder", "save_weight_history",
           "load_weight_history", "restored", "MAX_BYTES", "MAX_GRID_POINTS"]

#: the default bound on the activations held at once by the batch path (bytes)
MAX_BYTES = 64 * 2**20
#: the most grid points slice_2d evaluates (1001 x 1001); its coordinates and results stay within ~40 MB
MAX_GRID_POINTS = 1_002_001
#: the batch path's working size: a few MiB of activations per batch of points stays in cache
CHUNK_BYTES = 2 * 2**20

#: the batch path's products stay below this many multiply-adds each (single-threaded in BLAS: see _matmul)
SMALL_PRODUCT = 2**18

_ELEMENTWISE = (Identity, Sigmoid, Tanh, ReLU, LeakyReLU, Softplus)
_SUPPORTED = "Linear, Identity, Sigmoid, Tanh, ReLU, LeakyReLU, Softplus, Softmax (last axis) and Flatten"


# -----------------------------------------------------------------------------------
# flat weights


def _named(model):
    try:
        return list(model.named_parameters())
    except AttributeError:
        raise TypeError(f"expected a gdlab.nn model, got {type(model).__name__}") from None


def flat_weights(obj, model=None) -> np.ndarray:
    """The flat float64 weight vector of a model, a ``state_dict`` or a flat array.

    With ``model``, a state_dict must hold exactly its parameter names and shapes, and a flat
    array its parameter count (a ValueError says what differs).
    """
    ref = None if model is None else _named(model)
    if hasattr(obj, "named_parameters"):
        named = _named(obj)
        if ref is not None:
            _check_same_layout([(k, p.data.shape) for k, p in named], [(k, p.data.shape) for k, p in ref])
        return np.concatenate([p.data.ravel() for _, p in named]).astype(np.float64) if named else np.zeros(0)
    if isinstance(obj, dict):
        if ref is not None:
            names = [k for k, _ in ref]
            if list(obj) != names:
                missing = [k for k in names if k not in obj]
                extra = [k for k in obj if k not in names]
                if missing or extra:
                    raise ValueError(f"the weights do not match the model's parameters (missing: {missing or 'none'}; "
                                     f"unexpected: {extra or 'none'})")
            for k, p in ref:
                if np.shape(obj[k]) != p.data.shape:
                    raise ValueError(f"weights {k!r} have shape {np.shape(obj[k])}, the model's parameter has "
                                     f"{p.data.shape}")
            obj = {k: obj[k] for k in names}
        return np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in obj.values()]) if obj else np.zeros(0)
    arr = np.asarray(getattr(obj, "data", obj), dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"flat weights must be a 1-D array, got shape {arr.shape}")
    if ref is not None:
        n = sum(p.data.size for _, p in ref)
        if arr.size != n:
            raise ValueError(f"flat weights have {arr.size} values, the model has {n} parameters")
    return arr


def _check_same_layout(a, b):
    if a != b:
        raise ValueError("the two models have different parameters: "
                         f"{[f'{k}{tuple(s)}' for k, s in a]} against {[f'{k}{tuple(s)}' for k, s in b]}")


def weight_matrix(history) -> np.ndarray:
    """A recorded training path as an array (T, n_params), float64, one row per recorded point.

    ``history``: a :class:`~gdlab.nn.WeightHistory` (its ``weights``), a list of state_dicts
    (parameter name -> array, all with the same names), or an array (T, n_params).
    """
    weights = getattr(history, "weights", history)
    if isinstance(weights, np.ndarray):
        if weights.ndim != 2 or len(weights) == 0:
            raise ValueError(f"a path of flat weights must have shape (T, n_params), got {weights.shape}")
        return weights.astype(np.float64, copy=False)
    weights = list(weights)
    if not weights:
        raise ValueError("the weight history is empty: record it with gdlab.nn.WeightHistory during fit")
    if isinstance(weights[0], dict):
        names = list(weights[0])
        for i, w in enumerate(weights):
            if list(w) != names:
                raise ValueError(f"point {i} of the weight history has parameters {list(w)}, the first has {names}")
        return np.stack([np.concatenate([np.asarray(w[k], dtype=np.float64).ravel() for k in names])
                         for w in weights])
    return np.stack([flat_weights(w) for w in weights])


@contextlib.contextmanager
def restored(params):
    """Every parameter's values and ``.grad`` put back on leaving the block, whatever ends it (Ctrl-C too)."""
    saved = [(p.data.copy(), p.grad) for p in params]
    try:
        yield
    finally:
        for p, (data, grad) in zip(params, saved):
            p.data[...] = data
            p.grad = grad


# -----------------------------------------------------------------------------------
# the loss as a function of the flat weights


def _matmul(a, b, out):
    """``a @ b`` into ``out`` for stacks a (p, m, k), b (p, k, n) (or matrices), in products of at most
    SMALL_PRODUCT multiply-adds each (blocks of b's columns).

    OpenBLAS runs a product above about half a million multiply-adds on all its threads; while other
    processes hold the cores those threads wait for each other, and the batch path's per-point products
    (1797 x 64 x 10 for the digits net) took 30 times as long (a 41 x 41 slice: 5.7 s with two threads
    under a load average of 3.5-5 on 2 cores, 0.26 s with one). Products this small run on the calling thread, at the same
    speed on an idle machine and a busy one. A block keeps at least 64 columns: a layer wider than
    64 x 64 gets products above the bound rather than thousands of matrix-vector products.
    """
    m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
    step = max(64, SMALL_PRODUCT // max(m * k, 1))
    if step >= n:
        return np.matmul(a, b, out=out)
    for lo in range(0, n, step):
        np.matmul(a, b[..., lo:lo + step], out=out[..., lo:lo + step])
    return out


def _data(t):
    return t.data if isinstance(t, Tensor) else np.asarray(t)


def _compiled(model):
    return getattr(model, "compiled_", None)


def _is_builtin_sequential(model):
    """gdlab.nn's own Sequential (not a subclass, whose forward may differ)."""
    return type(model) is Sequential


def _as_array(a, what):
    if isinstance(a, Tensor):
        a = a.data
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what} must hold numbers, got dtype {arr.dtype}")
    if arr.ndim == 0 or len(arr) == 0:
        raise ValueError(f"{what} must have a non-empty sample axis, got shape {arr.shape}")
    return arr


class LossFunction:
    """``model``'s loss on (x, y) as a function of the flat weight vector θ (float64 in, float out).

    The loss is the compiled one (exactly what ``model.evaluate`` reports: a model ending in
    Softmax/Sigmoid compiled with a cross-entropy from probabilities is measured from its
    logits, as evaluate does), or ``loss`` (a name, a :class:`~gdlab.nn.losses.Loss` or a
    function ``f(y_pred, y_true)``) for a model that was not compiled.

    Methods: ``value(θ)``; ``values(center, D, C)`` at the points center + C @ D (batched
    where the model allows); ``grad(θ)``, the exact gradient by reverse mode, computed in
    float64 on a copy of the weights whatever the model's dtype (for the curvature, see
    :mod:`gdlab.nn.curvature`). ``method`` is "vectorised" or "loop", and ``reason`` says
    why a model is evaluated point by point; ``batches``: how many batches of points the last
    batched ``values`` call took (each within ``max_bytes`` of activations).
    """

    def __init__(self, model, x, y, loss=None, vectorize="auto", max_bytes=MAX_BYTES):
        if vectorize not in ("auto", True, False):
            raise ValueError(f"vectorize must be 'auto', True or False, got {vectorize!r}")
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, numbers.Integral) or max_bytes < 1:
            raise ValueError(f"max_bytes must be a positive integer, got {max_bytes!r}")
        self.model = model
        self.max_bytes = int(max_bytes)
        self._named = _named(model)
        if not self._named:
            raise ValueError(f"{type(model).__name__} has no parameters")
        self.params = [p for _, p in self._named]
        sizes = [p.data.size for p in self.params]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.n_params = int(self.offsets[-1])
        self.dtype = self.params[0].data.dtype
        compiled = _compiled(model)
        x = _as_array(x, "x")
        y = _as_array(y, "y")
        if len(x) != len(y):
            raise ValueError(f"x has {len(x)} samples but y has {len(y)}; they must have the same length")
        if loss is None:
            if compiled is None:
                raise ValueError(f"{type(model).__name__} is not compiled: compile it (model.compile(loss=...)) "
                                 "or pass loss= (a loss name, a gdlab.nn.losses.Loss or a function)")
            # evaluate checks x and y (features, NaN/inf, labels, shapes) and is the reference value
            # (on one BLAS thread when the compiled path may run: BLAS's threads would still be spinning
            # for their next product when the kernel's threads start; the products give the same bits)
            with _landscape_kernel.one_blas_thread(_landscape_kernel.enabled()):
                self.evaluated = model.evaluate(x, y)
            self.loss_fn = compiled.train_loss
            self.head = compiled.head
            self.fused = bool(compiled.fused)
            self.final = compiled.final_activation if self.fused else None
            self.metric_specs = list(compiled.metrics)
        else:
            if isinstance(loss, (str, dict, losses_mod.Loss)):
                self.loss_fn = losses_mod.get(loss)
            elif callable(loss):
                self.loss_fn = loss
            else:
                raise TypeError(f"loss must be a name, a gdlab.nn.losses.Loss or a function, got {loss!r}")
            self.evaluated = None
            self.head = model
            self.fused, self.final, self.metric_specs = False, None, []
        self.x = self._prepare_x(x, self.dtype)
        with no_grad():
            probe = self._forward_tensor(self.head, self.x[:8])
        self.out_shape = (len(self.x),) + probe.shape[1:]
        self.y = self._prepare_y(y, self.dtype)
        self.y64 = self.y.astype(np.float64) if self.y.dtype.kind == "f" else self.y
        self.x64 = self.x.astype(np.float64)
        self.plan, self.reason = self._plan()
        if vectorize is True and self.plan is None:
            raise ValueError(f"cannot evaluate this model in batches: {self.reason}")
        if vectorize is False:
            self.method, self.reason = "loop", "vectorize=False"
        else:
            self.method = "vectorised" if self.plan is not None else "loop"
        # the batch path's engine: the compiled kernel where it applies and numba is on, else NumPy
        self.kernel = _landscape_kernel.spec(self.plan[0], self.loss_fn) if self.method == "vectorised" else None
        self.engine = "numba" if self.kernel is not None else "numpy"

    # -- preparation -----------------------------------------------------------------
    def _prepare_x(self, x, dtype):
        x = np.ascontiguousarray(x, dtype=dtype)
        first = next((m for _, m in self.model.named_modules() if isinstance(m, Linear)), None)
        if x.ndim == 1 and first is not None and first.in_features == 1:
            x = x.reshape(-1, 1)
        return x

    def _prepare_y(self, y, dtype):
        prepare = getattr(self.loss_fn, "prepare_target", None)
        if prepare is not None:
            return prepare(y, self.out_shape, dtype, "y")
        y = np.asarray(y)
        return y.astype(dtype) if y.dtype.kind == "f" else y

    @staticmethod
    def _forward_tensor(fn, x):
        out = fn(x)
        return out.data if isinstance(out, Tensor) else np.asarray(out)

    def _plan(self):
        """The steps of a batchable model, or (None, why not)."""
        model = self.model
        if not _is_builtin_sequential(model):
            return None, f"{type(model).__name__} is not a gdlab.nn.Sequential"
        if not isinstance(self.loss_fn, losses_mod.Loss):
            return None, "the loss is a plain function (it cannot be asked for per-sample values)"
        try:
            per_sample = losses_mod.get({**self.loss_fn.get_config(), "reduction": "none"})
        except (ValueError, TypeError):
            return None, f"the loss {self.loss_fn!r} has no per-sample form"
        layers = list(model.layers)
        if self.fused:
            layers = layers[:-1]  # measured from the logits, as evaluate does
        where = {id(p): i for i, p in enumerate(self.params)}
        steps, stack = [], list(reversed(layers))
        while stack:
            layer = stack.pop()
            if _is_builtin_sequential(layer):
                stack.extend(reversed(layer.layers))
            elif type(layer) is Linear:
                wi = where[id(layer.weight)]
                bi = where[id(layer.bias)] if layer.bias is not None else None
                steps.append(("linear", wi, bi))
            elif type(layer) in _ELEMENTWISE or (type(layer) is Softmax and layer.axis in (-1, 1)):
                steps.append(("act", layer))
            elif type(layer) is Flatten:
                steps.append(("flatten", None))
            else:
                return None, f"layer {type(layer).__name__} is not supported by the batch path (supported: {_SUPPORTED})"
        if sum(1 for s in steps if s[0] == "linear") == 0:
            return None, "the model has no Linear layer"
        used = sorted(i for s in steps if s[0] == "linear" for i in s[1:] if i is not None)
        if used != list(range(len(self.params))):
            return None, "some parameters do not belong to a Linear layer of the stack"
        return (steps, per_sample), ""

    # -- weights ---------------------------------------------------------------------
    def theta(self) -> np.ndarray:
        """The model's current weights, flat, float64 (a copy)."""
        return np.concatenate([p.data.ravel() for p in self.params]).astype(np.float64)

    def _block(self, theta, i):
        p = self.params[i]
        return theta[self.offsets[i]:self.offsets[i + 1]].reshape(p.data.shape)

    def check_vector(self, v, what="direction"):
        v = flat_weights(v, self.model)
        if not np.all(np.isfinite(v)):
            raise ValueError(f"the {what} holds NaN or infinite values")
        return v

    # -- values ----------------------------------------------------------------------
    def value(self, theta) -> float:
        """The loss at the flat weights ``theta``."""
        theta = self.check_vector(theta, "weights")
        return float(self.values(theta, np.zeros((0, self.n_params)), np.zeros((1, 0)))["loss"][0])

    def values(self, center, D, C, metrics=False) -> dict:
        """The loss (and the compiled metrics with ``metrics=True``) at the points center + C @ D.

        ``center`` (n_params,), ``D`` (k, n_params) directions, ``C`` (P, k) coordinates.
        Returns {"loss": (P,), metric: (P,) ...}; non-finite where the weights overflow.
        """
        center = np.asarray(center, dtype=np.float64)
        D = np.asarray(D, dtype=np.float64).reshape(-1, self.n_params)
        C = np.asarray(C, dtype=np.float64).reshape(-1, len(D))
        if self.method == "vectorised":
            compiled = self.kernel is not None and len(D) > 0 and not self._metric_keys(metrics)
            with _landscape_kernel.one_blas_thread(compiled):
                return self._values_batched(center, D, C, metrics)
        return self._values_loop(center, D, C, metrics)

    def _metric_keys(self, metrics):
        return [k for k, _ in self.metric_specs] if metrics else []

    def _metrics_of(self, out, keys, result, p):
        if not keys:
            return
        pred = out
        if self.final is not None:
            with no_grad():
                pred = self.final(Tensor(out)).data
        for (k, m), key in zip(self.metric_specs, keys):
            fresh = m.fresh()
            fresh.update(pred, self.y)
            result[key][p] = fresh.result()

    def _values_loop(self, center, D, C, metrics):
        keys = self._metric_keys(metrics)
        result = {"loss": np.empty(len(C)), **{k: np.empty(len(C)) for k in keys}}
        with restored(self.params):
            for j, c in enumerate(C):
                theta = center + c @ D
                for i, p in enumerate(self.params):
                    p.data[...] = self._block(theta, i)
                with no_grad(), np.errstate(all="ignore"):
                    if self.evaluated is not None:
                        ev = self.model.evaluate(self.x, self.y)
                        result["loss"][j] = ev["loss"]
                        for k in keys:
                            result[k][j] = ev[k]
                    else:
                        value = self.loss_fn(self.head(self.x), self.y)
                        result["loss"][j] = float(np.asarray(getattr(value, "data", value)))
        return result

    def _chunk(self, per_point):
        """Points per batch: about CHUNK_BYTES of activations (cache-sized), never above max_bytes, at least 1."""
        return max(1, int(min(self.max_bytes, CHUNK_BYTES) // max(per_point, 1)))

    def _affine(self, center, D, wi, bi):
        """A Linear's weights at the centre and along each direction, (k + 1, in, out), and its bias (k + 1, out)
        (None without one), in the model's dtype."""
        W = np.stack([self._block(v, wi) for v in (center, *D)]).astype(self.dtype)
        b = None if bi is None else np.stack([self._block(v, bi) for v in (center, *D)]).astype(self.dtype)
        return W, b

    def _values_batched(self, center, D, C, metrics):
        """The batch path (see the module's docstring, "How it is computed").

        Between the first and the last Linear the activations of a batch of p points are held feature-major,
        (p, width, n): each point's layer is then one product W(c)ᵀ hᵀ with the long sample axis as the
        product's columns, a bias is added along contiguous rows, and the last Linear writes its output
        class-major, (classes, p, n), which is the column-major (p n, classes) logits the loss reduces fastest.
        """
        (steps, per_sample), dt = self.plan, self.dtype
        k, P, n = len(D), len(C), len(self.x)
        keys = self._metric_keys(metrics)
        result = {"loss": np.empty(P), **{key: np.empty(P) for key in keys}}
        linears = [i for i, s in enumerate(steps) if s[0] == "linear"]
        first, last = linears[0], linears[-1]
        blocks = {i: self._affine(center, D, *steps[i][1:]) for i in linears}
        widest = max(blocks[i][0].shape[2] for i in linears)
        with no_grad(), np.errstate(all="ignore"):
            # up to the first Linear every point sees the same activations; that layer's output is affine in
            # the coordinates: x W(c) + b(c) = S_0 + sum_i c_i S_i with S_0 = x W_0 + b_0, S_i = x D_i + Db_i:
            # k + 1 products for the whole grid, held transposed (width, n); at c = 0 the sums are S_0 exactly
            # (S_0 + 0 S_i == S_0), so the centre's numbers differ from evaluate's by the products' rounding only
            h = self.x
            for s in steps[:first]:
                h = h.reshape(len(h), -1) if s[0] == "flatten" else _data(s[1](h))
            W, b = blocks[first]
            width = W.shape[2]
            hT = np.ascontiguousarray(h.reshape(n, -1).T, dtype=dt)
            S = np.empty((k + 1, width, n), dt)
            for i in range(k + 1):
                _matmul(W[i].T, hT, S[i])
                if b is not None:
                    S[i] += b[i][:, None]
            S = S.reshape(k + 1, width * n)
        C = C.astype(dt)
        if self.kernel is not None and k and not keys:
            labels = self.y if self.kernel.loss == _landscape_kernel.SPARSE else None
            targets = None if labels is not None else self.y.reshape(n, -1).T
            later = {s[1]: blocks[i] for i, s in enumerate(steps) if s[0] == "linear" and i != first}
            result["loss"], self.batches = _landscape_kernel.run(self.kernel, S.reshape(k + 1, width, n), C, later,
                                                                 dt, labels, targets, self.max_bytes)
            return result
        chunk = self._chunk(n * widest * dt.itemsize)
        warm_allocator(chunk * n * widest * dt.itemsize)  # the batches' temporaries stay in the heap
        self.batches = 0
        y_rep, rest = {}, None
        for lo in range(0, P, chunk):
            c = C[lo:lo + chunk]
            p = len(c)
            with no_grad(), np.errstate(all="ignore"):
                h, rest = self._combine(S, c, rest)
                h = h.reshape(p, width, n)
                if first == last:
                    h = np.ascontiguousarray(h.transpose(1, 0, 2))
                for idx in range(first + 1, len(steps)):
                    s = steps[idx]
                    if s[0] == "flatten":
                        continue  # rows of features stay rows of features
                    if s[0] == "act":
                        h = self._activation(s[1], h, p, n, idx > last)
                        continue
                    W, b = blocks[idx]
                    if k:  # each point's own weights W_0 + sum_i c_i D_i
                        Wc = (c @ W[1:].reshape(k, -1)).reshape((p,) + W.shape[1:])
                        Wc += W[0]
                    else:
                        Wc = np.broadcast_to(W[0], (p,) + W.shape[1:])
                    if idx < last:  # (p, out, n): every point's own weights, in one stacked product
                        h = _matmul(Wc.transpose(0, 2, 1), h, np.empty((p, W.shape[2], n), dt))
                        if b is not None:
                            h += (b[0] + c @ b[1:])[:, :, None] if k else b[0][:, None]
                    else:  # the output, class-major (out, p, n)
                        z = np.empty((W.shape[2], p, n), dt)
                        _matmul(Wc.transpose(0, 2, 1), h, z.transpose(1, 0, 2))
                        if b is not None:
                            z += (b[0] + c @ b[1:]).T[:, :, None] if k else b[0][:, None, None]
                        h = z
                # the logits (p n, classes), column-major: the loss's reductions over a short class axis (2 or 10
                # values) then run down long columns, ~100x faster than row by row
                out = h.reshape(h.shape[0], p * n).T if h.ndim == 3 else h
                if p not in y_rep:
                    y_rep[p] = np.concatenate([self.y] * p) if p > 1 else self.y
                per = _data(per_sample(out, y_rep[p])).reshape(p, -1)
                result["loss"][lo:lo + p] = per.mean(axis=1) if self.loss_fn.reduction == "mean" else per.sum(axis=1)
            if keys:
                for j in range(p):
                    self._metrics_of(out[j * n:(j + 1) * n], keys, result, lo + j)
            self.batches += 1
        return result

    @staticmethod
    def _combine(S, c, rest):
        """The first layer's outputs S_0 + sum_i c_i S_i for a batch of points c (p, k), as (p, width n).

        Scaled sums, not a product: one with k + 1 = 2 or 3 columns runs BLAS's threaded kernel on a
        busy machine at a fraction of the speed (seconds instead of ~40 ms for the digits net's 1,681
        points), and the sums are exact where c = 0. A plane's grid comes in rows of equal β: the row's
        part R = S_0 + sum_(i>=2) c_i S_i is made once per row (``rest`` = (the row's coordinates, R),
        carried from batch to batch), and each point costs c_1 S_1 + R, two passes instead of four.
        Scattered points make their own R; the sums are the same however the points are batched.
        """
        p, k = c.shape
        if not k:
            return np.repeat(S[:1], p, axis=0), rest
        h = np.multiply(c[:, :1], S[1])
        if k == 1:
            h += S[0]
            return h, rest
        starts = np.flatnonzero(np.any(c[1:, 1:] != c[:-1, 1:], axis=1)) + 1
        for lo, hi in zip(np.concatenate([[0], starts]), np.concatenate([starts, [p]])):
            if rest is None or not np.array_equal(rest[0], c[lo, 1:]):
                R = S[0].copy()
                for i in range(1, k):
                    R += c[lo, i] * S[i + 1]
                rest = (c[lo, 1:].copy(), R)
            h[lo:hi] += rest[1]
        return h, rest

    @staticmethod
    def _activation(layer, h, p, n, after_output):
        """An activation layer on a batch: elementwise ones as they are; Softmax over the features, which are
        axis 1 of a feature-major (p, width, n) batch or the columns of the (p n, classes) outputs."""
        if type(layer) is not Softmax or h.ndim == 2:
            return _data(layer(h))
        if after_output:  # (classes, p, n) -> the (p n, classes) outputs
            return _data(layer(h.reshape(h.shape[0], p * n).T))
        rows = h.transpose(0, 2, 1).reshape(p * n, -1)
        return _data(layer(rows)).reshape(p, n, -1).transpose(0, 2, 1)

    # -- gradients -------------------------------------------------------------------
    def grad(self, theta) -> np.ndarray:
        """The exact gradient of the loss at the flat weights ``theta`` (float64, flat).

        A batchable model is differentiated in float64 on leaf Tensors made from ``theta`` (the
        model is not touched); any other model in its own dtype, with its weights set in place
        and restored (values and ``.grad``) afterwards.
        """
        theta = np.asarray(theta, dtype=np.float64)
        if self.plan is not None:
            steps, _ = self.plan
            leaves = [Tensor(self._block(theta, i), requires_grad=True) for i in range(len(self.params))]
            h = Tensor(self.x64)
            for s in steps:
                if s[0] == "flatten":
                    h = h.reshape((h.shape[0], -1)) if h.data.ndim > 2 else h
                elif s[0] == "act":
                    h = s[1](h)
                else:
                    _, wi, bi = s
                    h = linear(h, leaves[wi], None if bi is None else leaves[bi])
            self.loss_fn(h, self.y64).backward()
            return np.concatenate([(lf.grad if lf.grad is not None else np.zeros(lf.data.shape)).ravel()
                                   for lf in leaves])
        with restored(self.params):
            for i, p in enumerate(self.params):
                p.data[...] = self._block(theta, i)
                p.grad = None
            self.loss_fn(self.head(self.x), self.y).backward()
            return np.concatenate([(p.grad if p.grad is not None else np.zeros(p.data.shape)).ravel()
                                   for p in self.params]).astype(np.float64)


# -----------------------------------------------------------------------------------
# results


@dataclass
class Plane:
    """Two directions in weight space and the point they pass through.

    ``d1``, ``d2``: flat float64 arrays (n_params,); ``origin``: the flat weights at
    coordinates (0, 0); ``kind``: "filter", "pca", "shared" or "custom"; ``explained``: the
    fraction of the path's variance along each PCA direction (else None); ``labels``: axis
    names for figures. Unpacks as ``d1, d2 = plane``.
    """

    d1: np.ndarray
    d2: np.ndarray
    origin: np.ndarray
    kind: str = "custom"
    explained: tuple | None = None
    labels: tuple = ("d₁", "d₂")
    points: dict = field(default_factory=dict)  # named points' coordinates (shared_plane)

    def __iter__(self):
        return iter((self.d1, self.d2))


@dataclass
class Slice1D:
    """The loss on a line: ``alpha`` (steps,), ``loss`` (steps,), ``metrics`` {name: (steps,)}.

    ``center_loss``: ``model.evaluate``'s loss at α = 0 (None for an uncompiled model);
    ``kind``: "interpolation" (α = 0 is θ_a, α = 1 is θ_b, named by ``labels``) or "direction";
    ``method``: "vectorised" or "loop".
    """

    alpha: np.ndarray
    loss: np.ndarray
    metrics: dict
    kind: str
    labels: tuple
    center_loss: float | None
    method: str
    loss_name: str = "loss"


@dataclass
class Slice2D:
    """The loss on a plane: ``alpha`` (na,), ``beta`` (nb,), ``loss`` (nb, na) (rows: β, columns: α,
    as ``numpy.meshgrid``), ``plane`` (its directions and origin), ``center_loss`` (``model.evaluate``
    at the centre, None for an uncompiled model), ``method``."""

    alpha: np.ndarray
    beta: np.ndarray
    loss: np.ndarray
    plane: Plane
    center: np.ndarray
    center_loss: float | None
    method: str
    loss_name: str = "loss"


# -----------------------------------------------------------------------------------
# checks


def _steps(steps, name="steps", minimum=2):
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or not minimum <= steps <= 10_001:
        raise ValueError(f"{name} must be an integer in [{minimum}, 10001], got {steps!r}")
    return int(steps)


def _number(v, name, positive=False):
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or (positive and v <= 0):
        raise ValueError(f"{name} must be a finite number{' > 0' if positive else ''}, got {v!r}")
    return float(v)


def _axis(span, steps, name):
    """Grid coordinates from a half-width (symmetric, α = 0 exactly at the middle of an odd grid) or (lo, hi)."""
    if isinstance(span, (tuple, list, np.ndarray)) and len(span) == 2:
        lo, hi = (_number(v, name) for v in span)
        if not lo < hi:
            raise ValueError(f"{name} must be (lo, hi) with lo < hi, got {tuple(span)!r}")
        a = np.linspace(lo, hi, steps)
    else:
        s = _number(span, name, positive=True)
        a = s * np.linspace(-1.0, 1.0, steps)
        if steps % 2:
            a[steps // 2] = 0.0
    return a


def _center_value(f, center):
    """model.evaluate's loss when the centre is the model's own weights (else None)."""
    if f.evaluated is None or not np.array_equal(center, f.theta()):
        return None
    return float(f.evaluated["loss"])


def _loss_name(f):
    return getattr(f.loss_fn, "name", getattr(f.loss_fn, "__name__", "loss"))


# -----------------------------------------------------------------------------------
# lines


def interpolate(model_a, model_b, x, y, loss=None, steps=51, extend=0.5, *, labels=("θ_a", "θ_b"),
                vectorize="auto", max_bytes=MAX_BYTES) -> Slice1D:
    """The loss (and the compiled metrics, accuracy where it applies) along θ(α) = (1 − α) θ_a + α θ_b.

    α runs from −extend to 1 + extend in ``steps`` points, plus α = 0 and 1 exactly where the grid
    misses them, so the ends' losses are the two models' own (Goodfellow et al. 2015 drew init →
    trained this way: a monotone valley, no bump, for most networks). ``model_a`` is the model
    evaluated; ``model_b`` a model of the same architecture, its ``state_dict()`` or its flat
    weights. ``labels`` name the two ends in figures. Neither model is changed.
    """
    steps = _steps(steps)
    extend = _number(extend, "extend")
    if extend < 0:
        raise ValueError(f"extend must be >= 0, got {extend!r}")
    f = LossFunction(model_a, x, y, loss, vectorize, max_bytes)
    ta = f.theta()
    tb = flat_weights(model_b, model_a)
    alpha = np.union1d(np.linspace(-extend, 1.0 + extend, steps), [0.0, 1.0])  # both ends exactly
    res = f.values(ta, (tb - ta)[None], alpha[:, None], metrics=True)
    center = float(f.evaluated["loss"]) if f.evaluated is not None else None
    return Slice1D(alpha, res.pop("loss"), res, "interpolation", tuple(labels), center, f.method, _loss_name(f))


def slice_1d(model, x, y, direction, span=1.0, steps=51, *, center=None, loss=None, metrics=False,
             vectorize="auto", max_bytes=MAX_BYTES) -> Slice1D:
    """The loss on the line θ₀ + α d for α in [−span, span] (or span = (lo, hi)), ``steps`` points.

    θ₀ is the model's weights (or ``center``: a model, state_dict or flat weights); ``direction``
    a flat vector, a state_dict, or a :class:`Plane` (its first direction and origin). With an
    odd ``steps`` and a symmetric span, α = 0 is the middle point and its loss is the model's.
    """
    steps = _steps(steps)
    f = LossFunction(model, x, y, loss, vectorize, max_bytes)
    if isinstance(direction, Plane):
        if center is None:
            center = direction.origin
        direction = direction.d1
    d = f.check_vector(direction)
    c = f.theta() if center is None else f.check_vector(center, "centre")
    alpha = _axis(span, steps, "span")
    res = f.values(c, d[None], alpha[:, None], metrics=metrics)
    return Slice1D(alpha, res.pop("loss"), res, "direction", ("θ₀",), _center_value(f, c), f.method, _loss_name(f))


def slice_2d(model, x, y, d1, d2=None, span=1.0, steps=41, *, center=None, loss=None, vectorize="auto",
             max_bytes=MAX_BYTES) -> Slice2D:
    """The loss on the plane θ₀ + α d₁ + β d₂, a ``steps`` × ``steps`` grid.

    ``d1``, ``d2``: flat vectors or state_dicts, or a :class:`Plane` as ``d1`` (then ``d2`` is
    omitted and the plane's origin is the centre unless ``center`` is given). ``span``: the
    half-width of both axes, or ((α_lo, α_hi), (β_lo, β_hi)). ``steps``: an int, or (nα, nβ), at
    most :data:`MAX_GRID_POINTS` points in all. Returns a :class:`Slice2D` whose ``loss`` has shape (nβ, nα).
    """
    plane = d1 if isinstance(d1, Plane) else None
    if plane is not None:
        if d2 is not None:
            raise TypeError("pass a Plane alone, or two directions d1 and d2")
        d1, d2 = plane.d1, plane.d2
        if center is None:
            center = plane.origin
    elif d2 is None:
        raise TypeError("slice_2d needs two directions (d1, d2) or a Plane")
    na, nb = (steps, steps) if not isinstance(steps, (tuple, list)) else steps
    na, nb = _steps(na), _steps(nb)
    if na * nb > MAX_GRID_POINTS:
        raise ValueError(f"steps {na} x {nb} make {na * nb:,} grid points; at most {MAX_GRID_POINTS:,} are allowed")
    if isinstance(span, (tuple, list)) and len(span) == 2 and all(isinstance(s, (tuple, list)) for s in span):
        sa, sb = span
    else:
        sa = sb = span
    f = LossFunction(model, x, y, loss, vectorize, max_bytes)
    v1, v2 = f.check_vector(d1), f.check_vector(d2)
    c = f.theta() if center is None else f.check_vector(center, "centre")
    if plane is None:
        plane = Plane(v1, v2, c.copy(), "custom")
    alpha, beta = _axis(sa, na, "span"), _axis(sb, nb, "span")
    A, B = np.meshgrid(alpha, beta)
    C = np.column_stack([A.ravel(), B.ravel()])
    res = f.values(c, np.stack([v1, v2]), C)
    return Slice2D(alpha, beta, res["loss"].reshape(nb, na), plane, c, _center_value(f, c), f.method,
                   _loss_name(f))


# -----------------------------------------------------------------------------------
# directions and planes


def _unit_slices(model):
    """For each parameter (in order): ("columns", None) for a Linear weight, ("bias", weight index) for a Linear
    bias, ("whole", None) otherwise."""
    named = _named(model)
    index = {id(p): i for i, (_, p) in enumerate(named)}
    roles = [("whole", None)] * len(named)
    for _, mod in model.named_modules():
        if isinstance(mod, Linear) and id(mod.weight) in index:
            wi = index[id(mod.weight)]
            roles[wi] = ("columns", None)
            if mod.bias is not None and id(mod.bias) in index:
                roles[index[id(mod.bias)]] = ("bias", wi)
    return named, roles


def _filter_direction(named, roles, rng, bias):
    """One random Gaussian direction, normalised per filter (see :func:`directions`)."""
    raw = [rng.standard_normal(p.data.shape) for _, p in named]
    out = [np.zeros(p.data.shape) for _, p in named]
    for i, ((_, p), (role, wi)) in enumerate(zip(named, roles)):
        w = p.data.astype(np.float64)
        if role == "columns":
            wn = np.linalg.norm(w, axis=0)
            d = raw[i]
            if bias == "unit":
                bi = next((j for j, r in enumerate(roles) if r == ("bias", i)), None)
                if bi is not None:
                    b = named[bi][1].data.astype(np.float64)
                    wn = np.sqrt(wn ** 2 + b ** 2)
                    dn = np.sqrt(np.linalg.norm(d, axis=0) ** 2 + raw[bi] ** 2)
                    scale = np.divide(wn, dn, out=np.zeros_like(wn), where=dn > 0)
                    out[i] = d * scale
                    out[bi] = raw[bi] * scale
                    continue
            dn = np.linalg.norm(d, axis=0)
            out[i] = d * np.divide(wn, dn, out=np.zeros_like(wn), where=dn > 0)
        elif role == "bias":
            continue  # zeroed, or set with its unit above
        else:
            wn, dn = np.linalg.norm(w), np.linalg.norm(raw[i])
            out[i] = raw[i] * (wn / dn if dn > 0 else 0.0)
    return np.concatenate([o.ravel() for o in out])


def directions(model, kind="filter", seed=0, *, history=None, bias="zero") -> Plane:
    """Two directions to slice the loss along, as a :class:`Plane` through the model's weights.

    ``kind="filter"`` (Li et al. 2018): two Gaussian random directions (seeded by ``seed``),
    each normalised per filter: in every ``Linear`` layer, the column of the direction that
    feeds output unit j is scaled to the norm of the unit's incoming weights W[:, j], so a
    step of 1 along it changes each unit by its own size (and scale-invariant units look
    alike). Biases are zeroed (``bias="zero"``, Li et al.'s choice) or, with ``bias="unit"``,
    join their unit's filter (the pair (W[:, j], b_j) is normalised together). Any other
    parameter is normalised as a whole.

    ``kind="pca"``: the top two principal directions of θ_t − θ_final over a recorded training
    path ``history`` (a :class:`~gdlab.nn.WeightHistory`, a list of state_dicts or an array
    (T, n_params)), unit vectors, with the fraction of the path's variance each explains
    (``plane.explained``); the origin is the path's last point. Signs are fixed so that the
    path starts at negative coordinates on both axes.
    """
    if kind not in ("filter", "pca"):
        raise ValueError(f"kind must be 'filter' or 'pca', got {kind!r}")
    if bias not in ("zero", "unit"):
        raise ValueError(f"bias must be 'zero' or 'unit', got {bias!r}")
    named = _named(model)
    if not named:
        raise ValueError(f"{type(model).__name__} has no parameters")
    if kind == "filter":
        if history is not None:
            raise TypeError("history= goes with kind='pca'")
        if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.random.Generator)):
            raise ValueError(f"seed must be an integer or a numpy Generator, got {seed!r}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        named, roles = _unit_slices(model)
        d1 = _filter_direction(named, roles, rng, bias)
        d2 = _filter_direction(named, roles, rng, bias)
        return Plane(d1, d2, flat_weights(model), "filter", None, ("d₁ (filter-normalised)", "d₂ (filter-normalised)"))
    if history is None:
        raise ValueError("kind='pca' needs history= (a WeightHistory recorded during fit, or the weights per step)")
    H = weight_matrix(history)
    n = sum(p.data.size for _, p in named)
    if H.shape[1] != n:
        raise ValueError(f"the history's points have {H.shape[1]} weights, the model has {n}")
    if len(H) < 3:
        raise ValueError(f"kind='pca' needs at least 3 recorded points, the history has {len(H)}")
    M = H[:-1] - H[-1]
    _, s, vt = np.linalg.svd(M, full_matrices=False)
    total = float(np.sum(s ** 2))
    if total == 0 or len(s) < 2 or s[1] == 0:
        raise ValueError("the recorded path does not span two directions (the weights did not move enough)")
    d = [vt[0].copy(), vt[1].copy()]
    start = H[0] - H[-1]
    for i in range(2):
        if d[i] @ start > 0:
            d[i] = -d[i]
    explained = (float(s[0] ** 2 / total), float(s[1] ** 2 / total))
    labels = (f"PC1 ({100 * explained[0]:.1f}% of the path)", f"PC2 ({100 * explained[1]:.1f}%)")
    return Plane(d[0], d[1], H[-1].copy(), "pca", explained, labels)


def project(history, d1, d2=None, origin=None) -> np.ndarray:
    """A recorded path's coordinates in a plane: (T, 2), the least-squares (α, β) of each point.

    ``history``: a WeightHistory, a list of state_dicts or an array (T, n_params). ``d1, d2``:
    two directions, or a :class:`Plane` as ``d1`` (its origin is used unless ``origin`` is
    given). ``origin`` defaults to the path's last point. The directions need not be
    orthogonal: the coordinates solve θ_t − origin ≈ α d₁ + β d₂.
    """
    if isinstance(d1, Plane):
        if d2 is not None:
            raise TypeError("pass a Plane alone, or two directions d1 and d2")
        plane = d1
        d1, d2 = plane.d1, plane.d2
        if origin is None:
            origin = plane.origin
    elif d2 is None:
        raise TypeError("project needs two directions (d1, d2) or a Plane")
    H = weight_matrix(history)
    B = np.column_stack([flat_weights(d1), flat_weights(d2)])
    if B.shape[0] != H.shape[1]:
        raise ValueError(f"the directions have {B.shape[0]} weights, the path's points {H.shape[1]}")
    o = H[-1] if origin is None else flat_weights(origin)
    G = B.T @ B
    if np.linalg.matrix_rank(G) < 2:
        raise ValueError("the two directions are parallel (or zero): they do not span a plane")
    return np.linalg.solve(G, B.T @ (H - o).T).T


def path_span(coords, margin=0.25):
    """Axis ranges ((α_lo, α_hi), (β_lo, β_hi)) holding projected points (T, 2) and the origin, widened by
    ``margin`` times each range: the ``span`` for :func:`slice_2d` that shows a whole path."""
    c = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    c = c[np.all(np.isfinite(c), axis=1)]
    lo = np.minimum(c.min(axis=0), 0.0) if len(c) else np.zeros(2)
    hi = np.maximum(c.max(axis=0), 0.0) if len(c) else np.zeros(2)
    pad = np.maximum(_number(margin, "margin") * (hi - lo), 1e-3 * np.maximum(np.abs(hi - lo).max(), 1.0))
    return tuple((float(a - p), float(b + p)) for a, b, p in zip(lo, hi, pad))


def shared_plane(init, final_a, final_b, *, labels=("a", "b")) -> Plane:
    """The plane through one initial point and two trained endpoints (models, state_dicts or flat weights).

    Origin: ``init``; d₁ = θ_a − θ_init, so θ_a sits at (1, 0); d₂: the part of θ_b − θ_init
    orthogonal to d₁, scaled to the length of d₁, so both axes have the same scale and θ_b
    sits at (β₁, β₂) with β₂ > 0. Two optimizers' paths from the same start, projected with
    :func:`project`, then share one landscape (a PCA plane per path could not compare them).
    ``plane.points`` holds the three points' coordinates.
    """
    t0 = flat_weights(init)
    ta = flat_weights(final_a, init if hasattr(init, "named_parameters") else None)
    tb = flat_weights(final_b, init if hasattr(init, "named_parameters") else None)
    if not (t0.shape == ta.shape == tb.shape):
        raise ValueError(f"the three points have {t0.size}, {ta.size} and {tb.size} weights; they must match")
    d1 = ta - t0
    n1 = np.linalg.norm(d1)
    if n1 == 0:
        raise ValueError("final_a equals init: the plane needs three distinct points")
    u = tb - t0
    perp = u - (u @ d1) / n1 ** 2 * d1
    npp = np.linalg.norm(perp)
    if npp <= 1e-12 * max(np.linalg.norm(u), n1):
        raise ValueError("the three points are on one line: they do not span a plane")
    d2 = perp * (n1 / npp)
    b1, b2 = float(u @ d1 / n1 ** 2), float(npp / n1)
    name_a, name_b = labels
    return Plane(d1, d2, t0.copy(), "shared", None, (f"toward {name_a}", f"toward {name_b} (⊥)"),
                 {"init": (0.0, 0.0), name_a: (1.0, 0.0), name_b: (b1, b2)})


# -----------------------------------------------------------------------------------
# a recorded path, bounded, and on disk (gdlab train --trajectory, gdlab landscape --kind pca)


class PathRecorder(Callback):
    """Record the weights during ``fit``, for PCA planes and projected paths, in bounded memory.

    Like :class:`~gdlab.nn.WeightHistory` (``weights``: state_dicts, the first one before
    training), but the weights are kept after every ``every``-th epoch and after the last
    one, and never more than ``max_points`` of them: when the list is full every second
    point is dropped and ``every`` doubles. A run of any length so keeps evenly spaced points
    (at least max_points / 2 once it is long), the start and the end always. ``epochs``: the
    number of epochs done at each kept point (0 = before training).
    """

    def __init__(self, every=1, max_points=1001):
        super().__init__()
        for name, v, lo in (("every", every, 1), ("max_points", max_points, 3)):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < lo:
                raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
        self.every, self.max_points = int(every), int(max_points)
        self.weights, self.epochs = [], []
        self._done = 0

    def on_train_begin(self, logs=None):
        self.weights, self.epochs, self._done = [self.model.state_dict()], [0], 0

    def on_epoch_end(self, epoch, logs=None):
        self._done += 1
        if self._done % self.every == 0:
            self.weights.append(self.model.state_dict())
            self.epochs.append(self._done)
            if len(self.weights) >= self.max_points:  # thin out: keep points 0, 2, 4, ... (the start)
                self.weights, self.epochs = self.weights[::2], self.epochs[::2]
                self.every *= 2

    def on_train_end(self, logs=None):
        if self.epochs[-1] != self._done:  # the final weights, always
            self.weights.append(self.model.state_dict())
            self.epochs.append(self._done)


_TRACE_FORMAT = "gdlab.nn weight history"


def save_weight_history(history, path) -> None:
    """Write a recorded path (PathRecorder, WeightHistory or list of state_dicts) to one ``.npz``: each
    parameter's values stacked over the points, the names and epochs in a JSON header. Written to
    a temporary file beside ``path`` and renamed, so an interrupted save leaves nothing half-written."""
    weights = list(getattr(history, "weights", history))
    if not weights or not isinstance(weights[0], dict):
        raise ValueError("save_weight_history needs a PathRecorder, a WeightHistory or a non-empty list of "
                         "state_dicts")
    names = list(weights[0])
    for i, w in enumerate(weights):
        if list(w) != names:
            raise ValueError(f"point {i} of the history has parameters {list(w)}, the first has {names}")
    epochs = [int(e) for e in getattr(history, "epochs", range(len(weights)))]
    arrays = {f"w{i}": np.stack([np.asarray(w[k]) for w in weights]) for i, k in enumerate(names)}
    header = json.dumps({"format": _TRACE_FORMAT, "version": 1, "names": names, "epochs": epochs}).encode()
    arrays["__gdlab__"] = np.frombuffer(header, dtype=np.uint8)
    with atomic_path(os.fspath(path)) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)


def load_weight_history(path) -> list:
    """The list of state_dicts written by :func:`save_weight_history` (ValueError for another file)."""
    path = os.fspath(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["__gdlab__"]).decode())
            if header.get("format") != _TRACE_FORMAT:
                raise ValueError
            stacks = [data[f"w{i}"] for i in range(len(header["names"]))]
    except FileNotFoundError:
        raise ValueError(f"no such weight history file: {path!r}") from None
    except (OSError, KeyError, ValueError, TypeError, EOFError):
        raise ValueError(f"{path!r} is not a weight history written by gdlab (gdlab train --trajectory)") from None
    names = header["names"]
    return [{k: s[t] for k, s in zip(names, stacks)} for t in range(len(stacks[0]))]
