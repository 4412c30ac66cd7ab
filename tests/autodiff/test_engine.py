"""The Tensor and the backward engine: dtypes, accumulation, errors, deep and wide graphs, no_grad, stability."""

import threading

import numpy as np
import pytest

import gdlab
from gdlab.autodiff import Tensor, enable_grad, is_grad_enabled, no_grad


# --- dtypes --------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [1.5, [1.0, 2.0], [[1.0], [2.5]], np.array([1.0, 2.0])])
def test_python_floats_and_float64_give_float64(data):
    t = Tensor(data, requires_grad=True)
    assert t.dtype == np.float64
    (t * t).sum().backward()
    assert t.grad.dtype == np.float64


def test_float32_stays_float32_through_a_small_network():
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(4, 3)).astype(np.float32))
    w = Tensor(rng.normal(size=(3, 5)).astype(np.float32), requires_grad=True)
    b = Tensor(np.zeros(5, np.float32), requires_grad=True)
    h = gdlab.relu(x @ w + b) * 0.5 + 1
    loss = -gdlab.log_softmax(h, axis=-1)[np.arange(4), [0, 1, 2, 3]].mean() + (w**2).sum() * 1e-3
    assert loss.dtype == np.float32
    loss.backward()
    assert w.grad.dtype == np.float32 and b.grad.dtype == np.float32


@pytest.mark.parametrize("data", [3, [1, 2], np.arange(3), np.array([True, False])])
def test_integer_and_boolean_tensors_cannot_require_grad(data):
    with pytest.raises(TypeError, match="floating-point"):
        Tensor(data, requires_grad=True)
    t = Tensor(data)  # without grad they are fine (indices, masks)
    assert t.dtype.kind in "iub"
    with pytest.raises(TypeError, match="floating-point"):
        t.requires_grad_()


def test_non_numeric_data_is_refused():
    with pytest.raises(TypeError, match="dtype"):
        Tensor(["a", "b"])


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_comparisons_return_boolean_tensors_without_grad(op):
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = Tensor([3.0, 2.0, 1.0], requires_grad=True)
    want = eval(f"x.data {op} y.data")
    for got in [eval(f"x {op} y"), eval(f"x {op} 2.0"), eval(f"2.0 {op} x"), eval(f"x {op} np.array(2.0)")]:
        assert isinstance(got, Tensor)
        assert got.dtype == np.bool_ and not got.requires_grad and got.is_leaf
    np.testing.assert_array_equal(eval(f"x {op} y").data, want)


def test_tensors_hash_by_identity_despite_elementwise_eq():
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a, b}) == 2 and {a: 1}[a] == 1


# --- accumulation and sharing -----------------------------------------------------------------------

def test_gradients_accumulate_across_backward_calls_as_in_torch():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 7.0])
    x.zero_grad()
    assert x.grad is None


def test_backward_twice_through_the_same_graph_doubles_the_gradient():
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = (gdlab.tanh(x) * x).sum()
    y.backward()
    once = x.grad.copy()
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * once)


def test_a_leaf_used_twice_gets_the_sum():
    x = Tensor(3.0, requires_grad=True)
    (x * x + x).backward()  # 2x + 1
    assert x.grad == 7.0
    y = Tensor([1.0, 2.0], requires_grad=True)
    (y[0] * y + y[[1, 1]]).sum().backward()  # d/dy [y0*y0 + y0*y1 + 2*y1] = [2y0 + y1, y0 + 2]
    np.testing.assert_array_equal(y.grad, [4.0, 3.0])


def test_diamond_graph():
    x = Tensor(0.7, requires_grad=True)
    a = gdlab.sin(x)
    b = a * a
    c = gdlab.exp(a)
    (b + c).backward()
    s = np.sin(0.7)
    np.testing.assert_allclose(x.grad, (2 * s + np.exp(s)) * np.cos(0.7), rtol=1e-15)


@pytest.mark.parametrize("build", [
    lambda a, b: (a + b).sum(),
    lambda a, b: (a - b).sum(),
    lambda a, b: gdlab.stack([a, b]).sum(),
    lambda a, b: gdlab.concatenate([a, b]).sum(),
    lambda a, b: gdlab.where(np.array([True, False]), a, b).sum() + (a + b).sum(),
])
def test_leaf_gradients_are_never_the_same_array(build):
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    build(a, b).backward()
    assert a.grad is not b.grad and not np.shares_memory(a.grad, b.grad)
    before = b.grad.copy()
    np.clip(a.grad, -0.1, 0.1, out=a.grad)  # in-place clipping of one leaf's gradient...
    a.grad *= 0.0
    np.testing.assert_array_equal(b.grad, before)  # ...leaves the other alone


