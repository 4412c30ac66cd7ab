"""The compiled engine (numba): whole runs, all steps and starts, in one compiled loop.

``engine="auto" | "numpy" | "numba"`` on gdlab.minimize, race, lr_sweep and tune chooses it:
"numba" runs the compiled engine and raises :class:`EngineUnavailable` (a ValueError) naming
why when a run cannot be compiled; "auto" (the default) uses it when numba is installed and the
run can be compiled, and otherwise the NumPy engine, with the same numbers either way.

How the maths stays written once
--------------------------------
Nothing here restates an optimizer, a transform or an objective. The engine *traces* the NumPy
code the NumPy engine runs (gdlab.optim's rule and chain, the catalog's closed-form value and
gradient, the autodiff of a formula's tree) on symbolic arrays (:mod:`._trace`), which records
each IEEE operation in NumPy's order, and writes the recorded program out as scalar code for
numba (:mod:`._codegen`), inside one loop over starts and steps that records, checks
divergence and tolerance, and holds stopped rows as the NumPy loop does. A rule added to
gdlab.optim is compiled the day it lands, if its code can be traced; if not (a branch on a
value that changes per element or over the steps, an operation the tracer does not know), the
run says why and "auto" runs it on NumPy.

What runs on NumPy under "auto": mini-batch objectives, Python callables, d > 16, a transform
the tracer does not list, noise drawn from a numpy Generator you passed (its state after the run
would differ), optimizers whose step cannot be traced (e.g. RAdam, whose rectification branch
changes with the step), an objective or a step of more than engine.MAX_NODES (20,000) traced operations.
Formulas compile whatever they use: the masks their autodiff computes from values (NaN outside
the domain of log, sqrt and fractional powers; the kinks of abs, max, relu, ...) are traced as
comparisons and selects (:class:`gdlab._jit.trace.NodeArray`).

``GDLAB_ENGINE=numpy`` (or ``numba``) in the environment decides what "auto" means for a
process (the test suite runs its other tests on NumPy this way, so that CI compiles only
the engine's own tests). Compiled code is cached on disk (see :func:`cache_dir`); the first compile of a program logs one
line on ``logging.getLogger("gdlab.compiled")``.
"""

from __future__ import annotations

import json
import math
import os
import weakref

import numpy as np

from ..._jit.key import NotAKey, typed_key
from ...functions import function_spec
from ...functions.data import DataLoss
from .engine import _LOCK, LOG, Unsupported, _remember, available, cache_dir, hp_values, prepare

__all__ = ["AUTO_MAX_ROWS", "ENGINES", "EngineUnavailable", "check_engine", "resolve_engine", "program", "available", "cache_dir", "LOG"]

ENGINES = ("auto", "numpy", "numba")
#: "auto" compiles runs of at most this many rows (starts x learning rates): no limit since the compiled loop
#: is vectorized (AVX-512 on the development machine) and parallel. Measured there (2 cores, loaded), 1000
#: steps, record=(), compiled / NumPy time at 2,048, 10,000 and 50,000 rows (200 steps at 50,000):
#: Rosenbrock + Adam 0.27 / 0.54 / 0.37, Ackley + Adam 0.36 / 0.53 / 0.46, Rastrigin + RMSprop
#: 0.39 / 0.56 / 0.37, the formula x**2 + 10*y**2 + sin(3*x) + momentum 0.29 / 0.75 / 0.31. (Before, the
#: scalar loop was 1.0x NumPy's time at 3,000 rows, and "auto" stopped at 2,048.)
AUTO_MAX_ROWS = math.inf
class _Programs(dict):
    """key -> [Compiled]; a program dropped from it (pop, clear) is marked so that the memo _SEEN misses it."""

    def pop(self, key, *default):
        got = super().pop(key, *default)
        for prog in got or ():
            prog.dropped = True
        return got

    def clear(self):
        for progs in self.values():
            for prog in progs:
                prog.dropped = True
        super().clear()


_PROGRAMS: dict = _Programs()
_MAX_PROGRAMS = 256
#: (function, rule, hyperparameter values, ...) -> (program, inputs) of a call seen before
_SEEN: dict = {}
_MAX_SEEN = 1024


class EngineUnavailable(ValueError):
    """engine="numba" was asked for a run it cannot compile (or numba is not installed)."""


