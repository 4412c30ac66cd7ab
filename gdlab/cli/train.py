"""``gdlab train``: the options become a :class:`gdlab.nn.recipe.TrainSpec`, trained by one ``recipe.train`` call.

The recipe (data set -> split -> standardisation -> model -> compile -> fit -> evaluate) lives in
the library, so these numbers are the ones the web server and sweeps get for the same spec. This
module only translates options, draws the progress bar, prints the table and writes the files.
"""

from __future__ import annotations

import math
import statistics

import click

from .common import (CONTEXT, MODEL_SUFFIXES, PLOT_SUFFIXES, POSITIVE, BadInput, Number, check_output, converter,
                     fmt_float,
                     html_option, json_option, make_console, one_line, output_callback, param_option, parse_model,
                     parse_params, progress_bar, report_saved, report_written, reserve_outputs, seed_option,
                     store_for, store_option, write_json)

SHARPNESS_POINTS = 100     # --sharpness measures about this many times (each a few Lanczos products)
TRAJECTORY_POINTS = 1001   # --trajectory keeps at most this many weight vectors


def _regularizer(value, param):
    """``--regularizer l1`` / ``l2=0.01`` -> the recipe's record ``{"name", "rate"}`` (checked by nn.regularizers)."""
    if value is None:
        return None
    from gdlab.nn import regularizers

    name, _, rate = value.partition("=")
    try:
        number = float(rate) if rate else None
    except ValueError:
        raise BadInput(f"--regularizer {value}: the rate {rate!r} is not a number (e.g. -r l1=0.001)") from None
    try:
        return regularizers.get(name, number).get_config()
    except regularizers.RegularizerError as exc:
        raise BadInput(f"--regularizer {value}: {exc}") from None


@click.command("train", context_settings=CONTEXT)
@click.option("--dataset", "-d", default="moons", show_default=True,
              help="Data set name (moons, circles, spirals, xor, blobs, digits, sine, ...).")
@click.option("--data", "data_args", multiple=True, metavar="KEY=VALUE",
              callback=converter(lambda v, p: parse_params(v, option="--data")),
              help="Argument of the data set, e.g. --data n_samples=500 --data noise=0.2.")
@click.option("--model", "-m", "model_spec", default=None, metavar="SIZES",
              callback=converter(lambda v, p: None if v is None else parse_model(v)),
              help="Layer sizes input-hidden...-output, e.g. 2-16-16-2. Default: input-16-16-output.")
@click.option("--activation", "-a", default="relu", show_default=True,
              help="relu, tanh, sigmoid, leaky_relu, ...")
@click.option("--optimizer", "-o", default="adam", show_default=True, help="Optimizer name (gd, momentum, adam, ...).")
@click.option("--lr", type=POSITIVE, default=0.01, show_default=True, help="Learning rate (> 0).")
@param_option
@click.option("--regularizer", "-r", default=None, metavar="l1|l2[=RATE]", callback=converter(_regularizer),
              help="A weight penalty added to the loss over the Linear layers' weights (not the biases): "
                   "l1 (RATE*sum|w|) or l2 (RATE/2*sum w^2), RATE 1e-3 unless given, e.g. -r l1=0.001.")
@click.option("--epochs", "-e", type=Number(min=1, max=1_000_000, integer=True), default=200, show_default=True,
              help="Passes over the training set, 1 to 1,000,000.")
@click.option("--batch-size", "-b", type=Number(min=1, max=10_000_000, integer=True), default=32, show_default=True,
              help="Samples per update (1 = SGD). Use --full-batch for gradient descent.")
@click.option("--full-batch", is_flag=True, help="One update per epoch on the whole training set.")
@click.option("--test-size", type=Number(min=0, max=0.9), default=0.2, show_default=True,
              help="Fraction held out to report test metrics, 0 to 0.9 (0: none).")
@click.option("--standardize/--no-standardize", default=True, show_default=True,
              help="Standardise the features (fitted on the training set).")
@seed_option
@click.option("--plot", type=click.Path(dir_okay=False), callback=output_callback(PLOT_SUFFIXES),
              help="Write the model's figure: decision regions (2-D classes), the fit (1-D regression), "
                   "predicted images (digits), or the training curves.")
@click.option("--curves", type=click.Path(dir_okay=False), callback=output_callback(PLOT_SUFFIXES),
              help="Write the loss and metrics per epoch, train and test.")
@html_option
@click.option("--save", is_flag=False, flag_value="", default=None, metavar="[MODEL.npz]",
              callback=converter(lambda v, p: v if not v else check_output(v, MODEL_SUFFIXES, "--save")),
              help="With a path: save the trained model (.npz). Alone: keep the run in the run store and print "
                   "its id (--store PATH implies it).")
@store_option
@click.option("--sharpness", type=click.Path(dir_okay=False), callback=output_callback(PLOT_SUFFIXES),
              help="Write the sharpness (top Hessian eigenvalue of the training loss) against the updates, with "
                   f"the stability limit 2/lr of gradient descent; measured about {SHARPNESS_POINTS} times.")
