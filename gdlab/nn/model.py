"""``Model``: a Module that trains Keras-style; ``Sequential`` and ``mlp``.

Layers know their parameters and forward pass; a Model also owns how it is trained::

    model = gdlab.nn.Sequential(gdlab.nn.Linear(2, 16, seed=0), gdlab.nn.ReLU(), gdlab.nn.Linear(16, 1, seed=1))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=100, batch_size=32, validation_split=0.2, seed=0)
    model.evaluate(x_test, y_test); model.predict(x_new); model.summary(); model.save("model.npz")

A model of your own subclasses ``Model`` (as in Keras) and defines ``forward``::

    class TwoLayer(gdlab.nn.Model):
        def __init__(self):
            super().__init__()
            self.hidden = gdlab.nn.Linear(4, 8, seed=0)
            self.out = gdlab.nn.Linear(8, 3, seed=1)

        def forward(self, x):
            return self.out(gdlab.relu(self.hidden(x)))

The model keeps its training state: ``compiled_`` (what ``compile`` decided, a
:class:`Compiled`), ``optimizer``, ``loss``, ``history`` (the last fit's History),
``fit_state_`` (epoch count and shuffling seed, so that a second ``fit`` or a reloaded
checkpoint goes on where the last one stopped) and ``stop_training``. The loop itself is
the :class:`~gdlab.nn.trainer.Trainer`'s; files are :mod:`gdlab.nn.saving`'s.
"""

from __future__ import annotations

import numpy as np

from .. import _display
from . import losses as losses_mod
from . import metrics as metrics_mod
from . import regularizers, saving
from .config import build, layer_config, layer_from_config, parameter_shapes, register_module
from .layers import ACTIVATIONS, Linear, Sigmoid, Softmax, _Elementwise, _positive_int, fused_steps, get_activation
from .module import Module
from .trainer import Trainer
from .trainer import input_features as _input_features

__all__ = ["Model", "Sequential", "mlp", "Compiled"]


# -----------------------------------------------------------------------------------
# what compile decides


class Compiled:
    """What ``compile`` decided (``model.compiled_``), and what the Trainer runs with.

    ``optimizer`` (bound to the model's parameters), ``loss`` (the Loss as given),
    ``metrics`` (list of (log key, Metric)), and, when the model ends with the
    activation a from-probabilities cross-entropy undoes (Softmax for the categorical
    ones, Sigmoid for the binary one), ``fused = True``: training and evaluation run
    the layers before that activation (``head``) and the loss ``from_logits``
    (``train_loss``), which is the same function computed stably (log-sum-exp instead
    of log(softmax)). ``head_layers``: the layers ``head`` chains (a Sequential's), else None.
    ``regularizer``: the weight penalty added to the loss (a
    :class:`~gdlab.nn.regularizers.Regularizer`), or None; ``kernels``: the Tensors it penalises
    (the weights of the model's Linear layers, not the biases).
    """

    def __init__(self, optimizer, loss, metrics, fused, train_loss, head, head_layers, final_activation,
                 regularizer=None, kernels=()):
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.fused = fused
        self.train_loss = train_loss
        self.head = head  # the forward whose output the train loss takes
        self.head_layers = head_layers
        self.final_activation = final_activation
        self.regularizer = regularizer
        self.kernels = list(kernels)


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


class _Head:
    """The layers of a Sequential before its final activation (not a Module: no registration)."""

    def __init__(self, layers):
        self.layers = list(layers)

    def __call__(self, x):
        for step in fused_steps(self.layers):
            x = step(x)
        return x


