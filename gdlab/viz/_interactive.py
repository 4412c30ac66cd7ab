"""Interactive HTML reports (plotly): rotate the surface, hover every step, zoom, toggle runs, play.

Every function returns a ``plotly.graph_objects.Figure``; given ``path=`` it also writes an HTML
page: a header (the function, each run's optimizer, hyperparameters, budget and result, or the
model and its training) above the figure. It opens offline, with no CDN and no external
script: ``plotlyjs="inline"`` (the default) embeds plotly.js (about 4.8 MB) so the file works
alone; ``plotlyjs="file"`` writes plotly.min.js once beside the page and loads it from there
(a folder of reports, such as the gallery, then holds one copy for all of them).

Reports of runs have a step slider with play/pause (plotly frames), as the animations have:
each frame moves every run's current point on the map, the surface and the loss curves and
grows its trail on the map. The landscape has the colours of the PNG figures (valley dark).

Runs go in as plain JSON numbers (not plotly's base64 arrays), so the visited points, losses
and gradients can be read in the file itself; the landscape grids are rounded to 5 significant
digits and the frames' trails to 4 (they are drawn, not read).
"""

from __future__ import annotations

import html as _html
import os

import numpy as np

from .._atomic import atomic_path
from . import _style as S
from ._data import (Run, axis_labels, function_dim, function_name, grid, minima_of, objective, plot_bounds,
                    pretty, split_function_and_runs, value_label)

MAX_POINTS = 1500    # per path, for hover; longer paths are subsampled (first and last kept)
TRAIL_POINTS = 80    # per trail in a frame (the slider's growing path), subsampled likewise
PLOTLYJS = ("inline", "file")
PLOTLYJS_FILE = "plotly.min.js"
#: the colour-bar and axis tick format for losses and other values that span decades
SCIENTIFIC = dict(exponentformat="power", showexponent="all")


def _go():
    import plotly.graph_objects as go
    return go


def _list(a):
    a = np.asarray(a, float)
    return np.where(np.isfinite(a), a, np.nan).tolist()


def _rounded(a, digits=5):
    """A grid or trail rounded to ``digits`` significant digits, as nested lists (NaN kept)."""
    a = np.asarray(a, float)
    with np.errstate(all="ignore"):
        scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(a))))
        out = np.where((a != 0) & np.isfinite(a), np.round(a * scale) / scale, a)
    return _list(out)


def _clean(values):
    """Nested lists with NaN -> None (valid JSON)."""
    if isinstance(values, list):
        return [_clean(v) for v in values]
    return None if (isinstance(values, float) and not np.isfinite(values)) else values


# ---------------------------------------------------------------------------------------------
# the page


def _set_header(fig, title, rows):
    """Keep the page header (a title and (label, text) rows) with the figure, in ``layout.meta``."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    meta["gdlab_header"] = {"title": str(title), "rows": [[str(k), str(v)] for k, v in rows if v]}
    fig.update_layout(meta=meta)


def _header(fig, title=None):
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    head = dict(meta.get("gdlab_header") or {})
    text = title or head.get("title") or (fig.layout.title.text if fig.layout.title else None) or "gdlab report"
    return str(text), list(head.get("rows") or [])


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
 body{margin:0;color:#1d2330;background:#fff;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
   "Noto Sans","Noto Sans CJK SC",sans-serif}
 header{padding:16px 28px 8px;border-bottom:1px solid #e3e7ee;background:#f7f8fa}
 header h1{margin:0 0 6px;font-size:19px}
 header dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0;font-size:13px}
 header dt{color:#5d6677}
 header dd{margin:0;font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
 .gd-plot{padding:0 8px}
</style>
__PLOTLYJS__
</head><body>
<header><h1>__TITLE__</h1>__ROWS__</header>
<div class="gd-plot">__PLOT__</div>
</body></html>
"""


def report_html(fig, *, title=None, plotlyjs="inline"):
    """The report page of a plotly figure (see :func:`write_html`) as a string. With
    ``plotlyjs="file"`` the page loads ``plotly.min.js`` from its own folder."""
    if plotlyjs not in PLOTLYJS:
        raise ValueError(f"plotlyjs must be one of {', '.join(map(repr, PLOTLYJS))}, got {plotlyjs!r}")
    import plotly.io as pio
    text, rows = _header(fig, title)
    shown = _go().Figure(fig)
    top = shown.layout.margin.t
    shown.update_layout(title_text="", margin_t=max(44, (top or 80) - 60))   # the header says it; room for panel titles
    shown.layout.meta = None
    plot = pio.to_html(shown, full_html=False, include_plotlyjs=False, include_mathjax=False, auto_play=False,
                       config={"displaylogo": False, "responsive": True,
                               "toImageButtonOptions": {"format": "png"}})
    if plotlyjs == "inline":
        from plotly.offline import get_plotlyjs
        script = f'<script type="text/javascript">{get_plotlyjs()}</script>'
    else:
        script = f'<script src="{PLOTLYJS_FILE}"></script>'
    dl = "".join(f"<dt>{_html.escape(k)}</dt><dd>{_html.escape(v)}</dd>" for k, v in rows)
    return (_PAGE.replace("__PLOTLYJS__", script).replace("__TITLE__", _html.escape(text))
            .replace("__ROWS__", f"<dl>{dl}</dl>" if dl else "").replace("__PLOT__", plot))


