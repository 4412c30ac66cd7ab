"""Every bad input ends with ONE line on stderr, ``gdlab: error: ...``, exit status 2, and no traceback."""

import os
import signal
import subprocess
import sys
import time

import pytest

BAD = [
    # (arguments, a piece of the message)
    (["functions", "rosenbrok"], "did you mean 'rosenbrock'"),
    (["minimize", "rosenbrok"], "did you mean 'rosenbrock'"),
    (["minimize", "x**2 +* y"], "position"),
    (["minimize", "x**2 + import(y)"], "position"),
    (["minimize", "__import__('os')"], "position"),
    (["minimize", "sphere", "--optimizer", "adamm"], "did you mean 'adam'"),
    (["minimize", "sphere", "--start", "1,,2"], "malformed --start"),
    (["minimize", "sphere", "--start", "one,two"], "malformed --start"),
    (["minimize", "rosenbrock", "--start", "1,2,3"], "3 coordinates"),
    (["minimize", "sphere", "--lr", "-0.1"], "--lr"),
    (["minimize", "sphere", "--lr", "0"], "--lr"),
    (["minimize", "sphere", "--steps", "0"], "--steps"),
    (["minimize", "sphere", "--noise", "-1"], "--noise"),
    (["minimize", "sphere", "-p", "momentum"], "KEY=VALUE"),
    (["minimize", "sphere", "--plot", "/nonexistent-dir/a.png"], "does not exist"),
    (["minimize", "sphere", "--plot", "out.txt"], "unsupported file type"),
    (["minimize", "sphere", "--json", "/nonexistent-dir/a.json"], "does not exist"),
    (["minimize", "sphere", "--animate", "/nonexistent-dir/a.gif"], "does not exist"),
    (["minimize", "sphere", "--html", "/nonexistent-dir/a.html"], "does not exist"),
    (["race", "sphere", "--optimizers", "sgd:lr=0.1,nope:lr=1"], "unknown optimizer"),
    (["race", "sphere", "--optimizers", "sgd,,adam"], "empty entry"),
    (["race", "sphere", "--optimizers", "sgd:lr"], "KEY=VALUE"),
    (["sweep", "sphere", "--lrs", "1:2"], "--lrs"),
    (["sweep", "sphere", "--lrs", "-1,1"], "> 0"),
    (["sweep", "sphere", "--optimizer", "gdd"], "unknown optimizer"),
    (["train", "--dataset", "moonz"], "did you mean 'moons'"),
    (["train", "--model", "2-x-2"], "malformed --model"),
    (["train", "--model", "3-8-2"], "input size must be 2"),
    (["train", "--model", "2-8-5"], "output size must be 2"),
    (["train", "--lr", "-1"], "--lr"),
    (["train", "--optimizer", "adamm", "--epochs", "1"], "did you mean 'adam'"),
    (["train", "--activation", "relux", "--epochs", "1"], "activation"),
    (["train", "--save", "/nonexistent-dir/m.npz"], "does not exist"),
    (["train", "--data", "bogus=1"], "bogus"),
    (["demo", "--only", "nope"], "unknown experiment"),
    (["nosuchcommand"], "No such command"),
    (["minimize"], "Missing argument"),
    (["minimize", "sphere", "--bogus"], "No such option"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line_exit_2(run_cli, args, message):
    code, out, err = run_cli(*args)
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gdlab: error: ")
    assert message.lower() in lines[0].lower()
    assert "Traceback" not in out + err


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
