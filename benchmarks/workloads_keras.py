"""The workloads through the Keras 3 API, run unchanged on lamina and on Keras 3 (JAX or torch).

Each `run_*` function takes the imported module (`lamina` or `keras`), the sizes from
`common.sizes`, the number of steady epochs and the system's name, and returns `common.result`'s
dict. Training workloads call `fit(..., epochs=1)` once per timed epoch (W1: one whole fit of
`xor_epochs` epochs per timed unit) and read the loss from the History that `fit` returns.
"""

import gc

import numpy as np

from benchmarks import common


def _fit_losses(model, x, y, epochs, batch_size):
    def fit():
        return model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0).history["loss"]
    return fit


def run_xor(k, size, steady_epochs, system):
    """W1: the XOR net, `xor_epochs` epochs of batch 4 per timed fit."""
    layers = k.layers
    model = k.Sequential([k.Input((2,)), layers.Dense(2, activation="sigmoid"),
                          layers.Dense(1, activation="sigmoid")])
    model.compile(loss="mean_squared_error",
                  optimizer=k.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True))
    if system == "keras-torch":
        steady_epochs = min(steady_epochs, 1)  # ~30 s a fit: one steady fit (table footnote)
    epochs = size["xor_epochs"]
    return common.run_epochs(_fit_losses(model, common.XOR_X, common.XOR_Y, epochs, 4),
                             steady_epochs, 4 * epochs)


def mlp_model(k):
    """The W2/W6 MLP: 784-512-512-10 with Dropout 0.2, RMSprop, sparse categorical CE."""
    layers = k.layers
    model = k.Sequential([k.Input((784,)), layers.Dense(512, activation="relu"),
                          layers.Dropout(0.2), layers.Dense(512, activation="relu"),
                          layers.Dropout(0.2), layers.Dense(10, activation="softmax")])
    model.compile(optimizer=k.optimizers.RMSprop(), loss="sparse_categorical_crossentropy")
    return model


def run_mlp(k, size, steady_epochs, system):
    """W2: one epoch of the MLP over `mlp_rows` rows, batch 128."""
    x, y = common.mlp_data(size["mlp_rows"])
    return common.run_epochs(_fit_losses(mlp_model(k), x, y, 1, 128), steady_epochs, len(x))


def run_cnn(k, size, steady_epochs, system):
    """W3: one epoch of the convnet over `cnn_rows` 28x28x1 images, batch 128."""
    layers = k.layers
    model = k.Sequential([k.Input((28, 28, 1)),
                          layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
                          layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
                          layers.Flatten(), layers.Dropout(0.5),
                          layers.Dense(10, activation="softmax")])
    model.compile(optimizer=k.optimizers.Adam(), loss="sparse_categorical_crossentropy")
    x, y = common.cnn_data(size["cnn_rows"])
    return common.run_epochs(_fit_losses(model, x, y, 1, 128), steady_epochs, len(x))


def run_lstm(k, size, steady_epochs, system):
    """W4: Embedding(20000, 128) - LSTM(64) - Dense(1, sigmoid), batch 64."""
    layers = k.layers
    model = k.Sequential([k.Input((common.LSTM_LENGTH,), dtype="int32"),
                          layers.Embedding(common.VOCAB, 128), layers.LSTM(64),
                          layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=k.optimizers.Adam(), loss="binary_crossentropy")
    x, y = common.sequence_data(size["seq_rows"], common.LSTM_LENGTH)
    y = y.astype("float32")
    return common.run_epochs(_fit_losses(model, x, y, 1, 64), steady_epochs, len(x))


def transformer_model(k):
    """W5: token and position embedding 64, one transformer block, pooled, Dense(2)."""
    layers, ops = k.layers, k.ops

    class TokenAndPosition(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.tokens = layers.Embedding(common.VOCAB, 64)
            self.positions = layers.Embedding(common.TRANSFORMER_LENGTH, 64)

        def call(self, x):
            return self.tokens(x) + self.positions(ops.arange(ops.shape(x)[-1]))

    inputs = k.Input((common.TRANSFORMER_LENGTH,), dtype="int32")
    h = TokenAndPosition()(inputs)
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=32)(h, h)
    h = layers.LayerNormalization(epsilon=1e-6)(h + layers.Dropout(0.1)(attended))
    fed = layers.Dense(64)(layers.Dense(128, activation="relu")(h))
    h = layers.LayerNormalization(epsilon=1e-6)(h + layers.Dropout(0.1)(fed))
    h = layers.GlobalAveragePooling1D()(h)
    outputs = layers.Dense(2, activation="softmax")(layers.Dropout(0.1)(h))
    model = k.Model(inputs, outputs)
    model.compile(optimizer=k.optimizers.Adam(), loss="sparse_categorical_crossentropy")
    return model


def run_transformer(k, size, steady_epochs, system):
    """W5: one epoch of the transformer classifier, batch 32."""
    x, y = common.sequence_data(size["seq_rows"], common.TRANSFORMER_LENGTH)
    return common.run_epochs(_fit_losses(transformer_model(k), x, y, 1, 32), steady_epochs,
                             len(x))


def run_predict_one(k, size, steady_epochs, system):
    """W6p: latency of `predict` on one row of the W2 model."""
    model = mlp_model(k)
    one = common.mlp_data(8)[0][:1]
    return common.latency(lambda: model.predict(one, verbose=0), size["latency_calls"], 1)


def run_call_one(k, size, steady_epochs, system):
    """W6c: latency of `model(x)` on one row, converted to NumPy."""
    model = mlp_model(k)
    one = common.mlp_data(8)[0][:1]
    return common.latency(lambda: k.ops.convert_to_numpy(model(one)), size["latency_calls"], 1)


def run_predict_many(k, size, steady_epochs, system):
    """W6t: throughput of `predict` on `predict_rows` rows, batch 128."""
    model = mlp_model(k)
    x = common.mlp_data(size["predict_rows"])[0]
    return common.latency(lambda: model.predict(x, batch_size=128, verbose=0),
                          max(3, steady_epochs), len(x))


def run_memory(k, size, steady_epochs, system):
    """W7: build, fit one step and drop the W2 model, `memory_models` times.

    Returns:
        `common.result`'s dict (first: the first model's seconds, steady: the median of the
        rest) plus `rss_mark`/`rss_last` (MiB resident after `mark` and after all models).
    """
    x, y = common.mlp_data(128)
    models = size["memory_models"]
    mark = max(1, models // 10)
    times, rss = [], {}
    for i in range(1, models + 1):
        seconds, _ = common.timed(lambda: mlp_model(k).fit(x, y, batch_size=128, verbose=0))
        times.append(seconds)
        if i in (mark, models):
            gc.collect()
            rss[i] = common.resident_mib()
    out = common.result(times[0], times[1:], 128, None, None)
    out.update(mark=mark, models=models, rss_mark=rss[mark], rss_last=rss[models],
               rss_ratio=rss[models] / rss[mark])
    return out


RUNNERS = {"W1": run_xor, "W2": run_mlp, "W3": run_cnn, "W4": run_lstm, "W5": run_transformer,
           "W6p": run_predict_one, "W6c": run_call_one, "W6t": run_predict_many,
           "W7": run_memory}


def run(workload, system, size, steady_epochs):
    """Import `lamina` or Keras 3 (its backend already chosen by KERAS_BACKEND) and run."""
    if system == "lamina":
        import lamina as k
    else:
        import keras as k
    k.utils.set_random_seed(common.SEED)
    np.random.seed(common.SEED)
    return RUNNERS[workload](k, size, steady_epochs, system)
