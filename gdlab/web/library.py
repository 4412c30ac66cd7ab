"""The server's window on the library: every gdlab call the web layer makes goes through here.

Each function is a thin translation into one library call, so the server's numbers are the
library's numbers (``race`` is ``gdlab.race``, ``tune`` is ``gdlab.tune``, the basin map is
``gdlab.runs.basins`` of a ``gdlab.race`` over ``gdlab.runs.grid_starts``). Keeping them here
means a library change (one ``resolve_function``, basins moving into ``gdlab.runs``, a
compiled engine) is a change in one place.

Time budget: a run's gradient function is wrapped so that every evaluation checks the
request's deadline (and races check it between optimizers): an over-long request stops
within one step of its budget with :class:`BudgetExceeded`, and its numbers are untouched
otherwise (the wrapper only passes the call on).
"""

from __future__ import annotations

import copy
import time

import numpy as np

import gdlab
from gdlab import functions as catalog
from gdlab import optim

__all__ = ["resolve_function", "function_info", "optimizer_catalog", "surface", "race", "tune", "basins",
           "stability", "house_style", "BudgetExceeded", "Deadline", "network_data", "playground",
           "model_bytes"]



class BudgetExceeded(Exception):
    """The request's computation ran past its time budget."""


class Deadline:
    """A point in time (``time.monotonic``) after which a request's computation stops."""

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.at = time.monotonic() + self.seconds

    def check(self):
        if time.monotonic() > self.at:
            raise BudgetExceeded(f"the computation took longer than the time budget of {self.seconds:g} s")


# ---------------------------------------------------------------------------------------------
# functions


def resolve_function(text: str):
    """A gdlab Function from a catalog name (``rosenbrock``, ``sphere:dim=3``) or a formula: the library's
    one rule, :func:`gdlab.functions.resolve_function` (``ExpressionError`` with ``.position`` for formulas)."""
    text = str(text)
    if not text.strip():
        return catalog.expr(text)  # the parser's own "empty formula" error, with its position
    return catalog.resolve_function(text)


def _points(a) -> list:
    return np.asarray(a, dtype=np.float64).tolist()


def function_info(f) -> dict:
    """What the page needs to know about a function (JSON-ready)."""
    return {
        "name": f.name, "dim": f.dim, "formula": f.formula, "latex": f.latex, "description": f.description,
        "bounds": _points(f.bounds), "minima": _points(f.minima), "start": _points(f.start),
        "local_minima": _points(f.local_minima), "saddles": _points(f.saddles), "maxima": _points(f.maxima),
        "minimum_value": f.minimum_value, "unbounded_below": f.unbounded_below, "quadratic": f.is_quadratic,
    }


def catalog_functions() -> list:
    """Every catalog function with its default parameters."""
    return [function_info(catalog.get(name)) for name in catalog.names()]


def surface(f, n: int, bounds=None) -> dict:
    """The values of a 1-D or 2-D function on a grid, and contour levels (log-spaced where the range is wide)."""
    from gdlab import viz

    b = np.asarray(f.bounds if bounds is None else bounds, dtype=np.float64).reshape(f.dim, 2)
    with np.errstate(all="ignore"):
        if f.dim == 1:
            x = np.linspace(b[0, 0], b[0, 1], n)
            z = np.asarray(f(x[:, None]), dtype=np.float64)
            y = None
        else:
            X, Y, z = f.grid(n, b)
            x, y = X[0], Y[:, 0]
        levels = viz.contour_levels(z, n=18)
    return {"x": x, "y": y, "z": z, "levels": levels, "bounds": b}


# ---------------------------------------------------------------------------------------------
# optimizers


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def optimizer_catalog() -> list:
    """Every optimizer rule with its hyperparameters (name, kind, default), state and colour."""
    from gdlab import viz

    out = []
    for name in optim.rule_names():
        rule = optim.get_rule(name)
        params = []
        for key, default in rule.defaults.items():
            if isinstance(default, bool):
                kind = "flag"
            elif isinstance(default, tuple) and len(default) == 2 and all(_is_number(v) for v in default):
                kind = "pair"
                default = list(default)
            elif _is_number(default):
                kind = "number"
            else:  # None, a name, a triple (Muon's ns_coefficients, L-BFGS's line_search_fn): no control, the default
                kind = "fixed"
                default = list(default) if isinstance(default, tuple) else default
            params.append({"name": key, "kind": kind, "default": default})
        summary = (rule.doc.strip().splitlines() or [""])[0]
        out.append({"name": name, "rule": rule.name, "color": viz.color_for(name), "params": params,
                    "defaults": {p["name"]: p["default"] for p in params}, "state": dict(rule.state_keys),
                    "summary": summary})
    return out


def check_hyperparameters(name: str, hp: dict) -> dict:
    """The rule's validated hyperparameters (gdlab.optim's checks), or ValueError/TypeError."""
    return optim.get_rule(name).hyperparameters(**hp)


