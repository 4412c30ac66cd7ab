"""gdlab.datasets: the seeds' data, seeded synthetic generators, shipped real data, file loaders.

Conventions: ``x`` is (n_samples, n_features) float64; ``y`` is (n_samples,), float64 for
regression and int64 class indices for classification. Every loader returns a
:class:`Dataset`, which unpacks as ``x, y = ds`` and carries a name, a description and the
true parameters where known. By name: ``get("moons", seed=0)``; all names: ``names()``.

NumPy only (plus the standard library).
"""

from ._base import Dataset
from .digits import load_digits
from .idx import load_idx, load_mnist, save_idx
from .preprocessing import Standardizer
from .registry import describe, get, names
from .seeds import (
    load_celsius,
    load_seed001_points,
    load_seed002_gd,
    load_seed002_sgd,
    make_seed003_linear,
    make_seed003_quadratic,
)
from .split import train_test_split
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

__all__ = [
    "Dataset",
    "get",
    "names",
    "describe",
    # seeds
    "load_celsius",
    "load_seed001_points",
    "load_seed002_gd",
    "load_seed002_sgd",
    "make_seed003_linear",
    "make_seed003_quadratic",
    # synthetic
    "make_linear",
    "make_polynomial",
    "make_sine",
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_xor",
    "make_blobs",
    # real data and files
    "load_digits",
    "load_idx",
    "save_idx",
    "load_mnist",
    # utilities
    "train_test_split",
    "Standardizer",
]
