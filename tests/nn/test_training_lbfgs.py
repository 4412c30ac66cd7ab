"""fit with L-BFGS: each batch step is LBFGS.step(closure) on that batch, as a torch user writes it."""

import numpy as np

from gdlab import nn, optim


def test_fit_with_lbfgs_is_the_closure_loop():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((48, 3))
    y = (x @ np.array([1.0, -2.0, 0.5]) + 0.3)[:, None]
    # seeded layers: the loss's fall asserted below must not depend on which tests drew numbers before
    model = nn.Sequential(nn.Linear(3, 4, seed=1), nn.Tanh(), nn.Linear(4, 1, seed=2))
    twin = nn.Sequential(nn.Linear(3, 4, seed=1), nn.Tanh(), nn.Linear(4, 1, seed=2))
    for a, b in zip(twin.parameters(), model.parameters()):
        a.data[...] = b.data
    model.compile(optimizer="lbfgs_wolfe", loss="mse", max_iter=5)
    history = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)

    opt = optim.LBFGS(twin.parameters(), max_iter=5, line_search_fn="strong_wolfe")
    loss_fn = nn.losses.get("mse")
    for _ in range(3):
        for lo in range(0, 48, 16):
            xb, yb = x[lo:lo + 16], y[lo:lo + 16]

            def closure():
                twin.zero_grad()
                loss = loss_fn(twin(xb), yb)
                loss.backward()
                return loss

            opt.step(closure)
    for a, b in zip(twin.parameters(), model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    assert history.history["loss"][-1] < history.history["loss"][0] / 10
