"""Fuzz optimizer hyperparameters through every door: the rule (``Rule.hyperparameters``), the stateful
optimizer (``gdlab.optim.get(name, params=..., **hp)`` then ``step()``) and the vectorised runner
(``gdlab.minimize(..., **hp)``), with values from every corner: 0, negative, NaN, inf, 1e308, 1e-320,
booleans, strings, tuples of the wrong length, arrays, unknown names.

The contract (README, "Limits and errors"): one rule, one message. The three doors accept the same
hyperparameters and refuse the same ones, with gdlab's own error (tests/fuzz/contract.py) of the same
type and the same message up to the optimizer's name; what is accepted runs (statuses from STATUSES,
the Tensor optimizer's parameters finite or the run diverged). Seeded.
"""

import inspect
import numbers

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdlab
from gdlab import optim
from gdlab.runs.trajectory import STATUSES

from .contract import check_own_error

VALUES = [0, 0.0, 1, -1, 0.5, 0.9, 0.999, 1.0, 2, 1e-8, 1e308, 1e-320, float("nan"), float("inf"), -float("inf"),
          True, False, "0.1", "adam", None, (0.9, 0.999), (0.9,), (0.5, 1.0), (1.0, 0.9), (float("nan"), 0.9),
          [0.9, 0.99], np.float32(0.1), np.array([0.1, 0.2]), 10**30]


def _outcome(call):
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the contract is checked by the caller
        return exc
    return None


@st.composite
def settings_of(draw):
    name = draw(st.sampled_from(optim.rule_names()))
    # the hyperparameters the optimizer class takes (AdamW fixes decoupled_weight_decay=True, as
    # torch.optim.AdamW does, while the "adamw" rule, an adam preset, lets minimize change it)
    cls = type(optim.get(name))
    keys = [k for k in optim.get_rule(name).defaults if k in inspect.signature(cls.__init__).parameters] + ["rocket"]
    hp = draw(st.dictionaries(st.sampled_from(keys), st.sampled_from(VALUES), max_size=3))
    return name, hp


@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(settings_of())
def test_every_door_takes_and_refuses_the_same_hyperparameters(case):
    name, hp = case
    rule = optim.get_rule(name)
    p = gdlab.Tensor(np.array([[1.5, -0.5]]), requires_grad=True)  # 2-D, as Muon needs (one run of minimize)

    def tensor_door():
        opt = optim.get(name, params=[p], **hp)
        def closure():  # torch's step(closure), which every optimizer takes and L-BFGS needs
            p.grad = 2 * p.data
            return float((p.data ** 2).sum())

        with np.errstate(all="ignore"):  # a diverging run overflows: its numbers, not an error
            for _ in range(3):
                closure()
                opt.step(closure)

    def runner_door():
        with np.errstate(all="ignore"):
            t = gdlab.minimize("paraboloid", [1.5, -0.5], name, steps=3, **hp)
        assert set(np.atleast_1d(t.status)) <= set(STATUSES)

    doors = {"rule": _outcome(lambda: rule.hyperparameters(**hp)), "optimizer": _outcome(tensor_door),
             "minimize": _outcome(runner_door)}
    for door, exc in doors.items():
        if exc is not None and not isinstance(exc, AssertionError):
            check_own_error(exc, f"{door}: {name} {hp}")
    lr = hp.get("lr", 0.0)
    arrays = any(isinstance(v, np.ndarray) and v.ndim for v in hp.values())  # per-run values (rows)
    if arrays or lr is None or isinstance(lr, (bool, np.bool_)) or not isinstance(lr, numbers.Real):
        # minimize's lr is one number or None (the optimizer's default; several are gdlab.lr_sweep), with its
        # own check and message, where the rule and most Tensor optimizers take an array of learning rates
        # (L-BFGS's class takes one number for each): each door's own semantics, so only its own errors count
        return
    refused = {door for door, exc in doors.items() if exc is not None}
    assert refused in (set(), set(doors)), f"{name} {hp}: refused by {sorted(refused)} only: {doors}"
    if refused:
        kinds = {type(exc) for exc in doors.values()}
        messages = {str(exc).split(": ", 1)[-1] for exc in doors.values()}  # up to "Adam:" / "adam:"
        assert len(kinds) == 1 and len(messages) == 1, f"{name} {hp}: {doors}"
