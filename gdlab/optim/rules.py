"""The update rules: one pure-array function pair per optimizer, written once.

Every optimizer in gdlab is a :class:`Rule`: two functions on NumPy arrays, in the
spirit of optax, with torch.optim's hyperparameter names and defaults. The stateful
:class:`~gdlab.optim.Optimizer` classes (``SGD``, ``Adam``, ...) and the vectorized
runner (:mod:`gdlab.runs`) call the very same functions; nothing below is written
twice (nesterov, amsgrad, centered, maximize, weight decay are branches inside one
rule, not copies of it).

Contract
--------
``rule = get_rule(name)`` gives a frozen :class:`Rule` with

``rule.name``
    the registry name ("sgd", "momentum", "adam", "adamw", ...).
``rule.defaults``
    ``dict`` of every hyperparameter the rule takes, with its default for this name
    (torch.optim's names: ``lr``, ``momentum``, ``betas``, ``eps``, ...). Presets
    differ only here: "momentum" is the sgd rule with ``momentum=0.9``, "adamw" the
    adam rule with ``weight_decay=1e-2, decoupled_weight_decay=True``.
``rule.state_keys``
    ``dict`` state key -> what the array holds (e.g. ``"exp_avg": "m, first moment"``).
``rule.init(p, **hp) -> state``
    A new state ``dict`` for parameters ``p``: ``"step": 0`` (a Python int, the
    number of updates done) and zero-filled arrays shaped and typed like ``p``.
    Hyperparameters the rule's state depends on (``amsgrad``, ``centered``,
    ``momentum``, ``initial_accumulator_value``) are read from ``hp``; other keys are
    ignored, so ``rule.init(p, **hp)`` and ``rule.update(p, g, state, **hp)`` may
    share one ``hp``. One key appears later: SGD's ``"momentum_buffer"`` is created
    by the first update with momentum, as a copy of g (torch's convention).
``rule.update(p, g, state, **hp) -> None``
    One step, **in place, for speed**: ``p`` (the parameters) and the arrays in
    ``state`` are overwritten with their new values, never rebound, so anyone
    holding them (a Tensor's ``.data``, a runner recording ``state["exp_avg"]``)
    sees the update. Scalar entries (``"step"``, NAdam's ``"mu_product"``) are
    replaced in the dict. ``g`` (the gradient, same shape as ``p``) is read, never
    written. Hyperparameters are keyword-only; missing ones take the *function's*
    torch default (use ``**rule.defaults`` for a preset's defaults); an unknown
    name raises TypeError. Nothing is validated here (hot loop): validate once
    with :meth:`Rule.hyperparameters`.

Shapes, dtypes and vectorization
--------------------------------
* The rules are elementwise (no reduction), so ``p`` may have any shape; the runner
  passes ``(n_runs, d)`` and every row evolves independently, exactly as a separate
  run from that row's start would (``"step"`` is shared: rows step together).
* Numeric hyperparameters (``lr``, ``momentum``, ``dampening``, ``weight_decay``,
  ``betas``, ``eps``, ``alpha``, ``rho``, ``lr_decay``, ``momentum_decay``) may be
  Python scalars or arrays broadcastable to ``p.shape`` without enlarging it, e.g.
  ``lr`` of shape ``(n_runs, 1)``: a learning-rate sweep is one array program.
  Flags (``nesterov``, ``amsgrad``, ``centered``, ``maximize``,
  ``decoupled_weight_decay``) are Python bools shared by all rows. A branch taken
  on a numeric value (``momentum != 0``, ``weight_decay != 0``) is taken when any
  row needs it, which for the other rows is an exact no-op (multiplying by 0 or
  adding 0), with one exception: SGD rows with ``momentum=0`` inside a batch
  where other rows have momentum follow ``buf = (1 - dampening) * g`` (identical to
  plain SGD when ``dampening=0``).
* The dtype of ``p`` is kept: every array op writes into ``p``, the state or a
  scratch buffer through ``out=``/in-place operators, so float32 stays float32
  (float64 hyperparameter arrays are cast on write) and float64 stays float64.
* State keys beginning with ``"_"`` are scratch buffers (preallocated to avoid
  temporaries); they carry no information between steps and are not saved by
  ``Optimizer.state_dict()``.

The rules (hyperparameters with torch's defaults; ``get_rule(name).defaults``)
------------------------------------------------------------------------------
``sgd`` (= ``gd``; presets ``momentum``, ``nesterov``): lr=1e-3, momentum=0,
dampening=0, weight_decay=0, nesterov=False, maximize=False.
``adagrad``: lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
eps=1e-10, maximize=False.
``rmsprop``: lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
centered=False, maximize=False.
``adadelta``: lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False.
``adam`` (preset ``adamw``): lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
weight_decay=0, amsgrad=False, maximize=False, decoupled_weight_decay=False.
``adamax``: lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False.
``nadam``: lr=2e-3, betas, eps=1e-8, weight_decay=0, momentum_decay=4e-3,
decoupled_weight_decay=False, maximize=False.
``radam``: lr=1e-3, betas, eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
maximize=False.
``lion``: lr=1e-4, betas=(0.9, 0.99), weight_decay=0, maximize=False.
``rprop``: lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False.
``asgd``: lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, maximize=False.
``adafactor``: lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0, maximize=False.
``muon``: lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
ns_coefficients=(3.4445, -4.7750, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None.
``lbfgs`` (preset ``lbfgs_wolfe``: line_search_fn="strong_wolfe"): lr=1, max_iter=20,
max_eval=None (max_iter * 5 // 4), tolerance_grad=1e-7, tolerance_change=1e-9,
history_size=100, line_search_fn=None.

Rules that are not elementwise (``Rule.elementwise`` False)
-----------------------------------------------------------
Adafactor (RMS of the parameter and of the update, row/column factors), Muon (a
matrix iteration) and L-BFGS (dot products, a line search) reduce over a parameter.
The vectorized runner says that axis 0 of its array counts runs by calling
``rule.init(p, **hp, rows=True)`` (every other rule ignores ``rows``); the state then
carries ``"_rows": True`` and every reduction is per row: each run is torch's
Adafactor on a 1-D parameter, torch's Muon on a (1, d) matrix, its own L-BFGS. Without
``rows`` the array is one parameter, as in torch (an (n, d) array is one n x d matrix
to Adafactor and Muon). Muon and L-BFGS state has no ``"step"`` (torch's layout).
L-BFGS (``Rule.needs_loss``) also takes ``loss=`` (the loss at ``p``) and is a program
that asks for function evaluations: each ``update`` receives the loss and gradient at
the point it asked for and writes the next point to evaluate into ``p``
(:mod:`gdlab.optim._lbfgs`). A compiled engine may take the elementwise rules only.

Relation to torch.optim
-----------------------
Each rule follows torch.optim's single-tensor implementation (same state keys, same
order of weight decay, maximize, bias correction, same first-step conventions) down
to the order of its floating-point operations: moving averages are torch's
``lerp_`` (``m + w * (x - m)``, see ``_lerp``) and ``mul_(beta).addcmul_(g, g, value=1 - beta)``,
``addcdiv_(a, b, value=-s)`` is ``p -= (s * a) / b``, and so on; the docstrings give
the formulas and, where it matters, the exact order. What is left between gdlab and
torch.optim is torch's own platform arithmetic: its vectorized CPU kernels fuse
multiply-adds (one rounding where NumPy has two) and its ``sqrt`` (MKL) is not
correctly rounded for about 1% of inputs. Against torch's portable kernels
(``ATEN_CPU_CAPABILITY=default``) the rules agree to the last bit but for those
square roots. The tests hold float64 trajectories to 1e-12 relative of torch.optim's
over 300 steps for random hyperparameters and flags (tests/optim/test_optim_torch_property.py),
and the centered RMSprop, whose ``v - a**2`` cancels and magnifies any last-bit
difference, to the last bits of torch's portable kernels.

Notation: ``g`` gradient, ``m`` first moment (``exp_avg``), ``v`` second moment
(``exp_avg_sq``), ``t`` step number (1 on the first update), ``lr`` learning rate,
``wd`` weight decay.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from numbers import Real
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

from .._registry import Registry
from . import _lbfgs

__all__ = ["Rule", "get_rule", "rule_names", "RULES", "ParameterShapeError", "newton_schulz"]


# -- small shared pieces ------------------------------------------------------------

def _nonzero(x) -> bool:
    """Whether a hyperparameter (scalar or array) is nonzero anywhere."""
    if isinstance(x, np.ndarray):
        return bool(np.any(x != 0))
    return x != 0


def _buffer(state: dict, key: str, like: np.ndarray, fill=None) -> np.ndarray:
    """``state[key]``, created (uninitialised, or filled with ``fill``) like ``like`` on first use."""
    a = state.get(key)
    if a is None:
        a = np.empty_like(like) if fill is None else np.full_like(like, fill)
        state[key] = a
    return a


def _grad(p, g, state, weight_decay=0.0, maximize=False):
    """The gradient the rule follows: ``(-g if maximize else g) + wd * p``.

    torch.optim's coupled (L2) weight decay, applied after the sign flip. Returns
    ``g`` itself when there is nothing to do, else a scratch array (``g`` is never
    written).
    """
    if _nonzero(weight_decay):
        out = _buffer(state, "_g", p)
        np.multiply(p, weight_decay, out=out)
        if maximize:
            out -= g
        else:
            out += g
        return out
    if maximize:
        return np.negative(g, out=_buffer(state, "_g", p))
    return g


def _decay(p, lr, weight_decay):
    """Decoupled weight decay (Loshchilov & Hutter): ``p <- p * (1 - lr * wd)``."""
    if _nonzero(weight_decay):
        p *= 1 - lr * weight_decay


def _lerp(m, x, w, tmp):
    """torch's ``m.lerp_(x, w)`` in place: ``m <- m + w * (x - m)`` (the moving average with weight w = 1 - beta).

    Rounded as torch rounds it: ``m + w * (x - m)`` where ``w < 0.5`` and
    ``x - (x - m) * (1 - w)`` otherwise (each element of an array ``w`` takes its own
    branch). Callers pass ``w = 1 - beta`` computed in floating point, as torch does
    (``1 - (1 - beta)`` is not always ``beta``). ``tmp`` is scratch.
    """
    np.subtract(x, m, out=tmp)
    if not isinstance(w, np.ndarray):
        if w < 0.5:
            tmp *= w
            m += tmp
        else:
            tmp *= 1 - w
            np.subtract(x, tmp, out=m)
        return
    small = w < 0.5
    if small.all():
        tmp *= w
        m += tmp
    elif not small.any():
        tmp *= 1 - w
        np.subtract(x, tmp, out=m)
    else:
        big = x - tmp * (1 - w)
        tmp *= w
        m += tmp
        np.copyto(m, big, where=np.broadcast_to(~small, m.shape))


def _ema_sq(v, x, beta, tmp):
    """torch's ``v.mul_(beta).addcmul_(x, x, value=1 - beta)``: ``v <- v * beta + ((1 - beta) * x) * x``."""
    np.multiply(x, 1 - beta, out=tmp)
    tmp *= x
    v *= beta
    v += tmp


