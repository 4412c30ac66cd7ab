import numpy as np
import pytest

from gdlab import viz


def test_fit_curve_with_several_models_and_truth():
    x = np.linspace(-3, 3, 30)
    y = 2 * x ** 2
    fig = viz.fit_curve(x, y, {"quadratic": lambda X: 2 * X[:, 0] ** 2, "line": lambda X: 0 * X[:, 0] + 6},
                        truth=lambda X: 2 * np.asarray(X) ** 2)
    ax = fig.axes[0]
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert labels == ["truth", "quadratic  (MSE 0)", labels[2]] and labels[2].startswith("line")
    assert len(ax.collections[0].get_offsets()) == 30


def test_fit_curve_takes_a_model_with_predict_or_an_array():
    class Model:
        def predict(self, X):
            return 3 * np.asarray(X) + 1
    x = np.array([0.0, 1.0, 2.0])
    fig = viz.fit_curve(x[:, None], 3 * x + 1, Model())
    assert "MSE 0" in fig.axes[0].get_lines()[0].get_label()
    fig = viz.fit_curve(x, 3 * x + 1, np.array([1.0, 4.0, 7.0]))
    assert len(fig.axes[0].get_lines()) == 1
    with pytest.raises(ValueError):
        viz.fit_curve(np.zeros((3, 2)), x)


@pytest.mark.parametrize("kind", ["labels", "probabilities", "binary"])
def test_decision_regions(kind, ink):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)

    def model(X):
        s = X[:, 0] + 0.9 * X[:, 1]
        p = 1 / (1 + np.exp(-4 * s))
        return {"labels": (s > 0).astype(int), "probabilities": np.stack([1 - p, p], 1), "binary": p}[kind]
    fig = viz.decision_regions(model, x, y, resolution=40)
    ax = fig.axes[0]
    assert ax.images and ax.images[0].get_array().shape[:2] == (40, 40)
    assert "accuracy" in ax.get_title()
    assert len(ax.collections) >= 3                     # boundary, two classes (+ misclassified)
    assert ink(viz.to_array(fig)) > 0.5


def test_digits_grid_marks_mistakes():
    images = np.random.default_rng(0).uniform(0, 16, size=(12, 64))
    labels = np.arange(12) % 10
    pred = labels.copy()
    pred[[2, 5]] = 7
    fig = viz.digits(images, labels, pred, ncols=6, errors_first=True)
    visible = [a for a in fig.axes if a.get_visible()]
    assert len(visible) == 12
    titles = [a.get_title() for a in visible]
    assert titles[0] == "7 (true 2)" and titles[1] == "7 (true 5)"
    assert "10 of 12 right" in fig._suptitle.get_text()


def test_digits_from_the_shipped_data():
    from gdlab import datasets
    x, y = datasets.load_digits()
    fig = viz.digits(x[:20], y[:20], max_images=20)
    assert len([a for a in fig.axes if a.get_visible()]) == 20
