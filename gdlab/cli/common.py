"""What every ``gdlab`` command shares: parsing, output checks, formatting, options, error printing.

Parsers are pure functions raising :class:`BadInput` (a ValueError whose message follows
``gdlab: error:``), so they are easy to test. :class:`GdlabGroup` is the one place where errors
become a single line on stderr and an exit status: 2 for every bad input (a malformed option, an
unknown name, an unwritable path, and any ValueError/TypeError/OSError a layer raises while checking
its arguments), 130 for Ctrl-C; ``GDLAB_DEBUG=1`` shows tracebacks instead. Options used by several
commands are defined once here (``lr_option``, ``start_option``, ``plot_option``, ...), as are the
helpers the function commands (minimize, race, sweep) share: the start points and the outputs.
No maths here: every number comes from a library call.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# the file types each output option writes (the viz layer decides how)
PLOT_SUFFIXES = (".png", ".svg", ".pdf", ".jpg", ".jpeg")
ANIMATION_SUFFIXES = (".gif", ".mp4", ".html")
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json",)
MODEL_SUFFIXES = (".npz",)


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


_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan"


def parse_number(text, what="value"):
    """A float from the command line (``1e-3``, ``-2``, ``.5``); ``BadInput`` otherwise."""
    s = str(text).strip()
    if not re.fullmatch(_NUMBER, s, flags=re.IGNORECASE):
        raise BadInput(f"{what}: {text!r} is not a number")
    value = float(s)
    if value != value or value in (float("inf"), float("-inf")):
        raise BadInput(f"{what}: {text!r} is not a finite number")
    return value


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
                f"malformed {option} {text!r}: {item!r} is not a number (expected e.g. -1.5,2)"
            ) from None
    return values


def parse_value(text):
    """A hyperparameter value: a number, true/false/none, a tuple ``0.9/0.999``, or a word."""
    s = str(text).strip()
    low = s.lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    if low in ("none", "null"):
        return None
    if "/" in s or ";" in s:
        return tuple(parse_value(part) for part in re.split(r"[/;]", s))
    if re.fullmatch(r"[-+]?\d+", s):
        return int(s)
    if re.fullmatch(_NUMBER, s, flags=re.IGNORECASE):
        return parse_number(s)
    if not s:
        raise BadInput("empty hyperparameter value")
    return s


def parse_params(pairs, option="--param"):
    """``["momentum=0.9", "nesterov=true"]`` -> {"momentum": 0.9, "nesterov": True}."""
    params = {}
    for pair in pairs:
        key, sep, value = str(pair).partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", key) or not value.strip():
            raise BadInput(f"malformed {option} {pair!r}: expected KEY=VALUE, e.g. momentum=0.9")
        params[key] = parse_value(value)
    return params


def parse_optimizers(spec):
    """``"sgd:lr=0.01,momentum:lr=0.01:momentum=0.9,adam:lr=0.1"`` -> {label: {"optimizer": name, ...}}.

    Entries are separated by commas, hyperparameters by colons. A label is the optimizer's name;
    when an optimizer comes twice its labels carry the hyperparameters (``"sgd lr=0.1"``).
    Tuples use ``/``: ``adam:betas=0.9/0.99``.
    """
    text = str(spec).strip()
    if not text:
        raise BadInput("--optimizers is empty: expected e.g. \"sgd:lr=0.01,adam:lr=0.1\"")
    entries = []
    for chunk in text.split(","):
        chunk = chunk.strip()
        if not chunk:
            raise BadInput(f"malformed --optimizers {spec!r}: an empty entry (two commas in a row?)")
        name, *hps = [part.strip() for part in chunk.split(":")]
        if not re.fullmatch(r"[A-Za-z_][\w\-]*", name):
            raise BadInput(f"malformed --optimizers entry {chunk!r}: expected NAME[:KEY=VALUE...], e.g. adam:lr=0.1")
        params = parse_params(hps, option=f"hyperparameter in {chunk!r}")
        entries.append((name.lower(), params, chunk))
    counts = {}
    for name, _, _ in entries:
        counts[name] = counts.get(name, 0) + 1
    result = {}
    for name, params, chunk in entries:
        label = name
        if counts[name] > 1:
            label = " ".join([name] + [f"{k}={v}" for k, v in params.items()]) or name
        if label in result:
            raise BadInput(f"--optimizers lists {chunk!r} twice")
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


_VARIABLE = re.compile(r"[a-z]|x\d+")


def resolve_function(text):
    """A catalog function by name (``NAME`` or ``NAME:key=value``) or a parsed formula.

    A bare identifier that is not a variable name (x, y, z, x0..) is taken as a catalog name, so a
    typo gets the catalog's "did you mean" message rather than a parse error.
    """
    import gdlab
    from gdlab import functions as catalog

    s = str(text).strip()
    if not s:
        raise BadInput("empty FUNCTION_OR_FORMULA: give a catalog name (see 'gdlab functions') or a formula")
    name, sep, rest = s.partition(":")
    looks_like_name = re.fullmatch(r"[A-Za-z_][\w\-]*", name.strip()) and not _VARIABLE.fullmatch(name.strip())
    if looks_like_name and sep:
        return catalog.get(name.strip(), **parse_params(rest.split(":"), option=f"function parameter in {s!r}"))
    if looks_like_name:
        return catalog.get(name.strip())
    return gdlab.expr(s)


def check_optimizer(name):
    """The optimizer's registry name; ValueError with the close matches for an unknown one."""
    from gdlab.optim import get_rule

    return get_rule(str(name).strip()).name


