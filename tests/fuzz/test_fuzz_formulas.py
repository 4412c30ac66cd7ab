"""Fuzz formulas end to end: text -> resolve_function -> gdlab.minimize -> Trajectory.

Formulas come from a small grammar (numbers from 0 to 1e400, the variables, every operator and function
name of the parser, unicode spellings, constant towers such as 9**9**9) mixed with hostile fragments, so
that most parse and run and some fail at every check. Each is minimized from a random start by a random
optimizer for a few steps. The contract (README, "Limits and errors"): a Trajectory whose every status is
one of STATUSES, with a reason per run and no complex number anywhere, or gdlab's own error
(tests/fuzz/contract.py); a run that leaves the domain is a "diverged" run that says why. Seeded.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdlab
from gdlab.runs.trajectory import STATUSES

from .contract import check_own_error

NUMBERS = ["0", "1", "2", "0.5", ".5", "3e2", "1e400", "1e-400", "9", "-8", "(1/3)", "π", "pi", "e", "٣", "２"]
VARIABLES = ["x", "y", "z", "x0", "x1", "x₁", "ｘ", "х"]
UNARY = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "arcsin", "arccos", "arctan",
         "log10", "log2", "sign", "floor", "relu", "sigmoid", "nope"]
BINARY = ["+", "-", "*", "/", "**", "^", "·", "×", "÷", "−", "%", "//", " "]
HOSTILE = ["", "(", ")", ",", "max(x, y)", "min(x)", "x.real", "__import__('os')", "x[0]", "lambda: 1", "x²",
           "x⁻¹", "9**9**9**9**9", "(-8)**(1/3)", "1/0", "0**-1", "2**1024", "e**1000", "x" * 300, "\x00", "∞"]

leaf = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(VARIABLES))
formula = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(st.sampled_from(UNARY), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda a: f"({a})"),
        inner.map(lambda a: f"-{a}"),
    ),
    max_leaves=12,
)
text = st.one_of(formula, formula, formula, st.sampled_from(HOSTILE),
                 st.tuples(formula, st.sampled_from(HOSTILE)).map("".join),
                 st.sampled_from(gdlab.functions.names()),
                 st.sampled_from(["sphere:dim=3", "sphere:dim=0", "sphere:dim=100000000", "rosenbrock:dim=4",
                                  "ill_conditioned:condition=-1", "rastrigin:a=nan", "rosenbrok"]))
OPTIMIZERS = gdlab.optim.rule_names()


@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text, st.sampled_from(OPTIMIZERS), st.floats(-3, 3), st.sampled_from([None, 1e-3, 0.1, 10.0]),
       st.integers(1, 6))
def test_a_formula_runs_or_is_refused_by_gdlab(source, optimizer, start, lr, steps):
    try:
        f = gdlab.functions.resolve_function(source)
    except Exception as exc:  # noqa: BLE001 - the contract is checked here
        check_own_error(exc, f"resolve_function({source!r})")
        return
    x0 = np.full(f.dim, start)
    try:
        with np.errstate(all="ignore"):
            t = gdlab.minimize(f, x0, optimizer, steps=steps, lr=lr)
    except Exception as exc:  # noqa: BLE001
        check_own_error(exc, f"minimize({source!r}, {optimizer!r}, lr={lr})")
        return
    statuses = np.atleast_1d(t.status)
    assert set(statuses) <= set(STATUSES), (source, statuses)
    assert not np.iscomplexobj(t.params) and not np.iscomplexobj(t.loss), source
    assert t.params.shape[-1] == f.dim and t.params.shape[0] >= 1
    final_loss = np.atleast_1d(t.loss[-1] if np.ndim(t.loss) else t.loss)
    if not np.all(np.isfinite(final_loss)):  # a NaN or inf loss is a diverged run that says why
        assert "diverged" in statuses and all(str(r).startswith("diverged") for r, s in
                                              zip(np.atleast_1d(t.reason), statuses) if s == "diverged"), source
