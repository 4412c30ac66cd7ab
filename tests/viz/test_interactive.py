"""Interactive reports: the data are in the file, plotly.js is embedded, nothing is fetched."""

import json
import re
from types import SimpleNamespace

import numpy as np
import pytest

from gdlab import viz

pytest.importorskip("plotly")


def _outside_plotly(html):
    import plotly.offline
    body = html.replace(plotly.offline.get_plotlyjs(), "")
    assert len(body) < len(html) - 1_000_000              # plotly.js itself was embedded
    return body


def _no_network(html):
    body = _outside_plotly(html)
    assert not re.search(r"<script[^>]+src=", body)
    assert "https://cdn" not in body and "http://" not in body
    return body


def test_race_report_has_paths_hover_and_no_cdn(fns, run_of, tmp_path):
    race = {"gd": run_of(fns.rosenbrock, [-1.5, 2.0], "gd", steps=40, lr=1e-3),
            "adam": run_of(fns.rosenbrock, [-1.5, 2.0], "adam", steps=40, lr=0.05)}
    fig = viz.interactive(race, resolution=30, path=tmp_path / "r.html")
    types = [t.type for t in fig.data]
    assert "contour" in types and "surface" in types and types.count("scatter3d") >= 2
    body = _no_network(open(tmp_path / "r.html", encoding="utf-8").read())
    assert "adam" in body and "step %{customdata[0]}" in body
    assert json.dumps(float(race["adam"].loss[-1])) in body   # the numbers are in the file as they are
    hover = next(t for t in fig.data if t.type == "scatter" and t.name == "adam")
    assert len(hover.customdata) == 41 and len(hover.customdata[0]) == 5


def test_1d_and_high_dimensional_reports(fns, run_of, tmp_path):
    fig = viz.interactive(fns.square, run_of(fns.square, [-5.0], "gd", steps=10, lr=0.1))
    assert [t.type for t in fig.data].count("scatter") >= 3
    traj = SimpleNamespace(params=np.random.default_rng(0).normal(size=(11, 5)), loss=np.linspace(5, 1, 11),
                           grad_norm=np.linspace(3, 0.1, 11), label="5-D")
    fig = viz.interactive(traj, path=tmp_path / "d.html")
    assert len(fig.data) == 2
    _no_network(open(tmp_path / "d.html", encoding="utf-8").read())


def test_loss_report(fns, run_of, tmp_path):
    fig = viz.interactive_loss({"a": run_of(fns.bowl, [-3.0, 4.0], "gd", steps=20, lr=0.1)},
                               path=tmp_path / "l.html")
    assert [t.name for t in fig.data] == ["a", "a"]
    _no_network(open(tmp_path / "l.html", encoding="utf-8").read())


def test_training_report(tmp_path):
    x = np.random.default_rng(0).normal(size=(40, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    hist = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.6, 0.4], "accuracy": [0.6, 0.8, 0.9]}
    fig = viz.interactive_training(hist, lambda X: (X[:, 0] + X[:, 1] > 0).astype(int), x, y, resolution=20,
                                   path=tmp_path / "t.html")
    types = [t.type for t in fig.data]
    assert "heatmap" in types and types.count("scatter") >= 5
    body = _no_network(open(tmp_path / "t.html", encoding="utf-8").read())
    assert "validation" in body and "0.3" in body
    fig = viz.interactive_training(hist, lambda X: 2 * np.asarray(X)[:, 0], np.linspace(0, 1, 5),
                                   2 * np.linspace(0, 1, 5))
    assert fig.data[-1].name == "model"
    with pytest.raises(ValueError, match=".html"):
        viz.write_html(fig, tmp_path / "t.png")


def _race(fns, run_of, steps=40):
    return {"gd": run_of(fns.rosenbrock, [-1.5, 2.0], "gd", steps=steps, lr=1e-3),
            "adam": run_of(fns.rosenbrock, [-1.5, 2.0], "adam", steps=steps, lr=0.05)}


def test_report_has_a_step_slider_with_play_and_pause(fns, run_of):
    race = _race(fns, run_of, steps=40)
    fig = viz.interactive(race, resolution=30, surface_resolution=20, frames=9)
    steps = [int(fr.name) for fr in fig.frames]
    assert len(steps) == 9 and steps[0] == 0 and steps[-1] == 40
    slider = fig.layout.sliders[0]
    assert [s.args[0][0] for s in slider.steps] == [fr.name for fr in fig.frames]
    assert slider.active == 8                                   # it opens on the last step, paths whole
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert any("play" in t for t in labels) and any("pause" in t for t in labels)
    # a frame moves each run's trail and point on the map, its point on the surface and on the loss curve
    assert len(fig.frames[0].traces) == 2 * 4
    first, last = fig.frames[0], fig.frames[-1]
    trail = next(k for k, d in enumerate(first.data) if d.type == "scatter" and len(d.x) >= 1)
    assert len(first.data[trail].x) == 1 and len(last.data[trail].x) > 10
    adam = np.asarray(race["adam"].params)
    heads = [d for d in last.data if d.type == "scatter" and len(d.x) == 1 and d.y[0] is not None]
    assert any(np.allclose([h.x[0], h.y[0]], adam[-1]) for h in heads)
    assert viz.interactive(race, resolution=30, surface_resolution=20, frames=0).frames == ()


