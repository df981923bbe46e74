import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers.rnn.lstm import LSTM, LSTMCell
from tests.helpers import gradcheck, layer_checks
from tests.layers.rnn import numpy_rnn

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 4, 3)).astype("float32")


def _keras_weights(shape, phase):
    """The deterministic weights the pasted Keras reference numbers were computed with."""
    n = int(np.prod(shape))
    return (0.5 * np.sin(np.arange(n) * 0.7 + phase)).reshape(shape).astype("float32")


_KERAS_X = np.cos(np.arange(16) * 0.9).reshape(2, 4, 2).astype("float32")


def _layer_with_weights(units=2, features=3, **kwargs):
    layer = LSTM(units, **kwargs)
    layer.build((2, 4, features))
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=w.shape).astype("float32") * 0.5 for w in layer.weights]
    layer.set_weights(weights)
    return layer, [w.astype(np.float64) for w in weights]


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_matches_numpy(return_sequences, go_backwards):
    layer, (kernel, rk, bias) = _layer_with_weights(return_sequences=return_sequences,
                                                    go_backwards=go_backwards, return_state=True)
    out, h, c = layer(X)
    zeros = np.zeros((2, 2))
    seq, (h_ref, c_ref) = numpy_rnn.run(numpy_rnn.lstm_step(kernel, rk, bias), X, [zeros, zeros],
                                        go_backwards=go_backwards)
    expected = seq if return_sequences else seq[:, -1]
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, h_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c, c_ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("unroll", [False, True])
def test_lstm_masked_steps_keep_state_and_repeat_output(unroll):
    # Sample 0 is padded at the end, sample 1 has a hole in the middle.
    mask = np.array([[True, True, False, False], [True, False, True, True]])
    layer, (kernel, rk, bias) = _layer_with_weights(return_sequences=True, return_state=True,
                                                    unroll=unroll)
    out, h, c = layer(X, mask=mask)
    zeros = np.zeros((2, 2))
    seq, (h_ref, c_ref) = numpy_rnn.run(numpy_rnn.lstm_step(kernel, rk, bias), X, [zeros, zeros],
                                        mask=mask)
    np.testing.assert_allclose(out, seq, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, h_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c, c_ref, rtol=1e-5, atol=1e-6)
    # The padded steps of sample 0 repeat its last real output.
    np.testing.assert_allclose(out[0, 3], out[0, 1], rtol=1e-6)


def test_lstm_initial_state_is_used():
    layer, (kernel, rk, bias) = _layer_with_weights()
    h0 = RNG.normal(size=(2, 2)).astype("float32")
    c0 = RNG.normal(size=(2, 2)).astype("float32")
    out = layer(X, initial_state=[h0, c0])
    seq, _ = numpy_rnn.run(numpy_rnn.lstm_step(kernel, rk, bias), X, [h0, c0])
    np.testing.assert_allclose(out, seq[:, -1], rtol=1e-5, atol=1e-6)


def test_lstm_matches_keras_reference_numbers():
    # Keras 3.15 (jax) LSTM(3, return_sequences=True) with the weights of `_keras_weights`:
    # pins the gate order i, f, c, o and the bias layout.
    layer = LSTM(3, return_sequences=True)
    layer.build((2, 4, 2))
    layer.set_weights([_keras_weights((2, 12), 0.0), _keras_weights((3, 12), 1.0),
                       _keras_weights((12,), 2.0)])
    expected = [[[-0.191809, 0.0026, 0.136669], [-0.03909, 0.020874, 0.063907],
                 [0.10204, 0.127331, 0.096672], [-0.096411, 0.175538, 0.192997]],
                [[-0.102717, -0.031766, 0.051782], [0.053226, 0.063747, 0.061945],
                 [0.048626, 0.186892, 0.137933], [-0.146528, 0.092392, 0.187879]]]
    np.testing.assert_allclose(layer(_KERAS_X), expected, atol=2e-6)


