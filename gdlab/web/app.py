"""``create_app()``: the FastAPI application — routers per area, the static front end, errors as JSON."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import gdlab

from . import errors, limits
from .routers import functions, meta, networks, optimizers, pages
from .sessions import Sessions

STATIC = Path(__file__).resolve().parent / "static"


@dataclass
class LabSettings:
    """Per-app settings the routes read from ``request.app.state.lab``."""

    time_budget: float
    limiter: anyio.CapacityLimiter


def create_app(*, time_budget: float = limits.TIME_BUDGET, workers: int | None = None) -> FastAPI:
    """The gdlab lab as an ASGI app (``uvicorn.run(create_app())``, or FastAPI's TestClient).

    ``time_budget``: seconds of computation one request may use; ``workers``: computations that
    may run at once (default: the number of CPUs, at least 2); the others wait their turn.
    """
    if not time_budget > 0:
        raise ValueError(f"time_budget must be > 0 seconds, got {time_budget!r}")
    workers = workers or max(2, os.cpu_count() or 2)
    app = FastAPI(
        title="gdlab lab", version=gdlab.__version__,
        description="The JSON API of `gdlab serve`: the function catalog, formula parsing, optimizer races "
                    "(whole or streamed), tuning and basin maps, and small networks trained with gdlab.nn (whole, streamed "
                    "or step by step in a session). Every number is the gdlab library's. "
                    "Errors are `{\"error\": message, \"field\": name}` with a 4xx status.",
    )
    app.state.lab = LabSettings(float(time_budget), anyio.CapacityLimiter(int(workers)))
    app.state.sessions = Sessions(limits.MAX_SESSIONS, limits.SESSION_IDLE)
    errors.install(app)
    app.add_middleware(errors.BodyLimit, max_bytes=limits.MAX_BODY)
    for area in (meta, functions, optimizers, networks, pages):
        app.include_router(area.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
