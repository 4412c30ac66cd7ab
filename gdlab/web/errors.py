"""Every error the server answers is JSON naming the field: ``{"error": message, "field": name}``.

* :class:`APIError` — raised by the routers at the boundary (a 4xx with the field);
* pydantic's validation errors (types, ranges, lengths) -> 422, the first one as ``error``,
  all of them under ``errors``;
* HTTP errors (404, 405, 413 ...) -> the same shape;
* anything unexpected -> 500 with the exception's type only, never a traceback.

:class:`BodyLimit` refuses a request body over the limit (413) before any route reads it.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("gdlab.web")


class APIError(Exception):
    """A bad request: ``status`` (4xx), the request ``field`` at fault (dotted, e.g. "optimizers[1].lr")."""

    def __init__(self, field: str | None, message: str, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def error_body(message: str, field: str | None = None, **extra) -> dict:
    return {"error": message, "field": field, **extra}


def field_name(loc) -> str:
    """pydantic's ``("body", "optimizers", 0, "lr")`` -> ``"optimizers[0].lr"``."""
    parts = [p for p in loc if p not in ("body", "query", "path")]
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "body"


def _shown(value) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _validation_error(request: Request, exc: RequestValidationError):
    errors = []
    for e in exc.errors():
        loc = tuple(e.get("loc", ()))
        name = "body" if e.get("type") == "json_invalid" else field_name(loc)
        msg = str(e.get("msg", "invalid value"))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if e.get("type") == "missing":
            msg = "this field is required"
        elif e.get("type") == "json_invalid":
            where = f" at character {loc[-1]}" if loc and isinstance(loc[-1], int) else ""
            msg = f"the body is not valid JSON ({e.get('ctx', {}).get('error', 'parse error')}{where})"
        elif "input" in e and not isinstance(e["input"], (dict, list)) and e.get("type") != "json_invalid":
            msg = f"{msg} (got {_shown(e['input'])})"
        errors.append({"field": name, "message": msg})
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    return JSONResponse(error_body(f"{first['field']}: {first['message']}", first["field"], errors=errors),
                        status_code=422)


def _api_error(request: Request, exc: APIError):
    text = exc.message if exc.field is None else f"{exc.field}: {exc.message}"
    return JSONResponse(error_body(text, exc.field), status_code=exc.status)


def _http_error(request: Request, exc: StarletteHTTPException):
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    if exc.status_code == 404:
        detail = f"not found: {request.url.path}"
    elif exc.status_code == 405:
        detail = f"method {request.method} is not allowed on {request.url.path}"
    return JSONResponse(error_body(detail), status_code=exc.status_code, headers=getattr(exc, "headers", None))


def _unexpected(request: Request, exc: Exception):
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(error_body(f"internal error ({type(exc).__name__}); the server log has the details"),
                        status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(APIError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


class BodyLimit:
    """ASGI middleware: a request body larger than ``max_bytes`` gets 413 JSON; the body is read
    here (it is at most ``max_bytes``) and handed on unchanged."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = int(max_bytes)

    async def _refuse(self, send, size_text):
        body = json.dumps(error_body(f"body: the request body is {size_text}; at most {self.max_bytes:,} bytes "
                                     "are allowed", "body")).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for key, value in scope.get("headers", ()):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    return await self._refuse(send, f"{declared:,} bytes")
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await self._refuse(send, f"over {self.max_bytes:,} bytes")
            chunks.append(chunk)
            more = message.get("more_body", False)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
