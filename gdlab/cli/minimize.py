"""``gdlab minimize TARGET``: one optimizer from one or more starts; a summary table and the outputs asked for."""

from __future__ import annotations

import click

from .common import (CONTEXT, animate_option, check_drawable, check_optimizer, converter, distance_to_minimum,
                     fmt_float, fmt_params, fmt_point, frames_option, html_option, hyperparameters,
                     json_option, lr_option, make_console, noise_option, options, parse_params, plot_option,
                     resolve_function, seed_option, start_option, start_points, status_style, steps_option,
                     tol_option, write_outputs)


@click.command("minimize", context_settings=CONTEXT)
@click.argument("target", metavar="FUNCTION_OR_FORMULA")
@click.option("--optimizer", "-o", default="gd", show_default=True, help="Optimizer name (gd, sgd, momentum, adam, ...).")
@options(lr_option, steps_option, start_option, noise_option, seed_option, tol_option)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              callback=converter(lambda v, p: parse_params(v)),
              help="Another hyperparameter, e.g. -p momentum=0.9 -p nesterov=true (repeatable).")
@options(plot_option, animate_option, frames_option, html_option, json_option)
def command(target, optimizer, lr, steps, start, noise, seed, tol, params, plot, animate, frames, html, json_path):
    """Minimize FUNCTION_OR_FORMULA with one optimizer; print the final point, loss and status.

    FUNCTION_OR_FORMULA is a catalog name (see 'gdlab functions') or a formula in x, y, z.

    \b
    Examples:
      gdlab minimize rosenbrock --optimizer adam --lr 0.01 --steps 500 --start -1.5,2
      gdlab minimize "3*x**2 + 2*x + 1" --lr 0.2 --steps 1000 --start -10
      gdlab minimize "x**2 - y**2" --start 10,0 --noise 0.01 --seed 0 --plot saddle.png
      gdlab minimize himmelblau --start -4,4 --start 4,4 --start 0,0 --animate runs.gif
      gdlab minimize beale -o momentum -p momentum=0.9 --lr 1e-3 --json run.json
    """
    import gdlab

    f = resolve_function(target)
    x0 = start_points(f, start)
    check_drawable(f, animate, html)
    check_optimizer(optimizer)
    steps = 500 if steps is None else steps
    hp = hyperparameters(lr, params)
    with make_console(stderr=True).status(f"running {optimizer} for {steps} steps ...", spinner="dots"):
        traj = gdlab.minimize(f, x0, optimizer=optimizer, steps=steps, tol=tol, noise=noise, seed=seed, **hp)
    _print_trajectory_summary(make_console(), f, traj)
    write_outputs("minimize", f, traj, plot=plot, animate=animate, html=html, json_path=json_path, frames=frames)


def _print_trajectory_summary(console, f, traj):
    import numpy as np
    from rich.table import Table

    final = np.asarray(traj.final, dtype=float)
    n = int(getattr(traj, "n_runs", 1) or 1)
    finals = final.reshape(n, -1)
    losses = np.atleast_1d(np.asarray(traj.final_loss, dtype=float))
    statuses = np.atleast_1d(np.asarray(traj.status)).astype(str)
    stopped = np.atleast_1d(np.asarray(traj.stopped_at))
    starts = np.asarray(traj.params, dtype=float)[0].reshape(n, -1)
    gnorm = np.asarray(traj.grad_norm, dtype=float)
    gnorm_final = gnorm[np.clip(stopped, 0, len(gnorm) - 1), np.arange(n)] if gnorm.ndim == 2 else \
        np.atleast_1d(gnorm[min(int(stopped[0]), len(gnorm) - 1)])
    dist = distance_to_minimum(f, finals)
    console.print(f"[bold]{getattr(f, 'name', '') or 'f'}[/]: {traj.optimizer} "
                  f"({fmt_params(traj.hyperparameters, traj.optimizer)}), {traj.steps} steps", soft_wrap=True)
    table = Table()
    for column in ("start", "final point", "final loss", "|grad|", "status", "steps"):
        table.add_column(column, overflow="fold", justify="right" if column in ("final loss", "|grad|", "steps") else "left")
    if dist is not None:
        table.add_column("to nearest minimum", justify="right")
    for i in range(n):
        status = statuses[i]
        row = [fmt_point(starts[i]), fmt_point(finals[i]), fmt_float(losses[i]), fmt_float(gnorm_final[i]),
               f"[{status_style(status)}]{status}[/]" if status_style(status) else status, str(int(stopped[i]))]
        if dist is not None:
            row.append(fmt_float(dist[i]))
        table.add_row(*row)
    console.print(table)
