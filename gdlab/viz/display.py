"""How gdlab's results look in a notebook: the renderers of ``gdlab._display``.

Importing this module registers one renderer per kind of result; ``gdlab`` imports it on the
first display (see :mod:`gdlab._display`). Every renderer returns a MIME bundle: an HTML table
(with a small PNG thumbnail embedded where a picture says more) and, for a Function, its
formula in LaTeX. Tables need nothing but the standard library; thumbnails need matplotlib
and are left out without it. The functions are public too, for pages of your own:
``function_html(f)``, ``runs_html(race)``, ``history_html(h)``, ``sweep_html(s)``,
``tune_html(t)``, ``summary_html(model.summary_table())``.
"""

from __future__ import annotations

import base64
import html
import io
import math
from types import SimpleNamespace

import numpy as np

from .. import _display
from ._style import assign_colors

__all__ = ["function_html", "function_latex", "runs_html", "history_html", "sweep_html", "tune_html",
           "summary_html", "thumbnail", "MAX_ROWS"]

#: the most rows a table shows (a run of 10,000 starts is summarised, not listed)
MAX_ROWS = 12
#: thumbnail size in inches and its dpi
THUMB_SIZE, THUMB_DPI = (3.4, 2.6), 80

_STYLE = ("border-collapse:collapse;font-size:12px;font-family:system-ui,sans-serif;margin:2px 0;"
          "text-align:right")
_CELL = "padding:2px 8px;border-bottom:1px solid #ddd"


# ---------------------------------------------------------------------------------------------
# formatting

def _num(v, digits=5):
    """A number for a table: ``%g`` with ``digits`` significant digits; inf/nan as words."""
    if v is None:
        return "–"
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return f"{v:.{digits}g}"


def _point(p, digits=5):
    p = np.asarray(p, dtype=float).ravel()
    if p.size > 4:
        return "(" + ", ".join(_num(x, digits) for x in p[:3]) + f", … {p.size} dims)"
    return "(" + ", ".join(_num(x, digits) for x in p) + ")"


def _value(v):
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(_value(x) for x in v) + ")"
    if isinstance(v, np.ndarray):
        return _num(v.item()) if v.size == 1 else f"per run ({v.size} values)"
    if isinstance(v, (int, float, np.number)):
        return _num(v, 4)
    return str(v)


def _hyper(hp):
    """The hyperparameters that are set: lr always, then every one not off (False, 0, None)."""
    parts = []
    for k, v in (hp or {}).items():
        off = v is None or v is False or (isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0)
        if k == "lr" or not off:
            parts.append(f"{k}={_value(v)}")
    return ", ".join(parts)


def _table(head, rows, *, caption=None, highlight=None, note=None, swatches=None):
    """An HTML table: ``head`` the column names, ``rows`` lists of cell texts (escaped here);
    ``swatches``: a colour per row, shown as a dot before the first cell (the run's colour in the thumbnail)."""
    e = html.escape
    out = [f'<table style="{_STYLE}">']
    if caption:
        out.append(f'<caption style="text-align:left;font-weight:600;padding:2px 0">{e(caption)}</caption>')
    out.append("<tr>" + "".join(f'<th style="{_CELL};text-align:right">{e(h)}</th>' for h in head) + "</tr>")
    for i, row in enumerate(rows):
        bg = ";background:#fff6d6" if highlight is not None and i == highlight else ""
        cells = [e(str(c)) for c in row]
        if swatches is not None and swatches[i]:
            cells[0] = f'<span style="color:{swatches[i]}">●</span> ' + cells[0]
        out.append("<tr>" + "".join(f'<td style="{_CELL}{bg}">{c}</td>' for c in cells) + "</tr>")
    out.append("</table>")
    if note:
        out.append(f'<div style="font-size:11px;color:#666">{e(note)}</div>')
    return "".join(out)


def _side_by_side(table, png):
    if png is None:
        return f"<div>{table}</div>"
    img = f'<img alt="thumbnail" style="max-width:280px" src="data:image/png;base64,{png}">'
    return (f'<div style="display:flex;gap:16px;align-items:flex-start;flex-wrap:wrap">'
            f"<div>{table}</div><div>{img}</div></div>")


# ---------------------------------------------------------------------------------------------
# thumbnails

