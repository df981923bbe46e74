"""Tests of the plumbing every image augmentation layer shares (`_image_utils.py`): the
training switch, seeds, data formats, configs, compiled steps, dict inputs and argument
checks."""

import numpy as np
import pytest

import lamina
from lamina.layers.preprocessing.image_color import (
    RandomColorDegeneration,
    RandomColorJitter,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPosterization,
    RandomSaturation,
    RandomSharpness,
    Solarization,
)
from lamina.layers.preprocessing.image_compound import (
    AugMix,
    MaxNumBoundingBoxes,
    RandAugment,
)
from lamina.layers.preprocessing.image_geometric import (
    RandomElasticTransform,
    RandomPerspective,
    RandomShear,
)
from lamina.layers.preprocessing.image_histogram import (
    AutoContrast,
    ContrastLimitedAdaptiveHistogramEqualization,
    Equalization,
)
from lamina.layers.preprocessing.image_mixing import CutMix, MixUp
from lamina.layers.preprocessing.image_regional import RandomErasing, RandomGaussianBlur
from lamina.ops.symbolic import KerasTensor
from tests.layers.preprocessing._image_cases import case_ids, random_batch, stub, to_numpy

# Every random layer, with arguments that make it change its input.
RANDOM_LAYERS = [
    (AugMix, {"num_chains": 1, "chain_depth": 1, "all_ops": False}),
    (CutMix, {}),
    (MixUp, {"alpha": 1.0}),
    (RandAugment, {"num_ops": 2, "factor": 0.8}),
    (RandomColorDegeneration, {"factor": 0.8}),
    (RandomColorJitter, {"brightness_factor": 0.3, "contrast_factor": 0.3,
                         "saturation_factor": 0.4, "hue_factor": 0.3}),
    (RandomElasticTransform, {"factor": (1.0, 1.0)}),
    (RandomErasing, {"factor": (1.0, 1.0), "scale": (0.3, 0.5)}),
    (RandomGaussianBlur, {"factor": (1.0, 1.0)}),
    (RandomGrayscale, {"factor": 1.0}),
    (RandomHue, {"factor": 0.8}),
    (RandomInvert, {"factor": (1.0, 1.0)}),
    (RandomPerspective, {"factor": (1.0, 1.0)}),
    (RandomPosterization, {"factor": (2, 2)}),
    (RandomSaturation, {"factor": 0.8}),
    (RandomSharpness, {"factor": (0.0, 0.2)}),
    (RandomShear, {"x_factor": 0.5, "y_factor": 0.5}),
    (Solarization, {"threshold_factor": (0.5, 0.5)}),
]
DETERMINISTIC_LAYERS = [
    (AutoContrast, {}),
    (ContrastLimitedAdaptiveHistogramEqualization, {"tile_grid_size": (2, 2)}),
    (Equalization, {}),
]
ALL_LAYERS = RANDOM_LAYERS + DETERMINISTIC_LAYERS


@pytest.mark.parametrize("cls, kwargs", RANDOM_LAYERS, ids=case_ids(RANDOM_LAYERS))
def test_random_layer_identity_at_inference_and_changes_in_training(cls, kwargs):
    x = random_batch()
    layer = cls(seed=7, **kwargs)
    np.testing.assert_array_equal(to_numpy(layer(x, training=False)), x)
    changed = any(not np.allclose(to_numpy(layer(x)), x, atol=1e-3) for _ in range(3))
    assert changed


@pytest.mark.parametrize("cls, kwargs", RANDOM_LAYERS, ids=case_ids(RANDOM_LAYERS))
def test_random_layer_seeded_reproducibility(cls, kwargs):
    x = random_batch(1)
    first, second = cls(seed=11, **kwargs), cls(seed=11, **kwargs)
    a1, a2 = to_numpy(first(x)), to_numpy(first(x))
    np.testing.assert_allclose(a1, to_numpy(second(x)), atol=1e-5)
    np.testing.assert_allclose(a2, to_numpy(second(x)), atol=1e-5)


@pytest.mark.parametrize("cls, kwargs", ALL_LAYERS, ids=case_ids(ALL_LAYERS))
def test_shapes_for_both_formats_batched_and_unbatched(cls, kwargs):
    x = random_batch(2, shape=(2, 5, 6, 3))
    first = np.moveaxis(x, -1, 1)
    assert tuple(cls(**kwargs)(x).shape) == x.shape
    layer = cls(data_format="channels_first", **kwargs)
    assert tuple(layer(first).shape) == first.shape
    assert tuple(layer(first[0]).shape) == first[0].shape
    last = cls(data_format="channels_last", **kwargs)
    assert tuple(last(x[0]).shape) == x[0].shape
    assert last(KerasTensor((None, 5, 6, 3))).shape == (None, 5, 6, 3)
    assert tuple(last.compute_output_shape((2, 5, 6, 3))) == (2, 5, 6, 3)


