"""A transformer block text classifier, with two custom layers written by subclassing Layer.

Each sequence is 32 tokens over a 20-word vocabulary (generated here, offline). The label asks
a question about order, not just content: does the "keyword" (token 7) appear in the first
half of the sequence? Half the sequences hide a keyword only in the second half, so counting
is not enough: the model needs the position embedding, and self-attention to relate each token
to its position.

The model: token + position embedding -> one transformer block (MultiHeadAttention, residual,
LayerNormalization, a feed-forward network, residual, LayerNormalization) -> average over time
-> Dense softmax.

Run: python examples/transformer_classifier.py
Result (seed 0, 2-core CPU, under two minutes): test accuracy 1.0000 on 1,000 held-out
sequences. The test's smaller run (3,000 sequences, 5 epochs) also gave 1.0 and asserts
>= 0.95.
"""

import numpy as np

import lamina
from lamina import layers, ops

VOCABULARY, LENGTH, KEYWORD = 20, 32, 7


class TokenAndPositionEmbedding(layers.Layer):
    """Sum of a token embedding and a learned embedding of each position."""

    def __init__(self, length, vocabulary, dim, **kwargs):
        super().__init__(**kwargs)
        self.length, self.vocabulary, self.dim = length, vocabulary, dim
        self.tokens = layers.Embedding(vocabulary, dim)
        self.positions = layers.Embedding(length, dim)

    def call(self, x):
        positions = ops.arange(0, ops.shape(x)[-1])
        return ops.add(self.tokens(x), self.positions(positions))

    def get_config(self):
        return {**super().get_config(), "length": self.length, "vocabulary": self.vocabulary,
                "dim": self.dim}


class TransformerBlock(layers.Layer):
    """Self-attention and a feed-forward network, each with a residual and LayerNormalization."""

    def __init__(self, dim, heads, hidden, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.dim, self.heads, self.hidden, self.rate = dim, heads, hidden, rate
        self.attention = layers.MultiHeadAttention(num_heads=heads, key_dim=dim // heads)
        self.feed_forward = lamina.Sequential([layers.Dense(hidden, activation="relu"),
                                               layers.Dense(dim)])
        self.norm1 = layers.LayerNormalization(epsilon=1e-6)
        self.norm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, x, training=False):
        attended = self.dropout1(self.attention(x, x), training=training)
        x = self.norm1(ops.add(x, attended))
        fed = self.dropout2(self.feed_forward(x), training=training)
        return self.norm2(ops.add(x, fed))

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "heads": self.heads,
                "hidden": self.hidden, "rate": self.rate}


def make_sequences(count, seed=0):
    """Token sequences and labels: 1 when the keyword occurs in the first half."""
    rng = np.random.default_rng(seed)
    others = np.array([t for t in range(1, VOCABULARY) if t != KEYWORD])
    x = rng.choice(others, size=(count, LENGTH)).astype("int32")
    y = rng.integers(0, 2, size=count).astype("int32")
    half = LENGTH // 2
    for row in range(count):
        if y[row]:
            x[row, rng.integers(0, half)] = KEYWORD
        if rng.random() < 0.7:  # decoys: a keyword late in the sequence, whatever the label
            x[row, rng.integers(half, LENGTH)] = KEYWORD
    return x, y


def build_model(dim=32, heads=2, hidden=64):
    inputs = lamina.Input(shape=(LENGTH,), dtype="int32")
    x = TokenAndPositionEmbedding(LENGTH, VOCABULARY, dim)(inputs)
    x = TransformerBlock(dim, heads, hidden)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    model = lamina.Model(inputs, outputs)
    model.compile(optimizer=lamina.optimizers.Adam(learning_rate=2e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train(samples=6000, held_out=1000, epochs=15, batch_size=32, verbose=1, seed=0):
    lamina.utils.set_random_seed(seed)
    x, y = make_sequences(samples + held_out, seed)
    model = build_model()
    model.fit(x[:samples], y[:samples], batch_size=batch_size, epochs=epochs,
              validation_split=0.1, verbose=verbose)
    loss, accuracy = model.evaluate(x[samples:], y[samples:], verbose=0)
    return model, loss, accuracy


def main():
    model, loss, accuracy = train()
    model.summary()
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f} on 1,000 held-out sequences")


if __name__ == "__main__":
    main()
