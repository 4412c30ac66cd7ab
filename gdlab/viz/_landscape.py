"""Functions and the paths on them: 1-D curves, 2-D contour maps, gradient fields, 3-D surfaces."""

from __future__ import annotations

import numpy as np

from . import _style as S
from ._data import (axis_labels, function_dim, function_name, grid, minima_of, objective, plot_bounds,
                    saddles_of, split_function_and_runs, value_label)

# ---------------------------------------------------------------------------------------------
# shared helpers


def _fmt(v):
    if v is None or not np.isfinite(v):
        return "nan" if v is not None and np.isnan(v) else ("inf" if v is not None else "")
    a = abs(v)
    if a != 0 and (a < 1e-3 or a >= 1e5):
        return f"{v:.2e}"
    return f"{v:.4g}"


def _run_label(run, with_loss=False, f=None):
    label = run.label
    if run.n == 1 and run.diverged(0):
        return f"{label} (diverged)"
    if with_loss and run.n == 1:
        j, t = 0, run.stopped_at[0]
        if run.loss is not None:
            v = run.loss[t, j]
        elif f is not None:
            v = float(objective(f)(run.params[t, j][None])[0])
        else:
            return label
        return f"{label}  f = {_fmt(float(v))}"
    if run.n > 1:
        nd = int(np.sum(run.status == "diverged")) if run.status is not None else 0
        extra = f", {nd} diverged" if nd else ""
        return f"{label} ({run.n} starts{extra})"
    return label


def _path_points(run, j, bounds=None):
    """Visited points of start j up to where it stopped, finite, clipped far outside the view."""
    xy = run.params[: run.stopped_at[j] + 1, j]
    ok = np.all(np.isfinite(xy), axis=1)
    if not ok.all():
        xy = xy[: int(np.argmin(ok))] if not ok[0] else xy[:0]
    if bounds is not None and len(xy):
        lo, hi = bounds[:, 0], bounds[:, 1]
        span = hi - lo
        xy = np.clip(xy, lo - 20 * span, hi + 20 * span)
    return xy


def _inside(p, bounds):
    return bool(np.all(p >= bounds[:, 0]) and np.all(p <= bounds[:, 1]))


def _last_inside(xy, bounds):
    ins = np.all((xy >= bounds[:, 0]) & (xy <= bounds[:, 1]), axis=1)
    idx = np.nonzero(ins)[0]
    return xy[idx[-1]] if len(idx) else xy[0]


def _set_title(ax, title, default):
    t = default if title is None else title
    if t:
        ax.set_title(t)


def _default_title(f, runs):
    name = function_name(f) or "f"
    if len(runs) == 1 and runs[0].n == 1:
        r = runs[0]
        lr = r.hyperparameters.get("lr")
        if lr is None and r.lr is not None and r.lr.size:
            lr = r.lr[0]
        bits = [r.label]
        if lr is not None and "lr" not in r.label:
            bits.append(f"lr = {float(lr):g}")
        return f"{name}: " + ", ".join(bits)
    if len(runs) > 1:
        return f"{name}: {len(runs)} runs"
    if len(runs) == 1:
        return f"{name}: {runs[0].label}, {runs[0].n} starts"
    return name


# ---------------------------------------------------------------------------------------------
# 1-D

def _curve_1d(ax, obj, xlim, n=600):
    xs = np.linspace(xlim[0], xlim[1], n)
    ys = obj(xs[:, None])
    ax.plot(xs, ys, color="#3a3a3a", lw=2.0, zorder=2, label="_f")
    return xs, ys


def _labels_1d(f, xlabel, ylabel):
    """A 1-D figure's axis labels: the caller's, else the function's variable and f(variable)."""
    xlabel = axis_labels(f, None, 1)[0] if xlabel is None else xlabel
    return xlabel, (f"f({xlabel})" if ylabel is None else ylabel)


def _bounds_1d(f, runs, xlim):
    if xlim is not None:
        return np.asarray(xlim, float).reshape(1, 2)
    return plot_bounds(f, runs, 1)


