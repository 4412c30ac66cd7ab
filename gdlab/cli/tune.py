"""``gdlab tune TARGET -o ...``: each optimizer's best learning rate under gdlab.tune's fair protocol.

The same library call as ``gdlab race --tune`` (:func:`tune_learning_rates`, which race uses too):
every optimizer gets the same steps from the same start(s) on the same grid of learning rates,
divergence penalised; the table gives the best rate, its score and the tuned run's status.
"""

from __future__ import annotations

import click

from .common import (CONTEXT, BadInput, converter, fmt_float, fmt_params, fmt_status, function_and_starts,
                     function_title, json_option, make_console, noise_option, optimizer_specs, optimizers_option,
                     options, param_option, parse_lrs, plot_option, print_table, progress_bar, report_written,
                     reserve_outputs, seed_option, start_option, steps_option, write_json,
                     write_outputs)
from .common import engine_option

DEFAULT_STEPS = 200
DEFAULT_OPTIMIZERS = "gd,momentum,rmsprop,adam"
SCORES = {"loss": "the final loss above the minimum", "distance": "the final distance to the nearest minimum"}


@click.command("tune", context_settings=CONTEXT)
@click.argument("target", metavar="FUNCTION_OR_FORMULA")
@optimizers_option
@click.option("--lrs", default="1e-5:10:25", show_default=True, metavar="LO:HI:COUNT|LIST",
              callback=converter(lambda v, p: parse_lrs(v)),
              help="The grid of learning rates: log-spaced LO:HI:COUNT, or a comma list.")
@click.option("--objective", type=click.Choice(["loss", "distance"]), default="loss", show_default=True,
              help="Score of a run: its final loss above the known minimum, or its distance to the nearest minimum.")
@options(steps_option, start_option, noise_option, seed_option, param_option, plot_option, json_option)
@engine_option
def command(target, optimizers, lrs, objective, steps, start, noise, seed, params, plot, json_path, engine):
    """Tune the learning rate of each optimizer on FUNCTION_OR_FORMULA; print the best ones.

    The protocol is gdlab.tune's: the same steps, start(s), seed and grid for every optimizer, a
    diverged run scores infinity, ties go to the faster, then the smaller, learning rate. The
    default optimizers are gd, momentum, rmsprop and adam.

    \b
    Examples:
      gdlab tune rosenbrock --start -1.5,2 --steps 1000
      gdlab tune beale -o gd,adam,nesterov:momentum=0.95 --lrs 1e-4:1:13 --plot tuned.png
      gdlab tune himmelblau --objective distance --json tune.json
    """
    f, x0 = function_and_starts(target, start)
    specs = optimizer_specs(optimizers, DEFAULT_OPTIMIZERS, params=params, lr_allowed=False, what="tune")
    if objective == "distance" and not len(getattr(f, "minima", ())):
        raise BadInput(f"--objective distance needs known minima, and {function_title(f)} lists none; "
                       "use --objective loss")
    steps = DEFAULT_STEPS if steps is None else steps
    with reserve_outputs({"--plot": plot, "--json": json_path}) as files:
        results = tune_learning_rates(f, x0, specs, steps, lrs=lrs, objective=objective, noise=noise, seed=seed,
                                      engine=engine)
        print_tuned(make_console(), f, results, steps)
        if plot is not None:
            race = {label: r.race[label] for label, r in results.items() if label in r.race}
            if not race:
                raise BadInput("--plot: every optimizer diverged at every learning rate; nothing to draw")
            write_outputs("tune", f, race, files, plot=plot)
        if json_path is not None:
            write_json(files.temporary(json_path), {"kind": "tune", "objective": objective, "steps": steps,
                                                    "results": {k: r.to_dict() for k, r in results.items()}})
    report_written(files.paths)


def tune_learning_rates(f, x0, specs, steps, *, lrs=None, objective="loss", noise=None, seed=None,
                        engine="auto"):
    """{label: gdlab.tune's TuneResult} for every entry, one optimizer at a time for the progress bar."""
    import gdlab

    results = {}
    with progress_bar(unit="optimizers") as progress:
        task = progress.add_task("tuning", total=len(specs), info="")
        for label, spec in specs.items():
            progress.update(task, info=label)
            spec = {k: v for k, v in spec.items() if k != "lr"}
            results[label] = gdlab.tune(f, x0, {label: spec}, steps=steps, lrs=lrs, objective=objective,
                                        noise=noise, seed=seed, engine=engine)
            progress.advance(task)
    return results


def best_lrs(results):
    """{label: best lr}; BadInput when an optimizer diverged at every learning rate of the grid."""
    best = {}
    for label, result in results.items():
        lr = result.best_lr[label]
        if lr is None:
            raise BadInput(f"--tune: {label} diverged at every learning rate tried on this function")
        best[label] = float(lr)
    return best


def print_tuned(console, f, results, steps):
    import numpy as np

    first = next(iter(results.values()))
    console.print(f"[bold]{function_title(f)}[/]: learning rates tuned over {len(first.lrs)} values from "
                  f"{fmt_float(first.lrs[0])} to {fmt_float(first.lrs[-1])}, {steps} steps, "
                  f"score: {SCORES[first.objective]}")
    rows = []
    for label, result in sorted(results.items(), key=lambda kv: kv[1].best_score[kv[0]]):
        lr = result.best_lr[label]
        sweep = result.sweeps[label]
        others = fmt_params(sweep.hyperparameters, sweep.optimizer)
        if lr is None:
            rows.append([label, others, "-", "inf", "[red]diverged at every lr[/]"])
            continue
        traj = result.race[label]
        statuses = np.atleast_1d(np.asarray(traj.status)).astype(str)
        stopped = np.atleast_1d(np.asarray(traj.stopped_at))
        if len(statuses) == 1:
            status = fmt_status(statuses[0], stopped[0], traj.steps)
        else:
            status = ", ".join(f"{np.sum(statuses == s)} {s}" for s in np.unique(statuses))
        rows.append([label, others, fmt_float(lr), fmt_float(result.best_score[label]), status])
    print_table(console, [("optimizer", "text"), ("other\nhyperparameters", "text"), ("best lr", "number"),
                          ("score", "number"), ("status", "text")], rows)
