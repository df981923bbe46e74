import numpy as np
import pytest

from lamina import ops
from tests.helpers import gradcheck


def test_check_grads_accepts_correct_gradient():
    gradcheck.check_grads(lambda x: ops.sum(ops.sin(x) * x), [np.array([0.3, -1.2, 2.0])])


def test_check_grads_rejects_wrong_gradient():
    # stop_gradient hides half of the dependence, so the analytic gradient must disagree.
    with pytest.raises(AssertionError):
        gradcheck.check_grads(lambda x: ops.sum(ops.stop_gradient(x) * x), [np.array([1.0, 2.0])])
