"""``gdlab minimize TARGET``: one optimizer from one or more starts; a summary table and the outputs asked for."""

from __future__ import annotations

import click

from .common import (CONTEXT, BadInput, animate_option, check_drawable, distance_to_minimum, fmt_float,
                     fmt_params, fmt_point, fmt_status, frames_option, function_and_starts, function_title,
                     html_option, json_option, lr_option, make_console, noise_option, optimizer_specs, options,
                     param_option, parse_optimizers, plot_option, print_record_note, print_table, report_written, reserve_outputs,
                     report_saved, run_progress, save_option, seed_option, start_option, steps_option, store_for,
                     store_option, tol_option, write_outputs)
from .common import engine_option

DEFAULT_STEPS = 500


@click.command("minimize", context_settings=CONTEXT)
@click.argument("target", metavar="FUNCTION_OR_FORMULA")
@click.option("--optimizer", "-o", default="gd", show_default=True, metavar="NAME[:KEY=VALUE...]",
              help="The optimizer (gd, sgd, momentum, nesterov, adam, ...), its hyperparameters after colons "
                   "(-o momentum:momentum=0.95) or with -p.")
@options(lr_option, steps_option, start_option, noise_option, seed_option, tol_option, param_option)
@options(plot_option, animate_option, frames_option, html_option, json_option, save_option, store_option, engine_option)
def command(target, optimizer, lr, steps, start, noise, seed, tol, params, plot, animate, frames, html, json_path,
            save_run, store_path, engine):
    """Minimize FUNCTION_OR_FORMULA with one optimizer; print the final point, loss and status.

    FUNCTION_OR_FORMULA is a catalog name (see 'gdlab functions') or a formula in x, y, z.

    \b
    Examples:
      gdlab minimize rosenbrock --optimizer adam --lr 0.01 --steps 500 --start -1.5,2
      gdlab minimize "3*x**2 + 2*x + 1" --lr 0.2 --steps 1000 --start -10
      gdlab minimize "x**2 - y**2" --start 10,0 --noise 0.01 --seed 0 --plot saddle.png
      gdlab minimize himmelblau --start -4,4 --start 4,4 --start 0,0 --animate runs.gif
      gdlab minimize beale -o momentum -p momentum=0.9 --lr 1e-3 --json run.json
      gdlab minimize rosenbrock -o adam -p betas=0.9,0.99 --lr 0.05 --steps 2000
      gdlab minimize rosenbrock -o adam --lr 0.01 --steps 5000 --engine numba
      gdlab minimize rosenbrock -o adam --lr 0.05 --steps 2000 --save
    """
    f, x0 = function_and_starts(target, start)
    check_drawable(f, animate, html)
    entries = parse_optimizers(optimizer, option="--optimizer")
    if len(entries) != 1:
        raise BadInput(f"--optimizer {optimizer!r}: minimize runs one optimizer; 'gdlab race' runs several")
    (label, spec), = optimizer_specs(entries, "", lr=lr, params=params).items()
    steps = DEFAULT_STEPS if steps is None else steps
    store = store_for(save_run, store_path)
    with reserve_outputs({"--plot": plot, "--animate": animate, "--html": html, "--json": json_path}) as files:
        import gdlab

        hp = {k: v for k, v in spec.items() if k != "optimizer"}
        with run_progress(f"{label}", steps) as progress:
            traj = gdlab.minimize(f, x0, optimizer=spec["optimizer"], steps=steps, tol=tol, noise=noise, seed=seed,
                                  progress=progress, engine=engine, **hp)
        console = make_console()
        print_summary(console, f, traj)
        print_record_note(console, traj)
        if store is not None:
            report_saved(store, store.save(traj))
        write_outputs("minimize", f, traj, files, plot=plot, animate=animate, html=html, json_path=json_path,
                      frames=frames)
    report_written(files.paths)


def print_summary(console, f, traj):
    """The table of one trajectory: a row per start."""
    import numpy as np

    final = np.asarray(traj.final, dtype=float)
    n = int(getattr(traj, "n_runs", 1) or 1)
    finals = final.reshape(n, -1)
    losses = np.atleast_1d(np.asarray(traj.final_loss, dtype=float))
    statuses = np.atleast_1d(np.asarray(traj.status)).astype(str)
    stopped = np.atleast_1d(np.asarray(traj.stopped_at))
    starts = np.asarray(traj.x0, dtype=float).reshape(n, -1)
    gnorm = None if traj.grad_norm is None else np.asarray(traj.grad_norm, dtype=float).reshape(len(traj.grad_norm), n)
    dist = distance_to_minimum(f, finals)
    console.print(f"[bold]{function_title(f)}[/]: {traj.optimizer} "
                  f"({fmt_params(traj.hyperparameters, traj.optimizer)}), {traj.steps} steps")
    columns = [("start", "text"), ("final point", "text"), ("final loss", "number")]
    columns += [("|grad|", "number")] if gnorm is not None else []
    columns += [("status", "text")] + ([("to nearest\nminimum", "number")] if dist is not None else [])
    rows = []
    for i in range(n):
        row = [fmt_point(starts[i]), fmt_point(finals[i]), fmt_float(losses[i])]
        if gnorm is not None:
            slot = int(np.searchsorted(traj.recorded_steps, int(stopped[i]))) if hasattr(traj, "recorded_steps") \
                else int(stopped[i])
            row.append(fmt_float(gnorm[min(slot, len(gnorm) - 1), i]))
        row.append(fmt_status(statuses[i], stopped[i], traj.steps))
        if dist is not None:
            row.append(fmt_float(dist[i]))
        rows.append(row)
    print_table(console, columns, rows)
