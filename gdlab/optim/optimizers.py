"""The optimizers, with torch.optim's names, argument names and defaults.

Each class is a thin :class:`~gdlab.optim.Optimizer` over one rule of
:mod:`gdlab.optim.rules`, where the update is written (once). The docstrings give
the formula and the variant. All take, besides torch's arguments, the keyword-only
``noise_std`` and ``noise_seed`` (gradient noise) and ``transforms`` (gradient
transforms such as ``clip_by_norm(1.0)``, applied after the noise and before the
rule); see :class:`Optimizer`.
"""

from __future__ import annotations

import inspect

from .._registry import Registry
from .optimizer import Optimizer
import numpy as np

from .rules import RULES, ParameterShapeError

__all__ = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Lion",
           "Rprop", "ASGD", "Adafactor", "Muon", "LBFGS", "get", "names", "OPTIMIZERS"]


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


class Rprop(Optimizer):
    r"""Rprop, resilient backpropagation: per-coordinate step sizes adapted from gradient signs (torch.optim.Rprop).

    ::

        s = sign(g_t * g_{t-1});   step_t = clamp(step_{t-1} * (eta+ | eta- | 1), step_min, step_max)
        g_t <- 0 where s < 0;      p <- p - sign(g_t) * step_t            (step_0 = lr)

    Variant: Riedmiller & Braun (1993), "A direct adaptive method for faster
    backpropagation learning: the RPROP algorithm", without weight backtracking
    (Rprop-), as torch: after a sign change the coordinate does not move and its
    gradient is forgotten. Meant for full-batch gradients: with mini-batches the signs
    are noise. ``lr`` only sets the initial step sizes (a scheduler changing it later
    has no effect, as in torch). Checks: torch's (lr >= 0, 0 < eta- < 1 < eta+), with
    its messages, plus one torch does not make: 0 <= step_min <= step_max.
    """

    rule = RULES["rprop"]

    def __init__(self, params=None, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, maximize=False,
                 noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("Rprop", params, lr, 1e-2)
        super().__init__(params, dict(lr=lr, etas=_pair(etas), step_sizes=_pair(step_sizes), maximize=maximize),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class ASGD(Optimizer):
    r"""Averaged stochastic gradient descent (torch.optim.ASGD).

    ::

        p  <- p * (1 - lambd * eta_t) - eta_t * (g + wd * p)
        ax <- ax + mu_t * (p - ax)                         (ax = p while t <= t0 + 1)
        eta_{t+1} = lr / (1 + lambd * lr * t)**alpha,   mu_{t+1} = 1 / max(1, t - t0)

    Variant: Polyak & Juditsky (1992), "Acceleration of stochastic approximation by
    averaging", with the decaying rate of Bottou's SGD and its decay term ``lambd``, as
    torch: the parameters follow SGD; the Polyak-Ruppert average of the iterates after
    step ``t0`` is kept in ``state["ax"]`` (copy it into the parameters to use it).
    ``eta`` and ``mu`` are float64 (torch: its default dtype). Checks: torch's
    (lr >= 0, weight_decay >= 0), with its messages.
    """

    rule = RULES["asgd"]

    def __init__(self, params=None, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, *, maximize=False,
                 noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("ASGD", params, lr, 1e-2)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      maximize=maximize),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class Adafactor(Optimizer):
    r"""Adafactor: Adam-like steps with factored second moments and relative step sizes (torch.optim.Adafactor).

    ::

        w_t = t**beta2_decay;   rho_t = min(lr, 1 / sqrt(t));   alpha_t = max(eps2, RMS(p)) * rho_t
        V_t = R_t C_t / mean(R_t)   (matrices: row and column EMAs of g**2)  |  EMA of g**2 (vectors)
        u_t = g_t / sqrt(max(V_t, eps1**2));   p <- p (1 - lr wd) - alpha_t / max(1, RMS(u_t) / d) * u_t

    Variant: Shazeer & Stern (2018), "Adafactor: Adaptive learning rates with sublinear
    memory cost", as torch: no first moment, beta2_t = 1 - t**beta2_decay, update
    clipping at ``d``, decoupled weight decay. A parameter with 2 or more axes keeps
    only a row and a column factor over its last two axes (memory r + c, not r c).
    Not elementwise (RMS over each parameter): in the vectorized runner each run's
    point is a vector parameter, with every reduction taken per run. Checks: torch's
    (lr, eps1, eps2, weight_decay >= 0, beta2_decay <= 0, d >= 1), with its messages.
    """

    rule = RULES["adafactor"]

    def __init__(self, params=None, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 maximize=False, noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("Adafactor", params, lr, 1e-2)
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=_pair(eps), d=d,
                                      weight_decay=weight_decay, maximize=maximize),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)


class Muon(Optimizer):
    r"""Muon: momentum orthogonalized by Newton-Schulz, for matrix parameters (torch.optim.Muon).

    ::

        B_t = momentum * B_{t-1} + (1 - momentum) * g_t;   U_t = lerp(g_t, B_t, momentum) (nesterov) | B_t
        p  <- p * (1 - lr * wd) - lr * ratio(A, B) * NS(U_t)         (NS: 5 quintic Newton-Schulz steps)

    Variant: Jordan et al. (2024), "Muon: An optimizer for hidden layers in neural
    networks", as torch, with its learning-rate adjustment (``adjust_lr_fn``: None or
    "original", sqrt(max(1, A/B)); "match_rms_adamw", 0.2 sqrt(max(A, B)) of Liu et al.
    2025). Parameters must be matrices: anything else raises
    :class:`~gdlab.optim.rules.ParameterShapeError` (a ValueError) with torch's message;
    give biases and other vectors to AdamW. Differs from torch in one documented way:
    gdlab runs Newton-Schulz in the parameter's dtype, torch in bfloat16 (so torch's
    update carries a ~1e-2 relative rounding that gdlab's float64 one does not). In
    objective runs (``gdlab.minimize``, race) each point x in R^d is a 1 x d matrix.
    Checks: torch's (lr, momentum, weight_decay >= 0, adjust_lr_fn; and, at construction
    where torch waits for the first step, ns_steps < 100 and three coefficients), with
    its messages, plus eps > 0.
    """

    rule = RULES["muon"]

    def __init__(self, params=None, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(3.4445, -4.7750, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None, *,
                 noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("Muon", params, lr, 1e-3)
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                                      ns_coefficients=tuple(ns_coefficients) if isinstance(ns_coefficients, list)
                                      else ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)

    def _check_params(self, params):
        for p in params:
            if p.data.ndim != 2:
                raise ParameterShapeError("Muon only supports 2D parameters whereas we found a parameter with "
                                          f"size: {tuple(p.data.shape)}")


class LBFGS(Optimizer):
    r"""L-BFGS, limited-memory BFGS with an optional strong-Wolfe line search (torch.optim.LBFGS).

    ::

        d_k = -H_k g_k      (two-loop recursion over the last history_size pairs (s_i, y_i))
        x_{k+1} = x_k + t_k d_k,   t_k = lr  (t_1 = min(1, 1/|g_1|_1) lr), or a strong-Wolfe search

    Variant: Nocedal & Wright (2006), *Numerical Optimization*, Algorithm 7.4 and the
    line search of Algorithms 3.5-3.6, in torch's form (after minFunc): one
    ``step(closure)`` runs up to ``max_iter`` iterations and ``max_eval`` closure calls,
    stopping early when ``max|g| <= tolerance_grad`` or the step or the change in loss
    falls under ``tolerance_change``. As torch: ``step`` needs a closure that clears
    the gradients, computes the loss, back-propagates and returns the loss; all
    parameters form one group (one flat vector); the state lives on the first parameter
    (``func_evals``, ``n_iter``, ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``,
    ``prev_flat_grad``, ``prev_loss``). A gradient noise or transform applies to the
    flat gradient at every evaluation. Checks: torch's lr >= 0 (its message); at
    construction, where torch fails at the first step or not at all: line_search_fn None
    or "strong_wolfe" (torch's words), max_iter, max_eval, history_size integers >= 1,
    tolerances >= 0.
    """

    rule = RULES["lbfgs"]

    def __init__(self, params=None, lr=1.0, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None, *, noise_std=0.0, noise_seed=None, transforms=()):
        params, lr = self._split_params_lr("LBFGS", params, lr, 1.0)
        for name, value in (("lr", lr), ("tolerance_grad", tolerance_grad), ("tolerance_change", tolerance_change)):
            if isinstance(value, np.ndarray) and value.ndim:  # one search over all the parameters: one number
                raise TypeError(f"LBFGS: {name} must be one number (torch's float), got {value!r}")
        if max_eval is None and isinstance(max_iter, int) and not isinstance(max_iter, bool):
            max_eval = max_iter * 5 // 4
        self._x = None
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn),
                         noise_std=noise_std, noise_seed=noise_seed, transforms=transforms)

    def add_param_group(self, param_group: dict) -> None:
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    def _gather(self, params, x=None):
        """The parameters (or, x given, their gradients: zeros where None) as one flat vector."""
        if x is None:
            return np.concatenate([(np.zeros(p.data.size, p.data.dtype) if p.grad is None
                                    else np.asarray(p.grad, dtype=p.data.dtype).reshape(-1)) for p in params])
        offset = 0
        for p in params:
            x[offset:offset + p.data.size] = p.data.reshape(-1)
            offset += p.data.size
        return x

    def _scatter(self, params, x):
        offset = 0
        for p in params:
            p.data[...] = x[offset:offset + p.data.size].reshape(p.data.shape)
            offset += p.data.size

    def step(self, closure=None):
        """One torch L-BFGS step: calls ``closure`` (loss, after setting ``.grad``) as often as the algorithm asks.

        Returns the loss of the first call, as torch.
        """
        if not self.param_groups:
            raise RuntimeError("LBFGS has no parameters: bind them first (opt.bind(params)) or pass them to the "
                               "constructor")
        if closure is None:
            raise TypeError("LBFGS.step needs a closure: a function that recomputes the loss and its gradients "
                            "(opt.zero_grad(); loss = f(); loss.backward(); return loss)")
        group = self.param_groups[0]
        params = group["params"]
        n = sum(p.data.size for p in params)
        if self._x is None or self._x.size != n:
            self._x = np.empty(n, np.result_type(*[p.data.dtype for p in params]))
        x = self._gather(params, self._x)
        entry = self.state.get_by_id(id(params[0]))
        if entry is None:
            entry = self.rule.init(x)
            self.state[params[0]] = entry
        hp = {k: group[k] for k in self._rule_keys}
        info = self._info
        info.groups = [(group, 1)]
        orig_loss = closure()
        loss = orig_loss
        with np.errstate(all="ignore"):
            while True:
                self.chain.update([self._gather(params)], self._chain_state, [x], [entry], [hp], info,
                                  loss=float(loss))
                self._scatter(params, x)
                if entry["_new_step"]:
                    break
                loss = closure()
        info.t += 1
        info.groups = ()
        return orig_loss


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
    "rprop": (Rprop, {}),
    "asgd": (ASGD, {}),
    "adafactor": (Adafactor, {}),
    "muon": (Muon, {}),
    "lbfgs": (LBFGS, {}),
    "lbfgs_wolfe": (LBFGS, {"line_search_fn": "strong_wolfe"}),
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
    accepted = inspect.signature(cls.__init__).parameters
    unknown = sorted(k for k in overrides if k not in accepted or k == "self")
    if unknown:  # the rule's own message (Rule.hyperparameters), not Python's "unexpected keyword argument"
        raise TypeError(f"{identifier.strip().lower()}: unknown hyperparameter(s) {', '.join(unknown)}; "
                        f"known: {', '.join(cls.rule.defaults)}")
    return cls(**{**preset, **overrides})
