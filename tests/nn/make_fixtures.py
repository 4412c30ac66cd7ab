"""Reference numbers from PyTorch for tests/nn/test_torch.py (run with torch 2.13.0 installed):

    python tests/nn/make_fixtures.py        # writes tests/nn/fixtures/torch_mlp_steps.npz

A random MLP, Linear(6, 8) - Tanh - Linear(8, 5) - ReLU - Linear(5, k), is trained for three
full-batch steps with torch.optim on each case below (float64). The file stores, per case,
the inputs, the initial weights, the loss of every step, the gradients of the first step
and the weights after the last, all in gdlab's layout (Linear weights (in, out), the
transpose of torch's). The test repeats the steps with gdlab (PyTorch style and with fit)
and compares; with torch installed it also runs these functions live on fresh seeds.
"""

from __future__ import annotations

import os

import numpy as np

CASES = {
    # name: (outputs, loss, optimizer class name, optimizer kwargs)
    "cross_entropy-sgd_nesterov": (3, "cross_entropy", "SGD",
                                   dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    "mse-adam_amsgrad": (2, "mse", "Adam", dict(lr=0.01, weight_decay=0.01, amsgrad=True)),
    "bce_logits-adamw": (1, "binary_crossentropy_from_logits", "AdamW", dict(lr=0.01, weight_decay=0.1)),
    "categorical_logits-rmsprop": (4, "categorical_crossentropy_from_logits", "RMSprop",
                                   dict(lr=0.01, momentum=0.5, centered=True)),
    "huber-adagrad": (2, "huber", "Adagrad", dict(lr=0.1)),
    "mae-sgd": (2, "mae", "SGD", dict(lr=0.05)),
}
SIZES = (6, 8, 5)
N = 16
STEPS = 3


def case_data(name, seed, dtype=np.float64):
    """Inputs, targets and initial weights (gdlab layout) of one case."""
    k = CASES[name][0]
    rng = np.random.default_rng(seed)
    sizes = SIZES + (k,)
    weights = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        weights.append(rng.uniform(-1, 1, (a, b)) / np.sqrt(a))
        weights.append(rng.uniform(-0.5, 0.5, b))
    x = rng.normal(size=(N, SIZES[0]))
    loss = CASES[name][1]
    if loss == "cross_entropy":
        y = rng.integers(0, k, N)
    elif loss.startswith("categorical"):
        y = rng.dirichlet(np.ones(k), size=N)
    elif loss.startswith("bce") or loss.startswith("binary"):
        y = rng.integers(0, 2, (N, 1)).astype(float)
    else:
        y = rng.normal(size=(N, k))
    cast = (lambda a: a.astype(dtype)) if dtype != np.float64 else (lambda a: a)
    return cast(x), (y if y.dtype.kind == "i" else cast(y)), [cast(w) for w in weights]


def torch_reference(name, seed, dtype=np.float64):
    """Run the case with PyTorch; returns {"losses", "grads" (step 1), "final"} in gdlab's layout."""
    import torch

    x, y, weights = case_data(name, seed, dtype)
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    sizes = SIZES + (CASES[name][0],)
    linears = [torch.nn.Linear(a, b, dtype=tdt) for a, b in zip(sizes[:-1], sizes[1:])]
    with torch.no_grad():
        for lin, w, b in zip(linears, weights[::2], weights[1::2]):
            lin.weight.copy_(torch.from_numpy(w.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
    model = torch.nn.Sequential(linears[0], torch.nn.Tanh(), linears[1], torch.nn.ReLU(), linears[2])
    _, loss_name, opt_name, kwargs = CASES[name]
    opt = getattr(torch.optim, opt_name)(model.parameters(), **kwargs)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    F = torch.nn.functional
    loss_fn = {
        "cross_entropy": lambda z, t: F.cross_entropy(z, t),
        "mse": F.mse_loss,
        "binary_crossentropy_from_logits": F.binary_cross_entropy_with_logits,
        "categorical_crossentropy_from_logits": lambda z, t: F.cross_entropy(z, t),  # probability targets
        "huber": F.huber_loss,
        "mae": F.l1_loss,
    }[loss_name]
    losses, grads = [], None
    for step in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        if step == 0:
            grads = [p.grad.numpy().T.copy() if p.ndim == 2 else p.grad.numpy().copy() for p in model.parameters()]
        opt.step()
        losses.append(loss.item())
    final = [p.detach().numpy().T.copy() if p.ndim == 2 else p.detach().numpy().copy() for p in model.parameters()]
    return {"losses": np.array(losses), "grads": grads, "final": final}


FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "torch_mlp_steps.npz")
FIXTURE_SEED = 2024


def main():
    import torch

    out = {"torch_version": np.array(torch.__version__), "seed": np.array(FIXTURE_SEED)}
    for name in CASES:
        ref = torch_reference(name, FIXTURE_SEED)
        out[f"{name}/losses"] = ref["losses"]
        for i, (g, w) in enumerate(zip(ref["grads"], ref["final"])):
            out[f"{name}/grad{i}"] = g
            out[f"{name}/final{i}"] = w
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    np.savez_compressed(FIXTURE, **out)
    print(f"wrote {FIXTURE} (torch {torch.__version__}, {len(CASES)} cases)")


if __name__ == "__main__":
    main()
