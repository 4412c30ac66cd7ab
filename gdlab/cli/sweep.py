"""``gdlab sweep TARGET --lrs LO:HI:COUNT``: the final loss against the learning rate, for one or more optimizers."""

from __future__ import annotations

import click

from .common import (CONTEXT, converter, fmt_float, function_and_starts, function_title, json_option, make_console,
                     noise_option, optimizer_specs, optimizers_option, options, param_option, parse_lrs, plot_option,
                     print_table, progress_bar, report_written, reserve_outputs, seed_option, start_option,
                     steps_option, write_json)
from .common import engine_option

DEFAULT_STEPS = 200


@click.command("sweep", context_settings=CONTEXT)
@click.argument("target", metavar="FUNCTION_OR_FORMULA")
@optimizers_option
@click.option("--lrs", default="1e-4:1:20", show_default=True, metavar="LO:HI:COUNT|LIST",
              callback=converter(lambda v, p: parse_lrs(v)),
              help="Log-spaced LO:HI:COUNT, or a comma list of learning rates.")
@options(steps_option, start_option, noise_option, seed_option, param_option)
@options(plot_option, json_option, engine_option)
def command(target, optimizers, lrs, steps, start, noise, seed, params, plot, json_path, engine):
    """Final loss against learning rate on FUNCTION_OR_FORMULA: a table and a plot.

    Every learning rate runs as one row of a single vectorised run (gdlab.lr_sweep); the
    optimizer is gd unless -o names others.

    \b
    Examples:
      gdlab sweep rosenbrock --optimizer adam --lrs 1e-4:1:20 --plot sweep.png
      gdlab sweep "x**2 + 10*y**2" -o gd,momentum --lrs 0.001,0.01,0.05,0.1,0.2
      gdlab sweep sphere --lrs 1e-3:3:13 --steps 100 --json sweep.json
    """
    f, x0 = function_and_starts(target, start)
    specs = optimizer_specs(optimizers, "gd", params=params, lr_allowed=False, what="sweep (--lrs)")
    steps = DEFAULT_STEPS if steps is None else steps
    with reserve_outputs({"--plot": plot, "--json": json_path}) as files:
        import gdlab

        results = {}
        with progress_bar(unit="optimizers") as progress:
            task = progress.add_task("sweeping", total=len(specs), info="")
            for label, spec in specs.items():
                progress.update(task, info=label)
                hp = {k: v for k, v in spec.items() if k != "optimizer"}
                results[label] = gdlab.lr_sweep(f, x0, spec["optimizer"], lrs, steps=steps, noise=noise, seed=seed,
                                                label=label, engine=engine, **hp)
                progress.advance(task)
        print_sweep(make_console(), f, results, steps)
        if plot is not None:
            from gdlab import viz

            viz.lr_sweep(results, path=files.temporary(plot))
        if json_path is not None:
            write_json(files.temporary(json_path), {"kind": "sweep", "steps": steps,
                                                    "sweeps": {k: v.to_dict() for k, v in results.items()}})
    report_written(files.paths)


def print_sweep(console, f, results, steps):
    import numpy as np

    names = list(results)
    console.print(f"[bold]{function_title(f)}[/]: final loss after {steps} steps")
    lrs = np.asarray(results[names[0]].lrs, dtype=float)
    best, shown = {}, {}
    for name in names:
        losses = np.asarray(results[name].final_loss, dtype=float)
        statuses = np.asarray(results[name].status).astype(str)
        if losses.ndim > 1:  # several starts: the mean over them, as the sweep's best_lr scores them
            losses, statuses = losses.mean(axis=1), np.where((statuses == "diverged").any(axis=1), "diverged", "")
        shown[name] = (losses, statuses)
        ok = np.where((statuses != "diverged") & np.isfinite(losses), losses, np.inf)
        best[name] = int(np.argmin(ok)) if np.isfinite(ok).any() else None
    rows = []
    for i, lr in enumerate(lrs):
        row = [fmt_float(lr, 3)]
        for name in names:
            losses, statuses = shown[name]
            cell = "[red]diverged[/]" if statuses[i] == "diverged" else fmt_float(losses[i])
            if best[name] == i:
                cell = f"[bold green]{cell} *[/]"
            row.append(cell)
        rows.append(row)
    print_table(console, [("lr", "number")] + [(name, "number") for name in names], rows)
    for name in names:
        if best[name] is not None:
            console.print(f"best lr for {name}: {fmt_float(lrs[best[name]], 3)}")
