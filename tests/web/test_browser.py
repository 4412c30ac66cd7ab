"""End to end in a real browser (Debian's chromium under Playwright), against a live server.

Loads the page, picks a function, clicks the map and sees a path drawn, moves the lr slider and
sees the run change, types a bad formula and sees the error, reloads from the copied URL and sees
the same state; every number on the page is checked against gdlab.race. Screenshots of each
state go to a tmp folder (printed with -s).

Skipped only where chromium or Playwright is truly absent, and never when
GDLAB_REQUIRE_BROWSER=1 (CI sets it): then their absence fails the tests.
"""

import json
import os
import shutil

import numpy as np
import pytest

import gdlab

CHROMIUM = os.environ.get("GDLAB_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
DONE = ("() => { const l = window.gdlabLab; return document.body.dataset.ready === '1' && l && !l.playing && "
        "!l.streaming && l.inflight.size === 0 && l.runs.length === l.state.opts.length && "
        "l.runs.every(r => r && r.status); }")


def _missing():
    try:
        import playwright.sync_api  # noqa: F401  (is it installed?)
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"no chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    why = _missing()
    if why:
        if os.environ.get("GDLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the browser tests are required here: {why}")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    path = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {path}")
    return path


def open_page(browser, url, width=1400):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_function(DONE, timeout=30_000)
    return page, errors


def lab(page, expr):
    return page.evaluate(f"() => JSON.parse(JSON.stringify({expr}))")


def library_race(state, steps_default=500):
    """gdlab.race for the page's state (the page's labels)."""
    labels = lab_labels(state)
    specs = {lab_: {"optimizer": o["name"], **{k: tuple(v) if isinstance(v, list) else v for k, v in o["hp"].items()}}
             for lab_, o in zip(labels, state["opts"])}
    f = gdlab.functions.get(state["fn"]) if state["fn"] in gdlab.functions.names() else gdlab.expr(state["fn"])
    starts = np.array(state["starts"] if state["starts"] else [f.start], dtype=np.float64)
    return gdlab.race(state["fn"], starts, specs, state["steps"], tol=state["tol"], noise=state["noise"],
                      seed=state["seed"])


def lab_labels(state):
    names = [o["name"] for o in state["opts"]]
    seen = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(f"{n} #{seen[n]}" if names.count(n) > 1 else n)
    return out


def assert_page_is_the_library(page):
    state = lab(page, "window.gdlabLab.state")
    runs = lab(page, "window.gdlabLab.runs.map(r => ({label: r.label, params: r.params, loss: r.loss, "
                     "status: r.status}))")
    expected = library_race(state)
    assert [r["label"] for r in runs] == list(expected)
    for r in runs:
        t = expected[r["label"]]
        assert np.array_equal(np.array(r["params"], dtype=float), t.params, equal_nan=True), r["label"]
        assert r["status"] == t.status.tolist()
    return state, runs


def map_click(page, x, y, shift=False):
    """Click the map at data coordinates (x, y)."""
    box = page.locator("#map .layer-paths .nsewdrag").bounding_box()
    xr = page.evaluate("window.gdlabLab.views.top.layout.xaxis.range")
    yr = page.evaluate("window.gdlabLab.views.top.layout.yaxis.range")
    px = box["x"] + (x - xr[0]) / (xr[1] - xr[0]) * box["width"]
    py = box["y"] + (yr[1] - y) / (yr[1] - yr[0]) * box["height"]
    if shift:
        page.keyboard.down("Shift")
    page.mouse.click(px, py)
    if shift:
        page.keyboard.up("Shift")


def test_pick_click_slide_mistype_and_reload(browser, live_server, shots):
    page, errors = open_page(browser, live_server.url + "/optimizers?o=gd;lr=0.001&o=momentum;lr=0.001&o=adam;lr=0.05&steps=200")
    assert lab(page, "window.gdlabLab.fn.name") == "rosenbrock"
    assert_page_is_the_library(page)

    # pick a function
    page.select_option("#fn-select", "himmelblau")
    page.wait_for_function("window.gdlabLab.fn.name === 'himmelblau'")
    page.wait_for_function(DONE)
    assert "(x" in page.inner_text("#fn-formula") and "minimum 0" in page.inner_text("#fn-formula")

    # click the map: the start moves there and a path is drawn from it
    map_click(page, 1.0, -1.0)
    page.wait_for_function("window.gdlabLab.state.starts && window.gdlabLab.state.starts.length === 1")
    page.wait_for_function(DONE)
    start = lab(page, "window.gdlabLab.state.starts[0]")
    assert start == pytest.approx([1.0, -1.0], abs=0.06)
    drawn = lab(page, "(() => { const gd = window.gdlabLab.views.top; return {x: gd.data[0].x, y: gd.data[0].y}; })()")
    assert len(drawn["x"]) == 202  # 201 points of the first run, then the gap
    assert [drawn["x"][0], drawn["y"][0]] == start
    assert "click" not in " ".join(errors)
    state, runs = assert_page_is_the_library(page)
    assert "/optimizers?f=himmelblau" in page.url and "s=" in page.url
    page.screenshot(path=str(shots / "1-clicked.png"))

    # shift-click adds a start
    map_click(page, -2.0, 2.0, shift=True)
    page.wait_for_function("window.gdlabLab.state.starts.length === 2")
    page.wait_for_function(DONE)
    assert_page_is_the_library(page)

    # the lr slider: the gd run changes, the others are not re-run
    before = lab(page, "window.gdlabLab.runs.map(r => r.params[200])")
    lr0 = lab(page, "window.gdlabLab.state.opts[0].hp.lr")
    slider = page.locator(".opt").nth(0).locator("input[type=range]")
    slider.focus()
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"window.gdlabLab.runs[0].hyperparameters.lr > {lr0}")
    page.wait_for_function(DONE)
    lr1 = lab(page, "window.gdlabLab.state.opts[0].hp.lr")
    assert lr1 > lr0 and page.locator(".opt").nth(0).locator(".lr-box").input_value() == str(lr1)
    after = lab(page, "window.gdlabLab.runs.map(r => r.params[200])")
    assert after[0] != before[0] and after[1:] == before[1:]
    assert_page_is_the_library(page)
    assert len(lab(page, "window.gdlabLab.timings")) >= 1  # slider -> redrawn path, measured

    # a bad formula: the parser's message and the position, while typing, no reload
    page.fill("#fn-input", "x**2 + * y")
    page.wait_for_selector("#fn-parse pre mark")
    assert "position 7" in page.inner_text("#fn-parse .msg")
    assert page.inner_text("#fn-parse pre mark") == "*"
    assert lab(page, "window.gdlabLab.fn.name") == "himmelblau"  # still the last good function
    page.screenshot(path=str(shots / "2-bad-formula.png"))
    page.fill("#fn-input", "")

    # the 3-D view, then the copied link in a fresh page: the same state, the same numbers
    page.click("#view-3d")
    page.wait_for_function("document.querySelector('#map .gl-container') !== null")
    url = page.url
    assert "view=3d" in url
    copy, errors2 = open_page(browser, url)
    assert lab(copy, "window.gdlabLab.state") == lab(page, "window.gdlabLab.state")
    assert lab(copy, "window.gdlabLab.runs.map(r => [r.label, r.params])") == \
        lab(page, "window.gdlabLab.runs.map(r => [r.label, r.params])")
    assert copy.get_attribute("#view-3d", "aria-pressed") == "true"
    copy.screenshot(path=str(shots / "3-reloaded-3d.png"))
    assert not errors and not errors2, errors + errors2
    copy.close()
    page.close()


