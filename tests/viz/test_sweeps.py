"""viz.sweep_heatmap and viz.sweep_curves draw what the rows hold."""

import math

import numpy as np
import pytest

from gdlab import viz


def rows():
    out = []
    for f in ("rosenbrock", "rastrigin"):
        for opt in ("gd", "adam"):
            for lr in (1e-3, 1e-2, 1e-1):
                for seed in (0, 1):
                    diverged = opt == "gd" and lr == 1e-1
                    score = math.inf if diverged else lr * (1 + seed) * (2 if opt == "gd" else 1)
                    out.append({"function": f, "optimizer": opt, "lr": lr, "seed": seed,
                                "status": "diverged" if diverged else "max_steps", "final_loss": score,
                                "score": score})
    out.append({"function": "rastrigin", "optimizer": "adam", "lr": 1e-2, "seed": 2, "status": "failed",
                "error": "ValueError: boom", "final_loss": None, "score": math.inf})
    return out


def test_heatmap_cells_average_seeds_and_mark_bad_cells(tmp_path):
    fig = viz.sweep_heatmap(rows(), path=tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 5000
    axes = [a for a in fig.axes if a.get_title() in ("rosenbrock", "rastrigin")]
    assert {a.get_title() for a in axes} == {"rosenbrock", "rastrigin"}
    ros = next(a for a in axes if a.get_title() == "rosenbrock")
    Z = ros.images[0].get_array()
    # y: gd, adam (grid order); x: 1e-3, 1e-2, 1e-1; a cell is the mean over seeds 0 and 1 (x1.5)
    assert Z[1, 0] == pytest.approx(1.5e-3) and Z[0, 1] == pytest.approx(3e-2)
    assert np.ma.is_masked(Z[0, 2])  # diverged: no colour, a cross
    assert any(line.get_marker() == "x" for line in ros.lines)
    ras = next(a for a in axes if a.get_title() == "rastrigin")
    assert np.ma.is_masked(ras.images[0].get_array()[1, 1])  # the failed task's cell
    assert any(t.get_text() == "failed" for t in ras.texts)


def test_curves_one_line_per_optimizer_with_the_mean(tmp_path):
    fig = viz.sweep_curves(rows(), path=tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 5000
    ax = next(a for a in fig.axes if a.get_title() == "rosenbrock")
    lines = {line.get_label(): line for line in ax.lines if not line.get_label().startswith("_")}
    assert set(lines) == {"gd", "adam"}
    assert lines["adam"].get_ydata().tolist() == pytest.approx([1.5e-3, 1.5e-2, 1.5e-1])
    gd = lines["gd"].get_ydata()
    assert gd[:2].tolist() == pytest.approx([3e-3, 3e-2]) and np.isnan(gd[2])


def test_sweep_figures_refuse_what_is_not_a_sweep():
    with pytest.raises(ValueError, match="rows of a sweep"):
        viz.sweep_heatmap([])
    with pytest.raises(ValueError, match="no row has 'momentum'"):
        viz.sweep_curves(rows(), x="momentum")
