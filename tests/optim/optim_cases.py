"""Shared by the optim tests and make_fixtures.py: the test problem, the case table, and runners.

The problem: three float64 parameter tensors of different shapes; each has its own
smooth objective f_i(x) = 1/2 x.A_i.x + b_i.x + 1/2 sum(sin x) (A_i symmetric positive
definite, eigenvalues in [0.5, 3]), so the gradient A_i x + b_i + cos(x)/2 is cheap
to compute in NumPy and the same for gdlab and torch. Cases with maximize=True are
fed the gradient of -f, so every trajectory heads for the same minimum.

The minimum lies far from the start (|b_i| ~ 8): the sign-like adaptive methods
(Adam, RMSprop, ...) are still travelling at step 200. Near a minimum they bounce
around it chaotically, and there any two implementations drift apart (torch's
kernels use fused multiply-adds, NumPy does not: a last-bit difference that chaos
grows by ~1.3x per step), so a 1e-10 comparison would test the chaos, not the rule.
Hyperparameters in the table were chosen with that in mind (e.g. no beta2 = 0.9).
"""

from __future__ import annotations

import os

import numpy as np

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
TRAJECTORIES = os.path.join(FIXTURES, "optim_trajectories.npz")
SCHEDULES = os.path.join(FIXTURES, "lr_schedules.npz")
CLIPPING = os.path.join(FIXTURES, "clip_grad.npz")

SHAPES = [(4, 3), (5,), (2, 2, 2)]
STEPS = 200
RECORD = (1, 2, 3, 5, 10, 20, 50, 100, 150, 200)  # steps stored in the fixtures
RTOL = 1e-10

