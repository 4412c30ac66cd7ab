"""The Keras-style calls as functions of the model: ``compile(model, ...)`` is ``model.compile(...)``.

Kept for code written against the first gdlab.nn, where any Module could be compiled. The
training itself lives in :class:`gdlab.nn.Model` (compile, state) and
:class:`gdlab.nn.trainer.Trainer` (the loop); these functions only check that ``model``
is a Model and call its method.
"""

from __future__ import annotations

from .model import Model

__all__ = ["compile", "fit", "evaluate", "predict", "summary"]


def _model(model, what):
    if not isinstance(model, Model):
        raise TypeError(f"{what} needs a gdlab.nn.Model (a Sequential, an mlp or a subclass of nn.Model), "
                        f"got {type(model).__name__}")
    return model


def compile(model, optimizer="adam", loss="mse", metrics=None, **optimizer_overrides):
    """``model.compile(...)``: see :meth:`gdlab.nn.Model.compile`."""
    return _model(model, "compile").compile(optimizer, loss, metrics, **optimizer_overrides)


def fit(model, x, y, **kwargs):
    """``model.fit(x, y, ...)``: see :meth:`gdlab.nn.Model.fit`."""
    return _model(model, "fit").fit(x, y, **kwargs)


def evaluate(model, x, y, batch_size=None, verbose=0):
    """``model.evaluate(x, y, ...)``: see :meth:`gdlab.nn.Model.evaluate`."""
    return _model(model, "evaluate").evaluate(x, y, batch_size=batch_size, verbose=verbose)


def predict(model, x, batch_size=None):
    """``model.predict(x, ...)``: see :meth:`gdlab.nn.Model.predict`."""
    return _model(model, "predict").predict(x, batch_size=batch_size)


def summary(model, input_features=None, print_fn=print):
    """``model.summary(...)``: see :meth:`gdlab.nn.Model.summary`."""
    return _model(model, "summary").summary(input_features=input_features, print_fn=print_fn)
