"""``gdlab demo --quick`` produces the whole gallery (the one slow test of the CLI: about a minute at most)."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from gdlab import demo

from . import LAB_LINK, without_lab_links


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    out = tmp_path_factory.mktemp("gallery")
    proc = subprocess.run([sys.executable, "-m", "gdlab", "demo", "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg", "COLUMNS": "160"})
    return out, proc


def test_demo_quick_succeeds(gallery):
    out, proc = gallery
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    # the seed-004 table and the summary table are printed
    assert "6.00000000000378" in proc.stdout and "numbers reproduced" in proc.stdout
    assert "corrected" in proc.stdout and "2.000715" in proc.stdout


def test_every_experiment_has_its_card_and_files(gallery):
    out, proc = gallery
    assert proc.returncode == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    names = {e["name"]: e for e in data["experiments"]}
    assert set(names) == set(demo.names())
    for name, entry in names.items():
        assert entry["status"] == "ok", (name, entry["error"])
        assert f'id="{name}"' in page
        assert entry["figures"], f"{name} drew nothing"
        for fig in entry["figures"]:
            path = out / fig["path"]
            assert path.exists() and path.stat().st_size > 0, fig["path"]
            assert f'"{fig["path"]}"' in page, fig["path"]
            if fig.get("preview"):
                assert (out / fig["preview"]).exists()


def test_images_are_not_blank_and_gifs_animate(gallery):
    from PIL import Image

    out, proc = gallery
    assert proc.returncode == 0
    pngs, gifs = sorted(out.glob("*.png")), sorted(out.glob("*.gif"))
    assert len(pngs) >= 25 and len(gifs) >= 4
    for path in pngs:
        with Image.open(path) as im:
            assert np.asarray(im.convert("L"), dtype=float).std() > 5, path.name
    for path in gifs:
        with Image.open(path) as im:
            assert im.n_frames >= 5, path.name


def test_page_is_self_contained(gallery):
    out, proc = gallery
    page = (out / "index.html").read_text(encoding="utf-8")
    assert LAB_LINK.search(page), "the links to gdlab serve's pages"
    # only loopback <a href> links to the lab: no other remote href, no remote src, no script src
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", without_lab_links(page)), "a network reference"
    for html in out.glob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", text), html.name


def test_seed_numbers_and_corrections(gallery):
    out, proc = gallery
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    numbers = [n for e in data["experiments"] for n in e["numbers"]]
    assert not [n for n in numbers if n["status"] == "mismatch"]
    assert sum(n["status"] == "match" for n in numbers) >= 20
    corrected = {n["seed"]: n["gdlab"] for n in numbers if n["status"] == "corrected"}
    assert corrected.get("1.9992") == "2.000715"
