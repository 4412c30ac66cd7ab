"""gdlab sweep: the final loss against the learning rate."""

import json

import pytest

from tests.cli.conftest import png_ok


def test_sweep(run_cli, tmp_path):
    plot, js = tmp_path / "sweep.png", tmp_path / "sweep.json"
    code, out, err = run_cli("sweep", "x**2 + 10*y**2", "--optimizer", "gd,momentum", "--lrs", "1e-3:0.5:6",
                             "--start", "1,1", "--steps", "50", "--plot", plot, "--json", js)
    assert code == 0, err
    assert "best lr for gd" in out and "diverged" in out
    png_ok(plot)
    data = json.loads(js.read_text())
    assert len(data["sweeps"]["gd"]["lrs"]) == 6
    code, out, err = run_cli("sweep", "sphere", "--lrs", "0.01,0.1")
    assert code == 0, err


def test_sweep_entries_take_their_own_hyperparameters(run_cli, tmp_path):
    import gdlab

    js = tmp_path / "s.json"
    code, _, err = run_cli("sweep", "rosenbrock", "-o", "gd,adam:betas=0.8,0.9", "--lrs", "0.001,0.01", "--steps", "30",
                           "--json", js)
    assert code == 0, err
    sweeps = json.loads(js.read_text())["sweeps"]
    ref = gdlab.lr_sweep("rosenbrock", None, "adam", [0.001, 0.01], steps=30, betas=(0.8, 0.9))
    assert sweeps["adam"]["final_loss"] == ref.final_loss.tolist() and set(sweeps) == {"gd", "adam"}


BAD = [
    (["sweep", "sphere", "--lrs", "1:2"], "--lrs"),
    (["sweep", "sphere", "--lrs", "nan,1"], "not a finite number"),
    (["sweep", "sphere", "-o", "gd:lr=0.1"], "remove lr"),
    (["sweep", "sphere", "--lrs", "-1,1"], "> 0"),
    (["sweep", "sphere", "--optimizer", "gdd"], "unknown optimizer"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line_exit_2(refused, args, message):
    refused(args, message)