@S.styled
def path_1d(f, runs=None, *, xlim=None, order="color", numbers=6, arrows=4, minima=True, ax=None,
            title=None, xlabel=None, ylabel=None, legend=True, figsize=None, dpi=None, path=None):
    """A 1-D function with the points each run visited, their order and the update direction.

    ``f``: the objective (or the runs themselves, then f = run.function); ``runs``: a
    Trajectory, a race dict, or raw visited points (e.g. seed 000's list of w values).
    ``order``: "color" (light to dark along the steps), "numbers", "both" or None;
    ``numbers``: how many first points get their step number; ``arrows``: how many first
    updates get an arrow (seed 000's quiver). ``xlabel``/``ylabel``: default the function's
    variable (``f.variables``) and f(variable). Returns the Figure.
    """
    f, runs = split_function_and_runs(f, runs)
    xlabel, ylabel = _labels_1d(f, xlabel, ylabel)
    if f is None and not runs:
        raise ValueError("path_1d needs a function or runs to draw")
    fig, ax, own = S.own_or_new(ax, figsize=figsize, dpi=dpi)
    bounds = _bounds_1d(f, runs, xlim)
    obj = objective(f, 1) if f is not None else None
    ys_curve = None
    if obj is not None:
        _, ys_curve = _curve_1d(ax, obj, bounds[0])
    colors = S.assign_colors(runs)
    span_x = bounds[0, 1] - bounds[0, 0]
    for run, color in zip(runs, colors):
        for j in range(run.n):
            xs = _path_points(run, j, bounds)[:, 0]
            if len(xs) == 0:
                continue
            if obj is not None:
                ys = obj(xs[:, None])
            elif run.loss is not None:
                ys = run.loss[: len(xs), j]
            else:
                ys = np.zeros_like(xs)
            label = _run_label(run) if j == 0 else "_nolegend_"
            ax.plot(xs, ys, ls=(0, (1.5, 2.0)), color=color, lw=1.4, zorder=3, alpha=0.9, label=label)
            steps = run.axis(j, upto=len(xs) - 1)  # the real steps (a thinned record skips some)
            if order in ("color", "both"):
                from matplotlib.colors import LinearSegmentedColormap, to_rgb
                c = np.array(to_rgb(color))
                cmap = LinearSegmentedColormap.from_list("run", [0.25 * c + 0.75, c])
                # light to dark along the steps, on a log scale: the first, big steps differ most
                order_c = np.log1p(steps) / np.log1p(max(int(steps[-1]), 1))
                ax.scatter(xs, ys, c=order_c, cmap=cmap, vmin=0, vmax=1, s=36, zorder=4, edgecolors="white",
                           linewidths=0.7)
            else:
                ax.scatter(xs, ys, color=color, s=30, zorder=4, edgecolors="white", linewidths=0.7)
            if order in ("numbers", "both") or (order == "color" and numbers):
                k = numbers if numbers else (12 if order in ("numbers", "both") else 0)
                last_x = None
                for t in range(min(k, len(xs))):
                    if last_x is not None and abs(xs[t] - last_x) < 0.03 * span_x:
                        continue
                    ax.annotate(str(steps[t]), (xs[t], ys[t]), xytext=(0, 7), textcoords="offset points",
                                ha="center", va="bottom", fontsize=8, color=color, zorder=6,
                                path_effects=S.halo(2.5))
                    last_x = xs[t]
            for t in range(min(int(arrows or 0), len(xs) - 1)):
                if abs(xs[t + 1] - xs[t]) < 0.02 * span_x:
                    continue
                ax.annotate("", xy=(xs[t + 1], ys[t + 1]), xytext=(xs[t], ys[t]), zorder=5,
                            arrowprops=dict(arrowstyle="-|>", color=color, lw=1.6, shrinkA=5, shrinkB=5,
                                            mutation_scale=13))
            ax.plot(xs[0], ys[0], color=color, mec=color, **S.START)
            if run.diverged(j):
                ax.plot(xs[-1], ys[-1], color=color, mfc=color, **S.DIVERGED)
            else:
                ax.plot(xs[-1], ys[-1], color=color, mfc=color, **S.END)
    if minima and f is not None:
        mins = minima_of(f, 1)
        mins = mins[(mins[:, 0] >= bounds[0, 0]) & (mins[:, 0] <= bounds[0, 1])] if mins.shape[-1] == 1 else []
        if len(mins):
            ax.plot(mins[:, 0], obj(mins), **S.MINIMUM, label="_min")
    ax.set_xlim(*bounds[0])
    if ys_curve is not None:
        fin = ys_curve[np.isfinite(ys_curve)]
        if fin.size:
            lo, hi = fin.min(), fin.max()
            pad = 0.08 * (hi - lo if hi > lo else 1.0)
            ax.set_ylim(lo - pad, hi + 2 * pad)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True)
    _set_title(ax, title, _default_title(f, runs))
    if legend and runs:
        handles, _ = ax.get_legend_handles_labels()
        handles = [h for h in handles if not h.get_label().startswith("_")]
        handles += S.marker_legend_handles(minima=bool(minima and f is not None and len(minima_of(f, 1))),
                                           diverged=any(r.any_diverged for r in runs))
        S.legend_below(fig, ax, handles, own=own)
    return S.finish(fig, path, dpi)


