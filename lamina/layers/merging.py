"""Merging layers: combine a list of tensors into one (Add, Subtract, Multiply, Average, Maximum,
Minimum, Concatenate, Dot), with their functional forms (`add([a, b])`, ...)."""

from lamina import backend, ops
from lamina.layers.layer import Layer


def _describe(layer):
    return f"{type(layer).__name__} '{layer.name}'"


def _shapes_text(shapes):
    return ", ".join(str((None, *tuple(s)[1:])) for s in shapes)


def _is_shape_list(input_shape):
    return isinstance(input_shape, (list, tuple)) and len(input_shape) > 0 and \
        all(isinstance(s, (list, tuple)) for s in input_shape)


class Merge(Layer):
    """Base of the element-wise merging layers: checks the input list, aligns ranks, merges.

    Inputs of different ranks are aligned by inserting axes after the batch axis, then the
    non-batch axes broadcast as in NumPy. Subclasses implement `_merge_function(inputs, masks)`.
    """

    _min_inputs, _max_inputs = 1, None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_input_list(self, input_shape):
        if not _is_shape_list(input_shape):
            raise ValueError(f"{_describe(self)} must be called on a list of tensors, e.g. "
                             f"`{type(self).__name__}()([x1, x2])`. Received input shape(s): "
                             f"{input_shape!r}")
        count = len(input_shape)
        if count < self._min_inputs or (self._max_inputs is not None and
                                        count > self._max_inputs):
            wanted = (f"exactly {self._max_inputs}" if self._min_inputs == self._max_inputs
                      else f"at least {self._min_inputs}")
            raise ValueError(f"{_describe(self)} expects {wanted} inputs, received {count} with "
                             f"shapes {_shapes_text(input_shape)}.")

    def _batch_size(self, input_shape):
        """The common batch size (None when unknown); raises when two inputs disagree."""
        sizes = {s[0] for s in input_shape if len(s) > 0} - {None}
        if len(sizes) > 1:
            raise ValueError(f"{_describe(self)} cannot merge tensors with different batch sizes "
                             f"{sorted(sizes)}. Received shapes "
                             f"{[tuple(s) for s in input_shape]}.")
        return sizes.pop() if sizes else None

    def _broadcast_shape(self, input_shapes):
        """The merged non-batch shape; raises when two inputs do not broadcast."""
        result = ()
        for shape in input_shapes:
            rest = tuple(shape[1:])
            if len(rest) > len(result):
                result, rest = rest, result
            merged = list(result[:len(result) - len(rest)])
            for a, b in zip(result[len(result) - len(rest):], rest):
                if a is None or b is None:
                    # An unknown size broadcasts with a known size other than 1 only to that size.
                    known = b if a is None else a
                    merged.append(None if known in (None, 1) else known)
                elif a == 1 or b == 1 or a == b:
                    merged.append(max(a, b))
                else:
                    raise ValueError(
                        f"{_describe(self)} cannot merge inputs of shapes "
                        f"{_shapes_text(input_shapes)}: after the batch axis, each axis must "
                        f"have equal sizes or size 1 (NumPy broadcasting); sizes {a} and {b} "
                        "differ. Reshape the inputs to compatible shapes.")
            result = tuple(merged)
        return result

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{_describe(self)} must be called on a list of tensors. Received "
                             f"a single tensor of shape {tuple(inputs.shape)}.")
        self.compute_output_shape([tuple(x.shape) for x in inputs])
        masks = list(mask) if isinstance(mask, (list, tuple)) else [None] * len(inputs)
        ndim = max(len(x.shape) for x in inputs)
        aligned = []
        for x in inputs:
            for _ in range(ndim - len(x.shape)):
                x = ops.expand_dims(x, 1)
            aligned.append(x)
        return self._merge_function(aligned, masks)

    def _merge_function(self, inputs, masks):
        raise NotImplementedError(f"{type(self).__name__} must implement _merge_function.")

    def compute_output_shape(self, input_shape):
        self._check_input_list(input_shape)
        return (self._batch_size(input_shape), *self._broadcast_shape(input_shape))

    def compute_mask(self, inputs, mask=None):
        """The output mask: the logical or of the input masks; None if any input has none."""
        masks = _check_masks(self, inputs, mask)
        if masks is None or any(m is None for m in masks):
            return None
        output = masks[0]
        for m in masks[1:]:
            output = ops.logical_or(output, m)
        return output


