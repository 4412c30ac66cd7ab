"""Learning-rate schedules with torch.optim.lr_scheduler's names, arguments and step semantics.

Stateful (drive an optimizer)::

    opt = gdlab.optim.SGD(params, lr=0.1)
    sched = gdlab.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...)            # opt.step() inside
        sched.step()          # after opt.step(), once per epoch (or per batch)

Construction sets ``group["initial_lr"]`` and applies the schedule's value at
epoch 0 (``last_epoch`` becomes 0); each ``step()`` advances ``last_epoch`` by one
and writes the new rate into every ``group["lr"]``. As in torch the classes update
the *current* rate recursively (StepLR multiplies it by gamma every step_size
steps, ...), so two schedulers on one optimizer compose, and a rate changed by hand
carries on. ``get_last_lr()``, ``state_dict()`` and ``load_state_dict()`` as torch.

Functional (no optimizer; the learning rate as a function of the step, for the
vectorized runner): :func:`step_lr`, :func:`multistep_lr`, :func:`exponential_lr`,
:func:`cosine_annealing_lr`, :func:`linear_lr` give the closed forms torch documents
(``t`` and ``base_lr`` may be arrays). They equal the classes' rates to rounding
when one scheduler drives an untouched optimizer (tested).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
           "ReduceLROnPlateau", "step_lr", "multistep_lr", "exponential_lr", "cosine_annealing_lr", "linear_lr"]


# -- closed forms ------------------------------------------------------------------------

def step_lr(t, base_lr, step_size: int, gamma: float = 0.1):
    """``base_lr * gamma ** (t // step_size)``."""
    return base_lr * gamma ** (np.asarray(t) // step_size)


def multistep_lr(t, base_lr, milestones, gamma: float = 0.1):
    """``base_lr * gamma ** (number of milestones <= t)`` (a repeated milestone counts twice)."""
    ms = np.sort(np.asarray(list(milestones)))
    return base_lr * gamma ** np.searchsorted(ms, np.asarray(t), side="right")


def exponential_lr(t, base_lr, gamma: float):
    """``base_lr * gamma ** t``."""
    return base_lr * gamma ** np.asarray(t)


def cosine_annealing_lr(t, base_lr, T_max: int, eta_min: float = 0.0):
    """``eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2`` (SGDR, no restarts; periodic past T_max)."""
    return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * np.asarray(t) / T_max)) / 2


def linear_lr(t, base_lr, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5):
    """``base_lr * (start + (end - start) * min(t, total_iters) / total_iters)``: a linear warm-up (or decay)."""
    return base_lr * (start_factor + (end_factor - start_factor) * np.minimum(np.asarray(t), total_iters)
                      / total_iters)


# -- the stateful schedulers ------------------------------------------------------------------

def _check_optimizer(optimizer):
    if not isinstance(getattr(optimizer, "param_groups", None), list):
        raise TypeError(f"{type(optimizer).__name__} is not an optimizer (it has no param_groups list)")
    if not optimizer.param_groups:
        raise ValueError("the optimizer has no parameter groups yet: bind its parameters before scheduling")


