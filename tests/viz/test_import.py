"""gdlab stays light: no matplotlib or plotly until a figure is drawn; no pyplot, no backend change."""

import subprocess
import sys
import textwrap

import pytest


def _run(code):
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_import_gdlab_does_not_load_matplotlib_or_plotly():
    out = _run("""
        import sys, gdlab
        print(sorted(m for m in ("matplotlib", "plotly", "PIL") if m in sys.modules))
    """)
    assert out == "[]"


def test_import_gdlab_viz_is_light_too():
    out = _run("""
        import sys, gdlab.viz
        print(sorted(m for m in ("matplotlib", "plotly", "PIL") if m in sys.modules))
    """)
    assert out == "[]"


def test_figures_never_use_pyplot_nor_change_the_backend():
    out = _run("""
        import sys, matplotlib
        matplotlib.use("svg")              # the user's choice
        import numpy as np, gdlab.viz as viz
        f = lambda x: x[..., 0] ** 2 + 3 * x[..., 1] ** 2
        fig = viz.contour(f, np.array([[1.5, 1.0], [0.5, 0.1], [0.0, 0.0]]), bounds=[[-2, 2], [-2, 2]])
        viz.to_array(fig)
        print(matplotlib.get_backend(), "matplotlib.pyplot" in sys.modules)
    """)
    assert out == "svg False"


def test_every_public_name_resolves():
    import gdlab.viz as viz
    for name in viz.__all__:
        assert getattr(viz, name) is not None, name
    assert set(viz.__all__) <= set(dir(viz))
    with pytest.raises(AttributeError):
        viz.no_such_function
