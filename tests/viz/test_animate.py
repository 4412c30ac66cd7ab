"""Animations: frame counts, formats, the HTML player, training by epoch."""

import re

import numpy as np
import pytest
from PIL import Image

from gdlab import viz


def test_frame_indices_subsample_and_keep_the_last():
    idx = viz.frame_indices(999, 25)
    assert len(idx) == 25 and idx[0] == 0 and idx[-1] == 999 and np.all(np.diff(idx) > 0)
    assert list(viz.frame_indices(4, 25)) == [0, 1, 2, 3, 4]
    assert list(viz.frame_indices(10, 1)) == [10]
    with pytest.raises(ValueError):
        viz.frame_indices(10, 0)


@pytest.mark.parametrize("view", ["contour", "surface", "both"])
def test_gif_has_the_requested_frames(view, fns, run_of, tmp_path):
    run = run_of(fns.rosenbrock, [-1.5, 2.0], "adam", steps=60, lr=0.05)
    path = tmp_path / f"{view}.gif"
    movie = viz.animate(run, view=view, frames=6, fps=10, hold=0.5, resolution=30, path=path)
    assert isinstance(movie, viz.Movie) and len(movie) == 6
    with Image.open(path) as im:
        assert im.n_frames == 6
        durations = []
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
    assert durations[0] == 100 and durations[-1] == 500          # 10 fps; the last frame held


def test_frames_show_step_loss_and_gradient(fns, run_of):
    run = run_of(fns.rosenbrock, [-1.5, 2.0], "gd", steps=20, lr=1e-3)
    movie = viz.animate(run, frames=3, resolution=30)
    first, last = list(movie.frames())[0], movie.frame(2)
    assert first.shape == last.shape and not np.array_equal(first, last)
    texts = [t.get_text() for t in movie.figure.axes[0].texts]
    text = next(t for t in texts if t.startswith("step"))
    assert "step      20 / 20" in text and "loss" in text and "grad" in text
    assert f"{float(run.loss[-1]):.4g}"[:5] in text


def test_race_animation_with_a_table(fns, run_of, tmp_path):
    race = {"gd": run_of(fns.himmelblau, [0.0, 0.0], "gd", steps=30, lr=0.01),
            "adam": run_of(fns.himmelblau, [0.0, 0.0], "adam", steps=30, lr=0.1)}
    movie = viz.animate(race, frames=4, resolution=30, duration=2.0)
    assert movie.fps == pytest.approx(2.0)
    texts = [t.get_text() for t in movie.figure.axes[0].texts]
    list(movie.frames())
    texts = [t.get_text() for t in movie.figure.axes[0].texts]
    assert any("gd" in t and "loss" in t for t in texts) and any("adam" in t for t in texts)


def test_runs_of_several_starts_animate(fns, run_of, tmp_path):
    """One optimizer from several starts (gdlab minimize --start ... --start ... --animate): no per-runner
    table (the rows are for single-start runners), the step in the box, one path per start."""
    many = run_of(fns.himmelblau, np.array([[-4.0, 4.0], [4.0, 4.0], [0.0, 0.0]]), "gd", steps=30, lr=0.01)
    movie = viz.animate(many, frames=4, resolution=30, path=tmp_path / "many.gif")
    with Image.open(tmp_path / "many.gif") as im:
        assert im.n_frames == 4
    texts = [t.get_text() for t in movie.figure.axes[0].texts]
    assert "step 30 / 30" in texts                              # no empty table under the step
    ends = [(ln.get_xdata()[-1], ln.get_ydata()[-1]) for ln in movie.figure.axes[0].lines if len(ln.get_xdata()) > 1]
    for final in np.asarray(many.final):                        # each start's path, drawn to its last step
        assert any(np.allclose(end, final) for end in ends)
    markers = [ln.get_marker() for ln in movie.figure.axes[0].lines]
    assert markers.count("s") == 0 and markers.count("o") >= 3    # rings at the starts, no end square there
    race = {"gd": many, "adam": run_of(fns.himmelblau, np.array([[-4.0, 4.0], [0.0, 0.0]]), "adam", steps=30,
                                       lr=0.1)}
    assert len(viz.animate(race, frames=3, resolution=30)) == 3


def test_a_function_nan_everywhere_animates(tmp_path):
    """(-8)**(1/3)*x is NaN at every x (real semantics): the curve is empty, the run diverged at step 0; the
    animation is still drawn (it was a 'zero-size array' ValueError from the y-limits, found by tests/fuzz)."""
    import gdlab

    run = gdlab.minimize("(-8)**(1/3)*x", 2.0, "gd", steps=2)
    assert run.status == "diverged"
    movie = viz.animate(run, frames=2, path=tmp_path / "nan.gif")
    with Image.open(tmp_path / "nan.gif") as im:
        assert im.n_frames >= 1  # the run stopped at step 0
    assert movie.figure.axes[0].get_ylim() == pytest.approx((-1.16, 1.32))  # the (-1, 1) fallback, padded
    assert viz.tangents(gdlab.functions.resolve_function("(-8)**(1/3)*x"), [1.0], xlim=(0, 2)).axes[0].get_ylim()[0] < 0


