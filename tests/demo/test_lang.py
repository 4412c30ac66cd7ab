"""The gallery's languages: one string table per language, the translator, and the Chinese gallery."""

import json
import re
import string

import numpy as np
import pytest

from gdlab.demo import lang
from gdlab.demo.lang import en, is_neutral, translator, zh

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _fields(template):
    return sorted({name for _, name, _, _ in string.Formatter().parse(template) if name is not None})


def test_every_ui_key_has_both_languages_with_the_same_fields():
    assert set(en.UI) == set(zh.UI)
    for key in en.UI:
        assert en.UI[key].strip() and zh.UI[key].strip(), key
        assert _fields(en.UI[key]) == _fields(zh.UI[key]), key
    words = {k: v for k, v in zh.UI.items() if not is_neutral(en.UI[k]) and k != "html_lang"}
    assert all(CJK.search(v) for v in words.values()), [k for k, v in words.items() if not CJK.search(v)]


def test_every_chinese_text_is_chinese_and_keeps_the_numbers():
    for english, chinese in zh.TEXT.items():
        assert CJK.search(chinese), english
        # every number of the English text is in the Chinese one (a translation changes no number)
        for number in re.findall(r"\d+(?:\.\d+)?", english):
            assert number in chinese, (english, number)


def test_every_pattern_fills_each_hole_once():
    for english, chinese in zh.PATTERNS:
        holes = english.count("{}")
        # a pattern either has words of its own to translate, or only passes its holes on ("{}  f = {}")
        assert holes >= 1 and (CJK.search(chinese) or is_neutral(english.replace("{}", ""))), english
        assert sorted(int(i) for i in _fields(chinese)) == list(range(holes)), english


def test_the_translator_uses_exact_text_then_patterns_and_translates_the_holes():
    tr = translator("zh")
    assert tr("loss") == "损失"
    assert tr("diverged at step 4") == "发散，第 4 步"
    # a hole holding a known text is translated too; numbers and names stay
    assert tr("GD lr 0.01, 100 epochs  f = 2.474") == "梯度下降，学习率 0.01，100 个周期  f = 2.474"
    assert tr("epoch 10  (MSE 0.376)") == "第 10 个周期（MSE 0.376）"
    assert tr("  \nloss") == "  \n损失"
    assert tr("0.5·Σ(w·x − y)²") == "0.5·Σ(w·x − y)²" and not tr.missing   # nothing to translate
    assert tr("a sentence nobody translated") == "a sentence nobody translated"
    assert tr.missing == {"a sentence nobody translated"}
    assert {"loss", "diverged at step {}", "{}  f = {}"} <= tr.used


def test_plotly_texts_keep_their_tags_and_placeholders():
    tr = translator("zh")
    hover = ("<b>gd</b><br>step %{customdata[0]}<br>x=%{x:.4g}, y=%{y:.4g}<br>loss %{customdata[1]:.6g}"
             "<br>gradient (%{customdata[2]:.4g}, %{customdata[3]:.4g})<br>‖gradient‖ %{customdata[4]:.4g}"
             "<extra></extra>")
    assert tr.markup(hover) == ("<b>gd</b><br>第 %{customdata[0]} 步<br>x=%{x:.4g}, y=%{y:.4g}<br>损失 "
                                "%{customdata[1]:.6g}<br>梯度 (%{customdata[2]:.4g}, %{customdata[3]:.4g})<br>‖梯度‖ "
                                "%{customdata[4]:.4g}<extra></extra>")
    assert not tr.missing
    assert translator("en").markup(hover) == hover


def test_a_plotly_figure_is_translated_in_place():
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 0], name="loss", hovertemplate="step %{x}<br>loss %{y}"))
    fig.update_layout(title=dict(text="loss"), xaxis=dict(title=dict(text="step")),
                      meta={"gdlab_header": {"title": "loss", "rows": [["function", "x²"]]}},
                      sliders=[dict(currentvalue=dict(prefix="step "), steps=[dict(label="0")])])
    translator("zh").plotly(fig)
    assert fig.data[0].name == "损失" and fig.data[0].hovertemplate == "第 %{x} 步<br>损失 %{y}"
    assert fig.layout.title.text == "损失" and fig.layout.xaxis.title.text == "步"
    assert fig.layout.sliders[0].currentvalue.prefix == "步 " and fig.layout.sliders[0].steps[0].label == "0"
    assert fig.layout.meta["gdlab_header"] == {"title": "损失", "rows": [["函数", "x²"]]}


def test_english_is_the_identity_and_an_unknown_language_is_refused():
    tr = translator("en")
    assert tr("loss") == "loss" and tr.ui("chip_experiments", n=3) == "3 experiments" and not tr.missing
    with pytest.raises(ValueError, match="unknown gallery language 'fr'; choose one of en, zh"):
        translator("fr")


def test_neutral_text_is_numbers_formulas_code_and_names():
    for text in ("0.5·Σ(w1·x1 + w2·x2 − y)²", "numerical_gradient(f, x)", "Adam(0.1)", "gd  f = 2.298",
                 "lr = 0.1, w₀ = 5", "metrics=['accuracy']", "y_temp", "(−6.11e-10, 8.15e-10)"):
        assert is_neutral(text), text
    for text in ("loss", "final w", "Momentum", "the saddle, not a minimum"):
        assert not is_neutral(text), text


