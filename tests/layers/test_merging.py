import doctest

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers import merging
from lamina.ops.symbolic import KerasTensor
from tests.helpers import gradcheck

RNG = np.random.default_rng(11)
A = RNG.normal(size=(2, 3)).astype("float32")
B = RNG.normal(size=(2, 3)).astype("float32")
C = RNG.normal(size=(2, 3)).astype("float32")
COLUMN = RNG.normal(size=(2, 1)).astype("float32")
SEQ = RNG.normal(size=(2, 4, 3)).astype("float32")

# Masked steps are all-zero rows, so Keras reproduces the masks with a Masking layer.
MASKED_A = np.array([[[1., -2.], [0., 0.], [5., -6.], [-3., 2.]]], "float32")
MASKED_B = np.array([[[0., 0.], [0., 0.], [0.5, -8.], [-1., -1.]]], "float32")
MASK_A = np.array([[True, False, True, True]])
MASK_B = np.array([[False, False, True, True]])


def check_merge_layer(cls, kwargs, shapes, expected_shape):
    """Eager, symbolic and compute_output_shape agree; stateless_call and from_config match."""
    inputs = [RNG.normal(size=s).astype("float32") for s in shapes]
    layer = cls(**kwargs)
    out = layer(inputs)
    assert tuple(out.shape) == expected_shape
    symbolic = layer([KerasTensor((None, *s[1:])) for s in shapes])
    assert symbolic.shape == (None, *expected_shape[1:])
    assert layer.compute_output_shape(shapes) == expected_shape
    assert layer.weights == []
    stateless, _ = layer.stateless_call([], [], inputs)
    np.testing.assert_array_equal(stateless, out)
    clone = cls.from_config(layer.get_config())
    assert clone.get_config() == {**layer.get_config(), "name": clone.name}
    np.testing.assert_array_equal(clone(inputs), out)
    rebuilt = layers.deserialize(layers.serialize(layer))
    assert type(rebuilt) is cls and rebuilt.get_config() == layer.get_config()
    return out


# -- element-wise merges ---------------------------------------------------------------------

@pytest.mark.parametrize("cls, reference", [
    (layers.Add, lambda xs: xs[0] + xs[1] + xs[2]),
    (layers.Multiply, lambda xs: xs[0] * xs[1] * xs[2]),
    (layers.Average, lambda xs: (xs[0] + xs[1] + xs[2]) / 3),
    (layers.Maximum, lambda xs: np.maximum(np.maximum(xs[0], xs[1]), xs[2])),
    (layers.Minimum, lambda xs: np.minimum(np.minimum(xs[0], xs[1]), xs[2])),
])
def test_elementwise_merges_match_numpy(cls, reference):
    np.testing.assert_allclose(cls()([A, B, C]), reference([A, B, C]), rtol=1e-6)
    check_merge_layer(cls, {}, [(2, 3), (2, 3)], (2, 3))


def test_subtract_matches_numpy():
    np.testing.assert_allclose(layers.Subtract()([A, B]), A - B, rtol=1e-6)
    check_merge_layer(layers.Subtract, {}, [(2, 4, 3), (2, 4, 3)], (2, 4, 3))


def test_merges_broadcast_after_the_batch_axis():
    np.testing.assert_allclose(layers.Add()([A, COLUMN]), A + COLUMN, rtol=1e-6)
    # A rank-2 input is aligned to rank 3 by an axis inserted after the batch axis.
    np.testing.assert_allclose(layers.Multiply()([A, SEQ]), A[:, None, :] * SEQ, rtol=1e-6)
    np.testing.assert_allclose(layers.Maximum()([SEQ, COLUMN]),
                               np.maximum(SEQ, COLUMN[:, None, :]), rtol=1e-6)
    check_merge_layer(layers.Add, {}, [(2, 3), (2, 4, 1)], (2, 4, 3))


def test_merge_symbolic_shapes_with_unknown_axes():
    a, b = lamina.Input((None, 3)), lamina.Input((4, 1))
    assert layers.Add()([a, b]).shape == (None, 4, 3)
    assert layers.Average()([lamina.Input((None, 1)), lamina.Input((None, 3))]).shape == \
        (None, None, 3)
    assert layers.Add()([lamina.Input((None,)), lamina.Input((1,))]).shape == (None, None)
    assert layers.Add().compute_output_shape([(5, 2), (None, 2)]) == (5, 2)


