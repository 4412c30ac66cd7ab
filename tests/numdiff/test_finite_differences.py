"""gdlab.numdiff: stencils, orders of accuracy, shapes, Jacobian, Hessian and validation."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdlab.numdiff import (
    METHODS,
    STENCILS,
    derivative,
    gradient,
    hessian,
    jacobian,
    numerical_diff,
    numerical_gradient,
    optimal_step,
)

EPS = np.finfo(np.float64).eps


# --- derivative: formulas and orders of accuracy ---------------------------------------------------

def test_methods_are_the_four_stencils():
    assert METHODS == ("forward", "backward", "central", "five-point")
    assert [STENCILS[m].order for m in METHODS] == [1, 1, 2, 4]


@pytest.mark.parametrize("method, h", [("forward", 0.01), ("backward", 0.01), ("central", 0.01), ("five-point", 0.1)])
def test_formulas_bit_for_bit(method, h):
    f, x = math.exp, 0.7
    expected = {
        "forward": (f(x + h) - f(x)) / h,
        "backward": (f(x) - f(x - h)) / h,
        "central": (f(x + h) - f(x - h)) / (2 * h),
        "five-point": (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h),
    }[method]
    assert derivative(f, x, h=h, method=method) == expected


@pytest.mark.parametrize(
    "method, ratio, h0",
    [("forward", 2.0, 1e-2), ("backward", 2.0, 1e-2), ("central", 4.0, 1e-2), ("five-point", 16.0, 1e-1)],
)
def test_order_of_accuracy_on_sin_at_1(method, ratio, h0):
    """Halving h divides the error by 2**order while truncation dominates."""
    errors = [abs(derivative(np.sin, 1.0, h=h0 / 2**k, method=method) - math.cos(1.0)) for k in range(4)]
    ratios = [errors[k] / errors[k + 1] for k in range(3)]
    for r in ratios:
        assert r == pytest.approx(ratio, rel=0.02)


def test_default_is_central_with_h_1e_4():
    f = np.cos
    assert derivative(f, 0.3) == (f(0.3 + 1e-4) - f(0.3 - 1e-4)) / (2 * 1e-4)


def test_derivative_of_a_scalar_is_a_python_float():
    d = derivative(lambda x: x**3, 2)
    assert type(d) is float
    assert d == pytest.approx(12.0, rel=1e-7)


def test_derivative_at_an_array_of_points_is_elementwise():
    x = np.linspace(-2.0, 2.0, 7).reshape(7, 1)
    for method in METHODS:
        d = derivative(np.sin, x, h=1e-3 if method == "five-point" else 1e-6, method=method)
        assert d.shape == x.shape and d.dtype == np.float64
        np.testing.assert_allclose(d, np.cos(x), atol=1e-6)


def test_derivative_at_points_of_a_constant_function_broadcasts():
    d = derivative(lambda x: 3.0, np.array([1.0, 2.0]))
    np.testing.assert_array_equal(d, [0.0, 0.0])


def test_derivative_of_non_elementwise_function_raises():
    with pytest.raises(ValueError, match=r"shape \(3,\).*got \(2, 3\)"):
        derivative(lambda x: np.stack([x, x]), np.zeros(3))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.floats(-10, 10), min_size=5, max_size=5), st.floats(-2, 2))
def test_exact_for_low_degree_polynomials(c, x):
    """Central differences are exact (up to round-off) for degree <= 2, five-point for degree <= 4."""
    def p(t, degree):
        return sum(c[k] * t**k for k in range(degree + 1))

    def dp(t, degree):
        return sum(k * c[k] * t ** (k - 1) for k in range(1, degree + 1))

    scale = 1 + sum(abs(ck) for ck in c)
    assert abs(derivative(lambda t: p(t, 2), x, h=0.5) - dp(x, 2)) <= 1e-12 * scale
    assert abs(derivative(lambda t: p(t, 4), x, h=0.5, method="five-point") - dp(x, 4)) <= 1e-12 * scale


def test_optimal_step_is_eps_to_the_one_over_order_plus_one():
    assert optimal_step("forward") == pytest.approx(EPS ** 0.5)
    assert optimal_step("central") == pytest.approx(EPS ** (1 / 3))
    assert optimal_step("five-point") == pytest.approx(EPS ** 0.2)


# --- gradient ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (1,), (4,), (2, 3), (2, 1, 3)])
def test_gradient_shape_and_values(shape):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape)
    g = gradient(lambda w: np.sum(w**3), x)
    assert g.shape == x.shape and g.dtype == np.float64
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("method", METHODS)
def test_gradient_of_a_2x3_weight_matrix(method):
    rng = np.random.default_rng(2)
    W = rng.normal(size=(2, 3))
    X = rng.normal(size=(5, 2))

    def loss(W):
        return 0.5 * np.sum((X @ W) ** 2)

    h = 1e-7 if method in ("forward", "backward") else 1e-4
    np.testing.assert_allclose(gradient(loss, W, h=h, method=method), X.T @ X @ W, rtol=1e-5, atol=1e-6)


def test_gradient_of_integer_and_list_input_is_float():
    g = gradient(lambda v: float(v @ v), [1, 2, 3])
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, [2.0, 4.0, 6.0], rtol=1e-9)


def test_gradient_leaves_x_unchanged():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    before = x.copy()
    gradient(lambda w: np.sum(w**2), x)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gradient_leaves_x_unchanged_when_f_raises(dtype):
    x = np.arange(6, dtype=dtype).reshape(2, 3)
    before = x.copy()
    calls = []

    def f(w):
        calls.append(1)
        if len(calls) == 4:  # in the middle of a perturbation
            raise RuntimeError("boom")
        return np.sum(w)

    with pytest.raises(RuntimeError, match="boom"):
        gradient(f, x)
    assert x.dtype == dtype
    np.testing.assert_array_equal(x, before)


def test_gradient_perturbs_one_coordinate_by_h():
    seen = []
    gradient(lambda w: seen.append(w.copy()) or 0.0, np.zeros(2), h=0.5)
    np.testing.assert_array_equal(seen, [[0.5, 0.0], [-0.5, 0.0], [0.0, 0.5], [0.0, -0.5]])


def test_gradient_forward_calls_f_once_at_x():
    calls = []
    gradient(lambda w: calls.append(1) or float(np.sum(w)), np.zeros(5), method="forward")
    assert len(calls) == 6


def test_gradient_of_empty_array():
    assert gradient(lambda w: 0.0, np.zeros((0, 3))).shape == (0, 3)


def test_gradient_accepts_one_element_output():
    np.testing.assert_allclose(gradient(lambda w: np.array([np.sum(w**2)]), np.ones(2)), [2.0, 2.0])


@pytest.mark.parametrize("out_shape", [(3,), (2, 2)])
def test_gradient_of_non_scalar_raises_naming_the_shape(out_shape):
    with pytest.raises(ValueError, match=f"scalar.*shape {re_shape(out_shape)}"):
        gradient(lambda w: np.zeros(out_shape), np.ones(3))


def re_shape(shape):
    return str(shape).replace("(", r"\(").replace(")", r"\)")


def test_gradient_of_non_numeric_output_raises():
    with pytest.raises(TypeError, match="real scalar"):
        gradient(lambda w: "one", np.ones(2))


# --- jacobian -----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_jacobian_of_a_linear_map_is_its_matrix(method):
    rng = np.random.default_rng(3)
    A = rng.normal(size=(3, 4))
    b = rng.normal(size=3)
    J = jacobian(lambda x: A @ x + b, rng.normal(size=4), method=method)
    assert J.shape == (3, 4)
    np.testing.assert_allclose(J, A, atol=1e-9 if method in ("central", "five-point") else 1e-7)


def test_jacobian_shapes():
    x = np.ones((2, 3))
    assert jacobian(lambda w: w.sum(axis=0), x).shape == (3, 2, 3)
    assert jacobian(lambda w: np.sum(w), x).shape == (2, 3)  # a scalar f: the gradient
    assert jacobian(lambda t: np.array([t, t**2]), 2.0).shape == (2,)


def test_jacobian_of_identity_returning_its_argument():
    """f returns (a view of) the array it was given: the Jacobian must still be the identity."""
    np.testing.assert_allclose(jacobian(lambda w: w, np.arange(3.0)), np.eye(3), atol=1e-10)


def test_jacobian_of_elementwise_function():
    x = np.array([0.1, 0.5, 2.0])
    np.testing.assert_allclose(jacobian(np.exp, x), np.diag(np.exp(x)), rtol=1e-8, atol=1e-12)


def test_jacobian_leaves_x_unchanged():
    x = np.array([1.0, 2.0])
    jacobian(lambda w: w * 2, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_jacobian_output_shape_must_not_change():
    with pytest.raises(ValueError, match="one shape"):
        jacobian(lambda w: np.zeros(1 if w[0] > 0 else 2), np.zeros(2))


# --- hessian --------------------------------------------------------------------------------------

def test_hessian_of_a_quadratic_is_its_matrix():
    rng = np.random.default_rng(4)
    M = rng.normal(size=(4, 4))
    A = M @ M.T + 4 * np.eye(4)
    b = rng.normal(size=4)
    x = rng.normal(size=4)
    H = hessian(lambda v: 0.5 * v @ A @ v + b @ v + 1.0, x)
    assert H.shape == (4, 4)
    np.testing.assert_array_equal(H, H.T)  # exactly symmetric
    np.testing.assert_allclose(H, A, rtol=1e-6, atol=1e-6 * np.abs(A).max())


def test_hessian_of_a_smooth_function():
    x = np.array([0.3, -0.7, 1.1])

    def f(v):
        return np.sin(v[0]) * v[1] ** 2 + np.exp(v[2] * v[0])

    s, c, e = np.sin(x[0]), np.cos(x[0]), np.exp(x[2] * x[0])
    exact = np.array([
        [-s * x[1] ** 2 + x[2] ** 2 * e, 2 * c * x[1], e + x[0] * x[2] * e],
        [2 * c * x[1], 2 * s, 0.0],
        [e + x[0] * x[2] * e, 0.0, x[0] ** 2 * e],
    ])
    np.testing.assert_allclose(hessian(f, x), exact, atol=1e-6)


def test_hessian_shapes_and_x_unchanged():
    W = np.arange(6.0).reshape(2, 3)
    H = hessian(lambda w: np.sum(w**2), W)
    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(H.reshape(6, 6), 2 * np.eye(6), atol=1e-5)
    np.testing.assert_array_equal(W, np.arange(6.0).reshape(2, 3))
    assert hessian(lambda t: t**3, 2.0) == pytest.approx(12.0, rel=1e-6)


# --- seed-004 aliases -----------------------------------------------------------------------------

def test_aliases_are_central_with_h_1e_4():
    f = np.tanh
    assert numerical_diff(f, 0.4) == derivative(f, 0.4, h=1e-4, method="central")
    x = np.array([0.1, -0.2])
    np.testing.assert_array_equal(numerical_gradient(lambda v: np.sum(np.tanh(v)), x),
                                  gradient(lambda v: np.sum(np.tanh(v)), x, h=1e-4))


# --- validation -----------------------------------------------------------------------------------

FUNCS = [
    lambda **kw: derivative(np.sin, 1.0, **kw),
    lambda **kw: gradient(np.sum, np.ones(2), **kw),
    lambda **kw: jacobian(np.sin, np.ones(2), **kw),
]


@pytest.mark.parametrize("call", FUNCS + [lambda **kw: hessian(np.sum, np.ones(2), **kw)])
@pytest.mark.parametrize("h", [0, 0.0, -1e-4, float("nan"), float("inf")])
def test_bad_h_raises_value_error(call, h):
    with pytest.raises(ValueError, match=rf"h must be a positive finite number; got {h!r}"):
        call(h=h)


@pytest.mark.parametrize("h", ["1e-4", None, True, [1e-4]])
def test_non_number_h_raises_type_error(h):
    with pytest.raises(TypeError, match="h must be a positive finite number"):
        derivative(np.sin, 1.0, h=h)


@pytest.mark.parametrize("call", FUNCS)
def test_unknown_method_lists_the_allowed_ones(call):
    with pytest.raises(ValueError) as info:
        call(method="sideways")
    msg = str(info.value)
    assert "'sideways'" in msg
    for m in METHODS:
        assert repr(m) in msg


@pytest.mark.parametrize("call", [derivative, gradient, jacobian, hessian])
def test_non_callable_f_raises_type_error(call):
    with pytest.raises(TypeError, match=r"f must be a callable.*got 3\.0"):
        call(3.0, 1.0)


@pytest.mark.parametrize("x", ["abc", [1, "a"], 1 + 2j, None])
def test_non_numeric_x_raises_type_error(x):
    with pytest.raises(TypeError, match="x must be a real number or an array"):
        gradient(np.sum, x)


def test_derivative_at_scalar_of_non_scalar_function_raises():
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        derivative(lambda t: np.array([t, t]), 1.0)