def test_lstm_masked_go_backwards_matches_keras_reference_numbers():
    layer = LSTM(3, return_sequences=True, go_backwards=True, return_state=True)
    layer.build((2, 4, 2))
    layer.set_weights([_keras_weights((2, 12), 0.0), _keras_weights((3, 12), 1.0),
                       _keras_weights((12,), 2.0)])
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 0]], bool)
    out, h, c = layer(_KERAS_X, mask=mask)
    # Keras 3.15 (jax), same weights and mask.
    np.testing.assert_allclose(out, [
        [[-0.144143, 0.122036, 0.156553], [-0.144143, 0.122036, 0.156553],
         [-0.010893, 0.07338, 0.088346], [-0.180689, 0.042595, 0.16249]],
        [[0.0, 0.0, 0.0], [0.024525, 0.164663, 0.116409],
         [0.103876, 0.135784, 0.104395], [0.103876, 0.135784, 0.104395]]], atol=2e-6)
    np.testing.assert_allclose(h, [[-0.180689, 0.042595, 0.16249],
                                   [0.103876, 0.135784, 0.104395]], atol=2e-6)
    np.testing.assert_allclose(c, [[-0.279261, 0.06641, 0.302356],
                                   [0.20777, 0.328067, 0.278075]], atol=2e-6)


def test_lstm_weights_shapes_paths_and_forget_bias():
    layer = LSTM(3, name="lstm_a")
    layer.build((None, 4, 5))
    assert [w.path for w in layer.weights] == ["lstm_a/lstm_cell/kernel",
                                               "lstm_a/lstm_cell/recurrent_kernel",
                                               "lstm_a/lstm_cell/bias"]
    assert [w.shape for w in layer.weights] == [(5, 12), (3, 12), (12,)]
    np.testing.assert_array_equal(layer.cell.bias.value, [0] * 3 + [1] * 3 + [0] * 6)
    plain = LSTM(3, unit_forget_bias=False, bias_initializer="ones")
    plain.build((None, 4, 5))
    np.testing.assert_array_equal(plain.cell.bias.value, np.ones(12))
    assert layer.units == 3 and layer.cell.units == 3 and layer.unit_forget_bias is True


@pytest.mark.parametrize("kwargs,out_shape", [({}, (2, 4)),
                                              ({"return_sequences": True}, (2, 5, 4)),
                                              ({"use_bias": False, "go_backwards": True}, (2, 4))])
def test_lstm_contract(kwargs, out_shape):
    layer_checks.check_layer(LSTM, {"units": 4, **kwargs}, input_shape=(2, 5, 3),
                             expected_output_shape=out_shape,
                             expected_trainable=2 if kwargs.get("use_bias") is False else 3)


def test_lstm_config_round_trip_keeps_arguments():
    layer = LSTM(5, activation="relu", recurrent_activation="hard_sigmoid", dropout=0.25,
                 recurrent_dropout=0.5, seed=3, return_state=True, unit_forget_bias=False)
    config = layer.get_config()
    assert "cell" not in config
    assert config["units"] == 5 and config["recurrent_dropout"] == 0.5 and config["seed"] == 3
    clone = LSTM.from_config(config)
    assert clone.get_config() == {**config, "name": clone.name}
    assert clone.recurrent_activation is layer.recurrent_activation


def test_lstm_gradients_wrt_inputs_and_kernels():
    with gradcheck.float64_mode():
        layer = LSTM(2, return_sequences=True)
        layer.build((2, 3, 2))
        weights = [np.asarray(w) for w in layer.get_weights()]

    def loss(x, kernel, recurrent_kernel, bias):
        out, _ = layer.stateless_call([kernel, recurrent_kernel, bias],
                                      [v.value for v in layer.non_trainable_variables], x)
        return ops.sum(ops.square(out))

    x = np.random.default_rng(3).normal(size=(2, 3, 2))
    # Compiled once, so the finite differences rerun the program instead of retracing it; this
    # also checks that the layer traces under jit.
    gradcheck.check_grads(backend.transforms.jit(loss), [x, *weights], rtol=1e-5, atol=1e-7)


