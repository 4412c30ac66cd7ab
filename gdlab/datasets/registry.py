"""Data sets by name: ``get(name, **kwargs)`` and ``names()`` (used by the CLI)."""

from __future__ import annotations

import inspect
from typing import Callable

from .._registry import Registry
from ._base import Dataset
from .digits import load_digits
from .idx import load_mnist
from .seeds import (
    load_celsius,
    load_seed001_points,
    load_seed002_gd,
    load_seed002_sgd,
    make_seed003_linear,
    make_seed003_quadratic,
)
from .synthetic import (
    make_blobs,
    make_circles,
    make_linear,
    make_moons,
    make_polynomial,
    make_sine,
    make_spirals,
    make_xor,
)

__all__ = ["get", "names", "describe"]

_REGISTRY: dict[str, Callable[..., Dataset]] = {
    # the seeds
    "celsius": load_celsius,
    "seed001_points": load_seed001_points,
    "seed002_gd": load_seed002_gd,
    "seed002_sgd": load_seed002_sgd,
    "seed003_linear": make_seed003_linear,
    "seed003_quadratic": make_seed003_quadratic,
    # synthetic regression
    "linear": make_linear,
    "polynomial": make_polynomial,
    "sine": make_sine,
    # synthetic classification
    "moons": make_moons,
    "circles": make_circles,
    "spirals": make_spirals,
    "xor": make_xor,
    "blobs": make_blobs,
    # real data
    "digits": load_digits,
    "mnist": load_mnist,
}

#: _REGISTRY as a registry: the one lookup, its "did you mean" and its message.
REGISTRY = Registry("dataset", _REGISTRY)


def names() -> list[str]:
    """The registered data set names, in a stable order (seeds, regression, classification, real)."""
    return list(_REGISTRY)


def describe(name: str) -> str:
    """The first line of the loader's docstring, e.g. for ``gdlab datasets`` listings."""
    doc = inspect.getdoc(REGISTRY.get(name)) or ""
    return doc.splitlines()[0] if doc else ""


def get(name: str, **kwargs) -> Dataset:
    """The data set called ``name`` (see :func:`names`), built with ``kwargs``.

    Names are case-insensitive and ``-`` counts as ``_``. ``kwargs`` go to the loader or
    generator (e.g. ``get("moons", n_samples=500, noise=0.2, seed=0)``,
    ``get("digits", scale=True)``, ``get("mnist", directory="~/data/mnist", kind="t10k")``).

    Raises
    ------
    ValueError
        Unknown name (the message suggests close matches and lists all names).
    TypeError
        A keyword the loader does not take, or a required one missing (the message lists
        the keywords it takes).
    """
    loader = REGISTRY.get(name)
    sig = inspect.signature(loader)
    params = sig.parameters
    allowed = ", ".join(params) or "none"
    unknown = [k for k in kwargs if k not in params]
    if unknown:
        raise TypeError(f"dataset {name!r} does not take {', '.join(map(repr, unknown))}; it takes: {allowed}")
    missing = [p for p, v in params.items() if v.default is inspect.Parameter.empty and p not in kwargs]
    if missing:
        raise TypeError(f"dataset {name!r} needs {', '.join(map(repr, missing))}; it takes: {allowed}")
    return loader(**kwargs)
