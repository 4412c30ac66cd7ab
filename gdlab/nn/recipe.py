"""The train recipe: data set -> model -> compile -> fit -> evaluate, from one JSON-friendly spec.

``gdlab train`` is a translation of its options into a :class:`TrainSpec` and one call of
:func:`train`; the web server and sweeps call the same function, so their numbers are the same::

    from gdlab.nn.recipe import TrainSpec, train

    spec = TrainSpec(dataset="moons", data={"noise": 0.2}, model="2-16-16-2", optimizer="adam", lr=0.01,
                     epochs=200, batch_size=32, seed=0)
    result = train(spec)
    result.evaluation            # {"train": {"loss": ..., "accuracy": ...}, "test": {...}}
    result.history.history       # per epoch: loss, accuracy, val_loss, val_accuracy
    result.predict(points)       # the trained model on raw (unstandardised) inputs

    TrainSpec.from_dict(spec.to_dict()) == spec        # plain JSON values both ways

The steps, in order (each seeded by ``seed`` where it draws random numbers):

1. the data set ``datasets.get(dataset, **data)`` (``seed`` is passed on to a generator that
   takes one, unless ``data`` sets its own); images are flattened to (n, features);
2. the split: ``test_size`` of the samples held out by ``datasets.train_test_split``
   (0: no test part); the test part is the validation data of ``fit``;
3. standardisation, fitted on the training part only (``standardize``);
4. the model ``nn.mlp(model, activation)``; the default model is input-16-16-output;
5. ``compile``: the loss and metrics follow the task unless given: classification gets the
   cross-entropy from logits (binary for one output, sparse categorical otherwise) and accuracy,
   regression the mean squared error and R^2; the weight penalty ``regularizer`` (L1/L2, none by default);
6. ``fit`` for ``epochs`` with ``batch_size`` (None: the full batch, one update per epoch);
7. ``evaluate`` on the training part and the test part.

Uses only the public API of gdlab.nn, gdlab.datasets and gdlab.optim's names.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from . import regularizers

__all__ = ["TrainSpec", "TrainSpecError", "TrainData", "TrainResult", "prepare", "train", "default_loss"]

MAX_LAYER_SIZE = 100_000
MAX_TEST_SIZE = 0.9
DEFAULT_HIDDEN = (16, 16)


class TrainSpecError(ValueError):
    """A bad :class:`TrainSpec` value. ``field`` names the field; the message starts with it."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def _fail(name, what, value, label=None):
    """Raise TrainSpecError for field ``name`` (``label``: the part of it, e.g. "data['noise']")."""
    raise TrainSpecError(name, f"{label or name} must be {what}, got {value!r}")


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_number(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _name(name, value, optional=False):
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        _fail(name, "a non-empty name" + (" or None" if optional else ""), value)
    return value


def _json_value(name, value, label=None):
    """``value`` as plain JSON (tuples become lists, NumPy scalars Python ones), else TrainSpecError."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if _is_int(value):
        return int(value)
    if _is_number(value):
        if not math.isfinite(float(value)):
            _fail(name, "a finite number", value, label)
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(name, v, label) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(name, v, label) for k, v in value.items()}
    _fail(name, "a number, a string, true/false, null or a list of them", value, label)


def _keywords(name, value, tuples=False):
    """A dict of keyword arguments with JSON values (lists as tuples when ``tuples``)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(name, "a mapping of keyword names to values", value)
    out = {}
    for key, v in value.items():
        if not isinstance(key, str) or not key.isidentifier():
            _fail(name, "a mapping whose keys are keyword names", key)
        v = _json_value(name, v, label=f"{name}[{key!r}]")
        out[key] = tuple(v) if tuples and isinstance(v, list) else v
    return out


def _sizes(value):
    """Layer sizes from "2-16-16-2" or a sequence of ints: a tuple of >= 2 ints in [1, MAX_LAYER_SIZE]."""
    what = f"layer sizes joined by '-' (e.g. '2-16-16-2') or a list of at least two ints in [1, {MAX_LAYER_SIZE}]"
    if value is None:
        return None
    if isinstance(value, str):
        if not re.fullmatch(r"\s*\d+(?:\s*-\s*\d+)+\s*", value):
            _fail("model", what, value)
        sizes = [int(v) for v in value.split("-")]
    elif isinstance(value, (list, tuple)) and all(_is_int(v) for v in value):
        sizes = [int(v) for v in value]
    else:
        _fail("model", what, value)
    if len(sizes) < 2 or any(not 1 <= v <= MAX_LAYER_SIZE for v in sizes):
        _fail("model", what, value)
    return tuple(sizes)


@dataclass(frozen=True)
class TrainSpec:
    """Everything ``gdlab train`` accepts, as plain values (see the module docstring for the steps).

    Attributes
    ----------
    dataset : a data set name (``gdlab.datasets.names()``), default "moons"
    data : keyword arguments of the data set, e.g. ``{"n_samples": 500, "noise": 0.2}``
    test_size : fraction in [0, 0.9] held out as the test (validation) part; 0: none
    standardize : standardise the features, fitted on the training part
    model : layer sizes input-hidden...-output, "2-16-16-2" or [2, 16, 16, 2] (kept as a tuple);
        None: input-16-16-output for the data set
    activation : between the Linear layers (relu, tanh, sigmoid, leaky_relu, ...)
    loss, metrics : names; None: from the task (see :func:`default_loss`)
    optimizer : a name of ``gdlab.optim`` ("gd" is plain SGD)
    optimizer_params : its hyperparameters other than lr, e.g. ``{"momentum": 0.9}``
    lr : learning rate > 0
    epochs : int >= 1
    batch_size : int >= 1, or None for the full batch (one update per epoch)
    seed : None or int >= 0; seeds the data (where the generator takes a seed), the split,
        the initial weights and the shuffling
    regularizer : None, or the weight penalty of ``compile`` (:mod:`gdlab.nn.regularizers`):
        "l1"/"l2" (rate 1e-3) or ``{"name": "l1", "rate": 1e-3}``; kept as that record
    """

    dataset: str = "moons"
    data: dict = field(default_factory=dict)
    test_size: float = 0.2
    standardize: bool = True
    model: Any = None
    activation: str = "relu"
    loss: str | None = None
    metrics: Any = None
    optimizer: str = "adam"
    optimizer_params: dict = field(default_factory=dict)
    lr: float = 0.01
    epochs: int = 200
    batch_size: int | None = 32
    seed: int | None = None
    regularizer: Any = None

    def __post_init__(self):
        set_ = object.__setattr__  # frozen: the normalised values are set once, here
        _name("dataset", self.dataset)
        set_(self, "data", _keywords("data", self.data))
        if not _is_number(self.test_size) or not 0 <= self.test_size <= MAX_TEST_SIZE:
            _fail("test_size", f"a fraction in [0, {MAX_TEST_SIZE}]", self.test_size)
        set_(self, "test_size", float(self.test_size))
        if not isinstance(self.standardize, (bool, np.bool_)):
            _fail("standardize", "true or false", self.standardize)
        set_(self, "standardize", bool(self.standardize))
        set_(self, "model", _sizes(self.model))
        _name("activation", self.activation)
        _name("loss", self.loss, optional=True)
        if self.metrics is not None:
            metrics = [self.metrics] if isinstance(self.metrics, str) else self.metrics
            if not isinstance(metrics, (list, tuple)) or not all(isinstance(m, str) and m.strip() for m in metrics):
                _fail("metrics", "None or a list of metric names", self.metrics)
            set_(self, "metrics", tuple(metrics))
        _name("optimizer", self.optimizer)
        params = _keywords("optimizer_params", self.optimizer_params, tuples=True)
        if "lr" in params:
            raise TrainSpecError("optimizer_params", "optimizer_params must not hold lr: the learning rate is "
                                                     "the field lr")
        set_(self, "optimizer_params", params)
        if not _is_number(self.lr) or not math.isfinite(self.lr) or self.lr <= 0:
            _fail("lr", "a finite number > 0", self.lr)
        set_(self, "lr", float(self.lr))
        if not _is_int(self.epochs) or self.epochs < 1:
            _fail("epochs", "an int >= 1", self.epochs)
        set_(self, "epochs", int(self.epochs))
        if self.batch_size is not None and (not _is_int(self.batch_size) or self.batch_size < 1):
            _fail("batch_size", "an int >= 1, or None for the full batch", self.batch_size)
        set_(self, "batch_size", None if self.batch_size is None else int(self.batch_size))
        if self.seed is not None and (not _is_int(self.seed) or self.seed < 0):
            _fail("seed", "None or an int >= 0", self.seed)
        set_(self, "seed", None if self.seed is None else int(self.seed))
        try:
            reg = regularizers.get(self.regularizer)
        except ValueError as exc:
            raise TrainSpecError("regularizer", f"regularizer: {exc}") from None
        set_(self, "regularizer", None if reg is None else reg.get_config())

    def __hash__(self):  # the dict fields are not hashable; equal specs have equal plain values
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def to_dict(self) -> dict:
        """Plain JSON values (tuples as lists); ``TrainSpec.from_dict`` reads them back."""
        return {f.name: _json_value(f.name, getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, values) -> "TrainSpec":
        """A spec from plain values (as from JSON); missing fields take their defaults.

        Raises TrainSpecError (a ValueError) naming the field for an unknown field or a bad value.
        """
        if not isinstance(values, dict):
            raise TrainSpecError("spec", f"spec must be a mapping of field names to values, got {values!r}")
        known = [f.name for f in fields(cls)]
        for key in values:
            if key not in known:
                raise TrainSpecError(str(key), f"{key!r} is not a TrainSpec field; the fields are: {', '.join(known)}")
        return cls(**values)


def default_loss(task: str, outputs: int) -> tuple[str, tuple[str, ...]]:
    """The loss and metrics ``train`` uses when the spec leaves them to the task.

    classification: the binary cross-entropy from logits for one output, the sparse categorical
    cross-entropy from logits otherwise, and accuracy; regression: the mean squared error and R^2.
    """
    if task == "classification":
        loss = "binary_crossentropy_from_logits" if outputs == 1 else "sparse_categorical_crossentropy_from_logits"
        return loss, ("accuracy",)
    return "mse", ("r2",)


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    spec : the TrainSpec trained
    dataset : the :class:`~gdlab.datasets.Dataset` loaded
    model : the trained model (a compiled ``nn.mlp``)
    history : the :class:`~gdlab.nn.History` of ``fit``
    task : "classification" or "regression"
    sizes, loss, metrics : the layer sizes, loss and metrics actually used (defaults resolved)
    x, y : every sample (x as (n, features)), raw
    x_train, y_train, x_test, y_test : the split, raw (the test part is None when test_size is 0)
    scaler : the fitted :class:`~gdlab.datasets.Standardizer`, or None
    train_data, validation_data : (inputs, targets) exactly as given to ``fit`` (standardised,
        targets shaped for the loss); validation_data is None without a test part
    evaluation : {"train": {"loss": ..., metric: ...}, "test": {...}} (no "test" without a test part)
    """

    spec: TrainSpec
    dataset: Any
    model: Any
    history: Any
    task: str
    sizes: tuple
    loss: str
    metrics: tuple
    x: np.ndarray
    y: np.ndarray
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    scaler: Any
    train_data: tuple
    validation_data: tuple | None
    evaluation: dict

    @property
    def n_features(self) -> int:
        return int(self.x.shape[1])

    def predict(self, points):
        """The trained model on raw (unstandardised) inputs of shape (n, features)."""
        points = np.asarray(points, dtype=float)
        return self.model.predict(self.scaler.transform(points) if self.scaler is not None else points)


def _takes_seed(dataset: str) -> bool:
    """Whether the data set's loader takes a ``seed`` argument."""
    import inspect

    from gdlab.datasets import registry

    try:
        return "seed" in inspect.signature(registry.REGISTRY.get(dataset)).parameters
    except (ValueError, TypeError):
        return False


def _check_sizes(sizes, dataset, n_features, task, n_classes):
    shown = "-".join(map(str, sizes))
    if sizes[0] != n_features:
        raise TrainSpecError("model", f"model {shown}: the input size must be {n_features}, "
                                      f"the number of features of {dataset!r}")
    if task == "classification" and sizes[-1] != n_classes and not (n_classes == 2 and sizes[-1] == 1):
        raise TrainSpecError("model", f"model {shown}: the output size must be {n_classes}, "
                                      f"the number of classes of {dataset!r}")
    if task != "classification" and sizes[-1] != 1:
        raise TrainSpecError("model", f"model {shown}: {dataset!r} is a regression data set; "
                                      f"the output size must be 1")


@dataclass(frozen=True)
class TrainData:
    """What :func:`prepare` returns: steps 1 to 3 of the recipe and the layer sizes (step 4's).

    Attributes
    ----------
    spec, dataset, task, sizes : as in :class:`TrainResult`
    x, y, x_train, y_train, x_test, y_test, scaler : as in :class:`TrainResult`
    train_data, validation_data : (inputs, targets) exactly as ``fit`` gets them
    """

    spec: TrainSpec
    dataset: Any
    task: str
    sizes: tuple
    x: np.ndarray
    y: np.ndarray
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    scaler: Any
    train_data: tuple
    validation_data: tuple | None


def _spec(spec):
    if isinstance(spec, dict):
        spec = TrainSpec.from_dict(spec)
    if not isinstance(spec, TrainSpec):
        raise TypeError(f"train needs a TrainSpec or a dict of its fields, got {type(spec).__name__}")
    return spec


def prepare(spec: TrainSpec) -> TrainData:
    """Steps 1 to 3 of the recipe of ``spec`` (the data, the split, the standardisation) and the layer sizes.

    What :func:`train` fits, without fitting: a callback that needs the training data before
    ``fit`` (``gdlab.nn.curvature.SharpnessCallback``), or the loss landscape of a model saved
    after training (``gdlab landscape``), takes ``train_data`` from here. Raises as :func:`train`.
    """
    from gdlab import datasets

    spec = _spec(spec)
    seed = spec.seed
    kwargs = dict(spec.data)
    if seed is not None and "seed" not in kwargs and _takes_seed(spec.dataset):
        kwargs["seed"] = seed
    ds = datasets.get(spec.dataset, **kwargs)
    x, y = ds.x, ds.y
    if x.ndim != 2:
        x = x.reshape(len(x), -1)
    task = "classification" if ds.task == "classification" else "regression"
    n_features = x.shape[1]
    n_classes = int(y.max()) + 1 if task == "classification" else 1
    sizes = spec.model or (n_features, *DEFAULT_HIDDEN, n_classes)
    _check_sizes(sizes, spec.dataset, n_features, task, n_classes)

    if spec.test_size > 0:
        x_train, x_test, y_train, y_test = datasets.train_test_split(x, y, test_size=spec.test_size, seed=seed)
    else:
        x_train, y_train, x_test, y_test = x, y, None, None
    scaler = datasets.Standardizer().fit(x_train) if spec.standardize else None
    fit_x = scaler.transform(x_train) if scaler is not None else x_train
    val_x = None if x_test is None else scaler.transform(x_test) if scaler is not None else x_test

    def target(values):  # class indices for the sparse cross-entropy, a column otherwise
        return values if task == "classification" and sizes[-1] > 1 else values.reshape(-1, 1)

    train_data = (fit_x, target(y_train))
    validation_data = (val_x, target(y_test)) if x_test is not None else None
    return TrainData(spec=spec, dataset=ds, task=task, sizes=tuple(sizes), x=x, y=y, x_train=x_train,
                     y_train=y_train, x_test=x_test, y_test=y_test, scaler=scaler, train_data=train_data,
                     validation_data=validation_data)


def train(spec: TrainSpec, callbacks=None, verbose: int = 0, data: TrainData | None = None) -> TrainResult:
    """Run the recipe of ``spec`` (a TrainSpec, or a dict for ``TrainSpec.from_dict``).

    ``callbacks`` and ``verbose`` go to ``fit``. ``data``: what :func:`prepare` returned for this
    spec (steps 1 to 3 are then not repeated). Raises TrainSpecError (field "model") when the
    layer sizes do not fit the data set; the layers' own ValueError/TypeError for an unknown
    data set, data argument, activation, optimizer, loss or metric.
    """
    from gdlab.nn import mlp

    spec = _spec(spec)
    if data is None:
        data = prepare(spec)
    elif data.spec != spec:
        raise ValueError("data was prepared for another spec: pass the TrainData that prepare(spec) returned")
    task, sizes, seed = data.task, data.sizes, spec.seed
    model = mlp(list(sizes), activation=spec.activation, seed=seed)
    loss, metrics = default_loss(task, sizes[-1])
    loss = spec.loss if spec.loss is not None else loss
    metrics = spec.metrics if spec.metrics is not None else metrics
    optimizer = "sgd" if spec.optimizer.strip().lower() == "gd" else spec.optimizer
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics), regularizer=spec.regularizer, lr=spec.lr,
                  **spec.optimizer_params)

    train_data, validation_data = data.train_data, data.validation_data
    history = model.fit(*train_data, epochs=spec.epochs, batch_size=spec.batch_size,
                        validation_data=validation_data, seed=seed, verbose=verbose, callbacks=callbacks)
    evaluation = {"train": model.evaluate(*train_data)}
    if validation_data is not None:
        evaluation["test"] = model.evaluate(*validation_data)
    return TrainResult(spec=spec, dataset=data.dataset, model=model, history=history, task=task,
                       sizes=tuple(sizes), loss=loss, metrics=tuple(metrics), x=data.x, y=data.y,
                       x_train=data.x_train, y_train=data.y_train, x_test=data.x_test, y_test=data.y_test,
                       scaler=data.scaler, train_data=train_data, validation_data=validation_data,
                       evaluation=evaluation)
