"""Animations: runs and races on a function, and training by epoch, as GIF, MP4 or an HTML player.

Every animation is a :class:`Movie`: a figure plus a rule that updates it to frame i. Frames
are rendered with Agg, redrawing only what moves (the rest is drawn once), and then

- ``.gif``: written with Pillow (one adaptive palette for the whole animation, from frames spread
  over it, plus the key colours exactly; the last frame held for ``hold`` seconds);
- ``.mp4``: piped to ffmpeg (H.264), which must be on PATH; without it a RuntimeError says how
  to install it;
- ``.html``: one self-contained page and a small player (play/pause, step, slider, speed, loop;
  SVG icons): the background is embedded once, each frame only as the pixels that move (cropped,
  transparent elsewhere), so 60 frames cost little more than one; no network, no external script.

Long runs are subsampled to at most ``frames`` frames, always keeping the first and the last
step; ``fps`` (or ``duration``, the seconds the whole animation lasts) sets the pace.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess

import numpy as np

from .._atomic import atomic_path
from . import _style as S
from ._data import Run, function_dim, minima_of, objective, split_function_and_runs

FFMPEG_HINT = ("saving an MP4 needs ffmpeg on PATH, and none was found; install it (Debian/Ubuntu: "
               "`sudo apt-get install ffmpeg`, macOS: `brew install ffmpeg`, conda: `conda install -c conda-forge "
               "ffmpeg`), or save as .gif or .html instead")
MOVIE_FORMATS = (".gif", ".mp4", ".html", ".htm")


def frame_indices(last, frames):
    """Up to ``frames`` increasing step indices from 0 to ``last``, both included."""
    last = int(last)
    frames = int(frames)
    if frames < 1:
        raise ValueError(f"frames must be at least 1, got {frames}")
    if last + 1 <= frames:
        return np.arange(last + 1)
    if frames == 1:
        return np.array([last])
    return np.unique(np.round(np.linspace(0, last, frames)).astype(int))


def frame_steps(runs, frames):
    """Up to ``frames`` steps to show, from 0 to the last step a run stopped at: steps that were
    recorded (all of them, when every step was; a thinned record's 0, k, 2k, ... and each stop),
    evenly picked where there are more than ``frames``."""
    last = max(r.last for r in runs)
    seen = np.unique(np.concatenate([np.append(r.steps, r.stop_step) for r in runs]))
    seen = seen[seen <= last]
    return seen[frame_indices(len(seen) - 1, frames)]


class Movie:
    """An animation: ``len(movie)`` frames of ``movie.figure``, saved with :meth:`save`.

    Attributes: ``figure``, ``steps`` (what each frame shows: the step or epoch), ``fps``,
    ``hold`` (seconds the last frame stays in GIFs, MP4s and the player). In Jupyter a Movie
    shows itself as the HTML player.
    """

    def __init__(self, figure, update, steps, *, animated=(), fps=12.0, hold=1.0, colors=()):
        self.figure = figure
        # colours a GIF palette must keep exactly (runs, stars, text), whatever their area
        self.key_colors = list(dict.fromkeys(["#ffffff", S.INK, S.MINIMUM_COLOR, S.DIVERGED_COLOR, *colors]))
        self._update = update
        self.steps = np.asarray(steps)
        self._animated = animated if isinstance(animated, list) else list(animated)  # update may swap artists
        self.fps = float(fps)
        self.hold = float(hold)
        if self.fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")

    def __len__(self):
        return len(self.steps)

    def __repr__(self):
        return f"<gdlab.viz.Movie: {len(self)} frames at {self.fps:g} fps>"

    # rendering
    def _rendered(self):
        """The background (the figure without its moving parts, drawn once), then every frame:
        RGBA arrays of shape (height, width, 4), uint8."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        from ._fonts import apply_cjk, quiet_glyph_warnings
        fig = self.figure
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        with S.house(), quiet_glyph_warnings():
            self._update(0)
            apply_cjk(fig)
            for a in self._animated:
                a.set_animated(True)
            canvas.draw()
            # the layout is done: freeze it, so every rendering of this movie (GIF, player, frame(i))
            # puts each pixel where the first did (the constrained layout moves a little each draw)
            if fig.get_layout_engine() is not None:
                fig.set_layout_engine("none")
            background = canvas.copy_from_bbox(fig.bbox)
            try:
                yield np.asarray(canvas.buffer_rgba()).copy()
                for i in range(len(self)):
                    self._update(i)
                    canvas.restore_region(background)
                    for a in self._animated:
                        fig.draw_artist(a)
                    yield np.asarray(canvas.buffer_rgba()).copy()
            finally:
                for a in self._animated:
                    a.set_animated(False)

    def frames(self):
        """Render the frames one by one: RGBA arrays of shape (height, width, 4), uint8."""
        rendered = self._rendered()
        next(rendered)
        yield from rendered

    def frame(self, i):
        """The RGBA pixels of frame ``i``."""
        for k, img in enumerate(self.frames()):
            if k == i:
                return img
        raise IndexError(f"frame {i} out of range for {len(self)} frames")

    def _durations_ms(self, fps):
        ms = 1000.0 / fps
        d = [ms] * len(self)
        d[-1] = max(ms, 1000.0 * self.hold)
        return d

    # writing
    def save(self, path, *, fps=None):
        """Write the animation; the format comes from the extension: .gif, .mp4 or .html.
        Returns the path."""
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower()
        fps = float(fps or self.fps)
        if ext not in MOVIE_FORMATS:
            raise ValueError(f"cannot save an animation as {path!r}: the extension must be one of "
                             + ", ".join(MOVIE_FORMATS))
        with atomic_path(path) as tmp:  # all or nothing: no partial file on a failure
            if ext == ".gif":
                self._save_gif(tmp, fps)
            elif ext == ".mp4":
                self._save_mp4(tmp, fps)
            else:
                tmp.write_text(self.to_html(fps=fps), encoding="utf-8")
        return path

    def _save_gif(self, path, fps):
        from PIL import Image
        images = [Image.fromarray(rgba[..., :3]) for rgba in self.frames()]
        palette = _gif_palette(images, self.key_colors)
        images = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
        durations = [int(round(d)) for d in self._durations_ms(fps)]
        images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0,
                       disposal=1, optimize=False)

    def _save_mp4(self, path, fps):
        exe = ffmpeg_path()
        if exe is None:
            raise RuntimeError(FFMPEG_HINT)
        frames = self.frames()
        first = next(frames)
        h, w = first.shape[:2]
        cmd = [exe, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{w}x{h}",
               "-r", f"{fps:g}", "-i", "-", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white",
               "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", path]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            proc.stdin.write(first.tobytes())
            last = first
            for rgba in frames:
                proc.stdin.write(rgba.tobytes())
                last = rgba
            for _ in range(max(0, int(round(self.hold * fps)) - 1)):
                proc.stdin.write(last.tobytes())
            proc.stdin.close()
        except BrokenPipeError:
            pass
        err = proc.stderr.read().decode("utf-8", "replace")
        if proc.wait() != 0:
            raise RuntimeError(f"ffmpeg failed to write {path!r}: {err.strip()[-500:]}")

    def to_html(self, *, fps=None, title=None):
        """A self-contained HTML page with a small player. The background (what does not move) is
        one embedded PNG; each frame is only the pixels that differ from the frame before it (the
        first: from the background), cropped, transparent elsewhere. The player draws the
        background and the layers up to frame k on a canvas, which gives frame k exactly, pixel
        for pixel the frame a GIF holds."""
        fps = float(fps or self.fps)
        rendered = self._rendered()
        background = previous = next(rendered)
        layers = []
        for rgba in rendered:
            layers.append(_layer(rgba, previous))
            previous = rgba
        h, w = background.shape[:2]
        labels = [str(s) for s in self.steps]
        return _player_html(_png_uri(background[..., :3]), layers, labels, self._durations_ms(fps), (w, h),
                            title or "gdlab animation")

    def _repr_html_(self):
        return _player_body(self.to_html())

    def close(self):
        """Drop the figure (nothing else holds resources)."""
        self.figure = None


