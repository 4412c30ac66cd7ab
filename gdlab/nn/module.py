"""``Module``: the base class of every layer (and of :class:`~gdlab.nn.Model`).

A Module holds parameters (Tensors with ``requires_grad=True``) and sub-modules,
registered simply by assigning them as attributes, as in PyTorch, and a ``forward``::

    class Scale(gdlab.nn.Module):          # a layer of your own: y = x * w, one weight per feature
        def __init__(self, n):
            super().__init__()
            self.weight = gdlab.Tensor(np.ones(n), requires_grad=True)

        def forward(self, x):
            return x * self.weight

That is all a Module knows: parameters, the forward pass and its state (``state_dict``,
``load_state_dict``, ``train``/``eval``). It trains PyTorch-style (call it, compute a loss,
``backward()``, ``opt.step()``). Keras-style training (``compile``/``fit``/``evaluate``/
``predict``/``save``) belongs to :class:`gdlab.nn.Model`: subclass ``Model`` instead of
``Module`` for that. A class of your own becomes savable with its architecture once it has
``get_config()`` and is registered (:func:`gdlab.nn.register_module`, see :mod:`gdlab.nn.config`).
"""

from __future__ import annotations

import numpy as np

from gdlab.autodiff import Tensor

__all__ = ["Module"]


class Module:
    """Base class for layers and models (see the module docstring).

    Attributes
    ----------
    training : bool
        True after ``train()`` (the default), False after ``eval()``. No built-in layer
        behaves differently yet; the flag is there for layers of your own (dropout...).
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # -- registration --------------------------------------------------------------
    def __setattr__(self, name, value):
        d = self.__dict__
        if "_parameters" not in d:
            raise RuntimeError(
                f"cannot assign {name!r} before Module.__init__() ran: call super().__init__() "
                f"first in {type(self).__name__}.__init__"
            )
        params, modules = d["_parameters"], d["_modules"]
        params.pop(name, None)
        modules.pop(name, None)
        if isinstance(value, Module):
            modules[name] = value
        elif isinstance(value, Tensor) and value.requires_grad:
            params[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self.__dict__["_parameters"].pop(name, None)
        self.__dict__["_modules"].pop(name, None)
        object.__delattr__(self, name)

    # -- the forward pass ----------------------------------------------------------
    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def __call__(self, x):
        return self.forward(x)

    # -- parameters and sub-modules ------------------------------------------------
    def named_modules(self, prefix: str = "") -> list:
        """(dotted name, module) for this module (named ``prefix``) and every descendant, depth first, each once."""
        result, seen = [], {id(self)}
        stack = [(prefix, self)]
        while stack:  # iterative: deep nesting cannot overflow the recursion limit
            pre, mod = stack.pop()
            result.append((pre, mod))
            for name, child in reversed(list(mod._modules.items())):
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((f"{pre}.{name}" if pre else name, child))
        return result

    def children(self) -> list:
        """The direct sub-modules, in registration order."""
        return list(self._modules.values())

    def named_parameters(self) -> list[tuple[str, Tensor]]:
        """(dotted name, parameter) pairs, each parameter once, in registration order."""
        out, seen = [], set()
        for pre, mod in self.named_modules():
            for name, p in mod._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append((f"{pre}.{name}" if pre else name, p))
        return out

    def parameters(self) -> list[Tensor]:
        """Every parameter (a Tensor with ``requires_grad=True``) once, in a fixed order.

        A list (PyTorch returns an iterator; a list can be passed to an optimizer the same way).
        """
        return [p for _, p in self.named_parameters()]

    @classmethod
    def parameter_shapes(cls, config: dict):
        """{parameter name: shape} that ``cls`` built from ``config`` would have, computed without
        building it (so that a loader can compare a file's architecture with its arrays before
        allocating anything); None when the class cannot tell (the default: a layer of your own).
        A bad config is a ValueError or TypeError, as the constructor would raise."""
        return None

    def count_params(self) -> int:
        """The number of scalar parameters."""
        return int(sum(p.data.size for p in self.parameters()))

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None (PyTorch's ``set_to_none=True``)."""
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> "Module":
        for _, mod in self.named_modules():
            object.__setattr__(mod, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        return self.train(False)

    @property
    def dtype(self):
        """The dtype of the parameters (None for a module without any)."""
        params = self.parameters()
        return params[0].data.dtype if params else None

    # -- weights ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Parameter name -> a copy of its array."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state, strict: bool = True) -> None:
        """Copy arrays into the parameters (in place, so optimizers bound to them keep working).

        Shapes must match exactly; values are cast to each parameter's dtype. With
        ``strict=True`` the keys must be exactly the parameter names.
        """
        params = dict(self.named_parameters())
        missing = [k for k in params if k not in state]
        unexpected = [k for k in state if k not in params]
        if strict and (missing or unexpected):
            raise ValueError(
                f"load_state_dict: the keys do not match the model's parameters "
                f"(missing: {missing or 'none'}; unexpected: {unexpected or 'none'})"
            )
        for name, p in params.items():
            if name not in state:
                continue
            value = np.asarray(state[name])
            if value.shape != p.data.shape:
                raise ValueError(
                    f"load_state_dict: {name!r} has shape {value.shape}, the model's parameter has {p.data.shape}"
                )
            p.data[...] = value

    # -- printing ----------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        if self._modules:
            for name, child in self._modules.items():
                body = repr(child).replace("\n", "\n  ")
                lines.append(f"  ({name}): {body}")
            return "\n".join(lines) + "\n)"
        return lines[0] + ")"
