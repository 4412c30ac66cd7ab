"""Suite-wide settings."""

import os

import pytest

# engine="auto" means NumPy in the suite (GDLAB_ENGINE, see gdlab.runs.compiled): compiling a program costs
# seconds, so the compiled engine is exercised by its own tests (tests/runs/test_compiled.py), which compile a
# chosen set of programs and compare them with the NumPy engine.
os.environ.setdefault("GDLAB_ENGINE", "numpy")


@pytest.fixture(autouse=True)
def _run_store_in_tmp(tmp_path, monkeypatch):
    """No test writes the user's run store (~/.gdlab/runs.db): $GDLAB_STORE points into the test's folder."""
    monkeypatch.setenv("GDLAB_STORE", str(tmp_path / "gdlab-runs.db"))
