"""The gallery's building blocks: an experiment, the numbers it reproduces, and its context.

An experiment is a small function registered once with :func:`experiment`; its docstring is
the card's title (first line) and explanation (the rest)::

    @experiment("seed000_x2", seed="000")
    def x_squared(ctx):
        '''Gradient descent on y = x²

        150 steps of w ← w − 0.1·2w from w = −5 reach the minimum at 0.
        '''
        traj = gdlab.minimize("square", -5.0, optimizer="gd", lr=0.1, steps=150)   # run with the layers
        ctx.match("final w", traj.final[0], "0.00")                                 # the seed's number beside gdlab's
        ctx.draw("path.png", "the visited points", viz.path_1d, traj)               # its figure, via gdlab.viz

The function gets a :class:`Context` and reports through it: numbers (``match``, ``approx``,
``corrected``, ``value``, ``check``) and files (``draw`` calls a gdlab.viz function with the
gallery's path and dpi, ``save`` saves a matplotlib figure, ``add`` registers a file a layer wrote,
``path`` says where to write one). ``ctx.quick`` and ``ctx.pick(full, quick)`` size the work.
The runner catches its failures.
"""

from __future__ import annotations

import inspect
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

import numpy as np

from .._registry import Registry

__all__ = ["Experiment", "Number", "Figure", "Context", "Result", "experiment", "REGISTRY", "GROUPS", "STATUSES"]

#: display order and titles of the groups (a seed article, or gdlab's own showcases)
GROUPS = {
    "000": "Seed 000 · gradient descent written by hand",
    "001": "Seed 001 · gradient descent and backpropagation",
    "002": "Seed 002 · GD, SGD and mini-batch SGD",
    "003": "Seed 003 · visualising gradient descent algorithms",
    "004": "Seed 004 · numerical differentiation and learning",
    "beyond": "Beyond the seeds · showcases",
}

#: the statuses of a number: (mark in the terminal and results.json, badge on the page, terminal style)
STATUSES = {
    "match": ("✓", "✓", "green"),
    "approx": ("≈", "≈ ✓", "green"),
    "corrected": ("corrected", "corrected", "bold yellow"),
    "new": ("new", "new", "cyan"),
    "mismatch": ("✗", "✗ differs", "bold red"),
}


@dataclass(frozen=True)
class Experiment:
    """One gallery entry: a name, the seed it comes from, a title, a one-line explanation, a runner."""

    name: str
    seed: str
    title: str
    explain: str
    run: Callable[["Context"], None]
    heavy: bool = False  # worth running early when experiments run in parallel

    @property
    def group(self) -> str:
        return GROUPS[self.seed]


def _minus(text: str) -> str:
    """Typographic minus signs in numbers ("-0.07" -> "−0.07"), as gdlab's own values are shown."""
    return re.sub(r"(?<![\w.])-(?=[\d.])", "−", str(text))


@dataclass
class Number:
    """A reproduced quantity: the seed's value (as the article prints it) beside gdlab's."""

    label: str
    gdlab: str
    seed: str = "—"
    status: str = "new"
    note: str = ""

    def __post_init__(self):
        self.seed = _minus(self.seed)

    @property
    def mark(self) -> str:
        return STATUSES[self.status][0]


@dataclass
class Figure:
    """A file of the gallery: an image (png, gif) or an interactive page (html), with a caption."""

    path: str  # relative to the gallery folder
    caption: str = ""
    kind: str = "image"  # "image" | "animation" | "html" | "text"
    preview: str | None = None  # for html: an image to show in the card

    @property
    def is_image(self) -> bool:
        return self.kind in ("image", "animation")


@dataclass
class Result:
    """What running one experiment gave: status ("ok", "mismatch", "failed"), numbers, files, time."""

    name: str
    seed: str
    title: str
    explain: str
    status: str = "ok"
    numbers: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    error: str = ""
    traceback: str = ""
    seconds: float = 0.0
    untranslated: list = field(default_factory=list)  # text the language's table lacks (none, by the tests)

    @property
    def failed(self) -> bool:
        return self.status != "ok"

    def to_dict(self) -> dict:
        return {
            "name": self.name, "seed": self.seed, "title": self.title, "explain": self.explain,
            "status": self.status, "seconds": round(self.seconds, 3), "error": self.error,
            "numbers": [vars(n) | {"mark": n.mark} for n in self.numbers],
            "figures": [vars(f) for f in self.figures], "notes": list(self.notes),
        }


REGISTRY: dict[str, Experiment] = {}
#: REGISTRY as a registry: the lookup by name and the unknown-experiment message.
EXPERIMENTS = Registry("experiment", REGISTRY, listed=False, note="See 'gdlab demo --list'.")


