"""Thinned records (record_every k, or record="auto" over its memory budget) are drawn at their real steps.

Each figure's x data (or step labels) must equal the Trajectory's ``recorded_steps`` up to where a
run stopped, with the stop drawn at the step it stopped at; a full record is drawn as before
(recorded_steps == 0..steps). References: the full record of the same run, ``stopped_at`` and
``recorded_steps`` (computed by gdlab.runs, not by gdlab.viz).
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import gdlab  # noqa: E402
from gdlab import viz  # noqa: E402
from gdlab.viz._data import Run, as_run  # noqa: E402

STARTS = np.array([[0.01, 0.0], [8.0, 9.0], [-1.2, 1.0], [0.3, -0.2], [60.0, 60.0]])


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _stopped_single(record=("params", "loss", "grad_norm")):
    """gd on Himmelblau, converged at step 15, every 7th step kept: slots 0, 7, 14, 21, ..., 300."""
    kw = dict(steps=300, tol=1e-3, lr=0.01)
    thin = gdlab.minimize("himmelblau", [-1.2, 1.0], "gd", record=record, record_every=7, **kw)
    full = gdlab.minimize("himmelblau", [-1.2, 1.0], "gd", record=record, **kw)
    assert thin.status == "converged" and thin.stopped_at % 7 != 0  # the stop falls between kept steps
    return thin, full


def _expected_axis(t, j=None):
    """Recorded steps up to the first at or after the stop, that one replaced by the stop step."""
    stop = int(t.stopped_at if j is None else t.stopped_at[j])
    at = t.recorded_steps
    slot = int(np.searchsorted(at, stop))
    return np.append(at[:slot], stop)


def test_loss_curve_of_a_thinned_run_is_at_its_recorded_steps():
    t = gdlab.minimize("beale", [1.0, 1.0], "adam", steps=40, lr=0.01, record=("params", "loss"), record_every=6)
    fig = viz.loss_curves(t)
    line = fig.axes[0].lines[0]
    np.testing.assert_array_equal(line.get_xdata(), t.recorded_steps)
    assert line.get_xdata()[-1] == 40  # not "step 7"
    np.testing.assert_array_equal(line.get_ydata(), t.loss)


def test_a_run_that_stopped_between_kept_steps_ends_at_its_stop_step():
    thin, full = _stopped_single()
    fig = viz.loss_curves(thin, metrics=("loss", "grad_norm"))
    x_expected = _expected_axis(thin)
    np.testing.assert_array_equal(x_expected, [0, 7, 14, thin.stopped_at])
    for ax, name in zip(fig.axes, ("loss", "grad_norm")):
        line = ax.lines[0]
        np.testing.assert_array_equal(line.get_xdata(), x_expected)
        # the values are the full record's at those steps (the stop slot holds the stop value)
        np.testing.assert_array_equal(line.get_ydata(), getattr(full, name)[x_expected])


def test_many_starts_stopping_at_different_steps():
    t = gdlab.minimize("himmelblau", STARTS, "momentum", steps=600, tol=1e-3, lr=0.02, record_budget=150 * 8 * 26)
    assert t.record_every > 1 and len(set(t.stopped_at.tolist())) == len(STARTS)
    fig = viz.loss_curves(t)
    lines = fig.axes[0].lines
    drawn = [ln for ln in lines if len(ln.get_xdata()) > 1]
    assert len(drawn) == len(STARTS)
    for j, ln in enumerate(drawn):
        np.testing.assert_array_equal(ln.get_xdata(), _expected_axis(t, j))


def test_the_median_band_of_thousands_of_starts_spans_every_step():
    x0 = np.random.default_rng(0).uniform(-2, 2, (3000, 2))
    t = gdlab.minimize("rosenbrock", x0, "adam", steps=400, lr=0.01, record_budget=2 * 2**20)
    assert t.record_every > 1 and "budget" in t.record_note
    fig = viz.loss_curves(t)
    median = fig.axes[0].lines[0]
    np.testing.assert_array_equal(median.get_xdata(), t.recorded_steps)
    assert median.get_xdata()[-1] == 400


def test_a_record_without_points_still_draws_its_loss_curve():
    t = gdlab.minimize("rosenbrock", np.zeros((30, 2)) - 1.0, "adam", steps=200, lr=0.01, record=("loss",),
                       record_every=9)
    assert t.params is None
    fig = viz.loss_curves(t)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), t.recorded_steps)


def test_a_full_record_is_drawn_as_before():
    t = gdlab.minimize("himmelblau", [-1.2, 1.0], "gd", steps=300, tol=1e-3, lr=0.01)
    assert t.record_every == 1
    np.testing.assert_array_equal(t.recorded_steps, np.arange(301))
    x = viz.loss_curves(t).axes[0].lines[0].get_xdata()
    np.testing.assert_array_equal(x, np.arange(t.stopped_at + 1))


def test_to_dict_carries_the_steps_to_the_figures():
    thin, _ = _stopped_single()
    d = thin.to_dict()
    assert d["recorded_steps"] == thin.recorded_steps.tolist() and d["record_every"] == 7
    assert d["record_note"] == thin.record_note
    x = viz.loss_curves(d).axes[0].lines[0].get_xdata()
    np.testing.assert_array_equal(x, _expected_axis(thin))


def test_select_and_run_keep_the_steps():
    t = gdlab.minimize("himmelblau", STARTS, "momentum", steps=600, tol=1e-3, lr=0.02, record_budget=150 * 8 * 26)
    one = t.run(2)
    np.testing.assert_array_equal(one.recorded_steps, t.recorded_steps)
    x = viz.loss_curves(one).axes[0].lines[0].get_xdata()
    np.testing.assert_array_equal(x, _expected_axis(t, 2))


def test_summaries_and_notes_name_the_real_stop_step():
    thin, _ = _stopped_single()
    fig = viz.overview(thin)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(f"converged at step {thin.stopped_at}" in s for s in texts), texts


def test_path_numbers_are_real_steps():
    t = gdlab.minimize("x**2", 3.0, "gd", steps=50, lr=0.05, record=("params", "loss"), record_every=5)
    fig = viz.path_1d(t, order="numbers", numbers=6)
    labels = [a.get_text() for a in fig.axes[0].texts if a.get_text().isdigit()]
    assert labels and set(labels) <= {str(s) for s in t.recorded_steps}
    assert "5" in labels and "1" not in labels


def test_optimizer_state_uses_real_steps_and_skips_the_effective_step_size():
    t = gdlab.minimize("himmelblau", [-1.2, 1.0], "adam", steps=120, lr=0.05,
                       record=("params", "loss", "grad", "grad_norm", "state"), record_every=10)
    fig = viz.optimizer_state(t)
    step_axis = fig.axes[0]
    np.testing.assert_array_equal(step_axis.lines[0].get_xdata(), t.recorded_steps[1:])
    effective = fig.axes[1]
    assert not effective.lines and any("thinned" in x.get_text() for x in effective.texts)
    state_ax = fig.axes[2]
    np.testing.assert_array_equal(state_ax.lines[0].get_xdata(), t.recorded_steps)


def test_animation_frames_are_recorded_steps_ending_at_the_stop():
    thin, full = _stopped_single(record=("params", "loss"))
    movie = viz.animate(thin, frames=200)
    assert set(np.asarray(movie.steps).tolist()) == set(_expected_axis(thin).tolist())
    assert int(movie.steps[-1]) == thin.stopped_at
    movie.frame(len(movie) - 1)  # render up to the last frame: the stop step, and the loss the run stopped with
    text = next(t.get_text() for t in movie.figure.axes[0].texts if t.get_text().startswith("step"))
    assert text.splitlines()[0].split()[1:] == [str(thin.stopped_at), "/", str(thin.stopped_at)]
    assert f"{full.loss[thin.stopped_at]:.2e}" in text or f"{full.loss[thin.stopped_at]:.4g}" in text
    # fewer frames than recorded steps: evenly picked among them, the stop last
    t = gdlab.minimize("beale", [1.0, 1.0], "adam", steps=400, lr=0.01, record=("params", "loss"), record_every=3)
    movie = viz.animate(t, frames=20)
    assert len(movie.steps) == 20 and set(np.asarray(movie.steps).tolist()) <= set(t.recorded_steps.tolist())
    assert movie.steps[-1] == 400
    # a full record: the frames of before (frame_indices over 0..last)
    full_movie = viz.animate(full, frames=10)
    np.testing.assert_array_equal(full_movie.steps, viz.frame_indices(full.stopped_at, 10))


def test_interactive_traces_hovers_and_frames_say_the_real_steps():
    thin, _ = _stopped_single(record=("params", "loss"))
    fig = viz.interactive(thin, frames=100)
    expected = _expected_axis(thin)
    loss = [tr for tr in fig.data if tr.type == "scatter" and tr.mode == "lines" and tr.xaxis == "x2"]
    assert loss and list(loss[0].x) == expected.tolist()
    hovered = [tr for tr in fig.data if tr.type == "scatter" and tr.customdata is not None and tr.xaxis == "x"
               and tr.mode == "lines+markers"]
    assert [row[0] for row in hovered[0].customdata] == expected.tolist()
    assert [fr.name for fr in fig.frames] == [str(s) for s in expected]
    heads = fig.frames[-1].data
    assert any(list(getattr(d, "x", [])) == [int(thin.stopped_at)] for d in heads)  # the loss point at the stop
    html = viz.interactive_loss(thin)
    assert list(html.data[0].x) == expected.tolist()


def test_a_run_whose_steps_do_not_match_its_arrays_is_refused():
    with pytest.raises(ValueError, match="one entry per recorded point"):
        Run(label="r", params=np.zeros((3, 1, 2)), steps=np.arange(4))
    t = gdlab.minimize("beale", [1.0, 1.0], "adam", steps=40, lr=0.01, record=("params", "loss"), record_every=6)
    d = t.to_dict()
    d["recorded_steps"] = d["recorded_steps"][:-1]
    with pytest.raises(ValueError, match="recorded_steps has 7 entries but the run has 8"):
        as_run(d)
