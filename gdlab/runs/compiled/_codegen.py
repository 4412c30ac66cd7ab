"""From traced programs to the source of one numba function: the whole run, all steps and starts.

The traces (the objective's value and gradient, the optimizer chain's first and steady step)
are DAGs of :class:`~._trace.Node`; each node becomes one line ``name = expression`` of scalar
Python, placed where its level says (once per run, per step in a table computed before the
rows, once per row, or in the body of each step). The loop around them (recording into the
histories at the recorded steps, the divergence and convergence checks, holding each row's
stop point in the slots after it) mirrors :func:`gdlab.runs._engine.run_rows`. The rows run in
blocks, each block through all its steps (``run``: one block after the other; ``run_parallel``:
the blocks over numba's threads), which gives the same numbers because rows do not interact.
Within a block each quantity is a slice of one 1-D working array at a constant offset, so
the loops over the block's rows have no possible aliasing for LLVM to rule out and are
vectorized (without fastmath: the same IEEE operations in the same order, so the same bits).

Nothing of the user's text reaches the source: names are generated, constants are written with
``repr`` of floats.
"""

from __future__ import annotations

from ..._jit.source import BINARY, MAX_MIN, number
from ..._jit.trace import ELEM, ROW, ROWSTEP, RUN, STEP, TraceError, post_order

__all__ = ["Program", "generate", "PER_CALL"]

