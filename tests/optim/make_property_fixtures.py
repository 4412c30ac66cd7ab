"""Regenerate tests/optim/fixtures/torch_property.npz from torch.optim (needs torch; CPU is enough).

    python tests/optim/make_property_fixtures.py

The reference is torch.optim's own code run in plain IEEE arithmetic
(``property_cases.ieee_torch``): torch's portable CPU kernels
(``ATEN_CPU_CAPABILITY=default``, no fused multiply-adds) and a correctly rounded
square root in place of torch's MKL one. Its numbers do not depend on the CPU that
made them, and gdlab's rules, in torch's operation order, reproduce them bit for bit.

Stored (compressed): ``classes``, ``kwargs`` (JSON) and ``seeds`` of the
``property_cases.fixture_cases()`` (random hyperparameters and flags of every
optimizer); ``traj`` (n_cases, len(steps), 14): the parameters after the steps
``steps`` (= ``FIXTURE_STEPS``) of each 300-step float64 run on ``make_problem(seed)``;
``issue`` (len(ISSUE_SEEDS), len(steps), 2): the centred RMSprop of issue 12 on
``issue_problem(seed)``; ``torch_version``.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import property_cases as pc  # noqa: E402


def main() -> None:
    torch = pc.ieee_torch()
    cases = pc.fixture_cases()
    index = pc.FIXTURE_STEPS - 1
    out = {
        "torch_version": np.array(torch.__version__),
        "steps": pc.FIXTURE_STEPS,
        "classes": np.array([name for name, _, _ in cases]),
        "kwargs": np.array([json.dumps(kwargs) for _, kwargs, _ in cases]),
        "seeds": np.array([seed for _, _, seed in cases]),
        "traj": np.stack([pc.run_torch(name, kwargs, pc.make_problem(seed))[index] for name, kwargs, seed in cases]),
        "issue": np.stack([pc.issue_torch(seed)[index] for seed in pc.ISSUE_SEEDS]),
    }
    os.makedirs(os.path.dirname(pc.FIXTURE), exist_ok=True)
    np.savez_compressed(pc.FIXTURE, **out)
    print(f"wrote {os.path.relpath(pc.FIXTURE)} ({os.path.getsize(pc.FIXTURE) / 1024:.1f} KiB, {len(out)} arrays)")


if __name__ == "__main__":
    main()
