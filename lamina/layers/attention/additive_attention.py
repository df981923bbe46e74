"""AdditiveAttention: Bahdanau-style attention, scores `sum(scale * tanh(query + key))`."""

from lamina import ops
from lamina.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    """Additive (Bahdanau) attention over `[query, value, key]`.

    Scores are `sum(scale * tanh(query[:, i] + key[:, j]), axis=-1)`, softmaxed over the keys,
    then used to average `value`. Masks, `use_causal_mask`, `return_attention_scores` and
    dropout behave as in `Attention`.

    Args:
        use_scale: Whether to learn a per-feature `scale` of shape `(dim,)` (glorot-uniform
            initialized). Without it the scale is 1.
        dropout: Fraction of attention weights to drop during training.
        seed: Int seed for the dropout (keyword).

    Input shape: query `(batch, Tq, dim)`, value and key `(batch, Tv, dim)`.
    Output shape: `(batch, Tq, value_dim)`.

    >>> q, v = lamina.ops.ones((2, 3, 4)), lamina.ops.ones((2, 5, 4))
    >>> tuple(lamina.layers.AdditiveAttention()([q, v]).shape)
    (2, 3, 4)
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        if "score_mode" in kwargs:
            raise TypeError("AdditiveAttention: `score_mode` is not an argument of "
                            "AdditiveAttention (its scores are always additive). Use "
                            "`Attention(score_mode=...)` for dot or concat scores.")
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self._check_shapes(input_shape)
        dim = tuple(input_shape[0])[-1]
        if dim is None:
            raise ValueError(f"AdditiveAttention '{self.name}' needs a known query last axis to "
                             f"create `scale`. Received input shapes "
                             f"{[tuple(s) for s in input_shape]}.")
        self.scale = (self.add_weight(shape=(dim,), initializer="glorot_uniform", name="scale")
                      if self.use_scale else None)

    def _calculate_scores(self, query, key):
        pairs = ops.tanh(ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3)))
        if self.scale is not None:
            pairs = ops.multiply(self.scale, pairs)
        return ops.sum(pairs, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