@click.option("--trajectory", type=click.Path(dir_okay=False), callback=output_callback(MODEL_SUFFIXES),
              help="Save the weights along training (.npz; after every epoch, at most "
                   f"{TRAJECTORY_POINTS:,} evenly spaced points) for gdlab landscape --kind pca.")
@json_option
def command(dataset, data_args, model_spec, activation, optimizer, lr, params, regularizer, epochs, batch_size, full_batch,
            test_size, standardize, seed, plot, curves, html, save, store_path, sharpness, trajectory, json_path):
    """Train a small network on a data set, with a progress bar; print the metrics.

    Classification data get softmax cross-entropy and accuracy; regression data get the mean
    squared error and R^2. The model is a stack of Linear layers with the activation between them.

    \b
    Examples:
      gdlab train --dataset moons --model 2-16-16-2 --activation relu --optimizer adam --lr 0.01 --epochs 200 --batch-size 32
      gdlab train --dataset digits --model 64-64-10 --optimizer sgd --lr 0.1 --epochs 20 --plot digits.png
      gdlab train --dataset sine --model 1-32-32-1 --activation tanh --epochs 300 --plot fit.png --html report.html
      gdlab train --dataset spirals --data noise=0.1 --model 2-64-64-2 --epochs 300 --save spirals.npz
      gdlab train --dataset xor --optimizer momentum -p momentum=0.95 --lr 0.05 --full-batch --epochs 300
      gdlab train --dataset spirals --model 2-8-8-2 --regularizer l1=0.001 --epochs 50
      gdlab train --dataset circles --epochs 50 --plot regions.png --curves curves.png --json history.json
      gdlab train --dataset sine --model 1-16-16-1 --activation tanh -o gd --lr 0.1 --full-batch --epochs 1000 --seed 0 --sharpness sharp.png
      gdlab train --dataset moons --epochs 20 --seed 0 --save
    """
    from gdlab.nn import recipe

    if "lr" in params:
        raise BadInput("-p lr=...: give the learning rate with --lr")
    try:
        spec = recipe.TrainSpec(dataset=dataset, data=dict(data_args), test_size=test_size,
                                standardize=standardize, model=model_spec, activation=activation,
                                optimizer=optimizer, optimizer_params=dict(params), lr=lr, regularizer=regularizer,
                                epochs=epochs,
                                batch_size=None if full_batch else batch_size, seed=seed)
    except recipe.TrainSpecError as exc:
        raise _as_option_error(exc) from None
    store = store_for(save == "", store_path)
    save = save or None
    outputs = {"--plot": plot, "--curves": curves, "--html": html, "--save": save, "--sharpness": sharpness,
               "--trajectory": trajectory, "--json": json_path}
    with reserve_outputs(outputs) as files:
        bar = _progress_callback(f"training {dataset}", epochs)
        try:
            data = recipe.prepare(spec)
            extra = _landscape_callbacks(data, sharpness, trajectory)
            result = recipe.train(spec, callbacks=[bar, *extra.values()], data=data)
        except recipe.TrainSpecError as exc:  # what needs the data to check (the output size, ...)
            raise _as_option_error(exc) from None
        except (ValueError, TypeError) as exc:
            # the recipe checks names (data set, its arguments, activation, optimizer) as it sets up:
            # bad input until training begins, gdlab's own error after
            if bar.started:
                raise
            raise BadInput(one_line(exc)) from exc
        finally:
            bar.close()
        console = make_console()
        _print_train_table(console, result)
        if store is not None:
            report_saved(store, store.save(result.history, config=spec, model=result.model))
        _write_outputs(result, {k: files.temporary(v) for k, v in outputs.items()})
        _write_landscape_outputs(console, result, extra, files.temporary(sharpness), files.temporary(trajectory))
    report_written(files.paths)


