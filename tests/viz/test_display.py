"""Notebook displays: every result's MIME bundle shows the numbers of the result it displays."""

import base64
import io
import subprocess
import sys

import numpy as np
import pytest

import gdlab
from gdlab import _display, nn
from gdlab.viz import display


def _png(html):
    """The thumbnail embedded in an HTML display, as an RGB array."""
    from PIL import Image

    data = html.split("data:image/png;base64,")[1].split('"')[0]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))


def _not_blank(img):
    return img.std() > 10 and len(np.unique(img.reshape(-1, 3), axis=0)) > 20


def test_import_gdlab_does_not_load_the_displays_a_first_display_does():
    code = ("import sys, gdlab; f = gdlab.functions.get('rosenbrock'); "
            "before = 'gdlab.viz.display' in sys.modules or 'IPython' in sys.modules; "
            "b = f._repr_mimebundle_(); print(before, 'gdlab.viz.display' in sys.modules, sorted(b), "
            "'IPython' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "['text/html',", "'text/latex']", "False"]


def test_function_shows_its_formula_dim_minima_and_bounds():
    f = gdlab.functions.get("rosenbrock")
    b = f._repr_mimebundle_()
    assert b["text/latex"].startswith("$$") and f.latex in b["text/latex"]
    html = b["text/html"]
    assert "(1, 1)" in html and "[-2, 2] × [-1, 3]" in html and ">2<" in html
    assert f._repr_mimebundle_(include={"text/latex"}) == {"text/latex": b["text/latex"]}
    assert "text/latex" not in f._repr_mimebundle_(exclude={"text/latex"})


def test_a_function_without_latex_shows_its_formula_as_code():
    f = gdlab.expr("x**2 + 3*y**2")
    b = f._repr_mimebundle_()
    assert "text/latex" not in b or f.latex in b["text/latex"]
    assert "x**2 + 3*y**2" in b["text/html"] or f.latex in b["text/html"]


@pytest.fixture(scope="module")
def race():
    return gdlab.race("rosenbrock", [-1.2, 1.0], {"gd": {"lr": 1e-3}, "adam": {"lr": 0.05},
                                                  "heavy": {"optimizer": "momentum", "lr": 1e-3, "momentum": 0.95}},
                      steps=200)


def test_race_is_a_dict_that_shows_one_row_per_optimizer_and_a_contour(race):
    assert isinstance(race, dict) and isinstance(race, gdlab.runs.Race)
    html = race._repr_mimebundle_()["text/html"]
    for label, t in race.items():
        row = html.split(f"</span> {label}</td>")[1].split("</tr>")[0]
        assert display._num(t.final_loss) in row and display._point(t.final) in row
    # each row starts with a dot in its run's colour, the colour of its path in the thumbnail
    assert '<span style="color:#2CA25F">●</span> adam</td>' in html
    assert "momentum=0.95" in html and "lr=0.05" in html and "nesterov" not in html  # off flags left out
    assert html.count("max_steps") == 3 and ">200<" in html
    assert "background:#fff6d6" in html.split("</span> heavy<")[0].rsplit("<tr>", 1)[1]  # the best row
    assert _not_blank(_png(html))


def test_many_starts_are_summarised_not_listed():
    t = gdlab.minimize("rosenbrock", np.random.default_rng(0).uniform(-1, 1, (20, 2)), optimizer="adam", lr=0.05,
                       steps=30)
    html = t._repr_mimebundle_()["text/html"]
    assert html.count("<tr>") == 1 + display.MAX_ROWS
    assert f"{20 - display.MAX_ROWS} more run(s) not listed" in html


def test_a_trajectory_in_three_dimensions_shows_its_loss_curve():
    t = gdlab.minimize("sphere:dim=3", [1.0, 2.0, 3.0], optimizer="gd", lr=0.1, steps=20)
    html = t._repr_mimebundle_()["text/html"]
    assert display._num(t.final_loss) in html and _not_blank(_png(html))


def test_sweep_highlights_its_best_lr():
    s = gdlab.lr_sweep("rosenbrock", [-1.2, 1.0], "gd", steps=100)
    html = s._repr_mimebundle_()["text/html"]
    best_row = html.split(">best<")[0].rsplit("<tr>", 1)[1]
    assert display._num(s.best_lr, 4) in best_row and "background:#fff6d6" in best_row
    assert f"{display.MAX_ROWS} of {len(s.lrs)} learning rates shown" in html
    assert "diverged" in html and _not_blank(_png(html))


def test_tune_shows_the_best_setting_per_optimizer():
    t = gdlab.tune("rosenbrock", [-1.2, 1.0], ["gd", "adam"], steps=100)
    html = t._repr_mimebundle_()["text/html"]
    for k in ("gd", "adam"):
        row = html.split(f">{k}<")[1].split("</tr>")[0]
        assert display._num(t.best_lr[k], 4) in row and display._num(t.best_score[k]) in row
    assert isinstance(t.race, gdlab.runs.Race)


@pytest.fixture(scope="module")
def trained():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype("float32")
    y = (x[:, 0] > 0).astype(int)
    model = nn.mlp([2, 8, 2], seed=0)
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    return model, model.fit(x, y, epochs=6, verbose=0, validation_data=(x, y))


def test_history_shows_the_last_epoch_and_the_best_validation_epoch(trained):
    _, h = trained
    html = h._repr_mimebundle_()["text/html"]
    last = html.split(">last epoch<")[1].split("</tr>")[0]
    for k in ("loss", "accuracy", "val_loss"):
        assert display._num(h.history[k][-1]) in last
    assert ">best val_loss<" in html and "6 epochs" in html and _not_blank(_png(html))


def test_model_summary_is_a_table_with_the_totals(trained, monkeypatch):
    model, _ = trained
    html = model._repr_mimebundle_()["text/html"]
    assert html.count("<tr>") == 1 + len(model.layers)
    assert "0 (Linear)" in html and "(None, 8)" in html and f"Total params: {model.count_params():,}" in html
    shown = []
    monkeypatch.setattr(_display, "in_notebook", lambda: True)
    monkeypatch.setattr(_display, "show", lambda kind, obj, text: shown.append((kind, obj, text)))
    assert model.summary() is None
    kind, table, text = shown[0]
    assert kind == "model_summary" and text == model.summary(print_fn=None)
    assert display.summary_html(table) == html


def test_without_matplotlib_the_tables_stay_and_the_thumbnails_go(race, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    html = race._repr_mimebundle_()["text/html"]
    assert "data:image/png" not in html and "</span> heavy<" in html


def test_in_notebook_is_false_outside_a_kernel():
    assert _display.in_notebook() is False
