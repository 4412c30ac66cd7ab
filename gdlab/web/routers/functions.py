"""The objective functions: the catalog, parsing a formula while it is typed, and surfaces to draw."""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gdlab.functions import ExpressionError

from .. import checks, encode, library
from ..errors import APIError
from ..schemas import ParseRequest, SurfaceRequest

router = APIRouter(prefix="/api", tags=["functions"])


@functools.lru_cache(maxsize=1)
def _catalog_bytes() -> bytes:
    return encode.dumps(library.catalog_functions())


@router.get("/functions", summary="The catalog")
def functions():
    """Every catalog function: ``[{"name", "dim", "formula", "latex", "bounds", "minima", "start", ...}]``
    (n-D functions with their default dimension, 2)."""
    return Response(_catalog_bytes(), media_type="application/json")


@router.post("/parse", summary="Does a formula parse?")
def parse(body: ParseRequest):
    """``{"ok": true, "dim", "latex", ...}`` or ``{"ok": false, "error", "position"}`` (0-based).

    A catalog name parses too (it is what ``function`` means everywhere in this API)."""
    try:
        f = library.resolve_function(body.formula)
    except ExpressionError as exc:
        return {"ok": False, "error": checks._one_line(exc), "position": exc.position}
    except (ValueError, TypeError) as exc:
        return {"ok": False, "error": checks._one_line(exc), "position": 0}
    info = library.function_info(f)
    return {"ok": True, "dim": f.dim, "latex": f.latex, "formula": f.formula, "function": encode.plain(info)}


@router.post("/surface", summary="A function on a grid")
async def surface(body: SurfaceRequest, request: Request):
    """``{"function": {...}, "x", "y", "z", "levels"}``: z[i][j] = f(x[j], y[i]) on an n x n grid over
    the bounds (1-D functions: x and z only); ``levels`` are contour levels, log-spaced where the
    range is wide. Values that are not finite are null."""
    f = checks.function(body.function)
    if f.dim > 2:
        raise APIError("function", f"{f.name!r} has {f.dim} variables; a surface needs a 1-D or 2-D function")
    bounds = None
    if body.bounds is not None:
        if len(body.bounds) != f.dim:
            raise APIError("bounds", f"give one [lo, hi] per variable ({f.dim}), got {len(body.bounds)}")
        for i, (lo, hi) in enumerate(body.bounds):
            if not lo < hi:
                raise APIError(f"bounds[{i}]", f"lo must be < hi, got [{lo}, {hi}]")
        bounds = body.bounds

    def work(deadline):
        s = library.surface(f, body.n, bounds)
        return encode.dumps({"function": library.function_info(f), **s})

    return Response(await checks.compute(request, work), media_type="application/json")
