"""``gdlab race TARGET -o ...``: several optimizers from the same start(s), optionally tuned first."""

from __future__ import annotations

import click

from .common import (CONTEXT, BadInput, animate_option, check_drawable, distance_to_minimum, fmt_float, fmt_params,
                     fmt_point, fmt_status, frames_option, function_and_starts, function_title, html_option,
                     json_option, lr_option, make_console, noise_option, optimizer_specs, optimizers_option,
                     options, param_option, plot_option, print_record_note, print_table, report_written, reserve_outputs,
                     report_saved, run_progress, save_option, seed_option, start_option, steps_option, store_for,
                     store_option, tol_option, write_outputs)
from .common import engine_option

DEFAULT_STEPS = 300
DEFAULT_OPTIMIZERS = "gd:lr=0.001,momentum:lr=0.001:momentum=0.9,rmsprop:lr=0.01,adam:lr=0.05"


@click.command("race", context_settings=CONTEXT)
@click.argument("target", metavar="FUNCTION_OR_FORMULA")
@optimizers_option
@click.option("--tune", is_flag=True, help="Tune each optimizer's learning rate first, as 'gdlab tune' does "
                                           "(the same budget for each); lrs given in -o are then ignored.")
@options(lr_option, param_option, steps_option, start_option, noise_option, seed_option, tol_option)
@options(plot_option, animate_option, frames_option, html_option, json_option, save_option, store_option, engine_option)
def command(target, optimizers, tune, lr, params, steps, start, noise, seed, tol, plot, animate, frames, html,
            json_path, save_run, store_path, engine):
    """Race several optimizers on FUNCTION_OR_FORMULA from the same start(s); print a results table.

    The default race is gd:lr=0.001, momentum:lr=0.001:momentum=0.9, rmsprop:lr=0.01 and
    adam:lr=0.05. --lr sets the learning rate of the entries that give none; -p sets a
    hyperparameter of every entry (an entry's own value wins). With --tune every
    optimizer first gets its best learning rate under gdlab.tune's protocol (the same number
    of steps for each, divergence penalised), so the race is fair.

    \b
    Examples:
      gdlab race rosenbrock --optimizers "sgd:lr=0.001,momentum:lr=0.001:momentum=0.9,adam:lr=0.1"
      gdlab race rastrigin -o gd,momentum,adam,rmsprop --tune --steps 300
      gdlab race rosenbrock --optimizers rprop,lbfgs,adafactor,muon,adam
      gdlab race "x**2 - y**2" --start 10,0.01 -o gd:lr=0.004,adam:lr=0.1 --plot race.png
      gdlab race himmelblau -o gd,momentum,adam --lr 0.01 -p weight_decay=1e-3 --start 0,0
      gdlab race beale --tune --animate race.gif --html race.html --json race.json
      gdlab race rosenbrock -o gd:lr=0.001,adam:lr=0.05 --steps 500 --save
    """
    f, x0 = function_and_starts(target, start)
    check_drawable(f, animate, html)
    if tune and lr is not None:
        raise BadInput("--tune chooses the learning rates: drop --lr")
    specs = optimizer_specs(optimizers, DEFAULT_OPTIMIZERS, lr=lr, params=params)
    steps = DEFAULT_STEPS if steps is None else steps
    store = store_for(save_run, store_path)
    with reserve_outputs({"--plot": plot, "--animate": animate, "--html": html, "--json": json_path}) as files:
        import gdlab

        from .tune import best_lrs, tune_learning_rates

        tuned = {}
        if tune:
            tuned = best_lrs(tune_learning_rates(f, x0, specs, steps, noise=noise, seed=seed, engine=engine))
            specs = {label: {**spec, "lr": tuned[label]} for label, spec in specs.items()}
        with run_progress(f"racing {len(specs)}", steps * len(specs)) as progress:
            runs = gdlab.race(f, x0, optimizers=specs, steps=steps, tol=tol, noise=noise, seed=seed,
                              progress=progress, engine=engine)
        console = make_console()
        print_race(console, f, runs, tuned=bool(tuned))
        print_record_note(console, runs)
        if store is not None:
            report_saved(store, store.save(runs))
        write_outputs("race", f, runs, files, plot=plot, animate=animate, html=html, json_path=json_path,
                      frames=frames)
    report_written(files.paths)


def print_race(console, f, runs, tuned=False):
    """The race table, best first (fewest diverged runs, then the lowest median final loss)."""
    import numpy as np

    first = next(iter(runs.values()))
    origin = fmt_point(first.x0) if first.single else f"{len(first.x0)} starts"
    console.print(f"[bold]{function_title(f)}[/]: race, {first.steps} steps from {origin}"
                  + (", learning rates tuned" if tuned else ""))
    dist_any = distance_to_minimum(f, np.zeros((1, first.dim))) is not None
    many = not first.single  # one row per optimizer: medians over the starts
    columns = [("optimizer", "text"), ("hyperparameters", "text")]
    if many:
        columns += [("median\nfinal loss", "number"), ("statuses", "text")]
        columns += [("median distance\nto a minimum", "number")] if dist_any else []
    else:
        columns += [("final loss", "number"), ("final point", "text"), ("status", "text")]
        columns += [("to nearest\nminimum", "number")] if dist_any else []
    rows = []
    for label in sorted(runs, key=lambda k: _race_key(runs[k])):
        traj = runs[label]
        n = int(getattr(traj, "n_runs", 1) or 1)
        losses = np.atleast_1d(np.asarray(traj.final_loss, dtype=float))
        statuses = np.atleast_1d(np.asarray(traj.status)).astype(str)
        stopped = np.atleast_1d(np.asarray(traj.stopped_at))
        finals = np.asarray(traj.final, dtype=float).reshape(n, -1)
        dist = distance_to_minimum(f, finals) if dist_any else None
        row = [label, fmt_params(dict(traj.hyperparameters), traj.optimizer)]
        if many:
            row += [fmt_float(np.median(losses)), ", ".join(f"{np.sum(statuses == s)} {s}" for s in np.unique(statuses))]
            row += [fmt_float(np.median(dist))] if dist_any else []
        else:
            row += [fmt_float(losses[0]), fmt_point(finals[0]), fmt_status(statuses[0], stopped[0], traj.steps)]
            row += [fmt_float(dist[0])] if dist_any else []
        rows.append(row)
    print_table(console, columns, rows)


def _race_key(traj):
    import numpy as np

    losses = np.atleast_1d(np.asarray(traj.final_loss, dtype=float))
    statuses = np.atleast_1d(np.asarray(traj.status)).astype(str)
    value = float(np.median(np.where(np.isfinite(losses), losses, np.inf)))
    return (float(np.mean(statuses == "diverged")), value)
