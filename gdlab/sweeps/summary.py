"""A task's row values: status, final loss and score (lower is better; +inf when it diverged).

Computed where the task runs (in the worker), so the caller receives three numbers per task.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["objective_summary", "rows_summaries", "train_summary"]


def rows_summaries(status, final_loss, sizes, minimum_value):
    """One summary per task from the rows of a chunk (task j owns the next ``sizes[j]`` rows of the 1-D
    arrays ``status`` and ``final_loss``), computed for all tasks at once: status (the task's common one,
    else "mixed"), final_loss (its smallest finite, as the store lists it) and score: the final loss
    minus the known minimum (0 when unknown), the mean over the task's starts, +inf when any start
    diverged (gdlab.tune's scoring)."""
    status = np.asarray(status).ravel()
    fl = np.asarray(final_loss, dtype=np.float64).ravel()
    sizes = [int(n) for n in sizes]
    if len(set(sizes)) > 1:  # tasks with different numbers of starts: one task at a time
        out, lo = [], 0
        for n in sizes:
            out += rows_summaries(status[lo:lo + n], fl[lo:lo + n], [n], minimum_value)
            lo += n
        return out
    if not sizes:
        return []
    S, F = status.reshape(len(sizes), sizes[0]), fl.reshape(len(sizes), sizes[0])
    finite = np.isfinite(F)
    ok = finite.all(axis=1) & ~(S == "diverged").any(axis=1)
    score = np.full(len(sizes), math.inf)
    score[ok] = np.mean(F[ok] - (minimum_value if minimum_value is not None else 0.0), axis=1)
    best = np.where(finite.any(axis=1), np.where(finite, F, np.inf).min(axis=1), F[:, 0])
    common = (S == S[:, :1]).all(axis=1)
    return [{"status": str(S[j, 0]) if common[j] else "mixed", "final_loss": float(best[j]),
             "score": float(score[j])} for j in range(len(sizes))]


def objective_summary(traj, f):
    """:func:`rows_summaries` of a Trajectory of objective function ``f`` (one task)."""
    status = np.atleast_1d(traj.status)
    return rows_summaries(status, np.atleast_1d(traj.final_loss), [status.size], f.minimum_value)[0]


def train_summary(history):
    """status, the last epoch's metrics, and score: val_loss (else loss), +inf when not finite."""
    metrics = {k: float(v[-1]) for k, v in history.history.items() if len(v)}
    loss = metrics.get("loss")
    asked = (history.params or {}).get("epochs")
    if loss is not None and not math.isfinite(loss):
        status = "diverged"
    elif isinstance(asked, int) and len(history.epochs) < asked:
        status = "stopped"
    else:
        status = "completed"
    score = metrics.get("val_loss", loss)
    score = math.inf if score is None or not math.isfinite(score) else score
    return {"status": status, "final_loss": loss, "score": score, **{k: v for k, v in metrics.items() if k != "loss"}}
