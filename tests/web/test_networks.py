"""The Networks page's API: numbers equal to gdlab.nn's fit for the same arguments, the stream,
the sessions (lockstep, downloads, explain), every limit and bad input."""

import csv
import io
import json

import numpy as np
import pytest

from gdlab import datasets, nn
from gdlab.web import create_app, limits
from gdlab.web.sessions import Sessions

SMALL = {"dataset": "moons", "n_samples": 60, "noise": 0.2, "test_fraction": 0.25, "data_seed": 3,
         "features": ["x1", "x2", "x1x2"], "hidden": [5, 3], "activation": "tanh",
         "optimizer": {"name": "momentum", "lr": 0.05, "nesterov": True}, "batch_size": 8, "epochs": 6,
         "weight_decay": 0.001, "seed": 7, "grid": 9}


def events(text):
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def by_hand(req, optimizer=None, regularizer=None):
    """The same training written out with gdlab.datasets and gdlab.nn, in one fit."""
    ds = datasets.get(req["dataset"], n_samples=req["n_samples"], noise=req["noise"], seed=req["data_seed"])
    x_tr, x_te, y_tr, y_te = datasets.train_test_split(ds.x, ds.y, test_size=req["test_fraction"],
                                                       seed=req["data_seed"])
    sc = datasets.Standardizer().fit(x_tr)

    def f(a):
        return datasets.expand_features(sc.transform(a), req["features"])

    model = nn.mlp([len(req["features"]), *req["hidden"], 1], activation=req["activation"], seed=req["seed"])
    spec = dict(optimizer or req["optimizer"])
    name = spec.pop("name")
    model.compile(optimizer=name, loss="binary_crossentropy_from_logits", metrics=["accuracy"],
                  regularizer=regularizer, **{"weight_decay": req["weight_decay"], **spec})
    h = model.fit(f(x_tr), y_tr.reshape(-1, 1), epochs=req["epochs"], batch_size=req["batch_size"],
                  validation_data=(f(x_te), y_te.reshape(-1, 1)), seed=req["seed"], verbose=0)
    return model, h.history, f


