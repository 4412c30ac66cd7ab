"""gdlab's gallery: every experiment of the five seed articles, and the showcases, in one command.

``gdlab demo [--out DIR] [--only NAMES] [--quick] [--list]`` runs the registered experiments and writes
their figures, animations and interactive reports into DIR with an ``index.html`` that shows each
figure beside the numbers it reproduces: the seed's value, gdlab's value, and "corrected" where the
seed is wrong. From Python::

    from gdlab import demo
    report = demo.run_gallery("gallery", demo.select(["seed000_x2", "003"]), quick=True)
    report.index_path, [r.status for r in report.results]

Each experiment is one small function registered with :func:`experiment` in the module of its seed
(``seeds/seed000.py`` .. ``seeds/seed004.py``, which also hold all seed-specific code) or in ``beyond``;
its docstring is the card's title and explanation, and it reports through a :class:`Context`.
"""

from ._core import GROUPS, Context, Experiment, Number, Result, experiment
from ._runner import Report, experiments, names, print_list, print_summary, run_gallery, run_one, select

__all__ = [
    "GROUPS", "Context", "Experiment", "Number", "Result", "experiment",
    "Report", "experiments", "names", "select", "run_one", "run_gallery", "print_list", "print_summary",
]
