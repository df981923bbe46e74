"""Weights files (lamina/saving/weights_h5.py): Keras's h5 paths, round trips, clear mismatch
errors, skip_mismatch, suffix checks."""

import os

import h5py
import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.saving import weights_h5

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "data", "keras_files")


def _mlp(hidden=4, compile=False):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(hidden, activation="relu"),
                               layers.BatchNormalization(), layers.Dense(2)])
    if compile:
        model.compile(optimizer="adam", loss="mse")
    return model


def _randomize(model, seed=0):
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        variable.assign(rng.normal(size=variable.shape).astype(variable.dtype))


def _dataset_shapes(path):
    shapes = {}
    with h5py.File(path, "r") as h5file:
        h5file.visititems(lambda p, o: shapes.__setitem__(p, o.shape)
                          if isinstance(o, h5py.Dataset) else None)
    return shapes


def test_walk_paths_follow_keras():
    model = _mlp()
    paths = [path for path, _ in weights_h5.walk(model)]
    assert paths == ["", "layers/dense", "layers/batch_normalization", "layers/dense_1"]


def test_keras_layer_order_sorts_by_depth_then_first_visit():
    # Keras: deepest first; ties by the order a walk from the outputs first meets them.
    a, b = lamina.Input((2,), name="a"), lamina.Input((2,), name="b")
    shallow = layers.Dense(2, name="shallow")
    deep1, deep2 = layers.Dense(2, name="deep1"), layers.Dense(2, name="deep2")
    out = layers.Add(name="add")([shallow(a), deep2(deep1(b))])
    model = lamina.Model([a, b], out)
    order = [layer.name for layer in weights_h5.keras_layer_order(model)]
    assert order == ["b", "a", "deep1", "shallow", "deep2", "add"]


def test_save_weights_layout_and_values(tmp_path):
    model = _mlp()
    _randomize(model)
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    shapes = _dataset_shapes(path)
    assert shapes == {"layers/dense/vars/0": (3, 4), "layers/dense/vars/1": (4,),
                      "layers/batch_normalization/vars/0": (4,),
                      "layers/batch_normalization/vars/1": (4,),
                      "layers/batch_normalization/vars/2": (4,),
                      "layers/batch_normalization/vars/3": (4,),
                      "layers/dense_1/vars/0": (4, 2), "layers/dense_1/vars/1": (2,)}
    with h5py.File(path, "r") as h5file:
        # BatchNormalization: gamma, beta (trainable) then moving_mean, moving_variance.
        bn = model.layers[1]
        np.testing.assert_array_equal(h5file["layers/batch_normalization/vars/2"][()],
                                      bn.moving_mean.numpy())
        assert h5file["layers/dense/vars"].attrs["name"] == model.layers[0].name
        assert h5file["vars"].attrs["name"] == model.name


def test_weights_round_trip_into_fresh_model(tmp_path):
    model = _mlp()
    _randomize(model)
    model.save_weights(tmp_path / "m.weights.h5")
    other = _mlp()
    other.load_weights(tmp_path / "m.weights.h5")
    for ours, theirs in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_optimizer_state_round_trips_through_weights_file(tmp_path):
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    model = _mlp(compile=True)
    model.train_on_batch(x, y)
    model.save_weights(tmp_path / "m.weights.h5")
    assert "optimizer/vars/0" in _dataset_shapes(tmp_path / "m.weights.h5")
    other = _mlp(compile=True)
    other.load_weights(tmp_path / "m.weights.h5")
    assert int(other.optimizer.iterations.numpy()) == 1
    for ours, theirs in zip(model.optimizer.variables, other.optimizer.variables):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    # An uncompiled model ignores the optimizer group.
    plain = _mlp()
    plain.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_array_equal(plain.get_weights()[0], model.get_weights()[0])


def test_load_weights_from_keras_archive():
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(5, activation="relu"),
                               layers.Dense(3, activation="softmax")])
    model.load_weights(os.path.join(FIXTURES, "sequential_mlp.keras"))
    x = np.load(os.path.join(FIXTURES, "sequential_mlp_x0.npy"))
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               np.load(os.path.join(FIXTURES, "sequential_mlp_pred.npy")),
                               rtol=1e-5, atol=1e-6)


