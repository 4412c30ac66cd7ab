"""Every kind of result comes back from the store bit for bit, and re-runs to the same numbers."""

import json

import numpy as np
import pytest

import gdlab
from gdlab.functions import Function, expr, regression_loss
from gdlab.store import NotRerunnable, Store

from .helpers import MOONS, assert_same_history, assert_same_trajectory, same_array, train


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "runs.db") as s:
        yield s


RUNS = {
    "one start, adam state": lambda: gdlab.minimize("rosenbrock", [-1.5, 2], "adam", lr=0.05, steps=300),
    "many starts, momentum state": lambda: gdlab.minimize(
        "himmelblau", np.random.default_rng(0).uniform(-5, 5, (40, 2)), "momentum", lr=2e-3, steps=150, tol=1e-4),
    "1-D, several starts": lambda: gdlab.minimize("quadratic", [-10.0, 3.0, 0.5], "gd", lr=0.2, steps=40),
    "schedule, clipping, amsgrad": lambda: gdlab.minimize(
        "beale", [1.0, 1.0], "adam", lr=0.1, steps=120, schedule=("step", {"step_size": 30, "gamma": 0.5}),
        clip_grad_norm=1.0, amsgrad=True),
    "noise with a seed": lambda: gdlab.minimize("saddle", [10.0, 0.0], "gd", lr=0.2, steps=60, noise=0.01, seed=4),
    "diverged": lambda: gdlab.minimize("paraboloid", [-3.0, 4.0], "gd", lr=10.0, steps=20),
    "a formula, autodiff": lambda: gdlab.minimize("sin(x)*cos(y) + 0.1*(x**2+y**2)", [2.0, 1.0], "rmsprop",
                                                  lr=0.01, steps=80, centered=True),
    "a formula with bounds": lambda: gdlab.minimize(expr("x**2 + 3*y**2", bounds=[[-2, 2], [-1, 3]]), None,
                                                    "nesterov", lr=0.05, steps=30),
    "5-D, closed form": lambda: gdlab.minimize(gdlab.functions.get("rosenbrock", dim=5), np.zeros(5), "nadam",
                                               lr=0.01, steps=50),
    "data loss, mini-batches": lambda: gdlab.minimize(
        regression_loss(np.random.default_rng(1).normal(size=(60, 2)), np.random.default_rng(2).normal(size=60),
                        bias=False, loss="half_sse"), [-10.0, 10.0], "sgd", lr=1e-3, steps=50, batch_size=10, seed=0),
    "regression loss, cyclic": lambda: gdlab.minimize(
        regression_loss([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0]), [0.0, 0.0], "adagrad", lr=0.5, steps=30,
        batch_size=1, sampling="cyclic"),
    "only the loss": lambda: gdlab.minimize("booth", np.ones((3, 2)), "adamw", lr=0.1, steps=25, record=("loss",)),
    "nothing recorded": lambda: gdlab.minimize("matyas", [1.0, 1.0], "lion", lr=1e-2, steps=10, record=()),
}


@pytest.mark.parametrize("name", RUNS)
def test_a_minimize_run_comes_back_bit_for_bit_and_reruns_to_the_same_numbers(store, name):
    t = RUNS[name]()
    run_id = store.save(t)
    back = store.load(run_id)
    assert_same_trajectory(t, back)
    assert back.schedule == t.schedule
    again = store.rerun(run_id)
    assert_same_trajectory(t, again, run_only=True)
    row = store.info(run_id)
    assert row.kind == "minimize" and row.rerunnable and row.n_runs == t.n_runs and row.steps == t.steps
    expected_status = t.status if t.single else (t.status[0] if len(set(t.status)) == 1 else "mixed")
    assert row.status == expected_status


