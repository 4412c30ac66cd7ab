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


def test_seed004_table_goes_to_the_gallery_not_before_the_summary(run_cli, tmp_path):
    """The seed's whole numdiff table is a file of its card; the terminal shows the summary only."""
    code, out, err = run_cli("demo", "--only", "seed004_numdiff", "--quick", "--out", tmp_path)
    assert code == 0, out + err
    assert out.startswith("gdlab demo: the seeds' numbers reproduced") and "|error|" not in out
    table = (tmp_path / "seed004_numdiff-table.txt").read_text(encoding="utf-8")
    assert "0.1999999999990898" in table and "|error|" in table.splitlines()[0]
    assert "seed004_numdiff-table.txt" in (tmp_path / "index.html").read_text(encoding="utf-8")


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


def test_only_takes_a_word_of_names(run_cli, tmp_path, monkeypatch):
    """`--only seed000_x2,saddle` (the --help example): the named one and every experiment with "saddle"."""
    from gdlab import demo

    ran = []

    def stop_after_selecting(out, selected, **kwargs):  # which experiments, without running them
        ran.extend(e.name for e in selected)
        raise KeyboardInterrupt

    monkeypatch.setattr(demo, "run_gallery", stop_after_selecting)
    code, _, err = run_cli("demo", "--only", "seed000_x2,saddle", "--out", tmp_path)
    assert code == 130
    assert ran == ["seed000_x2", "seed003_saddle", "seed003_saddle_optimizers", "saddle_escape"]


def test_unwritable_out_folder_is_refused_first(refused):
    refused(["demo", "--only", "seed000_x2", "--out", "/proc/gallery"], "cannot write --out '/proc/gallery'")
    refused(["demo", "--jobs", "0"], "'--jobs'")
