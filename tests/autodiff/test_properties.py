"""Property-based tests (hypothesis): random compositions of ops gradchecked, and algebraic properties.

Examples are drawn deterministically (``derandomize=True``) so that a run is reproducible; set
GDLAB_HYPOTHESIS_RANDOM=1 to explore fresh examples.
"""

import os
import types

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import gdlab
from gdlab.autodiff import Tensor
from gdlab.numdiff import gradient

SETTINGS = dict(deadline=None, derandomize=not os.environ.get("GDLAB_HYPOTHESIS_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def examples(n):
    return settings(max_examples=n, **SETTINGS)


def floats(lo=-2.0, hi=2.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def arrays(shape, elements=None):
    return hnp.arrays(np.float64, shape, elements=floats() if elements is None else elements)


# ------------------------------------------------------------------------------------------------
# random expression trees over a few inputs whose shapes broadcast
#
# A tree is ("input", k) | ("const", c) | (name, child) | (name, left, right). Nodes are written
# against a namespace (gdlab's or torch's) so that the same tree can be evaluated by both.


def _gd_namespace():
    return types.SimpleNamespace(
        sin=gdlab.sin, cos=gdlab.cos, tanh=gdlab.tanh, sigmoid=gdlab.sigmoid, softplus=gdlab.softplus,
        exp=gdlab.exp, log=gdlab.log, sqrt=gdlab.sqrt, where=gdlab.where,
        sum=lambda a, axis: a.sum(axis=axis, keepdims=True),
        mean=lambda a, axis: a.mean(axis=axis, keepdims=True),
        logsumexp=lambda a, axis: gdlab.logsumexp(a, axis=axis, keepdims=True),
        softmax=lambda a, axis: gdlab.softmax(a, axis=axis),
        log_softmax=lambda a, axis: gdlab.log_softmax(a, axis=axis),
        condition=lambda shape: _condition(shape),
        const=lambda c: Tensor(c),
    )


def _th_namespace():
    import torch

    return types.SimpleNamespace(
        sin=torch.sin, cos=torch.cos, tanh=torch.tanh, sigmoid=torch.sigmoid,
        softplus=torch.nn.functional.softplus, exp=torch.exp, log=torch.log, sqrt=torch.sqrt,
        where=torch.where,
        sum=lambda a, axis: a.sum(dim=axis, keepdim=True),
        mean=lambda a, axis: a.mean(dim=axis, keepdim=True),
        logsumexp=lambda a, axis: torch.logsumexp(a, dim=axis, keepdim=True),
        softmax=lambda a, axis: torch.softmax(a, dim=axis),
        log_softmax=lambda a, axis: torch.log_softmax(a, dim=axis),
        condition=lambda shape: torch.as_tensor(_condition(shape)),
        const=lambda c: torch.tensor(c, dtype=torch.float64),
    )


def _condition(shape):
    return (np.arange(int(np.prod(shape))) % 2 == 0).reshape(shape)


def _along_last(fn):
    """A reduction/normalisation along the last axis; the identity on 0-d values."""
    return lambda ns, a: fn(ns, a, -1) if a.ndim else a


# smooth everywhere on the reals, so central differences never meet a kink
UNARY = {
    "sin": lambda ns, a: ns.sin(a),
    "cos": lambda ns, a: ns.cos(a),
    "tanh": lambda ns, a: ns.tanh(a),
    "sigmoid": lambda ns, a: ns.sigmoid(a),
    "softplus": lambda ns, a: ns.softplus(a),
    "neg": lambda ns, a: -a,
    "square": lambda ns, a: a * a,
    "cube/4": lambda ns, a: a**3 * 0.25,
    "exp(tanh)": lambda ns, a: ns.exp(ns.tanh(a)),
    "log(1+a^2)": lambda ns, a: ns.log(a * a + 1.0),
    "sqrt(1+a^2)": lambda ns, a: ns.sqrt(a * a + 1.0),
    "sum": _along_last(lambda ns, a, ax: ns.sum(a, ax)),
    "mean": _along_last(lambda ns, a, ax: ns.mean(a, ax)),
    "logsumexp": _along_last(lambda ns, a, ax: ns.logsumexp(a, ax)),
    "softmax": _along_last(lambda ns, a, ax: ns.softmax(a, ax)),
    "log_softmax": _along_last(lambda ns, a, ax: ns.log_softmax(a, ax)),
    "2**tanh": lambda ns, a: 2.0 ** ns.tanh(a),
}
BINARY = {
    "add": lambda ns, a, b: a + b,
    "sub": lambda ns, a, b: a - b,
    "mul": lambda ns, a, b: a * b,
    "div": lambda ns, a, b: a / (b * b + 1.0),
    "pow": lambda ns, a, b: (a * a + 0.5) ** ns.tanh(b),
    "where": lambda ns, a, b: ns.where(ns.condition(np.broadcast_shapes(a.shape, b.shape)), a, b),
}


def trees(n_inputs, depth, root=True):
    """Trees of depth <= ``depth`` whose root is an op; below it, a leaf one time in five."""
    leaf = st.one_of(st.tuples(st.just("input"), st.integers(0, n_inputs - 1)),
                     st.tuples(st.just("input"), st.integers(0, n_inputs - 1)),
                     st.tuples(st.just("const"), floats(-1.5, 1.5)))
    if depth == 0:
        return leaf
    sub = trees(n_inputs, depth - 1, root=False)
    unary = st.tuples(st.sampled_from(sorted(UNARY)), sub)
    binary = st.tuples(st.sampled_from(sorted(BINARY)), sub, sub)
    return st.one_of(unary, binary) if root else st.one_of(unary, binary, unary, binary, leaf)


def evaluate(tree, ns, inputs):
    kind = tree[0]
    if kind == "input":
        return inputs[tree[1]]
    if kind == "const":
        return ns.const(tree[1])  # a 0-d tensor that does not require grad
    args = [evaluate(t, ns, inputs) for t in tree[1:]]
    return (UNARY if len(args) == 1 else BINARY)[kind](ns, *args)


@st.composite
def problems(draw, max_inputs=3, max_depth=4):
    """(tree, inputs): a random tree of depth <= max_depth over inputs whose shapes broadcast.

    Every choice is written so that hypothesis's simplest draw (0, False, the first element) is
    the rich case -- three dimensions, inputs of the full rank, the deepest tree -- since it
    draws simple values often."""
    full = tuple(draw(st.integers(2, 3)) for _ in range(3 - draw(st.integers(0, 3))))
    n = max_inputs + 1 - draw(st.integers(1, max_inputs))
    inputs = []
    for _ in range(n):
        ndim = len(full) - draw(st.integers(0, len(full)))
        shape = tuple(1 if draw(st.booleans()) else d for d in full[len(full) - ndim:])
        inputs.append(draw(arrays(shape)))
    tree = draw(trees(n, draw(st.sampled_from(range(max_depth, 0, -1)))))
    return tree, inputs


def gd_fn(tree):
    ns = _gd_namespace()

    def f(*ts):
        return evaluate(tree, ns, ts) + ts[0] * 0.0  # so that the output always depends on an input
    return f


def check_against_central_differences(f, inputs, rtol=1e-5):
    """Autodiff against central differences of L = sum(out * w), with a tolerance that covers the
    round-off of L (eps |L| / h) and the truncation error, relative to the gradient's scale."""
    leaves = [Tensor(a.copy(), requires_grad=True) for a in inputs]
    out = f(*leaves)
    w = np.random.default_rng(0).uniform(0.5, 1.5, out.shape)
    assume(np.all(np.isfinite(out.data)) and np.max(np.abs(out.data), initial=0) < 1e6)
    out.backward(w)
    for k, (x, t) in enumerate(zip(inputs, leaves)):
        def L(xk, k=k):
            vals = [Tensor(v) for v in inputs]
            vals[k] = Tensor(xk)
            return float(np.sum(f(*vals).data * w))

        num = gradient(L, x, h=1e-6)
        got = np.zeros(x.shape) if t.grad is None else t.grad
        scale = 1.0 + np.max(np.abs(num), initial=0) + 1e-3 * np.sum(np.abs(out.data * w))
        np.testing.assert_allclose(got, num, rtol=rtol, atol=rtol * scale, err_msg=f"input {k}")


@examples(100)
@given(problems())
def test_random_compositions_are_gradchecked(problem):
    tree, inputs = problem
    check_against_central_differences(gd_fn(tree), inputs)


@examples(50)
@given(problems())
def test_random_compositions_match_live_pytorch(problem):
    torch = pytest.importorskip("torch")
    tree, inputs = problem
    leaves = [Tensor(a.copy(), requires_grad=True) for a in inputs]
    out = gd_fn(tree)(*leaves)
    assume(np.all(np.isfinite(out.data)))
    w = np.random.default_rng(0).uniform(0.5, 1.5, out.shape)
    out.backward(w)
    tl = [torch.tensor(a, requires_grad=True) for a in inputs]
    tout = evaluate(tree, _th_namespace(), tl) + tl[0] * 0.0
    tout.backward(torch.as_tensor(w))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    for t, tt in zip(leaves, tl):
        g_ref = np.zeros(t.shape) if tt.grad is None else tt.grad.numpy()
        g = np.zeros(t.shape) if t.grad is None else t.grad
        np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-10 * (1 + np.max(np.abs(g_ref), initial=0)))


# ------------------------------------------------------------------------------------------------
# algebraic properties


def grads_of(f, inputs, seed=None):
    leaves = [Tensor(np.array(a, dtype=float), requires_grad=True) for a in inputs]
    out = f(*leaves)
    out.backward(np.ones(out.shape) if seed is None else seed)
    return [np.zeros(t.shape) if t.grad is None else t.grad for t in leaves]


@examples(60)
@given(problems(max_depth=3), problems(max_depth=3), floats(-3, 3))
def test_gradient_is_linear(p1, p2, c):
    # grad(f + c g) = grad f + c grad g, for two random trees over the same inputs
    tree_f, inputs = p1
    tree_g = p2[0]
    n = len(inputs)
    tree_g = _remap_inputs(tree_g, n)
    f, g = gd_fn(tree_f), gd_fn(tree_g)
    shape = np.broadcast_shapes(*[np.shape(f(*map(Tensor, inputs)).data), np.shape(g(*map(Tensor, inputs)).data)])
    seed = np.ones(shape)

    def both(*ts):
        return f(*ts) + g(*ts) * c

    def f_(*ts):
        return f(*ts) + Tensor(np.zeros(shape))

    def g_(*ts):
        return g(*ts) + Tensor(np.zeros(shape))

    with np.errstate(over="ignore", invalid="ignore"):
        total = grads_of(both, inputs, seed)
        gf = grads_of(f_, inputs, seed)
        gg = grads_of(g_, inputs, seed)
    for t, a, b in zip(total, gf, gg):
        assume(np.all(np.isfinite(a)) and np.all(np.isfinite(b)))
        np.testing.assert_allclose(t, a + c * b, rtol=1e-10, atol=1e-10 * (1 + np.max(np.abs(a) + np.abs(c * b))))


def _remap_inputs(tree, n):
    if tree[0] == "input":
        return ("input", tree[1] % n)
    if tree[0] == "const":
        return tree
    return (tree[0],) + tuple(_remap_inputs(t, n) for t in tree[1:])


@examples(50)
@given(problems(max_depth=3))
def test_two_backward_calls_accumulate_the_sum(problem):
    tree, inputs = problem
    f = gd_fn(tree)
    g = gd_fn(("sin", tree))
    leaves = [Tensor(a.copy(), requires_grad=True) for a in inputs]
    f(*leaves).sum().backward()
    g(*leaves).sum().backward()
    gf = grads_of(lambda *ts: f(*ts).sum(), inputs)
    gg = grads_of(lambda *ts: g(*ts).sum(), inputs)
    for t, a, b in zip(leaves, gf, gg):
        got = np.zeros(t.shape) if t.grad is None else t.grad
        np.testing.assert_allclose(got, a + b, rtol=1e-12, atol=1e-12 * (1 + np.max(np.abs(a) + np.abs(b))))


ELEMENTWISE = {
    "exp": gdlab.exp, "sin": gdlab.sin, "cos": gdlab.cos, "tanh": gdlab.tanh, "sigmoid": gdlab.sigmoid,
    "softplus": gdlab.softplus, "abs": gdlab.abs, "relu": gdlab.relu, "leaky_relu": gdlab.leaky_relu,
    "square": lambda a: a * a, "clip": lambda a: gdlab.clip(a, -0.5, 0.5), "tan": lambda a: gdlab.tan(a * 0.7),
    "log": lambda a: gdlab.log(a * a + 0.1), "sqrt": lambda a: gdlab.sqrt(a * a + 0.1),
}


@examples(60)
@given(st.sampled_from(sorted(ELEMENTWISE)),
       hnp.array_shapes(min_dims=0, max_dims=3, max_side=4).flatmap(
           lambda s: arrays(s, st.integers(-8, 8).map(lambda i: i / 4.0) | floats())))
def test_gradient_of_a_sum_is_the_elementwise_derivative(name, x):
    # d sum(f(x)) / dx_i = f'(x_i), each computed alone at shape () -- kinks included (x on a 1/4 grid)
    fn = ELEMENTWISE[name]
    (g,) = grads_of(lambda t: fn(t).sum(), [x])
    assert g.shape == x.shape
    for i in np.ndindex(x.shape):
        (gi,) = grads_of(fn, [x[i]])
        assert gi.shape == ()
        np.testing.assert_allclose(g[i], gi, rtol=1e-15, atol=0)


@examples(60)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4), st.data())
def test_broadcast_gradient_sums_over_the_repeated_positions(shapes, data):
    sa, sb = shapes.input_shapes
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    w = data.draw(arrays(shapes.result_shape))
    ga, gb = grads_of(lambda x, y: (x * 2.0 + y * y) * Tensor(w), [a, b], seed=np.ones(shapes.result_shape))
    # an independent reference: position j of the result reads element index[j] of the input
    for g, shape, dw in [(ga, sa, 2.0 * w), (gb, sb, 2.0 * np.broadcast_to(b, shapes.result_shape) * w)]:
        index = np.broadcast_to(np.arange(int(np.prod(shape))).reshape(shape), shapes.result_shape)
        ref = np.bincount(index.ravel(), weights=np.ravel(dw), minlength=int(np.prod(shape))).reshape(shape)
        np.testing.assert_allclose(g, ref, rtol=1e-12, atol=1e-12)


