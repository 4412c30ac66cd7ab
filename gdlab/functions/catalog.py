"""The catalog: the seeds' objectives and the classic optimization test surfaces.

Each entry is a factory returning a :class:`~gdlab.functions.Function`; ``get(name, **params)``
looks one up (case-insensitive, "-" and " " read as "_", a few formula aliases such as "x^2"),
``names()`` lists them. The value of each function is written once against an ops namespace
(gdlab's autodiff on Tensors, NumPy on arrays); every function also has a closed-form
gradient (tested equal to autodiff). Minima and saddles were found by Newton's method on the
closed-form gradient and are stored to full double precision.

The seeds' functions
    square            x^2                       seed 000 (min 0 at 0)
    quadratic         3x^2 + 2x + 1             seed 001 (min 2/3 at -1/3)
    gentle_quadratic  0.01x^2 + 0.1x            seed 004's function_1 (min -0.25 at -5)
    paraboloid        x0^2 + x1^2               seed 004's function_2 (min 0 at the origin)
    saddle            x^2 - y^2                 seed 003 (saddle at 0, no minimum)
    elongated_bowl    x^2/20 + y^2              the classic momentum/Adagrad demo (condition 20)

Test surfaces (n-D ones take ``dim``, default 2)
    sphere(dim), ill_conditioned(dim, condition), rosenbrock(dim), beale, booth, matyas,
    himmelblau, rastrigin(dim), ackley(dim), goldstein_price, six_hump_camel,
    styblinski_tang(dim), monkey_saddle, double_well(tilt)
"""

from __future__ import annotations

import inspect
import math
import numbers

import numpy as np

from .._registry import Registry
from ._function import Function

__all__ = ["get", "names", "CATALOG", "MAX_DIM"]

TWO_PI = 2.0 * math.pi
#: The largest ``dim`` of the n-D catalog functions (a quadratic's Hessian is d x d: 8 MB at 1000).
MAX_DIM = 1000


def _check_dim(dim, name, minimum=1):
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or not minimum <= dim <= MAX_DIM:
        raise ValueError(f"{name}: dim must be an int in [{minimum}, {MAX_DIM}], got {dim!r}")
    return int(dim)