def thumbnail(draw) -> str | None:
    """``draw(figsize, dpi) -> Figure`` rendered as a base64 PNG; None without matplotlib."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return None
    fig = draw(THUMB_SIZE, THUMB_DPI)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=THUMB_DPI)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _runs_thumb(runs, function):
    from ._curves import loss_curves
    from ._landscape import contour

    first = next(iter(runs.values()))
    if getattr(function, "dim", None) == 2 and first.params is not None:
        return thumbnail(lambda size, dpi: contour(function, runs, figsize=size, dpi=dpi, colorbar=False,
                                                   legend=False, resolution=70))
    if first.loss is not None:
        return thumbnail(lambda size, dpi: loss_curves(runs, figsize=size, dpi=dpi, legend=len(runs) > 1))
    return None


# ---------------------------------------------------------------------------------------------
# the renderers

def function_latex(f) -> str:
    """The formula as display LaTeX (``$$ f(x) = ... $$``), or '' without one."""
    if not f.latex:
        return ""
    args = {1: "x", 2: "x, y"}.get(f.dim, r"\mathbf{x}")
    return f"$$ {f.name}({args}) = {f.latex} $$" if f.name.isidentifier() else f"$$ f({args}) = {f.latex} $$"


def function_html(f) -> str:
    e = html.escape
    rows = [("dim", str(f.dim))]
    if len(f.minima):
        shown = "; ".join(_point(m) for m in f.minima[:4]) + (f"; … {len(f.minima)} in all" if len(f.minima) > 4 else "")
        rows.append(("global minima", shown))
    if f.minimum_value is not None:
        rows.append(("f at the minimum", _num(f.minimum_value)))
    if f.unbounded_below:
        rows.append(("minimum", "none (unbounded below)"))
    for what, pts in (("local minima", f.local_minima), ("saddles", f.saddles), ("maxima", f.maxima)):
        if len(pts):
            rows.append((what, "; ".join(_point(p) for p in pts[:4]) + (" …" if len(pts) > 4 else "")))
    b = f.bounds
    rows.append(("bounds", " × ".join(f"[{_num(lo, 4)}, {_num(hi, 4)}]" for lo, hi in b[:4])
                 + (" × …" if len(b) > 4 else "")))
    rows.append(("gradient", "closed form" if f.has_closed_form_grad else "reverse-mode autodiff"))
    body = "".join(f'<tr><th style="{_CELL};text-align:left">{e(k)}</th><td style="{_CELL};text-align:left">'
                   f"{e(v)}</td></tr>" for k, v in rows)
    formula = function_latex(f)
    head = f'<div style="font-weight:600">{e(f.name)}</div>'
    if formula:
        head += f"<div>{e(formula)}</div>"
    elif f.formula:
        head += f"<div><code>{e(f.formula)}</code></div>"
    if f.description:
        head += f'<div style="color:#555">{e(f.description)}</div>'
    return f'<div>{head}<table style="{_STYLE}">{body}</table></div>'


def _run_rows(label, t):
    """Table rows for one Trajectory: one row, or one per run (at most MAX_ROWS)."""
    hp = _hyper(t.hyperparameters)
    if t.single:
        return [[label, t.optimizer, hp, _point(t.final), _num(t.final_loss), t.status, t.stopped_at]], 0
    n = min(t.n_runs, MAX_ROWS)
    rows = [[f"{label} [{i}]", t.optimizer, hp, _point(t.final[i]), _num(t.final_loss[i]), str(t.status[i]),
             int(t.stopped_at[i])] for i in range(n)]
    return rows, t.n_runs - n


_RUN_HEAD = ("run", "optimizer", "hyperparameters", "final point", "final loss", "status", "steps")


def runs_html(runs, thumbnail=True) -> str:
    """A race (dict label -> Trajectory) or one Trajectory: the table and (``thumbnail=True``) a picture."""
    if not isinstance(runs, dict):
        runs = {runs.label or runs.optimizer: runs}
    colors = assign_colors([SimpleNamespace(label=k, optimizer=t.optimizer) for k, t in runs.items()])
    rows, left, swatches = [], 0, []
    for (label, t), color in zip(runs.items(), colors):
        r, more = _run_rows(label, t)
        rows += r
        swatches += [color] * len(r)
        left += more
    function = next(iter(runs.values())).function
    steps = {t.steps for t in runs.values()}
    caption = f"{getattr(function, 'name', 'f')}: {len(runs)} optimizer(s), {max(steps)} steps"
    note = f"{left} more run(s) not listed" if left else None
    best = None
    if len(rows) > 1 and not left:
        losses = [float(t.final_loss) for t in runs.values() if t.single]
        if len(losses) == len(rows) and any(math.isfinite(v) for v in losses):
            best = int(np.nanargmin(np.where(np.isfinite(losses), losses, np.nan)))
    table = _table(_RUN_HEAD, rows, caption=caption, highlight=best, note=note, swatches=swatches)
    return _side_by_side(table, _runs_thumb(runs, function) if thumbnail else None)


def history_html(h) -> str:
    """A History: the last epoch's metrics (and the best validation epoch) and the loss curves."""
    hist = h.history
    if not hist:
        return "<div>History: no epoch trained</div>"
    keys = list(hist)
    last = len(h.epochs) - 1
    rows = [["last epoch", h.epochs[-1] if h.epochs else last] + [_num(hist[k][-1]) for k in keys]]
    if "val_loss" in hist:
        i = int(np.nanargmin(hist["val_loss"]))
        rows.append(["best val_loss", h.epochs[i] if h.epochs else i] + [_num(hist[k][i]) for k in keys])
    caption = f"{len(h.epochs)} epochs, {len(h.step_losses)} updates"
    table = _table(["", "epoch", *keys], rows, caption=caption)

    def draw(size, dpi):
        from ._curves import history_curves
        return history_curves(h, metrics=["loss"], figsize=size, dpi=dpi)

    return _side_by_side(table, thumbnail(draw) if len(h.epochs) > 1 else None)


