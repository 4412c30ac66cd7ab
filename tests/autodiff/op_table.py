"""The op table: every autodiff op registered once, with its inputs, domain, tolerance and PyTorch twin.

Each ``Op`` names a gdlab function (``gd``, called with Tensors and keyword parameters), the
equivalent PyTorch function (``th``, called with torch tensors and the same parameters), the
``cases`` it is checked at (one input shape per argument, plus parameters), the ``domain`` its inputs
are drawn from (one sampler per argument), the gradcheck tolerance, and ``kinks``: points where the
derivative is a convention (PyTorch's), with the gradient of ``sum(out)`` that the convention gives.

The tests built on the table:

* test_op_table.py     gradcheck of every case (float64, central differences), the kink values,
                       float32 kept through every op and its VJP;
* test_torch_reference.py  values and gradients against PyTorch, from the stored fixture
                       (torch_reference.npz, written by make_fixtures.py) and live where torch is installed.

Inputs are a pure function of the case's id (the random generator is seeded with its CRC-32), so
the fixture, the gradchecks and the live comparison see the same numbers. Torch is never imported
here at module level, so the table loads without it.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import gdlab

# ------------------------------------------------------------------------------------------------
# domains: sampler(rng, shape) -> float64 array


def uniform(lo, hi):
    def sample(rng, shape):
        return rng.uniform(lo, hi, shape)

    sample.__name__ = f"uniform({lo}, {hi})"
    return sample


def avoiding(*points, lo=-2.0, hi=2.0, gap=0.05):
    """Uniform on [lo, hi], with every value within ``gap`` of a kink point pushed ``gap`` away from it
    (so central differences never straddle the kink)."""

    def sample(rng, shape):
        x = rng.uniform(lo, hi, shape)
        for p in points:
            near = np.abs(x - p) < gap
            x = np.where(near, p + np.where(x >= p, gap, -gap), x)
        return x

    sample.__name__ = f"avoiding{points}"
    return sample


def nonzero(rng, shape):
    """|x| in [0.5, 2], either sign: denominators."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)


REAL = uniform(-2.0, 2.0)
POSITIVE = uniform(0.5, 2.5)
NEAR_ZERO_TAN = uniform(-1.2, 1.2)  # tan, away from its poles at +-pi/2

# ------------------------------------------------------------------------------------------------
# the records


@dataclass(frozen=True)
class Case:
    """One point of an op's check: input shapes (one per argument) and keyword parameters."""

    shapes: tuple
    params: dict = field(default_factory=dict)
    domain: tuple | None = None  # overrides the op's domain for this case


@dataclass(frozen=True)
class Kink:
    """Inputs at a non-differentiable point and the expected d sum(out) / d input (PyTorch's convention)."""

    label: str
    inputs: tuple
    grads: tuple
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Op:
    name: str
    gd: Callable
    th: Callable
    cases: tuple
    domain: tuple
    atol: float = 1e-6
    rtol: float = 1e-5
    kinks: tuple = ()
    scalar_operand: bool = False  # elementwise binary: also takes a Python float on either side


@dataclass(frozen=True)
class Instance:
    """A case or a kink of an op, made concrete: inputs (float64 arrays) and parameters."""

    id: str
    op: Op
    inputs: tuple
    params: dict
    kink: Kink | None = None
    edge: object = None  # an edge_table.Edge (a point at or past the edge of the op's domain)

    def call_gd(self, *tensors):
        return self.op.gd(*tensors, **self.params)

    def call_th(self, *tensors):
        return self.op.th(*tensors, **self.params)

    def weights(self, shape):
        """The fixed weights w of the checked scalar sum(out * w): ones at a kink (so the gradient is
        the convention's derivative itself) and at a domain's edge, else seeded values with |w| in
        [0.5, 1.5], both signs."""
        if self.kink is not None or self.edge is not None:
            return np.ones(shape)
        rng = np.random.default_rng(zlib.crc32((self.id + "/w").encode()))
        return rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


