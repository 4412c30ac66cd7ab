"""Shared by the store tests: exact comparisons and a small training recipe."""

import numpy as np

from gdlab import datasets, nn

TRAJECTORY_ARRAYS = ("params", "loss", "grad", "grad_norm", "lr", "final", "x0")
TRAJECTORY_VALUES = ("single", "status", "stopped_at", "final_loss", "steps", "n_runs", "dim", "optimizer",
                     "hyperparameters", "label", "tol", "noise", "seed", "batch_size", "divergence_bound",
                     "gradient", "clip_grad_norm", "sampling", "record", "state_descriptions")


def same_array(a, b):
    """Equal bit for bit: dtype, shape and the bytes of every value (a nan equals the same nan)."""
    if a is None or b is None:
        return a is None and b is None
    a, b = np.asarray(a), np.asarray(b)
    return (a.dtype == b.dtype and a.shape == b.shape
            and np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes())


def same_value(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return same_array(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        return np.float64(a).tobytes() == np.float64(b).tobytes()
    return type(a) is type(b) and a == b


def assert_same_trajectory(a, b, *, run_only=False):
    """b holds a's numbers bit for bit (run_only: only what a re-run reproduces, not wall time etc.)."""
    for name in TRAJECTORY_ARRAYS:
        assert same_array(getattr(a, name), getattr(b, name)), name
    assert list(a.state) == list(b.state)
    for k in a.state:
        assert same_array(a.state[k], b.state[k]), f"state {k}"
    for name in TRAJECTORY_VALUES:
        assert same_value(getattr(a, name), getattr(b, name)), name
    if not run_only:
        assert a.wall_time == b.wall_time and a.subset_of == b.subset_of
    assert a.function.to_dict() == b.function.to_dict()


def assert_same_history(a, b):
    assert list(a.history) == list(b.history)
    for k in a.history:
        assert [np.float64(v).tobytes() for v in a.history[k]] == [np.float64(v).tobytes() for v in b.history[k]], k
        assert all(type(v) is float for v in b.history[k])
    assert [np.float64(v).tobytes() for v in a.step_losses] == [np.float64(v).tobytes() for v in b.step_losses]
    assert a.epochs == b.epochs and all(type(e) is int for e in b.epochs)


MOONS = {"dataset": "moons", "data": {"n_samples": 120, "noise": 0.2, "seed": 0}, "model": [2, 8, 2],
         "activation": "relu", "optimizer": "adam", "lr": 0.01, "epochs": 6, "batch_size": 16, "seed": 3}


def train(spec):
    """The data set -> model -> compile -> fit steps of `gdlab train`, from a plain spec dict."""
    ds = datasets.get(spec["dataset"], **spec["data"])
    model = nn.mlp(spec["model"], activation=spec["activation"], seed=spec["seed"])
    model.compile(optimizer=spec["optimizer"], loss="sparse_categorical_crossentropy_from_logits",
                  metrics=["accuracy"], lr=spec["lr"])
    return model.fit(ds.x, ds.y, epochs=spec["epochs"], batch_size=spec["batch_size"], seed=spec["seed"],
                     validation_split=0.25, verbose=0)
