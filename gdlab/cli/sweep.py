"""``gdlab sweep TARGET --lrs LO:HI:COUNT``: the final loss against the learning rate, for one or more optimizers."""

from __future__ import annotations

import click

from .common import (BadInput, CONTEXT, check_optimizer, converter, fmt_float, json_option, make_console,
                     noise_option, options, parse_lrs, parse_params, plot_option, progress_bar,
                     resolve_function, seed_option, start_option, start_points, steps_option, write_json)


@click.command("sweep", context_settings=CONTEXT)
@click.argument("target", metavar="FUNCTION_OR_FORMULA")
@click.option("--optimizer", "-o", "optimizer_names", default="gd", show_default=True,
              help="Optimizer name; a comma list sweeps several (e.g. gd,momentum,adam).")
@click.option("--lrs", default="1e-4:1:20", show_default=True, metavar="LO:HI:COUNT|LIST",
              callback=converter(lambda v, p: parse_lrs(v)),
              help="Log-spaced LO:HI:COUNT, or a comma list of learning rates.")
@options(steps_option, start_option, noise_option, seed_option)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              callback=converter(lambda v, p: parse_params(v)),
              help="Another hyperparameter for every optimizer, e.g. -p momentum=0.9.")
@options(plot_option, json_option)
def command(target, optimizer_names, lrs, steps, start, noise, seed, params, plot, json_path):
    """Final loss against learning rate on FUNCTION_OR_FORMULA: a table and a plot.

    \b
    Examples:
      gdlab sweep rosenbrock --optimizer adam --lrs 1e-4:1:20 --plot sweep.png
      gdlab sweep "x**2 + 10*y**2" --optimizer gd,momentum --lrs 0.001,0.01,0.05,0.1,0.2
      gdlab sweep sphere --lrs 1e-3:3:13 --steps 100 --json sweep.json
    """
    import gdlab

    f = resolve_function(target)
    x0 = start_points(f, start)
    steps = 200 if steps is None else steps
    names = [n.strip() for n in optimizer_names.split(",") if n.strip()]
    if not names:
        raise BadInput("--optimizer is empty")
    for name in names:
        check_optimizer(name)
    results = {}
    with progress_bar() as progress:
        task = progress.add_task("sweeping", total=len(names), info="")
        for name in names:
            progress.update(task, info=name)
            results[name] = gdlab.lr_sweep(f, x0, name, lrs, steps=steps, noise=noise, seed=seed, **params)
            progress.advance(task)
    _print_sweep_table(make_console(), f, results, steps)
    if plot is not None:
        from gdlab import viz

        viz.lr_sweep(results, path=plot)
        click.echo(f"wrote {plot}", err=True)
    if json_path is not None:
        write_json(json_path, {"kind": "sweep", "steps": steps,
                                "sweeps": {k: _sweep_dict(v) for k, v in results.items()}})
        click.echo(f"wrote {json_path}", err=True)


def _sweep_dict(sweep):
    if hasattr(sweep, "to_dict"):
        return sweep.to_dict()
    return {"lrs": list(map(float, sweep.lrs)), "final_loss": list(map(float, sweep.final_loss)),
            "status": [str(s) for s in sweep.status]}


def _print_sweep_table(console, f, results, steps):
    import numpy as np
    from rich.table import Table

    names = list(results)
    console.print(f"[bold]{getattr(f, 'name', '') or 'f'}[/]: final loss after {steps} steps", soft_wrap=True)
    table = Table()
    table.add_column("lr", justify="right")
    for name in names:
        table.add_column(name, justify="right")
    lrs = np.asarray(results[names[0]].lrs, dtype=float)
    best = {}
    for name in names:
        losses = np.asarray(results[name].final_loss, dtype=float)
        statuses = np.asarray(results[name].status).astype(str)
        ok = np.where((statuses != "diverged") & np.isfinite(losses), losses, np.inf)
        best[name] = int(np.argmin(ok)) if np.isfinite(ok).any() else None
    for i, lr in enumerate(lrs):
        row = [fmt_float(lr, 3)]
        for name in names:
            loss = float(np.asarray(results[name].final_loss, dtype=float)[i])
            status = str(np.asarray(results[name].status).astype(str)[i])
            cell = "[red]diverged[/]" if status == "diverged" else fmt_float(loss, 4)
            if best[name] == i:
                cell = f"[bold green]{cell} *[/]"
            row.append(cell)
        table.add_row(*row)
    console.print(table)
    for name in names:
        if best[name] is not None:
            console.print(f"best lr for {name}: {fmt_float(lrs[best[name]], 4)}")
        else:
            console.print(f"{name}: every learning rate diverged")
