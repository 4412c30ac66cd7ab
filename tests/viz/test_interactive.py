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
