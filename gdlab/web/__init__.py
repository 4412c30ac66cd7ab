"""gdlab.web: the browser lab (``gdlab serve``) — a FastAPI app over the library.

- :func:`create_app` — the ASGI app: routers per area (``meta``, ``functions``, ``optimizers``,
  ``networks``, ``pages``), the static front end (plain JS modules and CSS under ``static/``, plotly.js from
  the installed plotly package), errors as JSON naming the field.
- :func:`serve` — the app under uvicorn on 127.0.0.1:8765 by default, until Ctrl-C.

Every number the server sends is the library's: the routes translate a request into one
library call (:mod:`gdlab.web.library`). Needs the ``web`` extra (fastapi, uvicorn, plotly);
``import gdlab.web`` itself loads none of them.
"""

from __future__ import annotations

import importlib.util

from .server import DEFAULT_HOST, DEFAULT_PORT  # the standard library only: import gdlab.web stays light

__all__ = ["create_app", "serve", "missing_dependencies", "DEFAULT_HOST", "DEFAULT_PORT"]


def missing_dependencies() -> list[str]:
    """The web extra's packages that are not installed."""
    return [m for m in ("fastapi", "uvicorn", "plotly") if importlib.util.find_spec(m) is None]


def _require():
    missing = missing_dependencies()
    if missing:
        raise ImportError(f"the browser lab needs {', '.join(missing)}: pip install 'gdlab[web]'")


def create_app(**kwargs):
    """The FastAPI app (see :func:`gdlab.web.app.create_app`)."""
    _require()
    from .app import create_app as make

    return make(**kwargs)


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False, **kwargs) -> None:
    """Serve the lab until Ctrl-C (see :func:`gdlab.web.server.serve`)."""
    _require()
    from .server import serve as run

    run(host, port, open_browser, **kwargs)
