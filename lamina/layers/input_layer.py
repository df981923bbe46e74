"""Input and InputLayer: the entry points of a Functional model."""

from lamina.layers.layer import Layer
from lamina.ops.symbolic import KerasTensor, record_node


class InputLayer(Layer):
    """Holds the symbolic tensor that a Functional model starts from.

    Args:
        shape: Shape of one sample, without the batch axis, e.g. `(28, 28)`.
        batch_size: Optional fixed batch size.
        dtype: Dtype of the input data; floatx by default.
        batch_shape: Full shape including the batch axis (instead of shape/batch_size).
        name: Name of the input.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse or ragged:
            raise ValueError(f"InputLayer '{self.name}': sparse and ragged inputs are not "
                             "supported by lamina. Pass dense arrays.")
        if shape is not None and batch_shape is not None:
            raise ValueError(f"InputLayer '{self.name}': pass either `shape` or `batch_shape`, "
                             f"not both. Received shape={shape}, batch_shape={batch_shape}")
        if batch_shape is None:
            if shape is None:
                raise ValueError(f"InputLayer '{self.name}': `shape` is required, the shape of "
                                 "one sample without the batch axis, e.g. shape=(784,).")
            if isinstance(shape, int):
                shape = (shape,)
            if not isinstance(shape, (list, tuple)):
                raise ValueError(f"InputLayer '{self.name}': `shape` must be a tuple of ints or "
                                 f"None. Received: shape={shape!r}")
            batch_shape = (batch_size, *shape)
        for d in batch_shape:
            if d is not None and (not isinstance(d, int) or d < 0):
                raise ValueError(f"InputLayer '{self.name}': shape entries must be non-negative "
                                 f"ints or None. Received: batch_shape={tuple(batch_shape)}")
        self.batch_shape = tuple(batch_shape)
        self.optional = optional
        self.built = True
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError(f"InputLayer '{self.name}': `input_tensor` must be a symbolic "
                                 f"tensor. Received: {input_tensor!r}")
            self.output_tensor = input_tensor
        else:
            tensor = KerasTensor(self.batch_shape, dtype=self._dtype, name=self.name)
            self.output_tensor = record_node(self, (), {}, tensor)
            self._inbound_nodes.append(tensor.node)

    @property
    def output(self):
        return self.output_tensor

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self._dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
          name=None, tensor=None, optional=False):
    """A symbolic input tensor to build Functional models with.

    >>> x = lamina.Input(shape=(3,))
    >>> x.shape
    (None, 3)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       ragged=ragged, batch_shape=batch_shape, input_tensor=tensor,
                       optional=optional, name=name)
    return layer.output


def is_input_tensor(x):
    return isinstance(x, KerasTensor) and x.node is not None and \
        isinstance(x.node.operation, InputLayer)


__all__ = ["Input", "InputLayer"]
