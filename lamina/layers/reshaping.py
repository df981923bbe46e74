"""Reshaping layers: Flatten, Reshape."""

import math

from lamina import ops
from lamina.layers.layer import Layer


class Flatten(Layer):
    """Flattens every axis but the batch axis: `(batch, 4, 5) -> (batch, 20)`.

    Args:
        data_format: "channels_last" (default) or "channels_first"; with channels_first the
            channel axis is moved last first, so the order matches a channels_last model.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        from lamina.backend.config import standardize_data_format
        self.data_format = standardize_data_format(data_format)

    def call(self, inputs):
        if self.data_format == "channels_first" and len(inputs.shape) > 2:
            inputs = ops.moveaxis(inputs, 1, -1)
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (the batch axis is kept; one axis may be -1).

    >>> tuple(lamina.layers.Reshape((3, 2))(lamina.ops.ones((4, 6))).shape)
    (4, 3, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(target_shape, (list, tuple)) or \
                not all(isinstance(d, int) and (d > 0 or d == -1) for d in target_shape) or \
                list(target_shape).count(-1) > 1:
            raise ValueError("Reshape: `target_shape` must be a tuple of positive ints with at most "
                             f"one -1, without the batch axis. Received: {target_shape!r}")
        self.target_shape = tuple(target_shape)

    def _resolve(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return self.target_shape
        total = math.prod(rest)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if total % known:
                raise ValueError(self._mismatch(input_shape))
            return tuple(total // known if d == -1 else d for d in self.target_shape)
        if known != total:
            raise ValueError(self._mismatch(input_shape))
        return self.target_shape

    def _mismatch(self, input_shape):
        return (f"Reshape '{self.name}' cannot reshape inputs of shape {tuple(input_shape)} "
                f"(batch axis first) to (batch, *{self.target_shape}): the sizes of one sample "
                f"differ. Check target_shape.")

    def build(self, input_shape):
        self._resolve(input_shape)

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0], *self._resolve(tuple(inputs.shape))))

    def compute_output_shape(self, input_shape):
        shape = self._resolve(input_shape)
        return (input_shape[0], *(None if d == -1 else d for d in shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
