"""Shared by test_optim_torch_property.py and make_property_fixtures.py: random optimizer cases and their runs.

A *case* is (torch class name, keyword arguments, problem seed): every optimizer of
torch.optim that gdlab mirrors, with its flags (nesterov, amsgrad, centered,
maximize, decoupled_weight_decay) and numeric hyperparameters (lr, momentum,
dampening, weight_decay, betas, eps, alpha, rho, lr_decay, ...) drawn at random from
ranges where a float64 run is well conditioned: :func:`draw_case` takes a
``Chooser`` so that the same table serves hypothesis (live test) and a seeded NumPy
generator (the stored fixtures).

The problem: four parameter tensors of different shapes, (), (3,), (2, 3) and
(2, 1, 2), as torch's foreach implementations see a model; each follows a noisy
quadratic, ``g_t = A x + b + xi_t`` with A symmetric positive definite (a diagonal
in [1, 2] plus symmetric off-diagonal entries below 0.5 / n: eigenvalues in
[0.5, 2.5] by Gershgorin), ``|b| ~ 1`` and a fixed sequence of N(0, 1) gradient
noise ``xi_t`` (a stochastic gradient). Problems and gradients use elementwise
NumPy only (no LAPACK, no BLAS), so that they are the same numbers on every machine.
The noise keeps the problem well conditioned at the rounding level: RMSprop's
centred variance ``v - a**2`` stays of the order of v (no cancellation), and the adaptive methods wander around the minimum driven by the
noise instead of bouncing off it chaotically, so that a last-bit difference (torch's
fused multiply-adds) stays a last-bit difference for 300 steps. ``maximize`` cases
get the gradient of ``-f``.

The ill-conditioned problem of issue 12 (centred RMSprop with momentum on a
noiseless 2-D quadratic, where ``v - a**2`` cancels) is ``issue_problem``.

The IEEE reference, :func:`ieee_torch`: torch.optim's own code with torch's
portable CPU kernels (``ATEN_CPU_CAPABILITY=default``: no fused multiply-adds, each
operation rounded once, as NumPy rounds it) and a correctly rounded square root
(torch's CPU ``sqrt``, MKL's, is one ulp off for about 1.3% of inputs; ``Tensor.sqrt``
and ``Tensor.sqrt_`` are replaced by NumPy's). gdlab's rules follow torch's operation
order, so they reproduce this reference bit for bit.
"""

from __future__ import annotations

import os

import numpy as np

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "torch_property.npz")

SHAPES = [(), (3,), (2, 3), (2, 1, 2)]
STEPS = 300
RTOL = 1e-12
N_FIXTURE_CASES = 48
FIXTURE_STEPS = np.array([1, 2, 3, 5, 10, 20, 50, 100, 150, 200, 250, 300])  # steps stored in the fixture (1-based)

CLASSES = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam"]


