"""lamina.ops.nn: adaptive pooling, pixel shuffles, fold/unfold, attention, CTC, polar, psnr,
against NumPy references, brute-force enumerations and float64 finite differences."""

import itertools
import math

import numpy as np
import pytest

from lamina import backend, ops
from lamina.ops import nn
from tests.helpers import gradcheck

RNG = np.random.default_rng(7)
# Finite differences call the function many times: one compiled program keeps that cheap.
jit = backend.transforms.jit


def np_of(x):
    return np.asarray(ops.convert_to_numpy(x), dtype="float64")


def close(actual, expected, dtype="float32", rtol=1e-5, atol=1e-5):
    assert backend.standardize_dtype(actual.dtype) == dtype
    np.testing.assert_allclose(np_of(actual), expected, rtol=rtol, atol=atol)


# -- adaptive pooling --------------------------------------------------------------------------
def np_adaptive_pool(x, output_size, reduce):
    """Channels-last reference: bin i of an axis of size n is [floor(i n / o), ceil((i+1) n / o))."""
    spatial = x.shape[1:-1]
    out = np.zeros((x.shape[0], *output_size, x.shape[-1]))
    for index in itertools.product(*(range(o) for o in output_size)):
        window = tuple(slice(i * n // o, -(-(i + 1) * n // o))
                       for i, n, o in zip(index, spatial, output_size))
        out[(slice(None), *index, slice(None))] = reduce(
            x[(slice(None), *window, slice(None))], axis=tuple(range(1, 1 + len(spatial))))
    return out


@pytest.mark.parametrize("spatial, output_size", [((7,), 3), ((5, 7), (2, 3)),
                                                   ((4, 5, 3), (3, 2, 2)), ((6, 6), 3)])
@pytest.mark.parametrize("op, reduce", [(nn.adaptive_average_pool, np.mean),
                                        (nn.adaptive_max_pool, np.max)])
def test_adaptive_pool_matches_numpy(spatial, output_size, op, reduce):
    x = RNG.normal(size=(2, *spatial, 3)).astype("float32")
    sizes = (output_size,) * len(spatial) if isinstance(output_size, int) else output_size
    expected = np_adaptive_pool(x.astype("float64"), sizes, reduce)
    close(op(x, output_size, data_format="channels_last"), expected)
    # channels_first: the same numbers with the channel axis moved to position 1.
    first = op(np.moveaxis(x, -1, 1), output_size, data_format="channels_first")
    close(first, np.moveaxis(expected, -1, 1))


def test_adaptive_pool_dtypes_and_hand_values():
    x = np.array([[[1], [2], [3], [5]]], "int32")
    close(nn.adaptive_average_pool(x, 2, data_format="channels_last"), [[[1.5], [4.0]]])
    out = nn.adaptive_max_pool(x, 3, data_format="channels_last")
    assert backend.standardize_dtype(out.dtype) == "int32"
    assert np_of(out).ravel().tolist() == [2, 3, 5]


@pytest.mark.parametrize("op", [nn.adaptive_average_pool, nn.adaptive_max_pool])
def test_adaptive_pool_gradients(op):
    x = RNG.permutation(20).reshape(1, 4, 5, 1) / 7.0  # distinct values: max is differentiable
    gradcheck.check_grads(jit(lambda v: ops.sum(ops.square(op(v, (3, 2), "channels_last")))),
                          [x])


# -- depth_to_space / space_to_depth -----------------------------------------------------------
def np_depth_to_space(x, b, channels_first=False):
    """Channels last: channel (i * b + j) * C' + c goes to block offset (i, j), channel c.
    Channels first (as PyTorch's pixel_shuffle): channel c * b * b + i * b + j does."""
    if channels_first:
        n, c, h, w = x.shape
        out = np.zeros((n, c // (b * b), h * b, w * b), x.dtype)
        for i, j in itertools.product(range(b), range(b)):
            out[:, :, i::b, j::b] = x[:, i * b + j::b * b]
        return out
    n, h, w, c = x.shape
    out = np.zeros((n, h * b, w * b, c // (b * b)), x.dtype)
    depth = c // (b * b)
    for i, j in itertools.product(range(b), range(b)):
        out[:, i::b, j::b, :] = x[:, :, :, (i * b + j) * depth:(i * b + j + 1) * depth]
    return out


@pytest.mark.parametrize("b", [1, 2, 3])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depth_to_space_and_back(b, data_format):
    shape = (2, 2, 3, 2 * b * b) if data_format == "channels_last" else (2, 2 * b * b, 2, 3)
    x = RNG.normal(size=shape).astype("float32")
    expected = np_depth_to_space(x, b, data_format == "channels_first")
    close(nn.depth_to_space(x, b, data_format=data_format), expected)
    close(nn.space_to_depth(expected, b, data_format=data_format), x)


def test_depth_to_space_hand_values():
    assert np_of(nn.depth_to_space(np.array([[[[1, 2, 3, 4]]]]), 2)).tolist() == \
        [[[[1], [2]], [[3], [4]]]]


# -- unfold / fold -----------------------------------------------------------------------------
def np_unfold(x, k, d, p, s):
    n, c, h, w = x.shape
    x = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    oh = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out = np.zeros((n, c * k[0] * k[1], oh * ow))
    for r, q in itertools.product(range(oh), range(ow)):
        patch = x[:, :, r * s[0]:r * s[0] + d[0] * (k[0] - 1) + 1:d[0],
                  q * s[1]:q * s[1] + d[1] * (k[1] - 1) + 1:d[1]]
        out[:, :, r * ow + q] = patch.reshape(n, -1)
    return out


def np_fold(cols, size, k, d, p, s):
    n, ckk, _ = cols.shape
    c = ckk // (k[0] * k[1])
    out = np.zeros((n, c, size[0] + 2 * p[0], size[1] + 2 * p[1]))
    oh = (size[0] + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (size[1] + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    for r, q in itertools.product(range(oh), range(ow)):
        patch = cols[:, :, r * ow + q].reshape(n, c, k[0], k[1])
        out[:, :, r * s[0]:r * s[0] + d[0] * (k[0] - 1) + 1:d[0],
            q * s[1]:q * s[1] + d[1] * (k[1] - 1) + 1:d[1]] += patch
    return out[:, :, p[0]:p[0] + size[0], p[1]:p[1] + size[1]]


FOLD_CASES = [((2, 2), (1, 1), (0, 0), (1, 1)), ((3, 2), (1, 2), (1, 0), (2, 1)),
              ((2, 3), (2, 1), (1, 1), (1, 2))]


@pytest.mark.parametrize("k, d, p, s", FOLD_CASES)
def test_unfold_and_fold_match_numpy(k, d, p, s):
    x = RNG.normal(size=(2, 3, 5, 6)).astype("float32")
    cols = np_unfold(x.astype("float64"), k, d, p, s)
    close(nn.unfold(x, k, d, p, s), cols)
    close(nn.fold(cols.astype("float32"), (5, 6), k, d, p, s), np_fold(cols, (5, 6), k, d, p, s))


def test_fold_gradient():
    cols = RNG.normal(size=(1, 4, 4))
    gradcheck.check_grads(jit(lambda v: ops.sum(ops.square(nn.fold(v, 3, 2)))), [cols])


# -- attention ---------------------------------------------------------------------------------
def np_attention(q, k, v, bias=None, mask=None, scale=None, causal=False, cap=None):
    q, k, v = (np.asarray(t, "float64") for t in (q, k, v))
    groups = q.shape[2] // k.shape[2]
    k, v = np.repeat(k, groups, axis=2), np.repeat(v, groups, axis=2)
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    logits = np.einsum("btnh,bsnh->bnts", q, k) * scale
    if bias is not None:
        logits = logits + bias
    if cap is not None:
        logits = cap * np.tanh(logits / cap)
    keep = np.ones(logits.shape, bool)
    if mask is not None:
        keep &= np.broadcast_to(mask, logits.shape)
    if causal:
        keep &= np.tril(np.ones(logits.shape[-2:], bool))
    logits = np.where(keep, logits, -1e30)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", probs, v)


Q = RNG.normal(size=(2, 3, 4, 5)).astype("float32")
K = RNG.normal(size=(2, 4, 2, 5)).astype("float32")
V = RNG.normal(size=(2, 4, 2, 3)).astype("float32")
ATTENTION_CASES = {
    "plain": {},
    "scale": {"scale": 0.3},
    "bias": {"bias": RNG.normal(size=(1, 4, 3, 4)).astype("float32")},
    "mask": {"mask": RNG.random((2, 1, 3, 4)) > 0.4},
    "causal": {"is_causal": True},
    "mask_causal_bias": {"mask": RNG.random((3, 4)) > 0.3, "is_causal": True,
                         "bias": RNG.normal(size=(4,)).astype("float32")},
    "soft_cap": {"attn_logits_soft_cap": 0.5, "flash_attention": False},
}


@pytest.mark.parametrize("case", sorted(ATTENTION_CASES))
def test_dot_product_attention_matches_numpy(case):
    kwargs = ATTENTION_CASES[case]
    expected = np_attention(Q, K, V, bias=kwargs.get("bias"), mask=kwargs.get("mask"),
                            scale=kwargs.get("scale"), causal=kwargs.get("is_causal", False),
                            cap=kwargs.get("attn_logits_soft_cap"))
    close(nn.dot_product_attention(Q, K, V, **kwargs), expected)


def test_dot_product_attention_fully_masked_row_averages_values():
    q, k, v = Q[:1, :1, :2], K[:1, :, :2], V[:1, :, :2]
    out = nn.dot_product_attention(q, k, v, mask=np.zeros((1, 1, 1, 4), bool))
    close(out, np.broadcast_to(V[:1, :, :2].astype("float64").mean(1, keepdims=True), out.shape))


def test_dot_product_attention_gradients():
    q, k, v = (RNG.normal(size=(1, 2, 2, 3)) for _ in range(3))
    mask = np.array([[True, False], [True, True]])

    def loss(q, k, v):
        return ops.sum(ops.square(nn.dot_product_attention(q, k, v, bias=q[0, :, :1, :2],
                                                           mask=mask)))

    gradcheck.check_grads(jit(loss), [q, k, v], rtol=1e-4, atol=1e-6)


# -- CTC ---------------------------------------------------------------------------------------
def np_log_softmax(x):
    x = np.asarray(x, "float64")
    return x - x.max(-1, keepdims=True) - np.log(np.exp(x - x.max(-1, keepdims=True)).sum(
        -1, keepdims=True))


def collapse(path, blank, merge=True):
    out = [c for i, c in enumerate(path) if not (merge and i and c == path[i - 1])]
    return tuple(c for c in out if c != blank)


def labeling_log_probs(log_probs, blank):
    """Every label sequence's log-probability: a sum over all alignments, by enumeration."""
    total = {}
    for path in itertools.product(range(log_probs.shape[1]), repeat=log_probs.shape[0]):
        p = math.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
        key = collapse(path, blank)
        total[key] = total.get(key, 0.0) + p
    return {key: math.log(p) for key, p in total.items()}


@pytest.mark.parametrize("mask_index", [0, 2])
def test_ctc_loss_matches_enumeration(mask_index):
    logits = RNG.normal(size=(3, 5, 3)).astype("float32")
    labels = [[1, 1], [2, 0], [1, 2]] if mask_index == 0 else [[1, 1], [0, 2], [0, 1]]
    target_length, output_length = [2, 1, 2], [5, 4, 3]
    loss = nn.ctc_loss(np.array(labels), logits, np.array(target_length),
                       np.array(output_length), mask_index=mask_index)
    expected = []
    for b in range(3):
        table = labeling_log_probs(np_log_softmax(logits[b, :output_length[b]]), mask_index)
        expected.append(-table[tuple(labels[b][:target_length[b]])])
    close(loss, expected, rtol=1e-5)


def test_ctc_loss_hand_value_and_gradient():
    # Two steps, uniform over {blank, 1}: label "1" has 3 of the 4 alignments.
    close(nn.ctc_loss(np.array([[1]]), np.zeros((1, 2, 2), "float32"), np.array([1]),
                      np.array([2])), [-math.log(0.75)])
    logits = RNG.normal(size=(1, 4, 3))

    def loss(x):
        return ops.sum(nn.ctc_loss(np.array([[1, 2]]), x, np.array([2]), np.array([4])))

    gradcheck.check_grads(jit(loss), [logits], rtol=1e-4)


def test_ctc_decode_greedy_hand_computed():
    # Best classes per step: [1, 1, 0, 1, 2, 2] for sample 0, [2, 0, 2, 2, ...] (length 4).
    best = np.array([[1, 1, 0, 1, 2, 2], [2, 0, 2, 2, 1, 1]])
    logits = np.where(np.eye(3)[best] > 0, 2.0, 0.0).astype("float32")
    lengths = np.array([6, 4])
    decoded, scores = nn.ctc_decode(logits, lengths)
    assert np_of(decoded).tolist() == [[[1, 1, 2, -1, -1, -1], [2, 2, -1, -1, -1, -1]]]
    close(scores, [[-12.0], [-8.0]])  # minus the sum of the chosen logits over valid steps
    decoded, _ = nn.ctc_decode(logits, lengths, merge_repeated=False)
    assert np_of(decoded).tolist() == [[[1, 1, 1, 2, 2, -1], [2, 2, 2, -1, -1, -1]]]
    decoded, _ = nn.ctc_decode(logits, lengths, mask_index=None)  # blank = last class
    assert np_of(decoded).tolist() == [[[1, 0, 1, -1, -1, -1], [0, -1, -1, -1, -1, -1]]]


def test_ctc_decode_beam_search_finds_the_most_probable_labelings():
    logits = RNG.normal(size=(2, 5, 3)).astype("float32") * 1.5
    lengths = np.array([5, 4])
    decoded, scores = nn.ctc_decode(logits, lengths, strategy="beam_search", beam_width=40,
                                    top_paths=3)
    for b in range(2):
        table = labeling_log_probs(np_log_softmax(logits[b, :lengths[b]]), 0)
        best = sorted(table.items(), key=lambda kv: -kv[1])[:3]
        for rank, (labels, log_p) in enumerate(best):
            row = [int(c) for c in np_of(decoded)[rank, b] if c >= 0]
            assert tuple(row) == labels
            np.testing.assert_allclose(np_of(scores)[b, rank], log_p, rtol=1e-5)


def test_ctc_decode_beam_search_narrow_beam_matches_keras():
    # Reference numbers from Keras 3.15 (JAX backend) for the same inputs: a beam of 3 prunes.
    logits = np.random.default_rng(0).normal(size=(2, 6, 4)).astype("float32")
    decoded, scores = nn.ctc_decode(logits, np.array([6, 5]), strategy="beam_search",
                                    beam_width=3, top_paths=3)
    assert np_of(decoded).tolist() == [
        [[2, 3, 1, -1, -1, -1], [1, 3, 1, -1, -1, -1]],
        [[2, 3, 1, 3, 1, -1], [1, 3, 2, -1, -1, -1]],
        [[2, 3, 1, 3, -1, -1], [1, 3, -1, -1, -1, -1]]]
    close(scores, [[-2.9673877, -3.5351083, -3.7006221], [-2.5939829, -2.7620313, -3.2380738]])


# -- polar, psnr, aliases ----------------------------------------------------------------------
def test_polar_psnr_and_aliases():
    r, theta = np.array([1.0, 2.0], "float32"), np.array([0.0, 1.0], "float32")
    out = nn.polar(r, theta)
    assert backend.standardize_dtype(out.dtype) == "complex64"
    np.testing.assert_allclose(ops.convert_to_numpy(out), r * np.exp(1j * theta), rtol=1e-6)
    x1, x2 = RNG.random((3, 4)).astype("float32"), RNG.random((3, 4)).astype("float32")
    mse = np.mean((x1.astype("float64") - x2) ** 2)
    close(nn.psnr(x1, x2, 1.0), 20 * math.log10(1.0) - 10 * math.log10(mse))
    close(nn.psnr(np.full((2,), 255), np.array([250, 255]), 255.0),
          20 * math.log10(255) - 10 * math.log10(12.5), rtol=1e-5)
    x = np.linspace(-4, 4, 9).astype("float32")
    close(nn.swish(x), x / (1 + np.exp(-x.astype("float64"))))
    close(nn.hard_swish(x), x * np.clip(x + 3.0, 0, 6) / 6)


def test_psnr_gradient():
    x1, x2 = RNG.random((2, 3)), RNG.random((2, 3))
    gradcheck.check_grads(jit(lambda a, b: nn.psnr(a, b, 2.0)), [x1, x2], rtol=1e-4)


# -- symbolic shapes and errors ----------------------------------------------------------------
def test_symbolic_shapes():
    x = ops.KerasTensor((None, 6, 8, 4))
    assert nn.adaptive_average_pool(x, (2, 3), "channels_last").shape == (None, 2, 3, 4)
    assert nn.depth_to_space(x, 2).shape == (None, 12, 16, 1)
    assert nn.space_to_depth(x, 2).shape == (None, 3, 4, 16)
    assert nn.unfold(x, 2).shape == (None, 24, 21)  # channels first: C=6, H=8, W=4
    q = ops.KerasTensor((None, 5, 4, 8))
    assert nn.dot_product_attention(q, q, q).shape == (None, 5, 4, 8)
    decoded, scores = nn.ctc_decode(ops.KerasTensor((3, 7, 5)), ops.KerasTensor((3,), "int32"))
    assert decoded.shape == (1, 3, 7) and decoded.dtype == "int32" and scores.shape == (3, 1)
    loss = nn.ctc_loss(ops.KerasTensor((3, 2), "int32"), ops.KerasTensor((3, 7, 5)),
                       ops.KerasTensor((3,), "int32"), ops.KerasTensor((3,), "int32"))
    assert loss.shape == (3,) and loss.dtype == "float32"


ERRORS = [
    (lambda: nn.adaptive_average_pool(np.ones((2, 3)), 2), "adaptive_average_pool.*rank"),
    (lambda: nn.adaptive_max_pool(np.ones((1, 4, 1)), 0), "adaptive_max_pool.*output_size"),
    (lambda: nn.adaptive_max_pool(np.ones((1, 4, 1)), 2, "nhwc"),
     "adaptive_max_pool.*data_format"),
    (lambda: nn.depth_to_space(np.ones((1, 2, 2, 3)), 2), "depth_to_space.*multiple"),
    (lambda: nn.space_to_depth(np.ones((1, 3, 2, 1)), 2), "space_to_depth.*multiples"),
    (lambda: nn.unfold(np.ones((1, 1, 2, 2)), 3), "unfold.*does not fit"),
    (lambda: nn.fold(np.ones((1, 4, 3)), 3, 2), r"fold.*\(N, C \* 4, 4\)"),
    (lambda: nn.dot_product_attention(Q, K[..., :4], V), "dot_product_attention.*multiple"),
    (lambda: nn.dot_product_attention(Q[0], K, V), "dot_product_attention.*rank 4"),
    (lambda: nn.dot_product_attention(Q, K, V, flash_attention=True), "flash"),
    (lambda: nn.ctc_loss(np.ones((2, 3)), np.ones((2, 4, 3)), [3, 3], [4]), "ctc_loss.*shape"),
    (lambda: nn.ctc_loss(np.ones((1, 1)), np.ones((1, 4, 3)), [1], [4], mask_index=3),
     "ctc_loss.*mask_index"),
    (lambda: nn.ctc_decode(np.ones((1, 4, 3)), [4], strategy="beam"),
     "ctc_decode.*'greedy', 'beam_search'"),
    (lambda: nn.ctc_decode(np.ones((1, 4, 3)), [4], strategy="beam_search", beam_width=2,
                           top_paths=3), "ctc_decode.*top_paths"),
    (lambda: nn.psnr(np.ones((2,)), np.ones((3,)), 1.0), "psnr.*same shape"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_name_the_op_and_argument(index):
    call, message = ERRORS[index]
    with pytest.raises(ValueError, match=message):
        call()
