"""gdlab, the Gradient Descent Lab: gradients from first principles, every classic
gradient method, and figures that show what happens.

``import gdlab`` loads NumPy and nothing heavier. The subpackages (``gdlab.optim``,
``gdlab.functions``, ``gdlab.runs``, ``gdlab.nn``, ``gdlab.datasets``, ``gdlab.store``, ``gdlab.sweeps``,
``gdlab.viz``, ``gdlab.widgets``) and the names they lend to the top level are imported on first use; results
display themselves in notebooks (drawn by ``gdlab.viz.display`` on the first display).
"""

import importlib

from . import _display, numdiff
from .autodiff import (GradcheckError, Tensor, abs, clip, concatenate, cos, enable_grad, exp, grad, gradcheck,
                       hessian, is_grad_enabled, leaky_relu, log, log_softmax, logsumexp, maximum, minimum, no_grad, relu, sigmoid,
                       sin, softmax, softplus, sqrt, stack, step_size_study, tan, tanh, value_and_grad, where)
from .numdiff import numerical_diff, numerical_gradient

__version__ = "0.1.0"

_SUBPACKAGES = {"optim", "functions", "runs", "nn", "datasets", "store", "sweeps", "viz", "widgets", "cli"}
# top-level name -> the module that defines it, imported on first access
_LAZY = {
    "minimize": "gdlab.runs", "race": "gdlab.runs", "lr_sweep": "gdlab.runs", "tune": "gdlab.runs",
    "Trajectory": "gdlab.runs", "analyze": "gdlab.runs", "stability": "gdlab.runs",
    "classify_point": "gdlab.runs", "sweep": "gdlab.sweeps", "expr": "gdlab.functions", "regression_loss": "gdlab.functions",
    **{name: "gdlab.optim" for name in ("Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW",
                                        "Adamax", "NAdam", "RAdam", "Lion", "clip_grad_norm_", "clip_grad_value_")},
}


def _load_displays():
    """The notebook displays of every result are drawn by the viz layer (imported on the first display)."""
    from .viz import display  # noqa: F401  (registers the renderers)


_display.add_loader(_load_displays)


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"gdlab.{name}")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gdlab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBPACKAGES | set(_LAZY))
