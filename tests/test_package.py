"""The package's own promises: a light import, lazy subpackages, the top-level names."""

import subprocess
import sys

import pytest

import gdlab

HEAVY = ("matplotlib", "plotly", "PIL", "rich", "click", "torch", "scipy")


def test_import_gdlab_loads_numpy_and_nothing_heavier():
    code = (
        "import sys, gdlab; "
        f"heavy = [m for m in sys.modules if m.split('.')[0] in {HEAVY!r}]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("name", ["minimize", "race", "lr_sweep", "tune", "Trajectory", "expr", "analyze",
                                  "stability", "classify_point", "regression_loss", "SGD", "Adam", "AdamW",
                                  "Lion", "clip_grad_norm_"])
def test_lazy_top_level_names_resolve(name):
    assert callable(getattr(gdlab, name))
    assert name in dir(gdlab)


@pytest.mark.parametrize("name", ["optim", "functions", "runs", "nn", "datasets", "numdiff"])
def test_subpackages_are_reachable_as_attributes(name):
    assert getattr(gdlab, name).__name__ == f"gdlab.{name}"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'minimise'"):
        gdlab.minimise  # noqa: B018


def test_version_matches_the_package_metadata():
    from importlib.metadata import version

    assert gdlab.__version__ == version("gdlab")
