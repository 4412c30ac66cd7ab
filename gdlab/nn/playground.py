"""The network playground: copies of one small network on 2-D data, trained in lockstep.

What ``gdlab serve``'s Networks page trains, as a library object::

    from gdlab.nn.playground import Playground, playground_data

    data = playground_data("moons", n_samples=200, noise=0.2, seed=0)
    pg = Playground(data, features=["x1", "x2"], hidden=[4, 4], activation="tanh",
                    optimizers=[{"optimizer": "gd", "lr": 0.1}, {"optimizer": "adam", "lr": 0.03}],
                    batch_size=10, test_fraction=0.5, data_seed=0, seed=0)
    pg.advance(10)             # ten more epochs for every copy
    pg.history[0]["loss"]      # the first copy's loss per epoch
    pg.grid(50)                # every copy's output over the plane

The steps, in order, all of them the public API of gdlab.datasets and gdlab.nn:

1. the split ``datasets.train_test_split(x, y, test_size=test_fraction, seed=data_seed)``
   (``test_fraction=0``: no test part);
2. standardisation fitted on the training part (``datasets.Standardizer``), then the input
   features of the standardised points (``datasets.expand_features``);
3. per copy the same ``nn.mlp([features, *hidden, outputs], activation, seed=seed)`` (so every
   copy starts from the same weights), compiled with its optimizer and lr, the weight decay
   ``weight_decay`` (L2, the optimizers' own ``weight_decay``, unless a copy sets it), the weight
   penalty ``regularizer`` (``compile``'s: L1 or L2 on the kernels, added to the loss, as TF
   Playground's "Regularization"; None by default) and the task's loss and metric
   (:func:`gdlab.nn.recipe.default_loss`: binary cross-entropy from logits for two classes,
   sparse categorical for more, mean squared error for a target);
4. ``advance(k)``: ``model.fit(..., epochs=k, batch_size=batch_size, validation_data=test part,
   seed=seed)`` for each copy. ``fit`` goes on where the last call stopped (epoch count,
   shuffling and optimizer state), so ``advance(3); advance(2)`` gives the numbers of one
   ``fit(epochs=5)``, and every copy sees the same batches in the same order.

Outputs over the plane (:meth:`Playground.grid`): for two classes the probability of class 1,
for more the most likely class, for a target the prediction.
"""

from __future__ import annotations

import numpy as np

from gdlab.autodiff import no_grad

from . import regularizers
from .callbacks import Callback
from .layers import Linear
from .model import mlp
from .recipe import default_loss

__all__ = ["Playground", "playground_data", "PLAYGROUND_DATASETS", "ACTIVATION_NAMES"]

#: the data sets of the plane: name -> task (the regression ones drawn with two features)
PLAYGROUND_DATASETS = {"moons": "classification", "circles": "classification", "spirals": "classification",
                       "xor": "classification", "blobs": "classification", "linear": "regression",
                       "polynomial": "regression", "sine": "regression"}
ACTIVATION_NAMES = ("relu", "tanh", "sigmoid", "leaky_relu", "softplus")


def playground_data(name: str, n_samples: int = 200, noise: float = 0.1, seed=None):
    """A 2-D data set of :data:`PLAYGROUND_DATASETS` (``datasets.get``; the regression ones with
    ``n_features=2``, the polynomial the bowl 0.5 (x1^2 + x2^2) on [-2, 2]^2, the blobs two
    centers on [-4, 4]^2)."""
    from gdlab import datasets

    key = str(name).strip().lower()
    if key not in PLAYGROUND_DATASETS:
        raise ValueError(f"unknown playground data set {name!r}; choose from {', '.join(PLAYGROUND_DATASETS)}")
    kwargs = {"n_samples": n_samples, "noise": noise, "seed": seed}
    if PLAYGROUND_DATASETS[key] == "regression":
        kwargs["n_features"] = 2
    if key == "blobs":
        kwargs.update(centers=2, center_box=(-4.0, 4.0))
    if key == "polynomial":  # the bowl 0.5 (x1^2 + x2^2) on [-2, 2]^2: targets in [0, 4]
        kwargs.update(coefficients=(0.0, 0.0, 0.5), x_range=(-2.0, 2.0))
    return datasets.get(key, **kwargs)


class _Stop(Callback):
    """Calls ``check()`` after every update (a deadline raises from there); with ``after``, ends
    training after that many updates."""

    def __init__(self, check=None, after=None):
        super().__init__()
        self.check = check
        self.after = after
        self.done = 0

    def on_batch_end(self, batch, logs=None):
        if self.check is not None:
            self.check()
        self.done += 1
        if self.after is not None and self.done >= self.after:
            self.model.stop_training = True


