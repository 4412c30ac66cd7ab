r"""Saving and loading models: one ``.npz`` file, no pickle. This module reads and writes files;
the records it stores (architecture, compile settings) come from :mod:`gdlab.nn.config`.

``model.save(path)`` writes a NumPy ``.npz`` archive (read back with
``allow_pickle=False``, so loading a file never runs code) holding

* ``__gdlab__``: a JSON record (UTF-8 bytes as a uint8 array): the format name and
  version, the architecture (``{"class": "Sequential", "config": {"layers": [...]}}``,
  each layer its class name and constructor arguments), the parameter names, the
  compile configuration (optimizer class and hyperparameters, loss, metrics, weight penalty), the
  optimizer's ``state_dict()`` with its arrays replaced by references, and the fit
  state (the model's epoch count and shuffling seed);
* ``param/<name>``: each parameter's array (dtype kept: float32 stays float32);
* ``opt/<k>``: the optimizer's state arrays (Adam's ``exp_avg``, ``exp_avg_sq``, ...).

:func:`load_model` rebuilds the model, its weights and, when the file has a compile
configuration, the compiled optimizer with its state, so that ``fit`` continues with
identical numbers (the tests train 10 epochs straight and 5 + save + load + 5 with
shuffling and compare bit for bit). Anything wrong with a file (not such an archive,
truncated or flipped bytes, an unknown format version or layer class, parameters
missing or of the wrong shape, sizes beyond the limits, a record of the wrong form,
optimizer state that does not fit the parameters) is a :class:`ModelFileError`, a
ValueError whose message names the path and the field, raised before anything large
is allocated and before any model is returned.

The file is written to a temporary name next to ``path`` and renamed into place, so
an interrupted save never leaves a half-written checkpoint under ``path``.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
import zlib

import numpy as np

from .config import (compile_config, compile_from_config, layer_config, layer_from_config, parameter_shapes,
                     regularizer_from_config)
from .module import Module

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "ModelFileError", "FORMAT_VERSION",
           "MAX_LOAD_BYTES"]

FORMAT = "gdlab.nn model"
WEIGHTS_FORMAT = "gdlab.nn weights"
FORMAT_VERSION = 1
_HEADER = "__gdlab__"


# -----------------------------------------------------------------------------------
# an exact JSON + arrays codec for nested state (dicts with int keys, tuples, numpy scalars, non-finite floats)


def _encode(obj, arrays, prefix):
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if isinstance(obj, np.ndarray):
        key = f"{prefix}{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, np.generic):
        key = f"{prefix}{len(arrays)}"
        arrays[key] = np.asarray(obj)
        return {"__scalar__": key}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, arrays, prefix) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, arrays, prefix) for v in obj]
    if isinstance(obj, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in obj):
            return {k: _encode(v, arrays, prefix) for k, v in obj.items()}
        return {"__items__": [[_encode(k, arrays, prefix), _encode(v, arrays, prefix)] for k, v in obj.items()]}
    raise TypeError(f"cannot save a value of type {type(obj).__name__} ({obj!r})")


def _decode(obj, arrays):
    if isinstance(obj, list):
        return [_decode(v, arrays) for v in obj]
    if isinstance(obj, dict):
        if len(obj) == 1:
            (k, v), = obj.items()
            if k == "__array__":
                return np.array(arrays[v])
            if k == "__scalar__":
                return arrays[v][()]
            if k == "__float__":
                return float(v)
            if k == "__tuple__":
                return tuple(_decode(x, arrays) for x in v)
            if k == "__items__":
                return {_hashable(_decode(a, arrays)): _decode(b, arrays) for a, b in v}
        return {k: _decode(v, arrays) for k, v in obj.items()}
    return obj


def _hashable(k):
    return tuple(k) if isinstance(k, list) else k


# -----------------------------------------------------------------------------------
# files


class ModelFileError(ValueError):
    """A model or weights file that cannot be loaded as it is: ``str(error)`` is
    ``"<path>: <field>: <problem>"``; ``.path``, ``.field`` (``"archive"``, ``"__gdlab__"``,
    ``"architecture"``, ``"param/0.weight"``, ``"fit_state.epoch"``, ``"compile.loss"``,
    ``"optimizer_state"``, ...) and ``.problem`` hold the parts."""

    def __init__(self, path, field, problem):
        self.path, self.field, self.problem = os.fspath(path), field, problem
        super().__init__(f"{self.path}: {field}: {problem}")


#: The most bytes of arrays a file may hold (after decompression); a file declaring more is refused
#: before anything is read. Settable: ``gdlab.nn.saving.MAX_LOAD_BYTES = ...``.
MAX_LOAD_BYTES = 2 * 1024**3
#: The largest ``__gdlab__`` record (JSON) and its deepest nesting of lists and dicts.
MAX_HEADER_BYTES = 16 * 1024**2
MAX_JSON_DEPTH = 64
#: deflate expands at most ~1032 times (RFC 1951); a member declaring more is not what it says
_MAX_DEFLATE_RATIO = 1100


def _write(path, header, arrays):
    path = os.fspath(path)
    payload = dict(arrays)
    payload[_HEADER] = np.frombuffer(json.dumps(header, allow_nan=False).encode("utf-8"), dtype=np.uint8)
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, **payload)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError, NotImplementedError,
               OverflowError, SyntaxError, TypeError)


def _read_member(zf, info, path):
    """One ``.npy`` member as an array, its declared shape checked against its size before any data is read."""
    key = info.filename[:-4]
    try:
        with zf.open(info) as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
            else:
                raise ModelFileError(path, key, f".npy format version {version} (gdlab writes 1.0)")
            if dtype.hasobject or dtype.itemsize == 0:
                raise ModelFileError(path, key, f"dtype {dtype} (object arrays, which need pickle, are refused)")
            nbytes = math.prod(shape) * dtype.itemsize
            if fh.tell() + nbytes != info.file_size:
                raise ModelFileError(path, key, f"declares shape {shape} of {dtype} ({nbytes:,} bytes), but the "
                                                f"member holds {info.file_size - fh.tell():,} bytes of data")
            data = fh.read(nbytes)
            if len(data) != nbytes or fh.read(1):
                raise EOFError("the member ends early")
    except ModelFileError:
        raise
    except _UNREADABLE as exc:
        raise ModelFileError(path, key, f"unreadable array ({type(exc).__name__}: {exc})") from None
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _depth(obj):
    """The deepest nesting of lists and dicts in ``obj`` (iterative)."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        value, d = stack.pop()
        if isinstance(value, (list, dict)):
            deepest = max(deepest, d)
            if d > MAX_JSON_DEPTH:
                break
            stack.extend((v, d + 1) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _read(path):
    """(header dict, arrays dict) of a gdlab file; :class:`ModelFileError` naming the field for anything wrong.

    Every size is checked against what the archive declares before it is read: at most
    MAX_LOAD_BYTES of arrays, a record of at most MAX_HEADER_BYTES nested at most MAX_JSON_DEPTH
    deep, each array's declared shape against its member's size, no compression beyond what
    deflate can do. Arrays come back read-only (callers copy what they keep).
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic != b"PK\x03\x04":
        raise ModelFileError(path, "archive", "not a gdlab model file: not a .npz (zip) archive")
    try:
        zf = zipfile.ZipFile(path)
    except _UNREADABLE as exc:
        raise ModelFileError(path, "archive", f"corrupt or truncated .npz archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        for info in infos:
            name = info.filename
            if not name.endswith(".npy") or names.count(name) > 1:
                raise ModelFileError(path, "archive", f"unexpected member {name!r} (each member is one "
                                                      "uniquely named .npy array)")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ModelFileError(path, name[:-4], f"compression method {info.compress_type} "
                                                      "(gdlab reads stored or deflated members)")
            limit = info.compress_size * (_MAX_DEFLATE_RATIO if info.compress_type == zipfile.ZIP_DEFLATED else 1)
            if info.file_size > limit + 1024:
                raise ModelFileError(path, name[:-4], f"declares {info.file_size:,} bytes from "
                                                      f"{info.compress_size:,} stored bytes: corrupt")
        total = sum(i.file_size for i in infos)
        if total > MAX_LOAD_BYTES:
            raise ModelFileError(path, "archive", f"holds {total:,} bytes of arrays, more than "
                                                  f"gdlab.nn.saving.MAX_LOAD_BYTES = {MAX_LOAD_BYTES:,}")
        head = f"{_HEADER}.npy"
        if head not in names:
            raise ModelFileError(path, _HEADER, "missing: not a gdlab model file (written by np.savez "
                                                "rather than model.save?)")
        info = zf.getinfo(head)
        if info.file_size > MAX_HEADER_BYTES:
            raise ModelFileError(path, _HEADER, f"{info.file_size:,} bytes, more than {MAX_HEADER_BYTES:,}")
        raw = _read_member(zf, info, path)
        arrays = {i.filename[:-4]: _read_member(zf, i, path) for i in infos if i.filename != head}
    try:
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise ValueError(f"a {raw.dtype} array of shape {raw.shape}, not UTF-8 bytes")
        header = json.loads(raw.tobytes().decode("utf-8"))
    except RecursionError:
        raise ModelFileError(path, _HEADER, f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(path, _HEADER, f"corrupt record: {exc}") from None
    if _depth(header) > MAX_JSON_DEPTH:
        raise ModelFileError(path, _HEADER, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(header, dict) or header.get("format") not in (FORMAT, WEIGHTS_FORMAT):
        fmt = header.get("format") if isinstance(header, dict) else header
        raise ModelFileError(path, "format", f"{fmt!r:.100}: not a gdlab model file")
    version = header.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise ModelFileError(path, "version", f"{version!r:.100}; this gdlab reads format versions 1 to "
                                              f"{FORMAT_VERSION} (upgrade gdlab to read newer files)")
    saved = header.get("parameters")
    if not (isinstance(saved, list) and all(isinstance(n, str) for n in saved) and len(set(saved)) == len(saved)):
        raise ModelFileError(path, "parameters", f"expected a list of distinct names, got {saved!r:.200}")
    return header, arrays


def _param_arrays(model):
    return {f"param/{name}": p.data for name, p in model.named_parameters()}


def _check_architecture(header, arrays, path):
    """The architecture's parameters (names, shapes) against the file's arrays, before anything is built."""
    arch = header.get("architecture")
    try:
        shapes = parameter_shapes(arch)
    except (ValueError, TypeError) as exc:
        raise ModelFileError(path, "architecture", str(exc)) from None
    if shapes is None:  # a layer of its own that cannot tell: built, then its parameters are checked
        return
    if list(shapes) != header["parameters"]:
        raise ModelFileError(path, "architecture", f"its parameters {list(shapes)!r:.300} are not the file's "
                                                   f"{header['parameters']!r:.300}")
    for name, shape in shapes.items():
        a = arrays.get(f"param/{name}")
        if a is None:
            raise ModelFileError(path, f"param/{name}", "missing (the file is incomplete)")
        if tuple(shape) != a.shape:
            raise ModelFileError(path, "architecture", f"parameter {name!r} of shape {tuple(shape)}, "
                                                       f"the file holds an array of shape {a.shape}")


def _load_params(model, header, arrays, path):
    params = model.named_parameters()
    names = [n for n, _ in params]
    saved = header["parameters"]
    if saved != names:
        missing = [n for n in names if n not in saved]
        extra = [n for n in saved if n not in names]
        raise ModelFileError(path, "parameters", f"do not match the model's (missing in the file: "
                                                 f"{missing or 'none'}; not in the model: {extra or 'none'})")
    values = []
    for name, p in params:
        field = f"param/{name}"
        a = arrays.get(field)
        if a is None:
            raise ModelFileError(path, field, "missing (the file is incomplete)")
        if a.shape != p.data.shape:
            raise ModelFileError(path, field, f"shape {a.shape} in the file, the model expects {p.data.shape}")
        if a.dtype.kind != "f":
            raise ModelFileError(path, field, f"dtype {a.dtype}, expected a float array")
        if not np.all(np.isfinite(a)):
            raise ModelFileError(path, field, "holds NaN or inf")
        values.append(a)
    for (name, p), a in zip(params, values):
        p.data[...] = a


def _fit_state(header, path):
    fit_state = header.get("fit_state")
    if fit_state is None:
        return None
    if not isinstance(fit_state, dict):
        raise ModelFileError(path, "fit_state", f"expected {{'epoch': int, 'seed': int or null}}, got {fit_state!r:.200}")
    epoch, seed = fit_state.get("epoch", 0), fit_state.get("seed")
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise ModelFileError(path, "fit_state.epoch", f"expected a whole number >= 0, got {epoch!r:.100}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ModelFileError(path, "fit_state.seed", f"expected a whole number >= 0 or null, got {seed!r:.100}")
    return {"epoch": epoch, "seed": seed}


def _decoded(obj, arrays, path, field):
    try:
        return _decode(obj, arrays)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelFileError(path, field, f"corrupt encoded value ({type(exc).__name__}: {exc})") from None


def save_model(model, path) -> None:
    """Write architecture, weights, compile config, optimizer state and fit state to ``path`` (.npz)."""
    if not isinstance(model, Module):
        raise TypeError(f"save_model needs a gdlab.nn.Module, got {type(model).__name__}")
    arch = layer_config(model)
    arrays = _param_arrays(model)
    header = {"format": FORMAT, "version": FORMAT_VERSION, "architecture": arch,
              "parameters": [n for n, _ in model.named_parameters()]}
    compiled = getattr(model, "compiled_", None)
    if compiled is not None:
        record = compile_config(compiled)
        record["optimizer"]["defaults"] = _encode(record["optimizer"]["defaults"], arrays, "optdef/")
        header["compile"] = record
        header["optimizer_state"] = _encode(compiled.optimizer.state_dict(), arrays, "opt/")
    fit_state = getattr(model, "fit_state_", None)
    if fit_state is not None:
        header["fit_state"] = dict(fit_state)
    _write(path, header, arrays)


def load_model(path, compile=True, custom_objects=None) -> Module:
    """The model saved at ``path`` by ``model.save``: architecture, weights and, when it was compiled
    (and ``compile=True``), optimizer with its state, loss, metrics and fit state.

    ``custom_objects``: {function name: function} for losses given to compile as functions.

    Anything wrong with the file is a :class:`ModelFileError` (a ValueError) naming the file and
    the field, raised before anything large is allocated (sizes and the architecture's parameter
    shapes are checked against the archive first) and before a model is returned: there is no
    half-loaded model.
    """
    header, arrays = _read(path)
    if header.get("format") != FORMAT:
        raise ModelFileError(path, "format", "weights only (saved with save_weights): build the model and call "
                                             "model.load_weights(path)")
    _check_architecture(header, arrays, path)
    try:
        model = layer_from_config(header.get("architecture"))
    except (ValueError, TypeError, KeyError) as exc:
        raise ModelFileError(path, "architecture", f"cannot rebuild it: {exc}") from None
    _load_params(model, header, arrays, path)
    fit_state = _fit_state(header, path)
    cfg = header.get("compile")
    if compile and cfg is not None:
        if not callable(getattr(model, "compile", None)):
            raise ModelFileError(path, "compile", f"the architecture is a {type(model).__name__}, which is "
                                                  "not a Model and cannot be compiled")
        if not isinstance(cfg, dict):
            raise ModelFileError(path, "compile", f"expected a compile record, got {cfg!r:.200}")
        if not isinstance(cfg.get("optimizer"), dict):
            raise ModelFileError(path, "compile.optimizer", f"expected {{'class': name, 'defaults': {{...}}, ...}}, "
                                                            f"got {cfg.get('optimizer')!r:.200}")
        record = dict(cfg, optimizer=dict(cfg["optimizer"], defaults=_decoded(
            cfg["optimizer"].get("defaults"), arrays, path, "compile.optimizer.defaults")))
        try:
            opt, loss, metrics = compile_from_config(record, custom_objects)
            model.compile(opt, loss, metrics, regularizer=regularizer_from_config(record))
        except (ValueError, TypeError) as exc:
            field, _, problem = str(exc).partition(": ")
            if not field.startswith("compile"):
                field, problem = "compile", str(exc)
            raise ModelFileError(path, field, problem) from None
        if "optimizer_state" not in header:
            raise ModelFileError(path, "optimizer_state", "missing (the file has a compile record)")
        try:
            opt.load_state_dict(_decoded(header["optimizer_state"], arrays, path, "optimizer_state"))
        except (KeyError, ValueError, TypeError) as exc:
            if isinstance(exc, ModelFileError):
                raise
            raise ModelFileError(path, "optimizer_state", str(exc)) from None
    if fit_state is not None:
        model.fit_state_ = fit_state
    return model


def save_weights(model, path) -> None:
    """The parameters only (any Module, architecture not needed): ``param/<name>`` arrays + a small record."""
    if not isinstance(model, Module):
        raise TypeError(f"save_weights needs a gdlab.nn.Module, got {type(model).__name__}")
    header = {"format": WEIGHTS_FORMAT, "version": FORMAT_VERSION,
              "parameters": [n for n, _ in model.named_parameters()]}
    _write(path, header, _param_arrays(model))


def load_weights(model, path) -> None:
    """Copy the parameters saved at ``path`` (by save_weights or save) into ``model``, in place.

    Names and shapes must match; a mismatch, or anything else wrong with the file, is a
    :class:`ModelFileError` naming the field, and then no parameter has changed.
    """
    header, arrays = _read(path)
    _load_params(model, header, arrays, os.fspath(path))