def _compile(model, optimizer, loss, metrics, optimizer_overrides, regularizer=None) -> Compiled:
    from .. import optim

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
    layers = model.layers if isinstance(model, Sequential) else None
    fused, train_loss, head, head_layers, final = False, loss_obj, model, layers, None
    if (isinstance(loss_obj, losses_mod._CrossEntropy) and not loss_obj.from_logits and layers
            and type(layers[-1]) is {"Softmax": Softmax, "Sigmoid": Sigmoid}[loss_obj.fuses_with]
            and getattr(layers[-1], "axis", -1) in (-1, 1)):
        fused, train_loss, final = True, loss_obj.with_logits(), layers[-1]
        head = _Head(layers[:-1])
        head_layers = head.layers
    if loss_obj.from_logits and isinstance(loss_obj, losses_mod.BinaryCrossentropy):
        for key, m in metric_list:  # the outputs are logits: p > 0.5 <=> z > 0
            if isinstance(m, metrics_mod.Accuracy) and m.kind in ("auto", "binary") and m.threshold == 0.5:
                m.threshold = 0.0
    reg = regularizers.get(regularizer)
    kernels = [] if reg is None else [m.weight for _, m in model.named_modules() if isinstance(m, Linear)]
    if reg is not None and not kernels:
        raise ValueError(f"regularizer {reg!r} penalises the weights of Linear layers; {type(model).__name__} "
                         "has none")
    return Compiled(opt, loss_obj, metric_list, fused, train_loss, head, head_layers, final, reg, kernels)


# -----------------------------------------------------------------------------------
# Model