def test_the_stored_configuration_names_every_hyperparameter_with_its_default(store):
    t = gdlab.minimize("rosenbrock", [-1.2, 1.0], "adam", lr=0.02, steps=10)
    cfg = store.info(store.save(t)).config
    assert cfg["function"] == {"catalog": "rosenbrock", "params": {"dim": 2}}
    assert cfg["optimizer"] == "adam" and cfg["lr"] == 0.02 and cfg["steps"] == 10
    assert cfg["hyperparameters"] == {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False,
                                      "maximize": False, "decoupled_weight_decay": False}
    assert same_array(cfg["x0"], np.array([-1.2, 1.0]))
    assert cfg["record"] == ["params", "loss", "grad", "grad_norm", "state"]


def test_a_race_comes_back_in_order_and_reruns(store):
    race = gdlab.race("rosenbrock", [[-1.5, 2.0], [0.0, 0.0]],
                      {"heavy": {"optimizer": "momentum", "lr": 1e-3, "momentum": 0.95}, "adam": {"lr": 0.05},
                       "gd": {"lr": 1e-3}}, steps=200, noise=0.001, seed=1)
    run_id = store.save(race, study="race")
    back = store.load(run_id)
    assert list(back) == ["heavy", "adam", "gd"]
    for label in race:
        assert_same_trajectory(race[label], back[label])
    again = store.rerun(run_id)
    for label in race:
        assert_same_trajectory(race[label], again[label], run_only=True)
    row = store.runs(kind="race")[0]
    assert row.id == run_id and row.optimizer == "momentum,adam,gd" and row.tags == {"study": "race"}
    assert row.metrics["best"] == min(race, key=lambda k: np.min(race[k].final_loss))


def test_trajectories_that_are_not_one_race_are_refused(store):
    a = gdlab.minimize("rosenbrock", [0.0, 0.0], "gd", lr=1e-3, steps=10)
    b = gdlab.minimize("rosenbrock", [0.0, 0.0], "adam", lr=1e-2, steps=20)
    with pytest.raises(ValueError, match="not one race.*steps"):
        store.save({"gd": a, "adam": b})


def test_a_training_history_comes_back_and_reruns_with_its_spec(store):
    history = train(MOONS)
    run_id = store.save(history, config=MOONS, project="moons")
    back = store.load(run_id)
    assert_same_history(history, back)
    assert back.params == history.params
    row = store.info(run_id)
    assert row.kind == "train" and row.status == "completed" and row.problem == "moons" and row.optimizer == "adam"
    assert row.final_loss == history.history["loss"][-1]
    assert row.metrics["val_accuracy"] == history.history["val_accuracy"][-1]
    assert row.metrics["epochs_trained"] == 6 and row.metrics["updates"] == len(history.step_losses)
    assert row.config["spec"] == MOONS
    assert row.config["model"]["class"] == "Sequential" and row.config["compile"]["optimizer"] == "Adam"
    assert_same_history(history, store.rerun(run_id, trainer=train))


def test_a_training_without_its_spec_is_stored_but_not_rerunnable(store):
    run_id = store.save(train(MOONS))
    assert not store.info(run_id).rerunnable
    with pytest.raises(NotRerunnable, match="no training spec"):
        store.rerun(run_id, trainer=train)


def test_a_training_reruns_through_the_recipe_by_default(store):
    try:
        from gdlab.nn import recipe
    except ImportError:  # a gdlab without the recipe says what is missing
        run_id = store.save(train(MOONS), config=MOONS)
        with pytest.raises(NotRerunnable, match=r"gdlab\.nn\.recipe\.train"):
            store.rerun(run_id)
        return
    result = recipe.train({"dataset": "moons", "data": {"n_samples": 120, "noise": 0.2}, "model": [2, 8, 2],
                           "optimizer": "adam", "lr": 0.01, "epochs": 4, "batch_size": 16, "seed": 0})
    run_id = store.save(result)  # a TrainResult: its spec and model come with it
    row = store.info(run_id)
    assert row.rerunnable and row.config["spec"] == result.spec.to_dict() and row.problem == "moons"
    assert_same_history(result.history, store.rerun(run_id))