def _descend(p, d, scale, tmp):
    """torch's ``p.add_(d, alpha=-scale)``: ``p <- p - scale * d`` (``tmp`` is scratch; ``d`` may be ``tmp``)."""
    np.multiply(d, scale, out=tmp)
    p -= tmp


def _descend_ratio(p, a, b, scale, tmp):
    """torch's ``p.addcdiv_(a, b, value=-scale)``: ``p <- p - (scale * a) / b`` (``tmp`` is scratch, not ``b``)."""
    np.multiply(a, scale, out=tmp)
    tmp /= b
    p -= tmp


# -- SGD -------------------------------------------------------------------------

def sgd_init(p, **hp):
    return {"step": 0}


def sgd_update(p, g, state, *, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
               nesterov=False, maximize=False):
    """Stochastic gradient descent with optional (Nesterov) momentum, as torch.optim.SGD.

    ::

        g_t = ±g + wd * p                          (- when maximize)
        b_1 = g_1;  b_t = momentum * b_{t-1} + (1 - dampening) * g_t     (if momentum != 0)
        d_t = g_t + momentum * b_t  (nesterov)  |  b_t  (momentum)  |  g_t  (plain)
        p  <- p - lr * d_t

    The buffer ``momentum_buffer`` appears on the first step with momentum, holding a
    copy of the gradient (torch's convention: no dampening on the first step).
    """
    state["step"] += 1
    g = _grad(p, g, state, weight_decay, maximize)
    tmp = _buffer(state, "_tmp", p)
    d = g
    if _nonzero(momentum):
        b = state.get("momentum_buffer")
        if b is None:
            b = state["momentum_buffer"] = np.empty_like(p)
            np.copyto(b, g)
        else:
            b *= momentum
            if _nonzero(dampening):
                np.multiply(g, 1 - dampening, out=tmp)
                b += tmp
            else:
                b += g
        if nesterov:
            np.multiply(b, momentum, out=tmp)
            tmp += g
            d = tmp
        else:
            d = b
    _descend(p, d, lr, tmp)


# -- Adagrad ------------------------------------------------------------------------

def adagrad_init(p, *, initial_accumulator_value=0.0, **hp):
    return {"step": 0, "sum": np.full_like(p, initial_accumulator_value)}


def adagrad_update(p, g, state, *, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                   initial_accumulator_value=0.0, eps=1e-10, maximize=False):
    """Adagrad (Duchi et al. 2011), as torch.optim.Adagrad.

    ::

        g_t = ±g + wd * p
        s_t = s_{t-1} + g_t**2                      (s_0 = initial_accumulator_value)
        p  <- p - lr / (1 + (t - 1) * lr_decay) * g_t / (sqrt(s_t) + eps)

    Operation order (torch's): ``s += g * g``; ``den = sqrt(s) + eps``;
    ``p -= (clr * g) / den`` with ``clr = lr / (1 + (t - 1) * lr_decay)``.
    """
    t = state["step"] = state["step"] + 1
    g = _grad(p, g, state, weight_decay, maximize)
    s = state["sum"]
    tmp = _buffer(state, "_tmp", p)
    den = _buffer(state, "_den", p)
    np.multiply(g, g, out=tmp)
    s += tmp
    np.sqrt(s, out=den)
    den += eps
    _descend_ratio(p, g, den, lr / (1 + (t - 1) * lr_decay), tmp)


# -- RMSprop ------------------------------------------------------------------------

def rmsprop_init(p, *, momentum=0.0, centered=False, **hp):
    state = {"step": 0, "square_avg": np.zeros_like(p)}
    if _nonzero(momentum):
        state["momentum_buffer"] = np.zeros_like(p)
    if centered:
        state["grad_avg"] = np.zeros_like(p)
    return state


