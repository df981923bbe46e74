import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from lamina.utils.plotting import plot_confusion_matrix

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    """(width, height) from the PNG header, after checking the file is a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == PNG_MAGIC
    width, height = struct.unpack(">II", head[16:24])
    try:
        from PIL import Image
    except ImportError:
        return width, height
    with Image.open(path) as image:
        image.verify()
    return width, height


# Reference: counts written out by hand for these six samples.
Y_TRUE = np.array([0, 0, 1, 1, 2, 2])
Y_PRED = np.array([0, 1, 1, 1, 2, 0])
COUNTS = np.array([[1, 1, 0], [0, 2, 0], [1, 0, 1]])


def shown_matrix(figure):
    return np.asarray(figure.axes[0].images[0].get_array())


def test_confusion_matrix_counts_match_hand_counts():
    figure = plot_confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(shown_matrix(figure), COUNTS)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert texts == [str(v) for v in COUNTS.ravel()]


def test_confusion_matrix_matches_a_loop_count_on_random_labels():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    expected = np.zeros((4, 4), dtype=int)
    for t, p in zip(y_true, y_pred):
        expected[t, p] += 1
    np.testing.assert_array_equal(shown_matrix(plot_confusion_matrix(y_true, y_pred)), expected)


def test_confusion_matrix_takes_argmax_of_scores_and_one_hot():
    scores = np.eye(3)[Y_PRED] * 0.8 + 0.05
    one_hot = np.eye(3)[Y_TRUE]
    np.testing.assert_array_equal(shown_matrix(plot_confusion_matrix(one_hot, scores)), COUNTS)


@pytest.mark.parametrize("mode, expected", [
    (True, COUNTS / COUNTS.sum(axis=1, keepdims=True)),
    ("true", COUNTS / COUNTS.sum(axis=1, keepdims=True)),
    ("pred", COUNTS / COUNTS.sum(axis=0, keepdims=True)),
    ("all", COUNTS / 6.0),
])
def test_confusion_matrix_normalize(mode, expected):
    figure = plot_confusion_matrix(Y_TRUE, Y_PRED, normalize=mode)
    np.testing.assert_allclose(shown_matrix(figure), expected, rtol=1e-12)
    assert figure.axes[0].texts[0].get_text() == f"{expected[0, 0]:.2f}"


def test_confusion_matrix_normalize_empty_class_gives_zeros_not_nan():
    figure = plot_confusion_matrix([0, 0], [0, 0], class_names=["a", "b"], normalize=True)
    np.testing.assert_array_equal(shown_matrix(figure), [[1.0, 0.0], [0.0, 0.0]])


def test_confusion_matrix_writes_png_with_class_names(tmp_path):
    path = plot_confusion_matrix(Y_TRUE, Y_PRED, class_names=["cat", "dog", "eel"],
                                 path=tmp_path / "cm.png")
    assert path == str(tmp_path / "cm.png")
    width, height = png_size(path)
    assert 200 <= width <= 1500 and 200 <= height <= 1500


def test_confusion_matrix_svg_holds_class_names(tmp_path):
    path = plot_confusion_matrix(Y_TRUE, Y_PRED, class_names=["cat", "dog", "eel"],
                                 path=str(tmp_path / "cm.svg"))
    with open(path, encoding="utf-8") as f:
        text = f.read()
    ET.fromstring(text)
    for name in ("cat", "dog", "eel", "predicted"):
        assert f">{name}<" in text


@pytest.mark.parametrize("kwargs, message", [
    ({"normalize": "rows"}, "`normalize` must be False, True, 'true', 'pred' or 'all'"),
    ({"class_names": ["a", "b"]}, "`class_names` has 2 names but the labels reach class 2"),
    ({"path": 3}, "`path` must be a file path"),
    ({"path": "cm.xyz"}, "cannot write a 'xyz' file"),
])
def test_confusion_matrix_bad_arguments(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message.replace("(", r"\(").replace(
            ")", r"\)")):
        plot_confusion_matrix(Y_TRUE, Y_PRED, **kwargs)


def test_confusion_matrix_bad_labels():
    with pytest.raises(ValueError, match="same number of samples. Received 6 and 5"):
        plot_confusion_matrix(Y_TRUE, Y_PRED[:5])
    with pytest.raises(ValueError, match="non-negative integer class labels"):
        plot_confusion_matrix([0, -1], [0, 1])
    with pytest.raises(ValueError, match="non-negative integer class labels"):
        plot_confusion_matrix([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match=r"Received shape \(0,\)"):
        plot_confusion_matrix([], [])


def test_missing_matplotlib_names_the_extra(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"plot_confusion_matrix draws with matplotlib.*lamina\[plot\]"):
        plot_confusion_matrix(Y_TRUE, Y_PRED)