def write_plotlyjs(folder):
    """Write plotly.min.js into ``folder`` (once: kept when it is already the same). Returns its path."""
    from plotly.offline import get_plotlyjs
    path = os.path.join(os.fspath(folder), PLOTLYJS_FILE)
    code = get_plotlyjs()
    if not (os.path.exists(path) and os.path.getsize(path) == len(code.encode("utf-8"))):
        with atomic_path(path) as tmp:  # all or nothing: a reader never sees half of it
            tmp.write_text(code, encoding="utf-8")
    return path


def write_html(fig, path, *, title=None, plotlyjs="inline"):
    """Write a plotly figure as an HTML report that works offline: a header (``title``, and the
    details the report functions attach) above the figure. ``plotlyjs="inline"`` embeds
    plotly.js (one file that works alone, about 4.8 MB); ``"file"`` writes plotly.min.js beside
    it, once, for a folder of reports. Returns the path."""
    path = os.fspath(path)
    if not path.lower().endswith((".html", ".htm")):
        raise ValueError(f"an interactive report is written as .html, got {path!r}")
    page = report_html(fig, title=title, plotlyjs=plotlyjs)
    if plotlyjs == "file":
        write_plotlyjs(os.path.dirname(os.path.abspath(path)))
    with atomic_path(path) as tmp:  # all or nothing: no partial file on a failure
        tmp.write_text(page, encoding="utf-8")
    return path


def _finish(fig, path, plotlyjs="inline"):
    if path is not None:
        write_html(fig, path, plotlyjs=plotlyjs)
    return fig


# ---------------------------------------------------------------------------------------------
# what the header says


def _fmt_value(v):
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(_fmt_value(x) for x in v) + ")"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.4g}"
    return str(v)


def _hyperparameters(run):
    """The run's settings as text: lr and whatever is switched on (zeros and False left out)."""
    hp = dict(run.hyperparameters)
    if "lr" not in hp and run.lr is not None and run.lr.size:
        hp["lr"] = float(run.lr[0])
    return ", ".join(f"{k}={_fmt_value(v)}" for k, v in hp.items()
                     if not (v is None or v is False or (isinstance(v, (int, float)) and v == 0 and k != "lr")))


def _run_row(run):
    """One line per run: optimizer and settings, budget, start, status and final loss."""
    opt = run.optimizer or run.label
    hp = _hyperparameters(run)
    bits = [f"{opt} ({hp})" if hp else opt]
    t = int(np.max(run.stopped_at)) if run.stopped_at is not None else run.T - 1
    step = run.last  # the step at which the last start stopped (not a slot of a thinned record)
    if run.n == 1:
        start = ", ".join(f"{float(v):.4g}" for v in run.params[0, 0])
        bits.append(f"from ({start})")
        status = str(run.status[0]) if run.status is not None else ""
        bits.append(f"{status} at step {step}" if status in ("converged", "diverged") else f"{step} steps")
        if run.loss is not None and np.isfinite(run.loss[t, 0]):
            bits.append(f"final loss {float(run.loss[t, 0]):.4g}")
    else:
        bits.append(f"{run.n} starts, up to {step} steps")
    return run.label, ", ".join(bits)


def _function_row(f):
    if f is None:
        return None
    name = function_name(f) or "f"
    formula = getattr(f, "formula", "") or ""
    text = pretty(formula) if formula and pretty(formula) != name else ""
    dim = getattr(f, "dim", None)
    where = f"({', '.join(axis_labels(f, None, dim))})" if dim and dim <= 3 else (f" (dim {dim})" if dim else "")
    return f"{name}{where}" + (f" = {text}" if text else "")


def _model_rows(history, model):
    """What a training report's header says: the model, its loss and optimizer, the epochs and batches."""
    rows = []
    net = getattr(history, "model", None) or (model if hasattr(model, "layers") else None)
    if net is not None and hasattr(net, "layers"):
        layers = []
        for layer in net.layers:
            i, o = getattr(layer, "in_features", None), getattr(layer, "out_features", None)
            layers.append(f"{type(layer).__name__}({i}→{o})" if i is not None else type(layer).__name__)
        n = net.count_params() if callable(getattr(net, "count_params", None)) else None
        rows.append(("model", " → ".join(layers) + (f"  ({n} parameters)" if n is not None else "")))
        loss = getattr(net, "loss", None)
        if loss is not None:
            rows.append(("loss", repr(loss) if not isinstance(loss, str) else loss))
        opt = getattr(net, "optimizer", None)
        if opt is not None:
            groups = getattr(opt, "param_groups", None) or [getattr(opt, "defaults", {}) or {}]
            hp = {k: v for k, v in dict(groups[0]).items() if k != "params"}
            shown = ", ".join(f"{k}={_fmt_value(v)}" for k, v in hp.items()
                              if not (v is None or v is False or (isinstance(v, (int, float)) and v == 0)))
            rows.append(("optimizer", f"{type(opt).__name__} ({shown})" if shown else type(opt).__name__))
    params = dict(getattr(history, "params", None) or {})
    if params:
        bits = [f"{params['epochs']} epochs" if "epochs" in params else "",
                f"batch size {params['batch_size']}" if params.get("batch_size") else "",
                f"{params['samples']} samples" if "samples" in params else ""]
        rows.append(("training", ", ".join(b for b in bits if b)))
    return rows


