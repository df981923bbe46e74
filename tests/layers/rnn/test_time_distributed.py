import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers.rnn.time_distributed import TimeDistributed
from tests.helpers import gradcheck, layer_checks


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_time_distributed_dense_contract():
    layer_checks.check_layer(TimeDistributed, {"layer": layers.Dense(3)}, input_shape=(2, 4, 5),
                             expected_output_shape=(2, 4, 3), expected_trainable=2)


def test_time_distributed_dense_equals_per_step_matmul():
    layer = TimeDistributed(layers.Dense(3, activation="tanh"))
    x = _x(2, 4, 5)
    out = np.asarray(layer(x))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (5, 3)
    for t in range(4):
        np.testing.assert_allclose(out[:, t], np.tanh(x[:, t] @ kernel + bias), rtol=1e-5,
                                   atol=1e-6)


def test_time_distributed_weight_paths_as_keras():
    layer = TimeDistributed(layers.Dense(3, name="dense"), name="time_distributed")
    layer(_x(2, 4, 5))
    assert [w.path for w in layer.weights] == ["time_distributed/dense/kernel",
                                               "time_distributed/dense/bias"]


def test_time_distributed_conv2d_equals_per_step_numpy_conv():
    conv = layers.Conv2D(2, 2, use_bias=False)
    layer = TimeDistributed(conv)
    x = _x(2, 3, 4, 4, 1)
    out = np.asarray(layer(x))
    assert out.shape == (2, 3, 3, 3, 2)
    (kernel,) = layer.get_weights()
    # Valid 2x2 cross-correlation of each frame, written out.
    expected = np.zeros((2, 3, 3, 3, 2))
    for i in range(3):
        for j in range(3):
            window = x[:, :, i:i + 2, j:j + 2, :]
            expected[:, :, i, j, :] = np.einsum("btpqc,pqcf->btf", window, kernel)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_time_distributed_lstm_runs_on_every_outer_step():
    from lamina.layers.rnn.lstm import LSTM

    lstm = LSTM(3)
    layer = TimeDistributed(lstm)
    x = _x(2, 4, 6, 5)
    out = np.asarray(layer(x))
    assert out.shape == (2, 4, 3)
    for t in (0, 3):
        np.testing.assert_allclose(out[:, t], lstm(x[:, t]), rtol=1e-5, atol=1e-6)
    assert layer(layers.Input((4, 6, 5))).shape == (None, 4, 3)


def test_time_distributed_symbolic_shapes():
    inputs = layers.Input((6, 5, 5, 3))
    out = TimeDistributed(layers.Conv2D(4, 3, padding="same"))(inputs)
    assert out.shape == (None, 6, 5, 5, 4)
    dense_out = TimeDistributed(layers.Dense(2))(layers.Input((7, 3), batch_size=4))
    assert dense_out.shape == (4, 7, 2)
    layer = TimeDistributed(layers.Dense(2))
    assert layer.compute_output_shape((None, None, 3)) == (None, None, 2)


def test_time_distributed_inner_layer_without_compute_output_shape():
    layer = TimeDistributed(layers.Lambda(lambda x: ops.sum(x, axis=-1)))
    assert layer(layers.Input((4, 3))).shape == (None, 4)
    np.testing.assert_allclose(layer(_x(2, 4, 3)), _x(2, 4, 3).sum(-1), rtol=1e-6)


@pytest.mark.parametrize("shape", [(4, 5), (5,)])
def test_time_distributed_rejects_inputs_below_rank_3(shape):
    layer = TimeDistributed(layers.Dense(2), name="td")
    with pytest.raises(ValueError, match=r"TimeDistributed 'td' expected one input of rank >= 3"):
        layer(np.ones(shape, "float32"))
    with pytest.raises(ValueError, match=r"rank >= 3.*\(None, 5\)"):
        TimeDistributed(layers.Dense(2))(layers.Input((5,)))


