"""The store's file: created when missing, WAL mode, clear errors for what is not a run store."""

import io
import os
import sqlite3

import numpy as np
import pytest

import gdlab
from gdlab.store import SCHEMA_VERSION, CorruptStoreError, NewerSchemaError, RunNotFound, Store, StoreError


def small_run():
    return gdlab.minimize("square", 3.0, "gd", lr=0.1, steps=5)


def test_a_missing_file_and_its_folders_are_created(tmp_path):
    path = tmp_path / "a" / "b" / "runs.db"
    store = Store(path)
    assert path.is_file() and store.path == str(path)
    assert store.runs() == [] and store.count() == 0


def test_the_file_is_in_wal_mode_with_a_schema_version(tmp_path):
    path = tmp_path / "runs.db"
    Store(path).save(small_run())
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def test_the_default_path_is_gdlab_store_or_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GDLAB_STORE", str(tmp_path / "env.db"))
    assert Store().path == str(tmp_path / "env.db")
    monkeypatch.delenv("GDLAB_STORE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Store().path == str(tmp_path / "home" / ".gdlab" / "runs.db")


def test_reopening_keeps_the_runs(tmp_path):
    path = tmp_path / "runs.db"
    run_id = Store(path).save(small_run())
    assert [r.id for r in Store(path).runs()] == [run_id]


@pytest.mark.parametrize("content, message", [
    (b"hello, this is a text file\n" * 10, "not an SQLite database"),
    (b"PK\x03\x04" + bytes(200), "not an SQLite database"),
])
def test_a_file_that_is_not_sqlite_is_an_error_and_is_left_alone(tmp_path, content, message):
    path = tmp_path / "runs.db"
    path.write_bytes(content)
    with pytest.raises(CorruptStoreError, match=f"{path}.*{message}"):
        Store(path)
    assert path.read_bytes() == content


def test_a_damaged_store_is_an_error_and_is_not_reset(tmp_path):
    path = tmp_path / "runs.db"
    store = Store(path)
    for _ in range(20):
        store.save(small_run())
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[page:page + 1500] = b"\xa5" * 1500  # the second page: the start of a table's b-tree
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptStoreError, match=f"{path}.*(damaged|malformed)"):
        s = Store(path)
        s.runs()
        for r in s.runs():
            s.load(r.id)
    assert path.read_bytes() == bytes(data)


def test_an_sqlite_file_of_something_else_is_not_taken_over(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(CorruptStoreError, match="not a gdlab run store.*customers"):
        Store(path)
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["customers"]


def test_a_newer_schema_is_an_error_naming_both_versions(tmp_path):
    path = tmp_path / "runs.db"
    Store(path).save(small_run())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()
    with pytest.raises(NewerSchemaError, match=f"{path}.*newer gdlab.*schema {SCHEMA_VERSION + 1}.*upgrade"):
        Store(path)
    assert issubclass(NewerSchemaError, ValueError)


def test_an_empty_file_becomes_a_store(tmp_path):
    path = tmp_path / "runs.db"
    path.write_bytes(b"")
    Store(path).save(small_run())
    assert Store(path).count() == 1


def test_a_folder_or_memory_is_not_a_store_path(tmp_path):
    with pytest.raises(StoreError, match="folder"):
        Store(tmp_path)
    with pytest.raises(StoreError, match="file path"):
        Store(":memory:")


def test_unknown_ids_name_the_id(tmp_path):
    store = Store(tmp_path / "runs.db")
    with pytest.raises(RunNotFound, match="no run 'deadbeef'"):
        store.load("deadbeef")
    with pytest.raises(RunNotFound, match="no run"):
        store.delete("0000")


def _replace_blob(path, run_id, blob):
    conn = sqlite3.connect(path)
    conn.execute("UPDATE arrays SET npz = ? WHERE run_id = ?", (blob, run_id))
    conn.commit()
    conn.close()


def test_a_crafted_blob_with_an_object_array_is_refused_without_unpickling(tmp_path, monkeypatch):
    path = tmp_path / "runs.db"
    store = Store(path)
    run_id = store.save(small_run())
    buf = io.BytesIO()
    np.savez(buf, params=np.array([{"evil": 1}, None], dtype=object))  # np.savez pickles object arrays
    _replace_blob(path, run_id, buf.getvalue())
    import pickle

    def refuse(*a, **k):
        raise AssertionError("pickle was called")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    with pytest.raises(CorruptStoreError, match=f"run {run_id}.*Python objects.*pickle"):
        store.load(run_id)
    with pytest.raises(CorruptStoreError, match=f"run {run_id}"):
        store.export(run_id)


def test_a_blob_that_is_not_an_archive_is_an_error(tmp_path):
    path = tmp_path / "runs.db"
    store = Store(path)
    run_id = store.save(small_run())
    _replace_blob(path, run_id, b"not a zip file")
    with pytest.raises(CorruptStoreError, match=f"run {run_id}.*not a readable .npz"):
        store.load(run_id)


def test_saving_and_loading_never_pickle(tmp_path, monkeypatch):
    import pickle

    def refuse(*a, **k):
        raise AssertionError("pickle was called")

    for name in ("dump", "dumps", "load", "loads"):
        monkeypatch.setattr(pickle, name, refuse)
    store = Store(tmp_path / "runs.db")
    race = gdlab.race("rosenbrock", None, ["gd", "adam"], steps=20)
    back = store.load(store.save(race))
    assert np.array_equal(back["adam"].params, race["adam"].params)


def test_values_that_cannot_be_stored_exactly_are_refused(tmp_path):
    store = Store(tmp_path / "runs.db")
    with pytest.raises(TypeError, match="Trajectory, a dict label -> Trajectory, a History"):
        store.save([1, 2, 3])
    with pytest.raises(TypeError, match="tag"):
        store.save(small_run(), data=[1, 2])
    with pytest.raises(ValueError, match="tag name"):
        store.save(small_run(), **{"bad name": 1})
    with pytest.raises(TypeError, match="cannot store a value of type object"):
        store.save(small_run(), task={"f": object()})
    assert store.count() == 0  # nothing half-written
