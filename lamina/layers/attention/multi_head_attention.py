"""MultiHeadAttention, and the machinery it shares with GroupedQueryAttention: calling with
`(query, value, key)`, building from their shapes, and the mask rules."""

import math
import numbers
import string

from lamina import backend, constraints, initializers, ops, random, regularizers
from lamina.backend.common.masking import get_keras_mask
from lamina.layers.attention.attention import causal_mask, check_dropout, check_seed
from lamina.layers.einsum_dense import EinsumDense
from lamina.layers.layer import Layer
from lamina.ops.symbolic import KerasTensor
from lamina.random.seed_generator import SeedGenerator


def _letters(count, start=0):
    return string.ascii_lowercase[start:start + count]


def projection_equation(free_dims, bound_dims, output_dims):
    """`(equation, bias_axes, output_rank)` of a projection: the input's first `free_dims` axes
    pass through, its next `bound_dims` axes are contracted with the kernel, and `output_dims`
    new axes come from the kernel (and carry the bias)."""
    free = _letters(free_dims)
    bound = _letters(bound_dims, free_dims)
    new = _letters(output_dims, free_dims + bound_dims)
    return f"{free}{bound},{bound}{new}->{free}{new}", new, free_dims + output_dims


def attention_equations(rank, attention_axes):
    """Einsum equations `(key, query -> scores)` and `(scores, value -> output)`.

    Projected tensors have shape `(batch, <other axes>, <attention axes>, heads, channels)`.
    Scores have shape `(<batch axes, heads>, <query attention axes>, <key attention axes>)`,
    where the batch axes are every axis but the attention axes and the channels.
    """
    target = _letters(rank)
    batch_axes = [i for i in range(rank) if i not in attention_axes and i != rank - 1]
    source = list(target)
    extra = iter(_letters(len(attention_axes), rank))
    for i in range(rank):
        if i in attention_axes:
            source[i] = next(extra)
    source = "".join(source)
    scores = "".join([target[i] for i in batch_axes] + [target[i] for i in attention_axes] +
                     [source[i] for i in attention_axes])
    return f"{source},{target}->{scores}", f"{scores},{source}->{target}", len(scores)


def sliding_window_mask(query_length, key_length, window):
    """Boolean `(1, query_length, key_length)`: True where `|i - j| < window`."""
    rows = ops.reshape(ops.arange(query_length, dtype="int32"), (1, query_length, 1))
    cols = ops.reshape(ops.arange(key_length, dtype="int32"), (1, 1, key_length))
    return ops.less(ops.abs(ops.subtract(rows, cols)), window)


