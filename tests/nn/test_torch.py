"""One training step (three, to exercise optimizer state) of a random MLP equals PyTorch's.

Stored reference: tests/nn/fixtures/torch_mlp_steps.npz, made by tests/nn/make_fixtures.py with
torch 2.13.0. Where torch is installed the same cases also run live, on fresh seeds, in
float64 and float32.
"""

import numpy as np
import pytest
from tests.nn.make_fixtures import CASES, FIXTURE, FIXTURE_SEED, STEPS, case_data, torch_reference

from gdlab import nn, optim


def build(name, weights, dtype):
    k = CASES[name][0]
    model = nn.Sequential(nn.Linear(6, 8, dtype=dtype), nn.Tanh(), nn.Linear(8, 5, dtype=dtype), nn.ReLU(),
                          nn.Linear(5, k, dtype=dtype))
    for p, w in zip(model.parameters(), weights):
        p.data[...] = w
    return model


def gdlab_steps(name, seed, dtype=np.float64, style="pytorch"):
    x, y, weights = case_data(name, seed, dtype)
    _, loss_name, opt_name, kwargs = CASES[name]
    model = build(name, weights, dtype)
    opt = getattr(optim, opt_name)(**kwargs)
    grads = []
    if style == "pytorch":
        opt.bind(model.parameters())
        loss_fn = nn.losses.get(loss_name)
        losses = []
        for step in range(STEPS):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            if step == 0:
                grads = [p.grad.copy() for p in model.parameters()]
            opt.step()
            losses.append(loss.item())
    else:
        class Grab(nn.Callback):
            def on_batch_end(self, batch, logs=None):
                if not grads:
                    grads.extend(p.grad.copy() for p in self.model.parameters())

        model.compile(opt, loss_name)
        losses = model.fit(x, y, epochs=STEPS, batch_size=None, verbose=0, callbacks=[Grab()]).step_losses
    return {"losses": np.array(losses), "grads": grads, "final": [p.data for p in model.parameters()]}


def compare(ours, ref, rtol, atol):
    np.testing.assert_allclose(ours["losses"], ref["losses"], rtol=rtol, atol=atol)
    for a, b in zip(ours["grads"], ref["grads"]):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    for a, b in zip(ours["final"], ref["final"]):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


@pytest.fixture(scope="module")
def stored():
    with np.load(FIXTURE, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


@pytest.mark.parametrize("style", ["pytorch", "fit"])
@pytest.mark.parametrize("name", list(CASES))
def test_matches_stored_torch_reference(stored, name, style):
    assert int(stored["seed"]) == FIXTURE_SEED
    ref = {"losses": stored[f"{name}/losses"],
           "grads": [stored[f"{name}/grad{i}"] for i in range(6)],
           "final": [stored[f"{name}/final{i}"] for i in range(6)]}
    compare(gdlab_steps(name, FIXTURE_SEED, style=style), ref, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("dtype,rtol,atol", [(np.float64, 1e-10, 1e-13), (np.float32, 2e-4, 2e-6)])
@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch_live(name, dtype, rtol, atol):
    pytest.importorskip("torch")
    for seed in (1, 2):
        ours = gdlab_steps(name, seed, dtype)
        assert all(w.dtype == dtype for w in ours["final"])
        compare(ours, torch_reference(name, seed, dtype), rtol, atol)
