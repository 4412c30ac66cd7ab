"""Running the gallery: select experiments, run each (isolated from the others' failures), write the page."""

from __future__ import annotations

import json
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ._core import EXPERIMENTS, GROUPS, REGISTRY, STATUSES, Context, Experiment, Figure, Number, Result

__all__ = ["names", "select", "run_one", "run_gallery", "Report", "print_list", "print_summary"]

RESULTS_FILE = "results.json"


def _load_experiments():
    """Import the modules that register the experiments (once)."""
    from . import beyond, landscape  # noqa: F401
    from .seeds import seed000, seed001, seed002, seed003, seed004  # noqa: F401


def experiments() -> list[Experiment]:
    """Every registered experiment, in gallery order (by group, then registration order)."""
    _load_experiments()
    order = {g: i for i, g in enumerate(GROUPS)}
    return sorted(REGISTRY.values(), key=lambda e: order[e.seed])


def names() -> list[str]:
    return [e.name for e in experiments()]


def _group_key(text: str) -> str | None:
    t = text.strip().lower().replace("-", "").replace("_", "")
    if t.startswith("seed"):
        t = t[4:]
    return t if t in GROUPS else None


def select(only=None) -> list[Experiment]:
    """The experiments named in ``only`` (names, groups "000".."004"/"seed003"/"beyond", or a word of
    names: "saddle" is every experiment with "saddle" between its underscores); all if empty.

    ValueError for an unknown name, with the close matches.
    """
    every = experiments()
    if not only:
        return every
    wanted: list[str] = []
    for item in only:
        item = item.strip()
        if not item:
            continue
        group = _group_key(item)
        if item in EXPERIMENTS:
            wanted.append(EXPERIMENTS.canonical(item))
        elif group is not None:
            wanted.extend(e.name for e in every if e.seed == group)
        elif any(item.lower() in e.name.split("_") for e in every):
            wanted.extend(e.name for e in every if item.lower() in e.name.split("_"))
        else:
            raise EXPERIMENTS.error(item)
    chosen = set(wanted)
    return [e for e in every if e.name in chosen]


def _close_figures():
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def run_one(exp: Experiment, out, quick: bool = False, lang: str = "en") -> Result:
    """Run one experiment; a failure is caught and recorded, never raised (KeyboardInterrupt is).

    ``lang``: the language of its card and figures (see :mod:`gdlab.demo.lang`)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    out = Path(out)
    ctx = Context(exp, out, quick=quick, lang=lang)
    result = Result(exp.name, exp.seed, exp.title, exp.explain)
    start = time.perf_counter()
    try:
        exp.run(ctx)
        result.status = "mismatch" if any(n.status == "mismatch" for n in ctx.numbers) else "ok"
        if result.status == "mismatch":
            bad = [n.label for n in ctx.numbers if n.status == "mismatch"]
            result.error = "gdlab's number differs from the seed's: " + ", ".join(bad)
    except Exception as exc:  # one experiment's failure must not stop the gallery
        result.status = "failed"
        result.error = " ".join(f"{type(exc).__name__}: {exc}".split())
        result.traceback = traceback.format_exc()
    finally:
        _close_figures()
    result.seconds = time.perf_counter() - start
    result.numbers, result.figures, result.notes = ctx.numbers, ctx.figures, ctx.notes
    ctx.translate.result(result)
    result.untranslated = sorted(ctx.translate.missing)
    return result


def _run_by_name(name: str, out: str, quick: bool, lang: str = "en") -> Result:
    _load_experiments()
    return run_one(REGISTRY[name], out, quick, lang)


def _run_packed(args) -> Result:
    return _run_by_name(*args)


def _ignore_sigint():
    """Workers leave Ctrl-C to the parent, which stops them (no traceback from each worker)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass
