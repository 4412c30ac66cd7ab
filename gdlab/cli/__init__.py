"""The ``gdlab`` command line: parses, calls the layers, prints. No maths here.

Commands (``gdlab COMMAND --help`` shows each with examples), one module each in this package::

    gdlab functions [NAME]             the catalog, or one function (formula, parameters, minima, bounds)
    gdlab minimize TARGET [options]    one optimizer from one or more starts
    gdlab race TARGET -o gd,adam ...   several optimizers from the same start(s), optionally tuned
    gdlab tune TARGET -o gd,adam ...   each optimizer's best learning rate (gdlab.tune's protocol)
    gdlab sweep TARGET --lrs 1e-4:1:20 final loss against learning rate; --grid KEY=V1,V2 for any grid,
                                       on processes or a Dask cluster (--backend, --scheduler)
    gdlab animate TARGET OUT.gif       a run or a race drawn step by step (GIF, MP4, HTML player)
    gdlab train --dataset moons ...    a small network trained Keras-style, with a progress bar
    gdlab landscape MODEL.npz -d NAME  a saved model's training loss on a plane through its weights
    gdlab runs list|show|compare|export|rm   the run store (runs kept by --save, sweeps' tasks)
    gdlab demo [--out DIR]             the gallery: every seed experiment and the showcases
    gdlab serve [--port 8765] [--open] the browser lab (needs gdlab[web])

``TARGET`` is a catalog name (``gdlab functions`` lists them), a name with parameters
(``sphere:dim=5``) or a formula in x, y, z (or x0..xn), e.g. ``"x**2 - y**2"``.

Options mean the same in every command: ``-o/--optimizer NAME[:KEY=VALUE...]`` (comma-separated or
repeated where a command runs several; ``--optimizers`` is the same option), ``--lr``, ``-p/--param
KEY=VALUE`` (a tuple as ``betas=0.9,0.99``), ``--steps``, ``--start`` (repeatable), ``--noise``,
``--seed``, ``--tol``, and the outputs ``--plot``, ``--animate``, ``--html``, ``--json`` (``--curves``
for train); ``--save`` keeps the run in the run store and prints its id, ``--store PATH`` names the store
(default ``$GDLAB_STORE``, else ``~/.gdlab/runs.db``).

Errors: bad input (an unknown name, a formula that does not parse, a malformed or out-of-range
option, an unwritable output path) ends the command with ONE line on stderr starting
``gdlab: error:`` and exit status 2, before any work. An error of the work itself is a bug in
gdlab: one line starting ``gdlab: internal error:``, exit status 1. Ctrl-C ends it with
``gdlab: interrupted`` and exit status 130. ``GDLAB_DEBUG=1`` shows tracebacks. Every output file
is written all or nothing (temporary files renamed into place when all of them are written).

A new command is one new module here defining a click command named ``command``, and its name
in :data:`COMMANDS`. What the commands share (parsers, options, formatting, the error handling
of :class:`~gdlab.cli.common.GdlabGroup`) is in :mod:`gdlab.cli.common`.
"""

from __future__ import annotations

import importlib
import sys

try:
    import click
except ImportError:  # pragma: no cover - exercised only without the cli extra
    click = None

__all__ = ["app", "main", "COMMANDS"]

# the command modules of this package, each defining ``command``; `gdlab --help` lists them by name
COMMANDS = ("functions", "minimize", "race", "tune", "sweep", "animate", "train", "landscape", "runs", "demo", "serve")


def _missing_click():
    sys.stderr.write("gdlab: the command line needs click and rich: pip install 'gdlab[cli]'\n")
    return 2  # common.EXIT_USAGE (common needs click)


if click is not None:
    from .common import CONTEXT, GdlabGroup

    @click.group(cls=GdlabGroup, context_settings=CONTEXT)
    @click.version_option(package_name="gdlab", message="gdlab %(version)s")
    def app():
        """gdlab, the Gradient Descent Lab: gradient descent from first principles, made visible.

        \b
        Examples:
          gdlab functions
          gdlab minimize rosenbrock --optimizer adam --lr 0.01 --steps 500 --start -1.5,2 --plot path.png
          gdlab race himmelblau -o sgd:lr=0.01,momentum:lr=0.01:momentum=0.9,adam:lr=0.1
          gdlab tune rosenbrock -o gd,momentum,adam --start -1.5,2 --steps 1000
          gdlab sweep "x**2 + 10*y**2" --optimizer gd --lrs 1e-4:1:20 --plot sweep.png
          gdlab animate himmelblau race.gif -o gd:lr=0.01,adam:lr=0.1 --start 0,0
          gdlab train --dataset moons --model 2-16-16-2 --epochs 200 --plot moons.png
          gdlab demo --out gallery
        """

    for _name in COMMANDS:
        app.add_command(importlib.import_module(f"{__name__}.{_name}").command, _name)
    del _name


def main(argv=None):
    if click is None:
        return _missing_click()
    return app.main(args=argv, prog_name="gdlab", standalone_mode=True)