def _check_masks(layer, inputs, mask):
    if mask is None:
        return None
    if not isinstance(mask, (list, tuple)) or not isinstance(inputs, (list, tuple)) or \
            len(mask) != len(inputs):
        raise ValueError(f"{_describe(layer)}.compute_mask expects `inputs` and `mask` as lists "
                         f"of the same length (one mask or None per input). Received "
                         f"{type(inputs).__name__} inputs and mask={mask!r}.")
    return list(mask)


def _expand_mask(mask, x):
    """A per-step mask `(batch, steps)` broadcast to `x` `(batch, steps, features)`."""
    mask = ops.cast(mask, "bool")
    if len(mask.shape) < len(x.shape):
        mask = ops.expand_dims(mask, -1)
    return ops.broadcast_to(mask, tuple(x.shape))


def _merge_skipping_masked(op, inputs, masks):
    """Fold `op` over the inputs where masked-out entries take the other operand's value.

    Entries masked in every input keep the first input's value. Used by Maximum and Minimum,
    which have no identity element to substitute.
    """
    output, output_mask = inputs[0], masks[0]
    output_mask = None if output_mask is None else _expand_mask(output_mask, output)
    for x, mask in zip(inputs[1:], masks[1:]):
        mask = None if mask is None else _expand_mask(mask, x)
        if mask is not None:
            x = ops.where(mask, x, output)
        if output_mask is not None:
            output = ops.where(output_mask, output, x)
        output_mask = (None if mask is None or output_mask is None
                       else ops.logical_or(output_mask, mask))
        output = op(output, x)
    return output


class Add(Merge):
    """Element-wise sum of a list of tensors (broadcasting after the batch axis).

    >>> a, b = lamina.ops.ones((2, 3)), lamina.ops.full((2, 3), 2.0)
    >>> lamina.layers.Add()([a, b]).tolist()[0]
    [3.0, 3.0, 3.0]
    """

    def _merge_function(self, inputs, masks):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output


class Subtract(Merge):
    """Element-wise difference `inputs[0] - inputs[1]` of exactly two tensors.

    >>> a, b = lamina.ops.ones((2, 3)), lamina.ops.full((2, 3), 2.0)
    >>> lamina.layers.Subtract()([a, b]).tolist()[0]
    [-1.0, -1.0, -1.0]
    """

    _min_inputs, _max_inputs = 2, 2

    def _merge_function(self, inputs, masks):
        return ops.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """Element-wise product of a list of tensors.

    With input masks, masked-out entries count as 1 in the product, and entries masked in
    every input are 0.

    >>> a, b = lamina.ops.full((2, 3), 3.0), lamina.ops.full((2, 3), 2.0)
    >>> lamina.layers.Multiply()([a, b]).tolist()[0]
    [6.0, 6.0, 6.0]
    """

    def _merge_function(self, inputs, masks):
        all_masked = all(m is not None for m in masks)
        output, output_mask = None, None
        for x, mask in zip(inputs, masks):
            if mask is not None:
                mask = _expand_mask(mask, x)
                x = ops.where(mask, x, ops.ones_like(x))
                if all_masked:
                    output_mask = mask if output_mask is None else ops.logical_or(output_mask,
                                                                                  mask)
            output = x if output is None else ops.multiply(output, x)
        if all_masked:
            output = ops.where(output_mask, output, ops.zeros_like(output))
        return output


class Average(Merge):
    """Element-wise mean of a list of tensors.

    >>> a, b = lamina.ops.ones((2, 3)), lamina.ops.full((2, 3), 2.0)
    >>> lamina.layers.Average()([a, b]).tolist()[0]
    [1.5, 1.5, 1.5]
    """

    def _merge_function(self, inputs, masks):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return ops.divide(output, len(inputs))


class Maximum(Merge):
    """Element-wise maximum of a list of tensors; masked-out entries are skipped.

    >>> a, b = lamina.ops.array([[1.0, 5.0]]), lamina.ops.array([[3.0, 2.0]])
    >>> lamina.layers.Maximum()([a, b]).tolist()
    [[3.0, 5.0]]
    """

    def _merge_function(self, inputs, masks):
        return _merge_skipping_masked(ops.maximum, inputs, masks)


