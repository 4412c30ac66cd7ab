"""The gallery's framework: registry, number checks, isolation of failures, the page. Fast (no real experiment)."""

import json
import os
import re

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from gdlab import demo  # noqa: E402
from gdlab.demo._core import REGISTRY, Context, Experiment, agrees  # noqa: E402

from . import LAB_LINK, without_lab_links  # noqa: E402

# ------------------------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize("value, seed, ok", [
    (0.6666667, "0.67", True), (0.6749, "0.67", True), (0.676, "0.67", False),
    ((-6.11e-10, 8.15e-10), "(-6.1e-10, 8.1e-10)", True), ((-6.2e-10, 8.1e-10), "(-6.1e-10, 8.1e-10)", False),
    (6.00000000000378, "6.00000000000378", True), (6.000000000004, "6.00000000000378", False),
    (151, "151", True), (-0.0035747, "-0.004", True), (-0.0035747, "−0.004", True), (2.000715, "1.9992", False),
    ((1, 2), "(1, 2, 3)", False), (1.0, "about", False),
])
def test_agrees_to_the_seeds_digits(value, seed, ok):
    assert agrees(value, seed) is ok


def test_context_records_numbers(tmp_path):
    exp = Experiment("fake", "000", "t", "e", lambda ctx: None)
    ctx = Context(exp, tmp_path, quick=True)
    assert ctx.match("a", 0.667, "0.67") and not ctx.match("b", 1.0, "2.0")
    ctx.corrected("c", 2.000715, "1.9992", "sign error")
    ctx.value("d", np.float64(3.5))
    ctx.approx("e", 31, "about 32", "note")
    assert ctx.check("f", True, "diverged", "diverges")
    assert [n.status for n in ctx.numbers] == ["match", "mismatch", "corrected", "new", "approx", "match"]
    assert [n.mark for n in ctx.numbers][:4] == ["✓", "✗", "corrected", "new"]
    assert ctx.numbers[3].seed == "—" and ctx.numbers[3].gdlab == "3.5"
    assert ctx.pick(100, 10) == 10 and ctx.path("x.png") == tmp_path / "fake-x.png"
    with pytest.raises(RuntimeError, match="not written"):
        ctx.add("missing.png")


# ------------------------------------------------------------------------------------------------ registry


def test_registry_covers_every_seed_and_showcase():
    exps = demo.experiments()
    names = [e.name for e in exps]
    assert len(names) == len(set(names))
    assert {e.seed for e in exps} == set(demo.GROUPS)
    for e in exps:
        assert e.title and e.explain and callable(e.run)
    required = {"seed000_x2", "seed000_slow", "seed001_quadratic", "seed001_regression", "seed001_backprop",
                "seed002_gd", "seed002_sgd", "seed003_paths", "seed003_surface", "seed003_lr1", "seed003_saddle",
                "seed003_saddle_optimizers", "seed003_relu", "seed004_numdiff", "seed004_gradient",
                "seed004_descent", "seed004_digits", "race_rosenbrock", "race_rastrigin", "saddle_escape",
                "basin_map", "decision_boundary", "interactive_report"}
    assert required <= set(names)


def test_select():
    assert [e.name for e in demo.select(["seed000_x2"])] == ["seed000_x2"]
    assert {e.seed for e in demo.select(["003"])} == {"003"}
    assert {e.seed for e in demo.select(["seed-004", "beyond"])} == {"004", "beyond"}
    assert len(demo.select([])) == len(demo.experiments())
    assert {e.name for e in demo.select(["seed000_x2", "saddle"])} == {  # a word picks every name holding it
        "seed000_x2", "seed003_saddle", "seed003_saddle_optimizers", "saddle_escape"}
    with pytest.raises(ValueError, match="seed000_x2"):
        demo.select(["seed000_x3"])


def test_experiment_registered_once():
    with pytest.raises(ValueError, match="twice"):
        demo.experiment("seed000_x2", seed="000", title="t", explain="e")(lambda ctx: None)
    with pytest.raises(ValueError, match="seed must be"):
        demo.experiment("zzz", seed="005", title="t", explain="e")


# ------------------------------------------------------------------------------------------------ runner and page


def _good(ctx):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2))
    fig.add_subplot().plot([0, 1], [1, 0])
    ctx.save(fig, "line.png", "a line")
    ctx.match("two thirds", 2 / 3, "0.67")
    ctx.corrected("w21", 2.000715, "1.9992", "sign error <b>escaped</b>", digits=7)


def _bad(ctx):
    ctx.value("before the failure", 1.0)
    raise RuntimeError("boom\nsecond line")


def _wrong(ctx):
    ctx.match("a number", 1.0, "2.0")


@pytest.fixture
def fakes(monkeypatch):
    exps = [Experiment("fake_good", "000", "Good", "works", _good),
            Experiment("fake_bad", "001", "Bad", "fails", _bad),
            Experiment("fake_wrong", "beyond", "Wrong", "mismatch", _wrong)]
    for e in exps:
        monkeypatch.setitem(REGISTRY, e.name, e)
    return exps


