"""gdlab.nn.recipe: TrainSpec (plain values both ways, every bad field named) and train (nn's own numbers)."""

import json

import numpy as np
import pytest

from gdlab import datasets, nn
from gdlab.nn.recipe import TrainResult, TrainSpec, TrainSpecError, train


def by_hand(dataset, data, sizes, activation, optimizer, lr, epochs, batch_size, test_size, standardize, seed,
            loss, metrics, **optimizer_params):
    """The recipe written out with the public calls, as the command line did it before the recipe existed."""
    ds = datasets.get(dataset, **data)
    x, y = ds.x.reshape(len(ds.x), -1), ds.y
    if test_size:
        x_train, x_test, y_train, y_test = datasets.train_test_split(x, y, test_size=test_size, seed=seed)
    else:
        x_train, y_train, x_test, y_test = x, y, None, None
    if standardize:
        scaler = datasets.Standardizer().fit(x_train)
        x_train = scaler.transform(x_train)
        x_test = scaler.transform(x_test) if x_test is not None else None
    model = nn.mlp(sizes, activation=activation, seed=seed)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics, lr=lr, **optimizer_params)
    column = ds.task != "classification" or sizes[-1] == 1
    fit_y = y_train.reshape(-1, 1) if column else y_train
    val = None if x_test is None else (x_test, y_test.reshape(-1, 1) if column else y_test)
    history = model.fit(x_train, fit_y, epochs=epochs, batch_size=batch_size, validation_data=val, seed=seed,
                        verbose=0)
    return model, history, model.evaluate(x_train, fit_y), (model.evaluate(*val) if val else None)


CASES = [
    # (spec, the same by hand: the data set's own arguments, loss and metrics spelled out)
    (TrainSpec(dataset="moons", model="2-8-2", epochs=3, seed=0),
     dict(dataset="moons", data={"seed": 0}, sizes=[2, 8, 2], activation="relu", optimizer="adam", lr=0.01,
          epochs=3, batch_size=32, test_size=0.2, standardize=True, seed=0,
          loss="sparse_categorical_crossentropy_from_logits", metrics=["accuracy"])),
    (TrainSpec(dataset="circles", data={"noise": 0.1, "seed": 9}, model=[2, 6, 1], optimizer="momentum",
               optimizer_params={"momentum": 0.9, "nesterov": True}, lr=0.05, epochs=3, batch_size=None,
               test_size=0, standardize=False, seed=1),
     dict(dataset="circles", data={"noise": 0.1, "seed": 9}, sizes=[2, 6, 1], activation="relu",
          optimizer="momentum", lr=0.05, epochs=3, batch_size=None, test_size=0, standardize=False, seed=1,
          loss="binary_crossentropy_from_logits", metrics=["accuracy"], momentum=0.9, nesterov=True)),
    (TrainSpec(dataset="sine", model=(1, 8, 1), activation="tanh", optimizer="gd", lr=0.1, epochs=4, batch_size=16,
               test_size=0.3, seed=2),
     dict(dataset="sine", data={"seed": 2}, sizes=[1, 8, 1], activation="tanh", optimizer="sgd", lr=0.1, epochs=4,
          batch_size=16, test_size=0.3, standardize=True, seed=2, loss="mse", metrics=["r2"])),
    (TrainSpec(dataset="digits", data={"scale": True}, epochs=1, batch_size=128, loss="cross_entropy",
               metrics=["accuracy"], optimizer="adam", optimizer_params={"betas": (0.8, 0.99)}, seed=3),
     dict(dataset="digits", data={"scale": True}, sizes=[64, 16, 16, 10], activation="relu", optimizer="adam",
          lr=0.01, epochs=1, batch_size=128, test_size=0.2, standardize=True, seed=3, loss="cross_entropy",
          metrics=["accuracy"], betas=(0.8, 0.99))),
    (TrainSpec(dataset="xor", model="2-6-1", activation="tanh", epochs=3, batch_size=20, seed=4,
               regularizer={"name": "l1", "rate": 0.01}),
     dict(dataset="xor", data={"seed": 4}, sizes=[2, 6, 1], activation="tanh", optimizer="adam", lr=0.01, epochs=3,
          batch_size=20, test_size=0.2, standardize=True, seed=4, loss="binary_crossentropy_from_logits",
          metrics=["accuracy"], regularizer=nn.regularizers.L1(0.01))),
]


