r"""Keras-style training for any :class:`~gdlab.nn.Module`: compile, fit, evaluate, predict, summary.

One update of ``fit`` is exactly the PyTorch-style loop::

    opt.zero_grad()                 # every p.grad = None
    loss = loss_fn(model(xb), yb)   # forward
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

Everything is checked before the first update: compiled model, x and y lengths, the
feature count, NaN/inf, label ranges, target shapes, metric applicability, callback
types (a ValueError/TypeError/RuntimeError saying what is wrong).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from gdlab.autodiff import Tensor, no_grad

from . import callbacks as cbs
from . import losses as losses_mod
from . import metrics as metrics_mod
from .layers import Sequential, Sigmoid, Softmax
from .module import Module

__all__ = ["compile", "fit", "evaluate", "predict", "summary", "Compiled"]

_PROBE_ROWS = 64
_PREDICT_BATCH = 4096


# -----------------------------------------------------------------------------------
# compile


class Compiled:
    """What ``compile`` decided (``model.compiled_``).

    ``optimizer`` (bound to the model's parameters), ``loss`` (the Loss as given),
    ``metrics`` (list of (log key, Metric)), and, when the model ends with the
    activation a from-probabilities cross-entropy undoes (Softmax for the categorical
    ones, Sigmoid for the binary one), ``fused = True``: training and evaluation run
    the layers before that activation and the loss ``from_logits``, which is the same
    function computed stably (log-sum-exp instead of log(softmax)).
    """

    def __init__(self, optimizer, loss, metrics, fused, train_loss, head, final_activation):
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.fused = fused
        self.train_loss = train_loss
        self.head = head  # the layers whose output the train loss takes
        self.final_activation = final_activation

    def get_config(self):
        return {"loss": _loss_config(self.loss), "metrics": [[k, m.get_config()] for k, m in self.metrics]}


def _loss_config(loss):
    if isinstance(loss, losses_mod.Loss):
        return loss.get_config()
    return {"name": "custom", "function": getattr(loss, "__name__", repr(loss))}


class _CallableLoss(losses_mod.Loss):
    """A loss given as a function ``f(y_pred, y_true) -> Tensor``; targets are only converted to arrays."""

    def __init__(self, fn):
        super().__init__("mean")
        self.fn = fn
        self.name = getattr(fn, "__name__", "custom")

    def __call__(self, y_pred, y_true):
        return self.fn(y_pred, y_true)

    def prepare_target(self, y, out_shape, dtype, what="y"):
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{what} must be numeric, got dtype {y.dtype}")
        return np.ascontiguousarray(y.astype(dtype) if y.dtype.kind == "f" else y)

    def get_config(self):
        return {"name": "custom", "function": self.name}


def compile(model, optimizer="adam", loss="mse", metrics=None, **optimizer_overrides):
    """Choose the optimizer, loss and metrics of ``model.fit``.

    Parameters
    ----------
    optimizer : name ("sgd", "momentum", "adam", ... see ``gdlab.optim.names()``), an
        optimizer class, or an instance built without parameters (Keras style,
        ``gdlab.optim.Adam(lr=0.1)``) or with exactly this model's parameters.
        Unbound optimizers are bound to ``model.parameters()`` here.
    loss : a name (see ``gdlab.nn.losses.names()``), a Loss, or a function
        ``f(y_pred, y_true) -> scalar Tensor``.
    metrics : list of names ("accuracy", "mse", "mae", "r2", ...) or Metric objects.
    **optimizer_overrides : hyperparameters for an optimizer given by name,
        e.g. ``compile("sgd", "mse", lr=0.01)``.

    A model that ends with ``Softmax`` (``Sigmoid``) compiled with the categorical
    (binary) cross-entropy from probabilities, Keras's default, is trained from the
    logits (see :class:`Compiled`); ``predict`` still returns probabilities.

    Returns the :class:`Compiled` record, also kept as ``model.compiled_``; the
    optimizer is ``model.optimizer``.
    """
    from gdlab import optim

    if not isinstance(model, Module):
        raise TypeError(f"compile needs a gdlab.nn.Module, got {type(model).__name__}")
    params = model.parameters()
    if not params:
        raise ValueError(f"{type(model).__name__} has no parameters to train")
    if isinstance(optimizer, optim.Optimizer) and optimizer_overrides:
        raise TypeError("hyperparameter overrides go with an optimizer name, not an instance; "
                        f"got {', '.join(optimizer_overrides)}")
    if not isinstance(optimizer, (str, optim.Optimizer)) and not (
            isinstance(optimizer, type) and issubclass(optimizer, optim.Optimizer)):
        raise TypeError(f"optimizer must be a name, an optimizer class or instance, got {optimizer!r}")
    opt = optim.get(optimizer, **optimizer_overrides)
    if opt.bound:
        bound = [p for g in opt.param_groups for p in g["params"]]
        if {id(p) for p in bound} != {id(p) for p in params} or len(bound) != len(params):
            raise ValueError("the optimizer is bound to parameters other than this model's; "
                             "pass an unbound one (e.g. gdlab.optim.Adam(lr=0.01)) or a name")
    else:
        opt.bind(params)

    if isinstance(loss, (str, dict, losses_mod.Loss)):
        loss_obj = losses_mod.get(loss)
    elif callable(loss):
        loss_obj = _CallableLoss(loss)
    else:
        raise TypeError(f"loss must be a name, a gdlab.nn.losses.Loss or a function (y_pred, y_true), got {loss!r}")

    if loss_obj.reduction == "none":
        raise ValueError("fit needs a scalar loss: use reduction='mean' or 'sum', not 'none'")

    if metrics is None:
        metrics = []
    elif isinstance(metrics, (str, metrics_mod.Metric)):
        metrics = [metrics]
    metric_list, keys = [], set()
    for spec in metrics:
        m = metrics_mod.get(spec)
        key = spec.strip().lower() if isinstance(spec, str) else m.name
        if key in keys or key == "loss":
            raise ValueError(f"metric {key!r} is listed twice (or clashes with 'loss')")
        keys.add(key)
        metric_list.append((key, m))

    # the softmax/sigmoid + cross-entropy fusion (Sequential models; exact built-in classes only)
    fused, train_loss, head, final = False, loss_obj, model, None
    layers = model.layers if isinstance(model, Sequential) else None
    if (isinstance(loss_obj, losses_mod._CrossEntropy) and not loss_obj.from_logits and layers
            and type(layers[-1]) is {"Softmax": Softmax, "Sigmoid": Sigmoid}[loss_obj.fuses_with]
            and getattr(layers[-1], "axis", -1) in (-1, 1)):
        fused, train_loss, final = True, loss_obj.with_logits(), layers[-1]
        head = _Head(layers[:-1])
    if loss_obj.from_logits and isinstance(loss_obj, losses_mod.BinaryCrossentropy):
        for key, m in metric_list:  # the outputs are logits: p > 0.5 <=> z > 0
            if isinstance(m, metrics_mod.Accuracy) and m.kind in ("auto", "binary") and m.threshold == 0.5:
                m.threshold = 0.0

    compiled = Compiled(opt, loss_obj, metric_list, fused, train_loss, head, final)
    object.__setattr__(model, "compiled_", compiled)
    object.__setattr__(model, "optimizer", opt)
    object.__setattr__(model, "loss", loss_obj)
    return compiled


class _Head:
    """The layers of a Sequential before its final activation (not a Module: no registration)."""

    def __init__(self, layers):
        self.layers = list(layers)

    def steps(self):
        from .layers import fused_steps

        return fused_steps(self.layers)

    def __call__(self, x):
        for step in self.steps():
            x = step(x)
        return x


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


def _input_features(model):
    f = getattr(model, "input_features", None)
    return f if f is not None else getattr(model, "in_features", None)


def _prepare_x(model, x, what="x"):
    x = _as_array(x, what)
    dtype = _model_dtype(model)
    if x.dtype != dtype:
        x = x.astype(dtype)
    x = np.ascontiguousarray(x)
    expected = _input_features(model)
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
    state = model.__dict__.get("fit_state_")
    if state is None:
        state = {"epoch": 0, "seed": None}
        object.__setattr__(model, "fit_state_", state)
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
        state["seed"] = int(seed)
    elif state["seed"] is None:
        state["seed"] = int(np.random.SeedSequence().entropy % (2**63))
    return state


# -----------------------------------------------------------------------------------
# fit


def fit(model, x, y, epochs=1, batch_size=None, shuffle=True, validation_split=0.0, validation_data=None,
        callbacks=None, verbose=1, seed=None):
    """Train ``model`` on (x, y); returns a :class:`~gdlab.nn.History`.

    Parameters
    ----------
    x : array (n, features); converted once to the model's dtype (float32 by default)
    y : targets: (n,) or (n, outputs) for regression, integer labels (n,) for the sparse
        cross-entropy, one-hot (n, classes) for the categorical one, 0/1 for the binary one
    epochs : int >= 0, the number of passes over the data in this call
    batch_size : None (full batch: 1 update per epoch), 1 (SGD) or k (ceil(n/k) updates per epoch)
    shuffle : visit the samples in a new random order each epoch (not for full batches)
    validation_split : float in [0, 1): hold out the *last* fraction of (x, y), before any
        shuffling (Keras's rule), and report "val_" values on it after each epoch
    validation_data : (x_val, y_val), instead of validation_split
    callbacks : list of :class:`~gdlab.nn.Callback`
    verbose : 0 silent, 1 a progress bar per epoch (rich if installed, else plain text), 2 a line per epoch
    seed : int >= 0 or None, the shuffling seed (see the module docstring)

    The History's "loss" per epoch is the sample-weighted mean of the epoch's batch
    losses, each measured before its update; ``step_losses`` has every update's loss.
    """
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
    all_cbs = callbacks + [history]
    progress = None
    if verbose:
        from .progress import ProgressBar

        progress = ProgressBar(verbose)
        all_cbs.append(progress)
    params = {"epochs": epochs, "steps": steps, "batch_size": bs, "samples": n, "metrics": keys,
              "initial_epoch": first_epoch, "shuffle": bool(shuffle) and bs < n, "seed": state["seed"]}
    for cb in all_cbs:
        cb.set_model(model)
        cb.set_params(params)
    hooks = {h: [cb for cb in all_cbs if cbs.overrides(cb, h)]
             for h in ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_batch_begin",
                       "on_batch_end")}
    object.__setattr__(model, "history", history)
    object.__setattr__(model, "stop_training", False)

    # the hot loop's names, bound once
    opt = compiled.optimizer
    step = opt.step
    loss_fn = compiled.train_loss.fast()
    forward = compiled.head
    layers = forward.steps() if isinstance(forward, (Sequential, _Head)) else None  # Linear+ReLU fused
    plist = model.parameters()
    metric_objs = [m for _, m in compiled.metrics]
    to_metric = _metric_input(compiled)
    step_losses = history.step_losses
    batch_begin, batch_end = hooks["on_batch_begin"], hooks["on_batch_end"]
    do_shuffle = bool(shuffle) and bs < n

    try:
        for cb in hooks["on_train_begin"]:
            cb.on_train_begin({})
        model.train()
        for e in range(first_epoch, first_epoch + epochs):
            logs = {}
            for cb in hooks["on_epoch_begin"]:
                cb.on_epoch_begin(e, logs)
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
                    for cb in batch_begin:
                        cb.on_batch_begin(s, {"size": len(xb)})
                for p in plist:
                    p.grad = None
                if layers is not None:
                    out = xb
                    for layer in layers:
                        out = layer(out)
                else:
                    out = forward(xb)
                loss = loss_fn(out, yb)
                loss.backward()
                step()
                lv = float(loss.data)
                step_losses.append(lv)
                nb = len(xb)
                total += lv * nb
                seen += nb
                if metric_objs:
                    pred = out.data if to_metric is None else to_metric(out.data)
                    for m in metric_objs:
                        m.update(pred, yb)
                if batch_end:
                    blogs = {"loss": lv, "size": nb}
                    for cb in batch_end:
                        cb.on_batch_end(s, blogs)
                if model.stop_training:
                    break
            state["epoch"] = e + 1
            logs["loss"] = total / seen
            for key, m in compiled.metrics:
                logs[key] = m.result()
            if x_val is not None:
                val = _evaluate_arrays(model, compiled, x_val, y_val, None)
                for k, v in val.items():
                    logs["val_" + k] = v
            for cb in hooks["on_epoch_end"]:
                cb.on_epoch_end(e, logs)
            if model.stop_training:
                break
    finally:
        if progress is not None:
            progress.close()  # also when interrupted: give the terminal back
    for cb in hooks["on_train_end"]:
        cb.on_train_end({})
    return history


def _build_metrics(compiled, probe, y):
    pred = compiled.final_activation.numpy(probe) if compiled.fused else probe
    for _, m in compiled.metrics:
        m.build_for(pred, y)


# -----------------------------------------------------------------------------------
# evaluate / predict


def _batches(n, batch_size):
    bs = n if batch_size is None else batch_size
    for lo in range(0, n, bs):
        yield lo, min(lo + bs, n)


def _evaluate_arrays(model, compiled, x, y, batch_size):
    loss_fn = compiled.train_loss
    metric_objs = [(k, m.fresh()) for k, m in compiled.metrics]
    to_metric = _metric_input(compiled)
    total = 0.0
    n = len(x)
    bs = batch_size or min(n, _PREDICT_BATCH)
    with no_grad():
        for lo, hi in _batches(n, bs):
            out = compiled.head(x[lo:hi])
            lv = float(loss_fn(out, y[lo:hi]).data)
            total += lv * (hi - lo) if loss_fn.reduction == "mean" else lv
            pred = out.data if to_metric is None else to_metric(out.data)
            for _, m in metric_objs:
                m.update(pred, y[lo:hi])
    result = {"loss": total / n if loss_fn.reduction == "mean" else total}
    for k, m in metric_objs:
        result[k] = m.result()
    return result


def evaluate(model, x, y, batch_size=None, verbose=0):
    """The compiled loss and metrics of ``model`` on (x, y), as a dict {"loss": ..., metric: ...}.

    No graph is recorded and nothing changes. ``batch_size`` only bounds memory (default:
    up to 4096 samples at a time); the loss is the mean over all samples (or the sum, for
    a loss with ``reduction="sum"``).
    """
    compiled = _compiled(model, "evaluate")
    batch_size = _positive_int(batch_size, "batch_size", allow_none=True)
    x, y, probe = _prepare(model, compiled, x, y)
    _check_probabilities(compiled, probe)
    _build_metrics(compiled, probe, y)
    result = _evaluate_arrays(model, compiled, x, y, batch_size)
    if verbose:
        from .progress import format_logs

        print(format_logs(result))
    return result


def predict(model, x, batch_size=None):
    """The model's output on ``x`` as an ndarray (no graph recorded), in chunks of ``batch_size``
    (default up to 4096) samples. A model ending with Softmax returns probabilities."""
    if not isinstance(model, Module):
        raise TypeError(f"predict needs a gdlab.nn.Module, got {type(model).__name__}")
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


# -----------------------------------------------------------------------------------
# summary


def summary(model, input_features=None, print_fn=print):
    """A table of the layers: name (type), output shape, parameter count; totals below.

    Output shapes need the input width: taken from the first Linear layer, or
    ``input_features``. With ``print_fn=None`` the text is returned instead of printed.
    """
    if input_features is None:
        input_features = _input_features(model)
    rows = []
    layers = getattr(model, "layers", None)
    if layers is not None:
        entries = [(str(i), layer) for i, layer in enumerate(layers)]
    else:
        entries = [(name, mod) for name, mod in model.named_modules() if name and not mod._modules]
        if not entries:
            entries = [(type(model).__name__.lower(), model)]
    width = input_features
    for name, layer in entries:
        of = getattr(layer, "output_features", None)
        width = of(width) if of is not None else None  # a Linear knows its width even after an unknown one
        shape = f"(None, {width})" if width is not None else "?"
        count = sum(p.data.size for p in layer.parameters())
        rows.append((f"{name} ({type(layer).__name__})", shape, f"{count:,}"))
    total = model.count_params()
    head = ("Layer (type)", "Output shape", "Params")
    w = [max(len(r[i]) for r in rows + [head]) for i in range(3)]
    sep = "-" * (w[0] + w[1] + w[2] + 6)
    lines = [f'Model: "{type(model).__name__}"', sep,
             f"{head[0]:<{w[0]}}   {head[1]:<{w[1]}}   {head[2]:>{w[2]}}", sep]
    lines += [f"{a:<{w[0]}}   {b:<{w[1]}}   {c:>{w[2]}}" for a, b, c in rows]
    dtype = model.dtype
    lines += [sep, f"Total params: {total:,}" + (f" ({dtype.name})" if dtype is not None else ""),
              f"Trainable params: {total:,}", sep]
    text = "\n".join(lines)
    if print_fn is None:
        return text
    print_fn(text)
    return None

