import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def run_cli():
    """Run ``gdlab ARGS`` in-process; returns (exit_code, stdout, stderr)."""
    from click.testing import CliRunner

    from gdlab.cli import app

    try:  # click < 8.2 mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()

    def run(*args):
        result = runner.invoke(app, [str(a) for a in args], prog_name="gdlab", catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run