@examples(60)
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(
    arrays((n,)), st.lists(st.integers(-n, n - 1), min_size=1, max_size=10), st.lists(st.booleans(), min_size=n,
                                                                                       max_size=n))))
def test_indexing_scatters_and_accumulates_repeated_indices(case):
    x, idx, mask = case
    idx = np.array(idx)
    w = np.linspace(0.5, 1.5, len(idx))
    (g,) = grads_of(lambda t: t[idx], [x], seed=w)
    n = len(x)
    np.testing.assert_allclose(g, np.bincount(idx % n, weights=w, minlength=n), rtol=1e-15)
    mask = np.array(mask)
    wm = np.arange(1.0, mask.sum() + 1)
    (gm,) = grads_of(lambda t: t[mask], [x], seed=wm)
    ref = np.zeros(n)
    ref[mask] = wm
    np.testing.assert_array_equal(gm, ref)


def _ties():
    """Arrays on a coarse integer grid: ties are common."""
    shapes = hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)
    return shapes.flatmap(lambda s: arrays(s, st.integers(-2, 2).map(float)))


@examples(80)
@given(_ties(), st.data(), st.sampled_from(["max", "min"]))
def test_max_min_reductions_split_the_gradient_among_ties(x, data, which):
    axis = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1))
    (g,) = grads_of(lambda t: getattr(t, which)(axis=axis), [x])
    ext = getattr(np, which)(x, axis=axis, keepdims=True)
    hit = x == ext
    np.testing.assert_allclose(g, hit / hit.sum(axis=axis, keepdims=True), rtol=1e-15)
    np.testing.assert_allclose(g.sum(axis=axis), 1.0, rtol=1e-14)  # each reduced slice passes on exactly 1


