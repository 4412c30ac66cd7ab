"""What the gallery's figures say, read from the Figure objects (matplotlib) and the plotly figure as
they are drawn, checked against the card that shows them: its title, explanation and captions.

The quick gallery runs once in this process; every figure an experiment draws through its Context
(``ctx.draw``, ``ctx.save``) and the interactive report are kept for the checks.
"""

import re

import numpy as np
import pytest

from gdlab import demo, viz
from gdlab.demo import _core

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    """(figures, plotly figures, cards, remakes): {(experiment, file): (Figure, caption)}, {experiment:
    go.Figure}, {experiment: the card's title, explanation and captions as one text}, {(experiment, file):
    a function that draws the figure afresh}."""
    figures, reports, remakes = {}, {}, {}
    draw, save, interactive = _core.Context.draw, _core.Context.save, viz.interactive

    def drawing(self, filename, caption, fn, *args, **kwargs):
        out = draw(self, filename, caption, fn, *args, **kwargs)
        figure = out.figure if isinstance(out, viz.Movie) else out      # an animation: its figure, last frame
        figures[(self.experiment.name, filename)] = (figure, caption)
        again = {k: v for k, v in kwargs.items() if k != "register"}
        remakes[(self.experiment.name, filename)] = lambda: fn(*args, **again)
        return out

    def saving(self, figure, filename, caption="", register=True):
        figures[(self.experiment.name, filename)] = (figure, caption)
        return save(self, figure, filename, caption, register)

    def reporting(*args, **kwargs):
        fig = interactive(*args, **kwargs)
        reports[str(kwargs.get("path", "")).rsplit("/", 1)[-1].split("-")[0]] = fig
        return fig

    mp = pytest.MonkeyPatch()
    mp.setattr(_core.Context, "draw", drawing)
    mp.setattr(_core.Context, "save", saving)
    mp.setattr(viz, "interactive", reporting)
    try:
        report = demo.run_gallery(tmp_path_factory.mktemp("figures"), quick=True)
    finally:
        mp.undo()
    assert not [r.name for r in report.results if r.failed], [r.error for r in report.results if r.failed]
    cards = {r.name: " ".join([r.title, r.explain] + [f.caption for f in r.figures] + list(r.notes))
             for r in report.results}
    return figures, reports, cards, remakes


# ------------------------------------------------------------------------------------------------
# reading a figure


def _texts(fig):
    """Every piece of text a figure shows as a label: titles, panel titles, axis and colour-bar labels,
    legend entries."""
    out = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    out += [sub._suptitle.get_text() for sub in fig.subfigs if sub._suptitle is not None]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_title("left"), ax.get_xlabel(), ax.get_ylabel()]
        if ax.name == "3d":
            out.append(ax.get_zlabel())
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    out += [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    return [t for t in out if t]


def _legend_colors(fig):
    """{legend label: the colour of its line}."""
    from matplotlib.colors import to_hex
    out = {}
    for leg in list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]:
        for handle, text in zip(leg.legend_handles, leg.get_texts()):
            if hasattr(handle, "get_color"):
                out[text.get_text()] = to_hex(handle.get_color())
    return out


def _plain(label):
    """A legend label without what a figure adds to it: "(MSE 2.48)", "(train)"."""
    return re.sub(r"\s*\((MSE [^)]*|train|val)\)$", "", label).strip()


def _coordinate_axes(fig):
    """The axes that show a function's coordinates (contour maps, surfaces), not curves or colour bars."""
    return [ax for ax in fig.axes if ax.name == "3d" or (ax.collections and ax.get_xlabel()
                                                          and ax.get_xlabel() not in ("step", "epoch",
                                                                                      "learning rate"))]


# ------------------------------------------------------------------------------------------------
# every figure


def test_every_figure_was_seen(gallery):
    figures, reports, cards, _ = gallery
    assert len(figures) >= 30 and set(reports) == {"interactive_report"}
    assert {name for name, _ in figures} >= set(demo.names()) - {"interactive_report"}