@S.styled
def tangents(f, at, *, xlim=None, ax=None, title=None, xlabel=None, ylabel=None, figsize=None, dpi=None,
             path=None):
    """A 1-D function with its tangent lines at the points ``at`` (seed 004's figure).

    The slope is ``f.grad`` where the function has one, else a central difference; each
    tangent's legend entry gives the point and the slope. Returns the Figure.
    """
    at = np.atleast_1d(np.asarray(at, float)).reshape(-1)
    xlabel, ylabel = _labels_1d(f, xlabel, ylabel)
    fig, ax, own = S.own_or_new(ax, figsize=figsize, dpi=dpi)
    obj = objective(f, 1)
    if xlim is None and getattr(f, "bounds", None) is None:
        lo, hi = at.min(), at.max()
        span = max(hi - lo, 1.0)
        xlim = (min(lo - 0.6 * span, 0.0), hi + 0.6 * span)
    bounds = _bounds_1d(f, [], xlim)
    xs, ys = _curve_1d(ax, obj, bounds[0])
    fin = ys[np.isfinite(ys)]
    lo, hi = (fin.min(), fin.max()) if fin.size else (-1.0, 1.0)  # NaN everywhere: an empty curve
    pad = 0.1 * (hi - lo if hi > lo else 1.0)
    ya = obj(at[:, None])
    slopes = obj.grad(at[:, None])[:, 0]
    palette = S.CYCLE
    for i, (a, y0, s) in enumerate(zip(at, ya, slopes)):
        c = palette[i % len(palette)]
        ax.plot(xs, y0 + s * (xs - a), color=c, lw=1.6, ls="--", zorder=3,
                label=f"tangent at x = {a:g}: slope {s:.4g}")
        ax.plot([a], [y0], "o", color=c, ms=7, mec="white", mew=1.2, zorder=5)
        ax.annotate(f"f'({a:g}) = {s:.4g}", (a, y0), xytext=(8, -14), textcoords="offset points",
                    fontsize=9, color=c, path_effects=S.halo(2.5))
    ax.set_xlim(*bounds[0])
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True)
    _set_title(ax, title, f"{function_name(f) or 'f'}: tangent lines")
    S.legend_below(fig, ax, own=own, ncols=1 if len(at) > 2 else len(at))
    return S.finish(fig, path, dpi)


# ---------------------------------------------------------------------------------------------
# 2-D

def _landscape(ax, obj, bounds, *, resolution=160, levels=None, log="auto", filled=True, lines=True,
               colorbar=True, fig=None, cbar_label=None):
    """Filled contours + thin contour lines of obj over bounds; returns (levels, mappable)."""
    from matplotlib.colors import BoundaryNorm
    X, Y, P = grid(bounds, resolution)
    with np.errstate(all="ignore"):
        Z = obj(P)
    Z = np.where(np.isfinite(Z), Z, np.nan)
    if levels is None or np.ndim(levels) == 0:
        lv = S.contour_levels(Z, n=int(levels or 18), log=log)
    else:
        lv = np.asarray(levels, float)
    lv = np.unique(lv)
    if lv.size < 2:
        lv = np.array([lv[0] - 0.5, lv[0] + 0.5]) if lv.size else np.array([0.0, 1.0])
    mappable = None
    if filled:
        cmap = S.landscape_cmap()
        norm = BoundaryNorm(lv, cmap.N, extend="max")
        mappable = ax.contourf(X, Y, Z, levels=lv, cmap=cmap, norm=norm, extend="max", zorder=0)
    if lines:
        ax.contour(X, Y, Z, levels=lv, colors="#1d2b53" if not filled else "white",
                   linewidths=0.6, alpha=0.35 if filled else 0.5, zorder=1)
    if colorbar and mappable is not None and fig is not None:
        cb = fig.colorbar(mappable, ax=ax, shrink=0.9, pad=0.02, aspect=30)
        ticks = _nice_ticks(lv)
        cb.set_ticks(ticks)
        cb.set_ticklabels([_fmt_tick(v) for v in ticks])
        cb.ax.tick_params(labelsize=8)
        cb.outline.set_visible(False)
        if cbar_label:
            cb.set_label(cbar_label)
    return lv, mappable


def _nice_ticks(lv):
    """Round colour-bar ticks inside the levels: powers of ten for log-spaced levels, else a few
    round numbers."""
    lo, hi = float(lv[0]), float(lv[-1])
    gaps = np.diff(lv)
    if len(gaps) > 2 and gaps[-1] > 20 * gaps[1]:       # log-spaced above the minimum
        base = lo if lo > 0 else 0.0
        k0 = int(np.floor(np.log10(max(lv[1] - base, 1e-300))))
        k1 = int(np.ceil(np.log10(hi - base)))
        ticks = [base + 10.0 ** k for k in range(k0, k1 + 1) if lo <= base + 10.0 ** k <= hi]
        while len(ticks) > 7:
            ticks = ticks[::2]
        if len(ticks) >= 2:
            return np.array(ticks)
    from matplotlib.ticker import MaxNLocator
    ticks = MaxNLocator(6).tick_values(lo, hi)
    return ticks[(ticks >= lo) & (ticks <= hi)]


