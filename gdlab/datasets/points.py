"""The user's own 2-D points from CSV text: two feature columns and a label or target column.

``load_points_csv(text)`` reads comma-separated rows ``x1,x2,y`` (a header row of names is
skipped when its fields are not numbers). The task follows the labels: whole numbers
``0 .. k-1`` with 2 <= k <= ``max_classes`` make a classification set, anything else a
regression set (``task=`` forces one). Every failure is a :class:`PointsError` (a ValueError)
naming the line and column, and the size is bounded (``max_samples`` rows, ``max_bytes``).
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from ._base import Dataset

__all__ = ["load_points_csv", "PointsError"]

MAX_SAMPLES = 5_000
MAX_BYTES = 500_000
MAX_CLASSES = 10


class PointsError(ValueError):
    """Bad CSV points; ``line`` is the 1-based line at fault (None for the whole text)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line


def _number(text: str):
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def load_points_csv(text: str, task: str | None = None, max_samples: int = MAX_SAMPLES,
                    max_bytes: int = MAX_BYTES, max_classes: int = MAX_CLASSES) -> Dataset:
    """A Dataset of the points in ``text`` (rows ``x1,x2,y``); see the module docstring."""
    if not isinstance(text, str):
        raise PointsError(f"the CSV must be text, got {type(text).__name__}")
    if len(text.encode("utf-8")) > max_bytes:
        raise PointsError(f"the CSV is {len(text.encode('utf-8')):,} bytes; at most {max_bytes:,} are allowed")
    if task not in (None, "classification", "regression"):
        raise PointsError(f"task must be None, 'classification' or 'regression', got {task!r}")
    rows, lines = [], []
    for number, fields in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != 3:
            raise PointsError(f"expected 3 columns (x1, x2, label or target), got {len(fields)}", number)
        values = [_number(f.strip()) for f in fields]
        if None in values:
            if not rows and all(v is None for v in values):
                continue  # a header row
            col = values.index(None)
            raise PointsError(f"column {col + 1} is {fields[col].strip()!r}, not a finite number", number)
        rows.append(values)
        lines.append(number)
        if len(rows) > max_samples:
            raise PointsError(f"more than {max_samples:,} rows; at most {max_samples:,} points are allowed", number)
    if len(rows) < 4:
        raise PointsError(f"the CSV holds {len(rows)} point(s); at least 4 are needed")
    data = np.asarray(rows, dtype=np.float64)
    x, y = data[:, :2].copy(), data[:, 2].copy()
    whole = np.all(y == np.round(y)) and y.min() >= 0
    k = int(y.max()) + 1 if whole else 0
    if task is None:
        task = "classification" if whole and 2 <= k <= max_classes and len(np.unique(y)) == k else "regression"
    if task == "classification":
        if not whole:
            bad = int(np.argmax((y != np.round(y)) | (y < 0)))
            raise PointsError(f"a class label must be a whole number >= 0, got {y[bad]:g}", lines[bad])
        if not 2 <= k <= max_classes:
            raise PointsError(f"labels 0 .. {k - 1} make {k} class(es); 2 to {max_classes} are allowed")
        y = y.astype(np.int64)
    return Dataset(np.ascontiguousarray(x), np.ascontiguousarray(y), name="csv", task=task,
                   description=f"{len(y)} points from CSV ({task}).", info={"n_samples": len(y)})
