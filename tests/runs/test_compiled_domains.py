"""The compiled engine on formulas whose autodiff masks by value: log, sqrt, fractional and tensor powers (NaN
outside the domain, issue 12) and the piecewise ops (abs, max, min, relu, sigmoid, softplus).

Started inside, on the edge of and outside each domain, the numba engine gives the NumPy engine's numbers
(1e-12, NaN where NaN), statuses and stop steps; "auto" compiles them (it no longer falls back). Each
formula is one compiled program, so the sample packs several ops into each; tests/_jit/test_trace.py checks
the traced programs themselves over many more formulas and points without compiling.
"""


import numpy as np
import pytest

from gdlab.runs import compiled, minimize

from .test_compiled import same

numba = pytest.importorskip("numba")


@pytest.fixture(autouse=True)
def _auto_means_auto(monkeypatch):
    monkeypatch.delenv("GDLAB_ENGINE", raising=False)  # the suite's conftest makes "auto" NumPy elsewhere


# starts inside the domains, on their edge (0), outside (negative), and a mix
STARTS = np.array([[1.5, 2.0], [0.3, 0.7], [0.0, 1.0], [1.0, 0.0], [-1.0, 2.0], [2.0, -0.5], [-1.5, -2.0], [0.05, 3.0]])
CASES = [
    ("x - log(x) + log(1 + x**2) + y - 2*sqrt(y) + sqrt(1 + y**2)", "adam", dict(lr=0.05, steps=200, tol=1e-4)),
    ("(x**0.5 - 1)**2 + (y**(1/3) - 1)**2 + x**1.5/10 - (y + 3)**-0.5", "momentum", dict(lr=0.02, steps=200,
                                                                                     tol=1e-4)),
    ("x**y + 2**x + tan(y)/10", "rmsprop", dict(lr=0.01, steps=100, clip_grad_norm=5.0)),
    ("abs(x) + max(x, y)**2 + min(x, y) + relu(y - x) + sigmoid(x) + softplus(y)", "sgd",
     dict(lr=0.05, steps=150, momentum=0.9, nesterov=True, tol=1e-6)),
]


@pytest.mark.parametrize("formula, optimizer, kw", CASES, ids=[c[0] for c in CASES])
def test_masked_formulas_compile_and_equal_the_numpy_engine(formula, optimizer, kw):
    with np.errstate(all="ignore"):
        a = minimize(formula, STARTS, optimizer, engine="numba", record=("params", "loss", "grad", "grad_norm"), **kw)
        b = minimize(formula, STARTS, optimizer, engine="numpy", record=("params", "loss", "grad", "grad_norm"), **kw)
    same(a, b, formula)
    if "log(x)" in formula or "x**0.5" in formula:
        # outside the domain (x or y <= 0): NaN, a diverged run; inside: it converges
        assert list(b.status[:2]) == ["converged"] * 2 and set(b.status[2:7]) == {"diverged"}
        assert np.isnan(b.grad).any()  # the NaN gradients are compared too (NaN where NaN)


def test_auto_compiles_them(tmp_path, monkeypatch, compile_log):
    """"auto" runs such a formula on numba: the first run logs its compile (into a fresh cache folder), the
    program is kept for the next call, and the numbers are the NumPy engine's."""
    monkeypatch.setenv("GDLAB_CACHE", str(tmp_path))
    formula = "x - log(x) + sqrt(abs(y) + 1) + log(1 + y**2)"
    seen = compile_log
    compiled._PROGRAMS.clear()
    with np.errstate(all="ignore"):
        auto = minimize(formula, [[1.0, 1.0], [-1.0, 0.5]], "adam", steps=30, lr=0.1)
    assert [m for m in seen if "compiling" in m and str(tmp_path) in m]
    assert auto.engine == "numba" and len(compiled._PROGRAMS) == 1
    with np.errstate(all="ignore"):
        ref = minimize(formula, [[1.0, 1.0], [-1.0, 0.5]], "adam", steps=30, lr=0.1, engine="numpy")
    same(auto, ref, formula)
    assert list(auto.status) == ["max_steps", "diverged"]