def test_no_figure_shows_an_internal_name(gallery):
    """Titles and labels name things as the cards do, never by gdlab's internal keys (seed003_loss)."""
    from gdlab import functions
    figures, _, _, _ = gallery
    keys = [n for n in functions.names() if "_" in n]                   # gentle_quadratic: a formula says it
    for key, (fig, _) in figures.items():
        for text in _texts(fig):
            assert not re.search(r"seed\d{3}_", text), (key, text)
            assert not [k for k in keys if k in text], (key, text)
            assert "**" not in text and not re.search(r"\)\([a-z0-9, ]+\)$", text), (key, text)   # raw formulas


def test_axes_are_the_functions_variables(gallery):
    """A contour map or surface labels its axes with its function's variables, as the cards name them:
    w1, w2 for seed 003's regression loss ("y = w1·x1 + w2·x2"), x0, x1 for seed 004's paraboloid
    ("x0² + x1²"); x, y elsewhere."""
    figures, _, cards, _ = gallery
    assert "w1·x1 + w2·x2" in cards["seed003_paths"] and "x0² + x1²" in cards["seed004_descent"]
    expected = {"seed003_paths": ("w1", "w2"), "seed003_surface": ("w1", "w2"), "seed003_lr1": ("w1", "w2"),
                "seed004_descent": ("x0", "x1"), "seed004_gradient": ("x0", "x1"), "seed004_numdiff": ("x0", "x1"),
                "seed003_saddle": ("x", "y"), "race_rosenbrock": ("x", "y"), "basin_map": ("x", "y")}
    for name, (u, v) in expected.items():
        maps = [(ax, key) for key, (fig, _) in figures.items() if key[0] == name for ax in _coordinate_axes(fig)]
        assert maps, name
        for ax, key in maps:
            assert ax.get_xlabel() == u, (key, ax.get_xlabel())
            if ax.get_ylabel():                              # panels beside the first share its y label
                assert ax.get_ylabel() == v, (key, ax.get_ylabel())


def test_titles_clear_one_another(gallery):
    """No figure's title runs into a panel's title or note (seed003_saddle's did). Each figure with a
    title over panels is drawn afresh and measured at its first draw, as its file was."""
    figures, _, _, remakes = gallery
    checked = 0
    for key, (drawn, _) in figures.items():
        if drawn._suptitle is None or not drawn._suptitle.get_text() or key not in remakes:
            continue
        out = remakes[key]()
        fig = out.figure if isinstance(out, viz.Movie) else out
        viz.to_array(fig)
        renderer = fig.canvas.get_renderer()
        top = fig._suptitle.get_window_extent(renderer)
        below = [sub._suptitle for sub in fig.subfigs if sub._suptitle is not None]
        below += [ax.title for ax in fig.axes if ax.get_title()] + [t for ax in fig.axes for t in ax.texts]
        for text in below:
            box = text.get_window_extent(renderer)
            assert box.y1 <= top.y0 + 1 or box.x1 <= top.x0 or box.x0 >= top.x1, (key, text.get_text())
        checked += 1
    assert checked >= 6


# ------------------------------------------------------------------------------------------------
# the figures issue 20 found saying the wrong thing


def test_saddle_escape_distance_is_labelled_as_a_distance(gallery):
    figures, _, cards, _ = gallery
    fig, caption = figures[("saddle_escape", "distance.png")]
    ax = fig.axes[0]
    assert ax.get_ylabel() == "|y|" and "|y|" in caption and "loss" not in ax.get_ylabel()
    assert "ridge" in ax.get_title() and "ridge" in cards["saddle_escape"]


def test_seed003_loss_is_shown_as_its_formula(gallery):
    figures, _, cards, _ = gallery
    side, _ = figures[("seed003_lr1", "side.png")]
    assert "0.5·Σ(w·x − y)²" in side._suptitle.get_text() and "lr 1" in side._suptitle.get_text()
    assert "lr 1" in cards["seed003_lr1"]
    loss, _ = figures[("seed003_paths", "loss.png")]
    assert "w1·x1 + w2·x2" in loss.axes[0].get_title() and "w1·x1 + w2·x2" in cards["seed003_paths"]
    contour, _ = figures[("seed003_paths", "contour.png")]
    colorbar = [ax.get_ylabel() for ax in contour.axes if ax.get_ylabel() not in ("", "w2")]
    assert colorbar == ["0.5·Σ(w·x − y)²"] and "0.5·Σ(w·x − y)²" in cards["seed003_surface"]


