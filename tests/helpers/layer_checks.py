"""Small checks every layer should pass, each callable alone."""

import numpy as np

import lamina
from lamina import backend
from lamina.ops.symbolic import KerasTensor


def check_weights(layer, expected_trainable, expected_non_trainable=0):
    assert len(layer.trainable_weights) == expected_trainable, \
        [w.path for w in layer.trainable_weights]
    assert len(layer.non_trainable_weights) == expected_non_trainable


def check_shapes_agree(layer, input_shape, expected_output_shape):
    """Eager call, symbolic call and compute_output_shape give the same shape."""
    x = np.random.default_rng(0).normal(size=input_shape).astype("float32")
    eager = layer(x)
    assert tuple(eager.shape) == tuple(expected_output_shape)
    symbolic = layer(KerasTensor((None, *input_shape[1:])))
    assert symbolic.shape == (None, *expected_output_shape[1:])
    if type(layer).compute_output_shape is not lamina.Layer.compute_output_shape:
        assert tuple(layer.compute_output_shape(tuple(input_shape))) == tuple(expected_output_shape)
    return eager


def check_config_round_trip(layer, input_shape):
    x = np.random.default_rng(1).normal(size=input_shape).astype("float32")
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == {**layer.get_config(), "name": clone.name}
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x), layer(x), rtol=1e-6, atol=1e-6)


def check_stateless_call(layer, input_shape):
    """stateless_call equals __call__ and mutates nothing."""
    x = np.random.default_rng(2).normal(size=input_shape).astype("float32")
    before = [np.array(w) for w in layer.get_weights()]
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    out, _ = layer.stateless_call(trainable, non_trainable, x)
    np.testing.assert_allclose(out, layer(x), rtol=1e-6, atol=1e-6)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)


def check_layer(cls, init_kwargs, input_shape, expected_output_shape, expected_trainable,
                expected_non_trainable=0):
    layer = cls(**init_kwargs)
    check_shapes_agree(layer, input_shape, expected_output_shape)
    check_weights(layer, expected_trainable, expected_non_trainable)
    check_stateless_call(layer, input_shape)
    check_config_round_trip(layer, input_shape)
    return layer


def as_numpy(x):
    return backend.convert_to_numpy(x)
