"""gdlab.grad, gdlab.value_and_grad and gdlab.hessian."""

import numpy as np
import pytest

import gdlab
from gdlab.autodiff import Tensor


def f_xy(x, y):
    return (x * x * y).sum() + gdlab.sin(y).sum()


# --- grad / value_and_grad ---------------------------------------------------------------------------

def test_grad_of_a_float_is_a_0d_array():
    g = gdlab.grad(lambda x: x**3)(2.0)
    assert isinstance(g, np.ndarray) and g.shape == () and g.dtype == np.float64
    assert g == 12.0


def test_grad_with_array_arguments_has_their_shapes():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    g = gdlab.grad(lambda a: (a * a).sum())(x)
    assert g.shape == (2, 2)
    np.testing.assert_array_equal(g, 2 * x)
    np.testing.assert_array_equal(x, [[1.0, 2.0], [3.0, 4.0]])  # the argument is left alone


@pytest.mark.parametrize("argnums, want", [
    (0, lambda x, y: 2 * x * y),
    (1, lambda x, y: x * x + np.cos(y)),
    (-1, lambda x, y: x * x + np.cos(y)),
])
def test_grad_argnums_int(argnums, want):
    x, y = np.array([1.0, -2.0]), np.array([0.5, 3.0])
    np.testing.assert_allclose(gdlab.grad(f_xy, argnums=argnums)(x, y), want(x, y), rtol=1e-15)


def test_grad_argnums_tuple():
    x, y = np.array([1.0, -2.0]), 0.5  # an array and a float, broadcast
    gx, gy = gdlab.grad(f_xy, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, 2 * x * y)
    assert gy.shape == ()
    np.testing.assert_allclose(gy, np.sum(x * x) + np.cos(y))  # y broadcasts: its gradient sums over x
    (gy_only,) = gdlab.grad(f_xy, argnums=(1,))(x, y)
    np.testing.assert_allclose(gy_only, gy)
    gy2, gx2 = gdlab.grad(f_xy, argnums=(1, 0))(x, y)
    np.testing.assert_array_equal(gx2, gx)
    np.testing.assert_array_equal(gy2, gy)


def test_value_and_grad():
    x = np.array([0.5, -1.0, 2.0])
    value, g = gdlab.value_and_grad(lambda a: gdlab.logsumexp(a))(x)
    assert np.isscalar(value) or np.ndim(value) == 0
    np.testing.assert_allclose(value, np.log(np.exp(x).sum()), rtol=1e-15)
    np.testing.assert_allclose(g, np.exp(x) / np.exp(x).sum(), rtol=1e-15)
    value, (gx, gy) = gdlab.value_and_grad(f_xy, argnums=(0, 1))(x, x)
    np.testing.assert_allclose(value, np.sum(x**3) + np.sin(x).sum())
    np.testing.assert_allclose(gy, x * x + np.cos(x))


def test_grad_of_an_unused_argument_is_zero():
    g = gdlab.grad(lambda a, b: (a * 2.0).sum(), argnums=1)(np.ones(2), np.ones((3, 1)))
    np.testing.assert_array_equal(g, np.zeros((3, 1)))
    assert gdlab.grad(lambda a: Tensor(3.0))(1.0) == 0.0  # f ignores its input entirely


def test_grad_passes_other_arguments_and_keywords_through():
    def f(x, scale, *, power):
        assert not isinstance(scale, Tensor)
        return (x**power).sum() * scale

    g = gdlab.grad(f)(np.array([1.0, 2.0]), 3.0, power=2)
    np.testing.assert_array_equal(g, [6.0, 12.0])


def test_grad_of_integer_arguments_is_float64():
    g = gdlab.grad(lambda a: (a * a).sum())(np.array([1, 2]))
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, [2.0, 4.0])


def test_grad_keeps_float32_arguments_float32():
    g = gdlab.grad(lambda a: (a * a).sum())(np.array([1.0, 2.0], np.float32))
    assert g.dtype == np.float32


def test_grad_works_inside_no_grad():
    with gdlab.no_grad():
        g = gdlab.grad(lambda a: a * a)(3.0)
    assert g == 6.0


