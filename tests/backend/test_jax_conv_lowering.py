"""The JAX backend's patches-plus-matmul lowering of `conv`, and which layers it lets the
trainer compile into one loop. References are NumPy loops over kernel taps written here."""

import itertools

import jax
import numpy as np
import pytest

from lamina import layers, ops
from lamina.backend.jax import nn as jax_nn
from tests.helpers import gradcheck


def np_conv(x, kernel, strides, padding, dilation, data_format):
    """Reference N-D cross-correlation: one `np.einsum` per kernel tap, in float64."""
    x, kernel = np.asarray(x, np.float64), np.asarray(kernel, np.float64)
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    window = kernel.shape[:-2]
    n = len(window)
    strides, dilation = (strides,) * n, (dilation,) * n
    if padding == "same":
        pads = []
        for size, k, s, d in zip(x.shape[1:-1], window, strides, dilation):
            span = (k - 1) * d + 1
            total = max((-(-size // s) - 1) * s + span - size, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, [(0, 0), *pads, (0, 0)])
    outs = [(size - (k - 1) * d - 1) // s + 1
            for size, k, s, d in zip(x.shape[1:-1], window, strides, dilation)]
    y = np.zeros((x.shape[0], *outs, kernel.shape[-1]))
    for tap in np.ndindex(*window):
        index = tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                      for i, d, s, o in zip(tap, dilation, strides, outs))
        y += np.einsum("...c,co->...o", x[(slice(None), *index)], kernel[tap])
    return np.moveaxis(y, -1, 1) if data_format == "channels_first" else y


def _inputs(rng, n, data_format, channels=3, filters=4):
    spatial = (9, 7, 5)[:n]
    window = (3, 2, 3)[:n]
    x = rng.normal(size=(2, *spatial, channels)).astype("float32")
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1).copy()
    return x, rng.normal(size=(*window, channels, filters)).astype("float32")


def _assert_close_to_scale(got, expected, rtol=1e-5):
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape
    assert np.max(np.abs(got - expected)) <= rtol * np.max(np.abs(expected))


CASES = [(s, d, p) for s, d, p in itertools.product((1, 2), (1, 2), ("valid", "same"))]


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("strides,dilation,padding", CASES)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv_patches_match_numpy_reference(n, strides, dilation, padding, data_format):
    x, kernel = _inputs(np.random.default_rng(n), n, data_format)
    assert jax_nn._conv_uses_patches(kernel.shape)
    got = jax_nn.conv(x, kernel, strides, padding, data_format, dilation)
    _assert_close_to_scale(got, np_conv(x, kernel, strides, padding, dilation, data_format))


def test_conv_patches_match_under_jit_and_for_pointwise_and_per_axis_arguments():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 11, 6, 5)).astype("float32")
    kernel = rng.normal(size=(3, 1, 5, 2)).astype("float32")
    jitted = jax.jit(lambda x, k: jax_nn.conv(x, k, (2, 1), "same", "channels_last", (1, 1)))
    _assert_close_to_scale(jitted(x, kernel),
                           np_conv(x, kernel, 1, "same", 1, "channels_last")[:, ::2])
    pointwise = rng.normal(size=(1, 1, 5, 3)).astype("float32")
    _assert_close_to_scale(jax_nn.conv(x, pointwise),
                           np.einsum("bhwc,co->bhwo", x, pointwise[0, 0]))


def _primitives(fn, *args):
    return {eqn.primitive.name for eqn in jax.make_jaxpr(fn)(*args).jaxpr.eqns}


def _conv_and_grads(x, kernel, **kwargs):
    def loss(x, kernel):
        return ops.sum(ops.square(jax_nn.conv(x, kernel, **kwargs)))
    return lambda x, kernel: (jax_nn.conv(x, kernel, **kwargs),
                              jax.grad(loss, argnums=(0, 1))(x, kernel))


@pytest.mark.parametrize("x_shape,kernel_shape", [((2, 28, 28, 1), (3, 3, 1, 32)),
                                                  ((2, 13, 13, 32), (3, 3, 32, 64))])
def test_w3_convolutions_take_the_patches_path_forward_and_backward(x_shape, kernel_shape):
    x, kernel = np.zeros(x_shape, "float32"), np.zeros(kernel_shape, "float32")
    names = _primitives(_conv_and_grads(x, kernel), x, kernel)
    assert "conv_general_dilated" not in names
    assert "dot_general" in names


