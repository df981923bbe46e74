import numpy as np
import pytest

import lamina
from lamina import layers, ops


class Scale(layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")

    def call(self, inputs):
        self.count.assign(self.count + 1.0)
        return inputs * self.scale


class Block(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = layers.Dense(3, name="first")
        self.drop = layers.Dropout(0.5, seed=1)
        self.second = Scale(name="second")

    def call(self, inputs, training=None):
        return self.second(self.drop(self.first(inputs)))


def test_weights_are_tracked_in_keras_order():
    block = Block()
    block(np.ones((2, 4), "float32"))
    assert [w.path for w in block.weights] == [
        "first/kernel", "first/bias", "second/scale", "second/count"]
    assert [w.path for w in block.trainable_weights] == ["first/kernel", "first/bias",
                                                         "second/scale"]
    assert [w.path for w in block.non_trainable_weights] == ["second/count"]
    # Random-seed state is non-trainable state but not a weight.
    assert len(block.non_trainable_variables) == 2
    assert block.count_params() == 4 * 3 + 3 + 3 + 1


def test_reassigning_an_attribute_replaces_the_tracked_layer():
    block = Block()
    block.first = layers.Dense(2, name="replacement")
    block(np.ones((1, 4), "float32"))
    assert [w.path for w in block.weights][:2] == ["replacement/kernel", "replacement/bias"]
    assert all("first" not in w.path for w in block.weights)


def test_freezing_a_layer_moves_its_weights_to_non_trainable():
    block = Block()
    block(np.ones((1, 4), "float32"))
    block.first.trainable = False
    assert [w.path for w in block.trainable_weights] == ["second/scale"]
    assert len(block.non_trainable_weights) == 3


def test_calling_build_directly_marks_built_and_keeps_weights():
    layer = layers.Dense(2)
    layer.build((None, 3))
    assert layer.built
    kernel = layer.kernel
    layer(np.ones((1, 3), "float32"))
    assert layer.kernel is kernel


def test_stateless_call_returns_updates_and_mutates_nothing():
    layer = Scale()
    x = np.array([[1.0, 2.0]], "float32")
    layer(x)
    assert float(layer.count.value) == 1.0
    out, non_trainable = layer.stateless_call([np.array([2.0, 3.0], "float32")],
                                              [np.array(10.0, "float32")], x)
    np.testing.assert_allclose(out, [[2.0, 6.0]])
    assert float(non_trainable[0]) == 11.0
    assert float(layer.count.value) == 1.0
    np.testing.assert_allclose(layer.scale.value, [1.0, 1.0])


def test_stateless_call_rejects_wrong_number_of_values():
    layer = Scale()
    layer(np.ones((1, 2), "float32"))
    with pytest.raises(ValueError, match="expected 1 trainable and 1 non-trainable"):
        layer.stateless_call([], [], np.ones((1, 2), "float32"))


def test_training_flag_reaches_nested_layers():
    block = Block()
    x = np.ones((64, 4), "float32")
    inference = np.asarray(block(x))
    training = np.asarray(block(x, training=True))
    assert np.array_equal(inference, np.asarray(block(x, training=False)))
    # Dropout at rate 0.5 zeroes about half the units only in training mode.
    zero_fraction = np.mean(training == 0)
    assert 0.3 < zero_fraction < 0.7
    assert np.mean(inference == 0) < 0.2


def test_add_loss_and_activity_regularizer():
    class WithLoss(layers.Layer):
        def call(self, inputs):
            self.add_loss(ops.sum(inputs))
            return inputs

    layer = WithLoss()
    layer(np.array([[1.0, 2.0]], "float32"))
    assert [float(v) for v in layer.losses] == [3.0]
    layer(np.array([[5.0, 0.0]], "float32"))
    assert [float(v) for v in layer.losses] == [5.0]   # losses reset at each outer call

    dense = layers.Dense(2, kernel_initializer="ones", activity_regularizer="l1")
    x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
    y = np.asarray(dense(x))
    np.testing.assert_allclose(float(dense.losses[0]), 0.01 * np.abs(y).sum() / 2, rtol=1e-6)


def test_get_and_set_weights_validate():
    layer = layers.Dense(2)
    layer.build((None, 3))
    with pytest.raises(ValueError, match=r"expected 2 arrays"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"'kernel' has shape \(3, 2\).*\(2, 2\)"):
        layer.set_weights([np.zeros((2, 2)), np.zeros(2)])


def test_unknown_constructor_argument_is_named():
    with pytest.raises(TypeError, match=r"unrecognized keyword argument\(s\) \['unitz'\]"):
        layers.Dense(2, unitz=3)


def test_automatic_names_are_unique():
    a, b = layers.Dense(1), layers.Dense(1)
    assert a.name != b.name and a.name.startswith("dense") and b.name.startswith("dense")


def test_symbolic_call_infers_shape_and_records_node():
    x = lamina.Input((5,))
    y = layers.Dense(3)(x)
    assert y.shape == (None, 3) and y.dtype == "float32"
    z = ops.add(y, 1.0)
    assert z.shape == (None, 3) and z.node.operation is ops.add


def test_layer_without_compute_output_shape_is_inferred_abstractly():
    class Double(layers.Layer):
        def call(self, inputs):
            return ops.concatenate([inputs, inputs], axis=-1)

    y = Double()(lamina.Input((None, 4)))
    assert y.shape == (None, None, 8)


def test_layer_config_round_trip():
    block_config = layers.Dense(3, activation="relu", name="d").get_config()
    clone = layers.Dense.from_config(block_config)
    assert clone.units == 3 and clone.name == "d" and clone.get_config() == block_config


class _MaskZeros(layers.Layer):
    """Marks time steps whose features are all zero as padding."""

    def call(self, inputs):
        return inputs

    def compute_mask(self, inputs, previous_mask=None):
        return ops.any(ops.not_equal(inputs, 0.0), axis=-1)


class _MaskedMean(layers.Layer):
    """Mean over the time steps the mask keeps."""

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=1)
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        return ops.sum(inputs * weights, axis=1) / ops.sum(weights, axis=1)


def _masked_mean_reference(x, kernel, bias):
    keep = np.any(x != 0, axis=-1)
    h = x @ kernel + bias
    return np.stack([h[i][keep[i]].mean(axis=0) for i in range(len(x))])


def _padded_batch():
    x = np.random.default_rng(0).normal(size=(3, 4, 2)).astype("float32")
    x[0, 2:] = 0.0   # sample 0 has 2 real steps, sample 1 has 3
    x[1, 3:] = 0.0
    return x


def test_mask_flows_through_supporting_layers_eagerly():
    x = _padded_batch()
    maker, dense, mean = _MaskZeros(), layers.Dense(3), _MaskedMean()
    hidden = dense(maker(x))
    assert lamina.backend.get_keras_mask(hidden).tolist() == np.any(x != 0, -1).tolist()
    kernel, bias = dense.get_weights()
    np.testing.assert_allclose(mean(hidden), _masked_mean_reference(x, kernel, bias),
                               rtol=1e-5, atol=1e-6)


def test_mask_flows_through_functional_and_compiled_training():
    x = _padded_batch()
    inputs = lamina.Input((4, 2))
    outputs = _MaskedMean()(layers.Dense(3, name="proj")(_MaskZeros()(inputs)))
    model = lamina.Model(inputs, outputs)
    kernel, bias = model.get_layer("proj").get_weights()
    expected = _masked_mean_reference(x, kernel, bias)
    np.testing.assert_allclose(model(x), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    model.compile("sgd", "mse")
    loss = model.evaluate(x, np.zeros((3, 3), "float32"), verbose=0)
    np.testing.assert_allclose(loss, np.mean(expected ** 2), rtol=1e-5)


def test_layer_without_mask_support_stops_the_mask():
    x = _padded_batch()

    class Plain(layers.Layer):
        def call(self, inputs):
            return inputs * 2.0

    out = Plain()(_MaskZeros()(x))
    assert lamina.backend.get_keras_mask(out) is None
