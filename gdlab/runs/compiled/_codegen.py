"""From traced programs to the source of one numba function: the whole run, all steps and starts.

The traces (the objective's value and gradient, the optimizer chain's first and steady step)
are DAGs of :class:`~._trace.Node`; each node becomes one line ``name = expression`` of scalar
Python, placed where its level says (once per run, per step in a table computed before the
rows, once per row, or in the body of each step). The loop around them (recording into the
histories at the recorded steps, the divergence and convergence checks, holding each row's
stop point in the slots after it) mirrors :func:`gdlab.runs._engine.run_rows`; the rows run
one after the other, each through its steps, which gives the same numbers because rows do not
interact.

Nothing of the user's text reaches the source: names are generated, constants are written with
``repr`` of floats.
"""

from __future__ import annotations

import math

from ..._jit.trace import ELEM, ROW, ROWSTEP, RUN, STEP, TraceError, post_order

__all__ = ["Program", "generate"]

_BIN = {"add": "+", "sub": "-", "mul": "*", "div": "/", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
        "eq": "==", "ne": "!="}
_FN = {"sqrt": "math.sqrt", "sin": "np.sin", "cos": "np.cos", "tan": "np.tan", "exp": "np.exp", "log": "np.log",
       "log1p": "np.log1p", "expm1": "np.expm1", "tanh": "np.tanh", "arctan": "np.arctan", "abs": "abs",
       "sign": "_sign"}

HELPERS = '''
@njit(inline="always", cache=True)
def _sign(a):
    if a > 0.0:
        return 1.0
    if a < 0.0:
        return -1.0
    return a  # 0.0, -0.0 and nan as np.sign


@njit(inline="always", cache=True)
def _max(a, b):
    return a if (a >= b or a != a) else b  # np.maximum: nan propagates


@njit(inline="always", cache=True)
def _min(a, b):
    return a if (a <= b or a != a) else b
'''


def _num(v):
    if math.isnan(v):
        return "math.nan"
    if math.isinf(v):
        return "math.inf" if v > 0 else "(-math.inf)"
    return repr(float(v))


class Program:
    """A traced run, ready to be written out: see :func:`generate`."""

    def __init__(self, d, vg, steady, first, leaves):
        self.d = d
        self.vg = vg            # (value node, [grad nodes]) of the objective
        self.steady = steady    # (outputs: {"p": [...], "s": {k: [...]}, "sc": {k: node}}) of a later step
        self.first = first      # the same for the first step, or None when it is the steady one
        self.leaves = leaves    # leaf name -> source expression


def _lines(prefix, outputs, leaves, placed):
    """Source lines for every node the outputs need, by level: {level: [lines]} and the output names.

    ``placed``: name -> expression of nodes already available (shared by the sections).
    """
    order = post_order(outputs)
    by_level = {RUN: [], STEP: [], ROW: [], ROWSTEP: [], ELEM: []}
    names = {}
    for node in order:
        if node.op == "const":
            names[node.id] = _num(node.val)
            continue
        if node.op == "leaf":
            if node.key not in leaves:
                raise TraceError(f"an unknown input {node.key!r}")
            names[node.id] = leaves[node.key]
            continue
        a = [names[x.id] for x in node.args]
        op = node.op
        if op in _BIN:
            expr = f"({a[0]} {_BIN[op]} {a[1]})"
        elif op == "pow":
            expr = f"math.pow({a[0]}, {a[1]})"
        elif op == "neg":
            expr = f"(-{a[0]})"
        elif op == "square":
            expr = f"({a[0]} * {a[0]})"
        elif op == "max":
            expr = f"_max({a[0]}, {a[1]})"
        elif op == "min":
            expr = f"_min({a[0]}, {a[1]})"
        elif op == "select":
            expr = f"({a[1]} if {a[0]} else {a[2]})"
        elif op in _FN:
            expr = f"{_FN[op]}({a[0]})"
        else:
            raise TraceError(f"the operation {op!r} has no compiled form")
        name = f"{prefix}{node.id}"
        names[node.id] = name
        by_level[max(node.level, RUN)].append((name, expr, node))
    return by_level, [names[o.id] for o in outputs]


def _indent(lines, n):
    pad = " " * n
    return [pad + line if line else line for line in lines]


