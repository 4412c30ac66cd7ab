"""The 8x8 handwritten digits shipped with gdlab (UCI optdigits, CC BY 4.0). Works offline."""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np

from ._base import Dataset, check_image_options

__all__ = ["load_digits"]

_FILE = "digits8x8.npz"


@functools.lru_cache(maxsize=1)
def _read_digits() -> tuple[np.ndarray, np.ndarray]:
    ref = resources.files(__package__).joinpath("data", _FILE)
    try:
        with ref.open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
            images, labels = npz["images"], npz["labels"]
    except FileNotFoundError:
        raise FileNotFoundError(
            f"the shipped digits file gdlab/datasets/data/{_FILE} is missing: reinstall gdlab"
        ) from None
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"the shipped digits file gdlab/datasets/data/{_FILE} is corrupt ({exc}): reinstall gdlab") from None
    if images.shape != (1797, 8, 8) or labels.shape != (1797,):
        raise ValueError(
            f"the shipped digits file gdlab/datasets/data/{_FILE} is corrupt: "
            f"images {images.shape}, labels {labels.shape}; expected (1797, 8, 8) and (1797,)"
        )
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def load_digits(scale: bool = False, return_images: bool = False, dtype=np.float64) -> Dataset:
    """The 8x8 handwritten digits: 1,797 images, 10 classes (seed 004's learning loop).

    Seed 004 (after "Deep Learning from Scratch", ch. 4) trains a two-layer network on
    handwritten digits by mini-batch SGD and tracks train and test accuracy per epoch; these
    digits are the offline, shipped stand-in for MNIST (see :func:`load_mnist` for MNIST
    itself from local files).

    Each image is 8x8 integer counts 0..16 (the "on" pixels of a 4x4 block of the original
    32x32 bitmap). Source: UCI "Optical Recognition of Handwritten Digits" (E. Alpaydin and
    C. Kaynak, 1998; the test part optdigits.tes), CC BY 4.0; see
    ``gdlab/datasets/data/DIGITS_LICENSE.txt``. About 180 images per class.

    Parameters
    ----------
    scale : bool, default False
        False returns the raw counts 0..16 (as scikit-learn's ``load_digits`` does); True
        divides by 16 so the features lie in [0, 1] (what a network usually wants).
    return_images : bool, default False
        False: ``x`` has shape (1797, 64), each image flattened row by row.
        True: ``x`` has shape (1797, 8, 8).
    dtype : float dtype, default float64
        dtype of ``x`` (float32 for float32 training).

    Returns
    -------
    Dataset
        ``x`` (1797, 64) or (1797, 8, 8) of ``dtype``, ``y`` (1797,) int64 in 0..9;
        ``task = "classification"``.
    """
    dt = check_image_options(scale, return_images, dtype)
    images, labels = _read_digits()
    x = images.astype(dt)
    if scale:
        x /= dt.type(16.0)
    if not return_images:
        x = x.reshape(len(x), 64)
    return Dataset(
        x,
        labels.astype(np.int64),
        name="digits",
        description="8x8 handwritten digits (UCI optdigits test part, E. Alpaydin and C. Kaynak, CC BY 4.0); seed 004's learning loop.",
        task="classification",
        info={
            "source": "UCI Optical Recognition of Handwritten Digits, doi:10.24432/C50P49",
            "license": "CC BY 4.0",
            "scale": scale,
            "pixel_range": (0.0, 1.0) if scale else (0.0, 16.0),
            "image_shape": (8, 8),
        },
    )
