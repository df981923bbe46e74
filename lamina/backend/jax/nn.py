"""Neural-network ops on JAX: activations, softmax family, cross-entropies, one-hot, moments."""

import jax
import jax.numpy as jnp

from lamina.backend import config
from lamina.backend.common import dtypes
from lamina.backend.jax.core import convert_to_tensor
from lamina.backend.jax.numpy import _float_input


def _keep_int(x):
    """Piecewise-linear activations keep integer inputs integer (bool becomes int32), as Keras."""
    x = convert_to_tensor(x)
    return x.astype(jnp.int32) if x.dtype == jnp.bool_ else x


def relu(x):
    return jax.nn.relu(_keep_int(x))


def relu6(x):
    return jax.nn.relu6(_float_input(x))


def sigmoid(x):
    return jax.nn.sigmoid(_float_input(x))


def softplus(x):
    return jax.nn.softplus(_float_input(x))


def softsign(x):
    return jax.nn.soft_sign(_float_input(x))


def silu(x):
    return jax.nn.silu(_float_input(x))


def log_sigmoid(x):
    return jax.nn.log_sigmoid(_float_input(x))


def leaky_relu(x, negative_slope=0.2):
    return jax.nn.leaky_relu(_float_input(x), negative_slope=negative_slope)


def hard_sigmoid(x):
    return jax.nn.hard_sigmoid(_float_input(x))


def hard_silu(x):
    return jax.nn.hard_silu(_float_input(x))


def elu(x, alpha=1.0):
    return jax.nn.elu(_float_input(x), alpha=alpha)


def selu(x):
    return jax.nn.selu(_float_input(x))


def celu(x, alpha=1.0):
    return jax.nn.celu(_float_input(x), alpha=alpha)


def gelu(x, approximate=True):
    return jax.nn.gelu(_float_input(x), approximate=approximate)


def glu(x, axis=-1):
    return jax.nn.glu(_float_input(x), axis=axis)


def tanh_shrink(x):
    x = _float_input(x)
    return x - jnp.tanh(x)


def hard_tanh(x):
    x = _keep_int(x)
    return jnp.clip(x, -1, 1) if jnp.issubdtype(x.dtype, jnp.integer) else jax.nn.hard_tanh(x)


def hard_shrink(x, threshold=0.5):
    x = _float_input(x)
    return jnp.where(jnp.abs(x) > threshold, x, jnp.zeros_like(x))


def soft_shrink(x, threshold=0.5):
    x = _float_input(x)
    return jnp.where(x > threshold, x - threshold,
                     jnp.where(x < -threshold, x + threshold, jnp.zeros_like(x)))


def threshold(x, threshold, default_value):
    x = _float_input(x)
    return jnp.where(x > threshold, x, jnp.asarray(default_value, dtype=x.dtype))


def squareplus(x, b=4):
    x = _float_input(x)
    # For x < 0, (x + sqrt(x^2 + b)) / 2 cancels; the equal b / (2 (sqrt(x^2 + b) - x)) does not.
    pos, neg = jnp.maximum(x, 0), jnp.minimum(x, 0)
    return jnp.where(x >= 0, (pos + jnp.sqrt(jnp.square(pos) + b)) / 2,
                     b / (2 * (jnp.sqrt(jnp.square(neg) + b) - neg)))


def sparse_plus(x):
    x = _float_input(x)
    return jnp.where(x <= -1, jnp.zeros_like(x),
                     jnp.where(x < 1, jnp.square(x + 1) / 4, x))


def sparse_sigmoid(x):
    x = _float_input(x)
    return jnp.where(x <= -1, jnp.zeros_like(x),
                     jnp.where(x >= 1, jnp.ones_like(x), (x + 1) / 2))


def mish(x):
    x = _float_input(x)
    return x * jnp.tanh(jax.nn.softplus(x))


def softmax(x, axis=-1):
    return jax.nn.softmax(_float_input(x), axis=axis)


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(_float_input(x), axis=axis)


def sparsemax(x, axis=-1):
    x = _float_input(x)
    z = jnp.moveaxis(x, axis, -1)
    z_sorted = jnp.flip(jnp.sort(z, axis=-1), axis=-1)
    k = jnp.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    cumsum = jnp.cumsum(z_sorted, axis=-1)
    support = (1 + k * z_sorted) > cumsum
    k_z = jnp.sum(support, axis=-1, keepdims=True).astype(z.dtype)
    tau = (jnp.take_along_axis(cumsum, k_z.astype(jnp.int32) - 1, axis=-1) - 1) / k_z
    return jnp.moveaxis(jnp.maximum(z - tau, 0), -1, axis)


def one_hot(x, num_classes, axis=-1, dtype=None):
    x = convert_to_tensor(x)
    return jax.nn.one_hot(x, num_classes, axis=axis, dtype=dtypes.to_numpy_dtype(dtype))


def multi_hot(x, num_classes, axis=-1, dtype=None):
    hot = one_hot(x, num_classes, axis=axis, dtype=dtype)
    reduce_axis = -2 if axis == -1 else axis + 1 if axis >= 0 else axis - 1
    return jnp.max(hot, axis=reduce_axis)


def _clip_probs(output):
    eps = config.epsilon()
    return jnp.clip(output, eps, 1.0 - eps)


def binary_crossentropy(target, output, from_logits=False):
    target, output = convert_to_tensor(target), _float_input(output)
    target = target.astype(output.dtype)
    if from_logits:
        # max(x, 0) - x*z + log(1 + exp(-|x|)): stable for large |x|.
        return (jnp.maximum(output, 0) - output * target
                + jnp.log1p(jnp.exp(-jnp.abs(output))))
    output = _clip_probs(output)
    return -(target * jnp.log(output) + (1 - target) * jnp.log(1 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = convert_to_tensor(target), _float_input(output)
    target = target.astype(output.dtype)
    if target.shape != output.shape:
        raise ValueError("categorical_crossentropy: `target` and `output` must have the same "
                         f"shape. Received: target.shape={target.shape}, "
                         f"output.shape={output.shape}")
    if from_logits:
        log_prob = jax.nn.log_softmax(output, axis=axis)
    else:
        output = output / jnp.sum(output, axis=axis, keepdims=True)
        log_prob = jnp.log(_clip_probs(output))
    return -jnp.sum(target * log_prob, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = convert_to_tensor(target), _float_input(output)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, axis=-1)
    class_axis = axis % output.ndim if output.ndim else 0
    expected = output.shape[:class_axis] + output.shape[class_axis + 1:]
    if target.shape != expected:
        raise ValueError("sparse_categorical_crossentropy: `target` must have the shape of "
                         f"`output` without its class axis, {tuple(expected)}. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    target = target.astype(jnp.int32)
    if from_logits:
        log_prob = jax.nn.log_softmax(output, axis=axis)
    else:
        output = output / jnp.sum(output, axis=axis, keepdims=True)
        log_prob = jnp.log(_clip_probs(output))
    hot = jax.nn.one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype)
    return -jnp.sum(hot * log_prob, axis=axis)


def moments(x, axes, keepdims=False, synchronized=False):
    x = _float_input(x)
    compute = jnp.float32 if x.dtype in (jnp.float16, jnp.bfloat16) else x.dtype
    xc = x.astype(compute)
    mean = jnp.mean(xc, axis=axes, keepdims=True)
    variance = jnp.mean(jnp.square(xc - jax.lax.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = jnp.squeeze(mean, axes), jnp.squeeze(variance, axes)
    return mean.astype(x.dtype), variance.astype(x.dtype)
