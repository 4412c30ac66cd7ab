r"""The Trainer: the loop behind ``Model.fit``, ``evaluate`` and ``predict``.

One update of ``fit`` (:meth:`Trainer.train_step`) is exactly the PyTorch-style loop::

    opt.zero_grad()                 # every p.grad = None
    loss = loss_fn(model(xb), yb)   # forward (+ the weights' penalty, when compiled with a regularizer)
    loss.backward()                 # reverse mode: p.grad = d loss / d p
    opt.step()                      # the optimizer's rule, in place (gdlab.optim)

over the batches of each epoch:

* ``batch_size=None``: full-batch gradient descent, one update per epoch on all samples
  (in their order: shuffling would only reorder a sum);
* ``batch_size=1``: stochastic gradient descent, one update per sample;
* ``batch_size=k``: mini-batch SGD, ``ceil(n / k)`` updates per epoch, the last batch
  holding what remains.

With ``shuffle=True`` each epoch visits the samples in a new order drawn from
``numpy.random.default_rng([seed, epoch])``: it depends only on the seed and the
epoch number, so training resumed from a checkpoint (whose file keeps the model's
epoch count, seed and optimizer state) continues with identical numbers. ``seed=None``
draws a seed once and keeps it on the model (``model.fit_state_``).

Every callback, the History and the progress bar (:mod:`gdlab.nn.progress`) included,
runs through one :class:`~gdlab.nn.callbacks.CallbackList`. Validation after each epoch
is the same computation as ``evaluate`` (:meth:`Trainer.test_step` over the batches).

Everything is checked before the first update: compiled model, x and y lengths, the
feature count, NaN/inf, label ranges, target shapes, metric applicability, callback
types (a ValueError/TypeError/RuntimeError saying what is wrong).

The Trainer reads the model's compile record, ``model.compiled_`` (see
:class:`gdlab.nn.model.Compiled`): ``optimizer``, ``loss``, ``train_loss`` (what the
updates minimise), ``metrics`` ((log key, Metric) pairs), ``head`` (the forward the
train loss takes), ``head_layers`` (its layers when it is a chain, to run them with
Linear + ReLU fused; else None), ``fused`` and ``final_activation``. It updates the
model's ``fit_state_``, ``history`` and ``stop_training``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from gdlab.autodiff import Tensor, no_grad

from . import callbacks as cbs
from . import losses as losses_mod
from . import metrics as metrics_mod
from .layers import Softmax, fused_steps
from .progress import ProgressBar, format_logs

__all__ = ["Trainer", "input_features"]

_PROBE_ROWS = 64
_PREDICT_BATCH = 4096


# -----------------------------------------------------------------------------------
# input checks (the boundary)


def _compiled(model, what):
    c = getattr(model, "compiled_", None)
    if c is None:
        raise RuntimeError(
            f"{what} before compile: call model.compile(optimizer=..., loss=..., metrics=...) first"
        )
    return c


def _as_array(a, what):
    if isinstance(a, Tensor):
        a = a.data
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{what} must be an array-like of numbers: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what} must hold numbers, got dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{what} must have a sample axis (shape (n, ...)), got a scalar")
    return arr


def _check_finite(arr, what):
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = ~np.isfinite(arr)
        first = np.argwhere(bad)[0]
        raise ValueError(
            f"{what} contains {int(bad.sum())} NaN or inf value(s), the first at index {tuple(int(i) for i in first)}; "
            "training needs finite data"
        )


def _model_dtype(model):
    dt = model.dtype
    return np.float32 if dt is None else dt.type


def input_features(model):
    """The number of input features ``model`` expects: its ``input_features`` (Sequential: the first
    Linear's), else its ``in_features``, else None (unknown)."""
    f = getattr(model, "input_features", None)
    return f if f is not None else getattr(model, "in_features", None)


def _prepare_x(model, x, what="x"):
    x = _as_array(x, what)
    dtype = _model_dtype(model)
    if x.dtype != dtype:
        x = x.astype(dtype)
    x = np.ascontiguousarray(x)
    expected = input_features(model)
    if x.ndim == 1 and expected == 1:
        x = x.reshape(-1, 1)  # one feature given as a flat list, e.g. seed 002's x = [1, 2, 3]
    if expected is not None and (x.ndim != 2 or x.shape[1] != expected):
        got = x.shape[1] if x.ndim == 2 else f"shape {x.shape[1:]} per sample"
        raise ValueError(
            f"{what} has {got} features (shape {x.shape}) but the model's first layer expects {expected} "
            f"(shape (n, {expected}))"
        )
    return x


def _probe(model, forward, x, what="x"):
    """Run the model on a few rows (no graph) to learn the output shape; turn failures into a clear error."""
    rows = x[:_PROBE_ROWS]
    try:
        with no_grad():
            out = forward(rows)
    except (ValueError, TypeError, IndexError) as exc:
        raise ValueError(f"the model cannot take {what} of shape {x.shape}: {exc}") from None
    data = out.data if isinstance(out, Tensor) else np.asarray(out)
    if data.shape[:1] != rows.shape[:1]:
        raise ValueError(
            f"the model returned shape {data.shape} for {len(rows)} samples; the first axis must be the samples"
        )
    return data


def _prepare(model, compiled, x, y, what=("x", "y")):
    """(x, y, probe output) converted and checked; nothing is trained."""
    wx, wy = what
    x = _prepare_x(model, x, wx)
    y = _as_array(y, wy)
    if len(x) != len(y):
        raise ValueError(f"{wx} has {len(x)} samples but {wy} has {len(y)}; they must have the same length")
    if len(x) == 0:
        raise ValueError(f"{wx} and {wy} hold no samples")
    _check_finite(x, wx)
    _check_finite(y, wy)
    probe = _probe(model, compiled.head, x, wx)
    out_shape = (len(x),) + probe.shape[1:]
    y = compiled.train_loss.prepare_target(y, out_shape, _model_dtype(model), wy)
    return x, y, probe


def _check_probabilities(compiled, probe):
    loss = compiled.loss
    if isinstance(loss, losses_mod._CrossEntropy) and not loss.from_logits and not compiled.fused:
        if probe.size and (probe.min() < 0 or probe.max() > 1):
            raise ValueError(
                f"the {loss.name} loss expects probabilities (from_logits=False), but the model outputs values in "
                f"[{probe.min():.3g}, {probe.max():.3g}]; end the model with "
                f"{loss.fuses_with}() or use the loss with from_logits=True "
                f"(e.g. '{loss.name}_from_logits')"
            )


def _metric_input(compiled):
    """A function from the train forward's output array to what metrics see (probabilities when fused)."""
    if not compiled.fused or not compiled.metrics:
        return None
    if all(isinstance(m, metrics_mod.Accuracy) and type(compiled.final_activation) is Softmax
           for _, m in compiled.metrics):
        return None  # argmax(logits) == argmax(softmax(logits))
    return compiled.final_activation.numpy


def _positive_int(v, name, allow_none=False, minimum=1):
    if v is None and allow_none:
        return None
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}" + (" or None" if allow_none else "")
                         + f", got {v!r}")
    return int(v)


