"""Math ops on JAX that NumPy does not name: logsumexp, top_k, erf, segment sums, rsqrt."""

import jax
import jax.numpy as jnp

from lamina.backend.jax.core import convert_to_tensor
from lamina.backend.jax.numpy import _float_input


def logsumexp(x, axis=None, keepdims=False):
    return jax.scipy.special.logsumexp(_float_input(x), axis=axis, keepdims=keepdims)


def top_k(x, k, sorted=True):
    values, indices = jax.lax.top_k(convert_to_tensor(x), k)
    return values, indices.astype(jnp.int32)


def in_top_k(targets, predictions, k):
    targets = convert_to_tensor(targets).astype(jnp.int32)
    predictions = _float_input(predictions)
    target_scores = jnp.take_along_axis(predictions, targets[:, None], axis=-1)
    # A NaN score is no evidence for the target: rank it last rather than first.
    target_scores = jnp.where(jnp.isnan(target_scores), -jnp.inf, target_scores)
    # A target is in the top k when fewer than k classes score strictly higher.
    higher = jnp.sum(predictions > target_scores, axis=-1)
    return higher < k


def erf(x):
    return jax.scipy.special.erf(_float_input(x))


def erfinv(x):
    return jax.scipy.special.erfinv(_float_input(x))


def rsqrt(x):
    return jax.lax.rsqrt(_float_input(x))


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    return jax.ops.segment_sum(convert_to_tensor(data), convert_to_tensor(segment_ids),
                               num_segments=num_segments, indices_are_sorted=sorted)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    return jax.ops.segment_max(convert_to_tensor(data), convert_to_tensor(segment_ids),
                               num_segments=num_segments, indices_are_sorted=sorted)
