"""gdlab.functions: objective functions with their gradients, minima, bounds and starts.

- ``get(name, **params)``, ``names()``: the catalog (the seeds' x^2, 3x^2 + 2x + 1, 0.01x^2 + 0.1x,
  x0^2 + x1^2, x^2 - y^2, x^2/20 + y^2, and sphere, ill-conditioned quadratic, Rosenbrock, Beale,
  Booth, Matyas, Himmelblau, Rastrigin, Ackley, Goldstein-Price, six-hump camel, Styblinski-Tang,
  monkey saddle, double well); each factory is also importable (``rosenbrock(dim=5)``).
- ``expr(text)``: a formula typed by a user, parsed safely (no eval) into a Function.
- ``resolve_function(name_or_formula, dim=None)``: a Function from a name (``"rosenbrock:dim=5"``),
  a formula or a callable: the one rule every front end uses.
- ``regression_loss(x, y, bias=..., loss=...)``: data-defined objectives
  with full-batch and mini-batch gradients.
- ``Function(value, dim, ...)``: wrap your own callable written with gdlab ops.
- ``function_spec(f)``, ``function_from_spec(spec)``: a plain-data description that builds f again.

Every function: ``f(x)`` (last axis = ``f.dim``), ``f.grad(x)``, ``f.value_and_grad(x)``,
``f.hessian(x)``, ``f.minima``, ``f.minimum_value``, ``f.saddles``, ``f.bounds`` (d, 2),
``f.start`` (d,), ``f.formula``, ``f.latex``, ``f.name``, ``f.dim``.
"""

from ._function import AUTODIFF_OPS, NUMPY_OPS, Function
from .catalog import (
    CATALOG,
    ackley,
    beale,
    booth,
    double_well,
    elongated_bowl,
    gentle_quadratic,
    get,
    goldstein_price,
    himmelblau,
    ill_conditioned,
    matyas,
    monkey_saddle,
    names,
    paraboloid,
    quadratic,
    rastrigin,
    rosenbrock,
    saddle,
    six_hump_camel,
    sphere,
    square,
    styblinski_tang,
)
from .data import LOSSES, DataLoss, regression_loss
from .expr import CONSTANTS, FUNCTIONS, MAX_DEPTH, MAX_LENGTH, ExpressionError, expr
from .resolve import resolve_function
from .spec import NotRebuildable, function_from_spec, function_spec

__all__ = [
    "Function", "get", "names", "CATALOG", "expr", "ExpressionError", "resolve_function", "FUNCTIONS", "CONSTANTS",
    "MAX_LENGTH", "MAX_DEPTH", "DataLoss", "regression_loss", "LOSSES",
    "NUMPY_OPS", "AUTODIFF_OPS", "function_spec", "function_from_spec", "NotRebuildable",
    "square", "quadratic", "gentle_quadratic", "paraboloid", "saddle", "elongated_bowl",
    "sphere", "ill_conditioned", "rosenbrock", "beale", "booth", "matyas", "himmelblau", "rastrigin",
    "ackley", "goldstein_price", "six_hump_camel", "styblinski_tang", "monkey_saddle", "double_well",
]
