import numpy as np
import pytest

import lamina
from lamina import layers as today
from lamina.legacy import arguments
from lamina.legacy import layers as L
from lamina.legacy.backend import hard_sigmoid
from tests.helpers.gradcheck import check_grads, float64_mode


def test_convolution2d_old_signature():
    conv = L.Convolution2D(4, 3, 5, border_mode="same", subsample=(2, 1), dim_ordering="th",
                           init="he_normal", W_regularizer="l2", bias=False)
    assert isinstance(conv, today.Conv2D)
    assert (conv.filters, conv.kernel_size, conv.strides) == (4, (3, 5), (2, 1))
    assert (conv.padding, conv.data_format, conv.use_bias) == ("same", "channels_first", False)
    x = np.ones((2, 1, 6, 6), dtype="float32")
    assert tuple(conv(x).shape) == (2, 4, 3, 6)


def test_keras2_conv_signature_kept():
    assert L.Conv2D(8, (3, 3), strides=2).kernel_size == (3, 3)
    assert L.Conv2D(8, 3).kernel_size == (3, 3)
    with pytest.raises(TypeError, match=r"missing \['kernel_dim3'\]"):
        L.Convolution3D(8, 3, 3)


def test_convolution1d_and_pooling_old_names():
    conv = L.Convolution1D(nb_filter=4, filter_length=3, subsample_length=1, input_dim=5,
                           input_length=7)
    assert (conv.filters, conv.kernel_size, conv._input_shape_arg) == (4, (3,), (None, 7, 5))
    pool = L.MaxPooling1D(pool_length=3, stride=1, border_mode="same")
    assert (pool.pool_size, pool.strides, pool.padding) == ((3,), (1,), "same")
    atrous = L.AtrousConvolution2D(2, 3, 3, atrous_rate=(2, 2))
    assert atrous.dilation_rate == (2, 2)
    deconv = L.Deconvolution2D(3, 2, 2, output_shape=(None, 3, 8, 8), subsample=(2, 2))
    assert isinstance(deconv, today.Conv2DTranspose) and deconv.strides == (2, 2)


def test_recurrent_era_defaults_and_renames():
    lstm = L.LSTM(output_dim=4, input_dim=3, input_length=5, inner_init="orthogonal",
                  forget_bias_init="one", dropout_W=0.1, dropout_U=0.2, consume_less="gpu")
    assert lstm.units == 4 and lstm._input_shape_arg == (None, 5, 3)
    assert lstm.cell.recurrent_activation is hard_sigmoid
    assert (lstm.cell.dropout, lstm.cell.recurrent_dropout) == (0.1, 0.2)
    gru = L.GRU(3, inner_activation="sigmoid")
    assert gru.cell.reset_after is False
    assert gru.cell.recurrent_activation is lamina.activations.sigmoid


def test_other_renames():
    assert L.Dropout(p=0.3).rate == 0.3
    assert L.GaussianNoise(sigma=0.2).stddev == 0.2
    assert L.LeakyReLU(alpha=0.1).negative_slope == pytest.approx(0.1)
    assert tuple(L.UpSampling1D(length=3)(np.ones((1, 2, 1), "float32")).shape) == (1, 6, 1)
    assert L.Reshape(dims=(2, 2)).target_shape == (2, 2)
    assert L.ThresholdedReLU(theta=0.5).threshold == 0.5
    x = np.array([[0.2, 0.7, -1.0]], dtype="float32")
    np.testing.assert_allclose(L.ThresholdedReLU(theta=0.5)(x), [[0.0, 0.7, 0.0]])
    with pytest.raises(ValueError, match="mode=1"):
        L.BatchNormalization(mode=1)
    with pytest.raises(ValueError, match="word dropout"):
        L.Embedding(10, 3, dropout=0.2)


def test_activation_hard_sigmoid_is_keras1s():
    x = np.array([[-1.0, 0.0, 2.0]], dtype="float32")
    np.testing.assert_allclose(L.Activation("hard_sigmoid")(x), np.clip(0.2 * x + 0.5, 0, 1))


def test_weights_argument_sets_initial_weights():
    matrix = np.arange(12, dtype="float32").reshape(4, 3)
    embedding = L.Embedding(4, 3, input_length=2, weights=[matrix])
    np.testing.assert_allclose(embedding(np.array([[3, 1]])), matrix[[3, 1]][None])
    dense = L.Dense(2, weights=[np.ones((3, 2)), np.array([1.0, -1.0])])
    np.testing.assert_allclose(dense(np.ones((1, 3), "float32")), [[4.0, 2.0]])


