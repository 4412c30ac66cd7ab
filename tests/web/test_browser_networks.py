"""The Networks page end to end in Debian's chromium (Playwright), against a live server.

Builds a net (a layer and neurons added), plays and sees the boundary change and the loss fall,
with the page's numbers those of POST /api/train (gdlab.nn's fit) for the same settings; compares
two optimizers in lockstep and steps one update at a time; explains a step; reloads from the URL and finds the same settings.
Skipped only where chromium or Playwright is absent, never with GDLAB_REQUIRE_BROWSER=1.
"""

import json

import httpx
import numpy as np

from .test_browser import FLAGS, browser, shots  # noqa: F401  (the module's fixtures)

IDLE = ("document.body.dataset.ready === '1' && window.gdlabNet.session && !window.gdlabNet.looping && "
        "!window.gdlabNet.pending")
READY = f"() => {IDLE}"


def net(page, expr):
    return page.evaluate(f"() => JSON.parse(JSON.stringify({expr}))")


def open_net(browser, url):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_function(READY, timeout=30_000)
    return page, errors


def settled(page, sizes):
    page.wait_for_function(f"() => {IDLE} && JSON.stringify(window.gdlabNet.session.sizes) === "
                           f"'{json.dumps(sizes, separators=(',', ':'))}'", timeout=30_000)


def pixels(page):
    return page.evaluate("() => { const c = document.querySelector('#boundary'); "
                         "return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data"
                         ".filter((_, i) => i % 97 === 0)); }")


def page_request(page, epochs):
    """The page's settings as a POST /api/train body."""
    s = net(page, "window.gdlabNet.state")
    first, *rest = [{"name": o["name"], **o["hp"]} for o in s["opts"]]
    return {"dataset": s["d"], "n_samples": s["n"], "noise": s["noise"], "test_fraction": s["test"],
            "data_seed": s["ds"], "features": s["f"], "hidden": s["h"], "activation": s["act"], "optimizer": first,
            "compare": rest, "batch_size": s["bs"], "weight_decay": s["wd"], "seed": s["seed"], "epochs": epochs,
            "regularization": {"kind": s["reg"], "rate": s["rate"]} if s["reg"] else None}


def test_build_a_net_play_and_see_it_learn(browser, live_server, shots):  # noqa: F811
    page, errors = open_net(browser, f"{live_server.url}/networks?d=circles&h=2&n=200&noise=0.1&reg=l2&rate=0.01"
                                           "&o=adam;lr=0.05")
    page.click("#layer-add")  # a second hidden layer of 2
    settled(page, [2, 2, 2, 1])
    page.click("[aria-label='more neurons in layer 1']")  # 3 neurons in the first
    settled(page, [2, 3, 2, 1])
    page.click("#features input[value='x1^2'] >> xpath=..")
    settled(page, [3, 3, 2, 1])
    assert page.locator("#net .hidden-layer").count() == 2 and page.locator("#net .node").count() == 3 + 3 + 2 + 1
    before = pixels(page)
    page.click("#play")
    page.wait_for_function("() => window.gdlabNet.epoch >= 12", timeout=30_000)
    page.click("#play")
    page.wait_for_function(READY, timeout=30_000)
    assert pixels(page) != before, "the boundary did not change"
    hist = net(page, "window.gdlabNet.history[0]")
    epochs = net(page, "window.gdlabNet.epoch")
    assert len(hist["loss"]) == epochs and hist["loss"][-1] < hist["loss"][0]
    assert net(page, "window.gdlabNet.session.regularization") == {"kind": "l2", "rate": 0.01}
    assert page.locator("#epoch-count").inner_text() == str(epochs)
    # the page's numbers are gdlab.nn's fit for the same settings
    api = httpx.post(f"{live_server.url}/api/train", json=page_request(page, epochs), timeout=30).json()
    assert api["history"] == hist
    assert page.locator("#net svg.wires path").count() == 3 * 3 + 3 * 2 + 2 * 1
    page.click("#explain")
    page.wait_for_selector("#explain-box table tbody tr")
    assert page.locator("#explain-box tbody tr").count() == (3 * 3 + 3) + (3 * 2 + 2) + (2 + 1)
    page.screenshot(path=str(shots / "net-1-played.png"), full_page=True)
    assert not errors, errors


