"""What each kind of result becomes in the store, and back: Trajectory, race, History.

``entry(obj, ...)`` turns a result into an :class:`Entry` (the configuration to re-run it,
its status and final metrics, the columns the listing shows, and its arrays);
``restore(...)`` builds the result back from the stored parts; ``rerun(...)`` runs the
configuration again through the library call that made it (``gdlab.minimize``,
``gdlab.race``, or the training recipe).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..functions import Function, NotRebuildable, function_from_spec, function_spec
from ..nn import History
from ..runs import Trajectory
from ..runs import minimize as run_minimize
from ..runs import race as run_race
from . import _codec
from ._errors import NotRerunnable, StoreError

__all__ = ["Entry", "entry", "restore", "rerun", "failed_entry"]

_HISTORIES = ("params", "loss", "grad", "grad_norm")
#: The keys of a race's configuration that every one of its runs shares.
_SHARED = ("function", "x0", "steps", "tol", "noise", "seed", "schedule", "batch_size", "sampling", "gradient",
           "clip_grad_norm", "divergence_bound", "record", "record_every")


@dataclass
class Entry:
    kind: str
    config: dict
    status: str
    metrics: dict
    arrays: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    label: str | None = None
    problem: str | None = None
    optimizer: str | None = None
    steps: int | None = None
    n_runs: int | None = None
    final_loss: float | None = None
    not_rerunnable: str | None = None
    error: str | None = None


# -----------------------------------------------------------------------------------------
# helpers


def _float(v):
    return None if v is None else float(v)


def _best(values):
    """The smallest finite value, else the first value (inf or nan), else None."""
    a = np.asarray(values, dtype=np.float64).ravel()
    if a.size == 0:
        return None
    finite = a[np.isfinite(a)]
    return float(finite.min()) if finite.size else float(a[0])


def _common_status(statuses):
    s = set(np.asarray(statuses).ravel().tolist())
    return s.pop() if len(s) == 1 else "mixed"


def _problem(t):
    f = t.function
    return getattr(f, "name", None)


# -----------------------------------------------------------------------------------------
# Trajectory (kinds minimize and sweep_task; a race holds several)


def _trajectory_parts(t: Trajectory, prefix: str, spec_of):
    cfg = t.config(function_spec=spec_of(t.function))
    why = cfg.pop("rerun")
    arrays = {}
    for name in _HISTORIES:
        value = getattr(t, name)
        if value is not None:
            arrays[prefix + name] = value
    arrays[prefix + "lr"] = t.lr
    for k, v in t.state.items():
        if v is not None:
            arrays[prefix + "state/" + k] = v
    arrays[prefix + "status"] = np.asarray(t.status)
    arrays[prefix + "stopped_at"] = np.asarray(t.stopped_at)
    arrays[prefix + "final"] = np.asarray(t.final)
    arrays[prefix + "final_loss"] = np.asarray(t.final_loss, dtype=np.float64)
    meta = {"single": t.single, "gradient": t.gradient, "wall_time": t.wall_time, "state": list(t.state),
            "state_descriptions": dict(t.state_descriptions), "hyperparameters": list(t.hyperparameters),
            "subset_of": t.subset_of, "schedule": t.schedule if not callable(t.schedule) else cfg["schedule"],
            "record_note": t.record_note}
    return cfg, why, arrays, meta


def _trajectory_metrics(t: Trajectory) -> dict:
    if t.single:
        out = {"final_loss": float(t.final_loss), "final": np.asarray(t.final).tolist(), "status": t.status,
               "stopped_at": int(t.stopped_at)}
        if t.grad_norm is not None:
            out["final_grad_norm"] = float(t.grad_norm[t.stopped_at])
        return out
    fl = np.asarray(t.final_loss, dtype=np.float64)
    finite = fl[np.isfinite(fl)]
    out = {"final_loss": _best(fl), "final_loss_median": float(np.median(finite)) if finite.size else None,
           "final_loss_max": float(finite.max()) if finite.size else None,
           "best_run": int(np.nanargmin(np.where(np.isfinite(fl), fl, np.inf))) if finite.size else None}
    for s in ("converged", "diverged", "max_steps"):
        out[s] = int(np.sum(t.status == s))
    return out


def _trajectory_entry(t: Trajectory, kind: str, spec_of) -> Entry:
    cfg, why, arrays, meta = _trajectory_parts(t, "", spec_of)
    return Entry(kind=kind, config=cfg, status=t.status if t.single else _common_status(t.status),
                 metrics=_trajectory_metrics(t), arrays=arrays, meta={"trajectory": meta}, label=t.label,
                 problem=_problem(t), optimizer=t.optimizer, steps=t.steps, n_runs=t.n_runs,
                 final_loss=_best(t.final_loss), not_rerunnable=why)


def _restore_trajectory(cfg: dict, arrays: dict, meta: dict, prefix: str, function) -> Trajectory:
    single = bool(meta["single"])
    hp = {"lr": cfg["lr"], **cfg["hyperparameters"]}
    hp = {k: hp[k] for k in meta["hyperparameters"]} if set(meta["hyperparameters"]) == set(hp) else hp
    status = arrays[prefix + "status"]
    stopped = arrays[prefix + "stopped_at"]
    final_loss = arrays[prefix + "final_loss"]
    if single:
        status, stopped, final_loss = str(status[()]), int(stopped[()]), float(final_loss[()])
    x0 = cfg["x0"]
    return Trajectory(
        params=arrays.get(prefix + "params"), loss=arrays.get(prefix + "loss"), grad=arrays.get(prefix + "grad"),
        grad_norm=arrays.get(prefix + "grad_norm"), lr=arrays[prefix + "lr"],
        state={k: arrays[prefix + "state/" + k] for k in meta["state"] if prefix + "state/" + k in arrays},
        status=status, stopped_at=stopped, final=arrays[prefix + "final"], final_loss=final_loss,
        steps=cfg["steps"], optimizer=cfg["optimizer"], hyperparameters=hp, function=function,
        label=cfg["label"], x0=x0, single=single, tol=cfg["tol"], noise=cfg["noise"], seed=cfg["seed"],
        batch_size=cfg["batch_size"], divergence_bound=cfg["divergence_bound"], gradient=meta["gradient"],
        wall_time=meta["wall_time"], state_descriptions=meta["state_descriptions"], schedule=meta["schedule"],
        clip_grad_norm=cfg["clip_grad_norm"], sampling=cfg["sampling"],
        record=None if cfg["record"] is None else tuple(cfg["record"]), subset_of=meta["subset_of"],
        record_every=cfg.get("record_every") or 1, record_note=meta.get("record_note"),
    )


def _function(spec, given):
    if given is not None:
        return given
    try:
        return function_from_spec(spec)
    except NotRebuildable:
        return None


def _minimize_kwargs(cfg: dict) -> dict:
    kw = {k: v for k, v in cfg.items() if k not in ("function", "x0", "hyperparameters", "task")}
    if kw.get("sampling") is None:
        kw.pop("sampling", None)
    if kw.get("record") is not None:
        kw["record"] = tuple(kw["record"])
    return kw


# -----------------------------------------------------------------------------------------
# race: dict label -> Trajectory


def _race_entry(race: dict, spec_of) -> Entry:
    labels = list(race)
    parts = [_trajectory_parts(race[label], f"{i}/", spec_of) for i, label in enumerate(labels)]
    first = parts[0][0]
    shared = {k: first[k] for k in _SHARED}
    shared_text = _codec.dumps(shared)
    for label, (cfg, *_rest) in zip(labels, parts):
        if _codec.dumps({k: cfg[k] for k in _SHARED}) != shared_text:
            differ = [k for k in _SHARED if _codec.dumps(cfg[k]) != _codec.dumps(first[k])]
            raise StoreError(f"these trajectories are not one race: {label!r} differs from {labels[0]!r} in "
                             f"{', '.join(differ)}; save them one by one")
    optimizers = {}
    for label, (cfg, *_rest) in zip(labels, parts):
        optimizers[label] = {"optimizer": cfg["optimizer"], "lr": cfg["lr"], **cfg["hyperparameters"]}
        if cfg["label"] != label:
            raise StoreError(f"race entry {label!r} holds a trajectory labelled {cfg['label']!r}; "
                             "a race maps each label to its own run")
    config = {**shared, "optimizers": optimizers}
    arrays = {}
    for _cfg, _why, arr, _meta in parts:
        arrays.update(arr)
    whys = [(label, p[1]) for label, p in zip(labels, parts) if p[1] is not None]
    why = f"{whys[0][0]}: {whys[0][1]}" if whys else None
    runs = [race[label] for label in labels]
    finals = {label: _float(_best(t.final_loss)) for label, t in race.items()}
    statuses = {label: (t.status if t.single else _common_status(t.status)) for label, t in race.items()}
    finite = {k: v for k, v in finals.items() if v is not None and math.isfinite(v)}
    metrics = {"best": min(finite, key=finite.get) if finite else None, "final_loss": _best(list(finals.values())),
               "labels": {label: {"final_loss": finals[label], "status": statuses[label]} for label in labels}}
    return Entry(kind="race", config=config, status=_common_status(list(statuses.values())), metrics=metrics,
                 arrays=arrays, meta={"labels": labels, "trajectories": [p[3] for p in parts]}, label="race",
                 problem=_problem(runs[0]), optimizer=",".join(dict.fromkeys(t.optimizer for t in runs)),
                 steps=runs[0].steps, n_runs=sum(t.n_runs for t in runs), final_loss=metrics["final_loss"],
                 not_rerunnable=why)


def _restore_race(config, arrays, meta, function):
    f = _function(config["function"], function)
    out = {}
    shared = {k: config[k] for k in _SHARED}
    for i, (label, tmeta) in enumerate(zip(meta["labels"], meta["trajectories"])):
        spec = dict(config["optimizers"][label])
        cfg = {**shared, "optimizer": spec.pop("optimizer"), "lr": spec.pop("lr"), "hyperparameters": spec,
               "label": label}
        out[label] = _restore_trajectory(cfg, arrays, tmeta, f"{i}/", f)
    return out


# -----------------------------------------------------------------------------------------
# train: a History


def _spec_dict(spec):
    if spec is None or isinstance(spec, dict):
        return spec
    for name in ("to_dict", "asdict", "model_dump"):
        method = getattr(spec, name, None)
        if callable(method):
            out = method()
            if isinstance(out, dict):
                return out
    import dataclasses

    if dataclasses.is_dataclass(spec) and not isinstance(spec, type):
        return dataclasses.asdict(spec)
    raise TypeError(f"config must be a dict (a TrainSpec-like description of the training), got {type(spec).__name__}")


def _describe_model(model):
    """What the trained model says about itself (informative; re-running uses the spec)."""
    if model is None:
        return None, None
    arch = None
    try:
        arch = {"class": type(model).__name__, "config": model.get_config()}
        _codec.dumps(arch)
    except (NotImplementedError, ValueError, TypeError, AttributeError):
        arch = {"class": type(model).__name__}
    opt = getattr(model, "optimizer", None)
    compiled = None
    if opt is not None:
        compiled = {"optimizer": type(opt).__name__}
        try:
            compiled["hyperparameters"] = {k: v for k, v in dict(opt.defaults).items()}
            _codec.dumps(compiled)
        except (TypeError, ValueError, AttributeError):
            compiled.pop("hyperparameters", None)
        loss = getattr(model, "loss", None)
        get_config = getattr(loss, "get_config", None)
        if callable(get_config):
            try:
                compiled["loss"] = get_config()
                _codec.dumps(compiled)
            except (TypeError, ValueError):
                compiled.pop("loss", None)
    return arch, compiled


def _train_entry(history: History, spec, model) -> Entry:
    spec = _spec_dict(spec)
    model = model if model is not None else getattr(history, "model", None)
    arch, compiled = _describe_model(model)
    fit = dict(history.params or {})
    config = {"spec": spec, "fit": fit, "model": arch, "compile": compiled}
    keys = list(history.history)
    arrays = {f"history/{k}": np.asarray(v, dtype=np.float64) for k, v in history.history.items()}
    arrays["step_losses"] = np.asarray(history.step_losses, dtype=np.float64)
    arrays["epochs"] = np.asarray(history.epochs, dtype=np.int64)
    metrics = {k: float(v[-1]) for k, v in history.history.items() if len(v)}
    metrics["epochs_trained"] = len(history.epochs)
    metrics["updates"] = len(history.step_losses)
    final = metrics.get("loss")
    asked = fit.get("epochs")
    if final is not None and not math.isfinite(final):
        status = "diverged"
    elif isinstance(asked, int) and len(history.epochs) < asked:
        status = "stopped"
    else:
        status = "completed"
    spec = spec or {}
    problem = spec.get("dataset") if isinstance(spec.get("dataset"), str) else None
    optimizer = spec.get("optimizer") if isinstance(spec.get("optimizer"), str) else (
        compiled or {}).get("optimizer")
    why = None if spec else ("no training spec was saved with it: save it as store.save(history, config=spec) "
                             "with the recipe's TrainSpec (or its dict)")
    return Entry(kind="train", config=config, status=status, metrics=metrics, arrays=arrays,
                 meta={"history": keys}, label=spec.get("label") if isinstance(spec.get("label"), str) else problem,
                 problem=problem, optimizer=optimizer, steps=len(history.epochs), n_runs=1, final_loss=final,
                 not_rerunnable=why)


def _restore_history(config, arrays, meta) -> History:
    h = History()
    h.history = {k: arrays[f"history/{k}"].tolist() for k in meta["history"]}
    h.step_losses = arrays["step_losses"].tolist()
    h.epochs = arrays["epochs"].tolist()
    h.params = dict(config.get("fit") or {})
    return h


def _history_of(result):
    if isinstance(result, History):
        return result
    h = getattr(result, "history", None)
    if isinstance(h, History):
        return h
    if isinstance(result, (tuple, list)):
        for item in result:
            if isinstance(item, History):
                return item
    raise StoreError(f"the trainer returned {type(result).__name__}, not a gdlab.nn History "
                     "(or something holding one as .history)")


# -----------------------------------------------------------------------------------------
# the public face of this module


def entry(obj, *, kind=None, config=None, model=None, spec_of=function_spec) -> Entry:
    """The stored form of a result: a Trajectory, a race (dict label -> Trajectory) or a History."""
    if isinstance(obj, Trajectory):
        kind = kind or "minimize"
        if kind not in ("minimize", "sweep_task"):
            raise StoreError(f"a Trajectory is stored as kind 'minimize' or 'sweep_task', not {kind!r}")
        if config is not None or model is not None:
            raise TypeError("config= and model= are for training Histories; a Trajectory carries its configuration")
        return _trajectory_entry(obj, kind, spec_of)
    if isinstance(obj, dict) and obj and all(isinstance(v, Trajectory) for v in obj.values()):
        if kind not in (None, "race"):
            raise StoreError(f"a race (dict label -> Trajectory) is stored as kind 'race', not {kind!r}")
        return _race_entry(obj, spec_of)
    history = obj if isinstance(obj, History) else getattr(obj, "history", None)
    if isinstance(history, History):
        if kind not in (None, "train"):
            raise StoreError(f"a training History is stored as kind 'train', not {kind!r}")
        if config is None and not isinstance(obj, History):
            config = getattr(obj, "spec", None)
        if model is None and not isinstance(obj, History):
            model = getattr(obj, "model", None)
        return _train_entry(history, config, model)
    raise TypeError(f"store.save takes what gdlab.minimize, gdlab.race or model.fit return (a Trajectory, a dict "
                    f"label -> Trajectory, a History), got {type(obj).__name__}")


def failed_entry(task, error, kind="sweep_task") -> Entry:
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return Entry(kind=kind, config={"task": task}, status="failed", metrics={}, error=message,
                 not_rerunnable=f"it failed ({message})")


def restore(kind, config, arrays, meta, function=None):
    """The result as saved (function: the objective to attach when the stored one was a callable)."""
    if kind in ("minimize", "sweep_task"):
        return _restore_trajectory(config, arrays, meta["trajectory"], "", _function(config["function"], function))
    if kind == "race":
        return _restore_race(config, arrays, meta, function)
    if kind == "train":
        return _restore_history(config, arrays, meta)
    raise StoreError(f"unknown run kind {kind!r}")


def rerun(kind, config, trainer=None):
    """Run the stored configuration again (the caller checked that it can be re-run)."""
    if kind in ("minimize", "sweep_task"):
        f = function_from_spec(config["function"])
        return run_minimize(f, config["x0"], **_minimize_kwargs(config), **config["hyperparameters"])
    if kind == "race":
        f = function_from_spec(config["function"])
        kw = _minimize_kwargs({k: config[k] for k in _SHARED})
        steps, tol, noise, seed = (kw.pop(k) for k in ("steps", "tol", "noise", "seed"))
        return run_race(f, config["x0"], {k: dict(v) for k, v in config["optimizers"].items()}, steps, tol=tol,
                        noise=noise, seed=seed, **kw)
    if kind == "train":
        if trainer is None:
            try:
                from ..nn.recipe import train as trainer
            except ImportError:
                raise NotRerunnable("re-running a training needs the training recipe gdlab.nn.recipe.train(spec), "
                                    "which this gdlab lacks; pass rerun(id, trainer=fn)") from None
        return _history_of(trainer(config["spec"]))
    raise StoreError(f"unknown run kind {kind!r}")
