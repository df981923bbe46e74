"""The `Loss` base class and the weighting and reduction it applies to per-sample losses.

A loss's `call(y_true, y_pred)` returns one value per sample (the last axis reduced); `__call__`
multiplies those values by `sample_weight` and reduces them as `reduction` says, as Keras 3
does (one extension: a `(batch,)` weight also weighs `(batch, d)` per-element losses, row by row,
where Keras 3 fails to broadcast). The helpers here are shared with metrics and the trainer.
"""

import math

from lamina import backend, ops
from lamina.backend.common.variables import auto_name
from lamina.utils import tree
from lamina.utils.naming import to_snake_case

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


class Loss:
    """Base class of losses: subclasses write `call(y_true, y_pred)`, the base weighs and reduces.

    Args:
        name: Name of the loss. Defaults to the snake_case class name, made unique.
        reduction: How per-sample losses become the result: `"sum_over_batch_size"` (the default)
            and `"mean"` divide the weighted sum by the number of loss values, `"sum"` keeps the
            weighted sum, `"mean_with_sample_weight"` divides it by the sum of the sample weights,
            and `None` or `"none"` return the weighted values unreduced.
        dtype: Dtype the inputs are converted to and the loss is computed in. Defaults to
            `lamina.backend.floatx()` at construction.

    Returns:
        Calling the loss, `loss(y_true, y_pred, sample_weight=None)`, returns a scalar tensor
        (or the weighted per-sample values when `reduction` is `None`).

    >>> class AbsoluteError(lamina.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return lamina.ops.mean(lamina.ops.abs(y_true - y_pred), axis=-1)
    >>> round(float(AbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]])), 4)
    0.5
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: `name` must be a string or None. "
                            f"Received: name={name!r} of type {type(name).__name__}.")
        self.name = name or auto_name(to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = _standardize_loss_dtype(dtype, type(self).__name__)
        # The config keeps what was asked for: None follows floatx() when the loss is reloaded.
        self._dtype_arg = dtype if dtype is None or isinstance(dtype, str) else self._dtype

    @property
    def dtype(self):
        """Dtype the loss converts its inputs to and computes in."""
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true = _convert_structure(y_true, self.dtype)
        y_pred = _convert_structure(y_pred, self.dtype)
        values, mask = self._call_with_mask(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=self.dtype,
                                      owner=f"{type(self).__name__} '{self.name}'")

    def call(self, y_true, y_pred):
        """Per-sample loss values of one batch; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`, "
                                  "returning one loss value per sample.")

    def _call_with_mask(self, y_true, y_pred):
        # Losses that drop some entries (SparseCategoricalCrossentropy's ignore_class) return a
        # mask too, so "sum_over_batch_size" averages over the kept entries only.
        return self.call(y_true, y_pred), None

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "dtype": self._dtype_arg}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


def standardize_reduction(reduction):
    """Check a reduction name: one of `REDUCTIONS`; returns it unchanged."""
    if not (reduction is None or (isinstance(reduction, str) and reduction in REDUCTIONS)):
        raise ValueError(f"Invalid value for argument `reduction`: {reduction!r}. Expected one of "
                         f"{list(REDUCTIONS)}. Use 'sum_over_batch_size' (the default) to average "
                         "the loss over the batch.")
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Make ranks equal when they differ by one and the longer one ends in a size-1 axis.

    The size-1 axis is squeezed away, except that a rank-1 partner is expanded instead (when
    `expand_rank_1`): `(batch,)` against `(batch, 1)` gives two `(batch, 1)` tensors.

    Args:
        x1: Tensor.
        x2: Tensor.
        expand_rank_1: Whether a rank-1 tensor gains a trailing axis rather than the other
            losing one.

    Returns:
        The pair `(x1, x2)`, possibly reshaped.

    >>> a, b = squeeze_or_expand_to_same_rank(lamina.ops.ones((3,)), lamina.ops.ones((3, 1)))
    >>> tuple(a.shape), tuple(b.shape)
    ((3, 1), (3, 1))
    """
    rank1, rank2 = len(x1.shape), len(x2.shape)
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, axis=-1)
        else:
            x1 = ops.squeeze(x1, axis=-1)
    elif rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, axis=-1)
        else:
            x2 = ops.squeeze(x2, axis=-1)
    return x1, x2


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None, owner="Loss"):
    """Weigh per-sample loss values by `sample_weight` (and `mask`), then reduce them.

    `sample_weight` broadcasts against `values` after `squeeze_or_expand_to_same_rank`; a weight
    of lower rank whose shape matches the leading axes of `values` weighs whole samples, so a
    `(batch,)` weight applies to `(batch, d)` per-element losses row by row.

    Args:
        values: Per-sample loss values.
        sample_weight: Optional weights broadcastable to `values` as described above.
        mask: Optional boolean tensor shaped like `values`; False entries count neither in the
            sum nor in the `"sum_over_batch_size"` and `"mean"` divisors.
        reduction: One of `REDUCTIONS`.
        dtype: Dtype to compute in. Defaults to the dtype of `values`.
        owner: Name used in error messages.

    Returns:
        The reduced loss: a scalar, or the weighted values when `reduction` is None or "none".

    >>> reduce_weighted_values(lamina.ops.array([1.0, 3.0]), [1.0, 0.0]).tolist()
    0.5
    """
    reduction = standardize_reduction(reduction)
    values = ops.convert_to_tensor(values, dtype=dtype)
    dtype = ops.dtype(values)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
    sample_weight = _merge_mask(sample_weight, mask, values, reduction, owner)
    if sample_weight is not None:
        values, sample_weight = _align_sample_weight(values, sample_weight, owner)
        values = ops.multiply(values, sample_weight)
    return reduce_values(values, sample_weight, reduction)


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduce already weighted loss values; `sample_weight` only serves as a divisor.

    Scalars and empty `(0,)` tensors come back unchanged, as in Keras 3. Divisions use
    `divide_no_nan`, so an all-zero `sample_weight` gives 0 rather than NaN.

    Args:
        values: Weighted loss values.
        sample_weight: The weights used, for `"mean_with_sample_weight"`.
        reduction: One of `REDUCTIONS`.

    Returns:
        The reduced loss.

    >>> reduce_values(lamina.ops.array([1.0, 3.0]), reduction="sum").tolist()
    4.0
    """
    shape = tuple(values.shape)
    if reduction is None or reduction == "none" or shape in ((), (0,)):
        return values
    loss = ops.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = ops.cast(ops.sum(sample_weight), ops.dtype(loss))
    else:
        divisor = _size(values, ops.dtype(loss))
    return ops.divide_no_nan(loss, divisor)


def _size(x, dtype):
    """Number of elements of `x` as a `dtype` scalar, also for symbolic shapes with None."""
    shape = tuple(x.shape)
    if None in shape:
        return ops.sum(ops.ones_like(x, dtype=dtype))
    return ops.cast(math.prod(shape), dtype)


def _merge_mask(sample_weight, mask, values, reduction, owner):
    """Fold a boolean mask into the sample weights (None when there is neither)."""
    if mask is None:
        return sample_weight
    dtype = ops.dtype(values)
    mask = ops.convert_to_tensor(mask)
    if reduction in ("mean", "sum_over_batch_size"):
        # Kept entries weigh total/kept, so dividing the sum by the total count (the usual
        # divisor) divides it by the number of kept entries instead.
        total = _size(mask, dtype)
        kept = ops.sum(ops.cast(mask, dtype))
        float_mask = ops.where(ops.cast(mask, "bool"), ops.divide_no_nan(total, kept),
                               ops.zeros((), dtype=dtype))
    else:
        float_mask = ops.cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = _align_sample_weight(float_mask, sample_weight, owner)
    return ops.multiply(sample_weight, float_mask)


def _align_sample_weight(values, sample_weight, owner):
    """Shape `sample_weight` to broadcast against `values`, or raise a clear error."""
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    value_shape, weight_shape = tuple(values.shape), tuple(sample_weight.shape)
    rank, weight_rank = len(value_shape), len(weight_shape)
    if 0 < weight_rank < rank and value_shape[:weight_rank] == weight_shape:
        # Weights are per sample: trailing axes of the losses (timesteps, pixels) share them.
        for _ in range(rank - weight_rank):
            sample_weight = ops.expand_dims(sample_weight, axis=-1)
    elif not broadcastable(value_shape, weight_shape):
        raise ValueError(f"{owner}: `sample_weight` of shape {weight_shape} cannot weigh loss "
                         f"values of shape {value_shape}. Pass one weight per sample, shape "
                         f"{value_shape[:1]}, or weights of shape {value_shape}.")
    return values, sample_weight


def broadcastable(shape1, shape2):
    """Whether two shapes broadcast together (None, an unknown size, matches anything)."""
    return all(a == b or a == 1 or b == 1 or a is None or b is None
               for a, b in zip(reversed(shape1), reversed(shape2)))


def _convert_structure(x, dtype):
    """Tensor of `dtype`; dicts, and lists or tuples holding arrays, convert leaf by leaf."""
    if isinstance(x, dict) or (isinstance(x, (list, tuple))
                               and any(hasattr(v, "shape") or (tree.is_nested(v) and
                                                                not _all_numbers(v)) for v in x)):
        return tree.map_structure(lambda leaf: ops.convert_to_tensor(leaf, dtype=dtype), x)
    return ops.convert_to_tensor(x, dtype=dtype)


def _all_numbers(x):
    if isinstance(x, (list, tuple)):
        return all(_all_numbers(v) for v in x)
    return isinstance(x, (bool, int, float))


def _standardize_loss_dtype(dtype, owner):
    if dtype is None:
        return backend.floatx()
    # A dtype policy (mixed precision), by object or by name, computes in its compute dtype.
    dtype = getattr(dtype, "compute_dtype", dtype)
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        dtype = dtype[len("mixed_"):]
    try:
        name = backend.standardize_dtype(dtype)
    except (TypeError, ValueError):
        name = None
    if name not in backend.dtypes.FLOAT_TYPES:
        raise ValueError(f"{owner}: `dtype` must name a float dtype, one of "
                         f"{list(backend.dtypes.FLOAT_TYPES)}. Received: dtype={dtype!r}.")
    return name


