"""Convolutional LSTM: an LSTM whose input and recurrent transforms are convolutions.

`ConvLSTMCell` is one time step. `ConvLSTM` (and `ConvLSTM1D/2D/3D`) run it over a sequence:
the input convolution of every time step is computed at once before the loop (time folded into
the batch axis), so the loop body only does the recurrent convolution and the gates.
"""

import numbers

from lamina import activations, constraints, initializers, ops, regularizers
from lamina.backend.config import standardize_data_format
from lamina.layers.convolution.base_conv import (
    conv_output_length,
    standardize_padding,
    standardize_tuple,
)
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.rnn.rnn import CellLayer, DropoutRNNCell
from lamina.random.seed_generator import SeedGenerator

_GATES = 4  # input, forget, cell candidate, output: the order of LSTM's weights


def _check_rate(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{owner}: `{name}` must be a float in [0, 1), the fraction of entries "
                         f"to drop. Received: {name}={value!r}")
    return float(value)


class ConvLSTMCell(Layer, DropoutRNNCell):
    """One step of a convolutional LSTM: `(inputs_t, [h, c]) -> (h_new, [h_new, c_new])`.

    With `z = conv(inputs_t, kernel) + bias + conv_same(h, recurrent_kernel)` split along the
    channel axis into `z_i, z_f, z_c, z_o`: `c_new = sigmoid(z_f) * c + sigmoid(z_i) *
    tanh(z_c)` and `h_new = sigmoid(z_o) * tanh(c_new)` (with the default activations). The
    recurrent convolution always uses "same" padding and stride 1, so `h` keeps the spatial size
    of the input convolution's output.

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        filters: Positive int, the channels of `h` and `c`.
        kernel_size: Int or tuple of `rank` ints, the window of both convolutions.
        strides: Int or tuple of `rank` ints, the input convolution's stride.
        padding: "valid" or "same", the input convolution's padding.
        data_format: "channels_last" or "channels_first"; defaults to `image_data_format()`.
        dilation_rate: Int or tuple of `rank` ints, the input convolution's dilation.
        activation: Activation of the cell candidate and of the output. Defaults to "tanh".
        recurrent_activation: Activation of the gates. Defaults to "sigmoid".
        use_bias: Whether to learn a bias.
        kernel_initializer / recurrent_initializer / bias_initializer: Initializers of
            `kernel` `(*kernel_size, in_channels, 4 * filters)`, `recurrent_kernel`
            `(*kernel_size, filters, 4 * filters)` and `bias` `(4 * filters,)`.
        unit_forget_bias: Whether the forget gate's bias starts at 1 (the rest from
            `bias_initializer`).
        kernel_regularizer / recurrent_regularizer / bias_regularizer: Weight regularizers.
        kernel_constraint / recurrent_constraint / bias_constraint: Weight constraints.
        dropout: Fraction of the input entries dropped in training (one mask per gate, the same
            at every step of a sequence).
        recurrent_dropout: Fraction of the state entries dropped in training, likewise.
        seed: Int seed of the dropout masks.

    >>> cell = ConvLSTMCell(2, filters=3, kernel_size=3, padding="same")
    >>> h, states = cell(lamina.ops.ones((1, 5, 5, 2)), [lamina.ops.zeros((1, 5, 5, 3))] * 2)
    >>> tuple(h.shape)
    (1, 5, 5, 3)
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        if rank not in (1, 2, 3):
            raise ValueError(f"{owner}: `rank` must be 1, 2 or 3 (the number of spatial axes). "
                             f"Received: rank={rank!r}")
        if isinstance(filters, bool) or not isinstance(filters, numbers.Integral) or filters <= 0:
            raise ValueError(f"{owner}: `filters` must be a positive int. "
                             f"Received: filters={filters!r}")
        self.rank = rank
        self.filters = int(filters)
        self.kernel_size = standardize_tuple(owner, "kernel_size", kernel_size, rank)
        self.strides = standardize_tuple(owner, "strides", strides, rank)
        self.dilation_rate = standardize_tuple(owner, "dilation_rate", dilation_rate, rank)
        self.padding = standardize_padding(owner, padding)
        try:
            self.data_format = standardize_data_format(data_format)
        except ValueError:
            raise ValueError(f"{owner}: `data_format` must be 'channels_last' or "
                             f"'channels_first'. Received: data_format={data_format!r}") from None
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{owner}: `strides` > 1 cannot be combined with `dilation_rate` > 1 "
                             f"(as in Keras). Received: strides={self.strides}, "
                             f"dilation_rate={self.dilation_rate}. Set one of them to 1.")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = _check_rate(owner, "dropout", dropout)
        self.recurrent_dropout = _check_rate(owner, "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.input_spec = InputSpec(ndim=rank + 2)

    dropout_mask_count = _GATES  # one dropout mask per gate

    @property
    def state_size(self):
        # Channels of h and c; their full shape depends on the input, see get_initial_state.
        return [self.filters, self.filters]

    # -- shapes -----------------------------------------------------------------------------------
    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _spatial(self, shape):
        return tuple(shape[1:-1]) if self.data_format == "channels_last" else tuple(shape[2:])

    def _with_channels(self, batch, spatial, channels):
        if self.data_format == "channels_last":
            return (batch, *spatial, channels)
        return (batch, channels, *spatial)

    def _check_step_shape(self, shape):
        """Check a step input shape `(batch, *spatial, channels)`; return (spatial, channels)."""
        shape = tuple(shape)
        if len(shape) != self.rank + 2:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expected step inputs of rank "
                f"{self.rank + 2}, {self._with_channels('batch', ('...',) * self.rank, 'channels')}"
                f" for data_format='{self.data_format}', received shape {shape}.")
        spatial, channels = self._spatial(shape), shape[self._channel_axis]
        if channels is None or None in spatial:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' needs known spatial sizes and channels "
                f"(data_format='{self.data_format}'). Received input shape {shape}.")
        out = self._output_spatial(spatial)
        if min(out) <= 0:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the spatial size {spatial} is smaller than "
                f"the kernel's span with kernel_size={self.kernel_size}, "
                f"dilation_rate={self.dilation_rate} and padding='valid', so the state would be "
                "empty. Use padding='same', a smaller kernel_size or larger inputs.")
        return spatial, channels

    def _output_spatial(self, spatial):
        return tuple(conv_output_length(size, k, s, self.padding, d) for size, k, s, d in
                     zip(spatial, self.kernel_size, self.strides, self.dilation_rate))

    def compute_output_shape(self, inputs_shape, states_shape=None):
        spatial, _ = self._check_step_shape(inputs_shape)
        state = self._with_channels(inputs_shape[0], self._output_spatial(spatial), self.filters)
        return state, [state, state]

    # -- weights ------------------------------------------------------------------------------------
    def build(self, inputs_shape, states_shape=None):
        spatial, channels = self._check_step_shape(inputs_shape)
        self.spatial_dims, self.input_dim = spatial, channels
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels, _GATES * self.filters), name="kernel",
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(*self.kernel_size, self.filters, _GATES * self.filters),
            name="recurrent_kernel", initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(_GATES * self.filters,), name="bias", initializer=self._bias_init(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        filters, base = self.filters, self.bias_initializer

        def unit_forget(shape, dtype=None):
            # The forget gate starts open (bias 1) so gradients flow through c early in training.
            return ops.concatenate([base((filters,), dtype=dtype),
                                    ops.ones((filters,), dtype=dtype),
                                    base((2 * filters,), dtype=dtype)])

        return unit_forget

    def get_initial_state(self, batch_size=None):
        """Zero `[h, c]` for a batch of `batch_size`, shaped like the input convolution's output."""
        shape = self._with_channels(batch_size, self._output_spatial(self.spatial_dims),
                                    self.filters)
        return [ops.zeros(shape, dtype=self.compute_dtype),
                ops.zeros(shape, dtype=self.compute_dtype)]

    # -- math ---------------------------------------------------------------------------------------
    def _gate_convs(self, inputs, kernel, conv):
        """`conv(inputs, kernel)` for all four gates at once (one tensor) or, with dropout, gate
        by gate (a list of four masked tensors), concatenated along the channel axis."""
        if not isinstance(inputs, list):
            return conv(inputs, kernel)
        kernels = ops.split(kernel, _GATES, axis=-1)
        return ops.concatenate([conv(x, k) for x, k in zip(inputs, kernels)],
                               axis=self._channel_axis)

    def input_conv(self, inputs):
        """The input convolution plus bias of a batch of steps: `4 * filters` channels.

        Args:
            inputs: Step inputs `(batch, *spatial, channels)` (channels_last), or a list of four
                such tensors (one per gate, after dropout).

        Returns:
            The gates' pre-activations from the inputs, `(batch, *out_spatial, 4 * filters)`.
        """
        def conv(x, kernel):
            return ops.conv(x, kernel, strides=self.strides, padding=self.padding,
                            data_format=self.data_format, dilation_rate=self.dilation_rate)

        z = self._gate_convs(inputs, self.kernel, conv)
        if self.bias is not None:
            bias = self.bias
            if self.data_format == "channels_first":
                bias = ops.reshape(bias, (-1,) + (1,) * self.rank)
            z = ops.add(z, bias)
        return z

    def recurrent_conv(self, h):
        """The recurrent convolution ("same" padding, stride 1) of `h` or of four masked `h`."""
        def conv(x, kernel):
            return ops.conv(x, kernel, strides=1, padding="same", data_format=self.data_format)

        return self._gate_convs(h, self.recurrent_kernel, conv)

    def _project_inputs(self, sequences, dropout_mask=None):
        """`input_conv` of every time step at once, with time folded into the batch axis.

        `sequences` is `(batch, time, ...)`; `dropout_mask` is None or four masks with a time
        axis of 1, so the same entries are dropped at every step.
        """
        batch, time = sequences.shape[0], sequences.shape[1]

        def fold(x):
            return ops.reshape(x, (batch * time, *x.shape[2:]))

        if dropout_mask is None:
            z = self.input_conv(fold(sequences))
        else:
            z = self.input_conv([fold(ops.multiply(sequences, m)) for m in dropout_mask])
        return ops.reshape(z, (batch, time, *z.shape[1:]))

    def _recurrent_step(self, projected, states, recurrent_dropout_mask=None):
        """The rest of one step, from the step's `input_conv` output: `(h, [h, c])`."""
        h, c = states
        if recurrent_dropout_mask is not None:
            h = [ops.multiply(h, m) for m in recurrent_dropout_mask]
        z = ops.add(projected, self.recurrent_conv(h))
        z_i, z_f, z_c, z_o = ops.split(z, _GATES, axis=self._channel_axis)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = ops.add(ops.multiply(f, c), ops.multiply(i, self.activation(z_c)))
        o = self.recurrent_activation(z_o)
        h = ops.multiply(o, self.activation(c))
        return h, [h, c]

    def call(self, inputs, states, training=False):
        input_mask, recurrent_mask = self._dropout_masks(inputs, states[0], training)
        if input_mask is not None:
            inputs = [ops.multiply(inputs, m) for m in input_mask]
        return self._recurrent_step(self.input_conv(inputs), states, recurrent_mask)

    def get_config(self):
        return {**super().get_config(), "rank": self.rank, "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "unit_forget_bias": self.unit_forget_bias,
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}


