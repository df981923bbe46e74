import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers.rnn.bidirectional import Bidirectional
from lamina.layers.rnn.conv_lstm import ConvLSTM1D
from lamina.layers.rnn.gru import GRU
from lamina.layers.rnn.lstm import LSTM
from lamina.saving import serialization
from tests.helpers import gradcheck

CUSTOM = {"LSTM": LSTM, "GRU": GRU, "Bidirectional": Bidirectional}


# -- NumPy reference -------------------------------------------------------------------------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def np_lstm(x, kernel, recurrent, bias, mask=None, go_backwards=False,
            zero_output_for_mask=False, h0=None, c0=None):
    """Per-step outputs (processing order), final h and c of a Keras-style LSTM (gates i f c o)."""
    batch, steps, _ = x.shape
    units = recurrent.shape[0]
    h = np.zeros((batch, units)) if h0 is None else h0
    c = np.zeros((batch, units)) if c0 is None else c0
    outputs = []
    for t in (reversed(range(steps)) if go_backwards else range(steps)):
        z = x[:, t] @ kernel + h @ recurrent + bias
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
        new_c = sigmoid(z_f) * c + sigmoid(z_i) * np.tanh(z_c)
        new_h = sigmoid(z_o) * np.tanh(new_c)
        output = new_h
        if mask is not None:
            m = mask[:, t:t + 1]
            output = np.where(m, new_h, 0.0 if zero_output_for_mask else h)
            new_h, new_c = np.where(m, new_h, h), np.where(m, new_c, c)
        h, c = new_h, new_c
        outputs.append(output)
    return np.stack(outputs, axis=1), h, c


def np_bidirectional(x, forward, backward, return_sequences, mask=None, initial_state=None):
    """(forward output, backward output in input order, [h_f, c_f, h_b, c_b])."""
    init = initial_state or [None] * 4
    # Bidirectional zeroes masked outputs when it returns sequences.
    fwd, h_f, c_f = np_lstm(x, *forward, mask=mask, zero_output_for_mask=return_sequences,
                            h0=init[0], c0=init[1])
    bwd, h_b, c_b = np_lstm(x, *backward, mask=mask, go_backwards=True,
                            zero_output_for_mask=return_sequences, h0=init[2], c0=init[3])
    if return_sequences:
        return fwd, bwd[:, ::-1], [h_f, c_f, h_b, c_b]
    return fwd[:, -1], bwd[:, -1], [h_f, c_f, h_b, c_b]


MERGE = {"concat": lambda a, b: np.concatenate([a, b], axis=-1), "sum": np.add,
         "mul": np.multiply, "ave": lambda a, b: (a + b) / 2}


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _set_random_weights(layer, seed=1):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in layer.weights]
    layer.set_weights(weights)
    return weights[:3], weights[3:]


MASK = np.array([[True, True, True, False], [True, False, True, True]])


# -- numerics ------------------------------------------------------------------------------------