def generate(prog: Program, *, n_hps: int, n_hpr: int, state_keys, n_sc: int, first_keys) -> str:
    """The module source: one function ``run(...)`` (see gdlab.runs.compiled.engine for its arguments)."""
    d = prog.d
    leaves = dict(prog.leaves)
    # -- the objective
    v_node, g_nodes = prog.vg
    vg_levels, vg_names = _lines("a", [v_node] + list(g_nodes), leaves, {})
    # -- the steps
    sections = []
    for tag, out in (("c", prog.steady), ("f", prog.first)):
        if out is None:
            continue
        nodes = list(out["p"]) + [x for k in state_keys for x in out["s"][k]] + list(out["sc"].values())
        levels, names = _lines(tag, nodes, leaves, {})
        sections.append((tag, levels, names))
    K = len(state_keys)

    src = ["import math", "import numpy as np", "from numba import njit", HELPERS, "",
           '@njit(cache=True, error_model="numpy", nogil=True)',
           "def run(X, S, SC, HPS, HPR, LRT, XI, t0, t1, steps, bound, tol, use_tol, AT, SLOT, done, stopped, "
           "status, final, final_loss, P, L, G, GN, SH, rec_p, rec_l, rec_g, rec_gn, rec_s, need_gn):",
           "    n = X.shape[1]", "    R = AT.shape[0]", "    T = steps + 1"]
    body = []
    # run-level nodes of every section
    for levels in [vg_levels] + [s[1] for s in sections]:
        body += [f"{name} = {expr}" for name, expr, _ in levels[RUN]]
    # the step table: STEP-level nodes computed once per step for all rows
    step_nodes = [x for s in sections for x in s[1][STEP]] + vg_levels[STEP]
    if step_nodes:
        body.append(f"TAB = np.empty((max(t1 - t0, 1), {len(step_nodes)}))")
        body.append("for t in range(t0, t1):")
        body.append("    tf = float(t)")
        body += [f"    {name} = {expr}" for name, expr, _ in step_nodes]
        body += [f"    TAB[t - t0, {k}] = {name}" for k, (name, _, _) in enumerate(step_nodes)]
    # Rows in blocks of 256, each block step by step, each step in three loops over the block's rows:
    # (A) the objective, (B) recording and the stop checks, (C) the update. A and C have no branch on the
    # data, so the CPU overlaps the rows' independent divisions and square roots (LLVM may vectorize
    # them); rows that stopped are still updated (nothing reads them again), as the NumPy engine does.
    body += ["VB = np.empty(n)", f"GB = np.empty(({d}, n))"]
    body.append("for b0 in range(0, n, 256):")
    body.append("    b1 = min(n, b0 + 256)")
    body.append("    for t in range(t0, t1):")
    body.append("        tf = float(t)")
    body += [f"        {name} = TAB[t - t0, {k}]" for k, (name, _, _) in enumerate(step_nodes)]
    # (A)
    loop_a = [f"{name} = {expr}" for name, expr, _ in vg_levels[ROW]]
    loop_a += [f"p{i} = X[{i}, r]" for i in range(d)]
    loop_a += [f"{name} = {expr}" for name, expr, _ in vg_levels[ROWSTEP] + vg_levels[ELEM]]
    loop_a.append(f"VB[r] = {vg_names[0]}")
    loop_a += [f"GB[{i}, r] = {vg_names[1 + i]}" for i in range(d)]
    body.append("        for r in range(b0, b1):")
    body += _indent(loop_a, 12)
    # (B)
    chk = ["if done[r]:", "    continue", "alive += 1", "v = VB[r]"]
    chk += [f"p{i} = X[{i}, r]" for i in range(d)] + [f"g{i} = GB[{i}, r]" for i in range(d)]
    chk += ["j = SLOT[r]", "nxt = AT[j] if j < R else T", "gn = 0.0", "if need_gn:"]
    if d <= 2:
        chk.append("    gn = math.sqrt(" + " + ".join(f"g{i} * g{i}" for i in range(d)) + ")")
    else:
        chk += ["    gn = 0.0"] + [f"    gn += g{i} * g{i}" for i in range(d)] + ["    gn = math.sqrt(gn)"]

    def put(slot, pad):
        out = ["if rec_p:"] + [f"    P[{slot}, r, {i}] = p{i}" for i in range(d)]
        out += ["if rec_l:", f"    L[{slot}, r] = v", "if rec_g:"] + [f"    G[{slot}, r, {i}] = g{i}" for i in range(d)]
        out += ["if rec_gn:", f"    GN[{slot}, r] = gn"]
        if K:
            out += ["if rec_s:"] + [f"    SH[{k}, {slot}, r, {i}] = S[{k}, {i}, r]" for k in range(K) for i in range(d)]
        return _indent(out, pad)

    chk += ["if t == nxt:"] + put("j", 4) + ["    j += 1", "    nxt = AT[j] if j < R else T"]
    bad = " or ".join([f"not (abs(p{i}) <= bound)" for i in range(d)] + ["not math.isfinite(v)"])
    chk += ["code = 0", f"if {bad}:", "    code = 2", "elif use_tol and gn < tol:", "    code = 1",
            "if code != 0 or t == steps:", "    status[r] = code", "    stopped[r] = t", "    done[r] = True"]
    chk += [f"    final[r, {i}] = p{i}" for i in range(d)] + ["    final_loss[r] = v", "    for jj in range(j, R):"]
    chk += put("jj", 8)
    chk += ["SLOT[r] = j"]
    body.append("        alive = 0")
    body.append("        for r in range(b0, b1):")
    body += _indent(chk, 12)
    body += ["        if alive == 0:", "            break"]

    # (C)
    def update(tag, levels, names):
        lines = [f"{name} = {expr}" for name, expr, _ in levels[ROW]]
        lines += [f"p{i} = X[{i}, r]" for i in range(d)] + [f"g{i} = GB[{i}, r]" for i in range(d)]
        lines += [f"s{k}_{i} = S[{k}, {i}, r]" for k in range(K) for i in range(d)]
        lines += [f"sc{k} = SC[{k}, r]" for k in range(n_sc)]
        lines += [f"{name} = {expr}" for name, expr, _ in levels[ROWSTEP] + levels[ELEM]]
        lines += [f"X[{i}, r] = {names[i]}" for i in range(d)]
        pos = d
        for k in range(K):
            for i in range(d):
                lines.append(f"S[{k}, {i}, r] = {names[pos]}")
                pos += 1
        for k in range(n_sc):
            lines.append(f"SC[{k}, r] = {names[pos]}")
            pos += 1
        return ["for r in range(b0, b1):"] + _indent(lines, 4)

    steady = sections[0]
    if len(sections) == 2:
        body += _indent(["if t == 0:"] + _indent(update(*sections[1]), 4) + ["else:"]
                        + _indent(update(*steady), 4), 8)
    else:
        body += _indent(update(*steady), 8)
    src += _indent(body, 4)
    src.append("")
    return "\n".join(src) + "\n"
