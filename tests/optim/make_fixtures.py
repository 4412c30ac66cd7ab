"""Regenerate the torch.optim reference fixtures used by tests/optim (needs torch; CPU is enough).

    python tests/optim/make_fixtures.py

Writes, under tests/optim/fixtures/ (compressed .npz, small):

* optim_trajectories.npz — the test problem (A_i, b_i, x0_i) and, per case of
  ``optim_cases.CASES``, torch.optim's parameters at the steps ``RECORD`` of a
  200-step float64 run: ``traj/<case id>`` of shape (len(RECORD), n_params);
* lr_schedules.npz — per case of ``SCHEDULE_CASES`` and ``PLATEAU_CASES``,
  torch.optim.lr_scheduler's ``get_last_lr()`` after construction and after each
  of 60 steps, for two parameter groups: shape (61, 2);
* clip_grad.npz — random gradients and torch.nn.utils' clipped results.

The torch version used is stored as ``torch_version`` in each file.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optim_cases as oc  # noqa: E402


def trajectories(torch) -> dict:
    problem = oc.make_problem()
    out = {**problem}
    index = np.array(oc.RECORD) - 1
    for case_id, cls_name, kwargs in oc.CASES:
        out[f"traj/{case_id}"] = oc.run_torch(problem, cls_name, kwargs)[index]
    return out


def schedules(torch) -> dict:
    def make_param():
        return torch.zeros(2, requires_grad=True)

    out = {}
    for case_id, cls_name, kwargs in oc.SCHEDULE_CASES:
        out[case_id] = oc.schedule_lrs(torch.optim, torch.optim.lr_scheduler, cls_name, kwargs, make_param)
    for case_id, kwargs in oc.PLATEAU_CASES:
        out[case_id] = oc.schedule_lrs(torch.optim, torch.optim.lr_scheduler, "ReduceLROnPlateau", kwargs,
                                       make_param)
    return out


def clipping(torch) -> dict:
    grads = oc.clip_grads()
    out = {f"grad{i}": g for i, g in enumerate(grads)}
    for k, (max_norm, norm_type) in enumerate(oc.CLIP_CASES):
        params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = torch.from_numpy(g.copy())
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        out[f"norm/{k}/total"] = np.array(float(total))
        for i, p in enumerate(params):
            out[f"norm/{k}/grad{i}"] = p.grad.numpy().copy()
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    torch.nn.utils.clip_grad_value_(params, oc.CLIP_VALUE)
    for i, p in enumerate(params):
        out[f"value/grad{i}"] = p.grad.numpy().copy()
    return out


def main() -> None:
    import torch

    torch.set_num_threads(1)
    os.makedirs(oc.FIXTURES, exist_ok=True)
    for path, make in ((oc.TRAJECTORIES, trajectories), (oc.SCHEDULES, schedules), (oc.CLIPPING, clipping)):
        data = make(torch)
        data["torch_version"] = np.array(torch.__version__)
        np.savez_compressed(path, **data)
        print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path) / 1024:.1f} KiB, {len(data)} arrays)")


if __name__ == "__main__":
    main()
