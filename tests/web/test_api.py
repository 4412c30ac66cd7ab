"""The JSON API: every endpoint, its numbers against the library call it wraps."""

import json

import numpy as np
import pytest

import gdlab
from gdlab import functions as catalog
from gdlab import optim, viz


def arr(values):
    """API numbers as an array (null -> nan)."""
    return np.array(values, dtype=np.float64)


def same(api_values, expected):
    """Exactly equal, non-finite library values being null (nan) in JSON."""
    e = np.asarray(expected, dtype=np.float64)
    e = np.where(np.isfinite(e), e, np.nan)
    a = arr(api_values)
    return a.shape == e.shape and np.array_equal(a, e, equal_nan=True)


def events(text):
    """Server-sent events as (name, data) pairs."""
    out = []
    for block in text.strip().split("\n\n"):
        name = data = None
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
        out.append((name, data))
    return out


# ---------------------------------------------------------------------------------------------
# meta, functions, optimizers


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": gdlab.__version__}


def test_limits_are_the_issue_s(client):
    lim = client.get("/api/limits").json()
    assert (lim["max_steps"], lim["max_starts"], lim["max_optimizers"], lim["max_formula"], lim["max_body"]) == \
        (20_000, 10_000, 12, 500, 1_000_000)
    assert lim["time_budget"] > 0


def test_style_is_the_figures_palette(client):
    from gdlab.viz import _style

    st = client.get("/api/style").json()
    assert st["palette"]["adam"] == _style.PALETTE["adam"]
    assert st["class_colors"] == _style.CLASS_COLORS


def test_functions_is_the_whole_catalog(client):
    got = client.get("/api/functions").json()
    assert [f["name"] for f in got] == catalog.names()
    for entry in got:
        f = catalog.get(entry["name"])
        assert set(entry) >= {"name", "dim", "formula", "latex", "bounds", "minima", "start"}
        assert entry["dim"] == f.dim and entry["formula"] == f.formula and entry["latex"] == f.latex
        assert same(entry["bounds"], f.bounds) and same(entry["start"], f.start)
        assert arr(entry["minima"]).reshape(-1, f.dim).tolist() == f.minima.tolist()


def test_optimizers_come_from_the_rules(client):
    got = {o["name"]: o for o in client.get("/api/optimizers").json()}
    assert sorted(got) == optim.rule_names()
    for name, entry in got.items():
        rule = optim.get_rule(name)
        assert entry["defaults"] == {k: list(v) if isinstance(v, tuple) else v for k, v in rule.defaults.items()}
        kinds = {p["name"]: p["kind"] for p in entry["params"]}
        for k, v in rule.defaults.items():
            number = isinstance(v, (int, float)) and not isinstance(v, bool)
            pair = isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, (int, float)) for x in v)
            assert kinds[k] == ("flag" if isinstance(v, bool) else "pair" if pair else "number" if number
                                else "fixed"), (name, k)  # fixed: None, names, triples get no control
        assert entry["state"] == dict(rule.state_keys)
    assert got["adam"]["color"] == viz.color_for("adam")
    assert {p["name"]: p["kind"] for p in got["muon"]["params"]}["ns_coefficients"] == "fixed"
    assert {p["name"]: p["kind"] for p in got["rprop"]["params"]}["etas"] == "pair"


@pytest.mark.parametrize("formula", ["sin(x)*cos(y) + 0.1*(x**2 + y**2)", "x**2 - 3*x", "x0**2 + x1**2 + x2**2"])
def test_parse_ok(client, formula):
    r = client.post("/api/parse", json={"formula": formula}).json()
    f = gdlab.expr(formula)
    assert r["ok"] is True and r["dim"] == f.dim and r["latex"] == f.latex


@pytest.mark.parametrize("formula", ["x**2 + ", "sin(x", "x.y", "2x", "foo(x)", "  (x + )", "x0 + y", ""])
def test_parse_error_gives_the_parser_s_message_and_position(client, formula):
    r = client.post("/api/parse", json={"formula": formula})
    assert r.status_code == 200
    body = r.json()
    with pytest.raises(catalog.ExpressionError) as err:
        gdlab.expr(formula)
    assert body["ok"] is False
    assert body["position"] == err.value.position
    assert body["error"] == str(err.value).splitlines()[0]


