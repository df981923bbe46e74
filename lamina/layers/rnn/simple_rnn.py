"""The fully connected recurrent layer: SimpleRNNCell (one step) and SimpleRNN."""

from lamina import ops
from lamina.layers.rnn.rnn import (
    CELL_PROPERTIES,
    CellLayer,
    RecurrentCell,
    check_cell_args,
    forward_to_cell,
)


class SimpleRNNCell(RecurrentCell):
    """One step of `h' = activation(x @ kernel + bias + h @ recurrent_kernel)`.

    Args:
        units: Positive int, size of the output and of the state.
        activation: Activation name or callable. Defaults to `"tanh"`; None means linear.
        use_bias: Whether to add `bias` `(units,)`.
        kernel_initializer / recurrent_initializer / bias_initializer: Initializers of
            `kernel` `(input_dim, units)`, `recurrent_kernel` `(units, units)` and `bias`.
        kernel_regularizer / recurrent_regularizer / bias_regularizer: Weight regularizers.
        kernel_constraint / recurrent_constraint / bias_constraint: Weight constraints.
        dropout / recurrent_dropout: Fractions of the inputs / of the state to drop in training.
        seed: Int seed of the dropout masks.

    Call: `cell(inputs, states, training=False)` returns `(h', new_states)`.

    >>> cell = lamina.layers.SimpleRNNCell(4)
    >>> h, _ = cell(lamina.ops.ones((2, 3)), [lamina.ops.zeros((2, 4))])
    >>> tuple(h.shape)
    (2, 4)
    """

    @property
    def state_size(self):
        return self.units

    def _recurrent_step(self, projected, states, recurrent_mask):
        h = self.activation(ops.add(projected, self._recurrent_matmul(states[0], recurrent_mask)))
        return h, [h]


@forward_to_cell(*CELL_PROPERTIES)
class SimpleRNN(CellLayer):
    """Fully connected recurrent layer: a `SimpleRNNCell` over time.

    Args:
        units: Positive int, size of the output and of the state.
        activation / use_bias / *_initializer / *_regularizer / *_constraint / dropout /
            recurrent_dropout / seed: As `SimpleRNNCell`.
        activity_regularizer: Regularizer of the layer's outputs.
        return_sequences / return_state / go_backwards / stateful / unroll: As `RNN`.

    Input shape: `(batch, timesteps, features)`. Output shape: `(batch, units)`, or
    `(batch, timesteps, units)` with `return_sequences`; with `return_state` `[output, h]`.

    >>> tuple(lamina.layers.SimpleRNN(4)(lamina.ops.ones((2, 5, 3))).shape)
    (2, 4)
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        check_cell_args("SimpleRNN", units, dropout, recurrent_dropout)
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias,
                             kernel_initializer=kernel_initializer,
                             recurrent_initializer=recurrent_initializer,
                             bias_initializer=bias_initializer,
                             kernel_regularizer=kernel_regularizer,
                             recurrent_regularizer=recurrent_regularizer,
                             bias_regularizer=bias_regularizer,
                             kernel_constraint=kernel_constraint,
                             recurrent_constraint=recurrent_constraint,
                             bias_constraint=bias_constraint, dropout=dropout,
                             recurrent_dropout=recurrent_dropout, seed=seed,
                             dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                             name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