class Model(Module):
    """A Module that owns its training: compile, fit, evaluate, predict, summary, save (see the module docstring).

    Attributes
    ----------
    compiled_ : Compiled or None, what ``compile`` decided
    optimizer : the compiled optimizer (None before ``compile``); ``loss``: the compiled Loss
    history : the History of the last ``fit`` (None before)
    fit_state_ : {"epoch": epochs trained so far, "seed": the shuffling seed}, or None before the first fit
    stop_training : a callback sets it to True to end training after the current batch
    """

    def __init__(self):
        super().__init__()
        self.compiled_ = None
        self.optimizer = None
        self.loss = None
        self.history = None
        self.fit_state_ = None
        self.stop_training = False

    def compile(self, optimizer="adam", loss="mse", metrics=None, regularizer=None,
                **optimizer_overrides) -> Compiled:
        """Choose the optimizer, loss and metrics of ``fit``.

        Parameters
        ----------
        optimizer : name ("sgd", "momentum", "adam", ... see ``gdlab.optim.names()``), an
            optimizer class, or an instance built without parameters (Keras style,
            ``gdlab.optim.Adam(lr=0.1)``) or with exactly this model's parameters.
            Unbound optimizers are bound to ``model.parameters()`` here.
        loss : a name (see ``gdlab.nn.losses.names()``), a Loss, or a function
            ``f(y_pred, y_true) -> scalar Tensor``.
        metrics : list of names ("accuracy", "mse", "mae", "r2", ...) or Metric objects.
        regularizer : None, or a weight penalty added to the loss over the weights of the Linear
            layers (not the biases): ``nn.regularizers.L1(rate)`` (rate * sum |w|),
            ``nn.regularizers.L2(rate)`` (rate / 2 * sum w^2), a name "l1"/"l2" (rate 1e-3) or a
            record ``{"name": "l1", "rate": 1e-3}``. The History's, ``evaluate``'s and ``val_loss``'s
            "loss" then include the penalty (see :mod:`gdlab.nn.regularizers`).
        **optimizer_overrides : hyperparameters for an optimizer given by name,
            e.g. ``compile("sgd", "mse", lr=0.01)``.

        A model that ends with ``Softmax`` (``Sigmoid``) compiled with the categorical
        (binary) cross-entropy from probabilities, Keras's default, is trained from the
        logits (see :class:`Compiled`); ``predict`` still returns probabilities.

        Returns the :class:`Compiled` record, also kept as ``model.compiled_``; the
        optimizer is ``model.optimizer``.
        """
        compiled = _compile(self, optimizer, loss, metrics, optimizer_overrides, regularizer)
        self.compiled_ = compiled
        self.optimizer = compiled.optimizer
        self.loss = compiled.loss
        return compiled

    def fit(self, x, y, epochs=1, batch_size=None, shuffle=True, validation_split=0.0, validation_data=None,
            callbacks=None, verbose=1, seed=None):
        """Train on (x, y); returns a :class:`~gdlab.nn.History` (also kept as ``model.history``).

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
        seed : int >= 0 or None, the shuffling seed (see :mod:`gdlab.nn.trainer`)

        The History's "loss" per epoch is the sample-weighted mean of the epoch's batch
        losses, each measured before its update; ``step_losses`` has every update's loss.
        """
        return Trainer(self).fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=shuffle,
                                 validation_split=validation_split, validation_data=validation_data,
                                 callbacks=callbacks, verbose=verbose, seed=seed)

    def evaluate(self, x, y, batch_size=None, verbose=0) -> dict:
        """The compiled loss and metrics on (x, y), as a dict {"loss": ..., metric: ...}.

        No graph is recorded and nothing changes. ``batch_size`` only bounds memory (default:
        up to 4096 samples at a time); the loss is the mean over all samples (or the sum, for
        a loss with ``reduction="sum"``). ``verbose`` prints the values on one line.
        """
        return Trainer(self).evaluate(x, y, batch_size=batch_size, verbose=verbose)

    def predict(self, x, batch_size=None) -> np.ndarray:
        """The model's output on ``x`` as an ndarray (no graph recorded), in chunks of ``batch_size``
        (default up to 4096) samples. A model ending with Softmax returns probabilities."""
        return Trainer(self).predict(x, batch_size=batch_size)

    def summary_table(self, input_features=None) -> dict:
        """The summary as data: ``{"name", "rows": [(layer (type), output shape, params), ...], "total",
        "dtype"}`` (what :meth:`summary` prints and what a notebook shows as a table)."""
        if input_features is None:
            input_features = _input_features(self)
        rows = []
        layers = getattr(self, "layers", None)
        if layers is not None:
            entries = [(str(i), layer) for i, layer in enumerate(layers)]
        else:
            entries = [(name, mod) for name, mod in self.named_modules() if name and not mod._modules]
            if not entries:
                entries = [(type(self).__name__.lower(), self)]
        width = input_features
        for name, layer in entries:
            of = getattr(layer, "output_features", None)
            width = of(width) if of is not None else None  # a Linear knows its width even after an unknown one
            shape = f"(None, {width})" if width is not None else "?"
            count = sum(p.data.size for p in layer.parameters())
            rows.append((f"{name} ({type(layer).__name__})", shape, f"{count:,}"))
        dtype = self.dtype
        return {"name": type(self).__name__, "rows": rows, "total": self.count_params(),
                "dtype": None if dtype is None else dtype.name}

    def summary(self, input_features=None, print_fn=print):
        """A table of the layers: name (type), output shape, parameter count; totals below.

        Output shapes need the input width: taken from the first Linear layer, or
        ``input_features``. With ``print_fn=None`` the text is returned instead of printed; in a
        Jupyter notebook the default shows the table as HTML (the text stays its plain form).
        """
        table = self.summary_table(input_features)
        rows, total = table["rows"], table["total"]
        head = ("Layer (type)", "Output shape", "Params")
        w = [max(len(r[i]) for r in rows + [head]) for i in range(3)]
        sep = "-" * (w[0] + w[1] + w[2] + 6)
        lines = [f'Model: "{table["name"]}"', sep,
                 f"{head[0]:<{w[0]}}   {head[1]:<{w[1]}}   {head[2]:>{w[2]}}", sep]
        lines += [f"{a:<{w[0]}}   {b:<{w[1]}}   {c:>{w[2]}}" for a, b, c in rows]
        lines += [sep, f"Total params: {total:,}" + (f" ({table['dtype']})" if table["dtype"] else ""),
                  f"Trainable params: {total:,}", sep]
        text = "\n".join(lines)
        if print_fn is None:
            return text
        if print_fn is print and _display.in_notebook():
            _display.show("model_summary", table, text)
            return None
        print_fn(text)
        return None

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _display.bundle("model", self, include, exclude)

    def save(self, path) -> None:
        """Architecture, weights, optimizer state and compile config in one .npz; see :func:`gdlab.nn.save_model`."""
        saving.save_model(self, path)

    def save_weights(self, path) -> None:
        """The parameters only, as a .npz of name -> array (any model, architecture not needed)."""
        saving.save_weights(self, path)

    def load_weights(self, path) -> None:
        """Load parameters written by ``save_weights`` (or ``save``) into this model, in place."""
        saving.load_weights(self, path)



# -----------------------------------------------------------------------------------
# Sequential


@register_module
class Sequential(Model):
    """Layers applied one after the other: ``Sequential(Linear(2, 8), ReLU(), Linear(8, 1))``.

    Also accepts one list of layers; ``add(layer)`` appends (Keras). Indexing, ``len`` and
    iteration give the layers; ``model.layers`` is the list. Parameter names are
    ``"<index>.<name>"`` (``"0.weight"``), as in PyTorch.
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        self.layers = []
        for layer in layers:
            self.add(layer)

    def add(self, layer: Module) -> "Sequential":
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential takes Modules (layers), got {layer!r}")
        setattr(self, str(len(self.layers)), layer)
        self.layers.append(layer)
        return self

    def forward(self, x):
        for step in self.steps():
            x = step(x)
        return x

    def steps(self) -> list:
        """The layers as callables, Linear + ReLU pairs fused (:func:`gdlab.nn.layers.fused_steps`),
        cached until the layers change."""
        cache = self.__dict__.get("_steps_cache")
        if cache is None or len(cache[0]) != len(self.layers) or any(a is not b for a, b in zip(cache[0], self.layers)):
            cache = (list(self.layers), fused_steps(self.layers))
            self.__dict__["_steps_cache"] = cache
        return cache[1]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Sequential(*self.layers[i])
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def output_features(self, in_features):
        for layer in self.layers:
            f = getattr(layer, "output_features", None)
            if f is None:
                return None
            in_features = f(in_features)
        return in_features

    @property
    def input_features(self):
        """The number of input features the first Linear layer expects (None if unknown)."""
        for layer in self.layers:
            if isinstance(layer, Linear):
                return layer.in_features
            if not isinstance(layer, _Elementwise):
                return None
        return None

    def get_config(self):
        return {"layers": [layer_config(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config):
        return cls(*[layer_from_config(c) for c in _layer_records(config)])

    @classmethod
    def parameter_shapes(cls, config):
        shapes = {}
        for i, record in enumerate(_layer_records(config)):
            inner = parameter_shapes(record)
            if inner is None:
                return None
            shapes.update({f"{i}.{name}": shape for name, shape in inner.items()})
        return shapes


def _layer_records(config):
    layers = config.get("layers") if isinstance(config, dict) else None
    if not isinstance(layers, list):
        raise ValueError(f"a Sequential config is {{'layers': [layer records]}}, got {config!r:.200}")
    return layers

    def __repr__(self):
        if not self.layers:
            return "Sequential()"
        body = "\n".join(f"  ({i}): {repr(layer)}".replace("\n", "\n  ") for i, layer in enumerate(self.layers))
        return f"Sequential(\n{body}\n)"


def mlp(sizes, activation="relu", output_activation=None, init=None, seed=None, dtype="float32") -> Sequential:
    """A multi-layer perceptron: ``mlp([784, 256, 256, 10])`` is
    Linear(784, 256), ReLU, Linear(256, 256), ReLU, Linear(256, 10).

    Parameters
    ----------
    sizes : sequence of >= 2 positive ints, the widths from input to output
    activation : name or Module class instance between the layers (a new instance each time)
    output_activation : None (logits or a regression output), "softmax", "sigmoid", ...
    init : weight initialiser; None picks ``"he_uniform"`` for ReLU-like activations and
        ``"glorot_uniform"`` otherwise
    seed : None, int or Generator; one stream seeds all the layers in order
    dtype : "float32" (default) or "float64"
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"mlp needs at least two sizes (inputs and outputs), got {sizes!r}")
    sizes = [_positive_int(s, "each size") for s in sizes]
    act_name = activation if isinstance(activation, str) else None
    if act_name is not None and act_name.lower() not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; known: {', '.join(sorted(ACTIVATIONS))}")
    if init is None:
        init = "he_uniform" if act_name in ("relu", "leaky_relu") else "glorot_uniform"
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(a, b, init=init, seed=rng, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(_make_activation(activation))
    if output_activation is not None:
        layers.append(_make_activation(output_activation))
    return Sequential(*layers)


def _make_activation(spec):
    if isinstance(spec, Module):
        return build(type(spec), spec.get_config())
    return get_activation(spec)