def test_a_figure_is_translated_and_gets_the_cjk_font():
    from gdlab import viz

    fig = viz.loss_curves({"gd": np.array([3.0, 2.0, 1.0])}, title="final loss")
    fig.axes[0].set_xlabel("epoch")
    tr = translator("zh")
    tr.figure(fig)
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and callable(a.get_text))]
    assert "最终损失" in texts and "周期" in texts and "epoch" not in texts
    if viz.cjk_font():
        title = next(t for t in fig.findobj(lambda a: hasattr(a, "get_text") and callable(a.get_text))
                     if getattr(t, "get_text", lambda: "")() == "最终损失")
        assert viz.cjk_font() in title.get_fontfamily()


# ------------------------------------------------------------------------------------------------
# the Chinese gallery: every card and figure text translated, none of it English

@pytest.fixture(scope="module")
def gallery_zh(tmp_path_factory):
    """The quick gallery in Chinese, run in this process; with the table entries it used."""
    from gdlab import demo

    used = set()
    lookup = lang.Translator._lookup

    def recording(self, text):
        found = lookup(self, text)
        if found is not None:
            used.update(self.used)
        return found

    mp = pytest.MonkeyPatch()
    mp.setattr(lang.Translator, "_lookup", recording)
    try:
        out = tmp_path_factory.mktemp("gallery_zh")
        report = demo.run_gallery(out, quick=True, lang="zh")
    finally:
        mp.undo()
    return out, report, used


def _card_texts(entry):
    yield entry["title"]
    yield entry["explain"]
    for n in entry["numbers"]:
        yield from (n["label"], n["seed"], n["gdlab"], n["note"])
    yield from entry["notes"]
    yield from (f["caption"] for f in entry["figures"])


def test_every_text_of_the_gallery_has_its_chinese(gallery_zh):
    out, report, used = gallery_zh
    assert not [r.name for r in report.results if r.failed]
    assert report.untranslated == []
    # figure texts went through the table too: an annotation, an axis label, a frame's text
    assert {"update direction", "epoch", "step {} / {}"} <= used


#: English text an experiment says only on a machine without a CJK font (seed 000's title then stays English)
WITHOUT_A_CJK_FONT = {"gradient descent on y = x²"}


def test_the_table_has_no_entry_the_gallery_does_not_use(gallery_zh):
    _, _, used = gallery_zh
    stale = [k for k in [*zh.TEXT, *(en for en, _ in zh.PATTERNS)] if k not in used | WITHOUT_A_CJK_FONT]
    assert stale == [], "entries of gdlab/demo/lang/zh.py no experiment says any more"


def test_the_chinese_gallery_contains_no_english_card_text(gallery_zh):
    out, report, _ = gallery_zh
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["lang"] == "zh"
    english = [t for e in data["experiments"] for t in _card_texts(e) if t and not is_neutral(CJK.sub(" ", t))]
    assert english == []
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "种子文章 003 · 梯度下降算法的可视化" in page
    assert "gdlab reproduces" not in page and "seed corrected" not in page and "已更正" in page


#: the strings of a plotly report that people read (JSON in the page): hovers, titles, names, buttons, the slider
_PLOTLY_TEXT = re.compile(r'"(hovertemplate|text|name|prefix|label)":\s*("(?:[^"\\]|\\.)*")')


def test_the_chinese_gallery_reports_have_no_english_hover_or_title(gallery_zh):
    out, _, _ = gallery_zh
    pages = sorted(p for p in out.glob("*.html") if p.name != "index.html")
    assert pages, "the gallery wrote no interactive report"
    hovers = 0
    for page in pages:
        found = [(k, json.loads(v)) for k, v in _PLOTLY_TEXT.findall(page.read_text(encoding="utf-8"))]
        hovers += sum(k == "hovertemplate" for k, _ in found)
        # what is left once the placeholders, the tags and the Chinese are taken out: no English word
        english = [t for _, t in found if not is_neutral(CJK.sub(" ", re.sub(r"%\{[^}]*\}|<[^>]*>", " ", t)))]
        assert english == [], page.name
    assert hovers >= 10  # the pattern did find the hover templates (every step of every path is hoverable)
    report = (out / "interactive_report-report.html").read_text(encoding="utf-8")
    assert "第 %{customdata[0]} 步" in report and "step %{customdata[0]}" not in report


def test_demo_lang_zh_on_the_command_line_hints_at_a_missing_font(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from gdlab.cli import app
    from gdlab import viz

    monkeypatch.setattr(viz, "cjk_font", lambda: None)
    result = CliRunner().invoke(app, ["demo", "--lang", "zh", "--quick", "--only", "seed000_x2",
                                      "--out", str(tmp_path / "g")], prog_name="gdlab")
    assert result.exit_code == 0, result.output
    assert "fonts-wqy-zenhei" in result.output and "没有找到中文字体" in result.output
    assert '<html lang="zh-CN">' in (tmp_path / "g" / "index.html").read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, ["demo", "--lang", "fr"], prog_name="gdlab")
    assert bad.exit_code == 2 and "'fr' is not one of 'en', 'zh'" in bad.output
