"""A grid (key -> values) expanded into tasks: plain JSON dicts, one per configuration.

Two kinds of grid:

- objective functions, when the grid has ``function``: function (catalog name, ``name:key=value``
  or formula) x optimizer x hyperparameters x steps x seed x starts, plus minimize's options;
- training, when the grid has ``dataset``: data set x model x optimizer x lr and other
  hyperparameters x batch_size x epochs x seed, plus the other fields of
  :class:`gdlab.nn.recipe.TrainSpec`.

A value is a list of values, one value, a log range ``{"log": [lo, hi, count]}`` (or the
string ``"lo:hi:count"``, as ``gdlab sweep --lrs`` writes it), or a linear range
``{"lin": [lo, hi, count]}``. A hyperparameter goes to the optimizers that have it (``momentum``
to momentum, nesterov, sgd and rmsprop, not to adam): the product is taken per optimizer and
tasks that come out the same are kept once.
"""

from __future__ import annotations

import itertools
import json
import numbers
import re

import numpy as np

from .. import optim
from ..runs.minimize import RUN_OPTIONS

__all__ = ["expand", "GridError", "MAX_TASKS", "grid_values", "OBJECTIVE_KEYS", "TRAIN_KEYS"]

#: a grid may expand to at most this many tasks (each is a dict in memory and a row in the store)
MAX_TASKS = 1_000_000

#: objective grids: the keys that are not optimizer hyperparameters
OBJECTIVE_KEYS = ("function", "optimizer", "steps", "seed", "x0", "starts", "tol", "noise",
                  *(k for k in RUN_OPTIONS if k != "record"))
#: training grids: the TrainSpec fields other than optimizer_params (the other keys are hyperparameters)
TRAIN_KEYS = ("dataset", "data", "test_size", "standardize", "model", "activation", "loss", "metrics", "optimizer",
              "lr", "epochs", "batch_size", "seed")
_RANGE = re.compile(r"\s*([-+0-9.eE]+)\s*:\s*([-+0-9.eE]+)\s*:\s*(\d+)\s*\Z")


class GridError(ValueError):
    """A grid that cannot be expanded; the message names the key and what is allowed."""


def _range(key, kind, spec):
    if not isinstance(spec, (list, tuple)) or len(spec) != 3:
        raise GridError(f"grid {key}: {{{kind!r}: [lo, hi, count]}} needs three numbers, got {spec!r}")
    lo, hi, count = spec
    if isinstance(count, bool) or not isinstance(count, numbers.Integral) or not 1 <= count <= 100_000:
        raise GridError(f"grid {key}: the count of a range must be an int in [1, 100000], got {count!r}")
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v):
            raise GridError(f"grid {key}: a range's ends must be finite numbers, got {spec!r}")
    if kind == "log":
        if lo <= 0 or hi <= 0:
            raise GridError(f"grid {key}: a log range needs ends > 0, got {spec!r}")
        values = np.geomspace(lo, hi, count) if count > 1 else np.array([lo])
    else:
        values = np.linspace(lo, hi, count)
    return [float(v) for v in values]


