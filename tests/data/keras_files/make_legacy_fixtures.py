"""Writes the Keras 1.x/2.x fixture files that tests/saving/test_legacy_h5.py reads.

Keras 1 and 2 cannot be installed next to today's Python cheaply, so this script writes their
files itself with h5py, in exactly the layout those versions wrote (keras/engine/saving.py of
Keras 2.2, keras/models.py and keras/engine/topology.py of Keras 1.2):

- root attributes `keras_version`, `backend`, `model_config` (JSON of
  `{"class_name": ..., "config": ...}`) and `training_config`;
- a group `model_weights` with the attribute `layer_names`, one group per layer with the
  attribute `weight_names`, and a dataset under each weight name (Keras 2: `dense_1/kernel:0`,
  a nested path; Keras 1: `dense_1_W`). A `save_weights` file has the same groups at the root.

The weights are drawn here from a fixed seed, and the expected predictions are computed here
with NumPy from the formulas of the era (Theano's true convolution, Keras 1's hard_sigmoid
`clip(0.2 x + 0.5, 0, 1)`, its LSTM/GRU gate orders), never with lamina. Run from the repository
root:
    .venv/bin/python tests/data/keras_files/make_legacy_fixtures.py
For each `legacy_<name>.h5` it writes `legacy_<name>_x*.npy` (inputs) and
`legacy_<name>_pred.npy` (expected outputs); `*.json` files hold `to_json()` strings.
"""

import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2024)


def _w(*shape):
    return rng.normal(scale=0.5, size=shape).astype("float32")


def _x(*shape):
    return rng.normal(size=shape).astype("float32")