def check_output(path, suffixes, option):
    """Refuse, before any work, an output path whose type or directory is wrong."""
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


# ------------------------------------------------------------------------------------------------
# printing helpers
# ------------------------------------------------------------------------------------------------


def make_console(stderr=False):
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        console = Console(stderr=stderr, highlight=False, width=max(console.width, 120))
    return console


def fmt_float(value, digits=6):
    """A compact float: 6 significant digits, scientific where small or large."""
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
    if 1e-4 <= abs(v) < 1e6:
        return f"{v:.{digits}g}"
    return f"{v:.{max(digits - 3, 1)}e}"


def fmt_point(values, digits=6):
    import numpy as np

    arr = np.asarray(values, dtype=float).reshape(-1)
    return "(" + ", ".join(fmt_float(v, digits) for v in arr) + ")" if arr.size > 1 else fmt_float(arr[0], digits)


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

    def show(v):
        if isinstance(v, float):
            return fmt_float(v)
        if isinstance(v, tuple):
            return "/".join(show(x) for x in v)
        return str(v)

    shown = [f"{k}={show(v)}" for k, v in params.items() if differs(k, v)]
    return ", ".join(shown) or "defaults"


def status_style(status):
    return {"converged": "green", "diverged": "red", "max_steps": "yellow"}.get(str(status), "")


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