def test_a_failed_save_leaves_no_file(fns, run_of, tmp_path, monkeypatch):
    """Figures, animations and reports are written to a temporary file renamed into place at the end."""
    from gdlab.viz import _animate
    run = run_of(fns.rosenbrock, [-1.5, 2.0], "gd", steps=10, lr=1e-3)
    movie = viz.animate(run, frames=3, resolution=30)

    def broken(self, path, fps):
        open(path, "wb").write(b"half a gif")
        raise RuntimeError("disk full")

    monkeypatch.setattr(_animate.Movie, "_save_gif", broken)
    (tmp_path / "old.gif").write_bytes(b"the earlier file")
    for name in ("new.gif", "old.gif"):
        with pytest.raises(RuntimeError, match="disk full"):
            movie.save(tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.gif"]
    assert (tmp_path / "old.gif").read_bytes() == b"the earlier file"    # not half-replaced
    fig = viz.contour(run, resolution=30)
    monkeypatch.setattr(type(fig), "savefig", lambda self, path, **kw: (open(path, "wb").write(b"x"), 1 / 0))
    with pytest.raises(ZeroDivisionError):
        viz.save(fig, tmp_path / "c.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.gif"]


def _player_parts(html):
    """(background, layers) of a player page: the one background PNG, and per frame [x, y, PNG] or None."""
    import json
    background = json.loads(re.search(r'var BG=("[^"]+")', html).group(1))
    layers = json.loads(re.search(r"F=(\[.*?\]), L=", html, re.S).group(1))
    return background, layers


def _png(uri):
    import base64
    import io
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGBA")


def test_html_player_is_self_contained(fns, run_of, tmp_path):
    run = run_of(fns.square, [-5.0], "gd", steps=30, lr=0.1)
    path = viz.animate(run, frames=5).save(tmp_path / "a.html")
    html = open(path, encoding="utf-8").read()
    background, layers = _player_parts(html)
    assert len(layers) == 5 and html.count("data:image/png;base64,") == 1 + sum(f is not None for f in layers)
    assert not re.search(r"<script[^>]+src=", html) and "http" not in html
    assert "<script>" in html and "step" in html


def test_player_icons_are_svg_not_font_symbols(fns, run_of):
    html = viz.animate(run_of(fns.square, [-5.0], "gd", steps=10, lr=0.1), frames=3).to_html()
    for name in ("first", "prev", "play", "next", "last"):
        button = re.search(rf'<button data-a="{name}"[^>]*>(.*?)</button>', html).group(1)
        assert button.startswith("<svg") and "<path" in button
    assert "PAUSE=" in html and html.count("<svg") >= 7          # five buttons, the play and pause icons
    # no media symbol that needs a font: ⏮ ⏭ ⏸ (and their entities) rendered as boxes
    assert not re.search("[\u23ee\u23ed\u23f8]|&#x23E[ED];|&#x23F8;", html, re.I)


def test_player_frames_share_one_background(fns, run_of):
    """Each frame carries only what changed since the frame before; background + layers 0..k is frame k,
    pixel for pixel, and the page is a fraction of what whole frames would weigh."""
    import base64
    import io
    race = {"gd": run_of(fns.rosenbrock, [-1.5, 2.0], "gd", steps=40, lr=1e-3),
            "adam": run_of(fns.rosenbrock, [-1.5, 2.0], "adam", steps=40, lr=0.05)}
    movie = viz.animate(race, frames=8, resolution=40)
    html = movie.to_html()
    background, layers = _player_parts(html)
    frames = list(movie.frames())
    assert len(layers) == len(frames) == 8
    canvas = _png(background)
    whole = 0
    for frame, layer in zip(frames, layers):
        if layer is not None:
            x, y, uri = layer
            canvas.alpha_composite(_png(uri), (x, y))
        assert np.array_equal(np.asarray(canvas.convert("RGB")), frame[..., :3])
        buf = io.BytesIO()
        Image.fromarray(frame[..., :3]).save(buf, format="PNG", optimize=True)
        whole += len(base64.b64encode(buf.getvalue()))
    assert len(html) < 0.5 * whole


def test_mp4_without_ffmpeg_says_how_to_install_it(fns, run_of, tmp_path, monkeypatch):
    from gdlab.viz import _animate
    monkeypatch.setattr(_animate, "ffmpeg_path", lambda: None)
    movie = viz.animate(run_of(fns.square, [-5.0], "gd", steps=5, lr=0.1), frames=3)
    with pytest.raises(RuntimeError, match="apt-get install ffmpeg"):
        movie.save(tmp_path / "a.mp4")
    with pytest.raises(ValueError, match="extension"):
        movie.save(tmp_path / "a.avi")


def test_mp4_with_ffmpeg(fns, run_of, tmp_path):
    from gdlab.viz._animate import ffmpeg_path
    if ffmpeg_path() is None:
        pytest.skip("ffmpeg is not installed")
    path = viz.animate(run_of(fns.square, [-5.0], "gd", steps=5, lr=0.1), frames=4).save(tmp_path / "a.mp4")
    assert open(path, "rb").read(12)[4:8] == b"ftyp"


def test_1d_animation(fns, run_of, tmp_path):
    movie = viz.animate(fns.square, run_of(fns.square, [-5.0], "gd", steps=40, lr=0.1), frames=5,
                        path=tmp_path / "one.gif")
    with Image.open(tmp_path / "one.gif") as im:
        assert im.n_frames == 5
    assert movie.steps[-1] == 40


def test_training_animation_from_prediction_arrays(tmp_path):
    x = np.random.default_rng(0).normal(size=(50, 2))
    y = (x[:, 0] > 0).astype(int)
    grid = viz.training_grid(x, 20)
    snaps = [1 / (1 + np.exp(-(k + 1) * (grid[:, 0] - 0.5 + 0.1 * k))) for k in range(8)]
    movie = viz.animate_training(snaps, x, y, frames=4, path=tmp_path / "t.gif")
    assert list(movie.steps) == [1, 3, 6, 8]
    with Image.open(tmp_path / "t.gif") as im:
        assert im.n_frames == 4


def test_training_animation_of_a_fit_with_history(tmp_path):
    x = np.linspace(-3, 3, 25)
    y = 2 * x ** 2
    snaps = [(lambda X, a=a: a * np.asarray(X)[:, 0] ** 2) for a in np.linspace(0, 2, 6)]
    hist = {"loss": [float(np.mean((a * x ** 2 - y) ** 2)) + 1e-3 for a in np.linspace(0, 2, 6)]}
    movie = viz.animate_training(snaps, x, y, history=hist, frames=6, path=tmp_path / "fit.html")
    assert len(movie.figure.axes) == 2
    html = open(tmp_path / "fit.html", encoding="utf-8").read()
    assert len(_player_parts(html)[1]) == 6
    with pytest.raises(ValueError, match="2 features"):
        viz.animate_training(snaps, x, y, kind="regions")


def test_snapshot_callback_records_each_epoch(tmp_path):
    nn = pytest.importorskip("gdlab.nn")
    from gdlab import datasets
    x, y = datasets.get("moons", n_samples=60, seed=0)
    model = nn.mlp([2, 8, 2], activation="relu", seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy_from_logits", metrics=["accuracy"],
                  lr=0.05)
    snap = viz.SnapshotCallback(x, resolution=16)
    history = model.fit(x, y, epochs=4, batch_size=20, seed=0, verbose=0, callbacks=[snap])
    assert snap.epochs == [0, 1, 2, 3, 4] and snap.predictions[0].shape == (256, 2)
    viz.animate_training(snap, x, y, history=history, path=tmp_path / "r.gif")
    with Image.open(tmp_path / "r.gif") as im:
        assert im.n_frames == 5


def test_gif_palette_keeps_colours_that_appear_late(tmp_path):
    """One palette for the whole animation: a region that turns salmon only in the last frames keeps
    its colour (a palette taken from the first frame alone made it brown)."""
    from gdlab.viz import _style
    fig, ax = _style.new_figure(figsize=(2, 2))
    tints = [(0.62, 0.74, 0.96), (0.55, 0.68, 0.94), (0.95, 0.62, 0.52), (0.93, 0.55, 0.45)]
    im = ax.imshow(np.ones((4, 4, 3)) * tints[0], vmin=0, vmax=1)
    ax.set_axis_off()

    def update(i):
        im.set_data(np.ones((4, 4, 3)) * tints[i])

    viz.Movie(fig, update, range(4), animated=[im]).save(tmp_path / "late.gif")
    with Image.open(tmp_path / "late.gif") as gif:
        for k, tint in enumerate(tints):
            gif.seek(k)
            rgb = np.asarray(gif.convert("RGB"), float)
            centre = rgb[rgb.shape[0] // 2, rgb.shape[1] // 2]
            assert np.abs(centre - 255 * np.array(tint)).max() <= 6, (k, centre)