def test_time_distributed_passes_mask_through_and_to_the_inner_layer():
    seen = {}

    class MaskedScale(layers.Layer):
        def call(self, inputs, mask=None):
            seen["mask"] = mask
            return ops.multiply(inputs, ops.expand_dims(ops.cast(mask, inputs.dtype), -1))

    x = _x(2, 3, 2)
    x[0, 2] = 0.0
    x[1, 0] = 0.0
    masked = layers.Masking()(x)
    out = TimeDistributed(MaskedScale())(masked)
    expected_mask = [[True, True, False], [False, True, True]]
    assert np.asarray(seen["mask"]).tolist() == [True, True, False, False, True, True]
    assert np.asarray(backend.get_keras_mask(out)).tolist() == expected_mask
    np.testing.assert_allclose(out, x, rtol=1e-6)
    # An inner layer that takes no mask still leaves the mask on the output.
    dense_out = TimeDistributed(layers.Dense(2))(masked)
    assert np.asarray(backend.get_keras_mask(dense_out)).tolist() == expected_mask


def test_time_distributed_rejects_mask_of_wrong_shape():
    class TakesMask(layers.Layer):
        def call(self, inputs, mask=None):
            return inputs

    with pytest.raises(ValueError, match=r"mask's first two axes.*\(2, 3\).*\(2, 4\)"):
        TimeDistributed(TakesMask())(_x(2, 3, 2), mask=np.ones((2, 4), bool))


def test_time_distributed_forwards_training_flag():
    layer = TimeDistributed(layers.Dropout(0.5, seed=1))
    x = np.ones((2, 3, 8), "float32")
    np.testing.assert_array_equal(layer(x, training=False), x)
    dropped = np.asarray(layer(x, training=True))
    assert set(np.unique(dropped).tolist()) <= {0.0, 2.0} and (dropped == 0).any()


def test_time_distributed_gradients():
    with gradcheck.float64_mode():
        layer = TimeDistributed(layers.Dense(2, activation="tanh"))
        layer.build((2, 3, 4))

        def loss(x, kernel, bias):
            outputs, _ = layer.stateless_call([kernel, bias], [], x)
            return ops.sum(ops.square(outputs))

        kernel, bias = [np.asarray(w) for w in layer.get_weights()]
    x = _x(2, 3, 4).astype("float64")
    gradcheck.check_grads(backend.transforms.jit(loss), [x, kernel, bias])


def test_time_distributed_config_round_trip():
    layer = TimeDistributed(layers.Dense(3, name="inner"), name="td")
    config = layer.get_config()
    assert config["layer"]["class_name"] == "Dense" and config["layer"]["config"]["name"] == "inner"
    clone = TimeDistributed.from_config(config)
    assert clone.get_config() == config
    restored = layers.deserialize(layers.serialize(layer),
                                  custom_objects={"TimeDistributed": TimeDistributed})
    assert isinstance(restored.layer, layers.Dense) and restored.layer.units == 3


@pytest.mark.parametrize("functional", [False, True])
def test_time_distributed_in_models_fits(functional):
    if functional:
        inputs = layers.Input((4, 3))
        outputs = TimeDistributed(layers.Dense(2))(inputs)
        model = lamina.Model(inputs, outputs)
    else:
        model = lamina.Sequential([layers.Input((4, 3)), TimeDistributed(layers.Dense(2))])
    model.compile(optimizer=lamina.optimizers.SGD(0.1), loss="mse")
    x, y = _x(8, 4, 3), _x(8, 4, 2, seed=1)
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0]
    assert model.predict(x, verbose=0).shape == (8, 4, 2)


def test_time_distributed_with_conv2d_in_sequential_fit():
    model = lamina.Sequential([layers.Input((2, 4, 4, 1)),
                               TimeDistributed(layers.Conv2D(2, 3)),
                               layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(_x(4, 2, 4, 4, 1), _x(4, 1), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
