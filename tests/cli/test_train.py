"""gdlab train: a translation of its options into a TrainSpec plus one call of gdlab.nn.recipe.train."""

import json

import numpy as np
import pytest

from tests.cli.conftest import html_ok, png_ok
from tests.cli.make_fixtures import CASES, FIXTURE


def test_train_classification(run_cli, tmp_path):
    plot, html, model, js = tmp_path / "m.png", tmp_path / "m.html", tmp_path / "m.npz", tmp_path / "m.json"
    code, out, err = run_cli("train", "--dataset", "moons", "--model", "2-8-2", "--epochs", "5", "--seed", "0",
                             "--plot", plot, "--html", html, "--save", model, "--json", js)
    assert code == 0, err
    assert "accuracy" in out and "test" in out
    png_ok(plot)
    html_ok(html)
    from gdlab import nn

    loaded = nn.load_model(model)
    assert loaded.predict(np.zeros((3, 2))).shape == (3, 2)
    history = json.loads(js.read_text())["history"]
    assert len(history["loss"]) == 5 and "val_accuracy" in history


def test_train_regression_and_full_batch(run_cli, tmp_path):
    plot = tmp_path / "fit.png"
    code, out, err = run_cli("train", "--dataset", "sine", "--model", "1-16-1", "--activation", "tanh",
                             "--epochs", "5", "--full-batch", "--optimizer", "gd", "--lr", "0.1", "--plot", plot)
    assert code == 0, err
    assert "r2" in out
    png_ok(plot)


def test_train_digits_default_model(run_cli):
    code, out, err = run_cli("train", "--dataset", "digits", "--epochs", "2", "--data", "scale=true")
    assert code == 0, err
    assert "64-16-16-10" in out


RECORDED = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("name", list(CASES))
def test_same_table_and_history_as_before_the_recipe_moved(run_cli, tmp_path, monkeypatch, name):
    """What the single-module cli.py printed and wrote for these arguments (tests/cli/make_fixtures.py).

    The table is compared as text; the history to float32 rounding only, because the fixture may be
    read on another CPU whose BLAS rounds differently (on the recording machine it is equal to the bit).
    """
    monkeypatch.setenv("COLUMNS", "120")
    recorded = RECORDED[name]
    assert recorded["args"] == CASES[name]
    path = tmp_path / "train.json"
    code, out, err = run_cli("train", *CASES[name], "--json", path)
    assert code == 0, err
    assert out == recorded["stdout"]
    document = json.loads(path.read_text(encoding="utf-8"))
    history, before = document.pop("history"), recorded["json"].pop("history")
    assert document == recorded["json"]
    assert list(history) == list(before)
    for key in before:
        np.testing.assert_allclose(history[key], before[key], rtol=1e-6, atol=1e-7, err_msg=key)


def test_the_numbers_are_the_recipe_call(run_cli, tmp_path):
    """The command is one TrainSpec and one recipe.train: its JSON history is that call's, to the bit."""
    from gdlab.nn.recipe import TrainSpec, train

    path = tmp_path / "t.json"
    code, _, err = run_cli("train", "--dataset", "circles", "--data", "noise=0.1", "--model", "2-6-1",
                           "--optimizer", "momentum", "--lr", "0.05", "--epochs", "4", "-b", "8", "--test-size", "0.25",
                           "--no-standardize", "--seed", "4", "--json", path)
    assert code == 0, err
    result = train(TrainSpec(dataset="circles", data={"noise": 0.1}, model=[2, 6, 1], optimizer="momentum", lr=0.05,
                             epochs=4, batch_size=8, test_size=0.25, standardize=False, seed=4))
    assert json.loads(path.read_text())["history"] == {k: list(map(float, v)) for k, v in result.history.history.items()}


def test_option_defaults_are_the_spec_defaults():
    """The defaults `gdlab train --help` shows are TrainSpec's (one table of defaults, checked here)."""
    from gdlab.cli.train import command
    from gdlab.nn.recipe import TrainSpec

    defaults = {p.name: p.default for p in command.params}
    spec = TrainSpec()
    for option, field in [("dataset", "dataset"), ("activation", "activation"), ("optimizer", "optimizer"),
                          ("lr", "lr"), ("epochs", "epochs"), ("batch_size", "batch_size"), ("test_size", "test_size"),
                          ("standardize", "standardize"), ("seed", "seed"), ("model_spec", "model")]:
        assert defaults[option] == getattr(spec, field), option
    assert defaults["full_batch"] is False and spec.batch_size is not None


def test_a_refused_model_names_the_option(refused):
    line = refused(["train", "--model", "3-8-2"], "input size")
    assert line == "gdlab: error: --model 3-8-2: the input size must be 2, the number of features of 'moons'"