# ---------------------------------------------------------------------------------------------
# runs on a function


def _idx(n_points, most=MAX_POINTS):
    if n_points <= most:
        return np.arange(n_points)
    return np.unique(np.round(np.linspace(0, n_points - 1, most)).astype(int))


def _finite_path(run, j):
    """Visited points of start j up to where it stopped (cut before the first non-finite one)."""
    P = run.params[: int(run.stopped_at[j]) + 1, j]
    ok = np.all(np.isfinite(P), axis=1)
    if not ok.all():
        P = P[: int(np.argmin(ok))] if not ok[0] else P[:0]
    return P


def _hover_data(run, j, obj):
    """(steps, points, customdata rows [step, loss, g1, g2, |g|]) of start j up to where it stopped."""
    P = _finite_path(run, j)
    idx = _idx(len(P))
    pts = P[idx]
    if run.loss is not None:
        loss = run.loss[idx, j]
    else:
        loss = obj(pts) if obj is not None else np.full(len(idx), np.nan)
    if run.grad is not None:
        g = run.grad[idx, j]
    elif obj is not None:
        g = obj.grad(pts)
    else:
        g = np.full((len(idx), run.dim), np.nan)
    gn = np.linalg.norm(g, axis=-1)
    g2 = g[:, :2] if g.shape[1] >= 2 else np.concatenate([g, np.full((len(g), 1), np.nan)], axis=1)
    steps = run.axis(j, upto=len(P) - 1)[idx] if len(P) else idx  # the real steps of the hovered points
    custom = np.column_stack([steps, loss, g2, gn])
    return steps, pts, custom


def _hover(label, dim, names=("x", "y")):
    where = f"{names[0]}=%{{x:.4g}}" + (f", {names[1]}=%{{y:.4g}}" if dim == 2 else "")
    grad = "(%{customdata[2]:.4g}, %{customdata[3]:.4g})" if dim == 2 else "%{customdata[2]:.4g}"
    return (f"<b>{label}</b><br>step %{{customdata[0]}}<br>{where}<br>loss %{{customdata[1]:.6g}}"
            f"<br>gradient {grad}<br>‖gradient‖ %{{customdata[4]:.4g}}<extra></extra>")


def _transform(Z):
    """log10(z - min + eps) where the range is wide, else z; returns (values, logged, (min, eps))."""
    fin = Z[np.isfinite(Z)]
    if fin.size and S.wide_range(fin):
        lo = float(fin.min())
        pos = fin - lo
        pos = pos[pos > 0]
        eps = float(np.percentile(pos, 8.0)) if pos.size else 1e-12   # as the PNG surface: no deep canyon
        return np.log10(np.maximum(Z - lo, 0) + eps), True, (lo, eps)
    return Z, False, None


def _landscape_scale():
    """The PNG contour maps' colours (:data:`LANDSCAPE_COLORS`, valley dark) as a plotly scale."""
    colors = S.LANDSCAPE_COLORS
    return [[k / (len(colors) - 1), c] for k, c in enumerate(colors)]


def _surface_scale():
    """The PNG surfaces' colour map (viridis, valley dark) as a plotly scale."""
    import matplotlib
    from matplotlib.colors import to_hex
    cmap = matplotlib.colormaps[S.SURFACE_CMAP]
    return [[k / 10, to_hex(cmap(k / 10))] for k in range(11)]