def _fmt_tick(v):
    a = abs(v)
    if 1e3 <= a < 1e5 and v == round(v):
        return f"{int(v)}"
    if a != 0 and (a < 1e-2 or a >= 1e5):
        m, e = f"{v:.0e}".split("e")
        return f"{m}e{int(e)}" if m not in ("1", "-1") else f"{'-' if v < 0 else ''}1e{int(e)}"
    return f"{v:.3g}"


def _draw_runs_2d(ax, runs, colors, bounds, *, markers="auto", with_loss=False, f=None):
    many_total = sum(r.n for r in runs)
    k = len(runs)
    for i, (run, color) in enumerate(zip(runs, colors)):
        multi = run.n > 1
        extra = 0.5 * (k - 1 - i) if (k > 1 and not multi) else 0.0   # earlier runs wider, so none hides
        for j in range(run.n):
            xy = _path_points(run, j, bounds)
            if len(xy) == 0:
                continue
            label = _run_label(run, with_loss=with_loss, f=f) if j == 0 else "_nolegend_"
            show_markers = (markers is True) or (markers == "auto" and not multi and len(xy) <= 80)
            lw = 2.2 + extra if not multi else (1.3 if run.n <= 30 else 0.8)
            ax.plot(xy[:, 0], xy[:, 1], color=color, lw=lw, alpha=1.0 if not multi else 0.8,
                    marker="o" if show_markers else None, ms=3.2, mec=color, mfc=color,
                    path_effects=S.halo(lw + 2.2) if many_total <= 12 else None, zorder=4, label=label)
            small = multi and run.n > 6
            start = {**S.START, "ms": 5 if small else S.START["ms"], "mew": 1.4 if small else S.START["mew"]}
            ax.plot(xy[0, 0], xy[0, 1], color=color, mec=color, **start)
            if run.diverged(j):
                p = _last_inside(xy, bounds)
                ax.plot(p[0], p[1], color=color, mfc=color, **{**S.DIVERGED, "ms": 7 if small else 10})
            elif len(xy) > 1:   # a path of one point (an animation's first frame) ends where it starts
                # small: a solid square without the white edge, which would make it read as a ring
                end = {**S.END, "ms": 4.2, "mew": 0.6, "mec": color} if small else S.END
                ax.plot(xy[-1, 0], xy[-1, 1], color=color, mfc=color, **end)


def _draw_minima_2d(ax, f, bounds, saddles=True):
    n = 0
    mins = minima_of(f, 2)
    if mins.shape[-1] == 2 and len(mins):
        ok = np.all((mins >= bounds[:, 0]) & (mins <= bounds[:, 1]), axis=1)
        if ok.any():
            ax.plot(mins[ok, 0], mins[ok, 1], **S.MINIMUM, label="_min")
            n += int(ok.sum())
    has_saddle = False
    if saddles:
        sad = saddles_of(f, 2)
        if sad.shape[-1] == 2 and len(sad):
            ok = np.all((sad >= bounds[:, 0]) & (sad <= bounds[:, 1]), axis=1)
            if ok.any():
                ax.plot(sad[ok, 0], sad[ok, 1], **S.SADDLE, label="_saddle")
                has_saddle = True
    return n, has_saddle


def _equal_aspect(ax, bounds):
    spans = bounds[:, 1] - bounds[:, 0]
    if spans.min() > 0 and spans.max() / spans.min() <= 2.5:
        ax.set_aspect("equal", adjustable="box")


def _prepare_2d(f, runs, bounds, who):
    f, runs = split_function_and_runs(f, runs)
    if f is None:
        raise ValueError(f"{who} needs an objective function: pass f, or runs that carry .function")
    dim = function_dim(f, runs) or 2
    if dim != 2:
        raise ValueError(f"{who} draws functions of 2 variables; this one has {dim} "
                         f"(use path_1d for 1-D, loss_curves for any dimension)")
    runs = [r for r in runs if r.dim == 2]
    obj = objective(f, 2)
    b = plot_bounds(f, runs, 2, bounds)
    return f, runs, obj, b


