"""What ``gdlab train`` printed and wrote before the train recipe moved into ``gdlab.nn.recipe``.

    PYTHONPATH=$PWD python tests/cli/make_fixtures.py    # writes tests/cli/fixtures/train_cli.json

The fixture was recorded with the single-module ``gdlab/cli.py`` (commit c531875), before the command
line became a package and ``gdlab train`` a translation into ``TrainSpec`` plus ``nn.recipe.train``.
tests/cli/test_train.py runs the same arguments through today's command line and compares the
table it prints and the JSON history it writes, so the refactor cannot have moved a number.
Rerunning this script records the current command line instead: only do it on purpose.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "train_cli.json"

# Each case covers a branch of the recipe: the loss chosen from the task and the output size, the
# default model, full batch, no test split, no standardisation, a data set's own seed argument.
CASES = {
    "moons-softmax": ["--dataset", "moons", "--model", "2-8-2", "--epochs", "5", "--seed", "0"],
    "moons-binary": ["--dataset", "moons", "--model", "2-8-1", "--epochs", "4", "--seed", "1",
                     "--data", "noise=0.3", "--optimizer", "rmsprop", "--lr", "0.02"],
    "sine-full-batch-gd": ["--dataset", "sine", "--model", "1-16-1", "--activation", "tanh", "--epochs", "5",
                           "--full-batch", "--optimizer", "gd", "--lr", "0.1", "--seed", "0"],
    "digits-default-model": ["--dataset", "digits", "--epochs", "2", "--data", "scale=true", "--seed", "3",
                             "--test-size", "0.3", "--batch-size", "64"],
    "circles-raw-no-test": ["--dataset", "circles", "--no-standardize", "--test-size", "0", "--optimizer",
                            "momentum", "--epochs", "3", "--seed", "2", "--activation", "sigmoid", "--lr", "0.05",
                            "-b", "16"],
    "spirals-data-seed": ["--dataset", "spirals", "--data", "seed=7", "--data", "n_arms=3", "--model", "2-12-3", "--epochs", "3",
                          "--seed", "5", "--optimizer", "sgd", "--lr", "0.1", "-b", "1", "--test-size", "0.5"],
}


def run_case(args):
    """(stdout, the --json document) of ``gdlab train ARGS``, run in-process as the tests do."""
    from click.testing import CliRunner

    from gdlab.cli import app

    try:  # click < 8.2 mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.json"
        result = runner.invoke(app, ["train", *args, "--json", str(path)], prog_name="gdlab",
                               catch_exceptions=False, env={"COLUMNS": "120"})
        if result.exit_code != 0:
            raise SystemExit(f"gdlab train {' '.join(args)} failed: {result.stderr}")
        return result.stdout, json.loads(path.read_text(encoding="utf-8"))


def main():
    os.environ.setdefault("MPLBACKEND", "Agg")
    cases = {}
    for name, args in CASES.items():
        stdout, document = run_case(args)
        cases[name] = {"args": args, "stdout": stdout, "json": document}
    FIXTURE.parent.mkdir(exist_ok=True)
    tmp = FIXTURE.with_suffix(".tmp")
    tmp.write_text(json.dumps({"recorded_with": "gdlab/cli.py at c531875", "cases": cases}, indent=1) + "\n",
                   encoding="utf-8")
    tmp.replace(FIXTURE)
    print(f"wrote {FIXTURE} ({len(cases)} cases)", file=sys.stderr)


if __name__ == "__main__":
    main()