def test_leaf_gradient_is_a_writable_copy_not_the_seed():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    seed = np.full((2, 3), 2.0)
    (x + 0.0).backward(seed)
    assert not np.shares_memory(x.grad, seed)
    x.grad[0, 0] = 9.0  # writable, although sum's VJP hands out a broadcast view
    assert seed[0, 0] == 2.0
    y = Tensor(np.ones(3), requires_grad=True)
    y.sum().backward()
    y.grad += 1.0
    np.testing.assert_array_equal(y.grad, [2.0, 2.0, 2.0])


def test_inputs_that_do_not_require_grad_get_none():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([5.0, 6.0])
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, [5.0, 6.0])


# --- backward's errors ---------------------------------------------------------------------------

def test_backward_on_a_non_scalar_needs_a_grad_and_names_the_shape():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2.0
    with pytest.raises(ValueError, match=r"non-scalar.*\(2, 3\)"):
        y.backward()


def test_backward_on_a_one_element_tensor_of_any_shape_defaults_to_one():
    x = Tensor([[2.0]], requires_grad=True)
    (x * 3.0).backward()
    np.testing.assert_array_equal(x.grad, [[3.0]])


def test_backward_with_a_grad_of_the_wrong_shape():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2.0
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 3\)"):
        y.backward(np.ones(3))  # broadcastable, but not the tensor's shape
    y.backward(Tensor(np.ones((2, 3))))  # a Tensor grad is fine


def test_backward_without_any_input_requiring_grad():
    with pytest.raises(RuntimeError, match="requires_grad"):
        (Tensor(1.0) * 2.0).backward()


@pytest.mark.parametrize("xs, ys", [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (2,)), ((5,), (4, 3)),
                                    ((2, 3, 4), (5, 4, 6))])
def test_matmul_of_mismatched_shapes_names_both(xs, ys):
    a, b = Tensor(np.ones(xs), requires_grad=True), Tensor(np.ones(ys))
    with pytest.raises(ValueError, match="matmul") as info:
        a @ b
    msg = str(info.value)
    assert str(xs) in msg and str(ys) in msg


def test_matmul_of_scalars_is_refused():
    with pytest.raises(ValueError, match=r"at least 1-D.*\(\)"):
        Tensor(2.0) @ Tensor(3.0)


def test_other_bad_arguments_name_the_value():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match="axis 2"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 2\)"):
        x.reshape(4, 2)
    with pytest.raises(ValueError, match="permutation"):
        x.transpose(0, 0)
    with pytest.raises(ValueError, match="min, max"):
        gdlab.clip(x)
    with pytest.raises(ValueError, match="empty"):
        Tensor(np.ones(0)).max()
    with pytest.raises(ValueError, match="one element"):
        x.item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(x)


# --- deep and wide graphs -------------------------------------------------------------------------

def test_a_chain_of_100000_ops_backward_has_no_recursion_error():
    x = Tensor(np.array([0.5, -0.25]), requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y * 1.00001
        y = y + 0.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.00001**50_000] * 2, rtol=1e-9)
    del y  # freeing the chain must not recurse either


