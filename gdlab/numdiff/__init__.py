"""Numerical differentiation by finite differences (NumPy only).

- ``derivative(f, x, h=1e-4, method="central")``: f: R -> R, at a number or at an array of points.
- ``gradient(f, x, h=1e-4, method="central")``: f: array -> scalar, any shape of x.
- ``jacobian(f, x, h=1e-4, method="central")``: f: R^n -> R^m, any shapes; result f(x).shape + x.shape.
- ``hessian(f, x, h=1e-4)``: mixed central second differences, symmetric.
- ``numerical_diff(f, x)``, ``numerical_gradient(f, x)``: seed 004's functions (central, h = 1e-4).

Methods: "forward", "backward", "central", "five-point" (see ``STENCILS``); ``optimal_step(method)``
is the step that balances truncation and round-off. ``gradcheck`` and
``step_size_study`` compare these with gdlab's autodiff and live in ``gdlab.autodiff.check``.
"""

from .finite import (
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

__all__ = [
    "METHODS",
    "STENCILS",
    "derivative",
    "gradient",
    "hessian",
    "jacobian",
    "numerical_diff",
    "numerical_gradient",
    "optimal_step",
]
