"""gdlab demo: the gallery's listing, one experiment, and exit status 1 when one fails."""


def test_demo_list(run_cli):
    code, out, _ = run_cli("demo", "--list")
    assert code == 0
    for name in ("seed000_x2", "seed003_saddle", "race_rosenbrock", "basin_map"):
        assert name in out


def test_demo_only_one_experiment(run_cli, tmp_path):
    code, out, err = run_cli("demo", "--only", "seed004_descent", "--quick", "--out", tmp_path)
    assert code == 0, out + err
    assert "seed004_descent" in out and "−6.1e-10" in out
    assert (tmp_path / "index.html").exists()


def test_demo_exits_1_when_an_experiment_fails(run_cli, tmp_path, monkeypatch):
    from gdlab.demo._core import REGISTRY, Experiment

    def broken(ctx):
        raise RuntimeError("this experiment is broken")

    monkeypatch.setitem(REGISTRY, "zz_broken", Experiment("zz_broken", "beyond", "Broken", "fails", broken))
    code, out, err = run_cli("demo", "--only", "zz_broken,seed001_backprop", "--out", tmp_path)
    assert code == 1
    assert "this experiment is broken" in out and "1 failed" in out
    assert "Traceback" not in out + err
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'id="zz_broken"' in page and 'id="seed001_backprop"' in page


def test_unknown_experiment(refused):
    refused(["demo", "--only", "nope"], "unknown experiment")
