import numpy as np

from lamina import ops
from lamina.layers.preprocessing.image_mixing import CutMix, MixUp
from tests.layers.preprocessing._image_cases import random_batch, to_numpy


def test_mixup_and_cutmix_mix_images_and_labels():
    x = random_batch(shape=(3, 4, 4, 1))
    labels = np.eye(3, dtype="float32")
    params = {"permutation": ops.convert_to_tensor([2, 0, 1]),
              "label_weight": ops.convert_to_tensor([0.25, 0.5, 1.0])}
    mixup = MixUp()
    w = np.array([0.25, 0.5, 1.0]).reshape(3, 1, 1, 1)
    np.testing.assert_allclose(to_numpy(mixup._apply(ops.convert_to_tensor(x), params)),
                               w * x + (1 - w) * x[[2, 0, 1]], atol=1e-4)
    np.testing.assert_allclose(to_numpy(mixup._mix_labels(ops.convert_to_tensor(labels), params)),
                               w[:, :, 0, 0] * labels + (1 - w[:, :, 0, 0]) * labels[[2, 0, 1]])
    masks = np.zeros((3, 4, 4, 1), bool)
    masks[:, :2, :2] = True
    cut = to_numpy(CutMix()._apply(ops.convert_to_tensor(x), {**params, "masks": masks}))
    np.testing.assert_array_equal(cut, np.where(masks, x[[2, 0, 1]], x))
    out = MixUp(alpha=0.5, seed=2)({"images": x, "labels": labels})
    np.testing.assert_allclose(to_numpy(out["labels"]).sum(axis=1), 1.0, rtol=1e-5)
    out = CutMix(seed=5)({"images": x, "labels": labels})
    np.testing.assert_allclose(to_numpy(out["labels"]).sum(axis=1), 1.0, rtol=1e-5)
    # The label weight is the share of the image outside the box: the pixel count's share up
    # to the box's fractional edges (at most one pixel row and column each side).
    params = CutMix(seed=6)._draw(ops.zeros((8, 16, 16, 1)))
    outside = 1.0 - to_numpy(params["masks"]).mean(axis=(1, 2, 3))
    assert np.all(np.abs(outside - to_numpy(params["label_weight"])) <= 4 / 16)
    assert sorted(to_numpy(params["permutation"]).tolist()) == list(range(8))
    single = random_batch(shape=(4, 4, 3))
    np.testing.assert_array_equal(to_numpy(CutMix(seed=1)(single)), single)
