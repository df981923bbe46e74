"""NumPy reference recurrences for the recurrent-layer tests (float64, written from the equations).

A step function maps `(x_t, [state, ...]) -> (output, [new_state, ...])` for one time step of a
batch. `run` applies it over time the way Keras defines the loop: masked steps keep the states
and repeat the previous output (zeros with `zero_output_for_mask`), and with `go_backwards`
the returned sequence is in processing order (last input first).
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_step(kernel, recurrent_kernel, bias):
    units = recurrent_kernel.shape[0]

    def step(x, states):
        h, c = states
        z = x @ kernel + h @ recurrent_kernel + (0.0 if bias is None else bias)
        i = sigmoid(z[:, :units])
        f = sigmoid(z[:, units:2 * units])
        g = np.tanh(z[:, 2 * units:3 * units])
        o = sigmoid(z[:, 3 * units:])
        c = f * c + i * g
        h = o * np.tanh(c)
        return h, [h, c]

    return step


def gru_step(kernel, recurrent_kernel, bias, reset_after=True):
    units = recurrent_kernel.shape[0]
    k_z, k_r, k_h = kernel[:, :units], kernel[:, units:2 * units], kernel[:, 2 * units:]
    u_z = recurrent_kernel[:, :units]
    u_r = recurrent_kernel[:, units:2 * units]
    u_h = recurrent_kernel[:, 2 * units:]
    if bias is None:
        b_in = b_rec = np.zeros(3 * units)
    elif reset_after:
        b_in, b_rec = bias[0], bias[1]
    else:
        b_in, b_rec = bias, np.zeros(3 * units)

    def step(x, states):
        (h,) = states
        z = sigmoid(x @ k_z + b_in[:units] + h @ u_z + b_rec[:units])
        r = sigmoid(x @ k_r + b_in[units:2 * units] + h @ u_r + b_rec[units:2 * units])
        if reset_after:
            hh = np.tanh(x @ k_h + b_in[2 * units:] + r * (h @ u_h + b_rec[2 * units:]))
        else:
            hh = np.tanh(x @ k_h + b_in[2 * units:] + (r * h) @ u_h)
        h = z * h + (1.0 - z) * hh
        return h, [h]

    return step


def simple_step(kernel, recurrent_kernel, bias, activation=np.tanh):
    def step(x, states):
        h = activation(x @ kernel + (0.0 if bias is None else bias) + states[0] @ recurrent_kernel)
        return h, [h]

    return step


def run(step, x, states, mask=None, go_backwards=False, zero_output_for_mask=False):
    """`(outputs (batch, time, units), final_states)` of `step` over the time axis of `x`."""
    x = np.asarray(x, np.float64)
    states = [np.asarray(s, np.float64) for s in states]
    steps = range(x.shape[1])
    previous = None
    outputs = []
    for t in (reversed(steps) if go_backwards else steps):
        output, new_states = step(x[:, t], states)
        if previous is None:
            # Before any real step, the "previous output" is the first state when it has the
            # output's shape (h for LSTM, GRU, SimpleRNN), else zeros.
            previous = states[0] if states[0].shape == output.shape else np.zeros_like(output)
        if mask is not None:
            keep = np.asarray(mask, bool)[:, t][:, None]
            new_states = [np.where(keep, n, s) for n, s in zip(new_states, states)]
            output = np.where(keep, output, 0.0 if zero_output_for_mask else previous)
        states, previous = new_states, output
        outputs.append(output)
    return np.stack(outputs, axis=1), states
