r"""Weight penalties added to the training loss: L1 and L2 (TF Playground's "Regularization").

``model.compile(..., regularizer=nn.regularizers.L1(1e-3))`` (or ``"l1"`` with the default rate,
or ``{"name": "l1", "rate": 1e-3}``) makes every update minimise

    loss(model(x), y) + penalty(kernels)

where ``kernels`` are the weight matrices of the model's ``Linear`` layers (biases are not
penalised, as in TF Playground and Keras's ``kernel_regularizer``):

* ``L1(rate)``: ``rate * sum |w|``; its (sub)gradient is ``rate * sign(w)``, 0 at w = 0, as
  ``torch.abs``'s backward (so a weight at exactly 0 stays there unless the data pull it);
* ``L2(rate)``: ``rate / 2 * sum w^2``; its gradient is ``rate * w``. The 1/2 is chosen so that the
  rate means what the optimizers' ``weight_decay`` means: plain SGD with ``L2(lam)`` makes the same
  updates as SGD with ``weight_decay=lam`` on the kernels (a test pins it); TF Playground's L2 is
  the same. Keras's ``L2(l2)`` is ``l2 * sum w^2``, twice this penalty for the same number.

Next to the optimizer's ``weight_decay`` (coupled for SGD/Adam: ``g + wd * p`` on every
parameter, biases included; decoupled for AdamW: ``p -= lr * wd * p``), the penalty is part of the
objective: it is differentiated with the loss, goes through Adam's moment estimates like any
gradient, spares the biases, and is reported. The ``"loss"`` of ``fit``'s History, of ``evaluate``
and ``val_loss`` is the data loss plus the penalty at those weights (what Keras 3 reports too);
metrics (accuracy, R^2) are the data's only.

A regularizer is a function of a list of Tensors (the autodiff graph records it) plus
:meth:`Regularizer.value` (the same number from arrays, no graph) and a JSON record
(:meth:`Regularizer.get_config`, :func:`get`) that ``model.save``/``nn.load_model`` keep.
"""

from __future__ import annotations

import abc
import math
import numbers

__all__ = ["Regularizer", "L1", "L2", "get", "names", "RegularizerError"]


class RegularizerError(ValueError):
    """A bad regularizer name, rate or record (a ValueError naming the value)."""


def _rate(rate, name):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not math.isfinite(rate) or rate < 0:
        raise RegularizerError(f"the {name} rate must be a finite number >= 0, got {rate!r}")
    return float(rate)


class Regularizer(abc.ABC):
    """A penalty on weights: ``reg(tensors)`` is a scalar Tensor, ``reg.value(arrays)`` a float."""

    name = "regularizer"
    default_rate = 1e-3

    def __init__(self, rate=None):
        self.rate = _rate(self.default_rate if rate is None else rate, self.name)

    @abc.abstractmethod
    def term(self, w):
        """The penalty of one Tensor before the rate (|w| summed, or w^2 / 2 summed)."""

    def __call__(self, weights):
        """``rate * sum of term(w) over weights``, recorded for backward (a Tensor of the weights' dtype)."""
        total = None
        for w in weights:
            t = self.term(w)
            total = t if total is None else total + t
        if total is None:
            raise RegularizerError(f"{self.name} has no weights to penalise (the model has no Linear layer)")
        return total * self.rate

    def value(self, arrays) -> float:
        """The same penalty from arrays (no graph), as a float."""
        from gdlab.autodiff import no_grad

        with no_grad():
            return float(self(arrays).data)

    def get_config(self) -> dict:
        return {"name": self.name, "rate": self.rate}

    def __eq__(self, other):
        return type(other) is type(self) and other.rate == self.rate

    def __hash__(self):
        return hash((self.name, self.rate))

    def __repr__(self):
        return f"{type(self).__name__}({self.rate!r})"


class L1(Regularizer):
    """``rate * sum |w|`` over the kernels; subgradient ``rate * sign(w)`` (0 at 0, as torch)."""

    name = "l1"

    def term(self, w):
        from gdlab.autodiff import Tensor, abs as abs_

        return abs_(w if isinstance(w, Tensor) else Tensor(w)).sum()


class L2(Regularizer):
    """``rate / 2 * sum w^2`` over the kernels; gradient ``rate * w`` (SGD's ``weight_decay=rate``)."""

    name = "l2"

    def term(self, w):
        from gdlab.autodiff import Tensor

        w = w if isinstance(w, Tensor) else Tensor(w)
        return (w * w).sum() * 0.5


_KINDS = {"l1": L1, "l2": L2}


def names() -> list[str]:
    return sorted(_KINDS)


def get(spec, rate=None):
    """A Regularizer from ``None`` (none: returns None), a name ("l1", "l2"; ``rate`` or the default
    1e-3), a record ``{"name": ..., "rate": ...}`` (what ``get_config`` returns) or a Regularizer."""
    if spec is None:
        return None
    if isinstance(spec, Regularizer):
        if rate is not None:
            raise RegularizerError("give the rate to the Regularizer itself, not as well as rate=")
        return spec
    if isinstance(spec, dict):
        unknown = set(spec) - {"name", "rate"}
        if unknown or "name" not in spec:
            raise RegularizerError("a regularizer record is {'name': 'l1' or 'l2', 'rate': number}, "
                                   f"got {spec!r:.200}")
        if rate is not None:
            raise RegularizerError("the record holds the rate: do not pass rate= as well")
        return get(spec["name"], spec.get("rate"))
    if isinstance(spec, str):
        cls = _KINDS.get(spec.strip().lower())
        if cls is None:
            raise RegularizerError(f"unknown regularizer {spec!r}; choose from {', '.join(names())} (or None)")
        return cls(rate)
    raise RegularizerError(f"regularizer must be None, 'l1', 'l2', a record {{'name', 'rate'}} or a "
                           f"gdlab.nn.regularizers.Regularizer, got {spec!r:.200}")
