"""gdlab race: several optimizers from the same start, tuned or not."""

import json

import pytest

from tests.cli.conftest import gif_frames, html_ok, png_ok


def test_race(run_cli, tmp_path):
    plot, js = tmp_path / "race.png", tmp_path / "race.json"
    code, out, err = run_cli("race", "rosenbrock", "--optimizers", "sgd:lr=0.001,momentum:lr=0.001:momentum=0.9,adam:lr=0.1",
                             "--steps", "60", "--start", "-1.5,2", "--plot", plot, "--json", js)
    assert code == 0, err
    for label in ("sgd", "momentum", "adam", "to nearest minimum"):
        assert label in out
    png_ok(plot)
    data = json.loads(js.read_text())
    assert set(data["runs"]) == {"sgd", "momentum", "adam"}


def test_race_tuned_with_animation_and_html(run_cli, tmp_path):
    gif, html = tmp_path / "race.gif", tmp_path / "race.html"
    code, out, err = run_cli("race", "beale", "--optimizers", "gd,adam", "--tune", "--steps", "40",
                             "--animate", gif, "--frames", "5", "--html", html)
    assert code == 0, err
    assert "(tuned lr)" in out
    assert gif_frames(gif) == 5
    html_ok(html, "adam")


BAD = [
    (["race", "sphere", "--optimizers", "sgd:lr=0.1,nope:lr=1"], "unknown optimizer"),
    (["race", "sphere", "--optimizers", "sgd,,adam"], "empty entry"),
    (["race", "sphere", "--optimizers", "sgd:lr"], "KEY=VALUE"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line_exit_2(refused, args, message):
    refused(args, message)
