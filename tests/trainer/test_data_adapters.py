"""Bad data gets a clear error before any training."""

import numpy as np
import pytest

import lamina
from lamina import layers


@pytest.fixture(scope="module")
def model():
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(3, activation="softmax",
                                                                name="probs")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


def test_fit_before_compile_is_explained():
    model = lamina.Sequential([lamina.Input((2,)), layers.Dense(1)])
    with pytest.raises(RuntimeError, match=r"compile\(optimizer=..., loss=...\) before fit"):
        model.fit(np.ones((2, 2)), np.ones((2, 1)))


def test_sample_count_mismatch(model):
    with pytest.raises(ValueError, match=r"`x` has 10 samples .* `y` has 9 samples"):
        model.fit(np.ones((10, 4)), np.zeros(9), verbose=0)


def test_nan_inputs_are_rejected(model):
    x = np.ones((5, 4))
    x[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"`x` contains nan at index \(3, 2\)"):
        model.fit(x, np.zeros(5), verbose=0)
    with pytest.raises(ValueError, match=r"`y` contains inf"):
        model.fit(np.ones((2, 4)), np.array([0.0, np.inf]), verbose=0)


def test_sparse_labels_out_of_range(model):
    with pytest.raises(ValueError, match=r"integers in \[0, 3\).*found label 3"):
        model.fit(np.ones((4, 4)), np.array([0, 1, 2, 3]), verbose=0)
    with pytest.raises(ValueError, match=r"found label -1"):
        model.evaluate(np.ones((2, 4)), np.array([0, -1]), verbose=0)


def test_non_numeric_data(model):
    with pytest.raises(TypeError, match=r"`x` must be numeric.*dtype <U"):
        model.fit(np.array([["a", "b", "c", "d"]]), np.zeros(1), verbose=0)
    with pytest.raises(ValueError, match=r"`y` must be None when `x` is the generator"):
        model.fit((row for row in np.ones((3, 4))), np.zeros(3), verbose=0)
    with pytest.raises(TypeError, match=r"`y` is a generator, which is not array data"):
        model.fit(np.ones((3, 4)), (row for row in np.zeros(3)), verbose=0)


def test_wrong_feature_size_names_the_input(model):
    with pytest.raises(ValueError) as err:
        model.fit(np.ones((6, 5)), np.zeros(6), verbose=0)
    assert "expects shape (None, 4)" in str(err.value) and "received shape (6, 5)" in str(
        err.value)
    # The same message once the model has been fitted (no longer from the first shape probe).
    model.fit(np.ones((6, 4)), np.zeros(6), verbose=0)
    with pytest.raises(ValueError, match=r"expects shape \(None, 4\).*received shape \(6, 5\)"):
        model.fit(np.ones((6, 5)), np.zeros(6), verbose=0)


def test_bad_fit_arguments(model):
    x, y = np.ones((4, 4)), np.zeros(4)
    with pytest.raises(ValueError, match="`batch_size` must be a positive int"):
        model.fit(x, y, batch_size=0)
    with pytest.raises(ValueError, match="`verbose` must be"):
        model.fit(x, y, verbose=3)
    with pytest.raises(TypeError, match=r"nb_epoch"):
        model.fit(x, y, nb_epoch=3)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(x, y, validation_split=1.5)


def test_unknown_names_in_compile():
    model = lamina.Sequential([lamina.Input((2,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="mean_sqared_error"):
        model.compile("sgd", "mean_sqared_error")
        model.fit(np.ones((2, 2)), np.ones((2, 1)), verbose=0)
    with pytest.raises(ValueError, match="adamm"):
        model.compile("adamm", "mse")


def test_python_lists_and_float64_are_accepted():
    model = lamina.Sequential([lamina.Input((2,)), layers.Dense(1, kernel_initializer="ones")])
    model.compile("sgd", "mse")
    loss = model.evaluate([[1.0, 2.0], [0.0, 1.0]], [[3.0], [1.0]], verbose=0)
    assert loss == pytest.approx(0.0)
