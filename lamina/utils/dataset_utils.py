"""Datasets from files on disk (`image_dataset_from_directory`, `text_dataset_from_directory`),
`split_dataset`, and the `(x, y, sample_weight)` packing every data source uses.

lamina has no tf.data: the directory loaders return a `DirectoryDataset`, a
`lamina.utils.PyDataset` that reads its files batch by batch (so `workers` load them in
parallel) and that `fit`, `evaluate` and `predict` accept directly.
"""

import os

import numpy as np

from lamina import backend
from lamina.utils.py_dataset import PyDataset
from lamina.utils.tree import flatten, pack_sequence_as

_IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_LABEL_MODES = ("int", "categorical", "binary", None)
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}


class DirectoryDataset(PyDataset):
    """Batches `(inputs, labels)` (or `inputs` alone without labels) read from files.

    Built by `image_dataset_from_directory` and `text_dataset_from_directory`. Attributes:
    `class_names` (label index -> name, or None) and `file_paths` (in the current order).
    With `shuffle`, the order is reshuffled after every epoch (seeded).
    """

    def __init__(self, file_paths, labels, label_mode, class_names, batch_size, load,
                 shuffle=False, seed=None):
        super().__init__()
        self.file_paths = list(file_paths)
        self.labels = None if labels is None else np.asarray(labels)
        self.label_mode, self.class_names = label_mode, class_names
        self.batch_size, self._load = batch_size, load
        self._rng = np.random.RandomState(seed) if shuffle else None

    def __len__(self):
        if self.batch_size is None:
            return len(self.file_paths)
        return (len(self.file_paths) + self.batch_size - 1) // self.batch_size

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"DirectoryDataset: index {index} out of range for {len(self)} "
                             "batches.")
        size = self.batch_size or 1
        rows = slice(index * size, (index + 1) * size)
        inputs = self._load(self.file_paths[rows])
        labels = None if self.labels is None else self._encode(self.labels[rows])
        if self.batch_size is None:
            inputs = inputs[0]
            labels = None if labels is None else labels[0]
        return inputs if labels is None else (inputs, labels)

    def _encode(self, labels):
        if self.label_mode == "categorical":
            return np.eye(len(self.class_names), dtype="float32")[labels]
        if self.label_mode == "binary":
            return labels.astype("float32").reshape(-1, 1)
        return labels.astype("int32")

    def on_epoch_end(self):
        if self._rng is not None:
            order = self._rng.permutation(len(self.file_paths))
            self.file_paths = [self.file_paths[i] for i in order]
            if self.labels is not None:
                self.labels = self.labels[order]


