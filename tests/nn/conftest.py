import numpy as np
import pytest

from gdlab.autodiff.check import gradcheck


def module_gradcheck(module, x, **kw):
    """gradcheck d(sum(w * module(x)))/d(x and every parameter), in float64."""
    named = module.named_parameters()

    def owner(name):
        *path, attr = name.split(".")
        mod = module
        for p in path:
            mod = getattr(mod, p)
        return mod, attr

    originals = [p for _, p in named]

    def f(xt, *params):
        for (name, _), p in zip(named, params):
            mod, attr = owner(name)
            setattr(mod, attr, p)
        return module(xt)

    try:
        return gradcheck(f, x, *[p.data.astype(np.float64) for p in originals], **kw)
    finally:
        for (name, _), p in zip(named, originals):
            mod, attr = owner(name)
            setattr(mod, attr, p)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
