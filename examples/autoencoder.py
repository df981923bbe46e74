"""A dense autoencoder: squeeze scikit-learn's 8x8 digits through a 10-number code and back.

The encoder (64 -> 128 -> 10, ReLU) and the decoder (10 -> 128 -> 64, sigmoid) are two
Sequential models chained into one, trained to reproduce their input with mean squared error.
Afterwards the encoder alone maps a digit to its code and the decoder alone draws a digit from
a code. The reconstruction error on held-out digits is compared with two baselines: predicting
the mean training image (what a model that ignores its input can do), and PCA with the same
10 components (the best linear code). With matplotlib installed it draws originals above their
reconstructions to a PNG.

Run: python examples/autoencoder.py [--epochs 200] [--grid autoencoder.png]
Result (seed 0, 2-core CPU, about 20 s): held-out mean squared error about 0.0095 (pixels
scaled to [0, 1]) against 0.074 for the mean image (7.7x larger) and 0.020 for 10-component
PCA. The test trains for 60 epochs (0.011) and asserts an error below a third of the mean
image's and below PCA's.
"""

import argparse
import os

import numpy as np

import lamina
from lamina import layers

CODE_SIZE = 10


def load_digits_split(seed=0, test_fraction=0.2):
    """Flattened 8x8 digits scaled to [0, 1], split into train and test sets."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x = (load_digits().data / 16.0).astype("float32")
    return train_test_split(x, test_size=test_fraction, random_state=seed)


def build_autoencoder(code_size=CODE_SIZE):
    """(autoencoder, encoder, decoder); the autoencoder shares the other two's weights."""
    encoder = lamina.Sequential([
        lamina.Input(shape=(64,)),
        layers.Dense(128, activation="relu"),
        layers.Dense(code_size, name="code"),
    ], name="encoder")
    decoder = lamina.Sequential([
        lamina.Input(shape=(code_size,)),
        layers.Dense(128, activation="relu"),
        layers.Dense(64, activation="sigmoid"),
    ], name="decoder")
    inputs = lamina.Input(shape=(64,))
    autoencoder = lamina.Model(inputs, decoder(encoder(inputs)), name="autoencoder")
    autoencoder.compile(optimizer=lamina.optimizers.Adam(learning_rate=2e-3), loss="mse")
    return autoencoder, encoder, decoder


def baselines(x_train, x_test, code_size=CODE_SIZE):
    """Test mean squared error of the mean training image and of PCA with `code_size` parts."""
    mean = x_train.mean(axis=0)
    mean_error = float(np.mean((x_test - mean) ** 2))
    _, _, components = np.linalg.svd(x_train - mean, full_matrices=False)
    basis = components[:code_size]
    projected = (x_test - mean) @ basis.T @ basis + mean
    return mean_error, float(np.mean((x_test - projected) ** 2))


def train(epochs=200, batch_size=64, verbose=1, seed=0):
    """Train the autoencoder on digits.

    Returns:
        A dict with the models, the held-out digits, their reconstructions and the errors of
        the autoencoder (`"error"`), the mean image (`"mean_error"`) and PCA (`"pca_error"`).
    """
    lamina.utils.set_random_seed(seed)
    x_train, x_test = load_digits_split(seed)
    autoencoder, encoder, decoder = build_autoencoder()
    autoencoder.fit(x_train, x_train, batch_size=batch_size, epochs=epochs, verbose=verbose)
    reconstructions = decoder.predict(encoder.predict(x_test, verbose=0), verbose=0)
    mean_error, pca_error = baselines(x_train, x_test)
    return {"autoencoder": autoencoder, "encoder": encoder, "decoder": decoder,
            "x_test": x_test, "reconstructions": reconstructions,
            "error": float(np.mean((x_test - reconstructions) ** 2)),
            "mean_error": mean_error, "pca_error": pca_error}


def save_grid(originals, reconstructions, path, count=10):
    """Draw `count` originals above their reconstructions; returns the path, or None."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, count, figsize=(count, 2.2))
    for column in range(count):
        for row, images in enumerate((originals, reconstructions)):
            axes[row, column].imshow(images[column].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
            axes[row, column].axis("off")
    axes[0, 0].set_title("original", loc="left", fontsize=8)
    axes[1, 0].set_title("reconstruction", loc="left", fontsize=8)
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return os.path.abspath(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200, help="training epochs (default 200)")
    parser.add_argument("--grid", default="autoencoder.png",
                        help="where to draw originals and reconstructions (default autoencoder.png)")
    args = parser.parse_args(argv)
    result = train(epochs=args.epochs, verbose=0)
    print(f"held-out mean squared error: autoencoder {result['error']:.4f}, "
          f"mean image {result['mean_error']:.4f} "
          f"({result['mean_error'] / result['error']:.1f}x larger), "
          f"PCA with {CODE_SIZE} components {result['pca_error']:.4f}")
    path = save_grid(result["x_test"], result["reconstructions"], args.grid)
    if path is None:
        print("grid: not drawn, matplotlib is not installed (pip install 'lamina[plot]')")
    else:
        print(f"originals and reconstructions drawn to {path}")


if __name__ == "__main__":
    main()