#: leaves whose dependents among the step-level values are computed in the run, not kept in the step table:
#: the learning rate (a hyperparameter, or a schedule's table), the value a playground changes most
PER_CALL = frozenset({("hp", "lr"), ("lr",)})

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
''' + MAX_MIN


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
            names[node.id] = number(node.val)
            continue
        if node.op == "leaf":
            if node.key not in leaves:
                raise TraceError(f"an unknown input {node.key!r}")
            names[node.id] = leaves[node.key]
            continue
        a = [names[x.id] for x in node.args]
        op = node.op
        if op in BINARY:
            expr = f"({a[0]} {BINARY[op]} {a[1]})"
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


def _depends_on(nodes, keys):
    """The ids of the nodes (and of the nodes they need) that depend on a leaf whose key is in ``keys``."""
    dep = set()
    for node in post_order(nodes):
        if (node.op == "leaf" and node.key in keys) or any(a.id in dep for a in node.args):
            dep.add(node.id)
    return dep


def table_split(step_nodes, keys=PER_CALL):
    """``step_nodes`` ((name, expression, node) in post-order) as (kept, per_call): the values that do not
    depend on the leaves ``keys`` (for Adam: the bias corrections' ``pow`` columns, which depend on the betas
    and the step only), computed by ``table`` and kept between runs, and the rest (``lr / (1 - beta1**t)``),
    computed in the run's loop over the steps from the kept ones, so that a new lr reuses the table."""
    dep = _depends_on([node for _, _, node in step_nodes], keys)
    kept = [x for x in step_nodes if x[2].id not in dep]
    return kept, [x for x in step_nodes if x[2].id in dep]


def _indent(lines, n):
    pad = " " * n
    return [pad + line if line else line for line in lines]


def _block_size(nv):
    """Rows per block: the block's working set (nv slots of 8 bytes a row) stays within about 24 KB (L1)."""
    bs = 256
    while bs > 16 and nv * bs * 8 > 24 * 1024:
        bs //= 2
    return bs


def generate(prog: Program, *, n_hps: int, n_hpr: int, state_keys, n_sc: int, first_keys, per_call=PER_CALL) -> str:
    """The module source: ``table(HPS, LRT, t0, t1)`` (the step-level values of steps t0..t1-1 that do not
    depend on the leaves ``per_call``, one row a step: see :func:`table_split`), and ``run(...)`` and
    ``run_parallel(...)``, the same loop with its blocks of rows in ``range`` and in numba's ``prange``,
    reading that table and computing the other step-level values at each step (see
    gdlab.runs.compiled.engine for the arguments)."""
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

    # The block's working set W: one 1-D array, each quantity a slice of BS rows at a constant offset, so that
    # LLVM sees one base pointer and constant distances (no aliasing to rule out at run time) and vectorizes
    # the loops over the block's rows (A and C below, and the checks).
    off_p, off_g, off_v, off_gn, off_al = 0, d, 2 * d, 2 * d + 1, 2 * d + 2
    off_s, off_sc = 2 * d + 3, 2 * d + 3 + K * d
    nv = off_sc + n_sc
    bs = _block_size(nv)

    def w(slot):
        return f"W[{slot * bs} + q]"

    P_ = [w(off_p + i) for i in range(d)]
    G_ = [w(off_g + i) for i in range(d)]
    S_ = [[w(off_s + k * d + i) for i in range(d)] for k in range(K)]
    SC_ = [w(off_sc + k) for k in range(n_sc)]
    V_, GN_, AL_ = w(off_v), w(off_gn), w(off_al)

    head = [f"hs{k} = HPS[{k}]" for k in range(n_hps)]  # locals: loads from HPS could alias the stores to W
    # run-level nodes of every section
    for levels in [vg_levels] + [s[1] for s in sections]:
        head += [f"{name} = {expr}" for name, expr, _ in levels[RUN]]
    body = head + ["n = X.shape[1]", "R = AT.shape[0]", "T = steps + 1"]
    # the step table: STEP-level nodes computed once per step for all rows, by its own function (``table``), so
    # that the caller can keep it for the next run with the same hyperparameters (it holds the C pow calls
    # of bias corrections, about a third of a one-start Adam run); the values that depend on the lr are not
    # in it (table_split) but computed at each step of the run, so a new lr (or a schedule) reuses the table
    step_nodes, step_per_call = table_split([x for s in sections for x in s[1][STEP]] + vg_levels[STEP],
                                            per_call)
    table = head + [f"TAB = np.empty((max(t1 - t0, 1), {max(len(step_nodes), 1)}))", "for t in range(t0, t1):",
                    "    tf = float(t)"]
    table += [f"    {name} = {expr}" for name, expr, _ in step_nodes]
    table += [f"    TAB[t - t0, {k}] = {name}" for k, (name, _, _) in enumerate(step_nodes)]
    table += ["return TAB"]
    # the first recorded slot at or after t0: every row still running has recorded the same steps
    body += ["j0 = 0", "while j0 < R and AT[j0] < t0:", "    j0 += 1"]
    # Rows in blocks, each block step by step, each step in loops over the block's rows: (A) the objective,
    # (B) the stop checks (a count, without branches), recording at the recorded steps, and the rows that
    # stop (rare: each once), (C) the update. Rows that stopped are still updated (nothing reads them again),
    # as the NumPy engine does, so A and C have no branch on the data.
    blk = [f"b0 = blk * {bs}", f"m = min(n, b0 + {bs}) - b0", f"W = np.empty({nv * bs})", "alive = 0",
           "for q in range(m):", "    r = b0 + q"]
    blk += [f"    {P_[i]} = X[{i}, r]" for i in range(d)]
    blk += [f"    {S_[k][i]} = S[{k}, {i}, r]" for k in range(K) for i in range(d)]
    blk += [f"    {SC_[k]} = SC[{k}, r]" for k in range(n_sc)]
    blk += [f"    {GN_} = 0.0", "    if done[r]:", f"        {AL_} = 0.0", "    else:", f"        {AL_} = 1.0",
            "        alive += 1"]
    blk += ["j = j0", "for t in range(t0, t1):", "    if alive == 0:", "        break", "    tf = float(t)"]
    blk += [f"    {name} = TAB[t - t0, {k}]" for k, (name, _, _) in enumerate(step_nodes)]
    blk += [f"    {name} = {expr}" for name, expr, _ in step_per_call]  # the lr's: a division or two a step
    # (A)
    loop_a = ["r = b0 + q"] + [f"{name} = {expr}" for name, expr, _ in vg_levels[ROW]]
    loop_a += [f"p{i} = {P_[i]}" for i in range(d)]
    loop_a += [f"{name} = {expr}" for name, expr, _ in vg_levels[ROWSTEP] + vg_levels[ELEM]]
    loop_a.append(f"{V_} = {vg_names[0]}")
    loop_a += [f"{G_[i]} = {vg_names[1 + i]}" for i in range(d)]
    blk += ["    for q in range(m):"] + _indent(loop_a, 8)
    # (B) the norms, then how many running rows stop here
    if d <= 2:
        gn_expr = "math.sqrt(" + " + ".join(f"g{i} * g{i}" for i in range(d)) + ")"
        gn_lines = [f"g{i} = {G_[i]}" for i in range(d)] + [f"{GN_} = {gn_expr}"]
    else:  # summed from 0.0 in order, as the NumPy engine's loop
        gn_lines = [f"g{i} = {G_[i]}" for i in range(d)] + ["s = 0.0"] + [f"s += g{i} * g{i}" for i in range(d)]
        gn_lines.append(f"{GN_} = math.sqrt(s)")
    blk += ["    if need_gn:", "        for q in range(m):"] + _indent(gn_lines, 12)
    bad = " | ".join([f"(not (abs({P_[i]}) <= bound))" for i in range(d)] + [f"(not math.isfinite({V_}))"])
    blk += ["    nstop = 0", "    if t == steps:", "        nstop = alive", "    else:", "        for q in range(m):",
            f"            stop = {bad} | (use_tol & ({GN_} < tol))",
            f"            nstop += stop & ({AL_} != 0.0)"]

    def put(slot):
        out = ["if rec_p:"] + [f"    P[{slot}, r, {i}] = {P_[i]}" for i in range(d)]
        out += ["if rec_l:", f"    L[{slot}, r] = {V_}", "if rec_g:"] + [f"    G[{slot}, r, {i}] = {G_[i]}"
                                                                         for i in range(d)]
        out += ["if rec_gn:", f"    GN[{slot}, r] = {GN_}"]
        if K:
            out += ["if rec_s:"] + [f"    SH[{k}, {slot}, r, {i}] = {S_[k][i]}" for k in range(K) for i in range(d)]
        return out

    blk += ["    if j < R and t == AT[j]:", "        for q in range(m):", f"            if {AL_} != 0.0:",
            "                r = b0 + q"]
    blk += _indent(put("j"), 16)
    blk += ["        j += 1"]
    stop = [f"if {AL_} == 0.0:", "    continue", "r = b0 + q", "code = 0",
            f"if {bad.replace(' | ', ' or ')}:", "    code = 2", f"elif use_tol and {GN_} < tol:", "    code = 1",
            "if code != 0 or t == steps:", "    status[r] = code", "    stopped[r] = t", "    done[r] = True",
            f"    {AL_} = 0.0", "    alive -= 1"]
    stop += [f"    final[r, {i}] = {P_[i]}" for i in range(d)] + [f"    final_loss[r] = {V_}",
                                                                   "    for jj in range(j, R):"]
    stop += _indent(put("jj"), 8)
    blk += ["    if nstop > 0:", "        for q in range(m):"] + _indent(stop, 12)
    blk += ["        if alive == 0:", "            break"]

    # (C)
    def update(tag, levels, names):
        lines = ["r = b0 + q"] + [f"{name} = {expr}" for name, expr, _ in levels[ROW]]
        lines += [f"p{i} = {P_[i]}" for i in range(d)] + [f"g{i} = {G_[i]}" for i in range(d)]
        lines += [f"s{k}_{i} = {S_[k][i]}" for k in range(K) for i in range(d)]
        lines += [f"sc{k} = {SC_[k]}" for k in range(n_sc)]
        lines += [f"{name} = {expr}" for name, expr, _ in levels[ROWSTEP] + levels[ELEM]]
        lines += [f"{P_[i]} = {names[i]}" for i in range(d)]
        pos = d
        for k in range(K):
            for i in range(d):
                lines.append(f"{S_[k][i]} = {names[pos]}")
                pos += 1
        for k in range(n_sc):
            lines.append(f"{SC_[k]} = {names[pos]}")
            pos += 1
        return ["for q in range(m):"] + _indent(lines, 4)

    steady = sections[0]
    if len(sections) == 2:
        blk += _indent(["if t == 0:"] + _indent(update(*sections[1]), 4) + ["else:"]
                       + _indent(update(*steady), 4), 4)
    else:
        blk += _indent(update(*steady), 4)
    # the block's rows back into the arrays that carry them to the next call
    blk += ["for q in range(m):", "    r = b0 + q"]
    blk += [f"    X[{i}, r] = {P_[i]}" for i in range(d)]
    blk += [f"    S[{k}, {i}, r] = {S_[k][i]}" for k in range(K) for i in range(d)]
    blk += [f"    SC[{k}, r] = {SC_[k]}" for k in range(n_sc)]
    body += [f"for blk in {{loop}}((n + {bs - 1}) // {bs}):"] + _indent(blk, 4)

    args = ("X, S, SC, HPS, HPR, LRT, XI, TAB, t0, t1, steps, bound, tol, use_tol, AT, done, stopped, status, "
            "final, final_loss, P, L, G, GN, SH, rec_p, rec_l, rec_g, rec_gn, rec_s, need_gn")
    src = ["import math", "import numpy as np", "from numba import njit, prange", HELPERS]
    src += ["", '@njit(cache=True, error_model="numpy", nogil=True)', "def table(HPS, LRT, t0, t1):"]
    src += _indent(table, 4)
    for name, loop, par in (("run", "range", ""), ("run_parallel", "prange", ", parallel=True")):
        src += ["", f'@njit(cache=True, error_model="numpy", nogil=True{par})', f"def {name}({args}):"]
        src += _indent([line.replace("{loop}", loop) for line in body], 4)
        src.append("")
    return "\n".join(src) + "\n"
