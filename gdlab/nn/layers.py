"""Layers: ``Linear``, the activation modules, ``Flatten`` and ``Sequential`` (plus ``mlp`` to build one).

dtype: gdlab's layers are float32 by default (what networks are usually trained in,
and twice as fast as float64 on a CPU); pass ``dtype="float64"`` for reference
computations. Arrays fed to a layer are converted to its dtype; float32 stays float32
through the forward and backward passes and the optimizer (no silent upcasts).
"""

from __future__ import annotations

import numbers

import numpy as np

from gdlab.autodiff import Tensor, ops
from gdlab.autodiff.composite import softmax
from gdlab.autodiff.nn_ops import linear, linear_relu

from . import init as initializers
from .module import Module, register_module

__all__ = [
    "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softplus", "Softmax", "Identity", "Flatten",
    "Sequential", "mlp", "ACTIVATIONS", "get_activation",
]

_DTYPES = {"float32": np.float32, "float64": np.float64}


def check_dtype(dtype):
    """np.float32 or np.float64 from a dtype-like; anything else is a ValueError."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.name not in _DTYPES:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    return _DTYPES[dt.name]


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _as_input(x, dtype):
    """Arrays (and lists) become arrays of the layer's dtype; Tensors pass through untouched."""
    if isinstance(x, Tensor):
        return x
    a = np.asarray(x)
    return a if a.dtype == dtype else a.astype(dtype)


@register_module
class Linear(Module):
    """A dense layer: ``y = x @ weight + bias``.

    Parameters
    ----------
    in_features, out_features : int >= 1
    bias : bool, default True
    init : initialiser name, config dict or Initializer, default ``"glorot_uniform"``
        for the weight (see :mod:`gdlab.nn.init`; Keras's default. PyTorch's default is
        U(-1/sqrt(in), 1/sqrt(in)) for weight and bias).
    bias_init : default ``"zeros"``
    seed : None, int or numpy.random.Generator
        Seeds the initialiser; None draws fresh entropy (a different network each time).
    dtype : "float32" (default) or "float64"

    Attributes
    ----------
    weight : Tensor of shape **(in_features, out_features)**. This is the transpose of
        PyTorch's ``nn.Linear.weight`` (out, in): gdlab follows the maths ``x W + b`` of the
        seeds and of Keras's ``kernel``. To copy weights from PyTorch, use ``W_torch.T``.
    bias : Tensor of shape (out_features,), or None.
    """

    def __init__(self, in_features, out_features, bias=True, init="glorot_uniform", bias_init="zeros",
                 seed=None, dtype="float32"):
        super().__init__()
        self.in_features = _positive_int(in_features, "in_features")
        self.out_features = _positive_int(out_features, "out_features")
        self._dtype = check_dtype(dtype)
        self.init = initializers.get(init)
        self.bias_init = initializers.get(bias_init)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.weight = Tensor(self.init((self.in_features, self.out_features), rng, self._dtype), requires_grad=True)
        if bias:
            self.bias = Tensor(self.bias_init((self.out_features,), rng, self._dtype), requires_grad=True)
        else:
            self.bias = None

    def forward(self, x):
        if type(x) is not Tensor:
            x = _as_input(x, self._dtype)
        return linear(x, self.weight, self.bias)

    def _forward_relu(self, x):
        """relu(self(x)) as one fused node (used by Sequential for a Linear followed by a ReLU)."""
        if type(x) is not Tensor:
            x = _as_input(x, self._dtype)
        return linear_relu(x, self.weight, self.bias)

    def output_features(self, in_features):
        return self.out_features

    def get_config(self):
        return {"in_features": self.in_features, "out_features": self.out_features, "bias": self.bias is not None,
                "init": self.init.get_config(), "bias_init": self.bias_init.get_config(),
                "dtype": np.dtype(self._dtype).name}

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
                + ("" if self._dtype == np.float32 else f", dtype={np.dtype(self._dtype).name}"))


class _Elementwise(Module):
    """An activation: no parameters, output shape = input shape."""

    def output_features(self, in_features):
        return in_features  # None (unknown) stays None

    def get_config(self):
        return {}

    # the activation's value on a plain array, for metrics computed from logits
    def numpy(self, z):
        return self.forward(Tensor(z)).data


@register_module
class Identity(_Elementwise):
    """f(x) = x."""

    def forward(self, x):
        return x


@register_module
class Sigmoid(_Elementwise):
    """f(x) = 1 / (1 + exp(-x)); f' = f (1 - f). Computed without overflow."""

    def forward(self, x):
        return ops.sigmoid(x)


@register_module
class Tanh(_Elementwise):
    """f(x) = tanh(x); f' = 1 - f^2."""

    def forward(self, x):
        return ops.tanh(x)


