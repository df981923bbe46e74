"""Images as arrays and back (Pillow): `load_img`, `img_to_array`, `array_to_img`, `save_img`."""

import numpy as np

from lamina import backend

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("lamina's image utilities need Pillow: pip install Pillow "
                          "(or pip install 'lamina[dev]').") from None
    return Image


def _data_format(data_format):
    data_format = data_format or backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("`data_format` must be 'channels_last' or 'channels_first'. Received: "
                         f"data_format={data_format!r}")
    return data_format


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A PIL image from a 3-D array (height, width, channels) with 1, 3 or 4 channels.

    With `scale`, values are shifted and scaled to 0..255 (the array's min to 0, max to 255).
    """
    image_module = _pil()
    x = np.asarray(x, dtype=dtype or backend.floatx())
    if x.ndim != 3:
        raise ValueError("array_to_img: expected an image array of rank 3 (height, width, "
                         f"channels). Received shape {x.shape}.")
    if _data_format(data_format) == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x = x / top
        x = x * 255
    channels = x.shape[2]
    modes = {1: "L", 3: "RGB", 4: "RGBA"}
    if channels not in modes:
        raise ValueError(f"array_to_img: unsupported channel count {channels}; expected 1, 3 "
                         "or 4.")
    pixels = np.clip(np.round(x), 0, 255).astype("uint8")
    return image_module.fromarray(pixels[:, :, 0] if channels == 1 else pixels, modes[channels])


def img_to_array(img, data_format=None, dtype=None):
    """A 3-D float array from a PIL image (grayscale images get one channel)."""
    x = np.asarray(img, dtype=dtype or backend.floatx())
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3:
        raise ValueError(f"img_to_array: unsupported image shape {x.shape}.")
    return x.transpose(2, 0, 1) if _data_format(data_format) == "channels_first" else x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write the image array `x` to `path` (format from the suffix or `file_format`)."""
    image = array_to_img(x, data_format=data_format, scale=scale)
    if image.mode == "RGBA" and (file_format or str(path)).lower().endswith(("jpg", "jpeg")):
        image = image.convert("RGB")  # JPEG has no alpha channel
    image.save(path, format=file_format, **kwargs)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Load an image file as a PIL image, optionally resized to `target_size` (height, width).

    Args:
        color_mode: "grayscale", "rgb" or "rgba".
        interpolation: One of "nearest", "bilinear", "bicubic", "hamming", "box", "lanczos".
        keep_aspect_ratio: Center-crop to the target's aspect ratio before resizing.
    """
    image_module = _pil()
    modes = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
    if color_mode not in modes:
        raise ValueError(f"load_img: `color_mode` must be one of {list(modes)}. Received: "
                         f"color_mode={color_mode!r}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"load_img: `interpolation` must be one of {list(_INTERPOLATIONS)}. "
                         f"Received: interpolation={interpolation!r}")
    with image_module.open(path) as opened:
        image = opened.convert(modes[color_mode])
    if target_size is not None:
        height, width = target_size
        if keep_aspect_ratio:
            w, h = image.size
            crop_h, crop_w = min(h, int(w * height / width)), min(w, int(h * width / height))
            top, left = (h - crop_h) // 2, (w - crop_w) // 2
            image = image.crop((left, top, left + crop_w, top + crop_h))
        resample = getattr(image_module.Resampling, interpolation.upper())
        if image.size != (width, height):
            image = image.resize((width, height), resample)
    return image
