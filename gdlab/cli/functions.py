"""``gdlab functions [NAME]``: the catalog of objective functions, or one of them (formula, parameters, minima)."""

from __future__ import annotations

import click

from .common import CONTEXT, checking, fmt_float, fmt_point, make_console, print_table, resolve_function


@click.command("functions", context_settings=CONTEXT)
@click.argument("name", required=False)
def command(name):
    """List the catalog of objective functions, or show one (NAME, or a formula).

    A function with parameters is chosen as NAME:KEY=VALUE, e.g. sphere:dim=5 or
    ill_conditioned:condition=100, wherever a function is asked for.

    \b
    Examples:
      gdlab functions
      gdlab functions rosenbrock
      gdlab functions ill_conditioned:condition=100
      gdlab functions "x**2 - y**2"
    """
    from gdlab import functions as catalog

    console = make_console()
    if name is None:
        console.print(f"[bold]gdlab functions[/]: {len(catalog.names())} in the catalog")
        rows = []
        for fname in catalog.names():
            f = catalog.get(fname)
            rows.append([fname, _dim_text(f), _parameters_text(fname) or "-", str(getattr(f, "formula", "")),
                         _minima_text(f)])
        print_table(console, [("name", "text"), ("dim", "number"), ("parameters", "text"), ("formula", "fold"),
                              ("global minima", "text")], rows)
        console.print("Parameters are given as NAME:KEY=VALUE (sphere:dim=5). Any formula in x, y, z (or x0..xn) "
                      "works too, e.g. gdlab minimize \"x**2 - y**2\".")
        return
    with checking():
        f = resolve_function(name)
    _print_function(console, f)


def _dim_text(f):
    dim = getattr(f, "dim", None)
    return "n" if dim is None else str(dim)


def _parameters(fname):
    """{name: default} of the catalog factory's parameters (empty for a formula)."""
    import inspect

    from gdlab.functions import CATALOG

    factory = CATALOG.get(fname)
    if factory is None:
        return {}
    return {p.name: p.default for p in inspect.signature(factory).parameters.values()
            if p.default is not inspect.Parameter.empty}


def _parameters_text(fname, values=None):
    """``dim=2, condition=100``: the parameters, with ``values`` (those a function was built with) or the defaults."""
    values = values or {}
    shown = {k: values.get(k, v) for k, v in _parameters(fname).items()}
    return ", ".join(f"{k}={fmt_float(v) if isinstance(v, float) else v}" for k, v in shown.items())


def _minima_text(f, limit=3):
    """The known global minima; "none (unbounded below)" where f has none, "unknown" where nobody said."""
    import numpy as np

    minima = np.asarray(getattr(f, "minima", ()), dtype=float)
    if minima.size == 0:
        return "none (unbounded below)" if getattr(f, "unbounded_below", False) else "unknown"
    minima = minima.reshape(len(minima), -1)
    text = ", ".join(fmt_point(m) for m in minima[:limit])
    return text + (f" (+{len(minima) - limit} more)" if len(minima) > limit else "")


def _print_function(console, f):
    import numpy as np

    rows = [("name", str(getattr(f, "name", "")))]
    rows.append(("formula", str(getattr(f, "formula", ""))))
    if getattr(f, "latex", None):
        rows.append(("latex", str(f.latex)))
    rows.append(("dimension", _dim_text(f)))
    params = _parameters_text(getattr(f, "name", ""), getattr(f, "params", None))
    if params:
        rows.append(("parameters", params + "  (NAME:KEY=VALUE sets them)"))
    rows.append(("minima", _minima_text(f, limit=8)))
    minima = np.asarray(getattr(f, "minima", ()), dtype=float)
    if minima.size:
        values = [fmt_float(v) for v in np.atleast_1d(f(minima))]
        rows.append(("f at minima", ", ".join(values[:8])))
    saddles = getattr(f, "saddles", None)
    if saddles is not None and np.asarray(saddles).size:
        rows.append(("saddles", ", ".join(fmt_point(s) for s in np.asarray(saddles).reshape(len(saddles), -1))))
    bounds = getattr(f, "bounds", None)
    if bounds is not None:
        b = np.asarray(bounds, dtype=float).reshape(-1, 2)
        rows.append(("bounds", " x ".join(f"[{fmt_float(lo)}, {fmt_float(hi)}]" for lo, hi in b)))
    start = getattr(f, "start", None)
    if start is not None:
        rows.append(("default start", fmt_point(start)))
    from rich.markup import escape
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in rows:
        grid.add_row(key, escape(value))
    console.print(grid)
