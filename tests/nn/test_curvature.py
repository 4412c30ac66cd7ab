"""gdlab.nn.curvature: H v against a dense Hessian, eigenvalues against eigvalsh, a quadratic model exactly,
the edge of stability, and a sharpness callback that does not change training."""

import numpy as np
import pytest

import gdlab
from gdlab import nn, optim
from gdlab.nn import curvature as C
from gdlab.nn import landscape as L


def _tanh_net():
    """A 3-4-3-1 tanh net in float64 (35 parameters) and a regression on 30 points."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((30, 3))
    y = np.sin(x[:, :1]) - 0.5 * x[:, 1:2] * x[:, 2:]
    model = nn.mlp([3, 4, 3, 1], activation="tanh", seed=0, dtype="float64")
    model.compile("sgd", "mse", lr=0.1)
    return model, x, y


def _loss_of_flat(model, x, y):
    """The same loss written independently with gdlab ops, as a function of the flat weights."""
    shapes = [p.data.shape for p in model.parameters()]
    sizes = [int(np.prod(s)) for s in shapes]

    def f(theta):
        parts, i = [], 0
        for s, n in zip(shapes, sizes):
            parts.append(theta[i:i + n].reshape(s))
            i += n
        h = gdlab.Tensor(x)
        for k in range(0, len(parts), 2):
            h = h @ parts[k] + parts[k + 1]
            if k + 2 < len(parts):
                h = gdlab.tanh(h)
        return ((h - y) ** 2).mean()

    return f


@pytest.fixture(scope="module")
def dense():
    model, x, y = _tanh_net()
    f = _loss_of_flat(model, x, y)
    theta = L.flat_weights(model)
    assert model.count_params() <= 40
    assert float(f(gdlab.Tensor(theta)).data) == pytest.approx(model.evaluate(x, y)["loss"], rel=1e-14)
    return model, x, y, gdlab.hessian(f)(theta)


def test_hvp_matches_the_dense_hessian(dense):
    model, x, y, H = dense
    rng = np.random.default_rng(1)
    for _ in range(4):
        v = rng.standard_normal(H.shape[0]) * rng.uniform(0.01, 100)
        hv = C.hvp(model, x, y, v)
        assert np.linalg.norm(hv - H @ v) <= 1e-6 * np.linalg.norm(H @ v)
    assert not C.hvp(model, x, y, np.zeros(H.shape[0])).any()


def test_hvp_matches_a_hessian_from_function_values_only(dense):
    """Independent of autodiff: numdiff's mixed second differences of the loss values."""
    model, x, y, _ = dense
    f = _loss_of_flat(model, x, y)
    theta = L.flat_weights(model)
    Hn = gdlab.numdiff.hessian(lambda t: float(f(gdlab.Tensor(t)).data), theta)
    v = np.random.default_rng(2).standard_normal(theta.size)
    assert np.linalg.norm(C.hvp(model, x, y, v) - Hn @ v) <= 1e-5 * np.linalg.norm(Hn @ v)


def test_hessian_eigs_match_eigvalsh(dense):
    model, x, y, H = dense
    ev = np.linalg.eigvalsh(H)
    top = C.hessian_eigs(model, x, y)
    assert top.shape == (1,)
    assert top[0] == pytest.approx(ev[-1], rel=1e-6)
    three, vecs = C.hessian_eigs(model, x, y, k=3, vectors=True)
    np.testing.assert_allclose(three, ev[::-1][:3], rtol=1e-6)
    for lam, u in zip(three, vecs):
        assert np.linalg.norm(u) == pytest.approx(1.0)
        assert np.linalg.norm(H @ u - lam * u) <= 1e-5 * abs(ev).max()
    low = C.hessian_eigs(model, x, y, k=2, which="smallest")
    np.testing.assert_allclose(low, ev[:2], rtol=1e-6, atol=1e-9 * abs(ev).max())


