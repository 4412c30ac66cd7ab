"""CJK labels: an installed CJK font is found and used; without one gdlab warns once and draws anyway."""

import warnings

import pytest
from matplotlib import font_manager

from gdlab import viz
from gdlab.viz import _fonts


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(_fonts, "_WARNED", False)
    monkeypatch.setattr(_fonts, "_CACHE", {})
    return _fonts


def _entry(name, fname="/nonexistent/font.ttf"):
    return font_manager.FontEntry(fname=fname, name=name, style="normal", variant="normal", weight=400,
                                  stretch="normal", size="scalable")


def test_has_cjk():
    assert viz.has_cjk("梯度下降法") and viz.has_cjk("loss 损失") and viz.has_cjk("勾配")
    assert not viz.has_cjk("gradient descent ‖∇f‖ x₁") and not viz.has_cjk("")


def test_without_a_cjk_font_warn_once_and_still_draw(fresh, monkeypatch, fns, ink):
    latin = [e for e in font_manager.fontManager.ttflist if not _fonts._looks_cjk(e.name)]
    latin = [e for e in latin if not _fonts._covers_cjk(e.fname)][:20]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    assert viz.cjk_font() is None
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
        fig = viz.path_1d(fns.square, [-5.0, -4.0], title="梯度下降法")
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # the second time: silent
        fig = viz.path_1d(fns.square, [-5.0, -4.0], title="梯度下降法")
        assert ink(viz.to_array(fig)) > 0.05


def test_a_cjk_family_is_found_by_name(fresh, monkeypatch):
    fake = [_entry("DejaVu Sans"), _entry("Noto Serif CJK JP"), _entry("Noto Sans CJK SC"), _entry("Foo")]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", fake)
    assert viz.find_cjk_fonts()[0] == "Noto Sans CJK SC"        # sans and simplified Chinese first
    assert viz.cjk_font() == "Noto Sans CJK SC"
    fake2 = [_entry("DejaVu Sans"), _entry("WenQuanYi Zen Hei"), _entry("Microsoft YaHei")]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", fake2)
    assert set(viz.find_cjk_fonts()) == {"WenQuanYi Zen Hei", "Microsoft YaHei"}


def test_cjk_text_gets_the_font_and_renders_without_missing_glyphs(fresh, fns):
    family = viz.cjk_font()
    if family is None:
        pytest.skip("no CJK font installed here (apt-get install fonts-wqy-zenhei to run this)")
    fig = viz.path_1d(fns.square, [-5.0, -4.0, -3.2], title="梯度下降法", xlabel="w", ylabel="损失")
    ax = fig.axes[0]
    assert family in ax.title.get_fontfamily() and family in ax.yaxis.label.get_fontfamily()
    assert family not in ax.xaxis.label.get_fontfamily()          # Latin text keeps the house font
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        FigureCanvasAgg(fig).draw()                               # every glyph found


def test_apply_cjk_on_a_users_figure(fresh):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title("学习率")
    n = viz.apply_cjk(fig) if viz.cjk_font() else 0
    assert n == (1 if viz.cjk_font() else 0)
    assert viz.to_array(fig).size > 0


def test_fonts_installed_after_matplotlibs_cache_are_found(fresh, monkeypatch):
    import os
    files = [p for p in font_manager.findSystemFonts() if _fonts._looks_cjk(os.path.basename(p))]
    if not files:
        pytest.skip("no CJK font file on this system")
    latin = [e for e in font_manager.fontManager.ttflist if not _fonts._looks_cjk(e.name)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin)     # as if the cache predates the font
    assert viz.cjk_font() is not None