@pytest.mark.parametrize("spec, hand", CASES, ids=[c[0].dataset + ("-l1" if c[0].regularizer else "") for c in CASES])
def test_train_gives_the_numbers_of_nn_called_directly(spec, hand):
    result = train(spec)
    model, history, train_metrics, test_metrics = by_hand(**hand)
    assert isinstance(result, TrainResult)
    assert result.history.history == history.history
    assert result.history.step_losses == history.step_losses
    for (name, mine), (_, theirs) in zip(result.model.named_parameters(), model.named_parameters()):
        np.testing.assert_array_equal(mine.data, theirs.data, err_msg=name)
    assert result.evaluation["train"] == train_metrics
    assert result.evaluation.get("test") == test_metrics
    assert list(result.sizes) == hand["sizes"] and result.loss == hand["loss"]
    assert list(result.metrics) == hand["metrics"]


def test_result_holds_the_data_and_predicts_raw_inputs():
    result = train(TrainSpec(dataset="moons", model="2-4-2", epochs=1, test_size=0.25, seed=5))
    ds = datasets.get("moons", seed=5)
    np.testing.assert_array_equal(result.x, ds.x)
    assert len(result.x_train) + len(result.x_test) == len(ds.x) and len(result.x_test) == 50
    x_fit, y_fit = result.train_data
    np.testing.assert_array_equal(x_fit, result.scaler.transform(result.x_train))
    np.testing.assert_array_equal(y_fit, result.y_train)
    points = np.array([[0.0, 0.0], [1.0, -0.5]])
    np.testing.assert_array_equal(result.predict(points), result.model.predict(result.scaler.transform(points)))
    assert result.task == "classification" and result.n_features == 2


def test_seed_goes_to_the_data_unless_the_data_sets_its_own():
    assert np.array_equal(train(TrainSpec(model="2-2", epochs=1, seed=3)).x, datasets.get("moons", seed=3).x)
    own = train(TrainSpec(model="2-2", epochs=1, seed=3, data={"seed": 7}))
    assert np.array_equal(own.x, datasets.get("moons", seed=7).x)


def test_callbacks_and_a_dict_spec():
    seen = []
    result = train({"dataset": "xor", "model": [2, 4, 2], "epochs": 3, "seed": 0},
                   callbacks=[nn.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs["loss"]))])
    assert seen == result.history.history["loss"] and len(seen) == 3


@pytest.mark.parametrize("spec", [
    TrainSpec(),
    TrainSpec(dataset="spirals", data={"n_arms": 3, "noise": 0.1}, model="2-16-3", activation="tanh", loss="mse",
              metrics=["mae", "r2"], optimizer="adam", optimizer_params={"betas": (0.9, 0.99), "amsgrad": True},
              lr=1e-3, epochs=7, batch_size=None, test_size=0, standardize=False, seed=11,
              regularizer={"name": "l2", "rate": 0.5}),
], ids=["defaults", "everything"])
def test_to_dict_is_plain_json_and_reads_back(spec):
    values = spec.to_dict()
    text = json.dumps(values, allow_nan=False)
    again = TrainSpec.from_dict(json.loads(text))
    assert again == spec and again.to_dict() == values
    assert hash(again) == hash(spec) and len({spec, again}) == 1
    assert TrainSpec.from_dict({}) == TrainSpec()


def test_values_are_normalised():
    assert TrainSpec(regularizer="L2").regularizer == {"name": "l2", "rate": 1e-3}
    spec = TrainSpec(model="2 - 16-2", metrics="accuracy", lr=1, epochs=np.int64(3), data={"noise": np.float32(0.5)},
                     optimizer_params={"betas": [0.9, 0.99]})
    assert spec.model == (2, 16, 2) and spec == TrainSpec(model=[2, 16, 2], metrics=["accuracy"], lr=1.0, epochs=3,
                                                          data={"noise": 0.5}, optimizer_params={"betas": (0.9, 0.99)})
    assert type(spec.lr) is float and type(spec.epochs) is int and spec.optimizer_params["betas"] == (0.9, 0.99)
    with pytest.raises(AttributeError):
        spec.lr = 0.1  # frozen


