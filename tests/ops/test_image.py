"""lamina.ops.image against NumPy/SciPy/colorsys references and Keras 3 literals.

References: NumPy formulas written here (half-pixel resizing, box averaging, slicing for
patches, pads and crops, separable zero-padded filters, SSIM), `scipy.ndimage.map_coordinates`
for sampling, Python's `colorsys` for HSV, hand-computed values, and literals printed by
Keras 3.15 (JAX backend) for the windowed resize kernels, the perspective warp and SSIM.
"""

import colorsys

import numpy as np
import pytest
from scipy import ndimage

from lamina import backend
from lamina.ops import image
from lamina.ops.symbolic import KerasTensor
from lamina.random.seed_generator import SeedGenerator
from tests.helpers import gradcheck

RNG = np.random.default_rng(3)
IMG = RNG.random((2, 5, 6, 3)).astype("float32")
# The input the Keras literals were computed from.
X = ((np.arange(20).reshape(1, 4, 5, 1) * 7 % 11) / 10).astype("float32")
SCIPY_MODES = {"constant": "grid-constant", "nearest": "nearest", "wrap": "grid-wrap",
               "mirror": "mirror", "reflect": "reflect"}


def np_(x):
    return np.asarray(x)


# -- NumPy references ---------------------------------------------------------------------------
def ref_bilinear_1d(in_size, out_size):
    """(out, in) weights of linear interpolation at half-pixel centers, edges clamped."""
    src = np.clip((np.arange(out_size) + 0.5) * in_size / out_size - 0.5, 0, in_size - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, in_size - 1)
    w = np.zeros((out_size, in_size))
    w[np.arange(out_size), lo] += 1 - (src - lo)
    w[np.arange(out_size), hi] += src - lo
    return w


def ref_resize_bilinear(x, h, w):
    return np.einsum("oh,pw,bhwc->bopc", ref_bilinear_1d(x.shape[1], h),
                     ref_bilinear_1d(x.shape[2], w), x)


def ref_resize_nearest(x, h, w):
    rows = np.floor((np.arange(h) + 0.5) * x.shape[1] / h).astype(int)
    cols = np.floor((np.arange(w) + 0.5) * x.shape[2] / w).astype(int)
    return x[:, rows][:, :, cols]


def ref_gaussian_1d(size, sigma):
    t = np.arange(size) - (size - 1) / 2
    k = np.exp(-t ** 2 / (2 * sigma ** 2))
    return k / k.sum()


def ref_filter2d(x, kernel, mode="same"):
    """Cross-correlate each channel of (B, H, W, C) `x` with `kernel`; zero padding for "same"."""
    kh, kw = kernel.shape
    if mode == "same":
        x = np.pad(x, [(0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)])
    oh, ow = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for i in range(kh):
        for j in range(kw):
            out += kernel[i, j] * x[:, i:i + oh, j:j + ow]
    return out


