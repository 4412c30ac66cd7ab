"""The Optimizers page's API: the optimizers and their hyperparameters, races (whole or streamed),
tuning and basin maps. Each route is one library call (see :mod:`gdlab.web.library`)."""

from __future__ import annotations

import functools

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from .. import checks, encode, library
from .. import limits as L
from ..errors import APIError
from ..schemas import BasinsRequest, RaceRequest, StreamRequest, TuneRequest

router = APIRouter(prefix="/api", tags=["optimizers"])

#: numbers per streamed frame, by default
FRAME_NUMBERS = 20_000


@functools.lru_cache(maxsize=1)
def _catalog_bytes() -> bytes:
    return encode.dumps(library.optimizer_catalog())


@router.get("/optimizers", summary="Every optimizer and its hyperparameters")
def optimizers():
    """``[{"name", "rule", "color", "params": [{"name", "kind": "number"|"flag"|"pair", "default"}],
    "defaults", "state": {key: what it holds}, "summary"}]``, read from gdlab.optim's rules."""
    return Response(_catalog_bytes(), media_type="application/json")


# ---------------------------------------------------------------------------------------------
# races


def _prepare_race(body: RaceRequest):
    """(f, X0, specs, record) from a race request, every check done, or an APIError."""
    f = checks.function(body.function)
    X0 = checks.starts(f, body.starts)
    specs = checks.optimizers(body.optimizers)
    n, d = X0.shape
    T = body.steps + 1
    record = ("params", "loss") + tuple(k for k in ("grad", "grad_norm", "state") if k in body.include)
    per_point = d + 1 + (d if "grad" in body.include else 0) + (1 if "grad_norm" in body.include else 0)
    numbers = 0
    for spec in specs.values():
        extra = checks.state_count(spec["optimizer"]) * d if "state" in body.include else 0
        numbers += T * n * (per_point + extra)
    checks.budget(numbers, L.MAX_RACE_NUMBERS, f"a race of {len(specs)} optimizer(s) x {n} start(s) x "
                  f"{body.steps} steps")
    return f, X0, specs, record


def _run_races(f, X0, specs, body, record, deadline):
    return library.race(f, X0, specs, body.steps, tol=body.tol, noise=body.noise, seed=body.seed, record=record,
                        deadline=deadline)


def _run_summary(f, X0, label, spec, t) -> dict:
    """What a run is besides its histories: settings, statuses, the stability bound."""
    hp = {k: v for k, v in t.hyperparameters.items()}
    return {
        "label": label, "optimizer": spec["optimizer"], "hyperparameters": encode.plain(hp),
        "status": t.status.tolist(), "stopped_at": t.stopped_at.tolist(), "final_loss": t.final_loss,
        "stability": library.stability(f, spec["optimizer"], {k: v for k, v in spec.items() if k != "optimizer"},
                                       X0[0], t.final[0]),
    }


def _histories(t, include, a=0, b=None) -> dict:
    """The run's per-step arrays, steps a..b-1 (lr: the updates a..b-1)."""
    out = {"params": t.params[a:b], "loss": t.loss[a:b]}
    if "grad" in include:
        out["grad"] = t.grad[a:b]
    if "grad_norm" in include:
        out["grad_norm"] = t.grad_norm[a:b]
    if "state" in include:
        out["state"] = {k: v[a:b] for k, v in t.state.items()}
    if "lr" in include:
        out["lr"] = t.lr[a:b]
    return out


@router.post("/race", summary="A race of optimizers (gdlab.race)")
async def race(body: RaceRequest, request: Request):
    """Every optimizer from the same starts: ``{"function", "steps", "starts", "runs": [{"label",
    "optimizer", "hyperparameters", "params": [steps+1][n_starts][d], "loss": [steps+1][n_starts],
    "status": [n_starts], "stopped_at": [n_starts], "final_loss", "stability", ...include}]}``.

    The numbers are exactly ``gdlab.race(function, starts, optimizers, steps, tol=, noise=, seed=)``'s
    (floats printed to round-trip; inf and nan as null). ``stability``: ``gdlab.runs.stability`` (the
    largest stable lr for gradient descent and momentum; exact for quadratics, else from the
    Hessian at the known minimum nearest to where the first start's run ended, or at that start).
    """
    f, X0, specs, record = _prepare_race(body)

    def work(deadline):
        trajs = _run_races(f, X0, specs, body, record, deadline)
        runs = [{**_run_summary(f, X0, label, spec, trajs[label]), **_histories(trajs[label], body.include)}
                for label, spec in specs.items()]
        return encode.dumps({"function": library.function_info(f), "steps": body.steps, "starts": X0,
                             "runs": runs})

    return Response(await checks.compute(request, work), media_type="application/json")


def _event(name: str, payload) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + encode.dumps(payload) + b"\n\n"


@router.post("/race/stream", summary="The same race, streamed (server-sent events)",
             response_class=StreamingResponse)
