"""How to build a Function again: ``function_spec(f)`` and ``function_from_spec(spec)``.

A spec is a small dict of plain values (arrays only for a data-defined loss's data) that
rebuilds the same objective:

* ``{"catalog": name, "params": {...}}``: ``gdlab.functions.get(name, **params)``;
* ``{"formula": text, "variables": [...]}`` (and ``name``, ``bounds``, ``start``, ``minima``
  when they are not the defaults): ``gdlab.expr(text, variables, ...)``;
* ``{"data_loss": {"x": ..., "y": ..., "bias": ..., "loss": ..., ...}}``: the linear-model
  loss over its data (:class:`~gdlab.functions.DataLoss`, e.g. ``regression_loss(x, y)``);
* ``{"callable": name, "dim": d}``: anything else (a Python callable wrapped in a Function):
  described, not rebuildable. :func:`function_from_spec` refuses it with a clear error.

``function_spec`` never guesses: it rebuilds the function from the spec it is about to
return and keeps the spec only if the rebuilt function describes itself identically
(``to_dict()``) and has bit-identical values at its start point; otherwise the function is
reported as a callable.
"""

from __future__ import annotations

import inspect

import numpy as np

from ._function import Function
from .catalog import CATALOG
from .catalog import get as get_function
from .data import DataLoss
from .expr import expr

__all__ = ["function_spec", "function_from_spec", "NotRebuildable"]


class NotRebuildable(ValueError):
    """A spec that describes a function without the means to build it (a Python callable)."""


def _catalog_spec(f):
    factory = CATALOG.get(f.name)
    if factory is None:
        return None
    accepted = inspect.signature(factory).parameters
    return {"catalog": f.name, "params": {k: _plain(v) for k, v in f.params.items() if k in accepted}}


def _formula_spec(f):
    text, variables = f.params.get("text"), f.params.get("variables")
    if not isinstance(text, str) or not isinstance(variables, (tuple, list)):
        return None
    spec = {"formula": text, "variables": list(variables)}
    try:
        default = expr(text, tuple(variables))
    except ValueError:
        return None
    if f.name != default.name:
        spec["name"] = f.name
    if not np.array_equal(f.bounds, default.bounds):
        spec["bounds"] = f.bounds.tolist()
    if len(f.minima):
        spec["minima"] = f.minima.tolist()
    start_default = expr(text, tuple(variables), bounds=f.bounds)
    if not np.array_equal(f.start, start_default.start):
        spec["start"] = f.start.tolist()
    return spec


def _data_loss_spec(f):
    return {"data_loss": {
        "x": f.x, "y": f.y, "bias": f.bias, "loss": f.loss, "name": f.name, "bounds": f.bounds.tolist(),
        "start": f.start.tolist(), "description": f.description,
        "true_params": None if f.true_params is None else f.true_params.tolist(),
    }}


def _build(spec):
    if "catalog" in spec:
        return get_function(spec["catalog"], **dict(spec.get("params") or {}))
    if "formula" in spec:
        variables = spec.get("variables")
        return expr(spec["formula"], None if variables is None else tuple(variables), name=spec.get("name"),
                    bounds=spec.get("bounds"), start=spec.get("start"), minima=spec.get("minima"))
    if "data_loss" in spec:
        d = dict(spec["data_loss"])
        return DataLoss(np.asarray(d.pop("x")), np.asarray(d.pop("y")), **d)
    if "callable" in spec:
        raise NotRebuildable(f"the function {spec.get('callable')!r} was a Python callable: gdlab keeps its "
                             "description, not its code, so it cannot be built again")
    raise ValueError(f"a function spec needs one of 'catalog', 'formula', 'data_loss' or 'callable'; got {spec!r}")


def _same(f, g):
    if type(f) is not type(g) or f.to_dict() != g.to_dict():
        return False
    try:
        with np.errstate(all="ignore"):  # a start outside the domain (log at x < 0) compares as NaN, silently
            return np.array_equal(f._eval_array(f.start), g._eval_array(g.start), equal_nan=True)
    except (ValueError, TypeError, ArithmeticError):
        return False


def function_spec(f: Function) -> dict:
    """The spec that rebuilds ``f`` (see the module docstring); ``{"callable": ...}`` when none does."""
    if not isinstance(f, Function):
        raise TypeError(f"function_spec needs a gdlab Function, got {type(f).__name__}")
    if type(f) is DataLoss:
        candidates = [_data_loss_spec]
    else:
        candidates = [_catalog_spec, _formula_spec]
    for make in candidates:
        spec = make(f)
        if spec is None:
            continue
        try:
            rebuilt = _build(spec)
        except (ValueError, TypeError):
            continue
        if _same(f, rebuilt):
            return spec
    return {"callable": f.name, "dim": f.dim}


def function_from_spec(spec) -> Function:
    """The Function a spec describes. A ``{"callable": ...}`` spec raises :class:`NotRebuildable`."""
    if not isinstance(spec, dict):
        raise TypeError(f"a function spec is a dict, got {type(spec).__name__}")
    return _build(spec)


def _plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    return v
