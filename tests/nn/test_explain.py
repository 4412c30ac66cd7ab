"""explain_backprop: every chain-rule factor, agreement with autodiff, bad input.

Seed 001's own network and numbers are tested in tests/demo/seeds/test_seed001.py.
"""

import numpy as np
import pytest

from gdlab import nn


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


def _one_two_one():
    return nn.Sequential(nn.Linear(1, 2, seed=0, dtype="float64"), nn.Sigmoid(), nn.Linear(2, 1, seed=1, dtype="float64"),
                         nn.Sigmoid())


def test_errors():
    with pytest.raises(ValueError, match="one sample with 1 features"):
        nn.explain_backprop(_one_two_one(), [1.0, 2.0], 1.0, print_fn=None)
    with pytest.raises(ValueError, match="Softmax"):
        nn.explain_backprop(nn.Sequential(nn.Linear(2, 2), nn.Softmax()), [1.0, 2.0], [0, 1], print_fn=None)
    with pytest.raises(TypeError):
        nn.explain_backprop(nn.Linear(1, 1), 1.0, 1.0, print_fn=None)
    with pytest.raises(ValueError, match="loss"):
        nn.explain_backprop(_one_two_one(), 2.0, 1.0, loss="mae", print_fn=None)
