"""LiveRace, the fast-redrawing picture of gdlab.widgets.explore, and training_png."""

import io

import numpy as np
import pytest
from PIL import Image

import gdlab
from gdlab import nn
from gdlab.viz._live import LiveRace, training_png


def _rgb(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


@pytest.fixture(scope="module")
def live():
    return LiveRace(gdlab.functions.get("rosenbrock"), lanes=3)


def test_the_paths_are_drawn_over_the_cached_map_in_their_colours(live):
    empty = _rgb(live.png())
    runs = gdlab.race("rosenbrock", [-1.2, 1.0], {"gd": {"lr": 1e-3}, "adam": {"lr": 0.05}}, steps=100)
    img = _rgb(live.update(runs))
    assert img.shape == empty.shape and (img != empty).any(axis=2).mean() > 0.01
    adam_green = np.array([0x2C, 0xA2, 0x5F])
    assert (np.abs(img - adam_green).sum(axis=2) < 30).sum() > 50
    # one run only: the other lanes disappear, the map under them comes back
    one = _rgb(live.update({"gd": runs["gd"]}))
    assert (np.abs(one - adam_green).sum(axis=2) < 30).sum() < 5
    assert [c.get_label() for c in live.curves][1:] == ["_off", "_off"]


def test_a_diverged_run_ends_in_a_cross_and_the_loss_stays_finite(live):
    runs = gdlab.race("rosenbrock", [-1.2, 1.0], {"gd": {"lr": 0.5}}, steps=50)
    assert runs["gd"].status == "diverged"
    live.update(runs)
    assert live.ends[0].get_marker() == "X" and "diverged" in live.curves[0].get_label()
    assert np.all(np.isfinite(live.ax_loss.get_ylim()))


def test_pixels_map_back_to_points_of_the_map(live):
    w, h = live.size
    px, py = live.ax_map.transData.transform((0.5, 2.0))
    assert live.data_point(px, h - py) == pytest.approx((0.5, 2.0))
    assert live.data_point(w - 1, 1) is None


def test_live_race_needs_a_2d_function():
    with pytest.raises(ValueError, match="2-D function"):
        LiveRace(gdlab.functions.resolve_function("sphere:dim=3"))


def test_training_png_shows_regions_and_the_loss():
    d = gdlab.datasets.get("moons", seed=0)
    model = nn.mlp([2, 8, 2], activation="tanh", seed=0)
    model.compile("adam", "cross_entropy", metrics=["accuracy"], lr=0.05)
    h = model.fit(d.x, d.y, epochs=20, verbose=0)
    img = _rgb(training_png(model, d.x, d.y, h))
    left, right = img[:, : img.shape[1] // 2], img[:, img.shape[1] // 2:]
    assert len(np.unique(left.reshape(-1, 3), axis=0)) > 100 and right.std() > 10


def test_a_thinned_run_is_drawn_at_its_recorded_steps(live):
    runs = gdlab.race("himmelblau", [-1.2, 1.0], {"gd": {"lr": 0.01}}, steps=300, tol=1e-3,
                      record=("params", "loss"), record_every=7)
    t = runs["gd"]
    assert t.status == "converged" and t.stopped_at % 7  # stopped between two kept steps
    live.update(runs)
    np.testing.assert_array_equal(live.curves[0].get_xdata(), t.recorded_steps)
    slot = int(np.searchsorted(t.recorded_steps, t.stopped_at))  # the slot holding the stop value
    np.testing.assert_array_equal(live.ends[0].get_xdata(), [t.params[slot, 0]])
    np.testing.assert_array_equal(t.params[slot], t.final)
