import numpy as np
import pytest

import lamina
from lamina.layers.preprocessing.numerical import Discretization, Normalization, Rescaling
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck, layer_checks

# Fixed data and the numbers Keras 3.15 (JAX backend) gives for it.
X = np.array([[0.38, -0.40, 1.92], [0.31, -1.61, 1.08], [3.91, 2.84, -2.11],
              [-3.80, -1.87, 0.12], [-6.98, -0.66, -3.74], [-2.20, -1.63, -0.95]], "float32")
KERAS_MEAN = [-1.3966666460037231, -0.5550000071525574, -0.6133333444595337]
KERAS_VAR = [11.970824241638184, 2.593158483505249, 3.658721923828125]
KERAS_OUT = [[0.5135040879249573, 0.0962536409497261, 1.3244258165359497],
             [0.49327224493026733, -0.6551457643508911, 0.8852741122245789]]
D = np.array([0.4116, 1.0425, -0.1285, 1.3665, -0.6652, 0.3515, 0.9035, 0.094, -0.7435, -0.9217,
              -0.4577, 0.2202, -1.0096, -0.2092, -0.1592, 0.5408, 0.2147, 0.3554, -0.6538,
              -0.1296, 0.784, 1.4934, -1.2591, 1.5139, 1.3459, 0.7813, 0.2645, -0.3139, 1.458,
              1.9603, 1.8016, 1.3151, 0.3574, -1.2083, -0.0045, 0.6565, -1.2884, 0.3951, 0.4299,
              0.696, -1.1841, -0.6617, -0.4364, -1.1698, 1.7394, -0.4959, 0.329, -0.2586, 1.5835,
              1.3204], "float32")


def test_normalization_adapt_matches_keras():
    layer = Normalization()
    layer.adapt(X)
    np.testing.assert_allclose(layer.adapt_mean.value, KERAS_MEAN, rtol=1e-6)
    np.testing.assert_allclose(layer.adapt_variance.value, KERAS_VAR, rtol=1e-6)
    np.testing.assert_allclose(layer(X[:2]), KERAS_OUT, rtol=1e-5)
    assert [w.name for w in layer.weights] == ["mean", "variance", "count"]
    assert layer.trainable_weights == []


def test_normalization_adapt_axis_none_and_tuple_axes():
    layer = Normalization(axis=None)
    layer.adapt(X)
    np.testing.assert_allclose(layer.adapt_mean.value, -0.8549999594688416, rtol=1e-6)
    np.testing.assert_allclose(layer.adapt_variance.value, 6.221502304077148, rtol=1e-6)
    x3 = np.random.default_rng(0).normal(size=(4, 2, 3)).astype("float32")
    layer = Normalization(axis=(1, 2))
    layer.adapt(x3)
    expected = (x3 - x3.mean(0)) / np.sqrt(x3.var(0))
    np.testing.assert_allclose(layer(x3), expected, rtol=1e-4, atol=1e-5)


def test_normalization_adapt_over_batches_equals_whole_array():
    layer = Normalization()
    layer.adapt([X[:2], X[2:5], X[5:]])
    np.testing.assert_allclose(layer.adapt_mean.value, X.astype("float64").mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.adapt_variance.value, X.astype("float64").var(0),
                               rtol=1e-5)


def test_normalization_given_stats_invert_and_epsilon_floor():
    layer = Normalization(mean=2.0, variance=4.0, invert=True)
    np.testing.assert_allclose(layer(np.array([[1.0, -1.0]])), [[4.0, 0.0]])
    layer = Normalization(mean=[1.0, 2.0], variance=[4.0, 0.0])
    out = layer(np.array([[3.0, 2.0]], "float32"))
    np.testing.assert_allclose(out, [[1.0, 0.0]])
    assert layer.weights == []


def test_normalization_contract_and_config():
    layer = Normalization(axis=-1)
    layer.adapt(X)
    layer_checks.check_shapes_agree(layer, (2, 3), (2, 3))
    layer_checks.check_stateless_call(layer, (2, 3))
    layer_checks.check_config_round_trip(layer, (2, 3))
    config = Normalization(mean=[1.0, 2.0], variance=[3.0, 4.0]).get_config()
    assert config["mean"] == [1.0, 2.0] and config["variance"] == [3.0, 4.0]
    assert config["axis"] == (-1,)


def test_normalization_gradient():
    layer = Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], dtype="float64")
    with gradcheck.float64_mode():
        gradcheck.check_grads(lambda x: lamina.ops.sum(layer(x) ** 2),
                              [np.array([[0.5, -1.0], [2.0, 3.0]])])


def test_normalization_errors():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        Normalization(mean=[1.0, 2.0], variance=[1.0])
    with pytest.raises(TypeError, match="`axis`"):
        Normalization(axis="last")
    layer = Normalization()
    layer.adapt(X)
    with pytest.raises(ValueError, match="keeps axis 1 of size 3"):
        layer.adapt(np.ones((2, 4)))