@pytest.mark.parametrize("x_shape,kernel_shape,kwargs", [
    ((1, 12, 12, 3), (7, 7, 3, 4), {}),                      # kernel volume 49 > 27
    ((1, 6, 6, 6, 2), (3, 3, 4, 2, 2), {}),                  # 3-D volume 36
    ((1, 8, 8, 4), (3, 3, 2, 4), {}),                        # 2 groups
    ((1, 6, 6, 300), (3, 3, 300, 2), {}),                    # patches 2700 wide > 2304
    ((1, 3, 12, 12), (7, 7, 3, 4), {"data_format": "channels_first"}),
])
def test_large_kernels_and_groups_keep_xla_convolution(x_shape, kernel_shape, kwargs):
    x, kernel = np.zeros(x_shape, "float32"), np.zeros(kernel_shape, "float32")
    groups = (x_shape[-1] if not kwargs else x_shape[1]) // kernel_shape[-2]
    assert not jax_nn._conv_uses_patches(kernel_shape, groups)
    assert "conv_general_dilated" in _primitives(lambda x, k: jax_nn.conv(x, k, **kwargs),
                                                 x, kernel)


def test_grouped_and_large_kernel_convolutions_still_match_numpy():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 10, 10, 4)).astype("float32")
    big = rng.normal(size=(7, 7, 4, 3)).astype("float32")
    _assert_close_to_scale(jax_nn.conv(x, big, 1, "same"), np_conv(x, big, 1, "same", 1,
                                                                   "channels_last"))
    grouped = rng.normal(size=(3, 3, 2, 6)).astype("float32")
    expected = np.concatenate([np_conv(x[..., 2 * g:2 * g + 2], grouped[..., 3 * g:3 * g + 3],
                                       1, "valid", 1, "channels_last") for g in range(2)], -1)
    _assert_close_to_scale(jax_nn.conv(x, grouped), expected)


def test_threshold_boundaries():
    assert jax_nn._conv_uses_patches((5, 5, 16, 8))
    assert jax_nn._conv_uses_patches((3, 3, 3, 4, 8))
    assert jax_nn._conv_uses_patches((3, 3, 256, 8))
    assert not jax_nn._conv_uses_patches((3, 3, 257, 8))
    assert not jax_nn._conv_uses_patches((1, 7, 4, 8, 8))
    assert jax_nn._conv_uses_patches((25, 4, 8))
    assert not jax_nn._conv_uses_patches((3, 3, 4, 8), groups=2)


@pytest.mark.parametrize("x_shape,kernel_shape,kwargs", [
    ((1, 5, 5, 2), (3, 3, 2, 3), {"strides": 2, "padding": "same"}),
    ((1, 2, 6, 5), (2, 3, 2, 2), {"dilation_rate": 2, "data_format": "channels_first"}),
    ((2, 7, 2), (3, 2, 2), {"strides": 2, "padding": "valid"}),
    ((1, 4, 3, 3, 1), (2, 2, 2, 1, 2), {"padding": "same"}),
])
def test_conv_patches_gradients_match_finite_differences(x_shape, kernel_shape, kwargs):
    rng = np.random.default_rng(5)
    x, kernel = rng.normal(size=x_shape), rng.normal(size=kernel_shape)
    weights = rng.normal(size=np.shape(np_conv(
        x, kernel, kwargs.get("strides", 1), kwargs.get("padding", "valid"),
        kwargs.get("dilation_rate", 1), kwargs.get("data_format", "channels_last"))))

    def fn(x, kernel):
        return ops.sum(ops.multiply(jax_nn.conv(x, kernel, **kwargs), weights))

    gradcheck.check_grads(fn, [x, kernel], rtol=1e-6, atol=1e-8)


# -- which layers the trainer may compile into one loop ------------------------------------------
def _slow_after_build(layer, input_shape):
    layer.build(input_shape)
    return layer._slow_in_compiled_loops


def test_conv_layers_are_slow_in_loops_only_where_xla_convolution_remains():
    assert not _slow_after_build(layers.Conv2D(32, 3), (None, 28, 28, 1))
    assert not _slow_after_build(layers.Conv2D(64, 3), (None, 13, 13, 32))
    assert not _slow_after_build(layers.Conv1D(4, 5, padding="causal"), (None, 12, 3))
    assert not _slow_after_build(layers.Conv3D(2, 3, data_format="channels_first"),
                                 (None, 2, 5, 5, 5))
    assert layers.Conv2D(4, 3)._slow_in_compiled_loops  # unbuilt: no kernel shape yet
    assert _slow_after_build(layers.Conv2D(4, 9), (None, 12, 12, 3))
    assert _slow_after_build(layers.Conv2D(4, 3, groups=2), (None, 12, 12, 4))
    assert _slow_after_build(layers.Conv2DTranspose(4, 3), (None, 6, 6, 3))
    assert _slow_after_build(layers.DepthwiseConv2D(3), (None, 6, 6, 3))
    assert _slow_after_build(layers.SeparableConv2D(4, 3), (None, 6, 6, 3))


def test_pooling_is_slow_in_loops_only_for_windows_other_than_tiles():
    assert not layers.MaxPooling2D(2)._slow_in_compiled_loops
    assert not layers.AveragePooling1D(3, padding="same")._slow_in_compiled_loops
    assert layers.MaxPooling2D(3, strides=1)._slow_in_compiled_loops
    assert layers.AveragePooling2D(2, strides=(2, 1))._slow_in_compiled_loops
