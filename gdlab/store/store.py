"""``Store``: save, list, load, re-run, tag, group, export and delete runs in one SQLite file."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import numbers
import os
import re
import secrets
import sqlite3
import weakref
from dataclasses import asdict, dataclass, field

import numpy as np

import gdlab

from ..functions import function_spec
from ..runs._engine import recorded_steps
from . import _codec, _kinds
from ._db import KINDS, SCHEMA_VERSION, Database, now
from ._errors import CorruptStoreError, NotRerunnable, RunNotFound, StoreError

__all__ = ["Store", "RunRecord", "GroupRecord", "default_path", "config_hash", "DEFAULT_LIMIT"]

#: ``runs()`` returns at most this many rows unless told otherwise (``limit=None``: all).
DEFAULT_LIMIT = 1000
_ID_BYTES = 4  # 8 hex digits
_TAG_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*\Z")
_CONDITION = re.compile(r"\s*([A-Za-z_][\w.-]*)\s*(<=|>=|!=|==|=|<|>|~)\s*(.*?)\s*\Z", re.S)
_OPS = {"=": "=", "==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "~": "LIKE"}
_COLUMNS = {"id": "id", "kind": "kind", "created": "created", "version": "version", "status": "status",
            "label": "label", "problem": "problem", "function": "problem", "dataset": "problem",
            "optimizer": "optimizer", "steps": "steps", "n_runs": "n_runs", "final_loss": "final_loss",
            "group": "group_id", "config_hash": "config_hash", "error": "error"}
_RESERVED = {"kind", "group", "config", "model", "task", "where", "status", "limit", "offset"}
_LIST = ("id", "kind", "created", "version", "status", "label", "problem", "optimizer", "steps", "n_runs",
         "final_loss", "group_id", "config_hash", "not_rerunnable", "error", "metrics")

config_hash = _codec.config_hash


def default_path() -> str:
    """``$GDLAB_STORE`` when set, else ``~/.gdlab/runs.db``."""
    env = os.environ.get("GDLAB_STORE")
    return os.path.expanduser(env) if env else os.path.join(os.path.expanduser("~"), ".gdlab", "runs.db")


@dataclass
class RunRecord:
    """One stored run, without its arrays (what ``Store.runs`` lists and ``Store.info`` shows).

    ``final_loss`` is the run's final loss (several starts or a race: the smallest finite
    one; a training: the last epoch's loss). ``metrics`` holds the kind's final values (see
    the README). ``config`` is filled by ``Store.info`` only. ``not_rerunnable`` is None when
    ``Store.rerun`` reproduces the run, else the reason it cannot.
    """

    id: str
    kind: str
    created: str
    version: str
    status: str
    label: str | None
    problem: str | None
    optimizer: str | None
    steps: int | None
    n_runs: int | None
    final_loss: float | None
    group: str | None
    config_hash: str
    not_rerunnable: str | None
    error: str | None
    metrics: dict
    tags: dict = field(default_factory=dict)
    config: dict | None = None

    @property
    def rerunnable(self) -> bool:
        return self.not_rerunnable is None

    def to_dict(self) -> dict:
        """JSON-friendly (arrays in a config as lists, non-finite floats as None)."""
        return _codec.plain({**asdict(self), "rerunnable": self.rerunnable})


@dataclass
class GroupRecord:
    """A group of runs (a sweep): id, name, created, config, config_hash, and how many runs it holds."""

    id: str
    name: str
    created: str
    config: dict
    config_hash: str
    runs: int

    def to_dict(self) -> dict:
        return _codec.plain(asdict(self))


def _check_tags(tags):
    for key, value in tags.items():
        if not _TAG_KEY.match(key):
            raise ValueError(f"tag name {key!r} must be a word (letters, digits, _ . -)")
        if value is not None and (isinstance(value, (np.ndarray, list, tuple, dict))
                                  or not isinstance(value, (str, numbers.Real, bool, np.bool_))):
            raise TypeError(f"tag {key}={value!r}: a tag's value is a string, a number, True/False or None (remove)")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"tag {key}={value!r}: a tag's number must be finite")


def _tag_text(value):
    return _codec.dumps(value, "tags")


def _parse_value(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


class Store:
    """A run store: one SQLite file holding runs, their configurations, metrics and arrays.

    >>> store = gdlab.store.Store()                  # ~/.gdlab/runs.db, or $GDLAB_STORE
    >>> run_id = store.save(gdlab.minimize("rosenbrock", [-1.5, 2], "adam", lr=0.05), project="demo")
    >>> store.runs(kind="minimize", where="final_loss < 1e-6", project="demo")   # [RunRecord, ...]
    >>> traj = store.load(run_id)                     # the Trajectory, bit for bit
    >>> again = store.rerun(run_id)                   # gdlab.minimize called again: the same numbers

    Parameters
    ----------
    path : str | os.PathLike | None
        The file; None: ``$GDLAB_STORE`` or ``~/.gdlab/runs.db``. A missing file (and its
        folder) is created; a file that is not a run store, is damaged, or has a newer
        schema raises a :class:`StoreError` (a ValueError) naming it, and is left untouched.
    timeout : float
        Seconds a writer waits for another one before giving up (SQLite's busy timeout).

    A Store may be shared by threads (each gets its own connection) and forked processes;
    any number of processes may write to one file at once.
    """

    def __init__(self, path=None, *, timeout: float = 60.0):
        if path is None:
            path = default_path()
        path = os.path.expanduser(os.fspath(path))
        if not path or path == ":memory:":
            raise StoreError(f"a run store needs a file path, got {path!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or not timeout > 0:
            raise ValueError(f"timeout must be a number of seconds > 0, got {timeout!r}")
        self._db = Database(path, timeout=timeout, gdlab_version=gdlab.__version__)
        self._specs = weakref.WeakKeyDictionary()

    @property
    def path(self) -> str:
        return self._db.path

    schema_version = SCHEMA_VERSION
    config_hash = staticmethod(config_hash)

    def __repr__(self):
        return f"<gdlab run store {self.path!r}>"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Close this thread's connection (reopened on the next call)."""
        self._db.close()

    def batch(self):
        """A context in which every save is part of one transaction (committed at its end, or not at all).

        >>> with store.batch():
        ...     ids = [store.save(t) for t in trajectories]
        """
        return self._db.transaction()

    # -- writing ---------------------------------------------------------------------------
    def _spec_of(self, f):
        try:
            return self._specs[f]
        except (KeyError, TypeError):
            spec = function_spec(f)
            with contextlib.suppress(TypeError):
                self._specs[f] = spec
            return spec

    def _insert(self, e, *, group, task, tags):
        _check_tags(tags)
        cfg = dict(e.config)
        if task is not None:
            cfg["task"] = task
        config_text, digest = _codec.dumps_and_hash(cfg)
        if task is not None:
            digest = config_hash(task)
        metrics_text = _codec.dumps(e.metrics, "metrics")
        blob = _codec.pack(e.arrays, e.meta) if e.status != "failed" else None
        version = gdlab.__version__
        with self._db.transaction() as conn:
            if group is not None and conn.execute("SELECT 1 FROM groups WHERE id = ?", (group,)).fetchone() is None:
                raise RunNotFound(f"{self.path}: no group {group!r} (make one with store.group(name, config))")
            for _ in range(20):
                run_id = secrets.token_hex(_ID_BYTES)
                try:
                    conn.execute(
                        "INSERT INTO runs (id, kind, created, version, status, label, problem, optimizer, steps, "
                        "n_runs, final_loss, group_id, config_hash, not_rerunnable, error, config, metrics) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (run_id, e.kind, now(), version, e.status, e.label, e.problem, e.optimizer, e.steps,
                         e.n_runs, e.final_loss, group, digest, e.not_rerunnable, e.error, config_text,
                         metrics_text))
                    break
                except sqlite3.IntegrityError as exc:
                    if "UNIQUE" not in str(exc):
                        raise
            else:  # pragma: no cover - 20 collisions in a row of 32-bit random ids
                raise StoreError(f"{self.path}: could not draw a free run id")
            if blob is not None:
                conn.execute("INSERT INTO arrays (run_id, npz) VALUES (?, ?)", (run_id, blob))
            if tags:
                conn.executemany("INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)",
                                 [(run_id, k, _tag_text(v)) for k, v in tags.items() if v is not None])
        return run_id

    def save(self, result, *, kind=None, group=None, config=None, model=None, task=None, **tags) -> str:
        """Store a result; returns its id (8 hex digits).

        ``result``: what ``gdlab.minimize`` returns (a Trajectory; kind "minimize", or
        ``kind="sweep_task"`` for a task of a sweep), what ``gdlab.race`` returns (a dict
        label -> Trajectory; kind "race"), or what ``model.fit`` returns (a History; kind
        "train", with ``config=`` the training spec that re-runs it: a TrainSpec, its dict,
        or any JSON-friendly dict of the data set, model, compile and fit arguments and
        seed; ``model=``: the trained model, when the History does not know it).
        ``group``: a group id from :meth:`group`. ``task``: a sweep's own description of the
        task (any JSON-friendly dict): when given, the run's ``config_hash`` is
        ``config_hash(task)``, so :meth:`has` can tell before running it whether it is done.
        ``**tags``: your labels (strings, numbers, booleans), for :meth:`runs` to filter on.
        """
        e = _kinds.entry(result, kind=kind, config=config, model=model, spec_of=self._spec_of)
        return self._insert(e, group=group, task=task, tags=tags)

    def save_many(self, results, **options) -> list[str]:
        """Save each result (same options for all) in one transaction; returns their ids."""
        with self.batch():
            return [self.save(r, **options) for r in results]

    def save_failed(self, task, error, *, group=None, kind="sweep_task", **tags) -> str:
        """Record a task that failed (status "failed", the error's text, no arrays); returns its id."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        return self._insert(_kinds.failed_entry(task, error, kind), group=group, task=task, tags=tags)

    def tag(self, run_id, **tags) -> None:
        """Set tags on a stored run (a value None removes that tag)."""
        _check_tags(tags)
        run_id = self._resolve(run_id)
        with self._db.transaction() as conn:
            for k, v in tags.items():
                if v is None:
                    conn.execute("DELETE FROM tags WHERE run_id = ? AND key = ?", (run_id, k))
                else:
                    conn.execute("INSERT OR REPLACE INTO tags (run_id, key, value) VALUES (?, ?, ?)",
                                 (run_id, k, _tag_text(v)))

    def delete(self, *run_ids) -> int:
        """Delete runs (ids or unique prefixes) with their arrays and tags; returns how many."""
        ids = [self._resolve(r) for r in run_ids]
        with self._db.transaction() as conn:
            n = 0
            for run_id in ids:
                n += conn.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount
        return n

    # -- groups ----------------------------------------------------------------------------
    def group(self, name, config=None) -> str:
        """The id of the group called ``name`` with this ``config`` (a sweep's grid), made if new.

        The same name and config give the same group again, so a resumed sweep adds to it.
        """
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"a group needs a name (a non-empty string), got {name!r}")
        config = {} if config is None else config
        text = _codec.dumps(config)
        digest = config_hash(config)
        with self._db.transaction() as conn:
            row = conn.execute("SELECT id FROM groups WHERE name = ? AND config_hash = ? ORDER BY created LIMIT 1",
                               (name, digest)).fetchone()
            if row is not None:
                return row[0]
            while True:
                gid = "g" + secrets.token_hex(_ID_BYTES)
                if conn.execute("SELECT 1 FROM groups WHERE id = ?", (gid,)).fetchone() is None:
                    break
            conn.execute("INSERT INTO groups (id, name, created, config, config_hash) VALUES (?, ?, ?, ?, ?)",
                         (gid, name, now(), text, digest))
        return gid

    def groups(self) -> list[GroupRecord]:
        """Every group, newest first, with its run count."""
        rows = self._db.read(
            "SELECT g.id, g.name, g.created, g.config, g.config_hash, "
            "(SELECT COUNT(*) FROM runs r WHERE r.group_id = g.id) FROM groups g ORDER BY g.created DESC")
        return [GroupRecord(r[0], r[1], r[2], _codec.loads(r[3]), r[4], r[5]) for r in rows]

    def delete_group(self, group_id) -> int:
        """Delete a group and every run in it; returns how many runs."""
        with self._db.transaction() as conn:
            if conn.execute("SELECT 1 FROM groups WHERE id = ?", (group_id,)).fetchone() is None:
                raise RunNotFound(f"{self.path}: no group {group_id!r}")
            n = conn.execute("DELETE FROM runs WHERE group_id = ?", (group_id,)).rowcount
            conn.execute("DELETE FROM groups WHERE id = ?", (group_id,))
        return n

    def has(self, key, *, group=None, include_failed=False) -> str | None:
        """The id of the newest run whose config_hash is ``key`` (a hash, or a config/task to hash), else None.

        Failed tasks do not count unless ``include_failed``; ``group`` limits the search to one group.
        """
        digest = key if isinstance(key, str) and re.fullmatch(r"[0-9a-f]{64}", key) else config_hash(key)
        sql = "SELECT id FROM runs WHERE config_hash = ?"
        params = [digest]
        if group is not None:
            sql += " AND group_id = ?"
            params.append(group)
        if not include_failed:
            sql += " AND status != 'failed'"
        rows = self._db.read(sql + " ORDER BY seq DESC LIMIT 1", params)
        return rows[0][0] if rows else None

    # -- reading ---------------------------------------------------------------------------
    def _resolve(self, run_id) -> str:
        """The full id for an id or a unique prefix of at least 4 characters."""
        if not isinstance(run_id, str) or not run_id.strip():
            raise RunNotFound(f"a run id is a string such as '3fa2c91b', got {run_id!r}")
        key = run_id.strip().lower()
        rows = self._db.read("SELECT id FROM runs WHERE id = ?", (key,))
        if rows:
            return rows[0][0]
        if len(key) >= 4 and re.fullmatch(r"[0-9a-f]+", key):
            rows = self._db.read("SELECT id FROM runs WHERE id >= ? AND id < ? LIMIT 2", (key, key + "g"))
            if len(rows) == 1:
                return rows[0][0]
            if len(rows) > 1:
                raise RunNotFound(f"{self.path}: the id prefix {run_id!r} matches several runs; give more digits")
        raise RunNotFound(f"{self.path}: no run {run_id!r} (gdlab runs list shows the stored runs)")

    def _where(self, kind, where, group, status, tags):
        clauses, params = [], []
        if kind is not None:
            if kind not in KINDS:
                raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
            clauses.append("r.kind = ?")
            params.append(kind)
        if group is not None:
            clauses.append("r.group_id = ?")
            params.append(group)
        if status is not None:
            clauses.append("r.status = ?")
            params.append(status)
        conditions = []
        if where is not None:
            if isinstance(where, dict):
                for k, v in where.items():
                    op, value = v if isinstance(v, tuple) and len(v) == 2 and v[0] in _OPS else ("=", v)
                    conditions.append((k, op, value))
            elif isinstance(where, str):
                for part in re.split(r"\s+and\s+|,", where.strip(), flags=re.I):
                    if not part.strip():
                        continue
                    m = _CONDITION.match(part)
                    if m is None or not m.group(3) or m.group(3)[0] in "<>=!~":
                        raise ValueError(f"where: cannot read {part.strip()!r}; write FIELD OP VALUE, e.g. "
                                         "'final_loss < 1e-3 and optimizer = adam' (OP: = != < <= > >= ~)")
                    conditions.append((m.group(1), m.group(2), _parse_value(m.group(3))))
            else:
                raise TypeError(f"where must be a dict {{field: value or (op, value)}} or a string, got {where!r}")
        conditions += [(f"tag.{k}", "=", v) for k, v in tags.items()]
        for name, op, value in conditions:
            sql_op = _OPS[op]
            if isinstance(value, (np.generic,)):
                value = value.item()
            if sql_op == "LIKE":
                value = f"%{value}%"
            if not _FIELD.match(name):
                raise ValueError(f"where: {name!r} is not a field name")
            head, _, rest = name.partition(".")
            if head in ("tag", "tags") and rest:
                expr = "(SELECT json_extract(t.value, '$') FROM tags t WHERE t.run_id = r.id AND t.key = ?)"
                params.append(rest)
            elif head in ("config", "metrics") and rest:
                expr = f"json_extract(r.{head}, ?)"
                params.append("$" + "".join(f'."{seg}"' for seg in rest.split(".")))
            elif name in _COLUMNS:
                expr = f"r.{_COLUMNS[name]}"
            else:  # a final metric by its name, e.g. accuracy or val_loss
                expr = "json_extract(r.metrics, ?)"
                params.append("$" + "".join(f'."{seg}"' for seg in name.split(".")))
            if value is None:
                if sql_op not in ("=", "!="):
                    raise ValueError(f"where: {name} {op} None: only = and != compare with None")
                clauses.append(f"{expr} IS {'NOT ' if sql_op == '!=' else ''}NULL")
                continue
            if isinstance(value, bool):
                value = int(value)
            clauses.append(f"{expr} {sql_op} ?")
            params.append(value)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _tags_of(self, ids):
        out = {i: {} for i in ids}
        for lo in range(0, len(ids), 500):
            chunk = ids[lo:lo + 500]
            rows = self._db.read(f"SELECT run_id, key, value FROM tags WHERE run_id IN ({','.join('?' * len(chunk))})",
                                 chunk)
            for run_id, k, v in rows:
                out[run_id][k] = _codec.loads(v)
        return out

    def _records(self, rows, configs=None):
        ids = [r[0] for r in rows]
        tags = self._tags_of(ids)
        out = []
        for i, r in enumerate(rows):
            values = dict(zip(_LIST, r))
            values["metrics"] = _codec.loads(values["metrics"])
            values["group"] = values.pop("group_id")
            out.append(RunRecord(**values, tags=tags[r[0]], config=None if configs is None else configs[i]))
        return out

    def runs(self, kind=None, *, where=None, group=None, status=None, limit=DEFAULT_LIMIT, offset=0,
             **tags) -> list[RunRecord]:
        """Stored runs, newest first, as :class:`RunRecord` rows (no arrays).

        ``kind``: "minimize", "race", "sweep_task" or "train". ``where``: conditions on the
        columns (id, kind, created, version, status, label, problem/function/dataset,
        optimizer, steps, n_runs, final_loss, group, config_hash, error), on final metrics
        (``accuracy``, ``metrics.val_loss``), on the configuration (``config.optimizer``,
        ``config.spec.dataset``) or on tags (``tag.project``): a string
        ``"final_loss < 1e-3 and optimizer = adam"`` (``~`` means "contains") or a dict
        ``{"optimizer": "adam", "final_loss": ("<", 1e-3)}``. ``**tags``: tags equal to these.
        ``limit``: at most this many rows (None: all).
        """
        sql_where, params = self._where(kind, where, group, status, tags)
        sql = f"SELECT {', '.join('r.' + c for c in _LIST)} FROM runs r{sql_where} ORDER BY r.seq DESC"
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 0:
                raise ValueError(f"limit must be an int >= 0 or None, got {limit!r}")
            sql += " LIMIT ? OFFSET ?"
            params += [int(limit), int(offset)]
        return self._records(self._db.read(sql, params))

    def count(self, kind=None, *, where=None, group=None, status=None, **tags) -> int:
        """How many stored runs match (the same filters as :meth:`runs`)."""
        sql_where, params = self._where(kind, where, group, status, tags)
        return int(self._db.read(f"SELECT COUNT(*) FROM runs r{sql_where}", params)[0][0])

    def info(self, run_id) -> RunRecord:
        """The run's record with its configuration (``.config``), without arrays."""
        run_id = self._resolve(run_id)
        rows = self._db.read(f"SELECT {', '.join('r.' + c for c in _LIST)}, r.config FROM runs r WHERE r.id = ?",
                             (run_id,))
        return self._records([rows[0][:-1]], configs=[self._config(rows[0][-1], run_id)])[0]

    def _config(self, text, run_id):
        try:
            return _codec.loads(text)
        except (ValueError, TypeError, KeyError) as exc:
            raise CorruptStoreError(f"{self.path}: run {run_id} has a damaged configuration ({exc})") from None

    def _parts(self, run_id):
        run_id = self._resolve(run_id)
        rows = self._db.read("SELECT r.kind, r.config, r.status, r.error, r.not_rerunnable, a.npz FROM runs r "
                             "LEFT JOIN arrays a ON a.run_id = r.id WHERE r.id = ?", (run_id,))
        kind, config_text, status, error, why, blob = rows[0]
        return run_id, kind, self._config(config_text, run_id), status, error, why, blob

    def arrays(self, run_id) -> dict:
        """The run's arrays by name, as stored (read with allow_pickle=False)."""
        run_id, _kind, _config, status, error, _why, blob = self._parts(run_id)
        return self._unpack(run_id, status, error, blob)[0]

    def _unpack(self, run_id, status, error, blob):
        if blob is None:
            if status == "failed":
                raise StoreError(f"run {run_id} failed ({error}): it has no arrays")
            raise CorruptStoreError(f"{self.path}: run {run_id} has lost its arrays")
        try:
            return _codec.unpack(bytes(blob))
        except ValueError as exc:
            raise CorruptStoreError(f"{self.path}: run {run_id}: {exc}") from None

    def load(self, run_id, *, function=None):
        """The stored result, with the numbers it had: a Trajectory, a race dict or a History.

        The objective is rebuilt from the configuration (catalog name, formula or data); a
        run of a Python callable comes back with ``function=None`` unless you pass it.
        """
        run_id, kind, config, status, error, _why, blob = self._parts(run_id)
        arrays, meta = self._unpack(run_id, status, error, blob)
        try:
            return _kinds.restore(kind, config, arrays, meta, function)
        except (KeyError, TypeError, IndexError) as exc:
            raise CorruptStoreError(f"{self.path}: run {run_id} cannot be rebuilt ({type(exc).__name__}: {exc})") from None

    def rerun(self, run_id, *, trainer=None):
        """Run a stored configuration again; returns the new result (not saved), equal to the stored one.

        Raises :class:`NotRerunnable` saying why when the run cannot be reproduced (a Python
        callable as the objective or schedule, randomness without an integer seed, a failed
        task, a training saved without its spec). ``trainer``: for a training, the function
        ``trainer(spec) -> History`` (default: ``gdlab.nn.recipe.train``).
        """
        run_id, kind, config, _status, _error, why, _blob = self._parts(run_id)
        if why is not None:
            raise NotRerunnable(f"run {run_id} cannot be re-run: {why}")
        return _kinds.rerun(kind, config, trainer)

    # -- export ----------------------------------------------------------------------------
    def export(self, run_id, format="json", path=None):
        """The run as JSON (record, configuration and every array as lists; non-finite numbers
        as null) or CSV (the per-step table of a trajectory or race, the per-epoch table of a
        training). Returns the text, or writes it to ``path`` (via a temporary file) and returns None.
        """
        if format not in ("json", "csv"):
            raise ValueError(f"format must be 'json' or 'csv', got {format!r}")
        record = self.info(run_id)
        arrays = {} if record.status == "failed" else self.arrays(record.id)
        if format == "csv" and not arrays:
            raise StoreError(f"run {record.id} failed ({record.error}): it has no table to export")

        def write(fh):
            if format == "json":
                out = {**record.to_dict(), "arrays": {k: _codec.plain(v) for k, v in arrays.items()}}
                if record.kind in ("minimize", "sweep_task", "race"):  # the step of each recorded point
                    out["recorded_steps"] = _codec.plain(_recorded_steps(record.config))
                json.dump(out, fh, allow_nan=False)
            else:
                _csv(record, arrays, fh)

        if path is None:
            buf = io.StringIO()
            write(buf)
            return buf.getvalue()
        path = os.fspath(path)
        tmp = os.path.join(os.path.dirname(os.path.abspath(path)), f".{os.path.basename(path)}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                write(fh)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return None


def _recorded_steps(config):
    """The step of each recorded point of a stored trajectory (or race): 0..steps, or 0, k, 2k, ...
    and the last step when its record was thinned (record_every k, as on the Trajectory)."""
    return recorded_steps(int(config["steps"]), int(config.get("record_every") or 1))


def _trajectory_columns(arrays, prefix, config):
    """(steps, n, single, {column: (rows, n) array}) of one stored trajectory: ``steps`` the step of
    each row (0..steps, or the recorded steps of a thinned record); lr has one row fewer (none at the end)."""
    single = arrays[prefix + "status"].ndim == 0
    lr = arrays[prefix + "lr"]
    T = lr.shape[0] + 1
    at = _recorded_steps(config)
    if len(at) != T:
        raise CorruptStoreError(f"a stored trajectory has {T} recorded points, but its steps "
                                f"({config['steps']}) and record_every ({config.get('record_every') or 1}) "
                                f"make {len(at)}")
    xs = [f"x{i}" for i in range(arrays[prefix + "final"].shape[-1])]
    cols = {}

    n = 1 if single else arrays[prefix + "status"].shape[0]

    def put(name, a):  # as (rows, n): one column per run (a learning rate shared by all runs is repeated)
        cols[name] = np.broadcast_to(a[:, None] if a.ndim == 1 else a, (a.shape[0], n))

    if prefix + "params" in arrays:
        for i, x in enumerate(xs):
            put(x, arrays[prefix + "params"][..., i])
    if prefix + "loss" in arrays:
        put("loss", arrays[prefix + "loss"])
    if prefix + "grad" in arrays:
        for i, x in enumerate(xs):
            put(f"grad_{x}", arrays[prefix + "grad"][..., i])
    if prefix + "grad_norm" in arrays:
        put("grad_norm", arrays[prefix + "grad_norm"])
    put("lr", lr)
    for key in (k for k in arrays if k.startswith(prefix + "state/")):
        for i, x in enumerate(xs):
            put(f"{key[len(prefix) + len('state/'):]}_{x}", arrays[key][..., i])
    return at, n, single, cols


def _csv(record, arrays, fh):
    """Write the per-step table (a trajectory, a race) or the per-epoch table (a training) to ``fh``."""
    w = csv.writer(fh, lineterminator="\n")
    if record.kind == "train":
        keys = [k[len("history/"):] for k in arrays if k.startswith("history/")]
        w.writerow(["epoch", *keys])
        for i, epoch in enumerate(arrays["epochs"].tolist()):
            w.writerow([epoch, *(arrays[f"history/{k}"][i].item() for k in keys)])
        return
    if record.kind == "race":
        members = [(label, f"{i}/") for i, label in enumerate(record.config["optimizers"])]
    else:
        members = [(None, "")]
    tables = [(label, *_trajectory_columns(arrays, prefix, record.config)) for label, prefix in members]
    names = list(dict.fromkeys(name for *_, cols in tables for name in cols))
    single = all(t[3] for t in tables)
    head = (["label"] if record.kind == "race" else []) + ([] if single else ["run"]) + ["step"]
    w.writerow(head + names)
    for label, at, n, _single, cols in tables:
        for r in range(n):
            lead = ([label] if record.kind == "race" else []) + ([] if single else [r])
            columns = [cols.get(name) for name in names]
            for t, step in enumerate(at.tolist()):
                w.writerow(lead + [step] + ["" if a is None or t >= a.shape[0] else a[t, r].item() for a in columns])