def _fmt_params(params):
    return ",".join(f"{k}={v}" for k, v in params.items())


def case_id(op, case):
    shapes = "x".join(str(tuple(s)).replace(" ", "") for s in case.shapes)
    extra = _fmt_params(case.params)
    return f"{op.name} {shapes}" + (f" {extra}" if extra else "")


def instances(ops_=None, kinks=True, cases=True):
    """Every case (and kink) of every op in the table, as Instances."""
    out = []
    for op in TABLE if ops_ is None else ops_:
        if cases:
            for case in op.cases:
                cid = case_id(op, case)
                rng = np.random.default_rng(zlib.crc32(cid.encode()))
                domain = case.domain or op.domain
                inputs = tuple(np.asarray(domain[k](rng, shape), dtype=np.float64)
                               for k, shape in enumerate(case.shapes))
                out.append(Instance(cid, op, inputs, dict(case.params)))
        if kinks:
            for kink in op.kinks:
                kid = f"{op.name} kink {kink.label}"
                inputs = tuple(np.asarray(a, dtype=np.float64) for a in kink.inputs)
                out.append(Instance(kid, op, inputs, dict(kink.params), kink))
    ids = [i.id for i in out]
    assert len(ids) == len(set(ids)), "duplicate case ids in the op table"
    return out


# ------------------------------------------------------------------------------------------------
# running an instance: value and gradient of sum(out * w), with gdlab or with torch


def run_gdlab(inst, inputs=None, weights=None):
    """(out, weights, grads) in float64 with gdlab, at ``inputs`` (default: the instance's)."""
    inputs = inst.inputs if inputs is None else inputs
    leaves = [gdlab.Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in inputs]
    out = inst.call_gd(*leaves)
    w = inst.weights(out.shape) if weights is None else weights
    out.backward(w)
    grads = [np.zeros(a.shape) if t.grad is None else t.grad for a, t in zip(inputs, leaves)]
    return out.data, w, grads


def run_torch(inst, inputs=None, weights=None):
    """(out, weights, grads) in float64 with PyTorch, as numpy arrays."""
    import torch

    inputs = inst.inputs if inputs is None else inputs
    leaves = [torch.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in inputs]
    out = inst.call_th(*leaves)
    w = inst.weights(tuple(out.shape)) if weights is None else weights
    out.backward(torch.as_tensor(w, dtype=torch.float64))
    grads = [np.zeros(a.shape) if t.grad is None else t.grad.numpy() for a, t in zip(inputs, leaves)]
    return out.detach().numpy(), w, grads


# ------------------------------------------------------------------------------------------------
# torch helpers (torch imported lazily: the table must load without it)


def _torch():
    import torch

    return torch


def _dims(x, axis):
    return tuple(range(x.ndim)) if axis is None else axis


def _th_reduce(name):
    def f(x, axis=None, keepdims=False):
        method = {"sum": x.sum, "mean": x.mean, "max": x.amax, "min": x.amin}[name]
        return method(dim=_dims(x, axis), keepdim=keepdims)

    return f


def _th_logsumexp(x, axis=None, keepdims=False):
    return _torch().logsumexp(x, dim=_dims(x, axis), keepdim=keepdims)


def _th_index(index):
    torch = _torch()

    def conv(i):
        if isinstance(i, (np.ndarray, list)):
            return torch.as_tensor(np.asarray(i))
        return i

    return tuple(conv(i) for i in index) if isinstance(index, tuple) else conv(index)


def _where_condition(a_shape, b_shape):
    """A fixed boolean pattern of the broadcast shape (True at every third element)."""
    shape = np.broadcast_shapes(a_shape, b_shape)
    return (np.arange(int(np.prod(shape))) % 3 == 0).reshape(shape)


