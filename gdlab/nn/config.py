"""Model configuration: architectures and compile settings as JSON-friendly records, and back.

* The module-class registry: :func:`register_module` makes a class known by its name,
  :func:`module_class` finds it again (what :func:`gdlab.nn.load_model` rebuilds from).
  The built-in layers and ``Sequential`` register themselves.
* :func:`layer_config` turns a module into ``{"class": name, "config": module.get_config()}``
  (``get_config()`` returns the constructor's keyword arguments; ``Sequential``'s holds the
  records of its layers) and :func:`layer_from_config` builds the module again
  (``cls.from_config(config)`` where the class has one, else ``cls(**config)``).
* :func:`compile_config` describes what ``Model.compile`` decided (optimizer class and
  hyperparameters, loss, metrics, weight penalty); :func:`compile_from_config` gives back the
  arguments to compile with (:func:`regularizer_from_config` the penalty).

Nothing here reads or writes a file: :mod:`gdlab.nn.saving` does, with these records.
"""

from __future__ import annotations

import inspect
import json

from . import losses as losses_mod
from . import metrics as metrics_mod
from .module import Module

__all__ = ["register_module", "module_class", "layer_config", "layer_from_config", "parameter_shapes", "build",
           "loss_config", "compile_config", "compile_from_config", "regularizer_from_config"]

_MODULES: dict[str, type] = {}


# -----------------------------------------------------------------------------------
# the registry


def register_module(cls):
    """Class decorator: make ``cls`` known to :func:`gdlab.nn.load_model` by its class name.

    ``cls`` must implement ``get_config()`` returning JSON-friendly constructor keyword
    arguments (``cls(**config)`` rebuilds it). Built-in layers are registered already.
    """
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"register_module expects a Module subclass, got {cls!r}")
    name = cls.__name__
    if name in _MODULES and _MODULES[name] is not cls:
        raise ValueError(f"a different module class named {name!r} is registered already")
    _MODULES[name] = cls
    return cls


def module_class(name: str):
    """The registered Module class called ``name`` (ValueError if unknown)."""
    try:
        return _MODULES[name]
    except KeyError:
        raise ValueError(
            f"unknown module class {name!r}; registered: {', '.join(sorted(_MODULES))}. "
            "Register your own with @gdlab.nn.register_module"
        ) from None


# -----------------------------------------------------------------------------------
# architecture


def layer_config(layer) -> dict:
    """``{"class": name, "config": layer.get_config()}`` for a registered Module class."""
    name = type(layer).__name__
    try:
        registered = module_class(name)
    except ValueError:
        registered = None
    if registered is not type(layer):
        raise ValueError(
            f"cannot save the architecture of {name}: its class is not registered. Decorate it with "
            "@gdlab.nn.register_module and give it get_config(), or save only the weights (model.save_weights)"
        )
    get_config = getattr(layer, "get_config", None)
    if get_config is None:
        raise ValueError(
            f"{name} does not describe its architecture (no get_config()); "
            "save its weights with save_weights(path), or implement get_config() and @register_module"
        )
    config = get_config()
    try:
        json.dumps(config)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}.get_config() must return JSON-friendly values: {exc}") from None
    return {"class": name, "config": config}


def _checked_record(cfg):
    if not isinstance(cfg, dict) or not isinstance(cfg.get("class"), str) or not isinstance(cfg.get("config", {}), dict):
        raise ValueError(f"a layer record must be {{'class': name, 'config': {{...}}}}, got {cfg!r:.200}")
    return module_class(cfg["class"]), cfg.get("config", {})


def layer_from_config(cfg) -> Module:
    """The module a :func:`layer_config` record describes (a new one, freshly initialised)."""
    return build(*_checked_record(cfg))


def parameter_shapes(cfg):
    """{parameter name: shape} of the module a :func:`layer_config` record describes, without building it
    (``cls.parameter_shapes(config)``); None where a class cannot tell. A bad record is a ValueError/TypeError."""
    cls, config = _checked_record(cfg)
    return cls.parameter_shapes(config)


def build(cls, config: dict) -> Module:
    """``cls.from_config(config)`` where the class defines it, else ``cls(**config)``."""
    from_config = getattr(cls, "from_config", None)
    return from_config(config) if from_config is not None else cls(**config)


# -----------------------------------------------------------------------------------
# compile settings


def loss_config(loss) -> dict:
    """A Loss's own record; a loss given as a function is ``{"name": "custom", "function": its name}``."""
    if isinstance(loss, losses_mod.Loss):
        return loss.get_config()
    return {"name": "custom", "function": getattr(loss, "__name__", repr(loss))}


