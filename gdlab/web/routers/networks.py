"""The Networks page's API: small networks on 2-D data trained with ``gdlab.nn``'s ``fit``.

* ``POST /api/train`` — train for ``epochs``: the history and the output over the plane;
* ``POST /api/train/stream`` — the same training as server-sent events, a frame every few epochs;
* ``POST /api/train/session`` and ``.../{id}/advance`` — the page's play, epoch and reset: the
  copies live on the server (:mod:`gdlab.web.sessions`) and each request trains more epochs;
  ``.../{id}/step`` (the copies a few updates into the next epoch, for "one step"),
  ``.../{id}/model`` (the ``model.save`` file), ``.../{id}/history`` (JSON or CSV),
  ``.../{id}/explain`` (``nn.explain_backprop`` of one training sample).

Every copy is a :class:`gdlab.nn.playground.Playground` copy: ``nn.mlp`` compiled and trained by
``fit``, so the numbers are those of the same model trained with ``fit``.
"""

from __future__ import annotations

import csv
import io

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from .. import checks, encode, library
from .. import limits as L
from ..errors import APIError
from ..schemas import AdvanceRequest, ExplainRequest, NetworkSettings, StepRequest, TrainRequest, TrainStreamRequest

router = APIRouter(prefix="/api", tags=["networks"])

HINT = "use fewer epochs, samples, neurons or optimizers, or a larger batch size"
PAGE_GRID = 40        # boundary grid per side in the page's frames
NEURON_GRID = 20      # per-neuron heat maps, per side


# ---------------------------------------------------------------------------------------------
# from a request to a Playground


def _labels(specs) -> list[str]:
    counts, out = {}, []
    for spec in specs:
        counts[spec.name.lower()] = counts.get(spec.name.lower(), 0) + 1
    for spec in specs:
        label = spec.label or spec.name.lower()
        if spec.label is None and counts[spec.name.lower()] > 1:
            label += f" lr={spec.hyperparameters().get('lr', 'default')}"
        base, k = label, 2
        while label in out:
            label, k = f"{base} #{k}", k + 1
        out.append(label)
    return out


def _prepare(body: NetworkSettings, neurons: int):
    """(data, Playground settings, labels) from a request, every check done, or an APIError."""
    for i, h in enumerate(body.hidden):
        if h > neurons:
            raise APIError(f"hidden[{i}]", f"a hidden layer has at most {neurons} neurons here, got {h}")
    if body.dataset == "csv" and not (body.csv or "").strip():
        raise APIError("csv", "the CSV text is required when dataset is 'csv' (rows x1,x2,label)")
    if len(set(body.features)) != len(body.features):
        raise APIError("features", f"features must be distinct, got {body.features!r}")
    try:
        data = library.network_data(body.dataset, body.n_samples, body.noise, body.data_seed, body.csv,
                                    max_samples=L.MAX_SAMPLES, max_bytes=L.MAX_CSV)
    except (ValueError, TypeError) as exc:
        raise APIError("csv" if body.dataset == "csv" else "dataset", checks._one_line(exc)) from None
    specs = [checks.optimizer(body.optimizer, "optimizer")]
    specs += [checks.optimizer(s, f"compare[{i}]") for i, s in enumerate(body.compare)]
    n = len(data.y)
    n_test = 0 if not body.test_fraction else int(np.ceil(round(body.test_fraction * n, 9)))
    if body.test_fraction and n - n_test < 1:
        raise APIError("test_fraction", f"test_fraction {body.test_fraction:g} of {n} samples leaves no "
                       "training sample")
    settings = dict(features=list(body.features), hidden=list(body.hidden), activation=body.activation,
                    optimizers=specs, batch_size=body.batch_size, test_fraction=body.test_fraction,
                    data_seed=body.data_seed, seed=body.seed, weight_decay=body.weight_decay,
                    regularizer=body.regularization.regularizer() if body.regularization else None)
    return data, settings, _labels([body.optimizer, *body.compare])


def _build(data, settings):
    def work(deadline):
        return library.playground(data, **settings)

    return work


