"""Every command end to end on small inputs: exit status, what it prints, the files it writes."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest


def png_ok(path):
    from PIL import Image

    assert path.exists() and path.stat().st_size > 1000
    with Image.open(path) as im:
        arr = np.asarray(im.convert("L"), dtype=float)
    assert arr.std() > 5, "the image is blank"


def gif_frames(path):
    from PIL import Image

    with Image.open(path) as im:
        return im.n_frames


def html_ok(path, *needles):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", text), "an external script"
    for needle in needles:
        assert needle in text, needle
    return text


def test_help_on_every_command(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0 and "Examples" in out
    for command in ("functions", "minimize", "race", "sweep", "train", "demo"):
        code, out, _ = run_cli(command, "--help")
        assert code == 0 and "Examples:" in out and f"gdlab {command}" in out, command


def test_module_entry_point_and_version():
    out = subprocess.run([sys.executable, "-m", "gdlab", "--version"], capture_output=True, text=True, check=True)
    assert re.match(r"gdlab \d+\.\d+", out.stdout)


def test_functions(run_cli):
    code, out, _ = run_cli("functions")
    assert code == 0
    for name in ("square", "rosenbrock", "himmelblau", "rastrigin", "saddle"):
        assert name in out
    code, out, _ = run_cli("functions", "rosenbrock")
    assert code == 0 and "100*(y - x**2)**2 + (1 - x)**2" in out and "(1, 1)" in out and "bounds" in out
    code, out, _ = run_cli("functions", "x**2 - y**2")
    assert code == 0 and "x**2 - y**2" in out


def test_minimize_summary_and_json(run_cli, tmp_path):
    out_json = tmp_path / "run.json"
    code, out, err = run_cli("minimize", "rosenbrock", "--optimizer", "adam", "--lr", "0.01", "--steps", "50",
                             "--start", "-1.5,2", "--json", out_json)
    assert code == 0, err
    assert "adam" in out and "final point" in out and "max_steps" in out and "(-1.5, 2)" in out
    data = strict_json(out_json)
    assert data["kind"] == "minimize" and data["optimizer"] == "adam"
    assert np.asarray(data["params"]).shape == (51, 2)


def strict_json(path):
    def refuse(constant):
        raise AssertionError(f"{constant} is not strict JSON")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def test_json_of_a_diverged_run_is_strict(run_cli, tmp_path):
    out_json = tmp_path / "div.json"
    code, out, err = run_cli("minimize", "sphere", "--lr", "5", "--steps", "20", "--start", "1,1", "--json", out_json)
    assert code == 0, err
    assert "diverged" in out
    data = strict_json(out_json)
    assert data["status"] == "diverged"


def test_minimize_formula_1d_and_seed_numbers(run_cli):
    code, out, err = run_cli("minimize", "3*x**2 + 2*x + 1", "--lr", "0.2", "--steps", "1000", "--start", "-10")
    assert code == 0, err
    assert "-0.333333" in out and "0.666667" in out


def test_minimize_many_starts_noise_tol(run_cli):
    code, out, err = run_cli("minimize", "himmelblau", "--start", "-4,4", "--start", "4,4", "--lr", "0.01",
                             "--tol", "1e-6", "--steps", "300")
    assert code == 0, err
    assert out.count("converged") == 2
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


def test_race(run_cli, tmp_path):
    plot, js = tmp_path / "race.png", tmp_path / "race.json"
    code, out, err = run_cli("race", "rosenbrock", "--optimizers", "sgd:lr=0.001,momentum:lr=0.001:momentum=0.9,adam:lr=0.1",
                             "--steps", "60", "--start", "-1.5,2", "--plot", plot, "--json", js)
    assert code == 0, err
    for label in ("sgd", "momentum", "adam", "to nearest minimum"):
        assert label in out
    png_ok(plot)
    data = json.loads(js.read_text())
    assert set(data["runs"]) == {"sgd", "momentum", "adam"}


def test_race_tuned_with_animation_and_html(run_cli, tmp_path):
    gif, html = tmp_path / "race.gif", tmp_path / "race.html"
    code, out, err = run_cli("race", "beale", "--optimizers", "gd,adam", "--tune", "--steps", "40",
                             "--animate", gif, "--frames", "5", "--html", html)
    assert code == 0, err
    assert "(tuned lr)" in out
    assert gif_frames(gif) == 5
    html_ok(html, "adam")


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


def test_demo_list(run_cli):
    code, out, _ = run_cli("demo", "--list")
    assert code == 0
    for name in ("seed000_x2", "seed003_saddle", "race_rosenbrock", "basin_map"):
        assert name in out


def test_demo_only_one_experiment(run_cli, tmp_path):
    code, out, err = run_cli("demo", "--only", "seed004_descent", "--quick", "--out", tmp_path)
    assert code == 0, out + err
    assert "seed004_descent" in out and "−6.1e-10" in out
    assert (tmp_path / "index.html").exists()


def test_demo_exits_1_when_an_experiment_fails(run_cli, tmp_path, monkeypatch):
    from gdlab.demo._core import REGISTRY, Experiment

    def broken(ctx):
        raise RuntimeError("this experiment is broken")

    monkeypatch.setitem(REGISTRY, "zz_broken", Experiment("zz_broken", "beyond", "Broken", "fails", broken))
    code, out, err = run_cli("demo", "--only", "zz_broken,seed001_backprop", "--out", tmp_path)
    assert code == 1
    assert "this experiment is broken" in out and "1 failed" in out
    assert "Traceback" not in out + err
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'id="zz_broken"' in page and 'id="seed001_backprop"' in page


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