# -- (x, y, sample_weight) ----------------------------------------------------------------------
def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Pack user data into the tuple form a generator or PyDataset yields.

    Args:
        x: Features (an array or a structure of arrays).
        y: Targets, or None.
        sample_weight: Per-sample weights, or None.

    Returns:
        `x` alone (or `(x,)` when `x` is itself a tuple or list, so it is not read as
        `(x, y)`), `(x, y)`, or `(x, y, sample_weight)`.

    >>> pack_x_y_sample_weight([1, 2], [0, 1])
    ([1, 2], [0, 1])
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """Split one batch into `(x, y, sample_weight)`, filling what is absent with None.

    Args:
        data: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`. A list counts as a tuple, so a
            model with several inputs gets them as `((x1, x2), y)`.

    Returns:
        The tuple `(x, y, sample_weight)`.

    >>> unpack_x_y_sample_weight(([1, 2], [0, 1]))
    ([1, 2], [0, 1], None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) in (1, 2, 3):
        return (*data, *(None,) * (3 - len(data)))
    raise ValueError("unpack_x_y_sample_weight: a batch must be `x`, `(x,)`, `(x, y)` or "
                     f"`(x, y, sample_weight)`; received a tuple of {len(data)} elements. "
                     "Group several inputs in one tuple: `((x1, x2), y)`.")


# -- indexing files -------------------------------------------------------------------------------
def _valid_files(directory, follow_links, formats):
    walk = sorted(os.walk(directory, followlinks=follow_links), key=lambda entry: entry[0])
    for root, _, files in walk:
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield os.path.join(root, name)


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True, what="index_directory"):
    """File paths, labels and class names of a folder of files, as Keras orders them: class
    folders sorted by name (or in `class_names` order), files sorted within each, then one
    seeded shuffle of the whole list."""
    if not os.path.isdir(directory):
        raise ValueError(f"{what}: `directory` {directory!r} is not a folder.")
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError(f"{what}: `class_names` {list(class_names)} must name "
                                 f"subfolders of {directory!r}; found {subdirs}.")
            subdirs = list(class_names)
        paths, indices = [], []
        for index, subdir in enumerate(subdirs):
            found = list(_valid_files(os.path.join(directory, subdir), follow_links, formats))
            paths += found
            indices += [index] * len(found)
        labels, class_names = np.asarray(indices, dtype="int32"), subdirs
    else:
        if class_names is not None:
            raise ValueError(f"{what}: `class_names` applies only with labels='inferred' (the "
                             "class names of explicit labels are the sorted labels).")
        paths = list(_valid_files(directory, follow_links, formats))
        if labels is not None:
            if len(labels) != len(paths):
                raise ValueError(f"{what}: `labels` has {len(labels)} entries but "
                                 f"{directory!r} holds {len(paths)} files; give one label "
                                 "per file, in the order of the sorted file paths.")
            class_names = [str(label) for label in sorted(set(labels))]
            labels = np.asarray(labels)
    if verbose:
        found = f"Found {len(paths)} files"
        print(found + ("." if labels is None else f" belonging to {len(class_names)} classes."))
    if shuffle:
        seed = np.random.randint(1_000_000) if seed is None else seed
        order = np.random.RandomState(seed).permutation(len(paths))
        paths = [paths[i] for i in order]
        labels = None if labels is None else labels[order]
    return paths, labels, class_names


def _check_common(what, labels, label_mode, batch_size, validation_split, subset, shuffle,
                  seed):
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(f"{what}: `labels` must be 'inferred', None, or a list of int labels "
                         f"(one per file, sorted by path). Received: labels={labels!r}")
    if label_mode not in _LABEL_MODES:
        raise ValueError(f"{what}: `label_mode` must be one of {list(_LABEL_MODES)}. Received: "
                         f"label_mode={label_mode!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or
                                   not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"{what}: `batch_size` must be a positive int or None. Received: "
                         f"batch_size={batch_size!r}")
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"{what}: `validation_split` must be in (0, 1). Received: "
                         f"validation_split={validation_split!r}")
    if bool(validation_split) != (subset is not None):
        raise ValueError(f"{what}: pass `validation_split` and `subset` together. Received: "
                         f"validation_split={validation_split!r}, subset={subset!r}")
    if subset not in (None, "training", "validation", "both"):
        raise ValueError(f"{what}: `subset` must be 'training', 'validation' or 'both'. "
                         f"Received: subset={subset!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError(f"{what}: with `validation_split` and shuffle=True, pass a `seed` so "
                         "that the training and validation subsets do not overlap.")


def _make_datasets(what, paths, labels, label_mode, class_names, batch_size, load, shuffle,
                   seed, validation_split, subset, verbose):
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f"{what}: label_mode='binary' needs exactly 2 classes; found "
                         f"{len(class_names)}: {class_names}. Use 'int' or 'categorical'.")
    if not paths:
        raise ValueError(f"{what}: no files with a supported extension were found.")

    def subset_of(name):
        rows = slice(None)
        if validation_split:
            num_val = int(validation_split * len(paths))
            rows = slice(None, len(paths) - num_val) if name == "training" else \
                slice(len(paths) - num_val, None)
            if verbose:
                count = len(paths[rows])
                print(f"Using {count} files for {name}.")
        return DirectoryDataset(paths[rows], None if labels is None else labels[rows],
                                label_mode, class_names, batch_size, load, shuffle, seed)

    if subset == "both":
        return subset_of("training"), subset_of("validation")
    return subset_of(subset)


# -- images ---------------------------------------------------------------------------------------
def _resize_linear(image, height, width):
    """Bilinear resize with half-pixel centers and no antialiasing (Keras's "bilinear")."""
    def weights(out_size, in_size):
        coord = np.clip((np.arange(out_size) + 0.5) * in_size / out_size - 0.5, 0, in_size - 1)
        low = np.floor(coord).astype(int)
        high = np.minimum(low + 1, in_size - 1)
        return low, high, (coord - low).astype("float32")
    y0, y1, wy = weights(height, image.shape[0])
    x0, x1, wx = weights(width, image.shape[1])
    rows = image[y0] * (1 - wy)[:, None, None] + image[y1] * wy[:, None, None]
    return rows[:, x0] * (1 - wx)[None, :, None] + rows[:, x1] * wx[None, :, None]


def _resize(image, size, interpolation):
    height, width = size
    if image.shape[:2] == (height, width):
        return image
    if interpolation == "nearest":
        ys = np.minimum(((np.arange(height) + 0.5) * image.shape[0] / height).astype(int),
                        image.shape[0] - 1)
        xs = np.minimum(((np.arange(width) + 0.5) * image.shape[1] / width).astype(int),
                        image.shape[1] - 1)
        return image[ys][:, xs]
    if interpolation == "bilinear":
        return _resize_linear(image, height, width)
    from PIL import Image  # other filters: Pillow's nearest equivalents, channel by channel
    filters = {"bicubic": Image.BICUBIC, "area": Image.BOX, "lanczos3": Image.LANCZOS,
               "lanczos5": Image.LANCZOS, "gaussian": Image.BICUBIC,
               "mitchellcubic": Image.BICUBIC}
    channels = [np.asarray(Image.fromarray(image[..., c]).resize((width, height),
                                                                 filters[interpolation]))
                for c in range(image.shape[-1])]
    return np.stack(channels, axis=-1)


def _fit_aspect(image, size, crop, pad):
    height, width = image.shape[:2]
    target_h, target_w = size
    if crop:
        crop_h = min(height, int(width * target_h / target_w))
        crop_w = min(width, int(height * target_w / target_h))
        top, left = (height - crop_h) // 2, (width - crop_w) // 2
        return image[top:top + crop_h, left:left + crop_w]
    if pad:
        pad_h = max(height, int(width * target_h / target_w))
        pad_w = max(width, int(height * target_w / target_h))
        out = np.zeros((pad_h, pad_w, image.shape[2]), image.dtype)
        top, left = (pad_h - height) // 2, (pad_w - width) // 2
        out[top:top + height, left:left + width] = image
        return out
    return image


def _image_loader(size, color_mode, interpolation, crop, pad, channels_first):
    from PIL import Image
    mode = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}[color_mode]

    def load(paths):
        images = []
        for path in paths:
            with Image.open(path) as img:
                array = np.asarray(img.convert(mode), dtype="float32")
            if array.ndim == 2:
                array = array[..., None]
            array = _resize(_fit_aspect(array, size, crop, pad), size, interpolation)
            images.append(array.astype("float32"))
        batch = np.stack(images)
        return np.transpose(batch, (0, 3, 1, 2)) if channels_first else batch
    return load


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """A dataset of image batches from a folder with one subfolder per class.

    Images (.bmp, .gif, .jpeg, .jpg, .png, read with Pillow) become float32 arrays of shape
    `(batch, height, width, channels)` with values in [0, 255]; labels follow `label_mode`:
    "int" (int32 class indices), "categorical" (float32 one-hot), "binary" (float32
    `(batch, 1)`, two classes) or None (images only).

    Args:
        directory: The folder. With labels="inferred", each subfolder is a class (sorted by
            name).
        labels: "inferred", None, or a list of int labels, one per image in sorted path order.
        label_mode: "int", "categorical", "binary" or None.
        class_names: With labels="inferred", the subfolders to use, in label order.
        color_mode: "grayscale", "rgb" or "rgba" (1, 3 or 4 channels).
        batch_size: Images per batch; None gives single images.
        image_size: `(height, width)` the images are resized to.
        shuffle: Shuffle the files (seeded) and reshuffle after each epoch.
        seed: Int seed for shuffling and the validation split.
        validation_split: Fraction of the files held out for validation (taken from the end).
        subset: "training", "validation" or "both" (a tuple of two datasets).
        interpolation: "bilinear" and "nearest" follow Keras exactly (half-pixel centers, no
            antialiasing); "bicubic", "area", "lanczos3", "lanczos5", "gaussian" and
            "mitchellcubic" use Pillow's nearest filter.
        follow_links: Follow symbolic links to subfolders.
        crop_to_aspect_ratio: Center-crop to the target aspect ratio before resizing.
        pad_to_aspect_ratio: Zero-pad to the target aspect ratio before resizing.
        data_format: "channels_last" or "channels_first"; defaults to the global setting.
        format: "tf" or "grain", accepted for Keras compatibility (both give a lamina
            dataset).
        verbose: Print how many files and classes were found.

    Returns:
        A `DirectoryDataset` (a PyDataset), or a tuple of two with subset="both".

    >>> ds = image_dataset_from_directory("photos/", image_size=(64, 64))  # doctest: +SKIP
    >>> images, labels = ds[0]  # doctest: +SKIP
    """
    what = "image_dataset_from_directory"
    _check_common(what, labels, label_mode, batch_size, validation_split, subset, shuffle,
                  seed)
    if color_mode not in _CHANNELS:
        raise ValueError(f"{what}: `color_mode` must be one of {list(_CHANNELS)}. Received: "
                         f"color_mode={color_mode!r}")
    if (not isinstance(image_size, (list, tuple)) or len(image_size) != 2 or
            not all(isinstance(d, int) and d > 0 for d in image_size)):
        raise ValueError(f"{what}: `image_size` must be (height, width) of positive ints. "
                         f"Received: image_size={image_size!r}")
    interpolations = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                      "gaussian", "mitchellcubic")
    if interpolation not in interpolations:
        raise ValueError(f"{what}: `interpolation` must be one of {list(interpolations)}. "
                         f"Received: interpolation={interpolation!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{what}: pass only one of `crop_to_aspect_ratio` and "
                         "`pad_to_aspect_ratio`.")
    data_format = data_format or backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{what}: `data_format` must be 'channels_last' or 'channels_first'. "
                         f"Received: data_format={data_format!r}")
    if format not in ("tf", "grain"):
        raise ValueError(f"{what}: `format` must be 'tf' or 'grain'. Received: {format!r}")
    paths, labels, class_names = index_directory(
        directory, labels, _IMAGE_FORMATS, class_names, shuffle, seed, follow_links, verbose,
        what)
    load = _image_loader(tuple(image_size), color_mode, interpolation, crop_to_aspect_ratio,
                         pad_to_aspect_ratio, data_format == "channels_first")
    return _make_datasets(what, paths, labels, label_mode, class_names, batch_size, load,
                          shuffle, seed, validation_split, subset, verbose)