def _landscape_callbacks(data, sharpness, trajectory):
    """The callbacks --sharpness and --trajectory need: {"sharpness": ..., "trajectory": ...} (those asked for)."""
    from gdlab.nn import curvature, landscape

    spec, extra = data.spec, {}
    if sharpness is not None:
        n = len(data.train_data[0])
        updates = spec.epochs * (1 if spec.batch_size is None else -(-n // min(spec.batch_size, n)))
        extra["sharpness"] = curvature.SharpnessCallback(*data.train_data, every=max(1, updates // SHARPNESS_POINTS))
    if trajectory is not None:
        extra["trajectory"] = landscape.PathRecorder(max_points=TRAJECTORY_POINTS)
    return extra


def _late_sharpness(cb):
    """(first update, median sharpness) over the last quarter of training. At the edge of stability the
    sharpness swings around 2/η from one measurement to the next, so its last value depends on the
    phase of that swing (and on the last bits of the arithmetic, which differ between machines); the median
    of the last quarter, printed to two digits, does not."""
    start = cb.steps[-1] - (cb.steps[-1] - cb.steps[0]) // 4
    late = [s for step, s in zip(cb.steps, cb.sharpness) if step >= start]
    return start, statistics.median(late)


def _two_digits(value):
    """``value`` to two significant digits, every digit of its integer part kept (1234.5 → 1234)."""
    whole = len(str(int(abs(value)))) if math.isfinite(value) else 2
    return fmt_float(value, max(2, whole))


def _write_landscape_outputs(console, result, extra, sharpness, trajectory):
    if sharpness is not None:
        from gdlab import viz

        cb, spec = extra["sharpness"], result.spec
        limit = cb.threshold[-1]
        first, late = _late_sharpness(cb)
        console.print(f"sharpness: {fmt_float(cb.sharpness[0], 4)} at the start, ≈ {_two_digits(late)} over updates "
                      f"{first}–{cb.steps[-1]} (median"
                      + (f"; stability limit {fmt_float(limit, 4)})" if limit is not None else ")"))
        label = f"{spec.optimizer} lr={fmt_float(spec.lr)}"
        viz.sharpness_curve({label: cb}, losses={label: result.history}, path=sharpness,
                            title=f"{spec.dataset}: sharpness")
    if trajectory is not None:
        from gdlab.nn import landscape

        landscape.save_weight_history(extra["trajectory"], trajectory)


def _as_option_error(exc):
    """A TrainSpecError as the command line says it: the field ``test_size`` is the option ``--test-size``."""
    option = "--" + exc.field.replace("_", "-")
    message = str(exc)
    return BadInput(option + message[len(exc.field):] if message.startswith(exc.field) else f"{option}: {message}")


def _print_train_table(console, result):
    from rich.table import Table

    spec, evaluation = result.spec, result.evaluation
    console.print(f"[bold]{spec.dataset}[/]: {'-'.join(map(str, result.sizes))} {spec.activation}, {spec.optimizer} "
                  f"lr={fmt_float(spec.lr)}, {len(result.history.history.get('loss', []))} epochs, "
                  f"{len(result.x_train)} training samples")
    table = Table()
    table.add_column("metric")
    table.add_column("train", justify="right")
    if "test" in evaluation:
        table.add_column("test", justify="right")
    for key, value in evaluation["train"].items():
        row = [key, fmt_float(value, 4)]
        if "test" in evaluation:
            row.append(fmt_float(evaluation["test"].get(key, float("nan")), 4))
        table.add_row(*row)
    console.print(table)


def _write_outputs(result, paths):
    """The files asked for, into the temporary paths ``{option: path or None}`` reserved for them."""
    import numpy as np

    plot, curves, html, save, json_path = (paths[k] for k in ("--plot", "--curves", "--html", "--save", "--json"))
    spec, history, x, y = result.spec, result.history, result.x, result.y
    dataset, n_features, classification = spec.dataset, result.n_features, result.task == "classification"
    if plot is not None or curves is not None or html is not None:
        from gdlab import viz
    if plot is not None:
        if classification and n_features == 2:
            viz.decision_regions(result.predict, x, y, path=plot, title=f"{dataset}: decision regions")
        elif not classification and n_features == 1:
            viz.fit_curve(x, y, result.predict, path=plot, title=f"{dataset}: data and fit")
        elif classification and int(round(np.sqrt(n_features))) ** 2 == n_features:
            shown_x, shown_y = (result.x_test, result.y_test) if result.x_test is not None else (x, y)
            viz.digits(shown_x[:50], shown_y[:50], result.predict(shown_x[:50]), errors_first=True, path=plot)
        else:
            viz.history_curves(history, path=plot, title=dataset)
    if curves is not None:
        viz.history_curves(history, path=curves, title=f"{dataset}: training")
    if html is not None:
        if n_features <= 2:
            viz.interactive_training(history, model=result.predict, x=x, y=y, path=html, title=f"{dataset}: training")
        else:
            viz.interactive_training(history, path=html, title=f"{dataset}: training")
    if save is not None:
        result.model.save(save)
    if json_path is not None:
        write_json(json_path, {"kind": "train", "dataset": dataset, "model": result.sizes,
                               "activation": spec.activation, "optimizer": spec.optimizer, "lr": spec.lr,
                               "epochs": spec.epochs,
                               "history": {k: list(map(float, v)) for k, v in history.history.items()}})


def _progress_callback(description, total):
    """A gdlab.nn callback drawing a rich progress bar on stderr: one step per epoch, with the latest metrics.

    The bar starts with training (a spec refused before the first update prints nothing but the
    error) and ends at ``close()``, which the command calls whatever happens (Ctrl-C included).
    """
    from gdlab.nn import Callback

    shown = ("loss", "accuracy", "r2", "val_loss", "val_accuracy", "val_r2")

    class ProgressCallback(Callback):
        progress = task = None
        started = False

        def on_train_begin(self, logs=None):
            self.started = True
            self.progress = progress_bar(transient=False, unit="epochs")
            self.progress.__enter__()
            self.task = self.progress.add_task(description, total=total, info="")

        def on_epoch_end(self, epoch, logs=None):
            info = "  ".join(f"{k} {fmt_float(v, 4)}" for k, v in (logs or {}).items() if k in shown)
            self.progress.update(self.task, advance=1, info=info)

        def close(self):
            if self.progress is not None:
                self.progress.__exit__(None, None, None)
                self.progress = None

    return ProgressCallback()
