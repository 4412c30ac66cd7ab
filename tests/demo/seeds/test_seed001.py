"""Seed 001's 1-2-1 sigmoid network worked by hand: its numbers, the article's sign error."""

import numpy as np
import pytest

from gdlab import nn
from gdlab.demo.seeds import seed001_network


def test_seed001_backprop_by_hand():
    lines = []
    ex = nn.explain_backprop(seed001_network(), x=2.0, y_true=1.0, lr=0.2, print_fn=lines.append)
    assert lines == [ex.text] and str(ex) == ex.text
    f = ex.forward
    assert f["z11"] == 5 and f["z12"] == 1
    assert round(f["a11"], 2) == 0.99 and round(f["a12"], 2) == 0.73  # the article's hidden outputs
    assert round(f["y_pred"], 2) == 0.94  # the article prints 0.93 (it rounds the hidden values first)
    assert f["y_pred"] == pytest.approx(1 / (1 + np.exp(-(2 / (1 + np.exp(-5)) + 1 / (1 + np.exp(-1))))), rel=1e-15)
    g = ex.gradients["w21"]
    assert g == pytest.approx(-0.0035747, abs=1e-7)  # the "about -0.00357"
    names = [n for n, _ in ex.factors["dE/dw21"]]
    assert names == ["dE/dy_pred", "dy_pred/dz2", "dz2/dw21"]
    values = [v for _, v in ex.factors["dE/dw21"]]
    assert values == pytest.approx([f["y_pred"] - 1, f["y_pred"] * (1 - f["y_pred"]), f["a11"]], rel=1e-15)
    assert np.prod(values) == pytest.approx(g, rel=1e-15)
    # gradient descent subtracts the gradient: 2.000715, not the article's 1.9992 (w + lr * grad)
    assert ex.updated["w21"] == pytest.approx(2.000715, abs=1e-6)
    assert ex.updated["w21"] > 2
    assert 2 + 0.2 * g != pytest.approx(ex.updated["w21"])
    assert ex.max_abs_error < 1e-15
    assert "dE/dw21 = dE/dy_pred * dy_pred/dz2 * dz2/dw21" in ex.text
    assert "w21 = 2 - 0.2 * (-0.003574677) = 2.000715" in ex.text
