"""gdlab.widgets: play with gradient descent in a Jupyter notebook (``pip install 'gdlab[notebook]'``).

- ``explore(f)``: up to three optimizers race on a 2-D function. Each lane has an optimizer
  dropdown, a learning-rate slider (log-scaled) and a slider for its second hyperparameter
  (momentum, β₁, α or ρ, whichever the optimizer has); the steps and the start (two number
  boxes, or a click on the map where ipyevents is installed) are shared. Every change reruns
  :func:`gdlab.race` and redraws the paths on the contour map and the loss curves.
- ``explore_training(dataset)``: a small network on a 2-D classification set (hidden widths,
  activation, optimizer, learning rate, epochs, batch size) and a Train button; it draws the
  decision boundary beside the loss curve.

Both are front ends: each redraw is one library call (``gdlab.race``; ``nn.mlp`` + ``compile`` +
``fit``), drawn by ``gdlab.viz`` (a cached contour background, so a redraw of 3 optimizers ×
500 steps takes about a tenth of a second, see bench/bench_widgets.py). The objects returned
display themselves; ``.widget`` is the ipywidgets box, the controls are attributes, and the
last results stay on them (``.runs``; ``.model`` and ``.history``).
"""

from __future__ import annotations

import numpy as np

from . import optim
from .datasets import Dataset
from .datasets import get as get_dataset
from .functions import resolve_function
from .nn import mlp
from .runs import race
from .runs.minimize import normalize_optimizers
from .viz._live import LiveRace, training_png
from .viz.display import runs_html

try:
    import ipywidgets as W
except ImportError as exc:  # pragma: no cover - the notebook extra is part of [all] and [test]
    raise ImportError("gdlab.widgets needs ipywidgets: pip install 'gdlab[notebook]'") from exc

__all__ = ["explore", "explore_training", "Explorer", "TrainingExplorer", "second_hyperparameter"]

#: the largest number of steps the steps slider offers
MAX_STEPS = 5000
_LR_RANGE = (-5.0, 1.0)  # log10 of the learning-rate slider's ends


def second_hyperparameter(name):
    """The hyperparameter a lane's second slider sets for optimizer ``name``: ``(key, default)`` with
    key one of "beta1" (the first of ``betas``), "alpha", "rho", "momentum", or None (Adagrad)."""
    defaults = optim.get_rule(name).defaults
    if "betas" in defaults:
        return "beta1", float(defaults["betas"][0])
    for key in ("alpha", "rho", "momentum"):
        if key in defaults:
            return key, float(defaults[key])
    return None


def _lr_slider(value, description="lr"):
    lo, hi = _LR_RANGE
    value = float(np.clip(value, 10 ** lo, 10 ** hi))
    return W.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=0.05, description=description,
                            readout_format=".2e", continuous_update=False, layout=W.Layout(width="300px"))


class _Lane:
    """One optimizer's controls: dropdown, lr slider, second-hyperparameter slider."""

    def __init__(self, spec, names):
        name = spec.get("optimizer", "off")
        self.extra = {k: v for k, v in spec.items() if k not in ("optimizer", "lr")}
        self.optimizer = W.Dropdown(options=["off", *names], value=name, layout=W.Layout(width="130px"))
        lr = spec.get("lr") if name != "off" else None
        self.lr = _lr_slider(lr if lr is not None else (optim.get_rule(name).defaults["lr"] if name != "off" else 1e-3))
        self.second = W.FloatSlider(value=0.0, min=0.0, max=0.999, step=0.001, readout_format=".3f",
                                    continuous_update=False, layout=W.Layout(width="300px"))
        self._show_second(name, self.extra)
        self.box = W.HBox([self.optimizer, self.lr, self.second])

    def _show_second(self, name, given):
        second = None if name == "off" else second_hyperparameter(name)
        if second is None:
            self.second.description, self.second.disabled = "–", True
            return
        key, default = second
        if key == "beta1" and "betas" in given:
            default = float(given["betas"][0])
        elif key in given:
            default = float(given[key])
        self.second.description, self.second.disabled = {"beta1": "β₁", "alpha": "α", "rho": "ρ"}.get(key, key), False
        self.second.value = default

    def reset(self, name):
        """A new optimizer in this lane: its default lr and second hyperparameter."""
        self.extra = {}
        if name != "off":
            self.lr.value = float(np.clip(optim.get_rule(name).defaults["lr"], 10 ** _LR_RANGE[0], 10 ** _LR_RANGE[1]))
        self._show_second(name, {})

    def spec(self):
        """The hyperparameters this lane gives ``race`` (None when the lane is off)."""
        name = self.optimizer.value
        if name == "off":
            return None
        hp = {"optimizer": name, **self.extra, "lr": float(self.lr.value)}
        second = second_hyperparameter(name)
        if second is not None:
            key = second[0]
            if key == "beta1":
                betas = self.extra.get("betas", optim.get_rule(name).defaults["betas"])
                hp["betas"] = (float(self.second.value), float(betas[1]))
            else:
                hp[key] = float(self.second.value)
        return hp


