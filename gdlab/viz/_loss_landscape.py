"""Loss landscapes of trained networks and their curvature: the figures of :mod:`gdlab.nn.landscape`
and :mod:`gdlab.nn.curvature`.

Not to be confused with :mod:`gdlab.viz._landscape`, which draws objective functions of one or two
variables (and can evaluate them): here the values were computed by the nn layer, on lines and
planes through a network's thousands of weights, and these functions only draw them.

* :func:`landscape_1d`: the loss (and accuracy) along a line: an interpolation θ_a → θ_b or a slice.
* :func:`landscape_2d`: a plane's loss as a contour map with projected training paths, beside a
  3-D surface (the paths drawn on its floor: their points lie off the plane, so their loss is not
  the surface's).
* :func:`interactive_landscape`: the same as one offline HTML page (plotly).
* :func:`sharpness_curve`: the top Hessian eigenvalue against the update count, with the stability
  line 2/η, and optionally the training loss above it.

Inputs are duck-typed: a 1-D slice has ``alpha``, ``loss`` (``metrics``, ``kind``, ``labels``); a
2-D slice ``alpha``, ``beta``, ``loss`` of shape (len(beta), len(alpha)) and a ``plane`` (``labels``,
``kind``, ``points``); a sharpness record ``steps``, ``sharpness`` and ``threshold``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import _style as S

# ---------------------------------------------------------------------------------------------
# inputs


def _series(obj, what):
    """label -> object, from one object, a dict or a list."""
    if isinstance(obj, Mapping):
        items = [(str(k), v) for k, v in obj.items()]
    elif isinstance(obj, (list, tuple)):
        items = [(f"{what} {i + 1}", v) for i, v in enumerate(obj)]
    else:
        items = [("", obj)]
    if not items:
        raise ValueError(f"nothing to draw: no {what} given")
    return items


def _colors(labels):
    used, out = set(), []
    for lab in labels:
        c = S.color_for(lab) if lab else None
        if c is None or c in used:
            c = next((x for x in S.CYCLE if x not in used), S.CYCLE[len(out) % len(S.CYCLE)])
        used.add(c)
        out.append(c)
    return out


def _fmt(v):
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    a = abs(v)
    return f"{v:.2e}" if a != 0 and (a < 1e-3 or a >= 1e4) else f"{v:.4g}"


def _log_display(Z, log):
    """(values to draw, logged?): log10 of the loss where it spans more than ~30x (or log=True)."""
    Z = np.asarray(Z, float)
    fin = Z[np.isfinite(Z)]
    pos = fin[fin > 0]
    use = bool(log) if log != "auto" else bool(pos.size == fin.size and pos.size and pos.max() > 30 * pos.min())
    if not use or pos.size == 0:
        return np.where(np.isfinite(Z), Z, np.nan), False
    floor = pos.min()
    return np.log10(np.maximum(np.where(np.isfinite(Z), Z, np.nan), floor)), True


def _paths(paths):
    if paths is None:
        return []
    if isinstance(paths, np.ndarray) or (isinstance(paths, (list, tuple)) and paths and np.ndim(paths[0]) == 1):
        paths = {"training path": paths}
    out = []
    for label, xy in _series(paths, "path"):
        xy = np.asarray(xy, float)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"a projected path must have shape (T, 2), got {xy.shape} for {label!r}")
        out.append((label or "training path", xy))
    return out


_LOSS_NAMES = {"sparse_categorical_crossentropy": "cross-entropy", "categorical_crossentropy": "cross-entropy",
               "binary_crossentropy": "binary cross-entropy", "mean_squared_error": "mean squared error",
               "mse": "mean squared error", "mean_absolute_error": "mean absolute error"}


def _loss_label(obj):
    name = str(getattr(obj, "loss_name", "loss") or "loss")
    return _LOSS_NAMES.get(name, name.replace("_", " "))


def _default_title(surf):
    kind = getattr(getattr(surf, "plane", None), "kind", "custom")
    return {"filter": "loss landscape: two filter-normalised random directions",
            "pca": "loss landscape in the plane of the training path (PCA)",
            "shared": "loss landscape through the start and two trained endpoints"}.get(kind, "loss landscape")


# ---------------------------------------------------------------------------------------------
# 1-D


@S.styled
def landscape_1d(slices, *, metrics=True, logy="auto", ax=None, title=None, legend=True, figsize=None, dpi=None,
                 path=None):
    """The loss along a line through weight space, from :func:`gdlab.nn.landscape.interpolate` or ``slice_1d``.

    ``slices``: one result, or a dict ``label -> result`` (several directions, train and test data,
    two trainings). For an interpolation the two ends (α = 0 and 1) are marked and named by the
    result's ``labels``. ``metrics``: draw the accuracy (or other metrics the result holds) on a
    second axis, dashed. ``logy``: "auto" (log where the loss spans > 30x), True, False.
    Returns the Figure.
    """
    items = _series(slices, "slice")
    colors = _colors([lab for lab, _ in items])
    fig, ax, own = S.own_or_new(ax, figsize=figsize or (7.2, 4.4), dpi=dpi)
    values = []
    twin = None
    interp = False
    for (label, sl), color in zip(items, colors):
        a = np.asarray(sl.alpha, float)
        y = np.asarray(sl.loss, float)
        values.append(y[np.isfinite(y)])
        name = label or _loss_label(sl)
        ax.plot(a, y, color=color, lw=2.2, label=f"{name} (loss)" if label and metrics and sl.metrics else name,
                zorder=4, path_effects=S.halo(4.2))
        if getattr(sl, "kind", "") == "interpolation":
            interp = True
            for k, (at, marker) in enumerate(((0.0, S.START), (1.0, S.END))):
                hit = np.flatnonzero(a == at)
                if hit.size:
                    style = {**marker, "color": color, "mec": color if marker is S.START else "white"}
                    if marker is S.END:
                        style["mfc"] = color
                    ax.plot(a[hit[0]], y[hit[0]], **style)
        if metrics and getattr(sl, "metrics", None):
            if twin is None:
                twin = ax.twinx()
                twin.spines["right"].set_visible(True)
            for key, vals in sl.metrics.items():
                twin.plot(a, np.asarray(vals, float), color=color, lw=1.5, ls="--", alpha=0.85,
                          label=f"{label} ({key})" if label else key, zorder=3)
                twin.set_ylabel(", ".join(sl.metrics), color=S.MUTED)
    allv = np.concatenate(values) if values else np.zeros(0)
    if (logy is True or (logy == "auto" and allv.size and allv.min() > 0 and allv.max() > 30 * allv.min())):
        ax.set_yscale("log")
    if interp:
        labels = getattr(items[0][1], "labels", ("θ_a", "θ_b"))
        for at, text in zip((0.0, 1.0), labels):
            ax.axvline(at, color=S.MUTED, lw=0.8, ls=":", zorder=1)
            ax.annotate(text, (at, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=9, color=S.INK)
        ax.set_xlabel(f"α   (θ = (1 − α)·θ[{labels[0]}] + α·θ[{labels[1]}])")
    else:
        ax.axvline(0.0, color=S.MUTED, lw=0.8, ls=":", zorder=1)
        ax.set_xlabel("α   (θ = θ₀ + α·d)")
    ax.set_ylabel(_loss_label(items[0][1]))
    ax.grid(True)
    ax.margins(x=0.01)
    if twin is not None:
        twin.set_ylim(-0.02, 1.02) if all(0 <= v <= 1 for _, sl in items for vs in sl.metrics.values()
                                          for v in np.asarray(vs, float)[np.isfinite(vs)]) else None
    default = "loss along the line from one set of weights to another" if interp else "loss along a direction"
    ax.set_title(default if title is None else title, pad=16 if interp else 8)
    if legend:
        handles = ax.get_legend_handles_labels()[0] + (twin.get_legend_handles_labels()[0] if twin else [])
        if len(handles) > 1 or (handles and items[0][0]):
            S.legend_below(fig, ax, handles, own=own)
    return S.finish(fig, path, dpi)


# ---------------------------------------------------------------------------------------------
# 2-D


def _level_ticks(lo, hi, logged):
    if logged:
        k0, k1 = int(np.ceil(lo)), int(np.floor(hi))
        ticks = list(range(k0, k1 + 1))
        if len(ticks) < 2:
            ticks = list(np.linspace(lo, hi, 4))
        return ticks, [_fmt(10.0 ** t) for t in ticks]
    from matplotlib.ticker import MaxNLocator
    ticks = [t for t in MaxNLocator(6).tick_values(lo, hi) if lo <= t <= hi]
    return ticks, [_fmt(t) for t in ticks]


def _draw_points(ax, surf, z=None):
    plane = getattr(surf, "plane", None)
    points = dict(getattr(plane, "points", {}) or {})
    a, b = np.asarray(surf.alpha), np.asarray(surf.beta)
    if not points:
        points = {"the model's weights": (0.0, 0.0)}
    for name, (pa, pb) in points.items():
        if not (a.min() <= pa <= a.max() and b.min() <= pb <= b.max()):
            continue
        # the start of a shared plane is a start (a ring), trained weights a star
        style = {**(S.START if name == "init" else S.MINIMUM), "ms": 15 if name != "init" else 10, "zorder": 9}
        if name == "init":
            style.update(color=S.INK, mec=S.INK)
        if z is None:
            ax.plot(pa, pb, **style, label="_pt")
            ax.annotate(name, (pa, pb), xytext=(8, 7), textcoords="offset points", fontsize=8.5, color=S.INK,
                        path_effects=S.halo(2.8), zorder=10)
        else:
            ax.plot([pa], [pb], [z], **style)


def _draw_contour(ax, fig, surf, paths, colors, *, levels, log, colorbar):
    from matplotlib.colors import BoundaryNorm
    A, B = np.meshgrid(surf.alpha, surf.beta)
    Zt, logged = _log_display(surf.loss, log)
    fin = Zt[np.isfinite(Zt)]
    lo, hi = (float(fin.min()), float(fin.max())) if fin.size else (0.0, 1.0)
    if hi <= lo:
        hi = lo + 1.0
    lv = np.linspace(lo, hi, int(levels)) if np.ndim(levels) == 0 else np.asarray(levels, float)
    cmap = S.landscape_cmap()
    cs = ax.contourf(A, B, Zt, levels=lv, cmap=cmap, norm=BoundaryNorm(lv, cmap.N), zorder=0)
    ax.contour(A, B, Zt, levels=lv, colors="white", linewidths=0.6, alpha=0.45, zorder=1)
    if colorbar:
        cb = fig.colorbar(cs, ax=ax, shrink=0.9, pad=0.02, aspect=30)
        ticks, texts = _level_ticks(lo, hi, logged)
        cb.set_ticks(ticks)
        cb.set_ticklabels(texts)
        cb.ax.tick_params(labelsize=8)
        cb.ax.minorticks_off()
        cb.outline.set_visible(False)
        cb.set_label(_loss_label(surf) + (" (log scale)" if logged else ""))
    for (label, xy), color in zip(paths, colors):
        ax.plot(xy[:, 0], xy[:, 1], color=color, lw=2.2, marker="o" if len(xy) <= 60 else None, ms=2.8,
                path_effects=S.halo(4.4), zorder=5, label=label)
        ax.plot(xy[0, 0], xy[0, 1], color=color, mec=color, **S.START)
        ax.plot(xy[-1, 0], xy[-1, 1], color=color, mfc=color, **S.END)
    _draw_points(ax, surf)
    labels = getattr(getattr(surf, "plane", None), "labels", ("α", "β"))
    ax.set_xlim(float(np.min(surf.alpha)), float(np.max(surf.alpha)))
    ax.set_ylim(float(np.min(surf.beta)), float(np.max(surf.beta)))
    spans = np.ptp(surf.alpha), np.ptp(surf.beta)
    if min(spans) > 0 and max(spans) / min(spans) <= 2.5:
        ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    return logged


def _draw_surface(ax, surf, paths, colors, *, log, elev, azim):
    import matplotlib
    from matplotlib.colors import LightSource
    A, B = np.meshgrid(surf.alpha, surf.beta)
    Zt, logged = _log_display(surf.loss, log)
    fin = Zt[np.isfinite(Zt)]
    zlo, zhi = (float(fin.min()), float(fin.max())) if fin.size else (0.0, 1.0)
    if zhi <= zlo:
        zhi = zlo + 1.0
    Zc = np.clip(np.where(np.isfinite(Zt), Zt, zhi), zlo, zhi)
    rgb = matplotlib.colormaps[S.SURFACE_CMAP]((Zc - zlo) / (zhi - zlo))[..., :3]
    faces = LightSource(azdeg=315, altdeg=45).shade_rgb(
        rgb, Zc, fraction=0.35, blend_mode="soft", vert_exag=float(np.ptp(surf.alpha) / (zhi - zlo)))
    ax.plot_surface(A, B, Zc, facecolors=faces, rstride=1, cstride=1, linewidth=0, edgecolor="none",
                    antialiased=False, shade=False, zorder=1)
    floor = zlo - 0.08 * (zhi - zlo)
    ax.contour(A, B, Zc, levels=12, zdir="z", offset=floor, cmap=S.SURFACE_CMAP, linewidths=0.7, alpha=0.6,
               zorder=0)
    for (label, xy), color in zip(paths, colors):
        inside = ((xy[:, 0] >= A.min()) & (xy[:, 0] <= A.max()) & (xy[:, 1] >= B.min()) & (xy[:, 1] <= B.max()))
        xy = xy[inside]
        if len(xy):
            ax.plot(xy[:, 0], xy[:, 1], np.full(len(xy), floor), color=color, lw=2.0, zorder=5)
            ax.plot([xy[0, 0]], [xy[0, 1]], [floor], color=color, mec=color, **{**S.START, "ms": 6, "zorder": 6})
            ax.plot([xy[-1, 0]], [xy[-1, 1]], [floor], color=color, mfc=color, **{**S.END, "ms": 6, "zorder": 6})
    labels = getattr(getattr(surf, "plane", None), "labels", ("α", "β"))
    ax.set_xlim(float(A.min()), float(A.max()))
    ax.set_ylim(float(B.min()), float(B.max()))
    ax.set_zlim(floor, zhi)
    ax.set_xlabel(_short(labels[0]), labelpad=2)
    ax.set_ylabel(_short(labels[1]), labelpad=2)
    ax.set_zlabel("log₁₀ loss" if logged else "loss", labelpad=2)
    if azim is None:  # paths on the floor are seen best from the default side
        azim = -60.0 if paths else _azimuth(A, B, Zc)
    ax.view_init(elev=elev, azim=azim)
    ax.tick_params(labelsize=8, pad=0)
    from matplotlib.ticker import MaxNLocator
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(5))  # the corner's two labels apart
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_pane_color((1, 1, 1, 0))
        axis._axinfo["grid"].update(color="#dddddd", linewidth=0.6)


def _azimuth(A, B, Z):
    """Of four views 90 degrees apart, the one facing the lowest half of the surface (first: -60)."""
    u, v = (A - A.mean()) / max(np.ptp(A), 1e-300), (B - B.mean()) / max(np.ptp(B), 1e-300)
    best, chosen = np.inf, -60.0
    for azim in (-60.0, 30.0, 120.0, -150.0):
        near = u * np.cos(np.radians(azim)) + v * np.sin(np.radians(azim)) > 0  # the half nearer the camera
        height = float(np.mean(Z[near])) if near.any() else np.inf
        if height < best:
            best, chosen = height, azim
    return chosen


def _short(label):
    """An axis name without its parenthesis (the 3-D view has little room)."""
    return str(label).split(" (")[0]


@S.styled
def landscape_2d(surf, paths=None, *, view="both", log="auto", levels=24, elev=35, azim=None, title=None,
                 legend=True, ax=None, figsize=None, dpi=None, path=None):
    """A plane's loss, from :func:`gdlab.nn.landscape.slice_2d`: contour map and 3-D surface.

    ``paths``: training paths projected on the plane (:func:`gdlab.nn.landscape.project`): a
    (T, 2) array or a dict ``label -> (T, 2)``; drawn on the map (start ○, end ●) and on the
    surface's floor. The plane's named points (``shared_plane``) or else the centre (the model's
    weights) get a star. ``view``: "both" (default), "contour" or "surface". ``log``: "auto"
    (log10 of the loss where it spans > 30x), True, False. ``levels``: the number of contour
    levels or their values (in the drawn scale). ``elev``, ``azim``: the 3-D view's angles in
    degrees; ``azim=None``: -60 with paths, else the side whose near half is lowest (of -60, 30,
    120 and -150), so that a high rim does not cut across the valley. ``ax``: axes of your own for a single view.
    Returns the Figure.
    """
    if view not in ("both", "contour", "surface"):
        raise ValueError(f"view must be 'both', 'contour' or 'surface', got {view!r}")
    loss = np.asarray(surf.loss, float)
    if loss.shape != (len(surf.beta), len(surf.alpha)):
        raise ValueError(f"a 2-D slice's loss must have shape (len(beta), len(alpha)) = "
                         f"{(len(surf.beta), len(surf.alpha))}, got {loss.shape}")
    ps = _paths(paths)
    colors = _colors([lab for lab, _ in ps])
    own = ax is None
    if view == "both":
        if ax is not None:
            raise ValueError("view='both' draws two panels: pass ax= only with view='contour' or 'surface'")
        fig = S.new_figure(figsize=figsize or (13.0, 5.6), dpi=dpi)[0]
        fig.clear()
        ax1 = fig.add_subplot(1, 2, 1)
        ax2 = fig.add_subplot(1, 2, 2, projection="3d", computed_zorder=False)
        _draw_contour(ax1, fig, surf, ps, colors, levels=levels, log=log, colorbar=True)
        _draw_surface(ax2, surf, ps, colors, log=log, elev=elev, azim=azim)
        ax1.set_title("contour map", fontsize=10.5, color=S.MUTED)
        ax2.set_title("surface" + (" (paths on the floor)" if ps else ""), fontsize=10.5, color=S.MUTED)
        fig.suptitle(_default_title(surf) if title is None else title, fontsize=13, fontweight="bold")
        main = ax1
    elif view == "contour":
        fig, main, own = S.own_or_new(ax, figsize=figsize or (6.6, 5.6), dpi=dpi)
        _draw_contour(main, fig, surf, ps, colors, levels=levels, log=log, colorbar=True)
        main.set_title(_default_title(surf) if title is None else title)
    else:
        fig, main, own = S.own_or_new(ax, figsize=figsize or (7.0, 5.8), dpi=dpi, projection="3d")
        _draw_surface(main, surf, ps, colors, log=log, elev=elev, azim=azim)
        main.set_title(_default_title(surf) if title is None else title)
    if legend and ps:
        handles = [h for h in main.get_legend_handles_labels()[0] if not h.get_label().startswith("_")]
        S.legend_below(fig, main, handles + S.marker_legend_handles(minima=False), own=own)
    return S.finish(fig, path, dpi)


# ---------------------------------------------------------------------------------------------
# interactive


def interactive_landscape(surf, paths=None, *, log="auto", title=None, path=None):
    """The plane's loss as an interactive page (plotly): a contour map with the projected paths and a
    rotatable 3-D surface, every grid point and path step hoverable. Given ``path=`` (.html) it writes
    one self-contained file that works offline. Returns the plotly Figure."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from ._interactive import _clean, _list, write_html

    ps = _paths(paths)
    colors = _colors([lab for lab, _ in ps])
    loss = np.asarray(surf.loss, float)
    Zt, logged = _log_display(loss, log)
    a, b = np.asarray(surf.alpha, float), np.asarray(surf.beta, float)
    labels = getattr(getattr(surf, "plane", None), "labels", ("α", "β"))
    ztitle = "log₁₀ loss" if logged else "loss"
    fig = make_subplots(rows=1, cols=2, specs=[[{"type": "xy"}, {"type": "scene"}]], horizontal_spacing=0.16,
                        subplot_titles=("contour map", "surface"))
    hover = f"{_short(labels[0])}=%{{x:.4g}}, {_short(labels[1])}=%{{y:.4g}}<br>loss=%{{customdata:.6g}}<extra></extra>"
    fig.add_trace(go.Contour(x=_list(a), y=_list(b), z=_clean(_list(Zt)), customdata=_clean(_list(loss)),
                             colorscale="Greys", reversescale=True, ncontours=24,
                             contours=dict(coloring="fill", showlines=True), line=dict(width=0.5, color="white"),
                             colorbar=dict(title=dict(text=ztitle, side="right"), x=0.435, xanchor="left", len=0.8,
                                           thickness=12),
                             hovertemplate=hover, showlegend=False), row=1, col=1)
    fig.add_trace(go.Surface(x=_list(a), y=_list(b), z=_clean(_list(Zt)), customdata=_clean(_list(loss)),
                             colorscale="Viridis", showscale=False, opacity=0.95, hovertemplate=hover.replace(
                                 "%{x", "%{x").replace("%{y", "%{y"),
                             contours=dict(z=dict(show=True, usecolormap=True, project_z=True, width=1))),
                  row=1, col=2)
    fin = Zt[np.isfinite(Zt)]
    floor = float(fin.min()) if fin.size else 0.0
    for (label, xy), color in zip(ps, colors):
        steps = np.arange(len(xy))
        tmpl = f"<b>{label}</b><br>point %{{customdata}}<br>({{x}}, {{y}})<extra></extra>".replace(
            "({x}, {y})", "%{x:.4g}, %{y:.4g}")
        fig.add_trace(go.Scatter(x=_list(xy[:, 0]), y=_list(xy[:, 1]), mode="lines+markers", name=label,
                                 legendgroup=label, line=dict(color=color, width=2.5), marker=dict(size=5, color=color),
                                 customdata=steps.tolist(), hovertemplate=tmpl), row=1, col=1)
        fig.add_trace(go.Scatter3d(x=_list(xy[:, 0]), y=_list(xy[:, 1]), z=[floor] * len(xy), mode="lines",
                                   name=label, legendgroup=label, showlegend=False, line=dict(color=color, width=5),
                                   hoverinfo="skip"), row=1, col=2)
    points = dict(getattr(getattr(surf, "plane", None), "points", {}) or {}) or {"the model's weights": (0.0, 0.0)}
    fig.add_trace(go.Scatter(x=[p[0] for p in points.values()], y=[p[1] for p in points.values()],
                             mode="markers", text=list(points), name="weights",
                             marker=dict(symbol="star", size=16, color=S.MINIMUM_COLOR, line=dict(color="#222", width=1)),
                             hovertemplate="%{text}<extra></extra>"), row=1, col=1)
    for name, (pa, pb) in points.items():  # the names on a light box: the map is dark where the loss is low
        fig.add_annotation(x=pa, y=pb, text=name, showarrow=False, yshift=16, font=dict(size=12, color="#222"),
                           bgcolor="rgba(255,255,255,0.8)", borderpad=2, row=1, col=1)
    fig.update_xaxes(title_text=labels[0], range=[a.min(), a.max()], row=1, col=1)
    fig.update_yaxes(title_text=labels[1], range=[b.min(), b.max()], row=1, col=1)
    fig.update_scenes(xaxis_title=_short(labels[0]), yaxis_title=_short(labels[1]), zaxis_title=ztitle,
                      camera=dict(eye=dict(x=-1.4, y=-1.5, z=1.0)), aspectmode="cube",
                      xaxis_nticks=6, yaxis_nticks=6, zaxis_nticks=6)
    fig.update_layout(template="plotly_white", title=dict(text=_default_title(surf) if title is None else title, x=0.5),
                      legend=dict(orientation="h", yanchor="top", y=-0.08, xanchor="center", x=0.5),
                      margin=dict(l=60, r=30, t=80, b=60))
    if path is not None:
        write_html(fig, path)
    return fig


