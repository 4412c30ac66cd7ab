"""The edges of every op's domain: inputs at a domain's boundary, beyond it, and non-finite inputs.

For every op of the op table (op_table.TABLE) this lists ``Edge`` points where the value or the
derivative is an infinity, a NaN or a limit: log and sqrt at 0 and below, x ** p at 0 for negative
p and at negative x for fractional p, x / 0, exp's overflow, tan at its poles, the saturating
functions at +-inf and +-1000, and for every op (also those defined everywhere) inf, -inf and NaN
inputs, so that a non-finite number is seen to propagate.

The rule (gdlab/autodiff/ops.py's docstring): real semantics, as NumPy. Outside a domain the value
is NaN and so is the gradient; at the boundary gdlab gives PyTorch's values and gradients (its
limits: log(0) = -inf with gradient inf, sqrt'(0) = inf, 0 ** -1 = inf with gradient -inf). An edge
where gdlab deliberately differs from PyTorch says why in ``differs`` and gives gdlab's own value and
gradients in ``want``; test_edges.py checks those against gdlab and checks that PyTorch (stored in
torch_edges.npz, written by make_fixtures.py, and live where torch is installed) really differs.

The checked scalar is sum(out) (weights one), so each gradient is the elementwise derivative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from tests.autodiff.op_table import BY_NAME, Instance

inf, nan = math.inf, math.nan


@dataclass(frozen=True)
class Edge:
    """Inputs at (or past) the edge of an op's domain. ``differs``: why gdlab does not give PyTorch's
    numbers here (empty when it does); ``want``: gdlab's (value, gradient of input 0, ...) then."""

    label: str
    inputs: tuple
    params: dict = field(default_factory=dict)
    differs: str = ""
    want: tuple = ()


def edge(label, *inputs, differs="", want=(), **params):
    return Edge(label, tuple(np.asarray(a, dtype=np.float64) for a in inputs), params, differs,
                tuple(np.asarray(a, dtype=np.float64) for a in want))


NON_FINITE = [inf, -inf, nan, 0.0, -0.0]

NAN_MASK = ("at a NaN input the gradient follows the op's mask (NaN > 0 is false): 0 where PyTorch passes "
            "the gradient; the value is NaN either way")

