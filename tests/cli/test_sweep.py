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


BAD = [
    (["sweep", "sphere", "--lrs", "1:2"], "--lrs"),
    (["sweep", "sphere", "--lrs", "-1,1"], "> 0"),
    (["sweep", "sphere", "--optimizer", "gdd"], "unknown optimizer"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line_exit_2(refused, args, message):
    refused(args, message)
