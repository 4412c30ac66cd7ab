"""Figures that redraw on every change of a control (the notebook widgets of ``gdlab.widgets``).

:class:`LiveRace` draws a 2-D function's contour map once and caches its pixels; each
:meth:`LiveRace.update` only redraws the paths and the loss panel on top of that background
(matplotlib blitting), so a redraw costs a few tens of milliseconds, not a full contour.
:func:`training_png` draws a trained model's decision regions beside its loss curve.
Both return PNG bytes (what an ``ipywidgets.Image`` shows). They draw; they run nothing.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import numpy as np

from . import _style as S
from ._fonts import apply_cjk, quiet_glyph_warnings

__all__ = ["LiveRace", "training_png"]


def _png(rgba) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba[..., :3])).save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _finite(a, limit):
    """``a`` with non-finite values and values beyond ``limit`` in size as NaN (gaps in a line)."""
    a = np.array(a, dtype=float)
    a[~np.isfinite(a) | (np.abs(a) > limit)] = np.nan
    return a


class LiveRace:
    """A contour map of ``f`` (left) and the loss curves (right) for up to ``lanes`` runs.

    ``update(runs)`` takes a dict label -> single-start Trajectory (``gdlab.race``'s result);
    ``png()`` is the current picture; ``data_point(px, py)`` turns a pixel of that picture
    (from its top-left corner) into a point of the map, or None outside it.
    """

    def __init__(self, f, *, lanes=3, figsize=(10.0, 4.0), dpi=80, resolution=120, title=None):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        from ._landscape import contour

        if getattr(f, "dim", None) != 2:
            raise ValueError(f"LiveRace needs a 2-D function, {getattr(f, 'name', f)!r} has dim {getattr(f, 'dim', '?')}")
        self.function = f
        with S.house(), quiet_glyph_warnings():
            fig = S.new_figure(figsize=figsize, dpi=dpi, nrows=1, ncols=2)[0]
            self.figure = fig
            self.canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
            self.ax_map, self.ax_loss = fig.axes
            contour(f, ax=self.ax_map, colorbar=False, legend=False, resolution=resolution,
                    title=title or getattr(f, "name", "f"))
            b = np.asarray(f.bounds, float)
            self._limit = 1e3 * float(np.max(b[:, 1] - b[:, 0]) + np.max(np.abs(b)))
            self.paths = [self.ax_map.plot([], [], lw=2.0, zorder=5, path_effects=S.halo(3.0))[0] for _ in range(lanes)]
            self.ends = [self.ax_map.plot([], [], "o", ms=7, mec="white", mew=1.2, zorder=6)[0] for _ in range(lanes)]
            self.start = self.ax_map.plot([], [], "o", ms=9, mfc="white", mec=S.INK, mew=1.8, zorder=7)[0]
            self.curves = [self.ax_loss.plot([], [], lw=1.8)[0] for _ in range(lanes)]
            self.ax_loss.set_xlabel("step")
            self.ax_loss.set_ylabel("f − f*" if f.minimum_value is not None else "loss")
            self.ax_loss.set_title("loss")
            self.ax_loss.set_xlim(0, 1)
            apply_cjk(fig)
            self.canvas.draw()
            fig.set_layout_engine("none")  # the layout stays where the first draw put it
            self.ax_loss.set_visible(False)
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(fig.bbox)
            self.ax_loss.set_visible(True)
        self._png = None

    @property
    def size(self):
        """(width, height) of the picture in pixels."""
        w, h = self.canvas.get_width_height()
        return int(w), int(h)

    def update(self, runs) -> bytes:
        """Redraw the paths, end points, start and loss curves of ``runs``; returns the PNG."""
        f = self.function
        lanes = len(self.paths)
        items = list(runs.items())[:lanes]
        fstar = f.minimum_value
        colors = S.assign_colors([SimpleNamespace(label=k, optimizer=t.optimizer) for k, t in items])
        lows, highs, steps = [], [], 1
        with S.house(), quiet_glyph_warnings():
            for k in range(lanes):
                path, end, curve = self.paths[k], self.ends[k], self.curves[k]
                if k >= len(items):
                    for a in (path, end, curve):
                        a.set_data([], [])
                    curve.set_label("_off")
                    continue
                label, t = items[k]
                color = colors[k]
                p = _finite(t.params, self._limit)
                path.set_data(p[:, 0], p[:, 1])
                path.set_color(color)
                at = np.asarray(getattr(t, "recorded_steps", np.arange(len(p))))  # the step of each point
                last = p[min(int(np.searchsorted(at, int(t.stopped_at))), len(p) - 1)]
                end.set_data([last[0]], [last[1]])
                end.set_marker("X" if t.status == "diverged" else "o")
                end.set_markerfacecolor(S.DIVERGED_COLOR if t.status == "diverged" else color)
                y = _finite(t.loss if fstar is None else t.loss - fstar, 1e300)
                curve.set_data(at[: len(y)], y)
                curve.set_color(color)
                curve.set_label(f"{label} ({t.status})" if t.status != "max_steps" else label)
                ok = y[np.isfinite(y)]
                if ok.size:
                    lows.append(ok.min())
                    highs.append(ok.max())
                steps = max(steps, t.steps)
            if items:
                x0 = np.asarray(items[0][1].x0, float)
                self.start.set_data([x0[0]], [x0[1]])
            ax = self.ax_loss
            positive = bool(lows) and min(lows) > 0
            ax.set_yscale("log" if positive and max(highs) / min(lows) > 30 else "linear")
            ax.set_xlim(0, steps)
            if lows:
                lo, hi = min(lows), max(highs)
                if ax.get_yscale() == "log":
                    ax.set_ylim(lo / 2, hi * 2)
                else:
                    pad = 0.05 * (hi - lo) or 1.0
                    ax.set_ylim(lo - pad, hi + pad)
            legend = ax.get_legend()
            if legend is not None:
                legend.remove()
            if items:
                ax.legend(loc="upper right", fontsize=8, frameon=False)
            self.canvas.restore_region(self._background)
            self.figure.draw_artist(ax)
            for a in (*self.paths, *self.ends, self.start):
                self.ax_map.draw_artist(a)
            self._png = _png(np.asarray(self.canvas.buffer_rgba()))
        return self._png

    def png(self) -> bytes:
        """The current picture (the map alone before the first update)."""
        if self._png is None:
            self._png = _png(np.asarray(self.canvas.buffer_rgba()))
        return self._png

    def data_point(self, px, py):
        """The map point under pixel (px, py) of the picture (origin top-left), or None off the map."""
        w, h = self.size
        disp = (float(px), float(h) - float(py))
        if not self.ax_map.bbox.contains(*disp):
            return None
        x, y = self.ax_map.transData.inverted().transform(disp)
        return float(x), float(y)


def training_png(model, x, y, history, *, title=None, figsize=(10.0, 4.0), dpi=80) -> bytes:
    """A trained classifier's decision regions on (x, y) beside its loss per epoch, as PNG bytes."""
    from ._models import decision_regions

    with S.house(), quiet_glyph_warnings():
        fig = S.new_figure(figsize=figsize, dpi=dpi, nrows=1, ncols=2)[0]
        ax_map, ax_loss = fig.axes
        decision_regions(model, x, y, ax=ax_map, title=title or "decision boundary", legend=False)
        loss = np.asarray(history.history.get("loss", []), float)
        ax_loss.plot(np.arange(1, len(loss) + 1), loss, color=S.CYCLE[0], lw=1.8, label="loss")
        if "accuracy" in history.history:
            acc = np.asarray(history.history["accuracy"], float)
            ax_loss.set_title(f"loss (final accuracy {acc[-1]:.1%})")
        else:
            ax_loss.set_title("loss")
        if loss.size and np.all(loss > 0) and loss.max() / loss.min() > 30:
            ax_loss.set_yscale("log")
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("loss")
        apply_cjk(fig)
        fig.canvas.draw()
        return _png(np.asarray(fig.canvas.buffer_rgba()))
