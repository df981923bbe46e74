"""EinsumDense: a dense layer whose contraction is an einsum equation, with kernel and bias
shapes read off the equation."""

import numbers
import re

from lamina import activations, constraints, initializers, ops, regularizers
from lamina.initializers.random_initializers import VarianceScaling
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer

_FORMS = (
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"), None),
    (re.compile(r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)"), "left"),
    (re.compile(r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\."), "right"),
)


def parse_equation(equation):
    """Split an EinsumDense equation into `(input, kernel, output, ellipsis)`.

    `ellipsis` is None, `"left"` (`"...ab,bc->...ac"`) or `"right"` (`"ab...,bc->ac..."`).
    """
    if isinstance(equation, str):
        for pattern, ellipsis in _FORMS:
            match = pattern.fullmatch(equation.replace(" ", ""))
            if match:
                return (*match.groups(), ellipsis)
    raise ValueError(f"EinsumDense: `equation` must have the form 'X,Y->Z', '...X,Y->...Z' or "
                     f"'X...,Y->Z...' (X the input's axes, Y the kernel's, Z the output's, "
                     f"letters only), e.g. 'abc,cd->abd'. Received: equation={equation!r}")


def analyze_equation(equation, bias_axes, input_shape, output_shape):
    """Kernel shape, bias shape, full output shape and the kernel's input/output axes.

    Args:
        equation: The EinsumDense equation.
        bias_axes: Letters of the output axes that carry a bias, or None.
        input_shape: Full input shape, batch axis first.
        output_shape: The output shape without the batch axis (and without the axes an ellipsis
            carries over); None entries are taken from the input where the letter is shared.

    Returns:
        `(kernel_shape, bias_shape, full_output_shape, input_axes, output_axes)`; bias_shape is
        None without bias axes.
    """
    in_spec, kernel_spec, out_spec, ellipsis = parse_equation(equation)
    input_shape = tuple(input_shape)
    partial = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    elided = len(input_shape) - len(in_spec)
    if ellipsis is None and elided != 0:
        raise ValueError(f"Equation {equation!r} names {len(in_spec)} input axes, "
                         f"but the input has shape {input_shape} (rank {len(input_shape)}). "
                         "Use an input of that rank, or add '...' to the equation.")
    if ellipsis is not None and elided < (1 if ellipsis == "left" else 0):
        raise ValueError(f"Equation {equation!r} needs an input of rank at least "
                         f"{len(in_spec) + 1}. Received input shape {input_shape}.")
    expected = len(out_spec) if ellipsis == "left" else len(out_spec) - 1
    if len(partial) != expected:
        raise ValueError(f"`output_shape` must have {expected} entries for equation "
                         f"{equation!r} (one per output axis, without the batch axis"
                         f"{' and the ellipsis axes' if ellipsis else ''}). Received: "
                         f"output_shape={tuple(partial)}")
    if ellipsis == "left":
        full = [*input_shape[:elided], *partial]
        out_offset, in_axis = elided, {c: elided + i for i, c in enumerate(in_spec)}
    else:
        full = [input_shape[0], *partial, *(input_shape[len(in_spec):] if ellipsis else ())]
        out_offset, in_axis = 0, {c: i for i, c in enumerate(in_spec)}
    out_axis = {c: out_offset + i for i, c in enumerate(out_spec)}
    for c in out_spec:
        if c not in in_spec and c not in kernel_spec:
            raise ValueError(f"Equation {equation!r}: output axis {c!r} appears in "
                             "neither the input nor the kernel.")
        if c in in_axis:
            have, want = input_shape[in_axis[c]], full[out_axis[c]]
            if want is not None and have is not None and want != have:
                raise ValueError(f"Equation {equation!r}: axis {c!r} is shared by "
                                 f"input and output, but the input has size {have} there and "
                                 f"output_shape asks for {want}. Received input shape "
                                 f"{input_shape}, output_shape={tuple(partial)}.")
            if want is None:
                full[out_axis[c]] = have
    kernel_shape, input_axes, output_axes = [], [], []
    for i, c in enumerate(kernel_spec):
        if c in out_axis:
            kernel_shape.append(full[out_axis[c]])
            output_axes.append(i)
        elif c in in_axis:
            kernel_shape.append(input_shape[in_axis[c]])
            input_axes.append(i)
        else:
            raise ValueError(f"Equation {equation!r}: kernel axis {c!r} appears in "
                             "neither the input nor the output, so its size is unknown.")
    bias_shape = None
    if bias_axes is not None:
        unknown = [c for c in bias_axes if c not in out_spec]
        if unknown:
            raise ValueError(f"`bias_axes` {bias_axes!r} names {unknown}, which are "
                             f"not output axes of equation {equation!r} (output axes "
                             f"{out_spec!r}).")
        first = min(out_spec.index(c) for c in bias_axes)
        # The bias covers the output from its first biased axis on, size 1 on unbiased axes, so
        # that it broadcasts over the leading (batch-like) axes.
        bias_shape = [full[out_axis[c]] if c in bias_axes else 1 for c in out_spec[first:]]
        if ellipsis == "right":
            bias_shape += [1] * elided
    return kernel_shape, bias_shape, tuple(full), input_axes, output_axes


class EinsumDense(Layer):
    """A dense layer written as an einsum: `outputs = activation(einsum(equation, x, kernel) + b)`.

    Args:
        equation: `"X,Y->Z"` (or with `...` at the start of X and Z, or at the end of them),
            where X names the input's axes, Y the kernel's and Z the output's. The kernel takes
            each axis's size from the output (or, for contracted axes, from the input).
        output_shape: Int or tuple, the output shape without the batch axis (and without the
            axes a `...` carries over). `None` entries take the input's size.
        activation: Activation name or callable. `None` means no activation.
        bias_axes: Letters of the output axes that get a bias (e.g. `"de"`), or None for none.
        kernel_initializer: Initializer for `kernel`. Defaults to `"glorot_uniform"`; variance
            scaling initializers compute their fans from the equation's input and output axes.
        bias_initializer: Initializer for `bias`. Defaults to `"zeros"`.
        kernel_regularizer / bias_regularizer: Optional weight regularizers.
        kernel_constraint / bias_constraint: Optional weight constraints.
        lora_rank / lora_alpha / gptq_unpacked_column_size / quantization_config: Not supported
            yet; must be None.

    Input shape: as X (plus any `...` axes). Output shape: `compute_output_shape(input_shape)`.

    >>> layer = lamina.layers.EinsumDense("abc,cde->abde", output_shape=(4, 3, 2), bias_axes="de")
    >>> tuple(layer(lamina.ops.ones((2, 4, 5))).shape)
    (2, 4, 3, 2)
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        parse_equation(equation)
        shape = (output_shape,) if isinstance(output_shape, numbers.Integral) else output_shape
        if isinstance(output_shape, bool) or not isinstance(shape, (list, tuple)) or not all(
                d is None or (isinstance(d, numbers.Integral) and not isinstance(d, bool)
                              and d > 0) for d in shape):
            raise ValueError(f"EinsumDense: `output_shape` must be a positive int or a tuple of "
                             f"positive ints / None. Received: output_shape={output_shape!r}")
        if bias_axes is not None and not isinstance(bias_axes, str):
            raise TypeError(f"EinsumDense: `bias_axes` must be None or a string of output axis "
                            f"letters such as 'de'. Received: bias_axes={bias_axes!r}")
        for arg, value in (("lora_rank", lora_rank), ("lora_alpha", lora_alpha),
                           ("gptq_unpacked_column_size", gptq_unpacked_column_size),
                           ("quantization_config", quantization_config)):
            if value is not None:
                raise NotImplementedError(f"EinsumDense: `{arg}` (LoRA / quantization) is not "
                                          f"supported yet. Received: {arg}={value!r}; leave it "
                                          "None.")
        self.equation = equation
        self.partial_output_shape = tuple(None if d is None else int(d) for d in shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _analyze(self, input_shape):
        try:
            return analyze_equation(self.equation, self.bias_axes, input_shape,
                                    self.partial_output_shape)
        except ValueError as error:
            raise ValueError(f"EinsumDense '{self.name}': {error}") from None

    def _kernel_initializer_for(self, input_axes, output_axes):
        init = self.kernel_initializer
        if isinstance(init, VarianceScaling) and (init.input_axes is None or
                                                  init.output_axes is None):
            # Fans follow the equation (an attention kernel (dim, heads, key_dim) has fan_in dim
            # and fan_out heads * key_dim), not the convolution rule for N-D kernels.
            return type(init).from_config({**init.get_config(), "seed": init.seed,
                                           "input_axes": input_axes, "output_axes": output_axes})
        return init

    def build(self, input_shape):
        kernel_shape, bias_shape, _, input_axes, output_axes = self._analyze(input_shape)
        if any(d is None for d in kernel_shape):
            raise ValueError(f"EinsumDense '{self.name}' needs every kernel axis size to create "
                             f"its kernel; equation {self.equation!r} with input shape "
                             f"{tuple(input_shape)} and output_shape={self.partial_output_shape}"
                             f" gives kernel shape {tuple(kernel_shape)}. Give the missing "
                             "sizes in output_shape or the input shape.")
        self.kernel = self.add_weight(shape=kernel_shape, name="kernel",
                                      initializer=self._kernel_initializer_for(input_axes,
                                                                               output_axes),
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = (self.add_weight(shape=bias_shape, name="bias",
                                     initializer=self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if bias_shape is not None else None)
        in_spec, kernel_spec, _, ellipsis = parse_equation(self.equation)
        # The input axes the kernel shares must keep the sizes the kernel was built for.
        offset = -len(in_spec) if ellipsis == "left" else 0
        axes = {i + offset: input_shape[i + offset] for i, c in enumerate(in_spec)
                if c in kernel_spec and input_shape[i + offset] is not None}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)

    def call(self, inputs, training=None):
        y = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            y = ops.add(y, self.bias)
        return self.activation(y) if self.activation is not None else y

    def compute_output_shape(self, input_shape):
        return self._analyze(input_shape)[2]

    def get_config(self):
        return {**super().get_config(), "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "quantization_config": None}