def test_functional_forms_build_the_layer():
    for fn, cls in [(layers.add, layers.Add), (layers.subtract, layers.Subtract),
                    (layers.multiply, layers.Multiply), (layers.average, layers.Average),
                    (layers.maximum, layers.Maximum), (layers.minimum, layers.Minimum)]:
        np.testing.assert_array_equal(fn([A, B]), cls()([A, B]))
        out = fn([lamina.Input((3,)), lamina.Input((3,))], name=f"f_{cls.__name__.lower()}")
        assert out.node.operation.name == f"f_{cls.__name__.lower()}"
    np.testing.assert_array_equal(layers.concatenate([A, B], axis=0), np.concatenate([A, B], 0))
    np.testing.assert_allclose(layers.dot([A, B], axes=1), (A * B).sum(1, keepdims=True),
                               rtol=1e-5)


def test_merge_errors_name_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r"Add 'sum' cannot merge inputs of shapes \(None, 3\), "
                                         r"\(None, 4\).*sizes 3 and 4 differ"):
        layers.Add(name="sum")([lamina.Input((3,)), lamina.Input((4,))])
    with pytest.raises(ValueError, match=r"Add 'sum2' must be called on a list of tensors"):
        layers.Add(name="sum2")(A)
    with pytest.raises(ValueError, match=r"Subtract 'sub' expects exactly 2 inputs, received 3"):
        layers.Subtract(name="sub")([A, B, C])
    with pytest.raises(ValueError, match=r"different batch sizes \[2, 3\]"):
        layers.Add()([A, np.ones((3, 3), "float32")])
    layer = layers.Maximum(name="mx")
    layer([A, B])
    with pytest.raises(ValueError, match=r"Maximum 'mx' cannot merge inputs of shapes "
                                         r"\(None, 3\), \(None, 2\)"):
        layer([A, B[:, :2]])


# -- masks -----------------------------------------------------------------------------------

def test_masked_maximum_minimum_multiply_match_keras_literals():
    # Keras 3 (jax): Masking()(a), Masking()(b) into each merge layer, in a Functional model.
    masks = [MASK_A, MASK_B]
    expected = {
        layers.Maximum: ([[1., -2.], [0., 0.], [5., -6.], [-1., 2.]],
                         [[1., 0.], [0., 0.], [5., -6.], [-1., 2.]]),
        layers.Minimum: ([[1., -2.], [0., 0.], [0.5, -8.], [-3., -1.]],
                         [[0., -2.], [0., 0.], [0.5, -8.], [-3., -1.]]),
        layers.Multiply: ([[1., -2.], [0., 0.], [2.5, 48.], [3., -2.]],
                          [[0., 0.], [0., 0.], [2.5, 48.], [3., -2.]]),
        layers.Add: ([[1., -2.], [0., 0.], [5.5, -14.], [-4., 1.]],
                     [[1., -2.], [0., 0.], [5.5, -14.], [-4., 1.]]),
    }
    for cls, (both, first_only) in expected.items():
        np.testing.assert_allclose(cls()([MASKED_A, MASKED_B], mask=masks)[0], both)
        np.testing.assert_allclose(cls()([MASKED_A, MASKED_B], mask=[MASK_A, None])[0],
                                   first_only)


def test_masked_maximum_skips_masked_entries():
    # Masked values are large, so a merge that ignored the masks would pick them.
    a = np.array([[[9.0], [1.0], [9.0]]], "float32")
    b = np.array([[[2.0], [9.0], [9.0]]], "float32")
    out = layers.Maximum()([a, b], mask=[np.array([[False, True, False]]),
                                         np.array([[True, False, False]])])
    np.testing.assert_array_equal(np.asarray(out)[0, :2, 0], [2.0, 1.0])


def test_merge_compute_mask_is_logical_or():
    layer = layers.Add()
    assert layer.compute_mask([A, B]) is None
    assert layer.compute_mask([A, B], [MASK_A, None]) is None
    np.testing.assert_array_equal(layer.compute_mask([A, B], [MASK_A, MASK_B]),
                                  MASK_A | MASK_B)
    with pytest.raises(ValueError, match=r"Add '.*'\.compute_mask expects `inputs` and `mask` "
                                         r"as lists of the same length"):
        layer.compute_mask([A, B], [MASK_A])
    with pytest.raises(ValueError, match="compute_mask"):
        layer.compute_mask([A, B], MASK_A)


