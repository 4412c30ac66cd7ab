"""gdlab race: several optimizers from the same start, tuned or not."""

import json

import pytest

from tests.cli.conftest import gif_frames, html_ok, png_ok


def test_race(run_cli, tmp_path):
    plot, js = tmp_path / "race.png", tmp_path / "race.json"
    code, out, err = run_cli("race", "rosenbrock", "--optimizers", "sgd:lr=0.001,momentum:lr=0.001:momentum=0.9,adam:lr=0.1",
                             "--steps", "60", "--start", "-1.5,2", "--plot", plot, "--json", js)
    assert code == 0, err
    for label in ("sgd", "momentum", "adam", "to nearest"):
        assert label in out
    png_ok(plot)
    data = json.loads(js.read_text())
    assert set(data["runs"]) == {"sgd", "momentum", "adam"}


def test_race_tuned_with_animation_and_html(run_cli, tmp_path):
    gif, html = tmp_path / "race.gif", tmp_path / "race.html"
    code, out, err = run_cli("race", "beale", "--optimizers", "gd,adam", "--tune", "--steps", "40",
                             "--animate", gif, "--frames", "5", "--html", html)
    assert code == 0, err
    assert out.splitlines()[0].endswith("learning rates tuned")
    assert gif_frames(gif) == 5
    html_ok(html, "adam")


def test_one_option_scheme(run_cli, tmp_path):
    """-o/--optimizer and --optimizers are one option (comma lists or repeated); --lr fills the entries that
    give none; -p reaches every entry that does not set it; the numbers are gdlab.race's."""
    import gdlab

    js = tmp_path / "r.json"
    code, out, err = run_cli("race", "himmelblau", "-o", "gd", "--optimizer", "momentum:momentum=0.5,adam:lr=0.1",
                             "--lr", "0.01", "-p", "weight_decay=0.001", "--steps", "30", "--start", "0,0",
                             "--json", js)
    assert code == 0, err
    expected = gdlab.race("himmelblau", [0.0, 0.0], {
        "gd": {"lr": 0.01, "weight_decay": 0.001},
        "momentum": {"optimizer": "momentum", "lr": 0.01, "momentum": 0.5, "weight_decay": 0.001},
        "adam": {"lr": 0.1, "weight_decay": 0.001}}, steps=30)
    runs = json.loads(js.read_text())["runs"]
    assert set(runs) == set(expected)
    for label, traj in expected.items():
        assert runs[label]["final"] == traj.final.tolist(), label
    code, out2, _ = run_cli("race", "himmelblau", "--optimizers", "gd,momentum:momentum=0.5,adam:lr=0.1", "--lr",
                            "0.01", "-p", "weight_decay=0.001", "--steps", "30", "--start", "0,0")
    assert code == 0 and out2 == out


def test_tuned_table_fits_80_columns(run_cli, monkeypatch, tmp_path):
    """`gdlab race rosenbrock --tune` at 80 columns: no line longer, every number of the results whole."""
    monkeypatch.setenv("COLUMNS", "80")
    js = tmp_path / "r.json"
    code, out, err = run_cli("race", "rosenbrock", "-o", "gd,momentum,nesterov,rmsprop,adam", "--tune",
                             "--steps", "300", "--start", "-1.5,2", "--json", js)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    words = set(out.replace("│", " ").replace("┃", " ").split())
    from gdlab.cli.common import fmt_float, fmt_point

    for label, run in json.loads(js.read_text())["runs"].items():
        assert {label, f"lr={fmt_float(run['hyperparameters']['lr'])}", fmt_float(run["final_loss"])} <= words
        assert set(fmt_point(run["final"]).split()) <= words
        assert len(fmt_float(run["hyperparameters"]["lr"]).replace(".", "").lstrip("0")) <= 4  # 4 digits at most


BAD = [
    (["race", "sphere", "--optimizers", "sgd:lr=0.1,nope:lr=1"], "unknown optimizer"),
    (["race", "sphere", "-o", "gd", "-p", "lr=0.1"], "--lr"),
    (["race", "sphere", "--tune", "--lr", "0.1"], "--tune chooses"),
    (["race", "sphere", "-o", "adam:lr=nan"], "'nan' is not a finite number"),
    (["race", "sphere", "-o", "gd", "-p", "momentum=0.9", "-o", "adam"], "unknown hyperparameter"),
    (["race", "sphere:dim=3", "--start", "1,1,1", "--animate", "a.gif"], "draws 1-D and 2-D"),
    (["race", "sphere", "--optimizers", "sgd,,adam"], "empty entry"),
    (["race", "sphere", "--optimizers", "sgd:lr"], "KEY=VALUE"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line_exit_2(refused, args, message):
    refused(args, message)