def test_compare_two_optimizers_in_lockstep(browser, live_server, shots):  # noqa: F811
    page, errors = open_net(browser, f"{live_server.url}/networks?d=xor&h=4&o=gd;lr=0.1")
    page.select_option("#opt-add", "adam")
    page.wait_for_function("() => window.gdlabNet.session && window.gdlabNet.session.runs.length === 2 && "
                           "!window.gdlabNet.looping", timeout=30_000)
    for _ in range(3):  # clicked in a row, as a user does: the page keeps the epochs in the order trained
        page.click("#epoch")
    page.wait_for_function("() => window.gdlabNet.epoch === 3", timeout=30_000)
    page.wait_for_function(READY, timeout=30_000)
    hist = net(page, "window.gdlabNet.history")
    assert [len(h["loss"]) for h in hist] == [3, 3] and hist[0]["loss"] != hist[1]["loss"]
    assert page.locator("#compare figure").count() == 2
    api = httpx.post(f"{live_server.url}/api/train", json=page_request(page, 3), timeout=30).json()
    assert [r["history"] for r in api["runs"]] == hist
    page.wait_for_function("() => document.querySelectorAll('#loss .scatterlayer .trace').length === 4", timeout=30_000)
    # one step = one update into epoch 4, then the epoch completes through it
    spe = net(page, "window.gdlabNet.session.steps_per_epoch")
    weights = net(page, "window.gdlabNet.frame.weights")
    for k in (1, 2):
        page.click("#step")
        page.wait_for_function(f"() => window.gdlabNet.partial === {k}", timeout=30_000)
    assert net(page, "window.gdlabNet.epoch") == 3 and page.locator("#update-count").inner_text() == str(3 * spe + 2)
    assert net(page, "window.gdlabNet.frame.weights") != weights
    page.click("#epoch")
    page.wait_for_function("() => window.gdlabNet.epoch === 4 && window.gdlabNet.partial === 0", timeout=30_000)
    assert [len(h["loss"]) for h in net(page, "window.gdlabNet.history")] == [4, 4]
    page.screenshot(path=str(shots / "net-2-compare.png"), full_page=True)
    assert not errors, errors


def test_reload_from_the_url(browser, live_server):  # noqa: F811
    page, errors = open_net(browser, f"{live_server.url}/networks")
    page.click("#ds-pick button[data-ds='spirals']")
    page.select_option("#activation", "relu")
    page.click("#features input[value='sin_x1'] >> xpath=..")
    page.fill("#batch-size", "")
    page.dispatch_event("#batch-size", "change")
    page.wait_for_function(f"() => location.search.includes('bs=full') && {IDLE}", timeout=30_000)
    # choosing L1 (and its rate) changes the request: the session is compiled with that regularizer
    assert page.is_disabled("#reg-rate")
    sent = []
    page.on("request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/api/train/session") else None)
    page.select_option("#regularization", "l1")
    page.fill("#reg-rate", "0.03")
    page.dispatch_event("#reg-rate", "change")
    page.wait_for_function(f"() => location.search.includes('reg=l1&rate=0.03') && {IDLE} && "
                           "window.gdlabNet.session.regularization?.rate === 0.03", timeout=30_000)
    assert sent[0]["regularization"]["kind"] == "l1" and sent[-1]["regularization"] == {"kind": "l1", "rate": 0.03}
    assert not page.is_disabled("#reg-rate")
    state = net(page, "window.gdlabNet.state")
    url = page.url
    copy, errors2 = open_net(browser, url)
    assert net(copy, "window.gdlabNet.state") == state
    assert copy.input_value("#activation") == "relu" and copy.input_value("#batch-size") == ""
    assert copy.input_value("#regularization") == "l1" and copy.input_value("#reg-rate") == "0.03"
    assert net(copy, "window.gdlabNet.session.regularization") == {"kind": "l1", "rate": 0.03}
    assert copy.locator("#ds-pick button[data-ds='spirals']").get_attribute("aria-checked") == "true"
    assert copy.is_checked("#features input[value='sin_x1']")
    assert net(copy, "window.gdlabNet.session.features") == ["x1", "x2", "sin_x1"]
    assert net(copy, "window.gdlabNet.session.batch_size") is None
    assert not errors and not errors2, errors + errors2
    z = np.array(net(copy, "window.gdlabNet.frame.runs[0].z"), dtype=float)
    assert z.shape == (40, 40) and np.all((z >= 0) & (z <= 1))
