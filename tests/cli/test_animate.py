"""gdlab animate: the run of minimize (one optimizer) or the race of race (several), drawn by viz.animate."""

import json
import re

import pytest

from tests.cli.conftest import gif_frames, html_ok


def test_one_optimizer_is_the_minimize_run(run_cli, tmp_path):
    gif, js = tmp_path / "a.gif", tmp_path / "m.json"
    code, out, err = run_cli("animate", "rosenbrock", gif, "-o", "adam", "--lr", "0.05", "--start", "-1.5,2",
                             "--steps", "40", "--frames", "5")
    assert code == 0, err
    assert gif_frames(gif) == 5 and f"wrote {gif}" in err
    code, same, _ = run_cli("minimize", "rosenbrock", "-o", "adam", "--lr", "0.05", "--start", "-1.5,2", "--steps", "40",
                            "--json", js)
    assert code == 0 and same == out                           # the same table: the same run


def test_several_optimizers_and_starts_are_a_race(run_cli, tmp_path):
    html = tmp_path / "race.html"
    code, out, err = run_cli("animate", "himmelblau", html, "-o", "gd:lr=0.01,adam:lr=0.1", "--start", "-4,4",
                             "--start", "0,0", "--steps", "30", "--frames", "4", "--view", "both")
    assert code == 0, err
    assert "race, 30 steps from 2 starts" in out
    labels = re.search(r"L=(\[.*?\]), D=", html_ok(html), re.S).group(1)   # the player's one label per frame
    assert len(json.loads(labels)) == 4


BAD = [
    (["animate", "sphere", "a.png"], "unsupported file type"),
    (["animate", "sphere:dim=3", "a.gif", "--start", "1,1,1"], "OUT draws 1-D and 2-D"),
    (["animate", "sphere", "/nonexistent-dir/a.gif"], "does not exist"),
    (["animate", "sphere", "a.gif", "--frames", "inf"], "'--frames'"),
    (["animate", "sphere", "a.gif", "--view", "side"], "'--view'"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line_exit_2(refused, args, message):
    refused(args, message)