@examples(60)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), st.data())
def test_maximum_plus_minimum_is_the_sum_even_at_ties(shapes, data):
    sa, sb = shapes.input_shapes
    a = data.draw(arrays(sa, st.integers(-2, 2).map(float)))
    b = data.draw(arrays(sb, st.integers(-2, 2).map(float)))
    ga, gb = grads_of(lambda x, y: gdlab.maximum(x, y) + gdlab.minimum(x, y), [a, b])
    ha, hb = grads_of(lambda x, y: x + y, [a, b])
    np.testing.assert_array_equal(ga, ha)
    np.testing.assert_array_equal(gb, hb)


@examples(40)
@given(_ties())
def test_abs_is_maximum_of_x_and_minus_x_even_at_zero(x):
    (g1,) = grads_of(gdlab.abs, [x])
    (g2,) = grads_of(lambda t: gdlab.maximum(t, -t), [x])
    np.testing.assert_array_equal(g1, g2)


@examples(60)
@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).flatmap(lambda s: arrays(s, floats(-50, 50))),
       floats(-1e3, 1e3), st.data())
def test_softmax_family_identities(x, c, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    sm = gdlab.softmax(Tensor(x), axis=axis).data
    np.testing.assert_allclose(sm.sum(axis=axis), 1.0, rtol=1e-12)
    # shift invariance, and d logsumexp = softmax
    np.testing.assert_allclose(gdlab.softmax(Tensor(x + c), axis=axis).data, sm, rtol=1e-9, atol=1e-15)
    lse = gdlab.logsumexp(Tensor(x), axis=axis).data
    np.testing.assert_allclose(gdlab.logsumexp(Tensor(x + c), axis=axis).data, lse + c, rtol=1e-12, atol=1e-9)
    (g,) = grads_of(lambda t: gdlab.logsumexp(t, axis=axis), [x])
    np.testing.assert_allclose(g, sm, rtol=1e-9, atol=1e-15)
    # the sum of a softmax is constant: its gradient vanishes
    (g0,) = grads_of(lambda t: gdlab.softmax(t, axis=axis).sum(), [x])
    np.testing.assert_allclose(g0, 0.0, atol=1e-12)
    np.testing.assert_allclose(np.exp(gdlab.log_softmax(Tensor(x), axis=axis).data), sm, rtol=1e-12, atol=1e-300)


@examples(60)
@given(st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)), st.data())
def test_matmul_gradients_are_the_transposed_products(dims, data):
    batch, m, k, n = dims
    A = data.draw(arrays((batch, m, k)))
    B = data.draw(arrays((k, n)))
    W = data.draw(arrays((batch, m, n)))
    gA, gB = grads_of(lambda a, b: a @ b, [A, B], seed=W)
    np.testing.assert_allclose(gA, W @ B.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gB, np.einsum("bmk,bmn->kn", A, W), rtol=1e-12, atol=1e-12)


