"""Runs of the optimizers whose hyperparameters are not all numbers (None, names, triples) store and re-run exactly."""

import numpy as np
import pytest

import gdlab
from gdlab.store import Store


@pytest.mark.parametrize("name,hp", [("lbfgs", {"line_search_fn": "strong_wolfe"}), ("adafactor", {}),
                                     ("muon", {"lr": 0.02, "ns_coefficients": (3.4, -4.7, 2.0)}),
                                     ("rprop", {"etas": (0.4, 1.3)})])
def test_store_round_trip_and_rerun(tmp_path, name, hp):
    store = Store(tmp_path / "runs.db")
    tr = gdlab.minimize("rosenbrock", [-1.2, 1.0], optimizer=name, steps=40, **hp)
    run_id = store.save(tr)
    np.testing.assert_array_equal(store.load(run_id).params, tr.params)
    np.testing.assert_array_equal(store.rerun(run_id).params, tr.params)
