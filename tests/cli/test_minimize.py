"""gdlab minimize: the summary table, the figures, the JSON, and what it refuses before running."""

import numpy as np
import pytest

from tests.cli.conftest import gif_frames, html_ok, png_ok, strict_json


def test_minimize_summary_and_json(run_cli, tmp_path):
    out_json = tmp_path / "run.json"
    code, out, err = run_cli("minimize", "rosenbrock", "--optimizer", "adam", "--lr", "0.01", "--steps", "50",
                             "--start", "-1.5,2", "--json", out_json)
    assert code == 0, err
    assert "adam" in out and "final point" in out and "max_steps" in out and "(-1.5, 2)" in out
    data = strict_json(out_json)
    assert data["kind"] == "minimize" and data["optimizer"] == "adam"
    assert np.asarray(data["params"]).shape == (51, 2)


def test_json_of_a_diverged_run_is_strict(run_cli, tmp_path):
    out_json = tmp_path / "div.json"
    code, out, err = run_cli("minimize", "sphere", "--lr", "5", "--steps", "20", "--start", "1,1", "--json", out_json)
    assert code == 0, err
    assert "diverged" in out
    data = strict_json(out_json)
    assert data["status"] == "diverged"


def test_minimize_formula_1d_and_seed_numbers(run_cli):
    """Seed 001: 3x^2 + 2x + 1 has its minimum 2/3 at -1/3, shown with 4 significant digits."""
    code, out, err = run_cli("minimize", "3*x**2 + 2*x + 1", "--lr", "0.2", "--steps", "1000", "--start", "-10")
    assert code == 0, err
    assert "-0.3333" in out and "0.6667" in out and "-0.33333" not in out


def test_minimize_many_starts_noise_tol(run_cli):
    code, out, err = run_cli("minimize", "himmelblau", "--start", "-4,4", "--start", "4,4", "--lr", "0.01",
                             "--tol", "1e-6", "--steps", "300")
    assert code == 0, err
    assert out.count("converged at") == 2
    code, out, err = run_cli("minimize", "x**2 - y**2", "--start", "10,0", "--lr", "0.004", "--steps", "50",
                             "--noise", "0.01", "--seed", "0")
    assert code == 0, err


def test_minimize_figures(run_cli, tmp_path):
    plot, gif, html = tmp_path / "p.png", tmp_path / "a.gif", tmp_path / "r.html"
    code, _, err = run_cli("minimize", "himmelblau", "--steps", "40", "--lr", "0.01", "--plot", plot,
                           "--animate", gif, "--frames", "6", "--html", html)
    assert code == 0, err
    png_ok(plot)
    assert gif_frames(gif) == 6
    html_ok(html, "himmelblau")
    for path in (plot, gif, html):
        assert f"wrote {path}" in err


def test_minimize_1d_plot(run_cli, tmp_path):
    plot = tmp_path / "p.png"
    code, _, err = run_cli("minimize", "square", "--start", "-5", "--lr", "0.1", "--steps", "20", "--plot", plot)
    assert code == 0, err
    png_ok(plot)


def test_plot_of_a_3d_function_draws_the_loss_curves(run_cli, tmp_path):
    out = tmp_path / "s3.png"
    code, _, err = run_cli("minimize", "sphere:dim=3", "--start", "1,1,1", "--steps", "10", "--plot", out)
    assert code == 0, err
    png_ok(out)


@pytest.mark.parametrize("option, name", [("--animate", "s3.gif"), ("--html", "s3.html")])
def test_pictures_that_need_2d_are_refused_before_running(run_cli, tmp_path, option, name):
    code, out, err = run_cli("minimize", "sphere:dim=3", "--start", "1,1,1", "--steps", "10", option, tmp_path / name)
    assert code == 2
    assert f"{option} draws 1-D and 2-D functions" in err
    assert "final point" not in out  # refused before the run, not after it
    assert not (tmp_path / name).exists()


