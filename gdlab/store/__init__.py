"""gdlab.store: the run store, one SQLite file of runs you can list, load, re-run and compare.

>>> from gdlab.store import Store
>>> store = Store()                                   # ~/.gdlab/runs.db, or $GDLAB_STORE, or Store(path)
>>> run_id = store.save(gdlab.minimize("rosenbrock", [-1.5, 2], "adam", lr=0.05, steps=2000))
>>> store.runs(kind="minimize", where="final_loss < 1e-6")     # RunRecord rows, newest first
>>> store.load(run_id)                                # the Trajectory, bit for bit
>>> store.rerun(run_id)                               # gdlab.minimize again: the same numbers

What a run holds: its id (8 hex digits), kind ("minimize", "race", "sweep_task", "train"),
the UTC time it was saved, the gdlab version, the configuration that re-runs it (JSON: the
objective as a catalog name, formula or data, the starts, the optimizer and every
hyperparameter with its defaults, steps, tol, noise, seed, schedule, clipping, what was
recorded; for a training, the training spec), its status, final metrics, your tags, an
optional group (a sweep), and its arrays (the trajectory or the training history) as a
NumPy .npz blob read with ``allow_pickle=False``. Nothing is ever pickled.

The file is SQLite in WAL mode: many processes can save into one file at once (each save is
one transaction; ``with store.batch():`` makes many saves one). Errors are
:class:`StoreError` (a ValueError): :class:`CorruptStoreError` for a file that is not a run
store or is damaged, :class:`NewerSchemaError` for one written by a newer gdlab (never
reset), :class:`RunNotFound`, :class:`NotRerunnable`.
"""

from ._codec import config_hash
from ._db import KINDS, SCHEMA_VERSION
from ._errors import CorruptStoreError, NewerSchemaError, NotRerunnable, RunNotFound, StoreError
from .store import DEFAULT_LIMIT, GroupRecord, RunRecord, Store, default_path

__all__ = ["Store", "RunRecord", "GroupRecord", "StoreError", "CorruptStoreError", "NewerSchemaError",
           "RunNotFound", "NotRerunnable", "config_hash", "default_path", "KINDS", "SCHEMA_VERSION",
           "DEFAULT_LIMIT"]