def test_a_deep_chain_of_mixed_ops():
    x = Tensor(0.3, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = gdlab.sin(y) * 0.5 + y * 0.5  # a contraction with a known derivative chain
    y.backward()
    # forward-mode product of the local derivatives, for reference
    v, d = 0.3, 1.0
    for _ in range(20_000):
        d *= 0.5 * np.cos(v) + 0.5
        v = np.sin(v) * 0.5 + v * 0.5
    np.testing.assert_allclose(x.grad, d, rtol=1e-10)


def test_a_wide_graph():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    parts = [x * float(i) for i in range(20_000)]
    total = gdlab.stack(parts).sum()
    total.backward()
    np.testing.assert_allclose(x.grad, [sum(range(20_000))] * 2)
    # and a node with many users: a sum of 20,000 terms, each using x
    x.zero_grad()
    acc = x[0] * 0.0
    for i in range(20_000):
        acc = acc + x[i % 2]
    acc.backward()
    np.testing.assert_array_equal(x.grad, [10_000.0, 10_000.0])


# --- no_grad, detach, retain_grad ------------------------------------------------------------------

def test_no_grad_context_records_no_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = gdlab.exp(x * 2.0).sum()
        with enable_grad():
            z = x * 2.0
    assert is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y._parents == ()
    assert z.requires_grad


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(KeyError):
        with gdlab.no_grad():
            raise KeyError("boom")
    assert is_grad_enabled()


def test_no_grad_as_a_decorator_with_and_without_parentheses():
    x = Tensor([1.0], requires_grad=True)

    @gdlab.no_grad()
    def f(t):
        return t * 2.0

    @gdlab.no_grad
    def g(t):
        """doc"""
        return t * 2.0

    assert not f(x).requires_grad and not g(x).requires_grad
    assert g.__name__ == "g" and g.__doc__ == "doc"
    assert is_grad_enabled() and (x * 2.0).requires_grad


def test_grad_mode_is_per_thread():
    """no_grad in one thread leaves another thread recording (torch's grad mode is per thread)."""
    inside, go_on = threading.Event(), threading.Event()
    seen = {}

    def quiet():
        with no_grad():
            seen["quiet"] = is_grad_enabled()
            inside.set()
            go_on.wait(10)
            seen["quiet, later"] = (Tensor([1.0], requires_grad=True) * 2.0).requires_grad

    def busy():
        inside.wait(10)
        x = Tensor([1.0, 2.0], requires_grad=True)
        seen["busy"] = is_grad_enabled()
        (x * x).sum().backward()  # raised "does not require grad" when the mode was one flag
        seen["busy grad"] = x.grad.tolist()
        go_on.set()

    threads = [threading.Thread(target=quiet), threading.Thread(target=busy)]
    with no_grad():  # this thread's mode reaches neither thread
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
    assert seen == {"quiet": False, "busy": True, "busy grad": [2.0, 4.0], "quiet, later": False}
    assert is_grad_enabled()


def test_one_no_grad_instance_nested_and_shared_restores_each_entry():
    ng = no_grad()
    with ng:
        with enable_grad():
            with ng:
                assert not is_grad_enabled()
            assert is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()

    barrier = threading.Barrier(4)
    results = []

    def use(outer):
        with outer():
            barrier.wait(10)
            with ng:  # all four threads inside the same instance at once
                barrier.wait(10)
            barrier.wait(10)
            results.append((outer.__name__, is_grad_enabled()))

    threads = [threading.Thread(target=use, args=(m,)) for m in (enable_grad, no_grad, enable_grad, no_grad)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    # each thread gets back the mode it had before it entered the shared instance, not another's
    assert sorted(results) == [("enable_grad", True)] * 2 + [("no_grad", False)] * 2


def test_detach_shares_data_and_stops_the_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2.0).detach()
    assert not d.requires_grad and d.is_leaf
    y = x * 2.0
    assert np.shares_memory(y.detach().data, y.data)
    (x * d).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])  # d was a constant


def test_retain_grad_on_an_intermediate():
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = x * 3.0
    y.retain_grad()
    z = (y * y).sum()
    z.backward()
    np.testing.assert_array_equal(y.grad, 2 * y.data)
    np.testing.assert_array_equal(x.grad, 6 * y.data)
    z.backward()  # accumulates like a leaf
    np.testing.assert_array_equal(y.grad, 4 * y.data)
    w = x * 1.0
    assert w.retain_grad() is w and w.grad is None  # nothing until a backward reaches it


def test_intermediates_keep_no_grad_by_default():
    x = Tensor([1.0], requires_grad=True)
    y = x * 2.0
    (y * y).sum().backward()
    assert y.grad is None and not y.is_leaf and x.is_leaf


# --- item, numpy, float ------------------------------------------------------------------------------

def test_item_numpy_float():
    t = Tensor([[2.5]])
    assert t.item() == 2.5 and isinstance(t.item(), float)
    assert float(Tensor(1.25)) == 1.25 and int(Tensor(3.0)) == 3
    a = Tensor(np.arange(3.0))
    assert a.numpy() is a.data  # shared, as torch's .numpy()
    assert a.shape == (3,) and a.ndim == 1 and a.size == 3 and len(a) == 3
    assert Tensor(np.float32(1.5)).item() == 1.5
    assert "requires_grad=True" in repr(Tensor([1.0], requires_grad=True))
    assert "float32" in repr(Tensor(np.ones(2, np.float32)))


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0])
    t = Tensor(a)
    a[0] = 5.0
    assert t.data[0] == 1.0