class Report:
    """The gallery run: every result (in gallery order), where the page is, how long it took."""

    results: list
    out: Path
    index_path: Path
    seconds: float
    quick: bool
    ran: list = field(default_factory=list)  # names run this time (the page may hold earlier ones too)
    lang: str = "en"

    @property
    def untranslated(self) -> list:
        """Text of this run that the language's table could not translate (kept in English)."""
        return sorted({t for r in self.results if r.name in self.ran for t in r.untranslated})

    @property
    def n_failed(self) -> int:
        return sum(1 for r in self.results if r.name in self.ran and r.failed)


def _result_from_dict(d: dict) -> Result:
    r = Result(d["name"], d["seed"], d["title"], d["explain"], d.get("status", "ok"))
    r.numbers = [Number(n["label"], n["gdlab"], n["seed"], n["status"], n.get("note", "")) for n in d.get("numbers", [])]
    r.figures = [Figure(f["path"], f.get("caption", ""), f.get("kind", "image"), f.get("preview")) for f in d.get("figures", [])]
    r.notes = list(d.get("notes", []))
    r.error = d.get("error", "")
    r.seconds = float(d.get("seconds", 0.0))
    return r


def _earlier_results(out: Path, lang: str = "en") -> dict:
    """Results of an earlier run into the same folder, in the same language, whose files are all still there."""
    path = out / RESULTS_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("lang", "en") != lang:
            return {}
        earlier = {d["name"]: _result_from_dict(d) for d in data.get("experiments", [])}
    except (ValueError, KeyError, TypeError):
        return {}
    return {k: r for k, r in earlier.items() if k in REGISTRY and all((out / f.path).exists() for f in r.figures)}


