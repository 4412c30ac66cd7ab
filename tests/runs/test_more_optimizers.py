"""gdlab.minimize with Rprop, ASGD, Adafactor, Muon and L-BFGS: the runner applies the same rules as the classes."""

import numpy as np
import pytest

import gdlab
import gdlab.optim as optim
from tests.optim.optim_cases import P


@pytest.mark.parametrize("search", [None, "strong_wolfe"])
def test_lbfgs_trajectory_is_every_evaluation_of_the_stateful_lbfgs(search):
    f = gdlab.functions.get("rosenbrock")
    tr = gdlab.minimize("rosenbrock", [-1.2, 1.0], optimizer="lbfgs", steps=80, line_search_fn=search)
    p = P(np.array([-1.2, 1.0]))
    opt = optim.LBFGS([p], line_search_fn=search)
    seen = []

    def closure():
        seen.append(p.data.copy())
        loss, g = f.value_and_grad(p.data)
        p.grad = np.asarray(g, dtype=float)
        return loss

    while len(seen) < 81:
        opt.step(closure)
    np.testing.assert_allclose(tr.params, np.array(seen[:81]), rtol=1e-12, atol=1e-14)
    assert np.linalg.norm(tr.params[-1] - 1.0) < 1e-3  # L-BFGS reaches Rosenbrock's minimum in 80 evaluations
    if search:  # the line search's trial points are in the trajectory: some are worse than where it stood
        assert np.any(np.diff(tr.loss) > 0)


@pytest.mark.parametrize("name,hp", [("rprop", {}), ("asgd", {"lr": 1e-3}), ("adafactor", {}),
                                     ("muon", {"lr": 0.02})])
def test_minimize_runs_each_start_as_the_stateful_class(name, hp):
    f = gdlab.functions.get("rosenbrock")
    starts = np.array([[-1.2, 1.0], [0.5, -0.5], [1.5, 2.0]])
    tr = gdlab.minimize("rosenbrock", starts, optimizer=name, steps=40, **hp)
    cls = type(optim.get(name))
    for i, x0 in enumerate(starts):
        p = P(x0.reshape(1, 2).copy() if name == "muon" else x0.copy())
        opt = cls([p], **hp)
        for _ in range(40):
            p.grad = np.asarray(f.value_and_grad(p.data.reshape(-1))[1], dtype=float).reshape(p.data.shape)
            opt.step()
        np.testing.assert_allclose(tr.params[-1, i] if tr.params.ndim == 3 else tr.params[-1], p.data.reshape(-1),
                                   rtol=1e-12, atol=1e-14)
