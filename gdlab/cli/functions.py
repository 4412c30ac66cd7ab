"""``gdlab functions [NAME]``: the catalog of objective functions, or one of them (formula, minima, bounds)."""

from __future__ import annotations

import click

from .common import CONTEXT, fmt_float, fmt_point, make_console, resolve_function


@click.command("functions", context_settings=CONTEXT)
@click.argument("name", required=False)
def command(name):
    """List the catalog of objective functions, or show one (NAME, or a formula).

    \b
    Examples:
      gdlab functions
      gdlab functions rosenbrock
      gdlab functions "x**2 - y**2"
    """
    from gdlab import functions as catalog

    console = make_console()
    if name is None:
        from rich.table import Table

        console.print(f"[bold]gdlab functions[/]: {len(catalog.names())} in the catalog")
        table = Table()
        for column in ("name", "dim", "formula", "minima"):
            table.add_column(column, overflow="fold")
        for fname in catalog.names():
            f = catalog.get(fname)
            table.add_row(fname, _dim_text(f), str(getattr(f, "formula", "")), _minima_text(f))
        console.print(table)
        console.print("Any formula in x, y, z (or x0..xn) works too, e.g. gdlab minimize \"x**2 - y**2\".")
        return
    f = resolve_function(name)
    _print_function(console, f)


def _dim_text(f):
    dim = getattr(f, "dim", None)
    return "n" if dim is None else str(dim)


def _minima_text(f, limit=3):
    import numpy as np

    minima = getattr(f, "minima", None)
    if minima is None:
        return "-"
    minima = np.asarray(minima, dtype=float)
    if minima.size == 0:
        return "none"
    minima = minima.reshape(len(minima), -1)
    text = ", ".join(fmt_point(m, 4) for m in minima[:limit])
    return text + (f" (+{len(minima) - limit} more)" if len(minima) > limit else "")


def _print_function(console, f):
    import numpy as np

    rows = [("name", str(getattr(f, "name", "")))]
    rows.append(("formula", str(getattr(f, "formula", ""))))
    if getattr(f, "latex", None):
        rows.append(("latex", str(f.latex)))
    rows.append(("dimension", _dim_text(f)))
    minima = getattr(f, "minima", None)
    if minima is not None and np.asarray(minima).size:
        values = [fmt_float(v) for v in np.atleast_1d(f(np.asarray(minima, dtype=float)))]
        rows.append(("minima", _minima_text(f, limit=8)))
        rows.append(("f at minima", ", ".join(values[:8])))
    else:
        rows.append(("minima", "none"))
    saddles = getattr(f, "saddles", None)
    if saddles is not None and np.asarray(saddles).size:
        rows.append(("saddles", ", ".join(fmt_point(s, 4) for s in np.asarray(saddles).reshape(len(saddles), -1))))
    bounds = getattr(f, "bounds", None)
    if bounds is not None:
        b = np.asarray(bounds, dtype=float).reshape(-1, 2)
        rows.append(("bounds", " x ".join(f"[{fmt_float(lo, 4)}, {fmt_float(hi, 4)}]" for lo, hi in b)))
    start = getattr(f, "start", None)
    if start is not None:
        rows.append(("default start", fmt_point(start)))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        console.print(f"[bold]{key.ljust(width)}[/bold]  {value}", soft_wrap=True)