@examples(50)
@given(hnp.array_shapes(min_dims=1, max_dims=4, max_side=3).flatmap(lambda s: arrays(s)), st.data())
def test_reshape_and_transpose_round_trips_do_not_change_the_gradient(x, data):
    perm = data.draw(st.permutations(range(x.ndim)))
    w = data.draw(arrays(x.shape))
    f = lambda t: gdlab.sin(t) * Tensor(w)  # noqa: E731
    (direct,) = grads_of(lambda t: f(t).sum(), [x])
    (via,) = grads_of(lambda t: f(t.reshape(-1).reshape(x.shape).transpose(perm).transpose(np.argsort(perm))).sum(),
                      [x])
    np.testing.assert_array_equal(via, direct)
    (g_t,) = grads_of(lambda t: t.transpose(perm), [x], seed=np.transpose(w, perm))
    np.testing.assert_array_equal(g_t, w)


@examples(50)
@given(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4).flatmap(lambda s: arrays(s)), st.data())
def test_mean_is_sum_over_count(x, data):
    axis = None if x.ndim == 0 else data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1))
    keep = data.draw(st.booleans())
    (gm,) = grads_of(lambda t: t.mean(axis=axis, keepdims=keep) * 1.0, [x])
    count = x.size if axis is None else x.shape[axis]
    (gs,) = grads_of(lambda t: t.sum(axis=axis, keepdims=keep) / float(count), [x])
    np.testing.assert_allclose(gm, gs, rtol=1e-15)
