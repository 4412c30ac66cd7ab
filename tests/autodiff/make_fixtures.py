"""Write torch_reference.npz and torch_edges.npz: PyTorch's values and gradients for every case and
kink of the op table, and for every edge of the edge table (edge_table.py).

    python tests/autodiff/make_fixtures.py          (needs torch; run after changing either table)

For each instance (see op_table.instances) it stores, in float64, under ``"<id>|<name>"``:

    in0, in1, ...   the inputs (drawn from the seeded domain, or the kink point)
    w               the weights of the checked scalar L = sum(out * w) (ones at a kink)
    out             PyTorch's output
    g0, g1, ...     PyTorch's dL/d input

and ``__meta__`` (the torch and NumPy versions that wrote it). test_torch_reference.py compares gdlab
with these numbers always, and with live PyTorch where it is installed; test_edges.py does the same
with torch_edges.npz (same keys, for the edges).
"""

from __future__ import annotations

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "torch_reference.npz")
EDGE_FIXTURE = os.path.join(HERE, "torch_edges.npz")


def reference_arrays(insts=None):
    """{key: array} for every instance of the op table (or the given ones), computed with torch."""
    import torch

    from tests.autodiff.op_table import instances, run_torch

    torch.set_default_dtype(torch.float64)
    arrays = {}
    for inst in instances() if insts is None else insts:
        out, w, grads = run_torch(inst)
        for k, a in enumerate(inst.inputs):
            arrays[f"{inst.id}|in{k}"] = a
        arrays[f"{inst.id}|w"] = np.asarray(w, dtype=np.float64)
        arrays[f"{inst.id}|out"] = np.asarray(out, dtype=np.float64)
        for k, g in enumerate(grads):
            arrays[f"{inst.id}|g{k}"] = np.asarray(g, dtype=np.float64)
    arrays["__meta__"] = np.array(f"torch {torch.__version__}, numpy {np.__version__}")
    return arrays


def main():
    sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))  # the repository root: tests.autodiff...
    from tests.autodiff.edge_table import edge_instances

    for path, insts in ((FIXTURE, None), (EDGE_FIXTURE, edge_instances())):
        with np.errstate(all="ignore"):
            arrays = reference_arrays(insts)
        np.savez_compressed(path, **arrays)
        n = len({key.split("|")[0] for key in arrays if key != "__meta__"})
        print(f"wrote {path}: {n} instances, {os.path.getsize(path) / 1024:.0f} KiB ({arrays['__meta__']})")


if __name__ == "__main__":
    main()
