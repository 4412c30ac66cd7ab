"""The shipped 8x8 digits: shape, labels, value range, and checksums pinned at build time."""

import hashlib
from importlib import resources

import numpy as np
import pytest

from gdlab.datasets import load_digits

# Computed from sklearn/datasets/data/digits.csv.gz (scikit-learn 1.9.1) when the file was built
# (gdlab/datasets/_build_digits.py); a guard against a corrupted or altered data file.
PIXEL_SUM = 561718
LABEL_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
SHA256 = "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"


def test_shape_dtype_range():
    ds = load_digits()
    assert ds.x.shape == (1797, 64) and ds.x.dtype == np.float64
    assert ds.y.shape == (1797,) and ds.y.dtype == np.int64
    assert ds.x.min() == 0 and ds.x.max() == 16
    assert np.all(ds.x == np.round(ds.x))
    assert ds.task == "classification" and ds.n_classes == 10 and ds.name == "digits"


def test_checksums():
    ds = load_digits()
    assert int(ds.x.sum()) == PIXEL_SUM
    counts = np.bincount(ds.y, minlength=10)
    assert counts.tolist() == LABEL_COUNTS
    assert np.all(np.abs(counts - 180) <= 10)
    images = load_digits(return_images=True).x.astype(np.uint8)
    digest = hashlib.sha256(images.tobytes() + ds.y.astype(np.uint8).tobytes()).hexdigest()
    assert digest == SHA256


def test_first_image_is_a_zero():
    ds = load_digits(return_images=True)
    assert ds.y[0] == 0
    np.testing.assert_array_equal(ds.x[0, 0], [0, 0, 5, 13, 9, 1, 0, 0])
    # a zero is a ring: the center of the image is darker than the pixels around it
    assert ds.x[0, 3:5, 3:5].mean() < ds.x[0, 3:5, [1, 2, 5, 6]].mean()


def test_scale_images_and_dtype():
    raw = load_digits()
    scaled = load_digits(scale=True)
    np.testing.assert_allclose(scaled.x * 16, raw.x)
    assert scaled.x.max() == 1.0
    img = load_digits(return_images=True, scale=True, dtype=np.float32)
    assert img.x.shape == (1797, 8, 8) and img.x.dtype == np.float32
    np.testing.assert_array_equal(img.x.reshape(1797, 64), scaled.x.astype(np.float32))


def test_copies_are_independent():
    a = load_digits()
    a.x[:] = -1
    assert load_digits().x.min() == 0


def test_bad_arguments():
    with pytest.raises(TypeError, match="scale"):
        load_digits(scale=16)
    with pytest.raises(TypeError, match="dtype"):
        load_digits(dtype=np.int32)


def test_data_files_shipped_small_with_licence():
    data = resources.files("gdlab.datasets").joinpath("data")
    npz = data.joinpath("digits8x8.npz").read_bytes()
    assert len(npz) < 100_000
    licence = data.joinpath("DIGITS_LICENSE.txt").read_text(encoding="utf-8")
    for needle in ("Alpaydin", "Kaynak", "UCI", "CC BY 4.0", str(PIXEL_SUM)):
        assert needle in licence