class Explorer:
    """What :func:`explore` returns: the controls, the picture and the last race (``.runs``)."""

    def __init__(self, f, optimizers=None, *, steps=300, x0=None, lanes=3, resolution=120):
        self.function = resolve_function(f)
        if self.function.dim != 2:
            raise ValueError(f"explore needs a 2-D function, {self.function.name!r} has dim {self.function.dim}")
        specs = list(normalize_optimizers(optimizers if optimizers is not None else ["gd", "momentum", "adam"]).values())
        if not 1 <= len(specs) <= 6:
            raise ValueError(f"explore shows 1 to 6 optimizers, got {len(specs)}")
        lanes = max(int(lanes), len(specs))
        names = list(optim.rule_names())
        self.lanes = [_Lane(specs[i] if i < len(specs) else {"optimizer": "off"}, names) for i in range(lanes)]
        start = self.function.start if x0 is None else np.asarray(x0, dtype=float).reshape(2)
        steps = int(steps)
        if not 1 <= steps <= MAX_STEPS:
            raise ValueError(f"steps must be in 1..{MAX_STEPS}, got {steps}")
        self.steps = W.IntSlider(value=steps, min=1, max=MAX_STEPS, step=1, description="steps",
                                 continuous_update=False, layout=W.Layout(width="420px"))
        self.x0 = W.FloatText(value=float(start[0]), description="start x", layout=W.Layout(width="180px"))
        self.y0 = W.FloatText(value=float(start[1]), description="y", layout=W.Layout(width="150px"))
        self.figure = LiveRace(self.function, lanes=lanes, resolution=resolution)
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%"))
        self.table = W.HTML()
        self.runs = None
        self._hold = False
        for lane in self.lanes:
            lane.optimizer.observe(lambda change, lane=lane: self._new_optimizer(lane, change["new"]), names="value")
            for w in (lane.lr, lane.second):
                w.observe(self._changed, names="value")
        for w in (self.steps, self.x0, self.y0):
            w.observe(self._changed, names="value")
        self.clicks = self._listen_for_clicks()
        hint = "click the map to start there" if self.clicks is not None else "set the start in the boxes"
        self.widget = W.VBox([*(lane.box for lane in self.lanes), W.HBox([self.steps, self.x0, self.y0]),
                              W.HTML(f'<span style="color:#666;font-size:12px">{hint}</span>'),
                              self.image, self.table])
        self.redraw()

    # the picture -------------------------------------------------------------------------
    def settings(self) -> dict:
        """The optimizers of the lanes that are on, as ``race`` takes them (label -> hyperparameters)."""
        out = {}
        for lane in self.lanes:
            hp = lane.spec()
            if hp is None:
                continue
            label, k = hp["optimizer"], 2
            while label in out:
                label, k = f"{hp['optimizer']} ({k})", k + 1
            out[label] = hp
        return out

    def redraw(self):
        """Rerun the race with the controls' values and redraw the picture and the table."""
        specs = self.settings()
        start = [float(self.x0.value), float(self.y0.value)]
        if specs:
            self.runs = race(self.function, start, specs, steps=int(self.steps.value), record=("params", "loss"))
            self.table.value = runs_html(self.runs, thumbnail=False)
        else:
            self.runs = {}
            self.table.value = "<i>every lane is off</i>"
        self.image.value = self.figure.update(self.runs)
        return self.runs

    def set_start(self, x, y):
        """Move the start to (x, y) and redraw once."""
        self._hold = True
        try:
            self.x0.value, self.y0.value = float(x), float(y)
        finally:
            self._hold = False
        self.redraw()

    # events --------------------------------------------------------------------------------
    def _changed(self, change=None):
        if not self._hold:
            self.redraw()

    def _new_optimizer(self, lane, name):
        self._hold = True
        try:
            lane.reset(name)
        finally:
            self._hold = False
        self.redraw()

    def on_click(self, event):
        """An ipyevents click on the picture: start there (when it falls on the map)."""
        w, h = self.figure.size
        sx = w / float(event.get("boundingRectWidth") or w)
        sy = h / float(event.get("boundingRectHeight") or h)
        point = self.figure.data_point(event["relativeX"] * sx, event["relativeY"] * sy)
        if point is not None:
            self.set_start(*point)
        return point

    def _listen_for_clicks(self):
        try:
            from ipyevents import Event
        except ImportError:
            return None
        events = Event(source=self.image, watched_events=["click"])
        events.on_dom_event(self.on_click)
        return events

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)


