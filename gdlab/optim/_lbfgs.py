"""L-BFGS as a program that asks for function evaluations: torch.optim.LBFGS's ``step``, one yield per closure call.

torch's ``LBFGS.step(closure)`` calls the closure (loss and gradient at the current
parameters) once at its start and then once per iteration, or several times per
iteration inside its strong-Wolfe line search. Here that same algorithm is a Python
generator, :func:`lbfgs_step`: wherever torch calls the closure, the generator leaves
the point to evaluate in ``x`` and yields; the driver evaluates there and sends
``(loss, flat_grad)`` back. Whoever drives it decides what one evaluation costs:

* the stateful :class:`gdlab.optim.LBFGS` calls the user's closure for each request,
  so one ``step(closure)`` is one torch step (up to ``max_iter`` iterations);
* the vectorized runner evaluates all its runs once per engine step, so each of its
  steps is one closure call, and its trajectory holds every point L-BFGS evaluated,
  line-search trials included (:func:`lbfgs_program` chains the torch steps).

Nothing but this file knows the algorithm; :mod:`gdlab.optim.rules` wraps it as the
``lbfgs`` rule. The arithmetic follows torch's single code path in float64 (0-d
tensors become NumPy float64 scalars, so a division by zero gives inf or nan as in
torch, never an exception); the state keys and what they hold are torch's.

Reference: J. Nocedal & S. J. Wright, *Numerical Optimization* (2nd ed., 2006):
the two-loop recursion (Algorithm 7.4) with the initial scaling
H0 = (s.y / y.y) I (eq. 7.20), and the line search for the strong Wolfe conditions
(Algorithms 3.5 and 3.6, with cubic interpolation, c1 = 1e-4, c2 = 0.9).
"""

from __future__ import annotations

from typing import Generator

import numpy as np

__all__ = ["lbfgs_step", "lbfgs_program", "cubic_interpolate"]

_f64 = np.float64


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to ``bounds``.

    ``bounds`` default to the interval [x1, x2]; without a real minimiser, its midpoint.
    """
    if bounds is not None:
        lo, hi = bounds
    else:
        lo, hi = (x1, x2) if x1 <= x2 else (x2, x1)
    if x1 == x2:  # no cubic through one point (lr = 0): torch's tensors give nan here, hence the midpoint
        return (lo + hi) / 2.0
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(_f64(d2_square))
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, lo), hi)
    return (lo + hi) / 2.0


def _strong_wolfe(x, x0, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """torch's ``_strong_wolfe`` from ``x0`` along ``d``: yields with ``x = x0 + t d`` to evaluate.

    Returns ``(f_new, g_new, t, evaluations)``; leaves ``x`` as it last evaluated it.
    """
    d_norm = np.abs(d).max()
    g = g.copy()

    def at(t):
        np.multiply(d, t, out=x)
        np.add(x, x0, out=x)

    at(t)
    f_new, g_new = yield
    ls_func_evals = 1
    gtd_new = np.dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        at(t)
        f_new, g_new = yield
        ls_func_evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket until the strong Wolfe conditions hold
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        at(t)
        f_new, g_new = yield
        ls_func_evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


def lbfgs_step(x: np.ndarray, state: dict, *, lr=1.0, max_iter=20, max_eval=None, tolerance_grad=1e-7,
               tolerance_change=1e-9, history_size=100, line_search_fn=None) -> Generator:
    """One torch ``LBFGS.step``: a generator that yields whenever the closure would be called.

    ``x`` (a flat float array, the parameters) is updated in place; at each yield it holds
    the point to evaluate, and the driver sends ``(loss, flat_grad)`` there (``flat_grad``
    a new array: the program keeps it). The generator returns the first loss (what
    torch's ``step`` returns). ``state`` holds torch's keys (``func_evals``, ``n_iter``,
    ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``, ``prev_flat_grad``,
    ``prev_loss``, ``al``), written as torch writes them, at the end of the step.
    """
    if max_eval is None:
        max_eval = max_iter * 5 // 4
    state.setdefault("func_evals", 0)
    state.setdefault("n_iter", 0)
    loss, flat_grad = yield
    loss = float(loss)
    orig_loss = loss
    current_evals = 1
    state["func_evals"] += 1
    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
    if opt_cond:
        return orig_loss
    d, t = state.get("d"), state.get("t")
    old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
    H_diag, prev_flat_grad, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), state.get("prev_loss")
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        state["n_iter"] += 1
        # the direction: steepest descent first, then the two-loop recursion
        if state["n_iter"] == 1:
            d = np.negative(flat_grad)
            old_dirs, old_stps, ro = [], [], []
            H_diag = 1
        else:
            y = flat_grad - prev_flat_grad
            s = d * t
            ys = np.dot(y, s)
            if ys > 1e-10:
                if len(old_dirs) == history_size:
                    old_dirs.pop(0)
                    old_stps.pop(0)
                    ro.pop(0)
                old_dirs.append(y)
                old_stps.append(s)
                ro.append(1.0 / ys)
                H_diag = ys / np.dot(y, y)
            num_old = len(old_dirs)
            al = state.setdefault("al", [])  # torch's [None] * history_size, grown as used (history_size=10**30
            al.extend([None] * (num_old - len(al)))  # asked for that many slots at the first step)
            q = np.negative(flat_grad)
            for i in range(num_old - 1, -1, -1):
                al[i] = np.dot(old_stps[i], q) * ro[i]
                q += old_dirs[i] * -al[i]
            d = r = q * H_diag
            for i in range(num_old):
                be_i = np.dot(old_dirs[i], r) * ro[i]
                r += old_stps[i] * (al[i] - be_i)
        if prev_flat_grad is None:
            prev_flat_grad = flat_grad.copy()
        else:
            prev_flat_grad[...] = flat_grad
        prev_loss = loss
        # the step length
        if state["n_iter"] == 1:
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
        else:
            t = lr
        gtd = np.dot(flat_grad, d)
        if gtd > -tolerance_change:  # not a descent direction
            break
        ls_func_evals = 0
        if line_search_fn is not None:
            x0 = x.copy()
            loss, flat_grad, t, ls_func_evals = yield from _strong_wolfe(
                x, x0, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
            np.multiply(d, t, out=x)
            x += x0
            opt_cond = np.abs(flat_grad).max() <= tolerance_grad
        else:
            x += d * t
            if n_iter != max_iter:
                loss, flat_grad = yield
                loss = float(loss)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                ls_func_evals = 1
        current_evals += ls_func_evals
        state["func_evals"] += ls_func_evals
        # the tests that end this step
        if n_iter == max_iter or current_evals >= max_eval or opt_cond:
            break
        if np.abs(d * t).max() <= tolerance_change:
            break
        if abs(loss - prev_loss) < tolerance_change:
            break
    state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                 prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
    return orig_loss


def lbfgs_program(x: np.ndarray, state: dict) -> Generator:
    """torch steps one after the other, for a driver that evaluates once per call.

    Yields ``True`` when the request it makes is the first of a new torch step, else
    ``False``; receives ``(loss, flat_grad, hp)`` (the hyperparameters are read afresh at
    the start of each torch step, as torch reads its ``param_group``).
    """
    while True:
        loss, g, hp = yield True  # the first evaluation of a torch step
        step = lbfgs_step(x, state, **hp)
        next(step)
        try:
            step.send((loss, g))
            while True:
                loss, g, hp = yield False
                step.send((loss, g))
        except StopIteration:
            pass
