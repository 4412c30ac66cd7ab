"""A thinned record (record="auto" over its budget, or record_every) survives the store: load gives back
record_every, recorded_steps and record_note; the CSV's step column and the JSON say the real steps."""

import csv
import io
import json

import numpy as np
import pytest

import gdlab
from gdlab.store import Store

from .helpers import assert_same_trajectory

STARTS = np.array([[0.01, 0.0], [8.0, 9.0], [-1.2, 1.0], [0.3, -0.2], [60.0, 60.0]])


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "runs.db") as s:
        yield s


def _thinned():
    """Five starts that stop at five different steps, the record thinned by the auto budget."""
    t = gdlab.minimize("himmelblau", STARTS, "momentum", steps=600, tol=1e-3, lr=0.02, record_budget=150 * 8 * 26)
    assert t.record_every > 1 and "budget" in t.record_note
    return t


def test_load_gives_back_what_was_kept(store):
    t = _thinned()
    back = store.load(store.save(t))
    assert_same_trajectory(t, back)
    assert back.record_every == t.record_every and back.record_note == t.record_note
    np.testing.assert_array_equal(back.recorded_steps, t.recorded_steps)
    assert back.recorded_steps[-1] == 600 and len(back.recorded_steps) == back.loss.shape[0]


def test_a_full_record_comes_back_full(store):
    t = gdlab.minimize("rosenbrock", [-1.5, 2.0], "adam", lr=0.05, steps=30)
    back = store.load(store.save(t))
    assert back.record_every == 1 and back.record_note == "every step"
    np.testing.assert_array_equal(back.recorded_steps, np.arange(31))


def test_csv_step_column_is_the_recorded_steps(store):
    t = _thinned()
    rows = list(csv.DictReader(io.StringIO(store.export(store.save(t), "csv"))))
    at = t.recorded_steps
    assert len(rows) == len(STARTS) * len(at)
    for r in range(len(STARTS)):
        mine = [row for row in rows if row["run"] == str(r)]
        assert [int(row["step"]) for row in mine] == at.tolist()
        j = 7
        assert float(mine[j]["loss"]) == t.loss[j, r] and float(mine[j]["x1"]) == t.params[j, r, 1]


def test_csv_of_a_thinned_race_and_json_say_the_steps(store):
    race = gdlab.race("beale", [1.0, 1.0], {"adam": {"lr": 0.01}, "gd": {"lr": 0.001}}, steps=40,
                      record=("params", "loss"), record_every=6)
    run_id = store.save(race)
    rows = list(csv.DictReader(io.StringIO(store.export(run_id, "csv"))))
    for label in race:
        assert [int(r["step"]) for r in rows if r["label"] == label] == [0, 6, 12, 18, 24, 30, 36, 40]
    data = json.loads(store.export(run_id))
    assert data["recorded_steps"] == [0, 6, 12, 18, 24, 30, 36, 40]
    assert len(data["arrays"]["0/loss"]) == len(data["recorded_steps"])
    single = gdlab.minimize("beale", [1.0, 1.0], "adam", steps=40, lr=0.01)
    assert json.loads(store.export(store.save(single)))["recorded_steps"] == list(range(41))


def test_loss_curves_of_a_loaded_thinned_run_use_the_real_steps(store):
    import matplotlib

    matplotlib.use("Agg")
    from gdlab import viz

    t = _thinned()
    back = store.load(store.save(t))
    fig = viz.loss_curves(back)
    x = [ln.get_xdata() for ln in fig.axes[0].lines if len(ln.get_xdata()) > 1]
    for j, xj in enumerate(x):
        assert xj[-1] == back.stopped_at[j] and set(xj[:-1].tolist()) <= set(back.recorded_steps.tolist())
    import matplotlib.pyplot as plt

    plt.close("all")