# (case id, class name in gdlab.optim and torch.optim, keyword arguments)
CASES = [
    ("sgd_defaults", "SGD", {}),
    ("sgd_lr", "SGD", {"lr": 0.1}),
    ("sgd_high_lr", "SGD", {"lr": 0.6}),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("sgd_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("sgd_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    ("sgd_maximize", "SGD", {"lr": 0.05, "momentum": 0.9, "maximize": True}),
    ("sgd_nesterov_wd_maximize", "SGD", {"lr": 0.1, "momentum": 0.8, "nesterov": True, "weight_decay": 0.2,
                                         "maximize": True}),
    ("adagrad_defaults", "Adagrad", {}),
    ("adagrad_high_lr", "Adagrad", {"lr": 1.0}),
    ("adagrad_lr_decay_init_acc", "Adagrad", {"lr": 0.5, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("adagrad_wd_maximize", "Adagrad", {"lr": 0.3, "weight_decay": 0.05, "eps": 1e-6, "maximize": True}),
    ("rmsprop_defaults", "RMSprop", {}),
    ("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("rmsprop_everything", "RMSprop", {"lr": 0.005, "alpha": 0.95, "centered": True, "momentum": 0.5,
                                       "weight_decay": 0.1, "maximize": True}),
    ("adadelta_defaults", "Adadelta", {}),
    ("adadelta_wd_maximize", "Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1,
                                          "maximize": True}),
    ("adam_defaults", "Adam", {}),
    ("adam_high_lr", "Adam", {"lr": 0.5}),
    ("adam_amsgrad_wd", "Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    ("adam_betas_eps_maximize", "Adam", {"lr": 0.02, "betas": (0.8, 0.95), "eps": 1e-6, "maximize": True}),
    ("adamw_defaults", "AdamW", {}),
    ("adamw_amsgrad", "AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
    ("adamw_high_lr_maximize", "AdamW", {"lr": 0.3, "weight_decay": 0.1, "maximize": True}),
    ("adamax_defaults", "Adamax", {}),
    ("adamax_wd_maximize", "Adamax", {"lr": 0.1, "betas": (0.8, 0.99), "weight_decay": 0.05, "maximize": True}),
    ("nadam_defaults", "NAdam", {}),
    ("nadam_wd_momentum_decay", "NAdam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("nadam_decoupled_maximize", "NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True,
                                           "maximize": True}),
    ("radam_defaults", "RAdam", {}),
    ("radam_wd", "RAdam", {"lr": 0.05, "weight_decay": 0.1}),
    ("radam_decoupled_maximize", "RAdam", {"lr": 0.05, "betas": (0.9, 0.99), "weight_decay": 0.1,
                                           "decoupled_weight_decay": True, "maximize": True}),
    ("radam_never_rectified", "RAdam", {"lr": 0.05, "betas": (0.9, 0.6)}),
]


class P:
    """The smallest parameter: ``.data`` (updated in place by the optimizer) and ``.grad``."""

    def __init__(self, data):
        self.data = data
        self.grad = None


def make_problem(seed: int = 2024) -> dict:
    """Random A_i (SPD), b_i, x0_i for each shape, as a flat dict of arrays (what the fixture stores)."""
    rng = np.random.default_rng(seed)
    problem = {}
    for i, shape in enumerate(SHAPES):
        n = int(np.prod(shape))
        q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        problem[f"A{i}"] = (q * rng.uniform(0.5, 3.0, n)) @ q.T
        problem[f"b{i}"] = 8.0 * rng.standard_normal(n)
        problem[f"x0_{i}"] = rng.standard_normal(shape)
    return problem


def gradient(problem: dict, i: int, x: np.ndarray, sign: float = 1.0) -> np.ndarray:
    """sign * grad f_i(x) = sign * (A_i x + b_i + cos(x) / 2), shaped like x."""
    flat = x.reshape(-1)
    g = problem[f"A{i}"] @ flat + problem[f"b{i}"] + 0.5 * np.cos(flat)
    return (sign * g).reshape(x.shape)


def starts(problem: dict) -> list[np.ndarray]:
    return [problem[f"x0_{i}"].copy() for i in range(len(SHAPES))]


def run_gdlab(problem: dict, cls_name: str, kwargs: dict, steps: int = STEPS) -> np.ndarray:
    """Every step's parameters (flattened, concatenated): array (steps, n_params)."""
    import gdlab.optim

    sign = -1.0 if kwargs.get("maximize") else 1.0
    params = [P(x) for x in starts(problem)]
    opt = getattr(gdlab.optim, cls_name)(params, **kwargs)
    out = np.empty((steps, sum(p.data.size for p in params)))
    for t in range(steps):
        for i, p in enumerate(params):
            p.grad = gradient(problem, i, p.data, sign)
        opt.step()
        out[t] = np.concatenate([p.data.ravel() for p in params])
    return out


def run_torch(problem: dict, cls_name: str, kwargs: dict, steps: int = STEPS) -> np.ndarray:
    """The same run with torch.optim in float64 (default dtype float64 too: NAdam's mu_product uses it)."""
    import torch

    sign = -1.0 if kwargs.get("maximize") else 1.0
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        params = [torch.tensor(x, requires_grad=True) for x in starts(problem)]
        opt = getattr(torch.optim, cls_name)(params, **kwargs)
        out = np.empty((steps, sum(p.numel() for p in params)))
        for t in range(steps):
            for i, p in enumerate(params):
                p.grad = torch.from_numpy(gradient(problem, i, p.detach().numpy(), sign))
            opt.step()
            out[t] = np.concatenate([p.detach().numpy().ravel() for p in params])
    finally:
        torch.set_default_dtype(previous)
    return out


# -- schedules --------------------------------------------------------------------------

SCHEDULE_STEPS = 60
# (case id, class name, keyword arguments); two parameter groups with lr 0.1 and 0.03
SCHEDULE_CASES = [
    ("step", "StepLR", {"step_size": 7}),
    ("step_gamma", "StepLR", {"step_size": 3, "gamma": 0.5}),
    ("multistep", "MultiStepLR", {"milestones": [5, 12, 12, 40], "gamma": 0.3}),
    ("exponential", "ExponentialLR", {"gamma": 0.9}),
    ("cosine", "CosineAnnealingLR", {"T_max": 20}),
    ("cosine_eta_min", "CosineAnnealingLR", {"T_max": 25, "eta_min": 0.001}),
    ("linear_warmup", "LinearLR", {}),
    ("linear_custom", "LinearLR", {"start_factor": 0.1, "end_factor": 0.5, "total_iters": 30}),
]
GROUP_LRS = (0.1, 0.03)

# ReduceLROnPlateau: a metric that improves, stalls, oscillates
PLATEAU_METRIC = np.concatenate([np.linspace(1.0, 0.5, 10), np.full(15, 0.5), 0.5 + 0.01 * np.sin(np.arange(35))])
PLATEAU_CASES = [
    ("plateau_defaults", {}),
    ("plateau_patience", {"patience": 2, "factor": 0.5}),
    ("plateau_cooldown_min_lr", {"patience": 1, "factor": 0.5, "cooldown": 3, "min_lr": [0.01, 0.02]}),
    ("plateau_max_abs", {"mode": "max", "threshold_mode": "abs", "threshold": 0.001, "patience": 3}),
]


def schedule_lrs(optim_module, sched_module, cls_name: str, kwargs: dict, make_params) -> np.ndarray:
    """The rates (SCHEDULE_STEPS + 1, n_groups) of a scheduler: after construction, then after each step."""
    groups = [{"params": [make_params()], "lr": lr} for lr in GROUP_LRS]
    opt = optim_module.SGD(groups, lr=0.1)
    sched = getattr(sched_module, cls_name)(opt, **kwargs)
    lrs = [list(sched.get_last_lr())]
    for t in range(SCHEDULE_STEPS):
        opt.step()
        if cls_name == "ReduceLROnPlateau":
            sched.step(float(PLATEAU_METRIC[t]))
        else:
            sched.step()
        lrs.append(list(sched.get_last_lr()))
    return np.array([[float(x) for x in row] for row in lrs])


# -- clipping ---------------------------------------------------------------------------

CLIP_CASES = [  # (max_norm, norm_type)
    (1.0, 2.0), (100.0, 2.0), (0.5, 1.0), (0.3, float("inf")), (2.0, 3.0),
]
CLIP_VALUE = 0.4


def clip_grads(seed: int = 7) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in SHAPES]
