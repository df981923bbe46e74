"""Directory datasets on real files, split_dataset and the (x, y, sample_weight) packing."""

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.utils.dataset_utils import (
    image_dataset_from_directory,
    pack_x_y_sample_weight,
    split_dataset,
    text_dataset_from_directory,
    unpack_x_y_sample_weight,
)
from lamina.utils.py_dataset import PyDataset

Image = pytest.importorskip("PIL.Image")


def _write_image(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array.astype(np.uint8)).save(path)


@pytest.fixture
def image_dir(tmp_path):
    """Two classes: 'cat' holds 3 images filled with 10, 11, 12; 'dog' holds 2 (20, 21)."""
    for name, values in (("cat", (10, 11, 12)), ("dog", (20, 21))):
        for i, v in enumerate(values):
            image = np.full((4, 6, 3), v)
            image[0, 0] = (1, 2, 3)  # a marker pixel to check orientation and channels
            _write_image(tmp_path / name / f"img{i}.png", image)
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    return tmp_path


def test_images_labels_and_class_names(image_dir, capsys):
    ds = image_dataset_from_directory(image_dir, image_size=(4, 6), batch_size=2, shuffle=False)
    assert "Found 5 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["cat", "dog"] and len(ds) == 3
    images, labels = ds[0]
    assert images.shape == (2, 4, 6, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32 and labels.tolist() == [0, 0]
    assert images[0, 0, 0].tolist() == [1, 2, 3] and images[1, 2, 2].tolist() == [11, 11, 11]
    images, labels = ds[2]
    assert images.shape == (1, 4, 6, 3) and labels.tolist() == [1]
    assert images[0, 1, 1, 0] == 21


def test_label_modes_and_color_modes(image_dir):
    ds = image_dataset_from_directory(image_dir, label_mode="categorical", batch_size=5,
                                      image_size=(4, 6), shuffle=False, color_mode="grayscale")
    images, labels = ds[0]
    assert images.shape == (5, 4, 6, 1)
    np.testing.assert_array_equal(labels, np.eye(2, dtype="float32")[[0, 0, 0, 1, 1]])
    # Pillow's RGB -> L conversion: L = R * 299/1000 + G * 587/1000 + B * 114/1000, rounded.
    assert images[0, 0, 0, 0] == round(1 * 0.299 + 2 * 0.587 + 3 * 0.114)
    binary = image_dataset_from_directory(image_dir, label_mode="binary", batch_size=5,
                                          image_size=(4, 6), shuffle=False, verbose=False)
    assert binary[0][1].tolist() == [[0.0], [0.0], [0.0], [1.0], [1.0]]
    only_images = image_dataset_from_directory(image_dir, labels=None, batch_size=None,
                                               image_size=(4, 6), shuffle=False, verbose=False)
    assert only_images[0].shape == (4, 6, 3) and only_images.class_names is None
    first = image_dataset_from_directory(image_dir, class_names=["dog", "cat"], batch_size=5,
                                         image_size=(4, 6), shuffle=False, verbose=False,
                                         data_format="channels_first")
    images, labels = first[0]
    assert images.shape == (5, 3, 4, 6) and labels.tolist() == [0, 0, 1, 1, 1]


def test_resizing_matches_keras_numbers(tmp_path):
    _write_image(tmp_path / "a" / "x.png", np.repeat((np.arange(6).reshape(2, 3) * 10)[..., None],
                                                     3, axis=-1))
    _write_image(tmp_path / "b" / "y.png", np.zeros((2, 3, 3)))

    def first(**kwargs):
        ds = image_dataset_from_directory(tmp_path, shuffle=False, verbose=False, batch_size=1,
                                          **kwargs)
        return ds[0][0][0, ..., 0]

    # keras.ops.image.resize on the same 2x3 image (Keras 3.15, jax backend).
    np.testing.assert_allclose(first(image_size=(4, 5)), [
        [0.0, 4.0, 10.0, 16.0, 20.0], [7.5, 11.5, 17.5, 23.5, 27.5],
        [22.5, 26.5, 32.5, 38.5, 42.5], [30.0, 34.0, 40.0, 46.0, 50.0]], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(first(image_size=(3, 2)),
                               [[2.5, 17.5], [17.5, 32.5], [32.5, 47.5]], rtol=1e-6)
    np.testing.assert_array_equal(first(image_size=(4, 5), interpolation="nearest"), [
        [0, 0, 10, 20, 20], [0, 0, 10, 20, 20], [30, 30, 40, 50, 50], [30, 30, 40, 50, 50]])


def test_crop_and_pad_to_aspect_ratio_match_keras_numbers(tmp_path):
    _write_image(tmp_path / "a" / "x.png",
                 np.repeat(np.arange(24).reshape(4, 6)[..., None], 3, axis=-1))
    _write_image(tmp_path / "b" / "y.png", np.zeros((4, 6, 3)))

    def first(**kwargs):
        ds = image_dataset_from_directory(tmp_path, image_size=(2, 2), shuffle=False,
                                          verbose=False, batch_size=1, **kwargs)
        return ds[0][0][0, ..., 0]

    np.testing.assert_allclose(first(crop_to_aspect_ratio=True), [[4.5, 6.5], [16.5, 18.5]])
    np.testing.assert_allclose(first(pad_to_aspect_ratio=True), [[1.0, 4.0], [19.0, 22.0]])


def test_shuffle_and_validation_split(image_dir):
    train, val = image_dataset_from_directory(image_dir, image_size=(4, 6), batch_size=8,
                                              seed=5, validation_split=0.4, subset="both",
                                              verbose=False)
    # Keras's order: sorted files, then one RandomState(seed) shuffle; validation from the end.
    order = np.random.RandomState(5).permutation(5)
    names = np.array(["cat/img0", "cat/img1", "cat/img2", "dog/img0", "dog/img1"])[order]
    as_names = [p.split("/")[-2] + "/" + p.split("/")[-1][:-4] for p in train.file_paths]
    assert as_names == names[:3].tolist() and len(val.file_paths) == 2
    assert set(train.file_paths).isdisjoint(val.file_paths)
    labels = train[0][1].tolist()
    assert labels == [0 if n.startswith("cat") else 1 for n in names[:3]]


def test_a_fit_on_an_image_directory(image_dir):
    ds = image_dataset_from_directory(image_dir, image_size=(4, 6), batch_size=2, seed=1,
                                      verbose=False)
    model = lamina.Sequential([lamina.Input((4, 6, 3)), layers.Rescaling(1 / 255),
                               layers.Flatten(), layers.Dense(2)])
    model.compile("sgd", lamina.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_image_directory_errors(image_dir):
    with pytest.raises(ValueError, match=r"`label_mode` must be one of"):
        image_dataset_from_directory(image_dir, label_mode="sparse")
    with pytest.raises(ValueError, match=r"pass a `seed`"):
        image_dataset_from_directory(image_dir, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match=r"pass `validation_split` and `subset` together"):
        image_dataset_from_directory(image_dir, validation_split=0.2, seed=1)
    with pytest.raises(ValueError, match=r"`class_names` \['bird'\] must name subfolders"):
        image_dataset_from_directory(image_dir, class_names=["bird"], verbose=False)
    with pytest.raises(ValueError, match=r"`image_size` must be \(height, width\)"):
        image_dataset_from_directory(image_dir, image_size=(0, 3))
    with pytest.raises(ValueError, match=r"`labels` has 2 entries but .* holds 5 files"):
        image_dataset_from_directory(image_dir, labels=[0, 1], verbose=False)
    (image_dir / "bird").mkdir()
    with pytest.raises(ValueError, match=r"label_mode='binary' needs exactly 2 classes"):
        image_dataset_from_directory(image_dir, label_mode="binary", verbose=False)


def test_text_directory(tmp_path):
    for label, texts in (("neg", ["bad", "awful film"]), ("pos", ["great", "héllo wörld"])):
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text, encoding="utf-8")
    ds = text_dataset_from_directory(tmp_path, batch_size=3, shuffle=False, max_length=5,
                                     verbose=False)
    texts, labels = ds[0]
    assert texts.dtype == object and texts.tolist() == ["bad", "awful", "great"]
    assert labels.tolist() == [0, 0, 1] and ds.class_names == ["neg", "pos"]
    assert ds[1][0].tolist() == ["héllo"]
    categorical = text_dataset_from_directory(tmp_path, batch_size=None, shuffle=False,
                                              label_mode="categorical", verbose=False)
    assert categorical[3][0] == "héllo wörld" and categorical[3][1].tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match=r"`max_length` must be a positive int"):
        text_dataset_from_directory(tmp_path, max_length=0)


# -- split_dataset ---------------------------------------------------------------------------------
def test_split_arrays_by_fraction_and_count():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    (lx, ly), (rx, ry) = split_dataset((x, y), left_size=0.75)
    # Keras rounds 0.75 * 10 = 7.5 with Python's round: 8 on the left.
    assert lx.tolist() == x[:8].tolist() and ly.tolist() == list(range(8))
    assert rx.tolist() == x[8:].tolist() and ry.tolist() == [8, 9]
    left, right = split_dataset({"a": y}, left_size=3, right_size=2)
    assert left["a"].tolist() == [0, 1, 2] and right["a"].tolist() == [3, 4]
    left, right = split_dataset(list(range(10)), right_size=0.2, shuffle=True, seed=1)
    order = np.arange(10)
    np.random.RandomState(1).shuffle(order)
    assert left.tolist() == order[:8].tolist() and right.tolist() == order[8:].tolist()


def test_split_a_py_dataset_and_a_map_style_dataset():
    class Batches(PyDataset):
        def __len__(self):
            return 5

        def __getitem__(self, index):
            return np.full((2, 1), index, "float32"), np.zeros((2, 1), "float32")

    left, right = split_dataset(Batches(), left_size=3)
    assert isinstance(left, PyDataset) and (len(left), len(right)) == (3, 2)
    assert right[1][0][0, 0] == 4

    class Samples:  # map-style, like a torch Dataset
        def __len__(self):
            return 6

        def __getitem__(self, index):
            return index, index * index

    left, right = split_dataset(Samples(), left_size=0.5)
    assert [left[i] for i in range(len(left))] == [(0, 0), (1, 1), (2, 4)]
    assert right[0] == (3, 9)


def test_split_errors():
    x = np.arange(10)
    with pytest.raises(ValueError, match=r"pass `left_size` or `right_size`"):
        split_dataset(x)
    with pytest.raises(ValueError, match=r"`left_size` must be an int in \(0, 10\)"):
        split_dataset(x, left_size=10)
    with pytest.raises(ValueError, match=r"exceeds 1"):
        split_dataset(x, left_size=0.6, right_size=0.6)
    with pytest.raises(TypeError, match=r"`right_size` must be an int, a float or None"):
        split_dataset(x, right_size="half")
    with pytest.raises(ValueError, match=r"must share one length"):
        split_dataset((x, x[:5]), left_size=2)
    with pytest.raises(ValueError, match=r"arrays with a sample axis; found a scalar"):
        split_dataset([(1, 2), (3, 4)], left_size=1)


# -- packing ---------------------------------------------------------------------------------------
def test_pack_and_unpack_x_y_sample_weight():
    x, y, sw = np.ones(2), np.zeros(2), np.full(2, 0.5)
    assert unpack_x_y_sample_weight(pack_x_y_sample_weight(x, y, sw)) == (x, y, sw)
    assert pack_x_y_sample_weight(x) is x
    assert pack_x_y_sample_weight((x, x)) == ((x, x),)
    assert unpack_x_y_sample_weight(((x, x),)) == ((x, x), None, None)
    assert unpack_x_y_sample_weight([x, y]) == (x, y, None)
    assert unpack_x_y_sample_weight(x) == (x, None, None)
    with pytest.raises(ValueError, match=r"received a tuple of 4 elements"):
        unpack_x_y_sample_weight((x, y, sw, sw))
