"""GroupedQueryAttention (public name GroupQueryAttention): attention in which groups of query
heads share one key/value head (Ainslie et al., 2023)."""

import math

from lamina import ops
from lamina.layers.attention.multi_head_attention import (
    BaseQueryValueAttention,
    check_positive_int,
)
from lamina.layers.einsum_dense import EinsumDense


class GroupedQueryAttention(BaseQueryValueAttention):
    """Grouped-query attention: `num_query_heads` query heads share `num_key_value_heads` key
    and value heads, each key/value head serving `num_query_heads // num_key_value_heads`
    consecutive query heads. With equal counts it is multi-head attention; with one key/value
    head, multi-query attention.

    Args:
        head_dim: Positive int, size of each attention head.
        num_query_heads: Positive int, number of query heads.
        num_key_value_heads: Positive int dividing `num_query_heads`, number of key and value
            heads.
        dropout: Fraction of attention weights to drop during training.
        use_bias: Whether the projections have biases.
        sliding_window: Optional positive int: query `i` attends only to keys with
            `|i - j| < sliding_window`.
        flash_attention: None or bool. lamina computes the same attention either way; True
            forbids dropout and returning scores, as in Keras.
        kernel_initializer / bias_initializer: Initializers of the projections.
        kernel_regularizer / bias_regularizer / activity_regularizer: Regularizers of the
            projections.
        kernel_constraint / bias_constraint: Constraints of the projections.
        use_gate: Whether a sigmoid gate computed from the query multiplies the attention
            output before the output projection (sublayer `gate`).
        seed: Int seed for the dropout.

    Call arguments are those of `MultiHeadAttention`: `query` `(B, T, dim)`, `value`
    `(B, S, dim)`, optional `key`, masks, `attention_mask` `(B, T, S)`,
    `return_attention_scores` (weights `(B, num_query_heads, T, S)`), `training`,
    `use_causal_mask`.

    Output shape: `(B, T, dim)`, the query's shape.

    >>> layer = lamina.layers.GroupQueryAttention(head_dim=2, num_query_heads=4,
    ...                                           num_key_value_heads=2)
    >>> x = lamina.ops.ones((2, 3, 8))
    >>> tuple(layer(x, x).shape)
    (2, 3, 8)
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.head_dim = check_positive_int(name, "head_dim", head_dim)
        self.num_query_heads = check_positive_int(name, "num_query_heads", num_query_heads)
        self.num_key_value_heads = check_positive_int(name, "num_key_value_heads",
                                                       num_key_value_heads)
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError(f"{name}: `num_query_heads` must be divisible by "
                             f"`num_key_value_heads` (each key/value head serves a whole group "
                             f"of query heads). Received: num_query_heads={num_query_heads}, "
                             f"num_key_value_heads={num_key_value_heads}.")
        self.num_repeats = num_query_heads // num_key_value_heads
        self._init_common(dropout, use_bias, sliding_window, flash_attention,
                          kernel_initializer, bias_initializer, kernel_regularizer,
                          bias_regularizer, activity_regularizer, kernel_constraint,
                          bias_constraint, use_gate, seed)
        self._scale = 1.0 / math.sqrt(float(self.head_dim))
        self._attention_axes = (1,)
        self._dot_product_equation = "bquh,bkuh->buqk"
        self._combine_equation = "buqk,bkuh->bquh"

    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    use_gate = property(lambda self: self._use_gate)
    sliding_window = property(lambda self: self._sliding_window)

    def build(self, query_shape, value_shape, key_shape=None):
        """Create the `query`, `key`, (`gate`), `value` and `attention_output` projections."""
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        self._record_shapes(query_shape, value_shape,
                            None if key_shape == value_shape else key_shape)
        self.feature_dim = query_shape[-1]
        query_heads = (None, self.num_query_heads, self.head_dim)
        kv_heads = (None, self.num_key_value_heads, self.head_dim)

        def projection(name, equation, heads, bias_axes, shape, activation=None):
            return self._build_sublayer(EinsumDense(
                equation, output_shape=heads, activation=activation,
                bias_axes=bias_axes if self._use_bias else None, name=name,
                **self._sublayer_kwargs()), shape)

        self._query_dense = projection("query", "bqm,muh->bquh", query_heads, "uh", query_shape)
        self._key_dense = projection("key", "bkm,mvh->bkvh", kv_heads, "vh", key_shape)
        if self._use_gate:
            self._gate_dense = projection("gate", "bqm,muh->bquh", query_heads, "uh",
                                          query_shape, "sigmoid")
        self._value_dense = projection("value", "bkm,mvh->bkvh", kv_heads, "vh", value_shape)
        self._output_dense = projection("attention_output", "bquh,uhm->bqm",
                                        (None, self.feature_dim), "m",
                                        (None, None, self.num_query_heads, self.head_dim))

    def _check_shapes(self, query_shape, value_shape, key_shape):
        name = self._describe()
        for arg, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3 or shape[-1] is None:
                raise ValueError(f"{name} expects `{arg}` of shape (batch, steps, features) "
                                 f"with a known feature size. Received {arg} shape {shape}.")
        if None not in (value_shape[1], key_shape[1]) and value_shape[1] != key_shape[1]:
            raise ValueError(f"{name}: `value` and `key` must have the same number of steps. "
                             f"Received: value shape {value_shape}, key shape {key_shape}.")

    def _check_call_shapes(self, query_shape, value_shape, key_shape):
        key_shape = value_shape if key_shape is None else key_shape
        self._check_shapes(query_shape, value_shape, key_shape)
        built = self._shapes_dict
        built_key = built.get("key_shape", built["value_shape"])
        for arg, shape, expected in (("query", query_shape, built["query_shape"]),
                                     ("value", value_shape, built["value_shape"]),
                                     ("key", key_shape, built_key)):
            if shape[-1] != expected[-1]:
                raise ValueError(f"{self._describe()} was built for `{arg}` with {expected[-1]} "
                                 f"features (shape {expected}), received shape {shape}. Use a "
                                 "new layer for inputs of another feature size.")

    def _score_operands(self, query, key):
        return query, key

    def _project(self, query, key, value):
        query = self._query_dense(query)
        # Each key/value head serves `num_repeats` consecutive query heads.
        key = ops.repeat(self._key_dense(key), self.num_repeats, axis=2)
        value = ops.repeat(self._value_dense(value), self.num_repeats, axis=2)
        return query, key, value

    def _scores_shape(self, query_shape, key_shape):
        return (query_shape[0], self.num_query_heads, query_shape[1], key_shape[1])

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(f"{self._describe()}: the last axes of `query` and `value` must be "
                             f"equal. Received: query shape {query_shape}, value shape "
                             f"{value_shape}.")
        self._check_shapes(query_shape, value_shape, key_shape)
        return query_shape

    def get_config(self):
        return {**super().get_config(), "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, **self._common_config()}


GroupQueryAttention = GroupedQueryAttention
