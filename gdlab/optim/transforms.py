"""Gradient transforms and the chain: what happens to a gradient between the model and the update rule.

Both engines, the stateful :class:`~gdlab.optim.Optimizer` over tensors and the
vectorized runner (:mod:`gdlab.runs`), apply one :class:`Chain`::

    gradient -> add_noise -> clip_by_norm | clip_by_value | ... -> rule    (lr from a learning-rate source)

A :class:`Transform` is optax's ``GradientTransformation`` in gdlab's in-place way:

``state = transform.init(params)``
    ``params`` is the list of parameter arrays (the *leaves*): the parameters of an
    optimizer that have a gradient, or the runner's one ``(n_runs, d)`` array.
``grads, state = transform.update(grads, state, params, info)``
    ``grads`` is a list of arrays aligned with ``params``. The arrays it returns are
    ``grads``' own (nothing to do) or scratch buffers kept in ``state``: a transform
    never writes into the arrays it is given (they may be a user's ``.grad``), and
    ``state`` is updated in place and returned. ``info`` is a :class:`StepInfo`: the
    step, the leaves' hyperparameters (by group: consecutive leaves sharing one
    mapping), and whether axis 0 of every leaf is a batch of independent runs.

Adding a transform is one function in this file that returns a ``Transform``; the
engines apply whatever the chain holds. A transform's *hyperparameters* (e.g.
``noise_std``) are per-group values, read from the group mappings in ``info.groups``:
the optimizer's ``param_groups`` (so a scheduler or the user may change them
between steps, as ``lr``), or the runner's per-run settings (scalars or ``(n_runs, 1)``
arrays). Its other settings (``max_norm``) are fixed when it is made.

What is and is not a transform
------------------------------
* Gradient noise and clipping are transforms, in that order (noise first, as torch's
  usual ``loss.backward(); add noise; clip_grad_norm_(...); opt.step()``).
* Coupled (L2) weight decay, ``g <- ±g + wd * p``, is the first step of every rule
  (``rules._grad``), after the sign flip of ``maximize`` as in torch.optim; it is
  therefore applied after noise and clipping, where torch applies it (inside
  ``step()``). Decoupled decay (AdamW, ``decoupled_weight_decay=True``, Lion) scales the
  parameters by ``1 - lr * wd`` and is not a gradient transform: it stays in the rule.
* The learning rate comes from the chain's *learning-rate source* (``Chain.lr``):
  ``None`` means "the ``lr`` in the hyperparameters", which is how the tensor engine
  works (torch's ``LRScheduler`` classes write ``group["lr"]``); a callable ``t -> lr``
  or a table indexed by the step is how the runner follows a schedule (the closed
  forms of :mod:`gdlab.optim.lr_scheduler`, one value or one ``(n_runs, 1)`` array
  per step).

Clipping by norm: two engines, two meanings (kept as they were)
---------------------------------------------------------------
``clip_by_norm(max_norm)`` scales the gradient so that its norm is at most
``max_norm``, by ``min(1, max_norm / (norm + 1e-6))`` as torch. With ``info.rows``
False (the tensor engine) the norm is the total norm of *all* the leaves together,
torch's :func:`torch.nn.utils.clip_grad_norm_` over the optimizer's parameters. With
``info.rows`` True (the runner) every row is a separate run and is clipped by its own
norm (the norm over all axes but the first, summed over the leaves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .clip import _norm_type, _vector_norm, clip_value
from .noise import perturb_grad
from .rules import Rule, _nonzero

__all__ = ["Transform", "StepInfo", "Chain", "add_noise", "clip_by_norm", "clip_by_value"]


class StepInfo:
    """What an engine tells the transforms about the step being taken (one object, updated in place).

    ``t``: the number of updates done before this one (0 on the first).
    ``groups``: ``[(hyper, n), ...]``: the leaves, in order, come in groups of ``n``
    consecutive leaves sharing the mapping ``hyper`` of hyperparameters (tensor engine:
    a ``param_groups`` dict and its parameters that have a gradient; runner: one group
    of one leaf with the per-run settings, e.g. ``{"noise_std": ...}``).
    ``rows``: True when axis 0 of every leaf indexes independent runs (the runner).
    """

    __slots__ = ("t", "groups", "rows")

    def __init__(self, t: int = 0, groups: Sequence[tuple] = (), rows: bool = False):
        self.t = t
        self.groups = groups
        self.rows = rows

    def hyper(self, i: int) -> Mapping:
        """The hyperparameters of leaf ``i``."""
        for hyper, n in self.groups:
            if i < n:
                return hyper
            i -= n
        raise IndexError("leaf index out of range")

    def __repr__(self) -> str:
        return f"StepInfo(t={self.t}, rows={self.rows}, {sum(n for _, n in self.groups)} leaves)"


@dataclass(frozen=True)
class Transform:
    """One gradient transform: ``init(params) -> state``, ``update(grads, state, params, info) -> (grads, state)``.

    ``hyperparameters``: the per-group hyperparameters it reads from ``info.groups``,
    with their defaults (an optimizer adds them to its ``defaults``; they are checked by
    :func:`gdlab.optim.rules.check_hyperparameters`). See the module docstring.
    """

    name: str
    init: Callable[[Sequence[np.ndarray]], dict]
    update: Callable[[list, dict, Sequence[np.ndarray], StepInfo], tuple]
    hyperparameters: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        return f"Transform({self.name!r})"


def _scratch(state: dict, i: int, shape, dtype, like=None) -> np.ndarray:
    """The transform's output buffer for leaf ``i`` (made on first use, remade if the leaf's shape changes).

    ``like`` given: laid out as ``like`` (``empty_like``); otherwise C order.
    """
    bufs = state["out"]
    if i < len(bufs):
        b = bufs[i]
        if b is not None and b.shape == shape and b.dtype == dtype:
            return b
    else:
        bufs.extend([None] * (i + 1 - len(bufs)))
    b = bufs[i] = np.empty(shape, dtype) if like is None else np.empty_like(like, dtype=dtype)
    return b


# -- gradient noise ---------------------------------------------------------------------

def add_noise(rng: np.random.Generator | int | None = None) -> Transform:
    """Perturbed gradients: ``g <- g + noise_std * xi``, ``xi ~ N(0, I)`` (see :mod:`gdlab.optim.noise`).

    ``noise_std`` is a hyperparameter (default 0): a scalar per group, or an
    ``(n_runs, 1)`` array in the runner (a noise level per run). Leaves whose
    ``noise_std`` is zero everywhere get no draws, so a zero noise level leaves the
    random stream untouched. Draws come from ``rng`` (a ``numpy.random.Generator``,
    shared as it is, e.g. with mini-batch sampling; or a seed for a new one), leaf after
    leaf, into a C-ordered buffer of the parameter's shape and dtype: the numbers drawn
    depend on the seed and the shapes only, not on memory layout, and float32 stays
    float32. The generator is ``state["rng"]``.
    """
    def init(params):
        gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        return {"rng": gen, "out": []}

    def update(grads, state, params, info):
        gen = state["rng"]
        out = None
        end = 0
        for hyper, n in info.groups:
            end += n
            std = hyper["noise_std"]
            if (not std) if not isinstance(std, np.ndarray) else not _nonzero(std):
                continue
            if out is None:
                out = list(grads)
            for i in range(end - n, end):
                x = params[i]
                out[i] = perturb_grad(grads[i], std, gen, out=_scratch(state, i, x.shape, x.dtype))
        return (grads if out is None else out), state

    return Transform("add_noise", init, update, MappingProxyType({"noise_std": 0.0}))


# -- clipping ---------------------------------------------------------------------------

def _check_max(name: str, value):
    a = np.asarray(value, dtype=np.float64)
    if a.ndim > 1 or not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError(f"{name} must be a finite number > 0 (or, for per-run clipping, a 1-D array of them), "
                         f"got {value!r}")
    return float(a) if a.ndim == 0 else a


def clip_by_norm(max_norm, norm_type: float = 2.0) -> Transform:
    """Scale the gradient by ``min(1, max_norm / (norm + 1e-6))`` (torch's ``clip_grad_norm_`` coefficient).

    ``norm`` is the ``norm_type``-norm (2 by default; ``inf`` allowed) of all the
    leaves seen as one vector when ``info.rows`` is False (the tensor engine: torch's
    total norm over the optimizer's parameters, computed as torch does, as the norm of
    the per-leaf norms), and of each row separately when ``info.rows`` is True (the
    runner: one clipping per run; ``max_norm`` may then be an array of shape
    ``(n_runs,)``). ``state["norm"]`` holds the norm(s) before clipping: a float, or an
    ``(n_runs,)`` array.
    """
    max_norm = _check_max("max_norm", max_norm)
    p = _norm_type(norm_type)

    def init(params):
        return {"out": [], "norm": None}

    def update(grads, state, params, info):
        if not grads:
            return grads, state
        if info.rows:
            if len(grads) == 1:
                g = grads[0]
                norm = _vector_norm(g, p, axis=1 if g.ndim == 2 else tuple(range(1, g.ndim)))
            else:
                per_leaf = np.stack([_vector_norm(g, p, axis=tuple(range(1, g.ndim))) for g in grads])
                norm = _vector_norm(per_leaf, p, axis=0)
            coef = np.minimum(max_norm / (norm + 1e-6), 1.0)
        else:
            per_leaf = np.array([_vector_norm(g, p) for g in grads], dtype=np.float64)
            norm = float(_vector_norm(per_leaf, p))
            coef = min(max_norm / (norm + 1e-6), 1.0)
        state["norm"] = norm
        out = []
        for i, g in enumerate(grads):
            c = coef.reshape(coef.shape + (1,) * (g.ndim - 1)) if info.rows else coef
            out.append(np.multiply(g, c, out=_scratch(state, i, g.shape, g.dtype, params[i])))
        return out, state

    return Transform("clip_by_norm", init, update)


def clip_by_value(clip: float) -> Transform:
    """Clamp every gradient entry to ``[-clip, clip]`` (torch's ``clip_grad_value_``; the same in both engines)."""
    c = _check_max("clip", clip)
    if not isinstance(c, float):
        raise ValueError(f"clip must be one number > 0, got {clip!r}")

    def init(params):
        return {"out": []}

    def update(grads, state, params, info):
        out = [clip_value(g, c, out=_scratch(state, i, g.shape, g.dtype, like=params[i])) for i, g in enumerate(grads)]
        return out, state

    return Transform("clip_by_value", init, update)


# -- the chain ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Chain:
    """Transforms applied in order, then one update rule, with the learning rate from ``lr``.

    ``rule``: a :class:`~gdlab.optim.rules.Rule`. ``transforms``: a sequence of
    :class:`Transform`. ``lr``: the learning-rate source: None (the ``lr`` given in the
    rule's hyperparameters), a callable ``t -> lr`` or an indexable table (``lr[t]``).

    ``state = chain.init(params)`` gives the transforms' states (a list). One step::

        chain.update(grads, state, params, rule_states, rule_hps, info, loss=None)

    runs the transforms on ``grads``, then ``rule.update(params[i], g[i], rule_states[i],
    **rule_hps[k])`` for every leaf ``i`` of group ``k`` of ``info.groups``, in place
    (a rule with ``needs_loss``, L-BFGS, has one leaf and gets ``loss=loss`` too)
    (``rule_hps``: one dict of rule hyperparameters per group). The rules' states are
    the engines' (the tensor engine keeps them per parameter, in torch's
    ``state_dict`` layout; the runner records them), so they are passed in rather than
    kept here. When ``lr`` is a source, every ``rule_hps[k]["lr"]`` is set to its value
    at step ``info.t``.
    """

    rule: Rule
    transforms: tuple = ()
    lr: Any = None

    def __post_init__(self):
        if not isinstance(self.rule, Rule):
            raise TypeError(f"Chain needs a gdlab.optim Rule, got {self.rule!r}")
        transforms = tuple(self.transforms)
        for tr in transforms:
            if not isinstance(tr, Transform):
                raise TypeError(f"Chain: {tr!r} is not a gdlab.optim.transforms.Transform")
        object.__setattr__(self, "transforms", transforms)
        lr = self.lr
        if lr is not None and not callable(lr):
            if not hasattr(lr, "__getitem__"):
                raise TypeError(f"Chain: lr must be None, a callable t -> lr or a table indexed by step, got {lr!r}")
            lr = lr.__getitem__
        object.__setattr__(self, "_lr_at", lr)
        object.__setattr__(self, "_update", self.rule.update)

    @property
    def hyperparameters(self) -> dict:
        """The per-group hyperparameters the transforms read, with their defaults."""
        out: dict = {}
        for tr in self.transforms:
            out.update(tr.hyperparameters)
        return out

    def init(self, params: Sequence[np.ndarray]) -> list:
        return [tr.init(params) for tr in self.transforms]

    def update(self, grads: list, state: list, params: Sequence[np.ndarray], rule_states: Sequence[dict],
               rule_hps: Sequence[dict], info: StepInfo, loss=None) -> None:
        if self.transforms:
            for tr, s in zip(self.transforms, state):
                grads, _ = tr.update(grads, s, params, info)
        if self._lr_at is not None:
            lr = self._lr_at(info.t)
            for hp in rule_hps:
                hp["lr"] = lr
        update = self._update
        if self.rule.needs_loss:  # L-BFGS: one leaf (the flat parameters or the runs), with its loss
            update(params[0], grads[0], rule_states[0], loss=loss, **rule_hps[0])
            return
        if len(rule_hps) == 1:  # one group (the runner, most optimizers): no bookkeeping
            hp = rule_hps[0]
            for p, g, s in zip(params, grads, rule_states):
                update(p, g, s, **hp)
            return
        end = 0
        for (_, n), hp in zip(info.groups, rule_hps):
            end += n
            for i in range(end - n, end):
                update(params[i], grads[i], rule_states[i], **hp)

    def bind(self, state: list, params: Sequence[np.ndarray], rule_states: Sequence[dict], rule_hps: Sequence[dict],
             info: StepInfo) -> Callable[[list], None]:
        """``update`` with everything but the gradients fixed: ``step(grads, loss=None)`` (for a loop over steps).

        ``step(grads, loss)`` is ``self.update(grads, state, params, rule_states, rule_hps, info, loss)``
        (``info`` is read at each call, so an engine sets ``info.t`` before it). With no
        transform, no learning-rate source and one leaf it calls the rule directly,
        saving the runner's hot loop a few hundred nanoseconds per step.
        """
        if not self.transforms and self._lr_at is None and len(params) == 1 and not self.rule.needs_loss:
            update, p, s, hp = self._update, params[0], rule_states[0], rule_hps[0]

            def step(grads, loss=None):
                update(p, grads[0], s, **hp)
        else:
            chain_update = self.update

            def step(grads, loss=None):
                chain_update(grads, state, params, rule_states, rule_hps, info, loss)
        return step

    def __repr__(self) -> str:
        steps = [tr.name for tr in self.transforms] + [self.rule.name]
        return f"Chain({' -> '.join(steps)}{'' if self.lr is None else ', lr from a schedule'})"

