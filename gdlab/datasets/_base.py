"""The `Dataset` record and the argument checks shared by the loaders and generators.

Conventions of the whole package (`gdlab.datasets`):

* ``x`` is always 2-D, shape ``(n_samples, n_features)``, dtype float64 (a one-feature data
  set is ``(n, 1)``, ready for a ``Linear(1, ...)`` layer). Image loaders can return
  ``(n, height, width)`` on request.
* ``y`` is always 1-D, shape ``(n_samples,)``: float64 for regression, int64 class indices
  ``0 .. k-1`` for classification (the form sparse categorical cross-entropy expects).
  Reshape with ``y[:, None]`` where a model wants ``(n, 1)`` targets.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

__all__ = ["Dataset"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """A data set: the arrays ``x`` and ``y`` plus what is known about them.

    It unpacks like the pair it holds (``__iter__`` yields ``x`` then ``y``), so both
    styles work::

        ds = gdlab.datasets.get("moons", seed=0)
        x, y = ds                      # tuple-style
        ds.x.shape, ds.task, ds.true_params
        model.fit(*ds)

    ``len(ds)`` is deliberately not defined (is it 2 or n?); use ``ds.n_samples``.

    Attributes
    ----------
    x : ndarray, shape (n_samples, n_features) (or (n, h, w) for images on request)
    y : ndarray, shape (n_samples,); float64 (regression) or int64 (classification)
    name : str
        The registry name (``gdlab.datasets.get(name)`` returns it again).
    description : str
        One or two sentences: where the data come from (which seed, which experiment).
    task : str
        ``"regression"`` or ``"classification"``.
    true_params : dict
        The parameters that generated the data where they are known
        (e.g. ``{"w": 1.8, "b": 32.0}`` for Celsius to Fahrenheit), otherwise empty.
    info : dict
        Everything else worth keeping: generation arguments, results quoted by the seed.
    """

    x: np.ndarray
    y: np.ndarray
    name: str = ""
    description: str = ""
    task: str = "regression"
    true_params: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.x, self.y))

    @property
    def n_samples(self) -> int:
        return int(self.x.shape[0])

    @property
    def n_features(self) -> int:
        """Features per sample: ``x.shape[1]`` (product of the trailing dims for images)."""
        return int(np.prod(self.x.shape[1:], dtype=np.int64))

    @property
    def n_classes(self) -> int | None:
        """``max(y) + 1`` for classification, None for regression."""
        if self.task != "classification":
            return None
        return int(self.y.max()) + 1 if self.y.size else 0

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, task={self.task!r}, x={_shape(self.x)}, "
            f"y={_shape(self.y)}, true_params={_short(self.true_params)})"
        )


def _shape(a: np.ndarray) -> str:
    return f"{a.dtype}{tuple(a.shape)}"


def _short(params: dict) -> str:
    parts = []
    for key, value in params.items():
        if isinstance(value, np.ndarray):
            text = np.array2string(value, precision=4, separator=", ", threshold=6).replace("\n", "")
            text = " ".join(text.split())
        else:
            text = repr(value)
        parts.append(f"{key!r}: {text}")
    return "{" + ", ".join(parts) + "}"


# ---------------------------------------------------------------------------------------
# Argument checks. Each names the bad value and what is allowed.
# ---------------------------------------------------------------------------------------


def check_n_samples(n_samples: Any, name: str = "n_samples", minimum: int = 1) -> int:
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"{name} must be an int >= {minimum}, got {n_samples!r} ({type(n_samples).__name__})")
    if n_samples < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {n_samples}")
    return int(n_samples)


def check_nonneg(value: Any, name: str = "noise") -> float:
    """A finite real number >= 0 (noise levels, standard deviations)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number >= 0, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite real number >= 0, got {value!r}")
    return value


def check_real(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_range(value: Any, name: str) -> tuple[float, float]:
    """An interval ``(low, high)`` with finite ``low < high``."""
    try:
        low, high = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (low, high), got {value!r}") from None
    low, high = check_real(low, f"{name}[0]"), check_real(high, f"{name}[1]")
    if not low < high:
        raise ValueError(f"{name} must satisfy low < high, got {value!r}")
    return low, high


def make_rng(seed: Any) -> np.random.Generator:
    """``np.random.default_rng(seed)`` for seed None, an int >= 0, or a Generator (used as is)."""
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"seed must be None, an int >= 0 or a numpy.random.Generator, got {seed!r} ({type(seed).__name__})"
        )
    if seed < 0:
        raise ValueError(f"seed must be None, an int >= 0 or a numpy.random.Generator, got {seed}")
    return np.random.default_rng(int(seed))


def check_choice(value: Any, name: str, allowed: tuple) -> Any:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


def check_image_options(scale: Any, return_images: Any, dtype: Any) -> np.dtype:
    """The options every image loader takes (``scale``, ``return_images``: bools; ``dtype``: a float
    dtype), checked; returns the dtype."""
    if not isinstance(scale, bool):
        raise TypeError(f"scale must be True or False, got {scale!r}")
    if not isinstance(return_images, bool):
        raise TypeError(f"return_images must be True or False, got {return_images!r}")
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"dtype must be a floating dtype (float32 or float64), got {dt}")
    return dt