def interactive(f, runs=None, *, bounds=None, resolution=80, surface_resolution=50, loss=True, frames=60,
                fps=12, title=None, height=None, plotlyjs="inline", path=None):
    """An interactive report of a run or race: contour map and rotatable 3-D surface with every
    step hoverable (step, point, loss, gradient), the loss curves (toggle a run in the legend to
    hide it everywhere), and a step slider with play/pause that moves each run's current point
    over all three (``frames``: at most this many slider steps, 0 for none; ``fps`` the pace).
    1-D functions get their curve instead, higher dimensions the loss and gradient-norm curves
    only. The page's header names the function and each run's optimizer, hyperparameters and
    result. ``resolution`` / ``surface_resolution``: grid points per side of the map / surface.
    ``plotlyjs``: see :func:`write_html`. Returns the plotly Figure; ``path=`` writes the HTML."""
    from plotly.subplots import make_subplots
    go = _go()
    f, rs = split_function_and_runs(f, runs)
    if f is None and not rs:
        raise ValueError("interactive needs a function or runs")
    if plotlyjs not in PLOTLYJS:
        raise ValueError(f"plotlyjs must be one of {', '.join(map(repr, PLOTLYJS))}, got {plotlyjs!r}")
    dim = function_dim(f, rs) or (rs[0].dim if rs else 2)
    colors = S.assign_colors(rs)
    rs = [Run(**{**r.__dict__, "color": c}) for r, c in zip(rs, colors)]
    obj = objective(f, dim) if f is not None else None
    name = function_name(f) or "f"
    animated = []          # (trace index, run, j, kind) of the traces the frames move
    if dim == 2 and f is not None:
        rows = 2 if (loss and rs) else 1
        fig = make_subplots(rows=rows, cols=2, specs=[[{"type": "xy"}, {"type": "scene"}]] +
                            ([[{"type": "xy", "colspan": 2}, None]] if rows == 2 else []),
                            row_heights=[0.64, 0.36] if rows == 2 else None, horizontal_spacing=0.13,
                            vertical_spacing=0.1,
                            subplot_titles=["contour map", "surface (drag to rotate)"] +
                            (["loss"] if rows == 2 else []))
        height_of = _contour_and_surface(fig, f, rs, obj, bounds, resolution, surface_resolution, animated)
        if rows == 2:
            _loss_traces(fig, rs, row=2, col=1, showlegend=False, animated=animated)
        fig.update_layout(height=height or (1000 if rows == 2 else 640))
    elif dim == 1 and f is not None:
        rows = 2 if (loss and rs) else 1
        fig = make_subplots(rows=rows, cols=1, subplot_titles=["path"] + (["loss"] if rows == 2 else []),
                            vertical_spacing=0.12)
        b = plot_bounds(f, rs, 1, None if bounds is None else np.asarray(bounds).reshape(1, 2))
        _curve_1d(fig, f, rs, obj, b, name, animated)
        height_of = None
        if rows == 2:
            _loss_traces(fig, rs, row=2, col=1, showlegend=False, animated=animated)
        fig.update_layout(height=height or 860)
    else:
        height_of = None
        fig = make_subplots(rows=1, cols=2, subplot_titles=["loss", "gradient norm"])
        _loss_traces(fig, rs, row=1, col=1, showlegend=True)
        _loss_traces(fig, rs, row=1, col=2, showlegend=False, metric="grad_norm")
        fig.update_layout(height=height or 480)
    default = name
    if len(rs) == 1 and rs[0].n == 1:
        default = f"{name}: {rs[0].label}"
    elif len(rs) > 1:
        default = f"{name}: {len(rs)} runs"
    fig.update_layout(template="plotly_white", title=dict(text=default if title is None else title, x=0.5),
                      legend=dict(orientation="h", yanchor="top", y=-0.07, xanchor="center", x=0.5),
                      hoverlabel=dict(font_family="monospace"), margin=dict(l=60, r=30, t=80, b=70))
    if animated and frames:
        _add_frames(fig, rs, obj, animated, frames, fps, dim, height_of)
    _set_header(fig, default if title is None else title, [("function", _function_row(f))]
                + [_run_row(r) for r in rs])
    return _finish(fig, path, plotlyjs)


def _curve_1d(fig, f, rs, obj, b, name, animated):
    go = _go()
    xs = np.linspace(b[0, 0], b[0, 1], 500)
    xname = axis_labels(f, None, 1)[0]
    fig.add_trace(go.Scatter(x=_rounded(xs), y=_clean(_rounded(obj(xs[:, None]))), mode="lines", name=name,
                             line=dict(color="#3a3a3a", width=2), hoverinfo="skip", showlegend=False),
                  row=1, col=1)
    for r in rs:
        for j in range(r.n):
            steps, pts, custom = _hover_data(r, j, obj)
            fig.add_trace(go.Scatter(x=_list(pts[:, 0]), y=_clean(_list(obj(pts))), mode="lines+markers",
                                     name=r.label, legendgroup=r.label, showlegend=False, opacity=0.45,
                                     line=dict(color=r.color, width=1.5, dash="dot"), marker=dict(size=6),
                                     customdata=_clean(custom.tolist()),
                                     hovertemplate=_hover(r.label, 1, (xname,))), row=1, col=1)
    for r in rs:
        for j in range(r.n):
            P = _finite_path(r, j)
            if not len(P):
                continue
            animated.append((len(fig.data), r, j, "trail"))
            fig.add_trace(go.Scatter(x=_list(P[:, 0]), y=_clean(_list(obj(P))), mode="lines+markers",
                                     legendgroup=r.label, name=r.label, showlegend=j == 0, hoverinfo="skip",
                                     line=dict(color=r.color, width=2), marker=dict(size=5, color=r.color)),
                          row=1, col=1)
            animated.append((len(fig.data), r, j, "head"))
            fig.add_trace(go.Scatter(x=[float(P[-1, 0])], y=[float(obj(P[-1:])[0])], mode="markers",
                                     legendgroup=r.label, showlegend=False, hoverinfo="skip",
                                     marker=dict(size=13, color=r.color, line=dict(color="white", width=2))),
                          row=1, col=1)
    mins = minima_of(f, 1)
    if len(mins) and mins.shape[-1] == 1:
        fig.add_trace(go.Scatter(x=_list(mins[:, 0]), y=_list(obj(mins)), mode="markers",
                                 name="minimum", marker=dict(symbol="star", size=16, color=S.MINIMUM_COLOR,
                                                             line=dict(color="#222", width=1))), row=1, col=1)
    fig.update_xaxes(title_text=xname, row=1, col=1)
    fig.update_yaxes(title_text=f"f({xname})", row=1, col=1)


