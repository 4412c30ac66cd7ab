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

    fig = viz.loss_curves({"gd": np.array([3.0, 2.0, 1.0])}, title="learning-rate sweep")
    fig.axes[0].set_xlabel("epoch")
    tr = translator("zh")
    tr.figure(fig)
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and callable(a.get_text))]
    assert "学习率扫描" in texts and "周期" in texts and "epoch" not in texts
    if viz.cjk_font():
        title = next(t for t in fig.findobj(lambda a: hasattr(a, "get_text") and callable(a.get_text))
                     if getattr(t, "get_text", lambda: "")() == "学习率扫描")
        assert viz.cjk_font() in title.get_fontfamily()
