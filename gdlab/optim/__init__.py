"""gdlab.optim: every classic gradient method, one update rule each, identical to torch.optim.

* :mod:`gdlab.optim.rules` — the functional core: per optimizer one ``Rule``
  (``init(p, **hp) -> state``, ``update(p, g, state, **hp)`` in place), shared by
  the stateful classes and the vectorized runner; :func:`get_rule`.
* Stateful optimizers with torch's names, arguments and defaults: :class:`SGD`,
  :class:`Adagrad`, :class:`RMSprop`, :class:`Adadelta`, :class:`Adam`,
  :class:`AdamW`, :class:`Adamax`, :class:`NAdam`, :class:`RAdam`, :class:`Rprop`,
  :class:`ASGD`, :class:`Adafactor`, :class:`Muon`, :class:`LBFGS` (``step(closure)``) and :class:`Lion`;
  PyTorch style (``Adam(params, lr=...)``) or Keras style (``Adam(lr=0.1)``, bound
  later with ``bind(params)``); :func:`get` builds one by name.
* :mod:`gdlab.optim.lr_scheduler` — StepLR, MultiStepLR, ExponentialLR,
  CosineAnnealingLR, LinearLR, ReduceLROnPlateau, plus closed forms.
* Clipping (:func:`clip_grad_norm_`, :func:`clip_grad_value_`, per-row forms) and
  gradient noise (:func:`perturb_grad`; ``noise_std=`` on every optimizer).
* :mod:`gdlab.optim.transforms` — gradient transforms (``add_noise``, ``clip_by_norm``,
  ``clip_by_value``) composed with a rule into a :class:`Chain` (noise -> clip -> rule,
  lr from a learning-rate source), applied the same way by the stateful optimizers
  (``transforms=[...]``) and the vectorized runner.

Every torch.optim class has its twin except ``SparseAdam``, left out on purpose: it is
Adam for sparse gradients (rows a batch did not touch keep their parameters and moments),
and gdlab's autodiff and runner make dense gradients only, which torch's SparseAdam refuses.

NumPy only; never imports :mod:`gdlab.autodiff` (parameters are duck-typed:
``.data`` array updated in place, ``.grad`` array or None).
"""

from . import lr_scheduler, rules, transforms
from .clip import clip_grad_norm_, clip_grad_value_, clip_norm_rows, clip_value
from .noise import perturb_grad
from .optimizer import Optimizer
from .optimizers import (ASGD, LBFGS, OPTIMIZERS, SGD, Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, Lion, Muon,
                         NAdam, RAdam, RMSprop, Rprop, get, names)
from .rules import RULES, ParameterShapeError, Rule, get_rule, rule_names
from .transforms import Chain, StepInfo, Transform, add_noise, clip_by_norm, clip_by_value

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam",
           "Lion", "Rprop", "ASGD", "Adafactor", "Muon", "LBFGS", "ParameterShapeError", "get", "names", "OPTIMIZERS", "Rule", "RULES", "get_rule", "rule_names", "rules",
           "lr_scheduler", "clip_grad_norm_", "clip_grad_value_", "clip_norm_rows", "clip_value", "perturb_grad",
           "transforms", "Transform", "StepInfo", "Chain", "add_noise", "clip_by_norm", "clip_by_value"]
