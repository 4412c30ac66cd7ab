"""gdlab.sweeps: grids of runs or trainings, on this machine or on a Dask cluster, kept in the run store.

>>> result = gdlab.sweep({"function": "rosenbrock", "optimizer": ["gd", "momentum", "adam"],
...                       "lr": {"log": [1e-4, 1e-1, 7]}, "steps": 500}, store="runs.db")
>>> result.best()                 # {"rosenbrock / adam": {... "lr": ..., "score": ...}, ...}
>>> result.to_dict()["rows"]      # one row per task: its settings, status, final loss, score, run id

- :mod:`.grid`: a grid (key -> values, lists or log ranges) expanded into tasks (plain dicts);
- :mod:`.tasks`: ``run_chunk(tasks)``, the one function that runs tasks (a vectorised array
  program for tasks sharing a function and an optimizer; ``gdlab.minimize`` or the training
  recipe otherwise), and ``plan``, which groups tasks into chunks from the tasks alone;
- :mod:`.backends`: local, processes (concurrent.futures), dask (distributed): they only
  distribute chunks, so the numbers are the same on each; :class:`Processes` made once and
  passed as ``backend=`` keeps its workers warm across sweeps;
- :mod:`.summary`: a task's status, final loss and score, computed where it ran;
- :mod:`.sweep`: the driver (retry once, record failures, resume, Ctrl-C) and :class:`GridResult`.

dask is imported only by the dask backend (``pip install 'gdlab[cluster]'``).
"""

from .backends import BACKENDS, Dask, Processes
from .grid import MAX_TASKS, GridError, expand, grid_values
from .sweep import GridResult, sweep
from .tasks import CHUNK_ROWS, CHUNK_TASKS, plan, run_chunk

__all__ = ["sweep", "GridResult", "expand", "grid_values", "GridError", "plan", "run_chunk", "BACKENDS", "Processes", "Dask",
           "MAX_TASKS", "CHUNK_TASKS", "CHUNK_ROWS"]