def test_unknown_layer_argument_suggests():
    arguments.forget_announcements()
    with pytest.raises(TypeError, match="Dense: unknown argument `ouput_dim`. Did you mean "
                                        "`output_dim`"):
        L.Dense(ouput_dim=3)
    with pytest.raises(TypeError, match="at most 1 positional"):
        L.Dense(3, 4)


def test_time_distributed_dense():
    layer = L.TimeDistributedDense(5, input_dim=3, input_length=4)
    assert isinstance(layer, L.TimeDistributed) and layer._input_shape_arg == (None, 4, 3)
    assert tuple(layer(np.ones((2, 4, 3), "float32")).shape) == (2, 4, 5)


def test_maxout_dense_matches_numpy():
    layer = L.MaxoutDense(2, nb_feature=3)
    layer.build((None, 4))
    rng = np.random.default_rng(0)
    kernel, bias = rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 2))
    layer.set_weights([kernel, bias])
    x = rng.normal(size=(5, 4)).astype("float32")
    expected = (np.einsum("bi,kio->bko", x, kernel) + bias).max(axis=1)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-5, atol=1e-5)
    config = layer.get_config()
    clone = L.MaxoutDense.from_config(config)
    assert (clone.output_dim, clone.nb_feature) == (2, 3)
    with pytest.raises(ValueError, match="nb_feature.*positive int"):
        L.MaxoutDense(2, nb_feature=0)


def test_maxout_dense_gradients():
    kernel = np.random.default_rng(1).normal(size=(2, 3, 2))

    def f(x, k):
        from lamina import ops
        return ops.sum(ops.max(ops.einsum("bi,kio->bko", x, k), axis=1))
    layer_out = L.MaxoutDense(2, nb_feature=2, bias=False)
    layer_out.build((None, 3))
    layer_out.set_weights([kernel])
    check_grads(f, [np.random.default_rng(2).normal(size=(2, 3)), kernel], rtol=1e-4,
                atol=1e-6)


def test_highway_matches_numpy():
    layer = L.Highway(activation="relu", transform_bias=-1.0)
    layer.build((None, 3))
    rng = np.random.default_rng(3)
    w, wc, b = rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)
    layer.set_weights([w, wc, b, np.full(3, -1.0)])
    x = rng.normal(size=(4, 3)).astype("float32")
    gate = 1 / (1 + np.exp(-(x @ wc - 1.0)))
    expected = gate * np.maximum(x @ w + b, 0) + (1 - gate) * x
    np.testing.assert_allclose(layer(x), expected, rtol=1e-5, atol=1e-5)
    assert L.Highway.from_config(layer.get_config()).transform_bias == -1.0


def test_highway_gradients():
    with float64_mode():
        layer = L.Highway(activation="tanh", dtype="float64")
        layer.build((None, 3))
        check_grads(lambda x: lamina.ops.sum(layer(x)),
                    [np.random.default_rng(4).normal(size=(2, 3))], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("mode, reference", [
    ("sum", lambda a, b: a + b), ("mul", lambda a, b: a * b),
    ("ave", lambda a, b: (a + b) / 2), ("max", np.maximum),
    ("concat", lambda a, b: np.concatenate([a, b], -1)),
    ("dot", lambda a, b: (a * b).sum(-1, keepdims=True)),
    ("cos", lambda a, b: (a * b).sum(-1, keepdims=True) / np.linalg.norm(a, axis=-1,
                                                                         keepdims=True)
     / np.linalg.norm(b, axis=-1, keepdims=True))])
def test_merge_modes_match_numpy(mode, reference):
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(2, 3)).astype("float32"), rng.normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(L.merge([a, b], mode=mode), reference(a, b), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(L.Merge(mode=mode)([a, b]), reference(a, b), rtol=1e-5,
                               atol=1e-6)


def test_merge_callable_and_errors():
    a = np.ones((2, 3), "float32")
    out = L.merge([a, 2 * a], mode=lambda xs: xs[0] - xs[1], output_shape=(3,))
    np.testing.assert_allclose(out, -a)
    with pytest.raises(ValueError, match="unknown mode 'avg'.*sum, mul, concat"):
        L.merge([a, a], mode="avg")
    with pytest.raises(ValueError, match="at least two models"):
        L.Merge([object()], mode="sum")
