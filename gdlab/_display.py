"""Rich displays in notebooks (IPython's display protocol) without a notebook at import time.

Results of the lower layers (a Function, a Trajectory, a race, a History, a TuneResult, a Model)
define ``_repr_mimebundle_`` as ``return _display.bundle("trajectory", self, include, exclude)``.
What they look like is drawn in :mod:`gdlab.viz.display`, which registers one renderer per kind
here when it is imported. The top of the house (``gdlab/__init__``) adds the loader that imports
it on the first display, so no layer imports one above it and ``import gdlab`` stays light.

A renderer takes the object and returns a dict MIME type -> data (``"text/html"``, ``"text/latex"``,
``"image/png"`` ...); the plain text stays the object's ``__repr__``.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["register", "add_loader", "bundle", "in_notebook"]

_RENDERERS: dict[str, Callable] = {}
_LOADERS: list[Callable[[], object]] = []


def register(kind: str, render: Callable) -> None:
    """Draw objects of ``kind`` with ``render(obj) -> {mime: data}``."""
    _RENDERERS[kind] = render


def add_loader(load: Callable[[], object]) -> None:
    """Call ``load()`` (once) before the first display that finds no renderer for its kind."""
    _LOADERS.append(load)


def bundle(kind: str, obj, include=None, exclude=None):
    """The MIME bundle of ``obj`` (None when nothing renders ``kind``), filtered as IPython asks."""
    while kind not in _RENDERERS and _LOADERS:
        _LOADERS.pop(0)()
    render = _RENDERERS.get(kind)
    if render is None:
        return None
    data = render(obj)
    if include:
        data = {k: v for k, v in data.items() if k in include}
    if exclude:
        data = {k: v for k, v in data.items() if k not in exclude}
    return data


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython already imported by the kernel; never imported here)."""
    import sys

    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    shell = get() if get is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def show(kind: str, obj, text: str) -> None:
    """Display ``obj`` as its rich bundle in a notebook, with ``text`` as its plain text."""
    from IPython.display import display

    display({"text/plain": text, **(bundle(kind, obj) or {})}, raw=True)
