"""The store's exact JSON and its .npz blobs."""

import io

import numpy as np
import pytest

from gdlab.store._codec import _npy, config_hash, dumps, loads, pack, unpack

ARRAYS = [np.arange(6.0).reshape(2, 3), np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.array(3.5),
          np.zeros((0, 2)), np.array(["converged", "max_steps"]), np.arange(5, dtype=np.int32),
          np.ones((3, 1, 2), dtype=np.float32), np.array([True, False]), np.arange(12.0).reshape(3, 4)[:, ::2],
          np.array([np.inf, -np.inf, np.nan, -0.0]), np.arange(3, dtype=">f8")]


@pytest.mark.parametrize("a", ARRAYS, ids=lambda a: f"{a.dtype}{a.shape}")
def test_a_member_is_the_npy_file_numpy_writes(a):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, allow_pickle=False)
    assert _npy(a) == buf.getvalue()


def test_a_blob_is_an_npz_that_numpy_reads_back_exactly():
    arrays = {f"a{i}": a for i, a in enumerate(ARRAYS)}
    arrays["state/exp_avg"] = np.ones((2, 2))
    blob = pack(arrays, {"single": True, "x": (1, 2.5)})
    assert pack(arrays, {"single": True, "x": (1, 2.5)}) == blob  # deterministic
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        assert set(npz.files) == set(arrays) | {"__gdlab__"}
        for k, a in arrays.items():
            b = npz[k]
            assert b.dtype == a.dtype and b.shape == a.shape and b.tobytes("A") == np.asarray(a).tobytes("A")
    back, meta = unpack(blob)
    assert meta == {"single": True, "x": (1, 2.5)} and back.keys() == arrays.keys()
    with pytest.raises(TypeError, match="dtype object"):
        pack({"bad": np.array([None], dtype=object)}, {})


def test_json_keeps_values_and_types_exactly():
    value = {"betas": (0.9, 0.999), "x0": np.array([[1.0, np.inf], [np.nan, -0.0]]), "keys": {1: "a", (2, 3): "b"},
             "lr": 0.1, "big": 2 ** 70, "none": None, "flag": True, "inf": float("-inf"), "f32": np.float32(0.1),
             "empty": np.zeros((0, 3), dtype=np.int64), "labels": np.array(["gd", "adam"])}
    text = dumps(value)
    assert "Infinity" not in text and "NaN" not in text
    back = loads(text)
    assert back["betas"] == (0.9, 0.999) and back["keys"] == {1: "a", (2, 3): "b"} and back["big"] == 2 ** 70
    assert back["x0"].tobytes() == value["x0"].tobytes() and back["empty"].shape == (0, 3)
    assert back["inf"] == float("-inf") and back["f32"] == float(np.float32(0.1)) and back["labels"].dtype == "<U4"
    assert config_hash(value) == config_hash(back)
    with pytest.raises(TypeError, match="cannot store a value of type set"):
        dumps({"s": {1, 2}})


@pytest.mark.parametrize("names", [["params.npy", "state/exp_avg.npy", "__gdlab__.npy"], ["histoire/précision.npy"]])
def test_the_archive_is_byte_for_byte_what_zipfile_writes(names):
    import zipfile

    from gdlab.store._codec import _zip_stored

    members = [(name, bytes(range(256))[: 37 * (i + 1)]) for i, name in enumerate(names)] + [("empty.npy", b"")]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
    assert _zip_stored(members) == buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(_zip_stored(members))) as zf:
        assert zf.testzip() is None and [zf.read(n) for n, _ in members] == [d for _, d in members]