# -- NumPy references --------------------------------------------------------------------------
def relu(x):
    return np.maximum(x, 0.0)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def hard_sigmoid_keras1(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def correlate2d_nhwc(x, kernel, bias):
    """Valid cross-correlation (TensorFlow's conv2d): x (n, h, w, c), kernel (r, s, c, o)."""
    r, s = kernel.shape[:2]
    h, w = x.shape[1] - r + 1, x.shape[2] - s + 1
    out = np.zeros((x.shape[0], h, w, kernel.shape[3]))
    for i in range(h):
        for j in range(w):
            out[:, i, j, :] = np.einsum("nuvc,uvco->no", x[:, i:i + r, j:j + s, :], kernel)
    return out + bias


def theano_conv2d_nchw(x, kernel, bias):
    """Theano's conv2d (a true convolution): x (n, c, h, w), kernel (o, c, r, s) is flipped."""
    o, _, r, s = kernel.shape
    h, w = x.shape[2] - r + 1, x.shape[3] - s + 1
    out = np.zeros((x.shape[0], o, h, w))
    for i in range(h):
        for j in range(w):
            for u in range(r):
                for v in range(s):
                    out[:, :, i, j] += np.einsum("nc,oc->no", x[:, :, i + u, j + v],
                                                 kernel[:, :, r - 1 - u, s - 1 - v])
    return out + bias[None, :, None, None]


def max_pool_2x2(x, axes):
    """2x2 max pooling, stride 2, "valid", over the two spatial `axes` of a 4-D array."""
    x = np.moveaxis(x, axes, (1, 2))
    h, w = x.shape[1] // 2 * 2, x.shape[2] // 2 * 2
    x = x[:, :h, :w]
    pooled = x.reshape(x.shape[0], h // 2, 2, w // 2, 2, x.shape[3]).max(axis=(2, 4))
    return np.moveaxis(pooled, (1, 2), axes)


def lstm_keras1(x, w, units):
    """Keras 1 LSTM; `w` holds W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o."""
    gate = {g: w[3 * k:3 * k + 3] for k, g in enumerate("icfo")}
    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
    for t in range(x.shape[1]):
        pre = {g: x[:, t] @ kernel + h @ recurrent + bias
               for g, (kernel, recurrent, bias) in gate.items()}
        i, f, o = (hard_sigmoid_keras1(pre[g]) for g in "ifo")
        c = f * c + i * np.tanh(pre["c"])
        h = o * np.tanh(c)
    return h


def gru_keras1(x, w, units):
    """Keras 1 GRU; `w` holds W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h."""
    (wz, uz, bz), (wr, ur, br), (wh, uh, bh) = w[0:3], w[3:6], w[6:9]
    h = np.zeros((x.shape[0], units))
    for t in range(x.shape[1]):
        xt = x[:, t]
        z = hard_sigmoid_keras1(xt @ wz + h @ uz + bz)
        r = hard_sigmoid_keras1(xt @ wr + h @ ur + br)
        hh = np.tanh(xt @ wh + (r * h) @ uh + bh)
        h = z * h + (1.0 - z) * hh
    return h


# -- configs of the era ------------------------------------------------------------------------
def k2_dense(name, units, activation, batch_input_shape=None):
    config = {"name": name, "trainable": True, "dtype": "float32", "units": units,
              "activation": activation, "use_bias": True,
              "kernel_initializer": {"class_name": "VarianceScaling", "config": {
                  "scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
              "bias_initializer": {"class_name": "Zeros", "config": {}},
              "kernel_regularizer": None, "bias_regularizer": None,
              "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    if batch_input_shape is not None:
        config["batch_input_shape"] = batch_input_shape
    return {"class_name": "Dense", "config": config}


def k1_dense(name, output_dim, input_dim, init="glorot_uniform", batch_input_shape=None):
    config = {"name": name, "trainable": True, "output_dim": output_dim, "init": init,
              "activation": "linear", "W_regularizer": None, "b_regularizer": None,
              "activity_regularizer": None, "W_constraint": None, "b_constraint": None,
              "bias": True, "input_dim": input_dim}
    if batch_input_shape is not None:
        config.update(batch_input_shape=batch_input_shape, input_dtype="float32")
    return {"class_name": "Dense", "config": config}


def k1_activation(name, activation):
    return {"class_name": "Activation", "config": {"name": name, "trainable": True,
                                                   "activation": activation}}


# -- writing -----------------------------------------------------------------------------------
def write_weight_groups(group, layer_weights, keras_version, backend):
    """One group per layer (`layer_weights`: list of (layer name, [(weight name, array)]))."""
    group.attrs["layer_names"] = [name.encode("utf8") for name, _ in layer_weights]
    group.attrs["backend"] = backend.encode("utf8")
    group.attrs["keras_version"] = keras_version.encode("utf8")
    for name, weights in layer_weights:
        g = group.create_group(name)
        g.attrs["weight_names"] = [w.encode("utf8") for w, _ in weights]
        for weight_name, value in weights:
            g.create_dataset(weight_name, data=value)


def write_model(name, model_config, layer_weights, keras_version, backend, xs, pred,
                training_config=None):
    with h5py.File(os.path.join(HERE, f"legacy_{name}.h5"), "w") as f:
        f.attrs["keras_version"] = keras_version.encode("utf8")
        f.attrs["backend"] = backend.encode("utf8")
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config).encode("utf8")
        write_weight_groups(f.create_group("model_weights"), layer_weights, keras_version,
                            backend)
    for i, x in enumerate(xs):
        np.save(os.path.join(HERE, f"legacy_{name}_x{i}.npy"), x)
    np.save(os.path.join(HERE, f"legacy_{name}_pred.npy"), pred.astype("float32"))


def k2_sequential_mlp():
    w1, b1, w2, b2 = _w(3, 4), _w(4), _w(4, 2), _w(2)
    config = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
        k2_dense("dense_1", 4, "relu", [None, 3]), k2_dense("dense_2", 2, "softmax")]}}
    weights = [("dense_1", [("dense_1/kernel:0", w1), ("dense_1/bias:0", b1)]),
               ("dense_2", [("dense_2/kernel:0", w2), ("dense_2/bias:0", b2)])]
    x = _x(5, 3)
    training = {"optimizer_config": {"class_name": "Adam", "config": {
        "lr": 0.001, "beta_1": 0.9, "beta_2": 0.999, "decay": 0.0, "epsilon": 1e-07,
        "amsgrad": False}}, "loss": "categorical_crossentropy", "metrics": ["accuracy"],
        "sample_weight_mode": None, "loss_weights": None}
    write_model("k2_sequential_mlp", config, weights, "2.2.4", "tensorflow", [x],
                softmax(relu(x @ w1 + b1) @ w2 + b2), training)
    # The same weights as a Keras 2 `model.save_weights("...h5")` file: groups at the root.
    with h5py.File(os.path.join(HERE, "legacy_k2_mlp_weights.h5"), "w") as f:
        write_weight_groups(f, weights, "2.2.4", "tensorflow")
    with open(os.path.join(HERE, "legacy_k2_sequential_mlp.json"), "w") as f:
        json.dump({**config, "keras_version": "2.2.4", "backend": "tensorflow"}, f)


def k2_functional_two_inputs():
    w1, b1, w2, b2 = _w(3, 4), _w(4), _w(6, 1), _w(1)

    def input_layer(name, dim):
        return {"name": name, "class_name": "InputLayer", "inbound_nodes": [], "config": {
            "batch_input_shape": [None, dim], "dtype": "float32", "sparse": False,
            "name": name}}
    dense_1 = {**k2_dense("dense_1", 4, "tanh"), "name": "dense_1",
               "inbound_nodes": [[["input_a", 0, 0, {}]]]}
    concat = {"name": "concatenate_1", "class_name": "Concatenate",
              "config": {"name": "concatenate_1", "trainable": True, "axis": -1},
              "inbound_nodes": [[["dense_1", 0, 0, {}], ["input_b", 0, 0, {}]]]}
    dense_2 = {**k2_dense("dense_2", 1, "sigmoid"), "name": "dense_2",
               "inbound_nodes": [[["concatenate_1", 0, 0, {}]]]}
    config = {"class_name": "Model", "config": {
        "name": "model_1", "layers": [input_layer("input_a", 3), input_layer("input_b", 2),
                                      dense_1, concat, dense_2],
        "input_layers": [["input_a", 0, 0], ["input_b", 0, 0]],
        "output_layers": [["dense_2", 0, 0]]}}
    weights = [("input_a", []), ("input_b", []),
               ("dense_1", [("dense_1/kernel:0", w1), ("dense_1/bias:0", b1)]),
               ("concatenate_1", []),
               ("dense_2", [("dense_2/kernel:0", w2), ("dense_2/bias:0", b2)])]
    a, b = _x(4, 3), _x(4, 2)
    pred = sigmoid(np.concatenate([np.tanh(a @ w1 + b1), b], axis=-1) @ w2 + b2)
    write_model("k2_functional_two_inputs", config, weights, "2.1.6", "tensorflow", [a, b], pred)
    with open(os.path.join(HERE, "legacy_k2_functional_two_inputs.json"), "w") as f:
        json.dump({**config, "keras_version": "2.1.6", "backend": "tensorflow"}, f)


def k2_conv_pool_dense():
    kernel, bias, w, b = _w(3, 3, 1, 2), _w(2), _w(8, 3), _w(3)
    conv = {"class_name": "Conv2D", "config": {
        "name": "conv2d_1", "trainable": True, "batch_input_shape": [None, 6, 6, 1],
        "dtype": "float32", "filters": 2, "kernel_size": [3, 3], "strides": [1, 1],
        "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1],
        "activation": "relu", "use_bias": True,
        "kernel_initializer": {"class_name": "VarianceScaling", "config": {
            "scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
        "bias_constraint": None}}
    pool = {"class_name": "MaxPooling2D", "config": {
        "name": "max_pooling2d_1", "trainable": True, "pool_size": [2, 2], "padding": "valid",
        "strides": [2, 2], "data_format": "channels_last"}}
    flatten = {"class_name": "Flatten", "config": {"name": "flatten_1", "trainable": True,
                                                   "data_format": "channels_last"}}
    config = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
        conv, pool, flatten, k2_dense("dense_1", 3, "linear")]}}
    weights = [("conv2d_1", [("conv2d_1/kernel:0", kernel), ("conv2d_1/bias:0", bias)]),
               ("max_pooling2d_1", []), ("flatten_1", []),
               ("dense_1", [("dense_1/kernel:0", w), ("dense_1/bias:0", b)])]
    x = _x(2, 6, 6, 1)
    hidden = max_pool_2x2(relu(correlate2d_nhwc(x, kernel, bias)), (1, 2))
    write_model("k2_conv_pool_dense", config, weights, "2.2.4", "tensorflow", [x],
                hidden.reshape(len(x), -1) @ w + b)