class Minimum(Merge):
    """Element-wise minimum of a list of tensors; masked-out entries are skipped.

    >>> a, b = lamina.ops.array([[1.0, 5.0]]), lamina.ops.array([[3.0, 2.0]])
    >>> lamina.layers.Minimum()([a, b]).tolist()
    [[1.0, 2.0]]
    """

    def _merge_function(self, inputs, masks):
        return _merge_skipping_masked(ops.minimum, inputs, masks)


class Concatenate(Merge):
    """Concatenates a list of tensors along `axis`; every other axis must match.

    Args:
        axis: The axis to join along (an int, negative counts from the end). Defaults to -1.

    >>> a, b = lamina.ops.ones((2, 3)), lamina.ops.ones((2, 4))
    >>> tuple(lamina.layers.Concatenate()([a, b]).shape)
    (2, 7)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"Concatenate: `axis` must be an int. Received: axis={axis!r}")
        self.axis = axis

    def _check_shapes(self, input_shape):
        self._check_input_list(input_shape)
        ranks = {len(s) for s in input_shape}
        if len(ranks) > 1:
            raise ValueError(f"{_describe(self)} needs inputs of equal rank, received shapes "
                             f"{_shapes_text(input_shape)}. Reshape the inputs to one rank.")
        ndim = ranks.pop()
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"{_describe(self)}: axis={self.axis} is out of range for inputs of "
                             f"rank {ndim} (shapes {_shapes_text(input_shape)}).")
        axis = self.axis % ndim
        merged = []
        for i in range(ndim):
            sizes = {s[i] for s in input_shape} - {None}
            if i != axis and len(sizes) > 1:
                raise ValueError(
                    f"{_describe(self)} requires inputs with matching shapes except along the "
                    f"concatenation axis {self.axis}; axis {i} differs ({sorted(sizes)}) in "
                    f"shapes {_shapes_text(input_shape)}. Check the inputs or the `axis`.")
            merged.append(sizes.pop() if len(sizes) == 1 else None)
        return axis, merged

    def build(self, input_shape):
        self._check_shapes(input_shape)

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{_describe(self)} must be called on a list of tensors. Received "
                             f"a single tensor of shape {tuple(inputs.shape)}.")
        self._check_shapes([tuple(x.shape) for x in inputs])
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        axis, shape = self._check_shapes(input_shape)
        sizes = [s[axis] for s in input_shape]
        shape[axis] = None if None in sizes else sum(sizes)
        return tuple(shape)

    def compute_mask(self, inputs, mask=None):
        """The concatenated masks (a missing mask counts as all true), reduced with logical or
        over the last axis, which is the feature axis for per-step masks."""
        masks = _check_masks(self, inputs, mask)
        if masks is None or all(m is None for m in masks):
            return None
        full = []
        for x, m in zip(inputs, masks):
            if m is None:
                full.append(ops.ones_like(x, dtype="bool"))
            else:
                full.append(_expand_mask(m, x))
        return ops.any(ops.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _l2_normalize(x, axis):
    """`x / ||x||` along `axis`, with the scale capped at 1 / epsilon for (near) zero vectors."""
    inv_norm = ops.rsqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    return ops.multiply(x, ops.minimum(inv_norm, 1.0 / backend.epsilon()))


class Dot(Merge):
    """Dot product of two tensors along given axes, per batch sample.

    For `x` of shape `(batch, n)` and `y` of shape `(batch, n)`, `Dot(axes=1)([x, y])` has shape
    `(batch, 1)` and holds `sum(x[i] * y[i])`. In general the contracted axes are removed and
    the remaining axes of `x` come before those of `y`.

    Args:
        axes: Int (the same axis of both inputs) or pair of ints `(axis_of_x, axis_of_y)`;
            never 0, the batch axis.
        normalize: Whether to L2-normalize both inputs along their axis first, so that the
            output is the cosine similarity.

    >>> x = lamina.ops.array([[1.0, 2.0]])
    >>> y = lamina.ops.array([[3.0, 4.0]])
    >>> lamina.layers.Dot(axes=1)([x, y]).tolist()
    [[11.0]]
    """

    _min_inputs, _max_inputs = 2, 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, list):
            axes = tuple(axes)
        pair = axes if isinstance(axes, tuple) else (axes, axes)
        if len(pair) != 2 or any(isinstance(a, bool) or not isinstance(a, int) for a in pair):
            raise ValueError("Dot: `axes` must be an int or a pair of ints (one axis per input). "
                             f"Received: axes={axes!r}")
        if not isinstance(normalize, bool):
            raise ValueError(f"Dot: `normalize` must be True or False. Received: "
                             f"normalize={normalize!r}")
        self.axes = axes
        self.normalize = normalize

    def _resolve_axes(self, input_shape):
        """Non-negative contraction axes, after checking the two shapes against them."""
        self._check_input_list(input_shape)
        self._batch_size(input_shape)
        shape1, shape2 = (tuple(s) for s in input_shape)
        for shape in (shape1, shape2):
            if len(shape) < 2:
                raise ValueError(f"{_describe(self)} needs inputs of rank >= 2 (batch axis "
                                 f"first), received shapes {_shapes_text(input_shape)}.")
        pair = self.axes if isinstance(self.axes, tuple) else (self.axes, self.axes)
        axes = []
        for axis, shape in zip(pair, (shape1, shape2)):
            if not -len(shape) <= axis < len(shape):
                raise ValueError(f"{_describe(self)}: axes={self.axes} is out of range for "
                                 f"inputs of shapes {_shapes_text(input_shape)}.")
            axes.append(axis % len(shape))
        if 0 in axes:
            raise ValueError(f"{_describe(self)} cannot contract axis 0, the batch axis "
                             f"(axes={self.axes}, shapes {_shapes_text(input_shape)}). Pick "
                             "axes after the batch axis.")
        size1, size2 = shape1[axes[0]], shape2[axes[1]]
        if size1 is not None and size2 is not None and size1 != size2:
            raise ValueError(f"{_describe(self)} contracts axis {axes[0]} of the first input "
                             f"(size {size1}) with axis {axes[1]} of the second (size {size2}); "
                             f"the sizes must match. Received shapes "
                             f"{_shapes_text(input_shape)}. Check `axes`.")
        return axes

    def build(self, input_shape):
        self._resolve_axes(input_shape)

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{_describe(self)} must be called on a list of two tensors. "
                             f"Received a single tensor of shape {tuple(inputs.shape)}.")
        axis1, axis2 = self._resolve_axes([tuple(x.shape) for x in inputs])
        x, y = inputs
        if self.normalize:
            x, y = _l2_normalize(x, axis1), _l2_normalize(y, axis2)
        # (batch, *x_rest, n) @ (batch, n, *y_rest) as one batched matmul of flattened rests.
        x = ops.moveaxis(x, axis1, -1)
        y = ops.moveaxis(y, axis2, 1)
        batch, x_rest, y_rest, n = x.shape[0], x.shape[1:-1], y.shape[2:], x.shape[-1]
        out = ops.matmul(ops.reshape(x, (batch, _prod(x_rest), n)),
                         ops.reshape(y, (batch, n, _prod(y_rest))))
        out_shape = (batch, *x_rest, *y_rest)
        return ops.reshape(out, out_shape if len(out_shape) > 1 else (batch, 1))

    def compute_output_shape(self, input_shape):
        axis1, axis2 = self._resolve_axes(input_shape)
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        del shape1[axis1], shape2[axis2]
        shape = shape1 + shape2[1:]
        return tuple(shape) if len(shape) > 1 else (shape[0], 1)

    def compute_mask(self, inputs, mask=None):
        """Dot outputs carry no mask (after checking the arguments): the contraction mixes
        masked and unmasked entries."""
        _check_masks(self, inputs, mask)

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _prod(sizes):
    total = 1
    for s in sizes:
        total *= s
    return total


def add(inputs, **kwargs):
    """Functional form of `Add`: `add([x1, x2, ...])` is `Add(**kwargs)([x1, x2, ...])`."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`: `subtract([x1, x2])` is `x1 - x2`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of `Multiply`: the element-wise product of `inputs`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of `Average`: the element-wise mean of `inputs`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of `Maximum`: the element-wise maximum of `inputs`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`: the element-wise minimum of `inputs`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`: `inputs` joined along `axis`.

    >>> a, b = lamina.ops.ones((2, 3)), lamina.ops.ones((2, 4))
    >>> tuple(lamina.layers.concatenate([a, b]).shape)
    (2, 7)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """Functional form of `Dot`: per-sample dot product of two tensors along `axes`."""
    return Dot(axes=axes, **kwargs)(inputs)