@pytest.mark.parametrize("jobs", [1, 2])
def test_run_gallery_isolates_failures_and_writes_the_page(tmp_path, fakes, jobs):
    report = demo.run_gallery(tmp_path, fakes, quick=True, jobs=jobs)
    status = {r.name: r.status for r in report.results}
    assert status == {"fake_good": "ok", "fake_bad": "failed", "fake_wrong": "mismatch"}
    assert report.n_failed == 2
    bad = next(r for r in report.results if r.name == "fake_bad")
    assert bad.error == "RuntimeError: boom second line" and "Traceback" in bad.traceback
    assert [n.label for n in bad.numbers] == ["before the failure"]
    assert (tmp_path / "fake_good-line.png").stat().st_size > 0
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    for name in ("fake_good", "fake_bad", "fake_wrong", "fake_good-line.png", "1.9992", "2.000715", "boom"):
        assert name in page
    assert "<b>escaped</b>" not in page and "&lt;b&gt;escaped&lt;/b&gt;" in page
    rest = without_lab_links(page)
    assert not re.search(r"<script[^>]+src=", page) and "http://" not in rest and "https://" not in rest
    assert not re.search(r"src\s*=\s*[\"']?(https?:)?//", page)
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert [e["name"] for e in data["experiments"]] == ["fake_good", "fake_bad", "fake_wrong"]
    assert "fake_bad" in (tmp_path / "errors.log").read_text(encoding="utf-8")


def test_a_second_run_keeps_the_earlier_cards(tmp_path, fakes):
    demo.run_gallery(tmp_path, fakes[:1], quick=True)
    report = demo.run_gallery(tmp_path, fakes[2:], quick=True)
    assert [r.name for r in report.results] == ["fake_good", "fake_wrong"]
    assert report.ran == ["fake_wrong"] and report.n_failed == 1
    assert not (tmp_path / "errors.log").exists()


def test_unwritable_gallery_folder(tmp_path, fakes):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ValueError, match="cannot create the gallery folder"):
        demo.run_gallery(target / "sub", fakes[:1])


def test_summary_table(tmp_path, fakes):
    from rich.console import Console

    report = demo.run_gallery(tmp_path, fakes, quick=True)
    console = Console(record=True, width=140)
    demo.print_summary(console, report)
    text = console.export_text()
    assert "two thirds" in text and "0.67" in text and "corrected" in text and "✓" in text
    assert "3 experiments (1 ok, 2 failed)" in text and "boom" in text


def test_summary_table_at_80_columns_never_breaks_a_number(tmp_path, monkeypatch):
    """The seed's numbers are printed with all their digits: text folds, numbers stay whole."""
    from rich.console import Console

    def long_numbers(ctx):
        ctx.match("the central difference f'(5) of 0.01x² + 0.1x, h = 1e-4", 0.1999999999990898,
                  "0.1999999999990898", digits=16)
        ctx.value("the gradient at the start of the longest run of the whole gallery", 1.0,
                  shown="(6.000000000012662, 7.999999999999119)")

    exp = Experiment("seed003_saddle_optimizers_fake", "beyond", "Long", "long numbers", long_numbers)
    monkeypatch.setitem(REGISTRY, exp.name, exp)
    report = demo.run_gallery(tmp_path, [exp], quick=True)
    console = Console(record=True, width=80)
    demo.print_summary(console, report)
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    for number in ("0.1999999999990898", "(6.000000000012662,", "7.999999999999119)"):
        assert sum(number in line for line in lines) >= 1, number   # each whole on one line
    assert sum("0.1999999999990898" in line for line in lines) == 1      # seed and gdlab side by side


@pytest.mark.parametrize("lang, words", [("en", ["gdlab serve", "Optimizers", "Networks"]),
                                         ("zh", ["gdlab serve", "优化器", "神经网络", "浏览器实验室"])])
def test_the_page_links_to_the_live_lab_on_this_machine(lang, words):
    import inspect

    from gdlab.cli.serve import command as serve_command
    from gdlab.demo._page import render_index
    from gdlab.web import server
    from gdlab.web.routers.pages import PAGES

    class Report:
        results, quick, seconds, out = [], True, 1.0, "."

    Report.lang = lang
    page = render_index(Report())
    links = re.findall(r'<a href="(http://[^"]+)"', page)
    # where gdlab serve listens by default (its function's and its command's defaults), one link per page
    defaults = inspect.signature(server.serve).parameters
    cli = {p.name: p.default for p in serve_command.params}
    assert (cli["host"], cli["port"]) == (defaults["host"].default, defaults["port"].default)
    base = f"http://{cli['host']}:{cli['port']}"
    assert links == [base + p["path"] for p in PAGES]
    assert len(LAB_LINK.findall(page)) == len(PAGES)
    for w in words:
        assert w in page, w