class Playground:
    """Copies of one network trained in lockstep on a 2-D data set (see the module docstring).

    Attributes
    ----------
    task : "classification" or "regression"; ``classes`` (1 for a target)
    models : the copies (compiled ``nn.mlp``); ``optimizers``: their specs as given
    history : per copy {key: [value per epoch]} (loss, accuracy or r2, and the val_ ones)
    epoch : epochs trained; ``steps_per_epoch``: updates per epoch; ``updates``: in all
    x_train, y_train, x_test, y_test : the split, raw; ``scaler``: the fitted Standardizer
    train_data, validation_data : (inputs, targets) exactly as given to ``fit``
    bounds : [[x1 min, x1 max], [x2 min, x2 max]] of the plane drawn (the data, padded)
    """

    def __init__(self, data, *, features=("x1", "x2"), hidden=(4, 4), activation="tanh", optimizers=None,
                 batch_size=10, test_fraction=0.5, data_seed=None, seed=None, weight_decay=0.0, regularizer=None):
        from gdlab import datasets

        x, y = np.asarray(data.x, dtype=np.float64), np.asarray(data.y)
        if x.ndim != 2 or x.shape[1] != 2:
            raise ValueError(f"the playground trains on 2-D points, shape (n, 2); got shape {x.shape}")
        self.features = datasets.features.check_features(features)
        self.hidden = tuple(int(h) for h in hidden)
        if any(h < 1 for h in self.hidden):
            raise ValueError(f"hidden layer sizes must be >= 1, got {list(hidden)!r}")
        if activation not in ACTIVATION_NAMES:
            raise ValueError(f"unknown activation {activation!r}; choose from {', '.join(ACTIVATION_NAMES)}")
        self.activation = activation
        self.task = "classification" if data.task == "classification" else "regression"
        self.classes = int(y.max()) + 1 if self.task == "classification" else 1
        outputs = 1 if self.classes <= 2 else self.classes
        self.sizes = (len(self.features), *self.hidden, outputs)
        self.batch_size = None if batch_size is None else int(batch_size)
        self.seed = seed
        self.weight_decay = float(weight_decay)
        self.regularizer = regularizers.get(regularizer)

        if test_fraction:
            self.x_train, self.x_test, self.y_train, self.y_test = datasets.train_test_split(
                x, y, test_size=test_fraction, seed=data_seed)
        else:
            self.x_train, self.y_train, self.x_test, self.y_test = x, y, None, None
        self.scaler = datasets.Standardizer().fit(self.x_train)
        self.loss, metrics = default_loss(self.task, outputs)
        self.metrics = list(metrics)
        self.train_data = (self.inputs(self.x_train), self._target(self.y_train))
        self.validation_data = None if self.x_test is None else (self.inputs(self.x_test), self._target(self.y_test))

        self.optimizers = [dict(spec) for spec in (optimizers or [{"optimizer": "adam", "lr": 0.03}])]
        self.models = [self._build(spec) for spec in self.optimizers]
        self.history = [{} for _ in self.models]
        self.epoch = 0
        n = len(self.x_train)
        bs = n if self.batch_size is None else min(self.batch_size, n)
        self.steps_per_epoch = -(-n // bs)
        lo, hi = x.min(axis=0), x.max(axis=0)
        pad = 0.08 * np.maximum(hi - lo, 1e-9)
        self.bounds = np.column_stack([lo - pad, hi + pad])

    def _target(self, y):
        return y if self.task == "classification" and self.sizes[-1] > 1 else y.reshape(-1, 1)

    def _build(self, spec):
        spec = dict(spec)
        name = spec.pop("optimizer")
        spec.setdefault("weight_decay", self.weight_decay)
        model = mlp(list(self.sizes), activation=self.activation, seed=self.seed)
        model.compile(optimizer=name, loss=self.loss, metrics=self.metrics, regularizer=self.regularizer, **spec)
        return model

    @property
    def updates(self) -> int:
        return self.epoch * self.steps_per_epoch

    def inputs(self, points) -> np.ndarray:
        """The network's inputs for raw 2-D points: the features of the standardised points."""
        from gdlab import datasets

        return datasets.expand_features(self.scaler.transform(np.asarray(points, dtype=np.float64)), self.features)

    def advance(self, epochs: int = 1, check=None) -> list[dict]:
        """``epochs`` more epochs of ``fit`` for every copy; returns each copy's logs of these epochs.

        ``check``: called after every update (e.g. a deadline that raises); an exception stops
        training there, and the playground should then be discarded (the copies are out of step).
        """
        callbacks = [_Stop(check)] if check is not None else None
        new = []
        for model, hist in zip(self.models, self.history):
            h = model.fit(*self.train_data, epochs=int(epochs), batch_size=self.batch_size,
                          validation_data=self.validation_data, verbose=0, seed=self.seed, callbacks=callbacks)
            logs = {k: [float(v) for v in vals] for k, vals in h.history.items()}
            for k, vals in logs.items():
                hist.setdefault(k, []).extend(vals)
            new.append(logs)
        self.epoch += int(epochs)
        return new

    def peek(self, updates: int, check=None) -> list:
        """Copies of the models ``updates`` updates into the next epoch (1 <= updates <=
        steps_per_epoch), the playground itself unchanged: each model is saved and loaded
        (``model.save``/``nn.load_model``: weights, optimizer state, epoch count) and ``fit`` runs on
        the copy until that many updates. The next epoch's batches depend only on the seed and the
        epoch, so these are the weights ``advance(1)`` passes through (one step at a time on the page)."""
        import os
        import tempfile

        from .saving import load_model

        if not 1 <= int(updates) <= self.steps_per_epoch:
            raise ValueError(f"updates must be in [1, {self.steps_per_epoch}] (the updates of one epoch), "
                             f"got {updates}")
        out = []
        with tempfile.TemporaryDirectory(prefix="gdlab-peek-") as tmp:
            for i, model in enumerate(self.models):
                path = os.path.join(tmp, f"{i}.npz")
                model.save(path)
                twin = load_model(path)
                twin.fit(*self.train_data, epochs=1, batch_size=self.batch_size, verbose=0, seed=self.seed,
                         callbacks=[_Stop(check, after=int(updates))])
                out.append(twin)
        return out

    # -- what the page draws (of the playground's models, or of ``models`` given) ---------------
    def axes(self, n: int):
        """The grid's coordinates over :attr:`bounds`: (x1 values, x2 values), n each."""
        b = self.bounds
        return np.linspace(b[0, 0], b[0, 1], n), np.linspace(b[1, 0], b[1, 1], n)

    def _grid_inputs(self, n):
        gx, gy = self.axes(n)
        X, Y = np.meshgrid(gx, gy)
        return self.inputs(np.column_stack([X.ravel(), Y.ravel()]))

    def output(self, model, inputs) -> np.ndarray:
        """What the plane shows for the network's ``inputs``: P(class 1), the most likely class, or the target."""
        out = np.asarray(model.predict(inputs), dtype=np.float64)
        if self.task == "regression":
            return out[:, 0]
        if out.shape[1] == 1:
            with np.errstate(over="ignore"):
                return 1.0 / (1.0 + np.exp(-out[:, 0]))
        return np.argmax(out, axis=1).astype(np.float64)

    def grid(self, n: int = 50, models=None) -> list[np.ndarray]:
        """Every copy's :meth:`output` on an n x n grid over the plane (row i is the i-th x2 value)."""
        inputs = self._grid_inputs(n)
        return [self.output(m, inputs).reshape(n, n) for m in (models or self.models)]

    def neurons(self, n: int = 20, copy: int = 0, models=None) -> list[np.ndarray]:
        """Each hidden layer's outputs on an n x n grid: a list of (units, n, n) arrays (copy ``copy``)."""
        x = self._grid_inputs(n).astype(np.float32)
        out = []
        layers = (models or self.models)[copy].layers
        with no_grad():
            for i, layer in enumerate(layers[:-1]):
                x = layer(x)
                x = x.data if hasattr(x, "data") else np.asarray(x)
                if not isinstance(layer, Linear):
                    out.append(np.asarray(x, dtype=np.float64).T.reshape(-1, n, n))
        return out

    def weights(self, copy: int = 0, models=None) -> list[dict]:
        """The Linear layers' weights (in_features, out_features) and biases of copy ``copy``."""
        return [{"weight": layer.weight.data.astype(np.float64), "bias": layer.bias.data.astype(np.float64)}
                for layer in (models or self.models)[copy].layers if isinstance(layer, Linear)]

    def explain(self, sample: int = 0, copy: int = 0, lr=None):
        """``nn.explain_backprop`` for training sample ``sample`` of copy ``copy`` (its loss is
        E = 1/2 sum (y - y_pred)^2 on the network's output, as the function defines it)."""
        from .explain import explain_backprop

        x, y = self.train_data
        if not 0 <= sample < len(x):
            raise ValueError(f"sample must be in [0, {len(x) - 1}], got {sample}")
        target = y[sample]
        if self.task == "classification" and self.sizes[-1] > 1:
            target = np.eye(self.sizes[-1])[int(target)]
        model = self.models[copy]
        if lr is None:
            lr = float(model.optimizer.param_groups[0]["lr"])
        return explain_backprop(model, x[sample], target, lr=lr, print_fn=None)

