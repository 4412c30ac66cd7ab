"""Fused one-pass optimizer steps for tensors (numba), traced from the rule itself.

``Optimizer.step`` makes several passes over memory per parameter when NumPy applies a rule
(each ``out=`` operation is one pass: SGD with momentum and weight decay is five). When numba is
installed, :func:`fused_step` traces the rule's ``update`` once on a symbolic element
(:mod:`gdlab._jit.trace`: the very NumPy code, in its operation order, float32 kept float32 as
NumPy keeps it), writes it out as one loop over the elements and compiles it (cached on disk),
so that a step reads and writes each array once (float32 and float64 only). The maths stays in gdlab.optim.rules.

A step is fused when: numba is installed and $GDLAB_ENGINE is not "numpy"; the chain has no
transform and no learning-rate source (noise and clipping stay on NumPy); the parameter, its
gradient and its state arrays are contiguous arrays of one dtype (float32 or float64); the
rule's step traces (its branches depend on hyperparameters only) and its state has no scalar
but the step count (NAdam's ``mu_product`` stays on NumPy). Otherwise the rule runs as NumPy
code, with the same numbers: the first step of SGD with momentum (it creates the buffer) is one
such NumPy step.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

from .._jit import trace as T
from .._jit.key import NotAKey, typed_key
from .._jit.load import available, load
from .._jit.source import BINARY, MAX_MIN, number

__all__ = ["group_step", "enabled", "Memo"]

_KERNELS: dict = {}
_UNSUPPORTED = object()


def enabled() -> bool:
    """Whether fused steps are on: numba installed and $GDLAB_ENGINE not "numpy"."""
    return os.environ.get("GDLAB_ENGINE", "").strip().lower() != "numpy" and available()


def _hp_inputs(hp):
    """[(name, value)] of the numeric hyperparameters (floats), or None when one is an array."""
    out = []
    for k, v in hp.items():
        vals = v if isinstance(v, tuple) else (v,)
        for i, x in enumerate(vals):
            if isinstance(x, (bool, np.bool_)) or x is None or isinstance(x, str):
                continue
            if not isinstance(x, (numbers.Real, np.generic)):
                return None
            out.append((f"{k}[{i}]" if isinstance(v, tuple) else k, float(x)))
    return out


class _Kernel:
    def __init__(self, fn, keys, guards, names):
        self.fn, self.keys, self.guards, self.names = fn, keys, guards, names

    def matches(self, env):
        return all(T.decide(node, env) == outcome for node, outcome in self.guards)


_HELPERS = '''
@njit(inline="always", cache=True)
def _sign(a):
    if a > 0:
        return a - a + 1
    if a < 0:
        return a - a - 1
    return a
''' + MAX_MIN

_FN = {"sqrt": "np.sqrt", "exp": "np.exp", "log": "np.log", "abs": "abs", "sign": "_sign", "tanh": "np.tanh"}


def _source(outputs, keys, names, dtype):
    """One loop over the elements computing ``outputs`` (new p, then the state arrays in ``keys`` order)."""
    f32 = dtype == np.float32
    order = T.post_order(outputs)
    leaves = {("p", 0): "pi", ("g", 0): "gi", "t": "tf"}
    leaves.update({(("s", k), 0): f"s{j}i" for j, k in enumerate(keys)})
    leaves.update({("hp", name): f"HPS[{j}]" for j, name in enumerate(names)})
    ref, outer, inner = {}, [], []
    cast = "np.float32" if f32 else ""
    for node in order:
        if node.op == "const":
            ref[node.id] = number(node.val)
            continue
        if node.op == "leaf":
            if node.key not in leaves:
                raise T.TraceError(f"an unknown input {node.key!r}")
            ref[node.id] = leaves[node.key]
            continue
        elem = node.level == T.ELEM
        a = [ref[x.id] if (not elem or x.level == T.ELEM or not f32) else f"{cast}({ref[x.id]})" for x in node.args]
        op = node.op
        if op in BINARY:
            expr = f"({a[0]} {BINARY[op]} {a[1]})"
        elif op == "pow":
            expr = f"np.power({a[0]}, {a[1]})" if elem else f"math.pow({a[0]}, {a[1]})"
        elif op == "neg":
            expr = f"(-{a[0]})"
        elif op == "square":
            expr = f"({a[0]} * {a[0]})"
        elif op in ("max", "min"):
            expr = f"_{op}({a[0]}, {a[1]})"
        elif op == "select":
            expr = f"({a[1]} if {a[0]} else {a[2]})"
        elif op in _FN:
            expr = f"{_FN[op]}({a[0]})" if (elem or op != "sqrt") else f"math.sqrt({a[0]})"
        else:
            raise T.TraceError(f"the operation {op!r} has no compiled form")
        name = f"v{node.id}"
        ref[node.id] = name
        (inner if elem else outer).append(f"{name} = {expr}")
    args = ", ".join(["P", "G"] + [f"S{j}" for j in range(len(keys))] + ["HPS", "tf"])
    body = ["import math", "import numpy as np", "from numba import njit", _HELPERS, "",
            '@njit(cache=True, error_model="numpy", nogil=True)', f"def step({args}):"]
    body += [f"    {line}" for line in outer]
    body += ["    for i in range(P.shape[0]):", "        pi = P[i]", "        gi = G[i]"]
    body += [f"        s{j}i = S{j}[i]" for j in range(len(keys))]
    body += [f"        {line}" for line in inner]
    outs = [ref[o.id] for o in outputs]
    body += [f"        P[i] = {outs[0]}"] + [f"        S{j}[i] = {outs[1 + j]}" for j in range(len(keys))]
    return "\n".join(body) + "\n"


def _trace(rule, hp, keys, dtype, flags0):
    names = [name for name, _ in _hp_inputs(hp)]
    with T.Tracer() as tr:
        values = dict(_hp_inputs(hp))

        def sym(k, v):
            if isinstance(v, (bool, np.bool_)) or v is None or isinstance(v, str):
                return v
            return T.leaf(("hp", k), T.RUN, values[k])

        shp = {k: (tuple(sym(f"{k}[{i}]", x) for i, x in enumerate(v)) if isinstance(v, tuple) else sym(k, v))
               for k, v in hp.items()}
        P = T.sym_leaves("p", (1,))
        G = T.sym_leaves("g", (1,))
        state = {k: T.sym_leaves(("s", k), (1,)) for k in keys}
        state.update(flags0)
        state["step"] = T.leaf("t", T.STEP)
        rule.update(P, G, state, **shp)
        if not tr.elementwise:
            raise T.TraceError("the rule reduces or reads its parameter's shape: it is not elementwise")
        after = [k for k, v in state.items() if isinstance(v, T.SymArray) and not k.startswith("_")]
        if after != list(keys):
            raise T.TraceError("the step changes the state's arrays")
        extra = [k for k, v in state.items() if k != "step" and not k.startswith("_") and k not in keys]
        if extra:
            raise T.TraceError(f"state the fused step does not carry: {extra}")
        outputs = [T.value(P[0])] + [T.value(state[k][0]) for k in keys]
        guards = {}
        for i, outcome in tr.guards:
            node = tr.nodes[i]
            guards.setdefault((T.expression(node), outcome), (node, outcome))
        src = _source(outputs, keys, names, dtype)
    module, _ = load(src, "step", f"a fused {rule.name} step")
    return _Kernel(module.step, keys, list(guards.values()), names)


class Memo:
    """What an optimizer keeps between steps: ``kernels`` (by setting: {(dtype, state keys): kernel}) and
    ``steps`` (the step function of each set of hyperparameter values seen, so that a step with the values
    of the last one costs a dict lookup, not the hyperparameters' sorting)."""

    __slots__ = ("kernels", "steps")

    def __init__(self):
        self.kernels, self.steps = {}, {}


def group_step(rule, hp, memo):
    """``step(p, g, state) -> bool`` for the parameters of one group with hyperparameters ``hp``: one step of
    ``rule`` in place by a compiled one-pass kernel, or False when it cannot (the caller then runs
    ``rule.update``); None when no step of this group can be fused. ``memo``: a :class:`Memo` the caller
    keeps between steps."""
    try:
        seen = (rule.name, id(rule.update), typed_key(hp))
    except NotAKey:
        seen = None
    if seen is not None:
        step = memo.steps.get(seen, _UNSUPPORTED)
        if step is not _UNSUPPORTED:
            return step
    step = _group_step(rule, hp, memo.kernels)
    if seen is not None:
        if len(memo.steps) > 64:  # e.g. a scheduler's new lr at every step
            memo.steps.clear()
        memo.steps[seen] = step
    return step


def _group_step(rule, hp, memo):
    if getattr(rule, "needs_loss", False):
        return None
    inputs = _hp_inputs(hp)
    if inputs is None:
        return None
    flags = tuple((k, v) for k, v in hp.items() if isinstance(v, (bool, np.bool_)))
    gkey = (tuple(inputs), flags)
    kernels = memo.get(gkey)
    if kernels is None:
        if len(memo) > 64:
            memo.clear()
        kernels = memo[gkey] = {}
    hps = np.array([v for _, v in inputs] + [0.0])
    env = dict(inputs)
    names = tuple(n for n, _ in inputs)

    flags0 = {}

    def kernel(dt, keys):
        kern = kernels.get((dt, keys))
        if kern is None:
            kern = _UNSUPPORTED
            skey = (rule.name, id(rule.update), dt.str, keys, names, flags)
            for cand in _KERNELS.get(skey, ()):
                if cand.matches(env):
                    kern = cand
                    break
            else:
                try:
                    kern = _trace(rule, hp, keys, dt, flags0)
                    _KERNELS.setdefault(skey, []).append(kern)
                except Exception:  # noqa: BLE001 - anything the rule does that symbols cannot: NumPy runs it
                    kern = _UNSUPPORTED
            kernels[(dt, keys)] = kern
        return kern

    def step(p, g, state):
        dt = p.dtype
        if dt != g.dtype or not (p.flags.c_contiguous and g.flags.c_contiguous) or dt.kind != "f":
            return False
        keys, arrays = [], []
        for k, v in state.items():
            if k == "step" or (k.startswith("_") and isinstance(v, np.ndarray)):
                continue
            if k.startswith("_"):
                return False  # a marker of the rule's own (Adafactor's "_rows"): NumPy runs it
            if not isinstance(v, np.ndarray) or v.dtype != dt or v.shape != p.shape or not v.flags.c_contiguous:
                return False
            keys.append(k)
            arrays.append(v.reshape(-1))
        kern = kernel(dt, tuple(keys))
        if kern is _UNSUPPORTED:
            return False
        t = state["step"]
        kern.fn(p.reshape(-1), g.reshape(-1), *arrays, hps, float(t))
        state["step"] = t + 1
        return True

    return step
