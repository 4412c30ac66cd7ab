"""gdlab._jit.key.typed_key: the memo key of hyperparameter values (compiled runs, fused steps)."""

import numpy as np
import pytest

from gdlab._jit.key import NotAKey, typed_key


def test_the_key_tells_numbers_of_other_types_and_signs_apart():
    keys = [typed_key({"lr": v}) for v in (1, 1.0, True, np.float64(1.0), 0.0, -0.0)]
    assert len(set(keys)) == len(keys)  # all equal under ==, all different numbers to a kernel
    assert typed_key({"betas": (0.9, 0.999)}) == typed_key({"betas": (0.9, 0.999)})
    assert typed_key({"betas": (0.9, 0.999)}) != typed_key({"betas": [0.9, 0.999]})
    assert typed_key({"a": 1.0, "b": 2.0}) != typed_key({"b": 2.0, "a": 1.0})  # names stay with their values


@pytest.mark.parametrize("value", [np.array([0.1, 0.2]), np.array(0.1), [1.0, {1, 2}]])
def test_arrays_and_unhashables_are_not_keys(value):
    with pytest.raises(NotAKey):  # per-row arrays: the caller takes its full path
        typed_key({"lr": value})
