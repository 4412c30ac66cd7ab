"""torch's own optimizer configurations (``torch.testing._internal.common_optimizers.optim_db``), gdlab vs torch.

Shared by test_optim_db.py and make_optim_db_fixtures.py. For every optimizer class
gdlab and torch.optim share, ``optim_db`` lists the configurations torch tests it
with (each class's ``optim_inputs_func``: "default", "non-default lr", "maximize",
...) and the implementations it supports ("foreach", "fused", "differentiable";
gdlab has one). Each (class, configuration, implementation) is run for ``STEPS``
float64 steps on the non-quadratic problem of optim_cases.py (a quadratic plus
``sum(sin x) / 2`` per parameter; maximize=True runs get the gradient of ``-f``);
Muon, defined for matrices only, gets three matrices instead, and L-BFGS the
closure of the summed loss (one ``step(closure)`` = up to 20 iterations).

Muon's reference is torch.optim.Muon with its Newton-Schulz iteration computed in
float64 instead of bfloat16 (``f64_newton_schulz``: torch's function less the
``.bfloat16()``), because gdlab computes it in the parameter's dtype; the bfloat16
difference itself is pinned in test_optim_db.py.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import types
import unittest

import numpy as np

import optim_cases as oc

FIXTURE = os.path.join(oc.FIXTURES, "optim_db.npz")
STEPS = 50
RECORD = (1, 2, 3, 5, 10, 20, 30, 40, 50)
RTOL = 1e-9
#: cases whose round-off grows over the 50 steps beyond RTOL, with their own bound. L-BFGS at lr 1e-3
#: ("Tensor lr", torch.tensor(0.001) = 0.0010000000474974513) takes steps so short that its curvature
#: pairs s·y lose digits to cancellation: the error is 3e-15 at step 1 and 1.1e-9 at step 50, and torch
#: itself moves 1.4e-10 between two machines (its stored and live runs); 10x that is allowed.
RTOL_CASE = {("LBFGS", "Tensor lr"): 1e-8}


def rtol(name, desc) -> float:
    return RTOL_CASE.get((name, desc), RTOL)
CLASSES = ("SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam",
           "Rprop", "ASGD", "Adafactor", "Muon", "LBFGS")
MUON_SHAPES = [(4, 3), (3, 5), (2, 2)]


def optim_db_cases(torch) -> list:
    """[(class name, description, kwargs (JSON-able), impl)] from torch's optim_db, for CLASSES.

    ``impl`` is "single" (foreach=False) or one of the class's supported_impls.
    ``expecttest`` (imported by torch's test helpers, not needed here) is stubbed when absent.
    """
    if "expecttest" not in sys.modules:
        try:
            import expecttest  # noqa: F401
        except ImportError:
            stub = types.ModuleType("expecttest")
            stub.TestCase = unittest.TestCase
            sys.modules["expecttest"] = stub
    from torch.testing._internal.common_optimizers import optim_db

    out = []
    for info in optim_db:
        name = info.optim_cls.__name__
        if name not in CLASSES:
            continue
        func = info.optim_inputs_func
        extra = {"dtype": torch.float64} if "dtype" in inspect.signature(func).parameters else {}
        for oi in func(device="cpu", **extra):
            kwargs = {k: (float(v) if isinstance(v, torch.Tensor) else v) for k, v in oi.kwargs.items()}
            kwargs = json.loads(json.dumps(kwargs))  # tuples become lists, as stored
            for impl in ("single", *info.supported_impls):
                out.append((name, oi.desc, kwargs, impl))
    return out


def case_id(name, desc, impl) -> str:
    return f"{name}/{desc}/{impl}"


def _problem(name):
    problem = oc.make_problem()
    if name != "Muon":
        return problem, [problem[f"x0_{i}"].copy() for i in range(len(oc.SHAPES))]
    rng = np.random.default_rng(11)
    for i, shape in enumerate(MUON_SHAPES):
        n = int(np.prod(shape))
        q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        problem[f"A{i}"] = (q * rng.uniform(0.5, 3.0, n)) @ q.T
        problem[f"b{i}"] = 8.0 * rng.standard_normal(n)
    return problem, [rng.standard_normal(shape) for shape in MUON_SHAPES]


def _loss(problem, i, x):
    flat = x.reshape(-1)
    return 0.5 * flat @ problem[f"A{i}"] @ flat + problem[f"b{i}"] @ flat + 0.5 * np.sin(flat).sum()


def _gdlab_kwargs(kwargs):
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()}


def run_gdlab(name, kwargs, steps=STEPS) -> np.ndarray:
    """(len(RECORD), n_params): gdlab's parameters after the recorded steps."""
    import gdlab.optim

    problem, starts = _problem(name)
    sign = -1.0 if kwargs.get("maximize") else 1.0
    params = [oc.P(x) for x in starts]
    opt = getattr(gdlab.optim, name)(params, **_gdlab_kwargs(kwargs))

    def closure():
        for i, p in enumerate(params):
            p.grad = oc.gradient(problem, i, p.data, sign)
        return sum(_loss(problem, i, p.data) for i, p in enumerate(params))

    out = []
    for t in range(1, steps + 1):
        if name == "LBFGS":
            opt.step(closure)
        else:
            closure()
            opt.step()
        if t in RECORD:
            out.append(np.concatenate([p.data.ravel() for p in params]))
    return np.array(out)


def f64_newton_schulz(torch):
    """torch's _zeropower_via_newtonschulz without the cast to bfloat16 (the same operations in float64)."""
    def ns(grad, ns_coefficients, ns_steps, eps):
        a, b, c = ns_coefficients
        X = grad.clone()
        if grad.size(0) > grad.size(1):
            X = X.T
        X.div_(X.norm().clamp(min=eps))
        for _ in range(ns_steps):
            gram = X @ X.T
            gram_update = torch.addmm(gram, gram, gram, beta=b, alpha=c)
            X = torch.addmm(X, gram_update, X, beta=a)
        if grad.size(0) > grad.size(1):
            X = X.T
        return X
    return ns


def run_torch(name, kwargs, impl, steps=STEPS, bfloat16_muon=False) -> np.ndarray:
    """The same run with torch.optim in float64 (default dtype float64: ASGD's eta/mu, NAdam's mu_product)."""
    import torch
    import torch.optim._muon as muon_module

    problem, starts = _problem(name)
    sign = -1.0 if kwargs.get("maximize") else 1.0
    previous, ns = torch.get_default_dtype(), muon_module._zeropower_via_newtonschulz
    torch.set_default_dtype(torch.float64)
    if name == "Muon" and not bfloat16_muon:
        muon_module._zeropower_via_newtonschulz = f64_newton_schulz(torch)
    try:
        params = [torch.tensor(x) for x in starts]
        kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()}
        if impl == "single" and name not in ("LBFGS", "Muon"):
            kw["foreach"] = False
        elif impl != "single":
            kw[impl] = True
        opt = getattr(torch.optim, name)(params, **kw)

        def closure():
            for i, p in enumerate(params):
                p.grad = torch.from_numpy(oc.gradient(problem, i, p.numpy(), sign))
            return torch.tensor(sum(_loss(problem, i, p.numpy()) for i, p in enumerate(params)))

        out = []
        for t in range(1, steps + 1):
            if name == "LBFGS":
                opt.step(closure)
            else:
                closure()
                opt.step()
            if t in RECORD:
                out.append(np.concatenate([p.numpy().ravel() for p in params]))
    finally:
        torch.set_default_dtype(previous)
        muon_module._zeropower_via_newtonschulz = ns
    return np.array(out)


def worst_relative_error(ours, ref) -> float:
    scale = np.maximum(np.abs(ref), 1.0)
    return float(np.max(np.abs(ours - ref) / scale))
