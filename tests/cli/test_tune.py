"""gdlab tune: each optimizer's best learning rate, the numbers of gdlab.tune called directly."""

import json

import numpy as np
import pytest

from gdlab.cli.common import fmt_float
from tests.cli.conftest import png_ok


def test_tune_is_the_library_call(run_cli, tmp_path):
    import gdlab

    js, plot = tmp_path / "t.json", tmp_path / "t.png"
    code, out, err = run_cli("tune", "beale", "-o", "gd,nesterov:momentum=0.95", "--lrs", "1e-4:1:9", "--steps", "80",
                             "--json", js, "--plot", plot)
    assert code == 0, err
    results = json.loads(js.read_text())["results"]
    for label, spec in {"gd": {}, "nesterov": {"momentum": 0.95}}.items():
        ref = gdlab.tune("beale", None, {label: spec}, steps=80, lrs=np.geomspace(1e-4, 1, 9))
        assert results[label]["best_lr"] == ref.best_lr, label
        assert fmt_float(ref.best_lr[label]) in out
    assert "momentum=0.95" in out
    png_ok(plot)


def test_race_tune_gives_the_same_learning_rates(run_cli, tmp_path):
    """`gdlab race --tune` uses the same call: its tuned lrs are those `gdlab tune` prints."""
    tuned, raced = tmp_path / "t.json", tmp_path / "r.json"
    args = ["rosenbrock", "-o", "gd,adam", "--steps", "100", "--start", "-1.5,2"]
    assert run_cli("tune", *args, "--json", tuned)[0] == 0
    assert run_cli("race", *args, "--tune", "--json", raced)[0] == 0
    best = {k: r["best_lr"][k] for k, r in json.loads(tuned.read_text())["results"].items()}
    runs = json.loads(raced.read_text())["runs"]
    assert best == {k: r["hyperparameters"]["lr"] for k, r in runs.items()}


BAD = [
    (["tune", "sphere", "-o", "adam:lr=0.1"], "tune chooses the learning rates"),
    (["tune", "saddle", "--objective", "distance"], "needs known minima"),
    (["tune", "sphere", "--lrs", "0:1:5"], "> 0"),
    (["tune", "sphere", "-o", "nope"], "unknown optimizer"),
    (["tune", "sphere", "--steps", "nan"], "'--steps'"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line_exit_2(refused, args, message):
    refused(args, message)