def check_positive_int(owner, arg, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        expected = "a positive int or None" if allow_none else "a positive int"
        raise ValueError(f"{owner}: `{arg}` must be {expected}. Received: {arg}={value!r}")
    return int(value)


def _shape(x):
    return None if x is None else tuple(x.shape)


class BaseQueryValueAttention(Layer):
    """Shared base of MultiHeadAttention and GroupedQueryAttention.

    Subclasses implement `build(query_shape, value_shape, key_shape=None)`, `_project` (the
    query/key/value projections), `_output_projection`, `_check_call_shapes` and
    `_scores_shape`; attributes `_attention_axes` (normalized at build), `_scale` and
    `_num_score_heads` come from them.
    """

    def _init_common(self, dropout, use_bias, sliding_window, flash_attention,
                     kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                     activity_regularizer, kernel_constraint, bias_constraint, use_gate, seed):
        name = type(self).__name__
        self.supports_masking = True
        self._dropout = check_dropout(name, dropout)
        self._use_bias = bool(use_bias)
        self._use_gate = bool(use_gate)
        self._sliding_window = check_positive_int(name, "sliding_window", sliding_window,
                                                   allow_none=True)
        if flash_attention not in (None, True, False):
            raise TypeError(f"{name}: `flash_attention` must be None, True or False. Received: "
                            f"flash_attention={flash_attention!r}")
        # lamina has no fused kernel: flash attention computes the same softmax attention, but
        # keeps Keras's restrictions so that a program valid here is valid in Keras.
        self._flash_attention = bool(flash_attention)
        if self._flash_attention and self._dropout > 0:
            raise ValueError(f"{name}: dropout is not supported with flash_attention=True. Set "
                             f"dropout=0.0 or flash_attention=False. Received: "
                             f"dropout={dropout!r}")
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = check_seed(name, seed)
        if self._dropout > 0:
            self.seed_generator = SeedGenerator(seed)
        self._shapes_dict = None

    def _describe(self):
        return f"{type(self).__name__} '{self.name}'"

    # -- calling with several tensors ---------------------------------------------------------
    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise ValueError(f"{self._describe()} needs `query` and `value`: call it as "
                             "layer(query, value), or layer(x, x) for self-attention.")
        symbolic = any(isinstance(x, KerasTensor) for x in (query, value, key))
        if not symbolic:
            # The Keras masks of the inputs (e.g. from Embedding(mask_zero=True)) are used
            # when the matching `*_mask` argument is not given.
            for arg, x in (("query_mask", query), ("value_mask", value), ("key_mask", key)):
                mask = None if x is None else get_keras_mask(x)
                if kwargs.get(arg) is None and mask is not None:
                    kwargs[arg] = mask
            if not hasattr(query, "shape"):  # nested lists; arrays are converted by the base
                query = self._as_tensor(query)
            value = self._as_tensor(value)
            key = None if key is None else self._as_tensor(key)
        query_shape = tuple(query.shape)
        if not self.built:
            self.build(query_shape, _shape(value), _shape(key))
        self._check_call_shapes(query_shape, _shape(value), _shape(key))
        if key is not None:
            kwargs["key"] = key
        return super().__call__(query, value, **kwargs)

    def _as_tensor(self, x):
        if not hasattr(x, "shape"):
            x = backend.convert_to_tensor(x)
        return self._convert_inputs(x)

    def get_build_config(self):
        return {"shapes_dict": self._shapes_dict} if self._shapes_dict is not None else None

    def build_from_config(self, config):
        shapes = (config or {}).get("shapes_dict")
        if shapes:
            self.build(**{k: None if v is None else tuple(v) for k, v in shapes.items()})

    def _record_shapes(self, query_shape, value_shape, key_shape):
        self._shapes_dict = {"query_shape": tuple(query_shape), "value_shape": tuple(value_shape)}
        if key_shape is not None:
            self._shapes_dict["key_shape"] = tuple(key_shape)

    def _sublayer_kwargs(self):
        def fresh(init):
            return type(init).from_config(init.get_config())
        return {"kernel_initializer": fresh(self._kernel_initializer),
                "bias_initializer": fresh(self._bias_initializer),
                "kernel_regularizer": self._kernel_regularizer,
                "bias_regularizer": self._bias_regularizer,
                "activity_regularizer": self._activity_regularizer,
                "kernel_constraint": self._kernel_constraint,
                "bias_constraint": self._bias_constraint, "dtype": self.dtype}

    def _build_sublayer(self, layer, input_shape):
        layer.build(input_shape)
        # Keras creates the sublayers' weights under this layer's name.
        for weight in layer.weights:
            weight.path = f"{self.name}/{layer.name}/{weight.name}"
        return layer

    # -- masks ----------------------------------------------------------------------------------
    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        """The combined boolean mask `(batch, Tq, Tv)` (or broadcastable), or None."""
        auto = []
        if query_mask is not None:
            auto.append(ops.expand_dims(ops.cast(query_mask, "bool"), -1))
        for mask in (value_mask, key_mask):
            if mask is not None:
                auto.append(ops.expand_dims(ops.cast(mask, "bool"), -2))
        if use_causal_mask:
            auto.append(causal_mask(query.shape[1], value.shape[1]))
        if self._sliding_window is not None:
            auto.append(sliding_window_mask(query.shape[1], value.shape[1],
                                            self._sliding_window))
        if attention_mask is not None:
            attention_mask = ops.cast(attention_mask, "bool")
            self._check_attention_mask(attention_mask, query, value)
        for mask in auto:
            attention_mask = mask if attention_mask is None else \
                ops.logical_and(attention_mask, mask)
        return attention_mask

    def _check_attention_mask(self, attention_mask, query, value):
        axes = self._attention_axes
        expected = (query.shape[0], *[query.shape[i] for i in axes],
                    *[value.shape[i] for i in axes])
        shape = tuple(attention_mask.shape)
        fits = len(shape) <= len(expected) and all(
            m == 1 or m is None or e is None or m == e
            for m, e in zip(reversed(shape), reversed(expected)))
        if not fits:
            raise ValueError(f"{self._describe()}: `attention_mask` of shape {shape} does not "
                             f"broadcast to {expected} (batch, query positions, key positions) "
                             f"for query shape {tuple(query.shape)} and value shape "
                             f"{tuple(value.shape)}. Build the mask as (batch, Tq, Tv), True "
                             "where a query may attend to a key.")

    # -- the attention itself -------------------------------------------------------------------
    def _masked_softmax(self, scores, mask, zero_masked):
        """Softmax over the key axes, excluding keys where `mask` is False."""
        axes = tuple(range(len(scores.shape) - len(self._attention_axes), len(scores.shape)))
        if mask is not None:
            while len(mask.shape) < len(scores.shape):
                mask = ops.expand_dims(mask, -2 * len(self._attention_axes) - 1)
            large = -3e4 if scores.dtype == "float16" else -1e9
            scores = ops.where(mask, scores, ops.cast(large, scores.dtype))
        if len(axes) == 1:
            weights = ops.softmax(scores, axis=axes[0])
        else:
            weights = ops.exp(ops.subtract(scores, ops.logsumexp(scores, axis=axes,
                                                                 keepdims=True)))
        if mask is not None and zero_masked:
            weights = ops.where(mask, weights, ops.zeros((), dtype=weights.dtype))
        return weights

    def _attend(self, query, key, value, attention_mask, training, return_attention_scores):
        """Softmax attention of projected `(batch, ..., heads, channels)` tensors."""
        if self._flash_attention and return_attention_scores:
            raise ValueError(f"{self._describe()}: return_attention_scores=True is not "
                             "supported with flash_attention=True. Create the layer with "
                             "flash_attention=False to get the scores.")
        # Keras 3 runs its fused kernel when there is no dropout, no score output and 4-D
        # projections; that kernel gives a row with every key masked uniform weights, while
        # the other path gives it zeros. Both are kept so the numbers match Keras.
        zero_masked = self._dropout > 0 or return_attention_scores or len(query.shape) != 4
        query = ops.multiply(query, ops.cast(self._scale, query.dtype))
        scores = ops.einsum(self._dot_product_equation, *self._score_operands(query, key))
        scores = self._masked_softmax(scores, attention_mask, zero_masked)
        weights = scores
        if training and self._dropout > 0:
            weights = random.dropout(scores, self._dropout, seed=self.seed_generator)
        return ops.einsum(self._combine_equation, weights, value), scores

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        key = value if key is None else key
        attention_mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                              attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self._use_gate else None
        query, key, value = self._project(query, key, value)
        output, scores = self._attend(query, key, value, attention_mask, training,
                                      return_attention_scores)
        if gate is not None:
            output = ops.multiply(output, gate)
        output = self._output_dense(output)
        return (output, scores) if return_attention_scores else output

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None,
                            key_mask=None, attention_mask=None, return_attention_scores=False,
                            training=None, use_causal_mask=False):
        output = KerasTensor(self.compute_output_shape(query.shape, value.shape, _shape(key)),
                             self.compute_dtype)
        if not return_attention_scores:
            return output
        key_shape = value.shape if key is None else key.shape
        return output, KerasTensor(self._scores_shape(query.shape, key_shape),
                                   self.compute_dtype)

    def _common_config(self):
        return {"dropout": self._dropout, "use_bias": self._use_bias, "use_gate": self._use_gate,
                "sliding_window": self._sliding_window,
                "kernel_initializer": initializers.serialize(self._kernel_initializer),
                "bias_initializer": initializers.serialize(self._bias_initializer),
                "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self._bias_regularizer),
                "activity_regularizer": regularizers.serialize(self._activity_regularizer),
                "kernel_constraint": constraints.serialize(self._kernel_constraint),
                "bias_constraint": constraints.serialize(self._bias_constraint),
                "seed": self.seed}


