"""Gated recurrent unit: GRUCell (one step) and GRU (the cell over a sequence)."""

from lamina import activations, ops
from lamina.layers.rnn.rnn import (
    CELL_PROPERTIES,
    CellLayer,
    RecurrentCell,
    check_cell_args,
    forward_to_cell,
)


class GRUCell(RecurrentCell):
    """One GRU step; gates in Keras's order update `z`, reset `r`, candidate `h`.

    With `reset_after=True` (the default, cuDNN's form) the reset gate multiplies the recurrent
    projection: `hh = tanh(x_h + r * (h @ U_h + b_rh))`; with `reset_after=False` it multiplies
    the state first: `hh = tanh(x_h + (r * h) @ U_h)`. Then `h' = z * h + (1 - z) * hh`.

    Args:
        units: Positive int, size of the output and of the state.
        activation: Activation of the candidate. Defaults to `"tanh"`.
        recurrent_activation: Activation of the gates. Defaults to `"sigmoid"`.
        use_bias: Whether to use biases: `bias` has shape `(2, 3 * units)` (input and recurrent
            biases) with `reset_after`, else `(3 * units,)`.
        kernel_initializer / recurrent_initializer / bias_initializer: Initializers of
            `kernel` `(input_dim, 3 * units)`, `recurrent_kernel` `(units, 3 * units)`, `bias`.
        kernel_regularizer / recurrent_regularizer / bias_regularizer: Weight regularizers.
        kernel_constraint / recurrent_constraint / bias_constraint: Weight constraints.
        dropout / recurrent_dropout: Fractions of the inputs / of the state to drop in training.
        reset_after: Apply the reset gate after the recurrent matmul (see above).
        seed: Int seed of the dropout masks.

    Call: `cell(inputs, states, training=False)` returns `(h', new_states)`.

    >>> cell = lamina.layers.GRUCell(4)
    >>> h, _ = cell(lamina.ops.ones((2, 3)), [lamina.ops.zeros((2, 4))])
    >>> tuple(h.shape)
    (2, 4)
    """

    gate_count = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
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
        self.reset_after = bool(reset_after)

    @property
    def state_size(self):
        return self.units

    def build(self, input_shape):
        self._add_kernels(input_shape)
        if self.use_bias:
            width = 3 * self.units
            self._add_bias((2, width) if self.reset_after else (width,))

    def _input_bias(self):
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    def _recurrent_step(self, projected, states, recurrent_mask):
        h = states[0]
        units, gate = self.units, self.recurrent_activation
        x_z, x_r, x_h = ops.split(projected, 3, axis=-1)
        masks = recurrent_mask if isinstance(recurrent_mask, (list, tuple)) \
            else [recurrent_mask] * 3
        if self.reset_after:
            inner = self._recurrent_matmul(h, recurrent_mask)
            if self.bias is not None:
                inner = ops.add(inner, self.bias[1])
            r_z, r_r, r_h = ops.split(inner, 3, axis=-1)
        else:
            gates_mask = None if recurrent_mask is None else masks[:2]
            inner = self._recurrent_matmul(h, gates_mask, self.recurrent_kernel[:, :2 * units])
            r_z, r_r = ops.split(inner, 2, axis=-1)
        z = gate(ops.add(x_z, r_z))
        r = gate(ops.add(x_r, r_r))
        if self.reset_after:
            recurrent_h = ops.multiply(r, r_h)
        else:
            h_in = h if masks[2] is None else ops.multiply(h, masks[2])
            recurrent_h = ops.matmul(ops.multiply(r, h_in), self.recurrent_kernel[:, 2 * units:])
        candidate = self.activation(ops.add(x_h, recurrent_h))
        h = ops.add(ops.multiply(z, h), ops.multiply(ops.subtract(1.0, z), candidate))
        return h, [h]

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


@forward_to_cell(*CELL_PROPERTIES, "recurrent_activation", "reset_after")
class GRU(CellLayer):
    """Gated recurrent unit layer (Cho et al., 2014): a `GRUCell` over time.

    Args:
        units: Positive int, size of the output and of the state.
        activation / recurrent_activation / use_bias / *_initializer / *_regularizer /
            *_constraint / dropout / recurrent_dropout / reset_after / seed: As `GRUCell`.
        activity_regularizer: Regularizer of the layer's outputs.
        return_sequences / return_state / go_backwards / stateful / unroll: As `RNN`.
        use_cudnn: `"auto"`, True or False; accepted for Keras compatibility.

    Input shape: `(batch, timesteps, features)`. Output shape: `(batch, units)`, or
    `(batch, timesteps, units)` with `return_sequences`; with `return_state` `[output, h]`.

    >>> tuple(lamina.layers.GRU(4, return_sequences=True)(lamina.ops.ones((2, 5, 3))).shape)
    (2, 5, 4)
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        check_cell_args("GRU", units, dropout, recurrent_dropout)
        if use_cudnn not in ("auto", True, False):
            raise ValueError("GRU: `use_cudnn` must be 'auto', True or False. Received: "
                             f"use_cudnn={use_cudnn!r}")
        kwargs.pop("implementation", None)
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation,
                       use_bias=use_bias, kernel_initializer=kernel_initializer,
                       recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                       recurrent_regularizer=recurrent_regularizer,
                       bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                       recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                       dropout=dropout, recurrent_dropout=recurrent_dropout,
                       reset_after=reset_after, seed=seed, dtype=kwargs.get("dtype"),
                       trainable=kwargs.get("trainable", True), name="gru_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn
