"""Trajectory.config(): the arguments that reproduce a run, and when they cannot."""

import numpy as np
import pytest

import gdlab
from gdlab.functions import function_from_spec


def rerun(t):
    cfg = t.config()
    assert cfg.pop("rerun") is None
    f = function_from_spec(cfg.pop("function"))
    hp = cfg.pop("hyperparameters")
    x0 = cfg.pop("x0")
    if cfg["sampling"] is None:
        del cfg["sampling"]
    return gdlab.minimize(f, x0, **cfg, **hp)


@pytest.mark.parametrize("kwargs", [
    dict(f="rosenbrock", x0=[-1.5, 2.0], optimizer="adam", lr=0.05, steps=50),
    dict(f="beale", x0=[1.0, 1.0], optimizer="rmsprop", lr=0.01, steps=40, schedule="cosine", clip_grad_norm=2.0,
         momentum=0.5),
    dict(f="saddle", x0=np.array([[10.0, 0.0], [5.0, 0.1]]), optimizer="gd", lr=0.2, steps=30, noise=0.01, seed=7,
         tol=1e-8),
    dict(f="x**2 + 10*y**2", x0=[1.0, 1.0], optimizer="adagrad", lr=0.5, steps=20, gradient="autodiff",
         record=("loss", "params")),
])
def test_the_config_reruns_to_the_same_numbers(kwargs):
    kwargs = dict(kwargs)
    t = gdlab.minimize(kwargs.pop("f"), kwargs.pop("x0"), **kwargs)
    u = rerun(t)
    for name in ("params", "loss", "grad", "grad_norm", "lr", "final"):
        a, b = getattr(t, name), getattr(u, name)
        assert (a is None and b is None) or np.array_equal(a, b), name
    assert np.array_equal(t.status, u.status) and t.hyperparameters == u.hyperparameters


def test_the_config_lists_every_run_option():
    t = gdlab.minimize("booth", [0.0, 0.0], "adam", lr=0.1, steps=5, schedule=("step", {"step_size": 2}),
                       clip_grad_norm=3.0, record=("loss",))
    cfg = t.config()
    assert cfg["schedule"] == {"name": "step", "step_size": 2} and cfg["clip_grad_norm"] == 3.0
    assert cfg["record"] == ["loss"] and cfg["lr"] == 0.1 and "lr" not in cfg["hyperparameters"]
    assert cfg["hyperparameters"]["betas"] == (0.9, 0.999) and cfg["gradient"] == "closed_form"
    assert t.record == ("loss",) and t.clip_grad_norm == 3.0


def test_a_subset_is_not_offered_as_reproducible():
    t = gdlab.minimize("booth", np.zeros((3, 2)), "adam", steps=5)
    assert t.config()["rerun"] is None and t.subset_of is None
    assert "taken" in t.run(1).config()["rerun"] and t.select([0, 1]).subset_of == 3