def rmsprop_update(p, g, state, *, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                   momentum=0.0, centered=False, maximize=False):
    """RMSprop (Hinton's lecture 6e), as torch.optim.RMSprop.

    ::

        g_t = ±g + wd * p
        v_t = alpha * v_{t-1} + (1 - alpha) * g_t**2
        centered:  a_t = alpha * a_{t-1} + (1 - alpha) * g_t;   den = sqrt(v_t - a_t**2) + eps
        else:      den = sqrt(v_t) + eps
        momentum:  b_t = momentum * b_{t-1} + g_t / den;  p <- p - lr * b_t
        else:      p <- p - lr * g_t / den

    eps is added outside the square root (torch and Hinton's slides; Keras and
    TensorFlow add it inside). alpha must be in [0, 1) (torch accepts any alpha >= 0).

    Operation order, torch's to the rounding (this matters: in the centered form
    ``v_t - a_t**2`` cancels when the gradient barely varies, and multiplies any
    last-bit difference in v or a by ``v / (v - a**2)``, up to 1e14)::

        v *= alpha;  v += ((1 - alpha) * g) * g            (square_avg.mul_.addcmul_)
        a = lerp(a, g, 1 - alpha)                          (grad_avg.lerp_; see _lerp)
        den = sqrt(v - a * a) + eps   |   sqrt(v) + eps
        momentum:  b *= momentum;  b += g / den;  p -= lr * b
        else:      p -= (lr * g) / den                     (param.addcdiv_)

    What remains between this and torch.optim on a CPU is torch's, not the order:
    its vectorized kernels (AVX2/AVX512) fuse ``x + y * z`` into one rounding (FMA),
    which NumPy cannot, and its ``sqrt`` (MKL) is off by one ulp for about 1% of
    inputs. With ``ATEN_CPU_CAPABILITY=default`` (torch's portable kernels, no FMA)
    the two agree to the last bit but for those square roots.
    """
    state["step"] += 1
    g = _grad(p, g, state, weight_decay, maximize)
    v = state["square_avg"]
    tmp = _buffer(state, "_tmp", p)
    den = _buffer(state, "_den", p)
    _ema_sq(v, g, alpha, tmp)
    if centered:
        a = _buffer(state, "grad_avg", p, 0)
        _lerp(a, g, 1 - alpha, tmp)
        np.multiply(a, a, out=den)
        np.subtract(v, den, out=den)
        np.sqrt(den, out=den)
    else:
        np.sqrt(v, out=den)
    den += eps
    if _nonzero(momentum):
        b = _buffer(state, "momentum_buffer", p, 0)
        np.divide(g, den, out=tmp)
        b *= momentum
        b += tmp
        _descend(p, b, lr, tmp)
    else:
        _descend_ratio(p, g, den, lr, tmp)


# -- Adadelta -----------------------------------------------------------------------

def adadelta_init(p, **hp):
    return {"step": 0, "square_avg": np.zeros_like(p), "acc_delta": np.zeros_like(p)}


