"""The stateful ``Optimizer``: torch.optim's interface over one :class:`~gdlab.optim.rules.Rule`.

An optimizer holds ``param_groups`` (a list of dicts: ``"params"`` plus the
hyperparameters, torch semantics, so a scheduler changes ``group["lr"]``), a
per-parameter ``state`` dict and a :class:`~gdlab.optim.transforms.Chain`:
its own gradient noise (``noise_std``), the ``transforms`` it was given (e.g.
clipping), then the rule. ``step()`` hands the parameters that have a gradient to
``chain.update``, the very call the vectorized runner makes; all the maths lives in
the rule and the transforms.

Parameters are duck-typed: any object with ``.data`` (a floating NumPy array,
updated in place, never rebound) and ``.grad`` (an array of the same shape, or None
to skip the parameter, as torch does). :class:`gdlab.Tensor` is such an object; so
is a two-attribute stand-in.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterable, Iterator, MutableMapping
from numbers import Real
from typing import Any, Callable

import numpy as np

from . import fused
from .rules import Rule
from .transforms import Chain, StepInfo, Transform, add_noise

__all__ = ["Optimizer"]


class _ParamState(MutableMapping):
    """``optimizer.state[p]``: per-parameter state keyed by identity (parameters need not be hashable)."""

    def __init__(self):
        self._d: dict[int, tuple[Any, dict]] = {}

    def __getitem__(self, p):
        return self._d[id(p)][1]

    def __setitem__(self, p, value):
        self._d[id(p)] = (p, value)

    def __delitem__(self, p):
        del self._d[id(p)]

    def __iter__(self) -> Iterator:
        return (p for p, _ in self._d.values())

    def __len__(self) -> int:
        return len(self._d)

    def get_by_id(self, key: int):
        entry = self._d.get(key)
        return None if entry is None else entry[1]


def _copy_state(state: dict) -> dict:
    """A deep copy of one parameter's state without its scratch buffers (keys starting with '_')."""
    return {k: copy.deepcopy(v) for k, v in state.items() if not k.startswith("_")}


def _checked_entry(bad, where, v, ref, shapes, dtype):
    """One saved state entry ``v`` against ``ref``, what the rule keeps there (an array of one of
    ``shapes``, a whole number, a finite number, or None: anything); arrays come back in ``dtype``."""
    if isinstance(ref, np.ndarray):
        if not (isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.shape in shapes):
            got = f"{v.dtype} array of shape {v.shape}" if isinstance(v, np.ndarray) else type(v).__name__
            want = " or ".join(str(s) for s in shapes)
            raise bad(where, f"expected a float array of shape {want} (the parameter's), got a {got}")
        return v.astype(dtype) if v.dtype != dtype and v.shape == shapes[0] else v
    if ref is None or isinstance(ref, (bool, np.bool_)) or not isinstance(ref, numbers.Real):
        return v
    whole = isinstance(ref, numbers.Integral)
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) or not np.isfinite(v) \
            or (whole and (not isinstance(v, numbers.Integral) or v < 0)):
        raise bad(where, f"expected {'a whole number >= 0' if whole else 'a finite number'}, got {v!r}")
    return v


