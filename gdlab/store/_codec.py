"""Exact JSON for configurations, canonical hashes, and .npz blobs without pickle.

JSON (``encode`` / ``decode``) keeps every value exactly: floats are written with Python's
shortest round-trip repr; non-finite floats, tuples, arrays (dtype and shape kept, values as
nested lists) and dicts with non-string keys are written as one-key objects
(``{"__float__": "inf"}``, ``{"__tuple__": [...]}``, ``{"__array__": [...], "dtype": ...,
"shape": [...]}``, ``{"__items__": [[k, v], ...]}``), so ``decode(encode(x))`` equals ``x``
in value and type. The text is strict JSON (no NaN or Infinity literals).

``config_hash`` is the SHA-256 of the canonical text (keys sorted, no spaces): two
configurations hash alike exactly when they encode alike.

Blobs are NumPy's ``.npz`` format, written uncompressed and read with ``allow_pickle=False``:
only numeric, boolean and string arrays go in, and an array that would need pickle to load
(an object array) is refused both ways.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct
import zipfile
import zlib

import numpy as np

from .._plain import plain

__all__ = ["encode", "decode", "dumps", "dumps_and_hash", "loads", "config_hash", "pack", "unpack", "plain"]

_KINDS = "biufUS"  # the array dtypes a blob may hold: bool, int, uint, float, unicode, bytes
META = "__gdlab__"  # the blob's JSON record


def _float(v):
    if math.isfinite(v):
        return v
    return {"__float__": "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")}


def _list(a):
    """A nested list of an array's values; non-finite floats as the strings 'inf', '-inf', 'nan'."""
    if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
        return _finite_list(a.tolist())
    return a.tolist()


