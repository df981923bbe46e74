"""Keras 1.x/2.x files (lamina/saving/legacy_h5.py): whole-model .h5, save_weights .h5 and
to_json strings load as today's layers with the era's numbers, and safe mode holds.

The fixtures (tests/data/keras_files/legacy_*) were written by
tests/data/keras_files/make_legacy_fixtures.py with h5py, in the exact layout Keras 1.2 and 2.x
wrote (Keras 1/2 cannot be installed here), with expected predictions computed in NumPy in that
script from the era's formulas. Smaller files below are written the same way inside the tests.
"""

import base64
import glob
import io
import json
import marshal
import os
import shutil

import h5py
import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.legacy.backend import hard_sigmoid
from lamina.saving import legacy_h5
from lamina.saving.errors import LoadError

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "data", "keras_files")
MODELS = ["k2_sequential_mlp", "k2_functional_two_inputs", "k2_conv_pool_dense",
          "k1_dense_bn_activation", "k1_conv_th_theano", "k1_lstm", "k1_gru",
          "k1_merge_of_sequentials"]


def _path(name):
    return os.path.join(FIXTURES, f"legacy_{name}.h5")


def _inputs(name):
    xs = [np.load(p) for p in sorted(glob.glob(os.path.join(FIXTURES, f"legacy_{name}_x*.npy")))]
    return xs if len(xs) > 1 else xs[0]


def _expected(name):
    return np.load(os.path.join(FIXTURES, f"legacy_{name}_pred.npy"))


def _file_weights(name, layer):
    """The arrays a fixture holds for `layer`, read with h5py (not with the code under test)."""
    with h5py.File(_path(name), "r") as f:
        group = f["model_weights"][layer]
        names = [w.decode() if isinstance(w, bytes) else w for w in group.attrs["weight_names"]]
        return [group[w][()] for w in names]


