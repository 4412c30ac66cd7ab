"""Basin maps: for a grid of start points, which minimum each one reaches (colour) and how fast (shade).

gdlab.viz runs and computes nothing, so a basin map is made in steps, the run by the caller::

    starts = gdlab.runs.grid_starts(f.bounds, 60)           # (3600, 2), row by row
    run = gdlab.minimize(f, starts, optimizer="momentum", lr=0.01, steps=300)
    gdlab.viz.basin_map(run, grid=60)                        # colours: minima; shade: speed

The numbers behind the picture (which minimum, after how many steps) are
``gdlab.runs.basins(run)``; ``viz.grid_starts`` and ``viz.basins`` are the same functions.
"""

from __future__ import annotations

import numpy as np

from gdlab.runs.analysis import basins, grid_starts

from . import _style as S
from ._data import as_run, axis_labels, function_name, minima_of, objective

__all__ = ["basin_map", "basins", "grid_starts"]


def _grid_shape(n, grid):
    if grid is None:
        s = int(round(np.sqrt(n)))
        if s * s != n:
            raise ValueError(f"cannot tell the grid of {n} starts: pass grid=(nx, ny)")
        return s, s
    nx, ny = (int(grid), int(grid)) if np.ndim(grid) == 0 else (int(grid[0]), int(grid[1]))
    if nx * ny != n:
        raise ValueError(f"grid {nx}x{ny} does not match the run's {n} starts")
    return nx, ny


@S.styled
def basin_map(f, run=None, *, grid=None, minima=None, tol=None, speed=True, contours=True, labels=None,
              ax=None, title=None, legend=True, figsize=None, dpi=None, path=None):
    """Basins of attraction: each start point of a grid coloured by the minimum it reached.

    ``basin_map(f, run)`` or ``basin_map(run)`` (then f = run.function). ``run``: a multi-start
    run whose starts are a grid made by ``gdlab.runs.grid_starts`` (params of shape
    (steps+1, nx*ny, 2)); ``grid``: (nx, ny) or n (default: a square grid). ``minima``
    (default: the function's) and ``tol`` as in ``gdlab.runs.basins``. Starts that reached no minimum
    are grey. ``speed=True`` shades each cell by the steps it took (deep = fast, pale = slow);
    contour lines of the function are drawn on top where it is known. Returns the Figure.
    """
    from ._data import is_run_like
    if run is None:
        run, f = f, None
    elif is_run_like(f) and not is_run_like(run):
        f, run = run, f
    r = as_run(run)
    if f is None:
        f = r.function
    if r.dim != 2:
        raise ValueError(f"basin_map draws 2-D start grids; this run has dimension {r.dim}")
    if minima is None and f is not None:
        minima = minima_of(f, 2)
    res = basins(r, minima, tol=tol)
    nx, ny = _grid_shape(r.n, grid)
    starts = r.params[0].reshape(ny, nx, 2)
    lab = res.label.reshape(ny, nx)
    steps = res.steps.reshape(ny, nx).astype(float)
    # starts made column by column (y fastest): transpose to rows of constant y
    if np.allclose(starts[:, 0, 1], starts[0, 0, 1]) and not np.allclose(starts[0, :, 1], starts[0, 0, 1]):
        starts = r.params[0].reshape(nx, ny, 2).transpose(1, 0, 2)
        lab = res.label.reshape(nx, ny).T
        steps = res.steps.reshape(nx, ny).T.astype(float)
    from matplotlib.colors import LinearSegmentedColormap, LogNorm, to_rgb
    k = len(res.minima)
    base = np.array([to_rgb(S.CLASS_COLORS[i % len(S.CLASS_COLORS)]) for i in range(k)] + [to_rgb("#c9c9c9")])
    rgb = base[np.where(lab >= 0, lab, k)]
    reached = steps >= 0
    smax = float(steps[reached].max()) if reached.any() else 1.0
    if speed and reached.any() and smax > 0:
        fade = np.zeros_like(steps)
        fade[reached] = np.log1p(steps[reached]) / np.log1p(max(smax, 1.0))
        fade = 0.7 * fade
        rgb = rgb * (1 - fade[..., None]) + fade[..., None]
    fig, ax, own = S.own_or_new(ax, figsize=figsize or (6.8, 5.6), dpi=dpi)
    x0, x1 = starts[0, 0, 0], starts[0, -1, 0]
    y0, y1 = starts[0, 0, 1], starts[-1, 0, 1]
    dx = (x1 - x0) / max(nx - 1, 1) / 2
    dy = (y1 - y0) / max(ny - 1, 1) / 2
    ax.imshow(rgb, origin="lower", extent=(x0 - dx, x1 + dx, y0 - dy, y1 + dy), interpolation="nearest",
              aspect="auto", zorder=0)
    if contours and f is not None:
        from ._data import grid as _grid
        b = np.array([[x0 - dx, x1 + dx], [y0 - dy, y1 + dy]])
        X, Y, P = _grid(b, 140)
        with np.errstate(all="ignore"):
            Z = objective(f, 2)(P)
        lv = S.contour_levels(Z, n=14)
        ax.contour(X, Y, Z, levels=lv, colors="#222222", linewidths=0.5, alpha=0.35, zorder=1)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = []
    for i, m in enumerate(res.minima):
        c = S.CLASS_COLORS[i % len(S.CLASS_COLORS)]
        ax.plot(m[0], m[1], **{**S.MINIMUM, "mec": "#222222"}, label="_min")
        ax.annotate(str(i + 1), (m[0], m[1]), xytext=(8, 6), textcoords="offset points", fontsize=8.5,
                    fontweight="bold", color=S.INK, path_effects=S.halo(2.5))
        coords = ", ".join(f"{v:.3g}" for v in m)
        handles.append(Patch(color=c, label=f"{i + 1}: ({coords})  {100 * res.share[i]:.0f} %"))
    if res.share[-1] > 0:
        handles.append(Patch(color="#c9c9c9", label=f"none  {100 * res.share[-1]:.0f} %"))
    ax.set_xlim(x0 - dx, x1 + dx)
    ax.set_ylim(y0 - dy, y1 + dy)
    spans = np.array([x1 - x0, y1 - y0])
    if spans.min() > 0 and spans.max() / spans.min() < 2.5:
        ax.set_aspect("equal", adjustable="box")
    labels = axis_labels(f, labels)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    if speed and reached.any():
        from matplotlib.cm import ScalarMappable
        cmap = LinearSegmentedColormap.from_list("speed", ["#333333", "#d9d9d9"])
        sm = ScalarMappable(norm=LogNorm(vmin=1, vmax=max(smax + 1, 2)), cmap=cmap)
        cb = fig.colorbar(sm, ax=ax, shrink=0.85, pad=0.02, aspect=30)
        cb.set_label("steps to reach (deep = fast)")
        cb.outline.set_visible(False)
        cb.ax.tick_params(labelsize=8)
    if title is None:
        name = function_name(f) or "f"
        title = f"{name}: basins of attraction ({r.label}, {nx}×{ny} starts)"
    if title:
        ax.set_title(title)
    if legend:
        handles.append(Line2D([], [], **{**S.MINIMUM, "label": "minimum"}))
        S.legend_below(fig, ax, handles, own=own, ncols=min(len(handles), 3))
    return S.finish(fig, path, dpi)