def test_shape_mismatch_names_layer_variable_and_shapes(tmp_path):
    _mlp(hidden=4).save_weights(tmp_path / "m.weights.h5")
    other = _mlp(hidden=5)
    with pytest.raises(ValueError, match=r"Dense 'dense_\d+'.*variable 'kernel' has shape "
                                         r"\(3, 5\), the file holds shape \(3, 4\)"):
        other.load_weights(tmp_path / "m.weights.h5")


def test_skip_mismatch_warns_and_loads_the_rest(tmp_path):
    source = _mlp(hidden=4)
    _randomize(source)
    source.save_weights(tmp_path / "m.weights.h5")
    target = lamina.Sequential([lamina.Input((3,)), layers.Dense(4, activation="relu"),
                                layers.BatchNormalization(), layers.Dense(3)])
    before = target.layers[2].kernel.numpy().copy()
    with pytest.warns(UserWarning, match=r"(?s)kernel.*\(4, 3\).*\(4, 2\).*skip_mismatch=True"):
        target.load_weights(tmp_path / "m.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(target.layers[0].kernel.numpy(), source.layers[0].kernel.numpy())
    np.testing.assert_array_equal(target.layers[2].kernel.numpy(), before)


def test_missing_and_extra_weights_are_named(tmp_path):
    small = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    small.save_weights(tmp_path / "small.weights.h5")
    big = lamina.Sequential([lamina.Input((3,)), layers.Dense(2), layers.Dense(2)])
    with pytest.raises(ValueError, match=r"Dense 'dense_\d+': the file has no weights for it "
                                         r"\(expected group 'layers/dense_1/vars'"):
        big.load_weights(tmp_path / "small.weights.h5")
    big.save_weights(tmp_path / "big.weights.h5")
    with pytest.raises(ValueError, match=r"match no variable.*layers/dense_1/vars/0"):
        small.load_weights(tmp_path / "big.weights.h5")


def test_variable_count_mismatch_lists_expected_names(tmp_path):
    lamina.Sequential([lamina.Input((3,)), layers.Dense(2, use_bias=False)]).save_weights(
        tmp_path / "w.weights.h5")
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match=r"expects 2 variables \['kernel', 'bias'\], the file "
                                         r"holds 1"):
        model.load_weights(tmp_path / "w.weights.h5")


@pytest.mark.parametrize("name", ["w.h5", "w.keras", "weights.json", "w.weights"])
def test_save_weights_suffix_error(tmp_path, name):
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        _mlp().save_weights(tmp_path / name)


@pytest.mark.parametrize("name", ["w.txt", "w.npz", "w"])
def test_load_weights_suffix_error(tmp_path, name):
    with pytest.raises(ValueError, match=r"`\.weights\.h5` or `\.keras`"):
        _mlp().load_weights(tmp_path / name)


@pytest.mark.parametrize("name", ["w.h5", "w.hdf5"])
def test_load_weights_missing_legacy_file(tmp_path, name):
    # .h5/.hdf5 are Keras 1/2 weight files (tests/saving/test_legacy_h5.py).
    with pytest.raises(FileNotFoundError, match="no file at"):
        _mlp().load_weights(tmp_path / name)


def test_save_weights_max_shard_size_not_supported(tmp_path):
    with pytest.raises(ValueError, match="max_shard_size"):
        _mlp().save_weights(tmp_path / "w.weights.h5", max_shard_size=1)


def test_unbuilt_model_errors(tmp_path):
    model = lamina.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="not built"):
        model.save_weights(tmp_path / "w.weights.h5")


def test_overwrite_false_raises_and_keeps_file(tmp_path):
    path = tmp_path / "w.weights.h5"
    path.write_bytes(b"old")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        _mlp().save_weights(path, overwrite=False)
    assert path.read_bytes() == b"old"
    _mlp().save_weights(path)  # overwrite=True replaces it
    assert path.read_bytes() != b"old"


def test_load_weights_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file"):
        _mlp().load_weights(tmp_path / "absent.weights.h5")
