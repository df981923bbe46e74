import numpy as np
import pytest

from lamina import layers
from lamina.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from tests.helpers import layer_checks
from tests.layers.rnn import numpy_rnn

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 4, 3)).astype("float32")


def _layer_with_weights(units=3, **kwargs):
    layer = SimpleRNN(units, **kwargs)
    layer.build((2, 4, 3))
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=w.shape).astype("float32") * 0.5 for w in layer.weights]
    layer.set_weights(weights)
    return layer, [w.astype(np.float64) for w in weights]


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("unroll", [False, True])
def test_simple_rnn_matches_numpy(return_sequences, go_backwards, unroll):
    layer, (kernel, rk, bias) = _layer_with_weights(
        return_sequences=return_sequences, go_backwards=go_backwards, unroll=unroll,
        return_state=True)
    out, h = layer(X)
    seq, (h_ref,) = numpy_rnn.run(numpy_rnn.simple_step(kernel, rk, bias), X,
                                  [np.zeros((2, 3))], go_backwards=go_backwards)
    np.testing.assert_allclose(out, seq if return_sequences else seq[:, -1], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(h, h_ref, rtol=1e-5, atol=1e-6)


def test_simple_rnn_go_backwards_returns_processing_order():
    # Linear cell with identity weights: h_t = x_t + h_{t-1}, a running sum from the end.
    layer = SimpleRNN(1, activation=None, use_bias=False, kernel_initializer="ones",
                      recurrent_initializer="ones", return_sequences=True, go_backwards=True)
    x = np.array([[[1.0], [2.0], [3.0]]], "float32")
    np.testing.assert_allclose(layer(x)[0, :, 0], [3.0, 5.0, 6.0])


def test_simple_rnn_masked_matches_numpy():
    mask = np.array([[True, False, True, True], [True, True, False, False]])
    layer, (kernel, rk, bias) = _layer_with_weights(return_sequences=True)
    seq, _ = numpy_rnn.run(numpy_rnn.simple_step(kernel, rk, bias), X, [np.zeros((2, 3))],
                           mask=mask)
    np.testing.assert_allclose(layer(X, mask=mask), seq, rtol=1e-5, atol=1e-6)


def test_simple_rnn_mask_from_embedding_skips_padding():
    ids = np.array([[3, 1, 0, 0], [2, 0, 4, 5]])
    embedding = layers.Embedding(6, 3, mask_zero=True)
    layer = SimpleRNN(2, return_sequences=True)
    out = layer(embedding(ids))
    emb = np.asarray(embedding.embeddings.value, np.float64)
    kernel, rk, bias = [w.astype(np.float64) for w in layer.get_weights()]
    seq, _ = numpy_rnn.run(numpy_rnn.simple_step(kernel, rk, bias), emb[ids], [np.zeros((2, 2))],
                           mask=ids != 0)
    np.testing.assert_allclose(out, seq, rtol=1e-5, atol=1e-6)


def test_simple_rnn_stateful_carries_state_then_resets():
    layer, (kernel, rk, bias) = _layer_with_weights(stateful=True)
    assert [v.path for v in layer.states] == [f"{layer.name}/rnn_state"]
    assert len(layer.weights) == 3  # states are not weights (Keras saves none)
    assert any(v is layer.states[0] for v in layer.non_trainable_variables)
    x2 = RNG.normal(size=(2, 4, 3)).astype("float32")
    first, second = layer(X), layer(x2)
    step = numpy_rnn.simple_step(kernel, rk, bias)
    _, (h1,) = numpy_rnn.run(step, X, [np.zeros((2, 3))])
    seq2, _ = numpy_rnn.run(step, x2, [h1])
    np.testing.assert_allclose(first, h1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(second, seq2[:, -1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.states[0].value, seq2[:, -1], rtol=1e-5, atol=1e-6)
    layer.reset_states()
    np.testing.assert_array_equal(layer.states[0].value, np.zeros((2, 3)))
    np.testing.assert_allclose(layer(X), first, rtol=1e-6)


def test_simple_rnn_stateful_in_stateless_call_returns_new_state():
    layer, _ = _layer_with_weights(stateful=True)
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    out, new_non_trainable = layer.stateless_call(trainable, non_trainable, X)
    np.testing.assert_array_equal(layer.states[0].value, np.zeros((2, 3)))  # nothing mutated
    position = [i for i, v in enumerate(layer.non_trainable_variables) if v is layer.states[0]]
    np.testing.assert_allclose(new_non_trainable[position[0]], out, rtol=1e-6)


def test_simple_rnn_stateful_rejects_other_batch_size():
    layer = SimpleRNN(2, stateful=True, name="srnn_b")
    layer(X)
    with pytest.raises(ValueError, match=r"SimpleRNN 'srnn_b' is stateful with batch size 2, "
                                         r"received a batch of 3"):
        layer(np.ones((3, 4, 3), "float32"))


def test_simple_rnn_linear_activation_and_no_bias():
    layer = SimpleRNN(2, activation=None, use_bias=False)
    layer.build((2, 4, 3))
    kernel, rk = [w.astype(np.float64) for w in layer.get_weights()]
    seq, _ = numpy_rnn.run(numpy_rnn.simple_step(kernel, rk, None, activation=lambda v: v), X,
                           [np.zeros((2, 2))])
    np.testing.assert_allclose(layer(X), seq[:, -1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs,out_shape", [({}, (2, 3)), ({"return_sequences": True},
                                                             (2, 5, 3))])
def test_simple_rnn_contract(kwargs, out_shape):
    layer_checks.check_layer(SimpleRNN, {"units": 3, **kwargs}, input_shape=(2, 5, 4),
                             expected_output_shape=out_shape, expected_trainable=3)


def test_simple_rnn_weights_and_config():
    layer = SimpleRNN(3, name="srnn_a", dropout=0.1)
    layer.build((None, 2, 4))
    assert [w.path for w in layer.weights] == ["srnn_a/simple_rnn_cell/kernel",
                                               "srnn_a/simple_rnn_cell/recurrent_kernel",
                                               "srnn_a/simple_rnn_cell/bias"]
    assert [w.shape for w in layer.weights] == [(4, 3), (3, 3), (3,)]
    config = layer.get_config()
    assert config["units"] == 3 and config["dropout"] == 0.1 and "cell" not in config
    assert SimpleRNN.from_config(config).get_config() == {**config, "name": "srnn_a"}
    cell = SimpleRNNCell(2, activation="relu")
    assert SimpleRNNCell.from_config(cell.get_config()).get_config() == cell.get_config()


def test_simple_rnn_cell_step_matches_numpy():
    cell = SimpleRNNCell(2)
    x, h = RNG.normal(size=(3, 4)).astype("float32"), RNG.normal(size=(3, 2)).astype("float32")
    out, (new_h,) = cell(x, [h])
    kernel, rk, bias = [w.astype(np.float64) for w in cell.get_weights()]
    np.testing.assert_allclose(out, np.tanh(x @ kernel + bias + h @ rk), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_h, out)
    single, state = cell(x, h)  # a bare tensor state comes back bare, as in Keras
    assert not isinstance(state, list)
    np.testing.assert_allclose(single, out, rtol=1e-6)


def test_simple_rnn_dropout_training_only():
    layer = SimpleRNN(3, dropout=0.5, recurrent_dropout=0.5, seed=4)
    eval_out = np.asarray(layer(X))
    np.testing.assert_allclose(layer(X, training=False), eval_out, rtol=1e-6)
    assert np.abs(np.asarray(layer(X, training=True)) - eval_out).max() > 1e-3


def test_simple_rnn_rejects_bad_units():
    with pytest.raises(ValueError, match=r"SimpleRNN: `units` must be a positive int"):
        SimpleRNN(-1)
    with pytest.raises(ValueError, match=r"SimpleRNNCell: `units` must be a positive int"):
        SimpleRNNCell(0)
