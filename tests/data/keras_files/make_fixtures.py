"""Writes the Keras 3 fixture files that tests/saving reads (the test suite never imports keras).

Run with the reference Keras install from the repository root:
    KERAS_BACKEND=jax /tmp/kenv/venv/bin/python tests/data/keras_files/make_fixtures.py

Each model is compiled with Adam and trained one step, so its file carries optimizer state.
For each `<name>.keras` it writes `<name>_x*.npy` (inputs) and `<name>_pred.npy` (Keras's
predictions on them); trained models also get `<name>_y.npy` (targets) and
`<name>_pred_step2.npy` (predictions after one more training step on x, y).
"""

import os

import keras
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)


def sequential_mlp():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    x = [rng.normal(size=(6, 4)).astype("float32")]
    y = rng.integers(0, 3, size=(6,))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, x, y


def functional_two_inputs():
    # Branches of different depth: Keras orders layers by depth, which decides the h5 names.
    keras.utils.set_random_seed(2)
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    xa = keras.layers.Dense(4, activation="tanh")(a)
    xb = keras.layers.Dense(4)(keras.layers.Dense(4, activation="relu")(b))
    out = keras.layers.Dense(2)(keras.layers.Concatenate()([xa, xb]))
    model = keras.Model([a, b], out)
    x = [rng.normal(size=(5, 3)).astype("float32"), rng.normal(size=(5, 2)).astype("float32")]
    y = rng.normal(size=(5, 2)).astype("float32")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    return model, x, y


def conv_bn_dense():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((6, 6, 2)), keras.layers.Conv2D(3, 3),
                              keras.layers.BatchNormalization(),
                              keras.layers.Activation("relu"), keras.layers.Flatten(),
                              keras.layers.Dense(2)])
    x = [rng.normal(size=(4, 6, 6, 2)).astype("float32")]
    y = rng.normal(size=(4, 2)).astype("float32")
    model.compile(optimizer="adam", loss="mse")
    return model, x, y


def lambda_model():
    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 3.0 + 1.0)])
    return model, [rng.normal(size=(2, 3)).astype("float32")], None


def main():
    for build in (sequential_mlp, functional_two_inputs, conv_bn_dense, lambda_model):
        name = build.__name__
        model, x, y = build()
        inputs = x if len(x) > 1 else x[0]
        if y is not None:
            model.train_on_batch(inputs, y)
        model.save(os.path.join(HERE, f"{name}.keras"))
        for i, array in enumerate(x):
            np.save(os.path.join(HERE, f"{name}_x{i}.npy"), array)
        np.save(os.path.join(HERE, f"{name}_pred.npy"), model.predict(inputs, verbose=0))
        if y is not None:
            # One more step from the saved state: a loader that restores the optimizer (step
            # count and moments) reproduces these predictions.
            np.save(os.path.join(HERE, f"{name}_y.npy"), y)
            model.train_on_batch(inputs, y)
            np.save(os.path.join(HERE, f"{name}_pred_step2.npy"), model.predict(inputs, verbose=0))
        print(name, os.path.getsize(os.path.join(HERE, f"{name}.keras")), "bytes")


if __name__ == "__main__":
    main()
