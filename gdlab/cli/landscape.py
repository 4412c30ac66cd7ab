"""``gdlab landscape MODEL.npz --dataset NAME``: the training loss of a saved model on a plane through its weights.

The data are rebuilt by the train recipe (:func:`gdlab.nn.recipe.prepare`) from the same options
``gdlab train`` took, so the loss at the centre is the training loss the model was fitted to.
The plane is two filter-normalised random directions, or the top two principal directions of
the weights recorded by ``gdlab train --trajectory`` (:mod:`gdlab.nn.landscape`).
"""

from __future__ import annotations

import os

import click

from .common import (CONTEXT, BadInput, Number, checking, converter, fmt_float, html_option, json_option,
                     make_console, parse_params, plot_option, report_written, reserve_outputs, seed_option,
                     write_json)


@click.command("landscape", context_settings=CONTEXT)
@click.argument("model_path", metavar="MODEL.npz", type=click.Path(dir_okay=False))
@click.option("--dataset", "-d", required=True, help="The data set the model was trained on (as for gdlab train).")
@click.option("--data", "data_args", multiple=True, metavar="KEY=VALUE",
              callback=converter(lambda v, p: parse_params(v, option="--data")),
              help="Argument of the data set, as given to gdlab train.")
@click.option("--kind", type=click.Choice(["filter", "pca"]), default="filter", show_default=True,
              help="filter: two random filter-normalised directions (Li et al. 2018); pca: the plane of the "
                   "training path (needs --trajectory).")
@click.option("--trajectory", type=click.Path(dir_okay=False), default=None,
              help="Weights along training, written by gdlab train --trajectory: drawn as the path.")
@click.option("--span", type=Number(min=0, min_open=True, max=1000), default=1.0, show_default=True,
              help="Half-width of the filter plane, in filter norms, above 0 up to 1000 (a PCA plane fits the path).")
@click.option("--steps", type=Number(min=5, max=201, integer=True), default=41, show_default=True,
              help="Grid points per axis, 5 to 201.")
@seed_option
@click.option("--direction-seed", type=Number(min=0, integer=True), default=0, show_default=True,
              help="Seed of the random directions (--kind filter), a whole number >= 0.")
@click.option("--test-size", type=Number(min=0, max=0.9), default=0.2, show_default=True,
              help="As given to gdlab train: the landscape is that of the training part.")
@click.option("--standardize/--no-standardize", default=True, show_default=True, help="As given to gdlab train.")
@plot_option
@html_option
@json_option
def command(model_path, dataset, data_args, kind, trajectory, span, steps, seed, direction_seed, test_size,
            standardize, plot, html, json_path):
    """The loss landscape of a saved model: its training loss on a plane through its weights.

    Pass the --dataset, --data, --seed, --test-size and --standardize that gdlab train got: the
    data are rebuilt the same way and the loss at the centre is the model's training loss. The
    figure shows the contour map (with the training path, given --trajectory) beside a 3-D surface.

    \b
    Examples:
      gdlab train --dataset moons --model 2-16-16-2 --epochs 100 --seed 0 --save moons.npz --trajectory path.npz
      gdlab landscape moons.npz --dataset moons --seed 0 --plot land.png
      gdlab landscape moons.npz --dataset moons --seed 0 --kind pca --trajectory path.npz --plot pca.png --html pca.html
    """
    import time

    from gdlab.nn import landscape

    if kind == "pca" and trajectory is None:
        raise BadInput("--kind pca needs --trajectory (the weights written by gdlab train --trajectory)")
    with checking():
        model, x, y = _model_and_data(model_path, dataset, dict(data_args), test_size, standardize, seed)
        history = landscape.load_weight_history(trajectory) if trajectory is not None else None
        if kind == "pca":
            plane = landscape.directions(model, kind="pca", history=history)
        else:
            plane = landscape.directions(model, kind="filter", seed=direction_seed)
        path = landscape.project(history, plane) if history is not None else None
    with reserve_outputs({"--plot": plot, "--html": html, "--json": json_path}) as files:
        extent = landscape.path_span(path) if kind == "pca" else span
        t0 = time.perf_counter()
        surf = landscape.slice_2d(model, x, y, plane, span=extent, steps=steps)
        seconds = time.perf_counter() - t0
        _print_landscape(make_console(), model_path, model, dataset, len(x), kind, steps, seconds, surf, plane)
        paths = {"training path": path} if path is not None else None
        if plot is not None or html is not None:
            from gdlab import viz
        if plot is not None:
            viz.landscape_2d(surf, paths, path=files.temporary(plot))
        if html is not None:
            viz.interactive_landscape(surf, paths, path=files.temporary(html))
        if json_path is not None:
            write_json(files.temporary(json_path),
                       {"kind": "landscape", "model": str(model_path), "dataset": dataset, "plane": kind,
                        "alpha": surf.alpha, "beta": surf.beta, "loss": surf.loss, "center_loss": surf.center_loss,
                        "explained": plane.explained, "path": path, "method": surf.method})
    report_written(files.paths)


def _model_and_data(model_path, dataset, data, test_size, standardize, seed):
    """The saved model and its training data (inputs, targets) as gdlab train gave them to fit."""
    from gdlab import nn
    from gdlab.nn import recipe

    if not os.path.exists(model_path):
        raise BadInput(f"no such model file: {str(model_path)!r}")
    model = nn.load_model(model_path)
    if getattr(model, "compiled_", None) is None:
        raise BadInput(f"{model_path}: the model was saved without its loss (not compiled); "
                       "save it after compile, as gdlab train --save does")
    linears = [m for _, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise BadInput(f"{model_path}: the model has no Linear layer; gdlab landscape takes the models of gdlab train")
    sizes = [m.in_features for m in linears] + [linears[-1].out_features]
    try:
        spec = recipe.TrainSpec(dataset=dataset, data=data, test_size=test_size, standardize=standardize,
                                model=sizes, seed=seed)
        x, y = recipe.prepare(spec).train_data
    except recipe.TrainSpecError as exc:
        raise BadInput(f"{model_path} does not fit --dataset {dataset}: {exc}") from None
    return model, x, y


def _print_landscape(console, model_path, model, dataset, n, kind, steps, seconds, surf, plane):
    import numpy as np

    from rich.table import Table

    console.print(f"[bold]{model_path}[/]: {model.count_params():,} parameters; {dataset}, {n:,} training samples")
    console.print(f"{kind} plane: {steps}x{steps} points in {seconds:.2f} s ({surf.method})")
    table = Table()
    for col in ("loss at the weights", "lowest on the plane", "highest on the plane"):
        table.add_column(col, justify="right")
    finite = surf.loss[np.isfinite(surf.loss)]
    table.add_row(fmt_float(surf.center_loss, 6), fmt_float(finite.min(), 6) if finite.size else "-",
                  fmt_float(finite.max(), 6) if finite.size else "-")
    console.print(table)
    if plane.explained is not None:
        console.print(f"the PCA plane holds {100 * sum(plane.explained):.1f}% of the path's variance "
                      f"(PC1 {100 * plane.explained[0]:.1f}%, PC2 {100 * plane.explained[1]:.1f}%)")