def k1_dense_bn_activation():
    w1, b1, w2, b2 = _w(3, 4), _w(4), _w(4, 2), _w(2)
    gamma, beta, mean = _w(4) + 1.0, _w(4), _w(4)
    variance = rng.uniform(0.5, 2.0, size=4).astype("float32")
    bn = {"class_name": "BatchNormalization", "config": {
        "name": "batchnormalization_1", "trainable": True, "epsilon": 0.001, "mode": 0,
        "axis": -1, "gamma_regularizer": None, "beta_regularizer": None, "momentum": 0.99}}
    config = {"class_name": "Sequential", "config": [
        k1_dense("dense_1", 4, 3, init="uniform", batch_input_shape=[None, 3]),
        bn, k1_activation("activation_1", "tanh"),
        k1_dense("dense_2", 2, 4), k1_activation("activation_2", "softmax")]}
    weights = [("dense_1", [("dense_1_W", w1), ("dense_1_b", b1)]),
               ("batchnormalization_1", [("batchnormalization_1_gamma", gamma),
                                         ("batchnormalization_1_beta", beta),
                                         ("batchnormalization_1_running_mean", mean),
                                         ("batchnormalization_1_running_std", variance)]),
               ("activation_1", []), ("dense_2", [("dense_2_W", w2), ("dense_2_b", b2)]),
               ("activation_2", [])]
    x = _x(5, 3)
    # Keras >= 1.2 mode 0 keeps the moving *variance* under the name running_std.
    normed = gamma * (x @ w1 + b1 - mean) / np.sqrt(variance + 0.001) + beta
    training = {"optimizer_config": {"class_name": "SGD", "config": {
        "lr": 0.01, "momentum": 0.0, "decay": 0.0, "nesterov": False}},
                "loss": "categorical_crossentropy", "metrics": ["accuracy"],
                "sample_weight_mode": None, "loss_weights": None}
    write_model("k1_dense_bn_activation", config, weights, "1.2.2", "tensorflow", [x],
                softmax(np.tanh(normed) @ w2 + b2), training)
    with open(os.path.join(HERE, "legacy_k1_dense_bn_activation.json"), "w") as f:
        json.dump({**config, "keras_version": "1.2.2"}, f)