class LRScheduler:
    """Base class: subclasses define ``get_lr()``, the rates for the next ``last_epoch``.

    ``last_epoch=-1`` (default) starts a schedule; a value >= 0 resumes one whose
    optimizer groups already hold ``"initial_lr"``, with torch's (per-class)
    behaviour; prefer ``load_state_dict`` to resume.
    """

    def __init__(self, optimizer, last_epoch: int = -1):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param_groups[{i}] has no 'initial_lr': resuming with last_epoch={last_epoch} "
                                   "needs the optimizer state the scheduler was started with")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._initial = True
        self.step()
        self._initial = False

    def get_lr(self) -> list:
        raise NotImplementedError

    def _group_lrs(self) -> list:
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self) -> None:
        """Advance one epoch (call after ``optimizer.step()``) and set every group's ``lr``."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._group_lrs()

    def get_last_lr(self) -> list:
        """The rates set by the last ``step()`` (one per parameter group)."""
        return self._last_lr

    def state_dict(self) -> dict:
        """Everything but the optimizer (torch's layout)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.state_dict().items()
                         if not k.startswith("_") and k not in ("base_lrs",))
        return f"{type(self).__name__}({args})"


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs: ``lr_t = base_lr * gamma ** (t // step_size)``."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        if not (isinstance(step_size, (int, np.integer)) and step_size > 0):
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        self.step_size = int(step_size)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each milestone epoch: ``lr_t = base_lr * gamma ** #{m <= t}``."""

    def __init__(self, optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        milestones = list(milestones)
        if any(not isinstance(m, (int, np.integer)) or m < 0 for m in milestones):
            raise ValueError(f"MultiStepLR: milestones must be non-negative integers, got {milestones!r}")
        self.milestones = Counter(int(m) for m in milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        if self.last_epoch not in self.milestones:
            return self._group_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._group_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: ``lr_t = base_lr * gamma ** t``."""

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        if self._initial:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from base_lr to ``eta_min`` over ``T_max`` epochs (SGDR, Loshchilov & Hutter 2017, no restarts).

    ``lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2``, computed
    recursively as torch does (so it composes with other changes of lr); past
    ``T_max`` it rises again (the cosine is periodic), as in torch.
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        if not T_max > 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be > 0, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        t, T, eta = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self._group_lrs()
        if self._step_count == 1 and t > 0:
            return [eta + (base - eta) * (1 + math.cos(t * math.pi / T)) / 2 for base in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:  # leaving the trough: the ratio below would divide by zero
            return [lr + (base - eta) * (1 - math.cos(math.pi / T)) / 2
                    for lr, base in zip(self._group_lrs(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta) + eta for lr in self._group_lrs()]


class LinearLR(LRScheduler):
    """Scale the rate linearly from ``start_factor * base_lr`` to ``end_factor * base_lr`` over ``total_iters`` epochs.

    The usual warm-up: ``lr_t = base_lr * (start + (end - start) * min(t, total_iters) / total_iters)``.
    """

    def __init__(self, optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5,
                 last_epoch: int = -1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor!r}")
        if not (isinstance(total_iters, (int, np.integer)) and total_iters > 0):
            raise ValueError(f"LinearLR: total_iters must be a positive integer, got {total_iters!r}")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = int(total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        s, e, n, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if t == 0:
            return [lr * s for lr in self._group_lrs()]
        if self._initial or t > n:
            return self._group_lrs()
        ratio = 1.0 + (e - s) / (n * s + (t - 1) * (e - s))
        return [lr * ratio for lr in self._group_lrs()]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the rate by ``factor`` when a metric has stopped improving for ``patience`` epochs.

    ``step(metric)`` after each evaluation. "Improving" means below
    ``best * (1 - threshold)`` (mode "min", threshold_mode "rel"), below
    ``best - threshold`` ("abs"), or the mirror images for mode "max". After a
    reduction, ``cooldown`` epochs pass before bad epochs count again; the rate
    never goes below ``min_lr`` (a number or one per group), and a reduction smaller
    than ``eps`` is skipped. torch's semantics and defaults.
    """

    def __init__(self, optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0, min_lr=0.0,
                 eps: float = 1e-8):
        _check_optimizer(optimizer)
        if not 0 <= factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in [0, 1), got {factor!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if patience < 0 or cooldown < 0:
            raise ValueError(f"ReduceLROnPlateau: patience and cooldown must be >= 0, got {patience!r}, {cooldown!r}")
        self.optimizer = optimizer
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(f"ReduceLROnPlateau: expected {n} min_lrs (one per group), got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.last_epoch = 0
        self._step_count = 0
        self._last_lr = self._group_lrs()
        self._reset()

    def _reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        if self.mode == "min":
            return a < (best * (1.0 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold)
        return a > (best * (1.0 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold)

    def step(self, metrics) -> None:  # type: ignore[override]
        """Record this epoch's metric; reduce the rates if it has not improved for ``patience`` epochs."""
        current = float(metrics)
        self._step_count += 1
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._group_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(self.min_lrs) != len(groups):
            if self.default_min_lr is None:
                raise RuntimeError(f"the optimizer now has {len(groups)} parameter groups, ReduceLROnPlateau "
                                   f"was given {len(self.min_lrs)} min_lrs")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new
