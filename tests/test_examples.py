"""The example notebooks (examples/): stored as make_notebooks.py writes them, both languages the same
code, and every one runs on a fresh kernel and shows the seeds' numbers.

The expected numbers come from the seed articles (and from closed forms where the article is
wrong), not from the notebooks' own outputs.
"""

import asyncio
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "examples" / "make_notebooks.py")
make = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make)

# the seeds' numbers (README of the seeds; closed forms where noted), as the notebooks print them
KEY_NUMBERS = {
    "000_gradient_descent_by_hand": [
        "history length: 151",                      # epochs + 1 values
        "first epoch that prints as 0.00: 31",      # |5·0.8^t| < 0.005 first at t = 31 ("about 32")
        "final w = 4.54e-13",                       # 5·0.998^15000
        "w = 1.8000, b = 32.0000",                  # f = 1.8 c + 32
        "predict(100 °C) = 212.00 °F",
    ],
    "001_backpropagation": [
        "final y = 0.6667 at x = -0.3333",          # minimum 2/3 at -1/3
        "a = 0.1542, b = 0.1970",
        "y_pred = 0.9381",                          # σ(2·σ(5) + σ(1))
        "dE/dw21 = -0.003575",
        "w21 after one step = 2.000715",            # the corrected update (the article: 1.9992)
    ],
    "002_gd_sgd_minibatch": [
        "predict(4) before: 4.0",
        "predict(4) after: 7.99978",                # 4·(2 − 0.90667^100)
        "cost at epoch 0: 4.6667",                  # (1 + 4 + 9)/3
        "16/7 = 2.2857",
    ],
    "003_visualising_optimizers": [
        "GD: diverged",                             # lr 1 > 2/L
        "lr 1 stable: False",
        "(10, 0), lr 0.2        final point = [0. 0.]",   # stuck at the saddle
        "(10, 0.01), lr 0.004   final point = [0.1802 0.5374]",  # y = 0.01·1.008^500 = 0.537
    ],
    "004_numerical_differentiation": [
        "0.1999999999990898 0.2999999999986347",
        "6.00000000000378", "7.999999999999119",
        "[3.0, 4.0] [6. 8.]", "[0.0, 2.0] [0. 4.]", "[3.0, 0.0] [6. 0.]",
        "final x = (-6.1e-10, 8.1e-10)",            # (−3, 4)·0.8^100
        "lr = 10      diverged",
        "shape: (2, 3)",
    ],
    "optimizers": [
        "2/L = 1; with momentum 0.9: 1.9",          # elongated bowl, L = 2: 2/L and (2 + 2·0.9)/L
        "0.95 x bound: max_steps | 1.05 x bound: diverged",
        "momentum=0.95",                            # the race's table
    ],
    "training": [
        "same predictions after loading: True",
        "Total params: 354",                        # 2·16+16 + 16·16+16 + 16·2+2
    ],
}

NOTEBOOKS = sorted(make.paths().items())
TERMS = ["梯度下降", "学习率", "动量", "随机梯度下降", "小批量", "反向传播", "鞍点", "损失函数"]


def test_every_notebook_has_its_key_numbers():
    assert set(KEY_NUMBERS) == set(make.NOTEBOOKS)


@pytest.mark.parametrize(("key", "path"), NOTEBOOKS, ids=[p.name for _, p in NOTEBOOKS])
def test_stored_notebooks_are_the_scripts_and_have_no_outputs(key, path):
    name, lang = key
    stored = nbformat.read(path, as_version=4)
    assert nbformat.writes(stored) == nbformat.writes(make.build(make.NOTEBOOKS[name], lang)), (
        f"{path.name} differs from examples/make_notebooks.py: run it")
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in stored.cells if c.cell_type == "code")


@pytest.mark.parametrize("name", sorted(make.NOTEBOOKS))
def test_both_languages_run_the_same_code(name):
    en, zh = (make.build(make.NOTEBOOKS[name], lang) for lang in ("en", "zh"))
    code = [[c.source for c in nb.cells if c.cell_type == "code"] for nb in (en, zh)]
    assert code[0] == code[1]
    for cell in (c for c in zh.cells if c.cell_type == "markdown"):
        prose = re.sub(r"\$[^$]*\$|`[^`]*`|\*[A-Za-z ]+\*", "", cell.source)
        assert re.search(r"[\u4e00-\u9fff]", prose), cell.source[:80]
        assert not re.search(r"\b[a-z]{4,}\s+[a-z]{4,}\s+[a-z]{4,}\b", prose), f"English prose in {name}.zh: {prose[:120]}"


def test_the_chinese_notebooks_use_the_seeds_terms():
    text = "".join(c.source for name in make.NOTEBOOKS for c in make.build(make.NOTEBOOKS[name], "zh").cells)
    assert [t for t in TERMS if t not in text] == []


def _outputs(nb):
    texts, kinds = [], set()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{out.ename}: {out.evalue}"
            if out.output_type == "stream":
                texts.append(out.text)
            for mime, data in out.get("data", {}).items():
                kinds.add(mime)
                if mime in ("text/plain", "text/html"):
                    texts.append(data)
    return "\n".join(texts), kinds


#: notebooks executed at once (each on its own fresh kernel): CI has 2 cores
AT_ONCE = 2
#: tries to start a notebook's kernel. jupyter_client picks the kernel's five TCP ports by binding
#: and releasing them before the kernel binds them again, so a kernel started beside another one (or
#: beside a test's server) now and then loses a port and dies before it answers kernel_info. That is
#: a failure to start, retried on a fresh kernel; a kernel that dies while running a cell is not.
STARTS = 3


def _failed_to_start(exc):
    return isinstance(exc, RuntimeError) and "before replying to kernel_info" in str(exc)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Every notebook executed on a fresh kernel: {(name, lang): (notebook with outputs, error or None)}."""

    async def run_all():
        gate = asyncio.Semaphore(AT_ONCE)

        async def one(key, path):
            async with gate:
                folder = tmp_path_factory.mktemp(path.stem.replace(".", "_"))
                for attempt in range(1, STARTS + 1):
                    nb = nbformat.read(path, as_version=4)
                    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                                            resources={"metadata": {"path": str(folder)}})
                    try:
                        await client.async_execute()
                    except Exception as exc:  # reported by the notebook's own test
                        if _failed_to_start(exc) and attempt < STARTS:
                            continue
                        return key, (nb, exc)
                    return key, (nb, None)

        return dict(await asyncio.gather(*(one(key, path) for key, path in NOTEBOOKS)))

    return asyncio.run(run_all())


@pytest.mark.parametrize(("key", "path"), NOTEBOOKS, ids=[p.name for _, p in NOTEBOOKS])
def test_notebook_runs_on_a_fresh_kernel_and_shows_the_seeds_numbers(key, path, executed):
    nb, error = executed[key]
    assert error is None, f"{path.name}: {error}"
    text, kinds = _outputs(nb)
    missing = [k for k in KEY_NUMBERS[key[0]] if k not in text]
    assert not missing, f"{path.name}: not in the outputs: {missing}"
    assert "image/png" in kinds or "application/vnd.jupyter.widget-view+json" in kinds
    if key[0] == "004_numerical_differentiation":
        accuracy = float(re.search(r"test accuracy after 40 epochs: ([0-9.]+)", text).group(1))
        assert accuracy >= 0.95  # the book's figure