def _check_positive(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (math.isfinite(value) and value > 0):
        raise ValueError(f"{what} must be a finite number > 0, got {value!r}")
    return float(value)


def _tile(pattern, dim):
    """A start point of length ``dim`` that repeats ``pattern``."""
    return np.resize(np.asarray(pattern, dtype=np.float64), dim)


def _box(lo, hi, dim):
    return np.tile([float(lo), float(hi)], (dim, 1))


def _vars(dim):
    return "x" if dim == 1 else ", ".join(f"x{i}" for i in range(dim))


# ---------------------------------------------------------------------------------------
# the seeds' functions


def square():
    """f(x) = x^2 (seed 000): f'(x) = 2x, minimum 0 at x = 0.

    GD with lr 0.1 from -5 multiplies x by (1 - 2 lr) = 0.8 each step: x_k = -5 * 0.8^k.
    """
    return Function(
        lambda x, m: x[..., 0] ** 2, 1, generic=True, name="square",
        grad=lambda x: 2.0 * x,
        formula="x**2", latex=r"x^2", description="Seed 000: y = x^2, minimised from w = -5 with lr 0.1.",
        minima=[[0.0]], bounds=[[-6.0, 6.0]], start=[-5.0], constant_hessian=[[2.0]]
    )


def quadratic():
    """f(x) = 3x^2 + 2x + 1 (seed 001): f'(x) = 6x + 2, minimum 2/3 at x = -1/3."""
    return Function(
        lambda x, m: 3.0 * x[..., 0] ** 2 + 2.0 * x[..., 0] + 1.0, 1, generic=True, name="quadratic",
        grad=lambda x: 6.0 * x + 2.0,
        formula="3*x**2 + 2*x + 1", latex=r"3x^2 + 2x + 1",
        description="Seed 001: y = 3x^2 + 2x + 1 from x = -10 with step 0.2.",
        minima=[[-1.0 / 3.0]], minimum_value=2.0 / 3.0, bounds=[[-11.0, 11.0]], start=[-10.0],
        constant_hessian=[[6.0]]
    )


def gentle_quadratic():
    """f(x) = 0.01x^2 + 0.1x (seed 004's function_1): f'(x) = 0.02x + 0.1, minimum -0.25 at x = -5.

    Seed 004 differentiates it numerically at x = 5 (0.2) and x = 10 (0.3).
    """
    return Function(
        lambda x, m: 0.01 * x[..., 0] ** 2 + 0.1 * x[..., 0], 1, generic=True, name="gentle_quadratic",
        grad=lambda x: 0.02 * x + 0.1,
        formula="0.01*x**2 + 0.1*x", latex=r"0.01x^2 + 0.1x",
        description="Seed 004's function_1, differentiated numerically at x = 5 and x = 10.",
        minima=[[-5.0]], minimum_value=-0.25, bounds=[[-20.0, 20.0]], start=[10.0],
        constant_hessian=[[0.02]]
    )


def paraboloid():
    """f(x0, x1) = x0^2 + x1^2 (seed 004's function_2): gradient (2 x0, 2 x1), minimum 0 at 0.

    Seed 004 runs gradient_descent from (-3, 4) with lr 0.1 for 100 steps: x_k = 0.8^k x_0.
    """
    return Function(
        lambda x, m: x[..., 0] ** 2 + x[..., 1] ** 2, 2, generic=True, name="paraboloid",
        grad=lambda x: 2.0 * x,
        formula="x0**2 + x1**2", latex=r"x_0^2 + x_1^2",
        description="Seed 004's function_2: gradient descent from (-3, 4), lr 0.1, 100 steps.",
        minima=[[0.0, 0.0]], bounds=[[-4.5, 4.5], [-4.5, 4.5]], start=[-3.0, 4.0],
        constant_hessian=2.0 * np.eye(2), variables=("x0", "x1"),
    )


def saddle():
    """f(x, y) = x^2 - y^2 (seed 003): gradient (2x, -2y); a saddle at 0 and no minimum.

    From (10, 0) gradient descent never leaves the line y = 0 (df/dy = -2y = 0 there) and
    converges to the saddle point; any y != 0 grows by (1 + 2 lr) per step and f -> -inf.
    """
    return Function(
        lambda x, m: x[..., 0] ** 2 - x[..., 1] ** 2, 2, generic=True, name="saddle",
        grad=lambda x: np.stack([2.0 * x[..., 0], -2.0 * x[..., 1]], axis=-1),
        formula="x**2 - y**2", latex=r"x^2 - y^2",
        description="Seed 003's saddle: from (10, 0) GD stays on y = 0; (10, 0.01) or noise escapes.",
        saddles=[[0.0, 0.0]], unbounded_below=True, bounds=[[-10.0, 10.0], [-10.0, 10.0]], start=[10.0, 0.0],
        constant_hessian=np.diag([2.0, -2.0])
    )


def elongated_bowl():
    """f(x, y) = x^2/20 + y^2: gradient (x/10, 2y), minimum 0 at 0, condition number 20.

    The classic surface on which plain GD zig-zags across the narrow y direction while
    momentum and the adaptive methods go straight along x.
    """
    return Function(
        lambda x, m: x[..., 0] ** 2 / 20.0 + x[..., 1] ** 2, 2, generic=True, name="elongated_bowl",
        grad=lambda x: np.stack([x[..., 0] / 10.0, 2.0 * x[..., 1]], axis=-1),
        formula="x**2/20 + y**2", latex=r"\frac{x^2}{20} + y^2",
        description="A narrow valley (Hessian diag(0.1, 2), condition 20): GD zig-zags, momentum does not.",
        minima=[[0.0, 0.0]], bounds=[[-10.0, 10.0], [-5.0, 5.0]], start=[-7.0, 2.0],
        constant_hessian=np.diag([0.1, 2.0])
    )


# ---------------------------------------------------------------------------------------
# test surfaces


def sphere(dim=2):
    """f(x) = sum_i x_i^2: gradient 2x, minimum 0 at 0 (any dim)."""
    d = _check_dim(dim, "sphere")
    return Function(
        lambda x, m: m.sum(x * x, axis=-1), d, generic=True, name="sphere",
        grad=lambda x: 2.0 * x,
        formula="sum_i x_i**2", latex=r"\sum_{i=1}^{d} x_i^2",
        description=f"The sphere in {d} dimensions.",
        minima=np.zeros((1, d)), bounds=_box(-5.0, 5.0, d), start=_tile([-3.0, 4.0], d),
        constant_hessian=2.0 * np.eye(d), params={"dim": d},
    )


def ill_conditioned(dim=2, condition=100.0):
    """f(x) = 1/2 sum_i lambda_i x_i^2 with lambda_i = condition^(i/(d-1)), i = 0..d-1.

    The eigenvalues are log-spaced from 1 to ``condition`` (the condition number of the
    Hessian diag(lambda)); gradient lambda_i x_i, minimum 0 at 0. GD is stable for
    lr < 2 / condition and converges at rate (condition - 1)/(condition + 1) at best.
    """
    d = _check_dim(dim, "ill_conditioned")
    kappa = _check_positive(condition, "ill_conditioned: condition")
    if kappa < 1:
        raise ValueError(f"ill_conditioned: condition must be >= 1, got {condition!r}")
    lam = kappa ** (np.arange(d) / (d - 1)) if d > 1 else np.array([1.0])
    return Function(
        lambda x, m: 0.5 * m.sum(lam * x * x, axis=-1), d, generic=True, name="ill_conditioned",
        grad=lambda x: lam * x,
        formula=f"0.5 * sum_i lambda_i * x_i**2, lambda_i = {kappa:g}**(i/(d-1))",
        latex=r"\frac{1}{2}\sum_{i} \lambda_i x_i^2,\ \lambda_i = \kappa^{i/(d-1)},\ \kappa=" + f"{kappa:g}",
        description=f"A quadratic with Hessian eigenvalues log-spaced from 1 to {kappa:g} (dim {d}).",
        minima=np.zeros((1, d)), bounds=_box(-10.0, 10.0, d), start=_tile([-8.0, 2.0], d),
        constant_hessian=np.diag(lam), params={"dim": d, "condition": kappa, "eigenvalues": lam},
    )


def _rosenbrock_value(x, m):
    # products, not powers, and columns rather than slices in 2-D: fewer, cheaper ops to differentiate;
    # s = x_i - 1 rather than 1 - x_i: the same square, and its gradient reaches x_i without a negation
    if x.shape[-1] == 2:
        a, b = x[..., 0], x[..., 1]
        t = b - a * a
        s = a - 1.0
        return (t * t) * 100.0 + s * s
    a = x[..., :-1]
    b = x[..., 1:]
    t = b - a * a
    s = a - 1.0
    return m.sum((t * t) * 100.0 + s * s, axis=-1)


def _rosenbrock_value_and_grad(x, out=None):
    """Value and gradient sharing t = x_{i+1} - x_i^2 and s = 1 - x_i, with few temporaries."""
    a = x[..., :-1]
    t = a * a
    np.subtract(x[..., 1:], t, out=t)
    s = np.subtract(1.0, a)
    g = np.empty_like(x) if out is None else out
    head = g[..., :-1]
    np.multiply(a, t, out=head)
    head *= -400.0
    head -= s
    head -= s
    if x.shape[-1] == 2:
        np.multiply(t, 200.0, out=g[..., 1:])
    else:
        g[..., -1] = 0.0
        g[..., 1:] += 200.0 * t
    t *= t
    t *= 100.0
    s *= s
    t += s
    return (t[..., 0] if t.shape[-1] == 1 else t.sum(axis=-1)), g


def _rosenbrock_grad(x):
    return _rosenbrock_value_and_grad(x)[1]


def rosenbrock(dim=2):
    """f(x) = sum_{i<d-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2; minimum 0 at (1, ..., 1).

    Gradient: df/dx_i = -400 x_i (x_{i+1} - x_i^2) - 2 (1 - x_i) [i < d-1]
    + 200 (x_i - x_{i-1}^2) [i > 0]. The curved valley y = x^2 is the classic trap for GD.
    """
    d = _check_dim(dim, "rosenbrock", minimum=2)
    bounds = _box(-2.0, 2.0, d)
    bounds[1:] = [-1.0, 3.0]
    return Function(
        _rosenbrock_value, d, generic=True, name="rosenbrock", grad=_rosenbrock_grad,
        value_and_grad=_rosenbrock_value_and_grad,
        formula="sum_i 100*(x_{i+1} - x_i**2)**2 + (1 - x_i)**2" if d > 2 else "100*(y - x**2)**2 + (1 - x)**2",
        latex=(r"\sum_{i=1}^{d-1} \left[100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2\right]" if d > 2
               else r"100\,(y - x^2)^2 + (1 - x)^2"),
        description=f"Rosenbrock's banana valley (dim {d}).",
        minima=np.ones((1, d)), bounds=bounds, start=_tile([-1.2, 1.0], d), params={"dim": d},
    )


def _beale_terms(x):
    X, Y = x[..., 0], x[..., 1]
    return X, Y, 1.5 - X + X * Y, 2.25 - X + X * Y * Y, 2.625 - X + X * Y * Y * Y


def _beale_value(x, m):
    X, Y, t1, t2, t3 = _beale_terms(x)
    return t1 * t1 + t2 * t2 + t3 * t3


def _beale_grad(x):
    X, Y, t1, t2, t3 = _beale_terms(x)
    gx = 2 * t1 * (Y - 1) + 2 * t2 * (Y**2 - 1) + 2 * t3 * (Y**3 - 1)
    gy = 2 * t1 * X + 4 * t2 * X * Y + 6 * t3 * X * Y**2
    return np.stack([gx, gy], axis=-1)


def beale():
    """f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2; minimum 0 at (3, 0.5).

    Gradient: df/dx = 2 t1 (y - 1) + 2 t2 (y^2 - 1) + 2 t3 (y^3 - 1),
    df/dy = 2 t1 x + 4 t2 x y + 6 t3 x y^2 (t1, t2, t3 the three brackets).
    (0, 1) is a saddle point.
    """
    return Function(
        _beale_value, 2, generic=True, name="beale", grad=_beale_grad,
        formula="(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
        latex=r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        description="Beale's function: flat plateaus and steep ridges.",
        minima=[[3.0, 0.5]], saddles=[[0.0, 1.0]], bounds=[[-4.5, 4.5], [-4.5, 4.5]], start=[1.0, 1.0],
    )


def booth():
    """f = (x + 2y - 7)^2 + (2x + y - 5)^2; gradient (10x + 8y - 34, 8x + 10y - 38); minimum 0 at (1, 3)."""
    return Function(
        lambda x, m: (x[..., 0] + 2 * x[..., 1] - 7) ** 2 + (2 * x[..., 0] + x[..., 1] - 5) ** 2,
        2, generic=True, name="booth",
        grad=lambda x: np.stack([10 * x[..., 0] + 8 * x[..., 1] - 34, 8 * x[..., 0] + 10 * x[..., 1] - 38], axis=-1),
        formula="(x + 2*y - 7)**2 + (2*x + y - 5)**2", latex=r"(x + 2y - 7)^2 + (2x + y - 5)^2",
        description="Booth's function: a quadratic bowl (Hessian [[10, 8], [8, 10]], eigenvalues 2 and 18).",
        minima=[[1.0, 3.0]], bounds=[[-10.0, 10.0], [-10.0, 10.0]], start=[-8.0, -6.0],
        constant_hessian=[[10.0, 8.0], [8.0, 10.0]],
    )


def matyas():
    """f = 0.26 (x^2 + y^2) - 0.48 x y; gradient (0.52x - 0.48y, 0.52y - 0.48x); minimum 0 at 0.

    A quadratic whose Hessian [[0.52, -0.48], [-0.48, 0.52]] has eigenvalues 0.04 and 1
    (condition 25): a long flat valley along x = y.
    """
    return Function(
        lambda x, m: 0.26 * (x[..., 0] ** 2 + x[..., 1] ** 2) - 0.48 * x[..., 0] * x[..., 1],
        2, generic=True, name="matyas",
        grad=lambda x: np.stack([0.52 * x[..., 0] - 0.48 * x[..., 1], 0.52 * x[..., 1] - 0.48 * x[..., 0]], axis=-1),
        formula="0.26*(x**2 + y**2) - 0.48*x*y", latex=r"0.26\,(x^2 + y^2) - 0.48\,xy",
        description="Matyas' function: a flat valley along x = y (condition 25).",
        minima=[[0.0, 0.0]], bounds=[[-10.0, 10.0], [-10.0, 10.0]], start=[8.0, 4.0],
        constant_hessian=[[0.52, -0.48], [-0.48, 0.52]],
    )


def himmelblau():
    """f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2; four minima with value 0.

    Gradient: df/dx = 4x (x^2 + y - 11) + 2 (x + y^2 - 7), df/dy = 2 (x^2 + y - 11) + 4y (x + y^2 - 7).
    Also a local maximum (about 181.617 at (-0.2708, -0.9230)) and four saddle points.
    """
    return Function(
        lambda x, m: (x[..., 0] ** 2 + x[..., 1] - 11) ** 2 + (x[..., 0] + x[..., 1] ** 2 - 7) ** 2,
        2, generic=True, name="himmelblau",
        grad=lambda x: np.stack([
            4 * x[..., 0] * (x[..., 0] ** 2 + x[..., 1] - 11) + 2 * (x[..., 0] + x[..., 1] ** 2 - 7),
            2 * (x[..., 0] ** 2 + x[..., 1] - 11) + 4 * x[..., 1] * (x[..., 0] + x[..., 1] ** 2 - 7),
        ], axis=-1),
        formula="(x**2 + y - 11)**2 + (x + y**2 - 7)**2", latex=r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        description="Himmelblau's function: four equal minima; which one a run finds depends on the start.",
        minima=[[3.0, 2.0], [-2.805118086952745, 3.131312518250573],
                [-3.779310253377747, -3.2831859912861696], [3.5844283403304917, -1.8481265269644034]],
        minimum_value=0.0,
        maxima=[[-0.2708445906673476, -0.9230385564799815]],
        saddles=[[0.08667750455539634, 2.884254701174776], [3.385154183607021, 0.07385187983774928],
                 [-3.0730257507643897, -0.08135304428796751], [-0.12796134673068005, -1.9537149802445766]],
        bounds=[[-5.0, 5.0], [-5.0, 5.0]], start=[0.0, 0.0],
    )


def rastrigin(dim=2):
    """f(x) = 10 d + sum_i (x_i^2 - 10 cos(2 pi x_i)); gradient 2x + 20 pi sin(2 pi x); minimum 0 at 0.

    A local minimum near every integer point: GD stops in the nearest one.
    """
    d = _check_dim(dim, "rastrigin")
    return Function(
        lambda x, m: 10.0 * d + m.sum(x * x - 10.0 * m.cos(TWO_PI * x), axis=-1), d, generic=True,
        name="rastrigin", grad=lambda x: 2.0 * x + 10.0 * TWO_PI * np.sin(TWO_PI * x),
        formula="10*d + sum_i (x_i**2 - 10*cos(2*pi*x_i))",
        latex=r"10d + \sum_{i=1}^{d} \left[x_i^2 - 10\cos(2\pi x_i)\right]",
        description=f"Rastrigin's function (dim {d}): a bowl covered with local minima.",
        minima=np.zeros((1, d)), bounds=_box(-5.12, 5.12, d), start=_tile([3.2, 2.3], d), params={"dim": d},
    )


def _ackley_value(x, m):
    d = x.shape[-1]
    r = m.sqrt(m.sum(x * x, axis=-1) / d)
    c = m.sum(m.cos(TWO_PI * x), axis=-1) / d
    return -20.0 * m.exp(-0.2 * r) - m.exp(c) + 20.0 + math.e


def _ackley_grad(x):
    d = x.shape[-1]
    r = np.sqrt(np.sum(x * x, axis=-1, keepdims=True) / d)
    c = np.sum(np.cos(TWO_PI * x), axis=-1, keepdims=True) / d
    with np.errstate(divide="ignore", invalid="ignore"):
        radial = np.where(r > 0, 4.0 * np.exp(-0.2 * r) * x / (d * r), 0.0)
    return radial + (TWO_PI / d) * np.exp(c) * np.sin(TWO_PI * x)


def ackley(dim=2):
    """f(x) = -20 exp(-0.2 r) - exp(c) + 20 + e, r = sqrt(mean x_i^2), c = mean cos(2 pi x_i).

    Minimum 0 at 0. Gradient: 4 exp(-0.2 r) x_i / (d r) + (2 pi / d) exp(c) sin(2 pi x_i).
    At x = 0 the cone r is not differentiable; the closed-form gradient takes the radial term
    as 0 there (a subgradient), while autodiff of sqrt gives nan exactly at 0.
    """
    d = _check_dim(dim, "ackley")
    return Function(
        _ackley_value, d, generic=True, name="ackley", grad=_ackley_grad,
        formula="-20*exp(-0.2*sqrt(mean(x_i**2))) - exp(mean(cos(2*pi*x_i))) + 20 + e",
        latex=r"-20\,e^{-0.2\sqrt{\frac{1}{d}\sum x_i^2}} - e^{\frac{1}{d}\sum \cos 2\pi x_i} + 20 + e",
        description=f"Ackley's function (dim {d}): a funnel with a rippled, nearly flat outer region.",
        minima=np.zeros((1, d)), minimum_value=0.0, bounds=_box(-5.0, 5.0, d), start=_tile([3.0, 2.5], d),
        params={"dim": d},
    )


def _gp_parts(x):
    X, Y = x[..., 0], x[..., 1]
    s = X + Y + 1.0
    B = 19.0 - 14.0 * X + 3.0 * X * X - 14.0 * Y + 6.0 * X * Y + 3.0 * Y * Y
    t = 2.0 * X - 3.0 * Y
    D = 18.0 - 32.0 * X + 12.0 * X * X + 48.0 * Y - 36.0 * X * Y + 27.0 * Y * Y
    return X, Y, s, B, t, D


def _gp_value(x, m):
    X, Y, s, B, t, D = _gp_parts(x)
    return (1.0 + s * s * B) * (30.0 + t * t * D)


def _gp_grad(x):
    X, Y, s, B, t, D = _gp_parts(x)
    A = 1.0 + s * s * B
    C = 30.0 + t * t * D
    dA = 2.0 * s * B + s * s * (-14.0 + 6.0 * X + 6.0 * Y)  # same for x and y
    dCx = 4.0 * t * D + t * t * (-32.0 + 24.0 * X - 36.0 * Y)
    dCy = -6.0 * t * D + t * t * (48.0 - 36.0 * X + 54.0 * Y)
    return np.stack([dA * C + A * dCx, dA * C + A * dCy], axis=-1)


def goldstein_price():
    """f = [1 + (x+y+1)^2 B] [30 + (2x-3y)^2 D]; minimum 3 at (0, -1).

    B = 19 - 14x + 3x^2 - 14y + 6xy + 3y^2, D = 18 - 32x + 12x^2 + 48y - 36xy + 27y^2.
    Local minima: 30 at (-0.6, -0.4), 84 at (1.8, 0.2), 840 at (1.2, 0.8).
    """
    return Function(
        _gp_value, 2, generic=True, name="goldstein_price", grad=_gp_grad,
        formula=("(1 + (x+y+1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
                 " * (30 + (2*x-3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))"),
        latex=(r"\left[1 + (x+y+1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\right]"
               r"\left[30 + (2x-3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\right]"),
        description="Goldstein-Price: a global minimum 3 at (0, -1) among steep walls and local minima.",
        minima=[[0.0, -1.0]], minimum_value=3.0,
        local_minima=[[-0.6, -0.4], [1.8, 0.2], [1.2, 0.8]],
        bounds=[[-2.0, 2.0], [-2.0, 2.0]], start=[-1.5, 1.5],
    )


def six_hump_camel():
    """f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2; two global minima -1.0316 at +-(0.0898, -0.7127).

    Gradient: (8x - 8.4x^3 + 2x^5 + y, x - 8y + 16y^3). Four more local minima.
    """
    return Function(
        lambda x, m: ((4.0 - 2.1 * x[..., 0] ** 2 + x[..., 0] ** 4 / 3.0) * x[..., 0] ** 2
                      + x[..., 0] * x[..., 1] + (-4.0 + 4.0 * x[..., 1] ** 2) * x[..., 1] ** 2),
        2, generic=True, name="six_hump_camel",
        grad=lambda x: np.stack([
            8 * x[..., 0] - 8.4 * x[..., 0] ** 3 + 2 * x[..., 0] ** 5 + x[..., 1],
            x[..., 0] - 8 * x[..., 1] + 16 * x[..., 1] ** 3,
        ], axis=-1),
        formula="(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (-4 + 4*y**2)*y**2",
        latex=r"\left(4 - 2.1x^2 + \frac{x^4}{3}\right)x^2 + xy + (-4 + 4y^2)\,y^2",
        description="The six-hump camel: two global minima and four local ones.",
        minima=[[0.08984201310031807, -0.7126564030207396], [-0.08984201310031807, 0.7126564030207396]],
        local_minima=[[1.703606714969981, -0.7960835686726251], [-1.703606714969981, 0.7960835686726251],
                      [1.6071047529201974, 0.5686514548841313], [-1.6071047529201974, -0.5686514548841313]],
        bounds=[[-3.0, 3.0], [-2.0, 2.0]], start=[-1.5, 1.5]
    )


#: Styblinski-Tang's minimiser in each coordinate (the root of 2x^3 - 16x + 2.5 near -2.9).
STYBLINSKI_TANG_ARGMIN = -2.903534027771177


def styblinski_tang(dim=2):
    """f(x) = 1/2 sum_i (x_i^4 - 16 x_i^2 + 5 x_i); gradient 2x^3 - 16x + 2.5.

    Minimum -39.16616570377142 d at x_i = -2.903534...; a local minimum per coordinate at 2.7468.
    """
    d = _check_dim(dim, "styblinski_tang")
    return Function(
        lambda x, m: 0.5 * m.sum(x**4 - 16.0 * x * x + 5.0 * x, axis=-1), d, generic=True,
        name="styblinski_tang", grad=lambda x: 2.0 * x**3 - 16.0 * x + 2.5,
        formula="0.5 * sum_i (x_i**4 - 16*x_i**2 + 5*x_i)",
        latex=r"\frac{1}{2}\sum_{i=1}^{d} \left(x_i^4 - 16x_i^2 + 5x_i\right)",
        description=f"Styblinski-Tang (dim {d}): 2^d local minima, the global one in the corner x_i = -2.9035.",
        minima=np.full((1, d), STYBLINSKI_TANG_ARGMIN), bounds=_box(-5.0, 5.0, d), start=_tile([4.0, 4.5], d),
        params={"dim": d},
    )


def monkey_saddle():
    """f(x, y) = x^3 - 3 x y^2; gradient (3x^2 - 3y^2, -6xy); a degenerate saddle at 0, no minimum.

    The Hessian vanishes at the origin (the second-order test says "flat"); f goes down in
    three directions (a monkey's legs and tail).
    """
    return Function(
        lambda x, m: x[..., 0] ** 3 - 3.0 * x[..., 0] * x[..., 1] ** 2, 2, generic=True, name="monkey_saddle",
        grad=lambda x: np.stack([3 * x[..., 0] ** 2 - 3 * x[..., 1] ** 2, -6 * x[..., 0] * x[..., 1]], axis=-1),
        formula="x**3 - 3*x*y**2", latex=r"x^3 - 3xy^2",
        description="The monkey saddle: a critical point with zero Hessian; f is unbounded below.",
        saddles=[[0.0, 0.0]], unbounded_below=True, bounds=[[-2.0, 2.0], [-2.0, 2.0]], start=[1.0, 0.1],
    )


def _double_well_critical(tilt):
    """Real roots of f'(x) = 4x^3 - 4x + tilt, split into minima and maxima by f'' = 12x^2 - 4."""
    roots = np.roots([4.0, 0.0, -4.0, tilt])
    real = np.sort(roots[np.abs(roots.imag) < 1e-9].real)
    # polish with Newton on the exact derivative
    for _ in range(3):
        real = real - (4 * real**3 - 4 * real + tilt) / (12 * real**2 - 4)
    mins = [r for r in real if 12 * r * r - 4 > 0]
    maxs = [r for r in real if 12 * r * r - 4 < 0]
    return mins, maxs


def double_well(tilt=0.0):
    """f(x) = (x^2 - 1)^2 + tilt * x; f'(x) = 4x (x^2 - 1) + tilt.

    With tilt = 0 two equal minima at -1 and +1 and a maximum at 0; a tilt (|tilt| < 8/(3 sqrt 3)
    keeps both wells) makes one well the global minimum and the other a local one.
    """
    if isinstance(tilt, bool) or not isinstance(tilt, numbers.Real) or not math.isfinite(tilt):
        raise ValueError(f"double_well: tilt must be a finite number, got {tilt!r}")
    t = float(tilt)
    mins, maxs = _double_well_critical(t)
    values = [(r * r - 1) ** 2 + t * r for r in mins]
    best = min(values)
    glob = [[r] for r, v in zip(mins, values) if abs(v - best) <= 1e-12 * max(1.0, abs(best))]
    local = [[r] for r, v in zip(mins, values) if abs(v - best) > 1e-12 * max(1.0, abs(best))]
    tilt_text = "" if t == 0 else (f" + {t:g}*x" if t > 0 else f" - {-t:g}*x")
    tilt_tex = "" if t == 0 else (f" + {t:g}x" if t > 0 else f" - {-t:g}x")
    return Function(
        lambda x, m: (x[..., 0] ** 2 - 1.0) ** 2 + t * x[..., 0], 1, generic=True, name="double_well",
        grad=lambda x: 4.0 * x * (x * x - 1.0) + t,
        formula="(x**2 - 1)**2" + tilt_text, latex=r"(x^2 - 1)^2" + tilt_tex,
        description="A 1-D double well: which minimum GD finds depends on the side it starts.",
        minima=glob, local_minima=local or None, maxima=[[r] for r in maxs] or None,
        bounds=[[-2.0, 2.0]], start=[1.8], params={"tilt": t},
    )


# ---------------------------------------------------------------------------------------
# the registry

CATALOG = {
    "square": square,
    "quadratic": quadratic,
    "gentle_quadratic": gentle_quadratic,
    "paraboloid": paraboloid,
    "saddle": saddle,
    "elongated_bowl": elongated_bowl,
    "sphere": sphere,
    "ill_conditioned": ill_conditioned,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "booth": booth,
    "matyas": matyas,
    "himmelblau": himmelblau,
    "rastrigin": rastrigin,
    "ackley": ackley,
    "goldstein_price": goldstein_price,
    "six_hump_camel": six_hump_camel,
    "styblinski_tang": styblinski_tang,
    "monkey_saddle": monkey_saddle,
    "double_well": double_well,
}

#: Other spellings: formulas as typed (spaces removed, ^ read as **) and common names.
ALIASES = {
    "x**2": "square", "seed000": "square",
    "3*x**2+2*x+1": "quadratic", "3x**2+2x+1": "quadratic", "seed001": "quadratic",
    "0.01*x**2+0.1*x": "gentle_quadratic", "0.01x**2+0.1x": "gentle_quadratic", "function_1": "gentle_quadratic",
    "x0**2+x1**2": "paraboloid", "function_2": "paraboloid", "seed004": "paraboloid",
    "x**2-y**2": "saddle", "x**2/20+y**2": "elongated_bowl",
    "camel": "six_hump_camel", "six_hump": "six_hump_camel", "goldstein": "goldstein_price",
    "styblinski": "styblinski_tang", "monkey": "monkey_saddle", "ill_conditioned_quadratic": "ill_conditioned",
    "banana": "rosenbrock",
}


def names() -> list[str]:
    """The catalog's function names, seeds first."""
    return list(CATALOG)


def _key(name: str) -> str:
    key = name.strip().lower().replace("^", "**")
    if any(c in key for c in "*+/()"):  # a formula: spaces do not matter
        return key.replace(" ", "")
    return "_".join(key.replace("-", " ").split())


#: The catalog as a registry (over CATALOG and ALIASES): ``REGISTRY.canonical("x^2") == "square"``.
REGISTRY = Registry("function", CATALOG, aliases=ALIASES, key=_key, note="(or write a formula with gdlab.expr)")


def get(name: str, **params) -> Function:
    """The catalog function called ``name`` (see :func:`names`), built with ``params``.

    >>> f = get("rosenbrock", dim=5)
    >>> f = get("ill-conditioned", condition=1000)
    >>> f = get("x^2")            # a seed formula works as an alias

    Unknown names raise ValueError listing the closest names; unknown parameters raise
    TypeError naming the ones the function takes.
    """
    key = REGISTRY.canonical(name)
    factory = CATALOG[key]
    signature = inspect.signature(factory)
    try:
        signature.bind(**params)
    except TypeError:
        allowed = list(signature.parameters)
        raise TypeError(
            f"function {key!r} takes parameters {allowed if allowed else 'none'}, got {sorted(params)}"
        ) from None
    return factory(**params)
