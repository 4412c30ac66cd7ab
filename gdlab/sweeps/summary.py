"""A task's row values: status, final loss and score (lower is better; +inf when it diverged).

Computed where the task runs (in the worker), so the caller receives three numbers per task.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["objective_summary", "rows_summary", "train_summary"]


def _common(statuses):
    s = set(np.asarray(statuses).ravel().tolist())
    return s.pop() if len(s) == 1 else "mixed"


def _best_finite(values):
    a = np.asarray(values, dtype=np.float64).ravel()
    finite = a[np.isfinite(a)]
    return float(finite.min()) if finite.size else float(a[0])


def rows_summary(status, final_loss, minimum_value):
    """The summary of a task from its rows' statuses and final losses (1-D arrays, one entry per start):
    status (the common one, else "mixed"), final_loss (the smallest finite, as the store lists it) and
    score: the final loss minus the known minimum (0 when unknown), the mean over starts, +inf when any
    start diverged (gdlab.tune's scoring)."""
    fl = np.asarray(final_loss, dtype=np.float64)
    ref = minimum_value if minimum_value is not None else 0.0
    diverged = np.any(np.asarray(status) == "diverged") or not np.all(np.isfinite(fl))
    score = math.inf if diverged else float(np.mean(fl - ref))
    return {"status": _common(status), "final_loss": _best_finite(fl), "score": score}


def objective_summary(traj, f):
    """:func:`rows_summary` of a Trajectory of objective function ``f``."""
    return rows_summary(np.atleast_1d(traj.status), np.atleast_1d(traj.final_loss), f.minimum_value)


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
