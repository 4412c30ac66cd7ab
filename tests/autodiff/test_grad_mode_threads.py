import threading

import numpy as np

from gdlab.autodiff import Tensor, is_grad_enabled, no_grad


def test_no_grad_in_one_thread_leaves_the_others_recording():
    inside, release = threading.Event(), threading.Event()

    def predict():
        with no_grad():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=predict)
    t.start()
    inside.wait(10)
    try:
        assert is_grad_enabled()  # this thread still records
        x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
        y = (x * x).sum()
        y.backward()
        np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    finally:
        release.set()
        t.join(10)
    assert is_grad_enabled()
    with no_grad():
        seen = []
        worker = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        worker.start()
        worker.join(10)
        assert seen == [True] and not is_grad_enabled()
