"""Shared fixtures for the viz tests: small objectives and runs.

``run_of`` uses ``gdlab.minimize`` when gdlab.runs provides it and a tiny stand-in (plain
gradient descent, momentum, Adam, Adagrad on arrays, with the Trajectory attributes of
docs/INTERFACES.md) otherwise, so these tests pin the viz layer, not the optimizers.
"""

import os
from types import SimpleNamespace

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


class Fn:
    """A stand-in objective with the interface of gdlab.functions."""

    def __init__(self, name, value, grad, dim, bounds, minima, saddles=None, start=None):
        self.name, self._value, self._grad, self.dim = name, value, grad, dim
        self.bounds = np.asarray(bounds, float)
        self.minima = np.asarray(minima, float).reshape(-1, dim)
        self.saddles = np.zeros((0, dim)) if saddles is None else np.asarray(saddles, float).reshape(-1, dim)
        self.start = np.zeros(dim) if start is None else np.asarray(start, float)

    def __call__(self, x):
        x = np.asarray(x, float)
        if self.dim == 1 and x.ndim == 0:
            return self._value(x[None])
        return self._value(x)

    def grad(self, x):
        return self._grad(np.asarray(x, float))


def square():
    return Fn("square", lambda x: x[..., 0] ** 2, lambda x: 2 * x, 1, [[-6, 6]], [[0.0]], start=[-5.0])


def seed004():
    return Fn("seed004", lambda x: 0.01 * x[..., 0] ** 2 + 0.1 * x[..., 0], lambda x: 0.02 * x + 0.1, 1,
              [[0, 20]], [[-5.0]])


def bowl():
    return Fn("bowl", lambda x: x[..., 0] ** 2 + x[..., 1] ** 2, lambda x: 2 * x, 2, [[-4, 4], [-4, 4]],
              [[0, 0]], start=[-3, 4])


def rosenbrock():
    def value(x):
        return (1 - x[..., 0]) ** 2 + 100 * (x[..., 1] - x[..., 0] ** 2) ** 2

    def grad(x):
        a, b = x[..., 0], x[..., 1]
        return np.stack([-2 * (1 - a) - 400 * a * (b - a ** 2), 200 * (b - a ** 2)], axis=-1)
    return Fn("rosenbrock", value, grad, 2, [[-2, 2], [-1, 3]], [[1, 1]], start=[-1.5, 2])


def himmelblau():
    def value(x):
        a, b = x[..., 0], x[..., 1]
        return (a ** 2 + b - 11) ** 2 + (a + b ** 2 - 7) ** 2

    def grad(x):
        a, b = x[..., 0], x[..., 1]
        u, v = a ** 2 + b - 11, a + b ** 2 - 7
        return np.stack([4 * a * u + 2 * v, 2 * u + 4 * b * v], axis=-1)
    mins = [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]]
    return Fn("himmelblau", value, grad, 2, [[-5, 5], [-5, 5]], mins, start=[0, 0])


def saddle():
    return Fn("saddle", lambda x: x[..., 0] ** 2 - x[..., 1] ** 2,
              lambda x: np.stack([2 * x[..., 0], -2 * x[..., 1]], -1), 2, [[-10, 10], [-10, 10]],
              np.zeros((0, 2)), saddles=[[0, 0]], start=[10, 0.01])


