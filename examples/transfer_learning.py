"""Transfer learning: features learned on a 10-way digit task help a related task with 20 labels.

Task A has plenty of data: half of scikit-learn's bundled 8x8 digits (about 900), labelled
0-9. A small convnet learns it. Task B is related but new: is the digit odd or even? It has
only 2 labelled images of each digit (20 in all), from the other half of the set; the rest of
that half (about 880) measures the result. Two models learn task B:

- **transfer**: the task-A model's feature extractor (convolutions and a 32-unit Dense layer),
  its weights copied over with `get_weights`/`set_weights` and frozen with
  `trainable = False`, under a new softmax head; after the head has learned, the base is
  unfrozen and the whole model fine-tuned with a 10x smaller learning rate (recompiling after
  changing `trainable`, as Keras requires).
- **scratch**: the same architecture, randomly initialised, trained on the same 20 images for
  as many epochs.

Run: python examples/transfer_learning.py
Result (seed 0, 2-core CPU, about 15 s): task B accuracy about 0.95 with transfer against
about 0.83 from scratch (task A: about 1.00 on its training images). The test runs shorter
trainings and asserts transfer >= 0.9 and at least 0.05 above scratch.
"""

import numpy as np

import lamina
from lamina import layers

SHOTS = 2


def load_tasks(shots=SHOTS, seed=0):
    """Task A (half the digits, labelled 0-9) and task B (the other half, labelled odd/even).

    Task B trains on `shots` images of each digit (10 * shots in all) and tests on the rest of
    its half, so no image appears in both tasks.

    Returns:
        (x_a, y_a), (x_b_train, y_b_train), (x_b_test, y_b_test): images (n, 8, 8, 1) in
        [0, 1] and int32 labels (task A: the digit; task B: 1 for odd, 0 for even).
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")[..., None]
    y = digits.target.astype("int32")
    rng = np.random.default_rng(seed)
    in_a = np.zeros(len(y), dtype=bool)
    in_a[rng.permutation(len(y))[:len(y) // 2]] = True
    train_b = np.zeros(len(y), dtype=bool)
    for digit in range(10):
        candidates = np.flatnonzero(~in_a & (y == digit))
        train_b[rng.choice(candidates, size=shots, replace=False)] = True
    test_b = ~in_a & ~train_b
    return ((x[in_a], y[in_a]), (x[train_b], y[train_b] % 2), (x[test_b], y[test_b] % 2))


def build_base():
    """The convolutional feature extractor shared by both tasks."""
    return lamina.Sequential([
        lamina.Input(shape=(8, 8, 1)),
        layers.Conv2D(32, (3, 3), activation="relu", padding="same"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu", padding="same"),
        layers.MaxPooling2D((2, 2)),
        layers.Flatten(),
        layers.Dense(32, activation="relu"),
    ], name="base")


def with_head(base, num_classes):
    """`base` under a new softmax head over `num_classes`."""
    return lamina.Sequential([base, layers.Dropout(0.3),
                              layers.Dense(num_classes, activation="softmax")])


def compile_model(model, learning_rate):
    model.compile(optimizer=lamina.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def train(shots=SHOTS, epochs_a=30, epochs_b=100, fine_tune_epochs=30, verbose=0, seed=0):
    """Learn task A, then task B with and without the transferred base.

    Returns:
        A dict of test accuracies: `"task_a"` (on task A's training images, a sanity check),
        `"transfer"` and `"scratch"` (on task B's held-out images).
    """
    lamina.utils.set_random_seed(seed)
    (x_a, y_a), (x_b, y_b), (x_b_test, y_b_test) = load_tasks(shots, seed)

    source = with_head(build_base(), 10)
    compile_model(source, 1e-3)
    source.fit(x_a, y_a, batch_size=32, epochs=epochs_a, verbose=verbose)
    _, task_a = source.evaluate(x_a, y_a, verbose=0)

    base = build_base()
    base.set_weights(source.layers[0].get_weights())
    base.trainable = False
    transfer = with_head(base, 2)
    compile_model(transfer, 1e-2)
    transfer.fit(x_b, y_b, batch_size=10, epochs=epochs_b, verbose=verbose)
    base.trainable = True
    compile_model(transfer, 1e-3)
    transfer.fit(x_b, y_b, batch_size=10, epochs=fine_tune_epochs, verbose=verbose)
    _, transfer_accuracy = transfer.evaluate(x_b_test, y_b_test, verbose=0)

    scratch = with_head(build_base(), 2)
    compile_model(scratch, 1e-2)
    scratch.fit(x_b, y_b, batch_size=10, epochs=epochs_b + fine_tune_epochs, verbose=verbose)
    _, scratch_accuracy = scratch.evaluate(x_b_test, y_b_test, verbose=0)
    return {"task_a": task_a, "transfer": transfer_accuracy, "scratch": scratch_accuracy}


def main():
    result = train()
    print(f"task A (which digit, half the set) training accuracy {result['task_a']:.4f}")
    print(f"task B (odd or even, {SHOTS} training images per digit) held-out accuracy: "
          f"transfer {result['transfer']:.4f}, from scratch {result['scratch']:.4f}")


if __name__ == "__main__":
    main()
