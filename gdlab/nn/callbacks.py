"""Callbacks for ``fit``, and the ``History`` it returns.

A callback subclasses :class:`Callback` and overrides any of

    on_train_begin(logs)          once, before the first update
    on_epoch_begin(epoch, logs)
    on_batch_begin(batch, logs)   batch = index within the epoch
    on_batch_end(batch, logs)     logs = {"loss": this update's loss, "size": batch size}
    on_epoch_end(epoch, logs)     logs = the epoch's "loss", metrics, "val_..." values
    on_train_end(logs)

``self.model`` is the model being trained and ``self.params`` a dict with ``epochs``,
``steps`` (updates per epoch), ``batch_size``, ``samples``, ``metrics`` (the keys the
epoch logs will hold) and ``initial_epoch``. Epoch numbers are the model's running
count (0-based): a second ``fit`` call, or one on a reloaded checkpoint, goes on from
where the last one stopped. Setting ``self.model.stop_training = True`` ends training
after the current batch.

fit calls every callback (its own History and progress bar included) through one
:class:`CallbackList`, which calls only the hooks a callback overrides, so an
``on_batch_end`` costs nothing for the callbacks that do not define it.
"""

from __future__ import annotations

import math
import numbers
import os

import numpy as np

from .. import _display

__all__ = ["Callback", "CallbackList", "History", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler",
           "WeightHistory", "TerminateOnNaN", "LambdaCallback"]

HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_batch_begin", "on_batch_end")


class Callback:
    """Base class: override the hooks you need (see the module docstring)."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass


class History(Callback):
    """What ``fit`` returns.

    Attributes
    ----------
    history : dict[str, list[float]]
        One value per epoch for "loss", each metric, and "val_loss"/"val_<metric>" when
        there is validation data ("lr" too when a LearningRateScheduler runs). "loss" is
        the sample-weighted mean of the epoch's batch losses, each computed before its
        update (Keras's convention; with full-batch training it is the loss at the start
        of the epoch).
    step_losses : list[float]
        The loss of every update, in order (``epochs * steps`` values).
    epochs : list[int]
        The epoch numbers trained (the model's running count, 0-based).
    params : dict
        epochs, steps per epoch, batch_size, samples, metrics.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.step_losses = []
        self.epochs = []

    @property
    def epoch(self):
        """Keras's name for ``epochs``."""
        return self.epochs

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))

    def __repr__(self):
        keys = ", ".join(self.history)
        return f"History({len(self.epochs)} epochs, {len(self.step_losses)} updates; {keys})"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _display.bundle("history", self, include, exclude)


def _check_mode(mode, monitor):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        base = monitor[4:] if monitor.startswith("val_") else monitor
        mode = "max" if base in ("accuracy", "acc", "r2") or base.endswith("accuracy") else "min"
    return mode


def _monitored(callback, logs):
    if callback.monitor not in logs:
        raise ValueError(
            f"{type(callback).__name__} monitors {callback.monitor!r}, which fit does not log; "
            f"available: {', '.join(logs) or 'none'}"
        )
    return float(logs[callback.monitor])


