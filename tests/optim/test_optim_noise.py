"""Gradient noise (perturbed gradient descent): seeded, dtype-preserving, escapes the seed's saddle point."""

import numpy as np
import pytest

import gdlab.optim as optim
from tests.optim.optim_cases import P


def saddle_grad(xy):
    """Gradient of z = x**2 - y**2 (seed 003), for one point or rows of points."""
    return np.stack([2 * xy[..., 0], -2 * xy[..., 1]], axis=-1)


def test_perturb_grad_is_g_plus_std_times_standard_normal():
    g = np.arange(6.0).reshape(2, 3)
    out = optim.perturb_grad(g, 0.5, np.random.default_rng(4))
    xi = np.random.default_rng(4).standard_normal((2, 3))
    np.testing.assert_allclose(out, g + 0.5 * xi, rtol=1e-15)
    np.testing.assert_array_equal(g, np.arange(6.0).reshape(2, 3))  # g untouched
    buf = np.empty((2, 3), np.float32)
    assert optim.perturb_grad(g.astype(np.float32), 0.1, np.random.default_rng(0), out=buf) is buf
    assert optim.perturb_grad(g.astype(np.float32), 0.1, np.random.default_rng(0)).dtype == np.float32
    rows = optim.perturb_grad(np.zeros((2, 1000)), np.array([[0.0], [2.0]]), np.random.default_rng(1))
    assert np.all(rows[0] == 0) and abs(rows[1].std() - 2.0) < 0.2  # a noise level per row


def test_gd_stays_on_the_saddle_line_without_noise_and_escapes_with_it():
    for noise_std, escapes in ((0.0, False), (0.01, True)):
        p = P(np.array([10.0, 0.0]))
        opt = optim.SGD([p], lr=0.04, noise_std=noise_std, noise_seed=0)
        for _ in range(500):
            p.grad = saddle_grad(p.data)
            opt.step()
        assert bool(abs(p.data[1]) > 1.0) is escapes
        assert abs(p.data[0]) < 0.1  # x still descends to 0


def test_noise_is_reproducible_from_the_seed_and_works_with_every_optimizer():
    for name in optim.names():
        runs = []
        for seed in (7, 7, 8):
            p = P(np.array([[1.0, 0.0]]) if name == "muon" else np.array([1.0, 0.0]))  # Muon: matrices only
            opt = optim.get(name, lr=0.01, noise_std=0.1, noise_seed=seed).bind([p])

            def closure():  # L-BFGS runs down the saddle's unbounded side: its loss may overflow
                p.grad = saddle_grad(p.data)
                with np.errstate(over="ignore", invalid="ignore"):
                    return float(np.sum(p.data[..., 0] ** 2 - p.data[..., 1] ** 2))

            for _ in range(20):
                opt.step(closure) if name.startswith("lbfgs") else (closure(), opt.step())
            runs.append(p.data.copy())
        np.testing.assert_array_equal(runs[0], runs[1])
        assert not np.array_equal(runs[0], runs[2]), name


def test_stateful_noise_equals_the_functional_form_on_the_rule():
    rng = np.random.default_rng(12)
    x = np.array([[10.0, 0.0]])
    rule = optim.get_rule("momentum")
    state = rule.init(x)
    p = P(np.array([10.0, 0.0]))
    opt = optim.SGD([p], lr=0.01, momentum=0.9, noise_std=0.05, noise_seed=12)
    for _ in range(30):
        rule.update(x, optim.perturb_grad(saddle_grad(x), 0.05, rng), state, lr=0.01, momentum=0.9)
        p.grad = saddle_grad(p.data)
        opt.step()
    np.testing.assert_array_equal(x[0], p.data)


def test_noise_std_is_a_schedulable_group_hyperparameter():
    p = P(np.array([10.0, 0.0]))
    opt = optim.SGD([p], lr=0.01, noise_std=0.5, noise_seed=0)
    assert opt.param_groups[0]["noise_std"] == 0.5
    opt.param_groups[0]["noise_std"] = 0.0
    p.grad = np.zeros(2)
    opt.step()
    np.testing.assert_array_equal(p.data, [10.0, 0.0])
    with pytest.raises(ValueError, match="noise_std"):
        optim.Adam(noise_std=-0.1)
