"""The request bodies, as pydantic models: types, ranges and lengths are checked (422 naming the
field) before a route runs; FastAPI's /docs shows them. What only the library can check (a
function name, a hyperparameter's range, a start's dimension) the routers check next, through
:mod:`gdlab.web.library`, with the same error shape."""

from __future__ import annotations

import re
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import limits as L

Finite = Annotated[float, Field(allow_inf_nan=False)]
Point = Annotated[list[Finite], Field(min_length=1, max_length=L.MAX_DIM)]
FunctionText = Annotated[str, Field(min_length=1, max_length=L.MAX_FORMULA,
                                    description="A catalog name (e.g. 'rosenbrock', 'sphere:dim=3') or a formula "
                                                "in x, y, z (e.g. 'sin(x)*cos(y) + 0.1*(x**2 + y**2)')")]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]

_KEY = re.compile(r"[A-Za-z_]\w{0,39}")


class OptimizerSpec(BaseModel):
    """One optimizer of a race: its name and any of its hyperparameters (``lr``, ``momentum``,
    ``betas``, ``eps``, ``nesterov``, ...; see ``GET /api/optimizers``), plus an optional label."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"example": {"name": "adam", "lr": 0.05}})

    name: str = Field(min_length=1, max_length=40, description="an optimizer of GET /api/optimizers")
    label: Optional[str] = Field(None, min_length=1, max_length=80, description="unique within the race; "
                                 "default: the name (with its hyperparameters when a name comes twice)")

    @model_validator(mode="after")
    def _hyperparameter_values(self):
        for key, value in (self.model_extra or {}).items():
            if not _KEY.fullmatch(key):
                raise ValueError(f"{key!r} is not a hyperparameter name")
            ok = isinstance(value, (bool, int, float)) or (
                isinstance(value, list) and len(value) == 2
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value))
            if not ok:
                raise ValueError(f"hyperparameter {key}: expected a number, true/false or a pair of numbers, "
                                 f"got {value!r}"[:200])
        return self

    def hyperparameters(self) -> dict:
        """The hyperparameters given (pairs as tuples, as gdlab.optim takes them)."""
        return {k: tuple(v) if isinstance(v, list) else v for k, v in (self.model_extra or {}).items()}


class RunSettings(BaseModel):
    """What every run of a request shares."""

    model_config = ConfigDict(extra="forbid")

    function: FunctionText
    starts: Optional[Annotated[list[Point], Field(min_length=1, max_length=L.MAX_STARTS)]] = Field(
        None, description="start points [[x, y], ...]; default: the function's start")
    steps: int = Field(500, ge=1, le=L.MAX_STEPS)
    noise: Optional[NonNegative] = Field(None, description="std of Gaussian noise added to every gradient")
    seed: Optional[Seed] = Field(None, description="seed of the noise")
    tol: Optional[Positive] = Field(None, description="stop a run as converged when |grad| < tol")


class RaceRequest(RunSettings):
    """``POST /api/race``: several optimizers from the same starts (``gdlab.race``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "function": "rosenbrock", "starts": [[-1.5, 2.0]], "steps": 500,
        "optimizers": [{"name": "gd", "lr": 0.001}, {"name": "momentum", "lr": 0.001}, {"name": "adam", "lr": 0.05}],
        "noise": None, "seed": None, "tol": None}})

    optimizers: list[OptimizerSpec] = Field(min_length=1, max_length=L.MAX_OPTIMIZERS)
    include: list[Literal["grad", "grad_norm", "state", "lr"]] = Field(
        [], description="histories to send besides params and loss")


class StreamRequest(RaceRequest):
    """``POST /api/race/stream``: the race, streamed as server-sent events."""

    chunk: Optional[int] = Field(None, ge=1, le=L.MAX_STEPS, description="steps per frame (default: about "
                                 "20,000 numbers per frame)")


class TuneRequest(RunSettings):
    """``POST /api/tune``: ``gdlab.tune`` — the best lr of each optimizer under the same budget."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "function": "rosenbrock", "starts": [[-1.5, 2.0]], "steps": 500,
        "optimizers": [{"name": "gd"}, {"name": "momentum"}, {"name": "adam"}]}})

    optimizers: list[OptimizerSpec] = Field(min_length=1, max_length=L.MAX_OPTIMIZERS)
    lrs: Optional[Annotated[list[Positive], Field(min_length=1, max_length=L.MAX_TUNE_LRS)]] = Field(
        None, description="the learning rates tried (default: 25 log-spaced from 1e-5 to 10)")


class BasinsRequest(BaseModel):
    """``POST /api/basins``: which minimum each start of a grid reaches with one optimizer."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "function": "himmelblau", "optimizer": {"name": "momentum", "lr": 0.001}, "steps": 300, "grid": 50}})

    function: FunctionText
    optimizer: OptimizerSpec
    steps: int = Field(300, ge=1, le=L.MAX_STEPS)
    grid: int = Field(50, ge=2, le=L.MAX_BASIN_GRID, description="start points per side")
    noise: Optional[NonNegative] = None
    seed: Optional[Seed] = None
    tol: Optional[Positive] = None


class ParseRequest(BaseModel):
    """``POST /api/parse``: does this formula (or name) parse?"""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"formula": "sin(x)*cos(y)"}})

    formula: str = Field(max_length=L.MAX_FORMULA)


class SurfaceRequest(BaseModel):
    """``POST /api/surface``: the function's values on a grid, for the contour map or 3-D view."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"function": "himmelblau", "n": 120}})

    function: FunctionText
    n: int = Field(121, ge=2, le=L.MAX_SURFACE_GRID, description="grid points per side")
    bounds: Optional[Annotated[list[Annotated[list[Finite], Field(min_length=2, max_length=2)]],
                               Field(min_length=1, max_length=2)]] = Field(
        None, description="[[xmin, xmax], [ymin, ymax]]; default: the function's")