BAD = [
    # (arguments, a piece of the message)
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
    (["minimize", "sphere", "--lr", "inf"], "'--lr': must be a finite number > 0, got 'inf'"),
    (["minimize", "sphere", "--lr", "nan"], "'--lr': must be a finite number > 0, got 'nan'"),
    (["minimize", "sphere", "--lr", "1e400"], "'--lr'"),
    (["minimize", "sphere", "--steps", "0"], "--steps"),
    (["minimize", "sphere", "--steps", "1e30"], "'--steps': must be a whole number in [1, 1000000]"),
    (["minimize", "sphere", "--steps", "2.5"], "'--steps'"),
    (["minimize", "sphere", "--noise", "-1"], "--noise"),
    (["minimize", "sphere", "--noise", "nan"], "'--noise': must be a finite number >= 0"),
    (["minimize", "sphere", "--tol", "inf"], "'--tol'"),
    (["minimize", "sphere", "--seed", "-3"], "'--seed'"),
    (["minimize", "sphere", "--frames", "1"], "'--frames'"),
    (["minimize", "sphere", "--start", "nan,1"], "--start"),
    (["minimize", "sphere", "-p", "momentum=nan", "-o", "momentum"], "-p momentum: 'nan' is not a finite number"),
    (["minimize", "sphere", "-o", "momentum:momentum=inf"], "momentum: 'inf' is not a finite number"),
    (["minimize", "sphere", "-o", "gd,adam"], "minimize runs one optimizer"),
    (["minimize", "sphere", "--html", "a.html", "--animate", "./a.html"], "also another output"),
    (["minimize", "sphere", "-p", "momentum"], "KEY=VALUE"),
    (["minimize", "sphere", "--plot", "/nonexistent-dir/a.png"], "does not exist"),
    (["minimize", "sphere", "--plot", "out.txt"], "unsupported file type"),
    (["minimize", "sphere", "--json", "/nonexistent-dir/a.json"], "does not exist"),
    (["minimize", "sphere", "--animate", "/nonexistent-dir/a.gif"], "does not exist"),
    (["minimize", "sphere", "--html", "/nonexistent-dir/a.html"], "does not exist"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line_exit_2(refused, args, message):
    refused(args, message)


def test_several_starts_animate_and_every_output_is_written(run_cli, tmp_path):
    """The --help example that failed with "max() arg is an empty sequence" (and left a 0-byte --html)."""
    plot, gif, html = tmp_path / "p.png", tmp_path / "runs.gif", tmp_path / "r.html"
    code, out, err = run_cli("minimize", "himmelblau", "--start", "-4,4", "--start", "4,4", "--start", "0,0",
                             "--steps", "30", "--frames", "4", "--plot", plot, "--animate", gif, "--html", html)
    assert code == 0, err
    png_ok(plot)
    assert gif_frames(gif) == 4
    html_ok(html, "himmelblau")


def test_tuple_hyperparameters_in_the_obvious_form(run_cli, tmp_path):
    import gdlab

    js = tmp_path / "t.json"
    code, out, err = run_cli("minimize", "rosenbrock", "-o", "adam", "-p", "betas=0.8,0.9", "--lr", "0.05",
                             "--steps", "40", "--json", js)
    assert code == 0, err
    assert "betas=0.8,0.9" in out
    ref = gdlab.minimize("rosenbrock", None, "adam", steps=40, lr=0.05, betas=(0.8, 0.9))
    np.testing.assert_array_equal(strict_json(js)["final"], ref.final)
    code, out2, err = run_cli("minimize", "rosenbrock", "-o", "adam:betas=(0.8, 0.9)", "--lr", "0.05", "--steps", "40")
    assert code == 0 and out2 == out


def test_mp4_without_ffmpeg_is_one_line_with_the_hint(refused, tmp_path, monkeypatch):
    """ffmpeg hidden from PATH (and matplotlib's setting pointing at nothing): refused before running."""
    import matplotlib

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(matplotlib.rcParams, "animation.ffmpeg_path", "ffmpeg")
    line = refused(["minimize", "himmelblau", "--animate", tmp_path / "x.mp4"], "needs ffmpeg")
    assert "apt-get install ffmpeg" in line and "brew install ffmpeg" in line
    assert list(tmp_path.iterdir()) == []


def test_a_long_run_shows_a_progress_bar_with_a_rate_and_eta(tmp_path):
    """On a terminal (forced here), minimize draws steps done / total, steps/s and the ETA on stderr."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "100",
           "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-m", "gdlab", "minimize", "rosenbrock", "--steps", "200000"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "steps/s" in proc.stderr and "eta" in proc.stderr and "/200000" in proc.stderr
    assert "steps/s" not in proc.stdout and "200000 steps" in proc.stdout


def test_cli_says_what_was_kept(run_cli, monkeypatch):
    monkeypatch.setenv("GDLAB_RECORD_BUDGET", "20K")
    code, out, err = run_cli("minimize", "rosenbrock", "-o", "adam", "--lr", "0.01", "--steps", "2000",
                             "--start", "-1,1")
    assert code == 0, err
    lines = [line for line in out.splitlines() if line.startswith("recorded ")]
    assert len(lines) == 1 and "every 11th step (183 of 2001 points" in lines[0]
    monkeypatch.delenv("GDLAB_RECORD_BUDGET")
    code, out, err = run_cli("minimize", "rosenbrock", "-o", "adam", "--steps", "20")
    assert code == 0 and "recorded " not in out


def test_engine_option(run_cli, refused, monkeypatch):
    import logging

    pytest.importorskip("numba")
    monkeypatch.delenv("GDLAB_ENGINE", raising=False)
    code, out, err = run_cli("minimize", "rosenbrock", "-o", "adam", "--lr", "0.01", "--steps", "50", "--engine", "numba")
    assert code == 0, err
    code2, out2, _ = run_cli("minimize", "rosenbrock", "-o", "adam", "--lr", "0.01", "--steps", "50", "--engine", "numpy")
    assert code2 == 0 and out2 == out  # the same table from both engines
    assert len([line for line in err.splitlines() if "compiling" in line]) <= 1
    refused(["minimize", "rosenbrock", "-o", "radam", "--engine", "numba"], "engine='numba' cannot run this")  # its step branches
    refused(["minimize", "sphere", "--engine", "jax"], "--engine")
    logging.getLogger("gdlab.compiled").handlers.clear()
