"""gdlab.runs: vectorized optimization runs, trajectories, sweeps, tuning and analysis.

- ``minimize(f, x0, optimizer="gd", steps=100, lr=None, tol=None, noise=None, seed=None, **hp)``
  -> :class:`Trajectory` (one start or n starts as one array program).
- ``race(f, x0, optimizers={label: {...}}, steps=...)`` -> dict label -> Trajectory.
- ``lr_sweep(f, x0, optimizer, lrs, steps=...)`` -> :class:`SweepResult` (all lrs in one program).
- ``tune(f, x0, optimizers, steps=...)`` -> :class:`TuneResult` (a documented fair protocol).
- ``classify_point(f, x)``, ``stability(f, optimizer, lr)``, ``analyze(trajectory)``.
- ``distance_to_minimum(points, minima)``, ``nearest_minimum``; ``grid_starts(bounds, n)`` and
  ``basins(run)``: which minimum each start reaches, and how fast.

The optimizers' maths is gdlab.optim's (one rule per optimizer); this layer only loops,
records and stops.
"""

from .analysis import (KINDS, Basins, CriticalPoint, RunAnalysis, StabilityReport, analyze, basins, classify_point,
                       distance_to_minimum, grid_starts, nearest_minimum, stability)
from .minimize import RECORDABLE, SCHEDULES, minimize, race
from .sweep import DEFAULT_LRS, OBJECTIVES, SweepResult, TuneResult, lr_sweep, tune
from .trajectory import STATUSES, Race, Trajectory

__all__ = [
    "minimize", "race", "lr_sweep", "tune", "Trajectory", "Race", "SweepResult", "TuneResult",
    "classify_point", "CriticalPoint", "stability", "StabilityReport", "analyze", "RunAnalysis",
    "distance_to_minimum", "nearest_minimum", "grid_starts", "basins", "Basins",
    "STATUSES", "KINDS", "RECORDABLE", "SCHEDULES", "DEFAULT_LRS", "OBJECTIVES",
]