def test_report_colours_and_axes_follow_the_png_figures(fns, run_of):
    from gdlab.viz import _style
    fig = viz.interactive(_race(fns, run_of), resolution=30, surface_resolution=20)
    contour = next(t for t in fig.data if t.type == "contour")
    surface = next(t for t in fig.data if t.type == "surface")
    assert contour.colorscale[0][1].lower() == _style.LANDSCAPE_COLORS[0]       # low values dark (the valley)
    assert contour.colorscale[-1][1].lower() == _style.LANDSCAPE_COLORS[-1]
    assert surface.colorscale[0][1] == "#440154"                                # viridis: dark purple at the bottom
    # the colour bar stands right of the map, its title beside it, not over the plot
    assert contour.colorbar.x >= fig.layout.xaxis.domain[1] and contour.colorbar.title.side == "right"
    # losses in scientific notation (10⁻⁸, not 10n)
    assert fig.layout.yaxis2.exponentformat == "power"


def test_report_paths_ride_above_the_surface(fns, run_of):
    fig = viz.interactive(_race(fns, run_of), resolution=30, surface_resolution=20)
    surface = next(t for t in fig.data if t.type == "surface")
    xs, ys, zs = np.asarray(surface.x), np.asarray(surface.y), np.asarray(surface.z, float)
    path = next(t for t in fig.data if t.type == "scatter3d" and t.name == "adam" and len(t.x) > 5)
    for x, y, z in zip(path.x, path.y, path.z):
        i, j = np.searchsorted(ys, y).clip(1, len(ys) - 1), np.searchsorted(xs, x).clip(1, len(xs) - 1)
        assert z > zs[i - 1:i + 1, j - 1:j + 1].min()     # above the lowest surrounding grid node


def test_report_header_names_function_optimizers_and_settings(fns, run_of):
    gdlab = pytest.importorskip("gdlab")
    runs = gdlab.race("rosenbrock", [-1.5, 2.0], optimizers={"gd": {"lr": 1e-3},
                                                             "heavy": {"optimizer": "momentum", "lr": 1e-3,
                                                                       "momentum": 0.95}}, steps=30)
    html = viz.report_html(viz.interactive(runs, resolution=30, surface_resolution=20), plotlyjs="file")
    header = html[html.index("<header>"): html.index("</header>")]
    assert "rosenbrock(x, y) = 100·(y − x²)² + (1 − x)²" in header
    assert "heavy</dt><dd>momentum (lr=0.001, momentum=0.95), from (-1.5, 2), 30 steps" in header
    assert "nesterov" not in header                                              # switches that are off stay out


def test_training_report_loss_is_logarithmic_and_header_describes_the_model():
    gdlab = pytest.importorskip("gdlab")
    from gdlab import datasets, nn
    x, y = datasets.get("moons", n_samples=60, noise=0.1, seed=0)
    model = nn.mlp([2, 8, 2], activation="relu", seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy_from_logits", metrics=["accuracy"],
                  lr=0.05)
    history = model.fit(x, y, epochs=30, batch_size=20, seed=0, verbose=0)
    fig = viz.interactive_training(history, model, x, y, resolution=15, details={"data set": "moons, 60 samples"})
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.exponentformat == "power"
    html = viz.report_html(fig, plotlyjs="file")
    header = html[html.index("<header>"): html.index("</header>")]
    assert "data set</dt><dd>moons, 60 samples" in header
    assert "Linear(2→8) → ReLU → Linear(8→2)" in header and "Adam (lr=0.05" in header and "30 epochs" in header


def test_plotlyjs_file_writes_one_copy_beside_the_reports(fns, run_of, tmp_path):
    import plotly.offline
    race = _race(fns, run_of)
    a = viz.interactive(race, resolution=30, surface_resolution=20, plotlyjs="file", path=tmp_path / "a.html")
    viz.interactive_loss(race, plotlyjs="file", path=tmp_path / "b.html")
    js = tmp_path / "plotly.min.js"
    assert js.read_text(encoding="utf-8") == plotly.offline.get_plotlyjs()
    for name in ("a.html", "b.html"):
        html = (tmp_path / name).read_text(encoding="utf-8")
        assert '<script src="plotly.min.js"></script>' in html and len(html) < 1_000_000
        assert plotly.offline.get_plotlyjs()[:2000] not in html
    assert a.frames                                                      # the same figure as inline
    with pytest.raises(ValueError, match="plotlyjs"):
        viz.write_html(a, tmp_path / "c.html", plotlyjs="cdn")