def fake_minimize(f, x0, optimizer="gd", steps=50, lr=0.1, momentum=0.9, betas=(0.9, 0.999), eps=1e-8,
                  tol=1e-8, label=None):
    """Vectorized stand-in for gdlab.minimize with the agreed Trajectory attributes."""
    x = np.array(x0, float)
    single = x.ndim == 1
    x = np.atleast_2d(x)
    n, d = x.shape
    params, losses, grads = [x.copy()], [f(x)], [f.grad(x)]
    state = {"velocity": [np.zeros_like(x)]} if optimizer == "momentum" else \
        {"m": [np.zeros_like(x)], "v": [np.zeros_like(x)]} if optimizer == "adam" else \
        {"accumulator": [np.zeros_like(x)]} if optimizer == "adagrad" else {}
    vel, m, v, acc = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
    status = np.full(n, "max_steps", dtype=object)
    stopped = np.full(n, steps)
    active = np.ones(n, bool)
    for t in range(1, steps + 1):
        g = f.grad(x)
        if optimizer == "momentum":
            vel = momentum * vel + g
            step = lr * vel
            state["velocity"].append(vel.copy())
        elif optimizer == "adam":
            m = betas[0] * m + (1 - betas[0]) * g
            v = betas[1] * v + (1 - betas[1]) * g * g
            mh, vh = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
            step = lr * mh / (np.sqrt(vh) + eps)
            state["m"].append(m.copy())
            state["v"].append(v.copy())
        elif optimizer == "adagrad":
            acc = acc + g * g
            step = lr * g / (np.sqrt(acc) + 1e-10)
            state["accumulator"].append(acc.copy())
        else:
            step = lr * g
        with np.errstate(all="ignore"):
            x = np.where(active[:, None], x - step, x)
            gn = np.linalg.norm(f.grad(x), axis=1)
            loss = f(x)
        div = active & (~np.isfinite(loss) | (np.abs(loss) > 1e12))
        conv = active & ~div & (gn < tol)
        status[div], status[conv] = "diverged", "converged"
        stopped[div | conv] = t
        active &= ~(div | conv)
        params.append(x.copy())
        losses.append(loss)
        grads.append(f.grad(x))
    P, L, G = np.array(params), np.array(losses), np.array(grads)
    st = {k: np.array(vs) for k, vs in state.items()}
    if single:
        P, L, G = P[:, 0], L[:, 0], G[:, 0]
        st = {k: a[:, 0] for k, a in st.items()}
        status, stopped = str(status[0]), int(stopped[0])
    with np.errstate(all="ignore"):
        gnorm = np.linalg.norm(G, axis=-1)
    return SimpleNamespace(params=P, loss=L, grad=G, grad_norm=gnorm, lr=np.full(steps, lr), state=st,
                           status=status, stopped_at=stopped, final=P[-1], final_loss=L[-1], n_runs=n,
                           steps=steps, dim=d, optimizer=optimizer, hyperparameters={"lr": lr},
                           function=f, label=label or optimizer)


def _real_functions():
    try:
        from gdlab import functions
        get = functions.get
        import gdlab
        seed4 = gdlab.expr("0.01*x**2 + 0.1*x")
        return SimpleNamespace(square=get("square"), seed004=seed4, bowl=get("paraboloid"),
                               rosenbrock=get("rosenbrock"), himmelblau=get("himmelblau"), saddle=get("saddle"))
    except Exception:  # gdlab.functions not there (yet): the stand-ins above
        return None


def _real_minimize():
    try:
        import gdlab
        minimize = gdlab.minimize
    except Exception:
        return None

    def run(f, x0, optimizer="gd", steps=50, lr=0.1, tol=None, label=None, **hp):
        traj = minimize(f, np.asarray(x0, float), optimizer=optimizer, steps=steps, lr=lr, tol=tol, **hp)
        if label is not None:
            traj.label = label
        return traj
    return run


@pytest.fixture(scope="session")
def fns():
    """The objectives: gdlab's catalog where it exists, else the stand-ins."""
    return _real_functions() or SimpleNamespace(square=square(), seed004=seed004(), bowl=bowl(),
                                                rosenbrock=rosenbrock(), himmelblau=himmelblau(), saddle=saddle())


@pytest.fixture(scope="session")
def standins():
    """The stand-in objectives (plain classes with the agreed interface)."""
    return SimpleNamespace(square=square(), seed004=seed004(), bowl=bowl(), rosenbrock=rosenbrock(),
                           himmelblau=himmelblau(), saddle=saddle())


@pytest.fixture(scope="session")
def run_of():
    """``run_of(f, x0, optimizer, steps, lr, **hp)``: gdlab.minimize where it exists, else the stand-in."""
    def fake(f, x0, optimizer="gd", steps=50, lr=0.1, tol=None, label=None, **hp):
        return fake_minimize(f, x0, optimizer, steps=steps, lr=lr, tol=1e-8 if tol is None else tol, label=label,
                             **hp)
    return _real_minimize() or fake


@pytest.fixture(scope="session")
def fake_run():
    return fake_minimize


def ink_fraction(rgba, background=255, tol=12):
    """Share of pixels that differ from the white background."""
    rgb = rgba[..., :3].astype(int)
    return float(np.mean(np.any(np.abs(rgb - background) > tol, axis=-1)))


@pytest.fixture
def ink():
    return ink_fraction


@pytest.fixture(autouse=True)
def fast_style(monkeypatch):
    """Low dpi everywhere, to keep the figure tests quick."""
    from gdlab.viz import _style
    monkeypatch.setattr(_style, "DPI", 40)
    monkeypatch.setattr(_style, "SAVE_DPI", 40)
    return _style