def _title_and_explain(fn) -> tuple[str, str]:
    """A card's title (the docstring's first line) and explanation (the rest, as one line)."""
    head, _, rest = inspect.cleandoc(fn.__doc__ or "").partition("\n")
    if not head.strip() or not rest.strip():
        raise ValueError(f"experiment {fn.__name__!r}: give title= and explain=, or a docstring with a title line "
                         "and an explanation")
    return head.strip(), " ".join(rest.split())


def experiment(name: str, *, seed: str, title: str | None = None, explain: str | None = None, heavy: bool = False):
    """Register the decorated function as the experiment ``name`` (once; a second one is an error).

    ``title`` and ``explain`` default to the function's docstring: its first line, and the
    paragraph(s) after it joined into one line.
    """
    if seed not in GROUPS:
        raise ValueError(f"experiment {name!r}: seed must be one of {', '.join(GROUPS)}, got {seed!r}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"experiment name {name!r}: use lower-case letters, digits and '_'")

    def register(fn):
        doc_title, doc_explain = (title, explain) if title and explain else _title_and_explain(fn)
        EXPERIMENTS.register(name, Experiment(name, seed, title or doc_title, explain or doc_explain, fn, heavy))
        return fn

    return register


# ------------------------------------------------------------------------------------------------
# formatting and comparing numbers


def fmt(value, digits: int = 6) -> str:
    """gdlab's value as text: floats to ``digits`` significant digits, points as (a, b), the rest str()."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    arr = np.asarray(value)
    if arr.ndim > 0:
        inner = ", ".join(fmt(v, digits) for v in arr.reshape(-1).tolist())
        return f"({inner})"
    v = float(arr)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "−inf"
    if v == 0:
        return "0"
    if 1e-4 <= abs(v) < 1e6:
        text = f"{v:.{digits}g}"
    else:
        text = f"{v:.{max(digits - 4, 1)}e}"
    return "−" + text[1:] if text.startswith("-") else text


def _numbers_in(text: str) -> list[str]:
    return re.findall(r"[-−+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-−+]?\d+)?", text)


def _half_unit(literal: str) -> float:
    """Half a unit in the last digit a literal shows: "0.67" -> 0.005, "-6.1e-10" -> 5e-12."""
    try:
        exponent = Decimal(literal.replace("−", "-")).as_tuple().exponent
    except InvalidOperation:  # pragma: no cover - literals come from _numbers_in
        return 0.0
    return 0.5 * 10.0 ** int(exponent)


def agrees(gdlab_value, seed_text: str, tol: float | None = None) -> bool:
    """Whether gdlab's value shows as the seed's printed number (within half a unit of its last digit).

    ``seed_text`` is the number(s) as the article prints them ("0.67", "(-6.1e-10, 8.1e-10)"); each
    number in it is compared with the matching element of ``gdlab_value``. ``tol`` replaces the
    half-unit rule (an absolute tolerance).
    """
    literals = _numbers_in(seed_text)
    values = np.asarray(gdlab_value, dtype=float).reshape(-1)
    if not literals or len(literals) != values.size:
        return False
    for literal, value in zip(literals, values):
        expected = float(literal.replace("−", "-"))
        allowed = _half_unit(literal) if tol is None else tol
        if not abs(value - expected) <= allowed * (1 + 1e-9):
            return False
    return True


def _close(figure):
    """Free a matplotlib figure whether it was made with pyplot or as a bare Figure (others: nothing)."""
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None and figure.__class__.__name__ == "Figure" and hasattr(figure, "savefig"):
        plt.close(figure)


class Context:
    """What an experiment writes through: its output folder, its mode, its numbers and files."""

    def __init__(self, exp: Experiment, out: Path, quick: bool = False, lang: str = "en"):
        from .lang import translator

        self.experiment = exp
        self.out = Path(out)
        self.quick = quick
        self.translate = translator(lang)  # the gallery's language: figures are translated before they are saved
        self.dpi = 70 if quick else 220  # PNGs at 2x the page's width: sharp in the cards and the lightbox
        self.gif_dpi = 50 if quick else 80
        self.numbers: list[Number] = []
        self.figures: list[Figure] = []
        self.notes: list[str] = []

    # -------------------------------------------------------------------- mode
    def pick(self, full, quick):
        """``full`` for the full gallery, ``quick`` under ``--quick``."""
        return quick if self.quick else full

    @property
    def frames(self) -> int:
        """Frames per animation."""
        return 12 if self.quick else 48

    # -------------------------------------------------------------------- files
    def path(self, filename: str) -> Path:
        """Where to write ``filename`` (prefixed with the experiment's name)."""
        return self.out / f"{self.experiment.name}-{filename}"

    def add(self, filename_or_path, caption: str = "", kind: str | None = None, preview=None) -> Path:
        """Register a file a layer wrote (an animation, an HTML report) under the gallery folder."""
        path = Path(filename_or_path)
        if not path.is_absolute() and path.parent == Path("."):
            path = self.path(str(path))
        if not path.exists() or path.stat().st_size == 0:
            raise RuntimeError(f"{path.name} was not written")
        if kind is None:
            kind = {".gif": "animation", ".html": "html", ".mp4": "animation", ".txt": "text"}.get(
                path.suffix.lower(), "image")
        preview_rel = None
        if preview is not None:
            preview_rel = Path(preview).name if Path(preview).is_absolute() else str(self.path(str(preview)).name)
        self.figures.append(Figure(path.name, caption, kind, preview_rel))
        return path

    def draw(self, filename: str, caption: str, fn, *args, register: bool = True, **kwargs):
        """Call a gdlab.viz figure function with ``path=`` and ``dpi=`` set for the gallery; register the file."""
        path = self.path(filename)
        if path.suffix.lower() == ".png":
            kwargs.setdefault("dpi", self.dpi)
        elif path.suffix.lower() == ".gif":
            kwargs.setdefault("dpi", self.gif_dpi)
        if self.translate.lang == "en":
            out = fn(*args, path=path, **kwargs)
        else:  # draw, translate the figure's text, then save
            out = fn(*args, **kwargs)
            if hasattr(out, "frames") and hasattr(out, "save"):  # a viz.Movie
                self.translate.movie(out).save(path)
            elif hasattr(out, "savefig"):
                from gdlab import viz

                viz.save(self.translate.figure(out), path, dpi=kwargs.get("dpi"))
            else:  # pragma: no cover - ctx.draw draws matplotlib figures and movies only
                out = fn(*args, path=path, **kwargs)
        _close(out)
        if register:
            self.add(path, caption)
        return out

    def report(self, filename: str, fn, *args, **kwargs) -> Path:
        """Write an interactive (plotly) report of a gdlab.viz function as ``filename``, its texts and hover
        templates in the gallery's language (not registered: ``add`` it with its preview)."""
        path = self.path(filename)
        if self.translate.lang == "en":
            fn(*args, path=path, **kwargs)
        else:  # draw, translate the report's text, then write it
            from gdlab import viz

            plotlyjs = kwargs.pop("plotlyjs", "inline")
            viz.write_html(self.translate.plotly(fn(*args, **kwargs)), path, plotlyjs=plotlyjs)
        return path

    def save(self, figure, filename: str, caption: str = "", register: bool = True) -> Path:
        """Save a matplotlib figure at the gallery's dpi, close it, and register it (unless ``register``
        is False: e.g. a preview image for an HTML report)."""
        path = self.path(filename)
        self.translate.figure(figure)
        try:
            from gdlab import viz

            viz.save(figure, path, dpi=self.dpi)  # the house style applies while saving
        except (ImportError, AttributeError):  # pragma: no cover - a figure drawn without gdlab.viz
            figure.savefig(path, dpi=self.dpi)
        _close(figure)
        if register:
            self.add(path, caption)
        return path

    # -------------------------------------------------------------------- numbers
    def match(self, label: str, value, seed: str, *, tol: float | None = None, note: str = "", digits: int = 6,
              shown: str | None = None) -> bool:
        """gdlab's ``value`` reproduces the seed's printed number ``seed`` (to its digits, or ``tol``).

        A disagreement is recorded as a mismatch and the experiment reports it (exit status 1).
        """
        ok = agrees(value, seed, tol)
        self.numbers.append(Number(label, shown or fmt(value, digits), seed, "match" if ok else "mismatch", note))
        return ok

    def approx(self, label: str, value, seed: str, note: str, *, digits: int = 6, shown: str | None = None):
        """The seed gives a rough figure ("about 32"); gdlab's exact one differs a little, ``note`` says how."""
        self.numbers.append(Number(label, shown or fmt(value, digits), seed, "approx", note))

    def corrected(self, label: str, value, seed: str, note: str, *, digits: int = 6, shown: str | None = None):
        """The seed's number is wrong; gdlab's ``value`` is right and ``note`` says why."""
        self.numbers.append(Number(label, shown or fmt(value, digits), seed, "corrected", note))

    def value(self, label: str, value, note: str = "", *, digits: int = 6, shown: str | None = None):
        """A number the seed does not print (or a showcase's): gdlab's value only."""
        self.numbers.append(Number(label, shown or fmt(value, digits), "—", "new", note))

    def check(self, label: str, ok: bool, gdlab_text: str, seed_text: str, note: str = "") -> bool:
        """A qualitative claim of the seed ("diverges", "y stays 0") checked against what gdlab did."""
        self.numbers.append(Number(label, gdlab_text, seed_text, "match" if ok else "mismatch", note))
        return bool(ok)

    def note(self, text: str):
        """A remark shown under the card's numbers."""
        self.notes.append(text)
