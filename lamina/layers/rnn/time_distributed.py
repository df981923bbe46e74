"""TimeDistributed: apply one layer to every time step of a sequence."""

from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.rnn.wrapper import Wrapper
from lamina.ops.symbolic import KerasTensor


class TimeDistributed(Wrapper):
    """Applies `layer` to every slice `inputs[:, t]` along the time axis, with shared weights.

    The time axis is folded into the batch axis (`(batch * time, ...)`), the layer runs once on
    the result, and the output is unfolded to `(batch, time, ...)`. A mask `(batch, time)` is
    passed on to the output unchanged, and to the inner layer (folded) when it accepts one.

    Args:
        layer: The Layer instance to apply at each time step.

    Input shape: `(batch, time, ...)`, at least 3-D. Output shape:
    `(batch, time, *layer_output_shape[1:])`.

    >>> layer = lamina.layers.TimeDistributed(lamina.layers.Dense(4))
    >>> tuple(layer(lamina.ops.ones((2, 5, 3))).shape)
    (2, 5, 4)
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_input_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 3 or \
                isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                f"TimeDistributed '{self.name}' expected one input of rank >= 3, "
                f"(batch, time, ...), received shape {input_shape!r}. The axis after the batch "
                f"is the time axis; for inputs without one, call {type(self.layer).__name__} "
                "directly.")
        batch, time = input_shape[0], input_shape[1]
        folded = batch * time if batch is not None and time is not None else None
        return (folded, *input_shape[2:])

    def _child_output_shape(self, child_shape):
        if type(self.layer).compute_output_shape is not Layer.compute_output_shape:
            return tuple(self.layer.compute_output_shape(child_shape))
        spec = self.layer.compute_output_spec(KerasTensor(child_shape, self.compute_dtype))
        return tuple(spec.shape)

    def build(self, input_shape):
        super().build(self._child_input_shape(tuple(input_shape)))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        child = self._child_output_shape(self._child_input_shape(input_shape))
        return (input_shape[0], input_shape[1], *child[1:])

    def call(self, inputs, training=None, mask=None):
        shape = tuple(inputs.shape)
        self._child_input_shape(shape)
        batch, time = shape[0], shape[1]
        kwargs = {}
        if self.layer._call_accepts("training"):
            kwargs["training"] = training
        if mask is not None and self.layer._call_accepts("mask"):
            if tuple(mask.shape[:2]) != (batch, time):
                raise ValueError(
                    f"TimeDistributed '{self.name}': the mask's first two axes must be the "
                    f"inputs' (batch, time) = {(batch, time)}; received a mask of shape "
                    f"{tuple(mask.shape)}. Pass a mask of shape (batch, time).")
            kwargs["mask"] = ops.reshape(mask, (batch * time, *mask.shape[2:]))
        outputs = self.layer(ops.reshape(inputs, (batch * time, *shape[2:])), **kwargs)
        return ops.reshape(outputs, (batch, time, *outputs.shape[1:]))