def compile_config(compiled) -> dict:
    """``{"optimizer": {"class", "defaults", "noise_seed"}, "loss": ..., "metrics": [[key, config], ...],
    "regularizer": {"name", "rate"}}`` for a model's ``compiled_`` (no "regularizer" without one).
    ``defaults`` is the optimizer's hyperparameters as they are
    (tuples and NumPy values included: the file format encodes them)."""
    opt = compiled.optimizer
    record = {
        "optimizer": {"class": type(opt).__name__, "defaults": opt.defaults, "noise_seed": opt.noise_seed},
        "loss": loss_config(compiled.loss),
        "metrics": [[k, m.get_config()] for k, m in compiled.metrics],
    }
    if compiled.regularizer is not None:  # absent without one: such files are as before regularizers
        record["regularizer"] = compiled.regularizer.get_config()
    return record


def compile_from_config(cfg, custom_objects=None):
    """(optimizer, loss, metrics) to pass to ``Model.compile`` from a :func:`compile_config` record.

    ``custom_objects``: {function name: function} for a loss that was given as a function.
    A record of the wrong form is a ValueError naming the field (``compile.loss: ...``), as are an
    unknown optimizer class, hyperparameters its constructor refuses, and an unresolved custom loss.
    """
    from .. import optim

    def bad(field, problem):
        return ValueError(f"compile.{field}: {problem}")

    if not isinstance(cfg, dict):
        raise ValueError(f"compile: expected a record {{'optimizer': ..., 'loss': ..., 'metrics': ...}}, "
                         f"got {cfg!r:.200}")
    ocfg = cfg.get("optimizer")
    if not isinstance(ocfg, dict) or not isinstance(ocfg.get("class"), str) or not isinstance(ocfg.get("defaults"), dict):
        raise bad("optimizer", f"expected {{'class': name, 'defaults': {{...}}, 'noise_seed': ...}}, got {ocfg!r:.200}")
    cls = getattr(optim, ocfg["class"], None)
    if not (isinstance(cls, type) and issubclass(cls, optim.Optimizer)):
        raise bad("optimizer.class", f"unknown optimizer class {ocfg['class']!r}")
    accepted = inspect.signature(cls.__init__).parameters
    kwargs = {k: v for k, v in ocfg["defaults"].items() if k in accepted}
    if "noise_seed" in accepted:
        kwargs["noise_seed"] = ocfg.get("noise_seed")
    try:
        opt = cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise bad("optimizer.defaults", str(exc)) from None
    loss = cfg.get("loss")
    if not isinstance(loss, dict) or not isinstance(loss.get("name"), str):
        raise bad("loss", f"expected a loss record {{'name': str, ...}}, got {loss!r:.200}")
    if loss["name"] == "custom":
        name = loss.get("function")
        fn = (custom_objects or {}).get(name) if isinstance(name, str) else None
        if fn is None:
            raise bad("loss", f"the loss is the custom function {name!r}: pass it as "
                              f"load_model(path, custom_objects={{{name!r}: fn}})")
        loss = fn
    else:
        try:
            loss = losses_mod.get(loss)
        except (TypeError, ValueError) as exc:
            raise bad("loss", str(exc)) from None
    metrics = cfg.get("metrics", [])
    if not isinstance(metrics, list):
        raise bad("metrics", f"expected a list of [key, record] pairs, got {metrics!r:.200}")
    specs = []
    for i, entry in enumerate(metrics):
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and isinstance(entry[1], dict)):
            raise bad(f"metrics[{i}]", f"expected a [key, record] pair, got {entry!r:.200}")
        try:
            specs.append(_metric_spec(*entry))
        except (TypeError, ValueError) as exc:
            raise bad(f"metrics[{i}]", str(exc)) from None
    return opt, loss, specs


def regularizer_from_config(cfg):
    """The weight penalty of a :func:`compile_config` record (None when it has none, as in files
    written before regularizers existed); a bad record is a ValueError naming ``compile.regularizer``."""
    from . import regularizers

    try:
        return regularizers.get(cfg.get("regularizer") if isinstance(cfg, dict) else None)
    except ValueError as exc:
        raise ValueError(f"compile.regularizer: {exc}") from None


def _metric_spec(key, config):
    """The metric as compile got it: its name when the log key is one (keeps "acc" as "acc"), else the object."""
    return key if key in metrics_mod.names() else metrics_mod.get(config)