def _finite_list(v):
    if isinstance(v, list):
        return [_finite_list(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def encode(obj, what="configuration"):
    """``obj`` as JSON-ready values that :func:`decode` turns back into an equal object."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return _float(float(obj))
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in _KINDS:
            raise TypeError(f"cannot store an array of dtype {obj.dtype} in a run's {what} "
                            "(numbers, booleans and strings only)")
        return {"__array__": _list(obj), "dtype": obj.dtype.str, "shape": list(obj.shape)}
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return _float(float(obj))
    if isinstance(obj, tuple):
        return {"__tuple__": [encode(v, what) for v in obj]}
    if isinstance(obj, list):
        return [encode(v, what) for v in obj]
    if isinstance(obj, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in obj):
            return {k: encode(v, what) for k, v in obj.items()}
        return {"__items__": [[encode(k, what), encode(v, what)] for k, v in obj.items()]}
    raise TypeError(f"cannot store a value of type {type(obj).__name__} ({obj!r:.60}) in a run's {what}: "
                    "use numbers, strings, booleans, None, lists, tuples, dicts and NumPy arrays")


def decode(obj):
    """The inverse of :func:`encode`."""
    if isinstance(obj, list):
        return [decode(v) for v in obj]
    if isinstance(obj, dict):
        if "__array__" in obj:
            a = np.array(obj["__array__"], dtype=np.dtype(obj["dtype"]))
            return a.reshape(obj["shape"])
        if len(obj) == 1:
            (k, v), = obj.items()
            if k == "__float__":
                return float(v)
            if k == "__tuple__":
                return tuple(decode(x) for x in v)
            if k == "__items__":
                return {_hashable(decode(a)): decode(b) for a, b in v}
        return {k: decode(v) for k, v in obj.items()}
    return obj


def _hashable(k):
    return tuple(k) if isinstance(k, list) else k


def _text(encoded, canonical=False) -> str:
    return json.dumps(encoded, sort_keys=canonical, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def dumps(obj, what="configuration") -> str:
    """Compact strict JSON of ``encode(obj)``, keys in their order."""
    return _text(encode(obj, what))


def dumps_and_hash(obj) -> tuple[str, str]:
    """``(dumps(obj), config_hash(obj))``, encoding once."""
    encoded = encode(obj)
    return _text(encoded), hashlib.sha256(_text(encoded, True).encode("utf-8")).hexdigest()


def loads(text):
    return decode(json.loads(text))


def config_hash(config) -> str:
    """SHA-256 (hex) of the canonical JSON of ``config`` (keys sorted): equal configurations, equal hashes."""
    return hashlib.sha256(_text(encode(config), True).encode("utf-8")).hexdigest()


# -----------------------------------------------------------------------------------------
# blobs


def _npy(a: np.ndarray) -> bytes:
    """The .npy file of ``a`` (format version 1.0, as numpy.lib.format.write_array writes it)."""
    fortran = bool(a.flags.f_contiguous and not a.flags.c_contiguous)
    header = "{'descr': %r, 'fortran_order': %r, 'shape': %r, }" % (
        np.lib.format.dtype_to_descr(a.dtype), fortran, tuple(int(n) for n in a.shape))
    header += " " * (63 - (len(header) + 10) % 64) + "\n"  # the whole preamble a multiple of 64 bytes
    return (b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin1")
            + a.tobytes(order="F" if fortran else "C"))


_DOS_DATE = 1 << 5 | 1  # 1980-01-01, 00:00:00: a fixed member time, so equal runs give equal bytes
_ZIP_LIMIT = 0x7FFFFFFF


def _zip_stored(members) -> bytes:
    """A zip archive of (name, bytes) members, stored: byte for byte what ``zipfile`` writes for
    ``writestr(ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)`` (the tests compare the two), in
    about a tenth of its time; ``zipfile`` itself for non-ASCII names and large archives."""
    if any(not name.isascii() for name, _ in members) or sum(len(d) for _, d in members) > _ZIP_LIMIT:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
            for name, data in members:
                zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
        return buf.getvalue()
    parts, central, offset = [], [], 0
    for name, data in members:
        n = name.encode("ascii")
        crc, size = zlib.crc32(data), len(data)
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, _DOS_DATE, crc, size, size, len(n), 0) + n
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20 | 3 << 8, 20, 0, 0, 0, _DOS_DATE, crc, size,
                                   size, len(n), 0, 0, 0, 0, 0o600 << 16, offset) + n)
        parts += [local, data]
        offset += len(local) + size
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0)
    return b"".join(parts) + directory + end


def pack(arrays: dict, meta: dict) -> bytes:
    """An .npz archive (bytes) of ``arrays`` plus the JSON record ``meta`` (as UTF-8 bytes).

    The archive ``np.savez`` writes (stored, not compressed; ``np.load`` reads it), with a
    fixed member time so that equal runs give equal bytes.
    """
    items = list(arrays.items())
    items.append((META, np.frombuffer(dumps(meta, "record").encode("utf-8"), dtype=np.uint8)))
    members = []
    for name, a in items:
        a = np.asarray(a)
        if a.dtype.kind not in _KINDS:
            raise TypeError(f"cannot store the array {name!r} of dtype {a.dtype} (numbers, booleans and strings only)")
        members.append((name + ".npy", _npy(a)))
    return _zip_stored(members)


def unpack(blob) -> tuple[dict, dict]:
    """(arrays, meta) from a blob made by :func:`pack`; ValueError for anything else (never unpickles)."""
    if not blob.startswith(b"PK\x03\x04"):  # else np.load would try it as a .npy, or as a pickle (refused)
        raise ValueError("its arrays are not a readable .npz archive (no zip header)")
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "pickle" in str(exc).lower():
            raise ValueError("its arrays hold Python objects, which would need pickle to load; refused") from None
        raise ValueError(f"its arrays cannot be read: {exc}") from None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, TypeError) as exc:
        raise ValueError(f"its arrays are not a readable .npz archive: {exc}") from None
    raw = arrays.pop(META, None)
    if raw is None or raw.dtype != np.uint8 or raw.ndim != 1:
        raise ValueError(f"its arrays have no '{META}' record")
    try:
        meta = loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"its '{META}' record is not JSON: {exc}") from None
    return arrays, meta
