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


# ---------------------------------------------------------------------------------------------
# the Networks page

Feature = Literal["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"]
DatasetName = Literal["moons", "circles", "spirals", "xor", "blobs", "linear", "polynomial", "sine", "csv"]


class Regularization(BaseModel):
    """A weight penalty added to the loss (``gdlab.nn.regularizers``): L1 ``rate * sum |w|`` or L2
    ``rate / 2 * sum w^2`` over the weights, not the biases; ``kind`` null: none."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"kind": "l1", "rate": 0.001}})

    kind: Optional[Literal["l1", "l2"]] = Field(None, description="'l1', 'l2', or null for none")
    rate: float = Field(0.001, ge=0, le=10, allow_inf_nan=False, description="the penalty's factor")

    def regularizer(self) -> Optional[dict]:
        """The record ``nn.Model.compile(regularizer=...)`` takes, or None."""
        return None if self.kind is None else {"name": self.kind, "rate": self.rate}


class NetworkSettings(BaseModel):
    """The data, the network and its training (``POST /api/train`` and the page's sessions)."""

    model_config = ConfigDict(extra="forbid")

    dataset: DatasetName = Field("moons", description="a 2-D data set, or 'csv' for the points in `csv`")
    csv: Optional[str] = Field(None, max_length=L.MAX_CSV, description="rows x1,x2,label (or target), when "
                               "dataset is 'csv' (a header row is skipped)")
    n_samples: int = Field(200, ge=4, le=L.MAX_SAMPLES)
    noise: float = Field(0.1, ge=0, le=10, allow_inf_nan=False)
    test_fraction: float = Field(0.5, ge=0, le=0.9, allow_inf_nan=False, description="held out as test points")
    data_seed: Seed = 0
    features: list[Feature] = Field(["x1", "x2"], min_length=1, max_length=7)
    hidden: list[Annotated[int, Field(ge=1, le=L.MAX_NEURONS_API)]] = Field([4, 4], max_length=L.MAX_LAYERS,
                                                                            description="neurons per hidden layer")
    activation: Literal["relu", "tanh", "sigmoid", "leaky_relu", "softplus"] = "tanh"
    optimizer: OptimizerSpec = Field(default_factory=lambda: OptimizerSpec(name="adam", lr=0.03))
    compare: list[OptimizerSpec] = Field([], max_length=L.MAX_COPIES - 1, description="more optimizers trained "
                                         "in lockstep from the same weights on the same batches")
    batch_size: Optional[int] = Field(10, ge=1, le=L.MAX_SAMPLES, description="1: SGD; null: the full batch (GD)")
    weight_decay: NonNegative = Field(0.0, description="L2 weight decay (the optimizer's weight_decay)")
    regularization: Optional[Regularization] = Field(None, description="L1 or L2 penalty on the weights, added "
                                                     "to the loss (as TF Playground's Regularization); null: none")
    seed: Seed = Field(0, description="seeds the initial weights and the shuffling")
    grid: int = Field(50, ge=2, le=L.MAX_TRAIN_GRID, description="grid points per side of the boundary")


class TrainRequest(NetworkSettings):
    """``POST /api/train``: train the network with ``fit`` for ``epochs``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "dataset": "moons", "n_samples": 200, "noise": 0.2, "test_fraction": 0.5, "data_seed": 0,
        "features": ["x1", "x2"], "hidden": [8, 8], "activation": "tanh", "optimizer": {"name": "adam", "lr": 0.03},
        "batch_size": 10, "epochs": 100, "weight_decay": 0.0, "regularization": {"kind": "l1", "rate": 0.001},
        "seed": 0}})

    epochs: int = Field(100, ge=1, le=L.MAX_EPOCHS)


class TrainStreamRequest(TrainRequest):
    """``POST /api/train/stream``: the same training, a frame every ``every`` epochs."""

    every: Optional[int] = Field(None, ge=1, le=L.MAX_EPOCHS, description="epochs per frame (default: about "
                                 "50 frames)")


class AdvanceRequest(BaseModel):
    """``POST /api/train/session/{id}/advance``: more epochs for every copy."""

    model_config = ConfigDict(extra="forbid")

    epochs: int = Field(1, ge=1, le=L.MAX_ADVANCE)


class StepRequest(BaseModel):
    """``POST /api/train/session/{id}/step``: the copies ``updates`` updates into the next epoch."""

    model_config = ConfigDict(extra="forbid")

    updates: int = Field(1, ge=1, le=L.MAX_SAMPLES)


class ExplainRequest(BaseModel):
    """``POST /api/train/session/{id}/explain``: one backprop step of one training sample."""

    model_config = ConfigDict(extra="forbid")

    sample: int = Field(0, ge=0)
    copy_: int = Field(0, ge=0, lt=L.MAX_COPIES, alias="copy")
