"""Interactive HTML reports (plotly): rotate the surface, hover every step, zoom, toggle runs.

Every function returns a ``plotly.graph_objects.Figure``; given ``path=`` it also writes one
self-contained HTML file with plotly.js embedded (about 5 MB): it opens offline, with no CDN
and no external script. Data go in as plain JSON numbers (not plotly's base64 arrays), so
the numbers can be read in the file itself.
"""

from __future__ import annotations

import os

import numpy as np

from .._atomic import atomic_path
from . import _style as S
from ._data import Run, function_dim, function_name, grid, minima_of, objective, plot_bounds, \
    split_function_and_runs

MAX_POINTS = 1500   # per path, for hover; longer paths are subsampled (first and last kept)


def _go():
    import plotly.graph_objects as go
    return go


def _list(a):
    a = np.asarray(a, float)
    return np.where(np.isfinite(a), a, np.nan).tolist()


def _clean(values):
    """Nested lists with NaN -> None (valid JSON)."""
    if isinstance(values, list):
        return [_clean(v) for v in values]
    return None if (isinstance(values, float) and not np.isfinite(values)) else values


def write_html(fig, path, *, title=None):
    """Write a plotly figure as one self-contained HTML file (plotly.js embedded, works offline).
    Returns the path."""
    path = os.fspath(path)
    if not path.lower().endswith((".html", ".htm")):
        raise ValueError(f"an interactive report is written as .html, got {path!r}")
    if title:
        fig.update_layout(title=title)
    with atomic_path(path) as tmp:  # all or nothing: no partial file on a failure
        fig.write_html(tmp, include_plotlyjs=True, full_html=True, include_mathjax=False,
                       config={"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png"}})
    return path


def _finish(fig, path):
    if path is not None:
        write_html(fig, path)
    return fig


def _idx(n_points):
    if n_points <= MAX_POINTS:
        return np.arange(n_points)
    return np.unique(np.round(np.linspace(0, n_points - 1, MAX_POINTS)).astype(int))


def _hover_data(run, j, obj):
    """(steps, points, customdata rows [step, loss, g1, g2, |g|]) of start j up to where it stopped."""
    stop = int(run.stopped_at[j])
    P = run.params[: stop + 1, j]
    ok = np.all(np.isfinite(P), axis=1)
    if not ok.all():
        P = P[: int(np.argmin(ok))] if not ok[0] else P[:0]
    idx = _idx(len(P))
    steps = idx
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
    custom = np.column_stack([steps, loss, g2, gn])
    return steps, pts, custom


def _hover(label, dim):
    where = "x=%{x:.4g}" + (", y=%{y:.4g}" if dim == 2 else "")
    grad = "(%{customdata[2]:.4g}, %{customdata[3]:.4g})" if dim == 2 else "%{customdata[2]:.4g}"
    return (f"<b>{label}</b><br>step %{{customdata[0]}}<br>{where}<br>loss %{{customdata[1]:.6g}}"
            f"<br>gradient {grad}<br>‖gradient‖ %{{customdata[4]:.4g}}<extra></extra>")


def _transform(Z):
    """log10(z - min + eps) where the range is wide, else z; returns (values, label suffix, flag)."""
    fin = Z[np.isfinite(Z)]
    if fin.size and S.wide_range(fin):
        lo = float(fin.min())
        pos = fin - lo
        pos = pos[pos > 0]
        eps = float(np.percentile(pos, 2.0)) if pos.size else 1e-12
        return np.log10(np.maximum(Z - lo, 0) + eps), True, (lo, eps)
    return Z, False, None