def test_a_python_callable_is_stored_but_not_rerunnable(store):
    f = Function(lambda x: (x ** 2).sum(axis=-1), 2, name="my_bowl")
    t = gdlab.minimize(f, [1.0, -2.0], "gd", lr=0.1, steps=20)
    run_id = store.save(t)
    row = store.info(run_id)
    assert not row.rerunnable and "my_bowl" in row.not_rerunnable and row.config["function"]["callable"] == "my_bowl"
    with pytest.raises(NotRerunnable, match="my_bowl.*Python callable"):
        store.rerun(run_id)
    back = store.load(run_id)
    assert back.function is None and same_array(back.params, t.params)
    assert store.load(run_id, function=f).function is f


@pytest.mark.parametrize("make, reason", [
    (lambda: gdlab.minimize("saddle", [1.0, 0.0], "gd", lr=0.1, steps=5, noise=0.1), "without an integer seed"),
    (lambda: gdlab.minimize("saddle", [1.0, 0.0], "gd", lr=0.1, steps=5, noise=0.1,
                            seed=np.random.default_rng(0)), "without an integer seed"),
    (lambda: gdlab.minimize("booth", np.zeros((4, 2)), "adam", steps=5).select([0, 2]), "taken"),
    (lambda: gdlab.minimize("booth", [0.0, 0.0], "adam", steps=5, schedule=lambda t, lr: lr / (1 + t)), "schedule"),
    (lambda: gdlab.lr_sweep("booth", [0.0, 0.0], "gd", lrs=[1e-3, 1e-2], steps=5).trajectory, "per-run arrays"),
])
def test_runs_that_cannot_be_reproduced_say_why(store, make, reason):
    t = make()
    run_id = store.save(t)
    assert reason in store.info(run_id).not_rerunnable
    with pytest.raises(NotRerunnable, match=reason):
        store.rerun(run_id)
    assert_same_trajectory(t, store.load(run_id))


def test_export_json_holds_the_config_and_every_array(store):
    t = gdlab.minimize("paraboloid", [-3.0, 4.0], "gd", lr=10.0, steps=8)  # diverges: inf in the arrays
    data = json.loads(store.export(store.save(t)))
    assert data["kind"] == "minimize" and data["status"] == "diverged" and data["config"]["lr"] == 10.0
    assert data["config"]["x0"] == [-3.0, 4.0]
    assert data["arrays"]["params"][:2] == t.params[:2].tolist()
    assert len(data["arrays"]["loss"]) == 9
    finite = np.isfinite(t.loss)
    assert [v for v, ok in zip(data["arrays"]["loss"], finite) if not ok] == [None] * int((~finite).sum())


def test_export_csv_is_the_per_step_table(store, tmp_path):
    t = gdlab.minimize("rosenbrock", [[-1.5, 2.0], [0.0, 0.0]], "adam", lr=0.05, steps=5)
    path = tmp_path / "run.csv"
    assert store.export(store.save(t), "csv", path=path) is None
    import csv

    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 2 * 6 and list(rows[0])[:5] == ["run", "step", "x0", "x1", "loss"]
    r = rows[6 + 3]  # run 1, step 3
    assert r["run"] == "1" and r["step"] == "3"
    assert float(r["x0"]) == t.params[3, 1, 0] and float(r["loss"]) == t.loss[3, 1]
    assert float(r["exp_avg_sq_x1"]) == t.state["exp_avg_sq"][3, 1, 1] and float(r["lr"]) == 0.05
    assert rows[5]["lr"] == ""  # no update after the last point


def test_export_csv_of_a_training_is_the_per_epoch_table(store):
    history = train(MOONS)
    lines = store.export(store.save(history, config=MOONS), "csv").splitlines()
    assert lines[0] == "epoch," + ",".join(history.history)
    assert len(lines) == 1 + 6
    assert float(lines[-1].split(",")[1]) == history.history["loss"][-1]