def _contour_and_surface(fig, f, rs, obj, bounds, resolution, surface_resolution, animated):
    go = _go()
    b = plot_bounds(f, rs, 2, bounds)
    names = axis_labels(f, None)
    X, Y, P = grid(b, resolution)
    with np.errstate(all="ignore"):
        Z = obj(P)
    Zt, logged, info = _transform(Z)
    fname = function_name(f) or "f"
    ctitle = f"log₁₀({fname} − min)" if logged else value_label(f, names)
    xdom, ydom = fig.layout.xaxis.domain, fig.layout.yaxis.domain
    hover = f"{names[0]}=%{{x:.4g}}, {names[1]}=%{{y:.4g}}<br>f=%{{customdata:.6g}}<extra></extra>"
    fig.add_trace(go.Contour(x=_rounded(X[0]), y=_rounded(Y[:, 0]), z=_clean(_rounded(Zt)),
                             colorscale=_landscape_scale(), ncontours=24,
                             contours=dict(coloring="fill", showlines=True), line=dict(width=0.5, color="white"),
                             colorbar=dict(title=dict(text=ctitle, side="right"), x=xdom[1] + 0.012,
                                           xanchor="left", y=(ydom[0] + ydom[1]) / 2, len=ydom[1] - ydom[0],
                                           thickness=12, **SCIENTIFIC),
                             customdata=_clean(_rounded(Z)), name=ctitle, hovertemplate=hover, showlegend=False),
                  row=1, col=1)
    Xs, Ys, Ps = grid(b, surface_resolution)
    with np.errstate(all="ignore"):
        Zs = obj(Ps)
    Zst = _tz(Zs, logged, info)
    fig.add_trace(go.Surface(x=_rounded(Xs[0]), y=_rounded(Ys[:, 0]), z=_clean(_rounded(Zst)),
                             colorscale=_surface_scale(), opacity=0.6, showscale=False,
                             customdata=_clean(_rounded(Zs)), name="surface", hovertemplate=hover,
                             contours=dict(z=dict(show=True, usecolormap=True, project_z=True, width=1))),
                  row=1, col=2)
    zfin = Zt[np.isfinite(Zt)]
    zlo, zhi = float(zfin.min()), float(zfin.max())
    lift = 0.02 * (zhi - zlo)     # the paths ride a little above the surface, so it does not hide them
    for r in rs:
        for j in range(r.n):
            steps, pts, custom = _hover_data(r, j, obj)
            if len(pts) == 0:
                continue
            common = dict(name=r.label, legendgroup=r.label, customdata=_clean(custom.tolist()),
                          hovertemplate=_hover(r.label, 2, names))
            fig.add_trace(go.Scatter(x=_list(pts[:, 0]), y=_list(pts[:, 1]), mode="lines+markers",
                                     line=dict(color=r.color, width=2.5 if r.n == 1 else 1.2),
                                     marker=dict(size=5 if r.n == 1 else 3, color=r.color),
                                     opacity=0.45 if r.n == 1 else 0.35, showlegend=False, **common), row=1, col=1)
            fig.add_trace(go.Scatter(x=[pts[0, 0]], y=[pts[0, 1]], mode="markers", showlegend=False,
                                     legendgroup=r.label, hoverinfo="skip",
                                     marker=dict(size=11, color="white", line=dict(color=r.color, width=2.5))),
                          row=1, col=1)
            keep = _inside(pts, b)
            z = np.clip(_tz(obj(pts[keep]), logged, info), zlo, zhi) + lift
            fig.add_trace(go.Scatter3d(x=_list(pts[keep, 0]), y=_list(pts[keep, 1]), z=_clean(_list(z)),
                                       mode="lines+markers", line=dict(color=r.color, width=7 if r.n == 1 else 3),
                                       marker=dict(size=2.5, color=r.color), showlegend=False,
                                       name=r.label, legendgroup=r.label,
                                       customdata=_clean(custom[keep].tolist()),
                                       hovertemplate=_hover(r.label, 2, names)), row=1, col=2)
    # what the slider moves: each run's trail and current point on the map, its point on the surface
    for r in rs:
        for j in range(r.n):
            Pj = _finite_path(r, j)
            if not len(Pj):
                continue
            end = Pj[-1]
            animated.append((len(fig.data), r, j, "trail"))
            fig.add_trace(go.Scatter(x=_rounded(Pj[_idx(len(Pj), TRAIL_POINTS), 0]),
                                     y=_rounded(Pj[_idx(len(Pj), TRAIL_POINTS), 1]), mode="lines",
                                     line=dict(color=r.color, width=2.5 if r.n == 1 else 1.2), legendgroup=r.label,
                                     name=r.label, showlegend=j == 0, hoverinfo="skip"), row=1, col=1)
            animated.append((len(fig.data), r, j, "head"))
            fig.add_trace(go.Scatter(x=[float(end[0])], y=[float(end[1])], mode="markers", legendgroup=r.label,
                                     showlegend=False, hoverinfo="skip",
                                     marker=dict(size=12 if r.n == 1 else 7, color=r.color,
                                                 line=dict(color="white", width=2))), row=1, col=1)
            animated.append((len(fig.data), r, j, "head3d"))
            ze = float(np.clip(_tz(obj(end[None]), logged, info)[0], zlo, zhi) + lift)
            fig.add_trace(go.Scatter3d(x=[float(end[0])], y=[float(end[1])], z=[ze], mode="markers",
                                       legendgroup=r.label, showlegend=False, hoverinfo="skip",
                                       marker=dict(size=6 if r.n == 1 else 4, color=r.color,
                                                   line=dict(color="white", width=1.5))), row=1, col=2)
    mins = minima_of(f, 2)
    if len(mins) and mins.shape[-1] == 2:
        mins = mins[np.all((mins >= b[:, 0]) & (mins <= b[:, 1]), axis=1)]
    if len(mins):
        fig.add_trace(go.Scatter(x=_list(mins[:, 0]), y=_list(mins[:, 1]), mode="markers", name="minimum",
                                 legendgroup="minimum",
                                 marker=dict(symbol="star", size=17, color=S.MINIMUM_COLOR,
                                             line=dict(color="#222222", width=1)),
                                 hovertemplate="minimum<br>x=%{x:.6g}, y=%{y:.6g}<extra></extra>"), row=1, col=1)
        fig.add_trace(go.Scatter3d(x=_list(mins[:, 0]), y=_list(mins[:, 1]),
                                   z=_list(np.clip(_tz(obj(mins), logged, info), zlo, zhi) + lift), mode="markers",
                                   name="minimum", legendgroup="minimum", showlegend=False,
                                   marker=dict(symbol="diamond", size=6, color=S.MINIMUM_COLOR,
                                               line=dict(color="#222222", width=1)),
                                   hovertemplate="minimum<br>x=%{x:.6g}, y=%{y:.6g}<extra></extra>"), row=1, col=2)
    fig.update_xaxes(title_text=names[0], range=[b[0, 0], b[0, 1]], row=1, col=1)
    fig.update_yaxes(title_text=names[1], range=[b[1, 0], b[1, 1]], row=1, col=1)
    fig.update_scenes(xaxis_title=names[0], yaxis_title=names[1], zaxis_title=ctitle,
                      camera=dict(eye=dict(x=-0.6, y=-1.05, z=2.15)), aspectmode="cube")
    return lambda pts: np.clip(_tz(obj(pts), logged, info), zlo, zhi) + lift   # a point's height on the surface


