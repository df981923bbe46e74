"""The recurrent base: `RNN` runs a cell over time in one scan; `StackedRNNCells`; dropout masks.

A cell is a layer (or any object) with `state_size` (an int, or a list of ints, one per state
tensor), an optional `output_size`, and `call(inputs, states, training=False) -> (output,
new_states)` for one time step, where `states` is a list. `RNN` loops it over the time axis of
a `(batch, timesteps, features)` input with `lamina.ops.scan` (a Python loop with `unroll=True`).

Built-in cells may also offer the fused pair `_project_inputs(inputs, dropout_mask)` (the input
matmul, applied to every time step at once before the loop, to the inputs already time first:
`(timesteps, batch, features)`, with a `(1, batch, features)` mask) and `_recurrent_step(projected,
states, recurrent_dropout_mask)` (the rest of one step); `RNN` then keeps only the recurrent
matmul inside the loop.
"""

from lamina import activations, backend, constraints, initializers, ops, random, regularizers
from lamina.layers.layer import Layer
from lamina.ops.symbolic import KerasTensor
from lamina.random.seed_generator import SeedGenerator
from lamina.saving import serialization
from lamina.utils import tree


class DropoutRNNCell:
    """Mixin for cells with `dropout`, `recurrent_dropout` and a `seed_generator`.

    Masks are drawn once per sequence and reused at every step (the same units are dropped all
    along the sequence). `RNN` draws them before its loop and clears them after, so the loop body
    stays free of random draws. A cell that drops differently per gate sets
    `dropout_mask_count` to the gate count and receives a list of masks.
    """

    dropout_mask_count = None

    def _create_dropout_mask(self, step_input, rate):
        ones = ops.ones_like(step_input)
        if self.dropout_mask_count is None:
            return random.dropout(ones, rate, seed=self.seed_generator)
        return [random.dropout(ones, rate, seed=self.seed_generator)
                for _ in range(self.dropout_mask_count)]

    def get_dropout_mask(self, step_input):
        """The input dropout mask for this sequence (drawn on first use), or None."""
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        """The dropout mask of the previous state for this sequence, or None."""
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_input,
                                                                     self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None

    def _dropout_masks(self, inputs, state, training):
        """`(input_mask, recurrent_mask)` for a call in `training` mode, None where unused."""
        if not training:
            return None, None
        return self.get_dropout_mask(inputs), self.get_recurrent_dropout_mask(state)


def check_cell_args(owner, units, dropout, recurrent_dropout):
    """Validate the arguments every built-in cell shares; a ValueError names `owner`."""
    if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
        raise ValueError(f"{owner}: `units` must be a positive int. Received: units={units!r}")
    for arg, value in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise ValueError(f"{owner}: `{arg}` must be a float in [0, 1), the fraction of units "
                             f"to drop. Received: {arg}={value!r}")
    return float(dropout), float(recurrent_dropout)


def _state_sizes(cell):
    size = cell.state_size
    return [size] if isinstance(size, int) else list(size)


def _output_size(cell):
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    first = tree.flatten(_state_sizes(cell))[0]
    return first


def _check_cell(owner, cell):
    if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
        raise ValueError(f"{owner}: a cell must have a `call(inputs, states)` method and a "
                         f"`state_size` attribute. Received: cell={cell!r}. Use a built-in cell "
                         "(LSTMCell, GRUCell, SimpleRNNCell) or define both on your own.")
    sizes = tree.flatten(cell.state_size)
    if not sizes or any(isinstance(s, bool) or not isinstance(s, int) or s <= 0 for s in sizes):
        raise ValueError(f"{owner}: the cell's `state_size` must be a positive int or a list of "
                         f"positive ints. Received: state_size={cell.state_size!r}")


def _call_cell(cell, inputs, states, training):
    if isinstance(cell, Layer):
        return cell(inputs, states, training=training)
    try:
        return cell.call(inputs, states, training=training)
    except TypeError:  # a plain object whose call takes no `training`
        return cell.call(inputs, states)