def run_gallery(out, selected=None, *, quick: bool = False, jobs: int = 1, progress=None, lang: str = "en") -> Report:
    """Run ``selected`` experiments (default: all) into ``out``; write ``index.html`` and ``results.json``.

    ``jobs`` > 1 runs experiments in that many processes. ``progress`` is an optional rich Progress.
    ``lang``: "en" (default) or "zh", the language of the page, the cards and the figures.
    Experiments of an earlier run into the same folder (in the same language) that were not run
    again stay on the page.
    """
    from ._page import write_index
    from .lang import translator

    translator(lang)  # an unknown language is a ValueError before anything runs

    out = Path(out).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot create the gallery folder {str(out)!r}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK):
        raise ValueError(f"cannot write into the gallery folder {str(out)!r}: permission denied")
    selected = list(selected) if selected is not None else experiments()
    start = time.perf_counter()
    task = progress.add_task("gallery", total=len(selected), info="") if progress is not None else None

    def done(result):
        if progress is not None:
            mark = "✓" if not result.failed else "✗"
            progress.update(task, advance=1, info=f"{mark} {result.name} ({result.seconds:.1f} s)")

    results: dict[str, Result] = {}
    if jobs <= 1 or len(selected) <= 1:
        for exp in selected:
            if progress is not None:
                progress.update(task, info=f"{exp.name} …")
            results[exp.name] = run_one(exp, out, quick, lang)
            done(results[exp.name])
    else:
        import multiprocessing as mp

        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        # heavy ones first, so that the pool's last minutes are not spent on one long experiment
        ordered = sorted(selected, key=lambda e: not e.heavy)
        pool = mp.get_context(method).Pool(processes=jobs, initializer=_ignore_sigint)
        try:
            jobs_args = [(e.name, str(out), quick, lang) for e in ordered]
            for result in pool.imap_unordered(_run_packed, jobs_args):
                results[result.name] = result
                done(result)
            pool.close()
        except BaseException:  # Ctrl-C (or a dead worker): stop every worker now, then let it propagate
            pool.terminate()
            raise
        finally:
            pool.join()
    seconds = time.perf_counter() - start

    merged = _earlier_results(out, lang)
    merged.update(results)
    order = {e.name: i for i, e in enumerate(experiments())}
    every = sorted(merged.values(), key=lambda r: order.get(r.name, 1 << 30))
    report = Report(every, out, out / "index.html", seconds, quick, ran=[e.name for e in selected], lang=lang)
    (out / RESULTS_FILE).write_text(
        json.dumps({"quick": quick, "lang": lang, "seconds": round(seconds, 2),
                    "experiments": [r.to_dict() for r in every]},
                   indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_index(report)
    _write_error_log(out, [r for r in every if r.traceback])
    return report


def _write_error_log(out: Path, failed):
    path = out / "errors.log"
    if not failed:
        if path.exists():
            path.unlink()
        return
    path.write_text("\n\n".join(f"== {r.name}\n{r.traceback}" for r in failed), encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# terminal output


def print_list(console):
    from rich.table import Table

    table = Table(title="gdlab demo experiments", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("seed")
    table.add_column("title", overflow="fold")
    for exp in experiments():
        table.add_row(exp.name, exp.seed, exp.title)
    console.print(table)
    console.print("Select with --only NAME[,NAME...] or a seed: --only 003, --only beyond.")


def print_summary(console, report: Report):
    """The summary table: per experiment a heading row, then quantity, seed value, gdlab value, ✓ /
    corrected; then the totals. Text folds between words; a number is never broken: the seed and
    gdlab columns are at least as wide as their longest word (so the table fits 80 columns)."""
    from rich.markup import escape
    from rich.table import Table

    from .lang import translator

    ui = translator(report.lang).ui
    console.print(f"[bold]{escape(ui('summary_title'))}[/]")
    ran = set(report.ran)
    shown = [r for r in report.results if r.name in ran]
    values = [(n.seed, n.gdlab) for r in shown if r.status != "failed" for n in r.numbers]

    def longest_word(column):
        return min(24, max([len(w) for pair in values for w in pair[column].split()] or [4]))

    table = Table(show_lines=False, expand=False)
    table.add_column(ui("col_quantity"), overflow="fold")   # under each experiment's heading row
    table.add_column(ui("col_seed"), overflow="fold", min_width=longest_word(0))
    table.add_column(ui("col_gdlab"), overflow="fold", min_width=longest_word(1))
    table.add_column("", no_wrap=True)
    for r in shown:
        if r.status == "failed":
            table.add_row(f"[bold]{escape(r.name)}[/]", "", f"[red]failed:[/] {escape(r.error[:200])}",
                          "[bold red]✗[/]")
        else:
            table.add_row(f"[bold]{escape(r.name)}[/]" + ("" if r.numbers else " " + ui("figures_only")), "", "", "")
        for n in [] if r.status == "failed" else r.numbers:
            style = STATUSES[n.status][2]
            table.add_row(escape(n.label), escape(n.seed), escape(n.gdlab), f"[{style}]{n.mark}[/]")
        table.add_section()
    console.print(table)
    counts: dict[str, int] = {}
    for r in report.results:
        if r.name in ran:
            for n in r.numbers:
                counts[n.status] = counts.get(n.status, 0) + 1
    n_ran = len(ran)
    n_failed = report.n_failed
    files = sum(len(r.figures) for r in report.results if r.name in ran)
    parts = [f"{counts.get('match', 0) + counts.get('approx', 0)} ✓", f"{counts.get('corrected', 0)} corrected",
             f"{counts.get('new', 0)} new"]
    if counts.get("mismatch"):
        parts.append(f"{counts['mismatch']} ✗")
    line = (f"{n_ran} experiments ({n_ran - n_failed} ok, {n_failed} failed), {files} files, numbers: "
            + ", ".join(parts) + f"; {report.seconds:.1f} s" + (" (quick)" if report.quick else ""))
    console.print(line, style="bold red" if n_failed else "bold green")
    for r in report.results:
        if r.name in ran and r.failed:
            console.print(f"[red]✗ {r.name}:[/] {escape(r.error)}")
    if any(r.traceback for r in report.results if r.name in ran):
        console.print(f"tracebacks in {report.out / 'errors.log'}")
