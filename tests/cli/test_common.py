"""What the commands share (gdlab/cli/common.py): the parsers, pure functions each refusing a bad value with a
message naming it, the output checks, and the error contract of the group: ONE line, exit 2; Ctrl-C, exit 130."""

import os
import signal
import subprocess
import sys
import time

import click
import numpy as np
import pytest

from gdlab.cli.common import (BadInput, Number, check_output, fmt_float, parse_int, parse_lrs, parse_model,
                              parse_number, parse_optimizers, parse_params, parse_point, parse_value, print_table,
                              resolve_function)
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
    # tuples in the obvious form, the older spellings kept
    for text in ("0.9,0.99", "(0.9, 0.99)", "[0.9,0.99]", "0.9/0.99", "0.9;0.99"):
        assert parse_value(text) == (0.9, 0.99), text
    assert parse_params(["momentum=0.9", "nesterov=true", "betas=0.8,0.9"]) == {
        "momentum": 0.9, "nesterov": True, "betas": (0.8, 0.9)}
    for bad in (["momentum"], ["=1"], ["1x=2"], ["a="]):
        with pytest.raises(BadInput, match="KEY=VALUE"):
            parse_params(bad)
    for bad in ("momentum=nan", "momentum=inf", "betas=0.9,", "betas=0.9,1e400"):
        with pytest.raises(BadInput, match="-p"):
            parse_params([bad], option="-p")


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "Infinity", "1e400", "", "1,5", "0x10", "1e", "--1"])
def test_numbers_are_finite(text):
    with pytest.raises(BadInput):
        parse_number(text)


def test_one_numeric_converter():
    import click

    lr = Number(min=0, min_open=True)
    assert lr.convert("1e-3", None, None) == 1e-3 and lr.convert(0.5, None, None) == 0.5
    steps = Number(min=1, max=1000, integer=True)
    assert steps.convert("300", None, None) == 300 and steps.convert("1e3", None, None) == 1000
    assert parse_int("2e2") == 200
    for conv, bad in [(lr, "0"), (lr, "-1"), (lr, "nan"), (lr, "inf"), (lr, "1e999"), (lr, True),
                      (steps, "0"), (steps, "1001"), (steps, "2.5"), (steps, "1e30"), (steps, "ten")]:
        with pytest.raises(click.BadParameter, match="must be"):
            conv.convert(bad, None, None)


def test_parse_optimizers():
    # a tuple value takes commas too: a piece that does not start with a name continues it
    assert parse_optimizers("adam:betas=0.9,0.99,gd:lr=0.1") == {
        "adam": {"optimizer": "adam", "betas": (0.9, 0.99)}, "gd": {"optimizer": "gd", "lr": 0.1}}
    assert parse_optimizers("adam:betas=(0.8, 0.9)") == {"adam": {"optimizer": "adam", "betas": (0.8, 0.9)}}
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


@pytest.mark.parametrize("command", [["minimize", "sphere"], ["race", "sphere"], ["sweep", "sphere"],
                                     ["tune", "sphere"]], ids=lambda c: c[0])
def test_a_folder_that_takes_no_file_is_refused_before_the_work(run_cli, tmp_path, monkeypatch, command):
    """/proc passes the os.access test even for root; the reserved temporary file finds it out first."""
    import gdlab

    for name in ("minimize", "race", "lr_sweep", "tune"):
        monkeypatch.setattr(gdlab, name, lambda *a, **k: pytest.fail("ran before checking the outputs"),
                            raising=False)
    code, out, err = run_cli(*command, "--json", tmp_path / "ok.json", "--plot", "/proc/p.png")
    assert code == 2 and "cannot write --plot '/proc/p.png'" in err
    assert list(tmp_path.iterdir()) == []


def test_layer_checks_are_bad_input(refused):
    """The rule refuses the hyperparameter while the command checks its arguments: exit 2, its message."""
    line = refused(["minimize", "sphere", "-p", "momentum=0.9", "-o", "adam"], "unknown hyperparameter")
    assert "adam" in line and "momentum" in line