# -- text -----------------------------------------------------------------------------------------
def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """A dataset of text batches from a folder of .txt files with one subfolder per class.

    Texts are decoded as UTF-8 and batched as NumPy object arrays of Python strings (the form
    lamina's text preprocessing layers take); labels follow `label_mode` as in
    `image_dataset_from_directory`.

    Args:
        directory: The folder; with labels="inferred", one subfolder per class.
        labels: "inferred", None, or a list of int labels, one per file in sorted path order.
        label_mode: "int", "categorical", "binary" or None.
        class_names: With labels="inferred", the subfolders to use, in label order.
        batch_size: Texts per batch; None gives single texts.
        max_length: Keep at most this many characters of each text.
        shuffle: Shuffle the files (seeded) and reshuffle after each epoch.
        seed: Int seed for shuffling and the validation split.
        validation_split: Fraction of the files held out for validation (taken from the end).
        subset: "training", "validation" or "both".
        follow_links: Follow symbolic links to subfolders.
        format: "tf" or "grain", accepted for Keras compatibility.
        verbose: Print how many files and classes were found.

    Returns:
        A `DirectoryDataset` (a PyDataset), or a tuple of two with subset="both".

    >>> ds = text_dataset_from_directory("reviews/", batch_size=8)  # doctest: +SKIP
    >>> texts, labels = ds[0]  # doctest: +SKIP
    """
    what = "text_dataset_from_directory"
    _check_common(what, labels, label_mode, batch_size, validation_split, subset, shuffle,
                  seed)
    if max_length is not None and (isinstance(max_length, bool) or
                                   not isinstance(max_length, int) or max_length < 1):
        raise ValueError(f"{what}: `max_length` must be a positive int or None. Received: "
                         f"max_length={max_length!r}")
    if format not in ("tf", "grain"):
        raise ValueError(f"{what}: `format` must be 'tf' or 'grain'. Received: {format!r}")
    paths, labels, class_names = index_directory(
        directory, labels, (".txt",), class_names, shuffle, seed, follow_links, verbose, what)

    def load(batch_paths):
        texts = []
        for path in batch_paths:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            texts.append(text if max_length is None else text[:max_length])
        out = np.empty(len(texts), dtype=object)
        out[:] = texts
        return out
    return _make_datasets(what, paths, labels, label_mode, class_names, batch_size, load,
                          shuffle, seed, validation_split, subset, verbose)