def _write_h5(path, model_config, layer_weights, keras_version="2.2.4", backend="tensorflow"):
    """A Keras 1/2 whole-model file: `layer_weights` is [(layer, [(weight name, array)])]."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = keras_version.encode()
        f.attrs["backend"] = backend.encode()
        f.attrs["model_config"] = json.dumps(model_config).encode()
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = [n.encode() for n, _ in layer_weights]
        for name, weights in layer_weights:
            g = group.create_group(name)
            g.attrs["weight_names"] = [w.encode() for w, _ in weights]
            for weight_name, value in weights:
                g.create_dataset(weight_name, data=value)


def _dense(name, units, activation="linear", **extra):
    return {"class_name": "Dense", "config": {"name": name, "units": units,
                                              "activation": activation, **extra}}


# -- whole-model files -------------------------------------------------------------------------
@pytest.mark.parametrize("name", MODELS)
def test_legacy_model_file_predicts_like_the_era(name):
    model = lamina.saving.load_model(_path(name), compile=False)
    np.testing.assert_allclose(model.predict(_inputs(name), verbose=0), _expected(name),
                               rtol=1e-5, atol=1e-6)


def test_legacy_model_from_file_object():
    with open(_path("k2_sequential_mlp"), "rb") as f:
        buffer = io.BytesIO(f.read())
    model = lamina.models.load_model(buffer, compile=False)
    np.testing.assert_allclose(model.predict(_inputs("k2_sequential_mlp"), verbose=0),
                               _expected("k2_sequential_mlp"), rtol=1e-5, atol=1e-6)


def test_keras1_layers_become_todays_layers():
    conv = lamina.saving.load_model(_path("k1_conv_th_theano"), compile=False)
    assert [type(layer).__name__ for layer in conv.layers] == ["Conv2D", "MaxPooling2D",
                                                               "Flatten", "Dense"]
    assert conv.layers[0].data_format == "channels_first"
    assert conv.layers[0].filters == 2 and tuple(conv.layers[0].kernel_size) == (3, 3)
    # (filters, channels, rows, cols) of a Theano true convolution -> today's flipped layout.
    kernel = _file_weights("k1_conv_th_theano", "convolution2d_1")[0]
    np.testing.assert_array_equal(conv.layers[0].get_weights()[0],
                                  kernel.transpose(2, 3, 1, 0)[::-1, ::-1])
    lstm = lamina.saving.load_model(_path("k1_lstm"), compile=False).layers[0]
    assert type(lstm).__name__ == "LSTM" and lstm.units == 3
    # Keras 1's hard_sigmoid has slope 0.2 (today's has 1/6).
    np.testing.assert_allclose(lstm.recurrent_activation(np.array([-5.0, 0.0, 1.0, 5.0])),
                               [0.0, 0.5, 0.7, 1.0], rtol=1e-6)
    gru = lamina.saving.load_model(_path("k1_gru"), compile=False).layers[0]
    assert gru.reset_after is False


def test_keras1_lstm_gates_are_reordered():
    w = _file_weights("k1_lstm", "lstm_1")  # W, U, b for gates i, c, f, o
    lstm = lamina.saving.load_model(_path("k1_lstm"), compile=False).layers[0]
    kernel, recurrent, bias = lstm.get_weights()
    for k, got in enumerate((kernel, recurrent, bias)):
        np.testing.assert_array_equal(got, np.concatenate([w[k], w[6 + k], w[3 + k], w[9 + k]],
                                                          axis=-1))


def test_keras1_batchnorm_std_before_1_2_is_a_std(tmp_path):
    # Keras 1.0/1.1 normalized with (x - mean) / (running_std + eps); 1.2 kept a variance.
    path = tmp_path / "old.h5"
    shutil.copy(_path("k1_dense_bn_activation"), path)
    with h5py.File(path, "a") as f:
        f.attrs["keras_version"] = b"1.1.0"
        f["model_weights"].attrs["keras_version"] = b"1.1.0"
    (w1, b1), (gamma, beta, mean, std), (w2, b2) = (
        _file_weights("k1_dense_bn_activation", n) for n in
        ("dense_1", "batchnormalization_1", "dense_2"))
    x = _inputs("k1_dense_bn_activation")
    normed = gamma * (x @ w1 + b1 - mean) / (std + 0.001) + beta
    logits = np.tanh(normed) @ w2 + b2
    expected = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    model = lamina.saving.load_model(path, compile=False)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_training_config_compiles_with_todays_optimizer():
    model = lamina.saving.load_model(_path("k2_sequential_mlp"))
    assert type(model.optimizer) is lamina.optimizers.Adam
    np.testing.assert_allclose(float(model.optimizer.learning_rate), 0.001)
    sgd = lamina.saving.load_model(_path("k1_dense_bn_activation")).optimizer
    assert type(sgd) is lamina.optimizers.SGD
    np.testing.assert_allclose(float(sgd.learning_rate), 0.01)
    assert lamina.saving.load_model(_path("k1_gru"), compile=True).optimizer is None


def test_loaded_legacy_model_saves_as_keras_3(tmp_path):
    model = lamina.saving.load_model(_path("k2_functional_two_inputs"), compile=False)
    model.save(tmp_path / "m.keras")
    again = lamina.saving.load_model(tmp_path / "m.keras")
    x = _inputs("k2_functional_two_inputs")
    np.testing.assert_allclose(again.predict(x, verbose=0), _expected("k2_functional_two_inputs"),
                               rtol=1e-5, atol=1e-6)


def test_keras1_recurrent_model_keeps_the_era_hard_sigmoid_when_saved_again(tmp_path):
    model = lamina.saving.load_model(_path("k1_lstm"), compile=False)
    model.save(tmp_path / "lstm.keras")
    again = lamina.saving.load_model(tmp_path / "lstm.keras")
    np.testing.assert_allclose(again.predict(_inputs("k1_lstm"), verbose=0), _expected("k1_lstm"),
                               rtol=1e-5, atol=1e-6)


def test_nested_sequential_in_functional_gets_its_weights(tmp_path):
    w1, b1, w2, b2 = (np.full(s, v, "float32") for s, v in (((2, 3), 0.5), ((3,), 0.1),
                                                             ((3, 1), -1.0), ((1,), 0.2)))
    inner = {"class_name": "Sequential", "config": {"name": "inner", "layers": [
        _dense("dense_1", 3, "relu", batch_input_shape=[None, 2]), _dense("dense_2", 1)]}}
    config = {"class_name": "Model", "config": {"name": "outer", "layers": [
        {"name": "x", "class_name": "InputLayer", "inbound_nodes": [],
         "config": {"batch_input_shape": [None, 2], "dtype": "float32", "name": "x"}},
        {**inner, "name": "inner", "inbound_nodes": [[["x", 0, 0, {}]]]}],
        "input_layers": [["x", 0, 0]], "output_layers": [["inner", 0, 0]]}}
    _write_h5(tmp_path / "nested.h5", config, [("x", []), ("inner", [
        ("dense_1/kernel:0", w1), ("dense_1/bias:0", b1), ("dense_2/kernel:0", w2),
        ("dense_2/bias:0", b2)])])
    model = lamina.saving.load_model(tmp_path / "nested.h5")
    x = np.array([[1.0, -2.0], [0.5, 0.5]], "float32")
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               np.maximum(x @ w1 + b1, 0) @ w2 + b2, rtol=1e-6)


def test_chunked_layer_names_attribute(tmp_path):
    # Keras 2 splits attributes over 64 KB into layer_names0, layer_names1, ...
    path = tmp_path / "chunked.h5"
    shutil.copy(_path("k2_sequential_mlp"), path)
    with h5py.File(path, "a") as f:
        group = f["model_weights"]
        names = list(group.attrs["layer_names"])
        del group.attrs["layer_names"]
        group.attrs["layer_names0"], group.attrs["layer_names1"] = names[:1], names[1:]
    model = lamina.saving.load_model(path, compile=False)
    np.testing.assert_allclose(model.predict(_inputs("k2_sequential_mlp"), verbose=0),
                               _expected("k2_sequential_mlp"), rtol=1e-5, atol=1e-6)


def test_legacy_model_file_missing_a_layers_weights(tmp_path):
    path = tmp_path / "partial.h5"
    shutil.copy(_path("k2_sequential_mlp"), path)
    with h5py.File(path, "a") as f:
        group = f["model_weights"]
        group.attrs["layer_names"] = [b"dense_1"]
        del group["dense_2"]
    with pytest.raises(LoadError, match=r"no weights for layers \['dense_2'\]"):
        lamina.saving.load_model(path)


def test_tf_keras_sequential_starting_with_input_layer():
    config = {"class_name": "Sequential", "keras_version": "2.4.0", "backend": "tensorflow",
              "config": {"name": "sequential", "layers": [
                  {"class_name": "InputLayer", "config": {
                      "batch_input_shape": [None, 5], "dtype": "float32", "sparse": False,
                      "ragged": False, "name": "dense_input"}},
                  _dense("dense", 2, "relu")]}}
    model = lamina.models.model_from_json(json.dumps(config))
    assert [type(layer).__name__ for layer in model.layers] == ["Dense"]
    assert tuple(model.predict(np.ones((3, 5)), verbose=0).shape) == (3, 2)


def test_weights_only_file_is_not_a_model():
    with pytest.raises(LoadError, match="no model_config: it is a weights-only file"):
        lamina.saving.load_model(os.path.join(FIXTURES, "legacy_k2_mlp_weights.h5"))


# -- weights into a model built in lamina ------------------------------------------------------
def _mlp():
    return lamina.Sequential([lamina.Input((3,)), layers.Dense(4, activation="relu"),
                              layers.Dense(2, activation="softmax")])


@pytest.mark.parametrize("path", [os.path.join(FIXTURES, "legacy_k2_mlp_weights.h5"),
                                  _path("k2_sequential_mlp")])
def test_legacy_weights_load_by_layer_order(path):
    model = _mlp()  # lamina names its layers differently; Keras 2 matched by order too
    model.load_weights(path)
    np.testing.assert_allclose(model.predict(_inputs("k2_sequential_mlp"), verbose=0),
                               _expected("k2_sequential_mlp"), rtol=1e-5, atol=1e-6)


def test_keras1_lstm_weights_into_a_lamina_model():
    model = lamina.Sequential([lamina.Input((4, 2)),
                               layers.LSTM(3, recurrent_activation=hard_sigmoid),
                               layers.Dense(1)])
    model.load_weights(_path("k1_lstm"))
    np.testing.assert_allclose(model.predict(_inputs("k1_lstm"), verbose=0), _expected("k1_lstm"),
                               rtol=1e-5, atol=1e-6)


def test_legacy_weights_with_wrong_layer_count():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    with pytest.raises(LoadError, match=r"weights for 2 layers \['dense_1', 'dense_2'\], model "
                                        r"'.*' has 1 layers with weights"):
        model.load_weights(os.path.join(FIXTURES, "legacy_k2_mlp_weights.h5"))


def test_legacy_weights_with_wrong_shapes_name_the_layer():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(5, name="wide"), layers.Dense(2)])
    with pytest.raises(LoadError, match=r"file layer 'dense_1'.*Dense 'wide' has weights of "
                                        r"shapes \[\(3, 5\), \(5,\)\]"):
        model.load_weights(os.path.join(FIXTURES, "legacy_k2_mlp_weights.h5"))
    with pytest.warns(UserWarning, match="Skipped loading weights"):
        model.load_weights(os.path.join(FIXTURES, "legacy_k2_mlp_weights.h5"),
                           skip_mismatch=True)


def test_legacy_model_file_with_wrong_shape_is_refused(tmp_path):
    path = tmp_path / "bad.h5"
    shutil.copy(_path("k2_sequential_mlp"), path)
    with h5py.File(path, "a") as f:
        group = f["model_weights/dense_2/dense_2"]
        del group["kernel:0"]
        group["kernel:0"] = np.zeros((2, 4), "float32")  # transposed: same size, wrong shape
    with pytest.raises(LoadError, match=r"Dense 'dense_2': weight 'kernel' has shape \(4, 2\), "
                                        r"the file holds shape \(2, 4\)"):
        lamina.saving.load_model(path)


# -- JSON configs ------------------------------------------------------------------------------
def _json(name):
    with open(os.path.join(FIXTURES, f"legacy_{name}.json")) as f:
        return f.read()


def test_keras1_json_config():
    model = lamina.models.model_from_json(_json("k1_dense_bn_activation"))
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense", "BatchNormalization", "Activation", "Dense", "Activation"]
    assert [model.layers[0].units, model.layers[3].units] == [4, 2]
    assert tuple(model.predict(np.zeros((2, 3)), verbose=0).shape) == (2, 2)
    np.testing.assert_allclose(model.predict(np.zeros((1, 3)), verbose=0).sum(), 1.0, rtol=1e-6)


def test_keras2_functional_json_config():
    model = lamina.models.model_from_json(_json("k2_functional_two_inputs"))
    assert sorted(layer.name for layer in model.layers) == [
        "concatenate_1", "dense_1", "dense_2", "input_a", "input_b"]
    out = model.predict([np.zeros((3, 3)), np.zeros((3, 2))], verbose=0)
    assert tuple(out.shape) == (3, 1)


def test_early_keras2_sequential_list_json():
    config = {"class_name": "Sequential", "keras_version": "2.0.8", "config": [
        _dense("dense_1", 4, "tanh", batch_input_shape=[None, 3], dtype="float32"),
        {"class_name": "Dropout", "config": {"name": "dropout_1", "rate": 0.5}},
        _dense("dense_2", 1, "sigmoid")]}
    model = lamina.models.model_from_json(json.dumps(config))
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dropout", "Dense"]
    assert model.layers[1].rate == 0.5 and model.layers[0].activation.__name__ == "tanh"


def test_keras1_regularizers_and_constraints_convert():
    config = {"class_name": "Sequential", "config": [_dense(
        "dense_1", 2, batch_input_shape=[None, 3],
        W_regularizer={"name": "WeightRegularizer", "l1": 0.0, "l2": 0.5},
        W_constraint={"name": "MaxNorm", "m": 2.0, "axis": 0})]}
    dense = lamina.models.model_from_json(json.dumps(config)).layers[0]
    assert type(dense.kernel_regularizer).__name__ == "L1L2"
    np.testing.assert_allclose(float(dense.kernel_regularizer(np.ones((3, 2)))), 0.5 * 6)
    assert dense.kernel_constraint.max_value == 2.0


def test_legacy_json_unknown_layer_lists_the_fix():
    config = {"class_name": "Sequential", "keras_version": "2.2.4", "config": {"layers": [
        {"class_name": "MyLayer", "config": {"name": "m", "batch_input_shape": [None, 3]}}]}}
    with pytest.raises(LoadError, match=r"Unknown layer: 'MyLayer'.*custom_objects"):
        lamina.models.model_from_json(json.dumps(config))


# -- safety ------------------------------------------------------------------------------------
def _sentinel_lambda_config(sentinel):
    """A Keras 2 Lambda whose marshalled function, if ever run, creates `sentinel`."""
    payload = eval(f"lambda x: (open({str(sentinel)!r}, 'w').write('pwned'), x)[1]")
    code = base64.b64encode(marshal.dumps(payload.__code__)).decode("ascii")
    lam = {"class_name": "Lambda", "config": {
        "name": "lambda_1", "trainable": True, "function": [code, None, None],
        "function_type": "lambda", "module": "__main__", "output_shape": None,
        "output_shape_type": "raw", "arguments": {}}}
    return {"class_name": "Sequential", "keras_version": "2.2.4", "config": {"layers": [
        _dense("dense_1", 2, batch_input_shape=[None, 2]), lam]}}


def test_lambda_bytecode_in_h5_is_refused_in_safe_mode(tmp_path, monkeypatch):
    # CVE-2025-9905: Keras's .h5 loading ignored safe_mode.
    monkeypatch.chdir(tmp_path)
    config = _sentinel_lambda_config(tmp_path / "sentinel")
    weights = [("dense_1", [("dense_1/kernel:0", np.eye(2, dtype="float32")),
                            ("dense_1/bias:0", np.zeros(2, "float32"))]), ("lambda_1", [])]
    _write_h5(tmp_path / "evil.h5", config, weights)
    with pytest.raises(LoadError, match=r"(?s)Python bytecode.*function_type.*safe_mode=False"):
        lamina.saving.load_model(tmp_path / "evil.h5")
    with pytest.raises(LoadError, match="Python bytecode"):
        lamina.models.model_from_json(json.dumps(config))
    assert os.listdir(tmp_path) == ["evil.h5"]


def test_lambda_bytecode_loads_with_safe_mode_false(tmp_path):
    def triple(x):
        return x * 3.0
    code = base64.b64encode(marshal.dumps(triple.__code__)).decode("ascii")
    config = {"class_name": "Sequential", "keras_version": "2.2.4", "config": {"layers": [
        {"class_name": "Lambda", "config": {
            "name": "lambda_1", "function": [code, None, None], "function_type": "lambda",
            "output_shape": None, "output_shape_type": "raw", "arguments": {},
            "batch_input_shape": [None, 2]}}]}}
    _write_h5(tmp_path / "ok.h5", config, [("lambda_1", [])])
    model = lamina.saving.load_model(tmp_path / "ok.h5", safe_mode=False)
    np.testing.assert_allclose(model.predict(np.array([[1.0, -2.0]]), verbose=0), [[3.0, -6.0]])


def test_merge_lambda_in_a_branch_is_refused():
    branch = {"class_name": "Sequential", "config": [_dense("d", 2, batch_input_shape=[None, 2])]}
    config = {"class_name": "Sequential", "config": [{"class_name": "Merge", "config": {
        "name": "merge_1", "layers": [branch, branch], "mode": ["AAAA", None, None],
        "mode_type": "lambda"}}]}
    with pytest.raises(LoadError, match=r"bytecode.*\[0\]\.config\.mode_type"):
        lamina.models.model_from_json(json.dumps(config))


def test_lambda_naming_a_module_function_is_never_imported():
    config = {"class_name": "Sequential", "keras_version": "2.2.4", "config": {"layers": [
        {"class_name": "Lambda", "config": {
            "name": "l", "function": "system", "function_type": "function", "module": "os",
            "arguments": {"command": "touch SENTINEL"}, "batch_input_shape": [None, 2]}}]}}
    with pytest.raises(LoadError, match=r"function 'system'.*never looks up by module.*'os'"):
        lamina.models.model_from_json(json.dumps(config))
    model = lamina.models.model_from_json(json.dumps(config), custom_objects={
        "system": lambda x, command: x + 1.0})
    np.testing.assert_allclose(model.predict(np.zeros((1, 2)), verbose=0), [[1.0, 1.0]])


def test_legacy_config_cannot_switch_safe_mode_off():
    config = _sentinel_lambda_config("never-written")
    config["config"]["layers"][1]["config"]["safe_mode"] = False
    with pytest.raises(LoadError, match=r"turn safe mode off at .*safe_mode"):
        lamina.models.model_from_json(json.dumps(config))


def test_legacy_weights_link_out_of_the_file_is_refused(tmp_path):
    with h5py.File(tmp_path / "secret.h5", "w") as other:
        other["data"] = np.ones((3, 4), "float32")
    path = tmp_path / "w.h5"
    shutil.copy(os.path.join(FIXTURES, "legacy_k2_mlp_weights.h5"), path)
    with h5py.File(path, "a") as f:
        del f["dense_1/dense_1/kernel:0"]
        f["dense_1/dense_1/kernel:0"] = h5py.ExternalLink(str(tmp_path / "secret.h5"), "data")
    with pytest.raises(LoadError, match="ExternalLink"):
        _mlp().load_weights(path)


def test_detection_of_legacy_configs():
    assert legacy_h5.is_legacy_config(json.loads(_json("k1_dense_bn_activation")))
    assert legacy_h5.is_legacy_config(json.loads(_json("k2_sequential_mlp")))
    assert not legacy_h5.is_legacy_config(json.loads(_mlp().to_json()))
    with open(_path("k1_gru"), "rb") as f:
        assert legacy_h5.is_hdf5(f)