def _initial_state_of(cell, batch_size, dtype):
    """A cell's zero state: its `get_initial_state` if it has one, as a list."""
    make = getattr(cell, "get_initial_state", None)
    if make is not None:
        state = make(batch_size=batch_size)
        return list(state) if tree.is_nested(state) else [state]
    return [ops.zeros((batch_size, size), dtype=dtype) for size in _state_sizes(cell)]


def _prepare_dropout_masks(cell, step_input, states, training):
    """Draw each cell's dropout masks now, so the loop body draws none."""
    if isinstance(cell, DropoutRNNCell):
        if training:
            cell.get_dropout_mask(step_input)
            cell.get_recurrent_dropout_mask(tree.flatten(states)[0])
    elif isinstance(cell, StackedRNNCells):
        batch = step_input.shape[0]
        for inner, inner_states in zip(cell.cells, states):
            _prepare_dropout_masks(inner, step_input, inner_states, training)
            step_input = ops.zeros((batch, _output_size(inner)), dtype=step_input.dtype)


def _reset_dropout_masks(cell):
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    elif isinstance(cell, StackedRNNCells):
        for inner in cell.cells:
            _reset_dropout_masks(inner)


def _is_fused(cell):
    return hasattr(cell, "_project_inputs") and hasattr(cell, "_recurrent_step")


def _cell_table():
    """Names a saved `cell` config may use: lamina's layers plus the recurrent cells."""
    from lamina.layers.rnn.gru import GRUCell
    from lamina.layers.rnn.lstm import LSTMCell
    from lamina.layers.rnn.simple_rnn import SimpleRNNCell
    return {**serialization.builtins("layers"), "GRUCell": GRUCell, "LSTMCell": LSTMCell,
            "SimpleRNNCell": SimpleRNNCell, "StackedRNNCells": StackedRNNCells}


def deserialize_cell(config, custom_objects=None):
    """A cell from its serialized config (built-in cells need no `custom_objects`)."""
    return serialization.deserialize_keras_object(config, custom_objects=custom_objects,
                                                  module_objects=_cell_table(), family="cell")


