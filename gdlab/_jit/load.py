"""Generated sources on disk, imported once per process (numba caches their compiled code beside them)."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sys
import threading
from pathlib import Path

__all__ = ["cache_dir", "load", "available", "LOG"]

LOG = logging.getLogger("gdlab.compiled")
_LOCK = threading.Lock()
_MODULES: dict = {}
_AVAILABLE: list = []


def available() -> bool:
    """Whether numba can be imported (looked up once, without importing it)."""
    if not _AVAILABLE:
        _AVAILABLE.append("numba" in sys.modules or importlib.util.find_spec("numba") is not None)
    return _AVAILABLE[0]


def cache_dir() -> Path:
    """Where generated sources (and numba's cache of them, unless NUMBA_CACHE_DIR says otherwise) live:
    ``$GDLAB_CACHE/engine``, else ``$XDG_CACHE_HOME/gdlab/engine``, else ``~/.cache/gdlab/engine``."""
    root = os.environ.get("GDLAB_CACHE")
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = os.path.join(xdg, "gdlab") if xdg else os.path.join(os.path.expanduser("~"), ".cache", "gdlab")
    return Path(root) / "engine"


def load(source: str, prefix: str, what: str):
    """``(module, first)``: the module of ``source`` (written to the cache folder once, atomically), and
    whether this is its first compile on this machine (then it is logged once, as ``what``)."""
    key = hashlib.sha256(source.encode()).hexdigest()[:24]
    with _LOCK:
        got = _MODULES.get(key)
        if got is not None:
            return got, False
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{prefix}_{key}.py"
        marker = folder / f"{prefix}_{key}.compiled"
        if not path.exists():
            tmp = folder / f".{prefix}_{key}.{os.getpid()}.tmp"
            tmp.write_text(source, encoding="utf-8")
            os.replace(tmp, path)
        name = f"gdlab_jit_{path.stem}"  # the name numba's cache records for the functions in it
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # numba's cache finds the module of a cached function by name
        spec.loader.exec_module(module)
        _MODULES[key] = module
        first = not marker.exists()
        if first:
            LOG.info("compiling %s once (cached in %s)", what, folder)
            try:
                marker.touch()
            except OSError:
                pass
        return module, first