# Indices for getitem on a (4, 5) input: name -> (NumPy/gdlab index, how torch applies it).
_MASK = np.array([[True, False, True, True, False],
                  [False, False, False, False, True],
                  [True, True, False, False, False],
                  [False, True, False, True, True]])
INDICES = {
    "int": (2, None),
    "negative int": (-1, None),
    "slice": (slice(1, 3), None),
    "strided slice": (slice(None, None, 2), None),
    "reversed": (slice(None, None, -1), lambda x: x.flip(0)),
    "int and slice": ((1, slice(1, 4)), None),
    "ellipsis": ((Ellipsis, 3), None),
    "newaxis": ((None, slice(1, None)), None),
    "int array, repeats": (np.array([0, 2, 0, 0, 3]), None),
    "2-D int array": (np.array([[0, 1], [1, 1]]), None),
    "list, repeats": ([3, 3, 1], None),
    "two int arrays": ((np.array([0, 1, 1, 3]), np.array([4, 2, 2, 0])), None),
    "slice and int array": ((slice(None), np.array([0, 0, 4])), None),
    "boolean mask": (_MASK, None),
    "row mask": (np.array([True, False, True, True]), None),
    "int and column mask": ((2, _MASK[0]), None),
    "negative int array": (np.array([-1, -4, -1]), None),
}


def _gd_getitem(x, index):
    return x[INDICES[index][0]]


def _th_getitem(x, index):
    np_index, special = INDICES[index]
    return special(x) if special is not None else x[_th_index(np_index)]


# ------------------------------------------------------------------------------------------------
# shapes

UNARY = tuple(Case((s,)) for s in [(), (5,), (3, 4), (2, 3, 4)])
BINARY = tuple(Case(s) for s in [
    ((), ()), ((5,), (5,)), ((3, 4), (3, 4)),
    ((3, 1), (4,)), ((2, 3, 4), (3, 4)), ((), (2, 3)), ((2, 1, 4), (3, 1)),
])
REDUCE = tuple(Case((s,), p) for s, p in [
    ((), {}), ((), {"axis": 0}), ((), {"axis": -1}),
    ((5,), {}), ((5,), {"axis": 0}), ((5,), {"keepdims": True}),
    ((3, 4), {"axis": 1}), ((3, 4), {"axis": -1, "keepdims": True}), ((3, 4), {"axis": 0}),
    ((2, 3, 4), {"axis": (0, 2)}), ((2, 3, 4), {"axis": (0, -1), "keepdims": True}),
    ((2, 3, 4), {"keepdims": True}), ((2, 3, 4), {"axis": -2}),
])


def unary(name, gd, th, domain=REAL, cases=UNARY, **kw):
    return Op(name, gd, th, cases, (domain,), **kw)


def binary(name, gd, th, domains=(REAL, REAL), cases=BINARY, **kw):
    return Op(name, gd, th, cases, domains, **kw)


def _kink(label, inputs, grads, **params):
    return Kink(label, tuple(np.asarray(a, dtype=float) for a in inputs),
                tuple(np.asarray(g, dtype=float) for g in grads), params)


# ------------------------------------------------------------------------------------------------
# THE TABLE

