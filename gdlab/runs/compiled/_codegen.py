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

from ._trace import CONST, ELEM, ROW, ROWSTEP, RUN, STEP, TraceError

__all__ = ["Program", "generate"]

_BIN = {"add": "+", "sub": "-", "mul": "*", "div": "/", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
        "eq": "==", "ne": "!="}
_FN = {"sqrt": "np.sqrt", "sin": "np.sin", "cos": "np.cos", "tan": "np.tan", "exp": "np.exp", "log": "np.log",
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
    order = []
    seen = set()
    stack = [(o, False) for o in reversed(outputs)]
    while stack:  # iterative post-order (deep chains do not hit the recursion limit)
        node, expanded = stack.pop()
        if node.id in seen:
            continue
        if expanded or not node.args:
            seen.add(node.id)
            order.append(node)
            continue
        stack.append((node, True))
        for a in reversed(node.args):
            if a.id not in seen:
                stack.append((a, False))
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
           "    n = X.shape[0]", "    R = AT.shape[0]", "    T = steps + 1"]
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
    # rows in blocks, each block step by step: the rows of a block are independent work for the CPU
    # to overlap (one row alone is a chain of dependent divisions and square roots)
    body.append("for b0 in range(0, n, 64):")
    body.append("    b1 = min(n, b0 + 64)")
    body.append("    for t in range(t0, t1):")
    body.append("        tf = float(t)")
    body += [f"        {name} = TAB[t - t0, {k}]" for k, (name, _, _) in enumerate(step_nodes)]
    body.append("        alive = 0")
    body.append("        for r in range(b0, b1):")
    row = ["if done[r]:", "    continue", "alive += 1"]
    for levels in [vg_levels] + [s_[1] for s_ in sections]:
        row += [f"{name} = {expr}" for name, expr, _ in levels[ROW]]
    row += [f"p{i} = X[r, {i}]" for i in range(d)]
    row += [f"s{k}_{i} = S[{k}, r, {i}]" for k in range(K) for i in range(d)]
    row += [f"sc{k} = SC[{k}, r]" for k in range(n_sc)]
    row += ["j = SLOT[r]", "nxt = AT[j] if j < R else T"]
    step = []
    # the objective at p
    step += [f"{name} = {expr}" for name, expr, _ in vg_levels[ROWSTEP] + vg_levels[ELEM]]
    step.append(f"v = {vg_names[0]}")
    step += [f"g{i} = {vg_names[1 + i]}" for i in range(d)]
    step.append("gn = 0.0")
    step.append("if need_gn:")
    if d <= 2:
        step.append("    gn = np.sqrt(" + " + ".join(f"g{i} * g{i}" for i in range(d)) + ")")
    else:
        step.append("    gn = 0.0")
        step += [f"    gn += g{i} * g{i}" for i in range(d)]
        step.append("    gn = np.sqrt(gn)")
    step += ["if t == nxt:",
             "    if rec_p:"] + [f"        P[j, r, {i}] = p{i}" for i in range(d)] + [
             "    if rec_l:", "        L[j, r] = v",
             "    if rec_g:"] + [f"        G[j, r, {i}] = g{i}" for i in range(d)] + [
             "    if rec_gn:", "        GN[j, r] = gn"]
    if K:
        step += ["    if rec_s:"] + [f"        SH[{k}, j, r, {i}] = s{k}_{i}" for k in range(K) for i in range(d)]
    step += ["    j += 1", "    nxt = AT[j] if j < R else T"]
    bad = " or ".join([f"not (abs(p{i}) <= bound)" for i in range(d)] + ["not np.isfinite(v)"])
    step += ["code = 0",
             f"if {bad}:", "    code = 2",
             "elif use_tol and gn < tol:", "    code = 1",
             "if code != 0 or t == steps:",
             "    status[r] = code", "    stopped[r] = t", "    done[r] = True"]
    step += [f"    final[r, {i}] = p{i}" for i in range(d)] + ["    final_loss[r] = v",
             "    for jj in range(j, R):",
             "        if rec_p:"] + [f"            P[jj, r, {i}] = p{i}" for i in range(d)] + [
             "        if rec_l:", "            L[jj, r] = v",
             "        if rec_g:"] + [f"            G[jj, r, {i}] = g{i}" for i in range(d)] + [
             "        if rec_gn:", "            GN[jj, r] = gn"]
    if K:
        step += ["        if rec_s:"] + [f"            SH[{k}, jj, r, {i}] = s{k}_{i}" for k in range(K) for i in range(d)]
    step += ["    SLOT[r] = j", "    continue"]

    def update(tag, levels, names, keys_in):
        lines = [f"{name} = {expr}" for name, expr, _ in levels[ROWSTEP] + levels[ELEM]]
        lines += [f"p{i} = {names[i]}" for i in range(d)]
        pos = d
        for k in range(K):
            for i in range(d):
                lines.append(f"s{k}_{i} = {names[pos]}")
                pos += 1
        for k in range(n_sc):
            lines.append(f"sc{k} = {names[pos]}")
            pos += 1
        return lines

    steady = sections[0]
    if len(sections) == 2:
        first = sections[1]
        step += ["if t == 0:"] + _indent(update(*first, first_keys), 4) + ["else:"] + _indent(update(*steady, None), 4)
    else:
        step += update(*steady, None)
    row += step
    row += ["SLOT[r] = j"] + [f"X[r, {i}] = p{i}" for i in range(d)]
    row += [f"S[{k}, r, {i}] = s{k}_{i}" for k in range(K) for i in range(d)]
    row += [f"SC[{k}, r] = sc{k}" for k in range(n_sc)]
    body += _indent(row, 12)
    body += ["        if alive == 0:", "            break"]
    src += _indent(body, 4)
    src.append("")
    return "\n".join(src) + "\n"