def test_grad_of_a_non_scalar_function_is_a_clear_error():
    with pytest.raises(ValueError, match=r"scalar.*\(3,\)"):
        gdlab.grad(lambda a: a * 2.0)(np.ones(3))
    with pytest.raises(ValueError, match=r"scalar.*\(2, 2\)"):
        gdlab.value_and_grad(lambda a: a @ a.T)(np.ones((2, 3)))


@pytest.mark.parametrize("argnums", [2, -3, (0, 5), (0, 1.5)])
def test_bad_argnums(argnums):
    with pytest.raises(ValueError, match="argnums"):
        gdlab.grad(f_xy, argnums=argnums)(1.0, 2.0)


def test_wrapped_functions_are_named():
    assert gdlab.grad(f_xy).__name__ == "grad(f_xy)"
    assert gdlab.value_and_grad(f_xy).__name__ == "value_and_grad(f_xy)"


# --- hessian -----------------------------------------------------------------------------------------

def test_hessian_of_a_quadratic_is_exact_up_to_round_off():
    rng = np.random.default_rng(3)
    M = rng.normal(size=(4, 4))
    A = M @ M.T + np.eye(4)  # symmetric
    b = rng.normal(size=4)
    H = gdlab.hessian(lambda x: 0.5 * (x @ (Tensor(A) @ x)) + (Tensor(b) * x).sum())(rng.normal(size=4))
    assert H.shape == (4, 4)
    np.testing.assert_allclose(H, A, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(H, H.T)


def test_hessian_of_a_quadratic_far_from_the_origin_and_of_matrix_shape():
    # h scales with |x_i|, so large coordinates keep the accuracy; x of shape (2, 2) gives (2, 2, 2, 2)
    x = np.array([[1e3, -2e3], [0.5, 3.0]])
    H = gdlab.hessian(lambda t: (t * t).sum() * 1.5 + t[0, 0] * t[1, 1])(x)
    assert H.shape == (2, 2, 2, 2)
    want = np.zeros((4, 4))
    np.fill_diagonal(want, 3.0)
    want[0, 3] = want[3, 0] = 1.0
    np.testing.assert_allclose(H.reshape(4, 4), want, rtol=1e-8, atol=1e-8)


def test_hessian_of_a_scalar_function_of_a_float():
    H = gdlab.hessian(lambda x: x**3)(2.0)
    assert np.shape(H) == ()
    np.testing.assert_allclose(H, 12.0, rtol=1e-9)


def rosenbrock(v):
    x, y = v[0], v[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def test_hessian_of_rosenbrock_at_the_minimum():
    # documented accuracy: about 1e-9 relative for smooth f with the default h = 1e-5
    H = gdlab.hessian(rosenbrock)(np.array([1.0, 1.0]))
    np.testing.assert_allclose(H, [[802.0, -400.0], [-400.0, 200.0]], rtol=1e-9)


def test_hessian_of_rosenbrock_elsewhere_against_the_analytic_formula():
    x, y = -1.2, 1.0
    want = [[2 - 400 * (y - 3 * x * x), -400 * x], [-400 * x, 200.0]]
    np.testing.assert_allclose(gdlab.hessian(rosenbrock)(np.array([x, y])), want, rtol=1e-9)


def test_hessian_error_shrinks_with_h_as_documented():
    # O(h^2) truncation: h = 1e-3 is visibly worse than the default on a non-quadratic
    f = lambda v: gdlab.exp(v).sum()  # noqa: E731 - Hessian diag(exp(v))
    x = np.array([1.0, 2.0])
    err = lambda h: np.max(np.abs(gdlab.hessian(f, h=h)(x) - np.diag(np.exp(x))))  # noqa: E731
    assert err(1e-5) < 1e-7 < err(1e-3)


@pytest.mark.parametrize("h", [0.0, -1e-5, np.inf, np.nan])
def test_hessian_rejects_bad_steps(h):
    with pytest.raises(ValueError, match="h must be"):
        gdlab.hessian(rosenbrock, h=h)


def test_hessian_of_a_non_scalar_function_is_a_clear_error():
    with pytest.raises(ValueError, match="scalar"):
        gdlab.hessian(lambda x: x * 2.0)(np.ones(2))
