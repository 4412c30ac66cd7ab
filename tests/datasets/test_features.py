import numpy as np
import pytest

from gdlab import datasets
from gdlab.datasets import FEATURES, expand_features, load_points_csv, PointsError


def test_features_are_the_named_functions_of_the_coordinates():
    x = np.array([[0.5, -2.0], [3.0, 1.5]])
    got = expand_features(x, list(FEATURES))
    a, b = x[:, 0], x[:, 1]
    want = np.column_stack([a, b, a**2, b**2, a * b, np.sin(a), np.sin(b)])
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(expand_features(x, ["x2", "x1"]), x[:, ::-1])


@pytest.mark.parametrize("names, match", [([], "at least one"), (["x3"], "unknown feature 'x3'"),
                                          (["x1", "x1"], "distinct")])
def test_bad_features_are_named(names, match):
    with pytest.raises(ValueError, match=match):
        expand_features(np.zeros((2, 2)), names)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        expand_features(np.zeros((2, 3)), ["x1"])


def test_two_feature_regression_sets_keep_their_one_feature_numbers():
    for make in (datasets.make_polynomial, datasets.make_sine):
        one, again = make(n_samples=50, seed=3), make(n_samples=50, seed=3, n_features=1)
        np.testing.assert_array_equal(one.x, again.x)
        np.testing.assert_array_equal(one.y, again.y)
    p = datasets.make_polynomial(n_samples=40, noise=0.0, seed=1, n_features=2)
    np.testing.assert_allclose(p.y, 2 * p.x[:, 0] ** 2 + 2 * p.x[:, 1] ** 2)
    s = datasets.make_sine(n_samples=40, noise=0.0, seed=1, n_features=2, frequency=2.0)
    np.testing.assert_allclose(s.y, np.sin(2 * s.x[:, 0]) * np.sin(2 * s.x[:, 1]))


def test_csv_points_labels_make_the_task():
    ds = load_points_csv("x1,x2,label\n0,0,0\n1,1,1\n2,0,0\n0,2,1\n\n")
    assert ds.task == "classification" and ds.y.dtype == np.int64
    np.testing.assert_array_equal(ds.x, [[0, 0], [1, 1], [2, 0], [0, 2]])
    ds = load_points_csv("0,0,0.5\n1,1,1\n2,0,0\n0,2,1.25\n")
    assert ds.task == "regression"
    np.testing.assert_array_equal(ds.y, [0.5, 1, 0, 1.25])


@pytest.mark.parametrize("text, match", [
    ("0,0\n1,1\n", "line 1: expected 3 columns"),
    ("0,0,0\n1,x,1\n2,2,0\n3,3,1\n", "line 2: column 2 is 'x'"),
    ("0,0,0\n1,inf,1\n2,2,0\n3,3,1\n", "line 2: column 2"),
    ("0,0,0\n1,1,1\n", "at least 4"),
])
def test_bad_csv_points_name_the_line(text, match):
    with pytest.raises(PointsError, match=match):
        load_points_csv(text)


def test_csv_points_are_bounded():
    rows = "".join(f"{i},{i},{i % 2}\n" for i in range(11))
    with pytest.raises(PointsError, match="more than 10 rows"):
        load_points_csv(rows, max_samples=10)
    with pytest.raises(PointsError, match="at most 20 are allowed"):
        load_points_csv(rows, max_bytes=20)
    with pytest.raises(PointsError, match="whole number"):
        load_points_csv("0,0,0.5\n1,1,1\n2,0,0\n0,2,1\n", task="classification")
