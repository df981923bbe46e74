import struct
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import lamina
from lamina import layers
from lamina.callbacks.history import History


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    try:
        from PIL import Image
    except ImportError:
        return width, height
    with Image.open(path) as image:
        image.verify()
    return width, height


def make_history(logs):
    history = History()
    history.on_train_begin()
    for epoch, epoch_logs in enumerate(logs):
        history.on_epoch_end(epoch, epoch_logs)
    return history


@pytest.fixture(scope="module")
def fitted_history():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(x, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0)


def test_plot_draws_training_and_validation_per_metric(fitted_history):
    figure = fitted_history.plot()
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["loss", "accuracy"]
    for ax in figure.axes:
        name = ax.get_title()
        lines = {line.get_label(): line for line in ax.get_lines()}
        assert sorted(lines) == ["training", "validation"]
        np.testing.assert_array_equal(lines["training"].get_xdata(), [1, 2, 3])
        np.testing.assert_allclose(lines["training"].get_ydata(), fitted_history.history[name])
        np.testing.assert_allclose(lines["validation"].get_ydata(),
                                   fitted_history.history["val_" + name])


def test_plot_writes_png_and_returns_the_path(fitted_history, tmp_path):
    path = tmp_path / "curves.png"
    assert fitted_history.plot(path) == str(path)
    width, height = png_size(path)
    # two 4.5 x 3.5 inch subplots at 100 dpi, trimmed to their content
    assert 600 <= width <= 950 and 250 <= height <= 380


def test_plot_svg_names_the_metrics(fitted_history, tmp_path):
    with open(fitted_history.plot(tmp_path / "curves.svg"), encoding="utf-8") as f:
        text = f.read()
    ET.fromstring(text)
    for word in (">loss<", ">accuracy<", ">validation<", ">epoch<"):
        assert word in text


def test_plot_selected_metrics_and_title():
    history = make_history([{"loss": 1.0, "mae": 0.5, "val_loss": 1.2},
                            {"loss": 0.5, "mae": 0.25, "val_loss": 0.9}])
    figure = history.plot(metrics="mae", title="run 1")
    assert [ax.get_title() for ax in figure.axes] == ["mae"]
    assert [line.get_label() for line in figure.axes[0].get_lines()] == ["training"]
    assert figure._suptitle.get_text() == "run 1"


def test_plot_validation_only_metric_gets_its_axes():
    figure = make_history([{"loss": 1.0, "val_auc": 0.7}]).plot()
    assert [ax.get_title() for ax in figure.axes] == ["loss", "auc"]
    np.testing.assert_allclose(figure.axes[1].get_lines()[0].get_ydata(), [0.7])


def test_plot_errors():
    with pytest.raises(ValueError, match=r"no recorded values for \['acc'\]. Recorded names: "
                                         r"\['loss'\]"):
        make_history([{"loss": 1.0}]).plot(metrics=["acc"])
    with pytest.raises(ValueError, match="nothing to plot yet"):
        History().plot()
    with pytest.raises(TypeError, match="`path` must be a file path"):
        make_history([{"loss": 1.0}]).plot(path=5)


def test_plot_without_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"History.plot draws with matplotlib.*lamina\[plot\]"):
        make_history([{"loss": 1.0}]).plot()
