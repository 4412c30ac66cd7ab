"""The vectorized loop: n runs of one optimizer rule as one array program.

Rows of the parameter array ``p`` (n, d) are independent runs. Each step:

1. ``v, g = vg(p)``: the loss (n,) and the gradient (n, d) at the current points;
2. record what was asked into preallocated (T, n, ...) arrays (T = steps + 1);
3. stop rows: "diverged" when a row's params leave the box |p_i| <= bound or its loss is
   not finite, "converged" when its gradient norm < tol (the first step where it happens is
   ``stopped_at``). Divergence is caught by three whole-array reductions per step; only when
   they fire are rows examined one by one;
4. ``chain.update`` (bound once, ``chain.bind``): the optimizer's chain (gdlab.optim.transforms:
   gradient noise, clipping per row, the step's learning rate from a schedule, then ``rule.update(p, g, state, **hp)``
   in place). The optimizer's maths lives in gdlab.optim only; this loop applies the chain
   exactly as the tensor ``Optimizer.step`` does, with ``rows=True`` (axis 0 is the runs). The rule's
   state is made by ``rule.init(p, **hp, rows=True)``, so the rules that reduce (Adafactor, Muon,
   L-BFGS) reduce per run; the loss ``v`` goes with the gradient to the rules that need it (L-BFGS,
   for which each step is one function evaluation: see gdlab.optim.rules).

Stopped rows need no special treatment while the loop runs, because rows do not interact:
after the loop every recorded array repeats each stopped row's last point (one vectorized
copy). A diverged row is parked at 0 with its state zeroed so that its inf/nan does not keep
the cheap checks firing. When every row has stopped the loop ends early.

Memory layout
-------------
With d <= 2 (every plotted surface) the params are stored coordinate-major (Fortran order,
``p[:, i]`` contiguous over the runs): functions read their coordinates as ``x[..., i]``,
and NumPy's loops on contiguous columns run 2 to 3 times faster than on the stride-d
columns of a row-major array (Rosenbrock's closed-form value and gradient: 38 -> 18 us per
step at 10,000 runs). The optimizer state (``zeros_like(p)``), gradients built with
``empty_like`` and every recorded step ``P[t]`` (histories are (T, d, n) in memory, seen as
(T, n, d)) share that layout, so each step's copies stay contiguous. Only where d <= 2: a
sum over at most two coordinates cannot round differently in either layout, whereas for
d > 2 reductions over the last axis (einsum, pairwise sums) would, and results must not
depend on the layout. Gradient noise is drawn into a row-major buffer (gdlab.optim's
``add_noise``), so that a seed gives the same draws whatever the layout.

Before its first large run a process warms glibc's allocator once (``gdlab._alloc``), so
that the per-step temporaries stay in the heap instead of coming back as page faults.
"""

from __future__ import annotations

import math

import numpy as np

from .._alloc import keep_large_blocks, warm_allocator
from ..optim.transforms import StepInfo

__all__ = ["run_rows", "progress_every", "recorded_steps"]


