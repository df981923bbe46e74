"""The runnable examples keep their promised results."""

import importlib.util
import pathlib

import numpy as np
import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_xor_learns_xor():
    xor = _load("xor")
    model, history, _ = xor.build_and_train(seed=3)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
    assert model.predict(X, verbose=0).round().ravel().tolist() == [0, 1, 1, 0]
    assert len(history.history["loss"]) == 10000
    assert history.history["loss"][-1] < 0.01 < history.history["loss"][0]


@pytest.mark.slow
def test_digits_classifier_reaches_95_percent():
    pytest.importorskip("sklearn")
    digits = _load("digits")
    _, _, accuracy = digits.train(epochs=30, verbose=0)
    assert accuracy >= 0.95


@pytest.mark.slow
def test_addition_seq2seq_learns_two_digit_sums():
    # The full example (3-digit numbers, 45,000 sums, 30 epochs) reaches about 0.99 exact
    # match; this smaller run (2-digit numbers) reached 0.98 when the threshold was set.
    addition = _load("addition_seq2seq")
    _, accuracy, decoded = addition.train(samples=4900, held_out=400, digits=2, units=128,
                                          epochs=30, batch_size=32, verbose=0)
    assert accuracy >= 0.95
    question, _, truth = decoded[0]
    a, b = (int(n) for n in question.split("+"))
    assert truth.strip() == str(a + b)


@pytest.mark.slow
def test_translation_attention_translates_held_out_dates():
    translation = _load("translation_attention")
    _, accuracy, examples = translation.train(samples=6000, held_out=300, epochs=8, verbose=0)
    assert accuracy >= 0.95
    assert all(len(guess) == 10 for _, guess, _ in examples)


@pytest.mark.slow
def test_transformer_classifier_learns_the_position_task():
    transformer = _load("transformer_classifier")
    _, _, accuracy = transformer.train(samples=3000, held_out=500, epochs=5, verbose=0)
    # Half the sequences hold the keyword only late: counting alone gives about 0.5-0.75.
    assert accuracy >= 0.95