def test_parse_a_name_and_a_typo(client):
    assert client.post("/api/parse", json={"formula": "rosenbrock"}).json()["ok"] is True
    bad = client.post("/api/parse", json={"formula": "rosenbrok"}).json()
    assert bad["ok"] is False and "Did you mean 'rosenbrock'" in bad["error"]


def test_surface_is_the_function_on_its_grid(client):
    r = client.post("/api/surface", json={"function": "himmelblau", "n": 31}).json()
    f = catalog.get("himmelblau")
    X, Y, Z = f.grid(31)
    assert same(r["x"], X[0]) and same(r["y"], Y[:, 0]) and same(r["z"], Z)
    assert same(r["levels"], viz.contour_levels(Z, n=18))
    assert r["function"]["name"] == "himmelblau"


def test_surface_of_a_1d_function_and_given_bounds(client):
    r = client.post("/api/surface", json={"function": "double_well", "n": 11}).json()
    f = catalog.get("double_well")
    x = np.linspace(*f.bounds[0], 11)
    assert r["y"] is None and same(r["x"], x) and same(r["z"], f(x[:, None]))
    r = client.post("/api/surface", json={"function": "x**2 + y**2", "n": 3, "bounds": [[0, 1], [0, 2]]}).json()
    assert r["x"] == [0.0, 0.5, 1.0] and r["y"] == [0.0, 1.0, 2.0] and r["z"][2][2] == 5.0


# ---------------------------------------------------------------------------------------------
# races: exactly gdlab.race


def race_both(client, body, **library_kwargs):
    """The API's race and gdlab.race for the same arguments."""
    r = client.post("/api/race", json=body)
    assert r.status_code == 200, r.text
    specs = {}
    for spec in body["optimizers"]:
        spec = dict(spec)
        name = spec.pop("name")
        label = spec.pop("label", name)
        specs[label] = {"optimizer": name, **{k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()}}
    starts = body.get("starts")
    f = body["function"]
    x0 = None if starts is None else np.array(starts, dtype=np.float64)
    if x0 is None:
        x0 = catalog.get(f).start[None, :]
    expected = gdlab.race(f, x0, specs, body.get("steps", 500), tol=body.get("tol"), noise=body.get("noise"),
                          seed=body.get("seed"), **library_kwargs)
    return r.json(), expected


def check_runs(got, expected):
    assert [run["label"] for run in got["runs"]] == list(expected)
    for run in got["runs"]:
        t = expected[run["label"]]
        assert same(run["params"], t.params), run["label"]
        assert same(run["loss"], t.loss), run["label"]
        assert run["status"] == t.status.tolist() and run["stopped_at"] == t.stopped_at.tolist()
        assert same(run["final_loss"], t.final_loss)
        assert run["optimizer"] == t.optimizer
        hp = {k: list(v) if isinstance(v, tuple) else v for k, v in t.hyperparameters.items()}
        assert run["hyperparameters"] == hp


def test_race_with_the_rest_of_torch_optim_is_gdlab_race_s(client):
    body = {"function": "rosenbrock", "starts": [[-1.5, 2.0]], "steps": 120,
            "optimizers": [{"name": "rprop", "etas": [0.4, 1.3]}, {"name": "lbfgs"}, {"name": "adafactor"},
                           {"name": "muon", "lr": 0.02}, {"name": "asgd", "lr": 0.001}]}
    got, expected = race_both(client, body)
    check_runs(got, expected)


def test_race_numbers_are_gdlab_race_s(client):
    body = {"function": "rosenbrock", "starts": [[-1.5, 2.0], [0.3, -0.5]], "steps": 300,
            "optimizers": [{"name": "gd", "lr": 0.001}, {"name": "momentum", "lr": 0.001, "momentum": 0.95},
                           {"name": "adam", "lr": 0.05, "betas": [0.8, 0.99]}, {"name": "rmsprop", "centered": True}]}
    got, expected = race_both(client, body)
    check_runs(got, expected)
    assert got["steps"] == 300 and got["starts"] == body["starts"]


