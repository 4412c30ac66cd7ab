"""1-D and 2-D landscapes: each figure draws what it should."""

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from gdlab import viz


def _lines(ax, **match):
    out = [ln for ln in ax.get_lines()]
    for key, value in match.items():
        out = [ln for ln in out if getattr(ln, f"get_{key}")() == value]
    return out


def _legend_texts(fig):
    return [t.get_text() for leg in fig.legends + [a.get_legend() for a in fig.axes if a.get_legend()]
            for t in leg.get_texts()]


def test_path_1d_draws_points_order_and_arrows(fns, run_of, ink):
    run = run_of(fns.square, [-5.0], "gd", steps=30, lr=0.1)
    fig = viz.path_1d(fns.square, run, arrows=3, numbers=4)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 1 and len(scatters[0].get_offsets()) == len(run.params)
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == 3
    numbers = [t.get_text() for t in ax.texts if t.get_text()]
    assert numbers[:4] == ["0", "1", "2", "3"]
    assert ink(viz.to_array(fig)) > 0.05
    assert "minimum" in _legend_texts(fig)


def test_path_1d_takes_a_plain_list_of_visited_points(fns):
    w = [-5.0]
    for _ in range(10):
        w.append(w[-1] - 0.1 * 2 * w[-1])
    fig = viz.path_1d(lambda x: x ** 2, w, xlim=(-6, 6), title="梯度下降法")
    offsets = fig.axes[0].collections[0].get_offsets()
    assert np.allclose(offsets[:, 0], w) and np.allclose(offsets[:, 1], np.square(w))


def test_tangents_give_the_slopes_of_seed_004(fns):
    fig = viz.tangents(fns.seed004, [5.0, 10.0], xlim=(0, 20))
    texts = " ".join(_legend_texts(fig))
    assert "slope 0.2" in texts and "slope 0.3" in texts
    dashed = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 2


def test_contour_race_with_markers_and_log_levels(fns, run_of, ink):
    race = {"gd": run_of(fns.rosenbrock, [-1.5, 2.0], "gd", steps=60, lr=1e-3),
            "adam": run_of(fns.rosenbrock, [-1.5, 2.0], "adam", steps=60, lr=0.05)}
    fig = viz.contour(race, resolution=60)
    ax = fig.axes[0]
    labelled = [ln.get_label() for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert any(lab.startswith("gd") for lab in labelled) and any(lab.startswith("adam") for lab in labelled)
    stars = [ln for ln in ax.get_lines() if ln.get_marker() == "*"]
    assert len(stars) == 1 and np.allclose(stars[0].get_xydata(), [[1.0, 1.0]])
    starts = [ln for ln in ax.get_lines() if ln.get_marker() == "o" and ln.get_markerfacecolor() == "white"]
    assert len(starts) == 2
    cs = ax.collections[0]
    lv = np.asarray(cs.levels)
    assert (lv[-1] - lv[0]) / (lv[2] - lv[0]) > 100     # log-spaced levels on Rosenbrock
    assert ink(viz.to_array(fig)) > 0.5
    assert len(fig.axes) == 2                               # the map and its colorbar


def test_contour_from_a_plain_callable_in_the_seed_style():
    def function_2(x):                                      # seed 004: x[0]**2 + x[1]**2
        return x[0] ** 2 + x[1] ** 2
    path = np.array([[-3.0, 4.0], [-2.4, 3.2], [-1.92, 2.56]])
    fig = viz.contour(function_2, path, bounds=[[-4, 4], [-5, 5]], resolution=40)
    z = fig.axes[0].collections[0]
    assert len(z.levels) > 5
    assert viz.contour_levels(np.array([0.0, 1.0])).size > 2


def test_diverged_run_gets_a_cross(fns, run_of):
    run = run_of(fns.bowl, [-3.0, 4.0], "gd", steps=100, lr=1.1)
    assert str(run.status) == "diverged"
    fig = viz.contour(fns.bowl, run, resolution=40)
    crosses = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "X"]
    assert len(crosses) == 1
    assert any("diverged" in t for t in _legend_texts(fig))


def test_gradient_field_arrows_point_downhill(fns):
    fig = viz.gradient_field(fns.bowl, bounds=[[-2, 2], [-2, 2]], density=9, contours=False)
    q = next(c for c in fig.axes[0].collections if c.__class__.__name__ == "Quiver")
    assert q.N == 81
    x, u = q.X.ravel(), np.asarray(q.U).ravel()
    assert np.all(u[x > 0.1] < 0) and np.all(u[x < -0.1] > 0)    # −∇f of a bowl points to the centre
    assert np.allclose(np.hypot(q.U, q.V)[np.hypot(q.U, q.V) > 0], 1.0)  # normalised


