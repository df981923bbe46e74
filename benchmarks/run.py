"""Time the same workloads on lamina, Keras 3 (JAX backend) and a hand-written PyTorch loop.

Run: python benchmarks/run.py [--only W1,W2]
Each (workload, framework) pair runs in a fresh process of one sitting; a framework that is not
installed is reported as such. Figures go to benchmarks/RESULTS.md by hand, with the machine.

Workloads (the foundation issue's):
- W1: the seed's XOR network, fit for 10000 epochs at batch size 4 (first fit includes
  compilation; "steady" is a second identical fit).
- W2: an MLP 784-512-512-10 (ReLU, softmax, Adam), one epoch over 60000x784 float32 data at
  batch size 128 (synthetic data of MNIST's shape; timing does not depend on the values).
- W3: the convnet of the Layers I issue (Conv2D 32 - MaxPooling2D - Conv2D 64 - MaxPooling2D -
  Flatten - Dropout - Dense 10 softmax, Adam), one epoch over 12000 28x28x1 samples, batch 128.
- W4: Embedding(20000, 128) - LSTM(64) - Dense(1, sigmoid), Adam, binary crossentropy, one
  epoch over 4000 sequences of length 100, batch 64.
- W5: a one-block transformer classifier: token and position embedding 64 (vocab 20000,
  length 128), MultiHeadAttention (2 heads, key_dim 32), residuals with LayerNormalization, a
  feed-forward network of 128, GlobalAveragePooling1D, Dense(2, softmax), Adam, one epoch over
  4000 sequences, batch 32.
- W6p/W6c/W6t: inference with the W2 model: predict on 1 row, model(x) on 1 row (median
  latency after the first call), and predict on 10000 rows.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# -- data ---------------------------------------------------------------------------------------
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
XOR_Y = np.array([[0], [1], [1], [0]], dtype="float32")


def mlp_data(n=60000):
    rng = np.random.default_rng(0)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, size=n).astype("int32")


# -- lamina and Keras share the Keras 3 API ----------------------------------------------------
def keras_like_xor(k):
    model = k.Sequential([k.Input((2,)), k.layers.Dense(2), k.layers.Activation("sigmoid"),
                          k.layers.Dense(1), k.layers.Activation("sigmoid")])
    model.compile(loss="mean_squared_error",
                  optimizer=k.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True))
    first = _timed(lambda: model.fit(XOR_X, XOR_Y, epochs=10000, batch_size=4, verbose=0))
    steady = _timed(lambda: model.fit(XOR_X, XOR_Y, epochs=10000, batch_size=4, verbose=0))
    return first, steady


def keras_like_mlp(k, x, y):
    model = k.Sequential([k.Input((784,)), k.layers.Dense(512, activation="relu"),
                          k.layers.Dense(512, activation="relu"),
                          k.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=k.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    first = _timed(lambda: model.fit(x, y, epochs=1, batch_size=128, verbose=0))
    steady = _timed(lambda: model.fit(x, y, epochs=1, batch_size=128, verbose=0))
    return first, steady


def convnet_data(n=12000):
    rng = np.random.default_rng(0)
    return (rng.random((n, 28, 28, 1), dtype=np.float32),
            rng.integers(0, 10, size=n).astype("int32"))


def keras_like_convnet(k, x, y):
    layers = k.layers
    model = k.Sequential([k.Input((28, 28, 1)),
                          layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
                          layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
                          layers.Flatten(), layers.Dropout(0.5),
                          layers.Dense(10, activation="softmax")])
    model.compile(optimizer=k.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    first = _timed(lambda: model.fit(x, y, epochs=1, batch_size=128, verbose=0))
    steady = _timed(lambda: model.fit(x, y, epochs=1, batch_size=128, verbose=0))
    return first, steady


def sequence_data(n=4000, length=100, vocab=20000, classes=2):
    rng = np.random.default_rng(0)
    return (rng.integers(1, vocab, size=(n, length)).astype("int32"),
            rng.integers(0, classes, size=n).astype("int32"))


def keras_like_lstm(k, x, y):
    layers = k.layers
    model = k.Sequential([k.Input((100,), dtype="int32"), layers.Embedding(20000, 128),
                          layers.LSTM(64), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=k.optimizers.Adam(1e-3), loss="binary_crossentropy")
    y = y.astype("float32")
    first = _timed(lambda: model.fit(x, y, epochs=1, batch_size=64, verbose=0))
    steady = _timed(lambda: model.fit(x, y, epochs=1, batch_size=64, verbose=0))
    return first, steady


def keras_like_transformer(k, x, y):
    layers, ops = k.layers, k.ops

    class TokenAndPosition(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.tokens = layers.Embedding(20000, 64)
            self.positions = layers.Embedding(128, 64)

        def call(self, x):
            return self.tokens(x) + self.positions(ops.arange(ops.shape(x)[-1]))

    inputs = k.Input((128,), dtype="int32")
    h = TokenAndPosition()(inputs)
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=32)(h, h)
    h = layers.LayerNormalization(epsilon=1e-6)(h + layers.Dropout(0.1)(attended))
    fed = layers.Dense(64)(layers.Dense(128, activation="relu")(h))
    h = layers.LayerNormalization(epsilon=1e-6)(h + layers.Dropout(0.1)(fed))
    h = layers.GlobalAveragePooling1D()(h)
    outputs = layers.Dense(2, activation="softmax")(layers.Dropout(0.1)(h))
    model = k.Model(inputs, outputs)
    model.compile(optimizer=k.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    first = _timed(lambda: model.fit(x, y, epochs=1, batch_size=32, verbose=0))
    steady = _timed(lambda: model.fit(x, y, epochs=1, batch_size=32, verbose=0))
    return first, steady


def _latency(fn, repeat=50):
    """(first call, median of `repeat` further calls) in seconds."""
    first = _timed(fn)
    times = sorted(_timed(fn) for _ in range(repeat))
    return first, times[len(times) // 2]


def _inference_mlp(k):
    layers = k.layers
    model = k.Sequential([k.Input((784,)), layers.Dense(512, activation="relu"),
                          layers.Dense(512, activation="relu"),
                          layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    return model


def keras_like_predict_one(k, x, y):
    model = _inference_mlp(k)
    return _latency(lambda: model.predict(x[:1], verbose=0))


def keras_like_call_one(k, x, y):
    model = _inference_mlp(k)
    one = x[:1]
    return _latency(lambda: np.asarray(model(one)))


def keras_like_predict_many(k, x, y):
    model = _inference_mlp(k)
    return _latency(lambda: model.predict(x[:10000], batch_size=128, verbose=0), repeat=3)


# -- PyTorch, written by hand -----------------------------------------------------------------
def torch_xor(torch):
    torch.manual_seed(0)
    x, y = torch.from_numpy(XOR_X), torch.from_numpy(XOR_Y)

    def run():
        model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sigmoid(),
                                    torch.nn.Linear(2, 1), torch.nn.Sigmoid())
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
        for _ in range(10000):
            perm = torch.randperm(4)
            opt.zero_grad()
            loss = torch.mean((model(x[perm]) - y[perm]) ** 2)
            loss.backward()
            opt.step()
    return _timed(run), _timed(run)


def torch_mlp(torch, x, y):
    torch.manual_seed(0)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y).long()
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        perm = torch.randperm(xt.shape[0])
        for start in range(0, xt.shape[0], 128):
            idx = perm[start:start + 128]
            opt.zero_grad()
            loss_fn(model(xt[idx]), yt[idx]).backward()
            opt.step()
    return _timed(epoch), _timed(epoch)


def torch_convnet(torch, x, y):
    torch.manual_seed(0)
    nn = torch.nn
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    yt = torch.from_numpy(y).long()
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Dropout(0.5), nn.Linear(64 * 5 * 5, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def epoch():
        perm = torch.randperm(xt.shape[0])
        for start in range(0, xt.shape[0], 128):
            idx = perm[start:start + 128]
            opt.zero_grad()
            loss_fn(model(xt[idx]), yt[idx]).backward()
            opt.step()
    return _timed(epoch), _timed(epoch)


def _torch_epochs(torch, model, batches, loss_fn, lr=1e-3):
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def epoch():
        for xb, yb in batches():
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
    return _timed(epoch), _timed(epoch)


def _torch_batches(torch, xt, yt, batch_size):
    def batches():
        perm = torch.randperm(xt.shape[0])
        for start in range(0, xt.shape[0], batch_size):
            idx = perm[start:start + batch_size]
            yield xt[idx], yt[idx]
    return batches


def torch_lstm(torch, x, y):
    torch.manual_seed(0)
    nn = torch.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(20000, 128)
            self.lstm = nn.LSTM(128, 64, batch_first=True)
            self.dense = nn.Linear(64, 1)

        def forward(self, x):
            _, (h, _) = self.lstm(self.embedding(x))
            return self.dense(h[-1]).squeeze(-1)

    xt, yt = torch.from_numpy(x).long(), torch.from_numpy(y).float()
    return _torch_epochs(torch, Classifier(), _torch_batches(torch, xt, yt, 64),
                         nn.BCEWithLogitsLoss())


def torch_transformer(torch, x, y):
    torch.manual_seed(0)
    nn = torch.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.tokens = nn.Embedding(20000, 64)
            self.positions = nn.Embedding(128, 64)
            self.attention = nn.MultiheadAttention(64, 2, batch_first=True)
            self.norm1, self.norm2 = nn.LayerNorm(64, eps=1e-6), nn.LayerNorm(64, eps=1e-6)
            self.ffn = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64))
            self.dropout = nn.Dropout(0.1)
            self.dense = nn.Linear(64, 2)

        def forward(self, x):
            h = self.tokens(x) + self.positions(torch.arange(x.shape[1]))
            attended, _ = self.attention(h, h, h, need_weights=False)
            h = self.norm1(h + self.dropout(attended))
            h = self.norm2(h + self.dropout(self.ffn(h)))
            return self.dense(self.dropout(h.mean(dim=1)))

    xt, yt = torch.from_numpy(x).long(), torch.from_numpy(y).long()
    return _torch_epochs(torch, Classifier(), _torch_batches(torch, xt, yt, 32),
                         nn.CrossEntropyLoss())


def _torch_inference_mlp(torch):
    torch.manual_seed(0)
    nn = torch.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10), nn.Softmax(dim=-1)).eval()


def torch_call_one(torch, x, y):
    model = _torch_inference_mlp(torch)
    one = torch.from_numpy(x[:1])

    def call():
        with torch.no_grad():
            return model(one).numpy()
    return _latency(call)


def torch_predict_many(torch, x, y):
    model = _torch_inference_mlp(torch)
    xt = torch.from_numpy(x[:10000])

    def predict():
        with torch.no_grad():
            return np.concatenate([model(xt[i:i + 128]).numpy() for i in range(0, 10000, 128)])
    return _latency(predict, repeat=3)


WORKLOADS = {
    "W1": ("W1 XOR fit, 10000 epochs", lambda: (),
           {"lamina": keras_like_xor, "keras": keras_like_xor, "torch": torch_xor}),
    "W2": ("W2 MLP 784-512-512-10, one epoch", mlp_data,
           {"lamina": keras_like_mlp, "keras": keras_like_mlp, "torch": torch_mlp}),
    "W3": ("W3 convnet 28x28x1, one epoch", convnet_data,
           {"lamina": keras_like_convnet, "keras": keras_like_convnet, "torch": torch_convnet}),
    "W4": ("W4 Embedding-LSTM(64), one epoch", sequence_data,
           {"lamina": keras_like_lstm, "keras": keras_like_lstm, "torch": torch_lstm}),
    "W5": ("W5 transformer block, one epoch", lambda: sequence_data(length=128),
           {"lamina": keras_like_transformer, "keras": keras_like_transformer,
            "torch": torch_transformer}),
    # W6: inference latency of the W2 model. "first" is the first call (compilation included),
    # "steady" the median of later calls. PyTorch has no predict(): its row is a plain call.
    "W6p": ("W6 predict, 1 row (latency)", mlp_data,
            {"lamina": keras_like_predict_one, "keras": keras_like_predict_one,
             "torch": torch_call_one}),
    "W6c": ("W6 model(x), 1 row (latency)", mlp_data,
            {"lamina": keras_like_call_one, "keras": keras_like_call_one,
             "torch": torch_call_one}),
    "W6t": ("W6 predict, 10000 rows (throughput)", mlp_data,
            {"lamina": keras_like_predict_many, "keras": keras_like_predict_many,
             "torch": torch_predict_many}),
}


def _framework(name):
    """The imported framework, or None when it is not installed."""
    try:
        if name == "lamina":
            import lamina as module
        elif name == "keras":
            import keras as module
        else:
            import torch as module
            module.set_flush_denormal(True)
    except ImportError:
        return None
    return module


def _worker(workload, name):
    """Run one workload on one framework in this (fresh) process; print a JSON result."""
    module = _framework(name)
    if module is None:
        print(json.dumps(None))
        return
    _, make_data, runners = WORKLOADS[workload]
    first, steady = runners[name](module, *make_data())
    print(json.dumps({"first": first, "steady": steady,
                      "version": getattr(module, "__version__", "?")}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="W1,W2,W3,W4,W5,W6p,W6c,W6t")
    parser.add_argument("--worker", nargs=2, metavar=("WORKLOAD", "FRAMEWORK"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return
    rows, versions = [], {}
    for workload in [w for w in WORKLOADS if w in set(args.only.split(","))]:
        title = WORKLOADS[workload][0]
        for name in ("lamina", "keras", "torch"):
            # Each framework runs in its own process: sharing one, PyTorch's CPU threads
            # fought with XLA's (an LSTM epoch went from 3 s to 100 s).
            run = subprocess.run([sys.executable, __file__, "--worker", workload, name],
                                 capture_output=True, text=True, check=False)
            lines = run.stdout.strip().splitlines()
            result = json.loads(lines[-1]) if run.returncode == 0 and lines else None
            if run.returncode != 0:
                print(f"{workload} on {name} failed:\n{run.stderr[-2000:]}", file=sys.stderr)
            if result:
                versions[name] = result["version"]
            rows.append((title, name, result))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    print("versions:", versions)
    print("| workload | framework | first (s) | steady (s) | steady vs lamina |")
    print("|---|---|---|---|---|")
    base = {w: r for w, n, r in rows if n == "lamina" and r}
    for workload, name, result in rows:
        if result is None:
            print(f"| {workload} | {name} | not installed or failed | | |")
            continue
        ratio = result["steady"] / base[workload]["steady"] if workload in base else float("nan")
        print(f"| {workload} | {name} | {result['first']:.4g} | {result['steady']:.4g} | "
              f"{ratio:.2f}x |")


if __name__ == "__main__":
    main()