def _describe(pg, labels) -> dict:
    """What a training is besides its numbers."""
    return {"task": pg.task, "classes": pg.classes, "sizes": list(pg.sizes), "features": list(pg.features),
            "loss": pg.loss, "metrics": pg.metrics, "steps_per_epoch": pg.steps_per_epoch,
            "batch_size": pg.batch_size, "n_train": len(pg.x_train),
            "n_test": 0 if pg.x_test is None else len(pg.x_test), "bounds": pg.bounds,
            "regularization": None if pg.regularizer is None else {"kind": pg.regularizer.name,
                                                                   "rate": pg.regularizer.rate},
            "runs": [{"label": label, "optimizer": spec["optimizer"],
                      "hyperparameters": {k: v for k, v in spec.items() if k != "optimizer"}}
                     for label, spec in zip(labels, pg.optimizers)]}


def _grid(pg, n, z) -> dict:
    gx, gy = pg.axes(n)
    return {"x": gx, "y": gy, "z": z}


# ---------------------------------------------------------------------------------------------
# whole and streamed


@router.post("/train", summary="Train a small network on 2-D data (gdlab.nn fit)")
async def train(body: TrainRequest, request: Request):
    """``{"history": {"loss", "val_loss", "accuracy", "val_accuracy"} (per epoch; regression: "r2",
    "val_r2"), "grid": {"x", "y", "z"} (the output after the last epoch: P(class 1) for two
    classes, the most likely class for more, the prediction for a target; row i is y[i]),
    "epochs", "updates", "task", "sizes", ..., "runs": [{"label", "optimizer", "hyperparameters",
    "history", "z"}] (every copy, the first being the top-level one)}``.

    The numbers are those of ``nn.mlp(sizes, activation, seed=seed)`` compiled with the optimizer
    (and ``regularizer={"name": kind, "rate": rate}`` for ``"regularization"``) and trained by
    ``fit(epochs=, batch_size=, validation_data=test part, seed=seed)`` on the standardised,
    feature-expanded training points (see :mod:`gdlab.nn.playground`).
    """
    data, settings, labels = _prepare(body, L.MAX_NEURONS_API)

    def work(deadline):
        pg = library.playground(data, **settings)
        pg.advance(body.epochs, check=deadline.check)
        grids = pg.grid(body.grid)
        info = _describe(pg, labels)
        for run, hist, z in zip(info["runs"], pg.history, grids):
            run.update(history=hist, z=z)
        return encode.dumps({"history": pg.history[0], "grid": _grid(pg, body.grid, grids[0]),
                             "epochs": pg.epoch, "updates": pg.updates, **info})

    return Response(await checks.compute(request, work, field="epochs", hint=HINT), media_type="application/json")


def _event(name: str, payload) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + encode.dumps(payload) + b"\n\n"


@router.post("/train/stream", summary="The same training, streamed (server-sent events)",
             response_class=StreamingResponse)
