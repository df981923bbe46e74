import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.layers.rnn.gru import GRU, GRUCell
from tests.helpers import gradcheck, layer_checks
from tests.layers.rnn import numpy_rnn

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 4, 3)).astype("float32")
_KERAS_X = np.cos(np.arange(16) * 0.9).reshape(2, 4, 2).astype("float32")


def _keras_weights(shape, phase):
    """The deterministic weights the pasted Keras reference numbers were computed with."""
    n = int(np.prod(shape))
    return (0.5 * np.sin(np.arange(n) * 0.7 + phase)).reshape(shape).astype("float32")


def _layer_with_weights(units=2, features=3, **kwargs):
    layer = GRU(units, **kwargs)
    layer.build((2, 4, features))
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=w.shape).astype("float32") * 0.5 for w in layer.weights]
    layer.set_weights(weights)
    return layer, [w.astype(np.float64) for w in weights]


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("return_sequences,go_backwards", [(False, False), (True, False),
                                                           (True, True)])
def test_gru_matches_numpy(reset_after, return_sequences, go_backwards):
    layer, (kernel, rk, bias) = _layer_with_weights(
        reset_after=reset_after, return_sequences=return_sequences, go_backwards=go_backwards,
        return_state=True)
    out, h = layer(X)
    step = numpy_rnn.gru_step(kernel, rk, bias, reset_after=reset_after)
    seq, (h_ref,) = numpy_rnn.run(step, X, [np.zeros((2, 2))], go_backwards=go_backwards)
    np.testing.assert_allclose(out, seq if return_sequences else seq[:, -1], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(h, h_ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_masked_and_initial_state_match_numpy(reset_after):
    mask = np.array([[True, True, True, False], [True, False, False, True]])
    layer, (kernel, rk, bias) = _layer_with_weights(reset_after=reset_after,
                                                    return_sequences=True)
    h0 = RNG.normal(size=(2, 2)).astype("float32")
    out = layer(X, initial_state=h0, mask=mask)
    step = numpy_rnn.gru_step(kernel, rk, bias, reset_after=reset_after)
    seq, _ = numpy_rnn.run(step, X, [h0], mask=mask)
    np.testing.assert_allclose(out, seq, rtol=1e-5, atol=1e-6)


def test_gru_without_bias_matches_numpy():
    layer, (kernel, rk) = _layer_with_weights(use_bias=False)
    seq, _ = numpy_rnn.run(numpy_rnn.gru_step(kernel, rk, None), X, [np.zeros((2, 2))])
    np.testing.assert_allclose(layer(X), seq[:, -1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reset_after,bias_shape,expected", [
    (True, (2, 9), [[[-0.18492, -0.108644, 0.039699], [0.009904, 0.326772, 0.559232],
                     [0.080698, 0.465762, 0.688728], [-0.082551, 0.306046, 0.521787]],
                    [[-0.059888, 0.070465, 0.249671], [0.121104, 0.46272, 0.694339],
                     [0.018798, 0.374791, 0.594353], [-0.13995, 0.218618, 0.447847]]]),
    (False, (9,), [[[-0.245985, -0.150872, -0.008041], [0.063702, 0.349716, 0.464344],
                    [0.138285, 0.480355, 0.60824], [-0.097075, 0.274292, 0.46391]],
                   [[-0.076554, 0.045674, 0.171239], [0.182382, 0.491428, 0.616845],
                    [0.029766, 0.359075, 0.531556], [-0.187548, 0.159142, 0.393312]]]),
])
def test_gru_matches_keras_reference_numbers(reset_after, bias_shape, expected):
    # Keras 3.15 (jax) GRU(3, return_sequences=True, reset_after=...) with `_keras_weights`:
    # pins the gate order z, r, h and the bias layout of both variants.
    layer = GRU(3, return_sequences=True, reset_after=reset_after)
    layer.build((2, 4, 2))
    layer.set_weights([_keras_weights((2, 9), 0.0), _keras_weights((3, 9), 1.0),
                       _keras_weights(bias_shape, 2.0)])
    np.testing.assert_allclose(layer(_KERAS_X), expected, atol=2e-6)


@pytest.mark.parametrize("reset_after,bias_shape", [(True, (2, 12)), (False, (12,))])
def test_gru_weight_shapes_and_paths(reset_after, bias_shape):
    layer = GRU(4, reset_after=reset_after, name="gru_a")
    layer.build((None, 3, 5))
    assert [w.path for w in layer.weights] == ["gru_a/gru_cell/kernel",
                                               "gru_a/gru_cell/recurrent_kernel",
                                               "gru_a/gru_cell/bias"]
    assert [w.shape for w in layer.weights] == [(5, 12), (4, 12), bias_shape]
    assert layer.reset_after is reset_after and layer.units == 4


@pytest.mark.parametrize("kwargs,out_shape", [({}, (2, 4)),
                                              ({"reset_after": False, "return_sequences": True},
                                               (2, 5, 4))])
def test_gru_contract(kwargs, out_shape):
    layer_checks.check_layer(GRU, {"units": 4, **kwargs}, input_shape=(2, 5, 3),
                             expected_output_shape=out_shape, expected_trainable=3)


def test_gru_config_round_trip():
    layer = GRU(3, reset_after=False, recurrent_dropout=0.2, seed=5, go_backwards=True)
    config = layer.get_config()
    assert config["reset_after"] is False and config["go_backwards"] is True
    clone = GRU.from_config(config)
    assert clone.get_config() == {**config, "name": clone.name}
    cell = GRUCell(2, reset_after=False)
    assert GRUCell.from_config(cell.get_config()).get_config() == cell.get_config()


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_gradients_wrt_inputs_and_kernels(reset_after):
    with gradcheck.float64_mode():
        layer = GRU(2, return_sequences=True, reset_after=reset_after)
        layer.build((2, 3, 2))
        weights = [np.asarray(w) for w in layer.get_weights()]

    def loss(x, kernel, recurrent_kernel, bias):
        out, _ = layer.stateless_call([kernel, recurrent_kernel, bias],
                                      [v.value for v in layer.non_trainable_variables], x)
        return ops.sum(ops.square(out))

    x = np.random.default_rng(3).normal(size=(2, 3, 2))
    gradcheck.check_grads(backend.transforms.jit(loss), [x, *weights], rtol=1e-5, atol=1e-7,
                          argnums=(0, 1, 2))


@pytest.mark.parametrize("reset_after", [False])
def test_gru_dropout_only_in_training_and_reproducible(reset_after):
    x = RNG.normal(size=(3, 5, 4)).astype("float32")
    layer = GRU(3, dropout=0.4, recurrent_dropout=0.4, seed=2, reset_after=reset_after)
    layer.build(x.shape)
    plain = GRU(3, reset_after=reset_after)
    plain.build(x.shape)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(layer(x, training=False), plain(x), rtol=1e-6)
    dropped = np.asarray(layer(x, training=True))
    assert np.abs(dropped - np.asarray(plain(x))).max() > 1e-3
    twin = GRU(3, dropout=0.4, recurrent_dropout=0.4, seed=2, reset_after=reset_after)
    twin.build(x.shape)
    twin.set_weights(layer.get_weights())
    np.testing.assert_allclose(twin(x, training=True), dropped, rtol=1e-6)


def test_gru_stacked_in_sequential_model():
    first, second = GRU(5, return_sequences=True), GRU(2)
    model = lamina.Sequential([layers.Input((4, 3)), first, second])
    out = model(X)
    hidden = numpy_rnn.run(numpy_rnn.gru_step(*[w.astype(np.float64) for w in first.get_weights()]),
                           X, [np.zeros((2, 5))])[0]
    expected = numpy_rnn.run(numpy_rnn.gru_step(*[w.astype(np.float64)
                                                  for w in second.get_weights()]),
                             hidden, [np.zeros((2, 2))])[0][:, -1]
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_gru_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"GRU: `units` must be a positive int.*units=0"):
        GRU(0)
    with pytest.raises(ValueError, match=r"GRUCell: `recurrent_dropout` must be a float"):
        GRUCell(2, recurrent_dropout=-0.1)
