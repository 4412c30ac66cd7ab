"""Health, limits and the house style."""

from __future__ import annotations

from fastapi import APIRouter, Request

import gdlab

from .. import library, limits

router = APIRouter(tags=["meta"])


@router.get("/healthz", summary="Is the server up?")
def healthz():
    """``{"status": "ok", "version": ...}``."""
    return {"status": "ok", "version": gdlab.__version__}


@router.get("/api/limits", summary="What one request may ask")
def get_limits(request: Request):
    """Steps, starts, optimizers, formula length, body size, number budgets, and this server's time budget (s)."""
    return {**limits.as_dict(), "time_budget": request.app.state.lab.time_budget}


@router.get("/api/style", summary="gdlab's colours")
def style():
    """The optimizer palette, colour cycle, basin colours and landscape colours the figures use."""
    return library.house_style()
