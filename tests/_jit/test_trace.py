"""gdlab._jit.trace: the autodiff's value masks traced as symbolic comparisons and selects (NodeArray).

The traced programs are checked by running them: a small interpreter below evaluates the recorded nodes
with the NumPy ufunc each op is named after, over many points at once, and the result must equal the NumPy
engine's value and gradient (``Function.value_and_grad``) bit for bit, NaN where NaN, inside, on the edge
of and outside each op's domain. No numba is needed: the compiled engine writes these same nodes out as
scalar code (tests/runs/test_compiled_domains.py runs that).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdlab
from gdlab._jit.trace import CONST, NodeArray, Tracer, TraceError, const, post_order, sym_leaves
from gdlab.functions import FUNCTIONS
from gdlab.runs.compiled.engine import _trace_vg


def _select(c, a, b):
    return np.where(c.astype(bool), a, b)


OPS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide, "pow": np.power,
       "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal, "eq": np.equal,
       "ne": np.not_equal, "max": np.maximum, "min": np.minimum, "neg": np.negative, "abs": np.abs,
       "sqrt": np.sqrt, "sign": np.sign, "square": np.square, "sin": np.sin, "cos": np.cos, "tan": np.tan,
       "exp": np.exp, "log": np.log, "log1p": np.log1p, "expm1": np.expm1, "tanh": np.tanh,
       "arctan": np.arctan, "select": _select}


def evaluate(outputs, X):
    """The traced nodes ``outputs`` at the points X (n, d): each op is its NumPy ufunc, over all points at once."""
    vals = {}
    with np.errstate(all="ignore"):
        for node in post_order(outputs):
            if node.op == "const":
                vals[node.id] = np.full(len(X), node.val)
            elif node.op == "leaf":
                vals[node.id] = X[:, node.key[2]].copy()
            else:
                vals[node.id] = np.asarray(OPS[node.op](*[vals[a.id] for a in node.args]), dtype=float)
    return [vals[o.id] for o in outputs]


EDGES = [-np.inf, -8.0, -2.0, -1.5, -1.0, -0.5, -1e-300, -0.0, 0.0, 1e-300, 0.5, 1.0, 2.0, 8.0, np.inf, np.nan]


def points(d, seed=0):
    """Every pair of domain edges (for d = 2) or the edges on the diagonal, and random points around them."""
    e = np.array(EDGES)
    grid = np.stack(np.meshgrid(e, e), -1).reshape(-1, 2) if d == 2 else np.repeat(e[:, None], d, 1)
    rng = np.random.default_rng(seed)
    return np.concatenate([grid, rng.uniform(-3, 3, (40, d))])


def assert_traced_equals_numpy(text):
    f = gdlab.expr(text)
    v, g = _trace_vg(f, "auto", f.dim)  # a formula's gradient is its autodiff
    X = points(f.dim)
    got = evaluate([v] + g, X)
    with np.errstate(all="ignore"):
        value, grad = f.value_and_grad(X)
    np.testing.assert_array_equal(got[0], value, err_msg=f"{text}: value")
    for i in range(f.dim):
        np.testing.assert_array_equal(got[1 + i], grad[:, i], err_msg=f"{text}: gradient {i}")
    return f


# every op whose autodiff masks or branches on values: domains (log, sqrt, fractional and tensor powers) and
# the piecewise ones (abs, max, min, relu, sigmoid, softplus)
SAMPLE = ["log(x)", "log(1 + x**2) + sqrt(1 + y**2)", "sqrt(x) * y", "x**0.5 + y**(1/3)", "x**1.5 - y**-0.5",
          "(-x)**0.25 + tan(y)", "x**y", "2**x + y**x", "0**x + x**0", "log(x*y) / sqrt(x - y)", "abs(x) + max(x, y)**2",
          "min(x, y) + relu(x - y)", "sigmoid(x) + softplus(y)", "sinh(x) * cosh(y) + tanh(x/y)", "x**-1 + y**2",
          "exp(x) / x + log(abs(y))"]


@pytest.mark.parametrize("text", SAMPLE)
def test_a_traced_formula_is_the_numpy_engine_bit_for_bit_inside_and_outside_its_domain(text):
    f = assert_traced_equals_numpy(text)
    with np.errstate(all="ignore"):
        _, grad = f.value_and_grad(points(f.dim))
    if "log" in text or "sqrt" in text or "**0.5" in text:
        assert np.isnan(grad).any()  # the sample really leaves the domain


def _formula(inner):
    unary = sorted(k for k, v in FUNCTIONS.items() if v[0] == 1)
    binary = sorted(k for k, v in FUNCTIONS.items() if v[0] == 2)
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(unary), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(binary), inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        inner.map(lambda a: f"-{a}"),
    )


FORMULA = st.recursive(st.sampled_from(["x", "y", "x", "y", "0", "1", "2", "0.5", "(1/3)", "1.5", "-8", "pi"]),
                       _formula, max_leaves=8)


@settings(max_examples=60, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(FORMULA)
def test_any_formula_of_the_parsers_grammar_traces_to_the_numpy_engines_numbers(text):
    try:
        gdlab.expr(text)
    except gdlab.functions.ExpressionError:  # e.g. a formula over the nesting limit
        return
    assert_traced_equals_numpy(text)


# -- NodeArray: the masks themselves --------------------------------------------------------------------

def test_comparisons_nan_tests_and_where_record_nodes_and_any_answers_maybe():
    with Tracer():
        x = sym_leaves("x", (1, 3)).a.view(NodeArray)
        mask = x < 0
        assert isinstance(mask, NodeArray) and {n.op for n in mask.flat} == {"lt"}
        assert {n.op for n in np.isnan(x).flat} == {"ne"} and all(n.args[0] is n.args[1] for n in np.isnan(x).flat)
        sel = np.where(mask, np.nan, x)
        assert {n.op for n in sel.flat} == {"select"}
        assert sel.flat[0].args[0] is mask.flat[0] and sel.flat[0].args[2] is x.flat[0]
        assert {n.op for n in (np.sign(x) * np.maximum(x, 0)).flat} == {"mul"}
        assert {n.args[0].op for n in (np.sign(x) * np.maximum(x, 0)).flat} == {"sign"}
        both = (x == 0) & (x >= -1)  # power's d/db mask: b if a else a
        assert {n.op for n in both.flat} == {"select"} and both.flat[0].args[2] is both.flat[0].args[0]
        assert bool(mask.any()) is True  # not known: maybe (the select covers every element)
        with pytest.raises(TraceError, match="every element"):
            mask.all()
        with pytest.raises(TraceError, match="branch"):
            bool(mask[0, 0])  # a genuine branch on a value is still refused
        with pytest.raises(TraceError):
            if x[0, :1] > 0:
                pass
        # a mask of known values is decided: np.where picks a side, any()/all() answer exactly
        known = np.zeros((1, 3)) > 1
        assert np.where(known, np.nan, x).flat[0] is x.flat[0]
        c = np.array([const(0.0), const(-1.0)], dtype=object).view(NodeArray)
        assert c.flat[0].level == CONST
        assert bool((c > 1).any()) is False and bool((c < 1).all()) is True


def test_powers_take_numpys_fast_paths_for_float_arrays():
    # float64 arrays: ``** 2`` (an int) squares (x * x), ``** -1`` divides, ``** 0.5`` takes the root; others call pow
    with Tracer():
        x = sym_leaves("x", (1, 1)).a.view(NodeArray)
        exponents = (2, -1, 0.5, 2.0, -1.0, 1, 3, 1.5, np.float64(0.5))
        nodes = [(x ** e).flat[0] for e in exponents]
    ops = [n.op for n in nodes]
    assert ops == ["mul", "div", "sqrt"] + ["pow"] * 6, list(zip(exponents, ops))
    assert nodes[0].args == (x.flat[0], x.flat[0])  # np.square's object loop: x * x