def sweep_html(s) -> str:
    """A SweepResult: final loss and status per learning rate, the best highlighted, the sweep curve."""
    idx = np.arange(len(s.lrs))
    if len(idx) > MAX_ROWS:  # keep the best and an even spread
        keep = set(np.linspace(0, len(idx) - 1, MAX_ROWS - 1).round().astype(int).tolist())
        if s.best_index is not None:
            keep.add(int(s.best_index))
        idx = np.array(sorted(keep))
    rows = []
    for i in idx:
        status = s.status[i]
        if s.single:
            st, loss = str(status), s.final_loss[i]
        else:
            counts = {k: int(np.sum(status == k)) for k in ("converged", "diverged", "max_steps") if np.any(status == k)}
            st, loss = ", ".join(f"{k} {v}" for k, v in counts.items()), float(np.mean(s.final_loss[i]))
        rows.append([_num(s.lrs[i], 4), _num(loss), st, "best" if i == s.best_index else ""])
    best = None if s.best_index is None else int(np.flatnonzero(idx == s.best_index)[0])
    caption = (f"{s.label} on {getattr(s.function, 'name', 'f')}: {len(s.lrs)} learning rates × "
               f"{s.n_starts} start(s) × {s.steps} steps")
    head = ("lr", "final loss" if s.single else "mean final loss", "status", "")
    note = f"{len(idx)} of {len(s.lrs)} learning rates shown" if len(idx) < len(s.lrs) else None
    table = _table(head, rows, caption=caption, highlight=best, note=note)

    def draw(size, dpi):
        from ._curves import lr_sweep
        return lr_sweep(s, figsize=size, dpi=dpi)

    return _side_by_side(table, thumbnail(draw))


def tune_html(t) -> str:
    """A TuneResult: the best setting per optimizer (lr, score, final point, status)."""
    rows = []
    for k, lr in t.best_lr.items():
        if lr is None:
            rows.append([k, "–", "∞", "–", "every lr diverged"])
            continue
        run = t.race[k]
        final = _point(run.final) if run.single else f"{run.n_runs} runs"
        status = run.status if run.single else ", ".join(sorted(set(run.status.tolist())))
        rows.append([k, _num(lr, 4), _num(t.best_score[k]), final, status])
    scores = [t.best_score[k] for k in t.best_lr]
    best = int(np.argmin(scores)) if any(math.isfinite(v) for v in scores) else None
    caption = (f"tuned on {getattr(t.function, 'name', 'f')}: {len(t.lrs)} learning rates, {t.steps} steps, "
               f"objective {t.objective}")
    table = _table(("optimizer", "best lr", f"final {t.objective}", "final point", "status"), rows,
                   caption=caption, highlight=best)

    def draw(size, dpi):
        from ._curves import lr_sweep
        return lr_sweep(t.sweeps, figsize=size, dpi=dpi)

    return _side_by_side(table, thumbnail(draw))


def summary_html(table) -> str:
    """``Model.summary_table()`` as an HTML table with the totals below."""
    total = f"Total params: {table['total']:,}" + (f" ({table['dtype']})" if table.get("dtype") else "")
    return _table(("Layer (type)", "Output shape", "Params"), table["rows"], caption=f'Model "{table["name"]}"',
                  note=total)


_display.register("function", lambda f: {"text/html": function_html(f), **(
    {"text/latex": function_latex(f)} if f.latex else {})})
_display.register("trajectory", lambda t: {"text/html": runs_html(t)})
_display.register("race", lambda r: {"text/html": runs_html(r)} if r else {})
_display.register("history", lambda h: {"text/html": history_html(h)})
_display.register("sweep", lambda s: {"text/html": sweep_html(s)})
_display.register("tune", lambda t: {"text/html": tune_html(t)})
_display.register("model", lambda m: {"text/html": summary_html(m.summary_table())})
_display.register("model_summary", lambda table: {"text/html": summary_html(table)})