BAD = [
    (["train", "--dataset", "moonz"], "did you mean 'moons'"),
    (["train", "--model", "2-x-2"], "malformed --model"),
    (["train", "--model", "3-8-2"], "input size must be 2"),
    (["train", "--model", "2-8-5"], "output size must be 2"),
    (["train", "--dataset", "sine", "--model", "1-8-2"], "the output size must be 1"),
    (["train", "--lr", "-1"], "--lr"),
    (["train", "--lr", "inf"], "'--lr': must be a finite number > 0, got 'inf'"),
    (["train", "--lr", "nan"], "'--lr': must be a finite number > 0, got 'nan'"),
    (["train", "--seed", "-1"], "'--seed': must be a whole number >= 0, got '-1'"),
    (["train", "--epochs", "1e30"], "'-e': must be a whole number in [1, 1000000], got '1e30'"),
    (["train", "--test-size", "nan"], "'--test-size'"),
    (["train", "-p", "momentum=inf", "-o", "momentum"], "-p momentum: 'inf' is not a finite number"),
    (["train", "-p", "nesterov=maybe", "-o", "momentum", "--epochs", "1"], "nesterov"),
    (["train", "--data", "noise=nan"], "--data noise: 'nan' is not a finite number"),
    (["train", "--save", "/proc/m.npz"], "cannot write --save '/proc/m.npz'"),
    (["train", "--plot", "a.png", "--curves", "a.png"], "also another output"),
    (["train", "--optimizer", "adamm", "--epochs", "1"], "did you mean 'adam'"),
    (["train", "--activation", "relux", "--epochs", "1"], "activation"),
    (["train", "--save", "/nonexistent-dir/m.npz"], "does not exist"),
    (["train", "--data", "bogus=1"], "bogus"),
    (["train", "--regularizer", "l3"], "--regularizer l3: unknown regularizer 'l3'; choose from l1, l2"),
    (["train", "-r", "l1=much"], "--regularizer l1=much: the rate 'much' is not a number"),
    (["train", "-r", "l2=-1"], "--regularizer l2=-1: the l2 rate must be a finite number >= 0, got -1.0"),
    (["train", "-r", "l1=nan"], "the l1 rate must be a finite number >= 0, got nan"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line_exit_2(refused, args, message):
    refused(args, message)


def test_unwritable_save_is_refused_before_training(run_cli, tmp_path, monkeypatch):
    """/proc exists and passes os.access even for root, but takes no new file: found before any epoch."""
    from gdlab.nn import recipe

    def never(*args, **kwargs):
        raise AssertionError("trained before the output paths were checked")

    monkeypatch.setattr(recipe, "train", never)
    code, out, err = run_cli("train", "--plot", tmp_path / "a.png", "--save", "/proc/m.npz")
    assert code == 2 and "cannot write --save '/proc/m.npz'" in err and ".tmp" not in err
    assert list(tmp_path.iterdir()) == []                # the --plot reservation is gone too


def test_optimizer_hyperparameters_reach_the_recipe(run_cli, tmp_path):
    from gdlab.nn.recipe import TrainSpec, train

    path = tmp_path / "t.json"
    code, _, err = run_cli("train", "--dataset", "xor", "-o", "momentum", "-p", "momentum=0.95", "-p", "nesterov=true",
                           "--lr", "0.05", "--epochs", "3", "--seed", "1", "--json", path)
    assert code == 0, err
    result = train(TrainSpec(dataset="xor", optimizer="momentum", optimizer_params={"momentum": 0.95, "nesterov": True},
                             lr=0.05, epochs=3, seed=1))
    assert json.loads(path.read_text())["history"]["loss"] == list(map(float, result.history.history["loss"]))


@pytest.mark.parametrize("option, record", [("l1=0.01", {"name": "l1", "rate": 0.01}),
                                            ("l2", {"name": "l2", "rate": 1e-3})])
def test_regularizer_reaches_the_recipe(run_cli, tmp_path, option, record):
    """--regularizer is the recipe's regularizer: the same history as the TrainSpec call, unlike none."""
    from gdlab.nn.recipe import TrainSpec, train

    path = tmp_path / "t.json"
    code, _, err = run_cli("train", "--dataset", "xor", "--model", "2-4-2", "-r", option, "--lr", "0.05",
                           "--epochs", "3", "--seed", "1", "--json", path)
    assert code == 0, err
    common = dict(dataset="xor", model=[2, 4, 2], lr=0.05, epochs=3, seed=1)
    with_penalty = train(TrainSpec(**common, regularizer=record)).history.history["loss"]
    without = train(TrainSpec(**common)).history.history["loss"]
    assert json.loads(path.read_text())["history"]["loss"] == list(map(float, with_penalty))
    assert list(map(float, with_penalty)) != list(map(float, without))
