"""Attention: Luong-style dot-product attention (or "concat" scoring) over `[query, value, key]`."""

import numbers

from lamina import backend, ops, random
from lamina.layers.layer import Layer
from lamina.ops.symbolic import KerasTensor
from lamina.random.seed_generator import SeedGenerator

_SCORE_MODES = ("dot", "concat")


def causal_mask(query_length, key_length):
    """Boolean `(1, query_length, key_length)`: True where key index <= query index."""
    ones = ops.ones((1, query_length, key_length), dtype="int32")
    return ops.greater_equal(ops.cumsum(ones, axis=-2), ops.cumsum(ones, axis=-1))


def check_dropout(owner, dropout):
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or \
            not 0 <= dropout < 1:
        raise ValueError(f"{owner}: `dropout` must be a float in [0, 1), the fraction of "
                         f"attention weights to drop. Received: dropout={dropout!r}")
    return dropout


def check_seed(owner, seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"{owner}: `seed` must be an int or None. Received: seed={seed!r}")
    return seed


class Attention(Layer):
    """Dot-product attention: `softmax(query @ key^T) @ value` for inputs `[query, value, key]`.

    Args:
        use_scale: Whether to learn a scalar `scale` that multiplies the scores (inside the
            tanh for `score_mode="concat"`).
        score_mode: `"dot"` (`query . key`) or `"concat"` (`sum(tanh(query + key))`, times a
            learned scalar `concat_score_weight`).
        dropout: Fraction of attention weights to drop during training.
        seed: Int seed for the dropout.

    Call arguments: `inputs=[query, value]` or `[query, value, key]` (`key` defaults to
    `value`); `mask=[query_mask, value_mask]` (taken from the inputs' masks when omitted):
    output rows where `query_mask` is False are 0, keys where `value_mask` is False get no
    weight; `training`; `return_attention_scores` (also return the `(batch, Tq, Tv)` weights);
    `use_causal_mask` (query `i` attends only to keys `j <= i`).

    Input shape: query `(batch, Tq, dim)`, value and key `(batch, Tv, dim)`.
    Output shape: `(batch, Tq, value_dim)`.

    >>> q, v = lamina.ops.ones((2, 3, 4)), lamina.ops.ones((2, 5, 4))
    >>> tuple(lamina.layers.Attention()([q, v]).shape)
    (2, 3, 4)
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if score_mode not in _SCORE_MODES:
            raise ValueError(f"{name}: `score_mode` must be one of {_SCORE_MODES}. Received: "
                             f"score_mode={score_mode!r}")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = check_dropout(name, dropout)
        self.seed = check_seed(name, seed)
        if self.dropout > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True

    def _check_inputs(self, inputs, mask=None):
        name = f"{type(self).__name__} '{self.name}'"
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3 or any(
                x is None or isinstance(x, numbers.Integral) for x in inputs):
            received = (f"a list of {len(inputs)}" if isinstance(inputs, (list, tuple)) and
                        not any(isinstance(x, numbers.Integral) for x in inputs)
                        else "a single tensor")
            raise ValueError(f"{name} must be called on a list [query, value] or "
                             f"[query, value, key]. Received: {received}.")
        if mask is not None and (not isinstance(mask, (list, tuple)) or
                                 not 2 <= len(mask) <= 3):
            raise ValueError(f"{name}: `mask` must be a list [query_mask, value_mask] (entries "
                             f"may be None). Received: mask={mask!r}")

    def _check_shapes(self, shapes):
        query, value = tuple(shapes[0]), tuple(shapes[1])
        key = tuple(shapes[2]) if len(shapes) > 2 else value
        name = f"{type(self).__name__} '{self.name}'"
        if len(query) < 2 or len(value) < 2 or len(key) < 2:
            raise ValueError(f"{name} expects query, value and key of shape (batch, steps, dim). "
                             f"Received shapes query={query}, value={value}, key={key}.")
        if key[-2] is not None and value[-2] is not None and key[-2] != value[-2]:
            raise ValueError(f"{name}: `key` and `value` must have the same number of steps. "
                             f"Received shapes value={value}, key={key}.")
        if query[-1] is not None and key[-1] is not None and query[-1] != key[-1]:
            raise ValueError(f"{name}: `query` and `key` must have the same last axis (the "
                             f"scores compare them feature by feature). Received shapes "
                             f"query={query}, key={key}. Project one of them with a Dense "
                             "layer first.")

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self._check_shapes(input_shape)
        self.scale = (self.add_weight(shape=(), initializer="ones", name="scale")
                      if self.use_scale else None)
        self.concat_score_weight = (
            self.add_weight(shape=(), initializer="ones", name="concat_score_weight")
            if self.score_mode == "concat" else None)

    def _calculate_scores(self, query, key):
        """Scores `(batch, Tq, Tv)` from query `(batch, Tq, dim)` and key `(batch, Tv, dim)`."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            return scores if self.scale is None else ops.multiply(scores, self.scale)
        pairs = ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3))
        if self.scale is not None:
            pairs = ops.multiply(self.scale, pairs)
        return ops.multiply(self.concat_score_weight, ops.sum(ops.tanh(pairs), axis=-1))

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        if scores_mask is not None:
            if len(scores_mask.shape) == 2:
                scores_mask = ops.expand_dims(scores_mask, -2)
            # As Keras: excluded keys lose a large constant rather than becoming -inf, so a row
            # with every key excluded still gets a finite (uniform) softmax.
            large = 65504.0 if backend.standardize_dtype(scores.dtype) == "float16" else 1.0e9
            scores = ops.where(scores_mask, scores,
                               ops.subtract(scores, ops.cast(large, scores.dtype)))
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = random.dropout(weights, self.dropout, seed=self.seed_generator)
        return ops.matmul(weights, value), weights

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._check_inputs(inputs, mask)
        self._check_shapes([tuple(x.shape) for x in inputs])
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = None if value_mask is None else ops.cast(value_mask, "bool")
        if use_causal_mask:
            causal = causal_mask(scores.shape[-2], scores.shape[-1])
            scores_mask = causal if scores_mask is None else ops.logical_and(
                ops.expand_dims(scores_mask, -2), causal)
        outputs, weights = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:
            keep = ops.expand_dims(ops.cast(query_mask, "bool"), -1)
            outputs = ops.where(keep, outputs, ops.zeros((), dtype=outputs.dtype))
        return (outputs, weights) if return_attention_scores else outputs

    def compute_mask(self, inputs, mask=None):
        self._check_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return ops.convert_to_tensor(mask[0])

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def compute_output_spec(self, inputs, mask=None, training=None,
                            return_attention_scores=False, use_causal_mask=False):
        self._check_inputs(inputs, mask)
        shapes = [tuple(x.shape) for x in inputs]
        self._check_shapes(shapes)
        output = KerasTensor(self.compute_output_shape(shapes), self.compute_dtype)
        if not return_attention_scores:
            return output
        key = shapes[2] if len(shapes) > 2 else shapes[1]
        return output, KerasTensor((*shapes[0][:-1], key[-2]), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}
