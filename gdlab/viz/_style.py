"""The house style: palette, fonts, sizes, markers, and how figures are made and saved.

Figures are built as ``matplotlib.figure.Figure`` objects with a ``FigureCanvasAgg``
attached, never through ``pyplot``: gdlab never creates pyplot windows and never changes
the user's backend (``matplotlib.use`` is not called anywhere). The figures still display
inline in Jupyter (IPython renders any ``Figure``), save to any file format, and can be
drawn into the user's own axes (``ax=``, e.g. from ``plt.subplots()``).

The house look lives here only: ``RC`` (rcParams applied while a figure is drawn and
saved), ``PALETTE`` (one fixed colour per optimizer name, so Adam is the same green in
every figure), the markers for start (ring), end (square) and minima (star), and ``contour_levels`` (log-spaced
levels where a function's range is wide).
"""

from __future__ import annotations

import contextlib
import functools
import os
import warnings

import numpy as np

from .._atomic import atomic_path

# ---------------------------------------------------------------------------------------------
# colours

#: a fixed colour per optimizer family (keys are lower-case names without punctuation)
PALETTE = {
    "gd": "#E4572E",          # vermilion: plain gradient descent, as in the seeds' red paths
    "sgd": "#E4572E",
    "batchgd": "#E4572E",
    "minibatch": "#F28E2B",
    "momentum": "#2F6FDE",    # blue
    "heavyball": "#2F6FDE",
    "nesterov": "#00A6A6",    # teal
    "nag": "#00A6A6",
    "adagrad": "#E8A33D",     # amber
    "rmsprop": "#8E44AD",     # purple
    "adadelta": "#A0522D",    # sienna
    "adam": "#2CA25F",        # green
    "adamw": "#0B6E4F",       # dark green
    "amsgrad": "#7CB518",     # lime
    "adamax": "#5C7CBA",      # slate blue
    "nadam": "#D81B60",       # magenta
    "radam": "#C2185B",
    "lion": "#FF7F0E",        # orange
    "newton": "#333333",
    "lbfgs": "#555555",
}

#: colours for runs whose name has no fixed colour (or for a second run of the same optimizer)
CYCLE = ["#2F6FDE", "#E4572E", "#2CA25F", "#8E44AD", "#E8A33D", "#00A6A6", "#D81B60",
         "#5C7CBA", "#A0522D", "#7CB518", "#333333", "#FF7F0E"]

#: qualitative colours for classes and basins (light enough for regions, distinct as points)
CLASS_COLORS = ["#2F6FDE", "#E4572E", "#2CA25F", "#E8A33D", "#8E44AD", "#00A6A6", "#D81B60",
                "#5C7CBA", "#A0522D", "#7CB518"]

INK = "#222222"           # text and axes
MUTED = "#6b6b6b"         # secondary text
GRID = "#e9e9e9"
MINIMUM_COLOR = "#FFD23F"  # gold stars
DIVERGED_COLOR = "#C62828"

# sequential colour map for landscapes: low values dark (a valley), high values light
LANDSCAPE_COLORS = ["#3b4252", "#5f6878", "#8a93a3", "#b7bec9", "#dde1e7", "#f2f3f5", "#ffffff"]
SURFACE_CMAP = "viridis"
FIELD_CMAP = "magma_r"

# ---------------------------------------------------------------------------------------------
# sizes and fonts

DPI = 100          # on screen and in animations
SAVE_DPI = 150     # PNGs written with path=
WIDTH = 6.4        # one panel, inches
HEIGHT = 4.8

RC = {
    "font.family": "sans-serif",
    "font.size": 10.0,
    "axes.titlesize": 12.0,
    "axes.titleweight": "bold",
    "axes.titlepad": 8.0,
    "axes.labelsize": 10.5,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#4a4a4a",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": "#4a4a4a",
    "ytick.color": "#4a4a4a",
    "xtick.labelsize": 9.0,
    "ytick.labelsize": 9.0,
    "legend.frameon": False,
    "legend.fontsize": 9.0,
    "legend.handlelength": 1.8,
    "lines.linewidth": 1.8,
    "lines.solid_capstyle": "round",
    "figure.dpi": DPI,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.dpi": SAVE_DPI,
    "text.color": INK,
    "axes.unicode_minus": True,
    "svg.fonttype": "path",
    "image.interpolation": "nearest",
}


def _rc():
    from cycler import cycler
    rc = dict(RC)
    rc["axes.prop_cycle"] = cycler(color=CYCLE)
    return rc


@contextlib.contextmanager
def house():
    """Apply the house rcParams for the duration of a block (the user's settings come back after)."""
    import matplotlib
    with matplotlib.rc_context(_rc()):
        yield