@pytest.mark.parametrize("cls, kwargs", ALL_LAYERS, ids=case_ids(ALL_LAYERS))
def test_config_round_trip(cls, kwargs):
    layer = cls(data_format="channels_first", **kwargs)
    config = layer.get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == {**config, "name": clone.name}
    assert config["data_format"] == "channels_first"
    if (cls, kwargs) in DETERMINISTIC_LAYERS:
        assert "seed" not in config
        x = random_batch(3, shape=(1, 3, 6, 6))
        np.testing.assert_allclose(to_numpy(clone(x)), to_numpy(layer(x)), atol=1e-5)


@pytest.mark.parametrize("cls, kwargs", [
    (RandomHue, {"factor": 0.5}), (RandomErasing, {}), (CutMix, {}), (Equalization, {}),
    (RandomElasticTransform, {}), (RandomPosterization, {"factor": 4}), (RandomShear, {}),
    (RandomGaussianBlur, {}), (RandomPerspective, {}), (AugMix, {"num_chains": 2}),
], ids=lambda v: v.__name__ if isinstance(v, type) else "")
def test_runs_compiled_and_advances_its_seed(cls, kwargs):
    layer = cls(**kwargs) if cls is Equalization else cls(seed=3, **kwargs)
    x = random_batch(4, shape=(2, 4, 4, 3))
    for sub in getattr(layer, "augmenters", ()):  # each is compiled in its own case
        stub(sub, 50.0)

    def step(non_trainable, images):
        return layer.stateless_call([], non_trainable, images, training=True)

    values = [v.value for v in layer.non_trainable_variables]
    out, new_values = lamina.backend.transforms.jit(step)(values, x)
    assert tuple(out.shape) == x.shape and np.isfinite(to_numpy(out)).all()
    if cls is not Equalization:  # the random ones draw: their seed state moves on
        assert any(not np.array_equal(to_numpy(a), to_numpy(b)) for a, b in zip(values, new_values))


def test_layers_pass_other_dict_entries_through():
    x = random_batch(shape=(2, 4, 4, 3))
    labels = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")
    out = RandomHue(0.5, seed=1)({"images": x, "labels": labels})
    np.testing.assert_array_equal(to_numpy(out["labels"]), labels)
    with pytest.raises(ValueError, match="'images' entry"):
        RandomInvert()({"pixels": x})


@pytest.mark.parametrize("make, message", [
    (lambda: RandomHue(1.5), r"`factor` must be a number or a pair of numbers in \[0, 1\]"),
    (lambda: RandomSaturation(0.5, value_range=(0,)), "`value_range` must be a pair"),
    (lambda: RandomGaussianBlur(kernel_size=4), "`kernel_size` must be an odd"),
    (lambda: RandomGaussianBlur(sigma=2.0), r"`sigma` must be a number .* in \[0, 1\]"),
    (lambda: RandomErasing(fill_value=(1, 2)), "`fill_value` must be None"),
    (lambda: RandomShear(x_factor=1.5), "`x_factor`"),
    (lambda: RandomPerspective(scale=2.0), r"`scale` must be a number in \[0, 1\]"),
    (lambda: RandomElasticTransform(fill_mode="edge"), "unknown fill_mode 'edge'.*Known"),
    (lambda: RandomGrayscale(factor=2), r"`factor` must be a number in \[0, 1\]"),
    (lambda: RandomPosterization(9), r"in \[1, 8\]"),
    (lambda: Solarization(addition_factor=-0.1), "`addition_factor`"),
    (lambda: MixUp(alpha=0), "`alpha` must be a positive number"),
    (lambda: RandAugment(num_ops=0), "`num_ops` must be a positive int"),
    (lambda: AugMix(interpolation="cubic"), "unknown interpolation 'cubic'"),
    (lambda: Equalization(bins=0), "`bins` must be a positive int"),
    (lambda: ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(0, 2)),
     "`tile_grid_size` must be a pair of positive ints"),
    (lambda: MaxNumBoundingBoxes(0), "`max_number` must be a positive int"),
    (lambda: RandomInvert(seed="x"), "`seed` must be an int"),
])
def test_bad_arguments_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_packages_export_every_layer():
    names = ["AugMix", "AutoContrast", "ContrastLimitedAdaptiveHistogramEqualization", "CutMix",
             "Equalization", "MaxNumBoundingBoxes", "MixUp", "RandAugment",
             "RandomColorDegeneration", "RandomColorJitter", "RandomElasticTransform",
             "RandomErasing", "RandomGaussianBlur", "RandomGrayscale", "RandomHue",
             "RandomInvert", "RandomPerspective", "RandomPosterization", "RandomSaturation",
             "RandomSharpness", "RandomShear", "Solarization", "Pipeline"]
    for package in (lamina.layers, lamina.layers.preprocessing):
        assert all(isinstance(getattr(package, n), type) for n in names)
