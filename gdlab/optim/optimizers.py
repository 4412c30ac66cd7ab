"""The optimizers, with torch.optim's names, argument names and defaults.

Each class is a thin :class:`~gdlab.optim.Optimizer` over one rule of
:mod:`gdlab.optim.rules`, where the update is written (once). The docstrings give
the formula and the variant. All take, besides torch's arguments, the keyword-only
``noise_std`` and ``noise_seed`` (gradient noise) and ``transforms`` (gradient
transforms such as ``clip_by_norm(1.0)``, applied after the noise and before the
rule); see :class:`Optimizer`.
"""

from __future__ import annotations

from .._registry import Registry
from .optimizer import Optimizer
from .rules import RULES

__all__ = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Lion",
           "get", "names", "OPTIMIZERS"]


def _pair(betas):
    return tuple(betas) if isinstance(betas, list) else betas


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum or Nesterov momentum (torch.optim.SGD).

    ::

        g_t = g + wd * p            (-g when maximize)
        b_1 = g_1;   b_t = momentum * b_{t-1} + (1 - dampening) * g_t
        p  <- p - lr * d_t,   d_t = g_t (momentum = 0) | b_t | g_t + momentum * b_t (nesterov)

    Variant: torch's (and Sutskever et al. 2013 in its "lr outside the buffer" form):
    the buffer accumulates gradients and lr multiplies the buffer, so changing lr
    mid-run rescales the whole velocity; the first buffer is the raw gradient (no
    dampening on step 1). Nesterov needs momentum > 0 and dampening = 0.
    With ``momentum=0`` this is plain (batch) gradient descent.
    """

    rule = RULES["sgd"]

    def __init__(self, params=None, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, *,
                 maximize=False, noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("SGD", params, lr, 1e-3)
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class Adagrad(Optimizer):
    r"""Adagrad: per-coordinate steps shrinking with the accumulated squared gradient (torch.optim.Adagrad).

    ::

        g_t = g + wd * p
        s_t = s_{t-1} + g_t**2,          s_0 = initial_accumulator_value
        p  <- p - lr / (1 + (t - 1) * lr_decay) * g_t / (sqrt(s_t) + eps)

    Variant: Duchi, Hazan & Singer (2011), diagonal form, eps outside the root, with
    torch's ``lr_decay`` (learning rate lr / (1 + (t-1) lr_decay)).
    """

    rule = RULES["adagrad"]

    def __init__(self, params=None, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10, *, maximize=False, noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("Adagrad", params, lr, 1e-2)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      maximize=maximize),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class RMSprop(Optimizer):
    r"""RMSprop: steps divided by a moving RMS of the gradient (torch.optim.RMSprop).

    ::

        g_t = g + wd * p
        v_t = alpha * v_{t-1} + (1 - alpha) * g_t**2
        centered:  a_t = alpha * a_{t-1} + (1 - alpha) * g_t,   den = sqrt(v_t - a_t**2) + eps
        else:      den = sqrt(v_t) + eps
        momentum > 0:  b_t = momentum * b_{t-1} + g_t / den,   p <- p - lr * b_t
        else:          p <- p - lr * g_t / den

    Variant: Hinton (lecture 6e) as in torch: eps outside the square root (Keras puts
    it inside), centered form of Graves (2013), momentum applied to the scaled step
    with lr outside the buffer. ``alpha`` is the decay rate (Keras's ``rho``), in
    [0, 1) (torch also accepts alpha >= 1, which never forgets or diverges).
    """

    rule = RULES["rmsprop"]

    def __init__(self, params=None, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, *, maximize=False, noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("RMSprop", params, lr, 1e-2)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class Adadelta(Optimizer):
    r"""Adadelta: RMS of past updates over RMS of gradients (torch.optim.Adadelta).

    ::

        g_t = g + wd * p
        v_t = rho * v_{t-1} + (1 - rho) * g_t**2
        d_t = sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g_t
        u_t = rho * u_{t-1} + (1 - rho) * d_t**2
        p  <- p - lr * d_t

    Variant: Zeiler (2012), eps inside both roots, plus torch's ``lr`` factor
    (default 1.0 = the paper).
    """

    rule = RULES["adadelta"]

    def __init__(self, params=None, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, *, maximize=False,
                 noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("Adadelta", params, lr, 1.0)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class Adam(Optimizer):
    r"""Adam: bias-corrected moving averages of g and g**2 (torch.optim.Adam).

    ::

        g_t = g + wd * p                        (L2 penalty; see AdamW for decoupled decay)
        m_t = b1 * m_{t-1} + (1 - b1) * g_t
        v_t = b2 * v_{t-1} + (1 - b2) * g_t**2          (amsgrad: v_t <- max(v_max, v_t))
        p  <- p - lr * m^_t / (sqrt(v^_t) + eps),   m^_t = m_t / (1 - b1**t),  v^_t = v_t / (1 - b2**t)

    Variant: Kingma & Ba (2015) as in torch: eps is added to the square root of the
    *bias-corrected* second moment. Keras/TensorFlow add an "epsilon hat" to the root
    of the uncorrected v, which differs in the first steps. amsgrad (Reddi et al.
    2018) in torch's form (the max of the raw v, then bias-corrected).
    ``decoupled_weight_decay=True`` is AdamW.
    """

    rule = RULES["adam"]

    def __init__(self, params=None, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, *,
                 maximize=False, decoupled_weight_decay=False, noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr(type(self).__name__, params, lr, 1e-3)
        super().__init__(params, dict(lr=lr, betas=_pair(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay (torch.optim.AdamW).

    ::

        p  <- p * (1 - lr * wd)                 (before the Adam step; default wd = 1e-2)
        then Adam's step with g_t = g (no L2 term in the gradient)

    Variant: Loshchilov & Hutter (2019) as in torch: the decay is scaled by lr (the
    paper's schedule multiplier eta_t is folded into lr), applied before the moments.
    """

    rule = RULES["adamw"]

    def __init__(self, params=None, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, noise_std=0.0, noise_seed=None, transforms=()):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True, noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class Adamax(Optimizer):
    r"""Adamax: Adam with the infinity norm in place of the RMS (torch.optim.Adamax).

    ::

        g_t = g + wd * p
        m_t = b1 * m_{t-1} + (1 - b1) * g_t
        u_t = max(b2 * u_{t-1}, |g_t| + eps)
        p  <- p - lr / (1 - b1**t) * m_t / u_t

    Variant: Kingma & Ba (2015, sec. 7.1) as in torch, with eps inside the max.
    """

    rule = RULES["adamax"]

    def __init__(self, params=None, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *, maximize=False,
                 noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("Adamax", params, lr, 2e-3)
        super().__init__(params, dict(lr=lr, betas=_pair(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class NAdam(Optimizer):
    r"""NAdam: Adam with Nesterov momentum (torch.optim.NAdam).

    ::

        mu_t = b1 * (1 - 0.5 * 0.96**(t * momentum_decay)),     P_t = mu_1 * ... * mu_t
        m_t, v_t as Adam;   den = sqrt(v_t / (1 - b2**t)) + eps
        p  <- p - lr (1 - mu_t) / (1 - P_t) * g_t / den - lr mu_{t+1} / (1 - P_t mu_{t+1}) * m_t / den

    Variant: Dozat (2016) with the momentum warming schedule mu_t as in torch
    (``momentum_decay`` = 0.004 is the paper's psi). ``decoupled_weight_decay``
    gives the AdamW-style decay (torch's NAdamW).
    """

    rule = RULES["nadam"]

    def __init__(self, params=None, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, maximize=False, noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("NAdam", params, lr, 2e-3)
        super().__init__(params, dict(lr=lr, betas=_pair(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class RAdam(Optimizer):
    r"""RAdam: Adam with the variance of the adaptive step rectified (torch.optim.RAdam).

    ::

        m_t, v_t as Adam;   rho_inf = 2 / (1 - b2) - 1;   rho_t = rho_inf - 2 t b2**t / (1 - b2**t)
        rho_t > 5:  p <- p - lr * m^_t * r_t * sqrt(1 - b2**t) / (sqrt(v_t) + eps)
                    r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        otherwise:  p <- p - lr * m^_t                 (m^_t = m_t / (1 - b1**t))

    Variant: Liu et al. (2020) with torch's threshold rho_t > 5 (the paper uses 4):
    with the default b2 = 0.999 the first 5 steps are momentum SGD.
    ``decoupled_weight_decay`` gives AdamW-style decay.
    """

    rule = RULES["radam"]

    def __init__(self, params=None, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False, *, maximize=False, noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("RAdam", params, lr, 1e-3)
        super().__init__(params, dict(lr=lr, betas=_pair(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class Lion(Optimizer):
    r"""Lion, EvoLved Sign Momentum (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms").

    ::

        c_t = b1 * m_{t-1} + (1 - b1) * g_t
        p  <- p - lr * (sign(c_t) + wd * p)            (decoupled weight decay)
        m_t = b2 * m_{t-1} + (1 - b2) * g_t

    Variant: the paper's Algorithm 2 (defaults b1 = 0.9, b2 = 0.99; lr typically
    3-10x smaller than AdamW's, wd 3-10x larger). Every coordinate moves by exactly
    lr (plus decay) each step. No torch.optim counterpart.
    """

    rule = RULES["lion"]

    def __init__(self, params=None, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, *, maximize=False,
                 noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("Lion", params, lr, 1e-4)
        super().__init__(params, dict(lr=lr, betas=_pair(betas), weight_decay=weight_decay, maximize=maximize),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


# name -> (class, preset overrides): "optimizers by name" for the higher layers
OPTIMIZERS: dict[str, tuple[type[Optimizer], dict]] = {
    "gd": (SGD, {}),
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (Adagrad, {}),
    "rmsprop": (RMSprop, {}),
    "adadelta": (Adadelta, {}),
    "adam": (Adam, {}),
    "adamw": (AdamW, {}),
    "adamax": (Adamax, {}),
    "nadam": (NAdam, {}),
    "radam": (RAdam, {}),
    "lion": (Lion, {}),
}
#: OPTIMIZERS as a registry (lookup, "did you mean", the unknown-optimizer message).
REGISTRY = Registry("optimizer", OPTIMIZERS)


def names() -> list[str]:
    """The optimizer names :func:`get` knows."""
    return list(OPTIMIZERS)


def get(identifier, **overrides) -> Optimizer:
    """An unbound optimizer from a name (Keras's ``optimizers.get``), a class, or an instance.

    ``get("adam", lr=0.1)`` is ``Adam(lr=0.1)``; ``get("momentum")`` is
    ``SGD(momentum=0.9)``; ``get("nesterov")`` is ``SGD(momentum=0.9, nesterov=True)``.
    Names are case-insensitive. An :class:`Optimizer` instance is returned as it is
    (overrides are then an error); a subclass is instantiated with the overrides.
    Unknown names raise ValueError listing the known names and close matches.
    """
    if isinstance(identifier, Optimizer):
        if overrides:
            raise TypeError("cannot apply hyperparameter overrides to an existing optimizer instance; "
                            "pass a name instead, e.g. get('adam', lr=0.1)")
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier(**overrides)
    if not isinstance(identifier, str):
        raise TypeError(f"expected an optimizer name, class or instance, got {type(identifier).__name__}")
    cls, preset = REGISTRY.get(identifier)
    return cls(**{**preset, **overrides})