def house_style() -> dict:
    """gdlab's colours, so the page looks like the figures."""
    from gdlab.viz import _style as S

    return {"palette": dict(S.PALETTE), "cycle": list(S.CYCLE), "class_colors": list(S.CLASS_COLORS),
            "landscape": list(S.LANDSCAPE_COLORS), "minimum": S.MINIMUM_COLOR, "diverged": S.DIVERGED_COLOR,
            "ink": S.INK, "muted": S.MUTED}


# ---------------------------------------------------------------------------------------------
# runs


def _timed(f, deadline: Deadline):
    """A shallow copy of ``f`` whose gradient function checks ``deadline`` before every evaluation."""
    g = copy.copy(f)
    make = f.value_and_grad_fn

    def value_and_grad_fn(*args, **kwargs):
        vg = make(*args, **kwargs)
        check = deadline.check

        def timed(points):
            check()
            return vg(points)

        return timed

    g.value_and_grad_fn = value_and_grad_fn
    return g


def race(f, starts, specs: dict, steps: int, *, tol=None, noise=None, seed=None, record=("params", "loss"),
         deadline: Deadline):
    """``gdlab.race`` of ``specs`` (label -> {"optimizer": name, **hp}): dict label -> Trajectory.

    One ``gdlab.race`` call per optimizer (race runs each optimizer independently, with its own
    generator seeded by ``seed``, so the numbers are those of one call with all of them), with the
    deadline checked in between.
    """
    ft = _timed(f, deadline)
    out = {}
    for label, spec in specs.items():
        deadline.check()
        out.update(gdlab.race(ft, starts, {label: spec}, steps, tol=tol, noise=noise, seed=seed, record=record))
    return out


def stability_point(f, start, final):
    """Where a run's stability bound is taken: the known minimum nearest to where the run ended
    (the fixed point it converges to, or fails to), else its start. Returns (point, "minimum"|"start")."""
    start = np.asarray(start, dtype=np.float64)
    if len(f.minima):
        end = np.asarray(final, dtype=np.float64)
        ref = end if np.all(np.isfinite(end)) else start
        i = int(np.argmin(np.linalg.norm(f.minima - ref, axis=1)))
        return f.minima[i], "minimum"
    return start, "start"


def stability(f, optimizer: str, hp: dict, start, final):
    """``gdlab.runs.stability`` for this optimizer's settings at :func:`stability_point`, as a dict
    (None where it cannot say): the largest stable lr for gradient descent and momentum methods."""
    point, where = stability_point(f, start, final)
    try:
        report = gdlab.runs.stability(f, optimizer, x=point, **hp)
    except (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError):
        return None
    d = report.to_dict()
    keep = ("max_stable_lr", "stable", "rate", "exact", "bound", "notes", "L", "mu", "condition_number")
    return {**{k: d.get(k) for k in keep}, "point": point.tolist(), "at": where}


def tune(f, starts, specs: dict, steps: int, *, lrs=None, tol=None, noise=None, seed=None, deadline: Deadline):
    """``gdlab.tune`` (objective "loss", loss curves only): best lr and scores per label."""
    result = gdlab.tune(_timed(f, deadline), starts, specs, steps, lrs=lrs, tol=tol, noise=noise, seed=seed,
                        record=("loss",))
    return result


def basins(f, label: str, spec: dict, steps: int, grid: int, *, tol=None, noise=None, seed=None,
           deadline: Deadline):
    """A basin-of-attraction map: ``gdlab.runs.basins`` of a race over ``gdlab.runs.grid_starts``.

    Returns the grid (x, y), the start grid's run, and the basins namespace (label, steps,
    minima, tol, share) in the row-by-row order of ``grid_starts``.
    """
    from gdlab import runs

    starts = runs.grid_starts(f.bounds, grid)
    run = race(f, starts, {label: spec}, steps, tol=tol, noise=noise, seed=seed, record=("params",),
               deadline=deadline)[label]
    res = runs.basins(run)
    b = np.asarray(f.bounds, dtype=np.float64)
    return {"x": np.linspace(b[0, 0], b[0, 1], grid), "y": np.linspace(b[1, 0], b[1, 1], grid), "run": run,
            "basins": res}


# ---------------------------------------------------------------------------------------------
# networks


def network_data(name: str, n_samples: int, noise: float, seed, csv_text=None, max_samples=None, max_bytes=None):
    """A 2-D data set: ``gdlab.nn.playground.playground_data``, or the user's CSV through
    ``gdlab.datasets.load_points_csv`` (``PointsError``, a ValueError naming the line)."""
    if name == "csv":
        from gdlab.datasets import load_points_csv

        return load_points_csv(csv_text or "", max_samples=max_samples, max_bytes=max_bytes)
    from gdlab.nn.playground import playground_data

    return playground_data(name, n_samples=n_samples, noise=noise, seed=seed)


def playground(data, **settings):
    """``gdlab.nn.playground.Playground(data, **settings)``: the copies, compiled, at epoch 0."""
    from gdlab.nn.playground import Playground

    return Playground(data, **settings)


def model_bytes(model) -> bytes:
    """``model.save`` (the .npz ``gdlab.nn.load_model`` reads) as bytes."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory(prefix="gdlab-model-") as tmp:
        path = os.path.join(tmp, "model.npz")
        model.save(path)
        with open(path, "rb") as fh:
            return fh.read()
