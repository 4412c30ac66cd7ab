"""Every example runs as printed: the "Examples:" of every ``--help`` and the README's gdlab command lines.

The README's command lines are the ``$ gdlab ...`` (or ``$ python3 -m gdlab ...``) lines of its code
blocks, with their ``\\`` continuations, and the gdlab commands of its shell blocks (the set-up's
``pip install`` and ``pytest`` are the CI's own job and are left out). Where the README prints what a
command shows under it, the test checks that output: an error line must be the command's error (exit
2), and every number the README shows must be in the command's output at 80 columns.

Each example runs in-process in a temporary folder, so the files it writes land there; an absolute
output path (``--out /tmp/g``) is moved into that folder too. The examples of one ``--help`` (and of
one README code block) are a script: they share the folder, and an example runs after the ones
before it (run first when it is run alone), so it may read what they wrote (``gdlab train ...
--save m.npz`` then ``gdlab landscape m.npz``). One cap: ``gdlab demo``
examples run the experiments they select with ``--quick`` and only the first of them (the
selection itself is checked against ``gdlab demo --list``'s names), because the whole gallery is
tests/demo/test_demo_gallery.py's job and takes about a minute. ``gdlab serve`` examples parse their
options and call ``gdlab.web.serve`` with them, which here records the call instead of serving until
Ctrl-C (tests/web/test_serve.py starts the real server in a subprocess and stops it).
"""

import os
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def help_examples():
    """(where, command line) for every example line of every --help."""
    from click.testing import CliRunner

    from gdlab.cli import app

    found = []
    for name in [None, *app.commands]:
        args = ["--help"] if name is None else [name, "--help"]
        text = CliRunner().invoke(app, args, prog_name="gdlab").output
        block = text.split("Examples:", 1)[1] if "Examples:" in text else ""
        for line in block.splitlines()[1:]:
            if not line.strip():
                break
            found.append((f"gdlab {name or ''} --help".replace("  ", " "), line.strip()))
    return found


def readme_examples():
    """(where, command line, the output the README shows under it, its code block) for the README's gdlab commands."""
    found = []
    text = README.read_text(encoding="utf-8")
    for number, block in enumerate(re.findall(r"```(\w*)\n(.*?)```", text, flags=re.S)):
        kind, body = block
        lines = body.replace("\\\n", " ").splitlines()
        if any(line.startswith("$ ") for line in lines):
            command, shown = None, []
            for line in lines + ["$ "]:
                if line.startswith("$ "):
                    if command is not None and _is_gdlab(command):
                        found.append(("README", command, [s for s in shown if s.strip()], f"README {number}"))
                    command, shown = line[2:].strip(), []
                else:
                    shown.append(line)
        elif kind in ("bash", "sh", "shell", "console"):
            for line in lines:
                for part in line.split("#")[0].split("&&"):
                    if _is_gdlab(part.strip()):
                        found.append(("README", part.strip(), [], f"README {number}"))
    return found


def _is_gdlab(command):
    return bool(re.match(r"(gdlab|python3? -m gdlab)(\s|$)", command))


def argv_of(command, tmp_path):
    """The arguments after ``gdlab``, absolute paths moved into ``tmp_path``."""
    words = shlex.split(command, comments=True)
    words = words[1:] if words[0] == "gdlab" else words[3:]
    return [str(tmp_path / Path(w).name) if w.startswith("/") else w for w in words]


EXAMPLES = [(where, line, [], where) for where, line in help_examples()] + readme_examples()


def test_the_examples_are_found():
    """Every command's --help has examples, and the README's command-line section is read."""
    from gdlab.cli import COMMANDS

    wheres = {where for where, _, _, _ in EXAMPLES}
    assert {f"gdlab {c} --help" for c in COMMANDS} | {"gdlab --help", "README"} <= wheres
    assert sum(where == "README" for where, _, _, _ in EXAMPLES) >= 8


@pytest.fixture
def capped_demo(monkeypatch):
    """gdlab demo runs the first experiment it selected, quick (see the module docstring)."""
    from gdlab import demo

    real = demo.run_gallery
    chosen = []

    def first_only(out, selected=None, **kwargs):
        chosen.append([e.name for e in selected])
        return real(out, selected[:1], **{**kwargs, "quick": True})

    monkeypatch.setattr(demo, "run_gallery", first_only)
    return chosen


@pytest.fixture
def recorded_serve(monkeypatch):
    """gdlab serve hands its options to gdlab.web.serve, recorded here (see the module docstring)."""
    from gdlab import web

    calls = []
    monkeypatch.setattr(web, "serve", lambda host, port, open_browser: calls.append((host, port, open_browser)))
    return calls


_SCRIPTS = {}  # group -> (its folder, the positions in EXAMPLES of the examples run there)


def _in_script(run_cli, tmp_path_factory, position):
    """The folder of the example at ``position``'s group, after the examples before it there have run."""
    group = EXAMPLES[position][3]
    if group not in _SCRIPTS:
        _SCRIPTS[group] = (tmp_path_factory.mktemp("script"), set())
    folder, done = _SCRIPTS[group]
    for k in range(position):
        if EXAMPLES[k][3] == group and k not in done:
            os.chdir(folder)
            run_cli(*argv_of(EXAMPLES[k][1], folder))
            done.add(k)
    done.add(position)
    return folder


@pytest.mark.parametrize("position", range(len(EXAMPLES)), ids=[f"{w}: {c}" for w, c, _, _ in EXAMPLES])
def test_example_runs_as_printed(run_cli, tmp_path_factory, monkeypatch, capped_demo, recorded_serve, position):
    where, command, shown, _ = EXAMPLES[position]
    monkeypatch.chdir(".")  # restored after the test, whatever _in_script changes
    monkeypatch.setenv("COLUMNS", "80")
    tmp_path = _in_script(run_cli, tmp_path_factory, position)
    recorded_serve.clear()
    capped_demo.clear()  # what the examples run before this one recorded
    monkeypatch.chdir(tmp_path)
    argv = argv_of(command, tmp_path)
    code, out, err = run_cli(*argv)
    error = [s.strip() for s in shown if s.strip().startswith("gdlab: error:")]
    if error:
        assert code == 2, (out, err)
        assert err.strip().startswith(error[0].rstrip(". ").split("...")[0].strip()), (error, err)
        return
    assert code == 0, (out, err)
    assert "Traceback" not in out + err
    assert max(map(len, out.splitlines() or [""])) <= 80, out     # fits an 80-column terminal
    for path in re.findall(r"^wrote (.+)$", err, flags=re.M):
        assert Path(path).exists() and Path(path).stat().st_size > 0, path
    if argv[0] == "serve":
        assert len(recorded_serve) == 1 and recorded_serve[0][0] == "127.0.0.1", recorded_serve
    if capped_demo:
        from gdlab import demo

        assert capped_demo[0] and set(capped_demo[0]) <= set(demo.names())
    # what the README shows under the command is what it prints (numbers included), at 80 columns
    printed = set(re.split(r"[\s│┃]+", out + err))
    for line in shown:
        for word in re.split(r"[\s│┃]+", line.strip()):
            if re.fullmatch(r"\(?[-+]?\d[\d.e+-]*\)?,?", word):
                assert word in printed, (word, line)
