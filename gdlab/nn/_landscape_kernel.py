"""The compiled batch path of gdlab.nn.landscape: a dense net's loss at many grid points, one fused pass.

The NumPy batch path (``LossFunction._values_batched``) makes a pass over memory for every
operation of every layer; for the 64-64-10 digits net on 1,797 images that is ~0.14 ms a grid point.
This kernel (numba, compiled once and cached on disk by :func:`gdlab._jit.load.load`) takes the
same inputs, the first layer's outputs S_0 + Σ c_i S_i precomputed by NumPy for the centre and
each direction, and for each grid point runs the rest of the network on blocks of ``BLOCK``
samples held in cache:

    for each chunk of points sharing c_2.. (prange over chunks: one row of a plane, or part of it)
        R = S_0 + Σ_(i>=2) c_i S_i                       the row's part, once
        W_l(c) = W_l + Σ c_i D_l,i for every later layer  each point's weights, once
        for each block of samples, for each point c of the chunk:
            h = act(c_1 S_1 + R)                         as the NumPy path sums them, in one pass
            h = act(W_l(c)ᵀ h + b_l(c)) for each later Linear, the sample axis innermost,
                                                         5 outputs at a time (``_dense_source``)
            loss += the per-sample losses of the block (float64 sum)

The activations and losses are those of :mod:`gdlab._jit.scalar` (the NumPy ops' formulas, tested
against them). Supported: Identity, ReLU, LeakyReLU, Tanh, Sigmoid, Softplus after any Linear (at
most one each), and the sparse cross-entropy from logits, binary cross-entropy from logits and the
(half) mean or summed squared error; :func:`spec` answers None for anything else and the NumPy
batch path runs instead. Not fastmath: NaN and inf come out as NumPy gives them.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

from .._jit import scalar
from .._jit.load import available, load
from .._jit.source import MAX_MIN
from . import losses as losses_mod
from .layers import Identity, LeakyReLU, ReLU, Sigmoid, Softplus, Tanh

__all__ = ["enabled", "spec", "Spec", "run", "BLOCK"]

#: the loss code that takes class labels (the others take targets)
SPARSE = scalar.LOSSES["sparse_ce_logits"]

#: samples per block: a block's activations (64 units x 256 float32 = 64 KiB) stay in L2; shorter blocks
#: spend more on each inner loop's start than they gain in L1 (digits, 2 cores: 128 samples 14% slower)
BLOCK = 256

#: outputs computed together by the later Linears (see _dense_source)
GROUPS = (5, 2, 1)

_ACTS = {Identity: lambda l: ("identity", scalar.params()), ReLU: lambda l: ("relu", scalar.params()),
         LeakyReLU: lambda l: ("leaky_relu", scalar.params(l.negative_slope)),
         Tanh: lambda l: ("tanh", scalar.params()), Sigmoid: lambda l: ("sigmoid", scalar.params()),
         Softplus: lambda l: ("softplus", scalar.params(l.beta, l.threshold))}

_KERNEL = '''
@njit(parallel=True, cache=True, error_model="numpy", nogil=True)
def slice_sums(S, C, starts, ends, W, B, layers, acts, P, labels, T, loss, lossp, block, fast, out):
    """out[j] = the sum of the per-sample losses at point C[j] (see gdlab.nn._landscape_kernel)."""
    k = C.shape[1]
    w0 = S.shape[1]
    n = S.shape[2]
    L = layers.shape[0]
    nw = W.shape[1]
    nbias = B.shape[1]
    maxw = w0
    zero = P[0, 3]
    for l in range(L):
        maxw = max(maxw, layers[l, 1])
    for q in prange(starts.shape[0]):
        lo = starts[q]
        m = ends[q] - lo
        R = S[0].copy()  # the chunk's part S_0 + sum_(i>=2) c_i S_i, as the NumPy path adds it
        for i in range(1, k):
            ci = C[lo, i]
            for u in range(w0):
                r = R[u]
                s_i = S[i + 1, u]
                for s in range(n):
                    r[s] += ci * s_i[s]
        Wp = np.empty((m, nw), S.dtype)  # each point's own weights W_0 + sum_i c_i D_i
        Bp = np.empty((m, nbias), S.dtype)
        for j in range(m):
            for x in range(nw):
                a = C[lo + j, 0] * W[1, x]
                for i in range(1, k):
                    a += C[lo + j, i] * W[i + 1, x]
                Wp[j, x] = a + W[0, x]
            for x in range(nbias):
                a = C[lo + j, 0] * B[1, x]
                for i in range(1, k):
                    a += C[lo + j, i] * B[i + 1, x]
                Bp[j, x] = B[0, x] + a
        H0 = np.empty((maxw, block), S.dtype)
        H1 = np.empty((maxw, block), S.dtype)
        mrow = np.empty(block, S.dtype)
        erow = np.empty(block, S.dtype)
        xrow = np.empty(block, S.dtype)
        krow = np.empty(block, np.int32)
        acc = np.zeros(m)
        for s0 in range(0, n, block):
            nb = min(block, n - s0)
            for j in range(m):
                a = C[lo + j, 0]
                for u in range(w0):
                    h = H0[u]
                    r = R[u, s0:s0 + nb]  # views from s0: an index s0 + s of unknown sign would not vectorise
                    s_1 = S[1, u, s0:s0 + nb]
                    _activate_axpy(acts[0], h, a, s_1, r, nb, P[0])
                cur = H0
                nxt = H1
                rows = w0
                for l in range(L):
                    nin = layers[l, 0]
                    nout = layers[l, 1]
                    wo = layers[l, 2]
                    bo = layers[l, 3]
                    wj = Wp[j]
                    bj = Bp[j]
                    o = 0
                    while o + 5 <= nout:
                        _dense5(wj, wo, nout, o, cur, nxt, nin, nb, bj, bo, zero)
                        o += 5
                    while o + 2 <= nout:
                        _dense2(wj, wo, nout, o, cur, nxt, nin, nb, bj, bo, zero)
                        o += 2
                    if o < nout:
                        _dense1(wj, wo, nout, o, cur, nxt, nin, nb, bj, bo, zero)
                    if acts[l + 1] != 0:
                        for o in range(nout):
                            _activate(acts[l + 1], nxt[o], nb, P[l + 1])
                    cur, nxt = nxt, cur
                    rows = nout
                acc[j] += _loss_block(loss, cur, rows, nb, labels[s0:], T[:, s0:], lossp, mrow, erow, xrow, krow, fast)
        for j in range(m):
            out[lo + j] = acc[j]


def threads():
    import numba
    return numba.get_num_threads()
'''


def _dense_source(group, inputs=4):
    """Source of ``_dense<group>``: outputs o .. o + group - 1 of a Linear for one block of samples,
    ``nxt[o + g, s] = b_(o+g) + sum_i w[wo + i nout + o + g] cur[i, s]``, the inputs taken ``inputs`` at a
    time. Each row of ``cur`` that is loaded serves ``group`` outputs: with one output at a time the loop
    reads a block ``nout`` times from L2 and runs at ~1/3 of the multiply-adds it could (digits' 64 x 10
    layer, 2 cores: 76 us a point against 32 us for groups of 5)."""
    G, I = group, inputs
    lines = ["@njit(inline=\"always\", cache=True)",
             f"def _dense{G}(w, wo, nout, o, cur, nxt, nin, nb, bias, bo, zero):"]
    for g in range(G):
        lines += [f"    z{g} = nxt[o + {g}]", f"    b{g} = bias[bo + o + {g}] if bo >= 0 else zero"]
    lines.append("    for s in range(nb):")
    lines += [f"        z{g}[s] = b{g}" for g in range(G)]
    for step in (I, 1):
        lines.append(f"    while i + {step} <= nin:" if step == I else f"    while i < nin:")
        for q in range(step):
            lines.append(f"        x{q} = cur[i + {q}]")
            lines += [f"        w{g}_{q} = w[wo + (i + {q}) * nout + o + {g}]" for g in range(G)]
        lines.append("        for s in range(nb):")
        lines += [f"            v{q} = x{q}[s]" for q in range(step)]
        for g in range(G):
            terms = [f"w{g}_{q} * v{q}" for q in range(step)]
            while len(terms) > 1:
                terms = [f"({a} + {b})" for a, b in zip(terms[::2], terms[1::2])] + terms[len(terms) // 2 * 2:]
            lines.append(f"            z{g}[s] += {terms[0]}")
        lines.append(f"        i += {step}")
    lines.insert(lines.index("    for s in range(nb):"), "    i = 0")
    return "\n".join(lines) + "\n"


SOURCE = "\n".join(["import numpy as np", "from numba import njit, prange", MAX_MIN, scalar.SOURCE,
                    *(_dense_source(g) for g in GROUPS), _KERNEL])


def enabled() -> bool:
    """Whether the compiled path is on: numba installed and $GDLAB_ENGINE not "numpy"."""
    return os.environ.get("GDLAB_ENGINE", "").strip().lower() != "numpy" and available()


_CONTROLLER = []


def one_blas_thread(on=True):
    """A context in which BLAS runs on one thread (threadpoolctl, where installed; else nothing changes).

    The compiled path's few products are small, and its kernel spreads the grid over numba's threads: BLAS's
    own threads, spinning after each product for the next one, would take the cores from them (measured on
    2 cores, digits 41 x 41: 125 ms with BLAS's default threads, 84 ms on one)."""
    if not on:
        return contextlib.nullcontext()
    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _CONTROLLER.append(None)
        else:
            _CONTROLLER.append(ThreadpoolController())  # its scan of the loaded libraries (~1.5 ms) once
    controller = _CONTROLLER[0]
    return contextlib.nullcontext() if controller is None else controller.limit(limits=1, user_api="blas")


def _module():
    module, _ = load(SOURCE, "landscape", "the compiled loss-landscape kernel")
    return module


class Spec:
    """What the kernel needs of a model besides the grid: per Linear after the first, its (weight index, bias
    index); the activation code and parameters after each Linear; the loss's code, parameters and reduction."""

    def __init__(self, later, acts, loss, lossp, reduction):
        self.later, self.acts, self.loss, self.lossp, self.reduction = later, acts, loss, lossp, reduction


def _loss_code(loss_fn):
    if isinstance(loss_fn, losses_mod.SparseCategoricalCrossentropy) and loss_fn.from_logits:
        return "sparse_ce_logits", scalar.params()
    if isinstance(loss_fn, losses_mod.BinaryCrossentropy) and loss_fn.from_logits:
        return "bce_logits", scalar.params()
    if type(loss_fn) is losses_mod.MeanSquaredError:
        return "mse", scalar.params(0.5 if loss_fn.half else 1.0)
    return None, None


def spec(steps, loss_fn):
    """A :class:`Spec` for the batch plan ``steps`` (gdlab.nn.landscape) and loss, or None where the kernel
    does not apply (the NumPy batch path then runs, with the same numbers)."""
    if not enabled() or getattr(loss_fn, "reduction", None) not in ("mean", "sum"):
        return None
    name, lossp = _loss_code(loss_fn)
    if name is None:
        return None
    first = [s[0] for s in steps].index("linear")
    later, acts, has_act = [], [], []
    for s in steps[first:]:
        if s[0] == "linear":
            later.append((s[1], s[2]))
            acts.append(("identity", scalar.params()))
            has_act.append(False)
        elif s[0] == "act":
            make = _ACTS.get(type(s[1]))
            if make is None or has_act[-1]:  # Softmax, or two activations in a row
                return None
            acts[-1], has_act[-1] = make(s[1]), True
        # a Flatten after the first Linear: rows of features stay rows of features
    return Spec(later[1:], [(scalar.ACTIVATIONS[a], p) for a, p in acts], scalar.LOSSES[name], lossp,
                loss_fn.reduction)


def run(sp, S, C, blocks, dtype, labels, targets, max_bytes):
    """The loss at each point of C (P, k >= 1): the sums of the per-sample losses, reduced as the loss is.

    ``S`` (k + 1, width, n): the first Linear's outputs at the centre and along each direction (bias
    included); ``blocks``: {weight index: (W (k + 1, in, out), b (k + 1, out) or None)} for the later
    Linears; ``labels`` (n,) int64 or ``targets`` (outputs, n) feature-major; ``max_bytes``: the bound on
    what the chunks running at once hold (each: one point's first-layer activations, the row's part).
    Returns (losses (P,), number of kernel calls)."""
    module = _module()
    k1, width, n = S.shape
    C = np.ascontiguousarray(C, dtype=dtype)
    P = len(C)
    W = np.zeros((k1, 0), dtype)
    B = np.zeros((k1, 0), dtype)
    layers = []
    wparts, bparts, woff, boff = [], [], 0, 0
    for wi, bi in sp.later:
        Wl, bl = blocks[wi]
        nin, nout = Wl.shape[1], Wl.shape[2]
        wparts.append(Wl.reshape(k1, -1))
        if bl is not None:
            bparts.append(bl.reshape(k1, -1))
        layers.append((nin, nout, woff, boff if bl is not None else -1))
        woff += nin * nout
        boff += nout if bl is not None else 0
    if wparts:
        W = np.ascontiguousarray(np.concatenate(wparts, axis=1), dtype=dtype)
    if bparts:
        B = np.ascontiguousarray(np.concatenate(bparts, axis=1), dtype=dtype)
    layers = np.array(layers, dtype=np.int64).reshape(-1, 4)
    acts = np.array([a for a, _ in sp.acts], dtype=np.int64)
    Pp = np.array([p for _, p in sp.acts], dtype=dtype)
    lossp = np.array(sp.lossp, dtype=dtype)
    labels = np.zeros(1, np.int64) if labels is None else np.ascontiguousarray(labels, dtype=np.int64)
    targets = np.zeros((1, 1), dtype) if targets is None else np.ascontiguousarray(targets, dtype=dtype)
    # chunks: runs of points with equal c_2.. (a plane's rows), cut so that every thread gets several
    threads = module.threads()
    cut = max(1, -(-P // (4 * threads)))
    change = np.flatnonzero(np.any(C[1:, 1:] != C[:-1, 1:], axis=1)) + 1 if C.shape[1] > 1 else np.zeros(0, int)
    starts = []
    for lo, hi in zip(np.concatenate([[0], change]), np.concatenate([change, [P]])):
        starts.extend(range(int(lo), int(hi), cut))
    starts = np.array(starts, dtype=np.int64)
    ends = np.append(starts[1:], P).astype(np.int64)
    # at most max_bytes in the chunks running at once (one point's first-layer activations each)
    at_once = max(1, int(max_bytes // max(width * n * S.itemsize, 1)))
    per_call = len(starts) if at_once >= threads else at_once
    out = np.empty(P)
    calls = 0
    S = np.ascontiguousarray(S, dtype=dtype)
    for lo in range(0, len(starts), per_call):
        module.slice_sums(S, C, starts[lo:lo + per_call], ends[lo:lo + per_call], W, B, layers, acts, Pp, labels,
                          targets, sp.loss, lossp, BLOCK, dtype == np.float32, out)
        calls += 1
    if sp.reduction == "mean":
        rows = 1 if sp.loss == SPARSE else targets.shape[0]
        out /= n * rows
    return out, calls