def k1_conv_th_theano():
    kernel, bias, w, b = _w(2, 1, 3, 3), _w(2), _w(8, 3), _w(3)
    conv = {"class_name": "Convolution2D", "config": {
        "name": "convolution2d_1", "trainable": True, "batch_input_shape": [None, 1, 6, 6],
        "input_dtype": "float32", "nb_filter": 2, "nb_row": 3, "nb_col": 3,
        "init": "glorot_uniform", "activation": "relu", "border_mode": "valid",
        "subsample": [1, 1], "dim_ordering": "th", "W_regularizer": None, "b_regularizer": None,
        "activity_regularizer": None, "W_constraint": None, "b_constraint": None,
        "bias": True}}
    pool = {"class_name": "MaxPooling2D", "config": {
        "name": "maxpooling2d_1", "trainable": True, "pool_size": [2, 2], "strides": [2, 2],
        "border_mode": "valid", "dim_ordering": "th"}}
    flatten = {"class_name": "Flatten", "config": {"name": "flatten_1", "trainable": True}}
    config = {"class_name": "Sequential", "config": [conv, pool, flatten,
                                                     k1_dense("dense_1", 3, 8)]}
    weights = [("convolution2d_1", [("convolution2d_1_W", kernel), ("convolution2d_1_b", bias)]),
               ("maxpooling2d_1", []), ("flatten_1", []),
               ("dense_1", [("dense_1_W", w), ("dense_1_b", b)])]
    x = _x(2, 1, 6, 6)
    hidden = max_pool_2x2(relu(theano_conv2d_nchw(x, kernel, bias)), (2, 3))
    write_model("k1_conv_th_theano", config, weights, "1.2.2", "theano", [x],
                hidden.reshape(len(x), -1) @ w + b)