class MultiHeadAttention(BaseQueryValueAttention):
    """Multi-head attention (Vaswani et al., 2017): `num_heads` scaled dot-product attentions
    over learned projections of query, key and value, concatenated and projected back.

    Args:
        num_heads: Positive int, number of attention heads.
        key_dim: Positive int, size of each head for query and key.
        value_dim: Size of each head for value; defaults to `key_dim`.
        dropout: Fraction of attention weights to drop during training.
        use_bias: Whether the projections have biases.
        output_shape: Int or tuple, the output's shape after the batch and query axes;
            defaults to the query's last axis.
        attention_axes: Int or tuple of the input axes attention runs over (e.g. `(1, 2)` for
            2-D inputs `(batch, h, w, dim)`); defaults to every axis but batch and features.
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

    Call arguments: `query` `(B, T, dim)`, `value` `(B, S, dim)`, optional `key` `(B, S, dim)`
    (defaults to `value`); `query_mask`, `value_mask`, `key_mask` (taken from the inputs'
    Keras masks when omitted); `attention_mask` boolean `(B, T, S)`, True where query `t` may
    attend to key `s`; `return_attention_scores` (also return the weights
    `(B, num_heads, T, S)`); `training`; `use_causal_mask`. All given masks are combined with
    a logical and.

    Weights: sublayers `query`, `key`, (`gate`), `value`, `attention_output` (EinsumDense), each
    with `kernel` and `bias`.

    >>> layer = lamina.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> x = lamina.ops.ones((2, 3, 8))
    >>> tuple(layer(x, x).shape)
    (2, 3, 8)
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        self._num_heads = check_positive_int("MultiHeadAttention", "num_heads", num_heads)
        self._key_dim = check_positive_int("MultiHeadAttention", "key_dim", key_dim)
        self._value_dim = check_positive_int("MultiHeadAttention", "value_dim", value_dim,
                                              allow_none=True) or self._key_dim
        self._output_shape = self._standardize_output_shape(output_shape)
        self._attention_axes = self._standardize_axes(attention_axes)
        self._init_common(dropout, use_bias, sliding_window, flash_attention,
                          kernel_initializer, bias_initializer, kernel_regularizer,
                          bias_regularizer, activity_regularizer, kernel_constraint,
                          bias_constraint, use_gate, seed)
        self._scale = 1.0 / math.sqrt(float(self._key_dim))

    @staticmethod
    def _standardize_output_shape(output_shape):
        if not output_shape:
            return None
        shape = (output_shape,) if isinstance(output_shape, numbers.Integral) else output_shape
        if isinstance(output_shape, bool) or not isinstance(shape, (list, tuple)) or not all(
                isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0
                for d in shape):
            raise ValueError("MultiHeadAttention: `output_shape` must be a positive int or a "
                             "tuple of positive ints (the output shape after the batch and "
                             f"query axes). Received: output_shape={output_shape!r}")
        return tuple(int(d) for d in shape)

    @staticmethod
    def _standardize_axes(axes):
        if axes is None:
            return None
        axes = (axes,) if isinstance(axes, numbers.Integral) else axes
        if isinstance(axes, bool) or not isinstance(axes, (list, tuple)) or not axes or not all(
                isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axes):
            raise ValueError("MultiHeadAttention: `attention_axes` must be None, an int or a "
                             f"tuple of ints. Received: attention_axes={axes!r}")
        return tuple(int(a) for a in axes)

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def build(self, query_shape, value_shape, key_shape=None):
        """Create the `query`, `key`, (`gate`), `value` and `attention_output` projections."""
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        self._record_shapes(query_shape, value_shape,
                            None if key_shape == value_shape else key_shape)
        rank = len(query_shape)
        heads_key = (self._num_heads, self._key_dim)
        heads_value = (self._num_heads, self._value_dim)

        def projection(name, heads, shape, activation=None):
            equation, bias_axes, out_rank = projection_equation(len(shape) - 1, 1, 2)
            return self._build_sublayer(EinsumDense(
                equation, output_shape=(None,) * (out_rank - 3) + heads, activation=activation,
                bias_axes=bias_axes if self._use_bias else None, name=name,
                **self._sublayer_kwargs()), shape)

        self._query_dense = projection("query", heads_key, query_shape)
        self._key_dense = projection("key", heads_key, key_shape)
        if self._use_gate:
            self._gate_dense = projection("gate", heads_value, query_shape, "sigmoid")
        self._value_dense = projection("value", heads_value, value_shape)
        self._build_attention(rank + 1)
        output_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes, out_rank = projection_equation(rank - 1, 2, len(output_shape))
        self._output_dense = self._build_sublayer(EinsumDense(
            equation, output_shape=(None,) * (out_rank - 1 - len(output_shape)) + output_shape,
            bias_axes=bias_axes if self._use_bias else None, name="attention_output",
            **self._sublayer_kwargs()), (*query_shape[:-1], *heads_value))

    def _check_shapes(self, query_shape, value_shape, key_shape):
        name = self._describe()
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"{name}: `value` and `key` must have equal shapes except for the "
                             f"last axis. Received: value shape {value_shape}, key shape "
                             f"{key_shape}.")
        if not len(query_shape) == len(value_shape) >= 3:
            raise ValueError(f"{name}: `query` and `value` must have the same rank, at least 3 "
                             f"(batch, positions..., features). Received: query shape "
                             f"{query_shape}, value shape {value_shape}.")
        for arg, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if shape[-1] is None:
                raise ValueError(f"{name} needs a known last axis of `{arg}` to create its "
                                 f"projection. Received {arg} shape {shape}.")

    def _build_attention(self, rank):
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a if a >= 0 else rank - 1 + a for a in self._attention_axes)
            if any(not 1 <= a <= rank - 3 for a in axes):
                raise ValueError(f"{self._describe()}: `attention_axes` must name axes of the "
                                 f"inputs other than the batch (0) and feature (last) axes, "
                                 f"i.e. in [1, {rank - 3}] or [{-(rank - 2)}, -2]. Received: "
                                 f"attention_axes={self._attention_axes}")
            self._attention_axes = axes
        self._dot_product_equation, self._combine_equation, _ = attention_equations(
            rank, self._attention_axes)

    def _check_call_shapes(self, query_shape, value_shape, key_shape):
        built = self._shapes_dict
        key_shape = value_shape if key_shape is None else key_shape
        built_key = built.get("key_shape", built["value_shape"])
        for arg, shape, expected in (("query", query_shape, built["query_shape"]),
                                     ("value", value_shape, built["value_shape"]),
                                     ("key", key_shape, built_key)):
            if len(shape) != len(expected) or shape[-1] != expected[-1]:
                raise ValueError(f"{self._describe()} was built for `{arg}` of shape "
                                 f"{expected} (last axis {expected[-1]}), received shape "
                                 f"{shape}. Use a new layer for inputs of another feature size "
                                 "or rank.")
        self._check_shapes(query_shape, value_shape, key_shape)

    def _score_operands(self, query, key):
        return key, query

    def _project(self, query, key, value):
        return self._query_dense(query), self._key_dense(key), self._value_dense(value)

    def _scores_shape(self, query_shape, key_shape):
        rank = len(query_shape) + 1
        axes = self._attention_axes
        projected_query = (*query_shape[:-1], self._num_heads)
        batch = [projected_query[i] for i in range(rank - 1) if i not in axes]
        return (*batch, *[query_shape[i] for i in axes], *[key_shape[i] for i in axes])

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        if self._output_shape:
            return (*query_shape[:-1], *self._output_shape)
        return query_shape

    def get_config(self):
        return {**super().get_config(), "num_heads": self._num_heads, "key_dim": self._key_dim,
                "value_dim": self._value_dim, "output_shape": self._output_shape,
                "attention_axes": self._attention_axes, **self._common_config()}
