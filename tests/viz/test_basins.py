import numpy as np
import pytest

from gdlab import runs, viz


def test_basin_numbers_come_from_runs():
    """viz draws and computes nothing: its old names are gdlab.runs' functions."""
    assert viz.basins is runs.basins and viz.grid_starts is runs.grid_starts


def test_basin_map_colours_and_shading(fns, run_of, ink):
    f = fns.himmelblau
    n = 12
    run = run_of(f, runs.grid_starts(f.bounds, n), "gd", steps=150, lr=0.01)
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