def _k1_recurrent(class_name, name, units, input_dim, length, extra):
    return {"class_name": class_name, "config": {
        "name": name, "trainable": True, "batch_input_shape": [None, length, input_dim],
        "input_dtype": "float32", "output_dim": units, "init": "glorot_uniform",
        "inner_init": "orthogonal", "activation": "tanh", "inner_activation": "hard_sigmoid",
        "W_regularizer": None, "U_regularizer": None, "b_regularizer": None, "dropout_W": 0.0,
        "dropout_U": 0.0, "return_sequences": False, "go_backwards": False, "stateful": False,
        "unroll": False, "consume_less": "cpu", "input_dim": input_dim, "input_length": length,
        **extra}}


def k1_lstm():
    units, dim, length = 3, 2, 4
    w = []
    for _gate in "icfo":
        w += [_w(dim, units), _w(units, units), _w(units)]
    names = [f"lstm_1_{p}_{g}" for g in "icfo" for p in "WUb"]
    wd, bd = _w(units, 1), _w(1)
    config = {"class_name": "Sequential", "config": [
        _k1_recurrent("LSTM", "lstm_1", units, dim, length, {"forget_bias_init": "one"}),
        k1_dense("dense_1", 1, units)]}
    weights = [("lstm_1", list(zip(names, w))), ("dense_1", [("dense_1_W", wd),
                                                            ("dense_1_b", bd)])]
    x = _x(3, length, dim)
    write_model("k1_lstm", config, weights, "1.2.2", "tensorflow", [x],
                lstm_keras1(x, w, units) @ wd + bd)


def k1_gru():
    units, dim, length = 3, 2, 4
    w = []
    for _gate in "zrh":
        w += [_w(dim, units), _w(units, units), _w(units)]
    names = [f"gru_1_{p}_{g}" for g in "zrh" for p in "WUb"]
    config = {"class_name": "Sequential", "config": [
        _k1_recurrent("GRU", "gru_1", units, dim, length, {})]}
    x = _x(3, length, dim)
    write_model("k1_gru", config, [("gru_1", list(zip(names, w)))], "1.2.2", "tensorflow", [x],
                gru_keras1(x, w, units))


def k1_merge_of_sequentials():
    wa, ba, wb, bb, w, b = _w(2, 3), _w(3), _w(4, 3), _w(3), _w(6, 1), _w(1)
    branch_a = {"class_name": "Sequential", "config": [
        k1_dense("dense_1", 3, 2, batch_input_shape=[None, 2])]}
    branch_b = {"class_name": "Sequential", "config": [
        k1_dense("dense_2", 3, 4, batch_input_shape=[None, 4])]}
    merge = {"class_name": "Merge", "config": {
        "name": "merge_1", "layers": [branch_a, branch_b], "mode": "concat", "mode_type": "raw",
        "concat_axis": -1, "dot_axes": -1, "output_shape": None, "output_shape_type": "raw",
        "output_mask": None, "output_mask_type": "raw", "arguments": {}}}
    config = {"class_name": "Sequential", "config": [merge, k1_dense("dense_3", 1, 6),
                                                     k1_activation("activation_1", "sigmoid")]}
    # Keras 1's Sequential.flattened_layers: the branches' layers, then those after the Merge.
    weights = [("dense_1", [("dense_1_W", wa), ("dense_1_b", ba)]),
               ("dense_2", [("dense_2_W", wb), ("dense_2_b", bb)]),
               ("dense_3", [("dense_3_W", w), ("dense_3_b", b)]), ("activation_1", [])]
    xa, xb = _x(4, 2), _x(4, 4)
    pred = sigmoid(np.concatenate([xa @ wa + ba, xb @ wb + bb], axis=-1) @ w + b)
    write_model("k1_merge_of_sequentials", config, weights, "1.2.2", "theano", [xa, xb], pred)


if __name__ == "__main__":
    k2_sequential_mlp()
    k2_functional_two_inputs()
    k2_conv_pool_dense()
    k1_dense_bn_activation()
    k1_conv_th_theano()
    k1_lstm()
    k1_gru()
    k1_merge_of_sequentials()
