"""gdlab.autodiff.check: gradcheck and step_size_study."""

import math

import numpy as np
import pytest

from gdlab.autodiff import Tensor
from gdlab.autodiff.check import GradcheckError, StepSizeStudy, gradcheck, step_size_study

rng = np.random.default_rng(0)


# --- gradcheck passes on correct functions ------------------------------------------------------

@pytest.mark.parametrize(
    "f, inputs",
    [
        (lambda x: x * x, (3.0,)),                                            # 0-d
        (lambda x: (x**3).sum(), (rng.normal(size=5),)),                      # vector -> scalar
        (lambda x: x.exp(), (rng.normal(size=(2, 3)),)),                      # non-scalar output
        (lambda W, x: W @ x, (rng.normal(size=(3, 4)), rng.normal(size=4))),  # two inputs
        (lambda a, b: a * b + a / (b * b + 1.0), (rng.normal(size=(2, 3)), rng.normal(size=3))),  # broadcast
    ],
)
def test_gradcheck_passes(f, inputs):
    assert gradcheck(f, *inputs) is True


def test_gradcheck_accepts_tensors_and_leaves_them_alone():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert gradcheck(lambda t: (t * t).sum(), x)
    assert x.grad is None
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_gradcheck_input_not_used_has_zero_gradient():
    assert gradcheck(lambda a, b: a * 2.0, np.ones(2), np.ones(3))


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(GradcheckError, AssertionError)


# --- gradcheck fails on wrong gradients -----------------------------------------------------------

def wrong_square(x):
    """x * x with one factor detached: autodiff says x, the true derivative is 2x."""
    return x * x.detach()


def test_gradcheck_fails_with_an_informative_message():
    x = np.array([1.0, -2.0, 3.0])
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: wrong_square(t).sum(), x)
    msg = str(info.value)
    assert "input 0" in msg and "shape (3,)" in msg
    assert "index (2,)" in msg  # the worst element: |a - n| = |x| is largest at x = 3
    assert "autodiff 3.0" in msg and "numerical 6.0" in msg
    assert "absolute error 3.000e+00" in msg and "relative error 5.000e-01" in msg
    assert "3 of 3 elements" in msg


def test_gradcheck_names_the_failing_input():
    a, b = np.array([1.0, 2.0]), np.array([[0.5, -1.0], [2.0, 1.5]])
    with pytest.raises(GradcheckError, match=r"input 1 \(0-based position, shape \(2, 2\)\) at index \((\d), (\d)\)"):
        gradcheck(lambda p, q: p * 3.0 + wrong_square(q), a, b)


def test_gradcheck_non_scalar_output_mentions_the_weights():
    with pytest.raises(GradcheckError, match=r"sum\(out \* w\)"):
        gradcheck(wrong_square, np.array([1.0, 2.0]))


def test_gradcheck_returns_false_without_raising():
    assert gradcheck(wrong_square, np.array([1.0, 2.0]), raise_exception=False) is False


def test_gradcheck_fully_detached_output_fails():
    with pytest.raises(GradcheckError, match="autodiff 0.0"):
        gradcheck(lambda x: (x * x).detach(), 2.0)


def test_gradcheck_tolerances():
    """A gradient wrong by 1e-4 * x: inside rtol=1e-3 of |n| ~ 2, outside atol alone."""
    def f(x):
        return x**2 + 1e-4 * wrong_square(x)

    assert gradcheck(f, 1.0)
    assert gradcheck(f, 1.0, rtol=0.0, raise_exception=False) is False
    assert gradcheck(f, 1.0, rtol=0.0, atol=1e-3)


def test_gradcheck_validation():
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda x: x)
    with pytest.raises(ValueError, match="eps must be a positive finite number; got 0"):
        gradcheck(lambda x: x, 1.0, eps=0)
    with pytest.raises(ValueError, match="rtol must be a finite number >= 0; got -1"):
        gradcheck(lambda x: x, 1.0, rtol=-1)
    with pytest.raises(TypeError, match="f must be a callable"):
        gradcheck("f", 1.0)
    with pytest.raises(TypeError, match="f must return a gdlab Tensor"):
        gradcheck(lambda x: 1.0, 1.0)
    with pytest.raises(TypeError, match="input 1 must be a real number"):
        gradcheck(lambda x, y: x, 1.0, "two")


# --- step_size_study --------------------------------------------------------------------------------

def test_step_size_study_central_on_exp_at_1():
    s = step_size_study(lambda x: x.exp(), 1.0)
    assert isinstance(s, StepSizeStudy)
    assert s.exact == pytest.approx(math.e, rel=1e-15)
    assert s.hs.shape == s.errors.shape == (25,)
    assert 1e-7 <= s.best_h <= 1e-3
    assert s.best_error < 1e-9
    # the trade-off: large h and tiny h are both much worse than the best h
    assert s.errors[0] > 1e4 * s.best_error and s.errors[-1] > 1e4 * s.best_error
    assert s.expected_h == pytest.approx(np.finfo(float).eps ** (1 / 3))
    assert "best h" in str(s) and len(s.rows()) == 25


def test_step_size_study_best_h_grows_with_the_order():
    best = {m: step_size_study(lambda x: x.exp(), 1.0, method=m).best_h for m in ("forward", "central", "five-point")}
    assert best["forward"] < best["central"] < best["five-point"]
    assert 1e-10 <= best["forward"] <= 1e-6
    assert 1e-5 <= best["five-point"] <= 1e-1


def test_step_size_study_at_an_array_point():
    s = step_size_study(lambda x: (x**3).sum(), np.array([1.0, 2.0]), hs=[1e-2, 1e-5, 1e-12])
    np.testing.assert_allclose(s.exact, [3.0, 12.0])
    assert s.best_h == 1e-5


def test_step_size_study_with_a_given_exact_derivative():
    s = step_size_study(lambda x: x * x, 0.5, hs=[1e-1, 1e-2], exact=1.5)  # deliberately off by 0.5
    np.testing.assert_allclose(s.errors, [0.5, 0.5], rtol=1e-9)
    assert s.exact == 1.5


def test_step_size_study_validation():
    with pytest.raises(ValueError, match="hs must be"):
        step_size_study(lambda x: x, 1.0, hs=[1e-3, -1.0])
    with pytest.raises(ValueError, match="unknown method 'sideways'"):
        step_size_study(lambda x: x, 1.0, method="sideways")
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        step_size_study(lambda x: x * 2.0, np.ones(2))
