"""gdlab against PyTorch on every case and kink of the op table, in float64, to about 1e-12 relative.

Two sources for PyTorch's numbers: the stored fixture torch_reference.npz (written by make_fixtures.py;
always run, so the suite passes without torch), and torch itself where it is installed.
"""

import os

import numpy as np
import pytest
from tests.autodiff.op_table import instances, run_gdlab

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_reference.npz")
INSTANCES = instances()
RTOL = 1e-12


def assert_matches(what, got, want):
    """Elementwise |got - want| <= RTOL * (|want| + max |want|): relative, with a floor at the array's
    scale for elements that cancel to almost nothing. Non-finite values must match exactly."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, PyTorch {want.shape}"
    finite = np.isfinite(want)
    np.testing.assert_array_equal(got[~finite], want[~finite], err_msg=what)
    scale = np.max(np.abs(want[finite]), initial=0.0)
    np.testing.assert_allclose(got[finite], want[finite], rtol=RTOL, atol=RTOL * scale, err_msg=what)


def compare(inst, inputs, weights, out_ref, grads_ref):
    with np.errstate(divide="ignore", invalid="ignore"):
        out, _, grads = run_gdlab(inst, inputs=inputs, weights=weights)
    assert_matches(f"{inst.id}: value", out, out_ref)
    for k, (g, ref) in enumerate(zip(grads, grads_ref)):
        assert_matches(f"{inst.id}: gradient of input {k}", g, ref)


# --- the stored fixture ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture():
    with np.load(FIXTURE) as data:
        return {key: data[key] for key in data.files}


def test_fixture_is_small_and_matches_the_table(fixture):
    assert os.path.getsize(FIXTURE) < 1024 * 1024
    stored = {key.split("|")[0] for key in fixture if key != "__meta__"}
    table = {inst.id for inst in INSTANCES}
    assert stored == table, (
        "torch_reference.npz is out of date with op_table.py (run tests/autodiff/make_fixtures.py): "
        f"missing {sorted(table - stored)[:5]}, stale {sorted(stored - table)[:5]}")
    for inst in INSTANCES:  # the inputs the table draws are the ones PyTorch saw
        for k, a in enumerate(inst.inputs):
            np.testing.assert_array_equal(fixture[f"{inst.id}|in{k}"], a, err_msg=inst.id)


@pytest.mark.parametrize("inst", INSTANCES, ids=[i.id for i in INSTANCES])
def test_matches_stored_pytorch_reference(inst, fixture):
    n = len(inst.inputs)
    compare(inst, [fixture[f"{inst.id}|in{k}"] for k in range(n)], fixture[f"{inst.id}|w"],
            fixture[f"{inst.id}|out"], [fixture[f"{inst.id}|g{k}"] for k in range(n)])


# --- live PyTorch --------------------------------------------------------------------------------

@pytest.mark.parametrize("inst", INSTANCES, ids=[i.id for i in INSTANCES])
def test_matches_live_pytorch(inst):
    pytest.importorskip("torch")
    from tests.autodiff.op_table import run_torch

    out, w, grads = run_torch(inst)
    compare(inst, inst.inputs, w, out, grads)


def test_live_pytorch_agrees_with_the_fixture(fixture):
    # a fixture written by another torch version must still describe today's torch
    pytest.importorskip("torch")
    from tests.autodiff.op_table import run_torch

    for inst in INSTANCES:
        out, _, grads = run_torch(inst)
        np.testing.assert_allclose(out, fixture[f"{inst.id}|out"], rtol=RTOL, atol=1e-15, err_msg=inst.id)
        for k, g in enumerate(grads):
            np.testing.assert_allclose(g, fixture[f"{inst.id}|g{k}"], rtol=RTOL, atol=1e-15, err_msg=inst.id)
