"""Math ops beyond NumPy: logsumexp, top_k, in_top_k, erf, rsqrt, segment reductions."""

from lamina import backend
from lamina.ops.dispatch import run


def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))`, computed stably."""
    return run(logsumexp, backend.math.logsumexp, x, axis=axis, keepdims=keepdims)


def top_k(x, k, sorted=True):
    """Values and indices of the `k` largest entries of the last axis."""
    return run(top_k, backend.math.top_k, x, k, sorted=sorted)


def in_top_k(targets, predictions, k):
    """Whether each target class is among the top `k` predictions."""
    return run(in_top_k, backend.math.in_top_k, targets, predictions, k)


def erf(x):
    """Gauss error function."""
    return run(erf, backend.math.erf, x)


def erfinv(x):
    """Inverse error function."""
    return run(erfinv, backend.math.erfinv, x)


def rsqrt(x):
    """`1 / sqrt(x)`."""
    return run(rsqrt, backend.math.rsqrt, x)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sums of segments of `data`."""
    return run(segment_sum, backend.math.segment_sum, data, segment_ids, num_segments=num_segments, sorted=sorted)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maxima of segments of `data`."""
    return run(segment_max, backend.math.segment_max, data, segment_ids, num_segments=num_segments, sorted=sorted)


__all__ = ["erf", "erfinv", "in_top_k", "logsumexp", "rsqrt", "segment_max", "segment_sum", "top_k"]
