"""The numpy backend runs inference: models trained under jax predict and evaluate the same.

The backend is chosen once per process, so the numpy side runs in a subprocess with
LAMINA_BACKEND=numpy. This (jax) process builds each model, gives it random weights (moving
statistics of BatchNormalization included), records `predict` and `evaluate`, and saves the
weights to an .npz file; the subprocess rebuilds the same architectures, loads the weights with
`set_weights` and records its own results. Expected values are the jax backend's, and a NumPy
formula for the MLP.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# -- the models, built alike by both processes -----------------------------------------------------
def _mlp():
    from lamina import Sequential, layers
    model = Sequential([layers.Input((6,)), layers.Dense(8, activation="relu"),
                        layers.Dropout(0.3), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _convnet():
    from lamina import Input, Model, layers
    inputs = Input((8, 8, 3))
    x = layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(2)(x)
    model = Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model


def _embedding():
    from lamina import Sequential, layers
    model = Sequential([layers.Input((5,), dtype="int32"), layers.Embedding(10, 4),
                        layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _lstm():
    from lamina import Sequential, layers
    model = Sequential([layers.Input((4, 3)), layers.LSTM(5, return_sequences=True),
                        layers.LSTM(3), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


MODELS = {"mlp": _mlp, "convnet": _convnet, "embedding": _embedding, "lstm": _lstm}


def _data():
    rng = np.random.default_rng(0)
    return {
        "mlp": (rng.normal(size=(40, 6)).astype("float32"), rng.integers(0, 3, 40)),
        "convnet": (rng.normal(size=(12, 8, 8, 3)).astype("float32"),
                    rng.normal(size=(12, 2)).astype("float32")),
        "embedding": (rng.integers(0, 10, (30, 5)).astype("int32"),
                      rng.integers(0, 2, (30, 1)).astype("float32")),
        "lstm": (rng.normal(size=(10, 4, 3)).astype("float32"),
                 rng.normal(size=(10, 1)).astype("float32")),
    }


def _random_weights(model):
    """Random values for every weight (positive for variances): what training would leave,
    without paying for compiling a train step."""
    rng = np.random.default_rng(1)
    values = []
    for w in model.weights:
        value = rng.normal(scale=0.5, size=w.shape)
        if "variance" in w.path:
            value = np.abs(value) + 0.5
        values.append(value.astype(w.dtype))
    return values


def _run_side(folder, train):
    """Build every model, give it weights, and save its predict/evaluate results.

    Runs in both processes; on the jax side (`train` True) the weights are drawn and saved, on
    the numpy side they are loaded, and fit/train_on_batch must refuse to run.
    """
    from lamina import backend

    results = {"backend": backend.backend(), "errors": {}}
    arrays = {}
    for name, build in MODELS.items():
        x, y = _data()[name]
        model = build()
        if train:
            model(x[:1])  # build
            model.set_weights(_random_weights(model))
            np.savez(os.path.join(folder, f"{name}_weights.npz"), *model.get_weights())
        else:
            model(x[:1])  # build
            saved = np.load(os.path.join(folder, f"{name}_weights.npz"))
            model.set_weights([saved[f"arr_{i}"] for i in range(len(saved.files))])
            for call in ("fit", "train_on_batch"):
                try:
                    getattr(model, call)(x, y, **({"verbose": 0} if call == "fit" else {}))
                except NotImplementedError as error:
                    results["errors"][f"{name}.{call}"] = str(error)
        # Batch size 8 leaves a partial last batch: both the loop and the remainder run.
        arrays[f"{name}_predict"] = model.predict(x, batch_size=8, verbose=0)
        results[f"{name}_evaluate"] = model.evaluate(x, y, batch_size=8, verbose=0,
                                                     return_dict=True)
    np.savez(os.path.join(folder, f"{'jax' if train else 'numpy'}_outputs.npz"), **arrays)
    with open(os.path.join(folder, f"{'jax' if train else 'numpy'}_results.json"), "w") as f:
        json.dump(results, f)


def _numpy_side_main(folder):
    _run_side(folder, train=False)
    import sys as _sys
    # jax must not even be imported by a numpy-backend process.
    assert "jax" not in _sys.modules, "the numpy backend imported jax"


@pytest.fixture(scope="module")
def both_sides(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("numpy_backend"))
    _run_side(folder, train=True)
    env = {**os.environ, "LAMINA_BACKEND": "numpy", "KERAS_BACKEND": "numpy"}
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "from tests.backend.test_numpy_backend import _numpy_side_main; "
            "_numpy_side_main(sys.argv[2])")
    done = subprocess.run([sys.executable, "-c", code, ROOT, folder], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    sides = {"folder": folder}
    for side in ("jax", "numpy"):
        with open(os.path.join(folder, f"{side}_results.json")) as f:
            results = json.load(f)
        outputs = np.load(os.path.join(folder, f"{side}_outputs.npz"))
        sides[side] = (results, {k: outputs[k] for k in outputs.files})
    return sides


def test_subprocess_runs_the_numpy_backend(both_sides):
    assert both_sides["jax"][0]["backend"] == "jax"
    assert both_sides["numpy"][0]["backend"] == "numpy"


@pytest.mark.parametrize("name", list(MODELS))
def test_predict_matches_jax(both_sides, name):
    expected = both_sides["jax"][1][f"{name}_predict"]
    actual = both_sides["numpy"][1][f"{name}_predict"]
    assert actual.shape == expected.shape and actual.dtype == expected.dtype == np.float32
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)
    assert np.std(expected) > 1e-3  # the models compute something, not constants


@pytest.mark.parametrize("name", list(MODELS))
def test_evaluate_matches_jax(both_sides, name):
    expected = both_sides["jax"][0][f"{name}_evaluate"]
    actual = both_sides["numpy"][0][f"{name}_evaluate"]
    assert sorted(actual) == sorted(expected) and len(expected) == 2
    for key in expected:
        np.testing.assert_allclose(actual[key], expected[key], rtol=1e-5, atol=1e-6,
                                   err_msg=key)


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("call", ["fit", "train_on_batch"])
def test_training_under_numpy_raises_the_inference_only_error(both_sides, name, call):
    message = both_sides["numpy"][0]["errors"].get(f"{name}.{call}")
    assert message is not None, f"{call} did not raise under the numpy backend"
    assert message.startswith(f"{call}: the active backend runs inference only")
    assert "LAMINA_BACKEND=jax" in message and "predict, evaluate" in message


def test_numpy_side_matches_a_numpy_formula_for_the_mlp(both_sides):
    """The numpy side's numbers are right in themselves, not only equal to jax's."""
    x, _ = _data()["mlp"]
    saved = np.load(os.path.join(both_sides["folder"], "mlp_weights.npz"))
    w1, b1, w2, b2 = (saved[f"arr_{i}"].astype("float64") for i in range(4))
    logits = np.maximum(x @ w1 + b1, 0.0) @ w2 + b2  # dropout is off in inference
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(both_sides["numpy"][1]["mlp_predict"], probs, rtol=1e-5,
                               atol=1e-6)


def test_capabilities_of_the_active_jax_backend():
    from lamina import backend
    assert backend.supports("training") is True


def test_numpy_backend_capabilities_in_a_subprocess():
    code = ("from lamina import backend; "
            "print([backend.backend(), *(backend.supports(c) for c in "
            "('training', 'float64', 'jit', 'donation'))])")
    env = {**os.environ, "LAMINA_BACKEND": "", "KERAS_BACKEND": "numpy"}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['numpy', False, True, False, False]"
