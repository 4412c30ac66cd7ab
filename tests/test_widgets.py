"""gdlab.widgets, driven as a user would: set the controls' values, check the runs and the picture."""

import numpy as np
import pytest

import gdlab
from gdlab import widgets

OPTS = {"gd": {"lr": 1e-3}, "momentum": {"lr": 1e-3, "momentum": 0.9}, "adam": {"lr": 0.05}}


@pytest.fixture()
def e():
    return widgets.explore("rosenbrock", OPTS, steps=200)


def test_explore_shows_the_race_it_was_given(e):
    ref = gdlab.race("rosenbrock", e.function.start, OPTS, steps=200)
    assert list(e.runs) == ["gd", "momentum", "adam"]
    for k, t in ref.items():
        assert e.runs[k].final_loss == t.final_loss and np.array_equal(e.runs[k].final, t.final)
    assert e.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(f"</span> {k}</td>" in e.table.value for k in OPTS)


def test_moving_a_slider_reruns_and_redraws(e):
    before, png = e.runs["gd"].final_loss, e.image.value
    e.lanes[0].lr.value = 2e-3
    assert e.runs["gd"].hyperparameters["lr"] == pytest.approx(2e-3)
    assert e.runs["gd"].final_loss == gdlab.minimize("rosenbrock", e.function.start, optimizer="gd", lr=2e-3,
                                                     steps=200).final_loss
    assert e.runs["gd"].final_loss != before and e.image.value != png
    e.steps.value = 50
    assert all(t.steps == 50 for t in e.runs.values())


def test_the_second_slider_is_the_optimizers_own_hyperparameter(e):
    adam = e.lanes[2]
    assert adam.second.description == "β₁" and adam.second.value == 0.9
    adam.second.value = 0.8
    assert e.runs["adam"].hyperparameters["betas"] == (0.8, 0.999)
    assert e.runs["adam"].final_loss == gdlab.minimize("rosenbrock", e.function.start, optimizer="adam", lr=0.05,
                                                       betas=(0.8, 0.999), steps=200).final_loss
    e.lanes[1].optimizer.value = "adagrad"  # no second hyperparameter; its own default lr
    assert e.lanes[1].second.disabled and e.lanes[1].lr.value == pytest.approx(0.01)
    assert e.runs["adagrad"].optimizer == "adagrad" and "momentum" not in e.runs
    e.lanes[1].optimizer.value = "rmsprop"
    assert e.lanes[1].second.description == "α" and e.runs["rmsprop"].hyperparameters["alpha"] == 0.99


def test_a_lane_turned_off_leaves_the_race(e):
    e.lanes[0].optimizer.value = "off"
    assert list(e.runs) == ["momentum", "adam"] and "</span> gd</td>" not in e.table.value
    e.lanes[1].optimizer.value = "adam"
    assert list(e.runs) == ["adam", "adam (2)"]
    for lane in e.lanes:
        lane.optimizer.value = "off"
    assert e.runs == {} and "off" in e.table.value


def test_the_start_boxes_and_a_click_on_the_map_move_the_start(e):
    e.x0.value = 0.5
    assert np.array_equal(e.runs["gd"].x0, [0.5, e.y0.value])
    e.set_start(-1.0, 2.0)
    assert np.array_equal(e.runs["adam"].x0, [-1.0, 2.0])
    w, h = e.figure.size
    px, py = e.figure.ax_map.transData.transform((0.25, -0.5))
    # the browser shows the picture at half size: ipyevents' coordinates are of the shown picture
    point = e.on_click({"relativeX": px / 2, "relativeY": (h - py) / 2, "boundingRectWidth": w / 2,
                        "boundingRectHeight": h / 2})
    assert point == pytest.approx((0.25, -0.5)) and np.allclose(e.runs["gd"].x0, [0.25, -0.5])
    assert e.on_click({"relativeX": w - 2, "relativeY": 2}) is None  # on the loss panel: nothing moves
    assert np.allclose(e.runs["gd"].x0, [0.25, -0.5])


def test_a_diverging_lane_is_a_status_not_an_error(e):
    e.lanes[0].lr.value = 1.0
    assert e.runs["gd"].status == "diverged" and "diverged" in e.table.value


def test_explore_needs_a_2d_function_and_bounded_steps():
    with pytest.raises(ValueError, match="2-D function"):
        widgets.explore("sphere:dim=3")
    with pytest.raises(ValueError, match="steps must be in 1..5000"):
        widgets.explore("rosenbrock", steps=0)


def test_second_hyperparameter_follows_the_rules_defaults():
    assert widgets.second_hyperparameter("nesterov") == ("momentum", 0.9)
    assert widgets.second_hyperparameter("lion") == ("beta1", 0.9)
    assert widgets.second_hyperparameter("adadelta") == ("rho", 0.9)
    assert widgets.second_hyperparameter("adagrad") is None


def test_explore_training_trains_on_the_button_and_redraws():
    t = widgets.explore_training("moons", hidden=(8,), epochs=30, seed=0)
    h = t.history.history
    assert len(t.history.epochs) == 30 and f"accuracy {h['accuracy'][-1]:.1%}" in t.status.value
    png, model = t.image.value, t.model
    t.lr.value, t.epochs.value, t.batch_size.value = 0.05, 10, 32
    t.button.click()
    assert t.model is not model and len(t.history.epochs) == 10 and t.image.value != png
    assert len(t.history.step_losses) == 10 * int(np.ceil(len(t.x) / 32))
    assert t.model.optimizer.param_groups[0]["lr"] == pytest.approx(0.05)


def test_explore_training_says_what_is_wrong():
    t = widgets.explore_training("xor", hidden=(4,), epochs=5)
    t.hidden.value = "4, x"
    assert t.train() is None and "comma-separated integers" in t.status.value
    with pytest.raises(ValueError, match=r"2-D inputs \(n, 2\)"):
        widgets.explore_training((np.zeros((10, 3)), np.zeros(10, int)))
    with pytest.raises(ValueError, match="integer class labels"):
        widgets.explore_training((np.zeros((10, 2)), np.zeros(10)))
