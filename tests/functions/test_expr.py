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


# --- constants: NumPy float64 semantics, bounded work ----------------------------------------------

@pytest.mark.parametrize("text,value", [
    ("1/0", math.inf), ("-1/0", -math.inf), ("0/0", math.nan), ("0**-1", math.inf), ("2**1024", math.inf),
    ("e**1000", math.inf), ("9**9**9**9**9", math.inf), ("(-8)**(1/3)", math.nan), ("1e400", math.inf),
    ("sin(1/0)", math.nan), ("exp(-1e400)", 0.0), ("2**-1074", 5e-324), ("(-8)**3", -512.0),
    ("max(1/0, 2)", math.inf), ("(-1)**0.5", math.nan),
])
def test_constants_are_numpy_float64(text, value):
    """Constant sub-expressions raised ZeroDivisionError/OverflowError (Python floats) or gave complex numbers."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # computed once, with NumPy's warnings off
        f = expr(text)
        got = f(0.5)
    with np.errstate(all="ignore"):
        want = float(eval_numpy(text))
    assert (math.isnan(got) and math.isnan(value)) or got == value == want


def eval_numpy(text):
    """The reference: the same constant computed by NumPy float64 operations written out here."""
    with np.errstate(all="ignore"):
        f64 = np.float64
        return {
            "1/0": f64(1) / f64(0), "-1/0": -f64(1) / f64(0), "0/0": f64(0) / f64(0), "0**-1": f64(0) ** f64(-1),
            "2**1024": f64(2) ** f64(1024), "e**1000": f64(math.e) ** f64(1000),
            "9**9**9**9**9": f64(9) ** (f64(9) ** (f64(9) ** (f64(9) ** f64(9)))),
            "(-8)**(1/3)": f64(-8) ** (f64(1) / f64(3)), "1e400": f64(math.inf), "sin(1/0)": np.sin(f64(1) / f64(0)),
            "exp(-1e400)": np.exp(-f64(math.inf)), "2**-1074": f64(2) ** f64(-1074), "(-8)**3": f64(-8) ** f64(3),
            "max(1/0, 2)": np.maximum(f64(1) / f64(0), f64(2)), "(-1)**0.5": f64(-1) ** f64(0.5),
        }[text]


def test_constants_in_a_formula_of_x():
    with np.errstate(all="ignore"):
        f = expr("(-8)**(1/3) * x")  # was the real part of a complex number, and a TypeError in the gradient
        assert math.isnan(f(1.0)) and math.isnan(f.grad(1.0))
        g = expr("x / 0 + 1/0 * 0")   # inf + nan: nan, as x / 0 + nan in NumPy
        assert math.isnan(g(1.0))
    h = expr("x**(1+1) + 2**-1")      # a constant integer exponent takes the exact integer power
    assert h(-3.0) == 9.5 and h.grad(-3.0) == -6.0
    assert expr("1e400*x").formula == "1e999 * x" and expr(expr("1e400*x").formula)(1.0) == math.inf
    x32 = gdlab.Tensor(np.array([1.0, 2.0], np.float32))
    assert expr("x * (1/3) + 2**0.5")(x32[..., None]).dtype == np.float32  # constants stay weak


def test_towers_of_powers_cost_nothing():
    import time

    t = time.perf_counter()
    text = "**".join(["9"] * 40)
    for formula in (text, "x**" + text, "(" + text + ")**x"):
        with np.errstate(all="ignore"):
            expr(formula)(1.5)
    assert time.perf_counter() - t < 1.0


# --- non-ASCII text: read where the meaning is clear, refused with the position otherwise -------

@pytest.mark.parametrize("text,same_as", [
    ("π*x", "pi*x"), ("x²", "x**2"), ("x² + y³", "x**2 + y**3"), ("x⁻¹", "x**-1"), ("2·x", "2*x"),
    ("x × y", "x*y"), ("x − 1", "x - 1"), ("x ÷ 2", "x / 2"), ("ｘ＊＊２", "x**2"), ("ｓｉｎ（ｘ）", "sin(x)"),
    ("x₁ + x₂²", "x1 + x2**2"), ("x\u00a0+\u30001", "x + 1"), ("x¹⁰", "x**10"),
])
def test_unicode_read_as_ascii(text, same_as):
    f, g = expr(text), expr(same_as)
    assert f.formula == g.formula and f.dim == g.dim
    pts = np.array([[0.7, 1.3]])[:, :f.dim]
    np.testing.assert_array_equal(f(pts), g(pts))


@pytest.mark.parametrize("text,message,position", [
    ("х**2", "'х' (U+0445 CYRILLIC SMALL LETTER HA) at position 0: a letter outside ASCII", 0),
    ("x + ٣", "U+0663 ARABIC-INDIC DIGIT THREE) at position 4: a digit of another script; write the ASCII digit 3", 4),
    ("2 + α*x", "U+03B1 GREEK SMALL LETTER ALPHA) at position 4", 4),
    ("x + xⁿ", "only superscript digits (x², x⁻¹) and subscript digits (x₁) are read", 5),
    ("x²**3", "a power of the power '²' at position 2: write (x²)**3 or x**(2**3)", 2),
    ("x⁻", "malformed superscript '⁻' at position 1", 1),
    ("π² + ½", "U+00BD VULGAR FRACTION ONE HALF) at position 5", 5),
    ("x\u200b", "U+200B ZERO WIDTH SPACE) at position 1", 1),
    ("ｘ．real", "attribute access is not allowed", 1),   # positions count the characters as written
    ("π x", "missing an operator", 2),
    ("2π", "unexpected 'π' at position 1: implicit multiplication is not allowed, write 2*π", 1),
    ("ππ(x)", "unknown function 'pipi' at position 0", 0),
])
def test_unicode_refused_with_the_position_in_the_text_as_written(text, message, position):
    """These raised AttributeError ('NoneType' object has no attribute 'group')."""
    with pytest.raises(ExpressionError) as info:
        expr(text)
    assert message in str(info.value) and info.value.position == position


# --- any text: a Function or an ExpressionError, never eval --------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = ["x", "y", "z", "x0", "x1", "2", "0", "1e400", ".5", "e", "pi", "π", "²", "⁻¹", "₁", "+", "-", "*", "/",
           "**", "^", "(", ")", ",", " ", "sin(", "log(", "sqrt(", "max(", "exp(", "·", "−", "ｘ", "х", "٣", "."]
FORMULA_LIKE = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)
ANY_TEXT = st.text(max_size=MAX_LENGTH + 5)


def _parse_and_run(text):
    try:
        f = expr(text)
    except ExpressionError as exc:
        assert exc.position is None or 0 <= exc.position <= len(text)
        assert str(exc).splitlines()[0].strip()
        return None
    with np.errstate(all="ignore"):
        v = f(np.full(f.dim, 0.75))
        g = f.grad(np.full(f.dim, 0.75))
    assert np.shape(g) == (f.dim,) or (f.dim == 1 and np.ndim(g) == 0)
    assert np.shape(v) == () and isinstance(float(v), float)
    return f


@settings(max_examples=1000, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ANY_TEXT, FORMULA_LIKE))
def test_any_text_gives_a_function_or_an_expression_error(text):
    import builtins

    saved = builtins.eval, builtins.exec, builtins.compile

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec/compile called")

    builtins.eval = builtins.exec = builtins.compile = forbidden
    try:
        _parse_and_run(text)
    finally:
        builtins.eval, builtins.exec, builtins.compile = saved
