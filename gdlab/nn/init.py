r"""Weight initialisers: seeded, named, and saved with a model's architecture.

An initialiser is called as ``init(shape, rng, dtype)`` and returns a new array. For a
dense layer's weight of shape (in, out) ``fan_in = in`` and ``fan_out = out`` (gdlab's
weights are (in, out), see :class:`~gdlab.nn.Linear`); for a 1-D shape (a bias)
``fan_in = fan_out = shape[0]``.

=========================================  ======================================================
name (aliases)                             distribution
=========================================  ======================================================
``zeros``, ``ones``, ``constant(value)``   the constant
``normal(mean=0, std=0.05)``               N(mean, std^2)
``uniform(low=-0.05, high=0.05)``          U(low, high)
``glorot_uniform`` (``xavier_uniform``)    U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))
``glorot_normal`` (``xavier_normal``)      N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out))
``he_uniform`` (``kaiming_uniform``)       U(-a, a), a = sqrt(6 / fan_in)     (gain sqrt(2), for ReLU)
``he_normal`` (``kaiming_normal``)         N(0, s^2), s = sqrt(2 / fan_in)
=========================================  ======================================================

Glorot (Xavier) keeps the variance of activations and gradients about constant for
tanh/sigmoid layers (Glorot & Bengio 2010); He (Kaiming) doubles it for ReLU, which
zeroes half its inputs (He et al. 2015). The normal variants draw from the plain
normal distribution, as ``torch.nn.init`` does; Keras draws them from a truncated
normal instead (rescaled to the same standard deviation), so the draws differ.

Seeding: a layer built with ``seed=0`` (an int, or a shared ``numpy.random.Generator``)
draws the same weights on every run; no global random state is used.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._registry import Registry

__all__ = [
    "Initializer", "Zeros", "Ones", "Constant", "Normal", "Uniform", "GlorotUniform", "GlorotNormal",
    "HeUniform", "HeNormal", "get", "names",
    "zeros", "ones", "constant", "normal", "uniform", "glorot_uniform", "glorot_normal", "xavier_uniform",
    "xavier_normal", "he_uniform", "he_normal", "kaiming_uniform", "kaiming_normal",
]


def _fans(shape):
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[0] * receptive, shape[1] * receptive


def _finite(value, name, positive=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)


class Initializer:
    """Base class: ``init(shape, rng, dtype) -> ndarray``; ``get_config()`` names it for saving."""

    name = "initializer"

    def __call__(self, shape, rng=None, dtype=np.float32):
        shape = tuple(int(s) for s in shape)
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        return np.asarray(self._draw(shape, rng), dtype=dtype)

    def _draw(self, shape, rng):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name, **self._params()}

    def _params(self) -> dict:
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self._params() == other._params()

    __hash__ = object.__hash__


class Zeros(Initializer):
    name = "zeros"

    def _draw(self, shape, rng):
        return np.zeros(shape)


class Ones(Initializer):
    name = "ones"

    def _draw(self, shape, rng):
        return np.ones(shape)


class Constant(Initializer):
    """Every element equal to ``value``."""

    name = "constant"

    def __init__(self, value=0.0):
        self.value = _finite(value, "value")

    def _draw(self, shape, rng):
        return np.full(shape, self.value)

    def _params(self):
        return {"value": self.value}


class Normal(Initializer):
    """N(mean, std^2) (Keras's RandomNormal defaults: mean 0, std 0.05)."""

    name = "normal"

    def __init__(self, mean=0.0, std=0.05):
        self.mean = _finite(mean, "mean")
        self.std = _finite(std, "std", positive=True)

    def _draw(self, shape, rng):
        return rng.normal(self.mean, self.std, shape)

    def _params(self):
        return {"mean": self.mean, "std": self.std}


class Uniform(Initializer):
    """U(low, high) (Keras's RandomUniform defaults: -0.05, 0.05)."""

    name = "uniform"

    def __init__(self, low=-0.05, high=0.05):
        self.low = _finite(low, "low")
        self.high = _finite(high, "high")
        if not self.low < self.high:
            raise ValueError(f"uniform needs low < high, got low={low!r}, high={high!r}")

    def _draw(self, shape, rng):
        return rng.uniform(self.low, self.high, shape)

    def _params(self):
        return {"low": self.low, "high": self.high}


class _Gain(Initializer):
    def __init__(self, gain=1.0):
        self.gain = _finite(gain, "gain", positive=True)

    def _params(self):
        return {"gain": self.gain}


class GlorotUniform(_Gain):
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010)."""

    name = "glorot_uniform"

    def _draw(self, shape, rng):
        fan_in, fan_out = _fans(shape)
        a = self.gain * math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, shape)


class GlorotNormal(_Gain):
    """N(0, s^2) with s = gain * sqrt(2 / (fan_in + fan_out)); not truncated (torch's xavier_normal_)."""

    name = "glorot_normal"

    def _draw(self, shape, rng):
        fan_in, fan_out = _fans(shape)
        return rng.normal(0.0, self.gain * math.sqrt(2.0 / (fan_in + fan_out)), shape)


class HeUniform(_Gain):
    """U(-a, a) with a = gain * sqrt(3 / fan_in), gain sqrt(2) by default: a = sqrt(6 / fan_in) (He et al. 2015)."""

    name = "he_uniform"

    def __init__(self, gain=math.sqrt(2.0)):
        super().__init__(gain)

    def _draw(self, shape, rng):
        fan_in, _ = _fans(shape)
        a = self.gain * math.sqrt(3.0 / fan_in)
        return rng.uniform(-a, a, shape)

    def _params(self):
        return {} if self.gain == math.sqrt(2.0) else {"gain": self.gain}


class HeNormal(_Gain):
    """N(0, s^2) with s = gain / sqrt(fan_in), gain sqrt(2) by default: s = sqrt(2 / fan_in); not truncated."""

    name = "he_normal"

    def __init__(self, gain=math.sqrt(2.0)):
        super().__init__(gain)

    def _draw(self, shape, rng):
        fan_in, _ = _fans(shape)
        return rng.normal(0.0, self.gain / math.sqrt(fan_in), shape)

    def _params(self):
        return {} if self.gain == math.sqrt(2.0) else {"gain": self.gain}


REGISTRY = Registry("initialiser")
for _cls, _aliases in ((Zeros, ()), (Ones, ()), (Constant, ()), (Normal, ()), (Uniform, ()),
                       (GlorotUniform, ["xavier_uniform"]), (GlorotNormal, ["xavier_normal"]),
                       (HeUniform, ["kaiming_uniform"]), (HeNormal, ["kaiming_normal"])):
    REGISTRY.register(_cls.name, _cls, aliases=_aliases)


def names() -> list[str]:
    """The initialiser names ``get`` accepts (aliases included)."""
    return sorted(REGISTRY.names(aliases=True))


def get(spec, **kwargs) -> Initializer:
    """An :class:`Initializer` from a name (``"he_normal"``), a config dict (``{"name": "normal", "std": 0.1}``)
    or an Initializer (returned as is). ``kwargs`` go to the initialiser's constructor."""
    if isinstance(spec, Initializer):
        if kwargs:
            raise TypeError("keyword arguments are only accepted with an initialiser name")
        return spec
    if isinstance(spec, dict):
        spec = dict(spec)
        name = spec.pop("name", None)
        return get(name, **spec, **kwargs)
    if isinstance(spec, str):
        cls = REGISTRY.get(spec)
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise TypeError(f"initialiser {spec!r}: {exc}") from None
    raise TypeError(f"an initialiser must be a name, a config dict or an Initializer, got {spec!r}")


# function-style shortcuts: zeros(shape, rng, dtype) etc.
def _fn(cls):
    def init(shape, rng=None, dtype=np.float32, **kwargs):
        return cls(**kwargs)(shape, rng, dtype)

    init.__name__ = cls.name
    init.__doc__ = f"Draw an array of ``shape``: {cls.__doc__ or cls.name}"
    return init


zeros = _fn(Zeros)
ones = _fn(Ones)
constant = _fn(Constant)
normal = _fn(Normal)
uniform = _fn(Uniform)
glorot_uniform = xavier_uniform = _fn(GlorotUniform)
glorot_normal = xavier_normal = _fn(GlorotNormal)
he_uniform = kaiming_uniform = _fn(HeUniform)
he_normal = kaiming_normal = _fn(HeNormal)