EDGES = {
    # arithmetic
    "add": (edge("non-finite", [inf, -inf, nan, inf], [1.0, inf, 1.0, -inf]),),
    "sub": (edge("non-finite", [inf, -inf, nan, inf], [1.0, -inf, 1.0, inf]),),
    "mul": (edge("0 * inf and non-finite", [0.0, inf, nan, -inf, -0.0], [inf, 2.0, 1.0, -inf, 3.0]),),
    "div": (edge("x / 0 (both signed zeros) and inf / inf", [1.0, -1.0, 0.0, 1.0, inf, 0.0, nan],
                 [0.0, 0.0, 0.0, -0.0, inf, inf, 1.0]),),
    "neg": (edge("non-finite", NON_FINITE),),
    "pow(tensor, scalar)": (
        edge("p = 0.5 at 0 and beyond", [0.0, 1e-320, inf, nan], p=0.5),
        edge("p = 0.5 below 0: outside", [-1.0, -1e-300, -inf], p=0.5),
        edge("p = 0.5 at -0.0", [-0.0], p=0.5,
             differs="signed zero: d/dx (-0.0) ** 0.5 is 0.5 * (-0.0) ** -0.5 = +inf by IEEE pow; "
                     "PyTorch gives -inf (its sqrt'(-0.0)); gdlab's sqrt(-0.0) gives -inf as PyTorch",
             want=([-0.0], [inf])),
        edge("p = 1/3 below 0: outside", [-8.0, -1.0, -inf], p=1 / 3),
        edge("p = -1 at 0 and inf", [0.0, -0.0, inf, -inf], p=-1),
        edge("p = -1.5 at 0 and below", [0.0, -1.0, inf], p=-1.5),
        edge("p = -2 at 0", [0.0, -0.0, -inf], p=-2),
        edge("p = 2 non-finite and overflow", [inf, -inf, nan, 1e200], p=2),
        edge("p = 3 non-finite", [inf, -inf, -2.0], p=3),
        edge("p = 0 everywhere", [0.0, inf, nan, -1.0], p=0),
        edge("p = 1 at 0", [0.0, -0.0], p=1),
        edge("p = 2.5 below 0: outside", [-2.0, -inf], p=2.5),
    ),
    "pow(scalar, tensor)": (
        edge("base 2: overflow and non-finite exponents", [inf, -inf, 1024.0, nan], c=2.0),
        edge("base 0: negative exponents", [-1.0, -0.5, 0.0, 1.0], c=0.0),
        edge("base -8: fractional exponents are outside", [1 / 3, 0.5, 2.0, 3.0], c=-8.0),
        edge("base 0.5: +-inf", [inf, -inf], c=0.5),
    ),
    "pow(tensor, tensor)": (
        edge("negative bases, zero bases", [-8.0, 0.0, 0.0, 0.0, -1.0, -2.0, inf, 2.0, 0.0],
             [1 / 3, -1.0, 0.0, 0.5, 2.0, 3.0, -1.0, inf, -2.5]),
    ),
    "matmul": (edge("inf and nan entries", [inf, 1.0, 2.0], [1.0, 0.0, 1.0]),
               edge("inf times 0", [[inf, 1.0], [1.0, 1.0]], [[0.0], [1.0]])),
    # indexing
    "getitem": (edge("non-finite entries pass through", np.array([[inf, -inf, nan, 1.0, 2.0]] * 4),
                     index="int array, repeats"),),
    # reductions
    "sum": (edge("inf - inf", [inf, -inf, 1.0]), edge("nan", [nan, 1.0])),
    "mean": (edge("inf - inf", [inf, -inf, 1.0]), edge("overflowing sum", [1e308, 1e308])),
    "max": (edge("nan wins", [nan, 1.0, 2.0]), edge("tie at inf", [inf, 1.0, inf]),
            edge("all -inf", [-inf, -inf])),
    "min": (edge("nan wins", [1.0, nan, 2.0]), edge("tie at -inf", [-inf, 1.0, -inf])),
    # shape
    "reshape": (edge("non-finite", [[inf, -inf], [nan, 0.0]], shape=(4,)),),
    "transpose": (edge("non-finite", [[inf, -inf], [nan, 0.0]], axes=()),),
    "T": (edge("non-finite", [[inf, -inf], [nan, 0.0]]),),
    # elementwise
    "exp": (edge("overflow, underflow and non-finite", [710.0, 1000.0, -1000.0, inf, -inf, nan]),),
    "log": (
        edge("at 0 and beyond", [0.0, -0.0, 1e-320, inf, nan]),
        edge("x < 0: outside", [-1.0, -1e-300, -inf],
             differs="outside the domain the gradient is NaN, as the value; PyTorch's is 1/x there "
                     "(-1 at x = -1: a slope of a function that has no value)",
             want=([nan, nan, nan], [nan, nan, nan])),
    ),
    "sqrt": (edge("at 0 and beyond (sqrt'(0) = inf)", [0.0, -0.0, 1e-320, inf, nan]),
             edge("x < 0: outside", [-1.0, -1e-300, -inf])),
    "abs": (edge("non-finite and -0", [inf, -inf, -0.0, 0.0]),
            edge("nan", [nan, 1.0], differs="at NaN the gradient is sign(NaN) = NaN; PyTorch's is 0",
                 want=([nan, 1.0], [nan, 1.0]))),
    "clip": (edge("non-finite", [nan, inf, -inf, -1.0, 1.0], min=-1.0, max=1.0),),
    "sin": (edge("non-finite", [inf, -inf, nan, 1e300]),),
    "cos": (edge("non-finite", [inf, -inf, nan, 1e300]),),
    "tan": (edge("at its poles and non-finite", [math.pi / 2, -math.pi / 2, inf, nan]),),
    "tanh": (edge("saturation and non-finite", [inf, -inf, nan, 1000.0, -1000.0, 20.0]),),
    "sigmoid": (edge("saturation and non-finite", [inf, -inf, nan, 1000.0, -1000.0, 40.0]),),
    "relu": (edge("non-finite", [inf, -inf, -0.0]),
             edge("nan", [nan, 1.0], differs=NAN_MASK, want=([nan, 1.0], [0.0, 1.0]))),
    "leaky_relu": (edge("non-finite", [inf, -inf, nan, -0.0]),),
    "softplus": (edge("saturation and non-finite", [inf, -inf, nan, 1000.0, -1000.0, 20.0, 20.5]),),
    "maximum": (edge("infinities", [inf, -inf, inf, 1.0], [inf, 1.0, -inf, -inf]),
                edge("nan", [nan, 1.0], [1.0, nan], differs=NAN_MASK,
                     want=([nan, nan], [0.0, 0.0], [0.0, 0.0]))),
    "minimum": (edge("infinities", [inf, -inf, inf, 1.0], [inf, 1.0, -inf, -inf]),
                edge("nan", [nan, 1.0], [1.0, nan], differs=NAN_MASK,
                     want=([nan, nan], [0.0, 0.0], [0.0, 0.0]))),
    "where": (edge("non-finite in the branch not taken", [nan, inf, 1.0], [-inf, 2.0, nan]),),
    "concatenate": (edge("non-finite", [inf, nan], [-inf], axis=0),),
    "stack": (edge("non-finite", [inf, nan], [-inf, 0.0], axis=0),),
    # composites
    "logsumexp": (edge("+inf", [inf, 1.0]), edge("all -inf", [-inf, -inf]), edge("one -inf", [-inf, 1.0]),
                  edge("large", [1000.0, 1000.0, -1000.0]), edge("nan", [nan, 1.0])),
    "softmax": (
        edge("-inf and large", [-inf, 1.0, 1000.0]),
        edge("+inf", [inf, 1.0],
             differs="softmax(+inf) is exp(x - logsumexp(x)) = exp([inf - inf, 1 - inf]) = [NaN, 0]; "
                     "PyTorch subtracts the maximum first and gives NaN throughout",
             want=([nan, 0.0], [nan, nan])),
    ),
    "log_softmax": (
        edge("-inf and large", [-inf, 1.0, 1000.0]),
        edge("+inf", [inf, 1.0],
             differs="log_softmax(+inf) is x - logsumexp(x) = [inf - inf, 1 - inf] = [NaN, -inf]; "
                     "PyTorch gives NaN throughout",
             want=([nan, -inf], [nan, 1.0])),
    ),
}


def edge_instances():
    """Every edge of every op, as op_table Instances (weights one)."""
    out = []
    for name, edges in EDGES.items():
        op = BY_NAME[name]
        for e in edges:
            out.append(Instance(f"{name} edge {e.label}", op, e.inputs, dict(e.params), edge=e))
    ids = [i.id for i in out]
    assert len(ids) == len(set(ids)), "duplicate edge ids"
    return out


__all__ = ["EDGES", "Edge", "edge_instances"]
