"""The runnable examples keep their promised results."""

import importlib.util
import pathlib

import numpy as np
import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_xor_learns_xor():
    xor = _load("xor")
    model, history, _ = xor.build_and_train(seed=3)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
    assert model.predict(X, verbose=0).round().ravel().tolist() == [0, 1, 1, 0]
    assert len(history.history["loss"]) == 10000
    assert history.history["loss"][-1] < 0.01 < history.history["loss"][0]


@pytest.mark.slow
def test_digits_classifier_reaches_95_percent():
    pytest.importorskip("sklearn")
    digits = _load("digits")
    _, _, accuracy = digits.train(epochs=30, verbose=0)
    assert accuracy >= 0.95