@pytest.mark.parametrize("num_bins, epsilon, expected", [
    (4, 0.01, [-0.47679999470710754, 0.2644999921321869, 0.84375]),
    (3, 0.1, [-0.25210005044937134, 0.5957000255584717]),
    (5, 0.05, [-0.6616998910903931, -0.12849973142147064, 0.3951001465320587, 1.315099835395813]),
])
def test_discretization_adapt_matches_keras(num_bins, epsilon, expected):
    layer = Discretization(num_bins=num_bins, epsilon=epsilon)
    layer.adapt(D)
    np.testing.assert_allclose(layer.bin_boundaries, expected, rtol=1e-6)


def test_discretization_adapt_batches_matches_keras():
    layer = Discretization(num_bins=3, epsilon=0.01)
    layer.adapt([D[:20], D[20:]])
    np.testing.assert_allclose(layer.bin_boundaries, [-0.22566665709018707, 0.5793665051460266],
                               rtol=1e-6)


def test_discretization_outputs():
    x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
    layer = Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    out = layer(x)
    assert out.dtype == "int32"
    np.testing.assert_array_equal(out, np.digitize(x, [0.0, 1.0, 2.0]))
    adapted = Discretization(num_bins=4, epsilon=0.01)
    adapted.adapt(x)
    np.testing.assert_array_equal(adapted(x), [[0, 2, 3, 2], [1, 3, 3, 1]])  # Keras docstring
    count = Discretization(bin_boundaries=[0.0, 1.0], output_mode="count")
    np.testing.assert_allclose(count(np.array([[-1.0, 0.5, 2.0, 3.0]])), [[1.0, 1.0, 2.0]])
    one_hot = Discretization(bin_boundaries=[0.0], output_mode="one_hot")
    np.testing.assert_allclose(one_hot(np.array([[-1.0], [1.0]])), [[1.0, 0.0], [0.0, 1.0]])
    multi = Discretization(bin_boundaries=[0.0, 1.0], output_mode="multi_hot")
    np.testing.assert_allclose(multi(np.array([[-1.0, -2.0], [5.0, 0.5]])),
                               [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])


def test_discretization_symbolic_and_config():
    layer = Discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot")
    out = layer(KerasTensor((None, 4)))
    assert out.shape == (None, 4, 3) and out.dtype == "float32"
    assert Discretization(bin_boundaries=[0.0])(KerasTensor((None, 2))).dtype == "int32"
    adapted = Discretization(num_bins=3)
    adapted.adapt(D)
    clone = Discretization.from_config(adapted.get_config())
    assert clone.bin_boundaries == adapted.bin_boundaries
    np.testing.assert_array_equal(clone(D), adapted(D))


def test_discretization_errors():
    with pytest.raises(ValueError, match="not both"):
        Discretization(bin_boundaries=[0.0], num_bins=2)
    with pytest.raises(ValueError, match="Received neither"):
        Discretization()
    with pytest.raises(ValueError, match="unknown output_mode 'binary'.*Known values"):
        Discretization(bin_boundaries=[0.0], output_mode="binary")
    with pytest.raises(ValueError, match="only a layer created with `num_bins`"):
        Discretization(bin_boundaries=[0.0]).adapt(D)
    with pytest.raises(ValueError, match="no bin boundaries yet"):
        Discretization(num_bins=3)(D)
    with pytest.raises(ValueError, match="sorted"):
        Discretization(bin_boundaries=[1.0, 0.0])


def test_rescaling_values_config_and_gradient():
    layer = Rescaling(scale=1 / 127.5, offset=-1)
    np.testing.assert_allclose(layer(np.array([0.0, 127.5, 255.0])), [-1.0, 0.0, 1.0], atol=1e-6)
    per_channel = Rescaling(scale=[1.0, 2.0, 3.0])
    x = np.ones((2, 2, 2, 3), "float32")
    np.testing.assert_allclose(per_channel(x), x * np.array([1.0, 2.0, 3.0]))
    assert per_channel(np.ones((2, 3), "uint8")).dtype == "float32"
    layer_checks.check_config_round_trip(Rescaling(scale=np.array([2.0, 3.0]), offset=0.5),
                                         (2, 2))
    with gradcheck.float64_mode():
        gradcheck.check_grads(lambda x: lamina.ops.sum(Rescaling(3.0, dtype="float64")(x) ** 2),
                              [np.array([0.5, -1.0])])
    with pytest.raises(TypeError, match="`scale` must be a number"):
        Rescaling("big")


def test_adapted_normalization_survives_save_and_load(tmp_path):
    norm = Normalization()
    norm.adapt(X)
    model = lamina.Sequential([lamina.layers.Input((3,)), norm, lamina.layers.Dense(2)])
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path, custom_objects={"Normalization": Normalization})
    np.testing.assert_allclose(loaded.layers[0].adapt_mean.value, KERAS_MEAN, rtol=1e-6)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6)