# ---------------------------------------------------------------------------------------------
# sharpness


def _step_losses(obj):
    if obj is None:
        return None
    losses = getattr(obj, "step_losses", obj)
    return np.asarray(list(losses), float)


@S.styled
def sharpness_curve(records, *, losses=None, logy=False, title=None, legend=True, figsize=None, dpi=None,
                    path=None):
    """Sharpness (the top Hessian eigenvalue) against the update count, with the stability line.

    ``records``: a :class:`gdlab.nn.curvature.SharpnessCallback` (``steps``, ``sharpness``,
    ``threshold``) or a dict ``label -> record`` (e.g. one per learning rate). Each record's
    threshold (2/η for gradient descent) is drawn dashed in its colour; a record without one
    (an adaptive optimizer) gets none. ``losses``: the training loss per update to draw above
    (a History, a list of values, or a dict with the records' labels), log scale.
    Returns the Figure.
    """
    items = _series(records, "run")
    colors = _colors([lab for lab, _ in items])
    loss_items = None
    if losses is not None:
        if isinstance(losses, Mapping):
            loss_items = [(lab, _step_losses(losses.get(lab))) for lab, _ in items]
        else:
            loss_items = [(items[0][0], _step_losses(losses))]
    if loss_items:
        fig, (top, ax) = S.new_figure(2, 1, figsize=figsize or (7.6, 6.6), dpi=dpi, sharex=True,
                                      gridspec_kw={"height_ratios": [1, 1.6]})
    else:
        fig, ax = S.new_figure(figsize=figsize or (7.6, 4.6), dpi=dpi)
        top = None
    highest = 0.0
    for (label, rec), color in zip(items, colors):
        steps = np.asarray(rec.steps, float)
        sharp = np.asarray(rec.sharpness, float)
        thr = [np.nan if t is None else float(t) for t in getattr(rec, "threshold", [None] * len(steps))]
        thr = np.asarray(thr, float)
        has = np.isfinite(thr).any()
        name = label or "sharpness"
        if has:
            last = thr[np.isfinite(thr)][-1]
            name += f"  (2/η = {last:.3g})" if np.allclose(thr[np.isfinite(thr)], last) else ""
        ax.plot(steps, sharp, color=color, lw=2.0, label=name, zorder=4, marker="o" if len(steps) <= 40 else None,
                ms=3)
        if has:
            ax.step(steps, thr, where="post", color=color, lw=1.3, ls="--", alpha=0.9, zorder=3, label="_thr")
            highest = max(highest, float(np.nanmax(thr)))
        highest = max(highest, float(np.nanmax(sharp)) if sharp.size else 0.0)
    if loss_items:
        for (label, vals), color in zip(loss_items, colors):
            if vals is None or vals.size == 0:
                continue
            top.plot(np.arange(1, len(vals) + 1), vals, color=color, lw=1.4)
        top.set_yscale("log")
        top.set_ylabel("loss per update")
        top.grid(True)
    ax.set_ylim(0, highest * 1.12 if highest > 0 else 1)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("update")
    ax.set_ylabel("sharpness λ_max (top Hessian eigenvalue)")
    ax.grid(True)
    ax.margins(x=0.01)
    if any(np.isfinite(np.asarray([np.nan if t is None else t for t in getattr(r, "threshold", [])], float)).any()
           for _, r in items):
        from matplotlib.lines import Line2D
        extra = [Line2D([], [], color=S.MUTED, ls="--", lw=1.3, label="stability limit 2/η (dashed)")]
    else:
        extra = []
    head = top if top is not None else ax
    head.set_title("sharpness against updates" if title is None else title)
    if legend:
        handles = [h for h in ax.get_legend_handles_labels()[0] if not h.get_label().startswith("_")] + extra
        if handles:
            S.legend_below(fig, ax, handles, own=True)
    return S.finish(fig, path, dpi)
