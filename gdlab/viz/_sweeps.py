"""Figures of a grid sweep (``gdlab.sweep``): a heatmap of two axes, and score curves against one axis.

Both take what ``gdlab.sweep`` returns (a GridResult), its ``to_dict()``, or a list of row dicts
(each row: the task's settings, ``status``, ``final_loss``, ``score`` and any final metrics).
Rows that share a cell (other seeds, starts, ...) are drawn as their mean; a cell with a
diverged or failed task is marked, never averaged away.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from . import _style as S

__all__ = ["sweep_heatmap", "sweep_curves"]

_HIGHER_IS_BETTER = ("accuracy", "val_accuracy", "r2", "val_r2")
_LABELS = {"score": "score (final loss − f*)", "final_loss": "final loss", "lr": "learning rate",
           "val_loss": "validation loss", "val_accuracy": "validation accuracy"}


def _label(key, rows):
    if key == "score" and any("dataset" in r for r in rows):
        return "score (validation loss, else loss)"
    return _LABELS.get(key, key)


def _rows(result):
    rows = getattr(result, "rows", None)
    if rows is None and isinstance(result, Mapping):
        rows = result.get("rows")
    if rows is None:
        rows = result
    rows = [r for r in rows if isinstance(r, Mapping)]
    if not rows:
        raise ValueError("a sweep figure needs the rows of a sweep (gdlab.sweep's result, its to_dict() or a "
                         "list of row dicts)")
    return rows


def _value(row, key):
    v = row.get(key)
    if v is None:
        return math.inf if key in ("score", "final_loss") and row.get("status") in ("diverged", "failed") else np.nan
    return float(v)


def _bad(row, key):
    v = row.get(key)
    return row.get("status") in ("diverged", "failed") or (v is not None and not math.isfinite(float(v))) or (
        key == "score" and v is None)


def _panel_key(rows):
    for key in ("function", "dataset"):
        if any(key in r for r in rows):
            return key
    return None


def _sorted_values(values):
    unique = list(dict.fromkeys(_hashable(v) for v in values))
    try:
        return sorted(unique)
    except TypeError:
        return unique


def _hashable(v):
    return tuple(v) if isinstance(v, list) else v


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, tuple):
        return "-".join(map(str, v))
    return str(v)


def _cells(rows, x, y, value):
    """{(xv, yv): (mean value or nan, any bad, n)}."""
    groups = {}
    for r in rows:
        groups.setdefault((_hashable(r.get(x)), _hashable(r.get(y))), []).append(r)
    out = {}
    for key, members in groups.items():
        bad = any(_bad(m, value) for m in members)
        vals = [_value(m, value) for m in members if not _bad(m, value)]
        out[key] = (float(np.mean(vals)) if vals and not bad else np.nan, bad, len(members))
    return out


def _norm(values, higher_better):
    from matplotlib.colors import LogNorm, Normalize

    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return Normalize(0, 1)
    lo, hi = float(finite.min()), float(finite.max())
    if not higher_better and lo > 0 and hi / lo > 50:
        return LogNorm(lo, hi)
    if lo == hi:
        lo, hi = lo - 0.5 * max(abs(lo), 1e-12), hi + 0.5 * max(abs(hi), 1e-12)
    return Normalize(lo, hi)


@S.styled
def sweep_heatmap(result, *, x="lr", y="optimizer", value="score", title=None, annotate="auto", figsize=None,
                  dpi=None, path=None):
    """A heatmap of a sweep: ``x`` against ``y`` (default learning rate x optimizer), colour = ``value``.

    ``value``: "score" (default: final loss minus the known minimum, lower is better),
    "final_loss", or a training metric ("val_loss", "accuracy", "val_accuracy", ...; for
    accuracies and R^2 higher is better and the colours turn round). One panel per function
    (or data set). Cells average the tasks they hold (e.g. over seeds); a cell with a diverged
    task is grey with a cross, one with a failed task grey with "failed"; each row's best cell
    is outlined. ``annotate``: write the values in the cells ("auto": when they fit). Returns the Figure.
    """
    rows = _rows(result)
    for key in (x, y):
        if not any(key in r for r in rows):
            raise ValueError(f"sweep_heatmap: no row has {key!r}; the rows have {', '.join(rows[0])}")
    panel = _panel_key(rows)
    panels = _sorted_values(r.get(panel) for r in rows) if panel else [None]
    xs = _sorted_values(r.get(x) for r in rows)
    ys = list(dict.fromkeys(_hashable(r.get(y)) for r in rows))
    higher = value in _HIGHER_IS_BETTER
    grids = []
    for p in panels:
        cells = _cells([r for r in rows if panel is None or _hashable(r.get(panel)) == p], x, y, value)
        Z = np.full((len(ys), len(xs)), np.nan)
        bad = np.zeros(Z.shape, bool)
        failed = np.zeros(Z.shape, bool)
        present = np.zeros(Z.shape, bool)
        for (xv, yv), (v, b, _n) in cells.items():
            i, j = ys.index(yv), xs.index(xv)
            Z[i, j], bad[i, j], present[i, j] = v, b, True
        for r in rows:
            if r.get("status") == "failed" and (panel is None or _hashable(r.get(panel)) == p):
                failed[ys.index(_hashable(r.get(y))), xs.index(_hashable(r.get(x)))] = True
        grids.append((p, Z, bad, failed, present))
    allz = np.concatenate([g[1].ravel() for g in grids])
    norm = _norm(allz, higher)
    import matplotlib
    from matplotlib.patches import Rectangle

    cmap = matplotlib.colormaps["viridis" if higher else "viridis_r"].copy()
    n = len(grids)
    cols = min(n, 2)
    rows_n = math.ceil(n / cols)
    w = max(4.6, 0.55 * len(xs) + 2.4)
    h = max(2.6, 0.42 * len(ys) + 1.6)
    fig, axes = S.new_figure(rows_n, cols, figsize=figsize or (min(16, w * cols + 1.2), min(14, h * rows_n + 0.6)),
                             dpi=dpi, squeeze=False)
    if annotate == "auto":
        annotate = len(xs) <= 12 and len(ys) <= 12
    image = None
    for k, (p, Z, bad, failed, present) in enumerate(grids):
        ax = axes[k // cols][k % cols]
        image = ax.imshow(np.ma.masked_invalid(Z), cmap=cmap, norm=norm, aspect="auto", origin="lower",
                          interpolation="nearest")
        grey = np.where(bad | ~present, 1.0, np.nan)
        ax.imshow(np.ma.masked_invalid(grey), cmap="Greys", vmin=0, vmax=4, aspect="auto", origin="lower",
                  interpolation="nearest")
        for i in range(len(ys)):
            for j in range(len(xs)):
                if failed[i, j]:
                    ax.text(j, i, "failed", ha="center", va="center", fontsize=7, color="#7a1f1f")
                elif bad[i, j]:
                    ax.plot(j, i, marker="x", color="#9b2226", ms=7, mew=1.8)
                elif annotate and np.isfinite(Z[i, j]):
                    v = Z[i, j]
                    rgba = cmap(norm(v))
                    light = 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2] > 0.55
                    ax.text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=7,
                            color="#1b1b1b" if light else "white")
            row = Z[i]
            if np.isfinite(row).any():
                j = int(np.nanargmax(row) if higher else np.nanargmin(row))
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="#d62828", lw=2.2))
        ax.set_xticks(range(len(xs)), [_fmt(v) for v in xs], rotation=45 if len(xs) > 5 else 0,
                      ha="right" if len(xs) > 5 else "center")
        ax.set_yticks(range(len(ys)), [_fmt(v) for v in ys])
        ax.set_xlabel(_LABELS.get(x, x))
        ax.set_ylabel(_LABELS.get(y, y))
        ax.grid(False)
        ax.set_title(str(p) if p is not None else "", fontsize=10.5)
    for k in range(n, rows_n * cols):
        axes[k // cols][k % cols].set_visible(False)
    bar = fig.colorbar(image, ax=[a for row in axes for a in row if a.get_visible()], shrink=0.9, pad=0.02)
    bar.set_label(_label(value, rows) + (" (higher is better)" if higher else " (lower is better)"))
    marks = "× diverged, red box: best per row" if any(g[2].any() for g in grids) else "red box: best per row"
    fig.suptitle(title if title is not None else f"sweep: {_label(value, rows)}  ({marks})", fontsize=11)
    return S.finish(fig, path, dpi)


@S.styled
def sweep_curves(result, *, x="lr", by="optimizer", value="score", logy="auto", title=None, figsize=None, dpi=None,
                 path=None):
    """``value`` against ``x`` (default the score against the learning rate), one line per ``by``.

    One panel per function (or data set). The line is the mean over the tasks sharing a point
    (seeds, starts, ...), the band their range; a point with a diverged or failed task is a
    cross on the top edge, the best point of each line a ring. Returns the Figure.
    """
    rows = _rows(result)
    if not any(x in r for r in rows):
        raise ValueError(f"sweep_curves: no row has {x!r}; the rows have {', '.join(rows[0])}")
    panel = _panel_key(rows)
    panels = _sorted_values(r.get(panel) for r in rows) if panel else [None]
    labels = list(dict.fromkeys(_hashable(r.get(by)) for r in rows))
    higher = value in _HIGHER_IS_BETTER
    n = len(panels)
    cols = min(n, 2)
    rows_n = math.ceil(n / cols)
    fig, axes = S.new_figure(rows_n, cols, figsize=figsize or (6.2 * cols, 4.2 * rows_n + 0.4), dpi=dpi,
                             squeeze=False)
    colors, used = {}, set()
    for i, lab in enumerate(labels):
        c = S.color_for(str(lab))
        colors[lab] = c if c is not None and c not in used else S.CYCLE[i % len(S.CYCLE)]
        used.add(colors[lab])
    any_bad = False
    for k, p in enumerate(panels):
        ax = axes[k // cols][k % cols]
        mine = [r for r in rows if panel is None or _hashable(r.get(panel)) == p]
        xs_all = np.array([float(r[x]) for r in mine if isinstance(r.get(x), (int, float))])
        logx = xs_all.size and xs_all.min() > 0 and xs_all.max() / xs_all.min() > 20
        good_values = []
        crosses = []
        for lab in labels:
            pts = {}
            for r in mine:
                if _hashable(r.get(by)) == lab and isinstance(r.get(x), (int, float)):
                    pts.setdefault(float(r[x]), []).append(r)
            if not pts:
                continue
            xv = np.array(sorted(pts))
            mean, lo, hi, bad = [], [], [], []
            for v in xv:
                members = pts[v]
                b = any(_bad(m, value) for m in members)
                vals = np.array([_value(m, value) for m in members if not _bad(m, value)])
                bad.append(b)
                ok = vals.size and not b
                mean.append(vals.mean() if ok else np.nan)
                lo.append(vals.min() if ok else np.nan)
                hi.append(vals.max() if ok else np.nan)
            mean, lo, hi, bad = map(np.asarray, (mean, lo, hi, bad))
            color = colors[lab]
            ax.plot(xv, mean, color=color, lw=2.0, marker="o", ms=4.5, mec="white", mew=0.7, label=_fmt(lab),
                    zorder=3)
            if np.any(hi > lo):
                ax.fill_between(xv, lo, hi, color=color, alpha=0.15, lw=0, zorder=2)
            good_values.append(mean[np.isfinite(mean)])
            if np.isfinite(mean).any():
                b = int(np.nanargmax(mean) if higher else np.nanargmin(mean))
                ax.plot(xv[b], mean[b], "o", ms=11, mfc="none", mec=color, mew=2.0, zorder=4)
            if bad.any():
                crosses.append((xv[bad], color))
        vals = np.concatenate(good_values) if good_values else np.zeros(0)
        if logx:
            ax.set_xscale("log")
        use_log = (logy is True) or (logy == "auto" and not higher and vals.size and vals.min() > 0
                                     and vals.max() / vals.min() > 50)
        if use_log:
            ax.set_yscale("log")
        for j, (xb, color) in enumerate(crosses):
            any_bad = True
            ax.plot(xb, np.full(xb.size, 0.97 - 0.045 * j), transform=ax.get_xaxis_transform(), ls="none",
                    marker="x", ms=8, mew=2.0, color=color, zorder=5, clip_on=False)
        if crosses and vals.size:
            lo_, hi_ = ax.get_ylim()
            frac = 0.06 + 0.045 * len(crosses)
            if ax.get_yscale() == "log":
                a, b = np.log10(lo_), np.log10(hi_)
                ax.set_ylim(lo_, 10 ** (b + frac / (1 - frac) * (b - a)))
            else:
                ax.set_ylim(lo_, hi_ + frac / (1 - frac) * (hi_ - lo_))
        ax.set_xlabel(_LABELS.get(x, x))
        ax.set_ylabel(_label(value, rows))
        ax.grid(True, which="major")
        ax.set_title(str(p) if p is not None else "", fontsize=10.5)
    for k in range(n, rows_n * cols):
        axes[k // cols][k % cols].set_visible(False)
    first = axes[0][0]
    handles, _ = first.get_legend_handles_labels()
    if any_bad:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], ls="none", marker="x", ms=8, mew=2.0, color="#555555", label="diverged/failed"))
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6), frameon=False)
    fig.suptitle(title if title is not None else f"sweep: {_label(value, rows)} against {_LABELS.get(x, x)}",
                 fontsize=11)
    return S.finish(fig, path, dpi)