@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_lstm_sequences_match_numpy(merge_mode):
    x = _x(2, 4, 5)
    layer = Bidirectional(LSTM(3, return_sequences=True), merge_mode=merge_mode)
    layer.build(x.shape)
    forward, backward = _set_random_weights(layer)
    y, y_rev, _ = np_bidirectional(x, forward, backward, return_sequences=True)
    out = layer(x)
    if merge_mode is None:
        np.testing.assert_allclose(out[0], y, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out[1], y_rev, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(out, MERGE[merge_mode](y, y_rev), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", None])
def test_bidirectional_lstm_states_with_mask_match_numpy(merge_mode):
    x = _x(2, 4, 5)
    layer = Bidirectional(LSTM(3, return_state=True), merge_mode=merge_mode)
    layer.build(x.shape)
    forward, backward = _set_random_weights(layer)
    y, y_rev, states = np_bidirectional(x, forward, backward, False, mask=MASK)
    out = layer(x, mask=MASK)
    outputs = [MERGE[merge_mode](y, y_rev)] if merge_mode else [y, y_rev]
    assert len(out) == len(outputs) + 4
    for got, expected in zip(out, outputs + states):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_bidirectional_lstm_sequences_with_mask_zero_masked_steps():
    x = _x(2, 4, 5)
    layer = Bidirectional(LSTM(3, return_sequences=True, return_state=True))
    layer.build(x.shape)
    forward, backward = _set_random_weights(layer)
    y, y_rev, states = np_bidirectional(x, forward, backward, True, mask=MASK)
    out, *got_states = layer(x, mask=MASK)
    np.testing.assert_allclose(out, np.concatenate([y, y_rev], -1), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(out)[~MASK], 0.0)
    for got, expected in zip(got_states, states):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_bidirectional_initial_state_splits_half_and_half():
    x = _x(2, 3, 4)
    init = [_x(2, 2, seed=s) for s in range(10, 14)]
    layer = Bidirectional(LSTM(2, return_sequences=True), merge_mode="concat")
    layer.build(x.shape)
    forward, backward = _set_random_weights(layer)
    y, y_rev, _ = np_bidirectional(x, forward, backward, True, initial_state=init)
    np.testing.assert_allclose(layer(x, initial_state=init), np.concatenate([y, y_rev], -1),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"even number of tensors. Received 3"):
        layer(x, initial_state=init[:3])


# -- Keras 3 reference numbers (fixed weights) pin weight order, gate order and merging ---------

def _fixed(shape, scale, fn=np.sin, phase=0.0):
    n = int(np.prod(shape))
    return (scale * fn(0.37 * np.arange(n) + phase)).reshape(shape).astype("float32")


KERAS_X = _fixed((2, 4, 5), 1.0, phase=0.5)
KERAS_WEIGHTS = [_fixed((5, 12), 0.4), _fixed((3, 12), 0.3, np.cos), _fixed((12,), 0.1, phase=1.0),
                 _fixed((5, 12), 0.4, np.cos, 0.3), _fixed((3, 12), 0.3, np.sin, 2.0),
                 _fixed((12,), 0.1, np.cos)]


def _keras_like(layer):
    layer.build(KERAS_X.shape)
    layer.set_weights(KERAS_WEIGHTS)
    return layer


def test_bidirectional_concat_matches_keras_literals():
    out = _keras_like(Bidirectional(LSTM(3, return_sequences=True)))(KERAS_X)
    expected = [
        [[0.0658605, 0.0509925, 0.0287382, -0.0508023, -0.0784853, -0.0961465],
         [0.0356985, 0.0187406, -0.0018265, -0.0184709, -0.0231234, -0.0247022],
         [-0.057996, -0.0685499, -0.0704587, -0.0051594, 0.0006244, 0.0063402],
         [-0.0027345, -0.0181339, -0.0308045, -0.028883, -0.0460931, -0.057287]],
        [[0.0497304, 0.0359813, 0.0170813, -0.0397131, -0.0590061, -0.0706864],
         [-0.0445722, -0.0536044, -0.0560552, -0.0114546, -0.0064386, -0.0000486],
         [-0.0447531, -0.0547907, -0.0575904, -0.0384152, -0.0553541, -0.0633858],
         [0.040768, 0.0209341, -0.0014322, -0.042643, -0.0699598, -0.0883844]]]
    np.testing.assert_allclose(out, expected, atol=2e-6)


def test_bidirectional_sum_states_with_mask_match_keras_literals():
    layer = _keras_like(Bidirectional(LSTM(3, return_state=True), merge_mode="sum"))
    out, h_f, c_f, h_b, c_b = layer(KERAS_X, mask=MASK)
    np.testing.assert_allclose(out, [[-0.1033485, -0.1400862, -0.1591005],
                                     [0.0161665, -0.0356369, -0.0824445]], atol=2e-6)
    np.testing.assert_allclose(h_f, [[-0.057996, -0.0685499, -0.0704587],
                                     [0.0717968, 0.0478849, 0.0173756]], atol=2e-6)
    np.testing.assert_allclose(c_f, [[-0.130067, -0.1458625, -0.1413091],
                                     [0.1441835, 0.101774, 0.0389111]], atol=2e-6)
    np.testing.assert_allclose(h_b, [[-0.0453525, -0.0715363, -0.0886418],
                                     [-0.0556303, -0.0835218, -0.0998202]], atol=2e-6)
    np.testing.assert_allclose(c_b, [[-0.1125766, -0.1757729, -0.209306],
                                     [-0.1328679, -0.1976999, -0.228478]], atol=2e-6)


def test_bidirectional_ave_sequences_with_mask_match_keras_literals():
    layer = _keras_like(Bidirectional(LSTM(3, return_sequences=True), merge_mode="ave"))
    expected = [[[0.010254, -0.0102719, -0.0299518], [0.0136948, 0.0050525, -0.0047968],
                 [-0.0219123, -0.0191264, -0.0142055], [0.0, 0.0, 0.0]],
                [[-0.00295, -0.0237703, -0.0413694], [0.0, 0.0, 0.0],
                 [-0.0163226, -0.031908, -0.0427901], [0.0145769, -0.0110375, -0.0355044]]]
    np.testing.assert_allclose(layer(KERAS_X, mask=MASK), expected, atol=2e-6)


# -- gradients -----------------------------------------------------------------------------------

def test_bidirectional_gradients():
    with gradcheck.float64_mode():
        layer = Bidirectional(LSTM(2, return_sequences=True), merge_mode="mul")
        layer.build((2, 3, 2))
        weights = [np.asarray(w) for w in layer.get_weights()]
        seed_state = [v.value for v in layer.non_trainable_variables]

    def loss(x, forward_kernel, backward_recurrent):
        values = list(weights)
        values[0], values[4] = forward_kernel, backward_recurrent
        out, _ = layer.stateless_call(values, seed_state, x)
        return ops.sum(ops.sin(out))

    x = _x(2, 3, 2).astype("float64")
    gradcheck.check_grads(backend.transforms.jit(loss), [x, weights[0], weights[4]])


# -- contract ------------------------------------------------------------------------------------

def test_bidirectional_weights_names_paths_and_order():
    layer = Bidirectional(LSTM(3, return_sequences=True, name="lstm"), name="bidirectional")
    layer(_x(2, 4, 5))
    assert layer.forward_layer.name == "forward_lstm"
    assert layer.backward_layer.name == "backward_lstm"
    assert layer.backward_layer.go_backwards is True
    assert [w.path for w in layer.weights] == [
        f"bidirectional/{d}_lstm/lstm_cell/{n}" for d in ("forward", "backward")
        for n in ("kernel", "recurrent_kernel", "bias")]
    assert len(layer.trainable_weights) == 6


def test_bidirectional_copies_do_not_share_weights_with_the_given_layer():
    original = LSTM(2)
    original.build((1, 3, 2))
    layer = Bidirectional(original)
    layer.build((1, 3, 2))
    ids = {id(w) for w in original.weights}
    assert not any(id(w) in ids for w in layer.weights)


def test_bidirectional_weights_argument_sets_forward_then_backward():
    layer = Bidirectional(LSTM(3, return_sequences=True), weights=KERAS_WEIGHTS)
    layer.build(KERAS_X.shape)
    for got, expected in zip(layer.get_weights(), KERAS_WEIGHTS):
        np.testing.assert_array_equal(got, expected)


def test_bidirectional_with_gru_and_flipped_go_backwards():
    x = _x(2, 4, 3)
    layer = Bidirectional(GRU(2, return_sequences=True, go_backwards=True))
    assert layer.forward_layer.go_backwards is True
    assert layer.backward_layer.go_backwards is False
    assert layer(x).shape == (2, 4, 4)


def test_bidirectional_wraps_conv_lstm():
    layer = Bidirectional(ConvLSTM1D(2, 3, padding="same", return_sequences=True))
    assert layer(_x(2, 3, 5, 1)).shape == (2, 3, 5, 4)
    assert layer(layers.Input((3, 5, 1))).shape == (None, 3, 5, 4)


def test_bidirectional_custom_backward_layer():
    backward = LSTM(3, activation="relu", go_backwards=True, return_sequences=True,
                    name="my_backward")
    layer = Bidirectional(LSTM(3, return_sequences=True), backward_layer=backward)
    assert layer.backward_layer is backward
    x = _x(2, 4, 5)
    layer.build(x.shape)
    forward, _ = _set_random_weights(layer)
    fwd, _, _ = np_lstm(x, *forward)
    np.testing.assert_allclose(np.asarray(layer(x))[..., :3], fwd, rtol=1e-5, atol=1e-6)
    clone = Bidirectional.from_config(layer.get_config(), custom_objects=CUSTOM)
    assert clone.backward_layer.name == "my_backward"
    assert clone.backward_layer.get_config()["activation"] == "relu"


@pytest.mark.parametrize("backward_kwargs, match", [
    ({"go_backwards": False, "return_sequences": True}, r"different `go_backwards`"),
    ({"go_backwards": True, "return_sequences": False},
     r"same `return_sequences`.*layer.return_sequences=True"),
    ({"go_backwards": True, "return_sequences": True, "return_state": True},
     r"same `return_state`"),
])
def test_bidirectional_rejects_mismatched_backward_layer(backward_kwargs, match):
    with pytest.raises(ValueError, match=match):
        Bidirectional(LSTM(3, return_sequences=True), backward_layer=LSTM(3, **backward_kwargs))


def test_bidirectional_rejects_bad_merge_mode_listing_choices():
    with pytest.raises(ValueError, match=r"merge_mode.*\['concat', 'sum', 'mul', 'ave', None\]"
                                         r".*'max'"):
        Bidirectional(LSTM(2), merge_mode="max")


def test_bidirectional_rejects_non_layers_and_non_recurrent_layers():
    with pytest.raises(ValueError, match=r"Bidirectional: `layer` must be a lamina Layer"):
        Bidirectional("lstm")
    with pytest.raises(ValueError, match=r"Bidirectional: `backward_layer` must be a lamina"):
        Bidirectional(LSTM(2), backward_layer=3)
    with pytest.raises(ValueError, match=r"Dense 'd' lacks \['go_backwards'"):
        Bidirectional(layers.Dense(2, name="d"))


@pytest.mark.parametrize("kwargs, merge_mode, expected", [
    ({"return_sequences": True}, "concat", [(None, 4, 6)]),
    ({}, "sum", [(None, 3)]),
    ({"return_sequences": True}, None, [(None, 4, 3), (None, 4, 3)]),
    ({"return_state": True}, "concat", [(None, 6)] + [(None, 3)] * 4),
    ({"return_state": True}, None, [(None, 3)] * 6),
])
def test_bidirectional_symbolic_shapes(kwargs, merge_mode, expected):
    layer = Bidirectional(LSTM(3, **kwargs), merge_mode=merge_mode)
    out = layer(layers.Input((4, 5)))
    out = out if isinstance(out, list) else [out]
    assert [t.shape for t in out] == expected
    shapes = layer.compute_output_shape((None, 4, 5))
    assert [tuple(s) for s in (shapes if isinstance(shapes, list) else [shapes])] == expected
    eager = layer(_x(2, 4, 5))
    eager = eager if isinstance(eager, list) else [eager]
    assert [tuple(t.shape) for t in eager] == [(2, *s[1:]) for s in expected]


def test_bidirectional_forwards_mask_to_the_output():
    x = _x(2, 4, 3)
    x[~MASK] = 0.0
    masked = layers.Masking()(x)
    out = Bidirectional(LSTM(2, return_sequences=True))(masked)
    assert np.asarray(backend.get_keras_mask(out)).tolist() == MASK.tolist()
    both = Bidirectional(LSTM(2, return_sequences=True), merge_mode=None)(masked)
    assert all(np.asarray(backend.get_keras_mask(t)).tolist() == MASK.tolist() for t in both)


def test_bidirectional_config_round_trip():
    layer = Bidirectional(LSTM(3, return_sequences=True, dropout=0.1, name="enc"),
                          merge_mode="ave", name="bi")
    config = layer.get_config()
    assert config["merge_mode"] == "ave"
    assert config["layer"]["class_name"] == "LSTM"
    assert config["layer"]["config"]["name"] == "forward_enc"
    assert config["backward_layer"]["config"]["name"] == "backward_enc"
    assert config["backward_layer"]["config"]["go_backwards"] is True
    assert config["layer"]["config"]["zero_output_for_mask"] is True
    clone = Bidirectional.from_config(config, custom_objects=CUSTOM)
    assert clone.get_config() == config
    x = _x(2, 4, 5)
    layer(x)
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x), layer(x), rtol=1e-6)
    # Nested layers resolve through the scope (LSTM is not in the layer table of this module).
    with serialization.CustomObjectScope(CUSTOM):
        restored = layers.deserialize(layers.serialize(layer))
    assert restored.get_config() == config


