"""gdlab.expr: a safe parser (no eval) with positions in its errors."""

import math

import numpy as np
import pytest

import gdlab
from gdlab.functions import MAX_DEPTH, MAX_LENGTH, ExpressionError, expr


@pytest.mark.parametrize("text,point,expected", [
    ("3*x**2 + 2*x + 1", 2.0, 17.0),
    ("x**2 - y**2", [3.0, 1.0], 8.0),
    ("sin(x)*cos(y) + 0.1*(x**2+y**2)", [0.5, -0.25], math.sin(0.5) * math.cos(-0.25) + 0.1 * 0.3125),
    ("-x**2", 3.0, -9.0),                      # unary minus binds looser than **
    ("2**-1 * x", 4.0, 2.0),
    ("x^2", 3.0, 9.0),                         # ^ is a power
    ("2**3**2", 0.0, 512.0),                   # right-associative
    ("x - y - z", [1.0, 2.0, 3.0], -4.0),      # left-associative
    ("x / y / z", [8.0, 2.0, 2.0], 2.0),
    ("pi * e", 0.0, math.pi * math.e),
    (".5e1 * x + 1e-3", 1.0, 5.001),
    ("exp(log(x)) + sqrt(abs(-x)) + tanh(0) + sigmoid(0)", 4.0, 4.0 + 2.0 + 0.5),
    ("max(x, y) - min(x, y)", [1.0, 5.0], 4.0),
    ("cosh(x)**2 - sinh(x)**2", 0.7, 1.0),
    ("relu(x) + softplus(0)", -2.0, math.log(2.0)),
    ("x0**2 + 10*x2", [1.0, 2.0], 21.0),       # variables (x0, x2): two distinct variables
    ("(x-1)**2 + (x3 - 2)**2", None, None),
])
def test_values(text, point, expected):
    if point is None:
        with pytest.raises(ExpressionError, match="mixes"):
            expr(text)
        return
    f = expr(text)
    assert f(point) == pytest.approx(expected, rel=1e-12)


def test_dimension_and_variable_order():
    assert expr("y + x").params["variables"] == ("x", "y")
    assert expr("z*x").params["variables"] == ("x", "z")
    assert expr("x10 + x2 + x1").params["variables"] == ("x1", "x2", "x10")
    assert expr("3").dim == 1 and expr("3")([1.0, 2.0]).tolist() == [3.0, 3.0]
    f = expr("w1**2 + 10*w2**2", variables=("w1", "w2"))
    assert f.dim == 2 and f([1.0, 1.0]) == 11.0
    g = expr("x**2", variables="x, y")            # an unused variable still counts
    assert g.dim == 2 and g([2.0, 5.0]) == 4.0


def test_gradient_by_autodiff_and_batches():
    f = expr("sin(x)*cos(y) + 0.1*(x**2 + y**2)")
    pts = np.random.default_rng(0).normal(size=(6, 2))
    x, y = pts[:, 0], pts[:, 1]
    want = np.stack([np.cos(x) * np.cos(y) + 0.2 * x, -np.sin(x) * np.sin(y) + 0.2 * y], axis=-1)
    np.testing.assert_allclose(f.grad(pts), want, rtol=1e-12)
    out = f(gdlab.Tensor(pts))
    assert isinstance(out, gdlab.Tensor)
    np.testing.assert_allclose(out.data, f(pts))


def test_integer_powers_of_negative_numbers():
    f = expr("x**3")
    assert f(-2.0) == -8.0
    assert f.grad(-2.0) == 12.0


def test_formula_and_latex_round_trip():
    f = expr("3*x**2+2*x+1")
    assert f.formula == "3 * x**2 + 2 * x + 1"
    assert expr(f.formula).formula == f.formula
    assert expr("(x+y)/2").latex == r"\frac{x + y}{2}"
    assert expr("x0**2").latex == "x_{0}^{2}"
    assert expr("sqrt(x)").latex == r"\sqrt{x}"
    assert expr("-(x - y)").formula == "-(x - y)"
    assert expr("x - (y - z)").formula == "x - (y - z)"
    assert expr("(x**y)**z").formula == "(x**y)**z"


@pytest.mark.parametrize("text,message,position", [
    ("x.real", "attribute access is not allowed", 1),
    ("(x).__class__", "attribute access is not allowed", 3),
    ("foo(x)", "unknown function 'foo' at position 0; allowed: sin, cos", 0),
    ("__import__('os')", "unknown function '__import__' at position 0", 0),
    ("os.system('ls')", "attribute access is not allowed", 2),
    ("x + open", "unknown name 'open' at position 4", 4),
    ("x[0]", "indexing is not allowed", 1),
    ("x = 2", "assignments and comparisons are not allowed", 2),
    ("x < y", "comparisons are not allowed", 2),
    ("sin(x=1)", "not allowed", 5),
    ("lambda: x", "not allowed", 6),
    ("'x'", "strings are not allowed", 0),
    ("x; y", "only one expression", 1),
    ("2x", "implicit multiplication is not allowed, write 2*x", 1),
    ("x y", "missing an operator", 2),
    ("x(2)", "'x' at position 0 is a variable and cannot be called", 0),
    ("sin x", "must be called with parentheses", 0),
    ("sin(x, y)", "sin() at position 0 takes 1 argument, got 2", 0),
    ("max(x)", "max() at position 0 takes 2 arguments, got 1", 0),
    ("x +", "an operand is missing", 3),
    ("(x + 1", "expected ')' at position 6 to close the '(' at position 0", 6),
    ("x + 1)", "no matching '('", 5),
    ("", "empty formula", 0),
    ("1e", "malformed number", 0),
    ("x0 + y", "mixes x0, x1, ... with x, y, z", 0),
    ("x @ y", "matrix products are not allowed", 2),
])
def test_refused_with_position(text, message, position):
    with pytest.raises(ExpressionError) as info:
        expr(text)
    assert message in str(info.value)
    assert info.value.position == position
    assert isinstance(info.value, ValueError)


def test_limits():
    with pytest.raises(ExpressionError, match=f"too long: {MAX_LENGTH + 1} characters"):
        expr("x" + "+x" * (MAX_LENGTH // 2))
    with pytest.raises(ExpressionError, match="nested too deeply"):
        expr("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ExpressionError, match="nested too deeply"):
        expr("-" * (MAX_DEPTH + 1) + "x")
    with pytest.raises(ExpressionError, match="nested too deeply"):
        expr("sin(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))
    expr("(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1))  # just inside the limit


def test_bad_arguments():
    with pytest.raises(TypeError, match="formula as a str"):
        expr(3)
    with pytest.raises(ValueError, match="identifiers"):
        expr("x", variables=("x", "1y"))
    with pytest.raises(ValueError, match="distinct"):
        expr("x", variables=("x", "x"))
    with pytest.raises(ExpressionError, match="unknown name 'z'.*variables: x, y"):
        expr("x + z", variables=("x", "y"))


def test_the_parser_never_evaluates_python(monkeypatch):
    """No eval/exec/compile anywhere on the way."""
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec/compile called")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    f = expr("sin(x)*cos(y) + 0.1*(x**2 + y**2)")
    f.grad([1.0, 2.0])
    f([1.0, 2.0])
