"""examples/digits_convnet.py keeps its promised accuracy."""

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


def test_digits_convnet_layers_and_shapes():
    pytest.importorskip("sklearn")
    convnet = _load("digits_convnet")
    x_train, x_test, y_train, y_test = convnet.load_digits_images()
    assert x_train.shape == (1437, 8, 8, 1) and x_test.shape == (360, 8, 8, 1)
    assert 0.0 <= x_train.min() and x_train.max() <= 1.0
    # Stratified: every digit is about a fifth of its class in the test set.
    assert np.bincount(y_test).min() >= 35 and len(y_train) + len(y_test) == 1797
    model = convnet.build_model()
    assert [type(layer).__name__ for layer in model.layers] == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"]
    assert [layer.output.shape for layer in model.layers] == [
        (None, 6, 6, 32), (None, 3, 3, 32), (None, 3, 3, 64), (None, 1, 1, 64), (None, 64),
        (None, 64), (None, 10)]
    # 3*3*1*32 + 32, 3*3*32*64 + 64, 64*10 + 10
    assert model.count_params() == 320 + 18496 + 650


@pytest.mark.slow
def test_digits_convnet_reaches_97_percent():
    pytest.importorskip("sklearn")
    convnet = _load("digits_convnet")
    _, _, accuracy = convnet.train(epochs=40, verbose=0)
    assert accuracy >= 0.97
