import numpy as np
import pytest

from gdlab import viz


def test_grid_starts_row_by_row():
    s = viz.grid_starts([[-1, 1], [0, 2]], (3, 2))
    assert s.shape == (6, 2)
    assert np.allclose(s[:3, 1], 0) and np.allclose(s[:3, 0], [-1, 0, 1])
    with pytest.raises(ValueError):
        viz.grid_starts([[-1, 1], [0, 2]], 1)


def test_basins_of_himmelblau(fns, run_of):
    f = fns.himmelblau
    minima = np.asarray(f.minima, float)
    starts = minima + 0.3                                   # each start near its own minimum
    run = run_of(f, starts, "gd", steps=200, lr=0.01)
    res = viz.basins(run)
    assert list(res.label) == [0, 1, 2, 3]
    assert np.all(res.steps > 0) and res.share[-1] == 0


def test_basins_none_for_diverged_starts(fns, run_of):
    run = run_of(fns.bowl, np.array([[0.5, 0.5], [3.0, 4.0]]), "gd", steps=100, lr=[0.1, 0.1][0])
    res = viz.basins(run, tol=1e-3)
    assert res.label[0] == 0
    far = run_of(fns.bowl, np.array([[3.0, 4.0]]), "gd", steps=100, lr=1.1)
    assert viz.basins(far).label[0] == -1


def test_basin_map_colours_and_shading(fns, run_of, ink):
    f = fns.himmelblau
    n = 12
    run = run_of(f, viz.grid_starts(f.bounds, n), "gd", steps=150, lr=0.01)
    fig = viz.basin_map(f, run)
    ax = fig.axes[0]
    (img,) = ax.images
    assert img.get_array().shape[:2] == (n, n)
    assert len([ln for ln in ax.get_lines() if ln.get_marker() == "*"]) == 4
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert sum("%" in t for t in legend) >= 4
    assert ink(viz.to_array(fig)) > 0.3
    fig2 = viz.basin_map(run, grid=(n, n), speed=False, contours=False)   # f from the run
    assert len(fig2.axes) == 1                                            # no speed colour bar
    with pytest.raises(ValueError, match="grid"):
        viz.basin_map(run, grid=(5, 5))