def test_numpy_array_on_the_left_defers_to_the_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x + np.array([1.0, 1.0]) @ x
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 6.0])


# --- numerical stability ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_at_the_far_tails(dtype):
    x = Tensor(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype), requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, not even a warning
        y = gdlab.sigmoid(x)
        y.sum().backward()
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad))
    assert y.data[0] == 0.0 and y.data[-1] == 1.0 and y.data[2] == 0.5
    assert x.grad[0] == 0.0 and x.grad[-1] == 0.0 and x.grad[2] == 0.25


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softplus_at_the_far_tails(dtype):
    x = Tensor(np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0], dtype), requires_grad=True)
    with np.errstate(over="raise"):
        y = gdlab.softplus(x)
        y.sum().backward()
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad))
    np.testing.assert_allclose(y.data, [0.0, np.exp(-30.0), np.log(2.0), 30.0, 1000.0], rtol=1e-6)
    np.testing.assert_allclose(x.grad, [0.0, np.exp(-30.0), 0.5, 1.0, 1.0], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_logsumexp_softmax_log_softmax_at_large_inputs(dtype, scale):
    base = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
    x = Tensor((base + scale).astype(dtype), requires_grad=True)
    with np.errstate(over="raise"):
        lse = gdlab.logsumexp(x, axis=-1)
        sm = gdlab.softmax(x, axis=-1)
        lsm = gdlab.log_softmax(x, axis=-1)
    ref_sm = np.exp(base - base.max(-1, keepdims=True))
    ref_sm /= ref_sm.sum(-1, keepdims=True)
    tol = 1e-12 if dtype == np.float64 else 1e-3
    np.testing.assert_allclose(sm.data, ref_sm, rtol=tol)
    np.testing.assert_allclose(lsm.data, np.log(ref_sm), rtol=tol, atol=tol)
    np.testing.assert_allclose(lse.data - scale, np.log(np.exp(base).sum(-1)), rtol=tol, atol=tol * 10)
    for out in (lse, sm, lsm):
        x.zero_grad()
        w = np.arange(out.size, dtype=dtype).reshape(out.shape)
        out.backward(w)
        assert np.all(np.isfinite(x.grad))
    x.zero_grad()
    lse.sum().backward()
    np.testing.assert_allclose(x.grad, ref_sm, rtol=tol * 10)  # d logsumexp = softmax


def test_logsumexp_with_infinite_entries():
    x = Tensor(np.array([-np.inf, 0.0, 1.0]), requires_grad=True)
    out = gdlab.logsumexp(x)
    out.backward()
    np.testing.assert_allclose(out.item(), np.log(1 + np.e))
    assert x.grad[0] == 0.0
    with np.errstate(divide="ignore"):
        assert gdlab.logsumexp(Tensor([-np.inf, -np.inf])).item() == -np.inf


def test_exp_overflow_is_inf_as_in_numpy():
    with np.errstate(over="ignore"):
        assert gdlab.exp(Tensor(1000.0)).item() == np.inf


# --- shape arguments as NumPy takes them ---------------------------------------------------------

def test_reshape_and_transpose_take_ints_or_any_sequence():
    t = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    for out in [t.reshape(6, 4), t.reshape((6, 4)), t.reshape([6, 4]), t.reshape(np.array([6, 4]))]:
        assert out.shape == (6, 4)
    for args, want in [((), (4, 3, 2)), ((None,), (4, 3, 2)), ((2, 0, 1), (4, 2, 3)), (((2, 0, 1),), (4, 2, 3)),
                       (([2, 0, 1],), (4, 2, 3)), ((np.array([2, 0, 1]),), (4, 2, 3)), ((-1, 0, 1), (4, 2, 3))]:
        out = t.transpose(*args)
        assert out.shape == want
        np.testing.assert_array_equal(out.data, t.data.transpose(*args))
    t.transpose(np.array([2, 0, 1])).sum().backward()
    np.testing.assert_array_equal(t.grad, np.ones((2, 3, 4)))


@pytest.mark.parametrize("axis", [0, -1, None, (0,)])
@pytest.mark.parametrize("method", ["sum", "mean", "max", "min"])
def test_reductions_of_a_0d_tensor_accept_axis_0_and_minus_1_as_torch(method, axis):
    x = Tensor(2.5, requires_grad=True)
    out = getattr(x, method)(axis=axis)
    assert out.shape == () and out.item() == 2.5
    out.backward()
    assert x.grad == 1.0
    with pytest.raises(ValueError, match="axis 1"):
        getattr(x, method)(axis=1)


def test_no_grad_refuses_a_non_callable_argument():
    with pytest.raises(TypeError, match="no_grad"):
        gdlab.no_grad(3)


def test_an_interrupted_backward_leaves_no_stale_gradients_behind():
    # a backward pass stopped half-way (an error in a VJP, a KeyboardInterrupt) must not poison the
    # next one: the pending gradients of the nodes it did not reach are dropped
    x = Tensor([1.0, 2.0], requires_grad=True)
    a = x * 2.0
    b = a * 3.0
    c = (a + b).sum()
    vjp = b._vjp

    def interrupted(g):
        raise KeyboardInterrupt

    b._vjp = interrupted
    with pytest.raises(KeyboardInterrupt):
        c.backward()
    assert x.grad is None
    b._vjp = vjp
    c.backward()
    np.testing.assert_array_equal(x.grad, [8.0, 8.0])  # d/dx (2x + 6x)


def test_np_array_of_a_tensor_is_a_copy_and_np_asarray_shares():
    t = Tensor([1.0, 2.0])
    a = np.array(t)
    a[0] = 5.0
    assert t.data[0] == 1.0
    assert np.shares_memory(np.asarray(t), t.data)
    assert np.array(t, dtype=np.float32).dtype == np.float32 and t.dtype == np.float64


def test_iterating_a_tensor_yields_its_rows_with_gradients():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert len(rows) == 2 and all(isinstance(r, Tensor) for r in rows)
    (rows[0] * rows[1]).sum().backward()
    np.testing.assert_array_equal(x.grad, [[3.0, 4.0], [1.0, 2.0]])
    with pytest.raises(TypeError, match="0-d"):
        iter(Tensor(3.0))


# --- constants mixed with tensors -----------------------------------------------------------------

def test_where_with_a_condition_larger_than_both_branches():
    cond = np.array([[True, False, True, False], [False, False, True, True], [True, True, True, False]])
    a = Tensor(np.arange(4.0), requires_grad=True)
    b = Tensor(-1.0, requires_grad=True)
    out = gdlab.where(cond, a, b)
    assert out.shape == (3, 4)
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, cond.sum(axis=0))
    assert b.grad == (~cond).sum()
    gdlab.where(Tensor(cond), a, 0.0).sum().backward()  # a boolean Tensor works as the condition
    np.testing.assert_array_equal(a.grad, 2 * cond.sum(axis=0))


