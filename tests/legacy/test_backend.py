import numpy as np
import pytest

from lamina import backend
from lamina.legacy import backend as K


def test_hard_sigmoid_is_keras1s():
    x = np.linspace(-4, 4, 17).astype("float32")
    np.testing.assert_allclose(K.hard_sigmoid(x), np.clip(0.2 * x + 0.5, 0, 1), rtol=1e-6)


def test_hard_sigmoid_gradient():
    from tests.helpers.gradcheck import check_grads
    x = np.array([-3.0, -1.0, 0.3, 1.7, 4.0])  # away from the kinks at +-2.5
    check_grads(lambda t: K.sum(K.hard_sigmoid(t)), [x], rtol=1e-4, atol=1e-6)


def test_reductions_and_math_match_numpy():
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(K.sum(x, axis=1), x.sum(1))
    np.testing.assert_allclose(K.mean(x, axis=0, keepdims=True), x.mean(0, keepdims=True))
    np.testing.assert_allclose(K.max(x), 5.0)
    np.testing.assert_allclose(K.dot(x, x.T), x @ x.T)
    np.testing.assert_allclose(K.batch_flatten(np.ones((2, 2, 3))), np.ones((2, 6)))
    np.testing.assert_allclose(K.permute_dimensions(x, (1, 0)), x.T)
    np.testing.assert_allclose(K.repeat(x, 2), np.stack([x, x], axis=1))
    np.testing.assert_allclose(K.l2_normalize(x, axis=1),
                               x / np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(K.switch(x > 2, x, -x), np.where(x > 2, x, -x))


def test_batch_dot_matches_numpy():
    a = np.arange(6, dtype="float32").reshape(2, 3)
    b = np.arange(6, 12, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(K.batch_dot(a, b, axes=1), (a * b).sum(1, keepdims=True))


def test_variable_get_set_value():
    v = K.variable([1.0, 2.0])
    K.set_value(v, [3.0, 4.0])
    assert K.get_value(v).tolist() == [3.0, 4.0]
    assert K.int_shape(v) == (2,)
    with pytest.raises(TypeError, match="expected a Variable"):
        K.set_value(np.ones(2), [1.0, 2.0])


def test_image_dim_ordering_round_trip():
    before = backend.image_data_format()
    try:
        K.set_image_dim_ordering("th")
        assert K.image_dim_ordering() == "th"
        assert backend.image_data_format() == "channels_first"
        with pytest.raises(ValueError, match="'th' or 'tf'"):
            K.set_image_dim_ordering("nchw")
    finally:
        backend.set_image_data_format(before)


def test_function_reads_an_intermediate_layer():
    import lamina
    inputs = lamina.Input((3,))
    hidden = lamina.layers.Dense(2, use_bias=False)
    h = hidden(inputs)
    lamina.Model(inputs, lamina.layers.Dense(1)(h))
    kernel = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype="float32")
    hidden.set_weights([kernel])
    get_hidden = K.function([inputs, K.learning_phase()], [h])
    x = np.array([[1.0, 2.0, 3.0]], dtype="float32")
    np.testing.assert_allclose(get_hidden([x, 0])[0], x @ kernel)
