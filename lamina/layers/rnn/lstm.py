"""Long short-term memory: LSTMCell (one step) and LSTM (the cell over a sequence)."""

from lamina import activations, ops
from lamina.layers.rnn.rnn import (
    CELL_PROPERTIES,
    CellLayer,
    RecurrentCell,
    check_cell_args,
    forward_to_cell,
)


class LSTMCell(RecurrentCell):
    """One LSTM step; gates in Keras's order input, forget, candidate, output.

    `z = x @ kernel + h @ recurrent_kernel + bias` split into `i, f, g, o`;
    `c' = σ(f) * c + σ(i) * tanh(g)`, `h' = σ(o) * tanh(c')` (σ is `recurrent_activation`,
    tanh is `activation`).

    Args:
        units: Positive int, size of the output and of both states `[h, c]`.
        activation: Activation of the candidate and of the cell state. Defaults to `"tanh"`.
        recurrent_activation: Activation of the gates. Defaults to `"sigmoid"`.
        use_bias: Whether the gates have a bias.
        kernel_initializer / recurrent_initializer / bias_initializer: Initializers of
            `kernel` `(input_dim, 4 * units)`, `recurrent_kernel` `(units, 4 * units)` and
            `bias` `(4 * units,)`.
        unit_forget_bias: Start the forget gate's bias at 1 (the rest uses `bias_initializer`).
        kernel_regularizer / recurrent_regularizer / bias_regularizer: Weight regularizers.
        kernel_constraint / recurrent_constraint / bias_constraint: Weight constraints.
        dropout: Fraction of the input features to drop (one mask per sequence, in training).
        recurrent_dropout: Fraction of the state `h` to drop before the recurrent matmul.
        seed: Int seed of the dropout masks.

    Call: `cell(inputs, [h, c], training=False)` returns `(h', [h', c'])`.

    >>> cell = lamina.layers.LSTMCell(4)
    >>> h, (h2, c2) = cell(lamina.ops.ones((2, 3)), [lamina.ops.zeros((2, 4))] * 2)
    >>> tuple(h.shape), tuple(c2.shape)
    ((2, 4), (2, 4))
    """

    gate_count = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        kwargs.pop("implementation", None)  # a Keras 2 speed switch; the numerics are the same
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def build(self, input_shape):
        self._add_kernels(input_shape)
        if not self.use_bias:
            return
        initializer = None
        if self.unit_forget_bias:
            units, base = self.units, self.bias_initializer

            def initializer(shape, dtype=None):
                return ops.concatenate([base((units,), dtype=dtype), ops.ones((units,), dtype=dtype),
                                        base((2 * units,), dtype=dtype)])
        self._add_bias((4 * self.units,), initializer)

    def _recurrent_step(self, projected, states, recurrent_mask):
        h, c = states[0], states[1]
        z = ops.add(projected, self._recurrent_matmul(h, recurrent_mask))
        i, f, g, o = ops.split(z, 4, axis=-1)
        gate = self.recurrent_activation
        c = ops.add(ops.multiply(gate(f), c), ops.multiply(gate(i), self.activation(g)))
        h = ops.multiply(gate(o), self.activation(c))
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


@forward_to_cell(*CELL_PROPERTIES, "recurrent_activation", "unit_forget_bias")
class LSTM(CellLayer):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997): an `LSTMCell` over time.

    Args:
        units: Positive int, size of the output and of the states `[h, c]`.
        activation / recurrent_activation / use_bias / *_initializer / unit_forget_bias /
            *_regularizer / *_constraint / dropout / recurrent_dropout / seed: As `LSTMCell`.
        activity_regularizer: Regularizer of the layer's outputs.
        return_sequences / return_state / go_backwards / stateful / unroll: As `RNN`.
        use_cudnn: `"auto"`, True or False; accepted for Keras compatibility (no cuDNN kernel
            here, the scan is compiled by XLA).

    Input shape: `(batch, timesteps, features)`. Output shape: `(batch, units)`, or
    `(batch, timesteps, units)` with `return_sequences`; with `return_state` a list
    `[output, h, c]`.

    >>> tuple(lamina.layers.LSTM(4)(lamina.ops.ones((2, 5, 3))).shape)
    (2, 4)
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        check_cell_args("LSTM", units, dropout, recurrent_dropout)
        if use_cudnn not in ("auto", True, False):
            raise ValueError("LSTM: `use_cudnn` must be 'auto', True or False. Received: "
                             f"use_cudnn={use_cudnn!r}")
        kwargs.pop("implementation", None)
        cell = LSTMCell(units, activation=activation, recurrent_activation=recurrent_activation,
                        use_bias=use_bias, kernel_initializer=kernel_initializer,
                        recurrent_initializer=recurrent_initializer,
                        bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                        kernel_regularizer=kernel_regularizer,
                        recurrent_regularizer=recurrent_regularizer,
                        bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                        recurrent_constraint=recurrent_constraint,
                        bias_constraint=bias_constraint, dropout=dropout,
                        recurrent_dropout=recurrent_dropout, seed=seed,
                        dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                        name="lstm_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn
