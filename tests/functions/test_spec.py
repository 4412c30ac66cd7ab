"""function_spec / function_from_spec: a plain description that builds the same function again."""

import numpy as np
import pytest

from gdlab.functions import (CATALOG, Function, NotRebuildable, expr, function_from_spec, function_spec, get,
                             regression_loss)


def _same(f, g):
    pts = np.random.default_rng(0).uniform(-2, 2, (7, f.dim))
    return (type(f) is type(g) and f.to_dict() == g.to_dict() and np.array_equal(f(pts), g(pts))
            and np.array_equal(f.grad(pts), g.grad(pts)))


@pytest.mark.parametrize("name", list(CATALOG))
def test_every_catalog_function_is_described_by_name(name):
    f = get(name)
    spec = function_spec(f)
    assert spec["catalog"] == name and _same(f, function_from_spec(spec))


@pytest.mark.parametrize("f, spec", [
    (get("rosenbrock", dim=5), {"catalog": "rosenbrock", "params": {"dim": 5}}),
    (get("ill_conditioned", condition=1000), {"catalog": "ill_conditioned", "params": {"dim": 2, "condition": 1000.0}}),
    (get("double_well", tilt=0.25), {"catalog": "double_well", "params": {"tilt": 0.25}}),
    (expr("sin(x)*cos(y) + 0.1*(x**2 + y**2)"), {"formula": "sin(x)*cos(y) + 0.1*(x**2 + y**2)",
                                                 "variables": ["x", "y"]}),
    (expr("w1**2 + 10*w2**2", variables=("w1", "w2"), name="bowl", bounds=[[-1, 1], [-2, 2]], start=[0.5, 0.5]),
     {"formula": "w1**2 + 10*w2**2", "variables": ["w1", "w2"], "name": "bowl",
      "bounds": [[-1.0, 1.0], [-2.0, 2.0]], "start": [0.5, 0.5]}),
])
def test_parameters_and_formula_options_are_kept(f, spec):
    assert function_spec(f) == spec
    assert _same(f, function_from_spec(spec))


@pytest.mark.parametrize("make", [lambda: regression_loss(np.arange(20.0).reshape(10, 2), np.arange(10.0) ** 0.5),
                                  lambda: regression_loss([[0.0, 1.0], [1.0, 2.0], [3.0, 1.0]], [1.0, 2.0, 0.5],
                                                          bias=False, loss="sse")])
def test_a_data_loss_carries_its_data(make):
    f = make()
    spec = function_spec(f)
    assert np.array_equal(spec["data_loss"]["x"], f.x) and spec["data_loss"]["loss"] == f.loss
    assert _same(f, function_from_spec(spec))


def test_a_callable_or_an_altered_function_is_described_not_rebuilt():
    f = Function(lambda x: (x ** 2).sum(axis=-1), 3, name="bowl3")
    assert function_spec(f) == {"callable": "bowl3", "dim": 3}
    with pytest.raises(NotRebuildable, match="bowl3.*Python callable"):
        function_from_spec(function_spec(f))
    # a function that calls itself "rosenbrock" but is not the catalog's is not passed off as it
    fake = Function(lambda x: (x ** 2).sum(axis=-1), 2, name="rosenbrock")
    assert "callable" in function_spec(fake)
    with pytest.raises(ValueError, match="needs one of"):
        function_from_spec({"nothing": 1})


def test_a_start_outside_the_domain_is_described_without_a_warning():
    """function_spec evaluates the function at its start to check the rebuild; NaN there (log at x = -3) is
    no warning (the CLI turns a stray RuntimeWarning into an internal error under -W error, and the store
    calls function_spec when it saves)."""
    import warnings

    from gdlab.functions import resolve_function

    f = resolve_function("log(x) + (x - 3)**2")  # its default start is x = -3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spec = function_spec(f)
    assert spec["formula"] == "log(x) + (x - 3)**2"
