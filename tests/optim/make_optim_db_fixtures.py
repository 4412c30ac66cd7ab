"""Regenerate tests/optim/fixtures/optim_db.npz: torch.optim on torch's own optim_db configurations (needs torch).

    python tests/optim/make_optim_db_fixtures.py

For every (class, configuration) of optim_db_cases.optim_db_cases: torch.optim's
single-tensor (foreach=False) parameters after the steps optim_db_cases.RECORD of a
STEPS-step float64 run, ``traj/<class>/<description>/single`` (the foreach, fused and
differentiable implementations are compared live only: they agree with it to ~1e-13,
and storing them would triple the file); the case table itself as JSON (``cases``,
all implementations), so that the tests know the configurations without torch; and Muon's default run with
torch's own bfloat16 Newton-Schulz (``muon_bfloat16``), for the pinned difference.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optim_db_cases as dc  # noqa: E402


def main() -> None:
    import torch

    torch.set_num_threads(1)
    cases = dc.optim_db_cases(torch)
    out = {"cases": np.array(json.dumps(cases)), "torch_version": np.array(torch.__version__)}
    for name, desc, kwargs, impl in cases:
        if impl != "single":
            continue
        out[f"traj/{dc.case_id(name, desc, impl)}"] = dc.run_torch(name, kwargs, impl)
    out["muon_bfloat16"] = dc.run_torch("Muon", {}, "single", bfloat16_muon=True)
    np.savez_compressed(dc.FIXTURE, **out)
    print(f"wrote {os.path.relpath(dc.FIXTURE)} ({os.path.getsize(dc.FIXTURE) / 1024:.1f} KiB, {len(cases)} cases)")


if __name__ == "__main__":
    main()
