"""Seed 004's numerical_diff and numerical_gradient: the seed's numbers, bit for bit."""

import numpy as np

from gdlab.numdiff import numerical_diff, numerical_gradient


def function_1(x):
    return 0.01 * x**2 + 0.1 * x


def function_2(x):
    return x[0] ** 2 + x[1] ** 2


def test_numerical_diff_of_function_1_bit_for_bit():
    assert numerical_diff(function_1, 5) == 0.1999999999990898
    assert numerical_diff(function_1, 10) == 0.2999999999986347


def test_partial_derivatives_bit_for_bit():
    assert numerical_diff(lambda x0: x0 * x0 + 4.0**2.0, 3.0) == 6.00000000000378
    assert numerical_diff(lambda x1: 3.0**2.0 + x1 * x1, 4.0) == 7.999999999999119


def test_numerical_gradient_at_the_seed_points():
    np.testing.assert_allclose(numerical_gradient(function_2, np.array([3.0, 4.0])), [6.0, 8.0], rtol=1e-10)
    np.testing.assert_allclose(numerical_gradient(function_2, np.array([0.0, 2.0])), [0.0, 4.0], atol=1e-10)
    np.testing.assert_allclose(numerical_gradient(function_2, np.array([3.0, 0.0])), [6.0, 0.0], atol=1e-10)


def test_numerical_gradient_equals_the_partials_bit_for_bit():
    g = numerical_gradient(function_2, np.array([3.0, 4.0]))
    assert g.tolist() == [6.00000000000378, 7.999999999999119]


def test_numerical_gradient_of_the_seed_loop_bit_for_bit():
    """The same numbers as the seed's in-place loop, without touching the caller's x."""
    def seed_numerical_gradient(f, x):
        h = 1e-4
        grad = np.zeros_like(x)
        for idx in range(x.size):
            tmp_val = x[idx]
            x[idx] = tmp_val + h
            fxh1 = f(x)
            x[idx] = tmp_val - h
            fxh2 = f(x)
            grad[idx] = (fxh1 - fxh2) / (2 * h)
            x[idx] = tmp_val
        return grad

    for point in [(3.0, 4.0), (0.0, 2.0), (3.0, 0.0), (-1.5, 0.25)]:
        x = np.array(point)
        np.testing.assert_array_equal(numerical_gradient(function_2, x), seed_numerical_gradient(function_2, x.copy()))
        assert x.tolist() == list(point)


def test_numerical_gradient_of_integer_input_is_float():
    """The seed's version returns an int array for int x (np.zeros_like); gdlab's is float64."""
    g = numerical_gradient(function_2, np.array([3, 4]))
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, [6.0, 8.0], rtol=1e-10)