def test_bad_input_in_a_link_shows_the_message_not_a_trace(browser, live_server):
    page, errors = open_page(browser, live_server.url + "/optimizers?f=paraboloid&s=-3,4&o=gd;lr=10&steps=20")
    assert lab(page, "window.gdlabLab.runs[0].status") == ["diverged"]
    assert "diverged" in page.inner_text("#runs")
    assert "lr ≥ the stable bound 1" in page.inner_text(".opt .bound")
    # a bad hyperparameter typed in: the server's message on the card
    box = page.locator(".opt").nth(0).locator("input[aria-label='gd momentum']")
    box.fill("-1")
    box.press("Enter")
    page.wait_for_selector(".opt .err:not([hidden])")
    assert "momentum >= 0" in page.inner_text(".opt .err")
    assert "Traceback" not in page.content()
    page.close()


def test_tune_and_basins(browser, live_server, shots):
    page, errors = open_page(browser, live_server.url + "/optimizers?f=himmelblau&s=-0.5,0.5&o=gd;lr=0.001&o=adam;lr=0.01&steps=100")
    page.click("#tune")
    page.wait_for_function("document.querySelector('#action-note').textContent.startsWith('tuned')", timeout=30_000)
    page.wait_for_function(DONE)
    state = lab(page, "window.gdlabLab.state")
    best = gdlab.tune("himmelblau", [[-0.5, 0.5]], {"gd": {}, "adam": {}}, steps=100).best_lr
    assert [o["hp"]["lr"] for o in state["opts"]] == [best["gd"], best["adam"]]
    assert_page_is_the_library(page)
    page.click("#basins")
    page.wait_for_function("document.querySelector('#map-caption').textContent.startsWith('basins')", timeout=30_000)
    assert "basins=1" in page.url
    heat = lab(page, "window.gdlabLab.views.base.data[0]")
    assert heat["type"] == "heatmap" and heat.get("visible", True) is not False and len(heat["z"]) >= 10
    page.screenshot(path=str(shots / "4-tuned-basins.png"))
    assert not errors, errors
    page.close()


def test_narrow_screen_stacks_the_layout(browser, live_server, shots):
    page, errors = open_page(browser, live_server.url + "/optimizers?f=booth&steps=100", width=420)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 420, "the page scrolls sideways on a narrow screen"
    m = page.locator("#map").bounding_box()
    f = page.locator("#fn-select").bounding_box()
    o = page.locator("#opt-list").bounding_box()
    assert f["y"] < m["y"] < o["y"]  # the function, then the map, then the optimizers
    page.screenshot(path=str(shots / "5-narrow.png"), full_page=True)
    assert not errors, errors
    page.close()


def test_the_page_works_offline(browser, live_server):
    """Nothing but the lab's own server is asked for anything."""
    page = browser.new_page()
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(live_server.url + "/optimizers?steps=50")
    page.wait_for_function(DONE, timeout=30_000)
    others = [u for u in asked if not u.startswith(live_server.url) and not u.startswith("data:")]
    assert not others, others
    assert json.loads(page.evaluate("JSON.stringify(Object.keys(window.gdlabLab.optimizers))")) == gdlab.optim.rule_names()
    page.close()