def progress_bar(transient=True):
    """A rich progress bar on stderr (stdout stays clean for the results); none when stderr is not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = make_console(stderr=True)
    if transient and not console.is_terminal:
        return _NoProgress()
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[info]}"),
        console=console,
        transient=transient,
    )


def jsonable(obj):
    """Plain JSON values: arrays as lists, NaN and infinities as null (strict JSON has neither)."""
    import math

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


# ------------------------------------------------------------------------------------------------
# errors and the click group
# ------------------------------------------------------------------------------------------------


def error_line(message):
    click.echo(f"gdlab: error: {one_line(message)}", err=True)


class GdlabGroup(click.Group):
    """A click group that turns every bad input into one line and exit 2, and Ctrl-C into exit 130."""

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
        except (ValueError, TypeError, OSError) as exc:
            if debug_mode():
                raise
            error_line(exc)
            code = EXIT_USAGE
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


lr_option = click.option(
    "--lr", type=click.FloatRange(min=0, min_open=True), default=None,
    help="Learning rate (> 0). Default: the optimizer's default.",
)
steps_option = click.option(
    "--steps", type=click.IntRange(min=1, max=1_000_000), default=None,
    help="Number of update steps (minimize: 500, race: 300, sweep: 200 by default).",
)
start_option = click.option(
    "--start", multiple=True, metavar="X[,Y...]", callback=converter(_starts_callback),
    help="Start point, comma-separated (e.g. -1.5,2). Repeat for several starts. Default: the function's.",
)
noise_option = click.option(
    "--noise", type=click.FloatRange(min=0), default=None,
    help="Standard deviation of Gaussian noise added to every gradient (>= 0).",
)
seed_option = click.option("--seed", type=int, default=None, help="Random seed (noise, data, initialisation).")
tol_option = click.option(
    "--tol", type=click.FloatRange(min=0, min_open=True), default=None,
    help="Stop a run as converged when its gradient norm falls under TOL.",
)
plot_option = click.option(
    "--plot", type=click.Path(dir_okay=False), callback=output_callback(PLOT_SUFFIXES),
    help="Write a figure (.png, .svg or .pdf).",
)
animate_option = click.option(
    "--animate", type=click.Path(dir_okay=False), callback=output_callback(ANIMATION_SUFFIXES),
    help="Write an animation (.gif; .mp4 needs ffmpeg; .html is a player).",
)
frames_option = click.option(
    "--frames", type=click.IntRange(min=2, max=2000), default=60, show_default=True,
    help="Frames of the animation (long runs are subsampled, the last step kept).",
)
html_option = click.option(
    "--html", type=click.Path(dir_okay=False), callback=output_callback(HTML_SUFFIXES),
    help="Write an interactive HTML report (self-contained, works offline).",
)
json_option = click.option(
    "--json", "json_path", type=click.Path(dir_okay=False), callback=output_callback(JSON_SUFFIXES),
    help="Write the full results as JSON.",
)


def options(*decorators):
    def wrap(fn):
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return wrap


# ------------------------------------------------------------------------------------------------
# the function commands (minimize, race, sweep): start points, checks, outputs
# ------------------------------------------------------------------------------------------------


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


def check_drawable(f, animate, html):
    """Refuse, before any work, pictures that need a 1-D or 2-D function."""
    dim = getattr(f, "dim", None)
    for option, value in (("--animate", animate), ("--html", html)):
        if value is not None and dim not in (1, 2):
            raise BadInput(f"{option} draws 1-D and 2-D functions; this one has {dim} dimensions")


def write_outputs(what, f, result, *, plot=None, animate=None, html=None, json_path=None, frames=60):
    """Draw/write what was asked, one file at a time; each written path is reported on stderr."""
    written = []
    if plot is not None or animate is not None or html is not None:
        from gdlab import viz
    dim = getattr(f, "dim", None)
    if plot is not None:
        if dim == 1:
            viz.path_1d(f, result, path=plot)
        elif dim == 2:
            viz.contour_and_surface(f, result, path=plot)
        else:
            viz.loss_curves(result, logy=True, path=plot)
        written.append(plot)
    if animate is not None:
        with make_console(stderr=True).status(f"drawing {frames} frames ...", spinner="dots"):
            viz.animate(result, path=animate, frames=frames)
        written.append(animate)
    if html is not None:
        viz.interactive(result, path=html)
        written.append(html)
    if json_path is not None:
        write_json(json_path, to_json(what, result))
        written.append(json_path)
    for path in written:
        click.echo(f"wrote {path}", err=True)
    return written


def to_json(what, result):
    if hasattr(result, "to_dict"):
        return {"kind": what, **result.to_dict()}
    if isinstance(result, dict):
        return {"kind": what, "runs": {k: (v.to_dict() if hasattr(v, "to_dict") else v) for k, v in result.items()}}
    return {"kind": what, "result": result}


def distance_to_minimum(f, points):
    import numpy as np

    minima = getattr(f, "minima", None)
    if minima is None or np.asarray(minima).size == 0:
        return None
    minima = np.asarray(minima, dtype=float).reshape(len(minima), -1)
    pts = np.asarray(points, dtype=float).reshape(-1, minima.shape[1])
    return np.min(np.linalg.norm(pts[:, None, :] - minima[None, :, :], axis=-1), axis=1)