def test_bidirectional_stateful_continues_and_resets():
    x = _x(2, 4, 3)
    layer = Bidirectional(LSTM(2, stateful=True, return_state=True), merge_mode="concat")
    layer.build(x.shape)
    forward, _ = _set_random_weights(layer)
    assert layer.stateful and len(layer.states) == 4
    _, *first_states = layer(x[:, :2])
    _, h_f, c_f = np_lstm(x[:, :2], *forward)
    np.testing.assert_allclose(first_states[0], h_f, rtol=1e-5, atol=1e-6)
    _, *states = layer(x[:, 2:])
    # Each direction starts its second call from its own final state of the first call.
    _, h_f2, _ = np_lstm(x[:, 2:], *forward, h0=h_f, c0=c_f)
    np.testing.assert_allclose(states[0], h_f2, rtol=1e-5, atol=1e-6)
    layer.reset_states()
    for state in layer.states:
        np.testing.assert_array_equal(state.value, 0.0)
    with pytest.raises(AttributeError, match=r"not stateful"):
        Bidirectional(LSTM(2)).reset_states()


@pytest.mark.parametrize("functional", [False, True])
def test_bidirectional_in_models_fits(functional):
    x, y = _x(8, 4, 3), _x(8, 1, seed=1)
    if functional:
        # Token ids with trailing padding: the mask from Embedding reaches both directions.
        inputs = layers.Input((4,), dtype="int32")
        embedded = layers.Embedding(6, 3, mask_zero=True)(inputs)
        outputs = layers.Dense(1)(Bidirectional(LSTM(4))(embedded))
        model = lamina.Model(inputs, outputs)
        x = np.where(np.arange(4) < np.array([4, 3, 2, 1, 4, 3, 2, 1])[:, None],
                     np.arange(32).reshape(8, 4) % 5 + 1, 0).astype("int32")
    else:
        model = lamina.Sequential([layers.Input((4, 3)), Bidirectional(GRU(4)), layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.Adam(0.01), loss="mse")
    losses = model.fit(x, y, epochs=4, batch_size=4, verbose=0).history["loss"]
    assert losses[-1] < losses[0]