def _draw_contour_panel(ax, fig, f, runs, obj, b, *, levels, log, colorbar, minima, with_loss, labels,
                        resolution, own_colors=None):
    labels = axis_labels(f, labels)
    _landscape(ax, obj, b, resolution=resolution, levels=levels, log=log, colorbar=colorbar, fig=fig,
               cbar_label=value_label(f, labels) if colorbar else None)
    colors = own_colors or S.assign_colors(runs)
    _draw_runs_2d(ax, runs, colors, b, with_loss=with_loss, f=f)
    nmin, has_saddle = _draw_minima_2d(ax, f, b) if minima else (0, False)
    ax.set_xlim(*b[0])
    ax.set_ylim(*b[1])
    _equal_aspect(ax, b)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    return nmin, has_saddle


@S.styled
def contour(f, runs=None, *, bounds=None, levels=None, log="auto", colorbar=True, minima=True,
            resolution=160, labels=None, ax=None, title=None, legend=True, figsize=None, dpi=None,
            path=None):
    """Contour map of a 2-D function with the paths of one or many runs.

    Start (ring), end (square; a cross where the run diverged) and the known minima (gold stars,
    saddles as plus signs) are marked. ``levels``: a number or the levels themselves;
    ``log``: "auto" uses log-spaced levels where the range is wide (Rosenbrock), True/False
    forces. ``bounds``: ((xmin, xmax), (ymin, ymax)); default the function's bounds, grown
    to show where the runs went. ``labels``: the axis labels, default the function's variable
    names (``f.variables``: w1, w2 for a data loss). ``f`` may be the runs themselves. Returns the Figure.
    """
    f, runs, obj, b = _prepare_2d(f, runs, bounds, "contour")
    fig, ax, own = S.own_or_new(ax, figsize=figsize or (6.6, 5.6), dpi=dpi)
    nmin, has_saddle = _draw_contour_panel(ax, fig, f, runs, obj, b, levels=levels, log=log,
                                           colorbar=colorbar, minima=minima, with_loss=len(runs) > 1,
                                           labels=labels, resolution=resolution)
    _set_title(ax, title, _default_title(f, runs))
    if legend and (runs or nmin):
        handles = [h for h in ax.get_legend_handles_labels()[0] if not h.get_label().startswith("_")]
        extra = S.marker_legend_handles(minima=nmin > 0, saddles=has_saddle,
                                        diverged=any(r.any_diverged for r in runs))
        if not runs:
            extra = extra[2:]
        S.legend_below(fig, ax, handles + extra, own=own)
    return S.finish(fig, path, dpi)


@S.styled
def gradient_field(f, runs=None, *, bounds=None, density=21, descent=True, normalize=True, contours=True,
                   minima=True, labels=None, ax=None, title=None, legend=True, figsize=None, dpi=None,
                   path=None):
    """The gradient field of a 2-D function as arrows (seed 004), coloured by the gradient's size.

    ``descent=True`` draws −∇f (the direction gradient descent moves), else ∇f;
    ``normalize=True`` gives every arrow the same length so the direction reads everywhere
    and the colour carries the magnitude (log colour scale where it is wide). ``density``:
    arrows per side. Contour lines and runs (optional) are drawn underneath. Returns the Figure.
    """
    from matplotlib.colors import LogNorm, Normalize
    f, runs, obj, b = _prepare_2d(f, runs, bounds, "gradient_field")
    fig, ax, own = S.own_or_new(ax, figsize=figsize or (6.6, 5.6), dpi=dpi)
    if contours:
        _landscape(ax, obj, b, filled=False, lines=True, colorbar=False)
    inset = (b[:, 1] - b[:, 0]) / (2 * max(density, 2))  # keep whole arrows inside the frame
    X, Y, P = grid(np.stack([b[:, 0] + inset, b[:, 1] - inset], axis=1), density)
    G = obj.grad(P)
    if descent:
        G = -G
    mag = np.linalg.norm(G, axis=-1)
    U, V = G[..., 0], G[..., 1]
    if normalize:
        with np.errstate(all="ignore"):
            U = np.where(mag > 0, U / mag, 0.0)
            V = np.where(mag > 0, V / mag, 0.0)
    fin = mag[np.isfinite(mag) & (mag > 0)]
    low = float(np.percentile(fin, 5)) if fin.size else 0.0
    if fin.size and low > 0 and fin.max() / low > 100:    # robust: a grid point on a minimum has |g| = 0
        norm = LogNorm(vmin=low, vmax=fin.max())
        mag_c = np.clip(mag, norm.vmin, None)
    else:
        norm = Normalize(vmin=0.0, vmax=float(fin.max()) if fin.size else 1.0)
        mag_c = mag
    spacing = min((b[0, 1] - b[0, 0]), (b[1, 1] - b[1, 0])) / max(density, 1)
    q = ax.quiver(X, Y, U, V, mag_c, cmap=S.FIELD_CMAP, norm=norm, angles="xy", scale_units="xy",
                  scale=1.0 / (0.8 * spacing) if normalize else None, width=0.0045, headwidth=3.8,
                  headlength=4.2, headaxislength=3.8, pivot="mid", zorder=3)
    cb = fig.colorbar(q, ax=ax, shrink=0.9, pad=0.02, aspect=30)
    cb.set_label("‖∇f‖")
    cb.outline.set_visible(False)
    cb.ax.tick_params(labelsize=8)
    colors = S.assign_colors(runs)
    _draw_runs_2d(ax, runs, colors, b)
    nmin, has_saddle = _draw_minima_2d(ax, f, b) if minima else (0, False)
    ax.set_xlim(*b[0])
    ax.set_ylim(*b[1])
    _equal_aspect(ax, b)
    labels = axis_labels(f, labels)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    _set_title(ax, title, f"{function_name(f) or 'f'}: {'−∇f' if descent else '∇f'}"
               + (", arrows normalised" if normalize else ""))
    if legend and (runs or nmin):
        handles = [h for h in ax.get_legend_handles_labels()[0] if not h.get_label().startswith("_")]
        extra = S.marker_legend_handles(minima=nmin > 0, saddles=has_saddle)
        if not runs:
            extra = extra[2:]
        S.legend_below(fig, ax, handles + extra, own=own)
    return S.finish(fig, path, dpi)