def ffmpeg_path():
    """The ffmpeg executable: matplotlib's ``animation.ffmpeg_path`` if it exists, else PATH's."""
    try:
        import matplotlib
        configured = matplotlib.rcParams.get("animation.ffmpeg_path", "ffmpeg")
    except Exception:
        configured = "ffmpeg"
    return shutil.which(configured) or shutil.which("ffmpeg")


def _gif_palette(images, key_colors, sample=8):
    """One palette for a whole animation: median cut over up to ``sample`` frames spread over it
    (the first and the last included), plus the key colours exactly. A palette taken from the
    first frame alone lacks colours that appear later (a class region's red turning brown)."""
    from matplotlib.colors import to_rgb
    from PIL import Image
    keys = [tuple(int(round(255 * v)) for v in to_rgb(c)) for c in key_colors][:32]
    n = 256 - len(keys)
    picked = [images[int(k)] for k in np.unique(np.round(np.linspace(0, len(images) - 1, sample)).astype(int))]
    w, h = picked[0].size
    mosaic = Image.new("RGB", (w, h * len(picked)))
    for k, im in enumerate(picked):
        mosaic.paste(im, (0, k * h))
    base = mosaic.quantize(colors=n, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    pal = base.getpalette()[: 3 * n]
    pal += [0] * (3 * n - len(pal))
    for c in keys:
        pal += list(c)
    palette = Image.new("P", (1, 1))
    palette.putpalette(pal)
    return palette


def _png_uri(pixels):
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _layer(rgba, before):
    """[x, y, PNG data URI] of the pixels of a frame that differ from ``before`` (the frame before
    it, or the background), cropped to their bounding box, transparent elsewhere; None when
    nothing changed."""
    moved = np.any(rgba[..., :3] != before[..., :3], axis=-1)
    if not moved.any():
        return None
    rows, cols = np.flatnonzero(moved.any(axis=1)), np.flatnonzero(moved.any(axis=0))
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    crop = rgba[y0:y1, x0:x1].copy()
    keep = moved[y0:y1, x0:x1]
    crop[~keep] = 0
    crop[..., 3] = np.where(keep, 255, 0)
    return [int(x0), int(y0), _png_uri(crop)]


#: the player's button icons (inline SVG: no font has every media symbol, e.g. U+23EE/U+23ED)
_ICONS = {
    "first": "M2 3h2v10H2zM9 3v10L4 8zM14 3v10L9 8z",
    "prev": "M3 3h2v10H3zM13 3v10L6 8z",
    "play": "M4 2.5v11l9.5-5.5z",
    "pause": "M4 3h3v10H4zM9 3h3v10H9z",
    "next": "M3 3v10l7-5zM11 3h2v10h-2z",
    "last": "M2 3v10l5-5zM7 3v10l5-5zM12 3h2v10h-2z",
}


def _icon(name):
    return (f'<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">'
            f'<path fill="currentColor" d="{_ICONS[name]}"/></svg>')


_PLAYER = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>
 body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px;color:#222}
 .gd-movie{display:inline-block;text-align:center}
 .gd-movie canvas{display:block;width:100%;height:auto;border:1px solid #e4e4e4;border-radius:4px}
 .gd-bar{display:flex;align-items:center;gap:8px;margin-top:6px;font-size:14px}
 .gd-bar button{border:1px solid #ccc;background:#fafafa;border-radius:4px;padding:4px 9px;cursor:pointer;
   color:#333;line-height:0}
 .gd-bar button:hover{background:#f0f0f0}
 .gd-bar input[type=range]{flex:1}
 .gd-bar .gd-label{min-width:8em;text-align:right;font-variant-numeric:tabular-nums}
</style></head><body>
__BODY__
</body></html>
"""

_BODY = """<div class="gd-movie" id="__ID__" style="width:__W__px;max-width:100%">
<canvas width="__W__" height="__H__" aria-label="animation"></canvas>
<div class="gd-bar">
 <button data-a="first" title="first frame" aria-label="first frame">__FIRST__</button>
 <button data-a="prev" title="previous frame" aria-label="previous frame">__PREV__</button>
 <button data-a="play" title="play / pause" aria-label="play / pause">__PLAY__</button>
 <button data-a="next" title="next frame" aria-label="next frame">__NEXT__</button>
 <button data-a="last" title="last frame" aria-label="last frame">__LAST__</button>
 <input type="range" min="0" value="0" aria-label="frame">
 <select title="speed"><option value="0.5">0.5x</option><option value="1" selected>1x</option>
 <option value="2">2x</option><option value="4">4x</option></select>
 <label><input type="checkbox" checked> loop</label>
 <span class="gd-label"></span>
</div>
<script>
(function(){
 var BG=__BACKGROUND__, F=__FRAMES__, L=__LABELS__, D=__DURATIONS__,
     PLAY=__PLAYICON__, PAUSE=__PAUSEICON__;
 var root=document.getElementById("__ID__"), cv=root.querySelector("canvas"), cx=cv.getContext("2d"),
     bar=root.querySelector("input[type=range]"), lab=root.querySelector(".gd-label"),
     speed=root.querySelector("select"), loop=root.querySelector("input[type=checkbox]"),
     play=root.querySelector("[data-a=play]"), i=0, timer=null;
 function load(src){ var im=new Image(); im.onload=function(){ draw(); }; im.src=src; return im; }
 var bg=load(BG), layers=F.map(function(f){ return f ? {x:f[0], y:f[1], im:load(f[2])} : null; }), drawn=-1;
 function put(k){ var f=layers[k]; if(f) cx.drawImage(f.im,f.x,f.y); }
 function ready(){ return bg.complete && layers.every(function(f){ return !f || f.im.complete; }); }
 // frame k = the background, then the changes of frames 0..k in order (one layer when stepping on)
 function draw(){ if(!ready()){ drawn=-1; return; } if(drawn==i) return;
   if(drawn>=0 && i==drawn+1){ put(i); } else { cx.drawImage(bg,0,0); for(var k=0;k<=i;k++) put(k); }
   drawn=i; }
 bar.max=F.length-1;
 function show(k){ i=Math.max(0,Math.min(F.length-1,k)); draw(); bar.value=i;
   lab.textContent="step "+L[i]+"  ("+(i+1)+"/"+F.length+")"; }
 function tick(){ if(i>=F.length-1){ if(!loop.checked){stop();return;} show(0);} else show(i+1);
   timer=setTimeout(tick, D[i]/parseFloat(speed.value)); }
 function start(){ if(timer)return; if(i>=F.length-1)show(0); play.innerHTML=PAUSE;
   timer=setTimeout(tick, D[i]/parseFloat(speed.value)); }
 function stop(){ clearTimeout(timer); timer=null; play.innerHTML=PLAY; }
 root.querySelectorAll("button").forEach(function(b){ b.onclick=function(){ var a=b.dataset.a;
   if(a=="play"){ timer?stop():start(); } else { stop();
   show(a=="first"?0:a=="last"?F.length-1:a=="prev"?i-1:i+1);} }; });
 bar.oninput=function(){stop();show(parseInt(bar.value));};
 show(0); start();
})();
</script>
</div>"""


def _player_body(html):
    start = html.index("<body>") + len("<body>")
    return html[start: html.index("</body>")]


def _player_html(background, layers, labels, durations, size, title):
    import html as _html
    import json
    uid = "gdmovie" + base64.b32encode(os.urandom(5)).decode("ascii").lower()
    w, h = size
    body = _BODY.replace("__ID__", uid).replace("__W__", str(w)).replace("__H__", str(h))
    for name in ("first", "prev", "play", "next", "last"):
        body = body.replace(f"__{name.upper()}__", _icon(name))
    body = (body.replace("__PLAYICON__", json.dumps(_icon("play"))).replace("__PAUSEICON__", json.dumps(_icon("pause")))
            .replace("__BACKGROUND__", json.dumps(background)).replace("__FRAMES__", json.dumps(layers))
            .replace("__LABELS__", json.dumps(labels))
            .replace("__DURATIONS__", json.dumps([round(d, 1) for d in durations])))
    return _PLAYER.replace("__TITLE__", _html.escape(title)).replace("__BODY__", body)


def _finish(movie, path):
    if path is not None:
        movie.save(path)
    return movie


def _pace(frames, fps, duration, n):
    if duration is not None:
        if duration <= 0:
            raise ValueError(f"duration must be positive, got {duration}")
        return max(n / float(duration), 0.5)
    return float(fps)


# ---------------------------------------------------------------------------------------------
# runs on a function

def _fmt(v):
    from ._landscape import _fmt as f
    return f(v)


def _state_at(run, obj, t, j):
    """(point, loss, gradient) of start j at step t (recorded where the run has them)."""
    p = run.params[t, j]
    loss = float(run.loss[t, j]) if run.loss is not None else (float(obj(p[None])[0]) if obj is not None else np.nan)
    if run.grad is not None:
        g = run.grad[t, j]
    elif obj is not None:
        g = obj.grad(p[None])[0]
    else:
        g = np.full(run.dim, np.nan)
    return p, loss, g


def _frame_text_single(run, obj, s, last):
    t = run.slot(s, 0)
    p, loss, g = _state_at(run, obj, t, 0)
    lines = [f"step   {s:>5d} / {last}",
             f"loss   {_fmt(loss)}",
             "grad   (" + ", ".join(_fmt(float(v)) for v in g[:3]) + (", …" if len(g) > 3 else "") + ")",
             f"‖grad‖ {_fmt(float(np.linalg.norm(g)))}"]
    if run.diverged(0) and run.stopped(s, 0):
        lines.append("diverged")
    return "\n".join(lines)


def _frame_text_race(runs, obj, s):
    rows = []
    width = max((len(r.label) for r in runs), default=0)  # none when every run has several starts
    for r in runs:
        _, loss, g = _state_at(r, obj, r.slot(s, 0), 0)
        tail = "  diverged" if (r.diverged(0) and r.stopped(s, 0)) else ""
        rows.append(f"{r.label:<{width}}  loss {_fmt(loss):>9}  ‖g‖ {_fmt(float(np.linalg.norm(g))):>9}{tail}")
    return rows


def _trail(run, j, t, b):
    from ._landscape import _path_points
    xy = _path_points(run, j, b)
    return xy[: min(t, len(xy) - 1) + 1] if len(xy) else xy


@S.styled
def animate(f, runs=None, *, view="contour", frames=60, fps=12, duration=None, hold=1.0, bounds=None,
            levels=None, log="auto", zlog="auto", resolution=120, elev=38, azim=-58, text=True,
            labels=None, title=None, figsize=None, dpi=None, path=None):
    """Animate a run or a race on its function: the paths growing step by step (seed 003).

    ``view``: "contour", "surface" or "both" for 2-D functions (1-D functions are drawn as
    their curve). Each frame shows the step, the loss and the gradient (a table of loss and
    ‖g‖ per runner for a race). ``frames``: at most this many frames (long runs are
    subsampled, the last step kept); ``fps`` or ``duration`` (seconds in all); ``hold``:
    seconds the last frame stays. ``path``: also save (.gif, .mp4, .html). Returns a :class:`Movie`.
    """
    f, rs = split_function_and_runs(f, runs)
    if not rs:
        raise ValueError("animate needs at least one run")
    if view not in ("contour", "surface", "both"):
        raise ValueError(f"view must be 'contour', 'surface' or 'both', got {view!r}")
    dim = function_dim(f, rs) or rs[0].dim
    colors = S.assign_colors(rs)
    rs = [Run(**{**r.__dict__, "color": c}) for r, c in zip(rs, colors)]
    last = max(r.last for r in rs)
    steps = frame_steps(rs, frames)
    rate = _pace(frames, fps, duration, len(steps))
    if dim == 1:
        return _finish(_animate_1d(f, rs, steps, last, rate, hold, bounds, text, title, figsize, dpi), path)
    if dim != 2:
        raise ValueError(f"animate draws runs on 1-D or 2-D functions; this one has dimension {dim}")
    from ._landscape import _draw_contour_panel, _draw_surface_panel, _prepare_2d, _zlog, _default_title
    f, rs, obj, b = _prepare_2d(f, rs, bounds, "animate")
    many = sum(r.n for r in rs)
    if view == "both":
        fig = S.new_figure(figsize=figsize or (12.5, 5.6), dpi=dpi)[0]
        fig.clear()
        axc = fig.add_subplot(1, 2, 1)
        axs = fig.add_subplot(1, 2, 2, projection="3d", computed_zorder=False)
    elif view == "contour":
        fig, axc = S.new_figure(figsize=figsize or (6.8, 6.0), dpi=dpi)
        axs = None
    else:
        fig, axs = S.new_figure(figsize=figsize or (7.2, 6.0), dpi=dpi,
                                subplot_kw={"projection": "3d", "computed_zorder": False})
        axc = None
    animated = []
    empty = [Run(**{**r.__dict__, "params": r.params[:1], "stopped_at": np.zeros(r.n, int), "steps": r.steps[:1],
                    "stop_step": np.zeros(r.n, int),
                    "status": np.full(r.n, "max_steps", dtype=object)}) for r in rs]
    lines_c, heads_c, lines_s, heads_s = [], [], [], []
    if axc is not None:
        _draw_contour_panel(axc, fig, f, empty, obj, b, levels=levels, log=log, colorbar=True, minima=True,
                            with_loss=False, labels=labels, resolution=resolution, own_colors=colors)
        for i, r in enumerate(rs):
            for j in range(r.n):
                # as in contour(): earlier runs a little wider, so a run on another's path stays visible
                lw = 2.2 + (0.5 * (len(rs) - 1 - i) if len(rs) > 1 else 0.0) if r.n == 1 else 1.2
                ln, = axc.plot([], [], color=r.color, lw=lw, zorder=4,
                               path_effects=S.halo(lw + 2.2) if many <= 12 else None)
                hd, = axc.plot([], [], "o", color=r.color, mfc=r.color, mec="white", mew=1.5,
                               ms=9 if r.n == 1 else 5, zorder=7)
                lines_c.append((r, j, ln))
                heads_c.append((r, j, hd))
                animated += [ln, hd]
    tf = None
    if axs is not None:
        _draw_surface_panel(axs, f, empty, obj, b, resolution=min(resolution, 70), zlog=zlog, elev=elev,
                            azim=azim, minima=True, labels=labels, colors=colors)
        with np.errstate(all="ignore"):
            from ._data import grid as _grid
            Zs = obj(_grid(b, min(resolution, 70))[2])
        tf, _ = _zlog(Zs, zlog)
        zt = tf(Zs)
        zfin = zt[np.isfinite(zt)]
        zlo, zhi = float(zfin.min()), float(zfin.max())
        lift = 0.01 * (zhi - zlo)
        for r in rs:
            for j in range(r.n):
                ln, = axs.plot([], [], [], color=r.color, lw=2.4 if r.n == 1 else 1.2, zorder=10,
                               path_effects=S.halo(4.2) if many <= 12 else None)
                hd, = axs.plot([], [], [], "o", color=r.color, mfc=r.color, mec="white", mew=1.5,
                               ms=9 if r.n == 1 else 5, zorder=12)
                lines_s.append((r, j, ln))
                heads_s.append((r, j, hd))
                animated += [ln, hd]
    # the text
    texts = []
    single = len(rs) == 1 and rs[0].n == 1
    mono = {"family": "monospace", "size": 9}
    box = dict(boxstyle="round,pad=0.45", fc="white", ec="#cccccc", lw=0.7, alpha=0.88)
    if text:
        host_ax = axc
        if single:
            if host_ax is not None:
                t = host_ax.text(0.025, 0.975, "", transform=host_ax.transAxes, ha="left", va="top",
                                 fontdict=mono, bbox=box, zorder=30)
            else:
                t = fig.text(0.02, 0.93, "", ha="left", va="top", fontdict=mono, bbox=box, zorder=30)
            texts.append(t)
        else:
            if host_ax is not None:
                header = host_ax.text(0.025, 0.975, "", transform=host_ax.transAxes, ha="left", va="top",
                                      fontdict={**mono, "weight": "bold"}, zorder=30, bbox=box)
            else:
                header = fig.text(0.02, 0.93, "", ha="left", va="top", fontdict={**mono, "weight": "bold"},
                                  zorder=30, bbox=box)
            texts.append(header)
            shown = [r for r in rs if r.n == 1][:8]
            for k, r in enumerate(shown):
                if host_ax is not None:
                    tt = host_ax.text(0.025, 0.975, "", transform=host_ax.transAxes, ha="left", va="top",
                                      fontdict=mono, color=r.color, zorder=31)
                else:
                    tt = fig.text(0.02, 0.93, "", ha="left", va="top", fontdict=mono, color=r.color, zorder=31)
                texts.append(tt)
        animated += texts
    title_text = _default_title(f, rs) if title is None else title
    if title_text:
        if view == "both":
            fig.suptitle(title_text, fontsize=13, fontweight="bold")
        else:
            (axc or axs).set_title(title_text)
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=r.color, lw=2.2, label=r.label) for r in rs]
    if len(minima_of(f, 2)):
        handles.append(Line2D([], [], **{**S.MINIMUM, "label": "minimum"}))
    if len(handles) > 1 or not single:
        S.legend_below(fig, axc or axs, handles, own=True)

    def update(i):
        s = int(steps[i])
        for (r, j, ln), (_, _, hd) in zip(lines_c, heads_c):
            xy = _trail(r, j, r.slot(s, j), b)
            ln.set_data(xy[:, 0], xy[:, 1])
            hd.set_data(xy[-1:, 0], xy[-1:, 1])
            if r.diverged(j) and r.stopped(s, j):
                hd.set_marker("X")
            else:
                hd.set_marker("o")
        for (r, j, ln), (_, _, hd) in zip(lines_s, heads_s):
            xy = _trail(r, j, r.slot(s, j), b)
            ins = np.all((xy >= b[:, 0]) & (xy <= b[:, 1]), axis=1)
            if not ins.all():
                xy = xy[: max(int(np.argmin(ins)), 1)]
            z = np.clip(tf(obj(xy)), zlo, zhi) + lift
            ln.set_data_3d(xy[:, 0], xy[:, 1], z)
            hd.set_data_3d(xy[-1:, 0], xy[-1:, 1], z[-1:])
        if texts:
            if single:
                texts[0].set_text(_frame_text_single(rs[0], obj, s, last))
            else:
                rows = _frame_text_race([r for r in rs if r.n == 1][:8], obj, s)
                # the header's box spans the table; each row is its own coloured text on top of it
                texts[0].set_text(f"step {s} / {last}" + "".join("\n" + " " * len(row) for row in rows))
                for k, (tt, row) in enumerate(zip(texts[1:], rows)):
                    tt.set_text("\n" * (k + 1) + row)

    movie = Movie(fig, update, steps, animated=animated, fps=rate, hold=hold, colors=colors)
    return _finish(movie, path)


def _animate_1d(f, rs, steps, last, rate, hold, bounds, text, title, figsize, dpi):
    from ._landscape import _bounds_1d, _curve_1d, _default_title, _labels_1d
    if f is None:
        raise ValueError("animating a 1-D run needs its function")
    obj = objective(f, 1)
    b = _bounds_1d(f, rs, bounds)
    fig, ax = S.new_figure(figsize=figsize or (6.6, 4.8), dpi=dpi)
    _, ys = _curve_1d(ax, obj, b[0])
    fin = ys[np.isfinite(ys)]
    lo, hi = (fin.min(), fin.max()) if fin.size else (-1.0, 1.0)  # NaN everywhere: an empty curve
    pad = 0.08 * (hi - lo if hi > lo else 1.0)
    ax.set_xlim(*b[0])
    ax.set_ylim(lo - pad, hi + 2 * pad)
    mins = minima_of(f, 1)
    if mins.shape[-1] == 1 and len(mins):
        ax.plot(mins[:, 0], obj(mins), **S.MINIMUM)
    ax.grid(True)
    xlabel, ylabel = _labels_1d(f, None, None)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_default_title(f, rs) if title is None else title)
    animated, items = [], []
    for r in rs:
        x0 = r.params[0, 0, 0]
        ax.plot(x0, obj(np.array([[x0]]))[0], color=r.color, mec=r.color, **S.START)
        tr, = ax.plot([], [], ls=(0, (1.5, 2.0)), marker="o", ms=4, color=r.color, lw=1.4, zorder=4)
        hd, = ax.plot([], [], "o", ms=10, color=r.color, mec="white", mew=1.5, zorder=6)
        items.append((r, tr, hd))
        animated += [tr, hd]
    mono = {"family": "monospace", "size": 9}
    t = ax.text(0.025, 0.975, "", transform=ax.transAxes, ha="left", va="top", fontdict=mono, zorder=30,
                bbox=dict(boxstyle="round,pad=0.45", fc="white", ec="#cccccc", lw=0.7, alpha=0.88))
    if text:
        animated.append(t)
    if len(rs) > 1:
        from matplotlib.lines import Line2D
        S.legend_below(fig, ax, [Line2D([], [], color=r.color, lw=2, label=r.label) for r in rs], own=True)

    def update(i):
        s = int(steps[i])
        for r, tr, hd in items:
            xs = r.params[: r.slot(s, 0) + 1, 0, 0]
            xs = xs[np.isfinite(xs)]
            ys_ = obj(xs[:, None])
            tr.set_data(xs, ys_)
            hd.set_data(xs[-1:], ys_[-1:])
        if text:
            if len(rs) == 1:
                t.set_text(_frame_text_single(rs[0], obj, s, last))
            else:
                t.set_text(f"step {s} / {last}\n" + "\n".join(_frame_text_race(rs, obj, s)))

    return Movie(fig, update, steps, animated=animated, fps=rate, hold=hold, colors=[r.color for r in rs])


# ---------------------------------------------------------------------------------------------
# training


def _snapshot_callback_class():
    from gdlab.nn.callbacks import Callback

    class SnapshotCallback(Callback):
        """Record the model's predictions on a fixed grid after every epoch, for
        :func:`animate_training`::

            snap = gdlab.viz.SnapshotCallback(x)          # x: the training inputs (1 or 2 features)
            history = model.fit(x, y, epochs=60, callbacks=[snap])
            gdlab.viz.animate_training(snap, x, y, history=history, path="training.gif")

        ``resolution``: grid points per side (default 100 for 2-D, 300 for 1-D inputs);
        ``every``: record every k-th epoch. Attributes: ``grid`` (m, d), ``epochs`` (epochs done
        at each snapshot, 0 = before training), ``predictions`` (list of float32 arrays).
        """

        def __init__(self, x, resolution=None, every=1):
            super().__init__()
            from ._models import training_grid
            x = np.asarray(x, float)
            two_d = x.ndim == 2 and x.shape[1] == 2
            self.resolution = int(resolution or (100 if two_d else 300))
            self.grid = training_grid(x, self.resolution)
            self.every = max(1, int(every))
            self.epochs = []
            self.predictions = []
            self._done = 0

        def _record(self):
            from ._models import predict_with
            self.predictions.append(np.asarray(predict_with(self.model, self.grid), np.float32))
            self.epochs.append(self._done)

        def on_train_begin(self, logs=None):
            if not self.epochs:
                self._record()

        def on_epoch_end(self, epoch, logs=None):
            self._done += 1
            if self._done % self.every == 0:
                self._record()

    return SnapshotCallback


_SNAPSHOT_CLASS = None


def __getattr__(name):
    global _SNAPSHOT_CLASS
    if name == "SnapshotCallback":
        if _SNAPSHOT_CLASS is None:
            _SNAPSHOT_CLASS = _snapshot_callback_class()
        return _SNAPSHOT_CLASS
    raise AttributeError(name)


def _snapshots(snapshots, x, grid, resolution, two_d):
    """(grid, list of prediction arrays or callables, epochs)."""
    from ._models import training_grid
    if hasattr(snapshots, "predictions") and hasattr(snapshots, "grid"):
        return np.asarray(snapshots.grid, float), list(snapshots.predictions), list(getattr(snapshots, "epochs", []))
    items = list(snapshots)
    if not items:
        raise ValueError("animate_training needs at least one snapshot")
    if grid is None:
        if resolution is None and not callable(items[0]) and not callable(getattr(items[0], "predict", None)):
            m = np.asarray(items[0]).shape[0]
            resolution = int(round(np.sqrt(m))) if two_d else m
        grid = training_grid(x, resolution)
    return np.asarray(grid, float), items, []


@S.styled
def animate_training(snapshots, x, y=None, *, epochs=None, history=None, kind="auto", grid=None, resolution=None,
                     frames=60, fps=8, duration=None, hold=1.5, class_names=None, title=None, figsize=None,
                     dpi=None, path=None):
    """Animate training by epoch: the fitted curve (1 input feature) or the decision regions (2).

    ``snapshots``: a :class:`SnapshotCallback` used in ``fit``; or a list, one per epoch, of
    predict callables / models, or of prediction arrays on ``grid`` (default
    ``training_grid(x, resolution)``, whose resolution is inferred from the arrays). ``epochs``:
    the epoch of each snapshot (default 0, 1, 2, ... where the first is before training when
    it comes from a SnapshotCallback, else 1, 2, ...). ``history``: a History, adds the loss
    curve with the current epoch marked and the loss/accuracy in the text. Long trainings are
    subsampled to ``frames`` frames, the last kept. ``path``: also save (.gif, .mp4, .html).
    Returns a :class:`Movie`.
    """
    from ._models import boundary_field, class_scores, predict_with, region_image
    x = np.asarray(x, float)
    two_d = x.ndim == 2 and x.shape[1] == 2
    if kind == "auto":
        kind = "regions" if two_d else "fit"
    if kind not in ("fit", "regions"):
        raise ValueError(f"kind must be 'fit', 'regions' or 'auto', got {kind!r}")
    if kind == "regions" and not two_d:
        raise ValueError(f"decision regions need inputs with 2 features; x has shape {x.shape}")
    g, items, snap_epochs = _snapshots(snapshots, x, grid, resolution, two_d)
    if epochs is None:
        epochs = snap_epochs or list(range(1, len(items) + 1))
    epochs = [int(e) for e in epochs]
    if len(epochs) != len(items):
        raise ValueError(f"{len(items)} snapshots but {len(epochs)} epoch labels")
    pick = frame_indices(len(items) - 1, frames)
    rate = _pace(frames, fps, duration, len(pick))

    def prediction(k):
        it = items[k]
        if callable(it) or callable(getattr(it, "predict", None)):
            return np.asarray(predict_with(it, g))
        return np.asarray(it)

    hist = None
    if history is not None:
        hist = dict(history.history) if hasattr(history, "history") else dict(history)
    ncols = 2 if hist and hist.get("loss") else 1
    fig, axes = S.new_figure(1, ncols, figsize=figsize or ((11.5, 4.8) if ncols == 2 else (6.4, 5.2)), dpi=dpi,
                             squeeze=False, width_ratios=[1.2, 1.0] if ncols == 2 else None)
    ax = axes[0, 0]
    animated = []
    if kind == "regions":
        res = int(round(np.sqrt(g.shape[0])))
        if res * res != g.shape[0]:
            raise ValueError("region snapshots need a square grid of points (see training_grid)")
        extent = (g[:, 0].min(), g[:, 0].max(), g[:, 1].min(), g[:, 1].max())
        cls0, conf0 = class_scores(prediction(int(pick[0])))
        im = ax.imshow(region_image(cls0, conf0, (res, res), boundary=False), origin="lower", extent=extent,
                       interpolation="bilinear", aspect="auto", zorder=0)
        animated.append(im)
        gx, gy = g[:, 0].reshape(res, res), g[:, 1].reshape(res, res)
        boundary = {"set": None}
        if y is not None:
            yy = np.asarray(y).reshape(-1).astype(int)
            colors = np.array([S.CLASS_COLORS[c % len(S.CLASS_COLORS)] for c in yy])
            sc = ax.scatter(x[:, 0], x[:, 1], s=20, c=colors, edgecolors="white", linewidths=0.6, zorder=3)
        else:
            sc = ax.scatter(x[:, 0], x[:, 1], s=16, color="#333333", edgecolors="white", linewidths=0.5, zorder=3)
        animated.append(sc)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
        for side in ("top", "right"):
            ax.spines[side].set_visible(True)
        if y is not None:
            from matplotlib.lines import Line2D
            handles = [Line2D([], [], ls="none", marker="o", mfc=S.CLASS_COLORS[c % len(S.CLASS_COLORS)],
                              mec="white", ms=7,
                              label=(class_names[c] if class_names is not None and c < len(class_names)
                                     else f"class {c}")) for c in np.unique(yy)]
            S.legend_below(fig, ax, handles, own=True)
        fit_line = None
    else:
        xs = x.reshape(-1)
        if y is not None:
            ax.scatter(xs, np.asarray(y, float).reshape(-1), s=22, color="#5b6b80", edgecolors="white",
                       linewidths=0.6, zorder=3, label="data")
        fit_line, = ax.plot([], [], color=S.CYCLE[1], lw=2.4, zorder=4, path_effects=S.halo(4.0), label="model")
        animated.append(fit_line)
        preds = [np.asarray(prediction(int(k)), float).reshape(len(g), -1)[:, 0] for k in pick]
        allv = np.concatenate([p[np.isfinite(p)] for p in preds] +
                              ([np.asarray(y, float).reshape(-1)] if y is not None else []))
        lo, hi = np.percentile(allv, [0.5, 99.5]) if allv.size else (0.0, 1.0)
        if y is not None:
            yv = np.asarray(y, float).reshape(-1)
            lo, hi = min(lo, yv.min()), max(hi, yv.max())
        pad = 0.08 * (hi - lo if hi > lo else 1.0)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(g[:, 0].min(), g[:, 0].max())
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.grid(True)
        S.legend_below(fig, ax, own=True)
    mono = {"family": "monospace", "size": 9}
    label = ax.text(0.025, 0.975, "", transform=ax.transAxes, ha="left", va="top", fontdict=mono, zorder=30,
                    bbox=dict(boxstyle="round,pad=0.45", fc="white", ec="#cccccc", lw=0.7, alpha=0.88))
    animated.append(label)
    loss_line = loss_dot = None
    if ncols == 2:
        axl = axes[0, 1]
        loss = np.asarray(hist["loss"], float)
        ep = np.arange(1, len(loss) + 1)
        axl.plot(ep, loss, color="#bbbbbb", lw=1.5, zorder=1)
        val = hist.get("val_loss")
        if val:
            axl.plot(np.arange(1, len(val) + 1), val, color="#bbbbbb", lw=1.2, ls="--", zorder=1)
        if loss.size and np.all(loss[np.isfinite(loss)] > 0) and np.nanmax(loss) / max(np.nanmin(loss), 1e-300) > 30:
            axl.set_yscale("log")
        loss_line, = axl.plot([], [], color=S.CYCLE[0], lw=2.2, zorder=3)
        loss_dot, = axl.plot([], [], "o", color=S.CYCLE[0], mec="white", mew=1.2, ms=8, zorder=4)
        animated += [loss_line, loss_dot]
        axl.set_xlabel("epoch")
        axl.set_ylabel("loss")
        axl.set_title("training loss" + (" (dashed: validation)" if val else ""))
        axl.grid(True)
        axl.margins(x=0.02)
    ax.set_title(title if title is not None else ("decision regions" if kind == "regions" else "fit")
                 + " by epoch")

    def update(i):
        k = int(pick[i])
        e = epochs[k]
        pred = prediction(k)
        if kind == "regions":
            cls, conf = class_scores(pred)
            animated[0].set_data(region_image(cls, conf, (res, res), boundary=False))
            # the boundary: a fresh contour set each frame, drawn right after the regions
            old = boundary["set"]
            if old is not None:
                animated.remove(old)
                old.remove()
                boundary["set"] = None
            if cls.min() != cls.max():
                field, lv = boundary_field(pred, cls)
                cs = ax.contour(gx, gy, field.reshape(res, res), levels=lv, colors="#333333", linewidths=1.2,
                                zorder=1)
                cs.set_animated(True)
                animated.insert(1, cs)
                boundary["set"] = cs
        else:
            fit_line.set_data(g[:, 0], np.asarray(pred, float).reshape(len(g), -1)[:, 0])
        lines = [f"epoch {e:>4d}"]
        if hist:
            for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                vals = hist.get(key)
                if vals and 1 <= e <= len(vals):
                    lines.append(f"{key:<12} {_fmt(float(vals[e - 1]))}")
        if kind == "regions" and y is not None:
            pc, _ = class_scores(np.asarray(predict_with(items[k], x))) if callable(items[k]) or \
                callable(getattr(items[k], "predict", None)) else (None, None)
            if pc is not None:
                lines.append(f"{'accuracy':<12} {np.mean(pc == np.asarray(y).reshape(-1)):.3f}")
        label.set_text("\n".join(dict.fromkeys(lines)))
        if loss_line is not None:
            loss = np.asarray(hist["loss"], float)
            upto = max(0, min(e, len(loss)))
            loss_line.set_data(np.arange(1, upto + 1), loss[:upto])
            loss_dot.set_data([upto] if upto else [], [loss[upto - 1]] if upto else [])

    movie = Movie(fig, update, [epochs[int(k)] for k in pick], animated=animated, fps=rate, hold=hold,
                  colors=S.CLASS_COLORS[:4])
    return _finish(movie, path)
