"""Bidirectional: run a recurrent layer forwards and a copy of it backwards, merge the two."""

from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.rnn.wrapper import check_layer_argument, prefix_weight_paths
from lamina.ops.symbolic import KerasTensor
from lamina.saving import serialization

MERGE_MODES = ("concat", "sum", "mul", "ave", None)
_SHARED = ("stateful", "return_sequences", "return_state")


def _copy(layer, **changes):
    """A fresh layer (new weights) from `layer`'s config with `changes` applied."""
    return type(layer).from_config({**layer.get_config(), **changes})


class Bidirectional(Layer):
    """Runs a recurrent layer over the sequence in both directions and merges the outputs.

    The forward layer is a fresh copy of `layer` named `forward_<name>`; the backward layer is
    another copy with `go_backwards` flipped, named `backward_<name>`, or `backward_layer` when
    given. Neither reuses `layer`'s weights. With `return_sequences`, the backward outputs are
    put back in input order before merging, so step `t` of the output sees the whole sequence.

    Args:
        layer: A recurrent layer (`LSTM`, `GRU`, `SimpleRNN`, `RNN`, `ConvLSTM2D`, ...), or any
            layer with `go_backwards`, `return_sequences`, `return_state` and a config.
        merge_mode: How the two outputs combine: "concat" (along the last axis), "sum", "mul",
            "ave", or None (return both, as a list).
        weights: Optional list of initial weights, the forward layer's then the backward
            layer's, set when the layer is built.
        backward_layer: Optional layer for the backward direction. It must have the opposite
            `go_backwards` and the same `stateful`, `return_sequences` and `return_state`.

    Call arguments: `sequences`; `initial_state` (a list: the first half goes to the forward
    layer, the second half to the backward layer); `mask` (passed to both); `training`.

    Returns: The merged output; with `return_state`, `[output, *forward_states,
    *backward_states]` (with `merge_mode=None`, `[forward_output, backward_output, ...]`).

    >>> from lamina.layers.rnn.lstm import LSTM
    >>> layer = Bidirectional(LSTM(4, return_sequences=True))
    >>> tuple(layer(lamina.ops.ones((2, 5, 3))).shape)
    (2, 5, 8)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        check_layer_argument("Bidirectional", "layer", layer)
        if backward_layer is not None:
            check_layer_argument("Bidirectional", "backward_layer", backward_layer)
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Bidirectional: `merge_mode` must be one of {list(MERGE_MODES)}. "
                             f"Received: merge_mode={merge_mode!r}")
        for candidate, arg in ((layer, "layer"), (backward_layer, "backward_layer")):
            missing = [a for a in ("go_backwards", *_SHARED)
                       if candidate is not None and not hasattr(candidate, a)]
            if missing:
                raise ValueError(
                    f"Bidirectional: `{arg}` must be a recurrent layer with the attributes "
                    f"go_backwards, stateful, return_sequences and return_state; "
                    f"{type(candidate).__name__} '{candidate.name}' lacks {missing}. Wrap an "
                    "RNN, LSTM, GRU or SimpleRNN layer.")
        super().__init__(**kwargs)
        # Fresh copies, so that no state (or weights) is shared with `layer`.
        self.forward_layer = _copy(layer, name=f"forward_{layer.name.removeprefix('forward_')}")
        if backward_layer is None:
            backward_layer = _copy(layer, name=f"backward_{layer.name.removeprefix('backward_')}",
                                   go_backwards=not layer.go_backwards)
        self.backward_layer = backward_layer
        self._check_directions()
        for direction in (self.forward_layer, self.backward_layer):
            if getattr(direction, "zero_output_for_mask", None) is not None:
                # Masked steps give zeros in both directions, so the merged steps line up.
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = list(weights) if weights else None
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _check_directions(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Bidirectional: the forward and backward layers must have different "
                f"`go_backwards`. Received: layer.go_backwards={forward.go_backwards}, "
                f"backward_layer.go_backwards={backward.go_backwards}. Create the backward "
                f"layer with go_backwards={not forward.go_backwards}.")
        for attr in _SHARED:
            if getattr(forward, attr) != getattr(backward, attr):
                raise ValueError(
                    f"Bidirectional: the forward and backward layers must have the same "
                    f"`{attr}`. Received: layer.{attr}={getattr(forward, attr)}, "
                    f"backward_layer.{attr}={getattr(backward, attr)}.")

    # -- shapes -------------------------------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None):
        for direction in (self.forward_layer, self.backward_layer):
            if not direction.built:
                direction.build(sequences_shape)
                prefix_weight_paths(self, direction)
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            half = len(weights) // 2
            self.forward_layer.set_weights(weights[:half])
            self.backward_layer.set_weights(weights[half:])

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shapes = self.forward_layer.compute_output_shape(tuple(sequences_shape))
        states = []
        if self.return_state:
            shapes = list(shapes)
            shapes, states = tuple(shapes[0]), [tuple(s) for s in shapes[1:]]
        output = tuple(shapes)
        if self.merge_mode == "concat":
            last = output[-1]
            output = (*output[:-1], None if last is None else 2 * last)
        outputs = [output, output] if self.merge_mode is None else [output]
        if self.return_state:
            return [*outputs, *states, *states]
        return outputs if self.merge_mode is None else output

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=None):
        shapes = self.compute_output_shape(tuple(sequences.shape))
        if isinstance(shapes, list):
            return [KerasTensor(s, self.compute_dtype) for s in shapes]
        return KerasTensor(shapes, self.compute_dtype)

    def compute_mask(self, inputs, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            masks += [None] * 2 * self._state_count()
        return masks if len(masks) > 1 else masks[0]

    def _state_count(self):
        sizes = getattr(self.forward_layer, "state_size", None)
        if sizes is None:
            return 0
        return len(sizes) if isinstance(sizes, (list, tuple)) else 1

    # -- call ---------------------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {}
        if self.forward_layer._call_accepts("training"):
            kwargs["training"] = training
        if self.forward_layer._call_accepts("mask"):
            kwargs["mask"] = mask
        forward_kwargs, backward_kwargs = dict(kwargs), dict(kwargs)
        if initial_state is not None:
            initial_state = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            if len(initial_state) % 2:
                raise ValueError(
                    f"Bidirectional '{self.name}': `initial_state` must hold the forward "
                    "layer's states then the backward layer's, an even number of tensors. "
                    f"Received {len(initial_state)}.")
            half = len(initial_state) // 2
            forward_kwargs["initial_state"] = initial_state[:half]
            backward_kwargs["initial_state"] = initial_state[half:]
        y = self.forward_layer(sequences, **forward_kwargs)
        y_rev = self.backward_layer(sequences, **backward_kwargs)
        states = []
        if self.return_state:
            states = [*y[1:], *y_rev[1:]]
            y, y_rev = y[0], y_rev[0]
        y, y_rev = ops.cast(y, self.compute_dtype), ops.cast(y_rev, self.compute_dtype)
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)  # back to input order: step t lines up with y[t]
        outputs = [self._merge(y, y_rev)] if self.merge_mode is not None else [y, y_rev]
        if self.return_state:
            return [*outputs, *states]
        return outputs[0] if self.merge_mode is not None else outputs

    def _merge(self, y, y_rev):
        if self.merge_mode == "concat":
            return ops.concatenate([y, y_rev], axis=-1)
        if self.merge_mode == "sum":
            return ops.add(y, y_rev)
        if self.merge_mode == "ave":
            return ops.divide(ops.add(y, y_rev), 2)
        return ops.multiply(y, y_rev)  # "mul"

    # -- state --------------------------------------------------------------------------------------
    @property
    def states(self):
        forward, backward = self.forward_layer.states, self.backward_layer.states
        if forward and backward:
            return [*forward, *backward]
        return None

    def reset_state(self):
        """Zero the states of both directions (the layer must be stateful)."""
        if not self.stateful:
            raise AttributeError(f"Bidirectional '{self.name}' is not stateful, so it has no "
                                 "states to reset. Create its layer with stateful=True.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self):
        """Alias of `reset_state`."""
        self.reset_state()

    # -- config -------------------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialization.serialize_keras_object(self.forward_layer),
                "backward_layer": serialization.serialize_keras_object(self.backward_layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from lamina.layers import deserialize  # the layer table imports this module
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = deserialize(backward, custom_objects=custom_objects)
        return cls(layer, backward_layer=backward, **config)