def check_engine(engine) -> str:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}; got {engine!r}")
    return engine


def resolve_engine(engine) -> str:
    """``engine``, where "auto" takes the value of $GDLAB_ENGINE when it is set (a process-wide choice)."""
    check_engine(engine)
    if engine == "auto":
        env = os.environ.get("GDLAB_ENGINE", "").strip().lower()
        if env:
            if env not in ENGINES:
                raise ValueError(f"GDLAB_ENGINE must be one of {', '.join(map(repr, ENGINES))}; got {env!r}")
            return env
    return engine


def _closure_numbers(fn):
    cells = getattr(fn, "__closure__", None) or ()
    out = []
    for c in cells:
        try:
            v = c.cell_contents
        except ValueError:
            continue
        if isinstance(v, (int, float, str, bool)):
            out.append(v)
    return tuple(out)


def _structure(hp):
    def kind(v):
        if isinstance(v, tuple):
            return tuple(kind(x) for x in v)
        if isinstance(v, (bool, str)) or v is None:
            return v
        return "R" if getattr(v, "size", 1) > 1 else "S"
    return tuple((k, kind(v)) for k, v in hp.items())


_SPECS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _spec(f):
    """function_spec(f) as a JSON text, once per Function object (it rebuilds f to check the spec);
    a copy (Function.copy, e.g. each resolve_function("rosenbrock")) shares its original's while it
    runs the same code."""
    f = f._code_origin()
    try:
        got = _SPECS.get(f)
    except TypeError:
        got = None
    if got is None:
        with np.errstate(all="ignore"):  # function_spec evaluates f at its start
            spec = function_spec(f)
        got = (spec, json.dumps(spec, sort_keys=True, default=str))
        try:
            _SPECS[f] = got
        except TypeError:
            pass
    return got


def program(f, gradient, chain, hp, hyper, n, d, lr_values, *, spec=None):
    # spec: None or (function_spec(f), its JSON text)
    """The :class:`Compiled` program for this run, reused across calls; raises :class:`Unsupported`."""
    if not available():
        raise Unsupported("numba is not installed (pip install 'gdlab[fast]')")
    if isinstance(f, DataLoss):
        raise Unsupported("data-defined objectives run on NumPy")
    if spec is None:
        spec = _spec(f)
    spec, spec_text = spec
    if "callable" in spec:
        raise Unsupported(f"the function {f.name!r} is a Python callable: callables run on NumPy")
    transforms = tuple((tr.name, _closure_numbers(tr.update)) for tr in chain.transforms)
    lr_ndim = None if lr_values is None else lr_values.ndim
    try:  # a repeated call (same function, rule and hyperparameter values) skips the key, the inputs, the guards
        seen = (spec_text, gradient, d, n, chain.rule.name, id(chain.rule.update), transforms, typed_key(hp),
                typed_key(hyper or {}), lr_ndim)
    except NotAKey:
        seen = None
    got = _SEEN.get(seen) if seen is not None else None
    if got is not None and not got[1].dropped:  # (a program dropped from _PROGRAMS is gone)
        return got[1], got[2]
    key, prog, inputs = _find(f, gradient, chain, hp, hyper, n, d, lr_values, spec_text, transforms, lr_ndim)
    if seen is not None:
        _remember(_SEEN, seen, (key, prog, inputs), _MAX_SEEN)
    return prog, inputs


def _find(f, gradient, chain, hp, hyper, n, d, lr_values, spec_text, transforms, lr_ndim):
    key = (spec_text, gradient, d, chain.rule.name, id(chain.rule.update), transforms,
           _structure(hp), _structure(hyper or {}), lr_ndim)
    inputs = hp_values(hp, n) + hp_values(hyper or {}, n)
    for prog in _PROGRAMS.get(key, ()):
        if prog.matches(inputs):
            return key, prog, inputs
    prog = prepare(f, gradient, chain, hp, hyper, n, d, lr_values)
    with _LOCK:  # (threads of the web server find programs side by side)
        while len(_PROGRAMS) >= _MAX_PROGRAMS and key not in _PROGRAMS:
            _PROGRAMS.pop(next(iter(_PROGRAMS)))
        _PROGRAMS.setdefault(key, []).append(prog)
    return key, prog, inputs