def test_race_with_noise_seed_tol_a_formula_and_the_default_start(client):
    body = {"function": "sin(x)*cos(y) + 0.1*(x**2 + y**2)", "starts": [[2.0, 1.0]], "steps": 400,
            "optimizers": [{"name": "nesterov", "lr": 0.05}, {"name": "adagrad", "lr": 0.5}],
            "noise": 0.05, "seed": 3, "tol": 1e-3}
    got, expected = race_both(client, body)
    check_runs(got, expected)
    got, expected = race_both(client, {"function": "himmelblau", "steps": 50, "optimizers": [{"name": "lion"}]})
    check_runs(got, expected)
    assert got["starts"] == [catalog.get("himmelblau").start.tolist()]


def test_a_converged_and_a_diverged_run(client):
    body = {"function": "paraboloid", "starts": [[-3.0, 4.0]], "steps": 100, "tol": 1e-6,
            "optimizers": [{"name": "gd", "lr": 0.1}, {"name": "gd", "lr": 10.0}]}
    got, expected = race_both(client, {**body, "optimizers": [{"name": "gd", "lr": 0.1, "label": "ok"},
                                                             {"name": "gd", "lr": 10.0, "label": "too big"}]})
    check_runs(got, expected)
    assert got["runs"][0]["status"] == ["converged"] and got["runs"][1]["status"] == ["diverged"]
    # seed 004's lr 10: the stability bound 2/L = 1 says so (paraboloid is a quadratic: exact)
    stab = got["runs"][1]["stability"]
    assert stab["max_stable_lr"] == pytest.approx(1.0) and stab["exact"] is True
    # duplicated names get labels with their settings
    auto = client.post("/api/race", json=body).json()
    assert [r["label"] for r in auto["runs"]] == ["gd lr=0.1", "gd lr=10.0"]


def test_a_1d_function(client):
    got, expected = race_both(client, {"function": "square", "starts": [[-5.0], [3.0]], "steps": 150,
                                       "optimizers": [{"name": "gd", "lr": 0.1}]})
    check_runs(got, expected)


def test_include_grad_state_and_lr(client):
    body = {"function": "elongated_bowl", "starts": [[4.0, 1.0]], "steps": 40, "include": ["grad", "grad_norm", "state", "lr"],
            "optimizers": [{"name": "momentum", "lr": 0.1}, {"name": "adam", "lr": 0.1, "amsgrad": True}]}
    got, expected = race_both(client, body)
    for run in got["runs"]:
        t = expected[run["label"]]
        assert same(run["grad"], t.grad) and same(run["grad_norm"], t.grad_norm) and same(run["lr"], t.lr)
        assert set(run["state"]) == set(t.state)
        for k, v in run["state"].items():
            assert same(v, t.state[k]), k


def test_stability_is_gdlab_runs_stability(client):
    body = {"function": "elongated_bowl", "starts": [[4.0, 1.0]], "steps": 10,
            "optimizers": [{"name": "momentum", "lr": 0.1}, {"name": "adam"}]}
    runs = client.post("/api/race", json=body).json()["runs"]
    report = gdlab.runs.stability("elongated_bowl", "momentum", x=[0.0, 0.0], lr=0.1, momentum=0.9)
    assert runs[0]["stability"]["max_stable_lr"] == report.max_stable_lr == pytest.approx(1.9)
    assert runs[1]["stability"]["max_stable_lr"] is None  # adaptive: no fixed-lr bound


