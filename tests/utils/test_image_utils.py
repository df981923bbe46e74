import numpy as np
import pytest

from lamina.utils import array_to_img, img_to_array, load_img, save_img

pytest.importorskip("PIL")


def test_round_trip_rgb_and_grayscale(tmp_path):
    pixels = np.arange(4 * 5 * 3, dtype="float32").reshape(4, 5, 3)
    path = tmp_path / "a.png"
    save_img(path, pixels, scale=False)
    back = img_to_array(load_img(path))
    np.testing.assert_array_equal(back, pixels)
    gray = img_to_array(load_img(path, color_mode="grayscale"))
    assert gray.shape == (4, 5, 1)
    # Pillow's L conversion: (299 R + 587 G + 114 B) / 1000, rounded.
    expected = np.floor((pixels @ np.array([299, 587, 114]) + 500) / 1000)
    np.testing.assert_allclose(gray[..., 0], expected, atol=1)


def test_scaling_channels_first_and_resizing(tmp_path):
    x = np.array([[[0.0], [0.5]], [[1.0], [0.25]]], "float32")   # (2, 2, 1) in [0, 1]
    image = array_to_img(x)                                       # scaled to 0..255
    np.testing.assert_array_equal(np.asarray(image), [[0, 128], [255, 64]])
    chw = img_to_array(image, data_format="channels_first")
    assert chw.shape == (1, 2, 2)
    path = tmp_path / "b.png"
    save_img(path, x)
    resized = load_img(path, target_size=(4, 6), interpolation="nearest")
    assert resized.size == (6, 4)
    np.testing.assert_array_equal(img_to_array(resized)[:2, :3, 0], 0)


def test_keep_aspect_ratio_crops_the_center(tmp_path):
    x = np.zeros((4, 8, 3), "float32")
    x[:, 2:6] = 255.0                     # a bright center band, dark sides
    path = tmp_path / "c.png"
    save_img(path, x, scale=False)
    square = img_to_array(load_img(path, target_size=(4, 4), keep_aspect_ratio=True))
    assert square.shape == (4, 4, 3) and square.min() == 255.0


def test_errors():
    with pytest.raises(ValueError, match="rank 3"):
        array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="channel count 2"):
        array_to_img(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="color_mode"):
        load_img("x.png", color_mode="cmyk")
