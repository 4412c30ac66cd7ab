"""gdlab/_atomic.py: files written all or nothing (a temporary file beside the target, renamed into place)."""

import os
import stat

import pytest

from gdlab._atomic import FileSet, atomic_path, temporary_beside


def test_atomic_path_replaces_only_on_success(tmp_path):
    target = tmp_path / "a.png"
    target.write_bytes(b"old")
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".png" and tmp.name.startswith(".")
        tmp.write_bytes(b"new")
        assert target.read_bytes() == b"old"          # nothing seen before the end
    assert target.read_bytes() == b"new"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("failed half way")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_new_files_get_the_umask_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_path(tmp_path / "a.json") as tmp:
            tmp.write_text("{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o640


def test_file_set_all_or_nothing(tmp_path):
    with FileSet() as files:
        a, b = files.add(tmp_path / "a.png"), files.add(tmp_path / "b.json")
        assert a.exists() and b.exists()              # reserved at once: an unwritable folder fails here
        a.write_bytes(b"png")
        b.write_text("{}")
        assert files.temporary(tmp_path / "a.png") == a and files.temporary(None) is None
    assert files.paths == [tmp_path / "a.png", tmp_path / "b.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.json"]
    for exc in (ValueError("the second output failed"), KeyboardInterrupt()):
        with pytest.raises(type(exc)):
            with FileSet() as files:
                files.add(tmp_path / "c.gif").write_bytes(b"gif")
                files.add(tmp_path / "d.html")
                raise exc
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.json"]


def test_file_set_refuses_a_path_twice_and_unwritable_folders(tmp_path):
    files = FileSet()
    files.add(tmp_path / "a.png")
    with pytest.raises(ValueError, match="two outputs"):
        files.add(tmp_path / "." / "a.png")
    files.discard()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FileNotFoundError):
        temporary_beside(tmp_path / "missing" / "a.png")
    if os.path.isdir("/proc/self"):  # a folder that exists but takes no new file, even for root
        with pytest.raises(OSError):
            temporary_beside("/proc/m.npz")