def _zlog(Z, zlog, ratio=150.0):
    fin = Z[np.isfinite(Z)]
    use = S.wide_range(fin, ratio=ratio) if zlog == "auto" else bool(zlog)
    if not use or fin.size == 0:
        return (lambda z: z), False
    lo = float(fin.min())
    eps = max((float(fin.max()) - lo) * 1e-6, 1e-12)
    pos = fin - lo
    pos = pos[pos > 0]
    if pos.size:
        eps = max(eps, float(np.percentile(pos, 8.0)))
    return (lambda z: np.log10(np.maximum(np.asarray(z, float) - lo, 0.0) + eps)), True


def _draw_surface_panel(ax, f, runs, obj, b, *, resolution, zlog, elev, azim, minima, labels, colors=None):
    labels = axis_labels(f, labels)
    X, Y, P = grid(b, resolution)
    with np.errstate(all="ignore"):
        Z = obj(P)
    tf, logged = _zlog(Z, zlog)
    Zt = tf(Z)
    fin = Zt[np.isfinite(Zt)]
    zlo, zhi = (float(fin.min()), float(fin.max())) if fin.size else (0.0, 1.0)
    Zt = np.clip(np.where(np.isfinite(Zt), Zt, zhi), zlo, zhi)
    # colours: continuous, on a log scale where the range is wide (like the contour map's levels)
    import matplotlib
    from matplotlib.colors import LightSource
    ctf, _ = _zlog(Z, "auto" if zlog == "auto" else zlog, ratio=40.0)
    C = ctf(Z)
    cfin = C[np.isfinite(C)]
    c0, c1 = (float(cfin.min()), float(cfin.max())) if cfin.size else (0.0, 1.0)
    C = np.clip((np.where(np.isfinite(C), C, c1) - c0) / max(c1 - c0, 1e-300), 0, 1)
    rgb = matplotlib.colormaps[S.SURFACE_CMAP](C)[..., :3]
    light = LightSource(azdeg=315, altdeg=45)
    faces = light.shade_rgb(rgb, Zt, fraction=0.35, blend_mode="soft",
                            vert_exag=float((b[0, 1] - b[0, 0]) / max(zhi - zlo, 1e-12)))
    ax.plot_surface(X, Y, Zt, facecolors=faces, rstride=1, cstride=1, linewidth=0, edgecolor="none",
                    antialiased=False, shade=False, zorder=1)
    ax.contour(X, Y, Zt, levels=12, zdir="z", offset=zlo, cmap=S.SURFACE_CMAP, linewidths=0.7, alpha=0.6,
               zorder=0)
    colors = colors or S.assign_colors(runs)
    lift = 0.01 * (zhi - zlo)
    for run, color in zip(runs, colors):
        for j in range(run.n):
            xy = _path_points(run, j, b)
            if len(xy) == 0:
                continue
            ins = np.all((xy >= b[:, 0]) & (xy <= b[:, 1]), axis=1)
            if not ins.all():  # cut at the first point that leaves the view
                stop = int(np.argmin(ins)) if not ins[0] else 0
                xy = xy[: max(stop, 1)]
            z = np.clip(tf(obj(xy)), zlo, zhi) + lift
            label = _run_label(run) if j == 0 else "_nolegend_"
            ax.plot(xy[:, 0], xy[:, 1], z, color=color, lw=2.2 if run.n == 1 else 1.2, zorder=10, label=label,
                    path_effects=S.halo(4.0) if run.n == 1 else None)
            ax.plot([xy[0, 0]], [xy[0, 1]], [z[0]], color=color, mec=color, **{**S.START, "zorder": 11})
            end = S.DIVERGED if run.diverged(j) else S.END
            if len(xy) > 1 or run.diverged(j):
                ax.plot([xy[-1, 0]], [xy[-1, 1]], [z[-1]], color=color, mfc=color, **{**end, "zorder": 12})
    nmin = 0
    if minima:
        mins = minima_of(f, 2)
        if mins.shape[-1] == 2 and len(mins):
            ok = np.all((mins >= b[:, 0]) & (mins <= b[:, 1]), axis=1)
            if ok.any():
                zm = np.clip(tf(obj(mins[ok])), zlo, zhi) + lift
                ax.plot(mins[ok, 0], mins[ok, 1], zm, **{**S.MINIMUM, "zorder": 13}, label="_min")
                nmin = int(ok.sum())
    ax.set_xlim(*b[0])
    ax.set_ylim(*b[1])
    ax.set_zlim(zlo, zhi + 2 * lift)
    ax.set_xlabel(labels[0], labelpad=2)
    ax.set_ylabel(labels[1], labelpad=2)
    fname = function_name(f) or "f"
    ax.set_zlabel(f"log₁₀({fname} − min)" if logged else value_label(f, labels), labelpad=2)
    ax.view_init(elev=elev, azim=azim)
    ax.tick_params(labelsize=8, pad=0)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_pane_color((1, 1, 1, 0))
        axis._axinfo["grid"].update(color="#dddddd", linewidth=0.6)
    return nmin


