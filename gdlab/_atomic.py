"""Files written all or nothing: a temporary file in the target folder, renamed into place.

A reader never sees a half-written file, and a failure leaves none behind (no partial, no 0-byte file):

- :func:`atomic_path` for one file: ``with atomic_path("a.png") as tmp: fig.savefig(tmp)`` writes to a
  fresh hidden file beside ``a.png`` with the same suffix (writers that choose the format by the
  extension still do), and renames it over ``a.png`` only when the block succeeds;
- :class:`FileSet` for the outputs of one command: :meth:`FileSet.add` creates each temporary file
  at once (so an unwritable folder fails before any work), :meth:`FileSet.commit` renames them all
  into place, :meth:`FileSet.discard` removes them; as a context manager it commits on success and
  discards on any exception (Ctrl-C included).

The rename (``os.replace``) is atomic per file on POSIX and Windows when both names are in one
folder, which is why the temporary file is made there and not in the system's temp folder.
Files get the permissions a plain ``open(path, "w")`` would give them (0o666 less the umask).
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "FileSet", "temporary_beside"]


def temporary_beside(path) -> Path:
    """Create (empty, exclusively) and return a new hidden file in ``path``'s folder with ``path``'s suffix.

    OSError (PermissionError, FileNotFoundError, ...) when the folder cannot take a new file.
    """
    target = Path(os.fspath(path))
    folder = target.parent
    for _ in range(100):
        tmp = folder / f".{target.stem}.{secrets.token_hex(4)}.tmp{target.suffix}"
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no free temporary name beside {str(target)!r}")  # pragma: no cover


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; it replaces ``path`` when the block succeeds, else it is removed."""
    tmp = temporary_beside(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


class FileSet:
    """Several output files written all or nothing (see the module docstring).

    >>> with FileSet() as files:
    ...     tmp_png, tmp_json = files.add("fig.png"), files.add("run.json")
    ...     ...                                   # write them; an exception removes both
    >>> files.paths                               # [Path('fig.png'), Path('run.json')], in place
    """

    def __init__(self):
        self._staged: dict[Path, Path] = {}
        self.paths: list[Path] = []  # the targets, once committed

    def add(self, path) -> Path:
        """The temporary file standing for ``path`` (created now); the same path twice is a ValueError."""
        target = Path(os.fspath(path))
        key = Path(os.path.abspath(target))
        if any(Path(os.path.abspath(t)) == key for t in self._staged):
            raise ValueError(f"{str(target)!r} is given as two outputs")
        self._staged[target] = temporary_beside(target)
        return self._staged[target]

    def temporary(self, path):
        """The temporary file of an added ``path`` (None for None)."""
        return None if path is None else self._staged[Path(os.fspath(path))]

    def commit(self) -> list[Path]:
        """Rename every temporary file into place; returns the targets."""
        try:
            for target, tmp in list(self._staged.items()):
                os.replace(tmp, target)
                del self._staged[target]
                self.paths.append(target)
        finally:
            self.discard()
        return self.paths

    def discard(self):
        """Remove every temporary file not yet renamed."""
        for tmp in self._staged.values():
            _remove(tmp)
        self._staged.clear()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.discard()
        return False
