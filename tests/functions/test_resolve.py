"""gdlab.functions.resolve_function: one rule for a name, a catalog spelling, a formula or a callable.

The rule for text is the command line's (gdlab/cli.py before this function existed): an identifier
that is not a variable is a catalog name (a typo gets "did you mean", not a parse error), and
``NAME:key=value`` gives parameters; its messages are the CLI's, word for word.
"""

import numpy as np
import pytest

import gdlab
from gdlab._registry import UnknownNameError
from gdlab.functions import ExpressionError, Function, resolve_function

P = np.array([[1.0, 2.0], [-0.5, 3.0]])


@pytest.mark.parametrize("text, name", [
    ("rosenbrock", "rosenbrock"), ("Rosenbrock", "rosenbrock"), ("  himmelblau ", "himmelblau"),
    ("six-hump-camel", "six_hump_camel"), ("Six Hump Camel", "six_hump_camel"), ("camel", "six_hump_camel"),
    ("seed000", "square"), ("function_2", "paraboloid"),
])
def test_a_name_is_the_catalog_function(text, name):
    f = resolve_function(text)
    assert f.name == name and f.minima.shape[1] == f.dim
    np.testing.assert_array_equal(f.start, gdlab.functions.get(name).start)


def test_name_colon_parameters():
    f = resolve_function("ill_conditioned:condition=10")
    assert f.name == "ill_conditioned" and f.params["condition"] == 10 and f.dim == 2
    assert resolve_function("sphere:dim=5").dim == 5
    assert resolve_function(" rosenbrock : dim=3 ").dim == 3
    f = resolve_function("ill-conditioned:dim=3:condition=1e3")
    assert f.dim == 3 and f.params["condition"] == 1000.0
    # 1/2 sum lambda_i x_i^2, lambda_i = condition^(i/(d-1)): the Hessian is diag(1, sqrt(1000), 1000)
    np.testing.assert_allclose(f.hessian(np.zeros(3)), np.diag([1.0, np.sqrt(1e3), 1e3]), rtol=1e-6)


@pytest.mark.parametrize("text, message", [
    ("sphere:dim", "malformed function parameter in 'sphere:dim' 'dim': expected KEY=VALUE, e.g. momentum=0.9"),
    ("sphere:", "malformed function parameter in 'sphere:' '': expected KEY=VALUE, e.g. momentum=0.9"),
    ("sphere:dim=", "malformed function parameter in 'sphere:dim=' 'dim=': expected KEY=VALUE, e.g. momentum=0.9"),
    ("sphere:1d=3", "malformed function parameter in 'sphere:1d=3' '1d=3': expected KEY=VALUE, e.g. momentum=0.9"),
    ("sphere:dim=inf", "function parameter in 'sphere:dim=inf' dim: 'inf' is not a finite number"),
    ("rosenbrok:dim", "malformed function parameter in 'rosenbrok:dim' 'dim': expected KEY=VALUE, e.g. momentum=0.9"),
    ("", "empty FUNCTION_OR_FORMULA: give a catalog name (see 'gdlab functions') or a formula"),
    ("   ", "empty FUNCTION_OR_FORMULA: give a catalog name (see 'gdlab functions') or a formula"),
])
def test_malformed_text_is_a_value_error_with_the_clis_words(text, message):
    with pytest.raises(ValueError) as info:
        resolve_function(text)
    assert str(info.value) == message


def test_a_parameter_the_function_does_not_take_is_a_type_error():
    with pytest.raises(TypeError, match=r"function 'sphere' takes parameters \['dim'\], got \['dimension'\]"):
        resolve_function("sphere:dimension=3")
    with pytest.raises(TypeError, match="function 'beale' takes parameters none"):
        resolve_function("beale:dim=3")


@pytest.mark.parametrize("text", ["rosenbrok", "himelblau", "Rosenbrok", "seed00", "X", "sphre:dim=3", "nope"])
def test_a_near_miss_name_says_did_you_mean_not_a_parse_error(text):
    with pytest.raises(UnknownNameError) as info:
        resolve_function(text)
    assert not isinstance(info.value, ExpressionError)
    assert str(info.value).startswith(f"unknown function {text.partition(':')[0]!r}.")
    assert str(info.value).endswith("(or write a formula with gdlab.expr)")
    if text.lower() == "rosenbrok":
        assert "Did you mean 'rosenbrock'?" in str(info.value)


def test_a_formula_is_parsed():
    f = resolve_function("x**2 + 3*y**2")
    assert f.formula == "x**2 + 3 * y**2" and f.dim == 2
    np.testing.assert_allclose(f(P), [1 + 12, 0.25 + 27])
    g = resolve_function("sin(x)*cos(y) + 0.1*(x**2+y**2)")
    np.testing.assert_allclose(g(P), np.sin(P[:, 0]) * np.cos(P[:, 1]) + 0.1 * (P ** 2).sum(1))
    h = resolve_function("x0*x1 - x2")
    assert h.dim == 3 and float(h(np.array([2.0, 3.0, 1.0]))) == 5.0


@pytest.mark.parametrize("text", ["x", "y", "z", "x0", "x12"])
def test_a_variable_alone_is_a_formula_not_a_name(text):
    f = resolve_function(text)
    assert f.formula == text


def test_a_single_lower_case_letter_is_read_as_a_formula():
    with pytest.raises(ExpressionError, match="unknown name 'a' at position 0"):
        resolve_function("a")


