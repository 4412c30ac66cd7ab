"""The ``gdlab`` command line: parses, calls the layers, prints. No maths here.

Commands (``gdlab COMMAND --help`` shows each with examples)::

    gdlab functions [NAME]             the catalog, or one function (formula, minima, bounds)
    gdlab minimize TARGET [options]    one optimizer from one or more starts
    gdlab race TARGET --optimizers ..  several optimizers from the same start(s), optionally tuned
    gdlab sweep TARGET --lrs 1e-4:1:20 final loss against learning rate
    gdlab train --dataset moons ...    a small network trained Keras-style, with a progress bar
    gdlab demo [--out DIR]             the gallery: every seed experiment and the showcases

``TARGET`` is a catalog name (``gdlab functions`` lists them) or a formula in x, y, z (or x0..xn),
e.g. ``"x**2 - y**2"``.

Errors: every bad input (an unknown name, a formula that does not parse, a malformed option, an
unwritable output path, and any ValueError/TypeError raised by the layers while checking their
arguments) ends the command with ONE line on stderr starting ``gdlab: error:`` and exit status 2.
Ctrl-C ends it with ``gdlab: interrupted`` and exit status 130. ``GDLAB_DEBUG=1`` shows tracebacks.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

try:
    import click
except ImportError:  # pragma: no cover - exercised only without the cli extra
    click = None

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# the file types each output option writes (the viz layer decides how)
PLOT_SUFFIXES = (".png", ".svg", ".pdf", ".jpg", ".jpeg")
ANIMATION_SUFFIXES = (".gif", ".mp4", ".html")
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json",)
MODEL_SUFFIXES = (".npz",)


def _missing_click():
    sys.stderr.write("gdlab: the command line needs click and rich: pip install 'gdlab[cli]'\n")
    return EXIT_USAGE


def _one_line(text) -> str:
    """A message squeezed onto one line (layers' messages may span several).

    A caret diagram (the input on one line, ``^`` under the bad position on the next) is dropped:
    the position is in the message's first line.
    """
    lines = [line for line in str(text).splitlines() if line.strip()]
    if any(set(line.strip()) <= set("^~") for line in lines):
        lines = lines[:1]
    text = " ".join(" ".join(lines).split())
    return text or "invalid input"


def _debug() -> bool:
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


def _console(stderr=False):
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


def _status_style(status):
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


def _progress(transient=True):
    """A rich progress bar on stderr (stdout stays clean for the results); none when stderr is not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = _console(stderr=True)
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


def _jsonable(obj):
    """Plain JSON values: arrays as lists, NaN and infinities as null (strict JSON has neither)."""
    import math

    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def _write_json(path, payload):
    """Write ``payload`` as strict JSON (NaN and infinities become null)."""
    text = json.dumps(_jsonable(payload), indent=1, allow_nan=False, ensure_ascii=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# the click application
# ------------------------------------------------------------------------------------------------

if click is not None:

    def _error_line(message):
        click.echo(f"gdlab: error: {_one_line(message)}", err=True)

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
                _error_line(exc.format_message() + hint)
                code = EXIT_USAGE
            except click.ClickException as exc:
                _error_line(exc.format_message())
                code = EXIT_USAGE
            except (ValueError, TypeError, OSError) as exc:
                if _debug():
                    raise
                _error_line(exc)
                code = EXIT_USAGE
            if standalone_mode:
                sys.exit(code)
            return code

    CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

    def _catch(fn):
        """Parse errors raised while converting options become usage errors of the right option."""

        def callback(ctx, param, value):
            try:
                return fn(value, param)
            except BadInput as exc:
                raise click.UsageError(str(exc), ctx=ctx) from None

        return callback

    def _starts_callback(value, param):
        return [parse_point(v, "--start") for v in value] if value else None

    def _output_callback(suffixes):
        return _catch(lambda value, param: check_output(value, suffixes, "--" + param.name.replace("_", "-")))

    _lr_option = click.option(
        "--lr", type=click.FloatRange(min=0, min_open=True), default=None,
        help="Learning rate (> 0). Default: the optimizer's default.",
    )
    _steps_option = click.option(
        "--steps", type=click.IntRange(min=1, max=1_000_000), default=None,
        help="Number of update steps (minimize: 500, race: 300, sweep: 200 by default).",
    )
    _start_option = click.option(
        "--start", multiple=True, metavar="X[,Y...]", callback=_catch(_starts_callback),
        help="Start point, comma-separated (e.g. -1.5,2). Repeat for several starts. Default: the function's.",
    )
    _noise_option = click.option(
        "--noise", type=click.FloatRange(min=0), default=None,
        help="Standard deviation of Gaussian noise added to every gradient (>= 0).",
    )
    _seed_option = click.option("--seed", type=int, default=None, help="Random seed (noise, data, initialisation).")
    _tol_option = click.option(
        "--tol", type=click.FloatRange(min=0, min_open=True), default=None,
        help="Stop a run as converged when its gradient norm falls under TOL.",
    )
    _plot_option = click.option(
        "--plot", type=click.Path(dir_okay=False), callback=_output_callback(PLOT_SUFFIXES),
        help="Write a figure (.png, .svg or .pdf).",
    )
    _animate_option = click.option(
        "--animate", type=click.Path(dir_okay=False), callback=_output_callback(ANIMATION_SUFFIXES),
        help="Write an animation (.gif; .mp4 needs ffmpeg; .html is a player).",
    )
    _frames_option = click.option(
        "--frames", type=click.IntRange(min=2, max=2000), default=60, show_default=True,
        help="Frames of the animation (long runs are subsampled, the last step kept).",
    )
    _html_option = click.option(
        "--html", type=click.Path(dir_okay=False), callback=_output_callback(HTML_SUFFIXES),
        help="Write an interactive HTML report (self-contained, works offline).",
    )
    _json_option = click.option(
        "--json", "json_path", type=click.Path(dir_okay=False), callback=_output_callback(JSON_SUFFIXES),
        help="Write the full results as JSON.",
    )

    def _options(*decorators):
        def wrap(fn):
            for decorator in reversed(decorators):
                fn = decorator(fn)
            return fn

        return wrap

    @click.group(cls=GdlabGroup, context_settings=CONTEXT)
    @click.version_option(package_name="gdlab", message="gdlab %(version)s")
    def app():
        """gdlab, the Gradient Descent Lab: gradient descent from first principles, made visible.

        \b
        Examples:
          gdlab functions
          gdlab minimize rosenbrock --optimizer adam --lr 0.01 --steps 500 --start -1.5,2 --plot path.png
          gdlab race himmelblau --optimizers "sgd:lr=0.01,momentum:lr=0.01:momentum=0.9,adam:lr=0.1"
          gdlab sweep "x**2 + 10*y**2" --optimizer gd --lrs 1e-4:1:20 --plot sweep.png
          gdlab train --dataset moons --model 2-16-16-2 --epochs 200 --plot moons.png
          gdlab demo --out gallery
        """

    # -------------------------------------------------------------------------------- functions

    @app.command("functions", context_settings=CONTEXT)
    @click.argument("name", required=False)
    def functions_cmd(name):
        """List the catalog of objective functions, or show one (NAME, or a formula).

        \b
        Examples:
          gdlab functions
          gdlab functions rosenbrock
          gdlab functions "x**2 - y**2"
        """
        from gdlab import functions as catalog

        console = _console()
        if name is None:
            from rich.table import Table

            console.print(f"[bold]gdlab functions[/]: {len(catalog.names())} in the catalog")
            table = Table()
            for column in ("name", "dim", "formula", "minima"):
                table.add_column(column, overflow="fold")
            for fname in catalog.names():
                f = catalog.get(fname)
                table.add_row(fname, _dim_text(f), str(getattr(f, "formula", "")), _minima_text(f))
            console.print(table)
            console.print("Any formula in x, y, z (or x0..xn) works too, e.g. gdlab minimize \"x**2 - y**2\".")
            return
        f = resolve_function(name)
        _print_function(console, f)

    def _dim_text(f):
        dim = getattr(f, "dim", None)
        return "n" if dim is None else str(dim)

    def _minima_text(f, limit=3):
        import numpy as np

        minima = getattr(f, "minima", None)
        if minima is None:
            return "-"
        minima = np.asarray(minima, dtype=float)
        if minima.size == 0:
            return "none"
        minima = minima.reshape(len(minima), -1)
        text = ", ".join(fmt_point(m, 4) for m in minima[:limit])
        return text + (f" (+{len(minima) - limit} more)" if len(minima) > limit else "")

    def _print_function(console, f):
        import numpy as np

        rows = [("name", str(getattr(f, "name", "")))]
        rows.append(("formula", str(getattr(f, "formula", ""))))
        if getattr(f, "latex", None):
            rows.append(("latex", str(f.latex)))
        rows.append(("dimension", _dim_text(f)))
        minima = getattr(f, "minima", None)
        if minima is not None and np.asarray(minima).size:
            values = [fmt_float(v) for v in np.atleast_1d(f(np.asarray(minima, dtype=float)))]
            rows.append(("minima", _minima_text(f, limit=8)))
            rows.append(("f at minima", ", ".join(values[:8])))
        else:
            rows.append(("minima", "none"))
        saddles = getattr(f, "saddles", None)
        if saddles is not None and np.asarray(saddles).size:
            rows.append(("saddles", ", ".join(fmt_point(s, 4) for s in np.asarray(saddles).reshape(len(saddles), -1))))
        bounds = getattr(f, "bounds", None)
        if bounds is not None:
            b = np.asarray(bounds, dtype=float).reshape(-1, 2)
            rows.append(("bounds", " x ".join(f"[{fmt_float(lo, 4)}, {fmt_float(hi, 4)}]" for lo, hi in b)))
        start = getattr(f, "start", None)
        if start is not None:
            rows.append(("default start", fmt_point(start)))
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            console.print(f"[bold]{key.ljust(width)}[/bold]  {value}", soft_wrap=True)

    # -------------------------------------------------------------------------------- minimize

    def _x0(f, starts):
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

    def _hyper(lr, params):
        hp = dict(params)
        if lr is not None:
            hp["lr"] = lr
        return hp

    def _check_drawable(f, animate, html):
        """Refuse, before any work, pictures that need a 1-D or 2-D function."""
        dim = getattr(f, "dim", None)
        for option, value in (("--animate", animate), ("--html", html)):
            if value is not None and dim not in (1, 2):
                raise BadInput(f"{option} draws 1-D and 2-D functions; this one has {dim} dimensions")

    def _write_outputs(what, f, result, *, plot=None, animate=None, html=None, json_path=None, frames=60):
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
            with _console(stderr=True).status(f"drawing {frames} frames ...", spinner="dots"):
                viz.animate(result, path=animate, frames=frames)
            written.append(animate)
        if html is not None:
            viz.interactive(result, path=html)
            written.append(html)
        if json_path is not None:
            _write_json(json_path, _to_json(what, result))
            written.append(json_path)
        for path in written:
            click.echo(f"wrote {path}", err=True)
        return written

    def _to_json(what, result):
        if hasattr(result, "to_dict"):
            return {"kind": what, **result.to_dict()}
        if isinstance(result, dict):
            return {"kind": what, "runs": {k: (v.to_dict() if hasattr(v, "to_dict") else v) for k, v in result.items()}}
        return {"kind": what, "result": result}

    @app.command("minimize", context_settings=CONTEXT)
    @click.argument("target", metavar="FUNCTION_OR_FORMULA")
    @click.option("--optimizer", "-o", default="gd", show_default=True, help="Optimizer name (gd, sgd, momentum, adam, ...).")
    @_options(_lr_option, _steps_option, _start_option, _noise_option, _seed_option, _tol_option)
    @click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
                  callback=_catch(lambda v, p: parse_params(v)),
                  help="Another hyperparameter, e.g. -p momentum=0.9 -p nesterov=true (repeatable).")
    @_options(_plot_option, _animate_option, _frames_option, _html_option, _json_option)
    def minimize_cmd(target, optimizer, lr, steps, start, noise, seed, tol, params, plot, animate, frames, html, json_path):
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
        x0 = _x0(f, start)
        _check_drawable(f, animate, html)
        check_optimizer(optimizer)
        steps = 500 if steps is None else steps
        hp = _hyper(lr, params)
        with _console(stderr=True).status(f"running {optimizer} for {steps} steps ...", spinner="dots"):
            traj = gdlab.minimize(f, x0, optimizer=optimizer, steps=steps, tol=tol, noise=noise, seed=seed, **hp)
        _print_trajectory_summary(_console(), f, traj)
        _write_outputs("minimize", f, traj, plot=plot, animate=animate, html=html, json_path=json_path, frames=frames)

    def _distance_to_minimum(f, points):
        import numpy as np

        minima = getattr(f, "minima", None)
        if minima is None or np.asarray(minima).size == 0:
            return None
        minima = np.asarray(minima, dtype=float).reshape(len(minima), -1)
        pts = np.asarray(points, dtype=float).reshape(-1, minima.shape[1])
        return np.min(np.linalg.norm(pts[:, None, :] - minima[None, :, :], axis=-1), axis=1)

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
        dist = _distance_to_minimum(f, finals)
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
                   f"[{_status_style(status)}]{status}[/]" if _status_style(status) else status, str(int(stopped[i]))]
            if dist is not None:
                row.append(fmt_float(dist[i]))
            table.add_row(*row)
        console.print(table)

    # -------------------------------------------------------------------------------- race

    @app.command("race", context_settings=CONTEXT)
    @click.argument("target", metavar="FUNCTION_OR_FORMULA")
    @click.option("--optimizers", default="gd:lr=0.001,momentum:lr=0.001:momentum=0.9,rmsprop:lr=0.01,adam:lr=0.05",
                  show_default=True, metavar="SPEC",
                  callback=_catch(lambda v, p: parse_optimizers(v)),
                  help="Comma-separated NAME[:KEY=VALUE...] entries.")
    @click.option("--tune", is_flag=True, help="Tune each optimizer's learning rate first (same budget for each).")
    @_options(_steps_option, _start_option, _noise_option, _seed_option, _tol_option)
    @_options(_plot_option, _animate_option, _frames_option, _html_option, _json_option)
    def race_cmd(target, optimizers, tune, steps, start, noise, seed, tol, plot, animate, frames, html, json_path):
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
        x0 = _x0(f, start)
        _check_drawable(f, animate, html)
        for spec in optimizers.values():
            check_optimizer(spec["optimizer"])
        steps = 300 if steps is None else steps
        tuned = {}
        if tune:
            tuned = _tune_all(f, x0, optimizers, steps, noise=noise, seed=seed)
            for label, lr in tuned.items():
                optimizers[label] = {**optimizers[label], "lr": lr}
        with _console(stderr=True).status(f"racing {len(optimizers)} optimizers for {steps} steps ...", spinner="dots"):
            runs = gdlab.race(f, x0, optimizers=optimizers, steps=steps, tol=tol, noise=noise, seed=seed)
        _print_race_table(_console(), f, runs, tuned)
        _write_outputs("race", f, runs, plot=plot, animate=animate, html=html, json_path=json_path, frames=frames)

    def _tune_all(f, x0, optimizers, steps, noise=None, seed=None):
        """The tuned learning rate for every entry (gdlab.tune, one optimizer at a time for the progress bar)."""
        import gdlab

        tuned = {}
        with _progress() as progress:
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
                       f"[{_status_style(status)}]{status}[/]", str(int(stopped[0]))]
                if dist_any:
                    row.append(fmt_float(_distance_to_minimum(f, finals)[0]))
            else:
                counts = ", ".join(f"{np.sum(statuses == s)} {s}" for s in np.unique(statuses))
                row = [label, hp_text, f"median {fmt_float(np.median(losses))}", f"{n} starts", counts,
                       f"median {int(np.median(stopped))}"]
                if dist_any:
                    row.append(f"median {fmt_float(np.median(_distance_to_minimum(f, finals)))}")
            table.add_row(*row)
        console.print(table)

    def _race_key(traj):
        import numpy as np

        losses = np.atleast_1d(np.asarray(traj.final_loss, dtype=float))
        statuses = np.atleast_1d(np.asarray(traj.status)).astype(str)
        value = float(np.median(np.where(np.isfinite(losses), losses, np.inf)))
        return (float(np.mean(statuses == "diverged")), value)

    # -------------------------------------------------------------------------------- sweep

    @app.command("sweep", context_settings=CONTEXT)
    @click.argument("target", metavar="FUNCTION_OR_FORMULA")
    @click.option("--optimizer", "-o", "optimizer_names", default="gd", show_default=True,
                  help="Optimizer name; a comma list sweeps several (e.g. gd,momentum,adam).")
    @click.option("--lrs", default="1e-4:1:20", show_default=True, metavar="LO:HI:COUNT|LIST",
                  callback=_catch(lambda v, p: parse_lrs(v)),
                  help="Log-spaced LO:HI:COUNT, or a comma list of learning rates.")
    @_options(_steps_option, _start_option, _noise_option, _seed_option)
    @click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
                  callback=_catch(lambda v, p: parse_params(v)),
                  help="Another hyperparameter for every optimizer, e.g. -p momentum=0.9.")
    @_options(_plot_option, _json_option)
    def sweep_cmd(target, optimizer_names, lrs, steps, start, noise, seed, params, plot, json_path):
        """Final loss against learning rate on FUNCTION_OR_FORMULA: a table and a plot.

        \b
        Examples:
          gdlab sweep rosenbrock --optimizer adam --lrs 1e-4:1:20 --plot sweep.png
          gdlab sweep "x**2 + 10*y**2" --optimizer gd,momentum --lrs 0.001,0.01,0.05,0.1,0.2
          gdlab sweep sphere --lrs 1e-3:3:13 --steps 100 --json sweep.json
        """
        import gdlab

        f = resolve_function(target)
        x0 = _x0(f, start)
        steps = 200 if steps is None else steps
        names = [n.strip() for n in optimizer_names.split(",") if n.strip()]
        if not names:
            raise BadInput("--optimizer is empty")
        for name in names:
            check_optimizer(name)
        results = {}
        with _progress() as progress:
            task = progress.add_task("sweeping", total=len(names), info="")
            for name in names:
                progress.update(task, info=name)
                results[name] = gdlab.lr_sweep(f, x0, name, lrs, steps=steps, noise=noise, seed=seed, **params)
                progress.advance(task)
        _print_sweep_table(_console(), f, results, steps)
        if plot is not None:
            from gdlab import viz

            viz.lr_sweep(results, path=plot)
            click.echo(f"wrote {plot}", err=True)
        if json_path is not None:
            _write_json(json_path, {"kind": "sweep", "steps": steps,
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

    # -------------------------------------------------------------------------------- train

    @app.command("train", context_settings=CONTEXT)
    @click.option("--dataset", "-d", default="moons", show_default=True,
                  help="Data set name (moons, circles, spirals, xor, blobs, digits, sine, ...).")
    @click.option("--data", "data_args", multiple=True, metavar="KEY=VALUE",
                  callback=_catch(lambda v, p: parse_params(v, option="--data")),
                  help="Argument of the data set, e.g. --data n_samples=500 --data noise=0.2.")
    @click.option("--model", "-m", "model_spec", default=None, metavar="SIZES",
                  callback=_catch(lambda v, p: None if v is None else parse_model(v)),
                  help="Layer sizes input-hidden...-output, e.g. 2-16-16-2. Default: input-16-16-output.")
    @click.option("--activation", "-a", default="relu", show_default=True, help="relu, tanh, sigmoid, leaky_relu, ...")
    @click.option("--optimizer", "-o", default="adam", show_default=True)
    @click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=0.01, show_default=True,
                  help="Learning rate (> 0).")
    @click.option("--epochs", "-e", type=click.IntRange(min=1), default=200, show_default=True)
    @click.option("--batch-size", "-b", type=click.IntRange(min=1), default=32, show_default=True,
                  help="Samples per update (1 = SGD). Use --full-batch for gradient descent.")
    @click.option("--full-batch", is_flag=True, help="One update per epoch on the whole training set.")
    @click.option("--test-size", type=click.FloatRange(min=0, max=0.9), default=0.2, show_default=True,
                  help="Fraction held out to report test metrics (0: none).")
    @click.option("--standardize/--no-standardize", default=True, show_default=True,
                  help="Standardise the features (fitted on the training set).")
    @_seed_option
    @click.option("--plot", type=click.Path(dir_okay=False), callback=_output_callback(PLOT_SUFFIXES),
                  help="Write the model's figure: decision regions (2-D classes), the fit (1-D regression), "
                       "predicted images (digits), or the training curves.")
    @click.option("--curves", type=click.Path(dir_okay=False), callback=_output_callback(PLOT_SUFFIXES),
                  help="Write the loss and metrics per epoch, train and test.")
    @_html_option
    @click.option("--save", type=click.Path(dir_okay=False), callback=_output_callback(MODEL_SUFFIXES),
                  help="Save the trained model (.npz).")
    @_json_option
    def train_cmd(dataset, data_args, model_spec, activation, optimizer, lr, epochs, batch_size, full_batch,
                  test_size, standardize, seed, plot, curves, html, save, json_path):
        """Train a small network on a data set, with a progress bar; print the metrics.

        Classification data get softmax cross-entropy and accuracy; regression data get the mean
        squared error and R^2. The model is a stack of Linear layers with the activation between them.

        \b
        Examples:
          gdlab train --dataset moons --model 2-16-16-2 --activation relu --optimizer adam --lr 0.01 --epochs 200 --batch-size 32
          gdlab train --dataset digits --model 64-64-10 --optimizer sgd --lr 0.1 --epochs 20 --plot digits.png
          gdlab train --dataset sine --model 1-32-32-1 --activation tanh --epochs 300 --plot fit.png --html report.html
          gdlab train --dataset spirals --data noise=0.1 --model 2-64-64-3 --epochs 300 --save spirals.npz
          gdlab train --dataset circles --epochs 50 --plot regions.png --curves curves.png --json history.json
        """
        import numpy as np

        from gdlab import datasets, nn

        kwargs = dict(data_args)
        if seed is not None and "seed" in _loader_params(dataset) and "seed" not in kwargs:
            kwargs["seed"] = seed
        ds = datasets.get(dataset, **kwargs)
        x, y = ds.x, ds.y
        if x.ndim != 2:
            x = x.reshape(len(x), -1)
        classification = ds.task == "classification"
        n_features = x.shape[1]
        n_out = int(y.max()) + 1 if classification else 1
        sizes = model_spec or [n_features, 16, 16, n_out]
        if sizes[0] != n_features:
            raise BadInput(f"--model {'-'.join(map(str, sizes))}: the input size must be {n_features}, "
                           f"the number of features of {dataset!r}")
        if classification and sizes[-1] != n_out and not (n_out == 2 and sizes[-1] == 1):
            raise BadInput(f"--model {'-'.join(map(str, sizes))}: the output size must be {n_out}, "
                           f"the number of classes of {dataset!r}")
        if not classification and sizes[-1] != 1:
            raise BadInput(f"--model {'-'.join(map(str, sizes))}: {dataset!r} is a regression data set; "
                           f"the output size must be 1")
        if test_size > 0:
            x_train, x_test, y_train, y_test = datasets.train_test_split(x, y, test_size=test_size, seed=seed)
        else:
            x_train, y_train, x_test, y_test = x, y, None, None
        raw_test = (x_test, y_test)
        scaler = None
        if standardize:
            scaler = datasets.Standardizer().fit(x_train)
            x_train = scaler.transform(x_train)
            x_test = scaler.transform(x_test) if x_test is not None else None
        model = nn.mlp(sizes, activation=activation, seed=seed)
        if classification:
            loss = "binary_crossentropy_from_logits" if sizes[-1] == 1 else "sparse_categorical_crossentropy_from_logits"
            metrics = ["accuracy"]
        else:
            loss, metrics = "mse", ["r2"]
        opt_name = "sgd" if optimizer.strip().lower() == "gd" else optimizer
        model.compile(optimizer=opt_name, loss=loss, metrics=metrics, lr=lr)

        def target(values):
            return values if classification and sizes[-1] > 1 else values.reshape(-1, 1)

        fit_y = target(y_train)
        val = (x_test, target(y_test)) if x_test is not None else None
        with _progress(transient=False) as progress:
            task = progress.add_task(f"training {dataset}", total=epochs, info="")
            history = model.fit(x_train, fit_y, epochs=epochs, batch_size=None if full_batch else batch_size,
                                validation_data=val, seed=seed, verbose=0,
                                callbacks=[_progress_callback(progress, task)])
        console = _console()
        _print_train_table(console, dataset, sizes, activation, optimizer, lr, history, model, x_train, fit_y, val)
        written = []

        def predictor(points):  # the trained model on raw (unstandardised) inputs
            points = np.asarray(points, dtype=float)
            return model.predict(scaler.transform(points) if scaler is not None else points)

        if plot is not None:
            from gdlab import viz

            if classification and n_features == 2:
                viz.decision_regions(predictor, x, y, path=plot, title=f"{dataset}: decision regions")
            elif not classification and n_features == 1:
                viz.fit_curve(x, y, predictor, path=plot, title=f"{dataset}: data and fit")
            elif classification and int(round(np.sqrt(n_features))) ** 2 == n_features:
                shown_x, shown_y = raw_test if raw_test[0] is not None else (x, y)
                viz.digits(shown_x[:50], shown_y[:50], predictor(shown_x[:50]), errors_first=True, path=plot)
            else:
                viz.history_curves(history, path=plot, title=dataset)
            written.append(plot)
        if curves is not None:
            from gdlab import viz

            viz.history_curves(history, path=curves, title=f"{dataset}: training")
            written.append(curves)
        if html is not None:
            from gdlab import viz

            if n_features <= 2:
                viz.interactive_training(history, model=predictor, x=x, y=y, path=html, title=f"{dataset}: training")
            else:
                viz.interactive_training(history, path=html, title=f"{dataset}: training")
            written.append(html)
        if save is not None:
            model.save(save)
            written.append(save)
        if json_path is not None:
            _write_json(json_path, {"kind": "train", "dataset": dataset, "model": sizes, "activation": activation,
                                    "optimizer": optimizer, "lr": lr, "epochs": epochs,
                                    "history": {k: list(map(float, v)) for k, v in history.history.items()}})
            written.append(json_path)
        for path in written:
            click.echo(f"wrote {path}", err=True)

    def _loader_params(dataset):
        import inspect

        from gdlab.datasets import registry

        try:
            return set(inspect.signature(registry._lookup(dataset)).parameters)
        except (ValueError, TypeError):
            return set()

    def _print_train_table(console, dataset, sizes, activation, optimizer, lr, history, model, x, y, val):
        from rich.table import Table

        console.print(f"[bold]{dataset}[/]: {'-'.join(map(str, sizes))} {activation}, {optimizer} lr={fmt_float(lr)}, "
                      f"{len(history.history.get('loss', []))} epochs, {len(x)} training samples")
        table = Table()
        table.add_column("metric")
        table.add_column("train", justify="right")
        if val is not None:
            table.add_column("test", justify="right")
        train_metrics = model.evaluate(x, y)
        test_metrics = model.evaluate(*val) if val is not None else {}
        for key, value in train_metrics.items():
            row = [key, fmt_float(value, 4)]
            if val is not None:
                row.append(fmt_float(test_metrics.get(key, float("nan")), 4))
            table.add_row(*row)
        console.print(table)

    def _progress_callback(progress, task):
        """A gdlab.nn callback that advances a rich progress bar by one per epoch, showing the latest metrics."""
        from gdlab.nn import Callback

        class ProgressCallback(Callback):
            def on_epoch_end(self, epoch, logs=None):
                logs = logs or {}
                shown = ("loss", "accuracy", "r2", "val_loss", "val_accuracy", "val_r2")
                info = "  ".join(f"{k} {fmt_float(v, 4)}" for k, v in logs.items() if k in shown)
                progress.update(task, advance=1, info=info)

        return ProgressCallback()

    # -------------------------------------------------------------------------------- demo

    @app.command("demo", context_settings=CONTEXT)
    @click.option("--out", "-o", "out", type=click.Path(file_okay=False), default="gallery", show_default=True,
                  help="Folder for the figures and index.html (created if needed).")
    @click.option("--only", "only", multiple=True, metavar="NAMES",
                  help="Run only these experiments (comma-separated names, or a seed: 000..004, beyond).")
    @click.option("--quick", is_flag=True, help="Fewer steps, frames and epochs, lower dpi (for CI).")
    @click.option("--list", "list_only", is_flag=True, help="List the experiments and exit.")
    @click.option("--jobs", "-j", type=click.IntRange(min=1, max=64), default=1, show_default=True,
                  help="Run experiments in this many processes.")
    def demo_cmd(out, only, quick, list_only, jobs):
        """Reproduce every experiment of the five seeds, and the showcases, into a gallery.

        Writes the figures, animations and interactive reports into OUT with an index.html that
        shows each figure beside the numbers it reproduces (the seed's, gdlab's, and a note where
        the seed is wrong), and prints a summary table. Exits with status 1 if any experiment failed.

        \b
        Examples:
          gdlab demo                          # the whole gallery into ./gallery
          gdlab demo --quick --out /tmp/g     # fast (CI)
          gdlab demo --only seed000_x2,saddle # two experiments
          gdlab demo --only 003               # every experiment of seed 003
          gdlab demo --list
        """
        from gdlab import demo

        console = _console()
        if list_only:
            demo.print_list(console)
            return
        selected = demo.select([n for item in only for n in item.split(",") if n.strip()])
        import gdlab

        if not only or any(e.name == "seed004_numdiff" for e in selected):
            console.print("Seed 004: numerical differentiation (central difference, h = 1e-4) against autodiff\n")
            console.print(gdlab.numdiff.format_seed004_table(exact=gdlab.grad), markup=False, highlight=False)
            console.print()
        with _progress(transient=True) as progress:
            report = demo.run_gallery(out, selected, quick=quick, jobs=jobs, progress=progress)
        demo.print_summary(console, report)
        click.echo(f"wrote {report.index_path}", err=True)
        if report.n_failed:
            raise click.exceptions.Exit(1)


def main(argv=None):
    if click is None:
        return _missing_click()
    return app.main(args=argv, prog_name="gdlab", standalone_mode=True)


if __name__ == "__main__":
    sys.exit(main())
