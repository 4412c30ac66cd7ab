"""Curves against step or epoch: loss, gradient norm, learning rate, training histories, lr sweeps,
optimizer internals."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import _style as S
from ._data import (Run, as_run, as_runs, function_dim, function_name, is_run_like, minima_of, objective,
                    split_function_and_runs, variable_names)
from ._landscape import _fmt

METRICS = {
    "loss": "loss",
    "gap": "loss − f*",
    "grad_norm": "‖∇f‖",
    "lr": "learning rate",
    "step_size": "step length ‖xₜ₊₁ − xₜ‖",
}


# ---------------------------------------------------------------------------------------------
# inputs


def _is_history(obj):
    return hasattr(obj, "history") and isinstance(getattr(obj, "history"), Mapping)


def _curve_runs(obj):
    """Runs for loss curves: Trajectories keep all their arrays; a raw array or list of numbers is
    taken as the loss per step; a History as its per-epoch loss."""
    def one(value, label):
        if is_run_like(value) or isinstance(value, Run):
            return as_run(value, label=label)
        if _is_history(value):
            loss = np.asarray(value.history.get("loss", []), float)
            return _loss_only(loss, label or "train")
        return _loss_only(np.asarray(value, float), label or "run")

    if obj is None:
        return []
    if isinstance(obj, Run) or is_run_like(obj) or _is_history(obj):
        return [one(obj, None)]
    if isinstance(obj, Mapping):
        return [one(v, str(k)) for k, v in obj.items()]
    if isinstance(obj, (list, tuple)) and obj and np.ndim(obj[0]) == 0:
        return [_loss_only(np.asarray(obj, float), "run")]
    if isinstance(obj, (list, tuple)):
        return [one(v, None if (is_run_like(v) or _is_history(v)) else f"run {i + 1}") for i, v in enumerate(obj)]
    return [one(obj, None)]


def _loss_only(loss, label):
    loss = np.asarray(loss, float)
    if loss.ndim == 1:
        loss = loss[:, None]
    T, n = loss.shape
    return Run(label=label, params=np.zeros((T, n, 1)), loss=loss, stopped_at=np.full(n, T - 1),
               status=np.full(n, "max_steps", dtype=object), single=n == 1)


def _metric(run, name):
    """(T', n) values of a metric and their steps (T',), or (None, None).

    Per-point metrics have one row per recorded point (at ``run.steps``); the learning rate one
    per update (made at ``run.steps[:-1]``); the step length one per pair of recorded points
    (at the later one's step: over ``record_every`` steps when the record was thinned)."""
    if name == "loss":
        return run.loss, run.steps
    if name == "gap":
        if run.loss is None:
            return None, None
        fstar = None
        if run.function is not None:
            mins = minima_of(run.function, run.dim)
            if len(mins) and mins.shape[-1] == run.dim:
                fstar = float(np.min(objective(run.function, run.dim)(mins)))
        if fstar is None:
            fstar = float(np.nanmin(run.loss))
        return run.loss - fstar, run.steps
    if name == "grad_norm":
        return run.grad_norm, run.steps
    if name == "lr":
        return (None, None) if run.lr is None else (np.repeat(run.lr[:, None], run.n, axis=1), run.steps[:-1])
    if name == "step_size":
        if run.T < 2:
            return None, None
        return np.linalg.norm(np.diff(run.params, axis=0), axis=-1), run.steps[1:]
    raise ValueError(f"unknown metric {name!r}; choose from {', '.join(METRICS)}")


def _use_log(values, logy):
    if logy != "auto":
        return bool(logy)
    v = np.concatenate([np.asarray(a, float).ravel() for a in values]) if values else np.zeros(0)
    v = v[np.isfinite(v)]
    if v.size == 0 or np.any(v <= 0):
        return False
    return bool(v.max() / v.min() > 50)


# ---------------------------------------------------------------------------------------------
# loss curves


def _draw_metric(ax, runs, colors, name, logy, xlabel, band_above=20):
    series = []
    for run, color in zip(runs, colors):
        y, x = _metric(run, name)
        if y is None:
            continue
        series.append((run, color, y, x))
    if not series:
        ax.text(0.5, 0.5, f"no {name} recorded", transform=ax.transAxes, ha="center", va="center",
                color=S.MUTED)
        return False
    log = _use_log([_cut(y, x, r, j)[1] for r, _, y, x in series for j in range(y.shape[1])], logy)
    if log:
        ax.set_yscale("log")
    for run, color, y, x in series:
        label = run.label + (" (diverged)" if run.n == 1 and run.diverged(0) else "")
        if run.n > band_above:
            # many starts: the median and the 10-90 % band
            with np.errstate(all="ignore"):
                yy = np.where(np.isfinite(y), y, np.nan)
                if log:
                    yy = np.where(yy > 0, yy, np.nan)
                lo, med, hi = np.nanpercentile(yy, [10, 50, 90], axis=1)
            ax.fill_between(x, lo, hi, color=color, alpha=0.18, lw=0)
            ax.plot(x, med, color=color, lw=2.0, label=f"{run.label} (median of {run.n}, 10–90 %)")
            continue
        for j in range(y.shape[1]):
            xj, yj = _cut(y, x, run, j)
            if log:
                yj = np.where(yj > 0, yj, np.nan)
            ax.plot(xj, yj, color=color, lw=2.0 if run.n == 1 else 1.0, alpha=1.0 if run.n == 1 else 0.6,
                    label=label if j == 0 else "_nolegend_")
            fin = np.nonzero(np.isfinite(yj))[0]
            if run.diverged(j) and fin.size:
                ax.plot(xj[fin[-1]], yj[fin[-1]], color=color, mfc=color, **{**S.DIVERGED, "ms": 8})
    ax.set_xlabel(xlabel)
    ax.set_ylabel(METRICS.get(name, name))
    ax.grid(True, which="major")
    ax.margins(x=0.01)
    return True


def _cut(y, x, run, j):
    """(steps, values) of start j up to where it stopped (later steps only repeat the last point).

    ``x``: the steps of y's rows (``run.steps`` for per-point values); the row of the stop is
    drawn at the step the run stopped at."""
    if x is run.steps:
        xj = run.axis(j)
        return xj, np.asarray(y[: len(xj), j], float)
    x = np.asarray(x)
    stop = int(run.stopped_at[j]) if run.stopped_at is not None else run.T - 1
    keep = x <= run.steps[stop]
    return np.minimum(x[keep], run.axis(j)[-1]), np.asarray(y[: len(x), j], float)[keep]


@S.styled
def loss_curves(runs, *, metrics=("loss",), logy="auto", xlabel="step", ylabel=None, ax=None, title=None,
                legend=True, figsize=None, dpi=None, path=None):
    """Loss (and gradient norm, learning rate, ...) against step for one or many runs.

    ``runs``: a Trajectory, a race dict, a list; raw arrays or lists are taken as loss values
    per step (seed 002's cost per epoch), a History as its per-epoch loss. ``metrics``: any of
    "loss", "gap" (loss − f*, where the minima are known), "grad_norm", "lr", "step_size";
    one panel each. ``logy``: "auto" (log where the values are positive and span > 50x),
    True or False. Curves stop where a run stopped; a cross marks divergence; many starts
    are drawn as a median with a 10–90 % band. ``ylabel``: the first panel's y-axis label
    (default the metric's name; say what the values are when they are not a loss, e.g. "|y|").
    Returns the Figure.
    """
    if isinstance(metrics, str):
        metrics = (metrics,)
    rs = _curve_runs(runs)
    if not rs:
        raise ValueError("loss_curves needs at least one run or series")
    colors = S.assign_colors(rs)
    if ax is not None and len(metrics) == 1:
        fig, axes, own = ax.figure, [ax], False
    else:
        k = len(metrics)
        fig, axs = S.new_figure(1, k, figsize=figsize or (5.6 if k == 1 else 4.6 * k, 4.0), dpi=dpi,
                                squeeze=False)
        axes, own = list(axs.flat), True
    for a, name in zip(axes, metrics):
        _draw_metric(a, rs, colors, name, logy, xlabel)
    if ylabel is not None:
        axes[0].set_ylabel(ylabel)
    if title is None:
        title = "loss" if tuple(metrics) == ("loss",) else ""
        fname = function_name(next((r.function for r in rs if r.function is not None), None))
        if fname:
            title = f"{fname}: {title}" if title else fname
    if len(axes) == 1:
        if title:
            axes[0].set_title(title)
    elif title:
        fig.suptitle(title, fontsize=13, fontweight="bold")
    if legend:
        handles = [h for h in axes[0].get_legend_handles_labels()[0] if not h.get_label().startswith("_")]
        if len(handles) > 1 or any(r.label not in ("run", "train") for r in rs):
            S.legend_below(fig, axes[0], handles, own=own)
    return S.finish(fig, path, dpi)


# ---------------------------------------------------------------------------------------------
# training histories


def _histories(obj):
    if _is_history(obj):
        return {"": dict(obj.history)}
    if isinstance(obj, Mapping):
        vals = list(obj.values())
        if vals and all(_is_history(v) or isinstance(v, Mapping) for v in vals):
            return {str(k): dict(v.history if _is_history(v) else v) for k, v in obj.items()}
        return {"": dict(obj)}
    if isinstance(obj, (list, tuple)):
        return {f"run {i + 1}": dict(h.history if _is_history(h) else h) for i, h in enumerate(obj)}
    raise TypeError("history_curves takes a History (with a .history dict), a dict of lists, or a dict of "
                    f"those by label; got {type(obj).__name__}")


@S.styled
def history_curves(history, *, metrics=None, logy="auto", title=None, ylabel=None, figsize=None, dpi=None,
                   path=None):
    """Training and validation curves by epoch from a History (``.history`` dict of lists).

    One panel per quantity ("loss", then each metric), training solid, validation dashed
    (the ``val_`` keys), the best validation epoch marked. ``history`` may also be a plain dict
    of lists, or a dict ``label -> History`` to compare trainings. With one panel, ``title`` is
    its title and the quantity its y-axis label (``ylabel`` to say more, e.g. the loss's units);
    with several, ``title`` is the figure's and each panel is titled by its quantity. Returns the
    Figure.
    """
    hs = _histories(history)
    keys = []
    for h in hs.values():
        for k in h:
            base = k[4:] if k.startswith("val_") else k
            if base not in keys:
                keys.append(base)
    if metrics is not None:
        keys = [k for k in ([metrics] if isinstance(metrics, str) else metrics)]
    keys = [k for k in keys if any(k in h or f"val_{k}" in h for h in hs.values())]
    if not keys:
        raise ValueError("the history holds no per-epoch values to draw")
    keys.sort(key=lambda k: (k != "loss", 0))
    k = len(keys)
    fig, axs = S.new_figure(1, k, figsize=figsize or (5.4 if k == 1 else 4.5 * k, 3.9), dpi=dpi, squeeze=False)
    labels = list(hs)
    fake_runs = [Run(label=lab or "run", params=np.zeros((1, 1, 1))) for lab in labels]
    colors = S.assign_colors(fake_runs) if len(hs) > 1 else [S.CYCLE[0]]
    val_color = S.CYCLE[1]
    for ax, key in zip(axs.flat, keys):
        values = []
        for (lab, h), color in zip(hs.items(), colors):
            for split, ls in (("", "-"), ("val_", "--")):
                y = h.get(split + key)
                if y is None or len(y) == 0:
                    continue
                y = np.asarray(y, float)
                epochs = np.arange(1, len(y) + 1)
                c = color if (len(hs) > 1 or not split) else val_color
                name = ("validation" if split else "training") if not lab else f"{lab} ({'val' if split else 'train'})"
                ax.plot(epochs, y, ls=ls, color=c, lw=2.0, label=name, marker="o" if len(y) <= 25 else None, ms=3.5)
                values.append(y)
                if split and key == "loss" or (split and "acc" not in key and key.endswith("loss")):
                    best = int(np.nanargmin(y))
                    ax.plot(epochs[best], y[best], "o", ms=8, mfc="none", mec=c, mew=1.6, zorder=6)
                    ax.annotate(f"best epoch {epochs[best]}", (epochs[best], y[best]), xytext=(0, 10),
                                textcoords="offset points", ha="center", fontsize=8, color=c,
                                path_effects=S.halo(2.5))
                elif split and ("acc" in key):
                    best = int(np.nanargmax(y))
                    ax.plot(epochs[best], y[best], "o", ms=8, mfc="none", mec=c, mew=1.6, zorder=6)
        if key.endswith("loss") and _use_log(values, logy):
            ax.set_yscale("log")
        if k == 1 and title:
            ax.set_title(title)
            ax.set_ylabel(ylabel or key)
        else:
            ax.set_title(key)
            if ylabel and key == "loss":
                ax.set_ylabel(ylabel)
        ax.set_xlabel("epoch")
        ax.grid(True)
        ax.margins(x=0.02)
    handles = [h for h in axs.flat[0].get_legend_handles_labels()[0]]
    if handles:
        S.legend_below(fig, axs.flat[0], handles, own=True)
    if title and k > 1:
        fig.suptitle(title, fontsize=13, fontweight="bold")
    return S.finish(fig, path, dpi)


# ---------------------------------------------------------------------------------------------
# learning-rate sweeps


def _sweeps(obj):
    if isinstance(obj, Mapping) and not hasattr(obj, "lrs"):
        return [(str(k), v) for k, v in obj.items()]
    if isinstance(obj, (list, tuple)):
        return [(str(getattr(s, "label", None) or getattr(s, "optimizer", None) or f"sweep {i + 1}"), s)
                for i, s in enumerate(obj)]
    return [(str(getattr(obj, "label", None) or getattr(obj, "optimizer", None) or "sweep"), obj)]


@S.styled
def lr_sweep(results, *, logy="auto", ax=None, title=None, legend=True, figsize=None, dpi=None, path=None):
    """Final loss against learning rate, one line per optimizer, divergence marked.

    ``results``: a sweep result (anything with ``.lrs``, ``.final_loss`` and ``.status``; a
    mapping with those keys works too), a dict ``label -> result`` or a list. Diverged
    learning rates get a cross at the top edge; the best lr of each optimizer a ring (its value
    in the legend). The default title names the function and the step budget where the results
    carry them (``.function``, ``.steps``). With several starts per lr, the median final loss is
    drawn. Returns the Figure.
    """
    from types import SimpleNamespace
    items = []
    for label, s in _sweeps(results):
        if isinstance(s, Mapping):
            s = SimpleNamespace(**s)
        lrs = np.asarray(s.lrs, float).reshape(-1)
        fl = np.asarray(s.final_loss, float)
        if fl.ndim > 1:
            fl = np.nanmedian(np.where(np.isfinite(fl), fl, np.nan), axis=tuple(range(1, fl.ndim)))
        status = getattr(s, "status", None)
        status = np.full(lrs.shape, "", dtype=object) if status is None else np.asarray(status, dtype=object)
        if status.ndim > 1:
            status = np.array([("diverged" if np.any(row == "diverged") else row.flat[0]) for row in status],
                              dtype=object)
        div = (status == "diverged") | ~np.isfinite(fl)
        optimizer = getattr(s, "optimizer", None)
        items.append(SimpleNamespace(label=label, lrs=lrs, fl=fl, div=div, optimizer=optimizer,
                                     function=getattr(s, "function", None), steps=getattr(s, "steps", None)))
    if not items:
        raise ValueError("lr_sweep needs at least one sweep result")
    fig, ax, own = S.own_or_new(ax, figsize=figsize or (6.4, 4.4), dpi=dpi)
    runs = [Run(label=i.label, params=np.zeros((1, 1, 1)), optimizer=i.optimizer) for i in items]
    colors = S.assign_colors(runs)
    ok_vals = np.concatenate([i.fl[~i.div] for i in items]) if items else np.zeros(0)
    log = _use_log([ok_vals], logy) if ok_vals.size else False
    ax.set_xscale("log")
    if log:
        ax.set_yscale("log")
    any_div = False
    div_rows = []
    for it, color in zip(items, colors):
        good = ~it.div
        y = np.where(good, it.fl, np.nan)
        label = it.label
        if good.any():   # the best lr: a ring on the line, its value in the legend (not on the lines)
            b = int(np.nanargmin(y))
            ax.plot(it.lrs[b], y[b], "o", ms=12, mfc="none", mec=color, mew=2.0, zorder=4)
            label = f"{it.label} (best lr {it.lrs[b]:.3g})"
        ax.plot(it.lrs, y, color=color, lw=2.0, marker="o", ms=5, mec="white", mew=0.8, label=label, zorder=3)
        if it.div.any():
            any_div = True
            div_rows.append((it, color))
    if any_div:
        # a strip at the top of the plot, one row of crosses per optimizer
        lo, hi = ax.get_ylim()
        frac = 0.06 + 0.05 * len(div_rows)
        if ax.get_yscale() == "log":
            llo, lhi = np.log10(lo), np.log10(hi)
            ax.set_ylim(lo, 10 ** (lhi + frac / (1 - frac) * (lhi - llo)))
        else:
            ax.set_ylim(lo, hi + frac / (1 - frac) * (hi - lo))
        for k, (it, color) in enumerate(div_rows):
            ax.plot(it.lrs[it.div], np.full(int(it.div.sum()), 0.97 - 0.05 * k - 0.02),
                    transform=ax.get_xaxis_transform(), color=color, mfc=color, **{**S.DIVERGED, "ms": 8.5})
    ax.set_xlabel("learning rate")
    ax.set_ylabel("final loss")
    ax.grid(True, which="major")
    if title is None:
        title = _sweep_title(items)
    if title:
        ax.set_title(title)
    if legend and (len(items) > 1 or items[0].label != "sweep" or any_div):
        handles = [h for h in ax.get_legend_handles_labels()[0] if not h.get_label().startswith("_")]
        if any_div:
            from matplotlib.lines import Line2D
            handles.append(Line2D([], [], color="#555555", mfc="#555555", **{**S.DIVERGED, "ms": 8.5,
                                                                            "label": "diverged"}))
        S.legend_below(fig, ax, handles, own=own)
    return S.finish(fig, path, dpi)


def _sweep_title(items):
    """"f: final loss after N steps" when the sweeps share their function and budget."""
    names = {function_name(i.function) for i in items}
    steps = {i.steps for i in items}
    name = names.pop() if len(names) == 1 else None
    n = steps.pop() if len(steps) == 1 else None
    if name is None and n is None:
        return "learning-rate sweep"
    what = f"final loss after {n} steps" if n is not None else "final loss"
    return f"{name}: {what}" if name else f"learning-rate sweep: {what}"


# ---------------------------------------------------------------------------------------------
# optimizer internals


def _effective_lr(run, j):
    """Per coordinate |Δx_i| / |g_i|: the step size the optimizer actually took, (T-1, d)."""
    dx = np.abs(np.diff(run.params[:, j], axis=0))
    if run.grad is None:
        return None
    g = np.abs(run.grad[:-1, j])
    with np.errstate(all="ignore"):
        out = np.where(g > 1e-300, dx / g, np.nan)
    return out


@S.styled
def optimizer_state(runs, *, start=0, coords=None, title=None, figsize=None, dpi=None, path=None):
    """Optimizer internals along a path: step length, effective step size, and each recorded state.

    Panels: the step length ‖xₜ₊₁ − xₜ‖; the effective step size |Δxᵢ| / |gᵢ| per coordinate
    (what the optimizer really multiplied the gradient by) against the nominal lr (dashed);
    then one panel per entry of ``Trajectory.state`` ("velocity", "m", "v", "accumulator", ...),
    per coordinate. ``start``: which start of a multi-start run; ``coords``: which coordinates
    (default the first 3). Solid, dashed, dotted lines are coordinates 1, 2, 3, named by the
    function's variables. Returns the Figure.
    """
    rs = as_runs(runs)
    if not rs:
        raise ValueError("optimizer_state needs a run")
    colors = S.assign_colors(rs)
    names = []
    for r in rs:
        for k in r.state:
            if k not in names:
                names.append(k)
    panels = ["step_size", "effective"] + names
    ncols = min(len(panels), 3)
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axs = S.new_figure(nrows, ncols, figsize=figsize or (4.4 * ncols, 3.4 * nrows + 0.5), dpi=dpi,
                            squeeze=False)
    styles = ["-", "--", ":", "-."]
    for ax, panel in zip(axs.flat, panels):
        values = []
        for run, color in zip(rs, colors):
            j = min(start, run.n - 1)
            stop = int(run.stopped_at[j])
            cs = list(coords) if coords is not None else list(range(min(run.dim, 3)))
            if panel == "step_size":
                y = np.linalg.norm(np.diff(run.params[: stop + 1, j], axis=0), axis=-1)
                ax.plot(run.axis(j)[1:], y, color=color, lw=1.8, label=run.label)
                values.append(y)
            elif panel == "effective":
                if run.thinned:  # |Δx| over k steps / one step's |g| is no step size
                    ax.text(0.5, 0.5, "needs every step recorded\n(this record is thinned)", transform=ax.transAxes,
                            ha="center", va="center", color=S.MUTED)
                    continue
                eff = _effective_lr(run, j)
                if eff is None:
                    continue
                eff = eff[:stop]
                x = run.steps[:stop]
                for ci, c in enumerate(cs):
                    ax.plot(x, eff[:, c], color=color, lw=1.6, ls=styles[ci % 4],
                            label=run.label if ci == 0 else "_nolegend_")
                values.append(eff[:, cs])
                if run.lr is not None:
                    ax.plot(x, run.lr[:stop], color=color, lw=1.0, alpha=0.6,
                            ls=(0, (6, 2, 1, 2)), label="_nolegend_")
            else:
                a = run.state.get(panel)
                if a is None:
                    continue
                a = a[: stop + 1, j]
                for ci, c in enumerate(cs):
                    if c < a.shape[1]:
                        ax.plot(run.axis(j), a[:, c], color=color, lw=1.6, ls=styles[ci % 4],
                                label=run.label if ci == 0 else "_nolegend_")
                values.append(a)
        pos = [np.abs(v[np.isfinite(v)]) for v in values]
        if panel in ("step_size", "effective") or panel in ("v", "accumulator", "square_avg", "sum", "exp_avg_sq"):
            flat = np.concatenate([p.ravel() for p in pos]) if pos else np.zeros(0)
            flat = flat[flat > 0]
            if flat.size and flat.max() / flat.min() > 50:
                ax.set_yscale("log")
        ax.set_title({"step_size": "step length ‖Δx‖", "effective": "effective step size |Δxᵢ| / |gᵢ|"}
                     .get(panel, panel))
        ax.set_xlabel("step")
        ax.grid(True)
        ax.margins(x=0.01)
    for ax in list(axs.flat)[len(panels):]:
        ax.set_visible(False)
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=c, lw=2, label=r.label) for r, c in zip(rs, colors)]
    dim = max(r.dim for r in rs)
    cs = list(coords) if coords is not None else list(range(min(dim, 3)))
    names = variable_names(next((r.function for r in rs if r.function is not None), None), dim)
    if dim > 1:
        handles += [Line2D([], [], color="#555555", lw=1.6, ls=styles[i % 4], label=names[c])
                    for i, c in enumerate(cs)]
    handles.append(Line2D([], [], color="#555555", lw=1.0, ls=(0, (6, 2, 1, 2)), label="nominal lr"))
    S.legend_below(fig, axs.flat[0], handles, own=True)
    fname = function_name(next((r.function for r in rs if r.function is not None), None))
    fig.suptitle(title if title is not None else "optimizer internals" + (f" on {fname}" if fname else ""),
                 fontsize=13, fontweight="bold")
    return S.finish(fig, path, dpi)


