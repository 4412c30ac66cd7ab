"""IDX files: written by hand here (struct), read back by gdlab; gzip and not; corrupt files."""

import gzip
import struct

import numpy as np
import pytest

from gdlab.datasets import load_idx, load_mnist, save_idx


def _idx_bytes(array: np.ndarray, code: int, be_dtype: str) -> bytes:
    header = struct.pack(">BBBB", 0, 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(be_dtype).tobytes()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def _write_mnist(folder, kind, images, labels, gz):
    ext = ".gz" if gz else ""
    img = _idx_bytes(images, 0x08, ">u1")
    lab = _idx_bytes(labels, 0x08, ">u1")
    if gz:
        img, lab = gzip.compress(img), gzip.compress(lab)
    (folder / f"{kind}-images-idx3-ubyte{ext}").write_bytes(img)
    (folder / f"{kind}-labels-idx1-ubyte{ext}").write_bytes(lab)


@pytest.mark.parametrize("gz", [False, True])
def test_handwritten_idx_roundtrip(tmp_path, rng, gz):
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    raw = _idx_bytes(images, 0x08, ">u1")
    assert raw[:4] == b"\x00\x00\x08\x03"
    path = tmp_path / ("imgs.idx.gz" if gz else "imgs.idx")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    back = load_idx(path)
    assert back.dtype == np.uint8 and back.shape == (5, 28, 28)
    np.testing.assert_array_equal(back, images)


@pytest.mark.parametrize(
    "code, be, native",
    [(0x08, ">u1", np.uint8), (0x09, ">i1", np.int8), (0x0B, ">i2", np.int16),
     (0x0C, ">i4", np.int32), (0x0D, ">f4", np.float32), (0x0E, ">f8", np.float64)],
)
def test_all_dtypes_big_endian(tmp_path, rng, code, be, native):
    a = (rng.standard_normal((3, 4, 2)) * 100).astype(native)
    path = tmp_path / "a.idx"
    path.write_bytes(_idx_bytes(a, code, be))
    back = load_idx(str(path))
    assert back.dtype == np.dtype(native) and back.dtype.isnative
    np.testing.assert_array_equal(back, a)
    # save_idx writes what the hand-written header and data hold, byte for byte
    save_idx(tmp_path / "b.idx", a)
    assert (tmp_path / "b.idx").read_bytes() == path.read_bytes()
    save_idx(tmp_path / "b.idx.gz", a)
    np.testing.assert_array_equal(load_idx(tmp_path / "b.idx.gz"), a)


def test_save_idx_rejects_unknown_dtype(tmp_path):
    with pytest.raises(TypeError, match="uint8"):
        save_idx(tmp_path / "x.idx", np.zeros(3, dtype=np.int64))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.idx"):
        load_idx(tmp_path / "nope.idx")


def test_bad_magic(tmp_path):
    path = tmp_path / "bad.idx"
    path.write_bytes(b"\x12\x34\x08\x01" + b"\x00" * 8)
    with pytest.raises(ValueError, match=r"bad IDX magic number 0x12340801"):
        load_idx(path)
    path.write_bytes(b"\x00\x00\x07\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match="magic number 0x00000701"):
        load_idx(path)
    path.write_bytes(b"PK\x03\x04 not an idx file")
    with pytest.raises(ValueError, match="magic"):
        load_idx(path)


def test_truncated(tmp_path, rng):
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    raw = _idx_bytes(images, 0x08, ">u1")
    path = tmp_path / "short.idx"
    path.write_bytes(raw[:-10])
    with pytest.raises(ValueError, match=r"truncated IDX file: shape \(5, 28, 28\) of uint8 needs 3920 data bytes, found 3910"):
        load_idx(path)
    path.write_bytes(raw[:9])
    with pytest.raises(ValueError, match="truncated IDX header"):
        load_idx(path)
    path.write_bytes(raw[:2])
    with pytest.raises(ValueError, match="truncated"):
        load_idx(path)
    path.write_bytes(raw + b"\x00\x00")
    with pytest.raises(ValueError, match="2 unexpected bytes"):
        load_idx(path)
    gz = tmp_path / "short.idx.gz"
    gz.write_bytes(gzip.compress(raw)[:-20])
    with pytest.raises(ValueError, match="gzip"):
        load_idx(gz)


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("kind", ["train", "t10k"])
def test_load_mnist(tmp_path, rng, gz, kind):
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    _write_mnist(tmp_path, kind, images, labels, gz)
    ds = load_mnist(tmp_path, kind=kind)
    assert ds.x.shape == (5, 784) and ds.x.dtype == np.float64
    assert ds.y.dtype == np.int64 and ds.y.tolist() == [3, 1, 4, 1, 5]
    np.testing.assert_array_equal(ds.x.reshape(5, 28, 28), images)
    assert ds.task == "classification"
    img = load_mnist(str(tmp_path), kind=kind, scale=True, return_images=True, dtype=np.float32)
    assert img.x.shape == (5, 28, 28) and img.x.dtype == np.float32
    np.testing.assert_allclose(img.x, images / np.float32(255), rtol=1e-6)
    assert img.x.max() <= 1.0


def test_load_mnist_dot_spelling(tmp_path, rng):
    images = rng.integers(0, 256, size=(2, 28, 28), dtype=np.uint8)
    save_idx(tmp_path / "train-images.idx3-ubyte", images)
    save_idx(tmp_path / "train-labels.idx1-ubyte", np.array([7, 2], dtype=np.uint8))
    assert load_mnist(tmp_path).y.tolist() == [7, 2]


def test_load_mnist_errors(tmp_path, rng):
    with pytest.raises(FileNotFoundError, match=r"MNIST directory not found: .*nowhere.*train-images-idx3-ubyte"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"no MNIST train images file in .*train-images-idx3-ubyte\.gz"):
        load_mnist(tmp_path)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    save_idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        load_mnist(tmp_path)
    save_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(4, dtype=np.uint8))
    with pytest.raises(ValueError, match="5 images but .* 4 labels"):
        load_mnist(tmp_path)
    with pytest.raises(ValueError, match=r"kind must be one of 'train', 't10k'; got 'test'"):
        load_mnist(tmp_path, kind="test")
    save_idx(tmp_path / "t10k-images-idx3-ubyte", images.reshape(5, 784))
    save_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(5, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"expected uint8 images of shape \(n, rows, cols\)"):
        load_mnist(tmp_path, kind="t10k")
