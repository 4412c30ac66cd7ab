"""Every op at the edges of its domain and beyond (edge_table.py) against PyTorch, and the real semantics.

At a domain's boundary gdlab gives PyTorch's values and gradients (stored in torch_edges.npz, and live
where torch is installed); outside it the value is NaN and so is the gradient. Where gdlab differs
from PyTorch on purpose, the edge says why, the test pins gdlab's numbers and checks that PyTorch's
really are different (so the documented difference is not stale).
"""

import os
import time

import numpy as np
import pytest
from tests.autodiff.edge_table import EDGES, edge_instances
from tests.autodiff.op_table import BY_NAME, TABLE
from tests.autodiff.test_torch_reference import assert_matches

import gdlab
from gdlab.autodiff import Tensor, div, power

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_edges.npz")
EDGE_INSTANCES = edge_instances()
PLAIN = [i for i in EDGE_INSTANCES if not i.edge.differs]
DIFFERS = [i for i in EDGE_INSTANCES if i.edge.differs]


def _ids(insts):
    return [i.id for i in insts]


def _gdlab(inst, dtype=np.float64):
    """(value, weights, gradients) of gdlab at the edge, in ``dtype``; NumPy's warnings are expected here."""
    with np.errstate(all="ignore"):
        leaves = [Tensor(np.asarray(a, dtype=dtype), requires_grad=True) for a in inst.inputs]
        out = inst.call_gd(*leaves)
        w = np.ones(out.shape, dtype)
        out.backward(w)
    return out.data, w, [np.zeros(t.shape, dtype) if t.grad is None else t.grad for t in leaves]


def _same(a, b):
    """Equal with NaNs equal and the signs of infinities compared (0.0 == -0.0)."""
    return np.shape(a) == np.shape(b) and np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


@pytest.fixture(scope="module")
def fixture():
    with np.load(FIXTURE) as data:
        return {key: data[key] for key in data.files}


def torch_numbers(inst, fixture):
    n = len(inst.inputs)
    return fixture[f"{inst.id}|out"], [fixture[f"{inst.id}|g{k}"] for k in range(n)]


# --- the table ---------------------------------------------------------------------------------

def test_every_op_of_the_op_table_has_its_edges():
    assert set(EDGES) == set(BY_NAME), f"ops without edges: {sorted(set(BY_NAME) - set(EDGES))}"
    assert all(EDGES[op.name] for op in TABLE)


def test_the_fixture_matches_the_edge_table(fixture):
    stored = {key.split("|")[0] for key in fixture if key != "__meta__"}
    assert stored == set(_ids(EDGE_INSTANCES)), "torch_edges.npz is stale: run tests/autodiff/make_fixtures.py"
    for inst in EDGE_INSTANCES:
        for k, a in enumerate(inst.inputs):
            np.testing.assert_array_equal(fixture[f"{inst.id}|in{k}"], a, err_msg=inst.id)


# --- against PyTorch ---------------------------------------------------------------------------

def check_plain(inst, out_ref, grads_ref):
    out, _, grads = _gdlab(inst)
    assert_matches(f"{inst.id}: value", out, out_ref)
    for k, (g, ref) in enumerate(zip(grads, grads_ref)):
        assert_matches(f"{inst.id}: gradient of input {k}", g, ref)


def check_differs(inst, out_ref, grads_ref):
    out, _, grads = _gdlab(inst)
    want = inst.edge.want
    assert _same(out, want[0]), f"{inst.id}: value {out}, expected {want[0]}"
    for k, g in enumerate(grads):
        assert _same(g, want[1 + k]), f"{inst.id}: gradient of input {k} is {g}, expected {want[1 + k]}"
    torch_side = [out_ref, *grads_ref]
    assert any(not _same(t, w) or np.any(np.signbit(t) != np.signbit(w)) for t, w in zip(torch_side, want)), (
        f"{inst.id}: PyTorch now gives gdlab's numbers; drop the documented difference ({inst.edge.differs})")


@pytest.mark.parametrize("inst", PLAIN, ids=_ids(PLAIN))
def test_matches_stored_pytorch_at_the_edges(inst, fixture):
    check_plain(inst, *torch_numbers(inst, fixture))