# ---------------------------------------------------------------------------------------------
# overview


@S.styled
def overview(f, runs=None, *, title=None, figsize=None, dpi=None, path=None):
    """The one figure for a run or race: the path on the function (1-D curve or 2-D contour map)
    beside the loss curves; for more than 2 dimensions, loss and gradient norm. Returns the Figure."""
    from ._landscape import _draw_contour_panel, _prepare_2d, path_1d
    f, rs = split_function_and_runs(f, runs)
    if not rs:
        raise ValueError("overview needs at least one run")
    dim = function_dim(f, rs) or rs[0].dim
    fig, (ax1, ax2) = S.new_figure(1, 2, figsize=figsize or (12.0, 5.0), dpi=dpi,
                                   width_ratios=[1.15, 1.0])
    colors = S.assign_colors(rs)
    rs = [Run(**{**r.__dict__, "color": c}) for r, c in zip(rs, colors)]
    if dim == 1 and f is not None:
        path_1d.__wrapped__(f, rs, ax=ax1, legend=False, title="path")
    elif dim == 2 and f is not None:
        f2, rs2, obj, b = _prepare_2d(f, rs, None, "overview")
        _draw_contour_panel(ax1, fig, f2, rs2, obj, b, levels=None, log="auto", colorbar=True, minima=True,
                            with_loss=False, labels=None, resolution=140, own_colors=colors)
        ax1.set_title("path")
    else:
        _draw_metric(ax1, rs, colors, "grad_norm", "auto", "step")
        ax1.set_title("gradient norm")
    _draw_metric(ax2, rs, colors, "loss", "auto", "step")
    ax2.set_title("loss")
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=c, lw=2.2, label=_summary(r)) for r, c in zip(rs, colors)]
    S.legend_below(fig, ax1, handles, own=True, ncols=min(len(handles), 3))
    default = function_name(f) or ""
    if len(rs) == 1 and rs[0].n == 1:
        default = f"{default}: {rs[0].label}" if default else rs[0].label
    fig.suptitle(default if title is None else title, fontsize=13, fontweight="bold")
    return S.finish(fig, path, dpi)


def _summary(run):
    if run.n != 1:
        return f"{run.label} ({run.n} starts)"
    t, step = int(run.stopped_at[0]), run.axis(0)[-1]
    status = str(run.status[0]) if run.status is not None else ""
    bits = [run.label]
    if run.loss is not None:
        bits.append(f"f = {_fmt(float(run.loss[t, 0]))}")
    if status in ("converged", "diverged"):
        bits.append(f"{status} at step {step}")
    else:
        bits.append(f"{step} steps")
    return ", ".join(bits)