class Optimizer:
    """Base class of gdlab's optimizers (SGD, Adam, ...): torch.optim's interface, Keras-style binding.

    PyTorch style::

        opt = gdlab.optim.Adam(model.parameters(), lr=1e-3)
        opt.zero_grad(); loss.backward(); opt.step()

    Keras style: construct without parameters (``Adam(lr=0.1)``, or ``Adam(0.1)``:
    a number in the ``params`` slot is the learning rate), attach them later with
    :meth:`bind`. ``step()`` on an unbound optimizer raises RuntimeError.

    ``params``: an iterable of parameters, or of dicts (parameter groups) each with
    ``"params"`` and any per-group hyperparameter overrides.

    Gradient noise (perturbed gradient descent): ``noise_std=σ`` adds ``σ·ξ``,
    ``ξ ~ N(0, I)``, to every gradient before the rule sees it (``.grad`` itself is
    not changed). ``noise_std`` is a per-group hyperparameter (schedulable like
    ``lr``); the draws come from one ``np.random.default_rng(noise_seed)`` per
    optimizer, in parameter order, and its state is part of ``state_dict()``.

    Gradient transforms: ``transforms=[gdlab.optim.clip_by_norm(1.0)]`` (any
    :class:`~gdlab.optim.transforms.Transform`) are applied in order after the noise and
    before the rule, to the gradients of all parameters together: ``clip_by_norm`` here
    is torch's ``clip_grad_norm_`` over the optimizer's parameters (the runner clips each
    run separately). ``.grad`` itself is never changed. Transform hyperparameters (such
    as ``noise_std``) are group hyperparameters; the transforms themselves are not part
    of ``state_dict()`` (build the optimizer with the same ones to resume).

    Differences from torch.optim: ``eps`` must be > 0 (torch allows 0) and
    RMSprop's ``alpha`` < 1 (torch allows any alpha >= 0); state
    entries ``"step"`` are Python ints, not tensors; ``state_dict()`` deep-copies
    (torch returns references); there are no ``foreach``/``fused``/``capturable``/
    ``differentiable`` switches (one implementation).
    """

    rule: Rule  # set by each subclass

    def __init__(self, params=None, defaults: dict | None = None, *, noise_std: float = 0.0,
                 noise_seed: int | None = None, transforms: Iterable[Transform] = ()):
        if not isinstance(getattr(self, "rule", None), Rule):
            raise TypeError(f"{type(self).__name__} has no update rule: use SGD, Adam, ... or give a subclass "
                            "a class attribute rule = gdlab.optim.Rule(...)")
        if isinstance(transforms, Transform):
            transforms = [transforms]
        self.noise_seed = noise_seed
        self._noise_rng = np.random.default_rng(noise_seed)
        self.chain = Chain(self.rule, (add_noise(self._noise_rng), *transforms))
        defaults = dict(self.rule.defaults if defaults is None else defaults)
        for k, v in self.chain.hyperparameters.items():
            defaults.setdefault(k, v)
        defaults["noise_std"] = noise_std
        self.rule.check(defaults, type(self).__name__)
        self.defaults = defaults
        self.param_groups: list[dict] = []
        self.state = _ParamState()
        self._chain_state = self.chain.init([])
        self._info = StepInfo(0, (), rows=False)
        # only the default noise transform (a no-op at noise_std 0): steps may be fused (gdlab.optim.fused)
        self._plain_chain = len(self.chain.transforms) == 1 and self.chain.lr is None
        self._fused_memo = fused.Memo()
        self._rule_keys = tuple(self.rule.defaults)
        if params is not None:
            self.bind(params)

    # -- construction helpers for subclasses -----------------------------------------------
    @staticmethod
    def _split_params_lr(cls_name: str, params, lr, default_lr):
        """Keras-style ``Adam(0.1)``: a number given as ``params`` is the learning rate."""
        if isinstance(params, Real) and not isinstance(params, bool):
            if lr != default_lr:
                raise TypeError(f"{cls_name}: got a learning rate both as first argument ({params!r}) "
                                f"and as lr={lr!r}")
            return None, params
        return params, lr

    # -- parameters ---------------------------------------------------------------------
    @property
    def bound(self) -> bool:
        """Whether parameters are attached."""
        return bool(self.param_groups)

    def bind(self, params) -> "Optimizer":
        """Attach parameters to an optimizer built without them (Keras style); returns self.

        ``params`` is what the constructor takes: an iterable of parameters or of
        parameter-group dicts. Binding again to the very same parameters (same
        objects, same order; e.g. a second ``fit``) is a no-op; binding to others
        raises RuntimeError (use :meth:`add_param_group` to add more).
        """
        if hasattr(params, "data") and hasattr(params, "grad"):
            raise TypeError("params must be an iterable of parameters or of dicts, "
                            "got a single parameter; pass [p]")
        if isinstance(params, (str, bytes, dict)) or not isinstance(params, Iterable):
            raise TypeError(f"params must be an iterable of parameters or of dicts, got {type(params).__name__}")
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        if self.param_groups:
            new = [id(p) for g in groups for p in ([g["params"]] if hasattr(g["params"], "grad") else g["params"])]
            if new == [id(p) for g in self.param_groups for p in g["params"]]:
                return self
            raise RuntimeError(f"{type(self).__name__} is already bound to other parameters; "
                               "use add_param_group() to add more")
        for group in groups:
            self.add_param_group(group)
        return self

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own hyperparameters (missing ones take the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"a param group must be a dict, got {type(param_group).__name__}")
        params = param_group.get("params")
        if params is None:
            raise ValueError("a param group needs a 'params' entry")
        if hasattr(params, "data") and hasattr(params, "grad"):
            params = [params]
        params = list(params)
        for p in params:
            data = getattr(p, "data", None)
            if not (isinstance(data, np.ndarray) and data.dtype.kind == "f") or not hasattr(p, "grad"):
                raise TypeError("each parameter needs .data (a floating-point NumPy array) and .grad; "
                                f"got {type(p).__name__}"
                                + (f" with .data of dtype {data.dtype}" if isinstance(data, np.ndarray) else ""))
            if not data.flags.writeable:
                raise ValueError("a parameter's .data must be writeable (it is updated in place)")
        unknown = set(param_group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown hyperparameter(s) {', '.join(sorted(unknown))} "
                            f"in param group; known: {', '.join(self.defaults)}")
        group = {"params": params}
        for k, v in self.defaults.items():
            group[k] = param_group.get(k, v)
        if "initial_lr" in param_group:
            group["initial_lr"] = param_group["initial_lr"]
        self.rule.check({k: v for k, v in group.items() if k != "params"}, type(self).__name__)
        self._check_params(params)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise ValueError("some parameters appear more than once (in this group or in another)")
        self.param_groups.append(group)

    def _check_params(self, params: list) -> None:
        """A subclass's check of its parameters' shapes (Muon: matrices only); nothing here."""

    # -- the training loop -----------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``p.grad = None`` (torch's default, set_to_none=True), or fill them with 0."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad[...] = 0

    def step(self, closure: Callable[[], Any] | None = None):
        """One update of every parameter that has a gradient; returns ``closure()`` if given.

        ``closure`` (optional) re-evaluates the model and returns the loss; it is
        called first, as in torch. Parameters whose ``.grad`` is None are skipped.
        """
        if not self.param_groups:
            raise RuntimeError(f"{type(self).__name__} has no parameters: bind them first "
                               f"(opt.bind(params)) or pass them to the constructor")
        loss = closure() if closure is not None else None
        init = self.rule.init
        states = self.state._d  # id(p) -> (p, state)
        xs, grads, rule_states, rule_hps, groups = [], [], [], [], []
        add_x, add_g, add_state = xs.append, grads.append, rule_states.append
        for group in self.param_groups:
            hp = {k: group[k] for k in self._rule_keys}
            n = len(grads)
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                entry = states.get(id(p))
                if entry is None:
                    entry = states[id(p)] = (p, init(p.data, **hp))
                add_x(p.data)
                add_g(g)
                add_state(entry[1])
            groups.append((group, len(grads) - n))
            rule_hps.append(hp)
        info = self._info
        if self._plain_chain and fused.enabled() and not any(group.get("noise_std") for group, _ in groups) \
                and not getattr(self.rule, "needs_loss", False):
            # the chain would only apply the rule: one compiled pass per parameter where the rule traces
            end = 0
            update = self.rule.update
            for (_, k), hp in zip(groups, rule_hps):
                step = fused.group_step(self.rule, hp, self._fused_memo)
                for i in range(end, end + k):
                    if step is None or not step(xs[i], grads[i], rule_states[i]):
                        update(xs[i], grads[i], rule_states[i], **hp)
                end += k
            info.t += 1
            return loss
        info.groups = groups
        self.chain.update(grads, self._chain_state, xs, rule_states, rule_hps, info)
        info.t += 1
        info.groups = ()
        return loss

    # -- checkpoints -------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """A deep copy of the optimizer's state, torch's layout: parameters become indices.

        ``{"state": {index: {key: value}}, "param_groups": [{..., "params": [indices]}],
        "noise_rng": bit-generator state, "steps": number of step() calls}``.
        Scratch buffers are left out.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            g = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            g["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(g)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                s = self.state.get_by_id(id(p))
                if s is not None:
                    state[index[id(p)]] = _copy_state(s)
        return {"state": state, "param_groups": groups,
                "noise_rng": copy.deepcopy(self._noise_rng.bit_generator.state), "steps": self._info.t}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a :meth:`state_dict` (deep-copied) into an optimizer bound to the same parameter layout.

        A run resumed this way continues bit for bit as if it had not stopped. Everything is
        checked before anything changes (a refused state dict leaves the optimizer as it was):
        the layout (groups, parameter indices), each group's hyperparameters (the constructor's
        checks), and each parameter's state against what this optimizer's rule keeps for that
        parameter (the same keys; arrays of the parameter's shape, numbers where it keeps
        numbers); a mismatch is a ValueError naming the entry, e.g. ``state[0]['exp_avg']``.
        """
        groups, states, steps, rng_state = self._checked_state_dict(state_dict)
        for saved, group in zip(groups, self.param_groups):
            group.update(saved)
        self.state = _ParamState()
        for p, s in states:
            self.state[p] = s
        if rng_state is not None:
            self._noise_rng.bit_generator.state = rng_state
        self._info.t = steps

    def _checked_state_dict(self, state_dict):
        """(group hyperparameters, [(param, state)], steps, noise rng state) of a valid state dict, deep-copied."""
        name = type(self).__name__

        def bad(where, problem):
            return ValueError(f"{name}.load_state_dict: {where}: {problem}")

        if not isinstance(state_dict, dict) or not isinstance(state_dict.get("param_groups"), list) \
                or not isinstance(state_dict.get("state"), dict):
            raise bad("the state dict", "expected a dict with a 'param_groups' list and a 'state' dict")
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(groups)} parameter groups, "
                             f"this optimizer has {len(self.param_groups)}")
        checked_groups, by_index = [], {}
        for i, (saved, group) in enumerate(zip(groups, self.param_groups)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), list):
                raise bad(f"param_groups[{i}]", "expected a dict with a 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"parameter group {i}: loaded state dict has {len(saved['params'])} "
                                 f"parameters, this optimizer has {len(group['params'])}")
            hp = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            unknown = set(hp) - set(self.defaults) - {"initial_lr"}
            if unknown:
                raise bad(f"param_groups[{i}]", f"unknown hyperparameter(s) {', '.join(sorted(map(str, unknown)))}")
            try:
                self.rule.check({**{k: v for k, v in group.items() if k != "params"}, **hp}, name)
            except (TypeError, ValueError) as exc:
                raise bad(f"param_groups[{i}]", str(exc)) from None
            checked_groups.append(hp)
            for j, p in zip(saved["params"], group["params"]):
                if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or j in by_index:
                    raise bad(f"param_groups[{i}]['params']", f"expected distinct parameter indices, got {j!r}")
                by_index[int(j)] = (p, {k: group[k] for k in self._rule_keys} | {
                    k: hp[k] for k in self._rule_keys if k in hp})
        states = []
        n_numbers = sum(p.data.size for g in self.param_groups for p in g["params"])
        for j, s in state_dict["state"].items():
            if j not in by_index:
                raise bad(f"state[{j!r}]", "no parameter has this index in 'param_groups'")
            p, hp = by_index[j]
            if not isinstance(s, dict):
                raise bad(f"state[{j!r}]", f"expected a dict, got {type(s).__name__}")
            fresh = {k: v for k, v in self.rule.init(p.data, **hp).items() if not k.startswith("_")}
            later = {k: p.data for k in self.rule.state_keys if k not in fresh}  # arrays made by a first update
            missing, extra = set(fresh) - set(s), set(s) - set(fresh) - set(later)
            if missing or extra:
                raise bad(f"state[{j!r}]", f"has the entries {sorted(map(str, s))}; {name} keeps "
                                           f"{sorted(fresh)}{f' (and later {sorted(later)})' if later else ''} "
                                           "for these hyperparameters")
            s = copy.deepcopy(s)
            for k, v in s.items():
                where = f"state[{j!r}][{k!r}]"
                if k in fresh:
                    ref = fresh[k]
                    shapes = (ref.shape,) if isinstance(ref, np.ndarray) else ()
                else:  # an array a later update makes: the parameter's shape, or flat over all the parameters
                    ref = p.data if isinstance(v, np.ndarray) else None   # (as L-BFGS keeps its directions)
                    shapes = (p.data.shape, (n_numbers,))
                s[k] = _checked_entry(bad, where, v, ref, shapes, p.data.dtype)
            states.append((p, s))
        steps = state_dict.get("steps")
        if steps is None:  # a state dict written before "steps" existed: the most updates any parameter has had
            steps = max((int(s.get("step", 0)) for _, s in states), default=0)
        if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, numbers.Integral) or steps < 0:
            raise bad("steps", f"expected a whole number >= 0, got {steps!r}")
        rng_state = state_dict.get("noise_rng")
        if rng_state is not None:
            try:
                probe = type(self._noise_rng.bit_generator)()
                probe.state = copy.deepcopy(rng_state)
                rng_state = probe.state
            except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
                raise bad("noise_rng", f"not a {type(probe).__name__} state ({exc})") from None
        return checked_groups, states, int(steps), rng_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        if not self.param_groups:
            lines.append("    unbound: " + ", ".join(f"{k}={v!r}" for k, v in self.defaults.items()))
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {v!r}" for k, v in group.items() if k != "params")
        lines.append(")")
        return "\n".join(lines)
