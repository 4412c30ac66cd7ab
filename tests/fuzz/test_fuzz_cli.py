"""Fuzz every ``gdlab`` command with argv built from its own click parameters, at test time.

Each command's options and arguments are read from ``gdlab.cli.app`` when the test runs (so a new
command, option or type is fuzzed without editing this file): every parameter gets values from a pool
that fits its type (numbers in and out of a :class:`gdlab.cli.common.Number` range, each Choice and a
bogus one, output paths of every suffix, in a missing directory, a directory, ``/proc``, flags on and
off) and a pool of hostile and ordinary words for plain strings (catalog names, optimizer and data-set
names, formulas with unicode, malformed points and specs, NaN, inf, empty text, control characters).

The contract (README, "Limits and errors"): a run ends with exit status 0, or with status 2 and ONE line
on stderr starting ``gdlab: error:``; never a traceback, never another status (1 is gdlab's internal
error: a bug). Seeded (hypothesis ``derandomize``) and bounded: integer options always get a small value
or a bad one, so that a valid run stays short; ``gdlab serve`` and ``gdlab demo`` hand their checked
options to ``gdlab.web.serve`` / ``gdlab.demo.run_gallery``, recorded here instead of serving or
drawing the gallery (tests/web and tests/demo run those). ``GDLAB_FUZZ_EXAMPLES=N`` fuzzes deeper.
"""

import os
import tempfile
import traceback

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdlab
from gdlab.cli import app
from gdlab.cli.common import Number

EXAMPLES = int(os.environ.get("GDLAB_FUZZ_EXAMPLES", "12"))
COMMANDS = sorted(app.commands)


def _words():
    names = (list(gdlab.functions.names())[:8] + gdlab.optim.rule_names()[:6] + list(gdlab.datasets.names())[:6])
    return names + [
        "", " ", "nan", "inf", "-inf", "-1", "0", "1e400", "x", "x**2 + y**2", "x²+y²", "π*x", "х**2", "٣*x",
        "1/0 * x", "9**9**9**9**9", "(-8)**(1/3)*x", "sqrt(x)", "log(x) + y", "x.real", "__import__('os')",
        "rosenbrok", "sphere:dim=3", "sphere:dim=0", "sphere:dim=100000000", "rosenbrock:foo=1",
        "1,2", "-1.5,2", "1,nan", "(1, 2)", "1,,2", "1e308,1e308", "0", "adam:lr=0.1", "gd:lr=inf,adam:lr=nan",
        "adam:betas=0.9/0.999", "momentum:lr=0.01:momentum=0.9", "adamm", "lr=0.1", "momentum=2", "eps=0",
        "betas=1/1", "nesterov=true", "lr=-1", "1e-4:1:5", "0:1:3", "1:0.1:3", "1e-3:1:100000", "1e-3",
        "2-8-2", "2-100001-2", "1-0-1", "64-8-10", "relu", "tanh", "swish", "n_samples=50", "n_samples=-1",
        "noise=nan", "000", "beyond", "nonexistent", "x" * 1200, "\x00", "a\nb", "--help", "-o", "--lr",
    ]


WORDS = _words()

#: values that fit a plain-string parameter, by its name (an unknown name draws from WORDS): a "clean"
#: example uses only these, its options' own defaults and fitting numbers, so that about half the runs
#: do the work and reach the outputs, while the other half fail at some check
VALID = {
    "target": ["rosenbrock", "himmelblau", "sphere:dim=3", "x**2 + 3*y**2", "x²+y²", "π*x**2", "beale", "square",
               "log(x) + (x - 3)**2", "sqrt(x)", "(-8)**(1/3)*x", "1/0 * x", "ackley", "x**4 - x**2"],
    "name": ["rosenbrock", "sphere", "beale", "double_well"],
    "optimizer": ["gd", "adam", "momentum:lr=0.01:momentum=0.9", "nesterov", "rmsprop", "lion"],
    "optimizers": ["gd,adam", "adam:lr=0.1,gd:lr=0.01", "momentum,rmsprop:centered=true", "nadam"],
    "params": ["weight_decay=0.01", "eps=1e-6", "maximize=false"],
    "start": ["-1.5,2", "0.5,0.5", "1,1", "2"],
    "lrs": ["1e-3:1:4", "0.01,0.1"],
    "dataset": ["moons", "circles", "xor", "blobs", "linear", "sine"],
    "data_args": ["n_samples=60", "noise=0.1"],
    "model_spec": ["2-8-2", "2-4-4-2", "1-8-1"],
    "activation": ["relu", "tanh", "sigmoid"],
    "only": ["seed000_x2", "003", "saddle"],
    "host": ["127.0.0.1", "localhost"],
    "out": ["out.gif", "out.html"],
}
#: the file names that fit each output option (by parameter name)
PATHS = {"plot": ["out.png", "out.svg"], "animate": ["out.gif", "out.html"], "html": ["out.html"],
         "json_path": ["out.json"], "save": ["model.npz"], "curves": ["curves.png"], "out": ["gallery"],
         "model_path": ["trained.npz"], "trajectory": ["trained_path.npz", "path.npz"]}
