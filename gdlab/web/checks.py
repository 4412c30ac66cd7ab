"""From a validated request model to the library's arguments, with errors naming the field.

pydantic has checked types, ranges and lengths; what only the library knows (a function name, a
formula, a start's dimension, an optimizer and its hyperparameters, the size of the work) is
checked here, each failure an :class:`~gdlab.web.errors.APIError` naming the field. The work
itself runs through :func:`compute`: in a worker thread (never on the event loop), at most
``limiter`` at a time, under the request's time budget.
"""

from __future__ import annotations

import anyio
import numpy as np

from . import library
from .errors import APIError


def _one_line(exc) -> str:
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__


def function(text: str, field: str = "function"):
    """The Function a request names, or a 422 naming ``field`` with the catalog's or parser's message."""
    try:
        return library.resolve_function(text)
    except (ValueError, TypeError) as exc:
        raise APIError(field, _one_line(exc)) from None


def starts(f, points, field: str = "starts") -> np.ndarray:
    """The start points as an (n, d) array (the function's start when none is given)."""
    if points is None:
        return np.asarray(f.start, dtype=np.float64).reshape(1, f.dim)
    for i, p in enumerate(points):
        if len(p) != f.dim:
            raise APIError(f"{field}[{i}]", f"a start of the {f.dim}-D function {f.name!r} has {f.dim} "
                           f"coordinate{'s' if f.dim > 1 else ''}, got {len(p)}")
    return np.asarray(points, dtype=np.float64)


def _auto_label(spec, counts) -> str:
    if counts[spec.name.lower()] == 1:
        return spec.name.lower()
    hp = spec.hyperparameters()
    parts = [spec.name.lower()] + [f"{k}={'/'.join(map(str, v)) if isinstance(v, tuple) else v}" for k, v in hp.items()]
    return " ".join(parts)


def optimizer(spec, field: str, drop_lr: bool = False) -> dict:
    """``{"optimizer": name, **hyperparameters}`` for one spec, each hyperparameter checked by gdlab.optim."""
    name = spec.name.strip().lower()
    try:
        library.check_hyperparameters(name, {})
    except (ValueError, TypeError) as exc:
        raise APIError(f"{field}.name", _one_line(exc)) from None
    hp = spec.hyperparameters()
    if drop_lr:
        hp.pop("lr", None)
    for key, value in hp.items():
        try:
            library.check_hyperparameters(name, {key: value})
        except (ValueError, TypeError) as exc:
            raise APIError(f"{field}.{key}", _one_line(exc)) from None
    try:
        library.check_hyperparameters(name, hp)
    except (ValueError, TypeError) as exc:
        raise APIError(field, _one_line(exc)) from None
    return {"optimizer": name, **hp}


def optimizers(specs, field: str = "optimizers", drop_lr: bool = False) -> dict:
    """label -> ``{"optimizer": name, **hyperparameters}``, labels unique (as gdlab.race takes them)."""
    counts = {}
    for spec in specs:
        counts[spec.name.lower()] = counts.get(spec.name.lower(), 0) + 1
    out = {}
    for i, spec in enumerate(specs):
        entry = optimizer(spec, f"{field}[{i}]", drop_lr=drop_lr)
        if spec.label is not None:
            label = spec.label
            if label in out:
                raise APIError(f"{field}[{i}].label", f"the label {label!r} is used twice; labels must be unique")
        else:
            label, k = _auto_label(spec, counts), 2
            base = label
            while label in out:
                label, k = f"{base} #{k}", k + 1
        out[label] = entry
    return out


def budget(numbers: int, limit: int, what: str, field: str = "steps"):
    """A 422 when a request would hold more than ``limit`` numbers."""
    if numbers > limit:
        raise APIError(field, f"{what} would hold {numbers:,} numbers, more than the {limit:,} allowed; "
                       "use fewer steps, starts or optimizers")


def state_count(name: str) -> int:
    """How many state arrays an optimizer's trajectory records (for the budget)."""
    from gdlab import optim

    return len(optim.get_rule(name).state_keys)


async def compute(request, work, *args, field: str = "steps", hint: str = "use fewer steps, starts or optimizers"):
    """``work(*args, deadline)`` in a worker thread, under the app's limiter and time budget.

    The deadline starts when the work does (time queued behind other requests does not count).
    A computation past its budget is a 422 naming ``field`` (default ``steps``), with ``hint``.
    """
    lab = request.app.state.lab

    def run():
        return work(*args, library.Deadline(lab.time_budget))

    try:
        return await anyio.to_thread.run_sync(run, limiter=lab.limiter)
    except library.BudgetExceeded as exc:
        raise APIError(field, f"{exc}; {hint}") from None
    except (ValueError, TypeError) as exc:  # the library refused an argument the checks let through
        raise APIError(None, _one_line(exc)) from None