def test_a_quadratic_model_is_exact():
    """Linear regression with the mean squared error: H = 2/n [X 1]ᵀ[X 1] exactly."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 4)) * [1, 3, 0.5, 2]
    y = x @ [1.0, -2.0, 0.5, 3.0] + 0.1 * rng.standard_normal(50)
    model = nn.Sequential(nn.Linear(4, 1, seed=0, dtype="float64"))
    model.compile("sgd", "mse", lr=0.01)
    A = np.column_stack([x, np.ones(50)])
    H = 2.0 / 50 * A.T @ A
    v = rng.standard_normal(5)
    assert np.linalg.norm(C.hvp(model, x, y, v) - H @ v) <= 1e-9 * np.linalg.norm(H @ v)
    np.testing.assert_allclose(C.hessian_eigs(model, x, y, k=5), np.linalg.eigvalsh(H)[::-1], rtol=1e-9)


def test_gd_above_two_over_lambda_diverges_on_a_quadratic_model_as_predicted():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((40, 3)) * [1, 2, 0.5]
    y = (x @ [0.5, -1.0, 2.0]).reshape(-1, 1)
    lam = float(C.hessian_eigs(_compiled_linear(0.01), x, y)[0])
    assert lam == pytest.approx(np.linalg.eigvalsh(2 / 40 * np.column_stack([x, np.ones(40)]).T
                                                   @ np.column_stack([x, np.ones(40)]))[-1], rel=1e-9)
    finals = {}
    for factor in (0.95, 1.05):
        lr = factor * 2.0 / lam
        model = _compiled_linear(lr)
        losses = model.fit(x, y, epochs=300, batch_size=None, verbose=0).step_losses
        finals[factor] = losses
    assert finals[0.95][-1] < 1e-6 * finals[0.95][0]   # stable: converges
    grow = finals[1.05]
    assert grow[-1] > 1e6 * grow[0]                     # unstable: diverges
    # at the predicted rate: the error along the top eigenvector is multiplied by |1 − ηλ| per step
    rate = np.sqrt(grow[-1] / grow[-51]) ** (1 / 50)
    assert rate == pytest.approx(abs(1 - 1.05 * 2.0), rel=1e-3)


def _compiled_linear(lr):
    model = nn.Sequential(nn.Linear(3, 1, seed=0, dtype="float64"))
    model.compile(optim.SGD(lr=lr), "mse")
    return model


def test_full_batch_gd_sharpens_to_the_edge_of_stability():
    """Cohen et al. 2021, loosely: after training the sharpness is within 25 % of 2/η."""
    x = np.linspace(-2.0, 2.0, 64).reshape(-1, 1)
    y = np.sin(2.0 * x)
    lr = 0.1
    model = nn.mlp([1, 16, 16, 1], activation="tanh", seed=0, dtype="float64")
    model.compile(optim.SGD(lr=lr), "mse")
    cb = C.SharpnessCallback(x, y, every=100)
    model.fit(x, y, epochs=1200, batch_size=None, verbose=0, callbacks=[cb])
    assert cb.sharpness[0] < 0.75 * 2 / lr            # it starts well below the edge ...
    assert abs(cb.sharpness[-1] - 2 / lr) <= 0.25 * 2 / lr  # ... and ends at it
    assert cb.threshold[-1] == pytest.approx(2 / lr) and cb.lr[-1] == lr
    assert cb.steps == list(range(0, 1201, 100))
    assert cb.sharpness[-1] == pytest.approx(C.hessian_eigs(model, x, y)[0], rel=1e-5)


def test_the_sharpness_callback_does_not_change_training():
    x = np.linspace(-1, 1, 20).reshape(-1, 1)
    y = x ** 3
    weights = []
    for callbacks in ([], [C.SharpnessCallback(x, y, every=3, k=2)]):
        model = nn.mlp([1, 5, 1], activation="tanh", seed=0)   # float32: curvature in float64 on a copy
        model.compile("momentum", "mse", lr=0.05)
        model.fit(x, y, epochs=10, batch_size=8, seed=0, verbose=0, callbacks=callbacks)
        weights.append(model.state_dict())
    for k in weights[0]:
        assert np.array_equal(weights[0][k], weights[1][k])
    cb = callbacks[0]
    assert cb.steps == [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30]  # 3 updates per epoch, and after the last
    assert all(len(e) == 2 and e[0] >= e[1] for e in cb.eigenvalues)
    assert cb.threshold[0] == pytest.approx((2 + 2 * 0.9) / 0.05)


def test_stability_thresholds():
    p = [gdlab.Tensor(np.zeros(2), requires_grad=True)]
    assert C.stability_threshold(optim.SGD(p, lr=0.1)) == pytest.approx(20.0)
    assert C.stability_threshold(optim.SGD(p, lr=0.1, momentum=0.5)) == pytest.approx(30.0)
    assert C.stability_threshold(optim.SGD(p, lr=0.1, momentum=0.5, nesterov=True)) == pytest.approx(15.0)
    assert C.stability_threshold(optim.Adam(p, lr=0.1)) is None


def test_bad_input_is_named():
    model, x, y = _tanh_net()
    with pytest.raises(ValueError, match="which must be 'largest' or 'smallest'"):
        C.hessian_eigs(model, x, y, which="middle")
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        C.hessian_eigs(model, x, y, k=0)
    with pytest.raises(ValueError, match="k = 99 eigenvalues asked of an operator on R"):
        C.hessian_eigs(model, x, y, k=99)
    with pytest.raises(ValueError, match="flat weights have 2 values"):
        C.hvp(model, x, y, np.ones(2))
    with pytest.raises(ValueError, match="every must be an integer >= 1"):
        C.SharpnessCallback(x, y, every=0)


def test_the_default_lanczos_basis_is_bounded(monkeypatch):
    """A large operator gets fewer than 200 basis vectors by default (BASIS_BYTES), at least 2k + 10."""
    n = 1000
    d = np.linspace(1.0, 2.0, n)  # eigenvalues too close for Lanczos to converge in few steps
    monkeypatch.setattr(C, "BASIS_BYTES", 8 * n * 30)
    calls = []
    C.lanczos(lambda v: calls.append(1) or d * v, n, 1, tol=1e-14)
    assert len(calls) == 30
    monkeypatch.setattr(C, "BASIS_BYTES", 8 * n)
    calls.clear()
    C.lanczos(lambda v: calls.append(1) or d * v, n, 2, tol=1e-14)
    assert len(calls) == 14
