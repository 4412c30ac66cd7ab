"""``gdlab race TARGET --optimizers ...``: several optimizers from the same start(s), optionally tuned first."""

from __future__ import annotations

import click

from .common import (BadInput, CONTEXT, animate_option, check_drawable, check_optimizer, converter,
                     distance_to_minimum, fmt_float, fmt_params, fmt_point, frames_option, html_option,
                     json_option, make_console, noise_option, options, parse_optimizers,
                     plot_option, progress_bar, resolve_function, seed_option, start_option, start_points,
                     status_style, steps_option, tol_option, write_outputs)


@click.command("race", context_settings=CONTEXT)
@click.argument("target", metavar="FUNCTION_OR_FORMULA")
@click.option("--optimizers", default="gd:lr=0.001,momentum:lr=0.001:momentum=0.9,rmsprop:lr=0.01,adam:lr=0.05",
              show_default=True, metavar="SPEC",
              callback=converter(lambda v, p: parse_optimizers(v)),
              help="Comma-separated NAME[:KEY=VALUE...] entries.")
@click.option("--tune", is_flag=True, help="Tune each optimizer's learning rate first (same budget for each).")
@options(steps_option, start_option, noise_option, seed_option, tol_option)
@options(plot_option, animate_option, frames_option, html_option, json_option)
def command(target, optimizers, tune, steps, start, noise, seed, tol, plot, animate, frames, html, json_path):
    """Race several optimizers on FUNCTION_OR_FORMULA from the same start(s); print a results table.

    With --tune every optimizer first gets its best learning rate under gdlab.tune's protocol
    (the same number of steps for each, divergence penalised), so the race is fair.

    \b
    Examples:
      gdlab race rosenbrock --optimizers "sgd:lr=0.001,momentum:lr=0.001:momentum=0.9,adam:lr=0.1"
      gdlab race rastrigin --optimizers "gd,momentum,adam,rmsprop" --tune --steps 300
      gdlab race "x**2 - y**2" --start 10,0.01 --optimizers "gd:lr=0.004,adam:lr=0.1" --plot race.png
      gdlab race beale --tune --animate race.gif --html race.html --json race.json
    """
    import gdlab

    f = resolve_function(target)
    x0 = start_points(f, start)
    check_drawable(f, animate, html)
    for spec in optimizers.values():
        check_optimizer(spec["optimizer"])
    steps = 300 if steps is None else steps
    tuned = {}
    if tune:
        tuned = _tune_all(f, x0, optimizers, steps, noise=noise, seed=seed)
        for label, lr in tuned.items():
            optimizers[label] = {**optimizers[label], "lr": lr}
    with make_console(stderr=True).status(f"racing {len(optimizers)} optimizers for {steps} steps ...", spinner="dots"):
        runs = gdlab.race(f, x0, optimizers=optimizers, steps=steps, tol=tol, noise=noise, seed=seed)
    _print_race_table(make_console(), f, runs, tuned)
    write_outputs("race", f, runs, plot=plot, animate=animate, html=html, json_path=json_path, frames=frames)


def _tune_all(f, x0, optimizers, steps, noise=None, seed=None):
    """The tuned learning rate for every entry (gdlab.tune, one optimizer at a time for the progress bar)."""
    import gdlab

    tuned = {}
    with progress_bar() as progress:
        task = progress.add_task("tuning", total=len(optimizers), info="")
        for label, spec in optimizers.items():
            progress.update(task, info=label)
            spec = {k: v for k, v in spec.items() if k != "lr"}
            result = gdlab.tune(f, x0, {label: spec}, steps=steps, noise=noise, seed=seed)
            best = result.best_lr[label]
            if best is None:
                raise BadInput(f"--tune: {label} diverged at every learning rate tried on this function")
            tuned[label] = float(best)
            progress.advance(task)
    return tuned


def _print_race_table(console, f, runs, tuned=None):
    import numpy as np
    from rich.table import Table

    tuned = tuned or {}
    first = next(iter(runs.values()))
    console.print(f"[bold]{getattr(f, 'name', '') or 'f'}[/]: race, {first.steps} steps from "
                  f"{fmt_point(np.asarray(first.params)[0])}", soft_wrap=True)
    table = Table()
    columns = ["optimizer", "hyperparameters", "final loss", "final point", "status", "steps"]
    for column in columns:
        table.add_column(column, overflow="fold", justify="right" if column in ("final loss", "steps") else "left")
    dist_any = getattr(f, "minima", None) is not None and np.asarray(f.minima).size > 0
    if dist_any:
        table.add_column("to nearest minimum", justify="right")
    order = sorted(runs, key=lambda k: _race_key(runs[k]))
    for label in order:
        traj = runs[label]
        n = int(getattr(traj, "n_runs", 1) or 1)
        hp = dict(traj.hyperparameters)
        hp_text = fmt_params(hp, traj.optimizer) + (" (tuned lr)" if label in tuned else "")
        losses = np.atleast_1d(np.asarray(traj.final_loss, dtype=float))
        statuses = np.atleast_1d(np.asarray(traj.status)).astype(str)
        stopped = np.atleast_1d(np.asarray(traj.stopped_at))
        finals = np.asarray(traj.final, dtype=float).reshape(n, -1)
        if n == 1:
            status = statuses[0]
            row = [label, hp_text, fmt_float(losses[0]), fmt_point(finals[0]),
                   f"[{status_style(status)}]{status}[/]", str(int(stopped[0]))]
            if dist_any:
                row.append(fmt_float(distance_to_minimum(f, finals)[0]))
        else:
            counts = ", ".join(f"{np.sum(statuses == s)} {s}" for s in np.unique(statuses))
            row = [label, hp_text, f"median {fmt_float(np.median(losses))}", f"{n} starts", counts,
                   f"median {int(np.median(stopped))}"]
            if dist_any:
                row.append(f"median {fmt_float(np.median(distance_to_minimum(f, finals)))}")
        table.add_row(*row)
    console.print(table)


def _race_key(traj):
    import numpy as np

    losses = np.atleast_1d(np.asarray(traj.final_loss, dtype=float))
    statuses = np.atleast_1d(np.asarray(traj.status)).astype(str)
    value = float(np.median(np.where(np.isfinite(losses), losses, np.inf)))
    return (float(np.mean(statuses == "diverged")), value)