#: inputs a command reads (gdlab landscape MODEL.npz --trajectory PATH.npz): made once by gdlab train
INPUTS = ["train", "--dataset", "moons", "--model", "2-4-2", "--epochs", "3", "--seed", "0",
          "--save", "trained.npz", "--trajectory", "trained_path.npz"]


def _number_values(t):
    """(fitting, extreme, bad) pools for a Number option: small valid values; the extremes of what it takes
    (1e308, 1e-320, a 31-digit seed: a run must cope, or refuse them in one line); each way to miss."""
    lo, hi = t.min, t.max
    inside = (lambda v: (lo is None or v > lo or (v == lo and not t.min_open)) and (hi is None or v <= hi))
    if t.integer:
        good = [v for v in (1, 2, 3, 0, 7) if inside(v)] or [lo]
        extreme = [v for v in (10**30,) if inside(v)]  # not max: --steps 1000000 is a valid minute
        bad = [-1, "1.5", "abc", "", "nan", "inf", "1e400", "true"]
    else:
        good = [v for v in (0.01, 0.1, 0.5, 0.0) if inside(v)]
        extreme = [v for v in (1e308, 1e-320, hi) if v is not None and inside(v)]
        bad = ["-1", "nan", "inf", "-inf", "abc", "", "1,2", "0x10", "1e400"]
    bad = [v for v in bad if not (isinstance(v, int) and inside(v))]
    bad += [v for v in (None if lo is None else lo - 1, None if hi is None else hi + 1, lo if t.min_open else None)
            if v is not None]
    return [str(v) for v in good], [str(v) for v in extreme], [str(v) for v in bad]


def _path_values(tmp, name):
    names = ["out.png", "out.svg", "out.gif", "out.html", "out.json", "model.npz", "out.txt", "noext", "out.mp4"]
    good = PATHS.get(name, names)
    return ([os.path.join(tmp, n) for n in good],
            [os.path.join(tmp, n) for n in names if n not in good]
            + [os.path.join(tmp, "missing", "out.png"), tmp, "/proc/out.png", "", os.path.join(tmp, "out.PNG"),
               "/proc/m.npz", "/proc/gallery"])


def _strategy(param, tmp, clean=False):
    """A hypothesis strategy for this parameter's argv pieces (a list of strings, maybe empty).

    An option is left out, given its own default (valid by construction, e.g. ``--lrs 1e-4:1:20``), a
    value that fits its type, or (unless ``clean``) a bad or extreme one; so some runs go deep and some
    fail at every check.
    """
    t = param.type
    if isinstance(param, click.Option) and param.is_flag:
        return st.sampled_from([[], [param.opts[0]]])
    is_int = isinstance(t, Number) and t.integer
    extreme = []
    if isinstance(t, click.Choice):
        good, bad = list(t.choices), ["not-a-choice"]
    elif isinstance(t, Number):
        good, extreme, bad = _number_values(t)
    elif isinstance(t, click.Path):
        good, bad = _path_values(tmp, param.name)
    else:
        good, bad = VALID.get(param.name, WORDS), WORDS
    default = param.default
    own = [] if default is None or type(default).__name__ == "Sentinel" or is_int or isinstance(default, bool) else \
        [str(v) for v in (default if isinstance(default, (list, tuple)) else [default])]
    # weights: a fitting value 5, the option's own default 4, a bad value 2, an extreme one 1
    pools = [st.sampled_from(good)] * 5 + [st.sampled_from(own or good)] * 4
    if not clean:
        pools += [st.sampled_from(bad)] * 2 + [st.sampled_from(extreme)] * bool(extreme)
    value = st.one_of(*pools).map(str)
    if isinstance(param, click.Argument):
        return st.lists(value, min_size=0 if not param.required else 1, max_size=1)
    # integer options always get a value (small or bad), so that a valid run stays short
    most = 2 if getattr(param, "multiple", False) else 1
    count = st.integers(1, most) if is_int or param.required else st.sampled_from([0, 0, 0] + list(range(1, most + 1)))
    return count.flatmap(lambda k: st.lists(value, min_size=k, max_size=k)).map(
        lambda vs: [piece for v in vs for piece in (param.opts[0], v)])


