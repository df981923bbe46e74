"""The .keras archive (lamina/saving/archive.py): Keras 3.15 files load with Keras's numbers,
lamina's files have Keras's layout, and every layer family round-trips."""

import glob
import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.saving import archive, serialization

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "data", "keras_files")
TRAINED = ["sequential_mlp", "functional_two_inputs", "conv_bn_dense"]


def _fixture_inputs(name):
    xs = [np.load(p) for p in sorted(glob.glob(os.path.join(FIXTURES, f"{name}_x*.npy")))]
    return xs if len(xs) > 1 else xs[0]


def _fixture(name, suffix):
    return np.load(os.path.join(FIXTURES, f"{name}_{suffix}.npy"))


def _h5_datasets(data):
    """{dataset path: shape} and {group path: name attribute} of an h5 file's bytes."""
    shapes, names = {}, {}
    with h5py.File(io.BytesIO(data), "r") as h5file:
        def visit(path, obj):
            if isinstance(obj, h5py.Dataset):
                shapes[path] = obj.shape
            elif "name" in obj.attrs:
                names[path] = obj.attrs["name"]
        h5file.visititems(visit)
    return shapes, names


def _member(path, name):
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


# -- Keras -> lamina ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", TRAINED)
def test_keras_file_loads_with_keras_predictions(name):
    model = lamina.saving.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    np.testing.assert_allclose(model.predict(_fixture_inputs(name), verbose=0),
                               _fixture(name, "pred"), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", TRAINED)
def test_keras_file_resumes_training_like_keras(name):
    # Keras trained one more step from the saved state; matching it needs the step count
    # and Adam's moments restored, in Keras's variable order.
    model = lamina.saving.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    assert int(model.optimizer.iterations.numpy()) == 1
    x = _fixture_inputs(name)
    model.train_on_batch(x, _fixture(name, "y"))
    assert int(model.optimizer.iterations.numpy()) == 2
    np.testing.assert_allclose(model.predict(x, verbose=0), _fixture(name, "pred_step2"),
                               rtol=1e-4, atol=1e-4)


def test_keras_file_compile_false_gives_uncompiled_model():
    model = lamina.saving.load_model(os.path.join(FIXTURES, "sequential_mlp.keras"),
                                     compile=False)
    assert not model.compiled and model.optimizer is None
    np.testing.assert_allclose(model.predict(_fixture_inputs("sequential_mlp"), verbose=0),
                               _fixture("sequential_mlp", "pred"), rtol=1e-5, atol=1e-6)


def test_keras_compile_config_restored():
    model = lamina.saving.load_model(os.path.join(FIXTURES, "functional_two_inputs.keras"))
    assert type(model.optimizer).__name__ == "Adam"
    np.testing.assert_allclose(float(model.optimizer.learning_rate.numpy()), 0.01, rtol=1e-6)


# -- lamina's layout == Keras's layout -------------------------------------------------------------
def _lamina_twin(name):
    """The fixture's architecture built fresh in lamina, compiled and trained one step."""
    if name == "sequential_mlp":
        model = lamina.Sequential([lamina.Input((4,)), layers.Dense(5, activation="relu"),
                                   layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    elif name == "functional_two_inputs":
        a, b = lamina.Input((3,), name="a"), lamina.Input((2,), name="b")
        xa = layers.Dense(4, activation="tanh")(a)
        xb = layers.Dense(4)(layers.Dense(4, activation="relu")(b))
        model = lamina.Model([a, b], layers.Dense(2)(layers.Concatenate()([xa, xb])))
        model.compile(optimizer=lamina.optimizers.Adam(learning_rate=0.01), loss="mse")
    else:
        model = lamina.Sequential([lamina.Input((6, 6, 2)), layers.Conv2D(3, 3),
                                   layers.BatchNormalization(), layers.Activation("relu"),
                                   layers.Flatten(), layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
    model.train_on_batch(_fixture_inputs(name), _fixture(name, "y"))
    return model


@pytest.mark.parametrize("name", TRAINED)
def test_lamina_file_has_keras_layout(name, tmp_path):
    path = tmp_path / "m.keras"
    _lamina_twin(name).save(path)
    keras_path = os.path.join(FIXTURES, f"{name}.keras")
    with zipfile.ZipFile(path) as ours, zipfile.ZipFile(keras_path) as theirs:
        assert sorted(ours.namelist()) == sorted(theirs.namelist()) == \
            ["config.json", "metadata.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in ours.infolist())
    metadata = json.loads(_member(path, "metadata.json"))
    assert set(json.loads(_member(keras_path, "metadata.json"))) <= set(metadata)
    assert metadata["keras_version"].startswith("3.")
    assert metadata["lamina_version"] in metadata["keras_version"]

    ours, theirs = (json.loads(_member(p, "config.json")) for p in (path, keras_path))
    assert set(ours) == set(theirs) == {"module", "class_name", "config", "registered_name",
                                        "build_config", "compile_config"}
    assert (ours["module"], ours["class_name"]) == (theirs["module"], theirs["class_name"])
    assert ours["build_config"] == theirs["build_config"]
    assert set(ours["compile_config"]) == set(theirs["compile_config"])
    assert ours["compile_config"]["loss"] == theirs["compile_config"]["loss"]
    assert ours["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert [e["class_name"] for e in ours["config"]["layers"]] == \
        [e["class_name"] for e in theirs["config"]["layers"]]
    for entry, keras_entry in zip(ours["config"]["layers"], theirs["config"]["layers"]):
        # Keras omits build_config for layers built in __init__ (Activation); lamina writes it.
        assert set(keras_entry) <= set(entry) <= set(keras_entry) | {"build_config"}

    our_shapes, our_names = _h5_datasets(_member(path, "model.weights.h5"))
    keras_shapes, _ = _h5_datasets(_member(keras_path, "model.weights.h5"))
    assert our_shapes == keras_shapes  # every dataset path, in Keras's naming, and its shape
    assert our_names["vars"] == ours["config"]["name"]


def test_functional_branch_order_names_match_keras():
    # Keras names h5 groups by layer class in its depth order: here the deeper "b" branch's
    # first Dense is `dense`, although lamina created the "a" branch's Dense first.
    _, names = _h5_datasets(_member(os.path.join(FIXTURES, "functional_two_inputs.keras"),
                                    "model.weights.h5"))
    shapes, _ = _h5_datasets(_member(os.path.join(FIXTURES, "functional_two_inputs.keras"),
                                     "model.weights.h5"))
    assert shapes["layers/dense/vars/0"] == (2, 4)
    assert shapes["layers/dense_1/vars/0"] == (3, 4)
    assert names["layers/input_layer/vars"] == "b"


# -- lamina -> lamina ------------------------------------------------------------------------------
def _mlp():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(4, activation="relu"),
                               layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def test_compiled_model_resumes_training_with_optimizer_state(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 2)).astype("float32")
    model = _mlp()
    model.train_on_batch(x, y)
    model.save(tmp_path / "m.keras")
    loaded = lamina.saving.load_model(tmp_path / "m.keras")
    for ours, theirs in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert int(loaded.optimizer.iterations.numpy()) == 1
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    for ours, theirs in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    assert loaded.metrics_names == model.metrics_names


def test_compiled_but_untrained_model_loads_without_warning(tmp_path, recwarn):
    model = _mlp()
    model.save(tmp_path / "m.keras")
    loaded = lamina.saving.load_model(tmp_path / "m.keras")
    assert loaded.compiled and not [w for w in recwarn if "optimizer" in str(w.message)]
    loaded.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    assert int(loaded.optimizer.iterations.numpy()) == 1


@serialization.register_keras_serializable(package="TestArchive")
class TwoBlock(lamina.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.first = layers.Dense(units, activation="tanh")
        self.norm = layers.BatchNormalization()
        self.heads = [layers.Dense(2), layers.Dense(2)]

    def call(self, inputs, training=None):
        h = self.norm(self.first(inputs), training=training)
        return ops.add(self.heads[0](h), self.heads[1](h))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_registered_subclassed_model_round_trip(tmp_path):
    model = TwoBlock(units=3)
    x = np.random.default_rng(1).normal(size=(4, 5)).astype("float32")
    model(x)
    model.norm.moving_mean.assign(np.array([0.5, -1.0, 2.0], "float32"))
    model.save(tmp_path / "sub.keras")
    shapes, _ = _h5_datasets(_member(tmp_path / "sub.keras", "model.weights.h5"))
    # Keras names a subclassed model's children by attribute, lists by class.
    assert set(shapes) == {"first/vars/0", "first/vars/1", "heads/dense/vars/0",
                           "heads/dense/vars/1", "heads/dense_1/vars/0", "heads/dense_1/vars/1",
                           "norm/vars/0", "norm/vars/1", "norm/vars/2", "norm/vars/3"}
    loaded = lamina.saving.load_model(tmp_path / "sub.keras")
    assert isinstance(loaded, TwoBlock) and loaded.units == 3
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_nested_model_paths(tmp_path):
    inner = lamina.Sequential([layers.Dense(2)], name="inner")
    x = lamina.Input((3,))
    model = lamina.Model(x, inner(layers.Dense(3)(x)))
    model.save(tmp_path / "n.keras")
    shapes, names = _h5_datasets(_member(tmp_path / "n.keras", "model.weights.h5"))
    assert set(shapes) == {"layers/dense/vars/0", "layers/dense/vars/1",
                           "layers/sequential/layers/dense/vars/0",
                           "layers/sequential/layers/dense/vars/1"}
    assert names["layers/sequential/vars"] == "inner"
    loaded = lamina.saving.load_model(tmp_path / "n.keras")
    data = np.ones((2, 3), "float32")
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0),
                               rtol=1e-6)


def test_save_to_and_load_from_file_objects():
    model = _mlp()
    model(np.ones((1, 3)))
    buffer = io.BytesIO()
    lamina.saving.save_model(model, buffer)
    buffer.seek(0)
    loaded = lamina.saving.load_model(buffer)
    np.testing.assert_allclose(loaded.predict(np.ones((2, 3)), verbose=0),
                               model.predict(np.ones((2, 3)), verbose=0), rtol=1e-6)


# -- every layer family ---------------------------------------------------------------------------
def _seq(input_shape, *stack):
    return lamina.Sequential([lamina.Input(input_shape), *stack])


def _merging_model():
    a, b = lamina.Input((4,)), lamina.Input((4,))
    merged = [cls()([a, b]) for cls in (layers.Add, layers.Average, layers.Maximum,
                                        layers.Minimum, layers.Multiply, layers.Subtract)]
    merged.append(layers.Dot(axes=1)([a, b]))
    return lamina.Model([a, b], layers.Concatenate()(merged))


def _core_model():
    tokens = lamina.Input((5,), dtype="int32")
    embedded = layers.Embedding(7, 3)(tokens)
    x = layers.Lambda(ops.square)(layers.Identity()(embedded))
    return lamina.Model(tokens, layers.Dense(2)(layers.Masking()(x)))


# One builder per layer family in lamina.layers; add recurrent/attention builders here.
FAMILY_MODELS = {
    "core": (_core_model, lambda rng: rng.integers(0, 7, size=(2, 5)).astype("int32")),
    "activations": (lambda: _seq((4,), layers.Dense(4), layers.ELU(), layers.LeakyReLU(0.2),
                                 layers.PReLU(), layers.ReLU(max_value=2.0),
                                 layers.Activation("tanh"), layers.Softmax()), (2, 4)),
    "convolution_1d": (lambda: _seq((8, 2), layers.Conv1D(3, 3), layers.Conv1DTranspose(2, 3),
                                    layers.DepthwiseConv1D(3),
                                    layers.SeparableConv1D(2, 3)), (2, 8, 2)),
    "convolution_2d": (lambda: _seq((6, 6, 2), layers.Conv2D(3, 3),
                                    layers.Conv2DTranspose(2, 3), layers.DepthwiseConv2D(3),
                                    layers.SeparableConv2D(2, 3)), (2, 6, 6, 2)),
    "convolution_3d": (lambda: _seq((4, 4, 4, 1), layers.Conv3D(2, 2),
                                    layers.Conv3DTranspose(1, 2)), (2, 4, 4, 4, 1)),
    "pooling": (lambda: _seq((8, 8, 2), layers.MaxPooling2D(), layers.AveragePooling2D(2),
                             layers.GlobalAveragePooling2D()), (2, 8, 8, 2)),
    "pooling_1d_3d": (lambda: _seq((8, 2), layers.MaxPooling1D(), layers.AveragePooling1D(2),
                                   layers.GlobalMaxPooling1D()), (2, 8, 2)),
    "normalization": (lambda: _seq((6,), layers.BatchNormalization(),
                                   layers.LayerNormalization(),
                                   layers.GroupNormalization(groups=2),
                                   layers.RMSNormalization(), layers.UnitNormalization()), (2, 6)),
    "regularization": (lambda: _seq((6,), layers.Dropout(0.5), layers.GaussianNoise(0.1),
                                    layers.GaussianDropout(0.2), layers.AlphaDropout(0.1),
                                    layers.ActivityRegularization(l1=0.01),
                                    layers.Dense(2)), (2, 6)),
    "reshaping": (lambda: _seq((4, 4, 2), layers.ZeroPadding2D(1), layers.Cropping2D(1),
                               layers.UpSampling2D(2), layers.Permute((3, 1, 2)),
                               layers.Reshape((8, 16)), layers.Flatten(),
                               layers.RepeatVector(2)), (2, 4, 4, 2)),
    "merging": (_merging_model, None),
}


def _inputs(spec, model, rng):
    if callable(spec):
        return spec(rng)
    if spec is None:
        return [rng.normal(size=(2, *t.shape[1:])).astype("float32") for t in model.inputs]
    return rng.normal(size=spec).astype("float32")


@pytest.mark.parametrize("family", sorted(FAMILY_MODELS))
def test_every_layer_family_round_trips(family, tmp_path):
    build, spec = FAMILY_MODELS[family]
    rng = np.random.default_rng(0)
    model = build()
    # Random values everywhere (moving statistics included) so a swapped or skipped weight shows.
    for variable in model.weights:
        variable.assign(rng.uniform(0.5, 1.5, size=variable.shape).astype(variable.dtype))
    x = _inputs(spec, model, rng)
    model.save(tmp_path / f"{family}.keras")
    loaded = lamina.saving.load_model(tmp_path / f"{family}.keras")
    assert [type(a) for a in loaded.layers] == [type(b) for b in model.layers]
    for ours, theirs in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)


def test_metadata_and_format_constants():
    meta = archive.metadata()
    assert set(meta) == {"keras_version", "lamina_version", "date_saved"}
    assert meta["keras_version"] == f"{archive.KERAS_FORMAT_VERSION}+lamina.{lamina.__version__}"