@register_module
class ReLU(_Elementwise):
    """f(x) = max(x, 0); f'(x) = 1 for x > 0 else 0 (0 at the kink, as PyTorch)."""

    def forward(self, x):
        return ops.relu(x)


@register_module
class LeakyReLU(_Elementwise):
    """f(x) = x for x > 0, negative_slope * x otherwise (default slope 0.01, PyTorch's; Keras's is 0.3)."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, numbers.Real) \
                or not np.isfinite(negative_slope):
            raise ValueError(f"negative_slope must be a finite number, got {negative_slope!r}")
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        return ops.leaky_relu(x, self.negative_slope)

    def get_config(self):
        return {"negative_slope": self.negative_slope}

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


@register_module
class Softplus(_Elementwise):
    """f(x) = log(1 + exp(beta x)) / beta, linear where beta x > threshold (PyTorch's definition)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        for name, v in (("beta", beta), ("threshold", threshold)):
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v):
                raise ValueError(f"{name} must be a finite number, got {v!r}")
        if beta <= 0:
            raise ValueError(f"beta must be > 0, got {beta!r}")
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, x):
        return ops.softplus(x, self.beta, self.threshold)

    def get_config(self):
        return {"beta": self.beta, "threshold": self.threshold}

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


@register_module
class Softmax(_Elementwise):
    """softmax(x) along ``axis`` (default the last): exp(x_i) / sum_j exp(x_j), stable.

    A model that ends with Softmax and is trained with a cross-entropy "from
    probabilities" (Keras's default) is trained from the logits instead (the softmax
    and the log cancel): see :func:`gdlab.nn.training.compile`.
    """

    def __init__(self, axis=-1):
        super().__init__()
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(f"axis must be an int, got {axis!r}")
        self.axis = int(axis)

    def forward(self, x):
        return softmax(x, axis=self.axis)

    def get_config(self):
        return {"axis": self.axis}

    def extra_repr(self):
        return f"axis={self.axis}"


@register_module
class Flatten(Module):
    """(N, d1, d2, ...) -> (N, d1 * d2 * ...), e.g. 8x8 images to 64 features."""

    def forward(self, x):
        if not isinstance(x, Tensor):
            x = np.asarray(x)
            return x.reshape(x.shape[0], -1)
        return ops.reshape(x, (x.shape[0], -1))

    def output_features(self, in_features):
        return in_features

    def get_config(self):
        return {}


ACTIVATIONS = {
    "sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU, "softplus": Softplus,
    "softmax": Softmax, "identity": Identity, "linear": Identity,
}


def get_activation(spec) -> Module:
    """An activation module from a name ("relu", "tanh", "sigmoid", "leaky_relu", "softplus", "softmax",
    "identity"/"linear"), a Module (returned as is) or None (Identity)."""
    if spec is None:
        return Identity()
    if isinstance(spec, Module):
        return spec
    if isinstance(spec, str) and spec.lower() in ACTIVATIONS:
        return ACTIVATIONS[spec.lower()]()
    raise ValueError(f"unknown activation {spec!r}; known: {', '.join(sorted(ACTIVATIONS))}")


@register_module
class Sequential(Module):
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
        """The layers as callables, with each ``Linear`` directly followed by a ``ReLU`` fused into one
        node (:func:`gdlab.autodiff.nn_ops.linear_relu`: same numbers, one graph node and one array fewer).
        Only the exact built-in classes are fused, so a subclass's own forward is always called."""
        cache = self.__dict__.get("_steps_cache")
        if cache is None or len(cache[0]) != len(self.layers) or any(a is not b for a, b in zip(cache[0], self.layers)):
            cache = (list(self.layers), fused_steps(self.layers))
            object.__setattr__(self, "_steps_cache", cache)
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
        from .saving import layer_config

        return {"layers": [layer_config(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config):
        from .saving import layer_from_config

        return cls(*[layer_from_config(c) for c in config["layers"]])

    def __repr__(self):
        if not self.layers:
            return "Sequential()"
        body = "\n".join(f"  ({i}): {repr(layer)}".replace("\n", "\n  ") for i, layer in enumerate(self.layers))
        return f"Sequential(\n{body}\n)"


def fused_steps(layers) -> list:
    """Callables applying ``layers`` in order, Linear + ReLU pairs fused (see ``Sequential.steps``)."""
    steps, i = [], 0
    while i < len(layers):
        layer = layers[i]
        if type(layer) is Linear and i + 1 < len(layers) and type(layers[i + 1]) is ReLU:
            steps.append(layer._forward_relu)
            i += 2
        else:
            steps.append(layer)
            i += 1
    return steps


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
        return type(spec).from_config(spec.get_config())
    return get_activation(spec)