def test_lstm_dropout_only_in_training_and_reproducible():
    x = RNG.normal(size=(3, 5, 4)).astype("float32")
    layer = LSTM(3, dropout=0.5, recurrent_dropout=0.5, seed=7)
    reference = LSTM(3)
    reference.build(x.shape)
    layer.build(x.shape)
    reference.set_weights(layer.get_weights())
    np.testing.assert_allclose(layer(x), reference(x), rtol=1e-6)
    np.testing.assert_allclose(layer(x, training=False), layer(x), rtol=1e-6)
    dropped = layer(x, training=True)
    assert np.abs(np.asarray(dropped) - np.asarray(reference(x))).max() > 1e-3
    twin = LSTM(3, dropout=0.5, recurrent_dropout=0.5, seed=7)
    twin.build(x.shape)
    twin.set_weights(layer.get_weights())
    np.testing.assert_allclose(twin(x, training=True), dropped, rtol=1e-6)
    # As Keras: one mask for all gates, unless recurrent dropout asks for one per gate.
    cell = LSTMCell(3, dropout=0.5, seed=1)
    assert cell.dropout_mask_count is None
    assert LSTMCell(3, recurrent_dropout=0.1).dropout_mask_count == 4


def test_lstm_dropout_matches_numpy_with_the_drawn_masks():
    # With input dropout only, a training call equals the no-dropout recurrence on x * mask,
    # where the mask is the same at every step (drawn once per sequence).
    x = RNG.normal(size=(3, 5, 4)).astype("float32")
    layer = LSTM(2, dropout=0.5, seed=11)
    layer.build(x.shape)
    kernel, rk, bias = [w.astype(np.float64) for w in layer.get_weights()]
    out = np.asarray(layer(x, training=True))
    # Watch the mask a twin with the same seed draws (the same mask) as the cell receives it.
    twin = LSTM(2, dropout=0.5, seed=11)
    twin.build(x.shape)
    twin.set_weights(layer.get_weights())
    seen = {}
    original = twin.cell._project_inputs

    def spy(inputs, dropout_mask):
        seen["mask"] = np.asarray(dropout_mask)
        return original(inputs, dropout_mask)

    twin.cell._project_inputs = spy
    np.testing.assert_allclose(twin(x, training=True), out, rtol=1e-6)
    mask = seen["mask"]
    assert mask.shape == (1, 3, 4)  # the cell projects time-first inputs: (time, batch, features)
    mask = np.swapaxes(mask, 0, 1)
    assert set(np.unique(mask)) <= {0.0, 2.0}
    zeros = np.zeros((3, 2))
    seq, _ = numpy_rnn.run(numpy_rnn.lstm_step(kernel, rk, bias), x * mask, [zeros, zeros])
    np.testing.assert_allclose(out, seq[:, -1], rtol=1e-5, atol=1e-6)


def test_lstm_sequence_classifier_trains():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(32, 6, 2)).astype("float32")
    y = (x[:, :, 0].sum(axis=1) > 0).astype("int32")
    model = lamina.Sequential([layers.Input((6, 2)), LSTM(8), layers.Dense(2)])
    model.compile(optimizer=lamina.optimizers.Adam(0.02),
                  loss=lamina.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x, y, epochs=6, batch_size=8, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] - 0.05, losses


def test_lstm_functional_return_state_shapes():
    inputs = layers.Input((7, 3))
    out, h, c = LSTM(4, return_sequences=True, return_state=True)(inputs)
    assert out.shape == (None, 7, 4) and h.shape == (None, 4) and c.shape == (None, 4)
    model = lamina.Model(inputs, [out, h, c])
    values = model(RNG.normal(size=(2, 7, 3)).astype("float32"))
    assert [tuple(v.shape) for v in values] == [(2, 7, 4), (2, 4), (2, 4)]
    np.testing.assert_allclose(values[0][:, -1], values[1], rtol=1e-6)


@pytest.mark.parametrize("units", [0, -2, 2.5, True])
def test_lstm_rejects_bad_units(units):
    with pytest.raises(ValueError, match=r"LSTM: `units` must be a positive int"):
        LSTM(units)
    with pytest.raises(ValueError, match=r"LSTMCell: `units` must be a positive int"):
        LSTMCell(units)


def test_lstm_rejects_bad_dropout_and_use_cudnn():
    with pytest.raises(ValueError, match=r"`dropout` must be a float in \[0, 1\)"):
        LSTM(2, dropout=1.5)
    with pytest.raises(ValueError, match=r"use_cudnn"):
        LSTM(2, use_cudnn="yes")
