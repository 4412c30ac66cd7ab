"""The record of an optimization run: :class:`Trajectory`."""

from __future__ import annotations

import math

import numpy as np

from .. import _display
from .._plain import plain as _plain
from ..functions.spec import function_spec as _function_spec

__all__ = ["Trajectory", "Race", "STATUSES", "share_function"]

#: The statuses a run can end with.
STATUSES = ("converged", "diverged", "max_steps")


_UNSET = object()


def share_function(traj: "Trajectory", f) -> "Trajectory":
    """``traj`` whose ``function`` is a copy of ``f`` made when it is first read (a remembered call's runs
    share one Function, which nobody changes, and a Trajectory whose function is never read costs no copy)."""
    d = traj.__dict__
    d.pop("_function", None)
    d["_function_of_call"] = f
    return traj


class Trajectory:
    """Everything one call of :func:`gdlab.minimize` recorded, for one start or for n starts.

    Step 0 is the start; step t is the point after t updates. Shapes use ``T = steps + 1``,
    ``n`` runs (starts) and ``d`` dimensions; with a single start (x0 of shape (d,) or a
    scalar) the run axis is dropped.

    Attributes
    ----------
    params : (T, d) | (T, n, d) float64, or None when not recorded
        Every point, start included. After a run stopped (converged or diverged) the last
        point repeats, so the array stays rectangular.
    loss : (T,) | (T, n), or None when not recorded
        f at every point (the full objective, also for mini-batch runs).
    grad : like params, or None when not recorded
        The gradient the optimizer was given at each point (the mini-batch estimate for
        SGD, before gradient noise and clipping).
    grad_norm : like loss, or None when not recorded
    lr : (steps,) | (steps, n)
        The learning rate of each update (a schedule's values; per run in a sweep).
    state : dict name -> (T, d) | (T, n, d)
        The optimizer's internals after t updates, with gdlab.optim's (torch's) names:
        "momentum_buffer" (the velocity), "exp_avg" (m), "exp_avg_sq" (v), "sum" (Adagrad's
        accumulator), ...; empty when not recorded (see ``record`` in minimize).
    state_descriptions : dict name -> what the array holds
    status : str | (n,) str array
        "converged" (gradient norm under tol), "diverged" (params past the divergence bound
        or loss not finite) or "max_steps". ``reason`` says the same in words, with the cause
        of a divergence: a NaN loss (a point outside the function's domain, such as sqrt or
        log of a negative number), an infinite loss (overflow), a point that is not finite
        (after a gradient that was not), or a point past the divergence bound.
    stopped_at : int | (n,) int array
        The step at which the run converged or diverged, or ``steps``.
    final : (d,) | (n, d); final_loss : float | (n,)
        The point (and loss) where each run ended (at ``stopped_at``).
    n_runs, steps, dim : int
    optimizer : str; hyperparameters : dict (every hyperparameter, defaults included)
    function : the objective (a gdlab Function); label : str
    x0 : (d,) | (n, d) the start(s); tol, noise, seed, batch_size, divergence_bound, gradient
        (how gradients were computed: "closed_form", "autodiff" or "mini_batch"); wall_time (s).
    schedule, clip_grad_norm, sampling : as given to minimize (None when not given)
    record : tuple of the names recorded (a subset of gdlab.runs.RECORDABLE), or None
    record_every : int; recorded_steps : (R,) int array
        The histories keep every ``record_every``-th step (1: every step) and always the last:
        ``params[j]`` is the point after ``recorded_steps[j]`` updates (``lr`` then holds the
        learning rates of the updates made at ``recorded_steps[:-1]``).
    record_note : str
        What ``record`` kept, in words (e.g. "every step", or why a record was thinned).
    engine : "numpy" | "numba"
        Which engine ran it (the numbers are the same; see gdlab.runs.compiled).
    subset_of : None, or the number of runs of the Trajectory this one was taken from (run/select)

    ``config()`` gives the arguments of ``gdlab.minimize`` that reproduce the run (the run
    store keeps them).
    """

    def __init__(self, *, params, loss, grad, grad_norm, lr, state, status, stopped_at, final, final_loss,
                 steps, optimizer, hyperparameters, function, label, x0, single, tol=None, noise=None, seed=None,
                 batch_size=None, divergence_bound=None, gradient=None, wall_time=None, state_descriptions=None,
                 schedule=None, clip_grad_norm=None, sampling=None, record=None, subset_of=None, record_every=1,
                 record_note=None, engine="numpy"):
        self.single = bool(single)
        self.params = params
        self.loss = loss
        self.grad = grad
        self.grad_norm = grad_norm
        self.lr = lr
        self.state = state
        self.state_descriptions = dict(state_descriptions or {})
        self.status = status
        self.stopped_at = stopped_at
        self.final = final
        self.final_loss = final_loss
        self.steps = int(steps)
        shape = final.shape if type(final) is np.ndarray else np.shape(final)
        self.dim = int(shape[-1])
        self.n_runs = 1 if self.single else int(shape[0])
        self.optimizer = optimizer
        self.hyperparameters = hyperparameters
        self.function = function
        self.label = label
        self.x0 = x0
        self.tol = tol
        self.noise = noise
        self.seed = seed
        self.batch_size = batch_size
        self.divergence_bound = divergence_bound
        self.gradient = gradient
        self.wall_time = wall_time
        self.schedule = schedule
        self.clip_grad_norm = clip_grad_norm
        self.sampling = sampling
        self.record = None if record is None else tuple(record)
        self.record_every = int(record_every)
        self.record_note = record_note
        self.engine = engine
        self.subset_of = subset_of

    @property
    def function(self):
        """The objective (a gdlab Function), this Trajectory's own: changing it changes no other run."""
        d = self.__dict__
        f = d.get("_function", _UNSET)
        if f is _UNSET:  # shared with the call that made it (share_function): copied on first use
            shared = d.get("_function_of_call", _UNSET)
            if shared is _UNSET:  # a Trajectory made without __init__ (its attributes set one by one)
                return d.get("function")
            f = d.setdefault("_function", shared.copy())
        return f

    @function.setter
    def function(self, f):
        self.__dict__["_function"] = f
        self.__dict__.pop("_function_of_call", None)

    @property
    def recorded_steps(self) -> np.ndarray:
        """The step of each recorded point: 0, k, 2k, ..., and always ``steps`` (k = ``record_every``)."""
        k = self.record_every
        s = np.arange(0, self.steps + 1, max(1, k))
        return s if s[-1] == self.steps else np.append(s, self.steps)

    def __len__(self):
        return self.steps + 1

    @property
    def reason(self):
        """Why each run stopped, in words: a str (one run) or an (n,) array of str.

        >>> gdlab.minimize("sqrt(x)", -1.0).reason
        "diverged at step 0: the loss is nan (the point is outside the function's domain, or an overflow)"
        """
        if self.single:
            return _reason(self.status, self.stopped_at, np.asarray(self.final), self.final_loss, self)
        return np.array([_reason(s, k, p, v, self) for s, k, p, v in
                         zip(self.status, self.stopped_at, self.final, self.final_loss)], dtype=object).astype(str)

    def __repr__(self):
        if self.single:
            ended = f"{self.status} at step {self.stopped_at}, final loss {self.final_loss:.6g}"
            if self.status == "diverged":  # and why
                ended = f"{self.reason}; final loss {self.final_loss:.6g}"
        else:
            counts = {s: int(np.sum(self.status == s)) for s in STATUSES if np.any(self.status == s)}
            ended = ", ".join(f"{k} {v}" for k, v in counts.items())
        name = getattr(self.function, "name", "f")
        return f"<Trajectory {self.label!r} on {name}: {self.n_runs} run(s) x {self.steps} steps; {ended}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _display.bundle("trajectory", self, include, exclude)

    # -- selecting runs ---------------------------------------------------------------------
    def run(self, i: int) -> "Trajectory":
        """The i-th run as a single-start Trajectory."""
        if self.single:
            if i not in (0, -1):
                raise IndexError(f"run index {i} out of range for a single run")
            return self
        if not -self.n_runs <= i < self.n_runs:
            raise IndexError(f"run index {i} out of range for {self.n_runs} runs")
        return self._take(int(i) % self.n_runs, single=True)

    def select(self, runs) -> "Trajectory":
        """A Trajectory with only the given runs (indices or a boolean mask), keeping the run axis."""
        if self.single:
            raise ValueError("select needs a Trajectory with several runs; this one has a single start")
        idx = np.arange(self.n_runs)[np.asarray(runs)]
        return self._take(np.atleast_1d(idx), single=False)

    def _take(self, idx, single):
        def pick(a, axis):
            if a is None:
                return None
            return np.take(a, idx, axis=axis)

        lr = self.lr if self.lr.ndim == 1 else pick(self.lr, 1)
        hp = dict(self.hyperparameters)
        for k, v in hp.items():
            if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] == self.n_runs:
                hp[k] = v[idx]
        return Trajectory(
            params=pick(self.params, 1), loss=pick(self.loss, 1), grad=pick(self.grad, 1),
            grad_norm=pick(self.grad_norm, 1), lr=lr, state={k: pick(v, 1) for k, v in self.state.items()},
            status=self.status[idx] if not single else str(self.status[idx]),
            stopped_at=self.stopped_at[idx] if not single else int(self.stopped_at[idx]),
            final=self.final[idx], final_loss=self.final_loss[idx] if not single else float(self.final_loss[idx]),
            steps=self.steps, optimizer=self.optimizer, hyperparameters=hp, function=self.function,
            label=self.label, x0=self.x0[idx], single=single, tol=self.tol, noise=self.noise, seed=self.seed,
            batch_size=self.batch_size, divergence_bound=self.divergence_bound, gradient=self.gradient,
            wall_time=self.wall_time, state_descriptions=self.state_descriptions, schedule=self.schedule,
            clip_grad_norm=self.clip_grad_norm, sampling=self.sampling, record=self.record,
            subset_of=self.subset_of or self.n_runs, record_every=self.record_every, record_note=self.record_note,
            engine=self.engine,
        )

    # -- the run's arguments -----------------------------------------------------------------
    def config(self, function_spec=None) -> dict:
        """The arguments of :func:`gdlab.minimize` that reproduce this run, and whether they do.

        Keys: ``function`` (a spec from ``gdlab.functions.function_spec``: a catalog name with
        its parameters, a formula, a data-defined loss with its data, or ``{"callable": name}``
        for a Python callable), ``x0`` (the starts as run), ``optimizer``, ``steps``, ``lr``,
        ``hyperparameters`` (every other one, defaults included), ``tol``, ``noise``, ``seed``,
        ``schedule`` (``{"name": ..., **kwargs}``, ``{"callable": name}`` or None),
        ``batch_size``, ``sampling``, ``gradient``, ``clip_grad_norm``, ``divergence_bound``,
        ``record``, ``record_every`` (None when every step was kept), ``label``; and ``rerun``: None when ``gdlab.minimize(function, **rest,
        **hyperparameters)`` computes this run's numbers again bit for bit, else why it cannot.
        Arrays stay NumPy arrays. ``function_spec``: the function's spec when the caller has it.
        """
        fspec = function_spec if function_spec is not None else _function_spec(self.function)
        hp = dict(self.hyperparameters)
        lr = hp.pop("lr", None)
        schedule = self.schedule
        if callable(schedule):
            schedule = {"callable": getattr(schedule, "__qualname__", type(schedule).__name__)}
        elif isinstance(schedule, str):
            schedule = {"name": schedule}
        elif isinstance(schedule, (tuple, list)):
            schedule = {"name": schedule[0], **schedule[1]}
        elif isinstance(schedule, dict):
            schedule = dict(schedule)
        gradient = {"autodiff": "autodiff", "closed_form": "closed_form"}.get(self.gradient, "auto")
        cfg = {
            "function": fspec, "x0": self.x0, "optimizer": self.optimizer, "steps": self.steps, "lr": lr,
            "hyperparameters": hp, "tol": self.tol, "noise": self.noise, "seed": self.seed, "schedule": schedule,
            "batch_size": self.batch_size, "sampling": self.sampling, "gradient": gradient,
            "clip_grad_norm": self.clip_grad_norm, "divergence_bound": self.divergence_bound,
            "record": list(self.record) if self.record is not None else None,
            "record_every": None if self.record_every == 1 else self.record_every, "label": self.label,
        }
        random = self.noise is not None or (self.batch_size is not None and self.sampling != "cyclic")
        why = None
        if "callable" in fspec:
            why = f"the function {fspec['callable']!r} is a Python callable: its code is not kept"
        elif schedule is not None and "callable" in schedule:
            why = f"the learning-rate schedule {schedule['callable']!r} is a Python callable: its code is not kept"
        elif any(isinstance(v, np.ndarray) for v in (lr, self.noise, *hp.values())):
            why = "its hyperparameters are per-run arrays (the rows of a sweep): rerun the sweep"
        elif self.subset_of is not None:
            why = (f"it was taken (run/select) from a run of {self.subset_of} starts: the starts alone, run as "
                   "their own array program, may differ in the last bits")
        elif self.record is None:
            why = "it was not made by gdlab.minimize (it does not say what was recorded)"
        elif random and self.seed is None:
            why = "its noise or mini-batches were drawn without an integer seed (seed=None or a numpy Generator)"
        cfg["rerun"] = why
        return cfg

    # -- export -----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A JSON-friendly dict (lists of floats; inf and nan become None); ``recorded_steps`` is the
        step of each entry of the histories (params, loss, ...)."""
        f = self.function
        return {
            "label": self.label, "optimizer": self.optimizer, "hyperparameters": _plain(self.hyperparameters),
            "function": f.to_dict() if hasattr(f, "to_dict") else {"name": getattr(f, "name", "f")},
            "steps": self.steps, "n_runs": self.n_runs, "dim": self.dim, "single": self.single,
            "x0": _plain(self.x0), "params": _plain(self.params), "loss": _plain(self.loss),
            "grad": _plain(self.grad), "grad_norm": _plain(self.grad_norm), "lr": _plain(self.lr),
            "state": {k: _plain(v) for k, v in self.state.items()},
            "status": self.status if self.single else self.status.tolist(),
            "stopped_at": self.stopped_at if self.single else self.stopped_at.tolist(),
            "final": _plain(self.final), "final_loss": _plain(self.final_loss),
            "reason": self.reason if self.single else self.reason.tolist(),
            "tol": self.tol, "noise": _plain(self.noise), "seed": self.seed if isinstance(self.seed, int) else None,
            "batch_size": self.batch_size, "divergence_bound": self.divergence_bound, "gradient": self.gradient,
            "record_every": self.record_every, "recorded_steps": self.recorded_steps.tolist(),
            "record_note": self.record_note,
        }


def _reason(status, stopped_at, final, final_loss, traj):
    """One run's ``reason`` (see :attr:`Trajectory.reason`)."""
    if status == "max_steps":
        return f"ran all {traj.steps} steps"
    if status == "converged":
        return f"converged at step {stopped_at}: |grad| < tol = {traj.tol:g}"
    if not np.all(np.isfinite(final)):
        what = "nan" if np.any(np.isnan(final)) else "infinite"
        after = " (the gradient before it was not finite)" if stopped_at > 0 else ""
        return f"diverged at step {stopped_at}: the point is {what}{after}"
    if math.isnan(final_loss):
        return (f"diverged at step {stopped_at}: the loss is nan (the point is outside the function's domain, "
                "or an overflow)")
    if math.isinf(final_loss):
        return f"diverged at step {stopped_at}: the loss is {final_loss} (an overflow)"
    bound = traj.divergence_bound
    return (f"diverged at step {stopped_at}: |x| = {float(np.max(np.abs(final))):.3g} is past the divergence bound"
            + (f" {bound:.3g}" if bound is not None else ""))


class Race(dict):
    """What :func:`gdlab.race` returns: a plain dict label -> :class:`Trajectory`, which shows
    itself in a notebook as one table (a row per optimizer) and a thumbnail."""

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _display.bundle("race", self, include, exclude)
