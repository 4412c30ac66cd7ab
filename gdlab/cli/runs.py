"""``gdlab runs``: list, show, compare, export and delete the runs of the run store (gdlab.store.Store)."""

from __future__ import annotations

import json

import click

from .common import (CONTEXT, JSON_SUFFIXES, PLOT_SUFFIXES, BadInput, Number, fmt_float, make_console, open_store,
                     output_callback, print_table, report_written, reserve_outputs, status_style, store_option)


def _store(path):
    return open_store(path)


def _resolve(store, run_id):
    from gdlab.store import RunNotFound

    try:
        return store.info(run_id)
    except RunNotFound as exc:
        raise BadInput(str(exc)) from None


def _loss(value):
    return "-" if value is None else fmt_float(value)


@click.group("runs", context_settings=CONTEXT)
def command():
    """The run store: the runs kept by --save (and every task of a sweep).

    The store is one SQLite file: --store PATH, else $GDLAB_STORE, else ~/.gdlab/runs.db.

    \b
    Examples:
      gdlab minimize rosenbrock -o adam --lr 0.05 --steps 300 --save --store runs.db
      gdlab runs list --store runs.db
      gdlab runs list --kind minimize --where "final_loss < 10" --store runs.db
    """


@command.command("list", context_settings=CONTEXT)
@click.option("--kind", type=click.Choice(["minimize", "race", "sweep_task", "train"]), default=None,
              help="Only runs of this kind.")
@click.option("--where", default=None, metavar="CONDITIONS",
              help="Filter, e.g. \"final_loss < 1e-3 and optimizer = adam\" (= != < <= > >= ~).")
@click.option("--group", default=None, help="Only the runs of this group (a sweep's id).")
@click.option("--limit", type=Number(min=1, max=1_000_000, integer=True), default=50, show_default=True,
              help="At most this many runs, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON (one array) instead of a table.")
@store_option
def list_runs(kind, where, group, limit, as_json, store_path):
    """The stored runs, newest first: id, kind, when, problem, optimizer, steps, status, final loss."""
    store = _store(store_path)
    try:
        records = store.runs(kind, where=where, group=group, limit=limit)
        total = store.count(kind, where=where, group=group)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in records], indent=1, allow_nan=False))
        return
    console = make_console()
    rows = [[r.id, r.kind, r.created[:19].replace("T", " "), r.problem or "-", r.optimizer or "-",
             "-" if r.steps is None else r.steps, f"[{status_style(r.status)}]{r.status}[/]", _loss(r.final_loss),
             r.group or ""] for r in records]
    print_table(console, [("id", "text"), ("kind", "text"), ("created (UTC)", "text"), ("problem", "text"),
                          ("optimizer", "text"), ("steps", "number"), ("status", "text"), ("final loss", "number"),
                          ("group", "text")], rows, title=f"{store.path}: {len(records)} of {total} runs")


@command.command("show", context_settings=CONTEXT)
@click.argument("run_id", metavar="ID")
@store_option
def show(run_id, store_path):
    """One run: its record, final metrics, tags and the configuration that re-runs it."""
    store = _store(store_path)
    r = _resolve(store, run_id)
    console = make_console()
    rows = [["id", r.id], ["kind", r.kind], ["created (UTC)", r.created], ["gdlab", r.version],
            ["status", r.status], ["problem", r.problem or "-"], ["optimizer", r.optimizer or "-"],
            ["steps", "-" if r.steps is None else r.steps], ["runs", "-" if r.n_runs is None else r.n_runs],
            ["final loss", _loss(r.final_loss)], ["group", r.group or "-"],
            ["re-runnable", "yes" if r.rerunnable else f"no: {r.not_rerunnable}"]]
    if r.error:
        rows.append(["error", r.error])
    rows += [[f"metric {k}", fmt_float(v) if isinstance(v, float) else str(v)] for k, v in r.metrics.items()
             if not isinstance(v, (list, dict))]
    rows += [[f"tag {k}", str(v)] for k, v in r.tags.items()]
    print_table(console, [("field", "text"), ("value", "text")], rows, title=f"run {r.id}")
    config = r.to_dict()["config"]
    config.pop("x0", None) if isinstance(config.get("x0"), list) and len(config["x0"]) > 8 else None
    console.print("configuration:", json.dumps(config, indent=1, allow_nan=False), markup=False, highlight=False)


def _curves(store, record):
    """label -> what viz.loss_curves draws (a Trajectory, or a History's per-epoch loss)."""
    result = store.load(record.id)
    if isinstance(result, dict):
        return {f"{record.id} {label}": t for label, t in result.items()}
    label = f"{record.id} {record.optimizer or record.kind}"
    return {label: result}


@command.command("compare", context_settings=CONTEXT)
@click.argument("run_ids", metavar="ID...", nargs=-1, required=True)
@click.option("--plot", type=click.Path(dir_okay=False), callback=output_callback(PLOT_SUFFIXES),
              help="Write the loss curves of the runs on one figure (.png, .svg or .pdf).")
@store_option
def compare(run_ids, plot, store_path):
    """Several runs side by side: a table, and their loss curves on one figure with --plot."""
    store = _store(store_path)
    records = [_resolve(store, r) for r in run_ids]
    rows = [[r.id, r.kind, r.problem or "-", r.optimizer or "-", "-" if r.steps is None else r.steps,
             f"[{status_style(r.status)}]{r.status}[/]", _loss(r.final_loss)] for r in records]
    print_table(make_console(), [("id", "text"), ("kind", "text"), ("problem", "text"), ("optimizer", "text"),
                                 ("steps", "number"), ("status", "text"), ("final loss", "number")], rows)
    if plot is None:
        return
    drawable = [r for r in records if r.status != "failed"]
    if not drawable:
        raise BadInput("every run given failed: there are no curves to draw")
    with reserve_outputs({"--plot": plot}) as files:
        from gdlab import viz

        curves = {}
        for r in drawable:
            curves.update(_curves(store, r))
        viz.loss_curves(curves, path=files.temporary(plot), title="stored runs")
    report_written(files.paths)


@command.command("export", context_settings=CONTEXT)
@click.argument("run_id", metavar="ID")
@click.option("--json", "fmt", flag_value="json", default=True, help="The record, configuration and arrays as JSON.")
@click.option("--csv", "fmt", flag_value="csv", help="The per-step (or per-epoch) table as CSV.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="Write to PATH instead of printing.")
@store_option
def export(run_id, fmt, out, store_path):
    """One run as JSON (record, configuration, arrays) or CSV (its table), printed or written with --out."""
    from gdlab.store import StoreError

    if out is not None:
        suffixes = JSON_SUFFIXES if fmt == "json" else (".csv",)
        output_callback(suffixes)(click.get_current_context(), click.Option(["--out"]), out)
    store = _store(store_path)
    record = _resolve(store, run_id)
    try:
        if out is None:
            click.echo(store.export(record.id, fmt), nl=False)
            return
        store.export(record.id, fmt, path=out)
    except StoreError as exc:
        raise BadInput(str(exc)) from None
    report_written([out])


@command.command("rm", context_settings=CONTEXT)
@click.argument("run_ids", metavar="ID...", nargs=-1, required=True)
@store_option
def rm(run_ids, store_path):
    """Delete runs (their arrays and tags too)."""
    store = _store(store_path)
    ids = [_resolve(store, r).id for r in run_ids]
    n = store.delete(*ids)
    click.echo(f"deleted {n} run{'s' if n != 1 else ''}: {', '.join(ids)}")
