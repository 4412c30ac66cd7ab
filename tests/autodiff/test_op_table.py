"""Every op of the table (op_table.py): gradchecked in float64, PyTorch's conventions at kinks, float32 kept."""

import inspect

import numpy as np
import pytest
from tests.autodiff.op_table import BY_NAME, REQUIRED, TABLE, instances, run_gdlab

import gdlab
from gdlab.autodiff import Tensor, ops
from gdlab.autodiff.check import gradcheck

CASES = instances(kinks=False)
KINKS = instances(cases=False)


def _ids(insts):
    return [i.id for i in insts]


# --- the table itself ------------------------------------------------------------------------------

def test_table_covers_the_required_ops():
    assert REQUIRED <= set(BY_NAME), f"missing from the table: {sorted(REQUIRED - set(BY_NAME))}"
    for op in TABLE:
        assert op.cases, f"{op.name} has no cases"


# ops.py's public functions and the table entries that exercise them
_TABLE_NAME = {"power": "pow(tensor, tensor)", "getitem": "getitem", "transpose": "transpose"}


def test_every_primitive_in_ops_is_in_the_table():
    public = {name for name, fn in vars(ops).items()
              if inspect.isfunction(fn) and fn.__module__ == ops.__name__ and not name.startswith("_")}
    missing = {name for name in public if _TABLE_NAME.get(name, name) not in BY_NAME}
    assert not missing, f"ops without a table entry: {sorted(missing)}"


def test_table_has_scalar_vector_matrix_and_broadcast_cases():
    shapes = {op.name: [c.shapes for c in op.cases] for op in TABLE}
    for name in ["add", "sub", "mul", "div", "pow(tensor, tensor)", "maximum", "minimum", "where"]:
        assert ((3, 1), (4,)) in shapes[name] and ((2, 3, 4), (3, 4)) in shapes[name]
    for op in TABLE:
        if len(op.domain) == 1 and op.name not in {"getitem", "T", "concatenate", "stack"}:
            ndims = {len(c.shapes[0]) for c in op.cases}
            assert {1, 2} <= ndims, f"{op.name} lacks a vector or a matrix case"


# --- gradcheck of every case --------------------------------------------------------------------

@pytest.mark.parametrize("inst", CASES, ids=_ids(CASES))
def test_gradcheck(inst):
    assert gradcheck(inst.call_gd, *inst.inputs, atol=inst.op.atol, rtol=inst.op.rtol)


def test_gradcheck_inputs_are_kept_away_from_kinks_and_ties():
    # central differences (eps = 1e-6) must not straddle a kink: check the drawn inputs once
    for inst in CASES:
        name = inst.op.name
        if name in {"maximum", "minimum"}:
            a, b = np.broadcast_arrays(*inst.inputs)
            assert np.min(np.abs(a - b)) > 1e-4, inst.id
        elif name in {"abs", "relu", "leaky_relu"}:
            assert np.min(np.abs(inst.inputs[0]), initial=1.0) >= 0.05, inst.id
        elif name in {"max", "min"} and inst.inputs[0].size > 1:
            x = np.sort(inst.inputs[0].ravel())
            assert np.min(np.diff(x)) > 1e-4, inst.id


# --- kinks: PyTorch's conventions --------------------------------------------------------------

@pytest.mark.parametrize("inst", KINKS, ids=_ids(KINKS))
def test_kink_gradient_follows_the_convention(inst):
    with np.errstate(divide="ignore"):
        _, _, grads = run_gdlab(inst)
    for got, want in zip(grads, inst.kink.grads):
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


ELEMENTWISE_KINKS = [i for i in KINKS if i.op.name in
                     {"abs", "relu", "leaky_relu", "clip", "sqrt", "pow(tensor, scalar)", "pow(scalar, tensor)"}]


@pytest.mark.parametrize("inst", ELEMENTWISE_KINKS, ids=_ids(ELEMENTWISE_KINKS))
def test_kink_at_shape_0d(inst):
    # the same points one at a time, as 0-d tensors
    for x, want in zip(inst.inputs[0], inst.kink.grads[0]):
        t = Tensor(x, requires_grad=True)
        with np.errstate(divide="ignore"):
            inst.call_gd(t).backward()
        assert t.grad.shape == ()
        np.testing.assert_allclose(t.grad, want, rtol=1e-15, atol=0)


def test_kink_conventions_named_in_the_ops_docstring():
    doc = ops.__doc__
    for phrase in ["PyTorch", "d|x|/dx = 0 at 0", "relu'(0) = 0", "[lo, hi]", "evenly"]:
        assert phrase in doc


def test_leaky_relu_at_zero_takes_the_negative_slope():
    # PyTorch's leaky_relu backward is x > 0 ? g : g * slope, so at 0 the slope applies
    x = Tensor(0.0, requires_grad=True)
    gdlab.leaky_relu(x, 0.3).backward()
    assert x.grad == 0.3


# --- float32 stays float32 through every op and its gradient -----------------------------------

def _graph(out):
    """Every node reachable from ``out`` (iteratively)."""
    seen, stack = {}, [out]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(p for p in node._parents if p is not None)
    return list(seen.values())