def _tz(v, logged, info):
    v = np.asarray(v, float)
    if logged:
        lo, eps = info
        return np.log10(np.maximum(v - lo, 0) + eps)
    return v


def _inside(pts, b):
    """Indices of a path's points up to the first that leaves the view."""
    inside = np.all((pts >= b[:, 0]) & (pts <= b[:, 1]), axis=1)
    return np.arange(len(pts)) if inside.all() else np.arange(max(int(np.argmin(inside)), 1))


def _add_frames(fig, rs, obj, animated, frames, fps, dim, height_of):
    """Plotly frames and a step slider with play/pause: frame k shows every run at step s_k (its
    trail up to there on the map, its current point on the map, the surface and the loss curve)."""
    from ._animate import frame_steps
    go = _go()
    steps = frame_steps(rs, frames)
    paths = {}
    for _, r, j, _kind in animated:
        if (id(r), j) not in paths:
            P = _finite_path(r, j)
            loss = r.loss[: len(P), j] if r.loss is not None else obj(P)
            paths[(id(r), j)] = (P, np.asarray(loss, float))
    out = []
    for s in steps:
        data, traces = [], []
        for index, r, j, kind in animated:
            P, loss = paths[(id(r), j)]
            t = min(r.slot(s, j), len(P) - 1)
            if kind == "trail":
                idx = _idx(t + 1, TRAIL_POINTS)
                pts = P[idx]
                y = pts[:, 1] if dim == 2 else obj(pts)
                data.append(go.Scatter(x=_rounded(pts[:, 0], 4), y=_clean(_rounded(y, 4))))
            elif kind == "head":
                y = P[t, 1] if dim == 2 else float(obj(P[t:t + 1])[0])
                data.append(go.Scatter(x=[float(P[t, 0])], y=[float(y)]))
            elif kind == "head3d":
                data.append(go.Scatter3d(x=[float(P[t, 0])], y=[float(P[t, 1])], z=[float(height_of(P[t:t + 1])[0])]))
            else:   # the point on the loss curve
                v = float(loss[t])
                data.append(go.Scatter(x=[int(r.axis(j, upto=t)[-1])], y=[v if np.isfinite(v) else None]))
            traces.append(index)
        out.append(go.Frame(data=data, traces=traces, name=str(int(s))))
    fig.frames = out
    play = dict(frame=dict(duration=round(1000 / fps), redraw=True), transition=dict(duration=0),
                fromcurrent=False, mode="immediate")
    still = dict(frame=dict(duration=0, redraw=True), transition=dict(duration=0), mode="immediate")
    fig.update_layout(
        updatemenus=[dict(type="buttons", direction="left", x=0.0, xanchor="left", y=1.06, yanchor="bottom",
                          showactive=False, pad=dict(r=6, t=0),
                          buttons=[dict(label="▶ play", method="animate", args=[None, play]),
                                   dict(label="❚❚ pause", method="animate",
                                        args=[[None], {**still, "frame": dict(duration=0, redraw=False)}])])],
        sliders=[dict(active=len(steps) - 1, x=0.16, xanchor="left", len=0.84, y=1.06, yanchor="bottom",
                      pad=dict(t=0, b=0), currentvalue=dict(prefix="step ", font=dict(size=13)),
                      ticklen=3, font=dict(size=9),
                      steps=[dict(label=str(int(s)), method="animate", args=[[str(int(s))], still])
                             for s in steps])])
    fig.update_layout(margin=dict(t=150))