def interactive(f, runs=None, *, bounds=None, resolution=90, loss=True, title=None, height=None, path=None):
    """An interactive report of a run or race: contour map and rotatable 3-D surface with every
    step hoverable (step, point, loss, gradient), and the loss curves (toggle a run in the legend
    to hide it everywhere). 1-D functions get their curve instead, higher dimensions the loss
    and gradient-norm curves only. Returns the plotly Figure; ``path=`` writes the HTML."""
    from plotly.subplots import make_subplots
    go = _go()
    f, rs = split_function_and_runs(f, runs)
    if f is None and not rs:
        raise ValueError("interactive needs a function or runs")
    dim = function_dim(f, rs) or (rs[0].dim if rs else 2)
    colors = S.assign_colors(rs)
    rs = [Run(**{**r.__dict__, "color": c}) for r, c in zip(rs, colors)]
    obj = objective(f, dim) if f is not None else None
    name = function_name(f) or "f"
    if dim == 2 and f is not None:
        rows = 2 if (loss and rs) else 1
        fig = make_subplots(rows=rows, cols=2, specs=[[{"type": "xy"}, {"type": "scene"}]] +
                            ([[{"type": "xy", "colspan": 2}, None]] if rows == 2 else []),
                            row_heights=[0.64, 0.36] if rows == 2 else None, horizontal_spacing=0.06,
                            vertical_spacing=0.1,
                            subplot_titles=["contour map", "surface (drag to rotate)"] +
                            (["loss"] if rows == 2 else []))
        _contour_and_surface(fig, f, rs, obj, bounds, resolution)
        if rows == 2:
            _loss_traces(fig, rs, row=2, col=1, showlegend=False)
        fig.update_layout(height=height or (980 if rows == 2 else 620))
    elif dim == 1 and f is not None:
        rows = 2 if (loss and rs) else 1
        fig = make_subplots(rows=rows, cols=1, subplot_titles=["path"] + (["loss"] if rows == 2 else []),
                            vertical_spacing=0.12)
        b = plot_bounds(f, rs, 1, None if bounds is None else np.asarray(bounds).reshape(1, 2))
        xs = np.linspace(b[0, 0], b[0, 1], 500)
        fig.add_trace(go.Scatter(x=_list(xs), y=_clean(_list(obj(xs[:, None]))), mode="lines", name=name,
                                 line=dict(color="#3a3a3a", width=2), hoverinfo="skip", showlegend=False),
                      row=1, col=1)
        for r in rs:
            for j in range(r.n):
                steps, pts, custom = _hover_data(r, j, obj)
                fig.add_trace(go.Scatter(x=_list(pts[:, 0]), y=_clean(_list(obj(pts))), mode="lines+markers",
                                         name=r.label, legendgroup=r.label, showlegend=j == 0,
                                         line=dict(color=r.color, width=1.5, dash="dot"), marker=dict(size=6),
                                         customdata=_clean(custom.tolist()), hovertemplate=_hover(r.label, 1)),
                              row=1, col=1)
        _minima_2d = minima_of(f, 1)
        if len(_minima_2d) and _minima_2d.shape[-1] == 1:
            fig.add_trace(go.Scatter(x=_list(_minima_2d[:, 0]), y=_list(obj(_minima_2d)), mode="markers",
                                     name="minimum", marker=dict(symbol="star", size=16, color=S.MINIMUM_COLOR,
                                                                 line=dict(color="#222", width=1))), row=1, col=1)
        fig.update_xaxes(title_text="x", row=1, col=1)
        fig.update_yaxes(title_text="f(x)", row=1, col=1)
        if rows == 2:
            _loss_traces(fig, rs, row=2, col=1, showlegend=False)
        fig.update_layout(height=height or 820)
    else:
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
                      legend=dict(orientation="h", yanchor="top", y=-0.06, xanchor="center", x=0.5),
                      hoverlabel=dict(font_family="monospace"), margin=dict(l=60, r=30, t=80, b=60))
    return _finish(fig, path)