class StackedRNNCells(Layer):
    """Several cells acting as one: each step feeds the output of one cell to the next.

    Args:
        cells: List of cells. The state of the stack is the list of the cells' states.

    >>> stack = lamina.layers.StackedRNNCells(
    ...     [lamina.layers.LSTMCell(4), lamina.layers.GRUCell(3)])
    >>> tuple(lamina.layers.RNN(stack)(lamina.ops.ones((2, 5, 6))).shape)
    (2, 3)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError("StackedRNNCells: `cells` must be a non-empty list of cells. "
                             f"Received: cells={cells!r}")
        for cell in cells:
            _check_cell("StackedRNNCells", cell)
        self.cells = list(cells)

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            state = _initial_state_of(cell, batch_size, self.compute_dtype)
            # A cell with an int state_size holds one tensor, not a list, as its shape says.
            states.append(state[0] if isinstance(cell.state_size, int) else state)
        return states

    def build(self, input_shape):
        batch = input_shape[0]
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                for weight in cell.weights:
                    weight.path = f"{self.name}/{weight.path}"
            input_shape = (batch, _output_size(cell))

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = tree.is_nested(cell_states)
            cell_states = list(cell_states) if was_list else [cell_states]
            inputs, cell_states = _call_cell(cell, inputs, cell_states, training)
            cell_states = list(cell_states) if tree.is_nested(cell_states) else [cell_states]
            new_states.append(cell_states if was_list or len(cell_states) > 1
                              else cell_states[0])
        return inputs, new_states

    def get_config(self):
        return {**super().get_config(),
                "cells": [serialization.serialize_keras_object(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_cell(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


class RNN(Layer):
    """Runs a recurrent cell over the time axis of its input.

    Args:
        cell: A cell (see the module docstring), or a list of cells, stacked.
        return_sequences: Return the output of every step, `(batch, timesteps, units)`, instead
            of the last one, `(batch, units)`.
        return_state: Also return the final states: the layer returns `[output, *states]`.
        go_backwards: Process the sequence from its end; returned sequences are then in the
            reversed (processing) order.
        stateful: Start each call from the final states of the previous call (one per sample of
            a fixed batch size); `reset_states()` zeroes them.
        unroll: Run a Python loop over time instead of a scan (short sequences only).
        zero_output_for_mask: At masked steps output zeros instead of the previous output.

    Call arguments: `sequences` `(batch, timesteps, features)`; `initial_state` (a tensor or a
    list, one per state); `mask` `(batch, timesteps)` booleans, False at steps to skip (the
    state is carried over unchanged); `training` (enables the cell's dropout).

    >>> layer = lamina.layers.RNN(lamina.layers.LSTMCell(4), return_sequences=True)
    >>> tuple(layer(lamina.ops.ones((2, 5, 3))).shape)
    (2, 5, 4)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        super().__init__(**kwargs)
        _check_cell(f"{type(self).__name__} '{self.name}'", cell)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states = None

    @property
    def state_size(self):
        return _state_sizes(self.cell)

    def _describe(self):
        return f"{type(self).__name__} '{self.name}'"

    def _check_sequences_shape(self, shape):
        if len(shape) != 3:
            raise ValueError(
                f"{self._describe()} expects a 3D input (batch, timesteps, features), received "
                f"shape {tuple(shape)}. For one vector per sample, add a time axis with "
                "Reshape((1, features)) or repeat it with RepeatVector(timesteps).")

    # -- shapes ------------------------------------------------------------------------------------
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        self._check_sequences_shape(sequences_shape)
        batch, steps = sequences_shape[0], sequences_shape[1]
        units = _output_size(self.cell)
        output = (batch, steps, units) if self.return_sequences else (batch, units)
        if not self.return_state:
            return output
        states = tree.map_structure(lambda size: (batch, size), self.state_size)
        return [output, *states]

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=False):
        shapes = self.compute_output_shape(tuple(sequences.shape))
        self._check_unroll(sequences.shape)
        dtype = self.compute_dtype
        if not self.return_state:
            return KerasTensor(shapes, dtype)

        def to_tensor(shape):
            if shape and isinstance(shape[0], (list, tuple)):
                return [to_tensor(s) for s in shape]
            return KerasTensor(shape, dtype)

        return [KerasTensor(shapes[0], dtype)] + [to_tensor(s) for s in shapes[1:]]

    def compute_mask(self, inputs, mask):
        mask = tree.flatten(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(tree.flatten(self.state_size))
        return output_mask

    # -- state -------------------------------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None):
        self._check_sequences_shape(sequences_shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((sequences_shape[0], *sequences_shape[2:]))
            for weight in self.cell.weights:
                weight.path = f"{self.name}/{weight.path}"
        if self.stateful:
            batch = sequences_shape[0]
            if batch is None:
                raise ValueError(
                    f"{self._describe()} is stateful, so it needs a fixed batch size to hold one "
                    f"state per sample; received input shape {tuple(sequences_shape)} with an "
                    "unknown batch size. Pass `batch_size=` to `Input` (or `batch_input_shape=` "
                    "to the first layer).")
            self._create_state_variables(batch)

    def _create_state_variables(self, batch_size):
        def make(value):
            variable = backend.Variable(value, dtype=self.variable_dtype, trainable=False,
                                        name="rnn_state")
            variable.path = f"{self.name}/rnn_state"
            return variable

        self.states = tree.map_structure(make, self.get_initial_state(batch_size))

    def _seed_state_variables(self):
        # Stateful states are state like seeds: not weights (Keras saves none), but values a
        # compiled step must carry and update, so they join `non_trainable_variables` here.
        own = tree.flatten(self.states) if self.states is not None else []
        return super()._seed_state_variables() + own

    def get_initial_state(self, batch_size):
        """The zero state for `batch_size` samples: a list, one entry per state."""
        return _initial_state_of(self.cell, batch_size, self.compute_dtype)

    def reset_state(self):
        """Zero the states of a stateful layer (a no-op for a stateless one)."""
        if self.states is not None:
            for variable in tree.flatten(self.states):
                variable.assign(ops.zeros_like(variable.value))

    def reset_states(self):
        """Alias of `reset_state`."""
        self.reset_state()

    # -- call --------------------------------------------------------------------------------------
    def _check_unroll(self, shape):
        if self.unroll and shape[1] is None:
            raise ValueError(f"{self._describe()} has unroll=True, which needs a known number of "
                             "timesteps. Give the time axis a size in `Input(shape=...)`.")

    def call(self, sequences, initial_state=None, mask=None, training=False):
        self._check_sequences_shape(sequences.shape)
        self._check_unroll(sequences.shape)
        batch = sequences.shape[0]
        initial_state = self._initial_state(initial_state, batch)
        mask = self._standardize_mask(mask, sequences.shape)
        _prepare_dropout_masks(self.cell, sequences[:, 0], initial_state, training)
        try:
            last_output, outputs, states = self._loop(sequences, initial_state, mask, training)
        finally:
            _reset_dropout_masks(self.cell)
        if self.stateful:
            for variable, value in zip(tree.flatten(self.states), tree.flatten(states)):
                variable.assign(value)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output, *states]
        return output

    def _initial_state(self, initial_state, batch):
        template = self.states if self.stateful else None
        if initial_state is None:
            if self.stateful:
                if tree.flatten(self.states)[0].shape[0] != batch:
                    raise ValueError(
                        f"{self._describe()} is stateful with batch size "
                        f"{tree.flatten(self.states)[0].shape[0]}, received a batch of {batch}. "
                        "Feed batches of that size (in fit, drop the last partial batch).")
                return tree.map_structure(lambda v: v.value, self.states)
            return self.get_initial_state(batch)
        structure = template if template is not None else self.get_initial_state(batch)
        given = list(initial_state) if tree.is_nested(initial_state) else [initial_state]
        flat = tree.flatten(given)
        expected = tree.flatten(structure)
        if len(flat) != len(expected):
            raise ValueError(f"{self._describe()} expects {len(expected)} initial state "
                             f"tensor(s) (state_size={self.cell.state_size!r}), received "
                             f"{len(flat)}. Pass one tensor per state, e.g. [h, c] for an LSTM.")
        values = []
        for value, like in zip(flat, expected):
            value = ops.cast(ops.convert_to_tensor(value), self.compute_dtype)
            if tuple(value.shape) != tuple(like.shape):
                raise ValueError(f"{self._describe()} expects initial states of shapes "
                                 f"{[tuple(e.shape) for e in expected]}, received "
                                 f"{[tuple(getattr(v, 'shape', ())) for v in flat]}.")
            values.append(value)
        return tree.pack_sequence_as(structure, values)

    def _standardize_mask(self, mask, shape):
        if mask is None:
            return None
        mask = tree.flatten(mask)[0]
        if mask is None:
            return None
        mask = ops.convert_to_tensor(mask)
        if tuple(mask.shape) != tuple(shape[:2]):
            raise ValueError(f"{self._describe()} expects a mask of shape (batch, timesteps) = "
                             f"{tuple(shape[:2])} for inputs of shape {tuple(shape)}, received "
                             f"a mask of shape {tuple(mask.shape)}.")
        return ops.cast(mask, "bool")

    def _loop(self, sequences, initial_state, mask, training):
        """`(last_output, outputs, final_states)`: the cell over time, in one scan."""
        cell = self.cell
        if _is_fused(cell):
            input_mask, recurrent_mask = cell._dropout_masks(
                sequences[:, 0], tree.flatten(initial_state)[0], training)
            if input_mask is not None:  # one mask per sequence, the same at every step
                input_mask = tree.map_structure(lambda m: ops.expand_dims(m, 0), input_mask)
            # Time first before the projection: the scan runs over the leading axis, and the
            # inputs are narrower than the projected gates (an LSTM's are 4x its units), so
            # this transposes less, forward and backward.
            xs = cell._project_inputs(ops.swapaxes(sequences, 0, 1), input_mask)

            def step(x_t, states):
                return cell._recurrent_step(x_t, states, recurrent_mask)
        else:
            xs = ops.swapaxes(sequences, 0, 1)  # time first: the scan runs over the leading axis

            def step(x_t, states):
                output, new_states = _call_cell(cell, x_t, states, training)
                new_states = list(new_states) if tree.is_nested(new_states) else [new_states]
                return output, new_states

        time_mask = None if mask is None else ops.expand_dims(ops.swapaxes(mask, 0, 1), -1)
        flat_init = tree.flatten(initial_state)
        batch, units = sequences.shape[0], _output_size(cell)
        previous = flat_init[-len(tree.flatten(_state_sizes(cell)[-1]))] \
            if isinstance(cell, StackedRNNCells) else flat_init[0]
        if tuple(previous.shape) != (batch, units):
            previous = ops.zeros((batch, units), dtype=self.compute_dtype)

        def body(carry, inputs):
            flat_states, prev_output = carry
            x_t, m_t = inputs if time_mask is not None else (inputs, None)
            states = tree.pack_sequence_as(initial_state, flat_states)
            output, new_states = step(x_t, states)
            output = ops.cast(output, self.compute_dtype)
            new_flat = [ops.cast(s, self.compute_dtype) for s in tree.flatten(new_states)]
            if m_t is not None:
                # A masked step leaves the state as it was and repeats (or zeroes) the output.
                new_flat = [ops.where(m_t, new, old) for new, old in zip(new_flat, flat_states)]
                skipped = ops.zeros_like(output) if self.zero_output_for_mask else prev_output
                output = ops.where(m_t, output, skipped)
            return (new_flat, output), (output if self.return_sequences else None)

        xs_all = xs if time_mask is None else (xs, time_mask)
        carry = (flat_init, previous)
        if self.unroll:
            collected = []
            order = range(xs.shape[0])
            for t in (reversed(order) if self.go_backwards else order):
                carry, y = body(carry, tree.map_structure(lambda a, t=t: a[t], xs_all))
                collected.append(y)
            outputs = ops.stack(collected, axis=0) if self.return_sequences else None
        else:
            carry, outputs = ops.scan(body, carry, xs_all, reverse=self.go_backwards)
            if self.return_sequences and self.go_backwards:
                outputs = ops.flip(outputs, axis=0)  # processing order, as Keras returns it
        flat_states, last_output = carry
        if outputs is not None:
            outputs = ops.swapaxes(outputs, 0, 1)
        return last_output, outputs, tree.pack_sequence_as(initial_state, flat_states)

    # -- config ------------------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
                "cell": serialization.serialize_keras_object(self.cell)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = deserialize_cell(config.pop("cell"), custom_objects)
        return cls(cell, **config)


class RecurrentCell(DropoutRNNCell, Layer):
    """Shared base of the built-in cells: weights `kernel`, `recurrent_kernel`, `bias`.

    A subclass sets `gate_count` (the number of `units`-wide blocks in the kernels), creates its
    bias in `build` and writes `_recurrent_step`. The input matmul, the dropout masks and `call`
    are shared; `call` is one fused step applied to a single time step.
    """

    gate_count = 1

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.dropout, self.recurrent_dropout = check_cell_args(
            type(self).__name__, units, dropout, recurrent_dropout)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        if self.recurrent_dropout > 0 and self.gate_count > 1:
            # As Keras: with recurrent dropout each gate gets its own input and state masks.
            self.dropout_mask_count = self.gate_count
        self.bias = None

    @property
    def output_size(self):
        return self.units

    def _add_kernels(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"{type(self).__name__} '{self.name}' needs a known feature axis to "
                             f"create its kernel. Received input shape {tuple(input_shape)}.")
        width = self.gate_count * self.units
        self.kernel = self.add_weight(shape=(input_dim, width), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, width), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)

    def _add_bias(self, shape, initializer=None):
        self.bias = self.add_weight(shape=shape, name="bias",
                                    initializer=initializer or self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint)

    def build(self, input_shape):
        self._add_kernels(input_shape)
        if self.use_bias:
            self._add_bias((self.gate_count * self.units,))

    def _input_bias(self):
        return self.bias

    def _project_inputs(self, inputs, dropout_mask):
        """`inputs @ kernel + input bias` over the last axis (any leading axes, so a whole
        sequence at once); `dropout_mask` is None, one mask, or one per gate."""
        if isinstance(dropout_mask, (list, tuple)):
            kernels = ops.split(self.kernel, self.gate_count, axis=1)
            z = ops.concatenate([ops.matmul(ops.multiply(inputs, m), k)
                                 for m, k in zip(dropout_mask, kernels)], axis=-1)
        else:
            if dropout_mask is not None:
                inputs = ops.multiply(inputs, dropout_mask)
            z = ops.matmul(inputs, self.kernel)
        bias = self._input_bias()
        return z if bias is None else ops.add(z, bias)

    def _recurrent_matmul(self, h, mask, kernel=None):
        """`h @ recurrent_kernel` (or `kernel`), with the state's dropout mask(s) applied."""
        kernel = self.recurrent_kernel if kernel is None else kernel
        if isinstance(mask, (list, tuple)):
            kernels = ops.split(kernel, len(mask), axis=1)
            return ops.concatenate([ops.matmul(ops.multiply(h, m), k)
                                    for m, k in zip(mask, kernels)], axis=-1)
        if mask is not None:
            h = ops.multiply(h, mask)
        return ops.matmul(h, kernel)

    def _recurrent_step(self, projected, states, recurrent_mask):
        raise NotImplementedError(f"{type(self).__name__} must implement _recurrent_step().")

    def call(self, inputs, states, training=False):
        was_list = isinstance(states, (list, tuple))
        states = list(states) if was_list else [states]
        input_mask, recurrent_mask = self._dropout_masks(inputs, states[0], training)
        output, new_states = self._recurrent_step(self._project_inputs(inputs, input_mask),
                                                  states, recurrent_mask)
        return output, (new_states if was_list or len(new_states) > 1 else new_states[0])

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, size), dtype=self.compute_dtype)
                for size in _state_sizes(self)]

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}


def forward_to_cell(*names):
    """Class decorator: read-only properties returning the cell's attributes of these names
    (`LSTM(4).units` is its cell's `units`, as in Keras)."""
    def decorate(cls):
        for name in names:
            setattr(cls, name, property(lambda self, name=name: getattr(self.cell, name)))
        return cls
    return decorate


CELL_PROPERTIES = ("units", "activation", "use_bias", "kernel_initializer",
                   "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                   "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
                   "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
                   "seed")


class CellLayer(RNN):
    """An `RNN` around one built-in cell whose arguments are the layer's own (LSTM, GRU,
    SimpleRNN): the config lists the cell's arguments instead of a nested `cell`."""

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = {k: v for k, v in self.cell.get_config().items()
                       if k not in ("name", "trainable", "dtype")}
        return {**config, **cell_config,
                "activity_regularizer": regularizers.serialize(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop("implementation", None)  # a Keras 2 speed switch; the numerics are the same
        return cls(**config)
