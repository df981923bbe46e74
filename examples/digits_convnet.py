"""A small convnet on scikit-learn's bundled 8x8 handwritten digits (1797 images, offline).

Conv2D(32, 3x3) - MaxPooling2D - Conv2D(64, 3x3, "same") - MaxPooling2D - Flatten - Dropout(0.5)
- Dense(10, softmax), trained with Adam on a stratified 80/20 split.

Run: python examples/digits_convnet.py
Result (seed 0, 2-core CPU): test accuracy about 0.98 on 360 held-out images after 40 epochs.
"""

import lamina
from lamina import layers


def load_digits_images(seed=0, test_fraction=0.2):
    """8x8x1 images scaled to [0, 1] and a stratified train/test split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images / 16.0).astype("float32").reshape(-1, 8, 8, 1)
    y = digits.target.astype("int32")
    return train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=y)


def build_model():
    model = lamina.Sequential([
        lamina.Input(shape=(8, 8, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu", padding="same"),
        layers.MaxPooling2D((2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=lamina.optimizers.Adam(learning_rate=1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train(epochs=40, verbose=1, seed=0):
    lamina.utils.set_random_seed(seed)
    x_train, x_test, y_train, y_test = load_digits_images(seed)
    model = build_model()
    model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=verbose)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return model, loss, accuracy


def main():
    model, loss, accuracy = train()
    model.summary()
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f} on 360 held-out digits")


if __name__ == "__main__":
    main()
