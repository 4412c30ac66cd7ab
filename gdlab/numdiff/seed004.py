"""The numerical-differentiation experiments of seed 004, as data (and as a printable table).

Seed 004 (notes on chapter 4 of "Deep Learning from Scratch") differentiates:

1. y = 0.01 x^2 + 0.1 x at x = 5 and x = 10 (exact: 0.02 x + 0.1 = 0.2 and 0.3);
2. the partial derivatives of f(x0, x1) = x0^2 + x1^2 at (3, 4), one variable fixed
   (function_tmp1(x0) = x0*x0 + 4.0**2.0, function_tmp2(x1) = 3.0**2.0 + x1*x1; exact 6 and 8);
3. the numerical gradient of x0^2 + x1^2 at (3, 4), (0, 2) and (3, 0) (exact: (2 x0, 2 x1)).

``seed004_table()`` returns one dict per experiment: ``experiment``, ``point``, ``numerical`` (seed
004's ``numerical_diff`` / ``numerical_gradient``, h = 1e-4) and ``exact`` (the analytic formula, or a
gradient function's value: ``seed004_table(exact=gdlab.grad)`` puts gdlab's autodiff there), plus
``abs_error`` = max |numerical - exact|. numdiff sits below autodiff, so the caller hands it in.
"""

from __future__ import annotations

import numpy as np

from .finite import numerical_diff, numerical_gradient

__all__ = ["seed004_table", "format_seed004_table"]


def function_1(x):
    """Seed 004: y = 0.01 x^2 + 0.1 x."""
    return 0.01 * x**2 + 0.1 * x


def function_tmp1(x0):
    """Seed 004: x0^2 + x1^2 with x1 = 4 fixed."""
    return x0 * x0 + 4.0**2.0


def function_tmp2(x1):
    """Seed 004: x0^2 + x1^2 with x0 = 3 fixed."""
    return 3.0**2.0 + x1 * x1


def function_2(x):
    """Seed 004: x0^2 + x1^2 (written with ``**`` and ``sum`` so that it also runs on Tensors)."""
    return (x**2).sum()


_ANALYTIC = {
    function_1: lambda x: 0.02 * x + 0.1,
    function_tmp1: lambda x0: 2.0 * x0,
    function_tmp2: lambda x1: 2.0 * x1,
    function_2: lambda x: 2.0 * np.asarray(x, dtype=np.float64),
}


def _exact(f, x, source):
    return _ANALYTIC[f](x) if source == "analytic" else source(f)(x)


def _check_source(exact):
    if not (exact == "analytic" or callable(exact)):
        raise ValueError(f"exact must be 'analytic' or a gradient function such as gdlab.grad, got {exact!r}")


def _source_name(exact):
    if exact == "analytic":
        return "analytic"
    return f"{exact.__module__.split('.')[0]}.{exact.__name__}" if hasattr(exact, "__name__") else repr(exact)


def _plain(value):
    """A float, or a tuple of floats for a vector (easy to print and to compare)."""
    arr = np.asarray(value, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else tuple(float(v) for v in arr.reshape(-1))


def seed004_table(exact="analytic"):
    """The seed-004 experiments as a list of dicts (see the module docstring).

    ``exact="analytic"`` fills the exact column with the hand-written derivatives; a gradient
    function ``grad(f) -> df`` fills it with ``grad(f)(x)``, e.g. ``exact=gdlab.grad`` (autodiff).
    """
    _check_source(exact)
    experiments = [
        ("d/dx (0.01 x^2 + 0.1 x)", function_1, 5.0, numerical_diff),
        ("d/dx (0.01 x^2 + 0.1 x)", function_1, 10.0, numerical_diff),
        ("d/dx0 (x0^2 + x1^2), x1 = 4", function_tmp1, 3.0, numerical_diff),
        ("d/dx1 (x0^2 + x1^2), x0 = 3", function_tmp2, 4.0, numerical_diff),
        ("grad (x0^2 + x1^2)", function_2, (3.0, 4.0), numerical_gradient),
        ("grad (x0^2 + x1^2)", function_2, (0.0, 2.0), numerical_gradient),
        ("grad (x0^2 + x1^2)", function_2, (3.0, 0.0), numerical_gradient),
    ]
    rows = []
    for name, f, point, method in experiments:
        x = point if isinstance(point, float) else np.array(point)
        numerical = _plain(method(f, x))
        exact_value = _plain(_exact(f, x, exact))
        error = float(np.max(np.abs(np.subtract(numerical, exact_value))))
        rows.append(
            {"experiment": name, "point": point, "numerical": numerical, "exact": exact_value, "abs_error": error}
        )
    return rows


def _fmt(value):
    if isinstance(value, tuple):
        return "(" + ", ".join(repr(v) for v in value) + ")"
    return repr(value)


def format_seed004_table(rows=None, exact="analytic"):
    """The rows of ``seed004_table(exact)`` as a plain-text table (numbers printed with ``repr``: all digits)."""
    _check_source(exact)
    if rows is None:
        rows = seed004_table(exact=exact)
    header = ("experiment", "point", "numerical (h = 1e-4)", f"exact ({_source_name(exact)})", "|error|")
    body = [
        (r["experiment"], _fmt(r["point"]), _fmt(r["numerical"]), _fmt(r["exact"]), f"{r['abs_error']:.1e}")
        for r in rows
    ]
    widths = [max(len(line[k]) for line in [header, *body]) for k in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in [header, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