def test_concatenate_and_stack_with_constants():
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = gdlab.concatenate([np.zeros(3), t, [5.0]])
    np.testing.assert_array_equal(out.data, [0, 0, 0, 1, 2, 5])
    (out * np.arange(6.0)).sum().backward()
    np.testing.assert_array_equal(t.grad, [3.0, 4.0])
    t.zero_grad()
    gdlab.stack([t, np.ones(2), t * 2.0], axis=1).sum().backward()
    np.testing.assert_array_equal(t.grad, [3.0, 3.0])


def test_indexing_with_tensors_and_lists():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x[Tensor(np.array([1, 1]))].sum().backward()  # an integer Tensor index, repeated
    np.testing.assert_array_equal(x.grad, [[0, 0, 0], [2, 2, 2]])
    x.zero_grad()
    x[:, [True, False, True]].sum().backward()  # a list of booleans is a mask
    np.testing.assert_array_equal(x.grad, [[1, 0, 1], [1, 0, 1]])
    x.zero_grad()
    x[x > 2.0].sum().backward()  # a comparison's boolean tensor as the mask
    np.testing.assert_array_equal(x.grad, [[0, 0, 0], [1, 1, 1]])


def test_softmax_family_of_a_0d_tensor_as_torch():
    x = Tensor(2.0, requires_grad=True)
    assert gdlab.softmax(x).item() == 1.0 and gdlab.log_softmax(x).item() == 0.0
    for axis in (None, 0, -1):
        assert gdlab.logsumexp(x, axis=axis).item() == 2.0
    gdlab.log_softmax(x).backward()
    assert x.grad == 0.0


# -- leaves keep fresh gradient arrays without a copy; never one that another leaf or the caller holds

def _aliasing_graphs():
    def add_two_leaves(x, w):
        return (x + w).sum()

    def through_views(x, w):
        return ((x.reshape(2, 3).T + w.reshape(3, 2)) * 1.0).sum()

    def add_chain(x, w):
        return ((x + 0.5) + (w + 0.25)).sum()

    def square_and_sum(x, w):
        return (x * x).sum() + (w * w).sum()

    def shared_intermediate(x, w):
        y = x + w
        return (y + y).sum()

    return [add_two_leaves, through_views, add_chain, square_and_sum, shared_intermediate]


