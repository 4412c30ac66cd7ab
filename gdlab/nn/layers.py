"""Layers: ``Linear``, the activation modules and ``Flatten``: parameters and forward, nothing else.

(``Sequential`` and ``mlp``, which chain layers into a model, are in :mod:`gdlab.nn.model`.)

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
from .config import register_module
from .module import Module

__all__ = [
    "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softplus", "Softmax", "Identity", "Flatten",
    "ACTIVATIONS", "get_activation", "fused_steps",
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

    @classmethod
    def parameter_shapes(cls, config):
        n_in = _positive_int(config.get("in_features"), "in_features")
        n_out = _positive_int(config.get("out_features"), "out_features")
        bias = config.get("bias", True)
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be True or False, got {bias!r}")
        return {"weight": (n_in, n_out), **({"bias": (n_out,)} if bias else {})}

    def forward(self, x):
        if type(x) is not Tensor:
            x = _as_input(x, self._dtype)
        return linear(x, self.weight, self.bias)

    def _forward_relu(self, x):
        """relu(self(x)) as one fused node (see :func:`fused_steps`)."""
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

    @classmethod
    def parameter_shapes(cls, config):
        return {}

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
    and the log cancel): see :meth:`gdlab.nn.Model.compile`.
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

    @classmethod
    def parameter_shapes(cls, config):
        return {}

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


def fused_steps(layers) -> list:
    """Callables applying ``layers`` in order, each ``Linear`` directly followed by a ``ReLU`` fused into one
    node (:func:`gdlab.autodiff.nn_ops.linear_relu`: same numbers, one graph node and one array fewer).

    Only the exact built-in classes are fused, so a subclass's own forward is always called.
    ``Sequential`` runs its forward pass this way, and so does the Trainer's ``train_step``."""
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
