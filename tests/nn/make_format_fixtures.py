"""The saved-file fixtures of tests/nn/test_saving.py (``test_files_of_the_first_format_...``):

    python tests/nn/make_format_fixtures.py     # writes tests/nn/fixtures/format1_{model,weights}.npz

The files in the repository were written by gdlab at commit c531875, before the nn package was split
into Model, Trainer, config and saving; the test loads them with today's code and checks that today's
code, given the same recipe, writes the same header and the same arrays, bit for bit.
"""

from __future__ import annotations

import os

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
MODEL, WEIGHTS = os.path.join(HERE, "format1_model.npz"), os.path.join(HERE, "format1_weights.npz")
EPOCHS = 3


def recipe_data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(48, 5))
    y = (x[:, 0] - x[:, 2] > 0).astype(int) + (x[:, 1] > 0.7).astype(int)
    return x, y


def recipe_model():
    """A compiled Sequential (fused softmax, SGD with Nesterov momentum and weight decay, two metric keys),
    untrained. (SGD's rule computes exactly as it did at c531875; Adam's now follows torch's operation
    order, which moves float32 results by an ulp, so a file trained by Adam then cannot be matched bit
    for bit by training now.)"""
    from gdlab import nn, optim

    model = nn.Sequential(nn.Linear(5, 12, seed=0, init="he_normal"), nn.LeakyReLU(0.05),
                          nn.Linear(12, 8, seed=1), nn.Tanh(), nn.Linear(8, 3, seed=2), nn.Softmax())
    model.compile(optim.SGD(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3), "sparse_categorical_crossentropy",
                  ["acc", "sparse_categorical_accuracy"])
    return model


def recipe_fit(model, epochs=EPOCHS):
    x, y = recipe_data()
    return model.fit(x, y, epochs=epochs, batch_size=10, validation_split=0.25, verbose=0, seed=42)


def main():
    os.makedirs(HERE, exist_ok=True)
    model = recipe_model()
    recipe_fit(model)
    model.save(MODEL)
    model.save_weights(WEIGHTS)
    print("wrote", MODEL, WEIGHTS)


if __name__ == "__main__":
    main()
