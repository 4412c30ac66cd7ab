"""What every ``gdlab`` command shares: parsing, checks, outputs, formatting, options, error printing.

The error contract (:class:`GdlabGroup` is the one place where errors become a line and a status):

- exit 2, ``gdlab: error: ...`` (one line): bad input. A malformed or out-of-range option (every
  numeric option goes through :class:`Number`: finite, in range, the option named), an unknown
  name, an unwritable output path, and any ValueError/TypeError a layer raises while the command
  checks its arguments (inside ``with checking():``, before any work);
- exit 1, ``gdlab: internal error ...`` (one line, with the hint to rerun with ``GDLAB_DEBUG=1``):
  an exception raised by the work itself once the arguments were checked, i.e. a bug in gdlab,
  never reported as bad input; an OSError while writing (a full disk) is exit 1 with its message;
- exit 130, ``gdlab: interrupted``: Ctrl-C. ``GDLAB_DEBUG=1`` shows tracebacks instead.

Outputs are all or nothing: :func:`reserve_outputs` creates a temporary file beside every output
of the command before any work (so an unwritable folder is refused first) and the files are
renamed into place only when all of them were written (:class:`gdlab._atomic.FileSet`).

Parsers are pure functions raising :class:`BadInput` (a ValueError whose message follows
``gdlab: error:``), so they are easy to test. No maths here: every number comes from a library call.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from gdlab import _registry

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# the file types each output option writes (the viz layer decides how)
PLOT_SUFFIXES = (".png", ".svg", ".pdf", ".jpg", ".jpeg")
ANIMATION_SUFFIXES = (".gif", ".mp4", ".html")
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json",)
MODEL_SUFFIXES = (".npz",)

MAX_STEPS = 1_000_000


def one_line(text) -> str:
    """A message squeezed onto one line (layers' messages may span several).

    A caret diagram (the input on one line, ``^`` under the bad position on the next) is dropped:
    the position is in the message's first line.
    """
    lines = [line for line in str(text).splitlines() if line.strip()]
    if any(set(line.strip()) <= set("^~") for line in lines):
        lines = lines[:1]
    text = " ".join(" ".join(lines).split())
    return text or "invalid input"


def debug_mode() -> bool:
    return os.environ.get("GDLAB_DEBUG", "").strip() not in ("", "0", "false", "no")


# ------------------------------------------------------------------------------------------------
# parsing helpers: pure functions raising BadInput (a ValueError), so they are easy to test
# ------------------------------------------------------------------------------------------------


class BadInput(ValueError):
    """A malformed command-line value; the message is shown after ``gdlab: error:``."""


@contextmanager
def checking():
    """Errors a layer raises while the command checks its arguments are bad input (exit 2).

    Only the checks go in here (resolving the function, the optimizer's hyperparameters, ...): an
    error from the work itself is gdlab's own, and :class:`GdlabGroup` reports it as internal.
    """
    try:
        yield
    except BadInput:
        raise
    except (ValueError, TypeError) as exc:
        raise BadInput(one_line(exc)) from exc


_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf(?:inity)?|nan"


def parse_number(text, what="value"):
    """A finite float from the command line (``1e-3``, ``-2``, ``.5``); ``BadInput`` otherwise."""
    s = str(text).strip()
    if not re.fullmatch(_NUMBER, s, flags=re.IGNORECASE):
        raise BadInput(f"{what}: {text!r} is not a number")
    value = float(s)
    if not math.isfinite(value):
        raise BadInput(f"{what}: {text!r} is not a finite number")
    return value


def parse_int(text, what="value"):
    """A whole number (``300``, ``1e6``); ``BadInput`` for ``1.5``, ``nan`` or a word."""
    s = str(text).strip()
    if re.fullmatch(r"[-+]?\d+", s):
        return int(s)
    value = parse_number(s, what)
    if value != int(value) or abs(value) > 2**63:
        raise BadInput(f"{what}: {text!r} is not a whole number")
    return int(value)


def parse_point(text, option="--start"):
    """``"-1.5,2"`` -> [-1.5, 2.0]; spaces allowed, empty items and non-numbers refused."""
    s = str(text).strip()
    if s.startswith(("(", "[")) and s.endswith((")", "]")):
        s = s[1:-1]
    items = [item.strip() for item in s.split(",")]
    if not s or any(item == "" for item in items):
        raise BadInput(f"malformed {option} {text!r}: expected comma-separated numbers such as -1.5,2")
    values = []
    for item in items:
        try:
            values.append(parse_number(item))
        except BadInput:
            raise BadInput(
                f"malformed {option} {text!r}: {item!r} is not a finite number (expected e.g. -1.5,2)"
            ) from None
    return values


def parse_value(text, what="value"):
    """A hyperparameter value (:func:`gdlab._registry.parse_value`: a number, true/false/none, a tuple
    ``0.9,0.999`` or ``(0.9, 0.999)``, or a word); ``BadInput`` otherwise."""
    try:
        return _registry.parse_value(text, what)
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def parse_params(pairs, option="--param"):
    """``["momentum=0.9", "betas=0.9,0.99"]`` -> {"momentum": 0.9, "betas": (0.9, 0.99)}."""
    try:
        return _registry.parse_params(pairs, option)
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def _entries(text):
    """Comma-separated ``NAME[:KEY=VALUE...]`` entries; a piece not starting with a name continues a tuple
    (``adam:betas=0.9,0.99,gd`` is adam with betas (0.9, 0.99), then gd)."""
    entries = []
    for piece in str(text).split(","):
        if entries and re.match(r"\s*[-+.\d(\[)\]]", piece) and "=" in entries[-1]:
            entries[-1] += "," + piece
        else:
            entries.append(piece)
    return [e.strip() for e in entries]


def parse_optimizers(spec, option="--optimizer"):
    """``"sgd:lr=0.01,momentum:lr=0.01:momentum=0.9,adam:lr=0.1"`` -> {label: {"optimizer": name, ...}}.

    Entries are separated by commas, hyperparameters by colons; a tuple is written with commas too
    (``adam:betas=0.9,0.99``). A label is the optimizer's name; when an optimizer comes twice its
    labels carry the hyperparameters (``"sgd lr=0.1"``).
    """
    text = str(spec).strip()
    if not text:
        raise BadInput(f"{option} is empty: expected e.g. \"sgd:lr=0.01,adam:lr=0.1\"")
    entries = []
    for chunk in _entries(text):
        if not chunk:
            raise BadInput(f"malformed {option} {spec!r}: an empty entry (two commas in a row?)")
        name, *hps = [part.strip() for part in chunk.split(":")]
        if not re.fullmatch(r"[A-Za-z_][\w\-]*", name):
            raise BadInput(f"malformed {option} entry {chunk!r}: expected NAME[:KEY=VALUE...], e.g. adam:lr=0.1")
        params = parse_params(hps, option=f"{option} {name}:")
        entries.append((name.lower(), params, chunk))
    counts = {}
    for name, _, _ in entries:
        counts[name] = counts.get(name, 0) + 1
    result = {}
    for name, params, chunk in entries:
        label = name
        if counts[name] > 1:
            label = " ".join([name] + [f"{k}={_show(v)}" for k, v in params.items()]) or name
        if label in result:
            raise BadInput(f"{option} lists {chunk!r} twice")
        result[label] = {"optimizer": name, **params}
    return result


def parse_lrs(text):
    """``"1e-4:1:20"`` (20 log-spaced values from 1e-4 to 1) or ``"0.001,0.01,0.1"`` -> list of floats > 0."""
    s = str(text).strip()
    if ":" in s:
        parts = s.split(":")
        if len(parts) != 3:
            raise BadInput(f"malformed --lrs {text!r}: expected LO:HI:COUNT (e.g. 1e-4:1:20) or a comma list")
        lo = parse_number(parts[0], "--lrs LO")
        hi = parse_number(parts[1], "--lrs HI")
        if not re.fullmatch(r"\d+", parts[2].strip()):
            raise BadInput(f"malformed --lrs {text!r}: COUNT {parts[2]!r} must be a whole number")
        count = int(parts[2])
        if lo <= 0 or hi <= 0:
            raise BadInput(f"--lrs {text!r}: learning rates must be > 0 (they are log-spaced)")
        if count < 1 or count > 10_000:
            raise BadInput(f"--lrs {text!r}: COUNT must be between 1 and 10000, got {count}")
        if count == 1:
            return [lo]
        import numpy as np

        return [float(v) for v in np.geomspace(lo, hi, count)]
    values = [parse_number(item, "--lrs") for item in s.split(",") if item.strip()] if s else []
    if not values:
        raise BadInput("--lrs is empty: expected LO:HI:COUNT (e.g. 1e-4:1:20) or a comma list")
    if len(values) > 10_000:
        raise BadInput(f"--lrs: at most 10000 learning rates, got {len(values)}")
    bad = [v for v in values if v <= 0]
    if bad:
        raise BadInput(f"--lrs: learning rates must be > 0, got {bad[0]:g}")
    return values


def parse_model(text):
    """``"2-16-16-2"`` -> [2, 16, 16, 2] (input, hidden..., output); at least two positive sizes."""
    s = str(text).strip()
    if not re.fullmatch(r"\d+(?:\s*-\s*\d+)+", s):
        raise BadInput(f"malformed --model {text!r}: expected layer sizes joined by '-', e.g. 2-16-16-2")
    sizes = [int(v) for v in re.split(r"\s*-\s*", s)]
    if any(v < 1 for v in sizes):
        raise BadInput(f"malformed --model {text!r}: every layer size must be at least 1")
    if any(v > 100_000 for v in sizes):
        raise BadInput(f"--model {text!r}: layer sizes above 100000 are refused")
    return sizes


class Number(click.ParamType):
    """The one converter of every numeric option: a finite number (a whole one with ``integer``) in range.

    ``nan``, ``inf``, ``1e400`` and out-of-range values are refused with a message naming the option
    (click adds ``Invalid value for '--lr':``).
    """

    def __init__(self, min=None, max=None, *, min_open=False, integer=False):
        self.min, self.max, self.min_open, self.integer = min, max, min_open, integer
        self.name = "integer" if integer else "number"

    def describe(self):
        def show(v):
            return str(int(v)) if float(v).is_integer() else f"{v:g}"

        what = "a whole number" if self.integer else "a finite number"
        low = None if self.min is None else f"{'>' if self.min_open else '>='} {show(self.min)}"
        if self.max is not None and low is not None and not self.min_open:
            return f"{what} in [{show(self.min)}, {show(self.max)}]"
        parts = [p for p in (low, None if self.max is None else f"<= {show(self.max)}") if p]
        return what + (" " + " and ".join(parts) if parts else "")

    def convert(self, value, param, ctx):
        if isinstance(value, bool):
            self.fail(f"must be {self.describe()}, got {value!r}", param, ctx)
        text = value if isinstance(value, str) else repr(value)
        try:
            number = parse_int(text) if self.integer else parse_number(text)
        except BadInput:
            self.fail(f"must be {self.describe()}, got {text!r}", param, ctx)
        if ((self.min is not None and (number < self.min or (self.min_open and number == self.min)))
                or (self.max is not None and number > self.max)):
            self.fail(f"must be {self.describe()}, got {text!r}", param, ctx)
        return number

    def __repr__(self):
        return f"Number({self.describe()})"


def resolve_function(text):
    """A catalog function by name (``NAME`` or ``NAME:key=value``) or a parsed formula: the library's one
    rule, :func:`gdlab.functions.resolve_function` (a typo of a name gets "did you mean")."""
    from gdlab.functions import resolve_function as resolve

    if not str(text).strip():
        raise BadInput("empty FUNCTION_OR_FORMULA: give a catalog name (see 'gdlab functions') or a formula")
    return resolve(str(text))


def check_optimizer(name):
    """The optimizer's registry name; ValueError with the close matches for an unknown one."""
    from gdlab.optim import get_rule

    return get_rule(str(name).strip()).name


def check_hyperparameters(name, hp):
    """The optimizer exists and takes these hyperparameters (the rule's own check, before any work)."""
    from gdlab.optim import get_rule

    with checking():
        get_rule(str(name).strip()).hyperparameters(**hp)


def check_output(path, suffixes, option):
    """Refuse, before any work, an output path whose type or folder is wrong."""
    if path is None:
        return None
    p = Path(path).expanduser()
    if p.suffix.lower() not in suffixes:
        allowed = ", ".join(suffixes)
        raise BadInput(f"{option} {str(path)!r}: unsupported file type {p.suffix or '(none)'!r}; use {allowed}")
    if p.exists() and p.is_dir():
        raise BadInput(f"{option} {str(path)!r} is a directory")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise BadInput(f"cannot write {option} {str(path)!r}: directory {str(parent)!r} does not exist")
    if not parent.is_dir() or not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise BadInput(f"cannot write {option} {str(path)!r}: permission denied")
    return p


def check_animation(path, option="--animate"):
    """An animation path; an .mp4 needs ffmpeg, checked before any work (one line, with the install hint)."""
    p = check_output(path, ANIMATION_SUFFIXES, option)
    if p is not None and p.suffix.lower() == ".mp4":
        from gdlab.viz._animate import FFMPEG_HINT, ffmpeg_path

        if ffmpeg_path() is None:
            raise BadInput(f"{option} {str(path)!r}: {FFMPEG_HINT}")
    return p


def reserve_outputs(outputs):
    """A :class:`gdlab._atomic.FileSet` holding a temporary file for each ``{option: path}`` (None skipped).

    Made before any work: a folder that takes no new file (read-only, ``/proc``, full) is bad input
    now, not an error after the work. Use it as a context manager around the work and the writing.
    """
    from gdlab._atomic import FileSet

    files = FileSet()
    try:
        for option, path in outputs.items():
            if path is None:
                continue
            try:
                files.add(path)
            except ValueError:
                raise BadInput(f"{option} {str(path)!r} is also another output of this command") from None
            except OSError as exc:
                raise BadInput(f"cannot write {option} {str(path)!r}: {exc.strerror or exc}") from None
    except BaseException:
        files.discard()
        raise
    return files


def check_folder(path, option):
    """A folder the command will write into (created if missing): refused now when it takes no new file."""
    from gdlab._atomic import temporary_beside

    p = Path(path).expanduser()
    try:
        p.mkdir(parents=True, exist_ok=True)
        os.remove(temporary_beside(p / "probe"))
    except OSError as exc:
        raise BadInput(f"cannot write {option} {str(path)!r}: {exc.strerror or exc}") from None
    return p


# ------------------------------------------------------------------------------------------------
# printing helpers
# ------------------------------------------------------------------------------------------------


def make_console(stderr=False):
    """A rich console; the terminal's width, or COLUMNS, or 120 columns when writing to a file or pipe."""
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal and not os.environ.get("COLUMNS", "").strip().isdigit():
        console = Console(stderr=stderr, highlight=False, width=max(console.width, 120))
    return console


def fmt_float(value, digits=4):
    """A compact float: 4 significant digits, scientific where small or large."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    if 1e-4 <= abs(v) < 1e5:
        return f"{v:.{digits}g}"
    return f"{v:.{max(digits - 1, 0)}e}"


def fmt_point(values, digits=4):
    import numpy as np

    arr = np.asarray(values, dtype=float).reshape(-1)
    return "(" + ", ".join(fmt_float(v, digits) for v in arr) + ")" if arr.size > 1 else fmt_float(arr[0], digits)


def _show(v):
    if isinstance(v, float):
        return fmt_float(v)
    if isinstance(v, tuple):
        return ",".join(_show(x) for x in v)
    return str(v)


def fmt_params(params, optimizer=None):
    """``lr=0.01, momentum=0.9``: the learning rate and the hyperparameters that differ from the defaults."""
    defaults = {}
    if optimizer is not None:
        try:
            from gdlab.optim import get_rule

            defaults = get_rule(optimizer).defaults
        except (ValueError, TypeError, ImportError):
            defaults = {}

    def differs(key, value):
        if key == "lr" or key not in defaults:
            return True
        try:
            return bool(value != defaults[key]) if not isinstance(value, tuple) else tuple(value) != tuple(defaults[key])
        except (TypeError, ValueError):
            return True

    shown = [f"{k}={_show(v)}" for k, v in params.items() if differs(k, v)]
    return ", ".join(shown) or "defaults"


def status_style(status):
    return {"converged": "green", "diverged": "red", "max_steps": "yellow", "failed": "red", "completed": "green",
            "mixed": "yellow", "stopped": "yellow"}.get(str(status), "default")


def fmt_status(status, stopped_at=None, steps=None):
    """``converged at 412`` / ``max_steps``, coloured; the step only where the run stopped early."""
    text = str(status)
    if stopped_at is not None and steps is not None and text != "max_steps" and int(stopped_at) < int(steps):
        text += f" at {int(stopped_at)}"
    style = status_style(status)
    return f"[{style}]{text}[/]" if style else text


def print_table(console, columns, rows, *, title=None):
    """A table that fits the console: number columns are never broken, text columns wrap between words.

    ``columns``: (header, kind) pairs, kind "number" (right-aligned, one line), "text" (wraps between
    words) or "fold" (long text such as a formula, which may also break inside a word). Rich shaves
    the widest columns when a table is too wide, even through a number; here the widths are planned:
    every column gets its longest word (a number's whole text; at most 12 characters for "fold"),
    and the room left goes to the columns that want more, so nothing but "fold" text is cut as long
    as the longest words fit side by side; where even they do not, text columns share what the
    numbers leave and fold inside words.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    plain = [[Text.from_markup(str(c)).plain for c in row] for row in rows]
    headers = [h for h, _ in columns]
    numeric = [kind == "number" for _, kind in columns]
    cells = [[headers[i]] + [row[i] for row in plain] for i in range(len(columns))]
    longest = [max(len(line) for cell in col for line in cell.splitlines() or [""]) for col in cells]
    shortest = [lg if numeric[i] else max(len(w) for cell in cells[i] for w in (cell.split() or [""]))
                for i, lg in enumerate(longest)]
    shortest = [min(w, 12) if kind == "fold" else w for w, (_, kind) in zip(shortest, columns)]
    room = console.width - (3 * len(columns) + 1)  # a border and one space each side of every column
    widths = None
    if sum(longest) > room:
        widths = list(shortest)
        text = [i for i in range(len(columns)) if not numeric[i]]
        text_room = room - sum(widths[i] for i in range(len(columns)) if numeric[i])
        over = sum(widths[i] for i in text) - text_room
        if over > 0 and text:  # even the longest words do not fit: text folds inside words, numbers still not
            share = [max(4, widths[i] * text_room // sum(widths[i] for i in text)) for i in text]
            for i, w in zip(text, share):
                widths[i] = w
        spare = room - sum(widths)
        wants = [0 if numeric[i] else longest[i] - shortest[i] for i in range(len(columns))]
        while spare > 0 and any(wants):
            i = max(range(len(columns)), key=lambda k: wants[k])
            widths[i] += 1
            wants[i] -= 1
            spare -= 1
    table = Table(box=box.HEAVY_HEAD, title=title, title_justify="left")
    for i, (header, kind) in enumerate(columns):
        table.add_column(header, justify="right" if numeric[i] else "left", no_wrap=numeric[i],
                         overflow="fold", width=None if widths is None else widths[i])
    for row in rows:
        table.add_row(*[str(c) for c in row])
    console.print(table)


class _NoProgress:
    """The progress-bar interface doing nothing (stderr is not a terminal: no bar to redraw)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def add_task(self, *args, **kwargs):
        return 0

    def update(self, *args, **kwargs):
        pass

    def advance(self, *args, **kwargs):
        pass


def progress_bar(transient=True, unit="steps"):
    """A rich progress bar on stderr (stdout stays clean for the results): done/total, ``unit``/s, elapsed
    and ETA. None is drawn (a :class:`_NoProgress`) when a transient bar's stderr is not a terminal."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task):
            speed = task.finished_speed or task.speed
            if speed is None:
                return Text("")
            rate = f"{speed:,.0f}" if speed >= 100 else fmt_float(speed, 3)
            return Text(f"{rate} {unit}/s", style="progress.data.speed")

    console = make_console(stderr=True)
    if transient and not console.is_terminal:
        return _NoProgress()
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[info]}"),
        console=console,
        transient=transient,
    )


@contextmanager
def run_progress(description, total):
    """Yields the ``progress(done_steps, total_steps)`` hook of gdlab.minimize/race drawing a bar on stderr,
    or None (no hook, no cost) when stderr is not a terminal."""
    bar = progress_bar(transient=True)
    if isinstance(bar, _NoProgress):
        yield None
        return
    with bar:
        task = bar.add_task(description, total=total, info="")
        yield lambda done, total_steps: bar.update(task, completed=done, total=total_steps)


def print_record_note(console, runs):
    """One line saying what record="auto" kept, when it had to thin or drop histories to fit its memory budget."""
    for traj in (runs.values() if isinstance(runs, dict) else [runs]):
        note = getattr(traj, "record_note", None)
        if note and "budget" in note:
            console.print(f"[dim]recorded {note}[/]")
            return


def jsonable(obj):
    """Plain JSON values: arrays as lists, NaN and infinities as null (strict JSON has neither)."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return jsonable(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def write_json(path, payload):
    """Write ``payload`` as strict JSON (NaN and infinities become null)."""
    text = json.dumps(jsonable(payload), indent=1, allow_nan=False, ensure_ascii=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def report_written(paths):
    for path in paths:
        click.echo(f"wrote {path}", err=True)


# ------------------------------------------------------------------------------------------------
# errors and the click group
# ------------------------------------------------------------------------------------------------


def error_line(message, prefix="gdlab: error: "):
    click.echo(f"{prefix}{one_line(message)}", err=True)


INTERNAL_HINT = "this is a bug in gdlab, not in the command; rerun with GDLAB_DEBUG=1 to see the traceback"


class GdlabGroup(click.Group):
    """A click group that ends every command with one line and the exit status of the contract above."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except (KeyboardInterrupt, click.exceptions.Abort):
            click.echo("gdlab: interrupted", err=True)
            code = EXIT_INTERRUPTED
        except click.UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:  # bare `gdlab`: the help
                click.echo(exc.ctx.get_help())
                code = 0
                if standalone_mode:
                    sys.exit(code)
                return code
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            error_line(exc.format_message() + hint)
            code = EXIT_USAGE
        except click.ClickException as exc:
            error_line(exc.format_message())
            code = EXIT_USAGE
        except BadInput as exc:
            if debug_mode():
                raise
            error_line(exc)
            code = EXIT_USAGE
        except OSError as exc:  # the disk, not the input, and not a bug: say what failed
            if debug_mode():
                raise
            error_line(exc)
            code = EXIT_FAILURE
        except Exception as exc:  # the work failed after the input was checked: gdlab's bug
            from ..runs.compiled import EngineUnavailable

            if isinstance(exc, EngineUnavailable):  # --engine numba for a run it cannot compile: bad input
                error_line(exc)
                code = EXIT_USAGE
                if standalone_mode:
                    sys.exit(code)
                return code
            if debug_mode():
                raise
            error_line(f"{type(exc).__name__}: {exc} ({INTERNAL_HINT})", prefix="gdlab: internal error: ")
            code = EXIT_FAILURE
        if standalone_mode:
            sys.exit(code)
        return code


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def converter(fn):
    """Parse errors raised while converting options become usage errors of the right option."""

    def callback(ctx, param, value):
        try:
            return fn(value, param)
        except BadInput as exc:
            raise click.UsageError(str(exc), ctx=ctx) from None

    return callback


def _starts_callback(value, param):
    return [parse_point(v, "--start") for v in value] if value else None


def output_callback(suffixes):
    return converter(lambda value, param: check_output(value, suffixes, "--" + param.name.replace("_", "-")))


def optimizers_callback(value, param):
    """Every ``-o`` given (each a comma list of NAME[:KEY=VALUE...]) as one {label: spec} dict."""
    if not value:
        return None
    return parse_optimizers(",".join(value), option="-o/--optimizer")


POSITIVE = Number(min=0, min_open=True)

lr_option = click.option(
    "--lr", type=POSITIVE, default=None, help="Learning rate (> 0). Default: the optimizer's default.",
)
steps_option = click.option(
    "--steps", type=Number(min=1, max=MAX_STEPS, integer=True), default=None,
    help=f"Number of update steps, 1 to {MAX_STEPS:,} (minimize: 500, race: 300, sweep and tune: 200 by default).",
)
start_option = click.option(
    "--start", multiple=True, metavar="X[,Y...]", callback=converter(_starts_callback),
    help="Start point, comma-separated (e.g. -1.5,2). Repeat for several starts. Default: the function's.",
)
noise_option = click.option(
    "--noise", type=Number(min=0), default=None,
    help="Standard deviation of Gaussian noise added to every gradient (>= 0).",
)
seed_option = click.option("--seed", type=Number(min=0, integer=True), default=None,
                           help="Random seed, a whole number >= 0 (noise, data, initialisation).")
tol_option = click.option(
    "--tol", type=POSITIVE, default=None, help="Stop a run as converged when its gradient norm falls under TOL (> 0).",
)
param_option = click.option(
    "--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
    callback=converter(lambda v, p: parse_params(v, option="-p")),
    help="A hyperparameter of the optimizer(s), repeatable: -p momentum=0.9 -p nesterov=true -p betas=0.9,0.99.",
)
optimizers_option = click.option(
    "--optimizer", "--optimizers", "-o", "optimizers", multiple=True, metavar="NAME[:KEY=VALUE...]",
    callback=converter(optimizers_callback),
    help="Optimizers, comma-separated or repeated, each with its own hyperparameters after colons: "
         "-o gd:lr=0.001,adam:lr=0.1 -o momentum:momentum=0.95 (--optimizers is the same option).",
)
plot_option = click.option(
    "--plot", type=click.Path(dir_okay=False), callback=output_callback(PLOT_SUFFIXES),
    help="Write a figure (.png, .svg or .pdf).",
)
animate_option = click.option(
    "--animate", type=click.Path(dir_okay=False), callback=converter(lambda v, p: check_animation(v)),
    help="Write an animation (.gif; .mp4 needs ffmpeg; .html is a player).",
)
frames_option = click.option(
    "--frames", type=Number(min=2, max=2000, integer=True), default=60, show_default=True,
    help="Frames of the animation, 2 to 2000 (long runs are subsampled, the last step kept).",
)
html_option = click.option(
    "--html", type=click.Path(dir_okay=False), callback=output_callback(HTML_SUFFIXES),
    help="Write an interactive HTML report (self-contained, works offline).",
)
json_option = click.option(
    "--json", "json_path", type=click.Path(dir_okay=False), callback=output_callback(JSON_SUFFIXES),
    help="Write the full results as JSON.",
)


def _engine_callback(ctx, param, value):
    announce_compiles()
    return value


engine_option = click.option(
    "--engine", type=click.Choice(["auto", "numpy", "numba"]), default="auto", show_default=True,
    callback=_engine_callback,
    help="The run engine: numba (compiled, whole runs in one loop), numpy, or auto (numba when installed and "
         "the run compiles, else numpy; the same numbers either way).",
)


def announce_compiles():
    """Print the compiled engine's first compile of a program as one line on stderr (not a frozen terminal)."""
    import logging

    log = logging.getLogger("gdlab.compiled")
    if any(getattr(h, "_gdlab_cli", False) for h in log.handlers):
        return

    class _Line(logging.Handler):
        _gdlab_cli = True

        said = False

        def emit(self, record):
            if not self.said:  # one line per command, however many programs it compiles
                self.said = True
                click.echo(f"gdlab: {record.getMessage()}", err=True)

    log.addHandler(_Line(logging.INFO))
    log.setLevel(logging.INFO)
    log.propagate = False


def options(*decorators):
    def wrap(fn):
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return wrap


# ------------------------------------------------------------------------------------------------
# the function commands (minimize, race, sweep, tune, animate): the function, starts, checks, outputs
# ------------------------------------------------------------------------------------------------


def function_and_starts(target, starts):
    """The function of FUNCTION_OR_FORMULA and the start point(s), checked (bad input: exit 2)."""
    with checking():
        f = resolve_function(target)
        return f, start_points(f, starts)


def start_points(f, starts):
    """The start point(s) as an array (d,) or (n, d), checked against the function's dimension."""
    import numpy as np

    if not starts:
        start = getattr(f, "start", None)
        if start is None:
            raise BadInput("this function has no default start point: give --start")
        return np.asarray(start, dtype=float)
    dims = {len(s) for s in starts}
    if len(dims) > 1:
        raise BadInput("every --start must have the same number of coordinates")
    d = dims.pop()
    fdim = getattr(f, "dim", None)
    if fdim is not None and d != fdim:
        fname = getattr(f, "name", "the function") or "the function"
        raise BadInput(
            f"--start has {d} coordinate{'s' if d != 1 else ''} but {fname} takes {fdim} "
            f"(e.g. --start {','.join(['1'] * fdim)})"
        )
    arr = np.asarray(starts, dtype=float)
    return arr[0] if len(starts) == 1 else arr


def hyperparameters(lr, params):
    hp = dict(params)
    if lr is not None:
        hp["lr"] = lr
    return hp


def optimizer_specs(optimizers, default, *, lr=None, params=None, lr_allowed=True, what="race"):
    """The checked {label: {"optimizer": name, **hp}} of the ``-o`` entries (``default`` when none), with the
    shared ``-p`` hyperparameters under each entry's own and ``--lr`` where an entry gives none."""
    specs = optimizers or parse_optimizers(default)
    params = dict(params or {})
    if "lr" in params:
        raise BadInput("-p lr=...: give the learning rate with --lr, or per optimizer (-o adam:lr=0.1)")
    out = {}
    for label, spec in specs.items():
        spec = {**params, **spec}
        if lr is not None:
            spec.setdefault("lr", lr)
        if not lr_allowed and "lr" in spec:
            raise BadInput(f"{what} chooses the learning rates: remove lr from -o {label}")
        name = spec["optimizer"]
        check_hyperparameters(name, {k: v for k, v in spec.items() if k != "optimizer"})
        out[label] = spec
    return out


def check_drawable(f, animate, html, option_names=("--animate", "--html")):
    """Refuse, before any work, pictures that need a 1-D or 2-D function."""
    dim = getattr(f, "dim", None)
    for option, value in zip(option_names, (animate, html)):
        if value is not None and dim not in (1, 2):
            raise BadInput(f"{option} draws 1-D and 2-D functions; this one has {dim} dimensions")


def write_outputs(what, f, result, files, *, plot=None, animate=None, html=None, json_path=None, frames=60,
                  view="contour"):
    """Draw/write what was asked into the reserved temporary files of ``files`` (a FileSet)."""
    tmp = files.temporary
    if plot is not None or animate is not None or html is not None:
        from gdlab import viz
    dim = getattr(f, "dim", None)
    if plot is not None:
        if dim == 1:
            viz.path_1d(f, result, path=tmp(plot))
        elif dim == 2:
            viz.contour_and_surface(f, result, path=tmp(plot))
        else:
            viz.loss_curves(result, logy=True, path=tmp(plot))
    if animate is not None:
        with make_console(stderr=True).status(f"drawing {frames} frames ...", spinner="dots"):
            viz.animate(result, path=tmp(animate), frames=frames, view=view)
    if html is not None:
        viz.interactive(result, path=tmp(html))
    if json_path is not None:
        write_json(tmp(json_path), to_json(what, result))


def to_json(what, result):
    if hasattr(result, "to_dict"):
        return {"kind": what, **result.to_dict()}
    if isinstance(result, dict):
        return {"kind": what, "runs": {k: (v.to_dict() if hasattr(v, "to_dict") else v) for k, v in result.items()}}
    return {"kind": what, "result": result}


def distance_to_minimum(f, points):
    """Each point's distance to f's nearest known minimum (:func:`gdlab.runs.distance_to_minimum`), or None
    when f has no known minima."""
    import numpy as np

    from gdlab.runs import distance_to_minimum as distance

    minima = getattr(f, "minima", None)
    if minima is None or np.asarray(minima).size == 0:
        return None
    return np.atleast_1d(distance(np.asarray(points, dtype=float).reshape(-1, np.shape(minima)[-1]), minima))


def function_title(f):
    return getattr(f, "name", "") or "f"


# ------------------------------------------------------------------------------------------------
# the run store (--save, --store PATH, $GDLAB_STORE)
# ------------------------------------------------------------------------------------------------

store_option = click.option(
    "--store", "store_path", type=click.Path(dir_okay=False), default=None, metavar="PATH",
    help="The run store (an SQLite file). Default: $GDLAB_STORE, else ~/.gdlab/runs.db.",
)
save_option = click.option(
    "--save", "save_run", is_flag=True,
    help="Keep the run in the run store and print its id ('gdlab runs list' lists them); --store PATH implies it.",
)


def open_store(path=None):
    """The :class:`gdlab.store.Store` at ``path`` (None: $GDLAB_STORE or ~/.gdlab/runs.db); a file that is
    not a run store, is damaged or newer, or a folder that takes no file, is bad input (exit 2)."""
    from gdlab.store import Store, StoreError

    try:
        return Store(path)
    except StoreError as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise BadInput(f"cannot open the run store {str(path or '')!r}: {exc.strerror or exc}") from None


def store_for(save_run, store_path):
    """The store a command saves into (``--save`` or ``--store``), opened before any work; else None."""
    return open_store(store_path) if (save_run or store_path is not None) else None


def report_saved(store, run_id):
    """``saved run ID`` on stdout (for scripts), the store's path on stderr."""
    click.echo(f"saved run {run_id}")
    click.echo(f"run store: {store.path}", err=True)