@S.styled
def surface(f, runs=None, *, bounds=None, resolution=70, zlog="auto", elev=38, azim=-58, minima=True,
            labels=None, title=None, legend=True, figsize=None, dpi=None, path=None):
    """3-D surface of a 2-D function with the runs' paths drawn on it (seed 003).

    ``zlog="auto"`` draws log10(f − min f + ε) where the range is wide, so a valley like
    Rosenbrock's stays visible. ``elev``/``azim``: the camera. Returns the Figure.
    """
    f, runs, obj, b = _prepare_2d(f, runs, bounds, "surface")
    fig, ax = S.new_figure(figsize=figsize or (7.0, 5.8), dpi=dpi,
                           subplot_kw={"projection": "3d", "computed_zorder": False})
    nmin = _draw_surface_panel(ax, f, runs, obj, b, resolution=resolution, zlog=zlog, elev=elev, azim=azim,
                               minima=minima, labels=labels)
    _set_title(ax, title, _default_title(f, runs))
    if legend and (runs or nmin):
        handles = [h for h in ax.get_legend_handles_labels()[0] if not h.get_label().startswith("_")]
        extra = S.marker_legend_handles(minima=nmin > 0, diverged=any(r.any_diverged for r in runs))
        if not runs:
            extra = extra[2:]
        S.legend_below(fig, ax, handles + extra, own=True)
    return S.finish(fig, path, dpi)


@S.styled
def contour_and_surface(f, runs=None, *, bounds=None, levels=None, log="auto", zlog="auto", resolution=140,
                        surface_resolution=60, elev=38, azim=-58, minima=True, labels=None, title=None,
                        legend=True, figsize=None, dpi=None, path=None):
    """Both views side by side: the contour map (left) and the 3-D surface (right), same paths."""
    f, runs, obj, b = _prepare_2d(f, runs, bounds, "contour_and_surface")
    fig = S.new_figure(figsize=figsize or (12.5, 5.6), dpi=dpi, nrows=1, ncols=1)[0]
    fig.clear()
    ax1 = fig.add_subplot(1, 2, 1)
    ax2 = fig.add_subplot(1, 2, 2, projection="3d", computed_zorder=False)
    colors = S.assign_colors(runs)
    nmin, has_saddle = _draw_contour_panel(ax1, fig, f, runs, obj, b, levels=levels, log=log, colorbar=True,
                                           minima=minima, with_loss=len(runs) > 1, labels=labels,
                                           resolution=resolution, own_colors=colors)
    _draw_surface_panel(ax2, f, runs, obj, b, resolution=surface_resolution, zlog=zlog, elev=elev, azim=azim,
                        minima=minima, labels=labels, colors=colors)
    ax1.set_title("contour map", fontsize=10.5, color=S.MUTED)
    ax2.set_title("surface", fontsize=10.5, color=S.MUTED)
    fig.suptitle(_default_title(f, runs) if title is None else title, fontsize=13, fontweight="bold")
    if legend and (runs or nmin):
        handles = [h for h in ax1.get_legend_handles_labels()[0] if not h.get_label().startswith("_")]
        extra = S.marker_legend_handles(minima=nmin > 0, saddles=has_saddle,
                                        diverged=any(r.any_diverged for r in runs))
        if not runs:
            extra = extra[2:]
        S.legend_below(fig, ax1, handles + extra, own=True)
    return S.finish(fig, path, dpi)