def _check_monitor_available(callback):
    keys = callback.params.get("metrics")
    if keys is not None and callback.monitor not in keys:
        hint = (" (pass validation_data or validation_split for val_ values)"
                if callback.monitor.startswith("val_") else "")
        raise ValueError(
            f"{type(callback).__name__} monitors {callback.monitor!r}, which this fit does not log; "
            f"it logs: {', '.join(keys)}{hint}"
        )


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    ``mode`` "min", "max" or "auto" (max for accuracy/r2, else min). ``baseline``: stop
    unless the value beats it within ``patience`` epochs. ``restore_best_weights``: at the
    end, put back the weights of the best epoch. ``stopped_epoch`` and ``best`` are set.
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, mode="auto", baseline=None,
                 restore_best_weights=False):
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(f"monitor must be a log key such as 'val_loss', got {monitor!r}")
        if isinstance(patience, bool) or not isinstance(patience, numbers.Integral) or patience < 0:
            raise ValueError(f"patience must be an integer >= 0, got {patience!r}")
        if not isinstance(min_delta, numbers.Real) or not math.isfinite(min_delta):
            raise ValueError(f"min_delta must be a finite number, got {min_delta!r}")
        self.monitor = monitor
        self.mode = _check_mode(mode, monitor)
        self.min_delta = abs(float(min_delta))
        self.patience = int(patience)
        self.baseline = None if baseline is None else float(baseline)
        self.restore_best_weights = bool(restore_best_weights)

    def _better(self, value, reference):
        if self.mode == "min":
            return value < reference - self.min_delta
        return value > reference + self.min_delta

    def on_train_begin(self, logs=None):
        _check_monitor_available(self)
        self.wait = 0
        self.stopped_epoch = None
        self.best = self.baseline if self.baseline is not None else (math.inf if self.mode == "min" else -math.inf)
        self.best_epoch = None
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        value = _monitored(self, logs or {})
        if self._better(value, self.best):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.state_dict()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None and self.stopped_epoch is not None:
            self.model.load_state_dict(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model (``model.save``) at the end of epochs.

    ``filepath`` may hold ``{epoch}`` (1-based, as Keras) and log keys, e.g.
    ``"ckpt-{epoch:03d}-{val_loss:.3f}.npz"``. ``save_best_only``: save only when
    ``monitor`` improves (``mode`` as in EarlyStopping). ``save_weights_only``: weights
    only (``save_weights``). ``last_saved`` holds the last path written.
    """

    def __init__(self, filepath, monitor="val_loss", save_best_only=False, save_weights_only=False, mode="auto"):
        super().__init__()
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"filepath must be a path, got {filepath!r}")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.mode = _check_mode(mode, monitor)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.last_saved = None

    def on_train_begin(self, logs=None):
        if self.save_best_only:
            _check_monitor_available(self)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = _monitored(self, logs)
            better = value < self.best if self.mode == "min" else value > self.best
            if not better:
                return
            self.best = value
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"ModelCheckpoint filepath {self.filepath!r} cannot be formatted with the logs "
                             f"({', '.join(['epoch', *logs])}): {exc}") from None
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
        self.last_saved = path


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of each epoch: ``lr = schedule(epoch, lr)``.

    ``schedule(epoch, lr) -> float`` gets the 0-based epoch number (the model's running
    count) and the current learning rate (Keras's signature). The learning rate used in
    each epoch is logged as "lr".
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"schedule must be a callable (epoch, lr) -> lr, got {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose

    def _groups(self):
        opt = getattr(self.model, "optimizer", None)
        groups = getattr(opt, "param_groups", None)
        if not groups:
            raise RuntimeError("LearningRateScheduler needs a compiled model whose optimizer has param_groups")
        return groups

    def on_epoch_begin(self, epoch, logs=None):
        groups = self._groups()
        lr = float(groups[0]["lr"])
        new = self.schedule(epoch, lr)
        if isinstance(new, bool) or not isinstance(new, numbers.Real) or not math.isfinite(new) or new < 0:
            raise ValueError(f"the learning-rate schedule returned {new!r} for epoch {epoch}; "
                             "it must return a finite number >= 0")
        for g in groups:
            g["lr"] = float(new)
        self.current = float(new)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(new):.6g}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = self.current


class WeightHistory(Callback):
    """Record every parameter after each epoch (and at the start): ``weights[k][name]`` is an array copy.

    ``weights[0]`` holds the values before training, ``weights[e + 1]`` after the e-th
    epoch of this fit. Meant for small models (seed 002's single w, for instance).
    """

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_begin(self, logs=None):
        self.weights = [self.model.state_dict()]

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.state_dict())

    def series(self, name) -> np.ndarray:
        """The values of one parameter over the epochs, stacked: shape (epochs + 1, *shape)."""
        if self.weights and name not in self.weights[0]:
            raise KeyError(f"no parameter {name!r}; have {', '.join(self.weights[0])}")
        return np.stack([w[name] for w in self.weights])


class TerminateOnNaN(Callback):
    """Stop training as soon as an update's loss is NaN or infinite (gradient descent diverged).

    ``stopped_batch`` holds (epoch, batch) of the first non-finite loss, or None.
    """

    def on_train_begin(self, logs=None):
        self.stopped_batch = None
        self._epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if logs is not None and not math.isfinite(logs["loss"]):
            self.stopped_batch = (self._epoch, batch)
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs))``."""

    _HOOKS = HOOKS

    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            if name not in self._HOOKS:
                raise TypeError(f"unknown hook {name!r}; hooks: {', '.join(self._HOOKS)}")
            if not callable(fn):
                raise TypeError(f"{name} must be callable, got {fn!r}")
            setattr(self, name, fn)


def overrides(callback, hook) -> bool:
    """Whether ``callback`` defines ``hook`` itself (so fit calls only hooks that do something)."""
    if hook in callback.__dict__:
        return True
    return getattr(type(callback), hook) is not getattr(Callback, hook)


class CallbackList:
    """The callbacks of one fit behind one object with the hooks of a :class:`Callback`.

    Each hook calls, in list order, the callbacks that override it (:func:`overrides`);
    ``wants(hook)`` says whether any does, so the loop can skip building a batch's logs.
    Every callback gets ``set_model(model)`` and ``set_params(params)`` here.
    """

    def __init__(self, callbacks, model=None, params=None):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params if params is not None else {})
        self._hooks = {h: [getattr(cb, h) for cb in self.callbacks if overrides(cb, h)] for h in HOOKS}

    def wants(self, hook) -> bool:
        """Whether some callback overrides ``hook``."""
        return bool(self._hooks[hook])

    def on_train_begin(self, logs=None):
        for f in self._hooks["on_train_begin"]:
            f(logs)

    def on_train_end(self, logs=None):
        for f in self._hooks["on_train_end"]:
            f(logs)

    def on_epoch_begin(self, epoch, logs=None):
        for f in self._hooks["on_epoch_begin"]:
            f(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        for f in self._hooks["on_epoch_end"]:
            f(epoch, logs)

    def on_batch_begin(self, batch, logs=None):
        for f in self._hooks["on_batch_begin"]:
            f(batch, logs)

    def on_batch_end(self, batch, logs=None):
        for f in self._hooks["on_batch_end"]:
            f(batch, logs)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)
