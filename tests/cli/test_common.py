"""What the commands share (gdlab/cli/common.py): the parsers, pure functions each refusing a bad value with a
message naming it, the output checks, and the error contract of the group: ONE line, exit 2; Ctrl-C, exit 130."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from gdlab.cli.common import (BadInput, check_output, parse_lrs, parse_model, parse_optimizers, parse_params,
                              parse_point, parse_value, resolve_function)
from gdlab.cli.common import one_line as _one_line


@pytest.mark.parametrize("text, expected", [
    ("-1.5,2", [-1.5, 2.0]), ("3", [3.0]), (" 1 , 2 , 3 ", [1.0, 2.0, 3.0]), ("(1,2)", [1.0, 2.0]),
    ("1e-3,-2E2", [1e-3, -200.0]), (".5,-.5", [0.5, -0.5]),
])
def test_parse_point(text, expected):
    assert parse_point(text) == expected


@pytest.mark.parametrize("text", ["", "1,,2", "1,a", "1;2", "nan,1", "inf", ",1", "1,", "--1"])
def test_parse_point_refuses(text):
    with pytest.raises(BadInput, match="--start"):
        parse_point(text)


def test_parse_value_and_params():
    assert parse_value("0.9") == 0.9 and parse_value("3") == 3 and parse_value("true") is True
    assert parse_value("0.9/0.999") == (0.9, 0.999) and parse_value("none") is None
    assert parse_params(["momentum=0.9", "nesterov=true", "betas=0.8/0.9"]) == {
        "momentum": 0.9, "nesterov": True, "betas": (0.8, 0.9)}
    for bad in (["momentum"], ["=1"], ["1x=2"], ["a="]):
        with pytest.raises(BadInput, match="KEY=VALUE"):
            parse_params(bad)


def test_parse_optimizers():
    spec = parse_optimizers("sgd:lr=0.01,momentum:lr=0.01:momentum=0.9,adam:lr=0.1")
    assert spec == {"sgd": {"optimizer": "sgd", "lr": 0.01},
                    "momentum": {"optimizer": "momentum", "lr": 0.01, "momentum": 0.9},
                    "adam": {"optimizer": "adam", "lr": 0.1}}
    twice = parse_optimizers("gd:lr=0.1,gd:lr=0.01")
    assert list(twice) == ["gd lr=0.1", "gd lr=0.01"]
    assert parse_optimizers("gd, adam") == {"gd": {"optimizer": "gd"}, "adam": {"optimizer": "adam"}}
    for bad in ("", "sgd,,adam", "sgd:lr", "1sgd", "gd:lr=1,gd:lr=1"):
        with pytest.raises(BadInput):
            parse_optimizers(bad)


def test_parse_lrs():
    lrs = parse_lrs("1e-4:1:5")
    np.testing.assert_allclose(lrs, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    assert parse_lrs("0.1,0.01") == [0.1, 0.01]
    assert parse_lrs("1e-3:1:1") == [1e-3]
    for bad in ("", "1:2", "0:1:5", "1e-4:1:x", "1e-4:1:0", "-0.1,0.2", "a,b", "1e-4:1:2.5"):
        with pytest.raises(BadInput):
            parse_lrs(bad)


def test_parse_model():
    assert parse_model("2-16-16-2") == [2, 16, 16, 2]
    assert parse_model("64 - 10") == [64, 10]
    for bad in ("2", "2-", "2-x-1", "2-0-1", "", "2--1", "-2-1"):
        with pytest.raises(BadInput, match="--model"):
            parse_model(bad)


def test_resolve_function_names_and_formulas():
    assert resolve_function("rosenbrock").name == "rosenbrock"
    assert resolve_function("ill_conditioned:condition=10").dim == 2
    f = resolve_function("x**2 - y**2")
    assert f.dim == 2 and float(f(np.array([1.0, 2.0]))) == -3.0
    assert resolve_function("x").dim == 1  # a variable is a formula, not a name
    with pytest.raises(ValueError, match="rosenbrock"):
        resolve_function("rosenbrok")
    with pytest.raises(ValueError, match="position"):
        resolve_function("x**2 +* y")


def test_check_output(tmp_path):
    assert check_output(None, (".png",), "--plot") is None
    assert check_output(tmp_path / "a.png", (".png",), "--plot") == tmp_path / "a.png"
    with pytest.raises(BadInput, match="does not exist"):
        check_output(tmp_path / "missing" / "a.png", (".png",), "--plot")
    with pytest.raises(BadInput, match="unsupported file type"):
        check_output(tmp_path / "a.txt", (".png",), "--plot")
    with pytest.raises(BadInput, match="is a directory"):
        (tmp_path / "d.png").mkdir()
        check_output(tmp_path / "d.png", (".png",), "--plot")


def test_one_line_drops_caret_diagrams():
    assert _one_line("bad thing at position 3\n  x +* y\n     ^") == "bad thing at position 3"
    assert _one_line("a\nb") == "a b"
    assert _one_line("") == "invalid input"


def test_unwritable_directory(run_cli, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = run_cli("minimize", "sphere", "--plot", locked / "a.png")
        assert code == 2 and "permission denied" in err
    finally:
        locked.chmod(0o700)


def test_layer_errors_are_caught_at_the_boundary(run_cli, monkeypatch):
    import gdlab

    def broken(*args, **kwargs):
        raise TypeError("optimizer 'adam' does not take 'momentum'")

    monkeypatch.setattr(gdlab, "minimize", broken, raising=False)
    code, _, err = run_cli("minimize", "sphere", "-p", "momentum=0.9", "-o", "adam")
    assert code == 2
    assert err.strip() == "gdlab: error: optimizer 'adam' does not take 'momentum'"


def test_ctrl_c_in_process(run_cli, monkeypatch):
    import gdlab

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(gdlab, "minimize", interrupted, raising=False)
    code, out, err = run_cli("minimize", "sphere")
    assert code == 130
    assert err.strip().splitlines()[-1] == "gdlab: interrupted"
    assert "Traceback" not in out + err


@pytest.mark.parametrize("args", [
    ["train", "--dataset", "moons", "--epochs", "100000", "--batch-size", "1"],
    ["demo", "--jobs", "2", "--out", "gallery"],
], ids=["train", "demo-parallel"])
def test_ctrl_c_real_process(tmp_path, args):
    """SIGINT to long work: a short message, exit 130 at once, no traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gdlab", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env={**os.environ, "MPLBACKEND": "Agg", "COLUMNS": "100"},
    )
    time.sleep(3.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, (out, err)
    assert "gdlab: interrupted" in err
    assert "Traceback" not in out + err


def test_debug_shows_tracebacks(run_cli, monkeypatch):
    monkeypatch.setenv("GDLAB_DEBUG", "1")
    with pytest.raises(ValueError):
        run_cli("functions", "rosenbrok")