@pytest.mark.parametrize("build", _aliasing_graphs(), ids=lambda f: f.__name__)
def test_writing_into_one_leaf_grad_never_changes_another(build):
    x = Tensor(np.arange(6.0), requires_grad=True)
    w = Tensor(np.arange(6.0) + 1, requires_grad=True)
    build(x, w).backward()
    wg = w.grad.copy()
    x.grad *= 7.0  # e.g. in-place gradient clipping
    np.testing.assert_array_equal(w.grad, wg)
    assert not np.shares_memory(x.grad, w.grad)


def test_the_callers_grad_array_is_never_kept():
    x = Tensor(np.arange(3.0), requires_grad=True)
    seed = np.ones(3)
    (x + 0.0).backward(seed)
    assert x.grad is not seed and not np.shares_memory(x.grad, seed)
    y = Tensor(np.arange(3.0), requires_grad=True)
    y.backward(seed)  # backward on the leaf itself
    assert not np.shares_memory(y.grad, seed)
    y.grad += 1
    np.testing.assert_array_equal(seed, np.ones(3))


# --- in-place accumulation of gradients the engine made itself --------------------------------

@pytest.mark.parametrize("order", ["C", "F"])
def test_columns_of_an_input_scatter_into_one_gradient_laid_out_as_the_input(order):
    X = np.asarray(np.random.default_rng(1).normal(size=(7, 2)), order=order)
    x = Tensor(X, requires_grad=True)
    a, b = x[:, 0], x[:, 1]
    (a * 3.0 + b * b + a * b).sum().backward()
    expected = np.stack([3.0 + X[:, 1], 2 * X[:, 1] + X[:, 0]], axis=1)
    np.testing.assert_allclose(x.grad, expected, rtol=1e-15)
    assert x.grad.flags.f_contiguous == (order == "F")


def test_a_gradient_handed_to_two_inputs_is_not_added_into_in_place():
    # n's pending gradient is a sum the engine made (from n*2 and n*3); add's VJP hands that same
    # array to x and y; x then receives another gradient (from m, visited after n), which must
    # not be added into the array y holds
    x = Tensor(np.ones(3), requires_grad=True)
    y = Tensor(np.ones(3), requires_grad=True)
    m = x * 5.0
    n = x + y
    (m + n * 2.0 + n * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [10.0, 10.0, 10.0])
    np.testing.assert_array_equal(y.grad, [5.0, 5.0, 5.0])
    assert not np.shares_memory(x.grad, y.grad)


def test_many_uses_of_an_intermediate_accumulate_in_place_correctly():
    x = Tensor(np.arange(1.0, 5.0), requires_grad=True)
    z = x * 2.0
    out = z[0] + z[1] * 3.0 + z[[0, 0, 3]].sum() + z[1:3].sum() + z.sum() + (z * z).sum()
    out.backward()
    gz = np.array([1 + 2, 3 + 1, 1, 1]) + 1.0 + 2 * (2 * np.arange(1.0, 5.0))
    np.testing.assert_allclose(x.grad, 2 * gz, rtol=1e-15)


def test_mixed_precision_contributions_keep_a_float32_leaf_float32():
    x = Tensor(np.array([1.0, 2.0, 3.0], dtype=np.float32), requires_grad=True)
    out = x[0] * np.array(2.0) + (x * 3.0)[1] + x[2]  # a float64 branch and float32 ones
    out.backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [2.0, 3.0, 1.0])


def test_the_gradient_of_a_square_is_exactly_two_x():
    v = np.random.default_rng(2).normal(size=5)
    x = Tensor(v, requires_grad=True)
    (x * x).backward(np.ones(5))
    np.testing.assert_array_equal(x.grad, 2 * v)
    y = Tensor(v, requires_grad=True)
    (y * y + y).sum().backward()
    np.testing.assert_array_equal(y.grad, 2 * v + 1)


def test_a_boolean_mask_used_twice_scatters_into_one_gradient():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    mask = np.array([[True, False, True], [False, True, False]])
    z = x * 2.0
    (z[mask].sum() + (z[mask] * 3.0).sum() + z[0].sum()).backward()
    gz = 4.0 * mask + np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(x.grad, 2.0 * gz)