_CELL_ARGS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
              "activation", "recurrent_activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "unit_forget_bias",
              "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
              "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
              "recurrent_dropout")


class ConvLSTM(CellLayer):
    """Convolutional LSTM over `rank` spatial axes: `ConvLSTMCell` run over the time axis.

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        filters ... seed: As `ConvLSTMCell`.
        activity_regularizer: Regularizer applied to the layer's outputs.
        return_sequences, return_state, go_backwards, stateful: As `RNN`. With
            `return_state`, the layer returns `[output, h, c]`.

    Input shape: `(batch, time, *spatial, channels)` ("channels_last") or
    `(batch, time, channels, *spatial)`. Output shape: `(batch, [time,] *out_spatial, filters)`
    (or channels first), where `out_spatial` is the input convolution's output size.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        cell = ConvLSTMCell(
            rank, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.input_spec = InputSpec(ndim=rank + 3)

    def __getattr__(self, name):
        # The cell holds the configuration; `layer.filters`, `layer.padding`, ... read it there.
        if name in _CELL_ARGS or name == "seed":
            cell = self.__dict__.get("cell")
            if cell is not None:
                return getattr(cell, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _check_sequences_shape(self, shape):
        shape = tuple(shape)
        if len(shape) != self.cell.rank + 3:
            channels_last = self.cell.data_format == "channels_last"
            layout = "(batch, time, *spatial, channels)" if channels_last else \
                "(batch, time, channels, *spatial)"
            raise ValueError(
                f"{self._describe()} expects inputs of rank {self.cell.rank + 3}, {layout} with "
                f"{self.cell.rank} spatial axes, received shape {shape} (rank {len(shape)}). "
                "A single frame per sample needs a time axis of size 1.")

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        sequences_shape = tuple(sequences_shape)
        self._check_sequences_shape(sequences_shape)
        batch, steps = sequences_shape[0], sequences_shape[1]
        state = self.cell.compute_output_shape((batch, *sequences_shape[2:]))[0]
        output = (batch, steps, *state[1:]) if self.return_sequences else state
        if self.return_state:
            return [output, state, state]
        return output

    def _loop(self, sequences, initial_state, mask, training):
        """`(last_output, outputs, [h, c])`: the recurrence over time in one scan, after the
        input convolution of all steps."""
        cell = self.cell
        h0, c0 = initial_state
        input_mask, recurrent_mask = cell._dropout_masks(sequences[:, 0], h0, training)
        if input_mask is not None:
            input_mask = [ops.expand_dims(m, 1) for m in input_mask]
        xs = ops.swapaxes(cell._project_inputs(sequences, input_mask), 0, 1)  # time first
        if mask is not None:
            # (time, batch, 1, ..., 1): broadcasts against a step's (batch, *spatial, filters).
            mask = ops.swapaxes(mask, 0, 1)
            mask = ops.reshape(mask, (*mask.shape, *(1,) * (len(h0.shape) - 1)))
            xs = (xs, mask)

        def body(carry, inputs):
            h, c, _ = carry
            x_t, m_t = inputs if mask is not None else (inputs, None)
            output, (new_h, new_c) = cell._recurrent_step(x_t, [h, c], recurrent_mask)
            if m_t is not None:
                # A masked step keeps the state and repeats the last output (or outputs zeros).
                new_h, new_c = ops.where(m_t, new_h, h), ops.where(m_t, new_c, c)
                output = ops.where(m_t, output, ops.zeros_like(output)
                                   if self.zero_output_for_mask else h)
            return (new_h, new_c, output), (output if self.return_sequences else None)

        carry = (h0, c0, ops.zeros_like(h0))
        if self.unroll:
            collected, steps = [], range(sequences.shape[1])
            for t in (reversed(steps) if self.go_backwards else steps):
                carry, y = body(carry, tuple(a[t] for a in xs) if mask is not None else xs[t])
                collected.append(y)
            outputs = ops.stack(collected, axis=0) if self.return_sequences else None
        else:
            carry, outputs = ops.scan(body, carry, xs, reverse=self.go_backwards)
            if self.return_sequences and self.go_backwards:
                outputs = ops.flip(outputs, axis=0)  # processing order, as Keras returns it
        h, c, last_output = carry
        if outputs is not None:
            outputs = ops.swapaxes(outputs, 0, 1)
        return last_output, outputs, [h, c]

    def get_config(self):
        config = super().get_config()
        del config["rank"]  # fixed by the class (ConvLSTM1D/2D/3D), as in Keras
        return config


class ConvLSTM1D(ConvLSTM):
    """1-D convolutional LSTM: input `(batch, time, steps, channels)`.

    Args:
        filters, kernel_size, ..., stateful: As `ConvLSTM` with `rank=1`.

    >>> layer = lamina.layers.ConvLSTM1D(4, 3, padding="same")
    >>> tuple(layer(lamina.ops.ones((2, 5, 8, 3))).shape)
    (2, 8, 4)
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(1, filters, kernel_size, *args, **kwargs)


class ConvLSTM2D(ConvLSTM):
    """2-D convolutional LSTM: input `(batch, time, rows, cols, channels)`.

    Args:
        filters, kernel_size, ..., stateful: As `ConvLSTM` with `rank=2`.

    >>> layer = lamina.layers.ConvLSTM2D(4, 3, return_sequences=True)
    >>> tuple(layer(lamina.ops.ones((2, 5, 6, 6, 3))).shape)
    (2, 5, 4, 4, 4)
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(2, filters, kernel_size, *args, **kwargs)


class ConvLSTM3D(ConvLSTM):
    """3-D convolutional LSTM: input `(batch, time, dim1, dim2, dim3, channels)`.

    Args:
        filters, kernel_size, ..., stateful: As `ConvLSTM` with `rank=3`.

    >>> layer = lamina.layers.ConvLSTM3D(2, 3, padding="same")
    >>> tuple(layer(lamina.ops.ones((1, 2, 4, 4, 4, 1))).shape)
    (1, 4, 4, 4, 2)
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        super().__init__(3, filters, kernel_size, *args, **kwargs)
