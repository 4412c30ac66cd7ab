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

__all__ = ["Rule", "get_rule", "rule_names", "RULES"]


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


# -- the Rule record and validation ---------------------------------------------------------

_FLAGS = ("nesterov", "amsgrad", "centered", "maximize", "decoupled_weight_decay")

# hyperparameter -> (test on a float array, what is allowed)
_RANGES: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    "lr": (lambda x: x >= 0, "lr >= 0"),
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


def _as_number_array(name: str, value, owner: str) -> np.ndarray:
    if isinstance(value, (bool, np.bool_)) or not (isinstance(value, (Real, np.ndarray))):
        raise TypeError(f"{owner}: {name} must be a number or an array of numbers, got {value!r}")
    a = np.asarray(value)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{owner}: {name} must be a number or an array of numbers, got dtype {a.dtype}")
    if np.isnan(a).any():
        raise ValueError(f"{owner}: {name} is NaN")
    return a


def _show(a: np.ndarray, ok: np.ndarray):
    """The first offending value of a hyperparameter, for an error message."""
    return a.item() if a.ndim == 0 else a[~np.broadcast_to(ok, a.shape)].flat[0].item()


def check_hyperparameters(hp: Mapping[str, Any], owner: str = "optimizer") -> None:
    """Raise ValueError/TypeError naming the first bad hyperparameter in ``hp``.

    Checks: lr, momentum, weight_decay, lr_decay, initial_accumulator_value,
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
                a = _as_number_array(f"betas[{i}]", beta, owner)
                ok = (a >= 0) & (a < 1)
                if not ok.all():
                    raise ValueError(f"{owner}: invalid betas[{i}]={_show(a, ok)!r}; "
                                     f"each beta must be in [0, 1)")
        elif name in _RANGES:
            a = _as_number_array(name, value, owner)
            test, allowed = _RANGES[name]
            ok = test(a)
            if not ok.all():
                raise ValueError(f"{owner}: invalid {name}={_show(a, ok)!r}; expected {allowed}")
    if hp.get("nesterov"):
        momentum, dampening = hp.get("momentum", 0.0), hp.get("dampening", 0.0)
        if not np.all(np.asarray(momentum) > 0) or _nonzero(np.asarray(dampening)):
            raise ValueError(f"{owner}: nesterov=True requires momentum > 0 and dampening == 0, "
                             f"got momentum={momentum!r}, dampening={dampening!r}")


@dataclass(frozen=True)
class Rule:
    """One optimizer as two functions on arrays; see the module docstring for the contract."""

    name: str
    init: Callable[..., dict]
    update: Callable[..., None]
    defaults: Mapping[str, Any]
    state_keys: Mapping[str, str] = field(default_factory=dict)
    doc: str = ""

    def hyperparameters(self, **overrides) -> dict:
        """``defaults`` updated with ``overrides``, validated (unknown names raise TypeError)."""
        unknown = sorted(set(overrides) - set(self.defaults))
        if unknown:
            raise TypeError(f"{self.name}: unknown hyperparameter(s) {', '.join(unknown)}; "
                            f"known: {', '.join(self.defaults)}")
        hp = {**self.defaults, **overrides}
        check_hyperparameters(hp, self.name)
        return hp

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.defaults.items())
        return f"Rule({self.name!r}: {args})"


def _signature_defaults(update: Callable) -> dict:
    return {k: p.default for k, p in inspect.signature(update).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY}


def _make(name, init, update, state_keys, **preset) -> Rule:
    defaults = _signature_defaults(update)
    defaults.update(preset)
    return Rule(name, init, update, MappingProxyType(defaults), MappingProxyType(state_keys),
                doc=inspect.getdoc(update) or "")


_MOMENTS = {"exp_avg": "m, first moment (EMA of g)", "exp_avg_sq": "v, second moment (EMA of g**2)"}

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