def test_concatenate_compute_mask_matches_keras_literals():
    a, b = np.zeros((1, 4, 2), "float32"), np.zeros((1, 4, 3), "float32")
    along_time = layers.Concatenate(axis=1).compute_mask([a, a], [MASK_A, None])
    np.testing.assert_array_equal(along_time, [[True, False, True, True] + [True] * 4])
    along_features = layers.Concatenate().compute_mask([a, b], [MASK_A, MASK_B])
    np.testing.assert_array_equal(along_features, MASK_A | MASK_B)
    assert layers.Concatenate().compute_mask([a, b], [None, None]) is None
    assert layers.Dot(axes=2).compute_mask([a, a], [MASK_A, MASK_B]) is None


# -- Concatenate -----------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [-1, 1, 2, 0])
def test_concatenate_matches_numpy(axis):
    other = {-1: (2, 4, 2), 2: (2, 4, 2), 1: (2, 1, 3), 0: (1, 4, 3)}[axis]
    y = RNG.normal(size=other).astype("float32")
    np.testing.assert_array_equal(layers.Concatenate(axis=axis)([SEQ, y]),
                                  np.concatenate([SEQ, y], axis=axis))


def test_concatenate_contract_and_symbolic_shapes():
    check_merge_layer(layers.Concatenate, {}, [(2, 3), (2, 4), (2, 1)], (2, 8))
    check_merge_layer(layers.Concatenate, {"axis": 1}, [(2, 3, 2), (2, 1, 2)], (2, 4, 2))
    assert layers.concatenate([lamina.Input((3,)), lamina.Input((None,))]).shape == (None, None)
    out = layers.concatenate([lamina.Input((None, 2)), lamina.Input((5, 2))], axis=-1)
    assert out.shape == (None, 5, 4)


def test_concatenate_errors():
    with pytest.raises(ValueError, match=r"Concatenate 'cat' requires inputs with matching shapes "
                                         r"except along the concatenation axis -1; axis 1 "
                                         r"differs \(\[3, 4\]\)"):
        layers.Concatenate(name="cat")([lamina.Input((3, 2)), lamina.Input((4, 2))])
    with pytest.raises(ValueError, match=r"Concatenate 'cat2' needs inputs of equal rank"):
        layers.Concatenate(name="cat2")([A, SEQ])
    with pytest.raises(ValueError, match=r"axis=3 is out of range for inputs of rank 2"):
        layers.Concatenate(axis=3)([A, B])
    with pytest.raises(ValueError, match="Concatenate: `axis` must be an int"):
        layers.Concatenate(axis="1")


# -- Dot -------------------------------------------------------------------------------------

