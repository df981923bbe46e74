"""W7: build, fit one step and discard models in a loop; resident memory must level off.

Run: python benchmarks/memory.py [--models 200]
Prints the process's resident memory (from /proc/self/statm, Linux) after 20 models and after
the last, and their ratio. The models are the W2 MLP (784-512-512-10), fit on one batch.
"""

import argparse
import gc
import os

import numpy as np


def resident_mib():
    """This process's resident set size in MiB (Linux /proc)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def one_model(lamina, x, y):
    layers = lamina.layers
    model = lamina.Sequential([lamina.Input((784,)), layers.Dense(512, activation="relu"),
                               layers.Dense(512, activation="relu"),
                               layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=128, epochs=1, verbose=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=200)
    args = parser.parse_args()
    import lamina
    rng = np.random.default_rng(0)
    x = rng.random((128, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=128).astype("int32")
    marks = {}
    for i in range(1, args.models + 1):
        one_model(lamina, x, y)
        if i in (20, args.models):
            gc.collect()
            marks[i] = resident_mib()
            print(f"after {i} models: {marks[i]:.0f} MiB resident", flush=True)
    print(f"ratio {args.models} / 20: {marks[args.models] / marks[20]:.3f}")


if __name__ == "__main__":
    main()