def _loss_traces(fig, rs, row, col, showlegend, metric="loss", animated=None):
    go = _go()
    values = []
    for r in rs:
        y = r.loss if metric == "loss" else r.grad_norm
        if y is None:
            continue
        for j in range(r.n):
            x = r.axis(j)
            yj = np.asarray(y[: len(x), j], float)
            idx = _idx(len(yj))
            values.append(yj)
            fig.add_trace(go.Scatter(x=x[idx].tolist(), y=_clean(_list(yj[idx])), mode="lines",
                                     line=dict(color=r.color, width=2 if r.n == 1 else 1),
                                     opacity=1.0 if r.n == 1 else 0.6, name=r.label, legendgroup=r.label,
                                     showlegend=showlegend and j == 0,
                                     hovertemplate=f"<b>{r.label}</b><br>step %{{x}}<br>{metric} %{{y:.6g}}"
                                                   "<extra></extra>"),
                          row=row, col=col)
            if animated is not None and r.n == 1:
                animated.append((len(fig.data), r, j, "loss"))
                fig.add_trace(go.Scatter(x=[int(x[-1])], y=[float(yj[-1]) if np.isfinite(yj[-1]) else None],
                                         mode="markers", legendgroup=r.label, showlegend=False,
                                         hoverinfo="skip",
                                         marker=dict(size=10, color=r.color, line=dict(color="white", width=2))),
                              row=row, col=col)
    v = np.concatenate([a[np.isfinite(a)] for a in values]) if values else np.zeros(0)
    if v.size and np.all(v > 0) and v.max() / v.min() > 50:
        # one label per decade where there are several (no 2 and 5 between them)
        fig.update_yaxes(type="log", dtick=1 if v.max() / v.min() > 1e3 else None, row=row, col=col)
    fig.update_xaxes(title_text="step", row=row, col=col)
    fig.update_yaxes(title_text="loss" if metric == "loss" else "‖gradient‖", row=row, col=col, **SCIENTIFIC)


def interactive_loss(runs, *, metrics=("loss", "grad_norm"), title=None, plotlyjs="inline", path=None):
    """Loss and gradient-norm curves of one or many runs, hoverable. Returns the plotly Figure."""
    from plotly.subplots import make_subplots
    from ._curves import _curve_runs
    rs = _curve_runs(runs)
    if not rs:
        raise ValueError("interactive_loss needs at least one run")
    colors = S.assign_colors(rs)
    rs = [Run(**{**r.__dict__, "color": c}) for r, c in zip(rs, colors)]
    metrics = [m for m in ((metrics,) if isinstance(metrics, str) else metrics)
               if m == "loss" or any(r.grad_norm is not None for r in rs)]
    fig = make_subplots(rows=1, cols=len(metrics), subplot_titles=[{"loss": "loss", "grad_norm": "gradient norm"}
                                                                   .get(m, m) for m in metrics])
    for k, m in enumerate(metrics):
        _loss_traces(fig, rs, row=1, col=k + 1, showlegend=k == 0, metric=m)
    fig.update_layout(template="plotly_white", height=460, title=dict(text=title or "loss", x=0.5),
                      legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="center", x=0.5))
    fn = next((r.function for r in rs if r.function is not None), None)
    _set_header(fig, title or "loss", [("function", _function_row(fn))]
                + [_run_row(r) for r in rs if r.optimizer or r.hyperparameters])
    return _finish(fig, path, plotlyjs)


