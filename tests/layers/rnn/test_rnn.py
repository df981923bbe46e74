import numpy as np
import pytest

import lamina
from lamina import backend, layers, ops
from lamina.backend.common.masking import get_keras_mask
from lamina.layers.rnn.gru import GRUCell
from lamina.layers.rnn.lstm import LSTM, LSTMCell
from lamina.layers.rnn.rnn import RNN, StackedRNNCells
from lamina.layers.rnn.simple_rnn import SimpleRNNCell
from lamina.saving import serialization
from tests.helpers import layer_checks
from tests.layers.rnn import numpy_rnn

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 4, 3)).astype("float32")
MASK = np.array([[True, True, False, False], [True, False, True, True]])


class CountingCell(layers.Layer):
    """A user cell: `h' = tanh(x @ kernel + h @ recurrent_kernel)`, `n' = n + 1`; outputs
    `[h', n']`, so its output (units + 1) is wider than its first state (units)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = [units, 1]
        self.output_size = units + 1

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        h = ops.tanh(ops.add(ops.matmul(inputs, self.kernel),
                             ops.matmul(states[0], self.recurrent_kernel)))
        n = ops.add(states[1], 1.0)
        return ops.concatenate([h, n], axis=-1), [h, n]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _counting_step(kernel, recurrent_kernel):
    def step(x, states):
        h = np.tanh(x @ kernel + states[0] @ recurrent_kernel)
        n = states[1] + 1.0
        return np.concatenate([h, n], axis=-1), [h, n]

    return step


def _f64(layer):
    return [w.astype(np.float64) for w in layer.get_weights()]


@pytest.mark.parametrize("mask", [None, MASK])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_rnn_with_custom_cell_matches_numpy(mask, go_backwards):
    layer = RNN(CountingCell(2), return_sequences=True, return_state=True,
                go_backwards=go_backwards)
    out, h, n = layer(X, mask=mask)
    seq, (h_ref, n_ref) = numpy_rnn.run(_counting_step(*_f64(layer)), X,
                                        [np.zeros((2, 2)), np.zeros((2, 1))], mask=mask,
                                        go_backwards=go_backwards)
    np.testing.assert_allclose(out, seq, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, h_ref, rtol=1e-5, atol=1e-6)
    # The counter counts the real steps only.
    np.testing.assert_array_equal(n_ref, [[4], [4]] if mask is None else [[2], [3]])
    np.testing.assert_array_equal(n, n_ref)


def test_rnn_zero_output_for_mask_zeroes_masked_steps():
    layer = RNN(SimpleRNNCell(3), return_sequences=True, zero_output_for_mask=True)
    out = layer(X, mask=MASK)
    seq, _ = numpy_rnn.run(numpy_rnn.simple_step(*_f64(layer)), X, [np.zeros((2, 3))],
                           mask=MASK, zero_output_for_mask=True)
    np.testing.assert_allclose(out, seq, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(out)[0, 2:], np.zeros((2, 3)))


@pytest.mark.parametrize("unroll", [False, True])
def test_stacked_cells_match_two_numpy_layers(unroll):
    lstm_cell, gru_cell = LSTMCell(3), GRUCell(2)
    layer = RNN([lstm_cell, gru_cell], return_sequences=True, return_state=True, unroll=unroll)
    assert isinstance(layer.cell, StackedRNNCells)
    h0, c0, g0 = (RNG.normal(size=(2, s)).astype("float32") for s in (3, 3, 2))
    out, (h, c), g = layer(X, initial_state=[[h0, c0], g0], mask=MASK)
    seq1, (h_ref, c_ref) = numpy_rnn.run(numpy_rnn.lstm_step(*_f64(lstm_cell)), X, [h0, c0],
                                         mask=MASK)
    seq2, (g_ref,) = numpy_rnn.run(numpy_rnn.gru_step(*_f64(gru_cell)), seq1, [g0], mask=MASK)
    np.testing.assert_allclose(out, seq2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, h_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c, c_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g, g_ref, rtol=1e-5, atol=1e-6)


def test_stacked_cells_state_size_weights_and_config():
    stack = StackedRNNCells([LSTMCell(3, name="lstm_cell_s"), SimpleRNNCell(2, name="srnn_s")],
                            name="stack_s")
    assert stack.state_size == [[3, 3], 2] and stack.output_size == 2
    layer = RNN(stack, name="rnn_s")
    layer.build((None, 4, 5))
    assert [w.path for w in layer.weights] == [
        "rnn_s/stack_s/lstm_cell_s/kernel", "rnn_s/stack_s/lstm_cell_s/recurrent_kernel",
        "rnn_s/stack_s/lstm_cell_s/bias", "rnn_s/stack_s/srnn_s/kernel",
        "rnn_s/stack_s/srnn_s/recurrent_kernel", "rnn_s/stack_s/srnn_s/bias"]
    config = stack.get_config()
    assert [c["class_name"] for c in config["cells"]] == ["LSTMCell", "SimpleRNNCell"]
    clone = StackedRNNCells.from_config(config)
    assert clone.get_config() == config


def test_rnn_config_serializes_the_cell():
    layer = RNN(GRUCell(3, reset_after=False), return_sequences=True, go_backwards=True)
    config = layer.get_config()
    assert config["cell"]["class_name"] == "GRUCell"
    assert config["cell"]["config"]["reset_after"] is False
    assert config["zero_output_for_mask"] is False
    clone = RNN.from_config(config)
    assert isinstance(clone.cell, GRUCell) and clone.go_backwards
    assert clone.get_config() == {**config, "name": clone.name}


@pytest.mark.parametrize("cell,trainable", [(lambda: LSTMCell(4), 3),
                                            (lambda: [SimpleRNNCell(3), GRUCell(4)], 6)])
def test_rnn_contract(cell, trainable):
    layer_checks.check_layer(RNN, {"cell": cell(), "return_sequences": True},
                             input_shape=(2, 5, 3), expected_output_shape=(2, 5, 4),
                             expected_trainable=trainable)


def test_rnn_contract_with_custom_cell():
    with serialization.custom_object_scope({"CountingCell": CountingCell}):
        layer_checks.check_layer(RNN, {"cell": CountingCell(2)}, input_shape=(2, 5, 3),
                                 expected_output_shape=(2, 3), expected_trainable=2)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_rnn_symbolic_shapes_match_eager(return_sequences, return_state, go_backwards):
    layer = RNN(LSTMCell(4), return_sequences=return_sequences, return_state=return_state,
                go_backwards=go_backwards)
    symbolic = layer(layers.Input((7, 3)))
    eager = layer(RNG.normal(size=(2, 7, 3)).astype("float32"))
    expected = (None, 7, 4) if return_sequences else (None, 4)
    if return_state:
        assert [t.shape for t in symbolic] == [expected, (None, 4), (None, 4)]
        assert [tuple(t.shape) for t in eager] == [(2, *expected[1:]), (2, 4), (2, 4)]
        assert layer.compute_output_shape((2, 7, 3)) == [(2, *expected[1:]), (2, 4), (2, 4)]
    else:
        assert symbolic.shape == expected
        assert tuple(eager.shape) == (2, *expected[1:])


def test_stacked_rnn_symbolic_state_structure_matches_eager():
    layer = RNN([LSTMCell(4), GRUCell(3)], return_state=True)
    symbolic = layer(layers.Input((5, 2)))
    eager = layer(np.ones((2, 5, 2), "float32"))
    shapes = lambda out: [tuple(out[0].shape), [tuple(t.shape) for t in out[1]],
                          tuple(out[2].shape)]
    assert shapes(symbolic) == [(None, 3), [(None, 4), (None, 4)], (None, 3)]
    assert shapes(eager) == [(2, 3), [(2, 4), (2, 4)], (2, 3)]


def test_rnn_output_mask_follows_return_sequences():
    ids = np.array([[1, 2, 0, 0], [3, 0, 4, 5]])
    embedded = layers.Embedding(6, 3, mask_zero=True)(ids)
    sequences = LSTM(2, return_sequences=True)(embedded)
    np.testing.assert_array_equal(get_keras_mask(sequences), ids != 0)
    assert get_keras_mask(LSTM(2)(embedded)) is None
    out, h, c = LSTM(2, return_sequences=True, return_state=True)(embedded)
    np.testing.assert_array_equal(get_keras_mask(out), ids != 0)
    assert get_keras_mask(h) is None and get_keras_mask(c) is None


def test_rnn_mask_travels_through_functional_model():
    ids = np.array([[1, 2, 0, 0], [3, 0, 4, 5]])
    inputs = layers.Input((4,), dtype="int32")
    embedding = layers.Embedding(6, 3, mask_zero=True)
    rnn = RNN(SimpleRNNCell(2))
    model = lamina.Model(inputs, rnn(embedding(inputs)))
    emb = np.asarray(embedding.embeddings.value, np.float64)
    seq, _ = numpy_rnn.run(numpy_rnn.simple_step(*_f64(rnn)), emb[ids], [np.zeros((2, 2))],
                           mask=ids != 0)
    np.testing.assert_allclose(model(ids), seq[:, -1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(ids, verbose=0), seq[:, -1], rtol=1e-5, atol=1e-6)


def test_rnn_initial_state_from_functional_inputs():
    seq_in, h_in, c_in = layers.Input((4, 3)), layers.Input((2,)), layers.Input((2,))
    lstm = LSTM(2)
    model = lamina.Model([seq_in, h_in, c_in], lstm(seq_in, initial_state=[h_in, c_in]))
    h0, c0 = RNG.normal(size=(2, 2)).astype("float32"), RNG.normal(size=(2, 2)).astype("float32")
    seq, _ = numpy_rnn.run(numpy_rnn.lstm_step(*_f64(lstm)), X, [h0, c0])
    np.testing.assert_allclose(model([X, h0, c0]), seq[:, -1], rtol=1e-5, atol=1e-6)


def _count_scans(jaxpr):
    count = 0
    for eqn in jaxpr.eqns:
        count += eqn.primitive.name == "scan"
        for value in eqn.params.values():
            inner = getattr(value, "jaxpr", None)
            if inner is not None:
                count += _count_scans(getattr(inner, "jaxpr", inner))
    return count


@pytest.mark.parametrize("unroll,cell,scans", [(False, lambda: LSTMCell(3), 1),
                                               (False, lambda: [GRUCell(3), SimpleRNNCell(2)], 1),
                                               (True, lambda: LSTMCell(3), 0)])
def test_rnn_time_loop_is_one_scan_under_jit(unroll, cell, scans):
    jax = pytest.importorskip("jax")
    layer = RNN(cell(), unroll=unroll, return_sequences=True)
    layer.build(X.shape)
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]

    def forward(x):
        return layer.stateless_call(trainable, non_trainable, x, mask=MASK)[0]

    assert _count_scans(jax.make_jaxpr(forward)(X).jaxpr) == scans
    np.testing.assert_allclose(backend.transforms.jit(forward)(X), layer(X, mask=MASK),
                               rtol=1e-5, atol=1e-6)


def test_rnn_get_initial_state_and_reset_on_stateless_layer():
    layer = RNN([LSTMCell(3), GRUCell(2)])
    states = layer.get_initial_state(5)
    assert [tuple(s.shape) for s in states[0]] == [(5, 3), (5, 3)]
    assert tuple(states[1].shape) == (5, 2)
    assert layer.states is None
    layer.reset_states()  # nothing to reset: no error


def test_rnn_rejects_2d_input():
    layer = LSTM(2, name="lstm_2d")
    message = (r"LSTM 'lstm_2d' expects a 3D input \(batch, timesteps, features\), received "
               r"shape \(2, 3\)\. .*Reshape\(\(1, features\)\).*RepeatVector")
    with pytest.raises(ValueError, match=message):
        layer(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match=r"LSTM 'lstm_2d' expects a 3D input"):
        layer(layers.Input((3,)))


def test_rnn_rejects_mask_of_wrong_shape():
    layer = RNN(SimpleRNNCell(2), name="rnn_mask")
    with pytest.raises(ValueError, match=r"RNN 'rnn_mask' expects a mask of shape \(batch, "
                                         r"timesteps\) = \(2, 4\) .* received a mask of shape "
                                         r"\(2, 3\)"):
        layer(X, mask=np.ones((2, 3), bool))


def test_rnn_stateful_needs_a_batch_size():
    layer = LSTM(2, stateful=True, name="lstm_sf")
    with pytest.raises(ValueError, match=r"LSTM 'lstm_sf' is stateful.*unknown batch size.*"
                                         r"batch_size="):
        layer(layers.Input((4, 3)))
    ok = LSTM(2, stateful=True)
    out = ok(layers.Input((4, 3), batch_size=2))
    assert out.shape == (2, 2)
    assert [tuple(v.shape) for v in ok.states] == [(2, 2), (2, 2)]


def test_rnn_rejects_bad_cells_and_initial_states():
    with pytest.raises(ValueError, match=r"a cell must have a `call\(inputs, states\)` method"):
        RNN(object())
    with pytest.raises(ValueError, match=r"StackedRNNCells: `cells` must be a non-empty list"):
        StackedRNNCells([])
    layer = LSTM(2, name="lstm_init")
    with pytest.raises(ValueError, match=r"LSTM 'lstm_init' expects 2 initial state tensor\(s\)"):
        layer(X, initial_state=[np.zeros((2, 2), "float32")])
    with pytest.raises(ValueError, match=r"expects initial states of shapes \[\(2, 2\), \(2, 2\)\]"):
        layer(X, initial_state=[np.zeros((2, 3), "float32")] * 2)


def test_rnn_unroll_needs_known_timesteps():
    layer = RNN(SimpleRNNCell(2), unroll=True, name="rnn_unroll")
    with pytest.raises(ValueError, match=r"RNN 'rnn_unroll' has unroll=True, which needs a known "
                                         r"number of timesteps"):
        layer(layers.Input((None, 3)))
