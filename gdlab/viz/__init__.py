"""gdlab.viz: figures, animations and interactive reports of gradient descent.

Takes results, runs nothing: every function draws a Trajectory (``gdlab.minimize``), a race
(a dict ``label -> Trajectory``), a sweep, a History or a model you already have. Inputs are
duck-typed, so plain arrays of visited points and plain Python callables work too.

Conventions
-----------
- Every figure function returns the ``matplotlib.figure.Figure`` and, given ``path=``, saves it
  (PNG, SVG, PDF, JPG by the extension; ``dpi=`` for PNGs). Most take ``ax=`` to draw into
  axes of your own (e.g. from ``plt.subplots()``), ``title=`` and ``figsize=``.
- Figures are made without pyplot, on an Agg canvas: gdlab never opens windows and never
  changes your matplotlib backend. In Jupyter the returned Figure displays inline; to show one
  in a window, draw into pyplot axes with ``ax=``.
- Figure functions that take ``(f, runs)`` also accept the runs alone: ``contour(run)`` uses
  ``run.function``.
- Animations return a :class:`Movie` (``.save(path)`` to .gif, .mp4 or .html, ``.to_html()``,
  shows itself in Jupyter); given ``path=`` they save it too. Training animations take
  prediction snapshots, most easily recorded by :class:`SnapshotCallback` during ``fit``.
- Basin maps: the caller runs the grid of starts (``gdlab.runs.grid_starts`` + ``gdlab.minimize``),
  viz draws the result (``basin_map``); its numbers are ``gdlab.runs.basins`` (``viz.grid_starts``
  and ``viz.basins`` are the same functions, kept under their old names).
- Interactive reports (plotly) return the plotly Figure; given ``path=`` they write an HTML page
  (a header describing the runs or the model, the figure, a step slider with play/pause for
  runs) that works offline: plotly.js embedded (``plotlyjs="inline"``, the default), or written
  once beside the page (``plotlyjs="file"``, for a folder of reports); never a CDN.
- Titles and labels may be Chinese: a CJK font is found among the installed fonts and used for
  that text (see :func:`cjk_font`); without one, gdlab warns once with the install hint.

``import gdlab.viz`` is light; matplotlib and plotly load when a function is first used.
"""

import importlib

_EXPORTS = {
    # 1-D and 2-D landscapes
    "path_1d": "_landscape", "tangents": "_landscape", "side_by_side": "_landscape",
    "contour": "_landscape", "gradient_field": "_landscape", "surface": "_landscape",
    "contour_and_surface": "_landscape",
    # loss landscapes of networks and their curvature (values from gdlab.nn.landscape / curvature)
    "landscape_1d": "_loss_landscape", "landscape_2d": "_loss_landscape",
    "interactive_landscape": "_loss_landscape", "sharpness_curve": "_loss_landscape",
    # curves
    "loss_curves": "_curves", "history_curves": "_curves", "lr_sweep": "_curves",
    "optimizer_state": "_curves", "overview": "_curves",
    # grid sweeps (gdlab.sweep)
    "sweep_heatmap": "_sweeps", "sweep_curves": "_sweeps",
    # basins
    "grid_starts": "_basins", "basins": "_basins", "basin_map": "_basins",
    # models
    "fit_curve": "_models", "decision_regions": "_models", "digits": "_models", "training_grid": "_models",
    # animations
    "Movie": "_animate", "animate": "_animate", "animate_training": "_animate",
    "SnapshotCallback": "_animate", "frame_indices": "_animate",
    # interactive
    "interactive": "_interactive", "interactive_loss": "_interactive",
    "interactive_training": "_interactive", "write_html": "_interactive", "report_html": "_interactive",
    "write_plotlyjs": "_interactive",
    # style and fonts
    "PALETTE": "_style", "color_for": "_style", "contour_levels": "_style", "to_array": "_style",
    "save": "_style", "house": "_style",
    "cjk_font": "_fonts", "find_cjk_fonts": "_fonts", "has_cjk": "_fonts", "apply_cjk": "_fonts",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gdlab.viz' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