BAD = [
    ("dataset", ""), ("dataset", 3), ("data", [1, 2]), ("data", {"noise": float("nan")}), ("data", {"1x": 1}),
    ("data", {"f": object()}), ("test_size", 0.95), ("test_size", -0.1), ("test_size", True), ("standardize", "yes"),
    ("model", "2"), ("model", "2-x-2"), ("model", [2, 0, 2]), ("model", [2, 100_001]), ("model", [2.0, 2]),
    ("model", 5), ("activation", None), ("loss", ""), ("metrics", [3]), ("metrics", 1.0), ("optimizer", ""),
    ("optimizer_params", {"lr": 0.1}), ("optimizer_params", 0.9), ("lr", 0), ("lr", -1.0), ("lr", float("inf")),
    ("lr", float("nan")), ("lr", "0.1"), ("epochs", 0), ("epochs", 2.5), ("epochs", True), ("batch_size", 0),
    ("batch_size", 1.5), ("seed", -1), ("seed", 1.0), ("regularizer", "l3"),
    ("regularizer", {"name": "l1", "rate": -1}), ("regularizer", 0.1),
]


@pytest.mark.parametrize("field, value", BAD, ids=[f"{f}={v!r}" for f, v in BAD])
def test_a_bad_field_is_named(field, value):
    with pytest.raises(TrainSpecError) as caught:
        TrainSpec.from_dict({field: value})
    assert caught.value.field == field and str(caught.value).startswith(field)
    assert isinstance(caught.value, ValueError)


def test_from_dict_refuses_unknown_fields_and_non_mappings():
    with pytest.raises(TrainSpecError, match="'epoch' is not a TrainSpec field") as caught:
        TrainSpec.from_dict({"epoch": 3})
    assert caught.value.field == "epoch"
    with pytest.raises(TrainSpecError, match="mapping"):
        TrainSpec.from_dict([("epochs", 3)])


@pytest.mark.parametrize("values, message", [
    ({"model": "3-8-2"}, "model 3-8-2: the input size must be 2, the number of features of 'moons'"),
    ({"model": "2-8-3"}, "model 2-8-3: the output size must be 2, the number of classes of 'moons'"),
    ({"dataset": "sine", "model": "1-8-2"}, "model 1-8-2: 'sine' is a regression data set; the output size must be 1"),
])
def test_layer_sizes_that_do_not_fit_the_data_set(values, message):
    with pytest.raises(TrainSpecError) as caught:
        train(TrainSpec(epochs=1, **values))
    assert caught.value.field == "model" and str(caught.value) == message


def test_the_layers_own_errors_come_through():
    with pytest.raises(ValueError, match="moons"):
        train(TrainSpec(dataset="moonz", epochs=1))
    with pytest.raises(ValueError, match="adam"):
        train(TrainSpec(optimizer="adamm", epochs=1))
    with pytest.raises(TypeError, match="bogus"):
        train(TrainSpec(data={"bogus": 1}, epochs=1))
    with pytest.raises(TypeError, match="TrainSpec"):
        train("moons")


def test_prepare_gives_what_train_fits():
    from gdlab.nn import recipe

    spec = recipe.TrainSpec(dataset="moons", model="2-4-1", epochs=1, seed=3)
    data = recipe.prepare(spec)
    result = recipe.train(spec, data=data)
    again = recipe.train(spec)
    for a, b in zip(data.train_data + data.validation_data, again.train_data + again.validation_data):
        assert np.array_equal(a, b)
    assert data.train_data[1].shape == (len(data.x_train), 1)  # one output: a column of targets
    assert result.evaluation == again.evaluation
    with pytest.raises(ValueError, match="another spec"):
        recipe.train(recipe.TrainSpec(dataset="moons", model="2-4-1", epochs=1, seed=4), data=data)
