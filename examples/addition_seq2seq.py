"""Sequence to sequence: an LSTM encoder-decoder learns to add two numbers given as strings.

The question "535+61" is read character by character (reversed, which shortens the paths
between the digits that matter), an LSTM encodes it into one vector, RepeatVector feeds that
vector to an LSTM decoder once per answer character, and a TimeDistributed Dense softmax
writes the answer "596 " one character at a time. Everything is generated here, offline.

Run: python examples/addition_seq2seq.py
Result (seed 0, 2-core CPU shared with other work, 10 minutes wall / 5 minutes CPU):
exact-match accuracy 0.9948 on 5,000 held-out sums of two numbers of up to 3 digits. The test
runs 2-digit sums (0.98 when measured) and asserts >= 0.95.
"""

import numpy as np

import lamina
from lamina import layers

CHARS = "0123456789+ "


class CharacterTable:
    """One-hot encoding of strings over a fixed alphabet, and back."""

    def __init__(self, chars):
        self.chars = sorted(set(chars))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def encode(self, text, length):
        x = np.zeros((length, len(self.chars)), dtype="float32")
        for i, c in enumerate(text):
            x[i, self.index[c]] = 1.0
        return x

    def decode(self, probabilities):
        return "".join(self.chars[i] for i in probabilities.argmax(axis=-1))


def make_sums(count, digits=3, seed=0):
    """`count` distinct questions "a+b" (each up to `digits` digits) with their answers."""
    rng = np.random.default_rng(seed)
    seen, questions, answers = set(), [], []
    while len(questions) < count:
        a, b = (int("".join(rng.choice(list("0123456789"), size=rng.integers(1, digits + 1))))
                for _ in range(2))
        key = tuple(sorted((a, b)))
        if key in seen:
            continue
        seen.add(key)
        questions.append(f"{a}+{b}")
        answers.append(str(a + b))
    return questions, answers


def vectorize(questions, answers, digits=3):
    table = CharacterTable(CHARS)
    question_length, answer_length = 2 * digits + 1, digits + 1
    # Reversed questions: the last digits, which decide the first carries, come first.
    x = np.stack([table.encode(q.ljust(question_length)[::-1], question_length)
                  for q in questions])
    y = np.stack([table.encode(a.ljust(answer_length), answer_length) for a in answers])
    return x, y, table


def build_model(digits=3, units=128):
    model = lamina.Sequential([
        lamina.Input(shape=(2 * digits + 1, len(CHARS))),
        layers.LSTM(units),                         # encoder: the question as one vector
        layers.RepeatVector(digits + 1),            # that vector once per answer character
        layers.LSTM(units, return_sequences=True),  # decoder
        layers.TimeDistributed(layers.Dense(len(CHARS), activation="softmax")),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def exact_match(model, x, y, table):
    """Fraction of questions whose whole answer string is right, and a few decoded samples."""
    predicted = model.predict(x, verbose=0, batch_size=1024)
    guesses = [table.decode(p) for p in predicted]
    truths = [table.decode(t) for t in y]
    accuracy = float(np.mean([g == t for g, t in zip(guesses, truths)]))
    return accuracy, list(zip(guesses, truths))


def train(samples=50000, held_out=5000, digits=3, units=128, epochs=30, batch_size=64,
          verbose=1, seed=0):
    lamina.utils.set_random_seed(seed)
    questions, answers = make_sums(samples, digits, seed)
    x, y, table = vectorize(questions, answers, digits)
    x_train, y_train = x[:-held_out], y[:-held_out]
    x_test, y_test = x[-held_out:], y[-held_out:]
    model = build_model(digits, units)
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=verbose)
    accuracy, samples_seen = exact_match(model, x_test, y_test, table)
    return model, accuracy, [(q, g, t) for q, (g, t) in zip(questions[-held_out:], samples_seen)]


def main():
    model, accuracy, decoded = train()
    model.summary()
    for question, guess, truth in decoded[:10]:
        mark = "ok" if guess == truth else "WRONG"
        print(f"{question:>8} = {guess.strip():<5} (true {truth.strip():<5}) {mark}")
    print(f"exact-match accuracy on 5,000 held-out sums: {accuracy:.4f}")


if __name__ == "__main__":
    main()