def _argv(data, name, command, tmp):
    clean = data.draw(st.booleans(), label="clean")
    argv = [name]
    for param in command.params:
        argv += data.draw(_strategy(param, tmp, clean), label=param.name)
    return argv


def check_argv(argv):
    """Run ``gdlab ARGV`` in a scratch folder: exit 0, or exit 2 with one ``gdlab: error:`` line."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as cwd:
        here = os.getcwd()
        os.chdir(cwd)
        try:
            result = runner.invoke(app, argv, prog_name="gdlab", catch_exceptions=True)
        finally:
            os.chdir(here)
    shown = f"gdlab {' '.join(map(repr, argv))}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{shown} raised:\n" + "".join(traceback.format_exception(*result.exc_info)))
    assert result.exit_code in (0, 2), f"{shown} exited {result.exit_code}: {result.stderr}"
    assert "Traceback" not in result.stdout + result.stderr, shown
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("gdlab: error: "), f"{shown}: {result.stderr!r}"
    return result


@pytest.fixture
def recorded(monkeypatch):
    """gdlab serve and gdlab demo check their options, then hand them over: recorded here."""
    from pathlib import Path

    from gdlab import demo, web
    from gdlab.demo._runner import Report

    calls = []

    def gallery(out, selected=None, *, quick=False, jobs=1, progress=None, lang="en"):
        calls.append(("demo", out, [e.name for e in selected], quick, jobs))
        return Report([], Path(out), Path(out) / "index.html", 0.0, quick)

    monkeypatch.setattr(web, "serve", lambda *a, **k: calls.append(("serve", a, k)))
    monkeypatch.setattr(demo, "run_gallery", gallery)
    return calls


@pytest.mark.parametrize("name", COMMANDS)
def test_fuzzed_argv_exits_0_or_2_with_one_line(name, recorded):
    command = app.commands[name]
    with tempfile.TemporaryDirectory() as tmp:
        if any(p.name in ("model_path", "trajectory") for p in command.params):
            made = check_argv([os.path.join(tmp, a) if a.startswith("trained") else a for a in INPUTS])
            assert made.exit_code == 0 and os.path.exists(os.path.join(tmp, "trained.npz")), made.stderr

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(st.data())
        def fuzz(data):
            check_argv(_argv(data, name, command, tmp))

        fuzz()


def test_the_generator_reads_every_parameter():
    """Each command's argv pieces come from its click params: every option can appear, each value pool too."""
    from hypothesis import Phase, find

    with tempfile.TemporaryDirectory() as tmp:
        for name in COMMANDS:
            for param in app.commands[name].params:
                if isinstance(param, click.Option):
                    pieces = find(_strategy(param, tmp), lambda argv: param.opts[0] in argv,
                                  settings=settings(database=None, max_examples=200, phases=[Phase.generate]))
                    assert pieces[0] == param.opts[0]


def test_the_number_pools_fit_their_ranges():
    """The fitting and extreme values of every numeric option are accepted by its converter, the bad refused."""
    for name in COMMANDS:
        for param in app.commands[name].params:
            if isinstance(param.type, Number):
                good, extreme, bad = _number_values(param.type)
                for v in good + extreme:
                    param.type.convert(v, param, None)
                for v in bad:
                    with pytest.raises(click.BadParameter):
                        param.type.convert(v, param, None)