@S.styled
def side_by_side(f, runs=None, *, ncols=None, bounds=None, xlim=None, share=False, log="auto", resolution=110,
                 titles=None, suptitle=None, labels=None, figsize=None, dpi=None, path=None):
    """One panel per run, side by side: e.g. several learning rates (seeds 000, 003, 004).

    1-D functions get :func:`path_1d` panels, 2-D functions contour panels. Each panel shows
    the function's bounds grown to where its run went (``share=True``: one view for all,
    fitted to the runs that did not diverge; ``bounds``/``xlim`` to fix it). Panel titles are
    the run labels (``titles`` to override); each panel notes where its run ended or that it
    diverged; ``labels``: the axis labels (default the function's variables). Returns the Figure.
    """
    f, runs = split_function_and_runs(f, runs)
    if not runs:
        raise ValueError("side_by_side needs at least one run")
    dim = function_dim(f, runs) or runs[0].dim
    if dim not in (1, 2):
        raise ValueError(f"side_by_side draws 1-D or 2-D functions; got dimension {dim}")
    if dim == 2 and f is None:
        raise ValueError("side_by_side on 2-D runs needs the objective function")
    k = len(runs)
    ncols = ncols or min(k, 4)
    nrows = int(np.ceil(k / ncols))
    colors = S.assign_colors(runs)
    runs = [r if r.color else _colored(r, c) for r, c in zip(runs, colors)]
    calm = [r for r in runs if not r.any_diverged] or runs
    size = (4.2 * ncols, 3.6 * nrows + 0.4) if dim == 1 else (4.0 * ncols, 4.0 * nrows + 0.4)
    fig = S.new_figure(figsize=figsize or size, dpi=dpi)[0]
    fig.clear()
    # one subfigure per panel: its title (the run) sits above the axes' own title (the note); the
    # constrained layout stacks the two, also over equal-aspect axes (a padded axes title does not)
    panels = list(fig.subfigures(nrows, ncols, squeeze=False).flat)
    obj = objective(f, dim) if dim == 2 else None
    if dim == 1:
        shared = _bounds_1d(f, calm, xlim)[0] if (share or xlim is not None) else None
    else:
        shared = plot_bounds(f, calm, 2, bounds) if (share or bounds is not None) else None
    for i, (run, panel) in enumerate(zip(runs, panels)):
        ax = panel.subplots()
        if dim == 1:
            path_1d.__wrapped__(f, run, xlim=shared, ax=ax, legend=False, numbers=4, title="",
                                xlabel=labels[0] if labels else None, ylabel=labels[1] if labels else None)
        else:
            b = shared if shared is not None else plot_bounds(f, [run], 2)
            _draw_contour_panel(ax, fig, f, [run], obj, b, levels=16, log=log, colorbar=False, minima=True,
                                with_loss=False, labels=labels, resolution=resolution,
                                own_colors=[run.color])
        panel.suptitle(titles[i] if titles else run.label, fontsize=S.RC["axes.titlesize"], fontweight="bold")
    _panel_notes([p.axes[0] for p in panels[:k]], runs)
    fig.suptitle(suptitle if suptitle is not None else (function_name(f) or ""), fontsize=13,
                 fontweight="bold")
    return S.finish(fig, path, dpi)


def _panel_notes(axes, runs):
    """Under each side-by-side panel's title (the run): a note, where the run ended or when it
    diverged (the axes' title), padded to as many lines as the longest note, so the panels of a
    row keep axes of one height."""
    notes = []
    for run in runs:
        if run.n != 1:
            notes.append(None)
            continue
        t, step = int(run.stopped_at[0]), run.axis(0)[-1]
        if run.diverged(0):
            notes.append((f"diverged at step {step}", S.DIVERGED_COLOR))
            continue
        end = run.params[t, 0]
        text = f"end ({', '.join(_fmt(float(v)) for v in end)}) after {step} steps"
        if run.loss is not None:
            text += f"\nf = {_fmt(float(run.loss[t, 0]))}"
        notes.append((text, S.MUTED))
    lines = max([n[0].count("\n") + 1 for n in notes if n] or [0])
    for ax, note in zip(axes, notes):
        if note:
            text, color = note
            ax.set_title(" \n" * (lines - 1 - text.count("\n")) + text, fontsize=8.5, fontweight="normal",
                         color=color)


def _colored(run, color):
    from ._data import Run
    return Run(**{**run.__dict__, "color": color})
