import numpy as np
import pytest

from lamina.layers.preprocessing.image import RandomFlip
from lamina.layers.preprocessing.image_compound import (
    AugMix,
    MaxNumBoundingBoxes,
    Pipeline,
    RandAugment,
)
from lamina.layers.preprocessing.numerical import Rescaling
from tests.layers.preprocessing._image_cases import random_batch, stub, to_numpy


def test_max_num_bounding_boxes_pads_and_truncates():
    boxes = np.arange(2 * 3 * 4, dtype="float32").reshape(2, 3, 4)
    labels = np.array([[1, 2, 3], [4, 5, 6]], "int32")
    data = {"images": np.ones((2, 4, 4, 3)), "bounding_boxes": {"boxes": boxes,
                                                                "labels": labels}}
    out = MaxNumBoundingBoxes(5, fill_value=-2)(data)["bounding_boxes"]
    np.testing.assert_array_equal(to_numpy(out["boxes"])[:, :3], boxes)
    np.testing.assert_array_equal(to_numpy(out["boxes"])[:, 3:], -2)
    np.testing.assert_array_equal(to_numpy(out["labels"]), [[1, 2, 3, -2, -2], [4, 5, 6, -2, -2]])
    cut = MaxNumBoundingBoxes(2)(data)["bounding_boxes"]
    np.testing.assert_array_equal(to_numpy(cut["boxes"]), boxes[:, :2])
    single = MaxNumBoundingBoxes(4)({"bounding_boxes": {"boxes": boxes[0],
                                                        "labels": labels[0]}})
    assert tuple(single["bounding_boxes"]["boxes"].shape) == (4, 4)
    shapes = MaxNumBoundingBoxes(4).compute_output_shape(
        {"images": (2, 4, 4, 3), "bounding_boxes": {"boxes": (2, 3, 4), "labels": (2, 3)}})
    assert shapes["bounding_boxes"] == {"boxes": (2, 4, 4), "labels": (2, 4)}
    np.testing.assert_array_equal(to_numpy(MaxNumBoundingBoxes(2)(np.ones((2, 2)))), 1.0)
    with pytest.raises(KeyError, match="unsupported keys"):
        MaxNumBoundingBoxes(2)({"bounding_boxes": {"boxes": boxes, "labels": labels,
                                                   "scores": labels}})


def test_rand_augment_applies_one_drawn_operation_per_step():
    x = random_batch(shape=(2, 6, 6, 3))
    layer = RandAugment(num_ops=2, seed=2)
    assert len(layer.augmenters) == 11
    for k, sub in enumerate(layer.augmenters):
        stub(sub, float(k))
    seen = set()
    for _ in range(8):
        out = to_numpy(layer(x))
        assert np.all(out == out.flat[0]) and out.flat[0] in range(11)
        seen.add(float(out.flat[0]))
    assert len(seen) > 2


def test_aug_mix_weights_form_a_convex_mixture():
    x = random_batch(shape=(2, 6, 6, 3))
    layer = AugMix(num_chains=2, chain_depth=1, all_ops=False, seed=4)
    assert len(layer.augmenters) == 7
    out = to_numpy(layer(x))
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 255
    for sub in layer.augmenters:
        stub(sub, None)  # identity augmentations: the mixture must give the input back
    np.testing.assert_allclose(to_numpy(layer(x)), x, rtol=1e-5, atol=1e-3)
    for sub in layer.augmenters:
        stub(sub, 100.0)  # every chain constant or skipped: between the input and 100
    out = to_numpy(layer(x))
    assert np.all(out >= np.minimum(x, 100.0) - 1e-3) and np.all(out <= np.maximum(x, 100) + 1e-3)


def test_pipeline_applies_layers_in_order_and_round_trips():
    x = np.arange(8, dtype="float32").reshape(1, 2, 2, 2)
    pipe = Pipeline([Rescaling(2.0), Rescaling(1.0, offset=1.0)])
    np.testing.assert_allclose(to_numpy(pipe(x)), 2 * x + 1)
    assert len(pipe.layers) == 2
    config = pipe.get_config()
    assert set(config) == {"layers", "name"}
    clone = Pipeline.from_config(config)
    np.testing.assert_allclose(to_numpy(clone(x)), 2 * x + 1)
    flip = Pipeline([RandomFlip("horizontal", seed=1)])
    np.testing.assert_array_equal(to_numpy(flip(x, training=False)), x)
    flips = [to_numpy(flip(x)) for _ in range(6)]
    assert any(np.array_equal(f, x[:, :, ::-1]) for f in flips)
    with pytest.raises(ValueError, match="list of Layer instances"):
        Pipeline([lambda t: t])
    with pytest.raises(ValueError, match="`layers` list"):
        Pipeline.from_config({"name": "p"})
