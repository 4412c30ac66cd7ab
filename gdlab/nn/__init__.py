"""gdlab.nn: layers, losses, metrics, initialisers, models, and training both ways.

PyTorch style (the loop written out)::

    model = gdlab.nn.Sequential(gdlab.nn.Linear(2, 16, seed=0), gdlab.nn.ReLU(), gdlab.nn.Linear(16, 1, seed=1))
    opt = gdlab.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(100):
        opt.zero_grad()
        loss = gdlab.nn.losses.mse(model(x), y)
        loss.backward()
        opt.step()

Keras style (the same loop inside ``fit``; ``Sequential``, ``mlp`` and subclasses of
``Model`` train this way, a bare layer does not)::

    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=100, batch_size=32, validation_split=0.2, seed=0)
    model.evaluate(x_test, y_test); model.predict(x_new); model.summary()
    model.save("model.npz"); model = gdlab.nn.load_model("model.npz")

dtype: float32 by default (``dtype="float64"`` per layer, or in ``mlp``); float32 stays
float32 end to end. Weights of ``Linear`` are (in_features, out_features), the
transpose of PyTorch's layout.

Modules, each importing only those before it: :mod:`~gdlab.nn.init`, :mod:`~gdlab.nn.losses`,
:mod:`~gdlab.nn.metrics`, :mod:`~gdlab.nn.regularizers` (L1/L2 penalties on the weights),
:mod:`~gdlab.nn.callbacks` (and ``CallbackList``), :mod:`~gdlab.nn.progress`;
:mod:`~gdlab.nn.module` (``Module``: parameters, forward, state); :mod:`~gdlab.nn.config` (the
module registry, architecture and compile records); :mod:`~gdlab.nn.layers`;
:mod:`~gdlab.nn.trainer` (the loop: ``train_step``, ``test_step``, callbacks, validation);
:mod:`~gdlab.nn.saving` (files); :mod:`~gdlab.nn.model` (``Model``, ``Sequential``, ``mlp``);
:mod:`~gdlab.nn.training` (compile/fit/... as functions); :mod:`~gdlab.nn.explain`
(backpropagation step by step); :mod:`~gdlab.nn.landscape` (the loss on lines and planes through
the weights) and :mod:`~gdlab.nn.curvature` (Hessian-vector products, eigenvalues, sharpness),
above ``model``.
"""

from . import callbacks, init, losses, metrics, regularizers
from .callbacks import (Callback, CallbackList, EarlyStopping, History, LambdaCallback, LearningRateScheduler,
                        ModelCheckpoint, TerminateOnNaN, WeightHistory)
from .config import register_module
from .explain import BackpropExplanation, explain_backprop
from .layers import Flatten, Identity, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Softplus, Tanh, get_activation
from .model import Model, Sequential, mlp
from .module import Module
from .saving import ModelFileError, load_model, save_model
from .trainer import Trainer
from . import curvature, landscape  # noqa: E402  (loss landscapes and curvature, above model)

__all__ = [
    "Module", "Model", "Trainer", "register_module", "Linear", "Sequential", "mlp", "Flatten",
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softplus", "Softmax", "Identity", "get_activation",
    "losses", "metrics", "init", "callbacks", "regularizers",
    "Callback", "CallbackList", "History", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler", "WeightHistory",
    "TerminateOnNaN", "LambdaCallback",
    "load_model", "save_model", "ModelFileError", "explain_backprop", "BackpropExplanation",
    "landscape", "curvature",
]