def progress_every(steps):
    """How often a progress hook is called: about 200 times a run, so that its cost stays invisible."""
    return max(1, steps // 200)


def recorded_steps(steps, every):
    """The steps a history keeps when it records every ``every``-th step: 0, k, 2k, ... and always ``steps``."""
    if every <= 1:
        return np.arange(steps + 1)
    s = np.arange(0, steps + 1, every)
    return s if s[-1] == steps else np.append(s, steps)


def _hold(arr, at, stopped, rows, snap):
    """``arr[j, r] = snap[r]`` for the slots j whose step ``at[j]`` is past ``stopped[r]``, for the given rows.

    ``snap`` (n, ...) holds each row's value at its stop step (taken when it stopped).
    """
    if arr is None or len(rows) == 0:
        return
    if len(rows) <= 32:
        for r in rows:
            j = int(np.searchsorted(at, stopped[r], side="right"))
            arr[j:, r] = snap[r]
        return
    mask = at[:, None] > stopped[rows][None, :]
    sub = arr[:, rows]
    np.copyto(sub, snap[rows][None], where=mask.reshape(mask.shape + (1,) * (arr.ndim - 2)))
    arr[:, rows] = sub


def _row_norms(g, out, tmp):
    """``out[i] = ||g[i]||`` for g (n, d); ``tmp`` (n,) is scratch.

    For d <= 2 two multiplies and an add on columns (the same value as the einsum, which
    sums at most two products, in a fifth of its time); for larger d the einsum.
    """
    d = g.shape[1]
    if d > 2:
        np.einsum("ij,ij->i", g, g, out=out)
    else:
        np.multiply(g[:, 0], g[:, 0], out=out)
        if d == 2:
            np.multiply(g[:, 1], g[:, 1], out=tmp)
            out += tmp
    np.sqrt(out, out=out)
    return out


def run_rows(vg, x0, chain, hp, steps, *, hyper=None, tol=None, bound=math.inf,
             record=("params", "loss", "grad", "grad_norm", "state"), every=1, progress=None):
    """Run ``steps`` updates of ``chain`` from the rows of ``x0`` (n, d). No argument checks.

    Parameters
    ----------
    vg : callable p (n, d) -> (loss (n,), grad (n, d))
    chain : gdlab.optim.Chain (transforms, rule, learning-rate source)
    hp : the rule's validated hyperparameters (lr may be (n, 1))
    hyper : None or the transforms' hyperparameters for all rows, e.g. {"noise_std": 0.1}
        (scalars or (n, 1) arrays)
    tol : None or float
    bound : the divergence bound on |params|
    record : which of "params", "loss", "grad", "grad_norm", "state" to keep
    every : keep those at every ``every``-th step (and always the first and the last:
        ``recorded_steps(steps, every)``)
    progress : None, or ``progress(done_steps, steps)``, called every ``progress_every(steps)``
        steps and once at the end with the steps run

    Returns a dict of arrays: params, loss, grad, grad_norm, state, status, stopped_at,
    final, final_loss (unrecorded ones None / empty), steps_run and recorded_steps.
    """
    n, d = x0.shape
    warm_allocator(n * d * 8)
    T = steps + 1
    at = recorded_steps(steps, every)
    R = len(at)  # recorded slots
    col_major = d <= 2  # see "Memory layout" in the module docstring
    p = np.array(x0, dtype=np.float64, order="F" if col_major else "C", copy=True)
    rule = chain.rule
    state = rule.init(p, **hp, rows=True)  # rows: axis 0 counts runs (for the rules that reduce: per run)
    params, rule_states, rule_hps = [p], [state], [dict(hp)]
    info = StepInfo(0, [({} if hyper is None else hyper, 1)], rows=True)
    chain_step = chain.bind(chain.init(params), params, rule_states, rule_hps, info)

    def history(alloc=np.empty):
        """(R, n, d), each step [j] laid out as p is."""
        return alloc((R, d, n)).transpose(0, 2, 1) if col_major else alloc((R, n, d))

    keep_large_blocks(R * n * (d if {"params", "grad"} & set(record) else 1) * 8 if record else 0)
    P = history() if "params" in record else None
    L = np.empty((R, n)) if "loss" in record else None
    G = history() if "grad" in record else None
    GN = np.empty((R, n)) if "grad_norm" in record else None
    gn_each_step = tol is not None or GN is not None
    gn_buf = np.empty(n) if gn_each_step and (GN is None or every > 1) else None  # norms at unrecorded steps
    gn_tmp = np.empty(n) if gn_each_step else None
    S = {}
    rec_state = "state" in record
    # each row's grad, grad norm and state at the step it stopped (params and loss: final, final_loss)
    snap_g = np.zeros((n, d)) if G is not None else None
    snap_gn = np.zeros(n) if GN is not None else None
    snap_s = {}

    def new_state_keys():
        for k, a in state.items():
            if k not in S and not k.startswith("_") and isinstance(a, np.ndarray) and a.shape == p.shape:
                S[k] = history(np.zeros)
                snap_s[k] = np.zeros((n, d))

    def snapshot(rows, g, gn):
        if snap_g is not None:
            snap_g[rows] = g[rows]
        if snap_gn is not None:
            snap_gn[rows] = gn[rows]
        for k in S:
            snap_s[k][rows] = state[k][rows]

    if rec_state:
        new_state_keys()
    n_state = len(state)

    stopped = np.full(n, steps, dtype=np.int64)
    status = np.full(n, "max_steps", dtype="<U9")
    done = np.zeros(n, dtype=bool)
    n_done = 0
    final = np.empty((n, d))
    final_loss = np.empty(n)
    isfinite = math.isfinite
    add_reduce = np.add.reduce
    # The cheap test: max and min of p (nan propagates, so a nan fails the comparisons) and
    # the sum of the losses (not finite iff some loss is not, barring overflow, which only sends
    # the step to the exact row test). Plain reductions: no BLAS call in the loop, because
    # OpenBLAS threads spinning beside the loop cost more than they save at these sizes.
    t = 0
    v = None
    gn = None
    slot = 0  # the next recorded slot; step at[slot]
    next_rec = 0
    every_step = every <= 1
    want = P is not None or L is not None or G is not None or GN is not None or rec_state
    progress_step = progress_every(steps)
    report_at = progress_step if progress is not None else T  # one int comparison a step when there is no hook
    with np.errstate(all="ignore"):
        for t in range(T):
            if t >= report_at:
                progress(t, steps)
                report_at += progress_step
            v, g = vg(p)
            rec = t == next_rec
            if rec:
                j = slot
                slot += 1
                next_rec = t + 1 if every_step else (int(at[slot]) if slot < R else T)
                if want:
                    if P is not None:
                        P[j] = p
                    if L is not None:
                        L[j] = v
                    if G is not None:
                        G[j] = g
                    if rec_state:
                        if len(state) != n_state:
                            new_state_keys()
                            n_state = len(state)
                        for k, a in S.items():
                            a[j] = state[k]
            elif rec_state and len(state) != n_state:
                new_state_keys()
                n_state = len(state)
            if gn_each_step:
                gn = _row_norms(g, GN[j] if (rec and GN is not None) else gn_buf, gn_tmp)
            # -- divergence: three reductions on the whole array, rows only when they fire
            if not (p.max() <= bound and p.min() >= -bound and isfinite(add_reduce(v))):
                offending = ~((np.abs(p) <= bound).all(axis=1) & np.isfinite(v))
                bad = offending & ~done
                if bad.any():
                    stopped[bad] = t
                    status[bad] = "diverged"
                    final[bad] = p[bad]
                    final_loss[bad] = v[bad]
                    snapshot(bad, g, gn)
                    done |= bad
                    n_done += int(bad.sum())
                if offending.any():
                    # park the rows at 0 with a zero state and gradient, so that they stay quiet
                    # (rows that had already stopped may go bad later: they are parked too)
                    p[offending] = 0.0
                    g = np.array(g, dtype=np.float64)
                    g[offending] = 0.0
                    for a in state.values():
                        if isinstance(a, np.ndarray) and a.shape == p.shape:
                            a[offending] = 0.0
            # -- convergence (a run that diverged at this step stays diverged)
            if tol is not None:
                conv = (gn < tol) & ~done
                if conv.any():
                    stopped[conv] = t
                    status[conv] = "converged"
                    final[conv] = p[conv]
                    final_loss[conv] = v[conv]
                    snapshot(conv, g, gn)
                    done |= conv
                    n_done += int(conv.sum())
            if n_done == n or t == steps:
                break
            info.t = t
            chain_step([g], v)

    if progress is not None:
        progress(t, steps)
    live = ~done
    final[live] = p[live]
    final_loss[live] = v[live]
    # slots not recorded after an early end, and slots after each row stopped, repeat the stop point
    rows = np.flatnonzero(stopped < steps)
    for arr, snap in ((P, final), (L, final_loss), (G, snap_g), (GN, snap_gn),
                      *((S[k], snap_s[k]) for k in S)):
        _hold(arr, at, stopped, rows, snap)
    return {
        "params": P, "loss": L, "grad": G, "grad_norm": GN, "state": S, "status": status,
        "stopped_at": stopped, "final": final, "final_loss": final_loss, "steps_run": t, "recorded_steps": at,
    }
