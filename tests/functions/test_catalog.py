"""The catalog: values, closed-form gradients against autodiff, listed minima and saddles."""

import math

import numpy as np
import pytest

import gdlab
from gdlab import functions as F

# every catalog entry, with the n-D ones also at a higher dimension and with their parameters
CASES = [(name, {}) for name in F.names()] + [
    ("sphere", {"dim": 5}), ("ill_conditioned", {"dim": 4, "condition": 1000.0}), ("rosenbrock", {"dim": 5}),
    ("rastrigin", {"dim": 3}), ("ackley", {"dim": 4}), ("styblinski_tang", {"dim": 3}),
    ("double_well", {"tilt": 0.5}), ("double_well", {"tilt": -0.3}),
]
IDS = [f"{n}{''.join(f'-{k}={v}' for k, v in p.items())}" for n, p in CASES]


def sample(f, n=7, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(f.bounds[:, 0], f.bounds[:, 1], size=(n, f.dim))


def test_the_issue_list_is_in_the_catalog():
    expected = {"square", "quadratic", "gentle_quadratic", "paraboloid", "saddle", "elongated_bowl", "sphere",
                "ill_conditioned", "rosenbrock", "beale", "booth", "matyas", "himmelblau", "rastrigin", "ackley",
                "goldstein_price", "six_hump_camel", "styblinski_tang", "monkey_saddle", "double_well"}
    assert expected <= set(F.names())


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_description_fields(name, params):
    f = F.get(name, **params)
    d = f.dim
    assert f.bounds.shape == (d, 2) and np.all(f.bounds[:, 0] < f.bounds[:, 1])
    assert f.start.shape == (d,)
    assert f.minima.ndim == 2 and f.minima.shape[1] == d
    assert f.saddles.shape[1] == d and f.maxima.shape[1] == d and f.local_minima.shape[1] == d
    assert f.formula and f.latex and f.name
    assert f.has_closed_form_grad
    assert np.isfinite(f(f.start))
    assert f.to_dict()["dim"] == d
    if f.unbounded_below:
        assert len(f.minima) == 0 and f.minimum_value is None


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_closed_form_gradient_equals_autodiff(name, params):
    f = F.get(name, **params)
    x = sample(f)
    g_cf = f.grad(x)
    g_ad = f.autodiff_grad(x)
    assert g_cf.shape == x.shape
    np.testing.assert_allclose(g_cf, g_ad, rtol=1e-10, atol=1e-10 * max(1.0, np.abs(g_ad).max()))


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_value_on_arrays_equals_value_on_tensors(name, params):
    f = F.get(name, **params)
    x = sample(f, seed=1)
    out = f(gdlab.Tensor(x))
    assert isinstance(out, gdlab.Tensor)
    np.testing.assert_allclose(out.data, f(x), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_listed_minima_are_minima(name, params):
    f = F.get(name, **params)
    for group, value in ((f.minima, f.minimum_value), (f.local_minima, None)):
        for point in group:
            g = f.grad(point)
            assert np.linalg.norm(g) < 1e-9 * max(1.0, abs(f(point))) + 1e-9, (point, g)
            assert np.all(np.linalg.eigvalsh(f.hessian(point)) > 0)
            if value is not None:
                assert f(point) == pytest.approx(value, abs=1e-12)
            else:
                assert f(point) > f.minimum_value
    for point in f.saddles:
        assert np.linalg.norm(f.grad(point)) < 1e-9
    for point in f.maxima:
        assert np.linalg.norm(f.grad(point)) < 1e-9
        assert np.all(np.linalg.eigvalsh(f.hessian(point)) < 0)


def test_known_values():
    assert F.get("quadratic").minimum_value == pytest.approx(2 / 3)
    assert F.get("gentle_quadratic")(5.0) == pytest.approx(0.75)
    assert F.get("goldstein_price")([0.0, -1.0]) == pytest.approx(3.0)
    assert F.get("six_hump_camel").minimum_value == pytest.approx(-1.0316284534898774, abs=1e-12)
    assert F.get("styblinski_tang", dim=4).minimum_value == pytest.approx(-39.16616570377142 * 4, rel=1e-12)
    assert F.get("rosenbrock", dim=3)([1.0, 1.0, 1.0]) == 0.0
    assert F.get("rastrigin", dim=3)(np.zeros(3)) == pytest.approx(0.0, abs=1e-12)
    assert F.get("ackley")(np.zeros(2)) == pytest.approx(0.0, abs=1e-12)
    assert F.get("himmelblau").maxima[0] == pytest.approx([-0.2708445906673476, -0.9230385564799815])
    f = F.get("double_well")
    np.testing.assert_allclose(np.sort(f.minima[:, 0]), [-1.0, 1.0])
    np.testing.assert_allclose(f.maxima[:, 0], [0.0], atol=1e-15)
    tilted = F.get("double_well", tilt=0.5)
    assert len(tilted.minima) == 1 and len(tilted.local_minima) == 1 and tilted.minima[0, 0] < 0


def test_ill_conditioned_has_its_condition_number():
    f = F.get("ill_conditioned", dim=3, condition=1e4)
    lam = np.linalg.eigvalsh(f.hessian(f.start))
    assert lam.max() / lam.min() == pytest.approx(1e4)
    np.testing.assert_allclose(lam, [1.0, 100.0, 1e4])


def test_ackley_gradient_at_the_kink():
    f = F.get("ackley")
    np.testing.assert_array_equal(f.grad(np.zeros(2)), [0.0, 0.0])  # subgradient 0 at the cone's tip


def test_constant_hessians_match_gdlab_hessian():
    for name in F.names():
        f = F.get(name)
        if f.constant_hessian is None:
            continue
        x = sample(f, n=1)[0]
        h = gdlab.hessian(lambda t: f(t))(x)
        np.testing.assert_allclose(h, f.constant_hessian, rtol=1e-6, atol=1e-7)


def test_shapes_batches_and_scalars():
    sq = F.get("square")
    assert sq(3.0) == 9.0 and isinstance(sq(3.0), float)
    assert sq.grad(3.0) == 6.0
    assert sq(np.array([[1.0], [2.0]])).shape == (2,)
    assert sq.grad(np.array([[1.0], [2.0]])).shape == (2, 1)
    np.testing.assert_allclose(sq(np.linspace(-1, 1, 5)), np.linspace(-1, 1, 5) ** 2)  # elementwise for plots
    ros = F.get("rosenbrock")
    assert ros(np.zeros((4, 3, 2))).shape == (4, 3)
    assert ros.grad(np.zeros((4, 3, 2))).shape == (4, 3, 2)
    v, g = ros.value_and_grad([-1.2, 1.0])
    assert v == pytest.approx(24.2) and g.shape == (2,)
    X, Y, Z = ros.grid(20)
    assert X.shape == Y.shape == Z.shape == (20, 20)


def test_tensor_in_tensor_out_is_differentiable():
    f = F.get("himmelblau")
    x = gdlab.Tensor([1.0, 2.0], requires_grad=True)
    f(x).backward()
    np.testing.assert_allclose(x.grad, f.grad([1.0, 2.0]))


def test_get_normalises_names_and_aliases():
    assert F.get("Six-Hump Camel").name == "six_hump_camel"
    assert F.get("x^2").name == "square"
    assert F.get("x**2 - y**2").name == "saddle"
    assert F.get("3x^2 + 2x + 1").name == "quadratic"
    assert F.get("ill-conditioned", condition=10).params["condition"] == 10


def test_unknown_name_lists_close_matches():
    with pytest.raises(ValueError, match=r"unknown function 'rosenbrok'.*Did you mean 'rosenbrock'"):
        F.get("rosenbrok")
    with pytest.raises(ValueError, match="himmelblau"):
        F.get("himelblau")
    with pytest.raises(TypeError, match="must be a str"):
        F.get(3)


def test_bad_parameters():
    with pytest.raises(TypeError, match=r"takes parameters \['dim'\]"):
        F.get("sphere", dimension=3)
    with pytest.raises(TypeError, match="none"):
        F.get("beale", dim=3)
    with pytest.raises(ValueError, match=r"dim must be an int in \[2, 1000\], got 1"):
        F.get("rosenbrock", dim=1)
    for name in ("sphere", "ill_conditioned", "rastrigin", "ackley", "styblinski_tang"):
        # was a 71 PiB allocation (the Hessian) for sphere:dim=100000000
        with pytest.raises(ValueError, match=rf"{name}: dim must be an int in \[1, 1000\], got 100000000"):
            F.get(name, dim=100_000_000)
    assert F.get("sphere", dim=1000).dim == 1000
    with pytest.raises(ValueError, match="condition must be"):
        F.get("ill_conditioned", condition=-1)


def test_wrong_dimension_is_refused():
    with pytest.raises(ValueError, match=r"last axis equal to the function's dimension 2, got shape \(3,\)"):
        F.get("beale")([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="a scalar only fits a 1-D function"):
        F.get("beale")(1.0)
    with pytest.raises(TypeError, match="must be a number or an array"):
        F.get("beale")("ab")


def test_user_function_written_with_gdlab_ops():
    f = F.Function(lambda x: gdlab.sin(x[..., 0]) * x[..., 1] ** 2, 2, name="mine")
    x = np.array([[0.3, -1.2], [1.0, 2.0]])
    np.testing.assert_allclose(f(x), np.sin(x[:, 0]) * x[:, 1] ** 2)
    np.testing.assert_allclose(f.grad(x), np.stack([np.cos(x[:, 0]) * x[:, 1] ** 2,
                                                    2 * np.sin(x[:, 0]) * x[:, 1]], axis=-1))
    assert not f.has_closed_form_grad
    assert f.hessian([0.0, 1.0]) == pytest.approx(np.array([[0.0, 2.0], [2.0, 0.0]]), abs=1e-6)


def test_arrays_are_evaluated_by_numpy_without_a_graph(monkeypatch):
    """On ndarrays no Tensor op runs: grids of a million points cost what NumPy costs."""
    import gdlab.autodiff.ops as ops_module

    def no_graph(*args, **kwargs):
        raise AssertionError("an autodiff op ran on a plain array")

    pts = np.random.default_rng(0).uniform(-5, 5, (1000, 2))
    expected = {name: F.get(name)(pts) if F.get(name).dim == 2 else None for name in F.names()}
    monkeypatch.setattr(ops_module, "_result", no_graph)
    with pytest.raises(AssertionError, match="autodiff op ran"):
        gdlab.sin(gdlab.Tensor(1.0))  # the patch is live
    for name in F.names():
        f = F.get(name)
        if f.dim == 2:
            out = f(pts)
            assert type(out) is np.ndarray and out.shape == (1000,)
            np.testing.assert_array_equal(out, expected[name])
            assert f.closed_form_value_and_grad(pts)[1].shape == (1000, 2)
    assert math.isfinite(float(F.expr("sin(x)*cos(y)")(pts).sum()))


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_runner_fast_paths_agree(name, params):
    """value_and_grad_fn (fused closed form, reused buffers, autodiff) equals value and grad."""
    f = F.get(name, **params)
    x = sample(f, seed=2)
    for mode in ("closed_form", "autodiff"):
        for reuse in (False, True):
            v, g = f.value_and_grad_fn(mode, reuse_buffers=reuse)(x)
            np.testing.assert_allclose(v, f(x), rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(g, f.grad(x), rtol=1e-10, atol=1e-10 * max(1.0, np.abs(g).max()))


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_runner_fast_paths_on_coordinate_major_points(name, params):
    """The runner stores 2-D runs in Fortran order: the same numbers, and gradients laid out as
    the points (an elementwise optimizer step on mixed layouts would be several times slower)."""
    f = F.get(name, **params)
    x = sample(f, n=9, seed=4)
    xf = np.asfortranarray(x)
    for mode in ("closed_form", "autodiff"):
        v, g = f.value_and_grad_fn(mode, reuse_buffers=True)(x)
        vf, gf = f.value_and_grad_fn(mode, reuse_buffers=True)(xf)
        np.testing.assert_array_equal(vf, v)
        np.testing.assert_array_equal(gf, g)
        if f.dim == 2:
            assert gf.flags.f_contiguous, (mode, name)


@pytest.mark.parametrize("name,params", CASES, ids=IDS)
def test_autodiff_shares_the_points_without_changing_them(name, params):
    """The autodiff path wraps the points without a copy: they must come out unchanged, and the
    gradient must be an array of its own (the runner updates the points in place after the call)."""
    f = F.get(name, **params)
    x = np.asfortranarray(sample(f, n=9, seed=5))
    before = x.copy()
    v, g = f.value_and_grad_fn("autodiff", reuse_buffers=True)(x)
    np.testing.assert_array_equal(x, before)
    assert not np.shares_memory(g, x) and not np.shares_memory(v, x)


@pytest.mark.parametrize("text", ["x", "y", "x + 0*y"])
def test_autodiff_values_that_are_the_points_themselves_are_copies(text):
    f = F.expr(text)
    x = np.asfortranarray(np.arange(8.0).reshape(-1, f.dim))
    v, g = f.value_and_grad_fn("autodiff", reuse_buffers=True)(x)
    assert not np.shares_memory(v, x)
    x += 1.0
    np.testing.assert_array_equal(v, np.arange(8.0).reshape(-1, f.dim)[:, 0 if text != "y" else -1])


def test_fused_form_needs_the_plain_gradient():
    with pytest.raises(ValueError, match="needs the closed-form grad"):
        F.Function(lambda x, m: x[..., 0], 1, generic=True, value_and_grad=lambda x, out=None: (x, x))