def test_the_catalog_spelling_of_a_formula_is_the_catalog_function():
    # gdlab.minimize("x^2") always gave the catalog's square (its start -5, bounds, minima);
    # a formula the catalog does not know is parsed
    assert resolve_function("x^2").name == "square"
    assert resolve_function("x**2 - y**2").name == "saddle"
    assert resolve_function("3x^2 + 2x + 1").name == "quadratic"
    assert resolve_function("x**2 - 2*y**2").formula == "x**2 - 2 * y**2"


@pytest.mark.parametrize("text, where", [("x**2 +* y", "position 6"), ("x + foo(y)", "position 4"),
                                         ("__import__('os')", "position 0"), ("x**2 + import(y)", "position")])
def test_a_formula_that_does_not_parse_says_where(text, where):
    with pytest.raises(ExpressionError, match=where):
        resolve_function(text)


def test_a_function_is_returned_as_it_is():
    f = gdlab.functions.get("beale")
    assert resolve_function(f) is f
    assert resolve_function(f, dim=2) is f
    with pytest.raises(ValueError, match=r"'beale' is a 2-D function, not dim=3"):
        resolve_function(f, dim=3)


def test_a_callable_is_wrapped_with_its_dim():
    def bowl(x):
        return x[..., 0] ** 2 + 10 * x[..., 1] ** 2

    f = resolve_function(bowl, dim=2)
    assert isinstance(f, Function) and f.name == "bowl" and f.dim == 2
    np.testing.assert_allclose(f.grad(np.array([1.0, 1.0])), [2.0, 20.0], rtol=1e-6)
    assert resolve_function(lambda x: x[..., 0] ** 2, dim=1).name == "<lambda>"
    with pytest.raises(ValueError, match="dim is required when f is a plain callable"):
        resolve_function(bowl)


def test_dim_builds_an_n_d_catalog_function_and_must_match_the_rest():
    assert resolve_function("rosenbrock", dim=4).dim == 4
    assert resolve_function("sphere:dim=3", dim=3).dim == 3
    assert resolve_function("beale", dim=2).dim == 2
    with pytest.raises(ValueError, match="'rosenbrock' is a 3-D function, not dim=4"):
        resolve_function("rosenbrock:dim=3", dim=4)
    with pytest.raises(ValueError, match="'beale' is a 2-D function, not dim=3"):
        resolve_function("beale", dim=3)
    with pytest.raises(ValueError, match="is a 2-D function, not dim=1"):
        resolve_function("x*y", dim=1)
    for bad in (0, -1, 2.5, True, "2"):
        with pytest.raises(ValueError, match="dim must be None or an int >= 1"):
            resolve_function("sphere", dim=bad)


def test_anything_else_is_a_type_error():
    with pytest.raises(TypeError, match="f must be a gdlab Function, a catalog name, a formula or a callable, got 3"):
        resolve_function(3)


def test_runs_use_the_same_rule():
    from gdlab.runs.minimize import resolve_function as for_runs

    assert for_runs("rosenbrock:dim=3").dim == 3  # the CLI's NAME:key=value now works in gdlab.minimize too
    with pytest.raises(UnknownNameError) as info:
        gdlab.minimize("seed00", 1.0, steps=1)  # a near-miss name, no longer read as a broken formula
    assert "square" in info.value.suggestions
    t = gdlab.minimize(lambda x: (x[..., 0] - 3.0) ** 2, 0.0, steps=50, lr=0.25)
    assert t.function.dim == 1 and t.final[0] == pytest.approx(3.0)


def test_non_ascii_text_is_read_as_the_parser_reads_it():
    assert resolve_function("ｒｏｓｅｎｂｒｏｃｋ").name == "rosenbrock"   # full-width: the catalog name
    assert resolve_function("sphere:dim=５").dim == 5
    assert resolve_function("π*x").formula == "pi * x"
    f = resolve_function("x² + y²")                                     # a formula, not an unknown name
    assert f.dim == 2 and f([1.0, 2.0]) == 5.0
    with pytest.raises(ExpressionError, match="CYRILLIC SMALL LETTER HA") as info:
        resolve_function("х**2")
    assert info.value.position == 0


@pytest.mark.parametrize("text", ["rosenbrock", "x**2 + 3*y**2"])
def test_repeated_text_gives_independent_copies(text):
    # resolve_function builds each text once and hands out copies: changing one changes no other
    a = resolve_function(text)
    a.start[:] = 7.0
    a.bounds[0, 0] = -99.0
    a.params["extra"] = 1
    b = resolve_function(text)
    assert b is not a and not np.shares_memory(a.start, b.start)
    fresh = gdlab.functions.get(text) if text == "rosenbrock" else gdlab.functions.expr(text)
    assert b.to_dict() == fresh.to_dict()
    np.testing.assert_array_equal(b(P), fresh(P))


def test_function_copy_owns_its_arrays_and_shares_its_code():
    f = gdlab.functions.get("ill_conditioned", condition=50)
    g = f.copy()
    assert g.to_dict() == f.to_dict() and g._value is f._value and g._code_origin() is f
    for name in ("start", "bounds", "minima"):
        assert not np.shares_memory(getattr(f, name), getattr(g, name))
    assert g.params.keys() == f.params.keys() and g.params is not f.params  # dicts are copied too
    if f.constant_hessian is not None:
        assert not np.shares_memory(f.constant_hessian, g.constant_hessian)
    g._value = lambda x, ops: x[..., 0]  # other code: no longer the same function
    assert g._code_origin() is g