def test_the_stream_is_the_race_in_frames(client):
    body = {"function": "beale", "starts": [[1.0, 1.5], [-1.0, 1.0]], "steps": 120, "chunk": 25,
            "optimizers": [{"name": "adam", "lr": 0.01}, {"name": "gd", "lr": 0.001}], "include": ["grad", "state"]}
    r = client.post("/api/race/stream", json=body)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    ev = events(r.text)
    names = [e[0] for e in ev]
    assert names[0] == "start" and names[-1] == "end" and set(names[1:-1]) == {"frame"}
    frames = [d for n, d in ev if n == "frame"]
    assert [(d["from"], d["to"]) for d in frames] == [(a, min(121, a + 25)) for a in range(0, 121, 25)]
    whole = client.post("/api/race", json={k: v for k, v in body.items() if k != "chunk"}).json()
    for i, run in enumerate(whole["runs"]):
        for key in ("params", "loss", "grad"):
            assert sum((d["runs"][i][key] for d in frames), []) == run[key]
        for k in run["state"]:
            assert sum((d["runs"][i]["state"][k] for d in frames), []) == run["state"][k]
        end = ev[-1][1]["runs"][i]
        assert end["status"] == run["status"] and end["stopped_at"] == run["stopped_at"]
    assert [run["label"] for run in ev[0][1]["runs"]] == ["adam", "gd"]


def test_the_stream_on_a_live_server(live_server):
    import httpx

    body = {"function": "rosenbrock", "steps": 2000, "optimizers": [{"name": "adam", "lr": 0.02}]}
    seen = []
    with httpx.stream("POST", live_server.url + "/api/race/stream", json=body, timeout=30) as r:
        for line in r.iter_lines():
            if line.startswith("event: "):
                seen.append(line[7:])
    assert seen[0] == "start" and seen[-1] == "end" and seen.count("frame") >= 1


# ---------------------------------------------------------------------------------------------
# tune, basins


def test_tune_is_gdlab_tune(client):
    body = {"function": "rosenbrock", "starts": [[-1.5, 2.0]], "steps": 200,
            "optimizers": [{"name": "gd", "lr": 0.5}, {"name": "momentum", "momentum": 0.8}, {"name": "adam"}]}
    got = client.post("/api/tune", json=body).json()
    result = gdlab.tune("rosenbrock", [[-1.5, 2.0]], {"gd": {}, "momentum": {"momentum": 0.8}, "adam": {}}, steps=200)
    assert same(got["lrs"], result.lrs)
    for run in got["runs"]:
        assert run["best_lr"] == result.best_lr[run["label"]]
        assert same(run["scores"], result.scores[run["label"]])


def test_basins_are_viz_basins_of_the_grid_race(client):
    body = {"function": "himmelblau", "optimizer": {"name": "momentum", "lr": 0.002}, "steps": 150, "grid": 12}
    got = client.post("/api/basins", json=body).json()
    f = catalog.get("himmelblau")
    starts = viz.grid_starts(f.bounds, 12)
    run = gdlab.race("himmelblau", starts, {"momentum": {"optimizer": "momentum", "lr": 0.002}}, 150)["momentum"]
    res = viz.basins(run)
    assert got["label"] == res.label.reshape(12, 12).tolist()
    assert got["steps"] == res.steps.reshape(12, 12).tolist()
    assert same(got["share"], res.share) and same(got["minima"], f.minima)
    assert same(got["x"], np.unique(starts[:, 0])) and same(got["y"], np.unique(starts[:, 1]))
    assert sum(got["status"].values()) == 144


# ---------------------------------------------------------------------------------------------
# pages and static files


def test_pages_and_static_files(client):
    assert client.get("/", follow_redirects=False).headers["location"] == "/optimizers"
    page = client.get("/optimizers")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    text = page.text
    assert '<script src="/vendor/plotly.min.js"' in text and "/static/js/optimizers/main.js" in text
    assert 'aria-current="page"' in text and 'id="map"' in text
    assert "cdn" not in text.lower() and "https://" not in text
    for path in ("/static/css/lab.css", "/static/js/optimizers/main.js", "/static/js/optimizers/plots.js",
                 "/static/js/optimizers/controls.js", "/static/js/optimizers/state.js", "/static/js/lib/api.js",
                 "/static/js/lib/ui.js", "/static/js/lib/maths.js"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "https://" not in r.text, path  # nothing from the network
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000 and b"plotly" in js.content[:2000].lower()


def test_docs_list_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/healthz", "/api/functions", "/api/parse", "/api/race", "/api/race/stream", "/api/tune",
                 "/api/basins", "/api/optimizers", "/api/surface", "/api/limits", "/api/style"):
        assert path in paths, path
    assert client.get("/docs").status_code == 200
