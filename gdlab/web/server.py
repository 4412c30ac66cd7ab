"""``serve()``: the app under uvicorn on a socket bound here (so a busy port is a clear error)."""

from __future__ import annotations

import socket
import sys
import threading
import webbrowser

#: where ``gdlab serve`` listens unless told otherwise (the gallery links to its pages there)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class ListenError(OSError, ValueError):
    """The address cannot be listened on (a busy port, an unknown host): the user's choice, not a bug."""


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ListenError(f"cannot listen on {host}:{port}: unknown host ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        hint = " (another server is using it: try --port)" if exc.errno in (98, 48, 10048) else ""
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}") from None
    sock.setblocking(False)
    return sock


def url_for(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    return f"http://{shown}:{port}/"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False, *, out=None) -> None:
    """Run the lab until Ctrl-C (or SIGTERM); print its URL first; return after a clean shutdown.

    ``port=0`` takes a free port. :class:`ListenError` (an OSError and a ValueError) with a one-line message when the address cannot be used.
    """
    import uvicorn

    from .app import create_app

    out = out or sys.stdout
    sock = _bind(host, int(port))
    url = url_for(sock)
    config = uvicorn.Config(create_app(), log_level="warning", access_log=False, timeout_graceful_shutdown=3,
                            lifespan="off")
    server = uvicorn.Server(config)
    print(f"gdlab lab: {url}  (the Optimizers page: {url}optimizers, the API: {url}docs; Ctrl-C stops it)",
          file=out, flush=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled, after its shutdown
        pass
    finally:
        sock.close()
    print("gdlab lab: stopped", file=out, flush=True)