def styled(fn):
    """Decorator: run a figure function inside :func:`house`."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with house():
            return fn(*args, **kwargs)
    return wrapper


def landscape_cmap():
    from matplotlib.colors import LinearSegmentedColormap
    return LinearSegmentedColormap.from_list("gdlab_landscape", LANDSCAPE_COLORS)


# ---------------------------------------------------------------------------------------------
# colours for runs

def _key(name):
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def color_for(name, default=None):
    """The house colour of an optimizer (by name, e.g. "adam", "Adam lr=0.1"), or ``default``."""
    key = _key(name)
    if key in PALETTE:
        return PALETTE[key]
    # longest family name that starts the label ("adam_lr0.1", "momentum 0.9")
    for fam in sorted(PALETTE, key=len, reverse=True):
        if key.startswith(fam):
            return PALETTE[fam]
    return default


def assign_colors(runs):
    """One distinct colour per run: the optimizer's house colour where free, else the cycle."""
    used, out = set(), []
    for run in runs:
        if getattr(run, "color", None):
            out.append(run.color)
            used.add(run.color)
            continue
        c = color_for(run.label) or (color_for(run.optimizer) if run.optimizer else None)
        if c is None or c in used:
            c = next((x for x in CYCLE if x not in used), CYCLE[len(out) % len(CYCLE)])
        used.add(c)
        out.append(c)
    return out


# ---------------------------------------------------------------------------------------------
# markers

# start and end differ in shape, not only in fill, so they stay apart when drawn small (many starts):
# the start is a ring, the end a filled square
START = dict(marker="o", ms=8, mfc="white", mew=2.0, ls="none", zorder=6)
END = dict(marker="s", ms=7, mec="white", mew=1.3, ls="none", zorder=7)
DIVERGED = dict(marker="X", ms=10, mec="white", mew=1.0, ls="none", zorder=7)
MINIMUM = dict(marker="*", ms=17, mfc=MINIMUM_COLOR, mec=INK, mew=0.9, ls="none", zorder=8)
SADDLE = dict(marker="P", ms=9, mfc="white", mec=INK, mew=1.0, ls="none", zorder=8)


def halo(width=3.5, color="white", alpha=0.9):
    """A white outline under a line or text, so it reads on any background."""
    from matplotlib import patheffects
    return [patheffects.withStroke(linewidth=width, foreground=color, alpha=alpha)]


def marker_legend_handles(minima=True, saddles=False, diverged=False):
    """Grey proxy artists explaining the start/end/minimum markers in a legend."""
    from matplotlib.lines import Line2D
    grey = "#555555"
    handles = [Line2D([], [], color=grey, **{**START, "label": "start"}),
               Line2D([], [], color=grey, mfc=grey, **{**END, "label": "end"})]
    if diverged:
        handles.append(Line2D([], [], color=DIVERGED_COLOR, mfc=DIVERGED_COLOR, **{**DIVERGED, "label": "diverged"}))
    if minima:
        handles.append(Line2D([], [], **{**MINIMUM, "label": "minimum"}))
    if saddles:
        handles.append(Line2D([], [], **{**SADDLE, "label": "saddle"}))
    return handles


# ---------------------------------------------------------------------------------------------
# levels

def wide_range(values, ratio=40.0):
    """True when the values span orders of magnitude above their minimum: the range is more than
    ``ratio`` times the 10th percentile of (value - min) (Rosenbrock yes, a round bowl no)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if v.size < 4:
        return False
    lo, hi = v.min(), v.max()
    span = hi - lo
    if span <= 0:
        return False
    low = np.percentile(v - lo, 10)
    return bool(low <= span / ratio)


def contour_levels(z, n=18, log="auto"):
    """Contour levels for the values ``z``: ``n`` levels, log-spaced above the minimum where the
    range is wide (``log="auto"``), else evenly spaced. Returns an increasing array."""
    v = np.asarray(z, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.linspace(0.0, 1.0, n)
    lo, hi = float(v.min()), float(v.max())
    if not hi > lo:
        return np.linspace(lo - 0.5, lo + 0.5, n)
    use_log = wide_range(v) if log == "auto" else bool(log)
    if not use_log:
        return np.linspace(lo, hi, n)
    d = v - lo
    pos = d[d > 0]
    eps = max(float(np.percentile(pos, 0.5)) if pos.size else 0.0, (hi - lo) * 1e-7)
    eps = min(eps, (hi - lo) * 1e-2)
    offsets = np.geomspace(eps, hi - lo, n - 1)
    return np.concatenate([[lo], lo + offsets])


# ---------------------------------------------------------------------------------------------
# figures

_FIGURE_CLASS = None


def _figure_class():
    """matplotlib's Figure plus ``_repr_png_``, so a gdlab figure shows itself in Jupyter even when
    pyplot (and its inline backend) was never loaded."""
    global _FIGURE_CLASS
    if _FIGURE_CLASS is None:
        from matplotlib.figure import Figure

        class GdlabFigure(Figure):
            def _repr_png_(self):
                import io
                buf = io.BytesIO()
                save(self, buf, dpi=DPI, format="png")
                return buf.getvalue()

        _FIGURE_CLASS = GdlabFigure
    return _FIGURE_CLASS


def new_figure(nrows=1, ncols=1, *, figsize=None, dpi=None, layout="constrained", subplot_kw=None,
               squeeze=True, **kw):
    """A pyplot-free Figure with an Agg canvas and its axes (like ``plt.subplots``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    if figsize is None:
        figsize = (WIDTH * ncols if ncols > 1 else WIDTH, HEIGHT * nrows if nrows > 1 else HEIGHT)
    fig = _figure_class()(figsize=figsize, dpi=dpi or DPI, layout=layout)
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, subplot_kw=subplot_kw, squeeze=squeeze, **kw)
    return fig, axes


