"""Activation layers: Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax."""

import math
import numbers
import warnings

from lamina import activations, backend, constraints, initializers, ops, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class Activation(Layer):
    """Applies an activation function to its input.

    Args:
        activation: Activation name (`"relu"`, `"sigmoid"`, ...) or callable.

    >>> lamina.layers.Activation("relu")(lamina.ops.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        if activation is None:
            raise ValueError("Activation: `activation` must be a name or a callable, not None. "
                             "Use 'linear' for the identity.")
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


def _check_number(owner, arg, value, allow_none=False):
    """`value` unchanged if it is a finite non-negative number (or None when allowed)."""
    if value is None and allow_none:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not 0 <= value < math.inf:
        expected = "a non-negative float or None" if allow_none else "a non-negative float"
        raise ValueError(f"{owner}: `{arg}` must be {expected}. Received: {arg}={value!r}")
    return value


class ReLU(Layer):
    """Rectified linear unit with optional ceiling, threshold and leak.

    `f(x) = max_value` for `x >= max_value`, `x` for `threshold <= x < max_value`, and
    `negative_slope * (x - threshold)` below the threshold.

    Args:
        max_value: Non-negative float ceiling, or None for none.
        negative_slope: Non-negative float, the slope below the threshold. Defaults to 0.
        threshold: Non-negative float below which values are cut or leaked. Defaults to 0.

    Input shape: any. Output shape: the same.

    >>> lamina.layers.ReLU(max_value=6.0)(lamina.ops.array([-1.0, 3.0, 9.0])).tolist()
    [0.0, 3.0, 6.0]
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _check_number("ReLU", "max_value", max_value, allow_none=True)
        self.negative_slope = _check_number("ReLU", "negative_slope", negative_slope)
        self.threshold = _check_number("ReLU", "threshold", threshold)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    """Leaky ReLU: `x` for `x >= 0`, `negative_slope * x` below.

    Args:
        negative_slope: Non-negative float, the slope for negative inputs. Defaults to 0.3.
            (The Keras 2 name `alpha` is accepted with a deprecation warning.)

    Input shape: any. Output shape: the same.

    >>> lamina.layers.LeakyReLU(0.5)(lamina.ops.array([-2.0, 3.0])).tolist()
    [-1.0, 3.0]
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("LeakyReLU: argument `alpha` is deprecated; use `negative_slope`.",
                          DeprecationWarning, stacklevel=2)
        super().__init__(**kwargs)
        self.negative_slope = _check_number("LeakyReLU", "negative_slope", negative_slope)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(Layer):
    """Parametric ReLU: `x` for `x >= 0`, `alpha * x` below, with `alpha` learned.

    Args:
        alpha_initializer: Initializer of `alpha`. Defaults to `"Zeros"`.
        alpha_regularizer / alpha_constraint: Optional regularizer and constraint of `alpha`.
        shared_axes: Int or list of ints (axes >= 1 of the input, batch axis is 0) along which
            one `alpha` is shared; e.g. `[1, 2]` for one slope per channel of
            `(batch, rows, cols, channels)` images.

    `alpha` has the input's shape without the batch axis, with size 1 on the shared axes.

    Input shape: any with known non-batch axes. Output shape: the same.

    >>> layer = lamina.layers.PReLU(alpha_initializer=lamina.initializers.Constant(0.5))
    >>> layer(lamina.ops.array([[-2.0, 3.0]])).tolist()
    [[-1.0, 3.0]]
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        if shared_axes is not None and not all(
                isinstance(a, numbers.Integral) and not isinstance(a, bool) and a >= 1
                for a in shared_axes):
            raise ValueError("PReLU: `shared_axes` must be an int or a list of ints >= 1 (axis 0 "
                             f"is the batch axis). Received: shared_axes={shared_axes!r}")
        self.shared_axes = None if shared_axes is None else [int(a) for a in shared_axes]
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        shared = self.shared_axes or []
        if any(a >= ndim for a in shared):
            raise ValueError(f"PReLU '{self.name}': `shared_axes` {self.shared_axes} must be "
                             f"axes of the input, in [1, {ndim - 1}]; received inputs of shape "
                             f"{tuple(input_shape)}.")
        param_shape = [1 if i in shared else d for i, d in enumerate(input_shape) if i > 0]
        if any(d is None for d in param_shape):
            raise ValueError(f"PReLU '{self.name}' needs every non-batch input axis known to "
                             f"create `alpha`, except those in shared_axes. Received input shape "
                             f"{tuple(input_shape)}; give the Input a full shape or share the "
                             "unknown axes with shared_axes.")
        self.alpha = self.add_weight(shape=param_shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.input_spec = InputSpec(ndim=ndim, axes={i: input_shape[i] for i in range(1, ndim)
                                                     if i not in shared})

    def call(self, inputs):
        positive = activations.relu(inputs)
        negative = ops.multiply(ops.negative(self.alpha), activations.relu(ops.negative(inputs)))
        return ops.add(positive, negative)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}


