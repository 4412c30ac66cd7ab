"""The registry: every name loads, unknown names suggest close matches, bad kwargs are named."""

import numpy as np
import pytest

import gdlab.datasets as D

EXPECTED = [
    "celsius", "seed002_gd", "seed002_sgd", "seed001_points", "seed003_linear", "seed003_quadratic",
    "moons", "circles", "spirals", "xor", "blobs", "linear", "polynomial", "sine", "digits", "mnist",
]


def test_names():
    assert sorted(D.names()) == sorted(EXPECTED)
    assert len(set(D.names())) == len(D.names())


@pytest.mark.parametrize("name", [n for n in EXPECTED if n != "mnist"])
def test_every_name_loads(name):
    ds = D.get(name)
    assert isinstance(ds, D.Dataset) and ds.name == name
    assert ds.x.ndim == 2 and ds.x.dtype == np.float64 and ds.y.shape == (ds.x.shape[0],)
    assert ds.y.dtype == (np.int64 if ds.task == "classification" else np.float64)
    assert ds.description
    assert D.describe(name)


def test_kwargs_pass_through_and_case():
    a = D.get("moons", n_samples=50, noise=0.3, seed=1)
    b = D.make_moons(n_samples=50, noise=0.3, seed=1)
    np.testing.assert_array_equal(a.x, b.x)
    assert D.get("Seed002-GD").name == "seed002_gd"
    assert D.get("spirals", n_arms=4, seed=0).n_classes == 4


def test_mnist_through_registry(tmp_path):
    D.save_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((2, 28, 28), np.uint8))
    D.save_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([1, 2], np.uint8))
    assert D.get("mnist", directory=tmp_path, kind="t10k").y.tolist() == [1, 2]
    with pytest.raises(TypeError, match="needs 'directory'"):
        D.get("mnist")


def test_unknown_name_suggests():
    with pytest.raises(ValueError, match=r"unknown dataset 'moon'\. Did you mean 'moons'\?.*Known datasets: .*digits"):
        D.get("moon")
    with pytest.raises(ValueError, match="Did you mean 'spirals'"):
        D.get("spiral")
    with pytest.raises(ValueError, match="unknown dataset 'zzzz'. Known datasets"):
        D.get("zzzz")
    with pytest.raises(TypeError, match="str"):
        D.get(3)


def test_unknown_kwarg_lists_allowed():
    with pytest.raises(TypeError, match=r"'moons' does not take 'n_arms'; it takes: n_samples, noise, seed, shuffle"):
        D.get("moons", n_arms=3)


def test_bad_values_reach_the_generator():
    with pytest.raises(ValueError, match="n_samples"):
        D.get("xor", n_samples=0)
