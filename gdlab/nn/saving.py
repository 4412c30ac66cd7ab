r"""Saving and loading models: one ``.npz`` file, no pickle. This module reads and writes files;
the records it stores (architecture, compile settings) come from :mod:`gdlab.nn.config`.

``model.save(path)`` writes a NumPy ``.npz`` archive (read back with
``allow_pickle=False``, so loading a file never runs code) holding

* ``__gdlab__``: a JSON record (UTF-8 bytes as a uint8 array): the format name and
  version, the architecture (``{"class": "Sequential", "config": {"layers": [...]}}``,
  each layer its class name and constructor arguments), the parameter names, the
  compile configuration (optimizer class and hyperparameters, loss, metrics), the
  optimizer's ``state_dict()`` with its arrays replaced by references, and the fit
  state (the model's epoch count and shuffling seed);
* ``param/<name>``: each parameter's array (dtype kept: float32 stays float32);
* ``opt/<k>``: the optimizer's state arrays (Adam's ``exp_avg``, ``exp_avg_sq``, ...).

:func:`load_model` rebuilds the model, its weights and, when the file has a compile
configuration, the compiled optimizer with its state, so that ``fit`` continues with
identical numbers (the tests train 10 epochs straight and 5 + save + load + 5 with
shuffling and compare bit for bit). A file that is not such an archive, is truncated,
has an unknown format version, an unknown layer class, or parameters missing or of
the wrong shape gives a ValueError naming the path and the problem.

The file is written to a temporary name next to ``path`` and renamed into place, so
an interrupted save never leaves a half-written checkpoint under ``path``.
"""

from __future__ import annotations

import json
import math
import os
import zipfile

import numpy as np

from .config import compile_config, compile_from_config, layer_config, layer_from_config
from .module import Module

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "FORMAT_VERSION"]

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


def _read(path):
    """(header dict, arrays dict) of a gdlab file; ValueError naming the path for anything unreadable."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic != b"PK\x03\x04":
        raise ValueError(f"{path} is not a gdlab model file: not a .npz (zip) archive")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise ValueError(f"{path} is corrupt or truncated (cannot read the .npz archive: {exc})") from None
    bad = [k for k, v in arrays.items() if not isinstance(v, np.ndarray)]
    if bad:
        raise ValueError(f"{path} is corrupt: the entry {bad[0]!r} is not a NumPy array")
    raw = arrays.pop(_HEADER, None)
    if raw is None:
        raise ValueError(f"{path} is not a gdlab model file: it has no '{_HEADER}' record "
                         "(written by np.savez rather than model.save?)")
    try:
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise ValueError(f"it is a {raw.dtype} array of shape {raw.shape}, not UTF-8 bytes")
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path} has a corrupt '{_HEADER}' record: {exc}") from None
    if not isinstance(header, dict) or header.get("format") not in (FORMAT, WEIGHTS_FORMAT):
        fmt = header.get("format") if isinstance(header, dict) else header
        raise ValueError(f"{path} is not a gdlab model file (format {fmt!r})")
    version = header.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise ValueError(f"{path} has format version {version!r}; this gdlab reads versions 1 to {FORMAT_VERSION} "
                         "(upgrade gdlab to read newer files)")
    return header, arrays


def _param_arrays(model):
    return {f"param/{name}": p.data for name, p in model.named_parameters()}


def _load_params(model, header, arrays, path):
    params = model.named_parameters()
    names = [n for n, _ in params]
    saved = header.get("parameters")
    if saved != names:
        missing = [n for n in names if n not in (saved or [])]
        extra = [n for n in (saved or []) if n not in names]
        raise ValueError(f"{path}: the saved parameters do not match the model's "
                         f"(missing in the file: {missing or 'none'}; not in the model: {extra or 'none'})")
    values = []
    for name, p in params:
        a = arrays.get(f"param/{name}")
        if a is None:
            raise ValueError(f"{path} is incomplete: no array for parameter {name!r}")
        if a.shape != p.data.shape:
            raise ValueError(f"{path}: parameter {name!r} has shape {a.shape} in the file, "
                             f"the model expects {p.data.shape}")
        if a.dtype.kind != "f":
            raise ValueError(f"{path}: parameter {name!r} has dtype {a.dtype}, expected a float array")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{path}: parameter {name!r} holds NaN or inf")
        values.append(a)
    for (name, p), a in zip(params, values):
        p.data[...] = a


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
    """
    header, arrays = _read(path)
    if header.get("format") != FORMAT:
        raise ValueError(f"{path} holds weights only (saved with save_weights): build the model and call "
                         "model.load_weights(path)")
    try:
        model = layer_from_config(header.get("architecture"))
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{path}: cannot rebuild the architecture: {exc}") from None
    _load_params(model, header, arrays, path)
    fit_state = header.get("fit_state")
    if isinstance(fit_state, dict):
        model.fit_state_ = {"epoch": int(fit_state.get("epoch", 0)), "seed": fit_state.get("seed")}
    cfg = header.get("compile")
    if compile and cfg is not None:
        try:
            record = dict(cfg, optimizer=dict(cfg["optimizer"], defaults=_decode(cfg["optimizer"]["defaults"], arrays)))
            opt, loss, metrics = compile_from_config(record, custom_objects)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path} has a corrupt compile record: {exc!r}") from None
        model.compile(opt, loss, metrics)
        try:
            opt.load_state_dict(_decode(header["optimizer_state"], arrays))
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"{path}: cannot restore the optimizer state: {exc}") from None
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

    Names and shapes must match; a mismatch is a ValueError naming the parameter.
    """
    header, arrays = _read(path)
    _load_params(model, header, arrays, os.fspath(path))