# -- split_dataset --------------------------------------------------------------------------------
class _Subset(PyDataset):
    """Items `indices` of a dataset with `len()` and indexing (a PyDataset's batches, or a
    map-style dataset's samples)."""

    def __init__(self, dataset, indices):
        super().__init__(workers=getattr(dataset, "workers", 1),
                         use_multiprocessing=getattr(dataset, "use_multiprocessing", False),
                         max_queue_size=getattr(dataset, "max_queue_size", 10))
        self.dataset, self.indices = dataset, np.asarray(indices)

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[int(self.indices[index])]


def _split_sizes(left_size, right_size, total):
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is None:
            continue
        if isinstance(size, bool) or not isinstance(size, (int, float)):
            raise TypeError(f"split_dataset: `{name}` must be an int, a float or None. "
                            f"Received: {name}={size!r} of type {type(size).__name__}")
        if (isinstance(size, int) and not 0 < size < total) or \
                (isinstance(size, float) and not 0 < size < 1):
            raise ValueError(f"split_dataset: `{name}` must be an int in (0, {total}) or a "
                             f"float in (0, 1). Received: {name}={size}")
    if left_size is None and right_size is None:
        raise ValueError("split_dataset: pass `left_size` or `right_size` (or both).")
    if isinstance(left_size, float) and isinstance(right_size, float) and \
            left_size + right_size > 1:
        raise ValueError(f"split_dataset: left_size + right_size = {left_size + right_size} "
                         "exceeds 1.")
    left = round(left_size * total) if isinstance(left_size, float) else left_size
    right = round(right_size * total) if isinstance(right_size, float) else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"split_dataset: left_size + right_size = {left + right} exceeds the "
                         f"{total} samples.")
    if left == 0 or right == 0:
        raise ValueError(f"split_dataset: with {total} samples, left_size={left} and "
                         f"right_size={right} leave one side empty. Adjust the sizes.")
    return int(left), int(right)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """Split a dataset in two: the first `left_size` items and the next `right_size`.

    Args:
        dataset: A NumPy array, a tuple/list/dict of arrays with one length (split by
            sample), a `lamina.utils.PyDataset` (split by batch), or a map-style dataset with
            `len()` and indexing such as a torch `Dataset` (split by sample).
        left_size: Int count or float fraction of the left split; None is the complement of
            `right_size`.
        right_size: Int count or float fraction of the right split; None is the complement.
        shuffle: Shuffle the items before splitting.
        seed: Int seed for the shuffle.
        preferred_backend: Accepted for Keras compatibility; ignored.

    Returns:
        A tuple `(left, right)`: arrays in the input's structure for array input, otherwise two
        PyDatasets viewing the chosen items.

    >>> left, right = split_dataset(np.arange(10), left_size=0.8)
    >>> left.tolist(), right.tolist()
    ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])
    """
    del preferred_backend
    if isinstance(dataset, list) and dataset and all(np.isscalar(v) for v in dataset):
        dataset = np.asarray(dataset)  # a list of numbers is one array, not a list of arrays
    arrays = isinstance(dataset, (np.ndarray, list, tuple, dict))
    if arrays:
        leaves = [np.asarray(a) for a in flatten(dataset)]
        if not leaves:
            raise ValueError("split_dataset: `dataset` is empty.")
        if any(a.ndim == 0 for a in leaves):
            raise ValueError("split_dataset: a tuple, list or dict `dataset` must hold arrays "
                             "with a sample axis; found a scalar. Pass `(x, y)` as arrays, not "
                             "a list of samples.")
        lengths = {len(a) for a in leaves}
        if len(lengths) != 1:
            raise ValueError("split_dataset: the arrays of `dataset` must share one length; "
                             f"found lengths {sorted(lengths)}.")
        total = lengths.pop()
    elif hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__"):
        total = len(dataset)
    else:
        raise TypeError("split_dataset: `dataset` must be an array, a tuple/list/dict of "
                        "arrays, a PyDataset or a dataset with len() and indexing. Received: "
                        f"{type(dataset).__name__}")
    left, right = _split_sizes(left_size, right_size, total)
    order = np.arange(total)
    if shuffle:
        np.random.RandomState(seed).shuffle(order)
    parts = (order[:left], order[left:left + right])
    if arrays:
        return tuple(pack_sequence_as(dataset, [a[rows] for a in leaves]) for rows in parts)
    return tuple(_Subset(dataset, rows) for rows in parts)
