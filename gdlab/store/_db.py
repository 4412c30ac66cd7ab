"""The SQLite file under a run store: opening, the schema, connections and transactions.

* One connection per thread and per process (a forked child opens its own); SQLite in WAL
  mode (readers never block the writer, nor the writer readers), ``synchronous=NORMAL``
  (a crash of the program or the machine may lose the last commits, never corrupt the file),
  foreign keys on, and a busy timeout: a writer waits for the others instead of failing.
* Every write is one ``BEGIN IMMEDIATE`` transaction (it takes the write lock at once, so two
  writers never deadlock upgrading a read lock); :meth:`Database.transaction` nests, so a
  batch of saves is one transaction.
* The schema has a version table. A new (or empty) file gets the current schema; a file
  with a newer version, a file that is not SQLite, an SQLite file that is not a run store and
  a damaged file are errors naming the file (never a silent reset).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from datetime import datetime, timezone

from ._errors import CorruptStoreError, NewerSchemaError, StoreError

__all__ = ["Database", "SCHEMA_VERSION", "KINDS"]

#: The schema this gdlab writes and reads.
SCHEMA_VERSION = 1
#: What a stored run can be.
KINDS = ("minimize", "race", "sweep_task", "train")
_APPLICATION_ID = 0x67646C62  # "gdlb", in the SQLite header: a gdlab run store
_MAGIC = b"SQLite format 3\x00"

_SCHEMA = f"""
CREATE TABLE schema_version (
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    gdlab_version TEXT NOT NULL
);
CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    config TEXT NOT NULL,
    config_hash TEXT NOT NULL
);
CREATE INDEX groups_by_name ON groups (name, config_hash);
CREATE TABLE runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ({", ".join(repr(k) for k in KINDS)})),
    created TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    label TEXT,
    problem TEXT,
    optimizer TEXT,
    steps INTEGER,
    n_runs INTEGER,
    final_loss REAL,
    group_id TEXT REFERENCES groups (id),
    config_hash TEXT NOT NULL,
    not_rerunnable TEXT,
    error TEXT,
    config TEXT NOT NULL,
    metrics TEXT NOT NULL
);
CREATE INDEX runs_by_kind ON runs (kind, seq);
CREATE INDEX runs_by_hash ON runs (config_hash);
CREATE INDEX runs_by_group ON runs (group_id, seq);
CREATE TABLE arrays (
    run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    npz BLOB NOT NULL
);
CREATE TABLE tags (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE INDEX tags_by_value ON tags (key, value);
"""


def now() -> str:
    """The current UTC time as ISO 8601 with microseconds, e.g. 2025-05-01T12:00:00.123456+00:00."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class Database:
    """A run store file: ``connection()`` for this thread, ``transaction()`` for writes."""

    def __init__(self, path, timeout: float = 60.0, gdlab_version: str = ""):
        self.path = path
        self.timeout = float(timeout)
        self._local = threading.local()
        self._check_file()
        with self._errors():
            self._open_schema(gdlab_version)

    # -- the file --------------------------------------------------------------------------
    def _check_file(self):
        path = self.path
        if os.path.isdir(path):
            raise StoreError(f"{path} is a folder, not a run store file")
        if os.path.exists(path):
            with open(path, "rb") as fh:
                head = fh.read(len(_MAGIC))
            if head and head != _MAGIC:
                raise CorruptStoreError(
                    f"{path} is not a gdlab run store: it is not an SQLite database "
                    f"(it starts with {head[:8]!r}); nothing was changed. Give another path "
                    "(--store PATH or GDLAB_STORE), or move the file away")
        else:
            parent = os.path.dirname(os.path.abspath(path))
            try:
                os.makedirs(parent, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder {parent} for the run store {path}: {exc.strerror}") from None

    @contextlib.contextmanager
    def _errors(self):
        """SQLite's damage reports as CorruptStoreError naming the file; busy and I/O errors as StoreError."""
        try:
            yield
        except StoreError:
            raise
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise StoreError(f"{self.path}: the run store stayed locked by another writer for "
                                 f"{self.timeout:g} s ({text})") from None
            if "unable to open" in text or "readonly" in text or "disk I/O" in text:
                raise StoreError(f"{self.path}: cannot write the run store ({text})") from None
            raise CorruptStoreError(f"{self.path} is damaged or not a gdlab run store ({text}); "
                                    "nothing was changed") from None
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)):
                raise
            raise CorruptStoreError(f"{self.path} is damaged or not a gdlab run store ({exc}); "
                                    "nothing was changed") from None

    def _open_schema(self, gdlab_version):
        conn = self.connection()
        with self.transaction():
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            tables.discard("sqlite_sequence")
            if not tables:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
                conn.execute("INSERT INTO schema_version (version, created, gdlab_version) VALUES (?, ?, ?)",
                             (SCHEMA_VERSION, now(), gdlab_version))
                return
            if "schema_version" not in tables:
                raise CorruptStoreError(
                    f"{self.path} is an SQLite database but not a gdlab run store (its tables: "
                    f"{', '.join(sorted(tables))}); nothing was changed")
            row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
            version = row[0] if row else None
            if not isinstance(version, int):
                raise CorruptStoreError(f"{self.path}: its schema_version table holds no version; nothing was changed")
            if version > SCHEMA_VERSION:
                raise NewerSchemaError(
                    f"{self.path} was written by a newer gdlab (run store schema {version}; this gdlab reads "
                    f"schema {SCHEMA_VERSION}): upgrade gdlab to open it. Nothing was changed")
            if version < 1:
                raise CorruptStoreError(f"{self.path}: unknown run store schema {version}; nothing was changed")
            missing = {"groups", "runs", "arrays", "tags"} - tables
            if missing:
                raise CorruptStoreError(f"{self.path}: the run store lacks its table(s) {', '.join(sorted(missing))}; "
                                        "nothing was changed")

    # -- connections -----------------------------------------------------------------------
    def connection(self) -> sqlite3.Connection:
        """This thread's connection (a new one in a new thread or a forked process)."""
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            return conn
        with self._errors():
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{self.path}: SQLite would not switch to WAL mode (journal_mode={mode}); "
                                 "is the file on a network or read-only file system?")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        local.conn, local.pid, local.depth = conn, os.getpid(), 0
        return conn

    def close(self):
        """Close this thread's connection (others close when their threads end)."""
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            conn.close()
        local.conn = None

    @contextlib.contextmanager
    def transaction(self):
        """One write transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on error); nested calls join it."""
        conn = self.connection()
        local = self._local
        if local.depth:
            local.depth += 1
            try:
                yield conn
            finally:
                local.depth -= 1
            return
        with self._errors():
            conn.execute("BEGIN IMMEDIATE")
            local.depth = 1
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                local.depth = 0

    def read(self, sql, params=()):
        """All rows of a query (in autocommit mode: a consistent snapshot of the last commit)."""
        with self._errors():
            return self.connection().execute(sql, params).fetchall()
