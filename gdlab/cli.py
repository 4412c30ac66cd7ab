"""The ``gdlab`` command line: parses, calls the layers, prints. No maths here."""

from __future__ import annotations

import sys

try:
    import click
except ImportError:  # pragma: no cover - exercised only without the cli extra
    click = None


def _missing_click():
    sys.stderr.write("gdlab: the command line needs click and rich: pip install 'gdlab[cli]'\n")
    return 2


if click is not None:

    @click.group(context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(package_name="gdlab")
    def app():
        """gdlab, the Gradient Descent Lab."""

    @app.command()
    def demo():
        """Reproduce the seed experiments."""
        import gdlab

        click.echo("Seed 004: numerical differentiation (central difference, h = 1e-4) against autodiff\n")
        click.echo(gdlab.numdiff.format_seed004_table())


def main(argv=None):
    if click is None:
        return _missing_click()
    return app.main(args=argv, prog_name="gdlab", standalone_mode=True)


if __name__ == "__main__":
    sys.exit(main())