def adadelta_update(p, g, state, *, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    """Adadelta (Zeiler 2012), as torch.optim.Adadelta (with its extra ``lr`` factor).

    ::

        g_t = ±g + wd * p
        v_t = rho * v_{t-1} + (1 - rho) * g_t**2
        d_t = sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g_t
        u_t = rho * u_{t-1} + (1 - rho) * d_t**2
        p  <- p - lr * d_t

    Operation order (torch's): ``v = v * rho + ((1 - rho) * g) * g``;
    ``d = sqrt(u + eps) / sqrt(v + eps) * g``; ``u = u * rho + ((1 - rho) * d) * d``;
    ``p -= lr * d``.
    """
    state["step"] += 1
    g = _grad(p, g, state, weight_decay, maximize)
    v, u = state["square_avg"], state["acc_delta"]
    tmp = _buffer(state, "_tmp", p)
    d = _buffer(state, "_delta", p)
    _ema_sq(v, g, rho, tmp)
    np.add(v, eps, out=tmp)
    np.sqrt(tmp, out=tmp)
    np.add(u, eps, out=d)
    np.sqrt(d, out=d)
    d /= tmp
    d *= g
    _ema_sq(u, d, rho, tmp)
    _descend(p, d, lr, tmp)


# -- Adam / AdamW -----------------------------------------------------------------------

def _adam_moments(p, g, state, lr, betas, weight_decay, maximize, decoupled_weight_decay):
    """What Adam, NAdam and RAdam share, written once: count the step, apply weight decay
    (L2 into g, or decoupled p <- p (1 - lr wd)), then update the moments as torch:
    ``m = lerp(m, g, 1 - b1)`` and ``v = v * b2 + ((1 - b2) * g) * g``. Returns
    ``(t, g, m, v, tmp)``.
    """
    b1, b2 = betas
    t = state["step"] = state["step"] + 1
    if decoupled_weight_decay:
        _decay(p, lr, weight_decay)
        g = _grad(p, g, state, 0.0, maximize)
    else:
        g = _grad(p, g, state, weight_decay, maximize)
    m, v = state["exp_avg"], state["exp_avg_sq"]
    tmp = _buffer(state, "_tmp", p)
    _lerp(m, g, 1 - b1, tmp)
    _ema_sq(v, g, b2, tmp)
    return t, g, m, v, tmp


def adam_init(p, *, amsgrad=False, **hp):
    state = {"step": 0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}
    if amsgrad:
        state["max_exp_avg_sq"] = np.zeros_like(p)
    return state


def adam_update(p, g, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                amsgrad=False, maximize=False, decoupled_weight_decay=False):
    """Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), as torch.optim.Adam/AdamW.

    ::

        decoupled (AdamW):  p <- p * (1 - lr * wd);  g_t = ±g
        else (Adam, L2):    g_t = ±g + wd * p
        m_t = b1 * m_{t-1} + (1 - b1) * g_t
        v_t = b2 * v_{t-1} + (1 - b2) * g_t**2
        amsgrad:            v_t <- max(v_max, v_t)  (kept in max_exp_avg_sq)
        p  <- p - lr * (m_t / (1 - b1**t)) / (sqrt(v_t / (1 - b2**t)) + eps)

    eps is added to the square root of the *bias-corrected* v (torch; Keras adds it
    to sqrt of the uncorrected v, which matters in the first steps). Operation order
    (torch's single-tensor Adam): ``m = lerp(m, g, 1 - b1)``; ``v = v * b2 + ((1 - b2)
    * g) * g``; ``den = sqrt(v) / sqrt(1 - b2**t) + eps``; ``p -= ((lr / (1 - b1**t)) *
    m) / den``.
    """
    b1, b2 = betas
    t, g, m, v, tmp = _adam_moments(p, g, state, lr, betas, weight_decay, maximize, decoupled_weight_decay)
    if amsgrad:
        v_max = _buffer(state, "max_exp_avg_sq", p, 0)
        np.maximum(v_max, v, out=v_max)
        v = v_max
    den = _buffer(state, "_den", p)
    np.sqrt(v, out=den)
    den /= (1 - b2 ** t) ** 0.5
    den += eps
    _descend_ratio(p, m, den, lr / (1 - b1 ** t), tmp)


# -- Adamax -----------------------------------------------------------------------------

def adamax_init(p, **hp):
    return {"step": 0, "exp_avg": np.zeros_like(p), "exp_inf": np.zeros_like(p)}


def adamax_update(p, g, state, *, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                  maximize=False):
    """Adamax (Kingma & Ba 2015, sec. 7.1), as torch.optim.Adamax.

    ::

        g_t = ±g + wd * p
        m_t = b1 * m_{t-1} + (1 - b1) * g_t
        u_t = max(b2 * u_{t-1}, |g_t| + eps)
        p  <- p - lr / (1 - b1**t) * m_t / u_t

    eps sits inside the max (torch), not added to the denominator. Operation order
    (torch's): ``m = lerp(m, g, 1 - b1)``; ``u = max(u * b2, |g| + eps)``;
    ``p -= ((lr / (1 - b1**t)) * m) / u``.
    """
    b1, b2 = betas
    t = state["step"] = state["step"] + 1
    g = _grad(p, g, state, weight_decay, maximize)
    m, u = state["exp_avg"], state["exp_inf"]
    tmp = _buffer(state, "_tmp", p)
    _lerp(m, g, 1 - b1, tmp)
    u *= b2
    np.abs(g, out=tmp)
    tmp += eps
    np.maximum(u, tmp, out=u)
    _descend_ratio(p, m, u, lr / (1 - b1 ** t), tmp)


# -- NAdam ------------------------------------------------------------------------------

def nadam_init(p, **hp):
    return {"step": 0, "mu_product": 1.0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}


def nadam_update(p, g, state, *, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, maximize=False):
    """NAdam (Dozat 2016), as torch.optim.NAdam, with its momentum schedule.

    ::

        mu_t = b1 * (1 - 0.5 * 0.96**(t * momentum_decay))   (also mu_{t+1})
        P_t  = mu_1 * ... * mu_t                               (mu_product)
        g_t, m_t, v_t as Adam (decoupled_weight_decay as AdamW)
        den  = sqrt(v_t / (1 - b2**t)) + eps
        p  <- p - lr * (1 - mu_t) / (1 - P_t) * g_t / den
               - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m_t / den

    ``mu_product`` is kept in float64 (torch keeps it in its default scalar dtype,
    float32 unless ``torch.set_default_dtype(torch.float64)``). Operation order
    (torch's): the moments as Adam; ``den = sqrt(v / (1 - b2**t)) + eps``;
    ``p -= (c1 * g) / den`` then ``p -= (c2 * m) / den`` with
    ``c1 = lr * (1 - mu_t) / (1 - P_t)``, ``c2 = lr * mu_{t+1} / (1 - P_t * mu_{t+1})``.
    """
    b1, b2 = betas
    t, g, m, v, tmp = _adam_moments(p, g, state, lr, betas, weight_decay, maximize, decoupled_weight_decay)
    mu = b1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_product = state["mu_product"] = state["mu_product"] * mu
    den = _buffer(state, "_den", p)
    np.divide(v, 1 - b2 ** t, out=den)
    np.sqrt(den, out=den)
    den += eps
    _descend_ratio(p, g, den, lr * (1.0 - mu) / (1.0 - mu_product), tmp)
    _descend_ratio(p, m, den, lr * mu_next / (1.0 - mu_product * mu_next), tmp)


# -- RAdam ------------------------------------------------------------------------------

def radam_init(p, **hp):
    return {"step": 0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}


def radam_update(p, g, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False, maximize=False):
    """RAdam (Liu et al. 2020), as torch.optim.RAdam (rectification threshold rho_t > 5).

    ::

        g_t, m_t, v_t as Adam (decoupled_weight_decay as AdamW)
        rho_inf = 2 / (1 - b2) - 1;   rho_t = rho_inf - 2 t b2**t / (1 - b2**t)
        rho_t > 5:  r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                    p <- p - lr * m_t / (1 - b1**t) * r_t * sqrt(1 - b2**t) / (sqrt(v_t) + eps)
        else:       p <- p - lr * m_t / (1 - b1**t)          (momentum SGD while v is unreliable)

    With per-row ``betas`` arrays each row takes its own branch. Operation order
    (torch's): the moments as Adam; ``u = (m / (1 - b1**t)) * lr``; if rectified
    ``u = (u * ((1 / (sqrt(v) + eps)) * sqrt(1 - b2**t))) * r_t`` (torch divides a
    number by a tensor through the reciprocal); ``p -= u``.
    """
    b1, b2 = betas
    t, g, m, v, tmp = _adam_moments(p, g, state, lr, betas, weight_decay, maximize, decoupled_weight_decay)
    bc1 = 1 - b1 ** t
    bc2 = 1 - b2 ** t
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2 ** t / bc2
    rectify = rho_t > 5
    np.divide(m, bc1, out=tmp)
    tmp *= lr
    if np.any(rectify):
        with np.errstate(divide="ignore", invalid="ignore"):  # rows that do not rectify
            r2 = (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        r = np.sqrt(np.where(rectify, r2, 0.0)) if isinstance(r2, np.ndarray) else r2 ** 0.5
        den = _buffer(state, "_den", p)
        np.sqrt(v, out=den)
        den += eps
        np.reciprocal(den, out=den)  # torch's float / tensor is tensor.reciprocal() * float
        den *= bc2 ** 0.5
        if np.all(rectify):
            tmp *= den
            tmp *= r
        else:
            den *= tmp
            den *= r
            np.copyto(tmp, den, where=np.broadcast_to(rectify, tmp.shape))
    p -= tmp


# -- Lion -------------------------------------------------------------------------------

def lion_init(p, **hp):
    return {"step": 0, "exp_avg": np.zeros_like(p)}


def lion_update(p, g, state, *, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, maximize=False):
    """Lion, EvoLved Sign Momentum (Chen et al. 2023, Algorithm 2).

    ::

        g_t = ±g
        c_t = b1 * m_{t-1} + (1 - b1) * g_t
        p  <- p * (1 - lr * wd) - lr * sign(c_t)       (decoupled weight decay)
        m_t = b2 * m_{t-1} + (1 - b2) * g_t

    No torch.optim counterpart; tested against the paper's formula.
    """
    b1, b2 = betas
    state["step"] += 1
    g = _grad(p, g, state, 0.0, maximize)
    m = state["exp_avg"]
    tmp = _buffer(state, "_tmp", p)
    c = _buffer(state, "_c", p)
    np.multiply(m, b1, out=c)
    np.multiply(g, 1 - b1, out=tmp)
    c += tmp
    np.sign(c, out=c)
    _decay(p, lr, weight_decay)
    _descend(p, c, lr, tmp)
    _lerp(m, g, 1 - b2, tmp)


# -- Rprop ------------------------------------------------------------------------------

def rprop_init(p, *, lr=1e-2, **hp):
    step_size = np.empty_like(p)
    step_size[...] = lr
    return {"step": 0, "prev": np.zeros_like(p), "step_size": step_size}


def rprop_update(p, g, state, *, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
    """Rprop, resilient backpropagation (Riedmiller & Braun 1993), as torch.optim.Rprop.

    ::

        g_t = ±g
        s = sign(g_t * g_{t-1})        (g_{t-1}: the previous gradient kept, "prev")
        eta_t = eta+ (s > 0) | eta- (s < 0) | 1 (s = 0)
        step_t = clamp(step_{t-1} * eta_t, step_min, step_max)      (step_0 = lr)
        g_t <- 0 where s < 0           (after a sign change: no move, and no sign test next time)
        p  <- p - sign(g_t) * step_t;   prev <- g_t

    Only the signs of the gradients are used; ``lr`` is the initial step size of every
    coordinate (a later change of ``lr``, by a scheduler, has no effect: torch's
    behaviour). This is Rprop without weight backtracking ("Rprop-", as torch).
    """
    state["step"] += 1
    etaminus, etaplus = etas
    lo, hi = step_sizes
    g = _grad(p, g, state, 0.0, maximize)
    prev, step_size = state["prev"], state["step_size"]
    s = _buffer(state, "_tmp", p)
    np.multiply(g, prev, out=s)
    np.sign(s, out=s)
    up, down, same = s > 0, s < 0, s == 0
    np.copyto(s, etaplus, where=up)
    np.copyto(s, etaminus, where=down)
    np.copyto(s, 1.0, where=same)
    step_size *= s
    np.clip(step_size, lo, hi, out=step_size)
    np.copyto(prev, g)
    np.copyto(prev, 0.0, where=s == etaminus)
    np.sign(prev, out=s)
    s *= step_size
    p -= s


# -- ASGD -------------------------------------------------------------------------------

def asgd_init(p, *, lr=1e-2, **hp):
    eta = np.array(lr, dtype=np.float64) if isinstance(lr, np.ndarray) else float(lr)
    return {"step": 0, "eta": eta, "mu": 1.0, "ax": np.zeros_like(p)}


def asgd_update(p, g, state, *, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, maximize=False):
    """Averaged SGD (Polyak & Juditsky 1992), as torch.optim.ASGD with its step-size schedule.

    ::

        g_t = ±g + wd * p
        p  <- p * (1 - lambd * eta_t) - eta_t * g_t
        ax <- p  while mu_t = 1,  else  ax + mu_t * (p - ax)       (the averaged iterate)
        eta_{t+1} = lr / (1 + lambd * lr * t)**alpha;   mu_{t+1} = 1 / max(1, t - t0)

    ``eta_1 = lr``, ``mu_1 = 1``; averaging starts after ``t0`` steps (1e6 by default,
    so by default ASGD is SGD with a slowly decaying rate and a weight decay ``lambd``;
    ``ax``, the average, is state, not the parameters). ``eta`` and ``mu`` are float64
    (torch keeps them in its default dtype, float32 unless
    ``torch.set_default_dtype(torch.float64)``). Operation order (torch's):
    ``p *= 1 - lambd * eta``; ``p -= eta * g``; ``ax += (p - ax) * mu``.
    """
    t = state["step"] = state["step"] + 1
    g = _grad(p, g, state, weight_decay, maximize)
    eta, mu = state["eta"], state["mu"]
    tmp = _buffer(state, "_tmp", p)
    p *= 1 - lambd * eta
    _descend(p, g, eta, tmp)
    ax = state["ax"]
    if np.all(mu == 1):
        np.copyto(ax, p)
    else:
        np.subtract(p, ax, out=tmp)
        tmp *= mu
        ax += tmp
        if isinstance(mu, np.ndarray):  # rows (per-run t0) not averaging yet: ax = p, as torch
            np.copyto(ax, p, where=np.broadcast_to(mu == 1, ax.shape))
    with np.errstate(over="ignore"):  # a huge alpha: eta = lr / inf = 0, not Python's OverflowError
        state["eta"] = lr / np.power(np.float64(1 + lambd * lr * t), alpha)
    state["mu"] = 1 / np.maximum(1, t - t0) if isinstance(t0, np.ndarray) else 1 / max(1, t - t0)


# -- Adafactor --------------------------------------------------------------------------

def adafactor_init(p, *, rows=False, **hp):
    b = 1 if rows else 0
    shape = p.shape[b:]
    state = {"step": 0}
    if len(shape) > 1:
        state["row_var"] = np.zeros(p.shape[:-1] + (1,), p.dtype)
        state["col_var"] = np.zeros(p.shape[:-2] + (1, p.shape[-1]), p.dtype)
    else:
        state["variance"] = np.zeros_like(p)
    if rows:
        state["_rows"] = True
    return state


def _norms(a, axes):
    """The 2-norm of ``a`` over ``axes`` (all when None), kept as a float or a (n, 1, ...) array."""
    if axes is None:
        return float(np.sqrt(np.sum(a * a)))
    return np.sqrt(np.sum(a * a, axis=axes, keepdims=True))


def adafactor_update(p, g, state, *, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0,
                     maximize=False):
    """Adafactor (Shazeer & Stern 2018), as torch.optim.Adafactor: factored second moments, relative steps.

    ::

        g_t = ±g;   w_t = t**beta2_decay  (= 1 - beta2_t);   rho_t = min(lr, 1 / sqrt(t))
        alpha_t = max(eps2, RMS(p)) * rho_t                  (relative step size)
        p <- p * (1 - lr * wd)                               (decoupled weight decay)
        matrix (last two axes, r x c):
            R_t = lerp(R_{t-1}, mean_c(g_t**2), w_t)   (row_var, r x 1)
            C_t = lerp(C_{t-1}, mean_r(g_t**2), w_t)   (col_var, 1 x c)
            V_t = R_t C_t / max(mean_r(R_t), eps1)     (rank-1 estimate of E[g**2])
        vector: V_t = lerp(V_{t-1}, g_t**2, w_t)      (variance)
        u_t = g_t / sqrt(max(V_t, eps1**2))
        p <- p - alpha_t / max(1, RMS(u_t) / d) * u_t        (update clipping at d)

    ``eps1`` None means the machine epsilon of p's dtype. Not elementwise: RMS(p),
    RMS(u) and the factors are reductions over the whole parameter (a tensor of 2 or
    more axes is factored over its last two, as torch). In the vectorized runner
    (``rows`` at init) axis 0 counts runs and every reduction is per run: each row is a
    vector parameter (the unfactored branch), exactly torch's Adafactor on a 1-D
    tensor. This is torch's variant: no first moment, eps2 = 1e-3 and the relative
    step ``min(lr, 1/sqrt(t))`` (the paper's rho_t with lr as its 1e-2 cap).
    """
    t = state["step"] = state["step"] + 1
    eps1, eps2 = eps
    if eps1 is None:
        eps1 = float(np.finfo(p.dtype).eps)
    rows = state.get("_rows", False)
    axes = tuple(range(1, p.ndim)) if rows else None
    numel = p[0].size if rows else p.size
    if maximize:
        g = np.negative(g, out=_buffer(state, "_g", p))
    w = t ** beta2_decay
    rho = np.minimum(lr, 1 / t ** 0.5) if isinstance(lr, np.ndarray) else min(lr, 1 / t ** 0.5)
    rms = _norms(p, axes) / numel ** 0.5
    alpha = (np.maximum(eps2, rms) if rows else max(eps2, rms)) * rho
    _decay(p, lr, weight_decay)
    u = _buffer(state, "_tmp", p)
    if "row_var" in state:
        R, C = state["row_var"], state["col_var"]
        mean = np.sqrt(np.sum(g * g, axis=-1, keepdims=True))
        mean *= mean
        mean /= g.shape[-1]
        _lerp(R, mean, w, np.empty_like(R))
        mean = np.sqrt(np.sum(g * g, axis=-2, keepdims=True))
        mean *= mean
        mean /= g.shape[-2]
        _lerp(C, mean, w, np.empty_like(C))
        np.matmul(R, C, out=u)
        u /= np.maximum(R.mean(axis=-2, keepdims=True), eps1)
    else:
        V = state["variance"]
        np.multiply(g, g, out=u)
        _lerp(V, u, w, _buffer(state, "_tmp2", p))
        np.copyto(u, V)
    np.maximum(u, eps1 * eps1, out=u)
    np.sqrt(u, out=u)
    np.divide(1.0, u, out=u)
    u *= g
    rms_u = _norms(u, axes) / (numel ** 0.5 * d)
    denom = np.maximum(1.0, rms_u) if rows else max(1.0, rms_u)
    _descend(p, u, alpha / denom, u)


# -- Muon -------------------------------------------------------------------------------

MUON_NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def newton_schulz(G, ns_coefficients=MUON_NS_COEFFICIENTS, ns_steps=5, eps=1e-7):
    """The quintic Newton-Schulz iteration of Muon: an approximate U V^T of G = U S V^T (last two axes).

    ::

        X_0 = G / max(||G||_F, eps)          (transposed first if G is tall)
        X_{k+1} = a X_k + (b A_k + c A_k^2) X_k,   A_k = X_k X_k^T

    With torch's coefficients (3.4445, -4.7750, 2.0315) the singular values end near
    [0.7, 1.2] rather than at 1 (Jordan et al.'s choice: a steep slope at 0). Leading axes
    are a batch (one matrix per run). Computed in G's dtype: torch computes it in bfloat16.
    """
    a, b, c = ns_coefficients
    tall = G.shape[-2] > G.shape[-1]
    X = np.swapaxes(G, -1, -2) if tall else G
    X = X / np.maximum(np.sqrt(np.sum(X * X, axis=(-2, -1), keepdims=True)), eps)
    for _ in range(ns_steps):
        A = X @ np.swapaxes(X, -1, -2)
        B = b * A + c * (A @ A)
        X = a * X + B @ X
    return np.swapaxes(X, -1, -2) if tall else X


def muon_lr_ratio(shape, adjust_lr_fn=None) -> float:
    """Muon's learning-rate factor for an A x B matrix: sqrt(max(1, A/B)) ("original"), 0.2 sqrt(max(A, B))."""
    A, B = shape[-2:]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return max(1, A / B) ** 0.5
    if adjust_lr_fn == "match_rms_adamw":
        return 0.2 * max(A, B) ** 0.5
    return 1.0


def muon_init(p, *, rows=False, **hp):
    state = {"momentum_buffer": np.zeros_like(p)}
    if rows:
        state["_rows"] = True
    return state


def muon_update(p, g, state, *, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                ns_coefficients=MUON_NS_COEFFICIENTS, eps=1e-7, ns_steps=5, adjust_lr_fn=None):
    """Muon, momentum orthogonalized by Newton-Schulz (Jordan et al. 2024), as torch.optim.Muon.

    ::

        B_t = lerp(B_{t-1}, g_t, 1 - momentum)            (momentum_buffer)
        U_t = lerp(g_t, B_t, momentum)  (nesterov)  |  B_t
        O_t = NS(U_t)                                     (see newton_schulz)
        p  <- p * (1 - lr * wd) - lr * ratio(A, B) * O_t  (ratio: see muon_lr_ratio)

    For 2-D parameters (A x B matrices) only, as torch (the stateful class refuses
    others with torch's message; use AdamW for biases). In the vectorized runner
    (``rows`` at init) every run's point x in R^d is a 1 x d matrix (a row vector):
    exactly torch's Muon on a parameter of shape (1, d), whose orthogonalized update
    is x's direction scaled by the iteration's end value (normalised momentum).
    Differs from torch in one documented way: the Newton-Schulz iteration runs in the
    parameter's dtype, where torch rounds it to bfloat16 (3 significant digits).
    """
    buf = state["momentum_buffer"]
    rows = state.get("_rows", False)
    tmp = _buffer(state, "_tmp", p)
    _lerp(buf, g, 1 - momentum, tmp)
    if nesterov:
        np.copyto(tmp, g)
        _lerp(tmp, buf, momentum, np.empty_like(p))
        u = tmp
    else:
        u = buf
    if rows and p.ndim == 2:  # each run a 1 x d matrix
        O = newton_schulz(u[:, None, :], ns_coefficients, ns_steps, eps)[:, 0, :]
        shape = (1, p.shape[1])
    else:
        O = newton_schulz(u, ns_coefficients, ns_steps, eps)
        shape = p.shape[-2:]
    _decay(p, lr, weight_decay)
    _descend(p, O, lr * muon_lr_ratio(shape, adjust_lr_fn), O)


# -- L-BFGS -----------------------------------------------------------------------------

def lbfgs_init(p, *, rows=False, **hp):
    return {"_rows": True} if rows else {}


def _row_value(v, r):
    """Row r's value of a hyperparameter: a scalar as it is, an (n, 1) or (n,) array's r-th entry."""
    if not isinstance(v, np.ndarray):
        return v
    return v.reshape(-1)[r].item() if v.size > 1 else v.item()


def lbfgs_update(p, g, state, *, loss, lr=1.0, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
    """L-BFGS (Nocedal & Wright 2006, Algorithm 7.4), as torch.optim.LBFGS: one function evaluation per call.

    ::

        d_1 = -g_1;   d_k = -H_k g_k   (two-loop recursion over the last history_size
                       pairs s_i = x_{i+1} - x_i, y_i = g_{i+1} - g_i with y.s > 1e-10,
                       H_0 = (s.y / y.y) I)
        t_1 = min(1, 1 / |g_1|_1) * lr;   t_k = lr
        x_{k+1} = x_k + t_k d_k   (t_k from a strong-Wolfe line search when
                                   line_search_fn="strong_wolfe", c1 = 1e-4, c2 = 0.9)

    ``p`` holds the point the rule asked for and ``g``, ``loss`` (keyword) the gradient
    and loss there; the update moves the algorithm on to its next evaluation and writes
    that point into ``p``. The algorithm is torch's step, written once in
    :mod:`gdlab.optim._lbfgs`; ``max_iter`` iterations (``max_eval`` evaluations, default
    ``max_iter * 5 // 4``) make one torch ``step(closure)``, after which the next
    request re-evaluates the same point (torch's closure call at the start of a step).
    ``state["_new_step"]`` is True when the next request starts a torch step (the
    stateful :class:`~gdlab.optim.LBFGS` returns from ``step`` there). In the
    vectorized runner (``rows`` at init) each row is its own L-BFGS, driven by its own
    program (a Python loop over rows: L-BFGS is for a few starts, not thousands).
    """
    hp = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
              tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn)
    if state.get("_rows"):
        programs = state.get("_programs")
        if programs is None:
            xs = state["_x"] = [np.array(row, dtype=np.float64) for row in p]
            state["_states"] = [{} for _ in xs]
            programs = state["_programs"] = [_lbfgs.lbfgs_program(x, s) for x, s in zip(xs, state["_states"])]
            for prog in programs:
                next(prog)
        loss = np.asarray(loss).reshape(-1)
        for r, (prog, x) in enumerate(zip(programs, state["_x"])):
            row_hp = {k: _row_value(v, r) for k, v in hp.items()}
            prog.send((float(loss[r]), np.array(g[r], dtype=np.float64), row_hp))
            p[r] = x
        return
    program = state.get("_program")
    if program is None:
        program = state["_program"] = _lbfgs.lbfgs_program(p, state)
        next(program)
    state["_new_step"] = program.send((float(loss), np.array(g, dtype=p.dtype).reshape(-1), hp))


# -- the Rule record and validation ---------------------------------------------------------

_FLAGS = ("nesterov", "amsgrad", "centered", "maximize", "decoupled_weight_decay")

# hyperparameter -> (test on a float array, what is allowed)
_RANGES: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    "lr": (lambda x: np.isfinite(x) & (x >= 0), "a finite lr >= 0 (lr = 0 is allowed, as in torch.optim)"),
    "momentum": (lambda x: x >= 0, "momentum >= 0"),
    "weight_decay": (lambda x: x >= 0, "weight_decay >= 0"),
    "eps": (lambda x: x > 0, "eps > 0"),
    "alpha": (lambda x: (x >= 0) & (x < 1), "0 <= alpha < 1"),
    "rho": (lambda x: (x >= 0) & (x <= 1), "0 <= rho <= 1"),
    "lr_decay": (lambda x: x >= 0, "lr_decay >= 0"),
    "initial_accumulator_value": (lambda x: x >= 0, "initial_accumulator_value >= 0"),
    "momentum_decay": (lambda x: x >= 0, "momentum_decay >= 0"),
    "dampening": (lambda x: np.isfinite(x), "a finite dampening"),
    "noise_std": (lambda x: x >= 0, "noise_std >= 0"),
}


def _beta_ok(x):
    return (x >= 0) & (x < 1)


def _as_number_array(name: str, value, owner: str) -> np.ndarray:
    if isinstance(value, (bool, np.bool_)) or not (isinstance(value, (Real, np.ndarray))):
        raise TypeError(f"{owner}: {name} must be a number or an array of numbers, got {value!r}")
    a = np.asarray(value)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{owner}: {name} must be a number or an array of numbers, got dtype {a.dtype}")
    if np.isnan(a).any():
        raise ValueError(f"{owner}: {name} is NaN")
    return a


def _passes(name: str, value, test, owner: str) -> bool:
    """Whether ``test`` holds for a hyperparameter (everywhere, for an array); TypeError/ValueError when it
    is not a number or is NaN. A plain float or int is tested as it is, without an array (~1 us, not ~6)."""
    if type(value) is float or type(value) is int:
        if value != value:
            raise ValueError(f"{owner}: {name} is NaN")
        return bool(test(value))
    return bool(np.all(test(_as_number_array(name, value, owner))))


def _show(a: np.ndarray, ok: np.ndarray):
    """The first offending value of a hyperparameter, for an error message."""
    return a.item() if a.ndim == 0 else a[~np.broadcast_to(ok, a.shape)].flat[0].item()


def check_hyperparameters(hp: Mapping[str, Any], owner: str = "optimizer") -> None:
    """Raise ValueError/TypeError naming the first bad hyperparameter in ``hp``.

    Checks: lr finite and >= 0 (torch also allows lr = inf; gdlab refuses it, since every step
    would then be inf or nan); momentum, weight_decay, lr_decay, initial_accumulator_value,
    momentum_decay >= 0; eps > 0 and 0 <= alpha < 1 (stricter than torch, which
    allows eps = 0 and any alpha >= 0); 0 <= rho <= 1; each beta in [0, 1); flags
    are bools; nesterov needs momentum > 0 and dampening == 0. Array values are
    checked elementwise.
    """
    for name, value in hp.items():
        if name in _FLAGS:
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
        elif name == "betas":
            if not (isinstance(value, (tuple, list)) and len(value) == 2):
                raise TypeError(f"{owner}: betas must be a pair (beta1, beta2), got {value!r}")
            for i, beta in enumerate(value):
                if not _passes(f"betas[{i}]", beta, _beta_ok, owner):
                    a = np.asarray(beta)
                    raise ValueError(f"{owner}: invalid betas[{i}]={_show(a, _beta_ok(a))!r}; "
                                     f"each beta must be in [0, 1)")
        elif name in _RANGES:
            test, allowed = _RANGES[name]
            if not _passes(name, value, test, owner):
                a = np.asarray(value)
                raise ValueError(f"{owner}: invalid {name}={_show(a, test(a))!r}; expected {allowed}")
    if hp.get("nesterov"):
        momentum, dampening = hp.get("momentum", 0.0), hp.get("dampening", 0.0)
        if not np.all(np.asarray(momentum) > 0) or _nonzero(np.asarray(dampening)):
            raise ValueError(f"{owner}: nesterov=True requires momentum > 0 and dampening == 0, "
                             f"got momentum={momentum!r}, dampening={dampening!r}")


# -- torch's own checks for the classes whose messages gdlab repeats word for word ----------

class ParameterShapeError(ValueError):
    """A parameter of a shape the optimizer has no meaning for (Muon: anything but a matrix)."""


def _pair_of(name, value, owner, n=2):
    if not (isinstance(value, (tuple, list)) and len(value) == n):
        what = "a pair" if n == 2 else f"a tuple of {n} numbers"
        raise TypeError(f"{owner}: {name} must be {what}, got {value!r}")
    return value


def _require(name, value, test, owner, message):
    """``value`` (a number or an array of them) passes ``test`` everywhere, else ValueError.

    The message is ``owner: message`` with ``{}`` replaced by the first offending value.
    Returns ``value`` as an array.
    """
    a = _as_number_array(name, value, owner)
    ok = test(a)
    if not np.all(ok):
        raise ValueError(f"{owner}: {message.format(_show(a, ok))}")
    return a


def _show_value(v):
    a = np.asarray(v)
    return a.item() if a.ndim == 0 else a.reshape(-1)[0].item()


def _check_rprop(hp, owner):
    _require("lr", hp["lr"], lambda x: x >= 0, owner, "Invalid learning rate: {}")
    em, ep = _pair_of("etas", hp["etas"], owner)
    em, ep = _as_number_array("etas[0]", em, owner), _as_number_array("etas[1]", ep, owner)
    if not np.all((0.0 < em) & (em < 1.0) & (1.0 < ep)):
        raise ValueError(f"{owner}: Invalid eta values: {_show_value(em)}, {_show_value(ep)}")
    lo, hi = _pair_of("step_sizes", hp["step_sizes"], owner)
    lo, hi = _as_number_array("step_sizes[0]", lo, owner), _as_number_array("step_sizes[1]", hi, owner)
    if not np.all((0 <= lo) & (lo <= hi)):  # gdlab's check: torch makes none
        raise ValueError(f"{owner}: invalid step_sizes=({_show_value(lo)}, {_show_value(hi)}); "
                         "expected 0 <= step_min <= step_max")
    return {"lr", "etas", "step_sizes"}


def _check_asgd(hp, owner):
    _require("lr", hp["lr"], lambda x: x >= 0, owner, "Invalid learning rate: {}")
    _require("weight_decay", hp["weight_decay"], lambda x: x >= 0, owner, "Invalid weight_decay value: {}")
    for k in ("lambd", "alpha", "t0"):  # numbers; torch checks nothing more
        _as_number_array(k, hp[k], owner)
    return {"lr", "weight_decay", "lambd", "alpha", "t0"}


def _check_adafactor(hp, owner):
    _require("lr", hp["lr"], lambda x: x >= 0, owner, "Learning rate should be >= 0 but is: {}")
    _require("beta2_decay", hp["beta2_decay"], lambda x: x <= 0, owner, "beta2_decay should be <= 0 but is: {}")
    eps1, eps2 = _pair_of("eps", hp["eps"], owner)
    if eps1 is not None:
        _require("eps[0]", eps1, lambda x: x >= 0, owner, "epsilon1 should be >= 0 but is: {}")
    _require("eps[1]", eps2, lambda x: x >= 0, owner, "epsilon2 should be >= 0 but is: {}")
    _require("d", hp["d"], lambda x: x >= 1, owner, "Clipping threshold d should be >= 1 but is: {}")
    _require("weight_decay", hp["weight_decay"], lambda x: x >= 0, owner, "weight_decay should be >= 0 but is: {}")
    return {"lr", "beta2_decay", "eps", "d", "weight_decay"}


def _int_at_least(name, value, lo, owner, allow_none=False):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise ValueError(f"{owner}: invalid {name}={value!r}; expected an integer >= {lo}"
                         + (" or None" if allow_none else ""))


def _check_muon(hp, owner):
    _require("lr", hp["lr"], lambda x: x >= 0, owner, "Learning rate should be >= 0 but is: {}")
    _require("momentum", hp["momentum"], lambda x: x >= 0, owner, "momentum should be >= 0 but is: {}")
    _require("weight_decay", hp["weight_decay"], lambda x: x >= 0, owner, "weight decay should be >= 0 but is: {}")
    fn = hp["adjust_lr_fn"]
    if fn is not None and fn not in ("original", "match_rms_adamw"):
        raise ValueError(f"{owner}: Adjust learning rate function {fn} is not supported")
    coef = hp["ns_coefficients"]
    if not (isinstance(coef, (tuple, list)) and len(coef) == 3):
        raise ValueError(f"{owner}: Coefficients must be a tuple of exactly 3 values")
    for i, c in enumerate(coef):
        _as_number_array(f"ns_coefficients[{i}]", c, owner)
    _int_at_least("ns_steps", hp["ns_steps"], 0, owner)
    if hp["ns_steps"] >= 100:
        raise ValueError(f"{owner}: Number of steps must be less than 100 for computational efficiency")
    _require("eps", hp["eps"], lambda x: x > 0, owner, "invalid eps={}; expected eps > 0")
    if not isinstance(hp["nesterov"], (bool, np.bool_)):
        raise TypeError(f"{owner}: nesterov must be True or False, got {hp['nesterov']!r}")
    return {"lr", "momentum", "weight_decay", "adjust_lr_fn", "ns_coefficients", "ns_steps", "eps", "nesterov"}


def _check_lbfgs(hp, owner):
    _require("lr", hp["lr"], lambda x: x >= 0, owner, "Invalid learning rate: {}")
    _int_at_least("max_iter", hp["max_iter"], 1, owner)
    _int_at_least("max_eval", hp["max_eval"], 1, owner, allow_none=True)
    _int_at_least("history_size", hp["history_size"], 1, owner)
    for k in ("tolerance_grad", "tolerance_change"):
        _require(k, hp[k], lambda x: x >= 0, owner, f"invalid {k}={{}}; expected {k} >= 0")
    if hp["line_search_fn"] not in (None, "strong_wolfe"):
        raise ValueError(f"{owner}: only 'strong_wolfe' is supported (line_search_fn={hp['line_search_fn']!r}; "
                         "None for a fixed step)")
    return {"lr", "max_iter", "max_eval", "history_size", "tolerance_grad", "tolerance_change", "line_search_fn"}


_CHECKED_KEPT = 64
_PLAIN = (float, int, bool, str, type(None))


def _plain_key(hp):
    """``hp`` as a key that tells apart 1, 1.0 and True and 0.0 from -0.0, or None when a value is not plain
    (an array, a list, an object: those are checked every time)."""
    key = []
    for k, v in hp.items():
        t = type(v)
        if t is tuple:
            if not all(type(x) in _PLAIN for x in v):
                return None
            v = tuple((type(x), x, repr(x)) for x in v)
        elif t not in _PLAIN:
            return None
        key.append((k, t, v, repr(v)))
    return tuple(key)


@dataclass(frozen=True)
class Rule:
    """One optimizer as two functions on arrays; see the module docstring for the contract."""

    name: str
    init: Callable[..., dict]
    update: Callable[..., None]
    defaults: Mapping[str, Any]
    state_keys: Mapping[str, str] = field(default_factory=dict)
    doc: str = ""
    #: every op of ``update`` is elementwise (rows and coordinates independent; a compiled engine may fuse it)
    elementwise: bool = True
    #: ``update`` takes the loss at ``p`` too (keyword ``loss``): L-BFGS
    needs_loss: bool = False
    #: ``validate(hp, owner) -> names it checked``: the rule's own checks (torch's messages), before the shared ones
    validate: Callable[[Mapping, str], set] | None = None

    def check(self, hp: Mapping[str, Any], owner: str | None = None) -> None:
        """Raise ValueError/TypeError naming the first bad value in ``hp`` (the rule's checks, then the shared ones)."""
        owner = self.name if owner is None else owner
        done = self.validate(hp, owner) if self.validate is not None else set()
        check_hyperparameters({k: v for k, v in hp.items() if k not in done}, owner)

    def hyperparameters(self, **overrides) -> dict:
        """``defaults`` updated with ``overrides``, validated (unknown names raise TypeError).

        Overrides of plain values (numbers, bools, strings, None, tuples of them) that passed once are
        remembered by their exact types and bits (a repeated call, e.g. a playground redraw, skips the checks)."""
        key = _plain_key(overrides)
        memo = self.__dict__.get("_checked")
        if key is not None and memo is not None:
            hp = memo.get(key)
            if hp is not None:
                return dict(hp)
        unknown = sorted(set(overrides) - set(self.defaults))
        if unknown:
            raise TypeError(f"{self.name}: unknown hyperparameter(s) {', '.join(unknown)}; "
                            f"known: {', '.join(self.defaults)}")
        hp = {**self.defaults, **overrides}
        self.check(hp)
        if key is not None:
            if memo is None:
                memo = {}
                object.__setattr__(self, "_checked", memo)  # a cache, not a field (the Rule stays frozen)
            if len(memo) >= _CHECKED_KEPT:
                memo.pop(next(iter(memo)))
            memo[key] = dict(hp)
        return hp

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.defaults.items())
        return f"Rule({self.name!r}: {args})"


def _signature_defaults(update: Callable) -> dict:
    """The keyword-only arguments with a default (the hyperparameters; ``loss`` has none)."""
    return {k: p.default for k, p in inspect.signature(update).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is not inspect.Parameter.empty}


def _make(name, init, update, state_keys, *, elementwise=True, needs_loss=False, validate=None, **preset) -> Rule:
    defaults = _signature_defaults(update)
    defaults.update(preset)
    return Rule(name, init, update, MappingProxyType(defaults), MappingProxyType(state_keys),
                doc=inspect.getdoc(update) or "", elementwise=elementwise, needs_loss=needs_loss, validate=validate)


_MOMENTS = {"exp_avg": "m, first moment (EMA of g)", "exp_avg_sq": "v, second moment (EMA of g**2)"}

_LBFGS_STATE = {"d": "search direction", "t": "step length", "old_dirs": "y_i, gradient differences",
                "old_stps": "s_i, steps", "ro": "1 / (y_i . s_i)", "H_diag": "initial inverse-Hessian scale",
                "prev_flat_grad": "the previous gradient", "prev_loss": "the previous loss",
                "func_evals": "closure calls so far", "n_iter": "iterations so far", "al": "two-loop scratch"}

RULES: dict[str, Rule] = {}
#: RULES as a registry (lookup, "did you mean", the unknown-optimizer message).
REGISTRY = Registry("optimizer", RULES)
_sgd = _make("sgd", sgd_init, sgd_update, {"momentum_buffer": "velocity b (appears on the first step with momentum)"})
REGISTRY.register("gd", _sgd)
for _rule in (
    _sgd,
    _make("momentum", sgd_init, sgd_update, {"momentum_buffer": "velocity b"}, momentum=0.9),
    _make("nesterov", sgd_init, sgd_update, {"momentum_buffer": "velocity b"}, momentum=0.9, nesterov=True),
    _make("adagrad", adagrad_init, adagrad_update, {"sum": "accumulated g**2"}),
    _make("rmsprop", rmsprop_init, rmsprop_update,
          {"square_avg": "v, EMA of g**2", "grad_avg": "EMA of g (centered)",
           "momentum_buffer": "velocity b (momentum > 0)"}),
    _make("adadelta", adadelta_init, adadelta_update,
          {"square_avg": "EMA of g**2", "acc_delta": "EMA of squared updates"}),
    _make("adam", adam_init, adam_update, {**_MOMENTS, "max_exp_avg_sq": "running max of v (amsgrad)"}),
    _make("adamw", adam_init, adam_update, {**_MOMENTS, "max_exp_avg_sq": "running max of v (amsgrad)"},
          weight_decay=1e-2, decoupled_weight_decay=True),
    _make("adamax", adamax_init, adamax_update,
          {"exp_avg": "m, first moment", "exp_inf": "u, exponentially weighted infinity norm"}),
    _make("nadam", nadam_init, nadam_update, {**_MOMENTS, "mu_product": "product of the momentum schedule"}),
    _make("radam", radam_init, radam_update, dict(_MOMENTS)),
    _make("lion", lion_init, lion_update, {"exp_avg": "m, momentum (EMA of g with beta2)"}),
    _make("rprop", rprop_init, rprop_update,
          {"prev": "the previous gradient (0 after a sign change)", "step_size": "per-coordinate step size"},
          validate=_check_rprop),
    _make("asgd", asgd_init, asgd_update,
          {"eta": "the step size of the next update", "mu": "the averaging weight of the next update",
           "ax": "the averaged iterate (Polyak-Ruppert)"}, validate=_check_asgd),
    _make("adafactor", adafactor_init, adafactor_update,
          {"variance": "EMA of g**2 (vectors)", "row_var": "row factor R, EMA of row means of g**2 (matrices)",
           "col_var": "column factor C, EMA of column means of g**2 (matrices)"},
          elementwise=False, validate=_check_adafactor),
    _make("muon", muon_init, muon_update, {"momentum_buffer": "B, EMA of g (weight 1 - momentum)"},
          elementwise=False, validate=_check_muon),
    _make("lbfgs", lbfgs_init, lbfgs_update, _LBFGS_STATE, elementwise=False, needs_loss=True, validate=_check_lbfgs),
    _make("lbfgs_wolfe", lbfgs_init, lbfgs_update, _LBFGS_STATE, elementwise=False, needs_loss=True,
          validate=_check_lbfgs, line_search_fn="strong_wolfe"),
):
    REGISTRY.register(_rule.name, _rule)


def rule_names() -> list[str]:
    """The names :func:`get_rule` knows."""
    return sorted(RULES)


def get_rule(name: str) -> Rule:
    """The :class:`Rule` registered as ``name`` (case-insensitive); ValueError listing the known names."""
    if isinstance(name, Rule):
        return name
    return REGISTRY.get(name)