def _fit_seed(model, seed):
    """The model's fit state {"epoch": running count, "seed": shuffling seed}, created on the first fit."""
    state = model.fit_state_
    if state is None:
        state = {"epoch": 0, "seed": None}
        model.fit_state_ = state
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
        state["seed"] = int(seed)
    elif state["seed"] is None:
        state["seed"] = int(np.random.SeedSequence().entropy % (2**63))
    return state


def _build_metrics(compiled, probe, y):
    pred = compiled.final_activation.numpy(probe) if compiled.fused else probe
    for _, m in compiled.metrics:
        m.build_for(pred, y)


def _batches(n, batch_size):
    bs = n if batch_size is None else batch_size
    for lo in range(0, n, bs):
        yield lo, min(lo + bs, n)


# -----------------------------------------------------------------------------------
# the Trainer


class Trainer:
    """Runs ``model``'s training loop, evaluation and prediction (``Model.fit`` etc. make one per call).

    ``fit`` validates its arguments and the data, builds the :class:`~gdlab.nn.callbacks.CallbackList`,
    and runs :meth:`train_step` over the batches of each epoch; :meth:`evaluate` and the
    validation after each epoch run :meth:`test_step` over batches without recording a graph.
    """

    def __init__(self, model):
        self.model = model
        if getattr(model, "compiled_", None) is not None:
            self._bind(model.compiled_)

    # -- one batch ---------------------------------------------------------------------
    def _bind(self, compiled):
        """The names ``train_step`` uses, looked up once (again at the start of each fit)."""
        self._params = self.model.parameters()
        self._forward = compiled.head
        self._steps = fused_steps(compiled.head_layers) if compiled.head_layers is not None else None
        self._loss_fn = compiled.train_loss.fast()
        self._step = compiled.optimizer.step
        # L-BFGS evaluates the loss several times per step: it gets a closure on the batch, as in torch
        self._needs_closure = compiled.optimizer.rule.needs_loss
        self._penalty = compiled.regularizer
        self._kernels = compiled.kernels

    def train_step(self, x, y):
        """One update on the batch (x, y): zero_grad, forward, loss (plus the compiled regularizer's
        penalty of the kernels), backward, the optimizer's step.

        An optimizer that evaluates the loss itself (L-BFGS) steps with a closure that repeats
        zero_grad, forward, loss and backward on the batch (``opt.step(closure)``, as in torch).

        ``x`` and ``y`` as fit passes them: arrays already converted to the model's dtype and the
        loss's target form (the model must be compiled). Returns (the batch's loss before the update,
        as a float; the forward's output Tensor).
        """
        loss, out = self._loss_and_grads(x, y)
        if self._needs_closure:
            self._step(lambda: self._loss_and_grads(x, y)[0])
        else:
            self._step()
        return float(loss.data), out

    def _loss_and_grads(self, x, y):
        """zero_grad, forward, loss, backward on (x, y): (the loss Tensor, the forward's output)."""
        for p in self._params:
            p.grad = None
        if self._steps is not None:
            out = x
            for step in self._steps:
                out = step(out)
        else:
            out = self._forward(x)
        loss = self._loss_fn(out, y)
        if self._penalty is not None:
            loss = loss + self._penalty(self._kernels)
        loss.backward()
        return loss, out

    def test_step(self, x, y):
        """(the compiled loss on the batch (x, y) as a float, the forward's output); run under ``no_grad``."""
        compiled = self.model.compiled_
        out = compiled.head(x)
        return float(compiled.train_loss(out, y).data), out

    # -- fit ---------------------------------------------------------------------------
    def fit(self, x, y, epochs=1, batch_size=None, shuffle=True, validation_split=0.0, validation_data=None,
            callbacks=None, verbose=1, seed=None):
        """Train the model on (x, y); returns a :class:`~gdlab.nn.History` (see :meth:`gdlab.nn.Model.fit`)."""
        model = self.model
        compiled = _compiled(model, "fit")
        epochs = _positive_int(epochs, "epochs", minimum=0)
        batch_size = _positive_int(batch_size, "batch_size", allow_none=True)
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
        if verbose not in (0, 1, 2) or isinstance(verbose, float):
            raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")
        if isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real) \
                or not 0.0 <= validation_split < 1.0:
            raise ValueError(f"validation_split must be a number in [0, 1), got {validation_split!r}")
        if validation_data is not None and validation_split:
            raise ValueError("pass validation_data or validation_split, not both")
        callbacks = list(callbacks or [])
        for cb in callbacks:
            if not isinstance(cb, cbs.Callback):
                raise TypeError(f"callbacks must be gdlab.nn.Callback instances, got {cb!r}")

        x, y, probe = _prepare(model, compiled, x, y)
        x_val = y_val = None
        if validation_split:
            n_val = int(math.floor(len(x) * validation_split))
            if n_val == 0:
                raise ValueError(f"validation_split={validation_split} of {len(x)} samples holds no sample")
            if n_val >= len(x):
                raise ValueError(f"validation_split={validation_split} leaves no training sample")
            x, x_val = x[:-n_val], x[-n_val:]
            y, y_val = y[:-n_val], y[-n_val:]
        elif validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a pair (x_val, y_val)")
            x_val, y_val, _ = _prepare(model, compiled, *validation_data, what=("validation x", "validation y"))
        _check_probabilities(compiled, probe)
        _build_metrics(compiled, probe, y)

        n = len(x)
        bs = n if batch_size is None else min(batch_size, n)
        steps = -(-n // bs)
        state = _fit_seed(model, seed)
        first_epoch = state["epoch"]
        keys = ["loss"] + [k for k, _ in compiled.metrics]
        if x_val is not None:
            keys += ["val_" + k for k in keys]
        if any(isinstance(cb, cbs.LearningRateScheduler) for cb in callbacks):
            keys.append("lr")

        history = cbs.History()
        progress = ProgressBar(verbose) if verbose else None
        params = {"epochs": epochs, "steps": steps, "batch_size": bs, "samples": n, "metrics": keys,
                  "initial_epoch": first_epoch, "shuffle": bool(shuffle) and bs < n, "seed": state["seed"]}
        callbacks = cbs.CallbackList(callbacks + [history] + ([progress] if progress else []), model, params)
        model.history = history
        model.stop_training = False

        self._bind(compiled)
        train_step = self.train_step
        metric_objs = [m for _, m in compiled.metrics]
        to_metric = _metric_input(compiled)
        step_losses = history.step_losses
        batch_begin, batch_end = callbacks.wants("on_batch_begin"), callbacks.wants("on_batch_end")
        do_shuffle = bool(shuffle) and bs < n

        try:
            callbacks.on_train_begin({})
            model.train()
            for e in range(first_epoch, first_epoch + epochs):
                logs = {}
                callbacks.on_epoch_begin(e, logs)
                for m in metric_objs:
                    m.reset()
                perm = np.random.default_rng([state["seed"], e]).permutation(n) if do_shuffle else None
                total = 0.0
                seen = 0
                for s in range(steps):
                    lo = s * bs
                    if perm is None:
                        xb, yb = (x, y) if bs == n else (x[lo:lo + bs], y[lo:lo + bs])
                    else:
                        idx = perm[lo:lo + bs]
                        xb, yb = x.take(idx, axis=0), y.take(idx, axis=0)
                    if batch_begin:
                        callbacks.on_batch_begin(s, {"size": len(xb)})
                    lv, out = train_step(xb, yb)
                    step_losses.append(lv)
                    nb = len(xb)
                    total += lv * nb
                    seen += nb
                    if metric_objs:
                        pred = out.data if to_metric is None else to_metric(out.data)
                        for m in metric_objs:
                            m.update(pred, yb)
                    if batch_end:
                        callbacks.on_batch_end(s, {"loss": lv, "size": nb})
                    if model.stop_training:
                        break
                state["epoch"] = e + 1
                logs["loss"] = total / seen
                for key, m in compiled.metrics:
                    logs[key] = m.result()
                if x_val is not None:
                    for k, v in self._evaluate(x_val, y_val, None).items():
                        logs["val_" + k] = v
                callbacks.on_epoch_end(e, logs)
                if model.stop_training:
                    break
        finally:
            if progress is not None:
                progress.close()  # also when interrupted: give the terminal back
        callbacks.on_train_end({})
        return history

    # -- evaluate / predict --------------------------------------------------------------
    def _evaluate(self, x, y, batch_size):
        """Loss and metrics on prepared arrays: what ``evaluate`` returns and fit's validation logs."""
        compiled = self.model.compiled_
        metric_objs = [(k, m.fresh()) for k, m in compiled.metrics]
        to_metric = _metric_input(compiled)
        mean = compiled.train_loss.reduction == "mean"
        total = 0.0
        n = len(x)
        bs = batch_size or min(n, _PREDICT_BATCH)
        with no_grad():
            for lo, hi in _batches(n, bs):
                lv, out = self.test_step(x[lo:hi], y[lo:hi])
                total += lv * (hi - lo) if mean else lv
                pred = out.data if to_metric is None else to_metric(out.data)
                for _, m in metric_objs:
                    m.update(pred, y[lo:hi])
        result = {"loss": total / n if mean else total}
        if compiled.regularizer is not None:  # the objective: the data loss plus the weights' penalty
            result["loss"] += compiled.regularizer.value([w.data for w in compiled.kernels])
        for k, m in metric_objs:
            result[k] = m.result()
        return result

    def evaluate(self, x, y, batch_size=None, verbose=0):
        """The compiled loss and metrics on (x, y) as a dict (see :meth:`gdlab.nn.Model.evaluate`)."""
        model = self.model
        compiled = _compiled(model, "evaluate")
        batch_size = _positive_int(batch_size, "batch_size", allow_none=True)
        x, y, probe = _prepare(model, compiled, x, y)
        _check_probabilities(compiled, probe)
        _build_metrics(compiled, probe, y)
        result = self._evaluate(x, y, batch_size)
        if verbose:
            print(format_logs(result))
        return result

    def predict(self, x, batch_size=None):
        """The model's output on ``x`` as an ndarray (see :meth:`gdlab.nn.Model.predict`)."""
        model = self.model
        batch_size = _positive_int(batch_size, "batch_size", allow_none=True)
        x = _prepare_x(model, x)
        n = len(x)
        if n == 0:
            raise ValueError("x holds no samples")
        bs = batch_size or min(n, _PREDICT_BATCH)
        outs = []
        with no_grad():
            for lo, hi in _batches(n, bs):
                out = model(x[lo:hi])
                outs.append(out.data if isinstance(out, Tensor) else np.asarray(out))
        return outs[0] if len(outs) == 1 else np.concatenate(outs)
