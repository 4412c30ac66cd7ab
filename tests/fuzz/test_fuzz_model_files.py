"""Fuzz the model loader: a saved model's file truncated, bytes flipped, members dropped, duplicated,
replaced by other arrays or by garbage, its JSON record edited at random (values swapped for hostile
ones: [1], -1, 1e308, nested lists, huge sizes, wrong types), stored or deflated.

The contract (README, "Limits and errors"): ``nn.load_model`` and ``load_weights`` give a working model
or one ModelFileError naming the file and the field; never another exception, never a large
allocation (the peak traced memory of each load stays small), and ``load_weights`` either loads every
parameter or changes none. Seeded.
"""

import copy
import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdlab import nn

from .contract import check_own_error

HOSTILE = [None, True, -1, 0, 10**6, 100_000, 10**30, 1e308, float("nan"), "", "x", "Sequential", "Linear",
           [1], [], {}, {"class": "Linear"}, {"__array__": "nope"}, {"__tuple__": 5}, {"__items__": [[1]]},
           {"__float__": []}, [[[[[[]]]]]], "float64", {"name": 5}]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("models")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 3)), rng.integers(0, 2, 40)
    model = nn.Sequential(nn.Linear(3, 6, seed=0), nn.ReLU(), nn.Linear(6, 2, seed=1), nn.Softmax())
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, seed=0)
    path = tmp / "good.npz"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    return tmp, path.read_bytes(), members


def _npy(array):
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def _paths(obj, at=()):
    """Every place in the JSON record, as a tuple of keys/indices."""
    yield at
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, at + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, at + (i,))


def _set(obj, at, value):
    if not at:
        return value
    target = obj
    for k in at[:-1]:
        target = target[k]
    target[at[-1]] = value
    return obj


@st.composite
def crafted(draw, members, raw):
    """(file bytes) of one mutation of the saved model."""
    how = draw(st.sampled_from(["truncate", "flip", "drop", "replace", "garbage", "json", "json", "json",
                                "deflate-flip", "header-garbage"]))
    if how == "truncate":
        return raw[:draw(st.integers(0, len(raw) - 1))]
    if how == "flip":
        data = bytearray(raw)
        for k in draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=8)):
            data[k] ^= draw(st.integers(1, 255))
        return bytes(data)
    names = sorted(members)
    out = dict(members)
    compression = zipfile.ZIP_STORED
    if how == "drop":
        out.pop(draw(st.sampled_from(names)))
    elif how == "replace":
        out[draw(st.sampled_from(names))] = _npy(draw(st.sampled_from(
            [np.zeros(3), np.zeros((6, 3), np.float32), np.array(["a"]), np.full(2, np.nan), np.zeros((0,)),
             np.zeros(5, np.int64), np.zeros((2, 2), np.complex128), np.array(1.5)])))
    elif how == "garbage":
        out[draw(st.sampled_from(names))] = draw(st.binary(max_size=300))
    elif how == "header-garbage":
        out["__gdlab__.npy"] = _npy(np.frombuffer(draw(st.binary(min_size=1, max_size=200)), np.uint8))
    elif how in ("json", "deflate-flip"):
        header = json.loads(np.load(io.BytesIO(members["__gdlab__.npy"])).tobytes())
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.sampled_from(list(_paths(header))))
            header = _set(header, at, copy.deepcopy(draw(st.sampled_from(HOSTILE))))  # HOSTILE stays as is
        out["__gdlab__.npy"] = _npy(np.frombuffer(json.dumps(header).encode(), np.uint8))
        if how == "deflate-flip":
            compression = zipfile.ZIP_DEFLATED
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, body in out.items():
            z.writestr(name, body)
    data = buf.getvalue()
    if how == "deflate-flip":
        data = bytearray(data)
        k = draw(st.integers(30, len(data) - 1))
        data[k] ^= 0x5A
        data = bytes(data)
    return data


def test_crafted_model_files_load_or_give_one_model_file_error(saved):
    tmp, raw, members = saved
    path = tmp / "crafted.npz"
    outcomes = {"loaded": 0, "refused": 0}

    @settings(max_examples=250, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(crafted(members, raw))
    def fuzz(data):
        path.write_bytes(data)
        tracemalloc.start()
        try:
            model = nn.load_model(path)
        except Exception as exc:  # noqa: BLE001 - the contract is checked here
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert isinstance(exc, nn.ModelFileError), f"{type(exc).__name__}: {exc}"
            check_own_error(exc, "load_model")
            assert exc.path == str(path) and str(exc).startswith(f"{path}: {exc.field}: ")
            outcomes["refused"] += 1
        else:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            out = model.predict(np.ones((2, 3)))  # a loaded model works
            assert out.shape[0] == 2
            outcomes["loaded"] += 1
        assert peak < 20_000_000, peak

        fresh = nn.Sequential(nn.Linear(3, 6, seed=5), nn.ReLU(), nn.Linear(6, 2, seed=6), nn.Softmax())
        before = fresh.state_dict()
        try:
            fresh.load_weights(path)
        except Exception as exc:  # noqa: BLE001
            assert isinstance(exc, (nn.ModelFileError, FileNotFoundError)), f"{type(exc).__name__}: {exc}"
            after = fresh.state_dict()
            assert all(np.array_equal(before[k], after[k]) for k in before), "half-loaded weights"

    fuzz()
    assert outcomes["refused"] > 100 and outcomes["loaded"] > 0, outcomes  # both ways are exercised
