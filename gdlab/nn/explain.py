r"""Backpropagation spelled out: the chain-rule factors of a small network, number by number.

:func:`explain_backprop` takes a ``Sequential`` of ``Linear`` layers, each optionally
followed by an elementwise activation, one sample and its target, and writes out

1. the forward pass, unit by unit: ``z = sum(inputs * weights) + bias`` and ``a = f(z)``;
2. the loss, E = 1/2 sum (y_true - y_pred)^2 by default (seed 001's);
3. for every weight and bias, its gradient as a product of chain-rule factors, e.g.
   ``dE/dw21 = dE/dy_pred * dy_pred/dz2 * dz2/dw21``, with each factor's value; for a
   hidden unit the error arriving from the layer above, ``dE/da = sum(dE/dz * w)``;
4. with ``lr``, one gradient-descent step ``w - lr * dE/dw`` (the model is not changed);
5. a check: the products equal the gradients of gdlab's ``backward()``.

Seed 001 works this by hand for a 1-2-1 sigmoid network (x = 2, w11 = 1, w12 = -1,
b1 = 3, w21 = 2, w22 = 1, b2 = 0, y_true = 1, lr 0.2; ``gdlab.demo.seeds.seed001_network``
builds it): hidden outputs 0.99 and 0.73, output 0.94, dE/dw21 = -0.00357. The article then
writes ``w21' = w21 + lr * grad = 2 + 0.2 * (-0.004) = 1.9992``: a sign error. Gradient
descent *subtracts* the gradient: ``w21' = 2 - 0.2 * (-0.0035747) = 2.000715`` (w21
grows, which raises y_pred toward y_true = 1, as it should). The article also shares
one bias b1 between both hidden units; gdlab's Linear has one bias per unit (both
set to 3 here), so the two get separate gradients (their sum is the shared b1's).

Names: layer l = 1, 2, ... counts the Linear layers; ``z{l}{k}``/``a{l}{k}`` are unit k's
input sum and output (``z{L}``/``y_pred`` for a single output); a weight is
``w{l}{i}`` (i-th, row-major over (inputs, units): the article's w11, w12, w21, w22)
when the layer has one input or one unit, else ``w{l}_{j}{k}`` (input j to unit k);
biases ``b{l}{k}`` (``b{l}`` for one unit). Indices are 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gdlab.autodiff import Tensor

from .layers import Identity, LeakyReLU, Linear, ReLU, Sigmoid, Softplus, Tanh
from .model import Sequential

__all__ = ["explain_backprop", "BackpropExplanation"]

_LOSSES = ("half_squared_error", "squared_error")


@dataclass
class BackpropExplanation:
    """What :func:`explain_backprop` found.

    ``text`` (what it printed); ``forward``: {name: value} of every z, a, y_pred and "E";
    ``factors``: {"dE/dw21": [(factor name, value), ...]}; ``gradients``: {param: dE/dparam};
    ``updated``: {param: value after one step} (empty without lr); ``autodiff_gradients``
    and ``max_abs_error`` (the largest difference from gdlab's backward()).
    """

    text: str
    forward: dict
    factors: dict
    gradients: dict
    updated: dict
    autodiff_gradients: dict
    max_abs_error: float
    lr: float | None = None
    steps: list = field(default_factory=list)

    def __str__(self):
        return self.text


def _derivative(act, z, a):
    """(f'(z) values, formula text) for the supported activations."""
    if act is None or isinstance(act, Identity):
        return np.ones_like(z), "1 (no activation)"
    if isinstance(act, Sigmoid):
        return a * (1 - a), "{a} (1 - {a})"
    if isinstance(act, Tanh):
        return 1 - a * a, "1 - {a}^2"
    if isinstance(act, ReLU):
        return (z > 0).astype(float), "1 if {z} > 0 else 0"
    if isinstance(act, LeakyReLU):
        return np.where(z > 0, 1.0, act.negative_slope), "1 if {z} > 0 else " + f"{act.negative_slope:g}"
    if isinstance(act, Softplus):
        bz = act.beta * z
        return np.where(bz > act.threshold, 1.0, 1 / (1 + np.exp(-bz))), "sigmoid(" + f"{act.beta:g}" + " {z})"
    raise ValueError(f"explain_backprop supports Sigmoid, Tanh, ReLU, LeakyReLU, Softplus and Identity "
                     f"activations, got {type(act).__name__}")


def _act_name(act):
    return "identity" if act is None or isinstance(act, Identity) else type(act).__name__.lower()


def _layers(model):
    if not isinstance(model, Sequential):
        raise TypeError("explain_backprop needs a Sequential of Linear layers and activations")
    groups, i, layers = [], 0, model.layers
    while i < len(layers):
        lin = layers[i]
        if not isinstance(lin, Linear):
            raise ValueError(f"layer {i} is {type(lin).__name__}: expected Linear (each optionally followed by "
                             "one activation)")
        act = None
        if i + 1 < len(layers) and not isinstance(layers[i + 1], Linear):
            act = layers[i + 1]
            _derivative(act, np.zeros(1), np.zeros(1))  # validates the kind
            i += 1
        groups.append((lin, act))
        i += 1
    if not groups:
        raise ValueError("the model has no layers")
    return groups


def _idx(*ks):
    return "".join(str(k) for k in ks) if all(k < 10 for k in ks) else "_".join(str(k) for k in ks)


def explain_backprop(model, x, y_true, lr=None, loss="half_squared_error", print_fn=print, digits=7):
    """Print (and return) the forward pass, the chain rule and one gradient-descent step of a small network.

    Parameters
    ----------
    model : Sequential of Linear layers, each optionally followed by Sigmoid, Tanh, ReLU,
        LeakyReLU, Softplus or Identity
    x : one sample, shape (in_features,) or (1, in_features)
    y_true : the target, a number or shape (out_features,)
    lr : learning rate for the step shown (None: no step)
    loss : "half_squared_error" (E = 1/2 sum (y_true - y_pred)^2, default) or "squared_error"
    print_fn : where the text goes (None: nowhere, just return it)
    digits : significant digits shown

    Returns a :class:`BackpropExplanation`. Computed in float64; the model is not modified.
    """
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
    groups = _layers(model)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    n_in = groups[0][0].in_features
    if x.shape != (n_in,):
        raise ValueError(f"x must be one sample with {n_in} features, got {x.size} values")
    n_out = groups[-1][0].out_features
    y = np.asarray(y_true, dtype=np.float64).reshape(-1)
    if y.shape != (n_out,):
        raise ValueError(f"y_true must have {n_out} value(s), got {y.size}")
    if lr is not None and not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")

    def f(v):
        return f"{v:.{digits}g}"

    def fp(v):  # a factor in a product: negatives in parentheses
        return f"({f(v)})" if v < 0 else f(v)

    L = len(groups)
    single = n_out == 1
    lines = []
    sizes = " -> ".join([str(n_in)] + [str(lin.out_features) for lin, _ in groups])
    acts = ", ".join(_act_name(a) for _, a in groups)
    loss_text = "E = 1/2 sum (y_true - y_pred)^2" if loss == "half_squared_error" else "E = sum (y_true - y_pred)^2"
    lines.append(f"Network {sizes} (activations: {acts}); loss {loss_text}")
    lines.append("")
    lines.append("Forward pass")
    forward = {}
    in_names = [f"x{_idx(j + 1)}" if n_in > 1 else "x" for j in range(n_in)]
    inputs = x
    zs, as_, names_a, names_z, w_names, b_names = [], [], [], [], [], []
    for l, (lin, act) in enumerate(groups, start=1):
        W = np.asarray(lin.weight.data, dtype=np.float64)
        b = np.zeros(lin.out_features) if lin.bias is None else np.asarray(lin.bias.data, dtype=np.float64)
        n_i, n_o = W.shape
        wn = np.empty((n_i, n_o), dtype=object)
        for j in range(n_i):
            for k in range(n_o):
                wn[j, k] = f"w{l}{_idx(j * n_o + k + 1)}" if (n_i == 1 or n_o == 1) else f"w{l}_{_idx(j + 1, k + 1)}"
        bn = [f"b{l}" if n_o == 1 else f"b{l}{_idx(k + 1)}" for k in range(n_o)]
        last = l == L
        zn = [f"z{l}" if (last and single) else f"z{l}{_idx(k + 1)}" for k in range(n_o)]
        an = (["y_pred"] if single else [f"y_pred{_idx(k + 1)}" for k in range(n_o)]) if last \
            else [f"a{l}{_idx(k + 1)}" for k in range(n_o)]
        z = inputs @ W + b
        a = z if act is None or isinstance(act, Identity) else act.numpy(z)
        for k in range(n_o):
            terms = " + ".join(f"{in_names[j]}*{wn[j, k]}" for j in range(n_i))
            nums = " + ".join(f"{fp(inputs[j])}*{fp(W[j, k])}" for j in range(n_i))
            bias_t = f" + {bn[k]}" if lin.bias is not None else ""
            bias_n = f" + {fp(b[k])}" if lin.bias is not None else ""
            lines.append(f"  {zn[k]} = {terms}{bias_t} = {nums}{bias_n} = {f(z[k])}")
            if act is not None and not isinstance(act, Identity):
                lines.append(f"  {an[k]} = {_act_name(act)}({zn[k]}) = {f(a[k])}")
            else:
                lines.append(f"  {an[k]} = {zn[k]} = {f(a[k])}")
            forward[zn[k]] = float(z[k])
            forward[an[k]] = float(a[k])
        zs.append(z)
        as_.append(a)
        names_a.append(an)
        names_z.append(zn)
        w_names.append(wn)
        b_names.append(bn)
        in_names = an
        inputs = a
    y_pred = as_[-1]
    scale = 0.5 if loss == "half_squared_error" else 1.0
    E = scale * float(np.sum((y - y_pred) ** 2))
    forward["E"] = E
    lines.append(f"  E = {'1/2 ' if scale == 0.5 else ''}"
                 + " + ".join(f"({f(y[k])} - {fp(y_pred[k])})^2" for k in range(n_out)) + f" = {f(E)}")

    # backward
    lines.append("")
    lines.append("Backward pass (chain rule)")
    factors, grads, steps = {}, {}, []
    dE_da = (y_pred - y) * (2 * scale)
    for k in range(n_out):
        txt = "y_pred - y_true" if scale == 0.5 else "2 (y_pred - y_true)"
        lines.append(f"  dE/d{names_a[-1][k]} = {txt} = {f(dE_da[k])}")
    prev_inputs = [x] + as_[:-1]
    prev_names = [[f"x{_idx(j + 1)}" if n_in > 1 else "x" for j in range(n_in)]] + names_a[:-1]
    for li in range(L - 1, -1, -1):
        lin, act = groups[li]
        z, a = zs[li], as_[li]
        deriv, dtext = _derivative(act, z, a)
        delta = dE_da * deriv
        an, zn = names_a[li], names_z[li]
        for k in range(len(z)):
            lines.append(f"  d{an[k]}/d{zn[k]} = {_act_name(act)}'({zn[k]}) = {dtext.format(a=an[k], z=zn[k])}"
                         f" = {f(deriv[k])}")
            lines.append(f"  dE/d{zn[k]} = dE/d{an[k]} * d{an[k]}/d{zn[k]} = {fp(dE_da[k])} * {fp(deriv[k])}"
                         f" = {f(delta[k])}")
        a_in, in_n = prev_inputs[li], prev_names[li]
        for j in range(len(a_in)):
            for k in range(len(z)):
                name = w_names[li][j, k]
                fs = [(f"dE/d{an[k]}", float(dE_da[k])), (f"d{an[k]}/d{zn[k]}", float(deriv[k])),
                      (f"d{zn[k]}/d{name}", float(a_in[j]))]
                value = float(delta[k] * a_in[j])
                factors[f"dE/d{name}"] = fs
                grads[name] = value
                steps.append({"parameter": name, "factors": fs, "value": value})
                lines.append(f"  dE/d{name} = " + " * ".join(n for n, _ in fs) + " = "
                             + " * ".join(fp(v) for _, v in fs) + f" = {f(value)}"
                             + f"   (d{zn[k]}/d{name} = {in_n[j]})")
        if lin.bias is not None:
            for k in range(len(z)):
                name = b_names[li][k]
                fs = [(f"dE/d{an[k]}", float(dE_da[k])), (f"d{an[k]}/d{zn[k]}", float(deriv[k])),
                      (f"d{zn[k]}/d{name}", 1.0)]
                value = float(delta[k])
                factors[f"dE/d{name}"] = fs
                grads[name] = value
                steps.append({"parameter": name, "factors": fs, "value": value})
                lines.append(f"  dE/d{name} = " + " * ".join(n for n, _ in fs) + " = "
                             + " * ".join(fp(v) for _, v in fs) + f" = {f(value)}")
        if li > 0:
            W = np.asarray(lin.weight.data, dtype=np.float64)
            dE_da = W @ delta
            for j in range(len(a_in)):
                terms = " + ".join(f"dE/d{zn[k]} * {w_names[li][j, k]}" for k in range(len(z)))
                nums = " + ".join(f"{fp(delta[k])} * {fp(W[j, k])}" for k in range(len(z)))
                lines.append(f"  dE/d{in_n[j]} = {terms} = {nums} = {f(dE_da[j])}")

    # autodiff check
    auto = _autodiff_gradients(model, groups, x, y, scale, w_names, b_names)
    err = max(abs(auto[k] - grads[k]) for k in grads)

    updated = {}
    if lr is not None:
        lines.append("")
        lines.append(f"Gradient-descent step (lr = {lr:g}): parameter <- parameter - lr * dE/dparameter")
        lines.append("  (minus: step against the gradient; a negative gradient makes the parameter grow)")
        values = _param_values(groups, w_names, b_names)
        for name in grads:
            new = values[name] - lr * grads[name]
            updated[name] = float(new)
            lines.append(f"  {name} = {f(values[name])} - {lr:g} * {fp(grads[name])} = {f(new)}")
    lines.append("")
    lines.append(f"Check: these products equal gdlab's backward() gradients to {err:.1e}")
    text = "\n".join(lines)
    if print_fn is not None:
        print_fn(text)
    return BackpropExplanation(text=text, forward=forward, factors=factors, gradients=grads, updated=updated,
                               autodiff_gradients=auto, max_abs_error=float(err), lr=lr, steps=steps)


def _param_values(groups, w_names, b_names):
    out = {}
    for (lin, _), wn, bn in zip(groups, w_names, b_names):
        W = lin.weight.data
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                out[wn[j, k]] = float(W[j, k])
        if lin.bias is not None:
            for k, name in enumerate(bn):
                out[name] = float(lin.bias.data[k])
    return out


def _autodiff_gradients(model, groups, x, y, scale, w_names, b_names):
    """The same gradients from gdlab's reverse mode, on float64 copies of the parameters."""
    out = Tensor(x.reshape(1, -1))
    leaves = []
    for lin, act in groups:
        W = Tensor(np.asarray(lin.weight.data, dtype=np.float64), requires_grad=True)
        b = None if lin.bias is None else Tensor(np.asarray(lin.bias.data, dtype=np.float64), requires_grad=True)
        leaves.append((W, b))
        out = out @ W
        if b is not None:
            out = out + b
        if act is not None:
            out = act(out)
    d = out - y.reshape(1, -1)
    E = (d * d).sum() * scale
    E.backward()
    grads = {}
    for (W, b), wn, bn in zip(leaves, w_names, b_names):
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                grads[wn[j, k]] = float(W.grad[j, k])
        if b is not None:
            for k, name in enumerate(bn):
                grads[name] = float(b.grad[k])
    return grads
