"""Figures of network loss landscapes and sharpness: drawn from the nn layer's results, never computed here."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from gdlab import viz
from gdlab.viz import to_array


def _surface(kind="filter", points=None):
    a = np.linspace(-1, 1, 15)
    b = np.linspace(-0.5, 1.5, 11)
    A, B = np.meshgrid(a, b)
    loss = 0.01 + 3 * (A ** 2 + 0.5 * (B - 0.2) ** 2) ** 1.5  # spans ~100x: drawn on a log scale
    plane = SimpleNamespace(kind=kind, labels=("d₁ (filter-normalised)", "d₂"), points=points or {})
    return SimpleNamespace(alpha=a, beta=b, loss=loss, plane=plane, loss_name="sparse_categorical_crossentropy")


def _line(kind="interpolation"):
    a = np.union1d(np.linspace(-0.5, 1.5, 21), [0.0, 1.0])
    return SimpleNamespace(alpha=a, loss=0.05 + 2.5 * (a - 1.1) ** 2, kind=kind, labels=("init", "trained"),
                           metrics={"accuracy": np.clip(0.1 + 0.9 * a, 0, 1)}, loss_name="cross_entropy")


def test_landscape_1d_draws_both_ends_and_the_accuracy(ink, tmp_path):
    fig = viz.landscape_1d({"train": _line(), "test": _line()}, path=tmp_path / "l.png")
    assert (tmp_path / "l.png").stat().st_size > 0
    assert ink(to_array(fig)) > 0.05
    ax, twin = fig.axes[0], fig.axes[1]
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.texts] == ["init", "trained"]
    curves = [ln for ln in ax.lines if len(ln.get_xdata()) == len(_line().alpha)]
    assert len(curves) == 2 and np.allclose(curves[0].get_ydata(), _line().loss)
    assert len(twin.lines) == 2 and twin.get_ylim()[1] <= 1.05
    # a plain slice: no ends to name, one curve, no second axis without metrics
    plain = _line("direction")
    plain.metrics = {}
    fig = viz.landscape_1d(plain)
    assert len(fig.axes) == 1 and not fig.axes[0].texts


@pytest.mark.parametrize("view", ["both", "contour", "surface"])
def test_landscape_2d_views(ink, view):
    path = np.column_stack([np.linspace(-0.8, 0, 12), np.linspace(1.2, 0, 12)])
    fig = viz.landscape_2d(_surface(), {"Adam": path}, view=view)
    assert ink(to_array(fig)) > 0.1
    if view != "surface":
        ax = fig.axes[0]
        drawn = [ln for ln in ax.lines if ln.get_label() == "Adam"][0]
        assert np.allclose(drawn.get_xydata(), path)
        assert ax.get_xlabel() == "d₁ (filter-normalised)"
        assert any(t.get_text() == "the model's weights" for t in ax.texts)
        bar = fig.axes[-1]  # the colour bar is added last
        assert "cross-entropy (log scale)" in bar.get_ylabel()


def test_landscape_2d_marks_the_named_points_of_a_shared_plane():
    pts = {"init": (0.0, 0.0), "gd": (1.0, 0.0), "adam": (0.3, 1.2), "outside": (5.0, 5.0)}
    fig = viz.landscape_2d(_surface("shared", pts), view="contour")
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["adam", "gd", "init"]
    assert "start and two trained endpoints" in fig.axes[0].get_title()


def test_landscape_2d_refuses_a_loss_of_the_wrong_shape():
    s = _surface()
    s.loss = s.loss.T
    with pytest.raises(ValueError, match="shape"):
        viz.landscape_2d(s)
    with pytest.raises(ValueError, match="view must be"):
        viz.landscape_2d(_surface(), view="side")
    with pytest.raises(ValueError, match=r"shape \(T, 2\)"):
        viz.landscape_2d(_surface(), {"p": np.zeros((4, 3))})


def test_interactive_landscape_holds_the_grid_and_the_path(tmp_path):
    pytest.importorskip("plotly")
    path = np.column_stack([np.linspace(-0.8, 0, 5), np.linspace(1.2, 0, 5)])
    s = _surface()
    fig = viz.interactive_landscape(s, {"Adam": path}, path=tmp_path / "l.html")
    types = [t.type for t in fig.data]
    assert types.count("contour") == 1 and types.count("surface") == 1 and "scatter3d" in types
    html = (tmp_path / "l.html").read_text(encoding="utf-8")
    assert json.dumps(float(s.loss[3, 4])) in html and "Adam" in html
    import plotly.offline

    body = html.replace(plotly.offline.get_plotlyjs(), "")
    assert len(body) < len(html) - 1_000_000  # plotly.js embedded ...
    assert "<script src" not in body and "https://cdn" not in body  # ... and nothing fetched


def test_sharpness_curve_draws_each_run_and_its_limit(ink, tmp_path):
    steps = list(range(0, 101, 10))
    rec = {"η = 0.1": SimpleNamespace(steps=steps, sharpness=np.linspace(5, 20, 11), threshold=[20.0] * 11),
           "adam": SimpleNamespace(steps=steps, sharpness=np.linspace(5, 1, 11), threshold=[None] * 11)}
    losses = {"η = 0.1": SimpleNamespace(step_losses=list(np.geomspace(1, 0.01, 100))), "adam": [0.5] * 100}
    fig = viz.sharpness_curve(rec, losses=losses, path=tmp_path / "s.png")
    assert ink(to_array(fig)) > 0.05 and (tmp_path / "s.png").exists()
    top, ax = fig.axes[0], fig.axes[1]
    assert top.get_yscale() == "log" and len(top.lines) == 2
    limits = [ln for ln in ax.lines if ln.get_label() == "_thr"]
    assert len(limits) == 1 and set(np.asarray(limits[0].get_ydata(), float)) == {20.0}  # none for adam
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "η = 0.1  (2/η = 20)" in labels and "adam" in labels


def test_a_real_slice_and_callback_draw(ink):
    from gdlab import nn
    from gdlab.nn import curvature, landscape

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((30, 2)), rng.integers(0, 2, 30)
    model = nn.mlp([2, 6, 2], activation="tanh", seed=0, dtype="float64")
    model.compile("sgd", "cross_entropy", lr=0.5)
    trace, cb = nn.WeightHistory(), curvature.SharpnessCallback(x, y, every=2)
    history = model.fit(x, y, epochs=6, batch_size=None, verbose=0, callbacks=[trace, cb])
    plane = landscape.directions(model, kind="pca", history=trace)
    path = landscape.project(trace, plane)
    surf = landscape.slice_2d(model, x, y, plane, span=landscape.path_span(path), steps=9)
    assert ink(to_array(viz.landscape_2d(surf, {"GD": path}))) > 0.1
    assert ink(to_array(viz.sharpness_curve(cb, losses=history))) > 0.05
    line = landscape.slice_1d(model, x, y, plane.d1, steps=7)
    assert ink(to_array(viz.landscape_1d(line))) > 0.03