def _contour_and_surface(fig, f, rs, obj, bounds, resolution):
    go = _go()
    b = plot_bounds(f, rs, 2, bounds)
    X, Y, P = grid(b, resolution)
    with np.errstate(all="ignore"):
        Z = obj(P)
    Zt, logged, info = _transform(Z)
    xs, ys = X[0], Y[:, 0]
    ctitle = "log₁₀(f − min)" if logged else "f"
    fig.add_trace(go.Contour(x=_list(xs), y=_list(ys), z=_clean(_list(Zt)), colorscale="Greys", reversescale=False,
                             ncontours=24, contours=dict(coloring="fill", showlines=True),
                             line=dict(width=0.5, color="white"), opacity=0.85,
                             colorbar=dict(title=dict(text=ctitle), x=0.46, len=0.55, y=0.74, thickness=12),
                             customdata=_clean(_list(Z)), name=ctitle,
                             hovertemplate="x=%{x:.4g}, y=%{y:.4g}<br>f=%{customdata:.6g}<extra></extra>",
                             showlegend=False),
                  row=1, col=1)
    fig.add_trace(go.Surface(x=_list(xs), y=_list(ys), z=_clean(_list(Zt)), colorscale="Viridis", opacity=0.92,
                             showscale=False, customdata=_clean(_list(Z)), name="surface",
                             hovertemplate="x=%{x:.4g}, y=%{y:.4g}<br>f=%{customdata:.6g}<extra></extra>",
                             contours=dict(z=dict(show=True, usecolormap=True, project_z=True, width=1))),
                  row=1, col=2)

    def tz(v):
        v = np.asarray(v, float)
        if logged:
            lo, eps = info
            return np.log10(np.maximum(v - lo, 0) + eps)
        return v

    zfin = Zt[np.isfinite(Zt)]
    zlo, zhi = float(zfin.min()), float(zfin.max())
    for r in rs:
        for j in range(r.n):
            steps, pts, custom = _hover_data(r, j, obj)
            if len(pts) == 0:
                continue
            common = dict(name=r.label, legendgroup=r.label, customdata=_clean(custom.tolist()),
                          hovertemplate=_hover(r.label, 2))
            fig.add_trace(go.Scatter(x=_list(pts[:, 0]), y=_list(pts[:, 1]), mode="lines+markers",
                                     line=dict(color=r.color, width=2.5 if r.n == 1 else 1.2),
                                     marker=dict(size=5 if r.n == 1 else 3, color=r.color),
                                     showlegend=j == 0, **common), row=1, col=1)
            fig.add_trace(go.Scatter(x=[pts[0, 0]], y=[pts[0, 1]], mode="markers", showlegend=False,
                                     legendgroup=r.label, hoverinfo="skip",
                                     marker=dict(size=11, color="white", line=dict(color=r.color, width=2.5))),
                          row=1, col=1)
            inside = np.all((pts >= b[:, 0]) & (pts <= b[:, 1]), axis=1)
            keep = np.arange(len(pts)) if inside.all() else np.arange(max(int(np.argmin(inside)), 1))
            z = np.clip(tz(obj(pts[keep])), zlo, zhi) + 0.01 * (zhi - zlo)
            fig.add_trace(go.Scatter3d(x=_list(pts[keep, 0]), y=_list(pts[keep, 1]), z=_clean(_list(z)),
                                       mode="lines+markers", line=dict(color=r.color, width=6 if r.n == 1 else 3),
                                       marker=dict(size=2.5, color=r.color), showlegend=False,
                                       name=r.label, legendgroup=r.label,
                                       customdata=_clean(custom[keep].tolist()), hovertemplate=_hover(r.label, 2)),
                          row=1, col=2)
    mins = minima_of(f, 2)
    if len(mins) and mins.shape[-1] == 2:
        ok = np.all((mins >= b[:, 0]) & (mins <= b[:, 1]), axis=1)
        mins = mins[ok]
    if len(mins):
        fig.add_trace(go.Scatter(x=_list(mins[:, 0]), y=_list(mins[:, 1]), mode="markers", name="minimum",
                                 legendgroup="minimum",
                                 marker=dict(symbol="star", size=17, color=S.MINIMUM_COLOR,
                                             line=dict(color="#222222", width=1)),
                                 hovertemplate="minimum<br>x=%{x:.6g}, y=%{y:.6g}<extra></extra>"), row=1, col=1)
        fig.add_trace(go.Scatter3d(x=_list(mins[:, 0]), y=_list(mins[:, 1]),
                                   z=_list(np.clip(tz(obj(mins)), zlo, zhi)), mode="markers", name="minimum",
                                   legendgroup="minimum", showlegend=False,
                                   marker=dict(symbol="diamond", size=6, color=S.MINIMUM_COLOR,
                                               line=dict(color="#222222", width=1)),
                                   hovertemplate="minimum<br>x=%{x:.6g}, y=%{y:.6g}<extra></extra>"), row=1, col=2)
    fig.update_xaxes(title_text="x", range=[b[0, 0], b[0, 1]], row=1, col=1)
    fig.update_yaxes(title_text="y", range=[b[1, 0], b[1, 1]], row=1, col=1)
    fig.update_scenes(xaxis_title="x", yaxis_title="y", zaxis_title=ctitle,
                      camera=dict(eye=dict(x=-1.35, y=-1.55, z=1.05)), aspectmode="cube")


def _loss_traces(fig, rs, row, col, showlegend, metric="loss"):
    go = _go()
    values = []
    for r in rs:
        y = r.loss if metric == "loss" else r.grad_norm
        if y is None:
            continue
        for j in range(r.n):
            stop = int(r.stopped_at[j])
            yj = np.asarray(y[: stop + 1, j], float)
            idx = _idx(len(yj))
            values.append(yj)
            fig.add_trace(go.Scatter(x=idx.tolist(), y=_clean(_list(yj[idx])), mode="lines",
                                     line=dict(color=r.color, width=2 if r.n == 1 else 1),
                                     opacity=1.0 if r.n == 1 else 0.6, name=r.label, legendgroup=r.label,
                                     showlegend=showlegend and j == 0,
                                     hovertemplate=f"<b>{r.label}</b><br>step %{{x}}<br>{metric} %{{y:.6g}}<extra></extra>"),
                          row=row, col=col)
    v = np.concatenate([a[np.isfinite(a)] for a in values]) if values else np.zeros(0)
    if v.size and np.all(v > 0) and v.max() / v.min() > 50:
        fig.update_yaxes(type="log", row=row, col=col)
    fig.update_xaxes(title_text="step", row=row, col=col)
    fig.update_yaxes(title_text="loss" if metric == "loss" else "‖gradient‖", row=row, col=col)


def interactive_loss(runs, *, metrics=("loss", "grad_norm"), title=None, path=None):
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
    return _finish(fig, path)


def interactive_training(history, model=None, x=None, y=None, *, resolution=100, title=None, path=None):
    """A training report: loss and metric curves by epoch (training and validation) and, given the
    model and its data, the decision regions (2 input features) or the fitted curve (1).
    Returns the plotly Figure; ``path=`` writes the HTML."""
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
    return _finish(fig, path)
