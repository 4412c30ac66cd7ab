"""Suite-wide settings."""

import os

# engine="auto" means NumPy in the suite (GDLAB_ENGINE, see gdlab.runs.compiled): compiling a program costs
# seconds, so the compiled engine is exercised by its own tests (tests/runs/test_compiled.py), which compile a
# chosen set of programs and compare them with the NumPy engine.
os.environ.setdefault("GDLAB_ENGINE", "numpy")