def own_or_new(ax, *, figsize=None, dpi=None, projection=None):
    """(fig, ax, own): the given axes, or a fresh figure with one axes (own=True)."""
    if ax is not None:
        return ax.figure, ax, False
    fig, ax = new_figure(figsize=figsize, dpi=dpi,
                         subplot_kw={"projection": projection} if projection else None)
    return fig, ax, True


SAVE_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "webp")


def save(fig, path, dpi=None, format=None):
    """Save ``fig`` (any matplotlib Figure) to ``path`` in the house style; the format comes from the
    extension (png, svg, pdf, jpg, webp), or ``format=`` for a file object. Returns the path."""
    if hasattr(path, "write"):
        ext = (format or "png").lower()
    else:
        path = os.fspath(path)
        ext = (format or os.path.splitext(path)[1].lstrip(".")).lower()
    if ext not in SAVE_FORMATS:
        raise ValueError(f"cannot save a figure as {path!r}: the extension must be one of "
                         + ", ".join("." + e for e in SAVE_FORMATS))
    from ._fonts import quiet_glyph_warnings
    with house(), quiet_glyph_warnings(), _written(path) as target:
        fig.savefig(target, dpi=dpi or SAVE_DPI, format="jpeg" if ext == "jpg" else ext,
                    bbox_inches="tight", pad_inches=0.08, facecolor="white")
    return path


def _written(path):
    """A file path is written all or nothing (gdlab._atomic); a file object as it is."""
    if hasattr(path, "write"):
        return contextlib.nullcontext(path)
    return atomic_path(path)


def finish(fig, path=None, dpi=None):
    """Last step of every figure function: CJK fonts for CJK text, then save when asked."""
    from ._fonts import apply_cjk
    apply_cjk(fig)
    if path is not None:
        save(fig, path, dpi=dpi)
    return fig


def to_array(fig):
    """Render ``fig`` with Agg and return the RGBA pixels, shape (height, width, 4), uint8."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    from ._fonts import quiet_glyph_warnings
    with house(), quiet_glyph_warnings():
        canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def _row_major(handles, ncols):
    """Reorder so that matplotlib's column-by-column filling reads row by row."""
    n = len(handles)
    rows = -(-n // ncols)
    sizes = [rows if (n % ncols == 0 or j < n % ncols) else rows - 1 for j in range(ncols)]
    return [handles[i * ncols + j] for j in range(ncols) for i in range(sizes[j])]


def legend_below(fig, ax, handles=None, own=True, ncols=None, **kw):
    """The legend outside the plot: below the axes for own figures, 'best' inside user axes."""
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    handles = [h for h in handles if not str(h.get_label()).startswith("_")]
    if not handles:
        return None
    if own:
        n = min(ncols or (len(handles) if len(handles) <= 5 else -(-len(handles) // 2)), len(handles))
        # no wider than the figure: about 0.062 in per character at 9 pt, plus the handle
        longest = max(len(str(h.get_label())) for h in handles)
        fits = max(1, int(fig.get_figwidth() // (0.062 * longest + 0.7)))
        n = max(1, min(n, fits))
        return fig.legend(handles=_row_major(handles, n), loc="outside lower center", ncols=n, **kw)
    return ax.legend(handles=handles, loc="best", **kw)


def warn(msg, category=UserWarning, stacklevel=3):
    warnings.warn(msg, category, stacklevel=stacklevel)
