"""The pages: one HTML shell (header, navigation, the page's module), and plotly.js from the
installed plotly package (so the lab works offline: nothing is fetched from a CDN)."""

from __future__ import annotations

import functools
import html
import importlib.util
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

import gdlab

from ..errors import APIError

router = APIRouter(tags=["pages"], include_in_schema=False)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

#: The pages, in navigation order: path, title, its markup (templates/) and the ES module that
#: wires it (static/js/). A new page is one entry here, one template, one module (and its router).
PAGES = [
    {"path": "/optimizers", "title": "Optimizers", "template": "optimizers.html", "script": "optimizers/main.js",
     "summary": "Race gradient-descent optimizers on a landscape"},
    {"path": "/networks", "title": "Networks", "template": "networks.html", "script": "networks/main.js",
     "summary": "Train a small neural network on 2-D data, optimizers side by side"},
]


@functools.lru_cache(maxsize=8)
def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def render(page: dict) -> str:
    """The shell (header, navigation) around ``page``'s markup and module."""
    current = ' aria-current="page"'
    nav = "".join(
        f'<a href="{p["path"]}"{current if p is page else ""} title="{html.escape(p["summary"])}">'
        f'{html.escape(p["title"])}</a>' for p in PAGES)
    fill = {"title": html.escape(page["title"]), "nav": nav, "script": page["script"],
            "version": html.escape(gdlab.__version__), "body": _template(page["template"])}
    out = _template("shell.html")
    for key, value in fill.items():
        out = out.replace("{{" + key + "}}", value)
    return out


@router.get("/")
def home():
    return RedirectResponse(PAGES[0]["path"])


def _page_route(page):
    def show():
        return HTMLResponse(render(page))

    return show


for _page in PAGES:
    router.add_api_route(_page["path"], _page_route(_page), methods=["GET"], response_class=HTMLResponse)


def plotly_js() -> Path | None:
    """The plotly.min.js bundled with the installed plotly package (None when plotly is missing)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


@router.get("/vendor/plotly.min.js")
def plotly():
    path = plotly_js()
    if path is None:
        raise APIError(None, "plotly.js is missing: install plotly (pip install 'gdlab[web]')", status=404)
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})