class ELU(Layer):
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` below.

    Args:
        alpha: Float scale of the negative part. Defaults to 1.0.

    Input shape: any. Output shape: the same.

    >>> lamina.layers.ELU()(lamina.ops.array([0.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or \
                not math.isfinite(alpha):
            raise ValueError(f"ELU: `alpha` must be a finite float. Received: alpha={alpha!r}")
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        # Keras 3 leaves alpha out of ELU's config (so a reload resets it to 1.0); lamina keeps it.
        return {**super().get_config(), "alpha": self.alpha}


def _large_negative(dtype):
    """A logit far below any real one, yet finite in `dtype` (float16 tops out at 65504)."""
    return -3e4 if backend.standardize_dtype(dtype) == "float16" else -1e9


class Softmax(Layer):
    """Softmax along `axis`; masked positions get probability 0.

    Args:
        axis: Int or tuple of ints, the axes that sum to 1. Defaults to -1.

    `call(inputs, mask=None)`: where `mask` (broadcastable to `inputs`; booleans, or numbers
    read as `mask > 0.5`) is False, the logit is replaced by -1e9 (-3e4 in float16) before the
    softmax and the output is set to 0 after it, so a fully masked row is all zeros.

    Input shape: any. Output shape: the same.

    >>> lamina.layers.Softmax()(lamina.ops.array([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, numbers.Integral) and not isinstance(a, bool)
                               for a in axes):
            raise TypeError(f"Softmax: `axis` must be an int or a tuple of ints. Received: "
                            f"axis={axis!r}")
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def _check_mask(self, inputs, mask):
        compatible = len(mask.shape) <= len(inputs.shape) and all(
            m is None or i is None or m in (1, i)
            for m, i in zip(reversed(mask.shape), reversed(inputs.shape)))
        if not compatible:
            raise ValueError(f"Softmax '{self.name}': `mask` must broadcast to the inputs (each "
                             "mask axis 1 or equal to the input's, counting from the last). "
                             f"Received inputs of shape {tuple(inputs.shape)} and a mask of "
                             f"shape {tuple(mask.shape)}.")

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = ops.convert_to_tensor(mask)
            self._check_mask(inputs, mask)
            if backend.standardize_dtype(mask.dtype) != "bool":
                mask = ops.greater(mask, ops.cast(0.5, mask.dtype))
            inputs = ops.where(mask, inputs, ops.cast(_large_negative(inputs.dtype), inputs.dtype))
        axes = tuple(self.axis) if isinstance(self.axis, (list, tuple)) else (self.axis,)
        if len(axes) > 1:
            lse = ops.logsumexp(inputs, axis=axes, keepdims=True)
            outputs = ops.exp(ops.subtract(inputs, lse))
        else:
            outputs = activations.softmax(inputs, axis=axes[0])
        if mask is not None:
            outputs = ops.where(mask, outputs, ops.zeros((), dtype=outputs.dtype))
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