def test_dot_matches_numpy_for_each_axes_form():
    x = RNG.normal(size=(2, 3, 4)).astype("float32")
    y = RNG.normal(size=(2, 4, 5)).astype("float32")
    z = RNG.normal(size=(2, 3, 5)).astype("float32")
    np.testing.assert_allclose(layers.Dot(axes=1)([A, B]), (A * B).sum(1, keepdims=True),
                               rtol=1e-5)
    np.testing.assert_allclose(layers.Dot(axes=(2, 1))([x, y]), np.einsum("bij,bjk->bik", x, y),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layers.Dot(axes=1)([x, z]), np.einsum("bij,bik->bjk", x, z),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layers.Dot(axes=[-2, -2])([z, x]),
                               np.einsum("bij,bik->bjk", z, x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layers.Dot(axes=[-1, 1])([x, y]),
                               np.einsum("bij,bjk->bik", x, y), rtol=1e-5, atol=1e-6)
    xt = np.ascontiguousarray(x.transpose(0, 2, 1))
    np.testing.assert_allclose(layers.Dot(axes=(1, 2))([A, xt]), np.einsum("bi,bji->bj", A, xt),
                               rtol=1e-5, atol=1e-6)
    w = RNG.normal(size=(2, 4, 2, 3)).astype("float32")
    np.testing.assert_allclose(layers.Dot(axes=(2, 1))([x, w]),
                               np.einsum("bij,bjkl->bikl", x, w), rtol=1e-5, atol=1e-6)


def test_dot_contract_and_shapes():
    check_merge_layer(layers.Dot, {"axes": 1}, [(2, 3), (2, 3)], (2, 1))
    check_merge_layer(layers.Dot, {"axes": (2, 1)}, [(2, 3, 4), (2, 4, 5)], (2, 3, 5))
    check_merge_layer(layers.Dot, {"axes": -1, "normalize": True}, [(2, 3), (2, 4, 3)], (2, 4))
    assert layers.Dot(axes=(2, 1))([lamina.Input((None, 4)), lamina.Input((4, 5))]).shape == \
        (None, None, 5)


def test_dot_normalize_is_cosine_similarity_and_matches_keras():
    x = RNG.normal(size=(3, 4)).astype("float32")
    y = RNG.normal(size=(3, 4)).astype("float32")
    cosine = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    np.testing.assert_allclose(layers.Dot(axes=1, normalize=True)([x, y])[:, 0], cosine,
                               rtol=1e-5)
    # keras.layers.Dot(1, normalize=True) under KERAS_BACKEND=jax; a zero vector gives 0.
    u = np.array([[3., 4., 0.], [1., -2., 2.]], "float32")
    v = np.array([[1., 0., 0.], [0., 0., 0.]], "float32")
    np.testing.assert_allclose(layers.Dot(axes=1, normalize=True)([u, v]), [[0.6], [0.0]],
                               rtol=1e-6)


def test_dot_errors():
    with pytest.raises(ValueError, match=r"Dot 'd' contracts axis 1 of the first input \(size "
                                         r"3\) with axis 1 of the second \(size 4\)"):
        layers.Dot(axes=1, name="d")([lamina.Input((3,)), lamina.Input((4,))])
    with pytest.raises(ValueError, match=r"cannot contract axis 0, the batch axis"):
        layers.Dot(axes=0)([A, B])
    with pytest.raises(ValueError, match=r"Dot '.*' expects exactly 2 inputs, received 3"):
        layers.Dot(axes=1)([A, B, C])
    with pytest.raises(ValueError, match=r"needs inputs of rank >= 2"):
        layers.Dot(axes=-1)([A[:, 0], B[:, 0]])
    with pytest.raises(ValueError, match=r"axes=\(1, 3\) is out of range"):
        layers.Dot(axes=(1, 3))([A, B])
    for axes in [(1, 2, 3), "1", (1.0, 1), None]:
        with pytest.raises(ValueError, match="Dot: `axes` must be an int or a pair of ints"):
            layers.Dot(axes=axes)
    with pytest.raises(ValueError, match="Dot: `normalize`"):
        layers.Dot(axes=1, normalize="yes")


# -- gradients, models, docs -----------------------------------------------------------------

def test_merge_gradients_match_finite_differences():
    x = RNG.normal(size=(2, 3))
    y = RNG.normal(size=(2, 3))
    z = RNG.normal(size=(2, 1))
    seq = RNG.normal(size=(2, 2, 3))
    with gradcheck.float64_mode():
        cases = [
            (layers.Multiply(), [x, y, z]),
            (layers.Average(), [x, y]),
            (layers.Subtract(), [x, z]),
            (layers.Maximum(), [x, y]),           # random normals: no ties
            (layers.Concatenate(axis=1), [x, z]),
            (layers.Dot(axes=(2, 1)), [seq, RNG.normal(size=(2, 3, 2))]),
            (layers.Dot(axes=1, normalize=True), [x, y]),
        ]
    for layer, args in cases:
        def loss(*xs, layer=layer):
            return ops.sum(ops.sin(layer(list(xs))))

        gradcheck.check_grads(loss, args)


def test_merges_in_a_functional_model():
    a_in, b_in = lamina.Input((3,), name="a"), lamina.Input((3,), name="b")
    dense = layers.Dense(2)
    both = layers.concatenate([dense(a_in), dense(b_in)])
    summed = layers.add([a_in, b_in])
    outputs = layers.Concatenate()([both, layers.Dot(axes=1)([summed, a_in])])
    model = lamina.Model([a_in, b_in], outputs)
    assert outputs.shape == (None, 5)
    kernel, bias = dense.get_weights()
    expected = np.concatenate([A @ kernel + bias, B @ kernel + bias,
                               ((A + B) * A).sum(1, keepdims=True)], axis=1)
    np.testing.assert_allclose(model([A, B]), expected, rtol=1e-5, atol=1e-6)


def test_merging_module_doctests():
    result = doctest.testmod(merging, extraglobs={"lamina": lamina})
    assert result.failed == 0 and result.attempted >= 15


def test_merging_layers_load_keras_configs():
    # Configs as Keras 3 writes them to JSON (tuples become lists).
    dot = layers.deserialize({"module": "keras.layers", "class_name": "Dot",
                              "registered_name": None,
                              "config": {"name": "dot_k", "trainable": True, "axes": [2, 1],
                                         "normalize": True}})
    assert dot.axes == (2, 1) and dot.normalize is True and dot.name == "dot_k"
    cat = layers.deserialize({"module": "keras.layers", "class_name": "Concatenate",
                              "registered_name": None, "config": {"axis": 1}})
    assert cat.axis == 1
    assert type(layers.deserialize({"class_name": "Maximum", "config": {}})) is layers.Maximum
