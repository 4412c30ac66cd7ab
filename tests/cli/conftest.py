import json
import os
import re

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def run_cli():
    """Run ``gdlab ARGS`` in-process; returns (exit_code, stdout, stderr)."""
    from click.testing import CliRunner

    from gdlab.cli import app

    try:  # click < 8.2 mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()

    def run(*args):
        result = runner.invoke(app, [str(a) for a in args], prog_name="gdlab", catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def refused(run_cli):
    """``refused(args, message)``: ``gdlab ARGS`` ends with ONE line on stderr, ``gdlab: error: ...``
    holding ``message``, exit status 2, and no traceback; returns that line."""

    def check(args, message):
        code, out, err = run_cli(*args)
        assert code == 2, (code, out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("gdlab: error: ")
        assert message.lower() in lines[0].lower()
        assert "Traceback" not in out + err
        return lines[0]

    return check


def png_ok(path):
    from PIL import Image

    assert path.exists() and path.stat().st_size > 1000
    with Image.open(path) as im:
        arr = np.asarray(im.convert("L"), dtype=float)
    assert arr.std() > 5, "the image is blank"


def gif_frames(path):
    from PIL import Image

    with Image.open(path) as im:
        return im.n_frames


def html_ok(path, *needles):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", text), "an external script"
    for needle in needles:
        assert needle in text, needle
    return text


def strict_json(path):
    def refuse(constant):
        raise AssertionError(f"{constant} is not strict JSON")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
