import numpy as np
import pytest

from gdlab import datasets, nn
from gdlab.nn.playground import Playground, playground_data


def _by_hand(data, features, hidden, activation, optimizer, hp, batch_size, test_fraction, data_seed, seed, epochs,
             loss, metric, outputs):
    """The same training written out with the public API, in one fit."""
    x_tr, x_te, y_tr, y_te = datasets.train_test_split(data.x, data.y, test_size=test_fraction, seed=data_seed)
    sc = datasets.Standardizer().fit(x_tr)
    f = lambda a: datasets.expand_features(sc.transform(a), features)  # noqa: E731
    shape = (lambda y: y) if outputs > 1 else (lambda y: y.reshape(-1, 1))
    model = nn.mlp([len(features), *hidden, outputs], activation=activation, seed=seed)
    model.compile(optimizer=optimizer, loss=loss, metrics=[metric], **hp)
    h = model.fit(f(x_tr), shape(y_tr), epochs=epochs, batch_size=batch_size, validation_data=(f(x_te), shape(y_te)),
                  verbose=0, seed=seed)
    return model, h.history


@pytest.mark.parametrize("name, loss, metric, outputs, features", [
    ("moons", "binary_crossentropy_from_logits", "accuracy", 1, ["x1", "x2"]),
    ("sine", "mse", "r2", 1, ["x1", "x2", "sin_x1", "x1x2"]),
])
def test_advancing_in_parts_gives_the_numbers_of_one_fit(name, loss, metric, outputs, features):
    data = playground_data(name, n_samples=120, noise=0.1, seed=4)
    pg = Playground(data, features=features, hidden=[5, 3], activation="tanh",
                    optimizers=[{"optimizer": "momentum", "lr": 0.05}], batch_size=16, test_fraction=0.25,
                    data_seed=4, seed=9, weight_decay=0.001)
    pg.advance(3)
    pg.advance(2)
    model, want = _by_hand(data, features, [5, 3], "tanh", "momentum", {"lr": 0.05, "weight_decay": 0.001}, 16, 0.25,
                           4, 9, 5, loss, metric, outputs)
    assert pg.history[0] == {k: [float(v) for v in vals] for k, vals in want.items()}
    assert pg.epoch == 5 and pg.updates == 5 * 6  # 90 training points in batches of 16
    for a, b in zip(pg.models[0].parameters(), model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_copies_start_together_and_see_the_same_batches():
    data = playground_data("xor", n_samples=80, seed=1)
    specs = [{"optimizer": "adam", "lr": 0.01}, {"optimizer": "gd", "lr": 0.3}, {"optimizer": "adam", "lr": 0.01}]
    pg = Playground(data, optimizers=specs, seed=2, data_seed=1)
    for a, b in zip(pg.models[0].parameters(), pg.models[1].parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    pg.advance(4)
    assert pg.history[0] == pg.history[2] and pg.history[0] != pg.history[1]


def test_the_plane_neurons_and_weights_agree_with_predict():
    data = playground_data("spirals", n_samples=100, seed=0)
    pg = Playground(data, hidden=[3, 2], activation="relu", seed=0, data_seed=0)
    pg.advance(2)
    n = 7
    (grid,) = pg.grid(n)
    gx, gy = pg.axes(n)
    pts = np.array([[gx[j], gy[i]] for i in range(n) for j in range(n)])
    logits = pg.models[0].predict(pg.inputs(pts))[:, 0].astype(np.float64)
    np.testing.assert_allclose(grid.ravel(), 1 / (1 + np.exp(-logits)), rtol=1e-12)
    layers = pg.neurons(n)
    assert [a.shape for a in layers] == [(3, n, n), (2, n, n)]
    last = pg.weights()[-1]
    h = layers[-1].reshape(2, -1).T
    np.testing.assert_allclose(h @ last["weight"] + last["bias"], logits[:, None], rtol=1e-5, atol=1e-5)
    assert np.all(layers[0] >= 0)  # relu outputs


def test_explain_is_explain_backprop_of_a_training_sample():
    data = playground_data("blobs", n_samples=40, seed=0)
    pg = Playground(data, hidden=[2], activation="sigmoid", optimizers=[{"optimizer": "gd", "lr": 0.5}], seed=0)
    e = pg.explain(3)
    assert e.lr == 0.5 and e.max_abs_error < 1e-9 and "dE/dw" in e.text
    with pytest.raises(ValueError, match="sample must be in"):
        pg.explain(10_000)


def test_bad_settings_are_named():
    data = playground_data("moons", n_samples=20, seed=0)
    with pytest.raises(ValueError, match="activation"):
        Playground(data, activation="gelu")
    with pytest.raises(ValueError, match="unknown feature"):
        Playground(data, features=["x9"])
    with pytest.raises(ValueError, match="playground data set"):
        playground_data("digits")


def test_peek_steps_through_the_next_epoch_without_changing_the_playground():
    data = playground_data("moons", n_samples=40, seed=2)
    pg = Playground(data, hidden=[3], optimizers=[{"optimizer": "adam", "lr": 0.05}], batch_size=8,
                    test_fraction=0.25, seed=5, data_seed=2)
    pg.advance(2)
    before = [p.data.copy() for p in pg.models[0].parameters()]
    (one,) = pg.peek(1)
    # the first update of epoch 2 by hand: the batch fit's rule draws, one train_step on it
    twin = nn.mlp(list(pg.sizes), activation="tanh", seed=5)
    twin.compile(optimizer="adam", loss=pg.loss, metrics=pg.metrics, lr=0.05)
    twin.fit(*pg.train_data, epochs=2, batch_size=8, seed=5, verbose=0)
    idx = np.random.default_rng([5, 2]).permutation(len(pg.train_data[0]))[:8]
    x = np.asarray(pg.train_data[0], dtype=np.float32)[idx]
    y = np.asarray(pg.train_data[1], dtype=np.float32)[idx]
    nn.Trainer(twin).train_step(x, y)
    for a, b in zip(one.parameters(), twin.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    whole = pg.peek(pg.steps_per_epoch)
    for a, b in zip(pg.models[0].parameters(), before):
        np.testing.assert_array_equal(a.data, b)  # unchanged by peeking
    pg.advance(1)
    for a, b in zip(whole[0].parameters(), pg.models[0].parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    with pytest.raises(ValueError, match="updates must be in"):
        pg.peek(pg.steps_per_epoch + 1)
