"""``gdlab serve``: the browser lab (gdlab.web under uvicorn) until Ctrl-C."""

from __future__ import annotations

import click

from .common import CONTEXT, BadInput, Number


@click.command(context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 exposes the lab to your network).")
@click.option("--port", type=Number(0, 65535, integer=True), default=8765, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in your web browser.")
def command(host, port, open_browser):
    """The browser lab: race optimizers on a landscape, live, in your browser.

    Serves the Optimizers page and its JSON API (documented at /docs) until Ctrl-C.
    Works offline: everything, plotly.js included, comes from the installed packages.

    \b
    Examples:
      gdlab serve                 # then open http://127.0.0.1:8765/
      gdlab serve --open --port 9000
    """
    try:
        from gdlab import web
    except ImportError as exc:  # pragma: no cover - only without the web extra
        raise click.ClickException(f"{exc}; the browser lab needs: pip install 'gdlab[web]'") from None
    from gdlab.web.server import ListenError

    try:
        web.serve(host, int(port), open_browser)
    except ListenError as exc:  # a busy port or an unknown host is the user's to change: exit 2
        raise BadInput(str(exc)) from None
