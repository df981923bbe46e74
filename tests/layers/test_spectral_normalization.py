import numpy as np
import pytest

from lamina import backend
from lamina.layers.core import Dense, Embedding
from lamina.layers.spectral_normalization import SpectralNormalization
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck

W = (np.arange(12).reshape(4, 3) % 5 - 2).astype("float32") / 2
U = np.array([[0.3, -0.2, 0.5]], "float32")
# Keras 3.15 (JAX): SpectralNormalization(Dense(3, use_bias=False)) with kernel W and
# vector_u U, after one call on ones((1, 4)) with training=True.
KERAS_NORMALIZED_KERNEL = [[-0.75334, -0.37667, 0.0], [0.37667, 0.75334, -0.75334],
                           [-0.37667, 0.0, 0.37667], [0.75334, -0.75334, -0.37667]]
KERAS_VECTOR_U = [[0.146176, -0.818588, 0.55547]]
KERAS_OUTPUT = [[0.0, -0.37667, -0.75334]]


def _power_iteration(w, u, steps):
    """NumPy reference: `steps` power-iteration steps, then w / sigma."""
    for _ in range(steps):
        v = u @ w.T
        v = v / np.linalg.norm(v)
        u = v @ w
        u = u / np.linalg.norm(u)
    sigma = (v @ w @ u.T).item()
    return u, w / sigma


def _wrapped(power_iterations=1, **kwargs):
    layer = SpectralNormalization(Dense(3, use_bias=False, **kwargs),
                                  power_iterations=power_iterations, **kwargs)
    layer.build((None, 4))
    layer.layer.kernel.assign(W)
    layer.vector_u.assign(U)
    return layer


def test_one_training_call_matches_keras_and_numpy():
    layer = _wrapped()
    out = layer(np.ones((1, 4), "float32"), training=True)
    np.testing.assert_allclose(out, KERAS_OUTPUT, atol=1e-5)
    np.testing.assert_allclose(layer.layer.kernel.value, KERAS_NORMALIZED_KERNEL, atol=1e-5)
    np.testing.assert_allclose(layer.vector_u.value, KERAS_VECTOR_U, atol=1e-5)
    u, kernel = _power_iteration(W.astype("float64"), U.astype("float64"), 1)
    np.testing.assert_allclose(layer.layer.kernel.value, kernel, rtol=1e-5)
    np.testing.assert_allclose(layer.vector_u.value, u, rtol=1e-5)


def test_inference_leaves_the_kernel_and_repeated_training_reaches_unit_norm():
    layer = _wrapped(power_iterations=3)
    x = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_allclose(layer(x), x @ W, rtol=1e-6)
    np.testing.assert_array_equal(layer.layer.kernel.value, W)
    for _ in range(5):
        layer(x, training=True)
    assert abs(np.linalg.svd(np.asarray(layer.layer.kernel.value))[1][0] - 1.0) < 1e-4


def test_weights_order_and_stateless_training_call():
    layer = _wrapped()
    assert [w.name for w in layer.weights] == ["kernel", "vector_u"]
    assert [w.name for w in layer.trainable_weights] == ["kernel"]
    assert [w.name for w in layer.non_trainable_weights] == ["vector_u"]
    x = np.ones((1, 4), "float32")
    out, (new_u,) = layer.stateless_call([W], [U], x, training=True)
    np.testing.assert_allclose(out, KERAS_OUTPUT, atol=1e-5)
    np.testing.assert_allclose(new_u, KERAS_VECTOR_U, atol=1e-5)
    np.testing.assert_array_equal(layer.layer.kernel.value, W)  # nothing mutated


def test_all_zero_kernel_is_left_alone_and_embeddings_are_normalized():
    layer = _wrapped()
    layer.layer.kernel.assign(np.zeros_like(W))
    layer(np.ones((1, 4), "float32"), training=True)
    np.testing.assert_array_equal(layer.layer.kernel.value, 0.0)
    np.testing.assert_array_equal(layer.vector_u.value, U)
    embedding = SpectralNormalization(Embedding(5, 3), power_iterations=20)
    embedding(np.array([[1, 2]]), training=True)
    assert abs(np.linalg.svd(np.asarray(embedding.layer.embeddings.value))[1][0] - 1) < 1e-3


def test_gradients_through_the_normalized_kernel():
    x = np.random.default_rng(0).normal(size=(2, 4))
    cache = []

    def loss(kernel):
        if not cache:  # built and compiled on first use, inside check_grads' float64 mode
            layer = _wrapped(power_iterations=12, dtype="float64")

            def run(kernel):
                out, _ = layer.stateless_call([kernel], [U.astype("float64")], x, training=True)
                return (out ** 2).sum()

            cache.append(backend.transforms.jit(run))
        return cache[0](kernel)

    # Converged power iteration: sigma is the top singular value, whose derivative is u v^T,
    # which is what the stop-gradient on the iteration vectors gives.
    # A clear gap between the top two singular values (about 2.0 and 0.6) makes it converge.
    kernel = np.array([[2.0, 0.1, 0.0], [0.3, 0.5, 0.2], [0.0, 0.1, 0.4], [0.2, 0.0, 0.1]])
    gradcheck.check_grads(loss, [kernel], rtol=1e-4, atol=1e-6)


def test_config_shapes_and_errors():
    layer = SpectralNormalization(Dense(2), power_iterations=2)
    assert layer(KerasTensor((None, 4))).shape == (None, 2)
    assert layer.compute_output_shape((5, 4)) == (5, 2)
    config = layer.get_config()
    assert config["power_iterations"] == 2 and config["layer"]["class_name"] == "Dense"
    clone = SpectralNormalization.from_config(config)
    assert clone.get_config() == {**config, "name": clone.name}
    clone.build((None, 4))
    clone.set_weights(layer.get_weights())
    x = np.ones((3, 4), "float32")
    np.testing.assert_allclose(clone(x), layer(x), rtol=1e-6)
    with pytest.raises(ValueError, match="`power_iterations` must be a positive int"):
        SpectralNormalization(Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="`layer` must be a lamina Layer instance"):
        SpectralNormalization(Dense)
    from lamina.layers.activations import ReLU
    with pytest.raises(ValueError, match="has no `kernel` or `embeddings`"):
        SpectralNormalization(ReLU())(np.ones((1, 2)))
