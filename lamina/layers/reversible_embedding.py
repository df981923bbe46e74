"""ReversibleEmbedding: an Embedding that can also map vectors back to vocabulary logits."""

import numbers

from lamina import backend, ops
from lamina.layers.core import Embedding
from lamina.ops.symbolic import KerasTensor


class ReversibleEmbedding(Embedding):
    """An Embedding whose `call(x, reverse=True)` projects vectors onto the vocabulary.

    Forward (`reverse=False`), integer indices become vectors as in `Embedding`. In reverse,
    vectors `(..., output_dim)` become logits `(..., input_dim)`: `x @ embeddings.T` when the
    weights are tied, else `x @ reverse_embeddings`, a separate `(output_dim, input_dim)`
    weight. This is the usual output head of a language model sharing its input embedding.

    Args:
        input_dim: Positive int, the vocabulary size.
        output_dim: Positive int, the size of each vector.
        tie_weights: Whether reverse uses the transposed `embeddings` (True) or its own
            `reverse_embeddings` weight (False).
        embeddings_initializer, embeddings_regularizer, embeddings_constraint, mask_zero: As in
            `Embedding` (the reverse weight uses the same initializer).
        reverse_dtype: Dtype of the reverse matmul (e.g. "float32" for stable logits under a
            float16 policy); None keeps the compute dtype.
        logit_soft_cap: Optional positive number `c`: reverse logits become
            `tanh(logits / c) * c`.

    >>> layer = lamina.layers.ReversibleEmbedding(10, 4)
    >>> vectors = layer(np.array([[1, 2]]))
    >>> tuple(layer(vectors, reverse=True).shape)
    (1, 2, 10)
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 reverse_dtype=None, logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        if not isinstance(tie_weights, bool):
            raise TypeError(f"ReversibleEmbedding: `tie_weights` must be True or False. "
                            f"Received: tie_weights={tie_weights!r}")
        if reverse_dtype is not None:
            try:
                reverse_dtype = backend.standardize_dtype(reverse_dtype)
            except ValueError:
                raise ValueError(f"ReversibleEmbedding: unknown `reverse_dtype` "
                                 f"{reverse_dtype!r}. Pass a float dtype name such as "
                                 "'float32', or None.") from None
        if logit_soft_cap is not None and (isinstance(logit_soft_cap, bool) or not isinstance(
                logit_soft_cap, numbers.Real) or logit_soft_cap <= 0):
            raise ValueError("ReversibleEmbedding: `logit_soft_cap` must be a positive number or "
                             f"None. Received: logit_soft_cap={logit_soft_cap!r}")
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        if self.built:
            return
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim), initializer=self.embeddings_initializer,
                name="reverse_embeddings")

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        if inputs.shape and inputs.shape[-1] not in (None, self.output_dim):
            raise ValueError(f"ReversibleEmbedding '{self.name}': reverse=True expects vectors "
                             f"with last axis output_dim={self.output_dim}, received shape "
                             f"{tuple(inputs.shape)}. Pass the model's hidden states.")
        kernel = ops.transpose(self.embeddings) if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            inputs = ops.cast(inputs, self.reverse_dtype)
            kernel = ops.cast(kernel, self.reverse_dtype)
        else:
            inputs = ops.cast(inputs, self.compute_dtype)
        logits = ops.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = ops.multiply(ops.tanh(ops.divide(logits, cap)), cap)
        return logits

    def compute_mask(self, inputs, mask=None):
        # Only the forward lookup (integer indices) carries a padding mask; logits have none.
        if not self.mask_zero or backend.is_float_dtype(inputs.dtype):
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return (*tuple(input_shape)[:-1], self.input_dim)
        return (*tuple(input_shape), self.output_dim)

    def compute_output_spec(self, inputs, reverse=False):
        dtype = self.reverse_dtype if reverse and self.reverse_dtype else self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape, reverse), dtype)

    def get_config(self):
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
