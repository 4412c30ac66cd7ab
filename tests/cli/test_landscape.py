"""gdlab landscape and gdlab train --sharpness/--trajectory: files, printed numbers equal to the library's, errors."""

import json
import re

import numpy as np
import pytest

from tests.cli.conftest import html_ok, png_ok


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A moons model and its weights per epoch, written by gdlab train."""
    from click.testing import CliRunner

    from gdlab.cli import app

    out = tmp_path_factory.mktemp("landscape")
    model, path, sharp = out / "m.npz", out / "path.npz", out / "sharp.png"
    result = CliRunner().invoke(app, ["train", "--dataset", "moons", "--model", "2-8-2", "--epochs", "8",
                                      "--seed", "0", "--optimizer", "gd", "--lr", "0.5", "--full-batch",
                                      "--save", str(model), "--trajectory", str(path), "--sharpness", str(sharp)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, model, path, sharp, result.output


def test_train_writes_the_sharpness_figure_and_the_trajectory(trained):
    from gdlab.nn import landscape

    out, model, path, sharp, text = trained
    png_ok(sharp)
    line = next(x for x in text.splitlines() if x.startswith("sharpness:"))
    assert re.fullmatch(r"sharpness: [\d.]+ at the start, ≈ [\d.]+ over updates 6–8 \(median; stability limit 4\)",
                        line), line
    weights = landscape.load_weight_history(path)
    assert len(weights) == 9  # before training and after each of the 8 epochs


def test_landscape_filter_plane(run_cli, trained):
    from gdlab import datasets, nn

    out, model, _, _, _ = trained
    plot, js = out / "f.png", out / "f.json"
    code, text, err = run_cli("landscape", model, "--dataset", "moons", "--seed", "0", "--steps", "9",
                              "--plot", plot, "--json", js)
    assert code == 0, err
    png_ok(plot)
    data = json.loads(js.read_text())
    assert np.shape(data["loss"]) == (9, 9) and data["method"] == "vectorised"
    # the centre is the training loss of the model, on the split gdlab train used
    x, y = datasets.get("moons", seed=0)
    x_tr, _, y_tr, _ = datasets.train_test_split(x, y, test_size=0.2, seed=0)
    x_tr = datasets.Standardizer().fit(x_tr).transform(x_tr)
    expected = nn.load_model(model).evaluate(x_tr, y_tr)["loss"]
    assert data["center_loss"] == pytest.approx(expected, rel=1e-12)
    assert data["loss"][4][4] == pytest.approx(expected, rel=1e-5)  # float32 model
    assert f"{expected:.6g}"[:6] in text


def test_landscape_pca_plane_with_the_path(run_cli, trained):
    out, model, path, _, _ = trained
    plot, html, js = out / "p.png", out / "p.html", out / "p.json"
    code, text, err = run_cli("landscape", model, "--dataset", "moons", "--seed", "0", "--kind", "pca",
                              "--trajectory", path, "--steps", "9", "--plot", plot, "--html", html, "--json", js)
    assert code == 0, err
    png_ok(plot)
    html_ok(html, "training path")
    data = json.loads(js.read_text())
    assert len(data["path"]) == 9 and data["path"][-1] == [0.0, 0.0]
    assert 0.5 < sum(data["explained"]) <= 1.0 + 1e-12 and "of the path's variance" in text


@pytest.mark.parametrize("args, message", [
    (["--kind", "pca"], "--kind pca needs --trajectory"),
    (["--dataset", "digits"], "features"),
    (["--plot", "x.gif"], "--plot"),
])
def test_landscape_errors_are_one_line(run_cli, trained, args, message):
    out, model, _, _, _ = trained
    base = ["landscape", model] + (["--dataset", "moons"] if "--dataset" not in args else [])
    code, _, err = run_cli(*base, *args)
    assert code == 2 and err.startswith("gdlab: error:") and message in err and err.count("\n") == 1


def test_landscape_of_a_missing_file(run_cli, tmp_path):
    code, _, err = run_cli("landscape", tmp_path / "none.npz", "--dataset", "moons")
    assert code == 2 and "no such model file" in err


def test_landscape_help(run_cli):
    code, out, _ = run_cli("landscape", "--help")
    assert code == 0 and "Examples:" in out and "gdlab landscape" in out and "--trajectory" in out
    code, out, _ = run_cli("train", "--help")
    assert "--sharpness" in out and "--trajectory" in out


def test_the_late_sharpness_is_the_median_of_the_last_quarter():
    from types import SimpleNamespace

    from gdlab.cli.train import _late_sharpness, _two_digits

    cb = SimpleNamespace(steps=list(range(0, 101, 10)), sharpness=[1, 2, 3, 4, 5, 6, 7, 8, 30, 10, 11])
    assert _late_sharpness(cb) == (75, 11)          # updates 80, 90, 100: 30, 10, 11 (mean 17)
    assert [_two_digits(v) for v in (19.949, 19.4, 0.01234, 1234.5, float("nan"))] == ["20", "19", "0.012", "1234",
                                                                                         "nan"]
