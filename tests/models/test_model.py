"""`model(x)` on arrays: repeated shapes reuse one compiled forward pass with the same results."""

import numpy as np

import lamina
from lamina import layers


class CountingDense(layers.Dense):
    """A Dense whose `call` counts how often Python runs it (once per trace when compiled)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.python_calls = 0

    def call(self, inputs):
        self.python_calls += 1
        return super().call(inputs)


def _mlp(first=None):
    lamina.utils.set_random_seed(0)
    counting = CountingDense(8, activation="relu")
    model = lamina.Sequential([lamina.Input((4,)), first or layers.Identity(), counting,
                               layers.Dropout(0.5), layers.BatchNormalization(),
                               layers.Dense(3, activation="softmax")])
    return model, counting


def test_repeated_calls_reuse_one_compiled_forward_pass_with_equal_results():
    model, counting = _mlp()
    x = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    first = np.asarray(model(x))          # eager: the shape is new
    assert counting.python_calls == 1
    for _ in range(4):
        np.testing.assert_allclose(np.asarray(model(x)), first, rtol=1e-6, atol=1e-7)
    assert counting.python_calls == 2     # one trace, then the compiled program
    # The NumPy reference: inference ignores dropout and uses BatchNormalization's statistics.
    w1, b1, gamma, beta, mean, var, w2, b2 = model.get_weights()
    h = np.maximum(x @ w1 + b1, 0)
    h = (h - mean) / np.sqrt(var + 1e-3) * gamma + beta
    logits = h @ w2 + b2
    expected = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(first, expected, rtol=1e-5, atol=1e-6)


def test_new_values_and_training_calls_are_honoured():
    model, counting = _mlp()
    x = np.random.default_rng(1).normal(size=(2, 4)).astype("float32")
    model(x)
    before = np.asarray(model(x))         # compiled from here on
    assert not np.allclose(before, 1 / 3)
    model.layers[1].kernel.assign(np.zeros((4, 8), "float32"))
    # Weights are arguments of the compiled pass, not constants baked into it: with a zero
    # kernel (and zero biases, fresh BatchNormalization) every logit is 0, so softmax is 1/3.
    np.testing.assert_allclose(np.asarray(model(x)), np.full((2, 3), 1 / 3), rtol=1e-6)
    assert counting.python_calls == 2
    calls = counting.python_calls
    model(x, training=True)               # training calls keep the plain path
    assert counting.python_calls == calls + 1


def test_models_with_masks_or_activity_losses_keep_the_plain_path():
    model, counting = _mlp(first=layers.Masking(0.0))
    x = np.ones((2, 4), "float32")
    for _ in range(3):
        model(x)
    assert counting.python_calls == 3
    regularized = lamina.Sequential([lamina.Input((4,)), layers.Dense(
        2, activity_regularizer=lamina.regularizers.L2(1.0), kernel_initializer="ones")])
    for _ in range(3):
        regularized(x)
    # Each call records its activity loss, as Keras does: 4 inputs of 1 -> outputs 4, 4.
    np.testing.assert_allclose(float(regularized.losses[0]), (16 + 16) * 2 / 2, rtol=1e-6)