class NumpyChooser:
    """The Chooser for fixtures: draws from a seeded numpy Generator."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def choice(self, options):
        return options[int(self.rng.integers(len(options)))]

    def flag(self):
        return bool(self.rng.integers(2))

    def uniform(self, lo, hi):
        return float(self.rng.uniform(lo, hi))

    def log_uniform(self, lo, hi):
        return float(np.exp(self.rng.uniform(np.log(lo), np.log(hi))))

    def integer(self, lo, hi):
        return int(self.rng.integers(lo, hi + 1))


def _maybe(c, value):
    """0 half the time, else ``value()`` (so that the branches on zero are taken too)."""
    return value() if c.flag() else 0.0


def draw_case(c, cls_name: str | None = None) -> tuple[str, dict, int]:
    """(class name, kwargs, problem seed) drawn with the Chooser ``c``."""
    name = cls_name or c.choice(CLASSES)
    kw: dict = {"maximize": c.flag()}
    if name == "SGD":
        kw["lr"] = c.log_uniform(1e-3, 0.3)
        kw["momentum"] = _maybe(c, lambda: c.uniform(0.1, 0.9))
        kw["nesterov"] = kw["momentum"] > 0 and c.flag()
        kw["dampening"] = 0.0 if kw["nesterov"] else _maybe(c, lambda: c.uniform(0.05, 0.9))
        kw["weight_decay"] = _maybe(c, lambda: c.log_uniform(1e-4, 0.2))
    elif name == "Adagrad":
        kw["lr"] = c.log_uniform(1e-3, 0.5)
        kw["lr_decay"] = _maybe(c, lambda: c.log_uniform(1e-4, 0.05))
        kw["initial_accumulator_value"] = _maybe(c, lambda: c.uniform(0.01, 1.0))
        kw["eps"] = c.log_uniform(1e-10, 1e-6)
        kw["weight_decay"] = _maybe(c, lambda: c.log_uniform(1e-4, 0.2))
    elif name == "RMSprop":
        kw["lr"] = c.log_uniform(1e-4, 0.02)
        kw["alpha"] = c.uniform(0.5, 0.999)
        kw["eps"] = c.log_uniform(1e-10, 1e-6)
        kw["momentum"] = _maybe(c, lambda: c.uniform(0.1, 0.9))
        kw["centered"] = c.flag()
        kw["weight_decay"] = _maybe(c, lambda: c.log_uniform(1e-4, 0.2))
    elif name == "Adadelta":
        kw["lr"] = c.log_uniform(0.05, 1.0)
        kw["rho"] = c.uniform(0.5, 0.99)
        kw["eps"] = c.log_uniform(1e-8, 1e-4)
        kw["weight_decay"] = _maybe(c, lambda: c.log_uniform(1e-4, 0.2))
    else:  # the Adam family
        kw["lr"] = c.log_uniform(1e-4, 0.03)
        # beta1 < 0.5 takes the other branch of torch's lerp_
        kw["betas"] = (c.choice([0.0, c.uniform(0.0, 0.5), c.uniform(0.5, 0.95)]), c.uniform(0.9, 0.9999))
        kw["eps"] = c.log_uniform(1e-10, 1e-6)
        kw["weight_decay"] = _maybe(c, lambda: c.log_uniform(1e-4, 0.2))
        if name in ("Adam", "AdamW"):
            kw["amsgrad"] = c.flag()
        if name in ("NAdam", "RAdam"):
            kw["decoupled_weight_decay"] = c.flag()
        if name == "Adam":
            kw["decoupled_weight_decay"] = c.flag()
        if name == "NAdam":
            kw["momentum_decay"] = c.log_uniform(1e-4, 1e-2)
    return name, kw, c.integer(0, 2**31 - 1)


def make_problem(seed: int) -> dict:
    """A_i, b_i, x0_i per shape and the gradient noise xi (STEPS, n_params), as arrays."""
    rng = np.random.default_rng(seed)
    problem = {}
    total = 0
    for i, shape in enumerate(SHAPES):
        n = int(np.prod(shape))
        off = rng.uniform(-0.5, 0.5, (n, n)) / n
        problem[f"A{i}"] = np.diag(rng.uniform(1.0, 2.0, n)) + np.triu(off, 1) + np.triu(off, 1).T
        problem[f"b{i}"] = rng.standard_normal(n)
        problem[f"x0_{i}"] = rng.standard_normal(shape)
        total += n
    problem["xi"] = rng.standard_normal((STEPS, total))
    return problem


def gradients(problem: dict, xs, t: int, sign: float) -> list[np.ndarray]:
    """sign * (A_i x_i + b_i + xi_t), shaped like each x_i (a NumPy computation both libraries are fed)."""
    out, start = [], 0
    for i, x in enumerate(xs):
        flat = np.asarray(x, dtype=np.float64).reshape(-1)
        n = flat.size
        g = (problem[f"A{i}"] * flat).sum(axis=1) + problem[f"b{i}"] + problem["xi"][t, start:start + n]
        out.append((sign * g).reshape(np.shape(x)))
        start += n
    return out


class _P:
    def __init__(self, data):
        self.data = data
        self.grad = None


def run_gdlab(cls_name: str, kwargs: dict, problem: dict, steps: int = STEPS) -> np.ndarray:
    """Parameters after every step, flattened and concatenated: (steps, n_params)."""
    import gdlab.optim

    sign = -1.0 if kwargs.get("maximize") else 1.0
    params = [_P(problem[f"x0_{i}"].copy()) for i in range(len(SHAPES))]
    opt = getattr(gdlab.optim, cls_name)(params, **kwargs)
    out = np.empty((steps, sum(p.data.size for p in params)))
    for t in range(steps):
        for p, g in zip(params, gradients(problem, [p.data for p in params], t, sign)):
            p.grad = g
        opt.step()
        out[t] = np.concatenate([p.data.ravel() for p in params])
    return out


def run_torch(cls_name: str, kwargs: dict, problem: dict, steps: int = STEPS, foreach: bool = False) -> np.ndarray:
    """The same run with torch.optim in float64 (default dtype float64 too: NAdam's mu_product uses it)."""
    import torch

    sign = -1.0 if kwargs.get("maximize") else 1.0
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        params = [torch.tensor(problem[f"x0_{i}"].copy(), requires_grad=True) for i in range(len(SHAPES))]
        opt = getattr(torch.optim, cls_name)(params, foreach=foreach, **kwargs)
        out = np.empty((steps, sum(p.numel() for p in params)))
        with torch.no_grad():
            for t in range(steps):
                for p, g in zip(params, gradients(problem, [p.numpy() for p in params], t, sign)):
                    p.grad = torch.from_numpy(g)
                opt.step()
                out[t] = np.concatenate([p.numpy().ravel() for p in params])
    finally:
        torch.set_default_dtype(previous)
    return out


def worst_relative_error(ours: np.ndarray, theirs: np.ndarray) -> float:
    """max over steps and tensors of |ours - theirs|_inf / max(|theirs|_inf, 0.1), tensor by tensor."""
    worst, start = 0.0, 0
    for shape in SHAPES:
        n = int(np.prod(shape))
        a, b = ours[:, start:start + n], theirs[:, start:start + n]
        scale = np.maximum(np.abs(b).max(axis=1), 0.1)
        worst = max(worst, float((np.abs(a - b).max(axis=1) / scale).max()))
        start += n
    return worst


def fixture_cases(seed: int = 12) -> list[tuple[str, dict, int]]:
    """The stored cases: every class at least four times, then random classes."""
    c = NumpyChooser(np.random.default_rng(seed))
    cases = [draw_case(c, name) for name in CLASSES * 4]
    cases += [draw_case(c) for _ in range(N_FIXTURE_CASES - len(cases))]
    return cases


# -- issue 12: centred RMSprop with momentum on noiseless 2-D quadratics -------------------

ISSUE_KWARGS = {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.01}
ISSUE_SEEDS = tuple(range(40))


def issue_problem(seed: int):
    """(A, b, x0): f(x) = x.A.x / 2 + b.x in 2-D, A = M M^T + 0.1 I; the gradient A x + b is all the optimizer sees."""
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((2, 2))
    return (m[:, None, :] * m[None, :, :]).sum(axis=2) + 0.1 * np.eye(2), rng.standard_normal(2), \
        rng.standard_normal(2)


def issue_run(make_param, step, get, seed: int, steps: int = STEPS) -> np.ndarray:
    """(steps, 2) parameters of one library's RMSprop (``make_param(x0)``, ``step(param, g)``, ``get(param)``)."""
    A, b, x0 = issue_problem(seed)
    param = make_param(x0.copy())
    out = np.empty((steps, 2))
    for t in range(steps):
        x = get(param)
        step(param, (A * x).sum(axis=1) + b)
        out[t] = get(param)
    return out


def issue_gdlab(seed: int) -> np.ndarray:
    import gdlab.optim

    opts = {}

    def make(x0):
        p = _P(x0)
        opts[id(p)] = gdlab.optim.RMSprop([p], **ISSUE_KWARGS)
        return p

    def step(p, g):
        p.grad = g
        opts[id(p)].step()

    return issue_run(make, step, lambda p: p.data.copy(), seed)


def issue_torch(seed: int) -> np.ndarray:
    import torch

    opts = {}

    def make(x0):
        p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        opts[id(p)] = torch.optim.RMSprop([p], **ISSUE_KWARGS)
        return p

    def step(p, g):
        p.grad = torch.from_numpy(g)
        opts[id(p)].step()

    return issue_run(make, step, lambda p: p.detach().numpy().copy(), seed)


def ieee_torch():
    """torch made the IEEE reference (see the module docstring); call it in a fresh process, before importing torch."""
    import sys

    if "torch" in sys.modules and os.environ.get("ATEN_CPU_CAPABILITY") != "default":
        raise RuntimeError("torch was imported before its portable kernels could be chosen")
    os.environ["ATEN_CPU_CAPABILITY"] = "default"
    import torch

    if torch.backends.cpu.get_cpu_capability() != "DEFAULT":
        raise RuntimeError(f"torch runs its {torch.backends.cpu.get_cpu_capability()} kernels, not the portable ones")

    def sqrt(self):
        return torch.from_numpy(np.array(np.sqrt(self.numpy())))

    def sqrt_(self):
        return self.copy_(sqrt(self))

    torch.Tensor.sqrt, torch.Tensor.sqrt_ = sqrt, sqrt_
    torch.set_num_threads(1)
    return torch