def ref_patches(x, size, strides, dilation=None, padding="valid"):
    """Loop over output positions; features ordered (taps row-major, then channel)."""
    n = len(size)
    dilation = dilation or (1,) * n
    reach = [(k - 1) * d + 1 for k, d in zip(size, dilation)]
    spatial = x.shape[1:1 + n]
    if padding == "same":
        out = [-(-s // st) for s, st in zip(spatial, strides)]
        total = [max((o - 1) * st + r - s, 0) for o, st, r, s in zip(out, strides, reach, spatial)]
        x = np.pad(x, [(0, 0), *[(t // 2, t - t // 2) for t in total], (0, 0)])
    else:
        out = [(s - r) // st + 1 for s, r, st in zip(spatial, reach, strides)]
    y = np.zeros((x.shape[0], *out, int(np.prod(size)) * x.shape[-1]), x.dtype)
    for o in np.ndindex(*out):
        window = tuple(slice(oi * st, oi * st + r, d)
                       for oi, st, r, d in zip(o, strides, reach, dilation))
        y[(slice(None), *o)] = x[(slice(None), *window)].reshape(x.shape[0], -1)
    return y


def ref_ssim(a, b, size, sigma, max_val=1.0, k1=0.01, k2=0.03):
    g = ref_gaussian_1d(size, sigma)
    kernel = np.outer(g, g)

    def mean(t):
        return ref_filter2d(t, kernel, "valid")

    mu1, mu2 = mean(a), mean(b)
    var1, var2, cov = mean(a * a) - mu1 ** 2, mean(b * b) - mu2 ** 2, mean(a * b) - mu1 * mu2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    s = ((2 * mu1 * mu2 + c1) * (2 * cov + c2)) / ((mu1 ** 2 + mu2 ** 2 + c1) * (var1 + var2 + c2))
    return s.mean(axis=(1, 2, 3))


def ref_projective(x, t, order=1, mode="constant", cval=0.0):
    """Per-channel scipy sampling at the transform's input points."""
    h, w = x.shape[1:3]
    ys, xs = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    out = np.zeros(x.shape)
    for b in range(x.shape[0]):
        a0, a1, a2, b0, b1, b2, c0, c1 = t[b] if t.ndim == 2 else t
        k = c0 * xs + c1 * ys + 1
        coords = [(b0 * xs + b1 * ys + b2) / k, (a0 * xs + a1 * ys + a2) / k]
        for c in range(x.shape[3]):
            out[b, ..., c] = ndimage.map_coordinates(x[b, ..., c].astype(float), coords,
                                                     order=order, mode=SCIPY_MODES[mode],
                                                     cval=cval)
    return out


# -- color --------------------------------------------------------------------------------------
def test_rgb_to_grayscale_weights_and_integer_truncation():
    ref = IMG @ np.array([0.2989, 0.5870, 0.1140])
    np.testing.assert_allclose(np_(image.rgb_to_grayscale(IMG)), ref[..., None], rtol=1e-6)
    out = image.rgb_to_grayscale(np.full((2, 2, 3), 200, "uint8"))
    assert out.dtype == np.uint8 and np_(out).tolist() == [[[199], [199]], [[199], [199]]]
    one = IMG[..., :1]
    np.testing.assert_array_equal(np_(image.rgb_to_grayscale(one)), one)


def test_rgb_to_hsv_matches_colorsys():
    x = np.concatenate([IMG[0], [[[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.0, 0.0, 0.0], [0.2, 0.9, 0.9],
                                  [0.0, 0.0, 1.0], [0.3, 0.1, 0.3]]]]).astype("float32")
    ref = np.array([[colorsys.rgb_to_hsv(*p) for p in row] for row in x.astype(float)])
    np.testing.assert_allclose(np_(image.rgb_to_hsv(x)), ref, atol=2e-6)


def test_hsv_to_rgb_matches_colorsys_and_round_trips():
    ref = np.array([[[colorsys.hsv_to_rgb(*p) for p in row] for row in img]
                    for img in IMG.astype(float)])
    np.testing.assert_allclose(np_(image.hsv_to_rgb(IMG)), ref, atol=2e-6)
    back = image.hsv_to_rgb(image.rgb_to_hsv(IMG))
    np.testing.assert_allclose(np_(back), IMG, atol=2e-6)
    assert back.dtype == np.float32


def test_hsv_needs_float_images():
    with pytest.raises(ValueError, match="rgb_to_hsv: `images` must have a float dtype"):
        image.rgb_to_hsv(np.zeros((2, 2, 3), "uint8"))
    with pytest.raises(ValueError, match="hsv_to_rgb: `images` must have 3 channels"):
        image.hsv_to_rgb(np.zeros((2, 2, 4), "float32"))


# -- resize -------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(7, 9), (3, 4), (5, 6)])
def test_resize_bilinear_and_nearest_match_half_pixel_numpy(size):
    np.testing.assert_allclose(np_(image.resize(IMG, size)), ref_resize_bilinear(IMG, *size),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(np_(image.resize(IMG, size, interpolation="nearest")),
                                  ref_resize_nearest(IMG, *size))


KERAS_RESIZE = {
    ("bicubic", (3, 7), False): [
        [-0.020909, 0.446386, 0.668038, 0.320569, 0.764324, 0.812572, 0.604559],
        [0.291262, 0.373961, 0.510897, 0.6, 0.18801, 0.468958, 1.017536],
        [0.603433, 0.301537, 0.321326, 0.879431, 0.617015, 0.331789, 0.188585]],
    ("lanczos3", (5, 3), False): [
        [0.212071, 0.292145, 0.777235], [0.379024, 0.422178, 0.604953],
        [0.323284, 0.6, 0.740865], [0.275434, 0.777822, 0.609102], [0.45135, 0.907855, 0.132707]],
    ("lanczos5", (3, 4), False): [
        [0.115824, 0.668578, 0.630328, 0.650385], [0.290846, 0.672697, -0.004543, 1.000283],
        [0.507801, 0.350437, 0.800104, 0.21934]],
    ("bilinear", (2, 3), True): [[0.37551, 0.512698, 0.644898], [0.353061, 0.547619, 0.487755]],
    ("lanczos3", (3, 2), True): [[0.435287, 0.648144], [0.39165, 0.54959], [0.445857, 0.508005]],
}


@pytest.mark.parametrize("key", list(KERAS_RESIZE), ids=str)
def test_resize_windowed_kernels_match_keras(key):
    interpolation, size, antialias = key
    out = image.resize(X, size, interpolation=interpolation, antialias=antialias)
    np.testing.assert_allclose(np_(out)[0, ..., 0], KERAS_RESIZE[key], atol=2e-6)


def test_resize_integer_images_round_and_keep_dtype():
    out = image.resize((X * 250).astype("uint8"), (3, 4), interpolation="bicubic")
    assert out.dtype == np.uint8
    assert np_(out)[0, ..., 0].tolist() == [[20, 154, 175, 162], [78, 133, 60, 225],
                                            [135, 100, 167, 56]]


def test_resize_area_averages_boxes():
    x = RNG.random((1, 4, 6, 2)).astype("float32")
    pooled = x.reshape(1, 2, 2, 3, 2, 2).mean(axis=(2, 4))
    np.testing.assert_allclose(np_(image.resize(x, (2, 3), interpolation="area")), pooled,
                               rtol=1e-6)
    # Three pixels into two boxes of width 1.5: (0 + 1/2) / 1.5 and (1/2 + 2) / 1.5.
    row = np.array([0.0, 1.0, 2.0], "float32").reshape(1, 1, 3, 1)
    np.testing.assert_allclose(np_(image.resize(row, (1, 2), interpolation="area")).ravel(),
                               [1 / 3, 5 / 3], rtol=1e-6)
    # Upsampling by 2 repeats each pixel.
    np.testing.assert_allclose(np_(image.resize(row, (1, 6), interpolation="area")).ravel(),
                               [0, 0, 1, 1, 2, 2], atol=1e-6)


def test_resize_crop_and_pad_to_aspect_ratio():
    # 5x6 to a square: crop the centred 5x5 window (columns 0..4).
    np.testing.assert_allclose(np_(image.resize(IMG, (5, 5), crop_to_aspect_ratio=True)),
                               IMG[:, :, 0:5], rtol=1e-6)
    # 5x6 to 1:2 keeps the height 5 and widens to 10: 2 columns of fill on each side.
    padded = np.pad(IMG, [(0, 0), (0, 0), (2, 2), (0, 0)], constant_values=0.5)
    np.testing.assert_allclose(np_(image.resize(IMG, (5, 10), pad_to_aspect_ratio=True,
                                                fill_value=0.5)), padded, rtol=1e-6)
    # 5x6 to 11:6 heightens to 11: 3 rows of fill on top and bottom.
    padded = np.pad(IMG, [(0, 0), (3, 3), (0, 0), (0, 0)], constant_values=-1.0)
    np.testing.assert_allclose(
        np_(image.resize(IMG, (11, 6), pad_to_aspect_ratio=True, fill_value=-1.0)), padded,
        rtol=1e-6)


def test_resize_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"resize: unknown interpolation 'cubic'.*'area'"):
        image.resize(IMG, (2, 2), interpolation="cubic")
    for size in [(2,), (0, 3), (2.0, 3), 4]:
        with pytest.raises(ValueError, match="resize: `size` must be a pair of positive ints"):
            image.resize(IMG, size)
    with pytest.raises(ValueError, match="resize: `images` must be rank 3 or rank 4"):
        image.resize(np.ones((4, 4)), (2, 2))
    with pytest.raises(ValueError, match="only one of `crop_to_aspect_ratio`"):
        image.resize(IMG, (2, 2), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="resize: unknown fill_mode 'reflect'"):
        image.resize(IMG, (2, 2), fill_mode="reflect")
    with pytest.raises(ValueError, match="resize: `data_format` must be"):
        image.resize(IMG, (2, 2), data_format="NHWC")


def test_scale_and_translate():
    # Keras's documented example: 3x3 upscaled by 2 around the center.
    x = np.arange(9, dtype="float32").reshape(3, 3)
    scale = np.array([2.0, 2.0], "float32")
    out = image.scale_and_translate(x, (5, 5), scale, -(scale / 2 - 0.5), (0, 1), "linear")
    ref = np.array([[0, 0.5, 1, 1.5, 2], [1.5, 2, 2.5, 3, 3.5], [3, 3.5, 4, 4.5, 5],
                    [4.5, 5, 5.5, 6, 6.5], [6, 6.5, 7, 7.5, 8]])
    np.testing.assert_allclose(np_(out), ref, atol=1e-6)
    out = image.scale_and_translate(X[0, ..., 0], (3, 6), np.array([0.8, 1.3], "float32"),
                                    np.array([0.2, -0.3], "float32"), (0, 1), "cubic")
    keras_ref = [[0.057009, 0.694899, 0.416199, 0.555869, 0.945176, 0.60911],
                 [0.25293, 0.686863, 0.623457, 0.327107, 0.262429, 0.854301],
                 [0.45583, 0.057246, 0.575077, 0.668134, 0.40079, 0.622327]]
    np.testing.assert_allclose(np_(out), keras_ref, atol=2e-6)
    with pytest.raises(ValueError, match=r"scale_and_translate: unknown method 'area'"):
        image.scale_and_translate(x, (5, 5), scale, scale, (0, 1), "area")
    with pytest.raises(ValueError, match="`scale` must have shape \\(2,\\)"):
        image.scale_and_translate(x, (5, 5), scale[:1], scale, (0, 1), "linear")


# -- pad and crop -------------------------------------------------------------------------------
def test_pad_images_by_slicing():
    out = np_(image.pad_images(IMG, 1, 2, None, 0, target_height=8))
    assert out.shape == (2, 8, 8, 3)
    np.testing.assert_array_equal(out[:, 1:6, 2:8], IMG)
    assert out.sum() == pytest.approx(IMG.sum(), rel=1e-5)
    cf = np_(image.pad_images(np.moveaxis(IMG[0], -1, 0), bottom_padding=2, right_padding=1,
                              target_height=9, target_width=7, data_format="channels_first"))
    np.testing.assert_array_equal(np.moveaxis(cf, 0, -1)[2:7, 0:6], IMG[0])
    assert cf.shape == (3, 9, 7)


def test_crop_images_by_slicing():
    out = image.crop_images(IMG, 1, None, 2, 1, target_width=3)
    np.testing.assert_array_equal(np_(out), IMG[:, 1:3, 2:5])
    out = image.crop_images(IMG[0], bottom_cropping=1, target_height=2, left_cropping=0,
                            right_cropping=4)
    np.testing.assert_array_equal(np_(out), IMG[0, 2:4, 0:2])


def test_pad_and_crop_reject_bad_arguments():
    with pytest.raises(ValueError, match="pad_images: give exactly two of top_padding"):
        image.pad_images(IMG, 1, 1, 1, 1, target_height=3)
    with pytest.raises(ValueError, match="pad_images: the arguments give bottom_padding=-2"):
        image.pad_images(IMG, 2, 0, None, 0, target_height=5)
    with pytest.raises(ValueError, match="crop_images: `top_cropping` must be a non-negative"):
        image.crop_images(IMG, -1, 0, 0, 0)
    with pytest.raises(ValueError, match="crop_images: the arguments give bottom_cropping=-1"):
        image.crop_images(IMG, 2, 0, None, 0, target_height=4)


# -- sampling -----------------------------------------------------------------------------------
@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("mode", list(SCIPY_MODES))
def test_map_coordinates_matches_scipy(order, mode):
    x = RNG.random((4, 5)).astype("float32")
    coords = RNG.uniform(-2.3, 6.3, size=(2, 3, 7)).astype("float32")
    out = image.map_coordinates(x, coords, order, fill_mode=mode, fill_value=0.5)
    ref = ndimage.map_coordinates(x.astype(float), coords.astype(float), order=order,
                                  mode=SCIPY_MODES[mode], cval=0.5)
    assert out.shape == (3, 7)
    np.testing.assert_allclose(np_(out), ref, atol=2e-6)


def test_map_coordinates_rejects_bad_arguments():
    x = np.ones((3, 3), "float32")
    with pytest.raises(ValueError, match="map_coordinates: `order` must be 0"):
        image.map_coordinates(x, np.zeros((2, 4)), 3)
    with pytest.raises(ValueError, match=r"shape \(inputs.ndim, ...\)"):
        image.map_coordinates(x, np.zeros((3, 4)), 1)
    with pytest.raises(ValueError, match="unknown fill_mode 'edge'.*'reflect'"):
        image.map_coordinates(x, np.zeros((2, 4)), 1, fill_mode="edge")


TRANSFORMS = np.array([[1.1, 0.2, -0.7, -0.1, 0.9, 0.37, 0.0, 0.0],
                       [0.8, -0.3, 1.2, 0.25, 1.05, -0.5, 0.02, -0.03]], "float32")


@pytest.mark.parametrize("interpolation, mode", [("bilinear", "constant"), ("nearest", "reflect"),
                                                 ("bilinear", "wrap"), ("bilinear", "mirror"),
                                                 ("nearest", "nearest")])
def test_affine_transform_matches_scipy(interpolation, mode):
    out = image.affine_transform(IMG, TRANSFORMS, interpolation=interpolation, fill_mode=mode,
                                 fill_value=0.25)
    ref = ref_projective(IMG, TRANSFORMS.astype(float), {"nearest": 0, "bilinear": 1}[interpolation],
                         mode, 0.25)
    np.testing.assert_allclose(np_(out), ref, atol=2e-5)


def test_affine_transform_translation_by_hand():
    shift = np.array([1, 0, 2, 0, 1, -1, 0, 0], "float32")  # read at (x + 2, y - 1)
    out = np_(image.affine_transform(IMG[0], shift))
    ref = np.zeros_like(IMG[0])
    ref[1:, :4] = IMG[0, :4, 2:]
    np.testing.assert_allclose(out, ref, atol=1e-6)


def test_affine_transform_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"affine_transform: unknown interpolation 'bicubic'"):
        image.affine_transform(IMG, TRANSFORMS, interpolation="bicubic")
    with pytest.raises(ValueError, match="`transform` must have shape \\(8,\\)"):
        image.affine_transform(IMG, np.zeros((2, 6)))
    with pytest.raises(ValueError, match="holds 3 rows for a batch of 2"):
        image.affine_transform(IMG, np.zeros((3, 8)))
    with pytest.raises(ValueError, match="affine_transform: `fill_value` must be a Python number"):
        image.affine_transform(IMG, TRANSFORMS, fill_value="black")


CORNERS = np.array([[0, 0], [0, 3], [4, 0], [4, 3]], "float32")
MOVED = np.array([[0.3, 0.2], [0.1, 3.4], [3.6, -0.2], [4.2, 2.9]], "float32")


def test_perspective_transform_matches_keras_and_identity():
    out = image.perspective_transform(X, CORNERS, MOVED)
    keras_ref = [[0.0, 0.511813, 0.342502, 0.807381, 0.381051],
                 [0.120555, 0.794872, 0.52408, 0.208163, 0.710282],
                 [0.291291, 0.102705, 0.651691, 0.348109, 0.760275],
                 [0.468221, 0.20498, 0.777279, 0.559446, 0.172818]]
    np.testing.assert_allclose(np_(out)[0, ..., 0], keras_ref, atol=2e-5)
    same = image.perspective_transform(IMG, np.stack([CORNERS] * 2), np.stack([CORNERS] * 2))
    np.testing.assert_allclose(np_(same), IMG, atol=1e-5)
    # Moving every corner one pixel right shifts the image right, filling column 0.
    moved = np_(image.perspective_transform(IMG, CORNERS, CORNERS + [1, 0], fill_value=-1.0))
    np.testing.assert_allclose(moved[:, :, 1:], IMG[:, :, :-1], atol=1e-5)
    np.testing.assert_allclose(moved[:, :, 0], -1.0)


def test_perspective_transform_rejects_bad_points():
    with pytest.raises(ValueError, match=r"`start_points` must have shape \(4, 2\)"):
        image.perspective_transform(IMG, np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="must have the same shape"):
        image.perspective_transform(IMG, CORNERS, np.stack([CORNERS] * 2))


def test_elastic_transform_properties():
    x = np.concatenate([IMG[..., :1], 2 * IMG[..., :1]], axis=-1)

    def warp(images, alpha=3.0, seed=5, data_format=None):
        return np_(image.elastic_transform(images, alpha=alpha, sigma=1.0, seed=seed,
                                           data_format=data_format))

    a = warp(x)
    np.testing.assert_array_equal(warp(x), a)
    assert np.abs(warp(x, seed=6) - a).max() > 1e-3 and np.abs(a - x).max() > 1e-3
    # One displacement field for all channels: sampling is linear in the values.
    np.testing.assert_allclose(a[..., 1], 2 * a[..., 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(warp(x, alpha=0.0), x, atol=1e-6)
    cf = warp(np.moveaxis(x, -1, 1), data_format="channels_first")
    np.testing.assert_allclose(np.moveaxis(cf, 1, -1), a, atol=1e-6)
    gen = SeedGenerator(1)
    assert np.abs(warp(x, seed=gen) - warp(x, seed=gen)).max() > 0
    with pytest.raises(ValueError, match="elastic_transform: `sigma` must be a positive"):
        image.elastic_transform(x, sigma=0)


# -- filters ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kernel_size, sigma", [((3, 3), (1.0, 1.0)), ((3, 5), (0.7, 1.6)),
                                                (5, 2.0)])
def test_gaussian_blur_matches_separable_numpy(kernel_size, sigma):
    ks = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    sg = (sigma,) * 2 if isinstance(sigma, float) else sigma
    # Entry 1 shapes the height axis, entry 0 the width axis (Keras 3's pairing).
    kernel = np.outer(ref_gaussian_1d(ks[1], sg[1]), ref_gaussian_1d(ks[0], sg[0]))
    out = image.gaussian_blur(IMG, kernel_size, sigma)
    np.testing.assert_allclose(np_(out), ref_filter2d(IMG, kernel), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="gaussian_blur: `sigma` must be a positive number"):
        image.gaussian_blur(IMG, sigma=(1.0, -1.0))


def test_sobel_edges_matches_numpy():
    d_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)
    out = np_(image.sobel_edges(IMG))
    assert out.shape == (2, 5, 6, 3, 2)
    np.testing.assert_allclose(out[..., 0], ref_filter2d(IMG, d_x.T), atol=1e-5)
    np.testing.assert_allclose(out[..., 1], ref_filter2d(IMG, d_x), atol=1e-5)
    # A vertical step: dx responds at the step, dy only at the zero-padded top and bottom.
    step = np.zeros((1, 4, 4, 1), "float32")
    step[..., 2:, 0] = 1.0
    edges = np_(image.sobel_edges(step))[0, ..., 0, :]
    assert edges[1:3, :, 1].tolist() == [[0, 4, 4, -4]] * 2  # zeros lie beyond column 3


def test_ssim_matches_numpy_and_keras():
    a = RNG.random((2, 12, 13, 3)).astype("float32")
    b = np.clip(a + 0.1 * RNG.standard_normal(a.shape), 0, 1).astype("float32")
    np.testing.assert_allclose(np_(image.ssim(a, b)), ref_ssim(a, b, 11, 1.5), rtol=1e-4)
    np.testing.assert_allclose(np_(image.ssim(a, a)), [1.0, 1.0], rtol=1e-5)
    out = image.ssim(a[0] * 255, b[0] * 255, max_val=255.0, filter_size=5, filter_sigma=1.0)
    assert out.shape == ()
    np.testing.assert_allclose(np_(out), ref_ssim(a[:1] * 255, b[:1] * 255, 5, 1.0, 255.0)[0],
                               rtol=1e-4)
    keras_ref = -0.222861
    np.testing.assert_allclose(np_(image.ssim(X, X[:, ::-1] * 0.8 + 0.05, filter_size=3)),
                               [keras_ref], atol=2e-6)
    with pytest.raises(ValueError, match="ssim: `image1` and `image2` must have the same shape"):
        image.ssim(a, b[:, :5])
    with pytest.raises(ValueError, match="ssim: `filter_size`=11 exceeds"):
        image.ssim(IMG, IMG)


# -- patches ------------------------------------------------------------------------------------
@pytest.mark.parametrize("size, strides, dilation, padding", [
    ((2, 3), (1, 2), 1, "valid"), ((3, 2), (2, 2), 1, "same"), (2, 1, 2, "valid"),
    (2, None, 1, "valid"), ((3, 3), 2, (1, 2), "same")])
def test_extract_patches_matches_slicing(size, strides, dilation, padding):
    out = image.extract_patches(IMG, size, strides, dilation, padding)
    ks = (size,) * 2 if isinstance(size, int) else size
    st = ks if strides is None else ((strides,) * 2 if isinstance(strides, int) else strides)
    dl = (dilation,) * 2 if isinstance(dilation, int) else dilation
    np.testing.assert_array_equal(np_(out), ref_patches(IMG, ks, st, dl, padding))


@pytest.mark.parametrize("size, strides, padding", [((2, 2, 3), (1, 2, 2), "valid"),
                                                    (2, (2, 3, 2), "same")])
def test_extract_patches_3d_matches_slicing(size, strides, padding):
    vol = RNG.random((2, 4, 5, 6, 2)).astype("float32")
    ks = (size,) * 3 if isinstance(size, int) else size
    st = (strides,) * 3 if isinstance(strides, int) else strides
    ref = ref_patches(vol, ks, st, padding=padding)
    np.testing.assert_array_equal(np_(image.extract_patches_3d(vol, size, strides,
                                                               padding=padding)), ref)
    np.testing.assert_array_equal(np_(image.extract_patches(vol[0], ks, st, padding=padding)),
                                  ref[0])
    cf = image.extract_patches_3d(np.moveaxis(vol, -1, 1), size, strides, padding=padding,
                                  data_format="channels_first")
    np.testing.assert_array_equal(np.moveaxis(np_(cf), 1, -1), ref)


def test_extract_patches_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"extract_patches: `size` must be an int or a tuple"):
        image.extract_patches(IMG, (2, 2, 2, 2))
    with pytest.raises(ValueError, match="extract_patches: unknown padding 'full'"):
        image.extract_patches(IMG, 2, padding="full")
    with pytest.raises(ValueError, match="`strides` must be an int or a tuple of 2 ints"):
        image.extract_patches(IMG, 2, strides=(0, 1))
    with pytest.raises(ValueError, match="extract_patches_3d: `volumes` must be rank 4 or rank 5"):
        image.extract_patches_3d(IMG[0], 2)


# -- layouts, batching, symbolic shapes ---------------------------------------------------------
CORNERS2 = np.stack([CORNERS, CORNERS])
LAYOUT_CASES = {
    "rgb_to_grayscale": lambda x, df: image.rgb_to_grayscale(x, data_format=df),
    "rgb_to_hsv": lambda x, df: image.rgb_to_hsv(x, data_format=df),
    "hsv_to_rgb": lambda x, df: image.hsv_to_rgb(x, data_format=df),
    "resize": lambda x, df: image.resize(x, (7, 4), interpolation="bicubic", data_format=df),
    "resize_crop": lambda x, df: image.resize(x, (3, 3), crop_to_aspect_ratio=True,
                                              data_format=df),
    "resize_pad": lambda x, df: image.resize(x, (3, 8), pad_to_aspect_ratio=True,
                                             data_format=df),
    "pad_images": lambda x, df: image.pad_images(x, 1, 2, 0, 1, data_format=df),
    "crop_images": lambda x, df: image.crop_images(x, 1, 2, 0, 1, data_format=df),
    "affine_transform": lambda x, df: image.affine_transform(x, TRANSFORMS[0], data_format=df),
    "perspective_transform": lambda x, df: image.perspective_transform(
        x, CORNERS, MOVED, data_format=df),
    "gaussian_blur": lambda x, df: image.gaussian_blur(x, (3, 5), (1.0, 0.5), data_format=df),
    "extract_patches": lambda x, df: image.extract_patches(x, (2, 3), 1, data_format=df),
}


@pytest.mark.parametrize("name", list(LAYOUT_CASES))
def test_channels_first_and_unbatched_agree(name):
    fn = LAYOUT_CASES[name]
    ref = np_(fn(IMG, "channels_last"))
    cf = np_(fn(np.moveaxis(IMG, -1, 1), "channels_first"))
    np.testing.assert_allclose(np.moveaxis(cf, 1, -1), ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np_(fn(IMG[1], "channels_last")), ref[1], rtol=1e-5, atol=1e-6)


def test_default_data_format_is_configured_one():
    backend.set_image_data_format("channels_first")
    try:
        out = image.resize(np.moveaxis(IMG, -1, 1), (7, 9))
    finally:
        backend.set_image_data_format("channels_last")
    np.testing.assert_allclose(np.moveaxis(np_(out), 1, -1), ref_resize_bilinear(IMG, 7, 9),
                               rtol=1e-5, atol=1e-6)


def test_sobel_and_ssim_layouts_agree():
    cf = np.moveaxis(IMG, -1, 1)
    np.testing.assert_allclose(np.moveaxis(np_(image.sobel_edges(cf, "channels_first")), 1, 3),
                               np_(image.sobel_edges(IMG)), atol=1e-6)
    np.testing.assert_allclose(np_(image.sobel_edges(IMG[0])), np_(image.sobel_edges(IMG))[0],
                               atol=1e-6)
    np.testing.assert_allclose(np_(image.ssim(cf, cf[::-1], filter_size=3,
                                              data_format="channels_first")),
                               np_(image.ssim(IMG, IMG[::-1], filter_size=3)), rtol=1e-5)


SYMBOLIC_CASES = [
    (lambda x: image.rgb_to_grayscale(x), (None, 5, 6, 1)),
    (lambda x: image.rgb_to_hsv(x), (None, 5, 6, 3)),
    (lambda x: image.hsv_to_rgb(x), (None, 5, 6, 3)),
    (lambda x: image.resize(x, (7, 2), interpolation="area"), (None, 7, 2, 3)),
    (lambda x: image.pad_images(x, 1, 2, 0, 1), (None, 6, 9, 3)),
    (lambda x: image.crop_images(x, 1, 2, target_height=3, target_width=2), (None, 3, 2, 3)),
    (lambda x: image.affine_transform(x, TRANSFORMS[0]), (None, 5, 6, 3)),
    (lambda x: image.perspective_transform(x, CORNERS, MOVED), (None, 5, 6, 3)),
    (lambda x: image.elastic_transform(x, sigma=1.0, seed=1), (None, 5, 6, 3)),
    (lambda x: image.gaussian_blur(x), (None, 5, 6, 3)),
    (lambda x: image.sobel_edges(x), (None, 5, 6, 3, 2)),
    (lambda x: image.ssim(x, x, filter_size=3), (None,)),
    (lambda x: image.extract_patches(x, (2, 3)), (None, 2, 2, 18)),
    (lambda x: image.map_coordinates(x, np.zeros((4, 7, 2), "float32"), 1), (7, 2)),
]


@pytest.mark.parametrize("index", range(len(SYMBOLIC_CASES)))
def test_symbolic_shapes(index):
    fn, expected = SYMBOLIC_CASES[index]
    out = fn(KerasTensor((None, 5, 6, 3)))
    assert isinstance(out, KerasTensor) and out.shape == expected


def test_symbolic_with_unknown_sides_and_replay():
    x = KerasTensor((None, None, None, 3))
    assert image.crop_images(x, 1, 1, target_height=2, target_width=3).shape == (None, 2, 3, 3)
    assert image.pad_images(x, 1, 1, target_height=9, target_width=9).shape == (None, 9, 9, 3)
    assert image.resize(x, (4, 4), crop_to_aspect_ratio=True).shape == (None, 4, 4, 3)
    node = image.elastic_transform(x, alpha=0.0, sigma=1.0, seed=1).node
    out = image.scale_and_translate(KerasTensor((3, 5)), (6, 2), KerasTensor((2,)),
                                    np.zeros(2, "float32"), (0, 1), "linear")
    assert out.shape == (6, 2)
    replayed = node.replay([IMG[..., :2], *node.args[1:]], node.kwargs)
    np.testing.assert_allclose(np_(replayed), IMG[..., :2], atol=1e-6)


def test_rank_errors_name_the_op():
    for op in ("rgb_to_grayscale", "gaussian_blur", "sobel_edges", "elastic_transform"):
        with pytest.raises(ValueError, match=f"{op}: `images` must be rank 3 or rank 4"):
            getattr(image, op)(np.ones((1, 2, 3, 4, 3), "float32"))


# -- gradients ----------------------------------------------------------------------------------
def test_gradients_match_finite_differences():
    x = RNG.random((1, 3, 3, 1))
    w = RNG.random((1, 4, 2, 1))
    gradcheck.check_grads(lambda t: (image.resize(t, (4, 2)) * w).sum(), [x])
    w = RNG.random((1, 3, 3, 1))
    gradcheck.check_grads(lambda t: (image.affine_transform(t, TRANSFORMS[0]) * w).sum(), [x])
    coords = RNG.uniform(-0.5, 2.5, size=(2, 5))
    w = RNG.random(5)
    gradcheck.check_grads(lambda t: (image.map_coordinates(t, coords, 1) * w).sum(), [x[0, ..., 0]])
