"""gdlab runs (list, show, compare, export, rm), --save/--store on the commands, and gdlab sweep's grid mode."""

import json

from tests.cli.conftest import png_ok


def test_save_then_list_show_compare_export_rm(run_cli, tmp_path):
    db = tmp_path / "runs.db"
    code, out, err = run_cli("minimize", "rosenbrock", "-o", "adam", "--lr", "0.05", "--steps", "100", "--store", db)
    assert code == 0, err
    run_id = out.strip().splitlines()[-1].split()[2]
    code, out, err = run_cli("race", "rosenbrock", "-o", "gd:lr=0.001,adam:lr=0.05", "--steps", "50", "--store", db)
    assert code == 0, err
    race_id = out.strip().splitlines()[-1].split()[2]
    code, out, _ = run_cli("runs", "list", "--json", "--store", db)
    listed = json.loads(out)
    assert [r["id"] for r in listed] == [race_id, run_id] and listed[1]["kind"] == "minimize"
    import gdlab

    ref = gdlab.minimize("rosenbrock", None, "adam", steps=100, lr=0.05)
    assert listed[1]["final_loss"] == ref.final_loss
    code, out, _ = run_cli("runs", "list", "--kind", "race", "--store", db)
    assert code == 0 and race_id in out and run_id not in out
    code, out, _ = run_cli("runs", "show", run_id[:5], "--store", db)
    assert code == 0 and "adam" in out and '"lr": 0.05' in out
    plot = tmp_path / "cmp.png"
    code, out, err = run_cli("runs", "compare", run_id, race_id, "--plot", plot, "--store", db)
    assert code == 0, err
    png_ok(plot)
    code, out, _ = run_cli("runs", "export", run_id, "--csv", "--store", db)
    lines = out.strip().splitlines()
    assert lines[0].startswith("step,x0,x1,loss") and len(lines) == 102
    code, out, _ = run_cli("runs", "export", run_id, "--json", "--store", db)
    assert json.loads(out)["arrays"]["loss"][-1] == ref.loss[-1]
    code, out, _ = run_cli("runs", "rm", run_id, "--store", db)
    assert code == 0 and "deleted 1 run" in out
    code, out, _ = run_cli("runs", "list", "--json", "--store", db)
    assert [r["id"] for r in json.loads(out)] == [race_id]


def test_gdlab_store_environment_variable(run_cli, tmp_path, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("GDLAB_STORE", str(db))
    code, out, err = run_cli("train", "--dataset", "moons", "--data", "n_samples=60", "--epochs", "2", "--seed", "0",
                             "--save")
    assert code == 0, err and f"in {db}" in out
    code, out, _ = run_cli("runs", "list", "--json")
    assert json.loads(out)[0]["kind"] == "train"


def test_bad_store_and_ids_are_one_line_errors(refused, tmp_path):
    bad = tmp_path / "not-a-store.db"
    bad.write_text("hello")
    refused(["runs", "list", "--store", bad], "is not a gdlab run store")
    refused(["minimize", "sphere", "--store", bad], "is not a gdlab run store")
    refused(["runs", "show", "ffff0000", "--store", tmp_path / "a.db"], "no run")
    refused(["runs", "export", "ffff0000", "--out", tmp_path / "x.txt", "--store", tmp_path / "a.db"], ".txt")


def test_grid_sweep_saves_resumes_and_draws(run_cli, tmp_path):
    db, js, heat, curves = (tmp_path / n for n in ("runs.db", "s.json", "heat.png", "curves.png"))
    args = ["sweep", "rosenbrock", "-o", "gd,adam", "--lrs", "1e-3:0.1:3", "--grid", "seed=0,1", "--grid", "starts=2",
            "--steps", "60", "--store", db, "--json", js]
    code, out, err = run_cli(*args, "--plot", heat, "--curves", curves)
    assert code == 0, err
    assert "12 tasks: 12 done (0 from the store), 0 failed" in out and "rosenbrock / adam" in out
    png_ok(heat)
    png_ok(curves)
    first = json.loads(js.read_text())
    assert first["tasks"] == 12 and len(first["rows"]) == 12
    code, out, err = run_cli(*args, "--resume")
    assert code == 0, err and "12 done (12 from the store)" in out
    again = json.loads(js.read_text())
    assert again["rows"] == first["rows"]
    code, out, _ = run_cli("runs", "list", "--kind", "sweep_task", "--json", "--limit", "100", "--store", db)
    assert len(json.loads(out)) == 12


def test_grid_file_and_training_grid(run_cli, tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text("dataset: moons\ndata: {n_samples: 60}\nmodel: 2-8-2\nlr: [0.01, 0.1]\nepochs: 2\nseed: 0\n")
    js = tmp_path / "t.json"
    code, out, err = run_cli("sweep", "--grid", grid, "--grid", "batch_size=16,32", "--json", js)
    assert code == 0, err
    data = json.loads(js.read_text())
    assert data["mode"] == "train" and len(data["rows"]) == 4
    assert {(r["lr"], r["batch_size"]) for r in data["rows"]} == {(0.01, 16), (0.01, 32), (0.1, 16), (0.1, 32)}


def test_grid_bad_input_is_one_line(refused, tmp_path):
    refused(["sweep", "--grid", "lr=0.1"], "needs FUNCTION_OR_FORMULA")
    refused(["sweep", "sphere", "--grid", "lr"], "expected KEY=V1,V2")
    refused(["sweep", "sphere", "--grid", "nosuchkey=1"], "no optimizer of the grid has")
    refused(["sweep", "--grid", "function=sphere,rosenbruck"], "rosenbrock")
    refused(["sweep", "--grid", "dataset=moonz"], "unknown data set")
    refused(["sweep", "sphere", "--grid", "seed=0", "--scheduler", "localhost:8786"], "tcp://")
    (tmp_path / "g.yaml").write_text("[1, 2")
    refused(["sweep", "--grid", tmp_path / "g.yaml"], "does not parse")


def test_a_thinned_run_is_exported_and_plotted_at_its_real_steps(run_cli, tmp_path, monkeypatch):
    import csv
    import io

    import gdlab
    from gdlab import store as gstore

    monkeypatch.setenv("GDLAB_RECORD_BUDGET", "30K")  # 5 starts x 600 steps do not fit: every k-th step
    db = tmp_path / "runs.db"
    code, out, err = run_cli("minimize", "himmelblau", "-o", "momentum", "--lr", "0.02", "--steps", "600",
                             "--tol", "1e-3", *[a for p in ("0.01,0", "8,9", "-1.2,1", "0.3,-0.2", "60,60") for a in ("--start", p)],
                             "--store", db)
    assert code == 0, err
    assert "recorded every" in out and "budget" in out  # the CLI's one line on what was kept
    run_id = out.strip().splitlines()[-1].split()[2]
    with gstore.Store(db) as s:
        t = s.load(run_id)
    assert t.record_every > 1
    code, out, _ = run_cli("runs", "export", run_id, "--csv", "--store", db)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["step"]) for r in rows if r["run"] == "0"] == t.recorded_steps.tolist()
    assert rows[-1]["step"] == "600"
    plot = tmp_path / "cmp.png"
    code, out, err = run_cli("runs", "compare", run_id, "--plot", plot, "--store", db)
    assert code == 0, err
    png_ok(plot)
    ref = gdlab.minimize("himmelblau", t.x0, "momentum", lr=0.02, steps=600, tol=1e-3)
    assert t.stopped_at.tolist() == ref.stopped_at.tolist()