async def race_stream(body: StreamRequest, request: Request):
    """``text/event-stream`` of the race of ``POST /api/race`` (the same body, plus ``chunk``):

    * ``event: start`` — ``{"function", "steps", "starts", "chunk", "runs": [{"label", "optimizer",
      "hyperparameters"}]}``;
    * ``event: frame``, in step order — ``{"from": a, "to": b, "runs": [{"params": [b-a][n][d],
      "loss": [b-a][n], ...include}]}`` for steps a .. b-1 of every run;
    * ``event: end`` — ``{"runs": [{"label", "status", "stopped_at", "final_loss", "stability"}]}``.

    Concatenated, the frames are the histories ``POST /api/race`` returns. Checks and the time
    budget apply before the first byte: a bad request is a 4xx JSON answer, as everywhere.
    """
    f, X0, specs, record = _prepare_race(body)
    n, d = X0.shape
    T = body.steps + 1
    per_step = max(1, len(specs) * n * (d + 1))
    chunk = body.chunk or max(1, min(T, FRAME_NUMBERS // per_step))
    trajs = await checks.compute(request, lambda deadline: _run_races(f, X0, specs, body, record, deadline))

    def frames():  # a plain generator: Starlette iterates it in a worker thread
        yield _event("start", {"function": library.function_info(f), "steps": body.steps, "starts": X0,
                               "chunk": chunk,
                               "runs": [{"label": label, "optimizer": spec["optimizer"],
                                         "hyperparameters": trajs[label].hyperparameters}
                                        for label, spec in specs.items()]})
        for a in range(0, T, chunk):
            b = min(T, a + chunk)
            yield _event("frame", {"from": a, "to": b,
                                   "runs": [_histories(trajs[label], body.include, a, b) for label in specs]})
        yield _event("end", {"runs": [_run_summary(f, X0, label, spec, trajs[label])
                                      for label, spec in specs.items()]})

    return StreamingResponse(frames(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


# ---------------------------------------------------------------------------------------------
# tuning and basins


@router.post("/tune", summary="The best learning rate of each optimizer (gdlab.tune)")
async def tune(body: TuneRequest, request: Request):
    """``gdlab.tune`` with the same budget for every optimizer (same starts, steps, noise, seed,
    tol, the same log-spaced lr grid; objective: final loss gap). An optimizer's ``lr`` is ignored
    (tune chooses it); its other hyperparameters are kept. ``{"lrs", "objective", "steps", "runs":
    [{"label", "optimizer", "best_lr" (null: every lr diverged), "best_score", "scores" (per lr;
    null: diverged), "status", "final_loss"}]}``."""
    f = checks.function(body.function)
    X0 = checks.starts(f, body.starts)
    specs = checks.optimizers(body.optimizers, drop_lr=True)
    n = X0.shape[0]
    k = len(body.lrs) if body.lrs else 25
    checks.budget((body.steps + 1) * n * k, L.MAX_TUNE_NUMBERS, f"tuning over {k} learning rates x {n} start(s) x "
                  f"{body.steps} steps")

    def work(deadline):
        result = library.tune(f, X0, specs, body.steps, lrs=body.lrs, tol=body.tol, noise=body.noise,
                              seed=body.seed, deadline=deadline)
        runs = []
        for label, spec in specs.items():
            t = result.race.get(label)
            runs.append({"label": label, "optimizer": spec["optimizer"], "best_lr": result.best_lr[label],
                         "best_score": result.best_score[label], "scores": result.scores[label],
                         "status": None if t is None else t.status.tolist(),
                         "final_loss": None if t is None else t.final_loss})
        return encode.dumps({"lrs": result.lrs, "objective": result.objective, "steps": body.steps, "runs": runs})

    return Response(await checks.compute(request, work), media_type="application/json")


@router.post("/basins", summary="A basin-of-attraction map for one optimizer")
async def basins(body: BasinsRequest, request: Request):
    """Starts on a grid x grid lattice over the function's bounds, each run with the optimizer;
    ``gdlab.viz.basins`` says which known minimum it reached and after how many steps:
    ``{"x": [grid], "y": [grid], "label": [grid][grid] (index into minima, -1: none),
    "steps": [grid][grid] (-1: none), "minima", "share", "tol", "status": {status: count}}``
    (row i is y[i]). Needs a 2-D function with known minima."""
    f = checks.function(body.function)
    if f.dim != 2:
        raise APIError("function", f"{f.name!r} has {f.dim} variable(s); a basin map needs a 2-D function")
    if len(f.minima) == 0:
        raise APIError("function", f"{f.name!r} has no known minima; a basin map colours each start by the "
                       "minimum it reaches (try himmelblau, six_hump_camel or rastrigin)")
    spec = checks.optimizer(body.optimizer, "optimizer")
    label = body.optimizer.label or spec["optimizer"]
    g = body.grid
    checks.budget((body.steps + 1) * g * g * 2, L.MAX_BASIN_NUMBERS, f"a basin map of {g}x{g} starts x "
                  f"{body.steps} steps")

    def work(deadline):
        out = library.basins(f, label, spec, body.steps, g, tol=body.tol, noise=body.noise, seed=body.seed,
                             deadline=deadline)
        res, run = out["basins"], out["run"]
        statuses, counts = np.unique(run.status, return_counts=True)
        return encode.dumps({"x": out["x"], "y": out["y"], "label": res.label.reshape(g, g),
                             "steps": res.steps.reshape(g, g), "minima": res.minima, "share": res.share,
                             "tol": res.tol, "optimizer": label, "hyperparameters": run.hyperparameters,
                             "status": {str(s): int(c) for s, c in zip(statuses, counts)}})

    return Response(await checks.compute(request, work), media_type="application/json")