def grid_values(key, value) -> list:
    """The list of values of one grid key (see the module docstring for the forms)."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ("log", "lin"):
            kind, spec = next(iter(value.items()))
            return _range(key, kind, spec)
        if key != "data":
            raise GridError(f"grid {key}: a mapping must be {{'log': [lo, hi, count]}} or {{'lin': [lo, hi, count]}}, "
                            f"got {value!r}")
        return [value]
    if isinstance(value, str):
        m = _RANGE.match(value)
        if m and key not in ("function", "dataset", "model", "optimizer"):
            try:
                return _range(key, "log", [float(m.group(1)), float(m.group(2)), int(m.group(3))])
            except ValueError as exc:
                raise GridError(str(exc)) from None
        return [value]
    if isinstance(value, (np.ndarray, range)):
        value = list(value.tolist() if isinstance(value, np.ndarray) else value)
    if isinstance(value, (list, tuple)):
        if key == "x0" and value and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value):
            return [list(value)]  # one start point, not a list of 1-D starts
        if not value:
            raise GridError(f"grid {key}: an empty list of values")
        return [v.tolist() if isinstance(v, np.ndarray) else v for v in value]
    return [value]


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def _optimizer(value):
    """(name, fixed hyperparameters) of an optimizer value: a name or {"optimizer": name, **hp}."""
    if isinstance(value, str):
        return value.strip().lower(), {}
    if isinstance(value, dict) and isinstance(value.get("optimizer"), str):
        hp = {k: _plain(v) for k, v in value.items() if k != "optimizer"}
        return value["optimizer"].strip().lower(), hp
    raise GridError(f"grid optimizer: a value is a name or {{'optimizer': name, **hyperparameters}}, got {value!r}")


def _accepts(name):
    try:
        return set(optim.get_rule(name).defaults)
    except ValueError as exc:
        raise GridError(f"grid optimizer: {exc}") from None


def _check_int(key, value, lo=0, optional=True):
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < lo:
        raise GridError(f"grid {key}: each value must be an int >= {lo}{' or None' if optional else ''}, got {value!r}")
    return int(value)


def _product(values, order):
    for combo in itertools.product(*(values[k] for k in order)):
        yield dict(zip(order, combo))


_KEY = json.JSONEncoder(sort_keys=True)


def _may_repeat(values, optimizers):
    """Whether the product can hold a task twice: a key lists a value twice, or an optimizer comes
    twice (``"adam"`` and ``{"optimizer": "adam", "lr": 0.1}`` give the same task for lr = 0.1)."""
    if len({name for name, _ in optimizers}) < len(optimizers):
        return True
    for k, vs in values.items():
        if k == "function":
            vs = [v.strip() for v in vs]
        if k != "optimizer" and len({_KEY.encode(v) for v in vs}) < len(vs):
            return True
    return False


def _dedupe(tasks):
    seen, out = set(), []
    for task in tasks:
        key = _KEY.encode(task)
        if key not in seen:
            seen.add(key)
            out.append(task)
    return out


def _count(values):
    n = 1
    for v in values.values():
        n *= len(v)
    if n > MAX_TASKS:
        raise GridError(f"the grid has {n:,} combinations; at most {MAX_TASKS:,} tasks are allowed")


def expand(grid) -> tuple[str, list[dict]]:
    """``(mode, tasks)``: mode "objective" or "train", and the tasks in the grid's order.

    An objective task is ``{"function", "optimizer", "hyperparameters", "steps", "seed", "x0",
    "starts", "options"}``; a training task is ``{"spec": TrainSpec.to_dict()}``.
    """
    if not isinstance(grid, dict) or not grid:
        raise GridError(f"a grid is a non-empty mapping key -> values, got {grid!r}")
    for key in grid:
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z_]\w*", key):
            raise GridError(f"grid keys are names such as lr or momentum, got {key!r}")
    if "function" in grid and "dataset" in grid:
        raise GridError("a grid has 'function' (objective functions) or 'dataset' (training), not both")
    if "function" in grid:
        return "objective", _objective(grid)
    if "dataset" in grid:
        return "train", _train(grid)
    raise GridError("a grid needs 'function' (objective functions: catalog names or formulas) or 'dataset' "
                    "(training on data sets)")


def _objective(grid):
    values = {k: grid_values(k, _plain(v)) for k, v in grid.items()}
    values.setdefault("optimizer", ["gd"])
    values.setdefault("steps", [100])
    values.setdefault("seed", [None])
    values.setdefault("x0", [None])
    values.setdefault("starts", [None])
    _count(values)
    for f in values["function"]:
        if not isinstance(f, str) or not f.strip():
            raise GridError(f"grid function: each value is a catalog name or a formula, got {f!r}")
    values["steps"] = [_check_int("steps", s, lo=1, optional=False) for s in values["steps"]]
    for s in values["seed"]:
        _check_int("seed", s)
    for n in values["starts"]:
        if _check_int("starts", n, lo=1) is not None and values["seed"] == [None]:
            raise GridError("grid starts: N random starts are drawn from the task's seed; give seed too, "
                            "e.g. seed=[0, 1, 2]")
    for x in values["x0"]:
        if x is not None and not (isinstance(x, list) and all(isinstance(v, numbers.Real) for v in x)):
            raise GridError(f"grid x0: each value is a start point [x, y, ...] or None, got {x!r}")
    if values["x0"] != [None] and values["starts"] != [None]:
        raise GridError("grid: x0 (given starts) and starts (N random starts) exclude each other")
    options = [k for k in values if k in OBJECTIVE_KEYS and k not in ("function", "optimizer", "steps", "seed",
                                                                        "x0", "starts")]
    hps = [k for k in values if k not in OBJECTIVE_KEYS]
    if "record" in grid:
        raise GridError("grid record: a sweep records the loss curves only (memory stays bounded)")
    tasks = []
    optimizers = [_optimizer(opt) for opt in values["optimizer"]]
    for f in values["function"]:
        function = f.strip()
        for name, fixed in optimizers:
            accepted = _accepts(name)
            mine = [k for k in hps if k in accepted and k not in fixed]
            unknown = sorted(set(fixed) - accepted)
            if unknown:
                raise GridError(f"grid optimizer {name}: unknown hyperparameter(s) {', '.join(unknown)}; "
                                f"known: {', '.join(sorted(accepted))}")
            # one tuple per task, unpacked by position into a copy of the pair's template (a dict per
            # combination, as _product makes, cost more than the task itself: 2,000 tasks 2.7 -> 1.5 ms)
            n = len(mine)
            template = {"function": function, "optimizer": name, "hyperparameters": None, "steps": None,
                        "seed": None, "x0": None, "starts": None, "options": None}
            for combo in itertools.product(*(values[k] for k in [*mine, "steps", "seed", "x0", "starts", *options])):
                task = template.copy()
                task["hyperparameters"] = {**fixed, **dict(zip(mine, combo))} if fixed else dict(zip(mine, combo))
                task["steps"], task["seed"], task["x0"], task["starts"] = combo[n:n + 4]
                task["options"] = {k: v for k, v in zip(options, combo[n + 4:]) if v is not None} if options else {}
                tasks.append(task)
    unused = [k for k in hps if not any(k in _accepts(_optimizer(o)[0]) for o in values["optimizer"])]
    if unused:
        raise GridError(f"grid {unused[0]}: no optimizer of the grid has this hyperparameter "
                        f"(optimizers: {', '.join(_optimizer(o)[0] for o in values['optimizer'])})")
    return _dedupe(tasks) if _may_repeat(values, optimizers) else tasks


def _train(grid):
    from ..nn.recipe import TrainSpec, TrainSpecError

    values = {k: grid_values(k, _plain(v)) for k, v in grid.items()}
    values.setdefault("optimizer", ["adam"])
    _count(values)
    fields = [k for k in TRAIN_KEYS if k in values and k != "optimizer"]
    hps = [k for k in values if k not in TRAIN_KEYS]
    tasks = []
    for opt in values["optimizer"]:
        name, fixed = _optimizer(opt)
        accepted = _accepts(name) - {"lr"}
        mine = [k for k in hps if k in accepted and k not in fixed]
        for combo in _product(values, [*fields, *mine]):
            spec = {k: combo[k] for k in fields}
            spec["optimizer"] = name
            spec["optimizer_params"] = {**fixed, **{k: combo[k] for k in mine}}
            try:
                tasks.append({"spec": TrainSpec.from_dict(spec).to_dict()})
            except TrainSpecError as exc:
                raise GridError(f"grid: {exc}") from None
    unused = [k for k in hps if not any(k in _accepts(_optimizer(o)[0]) for o in values["optimizer"])]
    if unused:
        raise GridError(f"grid {unused[0]}: neither a TrainSpec field ({', '.join(TRAIN_KEYS)}) nor a "
                        "hyperparameter of the grid's optimizers")
    return _dedupe(tasks)
