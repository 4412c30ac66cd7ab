"""explain_backprop: seed 001's numbers, the sign error, agreement with autodiff."""

import numpy as np
import pytest

from gdlab import nn


def test_seed001_backprop_by_hand():
    lines = []
    ex = nn.explain_backprop(nn.seed001_network(), x=2.0, y_true=1.0, lr=0.2, print_fn=lines.append)
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


def test_matches_autodiff_on_a_deeper_network():
    net = nn.Sequential(nn.Linear(3, 4, seed=0, dtype="float64"), nn.Tanh(), nn.Linear(4, 3, seed=1, dtype="float64"),
                        nn.ReLU(), nn.Linear(3, 2, seed=2, dtype="float64"), nn.Sigmoid())
    ex = nn.explain_backprop(net, [0.5, -1.0, 2.0], [0.0, 1.0], loss="squared_error", print_fn=None)
    assert set(ex.gradients) == set(ex.autodiff_gradients)
    assert len(ex.gradients) == net.count_params()
    assert ex.max_abs_error < 1e-14
    assert ex.updated == {}
    before = net.state_dict()
    nn.explain_backprop(net, [0.5, -1.0, 2.0], [0.0, 1.0], lr=0.1, print_fn=None)
    for k, v in before.items():  # the model is not modified
        np.testing.assert_array_equal(net.state_dict()[k], v)


def test_errors():
    with pytest.raises(ValueError, match="one sample with 1 features"):
        nn.explain_backprop(nn.seed001_network(), [1.0, 2.0], 1.0, print_fn=None)
    with pytest.raises(ValueError, match="Softmax"):
        nn.explain_backprop(nn.Sequential(nn.Linear(2, 2), nn.Softmax()), [1.0, 2.0], [0, 1], print_fn=None)
    with pytest.raises(TypeError):
        nn.explain_backprop(nn.Linear(1, 1), 1.0, 1.0, print_fn=None)
    with pytest.raises(ValueError, match="loss"):
        nn.explain_backprop(nn.seed001_network(), 2.0, 1.0, loss="mae", print_fn=None)