def test_relu_fit_and_loss_agree_in_colours_and_units(gallery):
    figures, _, cards, _ = gallery
    fit, _ = figures[("seed003_relu", "fit.png")]
    loss, caption = figures[("seed003_relu", "loss.png")]
    fit_colors = {_plain(k): v for k, v in _legend_colors(fit).items()}
    loss_colors = {_plain(k): v for k, v in _legend_colors(loss).items()}
    for label in ("raw x, y", "standardised"):
        assert fit_colors[label] == loss_colors[label], label
    ax = loss.axes[0]
    assert ax.get_ylabel() == "0.5·Σ(ŷ − y)²" and "0.5·Σ(ŷ − y)²" in cards["seed003_relu"]
    assert "y's units" in ax.get_title() and "y's units" in caption
    # both curves in one unit: the standardised network's last loss, mapped back, is its MSE × N / 2
    std_line = next(ln for ln in ax.get_lines() if ln.get_label().startswith("standardised"))
    n = 100
    mse = float(re.search(r"MSE ([\d.]+)", next(k for k in _legend_colors(fit) if k.startswith("standardised")))
                .group(1))
    assert abs(std_line.get_ydata()[-1] - 0.5 * n * mse) / (0.5 * n * mse) < 0.2


def test_backprop_labels_sit_beside_the_arrows(gallery):
    figures, _, _, _ = gallery
    fig, _ = figures[("seed001_backprop", "network.png")]
    viz.to_array(fig)
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text().startswith(("∂E/∂w", "w1", "w2"))]
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    assert len(labels) == 8 and len(arrows) == 4
    for text in labels:
        # the label's centre lies further from every arrow than half the label's height (its text runs
        # along the edge, so that is the distance at which the arrow would touch it)
        centre = ax.transData.transform(text.get_position())
        half = 0.5 * text.get_fontsize() * fig.dpi / 72
        for arrow in arrows:
            a, b = ax.transData.transform([arrow.xyann, arrow.xy])
            u = np.clip(np.dot(centre - a, b - a) / np.dot(b - a, b - a), 0, 1)
            assert np.linalg.norm(centre - (a + u * (b - a))) > half, text.get_text()
    del renderer


def test_start_and_end_markers_differ_in_shape(gallery):
    figures, _, _, _ = gallery
    fig, _ = figures[("race_rastrigin", "paths.png")]
    ax = fig.axes[0]
    starts = [ln for ln in ax.get_lines() if ln.get_marker() == "o" and ln.get_markerfacecolor() == "white"]
    ends = [ln for ln in ax.get_lines() if ln.get_marker() == "s"]
    assert len(starts) == len(ends) == 16                           # the quick gallery's 16 starts
    legend = {t.get_text(): h.get_marker() for t, h in zip(fig.legends[0].get_texts(), fig.legends[0].legend_handles)}
    assert legend["start"] == "o" and legend["end"] == "s"


def test_sweep_names_function_and_budget_without_labels_on_the_lines(gallery):
    figures, _, cards, _ = gallery
    fig, _ = figures[("lr_sweep", "sweep.png")]
    ax = fig.axes[0]
    assert "0.5·(x² + 100y²)" in ax.get_title() and "0.5·(x² + 100y²)" in cards["lr_sweep"]
    assert "200 steps" in ax.get_title() and "200 steps" in cards["lr_sweep"]
    assert not ax.texts
    assert any(t.startswith("gd (best lr ") for t in _legend_colors(fig))


def test_rastrigin_card_explains_its_identical_rows(gallery):
    _, _, cards, _ = gallery
    assert "same on purpose" in cards["race_rastrigin"] and "Why the rows agree" in cards["race_rastrigin"]


def test_interactive_report_says_what_its_card_says(gallery):
    _, reports, cards, _ = gallery
    fig = reports["interactive_report"]
    assert "step slider with play/pause" in cards["interactive_report"]
    assert len(fig.frames) > 1 and len(fig.layout.sliders[0].steps) == len(fig.frames)
    header = dict(fig.layout.meta["gdlab_header"]["rows"])
    assert header["function"].startswith("rosenbrock(x, y)") and set(header) >= {"gd", "momentum", "adam"}
    assert "lr=0.05" in header["adam"] and "momentum=0.9" in header["momentum"]
    contour = next(t for t in fig.data if t.type == "contour")
    assert contour.colorbar.title.side == "right" and "rosenbrock" in contour.colorbar.title.text
