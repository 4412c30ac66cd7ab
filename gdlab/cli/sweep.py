"""``gdlab sweep TARGET --lrs LO:HI:COUNT``: the final loss against the learning rate, for one or more optimizers;
with ``--grid``/``--backend``/``--save``: any grid through :func:`gdlab.sweep`, on processes or a Dask cluster."""

from __future__ import annotations

import click

import json

from .common import (CONTEXT, PLOT_SUFFIXES, BadInput, Number, checking, converter, fmt_float, function_and_starts,
                     function_title, json_option, make_console, noise_option, one_line, optimizer_specs,
                     optimizers_option, options, output_callback, param_option, parse_lrs, parse_optimizers,
                     parse_value, plot_option, print_table, progress_bar, report_written, reserve_outputs,
                     save_option, seed_option, start_option, status_style, steps_option, store_for, store_option,
                     write_json)
from .common import engine_option


DEFAULT_STEPS = 200


BACKENDS = ("local", "processes", "dask")


def _grid_entry(text, param):
    """``KEY=V1,V2`` -> (key, [values]) or a grid file (.yaml, .yml, .json) -> its mapping."""
    text = str(text).strip()
    if "=" not in text:
        return ("file", _grid_file(text))
    key, _, values = text.partition("=")
    key = key.strip()
    if not key.isidentifier():
        raise BadInput(f"malformed --grid {text!r}: expected KEY=V1,V2 (e.g. lr=0.01,0.1 or lr=1e-4:1:20) "
                       "or a grid file (.yaml, .json)")
    items = [v.strip() for v in values.split(",")]
    if not values.strip() or any(not v for v in items):
        raise BadInput(f"malformed --grid {text!r}: an empty value")
    if len(items) == 1 and items[0].count(":") == 2 and key not in ("function", "optimizer", "dataset", "model"):
        return (key, items[0])  # LO:HI:COUNT, log-spaced
    if key == "optimizer":
        specs = parse_optimizers(values, option="--grid optimizer")
        return (key, list(specs.values()))
    return (key, [parse_value(v, f"--grid {key}") for v in items])


def _grid_file(path):
    from pathlib import Path

    p = Path(path)
    if p.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise BadInput(f"--grid {path!r}: expected KEY=V1,V2 or a grid file ending in .yaml, .yml or .json")
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"--grid {path!r}: cannot read it ({exc.strerror or exc})") from None
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # the parsers' own errors (json.JSONDecodeError, yaml.YAMLError)
        raise BadInput(f"--grid {path!r} does not parse: {one_line(exc)}") from None
    if not isinstance(data, dict):
        raise BadInput(f"--grid {path!r}: a grid file holds a mapping KEY: [values], got {type(data).__name__}")
    return data


def _grid_callback(value, param):
    return [_grid_entry(v, param) for v in value] if value else []


@click.command("sweep", context_settings=CONTEXT)
@click.argument("target", metavar="[FUNCTION_OR_FORMULA]", required=False)
@optimizers_option
@click.option("--lrs", default="1e-4:1:20", show_default=True, metavar="LO:HI:COUNT|LIST",
              callback=converter(lambda v, p: parse_lrs(v)),
              help="Log-spaced LO:HI:COUNT, or a comma list of learning rates.")
@options(steps_option, start_option, noise_option, seed_option, param_option)
@click.option("--grid", "grid", multiple=True, metavar="KEY=V1,V2|FILE", callback=converter(_grid_callback),
              help="A grid axis, repeatable: --grid lr=1e-4:1:20 --grid seed=0,1,2 --grid momentum=0.5,0.9, "
                   "function=rosenbrock,rastrigin, or a training grid (dataset=moons --grid batch_size=16,64); "
                   "or a YAML/JSON grid file. Any of the grid options runs gdlab.sweep.")
@click.option("--backend", type=click.Choice(BACKENDS), default=None,
              help="Where the tasks run: local (this process, vectorised), processes (--workers), dask "
                   "(--scheduler or --cluster local). Default: local.")
