"""The IDX file format (MNIST and friends): reading, writing, and MNIST from a local folder.

An IDX file is a header followed by the array in C order, big-endian::

    bytes 0-1   0x00 0x00                      (the magic number is these 4 bytes)
    byte  2     dtype code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                            0x0D float32, 0x0E float64
    byte  3     number of dimensions, ndim
    then        ndim sizes, each a big-endian uint32
    then        prod(sizes) items of the dtype, big-endian

MNIST's images are ``0x00000803`` (uint8, 3-D: n x 28 x 28) and its labels ``0x00000801``
(uint8, 1-D). Files may be gzip-compressed (recognised by their content, not their name).
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ._base import Dataset, check_choice, check_image_options

__all__ = ["load_idx", "save_idx", "load_mnist", "IDX_DTYPES"]

#: IDX dtype code -> big-endian NumPy dtype.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path}: corrupt or truncated gzip data ({exc})") from None


def load_idx(path) -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed) into a NumPy array.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    ndarray
        The array with the file's shape and dtype (uint8, int8, int16, int32, float32 or
        float64), in native byte order, writeable.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        Bad magic number (the first two bytes are not zero), unknown dtype code, a header or
        data shorter than the header announces (truncated file), or bytes left over after
        the data.
    """
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"IDX file not found: {path}")
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise ValueError(f"{path}: truncated IDX file, {len(raw)} bytes, shorter than the 4-byte magic number")
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or code not in IDX_DTYPES:
        raise ValueError(
            f"{path}: bad IDX magic number 0x{raw[:4].hex()}; expected 0x0000TTNN with dtype code TT one of "
            f"{', '.join(f'0x{c:02X}' for c in IDX_DTYPES)} (e.g. 0x00000803 for MNIST images, "
            "0x00000801 for labels). Is this an IDX file?"
        )
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise ValueError(f"{path}: truncated IDX header: {ndim} dimensions need {header_len} bytes, file has {len(raw)}")
    shape = struct.unpack(f">{ndim}I", raw[4:header_len])
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header_len
    if got < expected:
        raise ValueError(
            f"{path}: truncated IDX file: shape {shape} of {dtype.newbyteorder('=')} needs {expected} data bytes, "
            f"found {got}"
        )
    if got > expected:
        raise ValueError(
            f"{path}: IDX file has {got - expected} unexpected bytes after the data "
            f"(shape {shape} of {dtype.newbyteorder('=')} needs {expected})"
        )
    data = np.frombuffer(raw, dtype=dtype, count=expected // dtype.itemsize, offset=header_len)
    return data.reshape(shape).astype(dtype.newbyteorder("="))


def save_idx(path, array) -> Path:
    """Write ``array`` as an IDX file; gzip-compressed when ``path`` ends in ``.gz``.

    The dtype must be one IDX knows: uint8, int8, int16, int32, float32 or float64
    (convert first otherwise). ``array`` must have 1 to 255 dimensions.

    Returns
    -------
    Path
        The path written.
    """
    a = np.asarray(array)
    native = a.dtype.newbyteorder("=")
    if native not in _CODES:
        raise TypeError(f"IDX stores uint8, int8, int16, int32, float32 or float64, got dtype {a.dtype}")
    if not 1 <= a.ndim <= 255:
        raise ValueError(f"IDX stores arrays of 1 to 255 dimensions, got ndim={a.ndim}")
    if any(s > 0xFFFFFFFF for s in a.shape):
        raise ValueError(f"IDX sizes are uint32, got shape {a.shape}")
    code = _CODES[native]
    payload = struct.pack(f">HBB{a.ndim}I", 0, code, a.ndim, *a.shape)
    payload += np.ascontiguousarray(a, dtype=IDX_DTYPES[code]).tobytes()
    path = Path(os.fspath(path))
    if path.suffix == ".gz":
        payload = gzip.compress(payload, mtime=0)
    path.write_bytes(payload)
    return path


_MNIST_KINDS = ("train", "t10k")


def _mnist_names(kind: str, what: str) -> list[str]:
    idx = "idx3" if what == "images" else "idx1"
    stems = [f"{kind}-{what}-{idx}-ubyte", f"{kind}-{what}.{idx}-ubyte"]
    return [stem + ext for stem in stems for ext in ("", ".gz")]


def _find(directory: Path, kind: str, what: str) -> Path:
    names = _mnist_names(kind, what)
    for name in names:
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(
        f"no MNIST {kind} {what} file in {directory}: expected one of {', '.join(names)} "
        f"(the standard files are train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
        f"t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz, compressed or not)"
    )


def load_mnist(directory, kind: str = "train", scale: bool = False, return_images: bool = False, dtype=np.float64) -> Dataset:
    """MNIST (or any data set in its layout, e.g. Fashion-MNIST) from IDX files in ``directory``.

    gdlab ships no MNIST and downloads nothing: put the four standard files in a folder.
    For ``kind="train"`` it reads ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte``,
    for ``kind="t10k"`` (the test set) ``t10k-images-idx3-ubyte`` and
    ``t10k-labels-idx1-ubyte``; each may end in ``.gz``, and the ``-images.idx3-ubyte``
    spelling is accepted too. For a data set that works offline, see :func:`load_digits`.

    Parameters
    ----------
    directory : str or os.PathLike
    kind : "train" or "t10k"
    scale : bool, default False
        False returns the raw pixel values 0..255; True divides by 255 (values in [0, 1]).
    return_images : bool, default False
        False: ``x`` is (n, rows * cols), each image flattened row by row; True: (n, rows, cols).
    dtype : float dtype, default float64
        dtype of ``x``. MNIST's 60,000 training images take 376 MB in float64, 188 MB in float32.

    Returns
    -------
    Dataset
        ``x`` (n, 784) (or (n, 28, 28)), ``y`` (n,) int64; ``task = "classification"``.

    Raises
    ------
    FileNotFoundError
        The directory or a file is missing (the message lists the names looked for).
    ValueError
        A bad IDX file (see :func:`load_idx`), images that are not 3-D uint8, labels that
        are not 1-D integers, or image and label counts that differ.
    """
    check_choice(kind, "kind", _MNIST_KINDS)
    dt = check_image_options(scale, return_images, dtype)
    directory = Path(os.fspath(directory))
    if not directory.is_dir():
        raise FileNotFoundError(
            f"MNIST directory not found: {directory} (expected a folder holding "
            f"{kind}-images-idx3-ubyte[.gz] and {kind}-labels-idx1-ubyte[.gz])"
        )
    images_path = _find(directory, kind, "images")
    labels_path = _find(directory, kind, "labels")
    images = load_idx(images_path)
    labels = load_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{images_path}: expected uint8 images of shape (n, rows, cols), got {images.dtype}{images.shape}")
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(f"{labels_path}: expected integer labels of shape (n,), got {labels.dtype}{labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels")
    x = images.astype(dt)
    if scale:
        x /= dt.type(255.0)
    if not return_images:
        x = x.reshape(len(x), -1)
    return Dataset(
        x,
        labels.astype(np.int64),
        name="mnist",
        description=f"MNIST-format images from {directory} ({kind}).",
        task="classification",
        info={"directory": str(directory), "kind": kind, "scale": scale, "files": (str(images_path), str(labels_path))},
    )
