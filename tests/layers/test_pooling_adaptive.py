import numpy as np
import pytest

from lamina.layers.pooling_adaptive import (
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
)
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck, layer_checks

CLASSES = {(1, "average"): AdaptiveAveragePooling1D, (2, "average"): AdaptiveAveragePooling2D,
           (3, "average"): AdaptiveAveragePooling3D, (1, "max"): AdaptiveMaxPooling1D,
           (2, "max"): AdaptiveMaxPooling2D, (3, "max"): AdaptiveMaxPooling3D}
# Keras 3.15 (JAX): AdaptiveAveragePooling1D(3) and AdaptiveMaxPooling1D(3) on
# np.arange(7.0).reshape(1, 7, 1) ** 2.
KERAS_AVG_1D = [[[1.6666667], [9.666667], [25.666668]]]
KERAS_MAX_1D = [[[4.0], [16.0], [36.0]]]


def _windows(size, out):
    """PyTorch's adaptive windows: [floor(i * n / out), ceil((i + 1) * n / out))."""
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def _reference(x, output_size, mode):
    """NumPy adaptive pooling of a channels_last batch."""
    reduce = np.mean if mode == "average" else np.max
    spatial = x.shape[1:-1]
    out = np.zeros((x.shape[0], *output_size, x.shape[-1]), x.dtype)
    for index in np.ndindex(*output_size):
        region = tuple(slice(*_windows(n, o)[i]) for n, o, i in zip(spatial, output_size, index))
        out[(slice(None), *index)] = reduce(x[(slice(None), *region)],
                                            axis=tuple(range(1, len(spatial) + 1)))
    return out


@pytest.mark.parametrize("rank, input_shape, output_size", [
    (1, (2, 7, 3), (3,)), (2, (2, 5, 7, 2), (2, 3)), (3, (1, 4, 5, 3, 2), (3, 2, 2))])
@pytest.mark.parametrize("mode", ["average", "max"])
def test_adaptive_pooling_matches_numpy_in_both_formats(rank, input_shape, output_size, mode):
    x = np.random.default_rng(rank).normal(size=input_shape).astype("float32")
    expected = _reference(x, output_size, mode)
    cls = CLASSES[(rank, mode)]
    np.testing.assert_allclose(cls(output_size)(x), expected, rtol=1e-5, atol=1e-6)
    first = np.moveaxis(x, -1, 1)
    out = cls(output_size, data_format="channels_first")(first)
    np.testing.assert_allclose(out, np.moveaxis(expected, -1, 1), rtol=1e-5, atol=1e-6)


def test_adaptive_pooling_1d_matches_keras():
    x = np.arange(7.0, dtype="float32").reshape(1, 7, 1) ** 2
    np.testing.assert_allclose(AdaptiveAveragePooling1D(3)(x), KERAS_AVG_1D, rtol=1e-6)
    np.testing.assert_allclose(AdaptiveMaxPooling1D(3)(x), KERAS_MAX_1D)


@pytest.mark.parametrize("cls, output_size, input_shape, expected", [
    (AdaptiveAveragePooling1D, 2, (2, 5, 3), (2, 2, 3)),
    (AdaptiveMaxPooling2D, (2, 1), (2, 4, 5, 3), (2, 2, 1, 3)),
    (AdaptiveAveragePooling3D, 2, (1, 3, 4, 5, 2), (1, 2, 2, 2, 2)),
])
def test_adaptive_pooling_contract(cls, output_size, input_shape, expected):
    layer = layer_checks.check_layer(cls, {"output_size": output_size}, input_shape=input_shape,
                                     expected_output_shape=expected, expected_trainable=0)
    assert layer.get_config()["output_size"] == expected[1:-1]
    first = cls(output_size, data_format="channels_first")
    assert first(KerasTensor((None, 3, *input_shape[1:-1]))).shape == (None, 3, *expected[1:-1])
    assert first.get_config()["data_format"] == "channels_first"


@pytest.mark.parametrize("cls", [AdaptiveAveragePooling2D, AdaptiveMaxPooling2D])
def test_adaptive_pooling_gradients(cls):
    x = np.random.default_rng(0).permutation(30).reshape(1, 5, 3, 2) / 10.0  # distinct maxima
    layer = cls((2, 2), dtype="float64")

    def loss(x):
        return (layer(x) ** 2).sum()

    gradcheck.check_grads(loss, [x], rtol=1e-5, atol=1e-7)


def test_adaptive_pooling_errors():
    with pytest.raises(TypeError, match=r"`output_size` must be a positive int or a tuple of 2"):
        AdaptiveAveragePooling2D((2, 2, 2))
    with pytest.raises(TypeError, match="`output_size`"):
        AdaptiveMaxPooling1D(0)
    with pytest.raises(ValueError, match="`data_format` must be"):
        AdaptiveMaxPooling3D(2, data_format="NHWC")
    with pytest.raises(ValueError, match="expected inputs of rank 4"):
        AdaptiveAveragePooling2D(2).compute_output_shape((2, 3, 4))
