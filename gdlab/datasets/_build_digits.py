"""Rebuild ``data/digits8x8.npz`` from the UCI digits CSV (maintainers only; not imported).

Usage::

    pip download --no-deps scikit-learn -d /tmp/skl
    unzip -o /tmp/skl/scikit_learn-*.whl 'sklearn/datasets/data/digits.csv.gz' -d /tmp/skl
    python -m gdlab.datasets._build_digits /tmp/skl/sklearn/datasets/data/digits.csv.gz

The CSV (1,797 rows; 64 pixel counts 0..16 then the label 0..9) is the test part
``optdigits.tes`` of the UCI "Optical Recognition of Handwritten Digits" data set, which
scikit-learn ships. It is stored unchanged apart from the format: the pixels as uint8
images (1797, 8, 8) in row-major order, the labels as uint8 (1797,), in the CSV's row order.
The script prints the checksums that tests/datasets/test_digits.py pins.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
from pathlib import Path

import numpy as np


def build(csv_gz: str | Path, out: str | Path) -> dict:
    with gzip.open(csv_gz, "rt", encoding="ascii") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    if table.shape != (1797, 65):
        raise ValueError(f"expected 1797 rows of 65 integers, got {table.shape}")
    pixels, labels = table[:, :64], table[:, 64]
    if pixels.min() < 0 or pixels.max() > 16 or labels.min() < 0 or labels.max() > 9:
        raise ValueError("pixels must lie in 0..16 and labels in 0..9")
    images = pixels.astype(np.uint8).reshape(-1, 8, 8)
    labels = labels.astype(np.uint8)
    np.savez_compressed(out, images=images, labels=labels)
    return {
        "pixel_sum": int(pixels.sum()),
        "label_counts": np.bincount(labels, minlength=10).tolist(),
        "sha256": hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest(),
        "bytes": Path(out).stat().st_size,
    }


if __name__ == "__main__":  # pragma: no cover
    src = sys.argv[1]
    dst = sys.argv[2] if len(sys.argv) > 2 else Path(__file__).with_name("data") / "digits8x8.npz"
    for key, value in build(src, dst).items():
        print(f"{key}: {value}")