TABLE = (
    # arithmetic
    binary("add", lambda a, b: a + b, lambda a, b: a + b, scalar_operand=True),
    binary("sub", lambda a, b: a - b, lambda a, b: a - b, scalar_operand=True),
    binary("mul", lambda a, b: a * b, lambda a, b: a * b, scalar_operand=True),
    binary("div", lambda a, b: a / b, lambda a, b: a / b, domains=(REAL, nonzero), scalar_operand=True),
    unary("neg", lambda a: -a, lambda a: -a),
    Op("pow(tensor, scalar)", lambda a, p: a**p, lambda a, p: a**p, domain=(POSITIVE,), cases=tuple(
        Case((s,), {"p": p}) for s in [(), (5,), (3, 4)] for p in (2, 0.5, -1.5, 3.7)
    ) + (Case(((4,),), {"p": 3}, domain=(REAL,)), Case(((2, 3),), {"p": 0}, domain=(REAL,))),
        kinks=(_kink("0**2", [[0.0, 1.0]], [[0.0, 2.0]], p=2),
               _kink("0**0", [[0.0, 2.0]], [[0.0, 0.0]], p=0),  # PyTorch: zero where the exponent is 0
               _kink("0**1", [[0.0]], [[1.0]], p=1))),
    Op("pow(scalar, tensor)", lambda b, c: c**b, lambda b, c: c**b, domain=(REAL,), cases=tuple(
        Case((s,), {"c": c}) for s in [(), (5,), (3, 4)] for c in (2.0, 0.5, math.e)
    ), kinks=(_kink("base 0", [[1.0, 2.0, 0.0]], [[0.0, 0.0, 0.0]], c=0.0),)),  # d/db 0**b = 0 for b >= 0
    binary("pow(tensor, tensor)", lambda a, b: a**b, lambda a, b: a**b, domains=(POSITIVE, REAL),
           kinks=(_kink("base 0", [[0.0, 0.0, 0.0], [2.0, 0.0, 1.0]], [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]),)),
    binary("matmul", lambda a, b: a @ b, lambda a, b: a @ b, cases=tuple(Case(s) for s in [
        ((4,), (4,)), ((4,), (4, 3)), ((3, 4), (4,)), ((2, 4), (4, 3)), ((1, 1), (1, 1)),
        ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
        ((4,), (2, 4, 3)), ((2, 3, 4), (4,)),
    ])),
    # indexing
    Op("getitem", _gd_getitem, _th_getitem, domain=(REAL,),
       cases=tuple(Case(((4, 5),), {"index": name}) for name in INDICES)),
    # reductions
    unary("sum", lambda a, **k: a.sum(**k), _th_reduce("sum"), cases=REDUCE),
    unary("mean", lambda a, **k: a.mean(**k), _th_reduce("mean"), cases=REDUCE),
    unary("max", lambda a, **k: a.max(**k), _th_reduce("max"), cases=REDUCE, kinks=(
        _kink("tie", [[1, 3, 3, 2]], [[0, 0.5, 0.5, 0]]),
        _kink("all equal", [[2, 2, 2, 2]], [[0.25] * 4]),
        _kink("ties along axis 1", [[[1, 3, 3], [2, 2, 0]]], [[[0, 0.5, 0.5], [0.5, 0.5, 0]]], axis=1),
        _kink("ties along axis 0, keepdims", [[[1, 3], [1, 0], [0, 3]]],
              [[[0.5, 0.5], [0.5, 0], [0, 0.5]]], axis=0, keepdims=True),
    )),
    unary("min", lambda a, **k: a.min(**k), _th_reduce("min"), cases=REDUCE, kinks=(
        _kink("tie", [[3, 1, 1, 2]], [[0, 0.5, 0.5, 0]]),
        _kink("ties along axis -1", [[[1, 0, 0], [2, 2, 5]]], [[[0, 0.5, 0.5], [0.5, 0.5, 0]]], axis=-1),
    )),
    # shape
    unary("reshape", lambda a, shape: a.reshape(shape), lambda a, shape: a.reshape(shape), cases=tuple(
        Case((s,), {"shape": t}) for s, t in [
            ((2, 3, 4), (6, 4)), ((2, 3, 4), (-1,)), ((6,), (2, 3)), ((), (1, 1)), ((3, 4), (4, 1, 3)),
            ((1,), ()),
        ])),
    unary("transpose", lambda a, axes: a.transpose(*axes),
          lambda a, axes: a.permute(*(axes or tuple(range(a.ndim))[::-1])), cases=tuple(
              Case((s,), {"axes": t}) for s, t in [
                  ((3, 4), ()), ((2, 3, 4), ()), ((2, 3, 4), (1, 0, 2)), ((2, 3, 4), (2, 0, 1)),
                  ((2, 3, 4), (-1, 0, 1)), ((5,), ()),
              ])),
    unary("T", lambda a: a.T, lambda a: a.permute(*range(a.ndim)[::-1]),
          cases=tuple(Case((s,)) for s in [(5,), (3, 4), (2, 3, 4)])),
    # elementwise
    unary("exp", gdlab.exp, lambda a: a.exp()),
    unary("log", gdlab.log, lambda a: a.log(), domain=POSITIVE),
    unary("sqrt", gdlab.sqrt, lambda a: a.sqrt(), domain=POSITIVE,
          kinks=(_kink("at 0", [[0.0, 4.0]], [[np.inf, 0.25]]),)),
    unary("abs", gdlab.abs, lambda a: a.abs(), domain=avoiding(0.0),
          kinks=(_kink("at 0", [[-1.0, 0.0, 1.0]], [[-1.0, 0.0, 1.0]]),)),
    unary("clip", lambda a, **k: gdlab.clip(a, **k),
          lambda a, min=None, max=None: a.clamp(min=min, max=max),
          domain=avoiding(-0.5, 0.5), cases=tuple(
              Case((s,), p) for s in [(), (5,), (3, 4)]
              for p in ({"min": -0.5, "max": 0.5}, {"min": -0.5}, {"max": 0.5})),
          kinks=(_kink("at both bounds", [[-1.0, -0.5, 0.0, 0.5, 1.0]], [[0, 1, 1, 1, 0]], min=-0.5, max=0.5),
                 _kink("at min", [[-1.0, -0.5, 0.0]], [[0, 1, 1]], min=-0.5),
                 _kink("at max", [[0.0, 0.5, 1.0]], [[1, 1, 0]], max=0.5),
                 _kink("min == max", [[-1.0, 0.5, 1.0]], [[0, 1, 0]], min=0.5, max=0.5))),
    unary("sin", gdlab.sin, lambda a: a.sin(), domain=uniform(-3.0, 3.0)),
    unary("cos", gdlab.cos, lambda a: a.cos(), domain=uniform(-3.0, 3.0)),
    unary("tan", gdlab.tan, lambda a: a.tan(), domain=NEAR_ZERO_TAN),
    unary("tanh", gdlab.tanh, lambda a: a.tanh(), domain=uniform(-3.0, 3.0)),
    unary("sigmoid", gdlab.sigmoid, lambda a: a.sigmoid(), domain=uniform(-6.0, 6.0)),
    unary("relu", gdlab.relu, lambda a: a.relu(), domain=avoiding(0.0),
          kinks=(_kink("at 0", [[-1.0, 0.0, 1.0]], [[0.0, 0.0, 1.0]]),)),
    unary("leaky_relu", lambda a, **k: gdlab.leaky_relu(a, **k),
          lambda a, **k: _torch().nn.functional.leaky_relu(a, **k), domain=avoiding(0.0),
          cases=UNARY + (Case(((3, 4),), {"negative_slope": 0.2}),),
          kinks=(_kink("at 0", [[-1.0, 0.0, 1.0]], [[0.01, 0.01, 1.0]]),
                 _kink("at 0, slope 0.2", [[-1.0, 0.0, 1.0]], [[0.2, 0.2, 1.0]], negative_slope=0.2))),
    unary("softplus", lambda a, **k: gdlab.softplus(a, **k),
          lambda a, **k: _torch().nn.functional.softplus(a, **k), domain=uniform(-4.0, 4.0),
          cases=UNARY + (Case(((3, 4),), {"beta": 2.0, "threshold": 3.0}, domain=(avoiding(1.5, lo=-4, hi=4),)),)),
    binary("maximum", gdlab.maximum, lambda a, b: a.maximum(b), scalar_operand=True, kinks=(
        _kink("ties", [[1, 2, 3], [1, 0, 3]], [[0.5, 1, 0.5], [0.5, 0, 0.5]]),
        _kink("ties, broadcast", [[[1], [2]], [1, 2, 3]], [[[0.5], [1.5]], [0.5, 1.5, 2]]),
    )),
    binary("minimum", gdlab.minimum, lambda a, b: a.minimum(b), scalar_operand=True, kinks=(
        _kink("ties", [[1, 2, 3], [1, 0, 3]], [[0.5, 0, 0.5], [0.5, 1, 0.5]]),
    )),
    binary("where", lambda a, b: gdlab.where(_where_condition(np.shape(a), np.shape(b)), a, b),
           lambda a, b: _torch().where(_torch().as_tensor(_where_condition(a.shape, b.shape)), a, b),
           scalar_operand=True),
    Op("concatenate", lambda *ts, axis: gdlab.concatenate(ts, axis=axis),
       lambda *ts, axis: _torch().cat(ts, dim=axis), domain=(REAL,) * 3, cases=(
           Case(((2, 3), (4, 3)), {"axis": 0}), Case(((2, 3), (2, 1), (2, 2)), {"axis": -1}),
           Case(((3,), (2,)), {"axis": 0}), Case(((2, 1, 3), (2, 2, 3)), {"axis": 1}))),
    Op("stack", lambda *ts, axis: gdlab.stack(ts, axis=axis),
       lambda *ts, axis: _torch().stack(ts, dim=axis), domain=(REAL,) * 3, cases=(
           Case(((2, 3),) * 3, {"axis": 0}), Case(((2, 3),) * 2, {"axis": -1}),
           Case(((),) * 3, {"axis": 0}), Case(((4,),) * 2, {"axis": 1}))),
    # composites
    unary("logsumexp", lambda a, **k: gdlab.logsumexp(a, **k), _th_logsumexp, domain=uniform(-3.0, 3.0),
          cases=tuple(Case((s,), p) for s, p in [
              ((), {}), ((5,), {}), ((3, 4), {"axis": -1}), ((3, 4), {"axis": 0, "keepdims": True}),
              ((2, 3, 4), {"axis": (0, 2)}), ((2, 3, 4), {"keepdims": True}),
          ])),
    unary("softmax", lambda a, **k: gdlab.softmax(a, **k), lambda a, axis=-1: a.softmax(dim=axis),
          domain=uniform(-3.0, 3.0), cases=tuple(Case((s,), p) for s, p in [
              ((5,), {}), ((3, 4), {}), ((3, 4), {"axis": 0}), ((2, 3, 4), {"axis": 1}), ((1,), {}),
          ])),
    unary("log_softmax", lambda a, **k: gdlab.log_softmax(a, **k), lambda a, axis=-1: a.log_softmax(dim=axis),
          domain=uniform(-3.0, 3.0), cases=tuple(Case((s,), p) for s, p in [
              ((5,), {}), ((3, 4), {}), ((3, 4), {"axis": 0}), ((2, 3, 4), {"axis": 1}), ((1,), {}),
          ])),
)

BY_NAME = {op.name: op for op in TABLE}
assert len(BY_NAME) == len(TABLE), "an op is registered twice"

# The ops of issue 2 that the table must cover (tests/autodiff/test_op_table.py checks it).
REQUIRED = {
    "add", "sub", "mul", "div", "neg", "pow(tensor, scalar)", "pow(scalar, tensor)", "pow(tensor, tensor)",
    "matmul", "getitem", "sum", "mean", "max", "min", "reshape", "transpose", "T", "exp", "log", "sqrt",
    "abs", "clip", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "maximum",
    "minimum", "where", "concatenate", "stack", "logsumexp", "softmax", "log_softmax",
}

__all__ = ["TABLE", "BY_NAME", "REQUIRED", "Op", "Case", "Kink", "Instance", "instances", "run_gdlab",
           "run_torch"]