def _assert_float32_graph(out, leaves):
    assert out.dtype == np.float32, f"output is {out.dtype}"
    for node in _graph(out):
        assert node.dtype == np.float32, f"an intermediate result is {node.dtype}"
        if node._vjp is not None:
            for g in node._vjp(np.ones(node.shape, np.float32)):
                assert g is None or np.asarray(g).dtype == np.float32, (
                    f"a VJP returned {np.asarray(g).dtype} for a float32 input")
    out.backward(np.ones(out.shape, np.float32))
    for t in leaves:
        assert t.grad is not None and t.grad.dtype == np.float32


@pytest.mark.parametrize("inst", CASES + KINKS, ids=_ids(CASES + KINKS))
def test_float32_stays_float32(inst):
    leaves = [Tensor(a.astype(np.float32), requires_grad=True) for a in inst.inputs]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = inst.call_gd(*leaves)
        _assert_float32_graph(out, leaves)


SCALAR_OPS = [op for op in TABLE if op.scalar_operand]


@pytest.mark.parametrize("scalar", [0.75, 2, np.float64(0.75), np.float32(0.75)], ids=repr)
@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("op", SCALAR_OPS, ids=[op.name for op in SCALAR_OPS])
def test_python_and_numpy_scalars_never_upcast_float32(op, side, scalar):
    t = Tensor(np.array([0.5, 1.5, -2.0], np.float32), requires_grad=True)
    out = op.gd(t, scalar) if side == "right" else op.gd(scalar, t)
    _assert_float32_graph(out, [t])
    # and the float32 result is the float64 one, rounded
    t64 = Tensor(t.data.astype(np.float64))
    ref = op.gd(t64, float(scalar)) if side == "right" else op.gd(float(scalar), t64)
    np.testing.assert_allclose(out.data, ref.data, rtol=1e-6)


def test_scalar_powers_keep_float32():
    t = Tensor(np.array([0.5, 1.5], np.float32), requires_grad=True)
    for out in [t**2, t**0.5, t**np.float64(3), 2.0**t, np.float64(2) ** t, t**t]:
        t.grad = None
        _assert_float32_graph(out.sum(), [t])


def test_float32_array_operands_keep_float32():
    t = Tensor(np.array([[0.5, -1.5]], np.float32), requires_grad=True)
    c = np.array([[2.0], [3.0]], np.float32)
    for out in [t + c, c - t, t * c, c / (t * t + 1), t @ c, c @ t, gdlab.maximum(t, c), gdlab.where(c > 2, t, c)]:
        t.grad = None
        _assert_float32_graph(out.sum(), [t])


def test_float64_constant_array_does_not_change_a_float32_leaf_gradient():
    # NumPy's rules make float32 * float64-array a float64 result; the leaf's .grad stays float32,
    # also when it accumulates (a float64 increment must not turn it into float64)
    t = Tensor(np.ones(3, np.float32), requires_grad=True)
    for _ in range(2):
        out = (t * np.full(3, 2.0)).sum()
        assert out.dtype == np.float64
        out.backward()
        assert t.grad.dtype == np.float32
    np.testing.assert_array_equal(t.grad, [4.0, 4.0, 4.0])


@pytest.mark.parametrize("make", [
    lambda t: gdlab.leaky_relu(t, np.float64(0.1)),
    lambda t: gdlab.softplus(t, beta=np.float64(2.0), threshold=np.float64(3.0)),
    lambda t: gdlab.clip(t, np.float64(-0.5), np.float64(0.5)),
    lambda t: gdlab.clip(t, min=np.float64(-0.5)),
    lambda t: t * np.float64(2.0) + np.float64(1.0),
], ids=["leaky_relu", "softplus", "clip", "clip min", "mul add"])
def test_numpy_scalar_hyperparameters_never_upcast_float32(make):
    t = Tensor(np.array([-1.0, 0.25, 2.0], np.float32), requires_grad=True)
    _assert_float32_graph(make(t), [t])


def test_max_over_an_axis_is_torch_amax_not_torch_max_with_dim():
    # the one documented difference from a common PyTorch call: torch.max(x, dim) sends a tie's
    # whole gradient to one element, gdlab (like torch.amax) splits it
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    t = Tensor(x, requires_grad=True)
    t.max(axis=1).sum().backward()
    np.testing.assert_array_equal(t.grad, [[0, 0.5, 0.5], [0.5, 0.5, 0]])
    assert "amax" in ops.max.__doc__ and "torch.max(x, dim)" in ops.max.__doc__
    torch = pytest.importorskip("torch")
    tt = torch.tensor(x, requires_grad=True)
    tt.amax(dim=1).sum().backward()
    np.testing.assert_array_equal(t.grad, tt.grad.numpy())
    tm = torch.tensor(x, requires_grad=True)
    tm.max(dim=1).values.sum().backward()
    assert tm.grad.numpy().sum(axis=1).tolist() == [1.0, 1.0] and sorted(tm.grad.numpy()[0]) == [0, 0, 1]
