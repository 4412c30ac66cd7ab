"""Curves against step or epoch, sweeps, optimizer internals."""

from types import SimpleNamespace

import numpy as np
import pytest

from gdlab import viz


def _labels(fig):
    return [t.get_text() for leg in fig.legends for t in leg.get_texts()]


def test_loss_curves_one_panel_per_metric(fns, run_of, ink):
    race = {"gd": run_of(fns.rosenbrock, [-1.5, 2.0], "gd", steps=80, lr=1e-3),
            "adam": run_of(fns.rosenbrock, [-1.5, 2.0], "adam", steps=80, lr=0.05)}
    fig = viz.loss_curves(race, metrics=("loss", "grad_norm", "step_size", "lr"))
    assert len(fig.axes) == 4
    for ax in fig.axes:
        assert len(ax.get_lines()) == 2
    assert fig.axes[1].get_yscale() == "log"          # the gradient norm spans decades
    assert _labels(fig) == ["gd", "adam"]
    assert ink(viz.to_array(fig)) > 0.05


def test_loss_curves_take_plain_lists_and_stop_where_runs_stop(fns, run_of):
    fig = viz.loss_curves([4.0 * 0.9 ** i for i in range(50)], xlabel="epoch", logy=False)
    (line,) = fig.axes[0].get_lines()
    assert len(line.get_xdata()) == 50 and fig.axes[0].get_xlabel() == "epoch"
    run = run_of(fns.bowl, [-3.0, 4.0], "gd", steps=200, lr=0.1, tol=1e-6)
    assert run.stopped_at < 200
    fig = viz.loss_curves(run)
    assert len(fig.axes[0].get_lines()[0].get_xdata()) == run.stopped_at + 1
    assert fig.axes[0].get_yscale() == "log"          # 25 down to 1e-13: log scale
    with pytest.raises(ValueError, match="unknown metric"):
        viz.loss_curves(run, metrics="speed")


def test_loss_curves_of_many_starts_show_a_band(fns, run_of):
    starts = np.random.default_rng(0).uniform(-2, 2, size=(30, 2))
    run = run_of(fns.himmelblau, starts, "gd", steps=40, lr=0.01)
    fig = viz.loss_curves(run, metrics="gap")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 1 and len(ax.collections) == 1   # the median and the 10-90 % band
    assert "median of 30" in ax.get_lines()[0].get_label()


def test_divergence_is_marked_on_loss_curves(fns, run_of):
    run = run_of(fns.bowl, [-3.0, 4.0], "gd", steps=100, lr=1.1)
    fig = viz.loss_curves({"lr 1.1": run})
    assert any(ln.get_marker() == "X" for ln in fig.axes[0].get_lines())


def test_history_curves_train_and_validation():
    ep = np.arange(1, 31)
    h = SimpleNamespace(history={"loss": list(1 / ep), "val_loss": list(1 / ep + 0.01 * ep / 30 + 0.02),
                                 "accuracy": list(1 - 0.5 / ep), "val_accuracy": list(0.95 - 0.5 / ep)})
    fig = viz.history_curves(h)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    styles = sorted(ln.get_linestyle() for ln in fig.axes[0].get_lines() if len(ln.get_xdata()) > 1)
    assert styles == ["-", "--"]
    assert any("best epoch" in t.get_text() for t in fig.axes[0].texts)
    fig2 = viz.history_curves({"a": h, "b": {"loss": [3.0, 2.0, 1.0]}}, logy=True)
    assert len(fig2.axes) == 2 and "a (train)" in _labels(fig2)
    with pytest.raises(TypeError):
        viz.history_curves(42)


def test_history_curves_from_a_real_fit():
    nn = pytest.importorskip("gdlab.nn")
    from gdlab import datasets
    x, y = datasets.get("moons", n_samples=60, seed=0)
    model = nn.mlp([2, 8, 2], activation="relu", seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy_from_logits", metrics=["accuracy"],
                  lr=0.05)
    h = model.fit(x, y, epochs=5, batch_size=20, seed=0, verbose=0, validation_data=(x, y))
    fig = viz.history_curves(h)
    assert len(fig.axes) == 2 and all(len(ax.get_lines()) >= 2 for ax in fig.axes)


def test_lr_sweep_marks_divergence_and_the_best_lr():
    lrs = np.geomspace(1e-4, 1, 9)
    ok = lrs < 0.1
    sweep = SimpleNamespace(lrs=lrs, final_loss=np.where(ok, 1 / (1 + 100 * lrs), np.inf),
                            status=np.where(ok, "max_steps", "diverged"), optimizer="adam")
    fig = viz.lr_sweep({"adam": sweep, "gd": {"lrs": lrs, "final_loss": 2 / (1 + 10 * lrs),
                                              "status": ["max_steps"] * 9}})
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "X"]
    assert len(crosses) == 1 and len(crosses[0].get_xdata()) == int((~ok).sum())
    assert not ax.texts                                     # no label on the lines ...
    best = {"adam": lrs[np.argmin(np.where(ok, 1 / (1 + 100 * lrs), np.inf))], "gd": lrs[-1]}
    assert {f"{k} (best lr {v:.3g})" for k, v in best.items()} <= set(_labels(fig))   # ... but in the legend
    assert "diverged" in _labels(fig)


def test_lr_sweep_title_names_the_function_and_the_budget(fns):
    gdlab = pytest.importorskip("gdlab")
    result = gdlab.lr_sweep(gdlab.functions.get("ill_conditioned", condition=10.0), [1.0, 1.0], "gd",
                            np.geomspace(1e-3, 0.1, 5), steps=40)
    assert viz.lr_sweep({"gd": result}).axes[0].get_title() == "ill_conditioned: final loss after 40 steps"


def test_lr_sweep_from_gdlab(fns):
    gdlab = pytest.importorskip("gdlab")
    if not hasattr(gdlab, "lr_sweep"):
        pytest.skip("gdlab.lr_sweep not there")
    result = gdlab.lr_sweep(fns.bowl, [-3.0, 4.0], "gd", np.geomspace(1e-3, 2, 8), steps=40)
    fig = viz.lr_sweep(result)
    assert any(ln.get_marker() == "X" for ln in fig.axes[0].get_lines())   # lr > 1 diverges on x² + y²


def test_optimizer_state_panels(fns, run_of):
    race = {"momentum": run_of(fns.saddle, [10.0, 0.01], "momentum", steps=30, lr=0.01, momentum=0.9),
            "adagrad": run_of(fns.saddle, [10.0, 0.01], "adagrad", steps=30, lr=0.5)}
    fig = viz.optimizer_state(race)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles[:2] == ["step length ‖Δx‖", "effective step size |Δxᵢ| / |gᵢ|"]
    assert len(titles) == 2 + sum(len(r.state) for r in race.values())


def test_effective_step_of_plain_gd_is_the_lr(fns, run_of):
    from gdlab.viz._curves import _effective_lr
    from gdlab.viz._data import as_run
    run = as_run(run_of(fns.bowl, [-3.0, 4.0], "gd", steps=10, lr=0.1))
    eff = _effective_lr(run, 0)
    assert np.allclose(eff, 0.1)


def test_overview(fns, run_of):
    fig = viz.overview(run_of(fns.rosenbrock, [-1.5, 2.0], "adam", steps=50, lr=0.05), figsize=(6, 3))
    assert len([a for a in fig.axes if a.get_visible()]) == 3   # map, colorbar, loss
    fig1 = viz.overview(fns.square, run_of(fns.square, [-5.0], "gd", steps=20, lr=0.1))
    assert len(fig1.axes) == 2
