"""SpectralNormalization: a wrapper that keeps the spectral norm of a layer's kernel near 1."""

import numbers

from lamina import initializers, ops
from lamina.layers.input_spec import InputSpec
from lamina.layers.rnn.wrapper import Wrapper


class SpectralNormalization(Wrapper):
    """Divides the wrapped layer's kernel by its largest singular value during training.

    The largest singular value `sigma` is estimated by power iteration on the kernel reshaped to
    `(-1, kernel.shape[-1])`, starting from the non-trainable vector `vector_u`, which each
    training call updates. In training the kernel is replaced by `kernel / sigma` (an all-zero
    kernel is left alone); at inference the layer uses the kernel as last normalized.

    Args:
        layer: A layer with a `kernel` (Dense, Conv*, ...) or `embeddings` (Embedding) weight.
        power_iterations: Positive int, power-iteration steps per training call.

    Input shape and output shape: those of the wrapped layer.

    >>> layer = lamina.layers.SpectralNormalization(lamina.layers.Dense(3))
    >>> tuple(layer(np.ones((2, 4)), training=True).shape)
    (2, 3)
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations,
                                                                 numbers.Integral) \
                or power_iterations <= 0:
            raise ValueError("SpectralNormalization: `power_iterations` must be a positive int. "
                             f"Received: power_iterations={power_iterations!r}")
        self.power_iterations = int(power_iterations)

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"SpectralNormalization: the wrapped {type(self.layer).__name__} "
                             f"'{self.layer.name}' has no `kernel` or `embeddings` weight to "
                             "normalize. Wrap a Dense, Conv or Embedding layer.")
        # Tracked here too (weights are de-duplicated), which puts the weights in Keras's
        # order: kernel, vector_u, then the wrapped layer's others.
        self.kernel = kernel
        self.kernel_shape = tuple(kernel.shape)
        self.vector_u = self.add_weight(shape=(1, self.kernel_shape[-1]),
                                        initializer=initializers.TruncatedNormal(stddev=0.02),
                                        trainable=False, name="vector_u", dtype=kernel.dtype)

    def call(self, inputs, training=False):
        if training:
            is_zero = ops.all(ops.equal(self.kernel.value, 0))
            new_u, new_kernel = ops.cond(
                is_zero, lambda: (self.vector_u.value, self.kernel.value),
                self.normalized_weights)
            self.vector_u.assign(new_u)
            self.kernel.assign(new_kernel)
        return ops.cast(self.layer(inputs), inputs.dtype)

    def normalized_weights(self):
        """`(vector_u, kernel / sigma)` after `power_iterations` power-iteration steps.

        Returns:
            The updated `vector_u` and the normalized kernel (gradients flow through the
            kernel, not through the power-iteration vectors).
        """
        weights = ops.reshape(self.kernel.value, (-1, self.kernel_shape[-1]))
        vector_u = self.vector_u.value
        for _ in range(self.power_iterations):
            vector_v = ops.normalize(ops.matmul(vector_u, ops.transpose(weights)), axis=None)
            vector_u = ops.normalize(ops.matmul(vector_v, weights), axis=None)
        vector_u, vector_v = ops.stop_gradient(vector_u), ops.stop_gradient(vector_v)
        sigma = ops.matmul(ops.matmul(vector_v, weights), ops.transpose(vector_u))
        kernel = ops.reshape(ops.divide(self.kernel.value, sigma), self.kernel_shape)
        return ops.cast(vector_u, self.vector_u.dtype), ops.cast(kernel, self.kernel.dtype)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
