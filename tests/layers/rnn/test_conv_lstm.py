import itertools

import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers.rnn.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, ConvLSTMCell
from tests.helpers import gradcheck, layer_checks

CUSTOM = {"ConvLSTM1D": ConvLSTM1D, "ConvLSTM2D": ConvLSTM2D, "ConvLSTM3D": ConvLSTM3D}


# -- NumPy reference -------------------------------------------------------------------------------

def np_conv(x, kernel, strides=1, padding="valid", dilation=1):
    """Channels-last N-D cross-correlation, written out with one slice per kernel tap."""
    rank = x.ndim - 2
    strides = (strides,) * rank if isinstance(strides, int) else strides
    dilation = (dilation,) * rank if isinstance(dilation, int) else dilation
    spatial = x.shape[1:-1]
    span = [(k - 1) * d + 1 for k, d in zip(kernel.shape[:rank], dilation)]
    if padding == "same":
        out = [-(-n // s) for n, s in zip(spatial, strides)]
        total = [max((o - 1) * s + k - n, 0) for o, s, k, n in zip(out, strides, span, spatial)]
        x = np.pad(x, [(0, 0)] + [(t // 2, t - t // 2) for t in total] + [(0, 0)])
    else:
        out = [(n - k) // s + 1 for n, k, s in zip(spatial, span, strides)]
    result = np.zeros((x.shape[0], *out, kernel.shape[-1]))
    for tap in itertools.product(*[range(k) for k in kernel.shape[:rank]]):
        index = tuple(slice(t * d, t * d + (o - 1) * s + 1, s)
                      for t, d, o, s in zip(tap, dilation, out, strides))
        result += x[(slice(None), *index)] @ kernel[tap]
    return result


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def np_conv_lstm(x, kernel, recurrent, bias, strides=1, padding="valid", dilation=1,
                 mask=None, h0=None, c0=None, go_backwards=False, zero_output_for_mask=False):
    """Outputs per step (processing order), final h and final c of a channels-last ConvLSTM."""
    steps = range(x.shape[1])
    h = c = None
    outputs = []
    for t in (reversed(steps) if go_backwards else steps):
        z = np_conv(x[:, t], kernel, strides, padding, dilation) + bias
        if h is None:
            h = np.zeros(z.shape[:-1] + (kernel.shape[-1] // 4,)) if h0 is None else h0
            c = np.zeros_like(h) if c0 is None else c0
        z = z + np_conv(h, recurrent, 1, "same")
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
        new_c = sigmoid(z_f) * c + sigmoid(z_i) * np.tanh(z_c)
        new_h = sigmoid(z_o) * np.tanh(new_c)
        output = new_h
        if mask is not None:
            m = mask[:, t].reshape((-1,) + (1,) * (h.ndim - 1))
            output = np.where(m, new_h, 0.0 if zero_output_for_mask else h)
            new_h, new_c = np.where(m, new_h, h), np.where(m, new_c, c)
        h, c = new_h, new_c
        outputs.append(output)
    return np.stack(outputs, axis=1), h, c


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _random_weights(layer, seed=1):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(scale=0.3, size=w.shape).astype("float32") for w in layer.weights]
    layer.set_weights(weights)
    return weights


# -- numerics ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {},
    {"padding": "same"},
    {"strides": 2},
    {"padding": "same", "dilation_rate": 2},
    {"go_backwards": True, "padding": "same"},
])
def test_conv_lstm2d_matches_numpy(kwargs):
    x = _x(2, 3, 5, 5, 2)
    layer = ConvLSTM2D(3, 3, return_sequences=True, return_state=True, **kwargs)
    layer.build(x.shape)
    kernel, recurrent, bias = _random_weights(layer)
    outputs, h, c = layer(x)
    expected, expected_h, expected_c = np_conv_lstm(
        x, kernel, recurrent, bias, strides=kwargs.get("strides", 1),
        padding=kwargs.get("padding", "valid"), dilation=kwargs.get("dilation_rate", 1),
        go_backwards=kwargs.get("go_backwards", False))
    np.testing.assert_allclose(outputs, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h, expected_h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c, expected_c, rtol=1e-4, atol=1e-5)


def test_conv_lstm2d_last_output_without_sequences():
    x = _x(2, 3, 5, 5, 2)
    layer = ConvLSTM2D(3, 3)
    layer.build(x.shape)
    kernel, recurrent, bias = _random_weights(layer)
    expected, _, _ = np_conv_lstm(x, kernel, recurrent, bias)
    out = layer(x)
    assert out.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(out, expected[:, -1], rtol=1e-4, atol=1e-5)


def test_conv_lstm1d_matches_numpy():
    x = _x(2, 4, 6, 2)
    layer = ConvLSTM1D(2, 3, padding="same", return_sequences=True)
    layer.build(x.shape)
    kernel, recurrent, bias = _random_weights(layer)
    expected, _, _ = np_conv_lstm(x, kernel, recurrent, bias, padding="same")
    out = layer(x)
    assert out.shape == (2, 4, 6, 2)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_conv_lstm3d_matches_numpy():
    x = _x(1, 2, 4, 4, 3, 1)
    layer = ConvLSTM3D(2, 2, return_state=True)
    layer.build(x.shape)
    kernel, recurrent, bias = _random_weights(layer)
    assert kernel.shape == (2, 2, 2, 1, 8) and recurrent.shape == (2, 2, 2, 2, 8)
    expected, expected_h, expected_c = np_conv_lstm(x, kernel, recurrent, bias)
    out, h, c = layer(x)
    assert out.shape == (1, 3, 3, 2, 2)
    np.testing.assert_allclose(out, expected[:, -1], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h, expected_h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c, expected_c, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("zero_output_for_mask", [False, True])
def test_conv_lstm_mask_keeps_state_at_masked_steps(zero_output_for_mask):
    x = _x(2, 4, 5, 2)
    mask = np.array([[True, False, True, True], [True, True, False, False]])
    layer = ConvLSTM1D(3, 3, return_sequences=True, return_state=True,
                       zero_output_for_mask=zero_output_for_mask)
    layer.build(x.shape)
    kernel, recurrent, bias = _random_weights(layer)
    expected, expected_h, expected_c = np_conv_lstm(x, kernel, recurrent, bias, mask=mask,
                                                    zero_output_for_mask=zero_output_for_mask)
    outputs, h, c = layer(x, mask=mask)
    np.testing.assert_allclose(outputs, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h, expected_h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c, expected_c, rtol=1e-4, atol=1e-5)
    last = ConvLSTM1D(3, 3, zero_output_for_mask=zero_output_for_mask)
    last.build(x.shape)
    last.set_weights([kernel, recurrent, bias])
    np.testing.assert_allclose(last(x, mask=mask), expected[:, -1], rtol=1e-4, atol=1e-5)


def test_conv_lstm_initial_state():
    x = _x(2, 3, 5, 2)
    h0, c0 = _x(2, 3, 2, seed=5), _x(2, 3, 2, seed=6)
    layer = ConvLSTM1D(2, 3, return_sequences=True)
    layer.build(x.shape)
    kernel, recurrent, bias = _random_weights(layer)
    expected, _, _ = np_conv_lstm(x, kernel, recurrent, bias, h0=h0, c0=c0)
    np.testing.assert_allclose(layer(x, initial_state=[h0, c0]), expected, rtol=1e-4,
                               atol=1e-5)
    with pytest.raises(ValueError, match=r"initial states of shapes \[\(2, 3, 2\), \(2, 3, 2\)\]"):
        layer(x, initial_state=[h0[:, :2], c0[:, :2]])


def test_conv_lstm_channels_first_equals_channels_last():
    x = _x(2, 3, 5, 4, 2)
    last = ConvLSTM2D(3, 3, padding="same", return_sequences=True)
    first = ConvLSTM2D(3, 3, padding="same", return_sequences=True,
                       data_format="channels_first")
    last.build(x.shape)
    x_first = np.transpose(x, (0, 1, 4, 2, 3))
    first.build(x_first.shape)
    first.set_weights(_random_weights(last))
    np.testing.assert_allclose(np.transpose(first(x_first), (0, 1, 3, 4, 2)), last(x),
                               rtol=1e-5, atol=1e-5)
    assert first.compute_output_shape((None, 3, 2, 5, 4)) == (None, 3, 3, 5, 4)


def test_conv_lstm_cell_one_step_matches_numpy():
    cell = ConvLSTMCell(2, 3, 3, padding="same")
    x, h, c = _x(2, 4, 4, 2), _x(2, 4, 4, 3, seed=1), _x(2, 4, 4, 3, seed=2)
    cell.build(x.shape)
    kernel, recurrent, bias = _random_weights(cell)
    out, (new_h, new_c) = cell(x, [h, c])
    expected, expected_h, expected_c = np_conv_lstm(x[:, None], kernel, recurrent, bias,
                                                    padding="same", h0=h, c0=c)
    np.testing.assert_allclose(out, expected[:, 0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(new_h, expected_h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(new_c, expected_c, rtol=1e-4, atol=1e-5)
    assert [tuple(s.shape) for s in cell.get_initial_state(batch_size=2)] == [(2, 4, 4, 3)] * 2


def test_conv_lstm_input_convolution_runs_once_for_all_steps():
    x = _x(2, 4, 6, 2)
    layer = ConvLSTM1D(3, 3, return_sequences=True)
    layer.build(x.shape)
    shapes = []
    original = layer.cell.input_conv

    def recording(inputs):
        shapes.append(tuple(inputs.shape))
        return original(inputs)

    layer.cell.input_conv = recording
    layer(x)
    assert shapes == [(8, 6, 2)]


# -- Keras 3 reference numbers (fixed weights) pin the gate order and the weight layout ----------

def _fixed(shape, scale, fn=np.sin, phase=0.0):
    n = int(np.prod(shape))
    return (scale * fn(0.37 * np.arange(n) + phase)).reshape(shape).astype("float32")


KERAS_X = _fixed((2, 3, 5, 5, 2), 1.0, phase=0.5)
KERAS_WEIGHTS = [_fixed((3, 3, 2, 12), 0.3), _fixed((3, 3, 3, 12), 0.2, np.cos),
                 _fixed((12,), 0.1, phase=1.0)]
KERAS_VALID_OUTPUT = np.array([
    [[[-0.1380035, -0.1193139, -0.0844933], [-0.0482587, -0.0072419, 0.0359828],
      [0.0676711, 0.0987213, 0.1174034]],
     [[0.0883444, 0.0046909, -0.0729114], [-0.052325, -0.1116306, -0.1483748],
      [-0.1275238, -0.1490538, -0.154814]],
     [[-0.0036553, 0.0430771, 0.0849223], [0.1119025, 0.1326938, 0.1352534],
      [0.1588537, 0.1344702, 0.0857878]]],
    [[[-0.1374405, -0.1603987, -0.1676271], [-0.1436923, -0.1366387, -0.1135444],
      [-0.0816575, -0.0469298, -0.0046996]],
     [[0.1738519, 0.1516386, 0.102475], [0.1198702, 0.0488713, -0.0289349],
      [-0.0085711, -0.0775088, -0.1259223]],
     [[-0.141192, -0.117623, -0.0770809], [-0.0501324, -0.0071773, 0.0381369],
      [0.0686091, 0.0982351, 0.1153502]]]])


def test_conv_lstm2d_matches_keras_literals():
    layer = ConvLSTM2D(3, 3)
    layer.build(KERAS_X.shape)
    layer.set_weights(KERAS_WEIGHTS)
    np.testing.assert_allclose(layer(KERAS_X), KERAS_VALID_OUTPUT, atol=2e-6)


def test_conv_lstm2d_backwards_same_padding_matches_keras_literals():
    layer = ConvLSTM2D(3, 3, padding="same", return_sequences=True, return_state=True,
                       go_backwards=True)
    layer.build(KERAS_X.shape)
    layer.set_weights(KERAS_WEIGHTS)
    out, h, c = [np.asarray(t) for t in layer(KERAS_X)]
    np.testing.assert_allclose(out.sum(axis=(2, 3, 4)),
                               [[-0.2973189, -0.2423728, -0.1063446],
                                [-1.0624926, -1.2411743, -1.0423472]], atol=2e-5)
    np.testing.assert_allclose(h.sum(axis=(1, 2, 3)), [-0.1063446, -1.0423472], atol=2e-5)
    np.testing.assert_allclose(c.sum(axis=(1, 2, 3)), [-0.5887978, -2.5785816], atol=2e-5)
    np.testing.assert_allclose(out[0, :, 2, 2, :], [[-0.012341, -0.0533136, -0.0858034],
                                                    [-0.0469213, -0.1009626, -0.137822],
                                                    [-0.0901667, -0.1389432, -0.1660647]],
                               atol=2e-6)


# -- gradients -----------------------------------------------------------------------------------

def test_conv_lstm1d_gradients():
    with gradcheck.float64_mode():
        layer = ConvLSTM1D(2, 2, padding="same", return_sequences=True)
        layer.build((1, 3, 3, 1))
        weights = [np.asarray(w) for w in layer.get_weights()]
        seed_state = [v.value for v in layer.non_trainable_variables]

    def loss(x, kernel, recurrent, bias):
        outputs, _ = layer.stateless_call([kernel, recurrent, bias], seed_state, x)
        return ops.sum(ops.square(outputs))

    x = _x(1, 3, 3, 1).astype("float64")
    # Compiled once, so the finite differences run fast.
    gradcheck.check_grads(backend.transforms.jit(loss), [x, *weights], rtol=1e-5, atol=1e-8)


def test_conv_lstm1d_gradients_through_mask():
    mask = np.array([[True, False, True]])
    with gradcheck.float64_mode():
        layer = ConvLSTM1D(1, 2, return_state=True)
        layer.build((1, 3, 3, 1))
        weights = [np.asarray(w) for w in layer.get_weights()]
        seed_state = [v.value for v in layer.non_trainable_variables]

    def loss(x, kernel):
        (out, _, c), _ = layer.stateless_call([kernel, *weights[1:]], seed_state, x, mask=mask)
        return ops.sum(out) + ops.sum(ops.square(c))

    gradcheck.check_grads(backend.transforms.jit(loss),
                          [_x(1, 3, 3, 1).astype("float64"), weights[0]])


# -- contract: weights, shapes, config, state, training ------------------------------------------

def test_conv_lstm2d_contract():
    layer_checks.check_layer(ConvLSTM2D, {"filters": 2, "kernel_size": 3},
                             input_shape=(2, 3, 5, 5, 1), expected_output_shape=(2, 3, 3, 2),
                             expected_trainable=3)


def test_conv_lstm_weights_shapes_paths_and_unit_forget_bias():
    layer = ConvLSTM2D(3, (3, 2), name="conv_lstm2d")
    layer.build((None, 4, 5, 5, 2))
    assert [(w.path, w.shape) for w in layer.weights] == [
        ("conv_lstm2d/conv_lstm_cell/kernel", (3, 2, 2, 12)),
        ("conv_lstm2d/conv_lstm_cell/recurrent_kernel", (3, 2, 3, 12)),
        ("conv_lstm2d/conv_lstm_cell/bias", (12,))]
    np.testing.assert_array_equal(layer.get_weights()[2], [0] * 3 + [1] * 3 + [0] * 6)
    plain = ConvLSTM1D(2, 3, unit_forget_bias=False, bias_initializer="ones")
    plain.build((None, 2, 5, 1))
    np.testing.assert_array_equal(plain.get_weights()[2], np.ones(8))
    no_bias = ConvLSTM1D(2, 3, use_bias=False)
    no_bias.build((None, 2, 5, 1))
    assert [w.name for w in no_bias.weights] == ["kernel", "recurrent_kernel"]


@pytest.mark.parametrize("cls, sample, kwargs, expected", [
    (ConvLSTM1D, (4, 8, 3), {}, [(None, 6, 2)]),
    (ConvLSTM1D, (4, 8, 3), {"return_sequences": True, "strides": 2}, [(None, 4, 3, 2)]),
    (ConvLSTM2D, (4, 6, 6, 3), {"return_state": True, "padding": "same"},
     [(None, 6, 6, 2)] * 3),
    (ConvLSTM3D, (2, 4, 4, 4, 1), {"return_sequences": True, "return_state": True},
     [(None, 2, 2, 2, 2, 2), (None, 2, 2, 2, 2), (None, 2, 2, 2, 2)]),
])
def test_conv_lstm_symbolic_shapes(cls, sample, kwargs, expected):
    layer = cls(2, 3, **kwargs)
    out = layer(layers.Input(sample))
    out = out if isinstance(out, list) else [out]
    assert [t.shape for t in out] == expected
    shapes = layer.compute_output_shape((None, *sample))
    assert [tuple(s) for s in (shapes if isinstance(shapes, list) else [shapes])] == expected


@pytest.mark.parametrize("cls, kwargs", [
    (ConvLSTM1D, {"filters": 2, "kernel_size": 3, "padding": "same", "stateful": False,
                  "dropout": 0.25, "recurrent_dropout": 0.5, "seed": 3,
                  "kernel_regularizer": "l2", "activation": "relu"}),
    (ConvLSTM2D, {"filters": 3, "kernel_size": (3, 1), "strides": (2, 1), "go_backwards": True,
                  "return_sequences": True, "unit_forget_bias": False}),
    (ConvLSTM3D, {"filters": 1, "kernel_size": 2, "data_format": "channels_first",
                  "return_state": True}),
])
def test_conv_lstm_config_round_trip(cls, kwargs):
    layer = cls(**kwargs)
    config = layer.get_config()
    for key in ("filters", "return_sequences", "go_backwards", "dropout"):
        if key in kwargs:
            assert config[key] == kwargs[key]
    assert "cell" not in config and "rank" not in config
    assert config["unroll"] is False and config["zero_output_for_mask"] is False
    clone = cls.from_config(config)
    assert clone.get_config() == config
    restored = layers.deserialize(layers.serialize(layer), custom_objects=CUSTOM)
    assert type(restored) is cls and restored.get_config() == config


def test_conv_lstm_config_keys_match_keras():
    keras_keys = {
        "name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards",
        "stateful", "unroll", "zero_output_for_mask", "filters", "kernel_size", "strides",
        "padding", "data_format", "dilation_rate", "activation", "recurrent_activation",
        "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
        "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
        "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
        "dropout", "recurrent_dropout", "seed"}
    config = ConvLSTM2D(3, 3).get_config()
    assert set(config) == keras_keys
    assert config["kernel_size"] == (3, 3) and config["recurrent_activation"] == "sigmoid"
    assert config["recurrent_initializer"]["class_name"] == "Orthogonal"


def test_conv_lstm_exposes_cell_arguments():
    layer = ConvLSTM2D(4, 3, strides=2, padding="same", dropout=0.1, seed=7)
    assert (layer.filters, layer.kernel_size, layer.strides, layer.padding) == \
        (4, (3, 3), (2, 2), "same")
    assert layer.dropout == 0.1 and layer.seed == 7
    assert not hasattr(layer, "no_such_attribute")


def test_conv_lstm_positional_arguments_follow_keras_order():
    layer = ConvLSTM2D(2, 3, 1, "same", "channels_last", 1, "relu")
    assert layer.padding == "same" and layer.get_config()["activation"] == "relu"


def test_conv_lstm_dropout_only_in_training():
    x = _x(2, 3, 5, 2)
    layer = ConvLSTM1D(2, 3, dropout=0.5, recurrent_dropout=0.5, seed=1)
    plain = ConvLSTM1D(2, 3)
    layer.build(x.shape)
    plain.build(x.shape)
    plain.set_weights(_random_weights(layer))
    np.testing.assert_allclose(layer(x), plain(x), rtol=1e-6)
    np.testing.assert_allclose(layer(x, training=False), plain(x), rtol=1e-6)
    trained = np.asarray(layer(x, training=True))
    assert trained.shape == (2, 3, 2) and np.isfinite(trained).all()
    assert not np.allclose(trained, plain(x))


def test_conv_lstm_stateful_continues_and_resets():
    x = _x(2, 4, 5, 2)
    stateful = ConvLSTM1D(2, 3, stateful=True, return_sequences=True)
    stateful.build(x.shape)
    kernel, recurrent, bias = _random_weights(stateful)
    expected, _, _ = np_conv_lstm(x, kernel, recurrent, bias)
    first = stateful(x[:, :2])
    second = stateful(x[:, 2:])
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), expected, rtol=1e-4,
                               atol=1e-5)
    stateful.reset_states()
    np.testing.assert_allclose(stateful(x[:, :2]), expected[:, :2], rtol=1e-4, atol=1e-5)


def test_conv_lstm_unroll_equals_scan():
    x = _x(2, 3, 5, 1)
    mask = np.array([[True, False, True], [True, True, False]])
    unrolled = ConvLSTM1D(2, 3, unroll=True, return_sequences=True, go_backwards=True)
    scanned = ConvLSTM1D(2, 3, return_sequences=True, go_backwards=True)
    unrolled.build(x.shape)
    scanned.build(x.shape)
    kernel, recurrent, bias = _random_weights(scanned)
    unrolled.set_weights([kernel, recurrent, bias])
    expected, _, _ = np_conv_lstm(x, kernel, recurrent, bias, mask=mask, go_backwards=True)
    np.testing.assert_allclose(unrolled(x, mask=mask), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(scanned(x, mask=mask), expected, rtol=1e-4, atol=1e-5)


def test_conv_lstm2d_in_sequential_fit():
    model = lamina.Sequential([layers.Input((3, 4, 4, 1)),
                               ConvLSTM2D(2, 3, dropout=0.2, recurrent_dropout=0.2, seed=2),
                               layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.SGD(0.05), loss="mse")
    x, y = _x(8, 3, 4, 4, 1), _x(8, 1, seed=1)
    losses = model.fit(x, y, epochs=3, batch_size=4, verbose=0).history["loss"]
    assert losses[-1] < losses[0]


# -- errors --------------------------------------------------------------------------------------

def test_conv_lstm_rejects_wrong_input_rank():
    with pytest.raises(ValueError, match=r"ConvLSTM2D 'c' expects inputs of rank 5.*\(2, 5, 5, 2\)"):
        ConvLSTM2D(2, 3, name="c")(np.ones((2, 5, 5, 2), "float32"))
    with pytest.raises(ValueError, match="rank 4"):
        ConvLSTM1D(2, 3)(layers.Input((5, 2)))


@pytest.mark.parametrize("kwargs, match", [
    ({"filters": 0}, "filters"),
    ({"filters": 2.5}, "filters"),
    ({"padding": "causal"}, r"padding.*\['valid', 'same'\]"),
    ({"kernel_size": (3, 3, 3)}, "kernel_size"),
    ({"strides": 2, "dilation_rate": 2}, "strides"),
    ({"dropout": 1.5}, r"dropout.*\[0, 1\)"),
    ({"recurrent_dropout": -0.1}, "recurrent_dropout"),
    ({"data_format": "channels_middle"}, "data_format"),
])
def test_conv_lstm_rejects_bad_arguments(kwargs, match):
    args = {"filters": 2, "kernel_size": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        ConvLSTM2D(**args)


def test_conv_lstm_rejects_input_smaller_than_kernel():
    with pytest.raises(ValueError, match=r"smaller than the kernel's span"):
        ConvLSTM2D(2, 5)(np.ones((1, 2, 3, 3, 1), "float32"))


def test_conv_lstm_cell_rejects_bad_rank():
    with pytest.raises(ValueError, match=r"`rank` must be 1, 2 or 3"):
        ConvLSTMCell(4, 2, 3)