def interactive_training(history, model=None, x=None, y=None, *, resolution=100, title=None, details=None,
                         plotlyjs="inline", path=None):
    """A training report: loss and metric curves by epoch (training and validation; a positive loss
    on a log axis) and, given the model and its data, the decision regions
    (2 input features) or the fitted curve (1). The page's header describes the model, its loss,
    optimizer and training (read from ``history.model`` and ``history.params`` where the History
    has them) and ``details`` (a mapping, or (label, text) pairs, shown first). Returns the plotly
    Figure; ``path=`` writes the HTML."""
    from plotly.subplots import make_subplots

    from ._models import class_scores, predict_with, training_grid
    go = _go()
    hist = dict(history.history) if hasattr(history, "history") else dict(history)
    bases = []
    for k in hist:
        base = k[4:] if k.startswith("val_") else k
        if base not in bases and base not in ("lr",):
            bases.append(base)
    bases.sort(key=lambda k: k != "loss")
    has_model = model is not None and x is not None
    ncols = len(bases) + (1 if has_model else 0)
    if ncols == 0:
        raise ValueError("interactive_training needs a history with values, or a model with data")
    xarr = None if x is None else np.asarray(x, float)
    two_d = xarr is not None and xarr.ndim == 2 and xarr.shape[1] == 2
    titles = bases + (["decision regions" if two_d else "fit"] if has_model else [])
    fig = make_subplots(rows=1, cols=ncols, subplot_titles=titles, horizontal_spacing=0.08)
    for c, base in enumerate(bases, start=1):
        values = [v for k in (base, "val_" + base) for v in (hist.get(k) or [])]
        v = np.asarray(values, float)
        v = v[np.isfinite(v)]
        if base.endswith("loss") and v.size and np.all(v > 0):      # late progress shows on a log axis
            fig.update_yaxes(type="log", dtick=1 if v.max() / v.min() > 1e3 else None, row=1, col=c)
        fig.update_yaxes(row=1, col=c, **SCIENTIFIC)
        for split, dash, color in (("", "solid", S.CYCLE[0]), ("val_", "dash", S.CYCLE[1])):
            vals = hist.get(split + base)
            if not vals:
                continue
            ep = list(range(1, len(vals) + 1))
            name = "validation" if split else "training"
            fig.add_trace(go.Scatter(x=ep, y=_clean(_list(vals)), mode="lines", name=name, legendgroup=name,
                                     showlegend=c == 1, line=dict(color=color, dash=dash, width=2),
                                     hovertemplate=f"{name} {base}<br>epoch %{{x}}: %{{y:.6g}}<extra></extra>"),
                          row=1, col=c)
        fig.update_xaxes(title_text="epoch", row=1, col=c)
    if has_model:
        c = ncols
        if two_d:
            g = training_grid(xarr, resolution)
            cls, conf = class_scores(predict_with(model, g))
            res = int(resolution)
            xs, ys = g[:res, 0], g[::res, 1]
            k = int(max(cls.max(), 0)) + 1
            palette = S.CLASS_COLORS
            scale = []
            for i in range(k):
                lo_, hi_ = i / k, (i + 1) / k
                scale += [[lo_, palette[i % len(palette)]], [hi_, palette[i % len(palette)]]]
            fig.add_trace(go.Heatmap(x=_list(xs), y=_list(ys), z=cls.reshape(res, res).tolist(), zmin=-0.5,
                                     zmax=k - 0.5, colorscale=scale, opacity=0.35, showscale=False,
                                     customdata=_list(conf.reshape(res, res)), name="regions",
                                     hovertemplate="x₁=%{x:.3g}, x₂=%{y:.3g}<br>class %{z}"
                                                   "<br>confidence %{customdata:.2f}<extra></extra>"),
                          row=1, col=c)
            if y is not None:
                yy = np.asarray(y).reshape(-1).astype(int)
                pc, _ = class_scores(predict_with(model, xarr))
                for cl in np.unique(yy):
                    sel = yy == cl
                    fig.add_trace(go.Scatter(x=_list(xarr[sel, 0]), y=_list(xarr[sel, 1]), mode="markers",
                                             name=f"class {cl}",
                                             marker=dict(color=palette[cl % len(palette)], size=7,
                                                         line=dict(color=["#111111" if w else "white"
                                                                          for w in (pc[sel] != cl)],
                                                                   width=[2 if w else 0.8 for w in (pc[sel] != cl)])),
                                             customdata=pc[sel].tolist(),
                                             hovertemplate=f"class {cl}<br>predicted %{{customdata}}"
                                                           "<extra></extra>"),
                                  row=1, col=c)
            fig.update_xaxes(title_text="x₁", row=1, col=c)
            fig.update_yaxes(title_text="x₂", row=1, col=c)
        else:
            xs = xarr.reshape(-1)
            if y is not None:
                fig.add_trace(go.Scatter(x=_list(xs), y=_list(np.asarray(y, float).reshape(-1)), mode="markers",
                                         name="data", marker=dict(color="#5b6b80", size=6)), row=1, col=c)
            g = training_grid(xs, 300)
            pred = np.asarray(predict_with(model, g), float).reshape(len(g), -1)[:, 0]
            fig.add_trace(go.Scatter(x=_list(g[:, 0]), y=_list(pred), mode="lines", name="model",
                                     line=dict(color=S.CYCLE[1], width=3)), row=1, col=c)
            fig.update_xaxes(title_text="x", row=1, col=c)
    fig.update_layout(template="plotly_white", height=480, width=None,
                      title=dict(text=title or "training report", x=0.5),
                      legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="center", x=0.5))
    given = list(details.items()) if hasattr(details, "items") else list(details or [])
    _set_header(fig, title or "training report", given + _model_rows(history, model))
    return _finish(fig, path, plotlyjs)
