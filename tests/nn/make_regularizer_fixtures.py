"""The PyTorch reference of tests/nn/test_regularizers.py: a small net trained by torch.optim on
loss + an L1 or L2 penalty of its weight matrices (not its biases), written out by hand.

    python -m tests.nn.make_regularizer_fixtures    # writes tests/nn/fixtures/torch_regularizers.npz

Made with torch 2.13.0 (CPU), float64. The test compares gdlab's fit with these numbers, and with
torch live where it is installed.
"""

from pathlib import Path

import numpy as np

FIXTURE = Path(__file__).parent / "fixtures" / "torch_regularizers.npz"
STEPS = 5
#: name -> (penalty, rate, torch.optim class, its kwargs)
CASES = {
    "l1_sgd_momentum": ("l1", 0.05, "SGD", {"lr": 0.1, "momentum": 0.9}),
    "l1_adam": ("l1", 0.02, "Adam", {"lr": 0.05}),
    "l2_adam": ("l2", 0.3, "Adam", {"lr": 0.05}),
    "l2_rmsprop": ("l2", 0.1, "RMSprop", {"lr": 0.01}),
}


def case_data(seed=0):
    """x (16, 3), y (16, 1) and the weights [W1 (3, 4), b1 (4,), W2 (4, 1), b2 (1,)] in gdlab's layout;
    W1[0, 0] is exactly 0 (where L1's subgradient is 0)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(16, 3))
    y = np.sin(x[:, :1]) + 0.5 * x[:, 1:2]
    w1, b1 = rng.normal(size=(3, 4)), 0.1 * rng.normal(size=4)
    w2, b2 = rng.normal(size=(4, 1)), 0.1 * rng.normal(size=1)
    w1[0, 0] = 0.0
    return x, y, [w1, b1, w2, b2]


def torch_reference(name, seed=0):
    """(the loss before each step, the parameters after STEPS full-batch steps) computed by torch."""
    import torch

    kind, rate, opt_name, kwargs = CASES[name]
    x, y, weights = case_data(seed)
    w1, b1, w2, b2 = (torch.tensor(a, requires_grad=True) for a in (weights[0].T, weights[1], weights[2].T,
                                                                         weights[3]))
    xt, yt = torch.tensor(x), torch.tensor(y)
    opt = getattr(torch.optim, opt_name)([w1, b1, w2, b2], **kwargs)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        out = torch.tanh(xt @ w1.T + b1) @ w2.T + b2
        if kind == "l1":
            penalty = rate * (w1.abs().sum() + w2.abs().sum())
        else:
            penalty = rate / 2 * ((w1 ** 2).sum() + (w2 ** 2).sum())
        loss = ((out - yt) ** 2).mean() + penalty
        loss.backward()
        opt.step()
        losses.append(loss.item())
    params = [w1.detach().numpy().T, b1.detach().numpy(), w2.detach().numpy().T, b2.detach().numpy()]
    return np.array(losses), [np.array(p) for p in params]


def main():
    import torch

    arrays = {}
    for name in CASES:
        losses, params = torch_reference(name)
        arrays[f"{name}/losses"] = losses
        for i, p in enumerate(params):
            arrays[f"{name}/param{i}"] = p
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(FIXTURE, torch_version=np.array(torch.__version__), **arrays)
    print(f"wrote {FIXTURE} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
