import numpy as np
import pytest

from gdlab.viz import _style as S
from gdlab.viz._data import Run, as_runs, grid


def test_levels_are_log_spaced_where_the_range_is_wide(fns):
    _, _, P = grid(np.asarray(fns.rosenbrock.bounds, float), 80)
    z = fns.rosenbrock(P)
    lv = S.contour_levels(z, n=12)
    gaps = np.diff(lv[1:] - lv[0])
    assert np.all(gaps > 0)
    assert gaps[-1] / gaps[0] > 100                        # geometric, not even
    _, _, P = grid(np.asarray(fns.bowl.bounds, float), 80)
    lv = S.contour_levels(fns.bowl(P), n=12)
    assert np.allclose(np.diff(lv), np.diff(lv)[0])       # a round bowl: even levels
    assert np.all(np.diff(S.contour_levels(np.ones(10))) > 0)


def test_palette_by_optimizer_name_and_distinct_colours():
    assert S.color_for("adam") == S.PALETTE["adam"]
    assert S.color_for("Adam lr=0.1") == S.PALETTE["adam"]
    assert S.color_for("momentum_0.9") == S.PALETTE["momentum"]
    assert S.color_for("my method") is None
    runs = [Run(label=lab, params=np.zeros((2, 1, 2)), optimizer="sgd") for lab in ("sgd a", "sgd b", "sgd c")]
    colors = S.assign_colors(runs)
    assert colors[0] == S.PALETTE["sgd"] and len(set(colors)) == 3


def test_save_png_and_svg(tmp_path, fns):
    from gdlab import viz
    fig = viz.path_1d(fns.square, [-5.0, -4.0, -3.2])
    png = viz.save(fig, tmp_path / "a.png")
    svg = viz.save(fig, tmp_path / "a.svg")
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in open(svg, encoding="utf-8").read(2000)
    with pytest.raises(ValueError, match="extension"):
        viz.save(fig, tmp_path / "a.bmpx")


def test_path_keyword_saves_by_extension(tmp_path, fns):
    from gdlab import viz
    fig = viz.tangents(fns.seed004, [5.0, 10.0], xlim=(0, 20), path=tmp_path / "t.svg")
    assert (tmp_path / "t.svg").stat().st_size > 1000
    assert fig.axes


def test_runs_are_duck_typed(fake_run, standins):
    traj = fake_run(standins.bowl, [[1.0, 1.0], [2.0, -1.0]], "adam", steps=5, lr=0.1)
    (r,) = as_runs(traj)
    assert r.params.shape == (6, 2, 2) and r.loss.shape == (6, 2) and r.state["m"].shape == (6, 2, 2)
    race = as_runs({"a": traj, "b": np.zeros((4, 2))})
    assert [x.label for x in race] == ["a", "b"] and race[1].params.shape == (4, 1, 2)
    (w,) = as_runs([-5.0, -4.0, -3.2])                    # seed 000's list of visited w
    assert w.params.shape == (3, 1, 1)
    (d,) = as_runs(vars(traj))                            # a to_dict()-like mapping
    assert d.params.shape == (6, 2, 2)


def test_figures_show_themselves_in_jupyter(fns):
    from gdlab import viz
    fig = viz.gradient_field(fns.bowl, density=5, contours=False)
    assert fig._repr_png_()[:4] == b"\x89PNG"