def test_train_is_fit_with_the_same_arguments(client):
    r = client.post("/api/train", json=SMALL)
    assert r.status_code == 200, r.text
    got = r.json()
    model, want, f = by_hand(SMALL)
    assert set(got["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for key, values in want.items():
        assert got["history"][key] == [float(v) for v in values], key
    g = got["grid"]
    pts = np.array([[x, y] for y in g["y"] for x in g["x"]])
    p = 1 / (1 + np.exp(-model.predict(f(pts))[:, 0].astype(np.float64)))
    np.testing.assert_array_equal(np.array(g["z"]).ravel(), p)
    assert got["epochs"] == 6 and got["updates"] == 6 * 6  # 45 training points in batches of 8
    assert got["sizes"] == [3, 5, 3, 1] and got["task"] == "classification"


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularization_is_fit_with_the_same_regularizer(client, kind):
    req = {**SMALL, "regularization": {"kind": kind, "rate": 0.01}}
    got = client.post("/api/train", json=req).json()
    _, want, _ = by_hand(SMALL, regularizer=nn.regularizers.get(kind, 0.01))
    for key, values in want.items():
        assert got["history"][key] == [float(v) for v in values], key
    assert got["regularization"] == {"kind": kind, "rate": 0.01}
    plain = client.post("/api/train", json=SMALL).json()
    assert plain["regularization"] is None and plain["history"]["loss"] != got["history"]["loss"]
    off = client.post("/api/train", json={**SMALL, "regularization": {"kind": None, "rate": 0.5}}).json()
    assert off["history"] == plain["history"]  # kind null: no penalty, whatever the rate


def test_compare_trains_copies_from_the_same_weights_on_the_same_batches(client):
    other = {"name": "adam", "lr": 0.02}
    req = {**SMALL, "compare": [other, dict(SMALL["optimizer"])]}
    got = client.post("/api/train", json=req).json()
    runs = got["runs"]
    assert [r["label"] for r in runs] == ["momentum lr=0.05", "adam", "momentum lr=0.05 #2"]
    assert runs[0]["history"] == got["history"] == runs[2]["history"]
    _, want, _ = by_hand(SMALL, optimizer=other)
    assert runs[1]["history"]["loss"] == [float(v) for v in want["loss"]]


def test_the_stream_sends_the_same_numbers_as_it_trains(client):
    whole = client.post("/api/train", json=SMALL).json()
    r = client.post("/api/train/stream", json={**SMALL, "every": 4})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    ev = events(r.text)
    assert [e for e, _ in ev] == ["start", "frame", "frame", "end"]
    frames = [d for e, d in ev if e == "frame"]
    assert [(d["from"], d["to"]) for d in frames] == [(0, 4), (4, 6)]
    loss = [v for d in frames for v in d["runs"][0]["history"]["loss"]]
    assert loss == whole["history"]["loss"]
    assert frames[-1]["runs"][0]["z"] == whole["grid"]["z"]
    assert ev[-1][1] == {"epochs": 6, "updates": 36}


def test_regression_and_csv_points(client):
    got = client.post("/api/train", json={**SMALL, "dataset": "sine", "features": ["sin_x1", "sin_x2"]}).json()
    assert set(got["history"]) == {"loss", "r2", "val_loss", "val_r2"} and got["task"] == "regression"
    rows = "x1,x2,label\n" + "".join(f"{np.cos(i)},{np.sin(3 * i)},{i % 3}\n" for i in range(30))
    got = client.post("/api/train", json={**SMALL, "dataset": "csv", "csv": rows}).json()
    assert got["classes"] == 3 and got["sizes"][-1] == 3 and got["n_train"] + got["n_test"] == 30
    assert {v for row in got["grid"]["z"] for v in row} <= {0.0, 1.0, 2.0}


def test_a_session_advances_in_lockstep_and_downloads(client, tmp_path):
    req = {k: v for k, v in SMALL.items() if k != "epochs"}
    r = client.post("/api/train/session", json={**req, "compare": [{"name": "gd", "lr": 0.1}]})
    assert r.status_code == 200, r.text
    s = r.json()
    sid = s["id"]
    assert s["frame"]["epoch"] == 0 and len(s["frame"]["runs"]) == 2 and s["explainable"]
    assert len(s["points"]["train"]["x"]) == 45 and len(s["points"]["test"]["x"]) == 15
    assert [np.shape(a) for a in s["frame"]["neurons"]] == [(5, 20, 20), (3, 20, 20)]
    f1 = client.post(f"/api/train/session/{sid}/advance", json={"epochs": 4}).json()
    f2 = client.post(f"/api/train/session/{sid}/advance", json={"epochs": 2}).json()
    assert (f1["from"], f1["epoch"], f2["from"], f2["epoch"], f2["updates"]) == (0, 4, 4, 6, 36)
    whole = client.post("/api/train", json=SMALL).json()
    assert f1["runs"][0]["history"]["loss"] + f2["runs"][0]["history"]["loss"] == whole["history"]["loss"]

    # "one step": the view a few updates into epoch 7, the session staying at epoch 6
    p = client.post(f"/api/train/session/{sid}/step", json={"updates": 6}).json()
    assert (p["epoch"], p["partial"], p["updates"]) == (6, 6, 42) and not any(p["runs"][0]["history"].values())
    r = client.post(f"/api/train/session/{sid}/step", json={"updates": 7})
    assert r.status_code == 422 and r.json()["field"] == "updates" and "6 update(s)" in r.json()["error"]

    r = client.get(f"/api/train/session/{sid}/model")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    (tmp_path / "m.npz").write_bytes(r.content)
    loaded = nn.load_model(tmp_path / "m.npz")
    model, _, f = by_hand(SMALL)
    x = f(np.array([[0.1, 0.2], [1.0, -0.5]]))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.fit_state_["epoch"] == 6

    h = client.get(f"/api/train/session/{sid}/history?format=json").json()
    assert h["runs"][0]["history"]["loss"] == whole["history"]["loss"] and h["epochs"] == 6
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/train/session/{sid}/history?format=csv").text)))
    assert len(rows) == 12 and rows[0]["label"] == "momentum" and float(rows[5]["loss"]) == whole["history"]["loss"][5]

    e = client.post(f"/api/train/session/{sid}/explain", json={"sample": 2}).json()
    ex = nn.explain_backprop(model, f(np.array([s["points"]["train"]["x"][2]]))[0], s["points"]["train"]["y"][2],
                             lr=0.05, print_fn=None)
    assert e["gradients"] == pytest.approx(ex.gradients, rel=1e-12) and e["text"] == ex.text
    f3 = client.post(f"/api/train/session/{sid}/advance", json={"epochs": 1}).json()
    assert f3["weights"] == p["weights"] and f3["runs"][0]["z"] == p["runs"][0]["z"]  # the epoch the steps went through
    assert client.delete(f"/api/train/session/{sid}").json() == {"ended": True}
    r = client.post(f"/api/train/session/{sid}/advance", json={"epochs": 1})
    assert r.status_code == 404 and r.json()["field"] == "id"


def test_session_limits(client, monkeypatch):
    s = client.post("/api/train/session", json={"hidden": [8, 8], "n_samples": 20}).json()
    r = client.post(f"/api/train/session/{s['id']}/explain", json={})
    assert r.status_code == 422 and r.json()["field"] == "hidden" and "at most 8 hidden neurons" in r.json()["error"]
    r = client.post(f"/api/train/session/{s['id']}/explain", json={"copy": 1})
    assert r.status_code == 422 and r.json()["field"] == "copy"
    r = client.get(f"/api/train/session/{s['id']}/history?format=xml")
    assert r.status_code == 422 and r.json()["field"] == "format"
    monkeypatch.setattr(limits, "MAX_EPOCHS", 3)
    assert client.post(f"/api/train/session/{s['id']}/advance", json={"epochs": 3}).status_code == 200
    r = client.post(f"/api/train/session/{s['id']}/advance", json={"epochs": 1})
    assert r.status_code == 422 and r.json()["field"] == "epochs" and "at epoch 3" in r.json()["error"]


def test_the_session_store_is_bounded():
    store = Sessions(max_sessions=2, idle=1000)
    a, b = store.add("a"), store.add("b")
    assert store.get(a).value == "a"  # a is now the most recently used
    c = store.add("c")
    assert store.get(b) is None and store.get(a) is not None and store.get(c) is not None and len(store) == 2
    store.idle = -1
    assert store.get(a) is None and len(store) == 0


CSV_BAD = "0,0\n1,1\n"
CASES = [
    ("train", {"epochs": 5001}, "epochs", "less than or equal to 5000"),
    ("train", {"epochs": 0}, "epochs", "greater than or equal to 1"),
    ("train", {"n_samples": 5001}, "n_samples", "less than or equal to 5000"),
    ("train", {"hidden": [2] * 7}, "hidden", "at most 6"),
    ("train", {"hidden": [257]}, "hidden[0]", "less than or equal to 256"),
    ("train", {"hidden": [0]}, "hidden[0]", "greater than or equal to 1"),
    ("session", {"hidden": [4, 9]}, "hidden[1]", "at most 8 neurons"),
    ("train", {"compare": [{"name": "gd"}] * 4}, "compare", "at most 3"),
    ("train", {"optimizer": {"name": "adamm"}}, "optimizer.name", "Did you mean"),
    ("train", {"optimizer": {"name": "adam", "lr": -1}}, "optimizer.lr", "lr"),
    ("train", {"compare": [{"name": "gd", "momentum": -1}]}, "compare[0].momentum", "momentum"),
    ("train", {"dataset": "mnist"}, "dataset", "moons"),
    ("train", {"dataset": "csv"}, "csv", "required"),
    ("train", {"dataset": "csv", "csv": CSV_BAD}, "csv", "line 1: expected 3 columns"),
    ("train", {"csv": "x" * 500_001}, "csv", "at most 500000"),
    ("train", {"features": []}, "features", "at least 1"),
    ("train", {"features": ["x3"]}, "features[0]", "'x1'"),
    ("train", {"features": ["x1", "x1"]}, "features", "distinct"),
    ("train", {"activation": "gelu"}, "activation", "'relu'"),
    ("train", {"test_fraction": 0.95}, "test_fraction", "less than or equal to 0.9"),
    ("train", {"batch_size": 0}, "batch_size", "greater than or equal to 1"),
    ("train", {"noise": -1}, "noise", "greater than or equal to 0"),
    ("train", {"weight_decay": -0.1}, "weight_decay", "greater than or equal to 0"),
    ("train", {"seed": -1}, "seed", "greater than or equal to 0"),
    ("train", {"regularization": {"kind": "l3"}}, "regularization.kind", "'l1' or 'l2'"),
    ("train", {"regularization": {"kind": "l1", "rate": -1}}, "regularization.rate", "greater than or equal to 0"),
    ("train", {"regularization": {"kind": "l1", "rate": 11}}, "regularization.rate", "less than or equal to 10"),
    ("train", {"regularization": {"kind": "l2", "lambda": 1}}, "regularization.lambda", "Extra inputs"),
    ("train", {"regularization": "l1"}, "regularization", "valid dictionary"),
    ("train", {"grid": 101}, "grid", "less than or equal to 100"),
    ("train", {"bogus": 1}, "bogus", "Extra inputs"),
    ("stream", {"every": 0}, "every", "greater than or equal to 1"),
]


@pytest.mark.parametrize("where, change, field, words", CASES)
def test_bad_input_is_a_4xx_naming_the_field(client, where, change, field, words):
    path = {"train": "/api/train", "stream": "/api/train/stream", "session": "/api/train/session"}[where]
    req = {**SMALL, **change} if where != "session" else {"n_samples": 20, **change}
    r = client.post(path, json=req)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and words in r.json()["error"], r.json()


def test_the_time_budget_stops_a_long_training():
    from fastapi.testclient import TestClient

    big = {**SMALL, "n_samples": 2000, "hidden": [64, 64], "batch_size": 1, "epochs": 5000}
    with TestClient(create_app(time_budget=0.05)) as c:
        r = c.post("/api/train", json=big)
        assert r.status_code == 422 and r.json()["field"] == "epochs" and "time budget" in r.json()["error"]
        ev = events(c.post("/api/train/stream", json=big).text)
        assert ev[0][0] == "start" and ev[-1][0] == "error" and ev[-1][1]["field"] == "epochs"
