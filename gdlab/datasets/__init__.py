"""gdlab.datasets: the seeds' data, seeded synthetic generators, shipped real data, file loaders.

Conventions: ``x`` is (n_samples, n_features) float64; ``y`` is (n_samples,), float64 for
regression and int64 class indices for classification. Every loader returns a
:class:`Dataset`, which unpacks as ``x, y = ds`` and carries a name, a description and the
true parameters where known. By name: ``get("moons", seed=0)``; all names: ``names()``.

NumPy only (plus the standard library).
"""

from . import seeds as _seeds
from . import synthetic as _synthetic
from ._base import Dataset
from .digits import load_digits
from .features import FEATURES, expand_features
from .idx import load_idx, load_mnist, save_idx
from .points import PointsError, load_points_csv
from .preprocessing import Standardizer
from .registry import describe, get, names
from .seeds import *  # noqa: F403 - the seeds' data sets, as listed in seeds.__all__
from .split import train_test_split
from .synthetic import *  # noqa: F403 - the generators, as listed in synthetic.__all__

__all__ = [
    "Dataset", "get", "names", "describe",
    *_seeds.__all__,
    *_synthetic.__all__,
    # real data and files
    "load_digits", "load_idx", "save_idx", "load_mnist", "load_points_csv", "PointsError",
    # utilities
    "train_test_split", "Standardizer", "FEATURES", "expand_features",
]