async def train_stream(body: TrainStreamRequest, request: Request):
    """``text/event-stream`` of the training of ``POST /api/train`` (the same body, plus ``every``):

    * ``event: start`` — ``{"epochs", "every", "task", "sizes", "bounds", "runs": [{"label", ...}], ...}``;
    * ``event: frame``, in order — ``{"from": a, "to": b, "updates", "grid": {"x", "y"},
      "runs": [{"history": {key: [values of epochs a .. b-1]}, "z"}]}``;
    * ``event: end`` — ``{"epochs", "updates"}``; or ``event: error`` — ``{"error", "field"}``
      when the time budget runs out mid-stream.

    The training runs while it streams: each frame is sent as soon as its epochs are trained.
    Concatenated, the frames' histories are those of ``POST /api/train``.
    """
    data, settings, labels = _prepare(body, L.MAX_NEURONS_API)
    pg = await checks.compute(request, _build(data, settings), field="epochs", hint=HINT)
    every = body.every or max(1, -(-body.epochs // 50))
    budget = request.app.state.lab.time_budget

    def frames():  # a plain generator: Starlette runs each step in a worker thread
        deadline = library.Deadline(budget)
        gx, gy = pg.axes(body.grid)
        yield _event("start", {"epochs": body.epochs, "every": every, **_describe(pg, labels)})
        for a in range(0, body.epochs, every):
            k = min(every, body.epochs - a)
            try:
                logs = pg.advance(k, check=deadline.check)
            except library.BudgetExceeded as exc:
                yield _event("error", {"error": f"epochs: {exc}; {HINT}", "field": "epochs"})
                return
            yield _event("frame", {"from": a, "to": a + k, "updates": pg.updates, "grid": {"x": gx, "y": gy},
                                   "runs": [{"history": h, "z": z} for h, z in zip(logs, pg.grid(body.grid))]})
        yield _event("end", {"epochs": pg.epoch, "updates": pg.updates})

    return StreamingResponse(frames(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


# ---------------------------------------------------------------------------------------------
# the page's sessions


def _frame(pg, since: int, models=None, partial: int = 0) -> dict:
    """The page's view after an advance: histories since epoch ``since``, every copy's boundary,
    the first copy's neurons and weights (outputs rounded to 4 decimals: they are drawn, not read).
    With ``models`` (``pg.peek(partial)``): their view ``partial`` updates into the next epoch."""
    grids = pg.grid(PAGE_GRID, models=models)
    return {"epoch": pg.epoch, "updates": pg.updates + partial, "partial": partial, "from": since,
            "runs": [{"history": {k: v[since:] for k, v in h.items()}, "z": np.round(z, 4)}
                     for h, z in zip(pg.history, grids)],
            "neurons": [np.round(layer, 4) for layer in pg.neurons(NEURON_GRID, models=models)],
            "weights": pg.weights(models=models)}


def _session(request, sid: str):
    s = request.app.state.sessions.get(sid)
    if s is None:
        raise APIError("id", f"no training session {sid!r} (it ended or was idle too long); start a new one "
                       "(POST /api/train/session)", status=404)
    return s


def _points(x, y):
    return None if x is None else {"x": x, "y": y}


@router.post("/train/session", summary="Start a training session (the page's network)")
async def session_start(body: NetworkSettings, request: Request):
    """A network and its copies at epoch 0, kept on the server: ``{"id", "frame", "points":
    {"train": {"x", "y"}, "test"}, "grid": {"x", "y"}, "neuron_grid": {"x", "y"}, "task", "sizes",
    "runs", ...}``. Neurons per hidden layer: at most 8 (the page's limit)."""
    data, settings, labels = _prepare(body, L.MAX_NEURONS_PAGE)
    sessions = request.app.state.sessions

    def work(deadline):
        pg = library.playground(data, **settings)
        sid = sessions.add({"pg": pg, "labels": labels})
        return encode.dumps({"id": sid, **_describe(pg, labels), "frame": _frame(pg, 0),
                             "points": {"train": _points(pg.x_train, pg.y_train),
                                        "test": _points(pg.x_test, pg.y_test)},
                             "grid": _grid(pg, PAGE_GRID, None), "neuron_grid": _grid(pg, NEURON_GRID, None),
                             "explainable": sum(pg.hidden) <= L.MAX_EXPLAIN_NEURONS})

    return Response(await checks.compute(request, work, field="hidden", hint=HINT), media_type="application/json")


@router.post("/train/session/{sid}/advance", summary="Train a session's copies for more epochs")
async def session_advance(sid: str, body: AdvanceRequest, request: Request):
    """``fit`` for ``epochs`` more epochs of every copy, in lockstep: the new frame (histories since
    the last epoch, boundaries, neurons, weights). At most 5,000 epochs in all."""
    s = _session(request, sid)
    sessions = request.app.state.sessions

    def work(deadline):
        with s.lock:
            pg = s.value["pg"]
            if pg.epoch + body.epochs > L.MAX_EPOCHS:
                raise APIError("epochs", f"the session is at epoch {pg.epoch}; at most {L.MAX_EPOCHS:,} epochs "
                               "are allowed in all (reset to start again)")
            since = pg.epoch
            try:
                pg.advance(body.epochs, check=deadline.check)
            except library.BudgetExceeded:
                sessions.drop(sid)  # the copies stopped mid-epoch, out of step: the session ends
                raise
            return encode.dumps(_frame(pg, since))

    return Response(await checks.compute(request, work, field="epochs", hint=HINT), media_type="application/json")


@router.post("/train/session/{sid}/step", summary="The copies a few updates into the next epoch")
async def session_step(sid: str, body: StepRequest, request: Request):
    """The page's "one step": the view of every copy ``updates`` updates into the next epoch
    (``Playground.peek``: copies of the models, saved and loaded, trained by ``fit`` for that many
    updates), the session itself staying at its epoch: ``advance`` then trains the whole epoch,
    through the same weights. ``{"partial": updates, "updates", "epoch", "runs": [{"z"}], ...}``."""
    s = _session(request, sid)

    def work(deadline):
        with s.lock:
            pg = s.value["pg"]
            if body.updates > pg.steps_per_epoch:
                raise APIError("updates", f"an epoch has {pg.steps_per_epoch} update(s); updates must be in "
                               f"[1, {pg.steps_per_epoch}]")
            if pg.epoch + 1 > L.MAX_EPOCHS:
                raise APIError("epochs", f"the session is at epoch {pg.epoch}; at most {L.MAX_EPOCHS:,} epochs "
                               "are allowed in all (reset to start again)")
            models = pg.peek(body.updates, check=deadline.check)
            return encode.dumps(_frame(pg, pg.epoch, models=models, partial=body.updates))

    return Response(await checks.compute(request, work, field="updates", hint=HINT), media_type="application/json")


@router.delete("/train/session/{sid}", summary="End a training session")
def session_end(sid: str, request: Request):
    return {"ended": request.app.state.sessions.drop(sid)}


def _copy(s, copy: int) -> int:
    n = len(s.value["pg"].models)
    if not 0 <= copy < n:
        raise APIError("copy", f"copy must be in [0, {n - 1}] (the session trains {n} network(s)), got {copy}")
    return copy


@router.get("/train/session/{sid}/model", summary="Download a copy's model (model.save's .npz)")
async def session_model(sid: str, request: Request, copy: int = Query(0)):
    """The trained model as ``model.save`` writes it (load it with ``gdlab.nn.load_model``)."""
    s = _session(request, sid)
    i = _copy(s, copy)

    def work(deadline):
        with s.lock:
            return library.model_bytes(s.value["pg"].models[i])

    data = await checks.compute(request, work)
    label = "".join(c if c.isalnum() else "-" for c in s.value["labels"][i])
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="gdlab-network-{label}.npz"'})


@router.get("/train/session/{sid}/history", summary="Download the histories (JSON or CSV)")
def session_history(sid: str, request: Request, format: str = Query("json")):
    """JSON ``{"epochs", "updates", "runs": [{"label", "optimizer", "hyperparameters", "history"}]}``,
    or CSV with one row per copy and epoch: ``label,epoch,loss,...``."""
    s = _session(request, sid)
    if format not in ("json", "csv"):
        raise APIError("format", f"format must be 'json' or 'csv', got {format!r}")
    with s.lock:
        pg, labels = s.value["pg"], s.value["labels"]
        info = _describe(pg, labels)
        runs = [{**run, "history": {k: list(v) for k, v in h.items()}} for run, h in zip(info["runs"], pg.history)]
        epochs, updates = pg.epoch, pg.updates
    if format == "json":
        return Response(encode.dumps({"epochs": epochs, "updates": updates, "runs": runs}),
                        media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="gdlab-network-history.json"'})
    keys = list(runs[0]["history"]) if runs else []
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["label", "epoch", *keys])
    for run in runs:
        h = run["history"]
        for e in range(epochs):
            w.writerow([run["label"], e + 1, *(repr(h[k][e]) for k in keys)])
    return Response(out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="gdlab-network-history.csv"'})


@router.post("/train/session/{sid}/explain", summary="One backprop step, factor by factor")
async def session_explain(sid: str, body: ExplainRequest, request: Request):
    """``nn.explain_backprop`` of training sample ``sample`` for copy ``copy`` at its lr (a net
    of at most 8 hidden neurons): ``{"text", "forward", "factors": [[name, [[factor, value]]]],
    "gradients", "updated", "max_abs_error", "lr", "x", "y"}``. The loss explained is
    E = 1/2 sum (y - y_pred)^2 on the network's output, as the function defines it."""
    s = _session(request, sid)
    i = _copy(s, body.copy_)
    pg = s.value["pg"]
    if sum(pg.hidden) > L.MAX_EXPLAIN_NEURONS:
        raise APIError("hidden", f"Explain step takes a net of at most {L.MAX_EXPLAIN_NEURONS} hidden neurons, "
                       f"this one has {sum(pg.hidden)}")
    if body.sample >= len(pg.x_train):
        raise APIError("sample", f"sample must be in [0, {len(pg.x_train) - 1}], got {body.sample}")

    def work(deadline):
        with s.lock:
            e = pg.explain(body.sample, copy=i)
            x, y = pg.train_data
            return encode.dumps({"text": e.text, "forward": e.forward,
                                 "factors": [[k, [[n, v] for n, v in fs]] for k, fs in e.factors.items()],
                                 "gradients": e.gradients, "updated": e.updated, "max_abs_error": e.max_abs_error,
                                 "lr": e.lr, "x": x[body.sample], "y": y[body.sample],
                                 "point": pg.x_train[body.sample]})

    return Response(await checks.compute(request, work), media_type="application/json")
