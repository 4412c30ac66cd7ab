"""The application (gdlab/cli/__init__.py): the commands it registers, --help, --version, the entry points."""

import re
import subprocess
import sys
from pathlib import Path

import pytest


def test_help_on_every_command(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0 and "Examples" in out
    for command in ("functions", "minimize", "race", "tune", "sweep", "animate", "train", "demo"):
        code, out, _ = run_cli(command, "--help")
        assert code == 0 and "Examples:" in out and f"gdlab {command}" in out, command


def test_every_command_module_is_registered_under_its_name():
    """A new command is a new module: the list in gdlab/cli/__init__.py registers each one, by file name."""
    import gdlab.cli as cli

    modules = sorted(p.stem for p in Path(cli.__file__).parent.glob("*.py")
                     if p.stem not in ("__init__", "__main__", "common"))
    assert sorted(cli.COMMANDS) == modules
    assert sorted(cli.app.commands) == modules
    for name in modules:
        assert cli.app.commands[name] is __import__(f"gdlab.cli.{name}", fromlist=["command"]).command


@pytest.mark.parametrize("module", ["gdlab", "gdlab.cli"])
def test_module_entry_point_and_version(module):
    out = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True, check=True)
    assert re.match(r"gdlab \d+\.\d+", out.stdout)


BAD = [
    (["nosuchcommand"], "No such command"),
    (["minimize"], "Missing argument"),
    (["minimize", "sphere", "--bogus"], "No such option"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line_exit_2(refused, args, message):
    refused(args, message)