@pytest.mark.parametrize("failing", ["gdlab.minimize", "gdlab.viz.animate", "gdlab.viz.interactive"])
def test_an_error_of_the_work_is_internal_and_leaves_no_file(run_cli, tmp_path, monkeypatch, failing):
    """Once the input is checked, an exception is gdlab's bug: exit 1 and one line saying so (never the
    exit 2 of bad input), and none of the outputs, not even those written before the failure."""
    import importlib

    module, name = failing.rsplit(".", 1)

    def broken(*args, **kwargs):
        raise ValueError("max() arg is an empty sequence")

    monkeypatch.setattr(importlib.import_module(module), name, broken, raising=False)
    outputs = {"--plot": tmp_path / "p.png", "--animate": tmp_path / "a.gif", "--html": tmp_path / "r.html",
               "--json": tmp_path / "r.json"}
    args = ["minimize", "himmelblau", "--start", "-4,4", "--start", "4,4", "--steps", "20", "--frames", "3"]
    code, out, err = run_cli(*args, *[str(a) for kv in outputs.items() for a in kv])
    assert code == 1, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith("gdlab: internal error: ValueError: max() arg is an empty sequence")
    assert "GDLAB_DEBUG=1" in lines[0] and "bug in gdlab" in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_outputs_are_renamed_into_place_together(run_cli, tmp_path):
    outputs = [tmp_path / "p.png", tmp_path / "r.json"]
    code, _, err = run_cli("minimize", "sphere", "--steps", "5", "--plot", outputs[0], "--json", outputs[1])
    assert code == 0, err
    assert sorted(tmp_path.iterdir()) == outputs          # no temporary file left beside them
    assert [line for line in err.splitlines() if line.startswith("wrote")] == [f"wrote {p}" for p in outputs]


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


def test_tables_fit_80_columns_and_never_break_a_number():
    """At 80 columns number columns are never folded, and text columns wrap between words, never inside one
    (inside one only when even the longest words cannot fit side by side; numbers still stay whole)."""
    from rich.console import Console

    columns = [("optimizer", "text"), ("hyperparameters", "text"), ("final loss", "number"), ("final point", "text"),
               ("status", "text"), ("to nearest\nminimum", "number")]
    rows = [["momentum", "lr=0.001778, momentum=0.9, nesterov=true", fmt_float(2.25507e-08),
             "(0.9998, 0.9997, 1.234, -5.678)", "converged at 1000000", fmt_float(0.000336039)],
            ["adam", "lr=1", fmt_float(5.975e-11), "(1, 1)", "max_steps", fmt_float(1.7e-5)]]

    def shown(rows):
        console = Console(width=80, record=True, highlight=False)
        print_table(console, columns, rows)
        text = console.export_text()
        assert max(len(line) for line in text.splitlines()) <= 80
        return {w for line in text.splitlines() for w in line.replace("│", " ").replace("┃", " ").split()}

    words = shown(rows)
    for row in rows:
        for cell in row:
            assert set(cell.split()) <= words, cell        # every word (every number) whole on one line
    rows[1][0] = "a_label_far_too_long_to_share_eighty_columns_with_the_rest"
    words = shown(rows)
    for row in rows:
        assert {row[2], row[5]} <= words


def test_numbers_have_four_significant_digits():
    assert fmt_float(0.00177827941) == "0.001778" and fmt_float(1.730e-12) == "1.730e-12"
    assert fmt_float(-1 / 3) == "-0.3333" and fmt_float(2 / 3) == "0.6667" and fmt_float(1.0) == "1"
    assert fmt_float(123456.0) == "1.235e+05" and fmt_float(float("nan")) == "nan"


def _numeric_options():
    from gdlab.cli import app

    for name, command in sorted(app.commands.items()):
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag and param.type.name in (
                    "integer", "number", "float", "float range", "integer range"):
                yield name, param


NUMERIC = list(_numeric_options())


def test_every_numeric_option_goes_through_the_one_converter():
    assert len(NUMERIC) >= 20
    for name, param in NUMERIC:
        assert isinstance(param.type, Number), (name, param.name)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "ten"])
@pytest.mark.parametrize("command, param", NUMERIC, ids=[f"{c} {p.opts[0]}" for c, p in NUMERIC])
def test_every_numeric_option_refuses_what_is_not_a_finite_number(refused, command, param, value):
    args = {"animate": ["animate", "sphere", "a.gif"], "demo": ["demo"], "train": ["train"]}.get(command, [command, "sphere"])
    line = refused([*args, param.opts[0], value], f"'{param.opts[0]}'")
    assert "must be" in line and repr(value) in line