@pytest.mark.parametrize("inst", DIFFERS, ids=_ids(DIFFERS))
def test_documented_differences_from_stored_pytorch(inst, fixture):
    check_differs(inst, *torch_numbers(inst, fixture))


def test_live_pytorch_at_the_edges():
    pytest.importorskip("torch")
    from tests.autodiff.op_table import run_torch

    for inst in EDGE_INSTANCES:
        with np.errstate(all="ignore"):
            out, _, grads = run_torch(inst)
        (check_differs if inst.edge.differs else check_plain)(inst, out, grads)


# --- real semantics, independent of PyTorch ----------------------------------------------------

ELEMENTWISE = [i for i in EDGE_INSTANCES if len(i.inputs) == 1 and i.op.name not in
               {"sum", "mean", "max", "min", "logsumexp", "softmax", "log_softmax", "getitem", "reshape",
                "transpose", "T"}]


@pytest.mark.parametrize("inst", ELEMENTWISE, ids=_ids(ELEMENTWISE))
def test_a_nan_value_from_a_number_has_a_nan_gradient(inst):
    """Outside the domain (a NaN value at an input that is a number) the derivative is NaN too."""
    out, _, (g,) = _gdlab(inst)
    x = np.broadcast_to(inst.inputs[0], np.shape(out))
    outside = np.isnan(out) & ~np.isnan(x)
    assert np.all(np.isnan(np.broadcast_to(g, np.shape(out))[outside])), f"{inst.id}: {out} with gradient {g}"


def test_the_issue_examples():
    with np.errstate(all="ignore"):
        x = Tensor([-1.0], requires_grad=True)
        gdlab.log(x).sum().backward()  # was -1
        assert np.isnan(x.grad[0])
        x = Tensor([-8.0, -1.0, 4.0], requires_grad=True)
        (x ** 0.5).sum().backward()
        np.testing.assert_array_equal(x.grad, [np.nan, np.nan, 0.25])
        x = Tensor([-8.0], requires_grad=True)
        y = x ** (1 / 3)
        y.sum().backward()
        assert np.isnan(y.data[0]) and np.isnan(x.grad[0])


@pytest.mark.parametrize("inst", EDGE_INSTANCES, ids=_ids(EDGE_INSTANCES))
def test_float32_stays_float32_at_the_edges(inst):
    out, _, grads = _gdlab(inst, np.float32)
    assert out.dtype == np.float32, f"{inst.id}: value is {out.dtype}"
    for k, g in enumerate(grads):
        assert g.dtype == np.float32, f"{inst.id}: gradient of input {k} is {g.dtype}"


# constants alone (no Tensor): NumPy's float64 arithmetic is the reference
CONSTANT_CASES = [
    (power, -8.0, 1 / 3), (power, 0, -1), (power, 0.0, -1.5), (power, 2, 1024), (power, 10.0, 400),
    (power, 9, 10 ** 10), (power, -2, 3), (power, 2, -1), (power, 0, 0), (div, 1, 0), (div, -1, 0),
    (div, 0, 0), (div, 1.0, -0.0), (div, 7, 2),
]


@pytest.mark.parametrize("op, a, b", CONSTANT_CASES, ids=[f"{o.__name__}({a!r}, {b!r})" for o, a, b in CONSTANT_CASES])
def test_constants_follow_numpy(op, a, b):
    with np.errstate(all="ignore"):
        t = time.perf_counter()
        out = op(a, b)
        assert time.perf_counter() - t < 0.1  # 9 ** 10**10 is never computed exactly
        want = {power: np.power, div: np.divide}[op](np.float64(a), np.float64(b))
    assert isinstance(out, Tensor) and out.dtype == np.float64 and not out.requires_grad
    assert _same(out.data, want) and np.signbit(out.data) == np.signbit(want)


def test_constants_warn_as_numpy_does():
    with pytest.warns(RuntimeWarning):
        power(-8.0, 1 / 3)
    with pytest.warns(RuntimeWarning):
        div(1, 0)