def explore(f, optimizers=None, *, steps=300, x0=None, lanes=3) -> Explorer:
    """Race optimizers on the 2-D function ``f`` with sliders (see the module docstring).

    ``f``: a Function, a catalog name or a formula. ``optimizers``: as :func:`gdlab.race` takes them
    (default gd, momentum, adam), one lane each (at least ``lanes`` lanes; extra lanes start off).
    ``steps`` (1..5000) and ``x0`` (default ``f.start``) are the starting values of their controls.
    """
    return Explorer(f, optimizers, steps=steps, x0=x0, lanes=lanes)


def _dataset(dataset, seed):
    if isinstance(dataset, str):
        dataset = get_dataset(dataset, seed=seed)
    if isinstance(dataset, Dataset):
        x, y, name = dataset.x, dataset.y, dataset.name
    else:
        x, y = dataset
        name = "data"
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"explore_training needs 2-D inputs (n, 2) to draw the boundary, got shape {x.shape}")
    if y.shape != (len(x),) or y.dtype.kind not in "iu":
        raise ValueError(f"explore_training needs integer class labels of shape ({len(x)},), got {y.dtype} {y.shape}")
    return x, y, name


def _widths(text):
    try:
        widths = [int(v) for v in str(text).replace(" ", "").split(",") if v]
    except ValueError:
        widths = None
    if widths is None or any(w < 1 or w > 1024 for w in widths):
        raise ValueError(f"hidden widths must be comma-separated integers in 1..1024, got {text!r}")
    return widths


class TrainingExplorer:
    """What :func:`explore_training` returns: the controls, the picture, the last ``model`` and ``history``."""

    def __init__(self, dataset="moons", *, hidden=(16, 16), activation="tanh", optimizer="adam", lr=0.01,
                 epochs=200, batch_size=None, seed=0):
        self.x, self.y, self.name = _dataset(dataset, seed)
        self.seed = seed
        self.hidden = W.Text(value=", ".join(str(w) for w in hidden), description="hidden",
                             layout=W.Layout(width="200px"))
        _widths(self.hidden.value)
        self.activation = W.Dropdown(options=["relu", "tanh", "sigmoid", "leaky_relu"], value=activation,
                                     description="activation", layout=W.Layout(width="220px"))
        self.optimizer = W.Dropdown(options=list(optim.rule_names()), value=optimizer, description="optimizer",
                                    layout=W.Layout(width="220px"))
        self.lr = _lr_slider(lr)
        self.epochs = W.IntSlider(value=int(epochs), min=1, max=2000, description="epochs",
                                  continuous_update=False, layout=W.Layout(width="320px"))
        self.batch_size = W.Dropdown(options=[("full batch", 0), ("1 (SGD)", 1), ("8", 8), ("32", 32), ("128", 128)],
                                     value=int(batch_size or 0), description="batch", layout=W.Layout(width="200px"))
        self.button = W.Button(description="Train", button_style="primary", icon="play")
        self.button.on_click(lambda _: self.train())
        self.status = W.HTML()
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%"))
        self.model = self.history = None
        self.widget = W.VBox([W.HBox([self.hidden, self.activation, self.optimizer]),
                              W.HBox([self.lr, self.epochs, self.batch_size]),
                              W.HBox([self.button, self.status]), self.image])
        self.train()

    def train(self):
        """Build the network from the controls, train it and redraw; returns the History."""
        try:
            widths = _widths(self.hidden.value)
        except ValueError as exc:
            self.status.value = f'<span style="color:#C62828">{exc}</span>'
            return None
        k = int(self.y.max()) + 1
        self.model = mlp([2, *widths, k], activation=self.activation.value, seed=self.seed)
        self.model.compile(optimizer=self.optimizer.value, loss="cross_entropy", metrics=["accuracy"],
                           lr=float(self.lr.value))
        self.status.value = "training…"
        self.history = self.model.fit(self.x, self.y, epochs=int(self.epochs.value),
                                      batch_size=int(self.batch_size.value) or None, verbose=0, seed=self.seed)
        h = self.history.history
        self.status.value = (f"{len(self.history.epochs)} epochs, {len(self.history.step_losses)} updates: "
                             f"loss {h['loss'][-1]:.4g}, accuracy {h['accuracy'][-1]:.1%}")
        self.image.value = training_png(self.model, self.x, self.y, self.history,
                                        title=f"{self.name}: {self.optimizer.value}, lr {self.lr.value:.2g}")
        return self.history

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)


def explore_training(dataset="moons", **options) -> TrainingExplorer:
    """Train a small network on a 2-D classification set with controls and a Train button.

    ``dataset``: a gdlab data set name ("moons", "circles", "spirals", "xor", "blobs"), a Dataset or
    ``(x, y)`` with x (n, 2) and integer labels y. ``options``: the controls' starting values
    (``hidden=(16, 16)``, ``activation="tanh"``, ``optimizer="adam"``, ``lr=0.01``, ``epochs=200``,
    ``batch_size=None``) and ``seed`` (initial weights and shuffling). It trains once at the start.
    """
    return TrainingExplorer(dataset, **options)