def test_surface_has_the_paths_on_it(fns, run_of, ink):
    race = {"gd": run_of(fns.himmelblau, [0.0, 0.0], "gd", steps=40, lr=0.01),
            "momentum": run_of(fns.himmelblau, [0.0, 0.0], "momentum", steps=40, lr=0.01, momentum=0.9)}
    fig = viz.surface(race, resolution=30)
    ax = fig.axes[0]
    assert ax.name == "3d"
    paths = [ln for ln in ax.get_lines() if ln.get_label() in ("gd", "momentum")]
    assert len(paths) == 2 and len(paths[0].get_data_3d()[0]) == 41
    assert ink(viz.to_array(fig)) > 0.15


def test_contour_and_surface_side_by_side(fns, run_of):
    run = run_of(fns.rosenbrock, [-1.5, 2.0], "adam", steps=30, lr=0.05)
    fig = viz.contour_and_surface(run, resolution=40, surface_resolution=25)
    names = [a.name for a in fig.axes]
    assert names.count("3d") == 1 and names.count("rectilinear") == 2   # map, surface, colorbar


def test_side_by_side_one_panel_per_learning_rate(fns, run_of):
    runs = {f"lr {lr:g}": run_of(fns.square, [-5.0], "gd", steps=20, lr=lr) for lr in (0.01, 0.1, 0.9)}
    fig = viz.side_by_side(fns.square, runs)
    # each panel is a subfigure titled with its run; the axes' title under it is the note
    assert [p._suptitle.get_text() for p in fig.subfigs] == ["lr 0.01", "lr 0.1", "lr 0.9"]
    assert all(a.get_title().startswith("end (") for a in fig.axes)
    runs2 = {f"lr {lr:g}": run_of(fns.bowl, [-3.0, 4.0], "gd", steps=100, lr=lr) for lr in (1.1, 1e-10, 0.1)}
    fig2 = viz.side_by_side(fns.bowl, runs2, ncols=2, resolution=40)
    assert len(fig2.axes) == 3 and len(fig2.subfigs) == 4
    notes = [a.get_title() for a in fig2.axes]
    assert sum(n.strip().startswith("diverged at step") for n in notes) == 1
    assert len({n.count("\n") for n in notes}) == 1           # padded: the axes of a row keep one height
    fig2.canvas.draw()
    heights = [a.get_window_extent().height for a in fig2.axes[:2]]
    assert abs(heights[0] - heights[1]) < 0.02 * heights[0], heights


def test_side_by_side_titles_clear_the_suptitle(fns, run_of):
    """The figure's title, each panel's title and its note do not overlap (they did over
    equal-aspect axes, whose padded titles the constrained layout did not make room for)."""
    runs = {f"(10, {y0:g}), lr 0.004": run_of(fns.saddle, [10.0, y0], "gd", steps=50, lr=0.004)
            for y0 in (0.0, 0.01, 0.1)}
    fig = viz.side_by_side(fns.saddle, runs, bounds=[[-11, 11], [-11, 11]], resolution=30, suptitle="saddle",
                           dpi=100)
    viz.to_array(fig)
    renderer = fig.canvas.get_renderer()
    top = fig._suptitle.get_window_extent(renderer)
    texts = [t for ax in fig.axes for t in [ax.title, *ax.texts] if t.get_text()]
    texts += [panel._suptitle for panel in fig.subfigs]
    assert len(texts) == 6                                # three run titles, three notes
    for text in texts:
        assert text.get_window_extent(renderer).y1 <= top.y0 + 0.5, text.get_text()
    for panel, ax in zip(fig.subfigs, fig.axes):
        title = panel._suptitle.get_window_extent(renderer)
        note = ax.title.get_window_extent(renderer)
        assert note.y1 <= title.y0 + 0.5
        assert ax.get_window_extent(renderer).y1 <= note.y0 + 0.5


def test_wrong_dimension_is_a_clear_error(fns):
    with pytest.raises(ValueError, match="2 variables"):
        viz.contour(fns.square)


def test_drawing_into_the_users_axes(fns):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = Figure(figsize=(4, 3), dpi=40)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    out = viz.contour(fns.bowl, np.array([[1.0, 1.0], [0.0, 0.0]]), ax=ax, colorbar=False, resolution=30)
    assert out is fig and ax.get_lines()
    assert isinstance(ax.get_lines()[0], Line2D)