@click.option("--workers", type=Number(min=1, max=1024, integer=True), default=None,
              help="Worker processes (processes; dask --cluster local). Default: the CPUs, at most 4.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="A running dask scheduler (dask scheduler; dask worker tcp://HOST:PORT on each machine).")
@click.option("--cluster", type=click.Choice(["local"]), default=None,
              help="Start a dask LocalCluster of --workers processes for this sweep.")
@click.option("--resume", is_flag=True, help="Skip the tasks the store already holds (not the failed ones).")
@click.option("--name", default="sweep", show_default=True, help="The sweep's group name in the store.")
@click.option("--curves", type=click.Path(dir_okay=False), callback=output_callback(PLOT_SUFFIXES),
              help="Grid sweeps: write the score against the learning rate, one line per optimizer.")
@options(plot_option, json_option, save_option, store_option, engine_option)
def command(target, optimizers, lrs, steps, start, noise, seed, params, grid, backend, workers, scheduler, cluster,
            resume, name, curves, plot, json_path, save_run, store_path, engine):
    """Final loss against learning rate on FUNCTION_OR_FORMULA; or any grid, on processes or a Dask cluster.

    Without grid options every learning rate runs as one row of a single vectorised run
    (gdlab.lr_sweep); the optimizer is gd unless -o names others. With --grid, --backend,
    --resume, --save or --store it is gdlab.sweep: the product of every axis (function,
    optimizer, hyperparameters, steps, seed, starts; or dataset, model, optimizer, lr,
    batch_size, epochs, seed), each task kept in the run store as it finishes.

    \b
    Examples:
      gdlab sweep rosenbrock --optimizer adam --lrs 1e-4:1:20 --plot sweep.png
      gdlab sweep "x**2 + 10*y**2" -o gd,momentum --lrs 0.001,0.01,0.05,0.1,0.2
      gdlab sweep sphere --lrs 1e-3:3:13 --steps 100 --json sweep.json
      gdlab sweep rosenbrock -o gd,momentum,adam --lrs 1e-4:1:8 --grid seed=0,1,2 --grid starts=4 --save --plot heat.png
      gdlab sweep --grid function=rosenbrock,rastrigin -o gd,adam --lrs 1e-3:0.1:4 --backend processes --workers 2
      gdlab sweep --grid dataset=moons --grid lr=0.003,0.03 --grid batch_size=16,64 --grid epochs=10 --curves c.png
    """
    ctx = click.get_current_context()
    given = {p for p in ("lrs", "steps") if ctx.get_parameter_source(p).name != "DEFAULT"}
    grid_mode = bool(grid) or any(v not in (None, False) for v in (backend, workers, scheduler, cluster, store_path,
                                                                   curves)) or resume or save_run
    if not grid_mode:
        if target is None:
            raise BadInput("missing FUNCTION_OR_FORMULA (or give a --grid with function= or dataset=)")
        return _lr_sweep(target, optimizers, lrs, steps, start, noise, seed, params, plot, json_path, engine)
    if engine != "auto":
        raise BadInput(f"--engine {engine} is for the --lrs sweep; a grid's tasks run on the engine 'auto' picks")
    spec = _build_grid(target, optimizers, lrs, steps, start, noise, seed, params, grid, given)
    store = store_for(save_run or resume, store_path)
    backend = backend or ("dask" if scheduler or cluster else "local")
    if (scheduler or cluster) and backend != "dask":
        raise BadInput(f"--scheduler and --cluster are for --backend dask, not {backend}")
    if backend == "dask" and not scheduler and not cluster:
        cluster = "local"
    import gdlab
    from gdlab.sweeps import GridError, expand

    with checking():
        try:
            mode, tasks = expand(spec)
        except GridError as exc:
            raise BadInput(str(exc)) from None
        from gdlab.functions import resolve_function
        from gdlab.nn.recipe import TrainSpec

        for name_ in dict.fromkeys(t["function"] for t in tasks if "function" in t):
            resolve_function(name_)  # an unknown name or a bad formula: bad input, before any work
        if mode == "train":
            import gdlab.datasets

            for ds in dict.fromkeys(TrainSpec.from_dict(t["spec"]).dataset for t in tasks):
                if ds not in gdlab.datasets.names():
                    raise BadInput(f"--grid dataset: unknown data set {ds!r}; known: {', '.join(gdlab.datasets.names())}")
        if scheduler is not None and "://" not in scheduler:
            raise BadInput(f"--scheduler {scheduler!r}: expected an address such as tcp://10.0.0.5:8786")
    with reserve_outputs({"--plot": plot, "--curves": curves, "--json": json_path}) as files:
        bar = progress_bar(unit="tasks")
        with bar:
            task = bar.add_task(f"sweep ({backend})", total=len(tasks), info="")

            def progress(done, failed, total):
                left = total - done - failed
                bar.update(task, completed=done + failed, info=f"{done} done, {failed} failed, {left} left")

            try:
                result = gdlab.sweep(spec, backend, workers=workers, scheduler=scheduler, cluster=cluster,
                                     store=store, resume=resume, name=name, progress=progress)
            except KeyboardInterrupt:
                if store is not None:
                    click.echo(f"gdlab: the finished tasks are in {store.path}; the same command with --resume "
                               "goes on from there", err=True)
                raise
        print_grid(make_console(), result, store)
        if plot is not None or curves is not None:
            from gdlab import viz
        if plot is not None:
            viz.sweep_heatmap(result, path=files.temporary(plot))
        if curves is not None:
            viz.sweep_curves(result, path=files.temporary(curves))
        if json_path is not None:
            write_json(files.temporary(json_path), result.to_dict())
    report_written(files.paths)


def _build_grid(target, optimizers, lrs, steps, start, noise, seed, params, entries, given):
    grid = {}
    for key, value in entries:
        if key == "file":
            grid.update(value)
        else:
            grid[key] = value
    train = "dataset" in grid
    if target is not None:
        if "function" in grid or train:
            raise BadInput("give FUNCTION_OR_FORMULA or --grid function=/dataset=, not both")
        grid["function"] = target
    if "function" not in grid and not train:
        raise BadInput("a sweep needs FUNCTION_OR_FORMULA, --grid function=NAME,... or --grid dataset=NAME,...")
    if optimizers:
        if "optimizer" in grid:
            raise BadInput("give the optimizers with -o or with --grid optimizer=, not both")
        grid["optimizer"] = list(optimizers.values())
    if "lr" not in grid and (not train or "lrs" in given):
        grid["lr"] = lrs
    if not train:
        if "steps" not in grid:
            grid["steps"] = DEFAULT_STEPS if steps is None else steps
        if start:
            grid["x0"] = [list(p) for p in start]
        if noise is not None:
            grid["noise"] = noise
    elif steps is not None or start or noise is not None:
        raise BadInput("--steps, --start and --noise are for objective functions; a training grid takes "
                       "--grid epochs=..., batch_size=...")
    if seed is not None and "seed" not in grid:
        grid["seed"] = seed
    for k, v in params.items():
        grid.setdefault(k, [v])
    return grid


def print_grid(console, result, store):
    """The rows (up to 40), the best setting per problem and optimizer, and where the tasks are kept."""
    rows = result.rows
    shown = [k for k in rows[0] if k not in ("status", "final_loss", "score", "run_id", "error")]
    varying = [k for k in shown if len({json.dumps(r.get(k), default=str) for r in rows}) > 1]
    outcome = [k for k in rows[0] if k in ("accuracy", "val_accuracy", "r2", "val_r2")]

    def cells(r):
        status = r["status"]
        out = [str(r.get(k)) if not isinstance(r.get(k), float) else fmt_float(r[k], 3) for k in varying]
        out.append(f"[{status_style(status)}]{status}[/]")
        out += [fmt_float(r.get("final_loss")), "inf" if r["score"] == float("inf") else fmt_float(r["score"])]
        out += [fmt_float(r.get(k)) for k in outcome]
        return out

    columns = [(k, "text") for k in varying] + [("status", "text"), ("final loss", "number"), ("score", "number")]
    columns += [(k, "number") for k in outcome]
    if len(rows) <= 40:
        print_table(console, columns, [cells(r) for r in rows], title=f"{len(rows)} tasks")
    best = result.best()
    if best:
        print_table(console, [("best of", "text")] + columns, [[k] + cells(r) for k, r in best.items()],
                    title="best setting per problem and optimizer (lowest score)")
    failed = [r for r in rows if r["status"] == "failed"]
    console.print(f"{len(rows)} tasks: {result.done} done ({result.skipped} from the store), {result.failed} failed, "
                  f"{result.wall_time:.3g} s on {result.backend}"
                  + (f"; group {result.group} in {store.path}" if store is not None else ""), highlight=False)
    for r in failed[:5]:
        console.print(f"[red]failed[/]: {r['error']}", highlight=False)


def _lr_sweep(target, optimizers, lrs, steps, start, noise, seed, params, plot, json_path, engine):
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
