"""Fused one-pass tensor steps (gdlab.optim.fused) against the NumPy rule: the same numbers, bit for bit."""

import numpy as np
import pytest

from gdlab import Tensor, optim
from gdlab.optim import fused

pytest.importorskip("numba")

CASES = [
    (optim.SGD, dict(lr=0.05)),
    (optim.SGD, dict(lr=0.05, momentum=0.9, weight_decay=1e-3)),
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    (optim.Adam, dict(lr=1e-2)),
    (optim.AdamW, dict(lr=1e-2, amsgrad=True)),
    (optim.RMSprop, dict(lr=1e-2, momentum=0.5, centered=True, weight_decay=0.01)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.01)),
    (optim.Adamax, dict(lr=1e-2)),
    (optim.Adadelta, dict(lr=1.0, weight_decay=0.01)),
    (optim.Lion, dict(lr=1e-3, weight_decay=0.1)),
]


def _run(cls, kw, dtype, engine, monkeypatch, steps=6):
    monkeypatch.setenv("GDLAB_ENGINE", engine)
    rng = np.random.default_rng(0)
    params = [Tensor(rng.normal(size=s).astype(dtype), requires_grad=True) for s in [(40, 7), (7,), (3, 5)]]
    params[2] = Tensor(np.asfortranarray(rng.normal(size=(3, 5)).astype(dtype)), requires_grad=True)  # not C order
    opt = cls(params, **kw)
    for s in range(steps):
        g = np.random.default_rng(100 + s)
        for p in params:
            p.grad = g.normal(size=p.shape).astype(dtype)
        opt.step()
    states = [{k: np.array(v) for k, v in opt.state[p].items() if not k.startswith("_")} for p in params]
    return [p.data.copy() for p in params], states, opt


# float32 for every case, float64 sampled (each case and dtype is one compile)
MATRIX = [(c, k, np.float32) for c, k in CASES] + [(c, k, np.float64) for c, k in CASES[1:4]]


@pytest.mark.parametrize("cls, kw, dtype", MATRIX,
                         ids=[f"{c.__name__}-{'-'.join(k)}-{np.dtype(d).name}" for c, k, d in MATRIX])
def test_fused_step_equals_the_numpy_rule(cls, kw, dtype, monkeypatch):
    a, sa, opt = _run(cls, kw, dtype, "auto", monkeypatch)
    b, sb, _ = _run(cls, kw, dtype, "numpy", monkeypatch)
    kernels = [k for m in opt._fused_memo.kernels.values() for k in m.values() if k is not fused._UNSUPPORTED]
    assert kernels, "no step was fused"
    for x, y in zip(a, b):
        assert x.dtype == dtype
        np.testing.assert_array_equal(x, y)
    for s, t in zip(sa, sb):
        assert s.keys() == t.keys()
        for k in s:
            np.testing.assert_array_equal(s[k], t[k])


def test_noise_and_schedulers_keep_working(monkeypatch):
    # noise is a transform: those steps stay on NumPy, with the same random stream
    a, _, _ = _run(optim.SGD, dict(lr=0.05, noise_std=0.1, noise_seed=3), np.float32, "auto", monkeypatch)
    b, _, _ = _run(optim.SGD, dict(lr=0.05, noise_std=0.1, noise_seed=3), np.float32, "numpy", monkeypatch)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    # a scheduler changes group["lr"] between steps: the kernel takes it as an input
    monkeypatch.setenv("GDLAB_ENGINE", "auto")
    p = Tensor(np.ones(10, dtype=np.float32), requires_grad=True)
    q = Tensor(np.ones(10, dtype=np.float32), requires_grad=True)
    oa, ob = optim.Adam([p], lr=0.1), optim.Adam([q], lr=0.1)
    for s in range(4):
        p.grad = q.grad = np.full(10, 0.5, dtype=np.float32)
        oa.param_groups[0]["lr"] = ob.param_groups[0]["lr"] = 0.1 / (s + 1)
        oa.step()
        monkeypatch.setenv("GDLAB_ENGINE", "numpy")
        ob.step()
        monkeypatch.setenv("GDLAB_ENGINE", "auto")
    np.testing.assert_array_equal(p.data, q.data)


def test_a_step_with_the_last_values_reuses_its_step_function(monkeypatch):
    # fused.Memo.steps: one entry per set of hyperparameter values; a changed lr is a new entry, same numbers
    monkeypatch.setenv("GDLAB_ENGINE", "auto")
    p = Tensor(np.linspace(-1, 1, 50, dtype=np.float32), requires_grad=True)
    q = Tensor(np.linspace(-1, 1, 50, dtype=np.float32), requires_grad=True)
    oa, ob = optim.SGD([p], lr=0.1, momentum=0.9), optim.SGD([q], lr=0.1, momentum=0.9)
    for s in range(6):
        p.grad = q.grad = np.full(50, 0.25 * (s + 1), dtype=np.float32)
        if s == 3:
            oa.param_groups[0]["lr"] = ob.param_groups[0]["lr"] = 0.05
        oa.step()
        monkeypatch.setenv("GDLAB_ENGINE", "numpy")
        ob.step()
        monkeypatch.setenv("GDLAB_ENGINE", "auto")
        assert len(oa._fused_memo.steps) == (1 if s < 3 else 2)
    np.testing.assert_array_equal(p.data, q.data)
    np.testing.assert_array_equal(oa.state[p]["momentum_buffer"], ob.state[q]["momentum_buffer"])
