import numpy as np
import pytest

from lamina.legacy import utils


def test_to_categorical_keras1_signature():
    out = utils.to_categorical(np.array([[2], [0]]), 3)
    assert out.tolist() == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    assert utils.to_categorical([1, 0]).shape == (2, 2)
    with pytest.raises(ValueError, match="integer class labels"):
        utils.to_categorical([0.5, 1.0], 2)
    with pytest.raises(TypeError, match="not both"):
        utils.to_categorical([0], nb_classes=2, num_classes=2)


def test_probas_to_classes():
    assert utils.probas_to_classes(np.array([[0.2, 0.8], [0.9, 0.1]])).tolist() == [1, 0]
    assert utils.probas_to_classes(np.array([[0.7], [0.2]])).tolist() == [1, 0]
