"""`keras.backend` as old scripts used it (`from keras import backend as K`): the common functions
mapped to `lamina.ops`, plus Keras 1/2's `hard_sigmoid`, `image_dim_ordering` and `function`.

Functions take and return tensors like `lamina.ops`; `K.variable` makes a `lamina.Variable`, and
`K.get_value`/`K.set_value` read and write one (an optimizer's `lr` included).
"""

import numpy as np

from lamina import backend as _backend
from lamina import ops
from lamina import random as _random
from lamina.backend import epsilon, floatx, image_data_format, set_epsilon, set_floatx

_DIM_ORDERINGS = {"th": "channels_first", "tf": "channels_last"}


def backend():
    """Name of the backend: lamina runs on "jax" (old scripts test for "tensorflow"/"theano")."""
    return _backend.backend()


def hard_sigmoid(x):
    """Keras 1/2's hard sigmoid: `clip(0.2 * x + 0.5, 0, 1)` (today's has slope 1/6).

    Args:
        x: Tensor.

    Returns:
        Tensor of the same shape.

    >>> hard_sigmoid(np.array([-3.0, 0.0, 1.0])).tolist()
    [0.0, 0.5, 0.7000000476837158]
    """
    x = ops.convert_to_tensor(x)
    dtype = x.dtype if "float" in str(x.dtype) else floatx()
    x = ops.cast(x, dtype)
    return ops.clip(ops.add(ops.multiply(x, ops.cast(0.2, dtype)), ops.cast(0.5, dtype)),
                    ops.cast(0.0, dtype), ops.cast(1.0, dtype))


def image_dim_ordering():
    """"th" for channels_first, "tf" for channels_last (Keras 1's spelling of the data format)."""
    return "th" if image_data_format() == "channels_first" else "tf"


def set_image_dim_ordering(dim_ordering):
    """Set the default data format with Keras 1's names "th" or "tf"."""
    if dim_ordering not in _DIM_ORDERINGS:
        raise ValueError("set_image_dim_ordering: expected 'th' or 'tf'. Received: "
                         f"{dim_ordering!r}")
    _backend.set_image_data_format(_DIM_ORDERINGS[dim_ordering])


# -- variables ---------------------------------------------------------------------------------------
def variable(value, dtype=None, name=None):
    """A `lamina.Variable` holding `value`."""
    value = np.asarray(value, dtype=dtype or floatx())
    return _backend.Variable(value, dtype=dtype or floatx(), name=name)


def get_value(x):
    """The value of a Variable (or tensor) as a NumPy array."""
    if hasattr(x, "value") and hasattr(x, "assign"):
        x = x.value
    return _backend.convert_to_numpy(x)


def batch_get_value(xs):
    return [get_value(x) for x in xs]


def set_value(x, value):
    """Assign `value` to the Variable `x`."""
    if not hasattr(x, "assign"):
        raise TypeError(f"K.set_value: expected a Variable (e.g. model.optimizer.lr). Received: "
                        f"{type(x).__name__}.")
    x.assign(np.asarray(value, dtype=_backend.standardize_dtype(x.dtype)))


def batch_set_value(pairs):
    for x, value in pairs:
        set_value(x, value)


def count_params(x):
    return int(np.prod(x.shape))


def int_shape(x):
    return tuple(x.shape)


def ndim(x):
    return len(x.shape)


def dtype(x):
    return _backend.standardize_dtype(x.dtype)


def eval(x):
    return get_value(x)


def constant(value, dtype=None, shape=None):
    value = np.asarray(value, dtype=dtype or floatx())
    if shape is not None:
        value = np.broadcast_to(value, shape)
    return ops.convert_to_tensor(value)


def zeros(shape, dtype=None, name=None):
    return variable(np.zeros(shape), dtype=dtype, name=name)


def ones(shape, dtype=None, name=None):
    return variable(np.ones(shape), dtype=dtype, name=name)


def eye(size, dtype=None, name=None):
    return variable(np.eye(size), dtype=dtype, name=name)


def zeros_like(x, dtype=None):
    return ops.zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None):
    return ops.ones_like(x, dtype=dtype)


def cast(x, dtype):
    return ops.cast(x, dtype)


def shape(x):
    return ops.shape(x)


# -- math ---------------------------------------------------------------------------------------------
def _reduce(fn):
    def reduce(x, axis=None, keepdims=False):
        return fn(x, axis=axis, keepdims=keepdims)
    reduce.__name__ = fn.__name__
    reduce.__doc__ = f"`ops.{fn.__name__}` with Keras 1's (x, axis=None, keepdims=False)."
    return reduce


sum = _reduce(ops.sum)
mean = _reduce(ops.mean)
max = _reduce(ops.max)
min = _reduce(ops.min)
prod = _reduce(ops.prod)
std = _reduce(ops.std)
var = _reduce(ops.var)
any = _reduce(ops.any)
all = _reduce(ops.all)


def argmax(x, axis=-1):
    return ops.argmax(x, axis=axis)


def argmin(x, axis=-1):
    return ops.argmin(x, axis=axis)


def dot(x, y):
    return ops.matmul(x, y)


def batch_dot(x, y, axes=None):
    """Per-sample dot product of two batches over `axes` (default: last of x, 2nd-last of y)."""
    if axes is None:
        axes = (len(x.shape) - 1, len(y.shape) - 2 if len(y.shape) > 2 else 1)
    if isinstance(axes, int):
        axes = (axes, axes)
    from lamina.layers.merging import Dot
    return Dot(axes=tuple(axes))([x, y])


def transpose(x):
    return ops.transpose(x)


def permute_dimensions(x, pattern):
    return ops.transpose(x, axes=tuple(pattern))


def reshape(x, shape):
    return ops.reshape(x, tuple(shape))


def batch_flatten(x):
    return ops.reshape(x, (ops.shape(x)[0], -1))


def flatten(x):
    return ops.reshape(x, (-1,))


def expand_dims(x, axis=-1):
    return ops.expand_dims(x, axis)


def squeeze(x, axis):
    return ops.squeeze(x, axis=axis)


def concatenate(tensors, axis=-1):
    return ops.concatenate(tensors, axis=axis)


def stack(tensors, axis=0):
    return ops.stack(tensors, axis=axis)


def repeat_elements(x, rep, axis):
    return ops.repeat(x, rep, axis=axis)


def repeat(x, n):
    """(batch, dim) -> (batch, n, dim), as RepeatVector."""
    return ops.repeat(ops.expand_dims(x, 1), n, axis=1)


def reverse(x, axes):
    return ops.flip(x, axis=axes)


def gather(reference, indices):
    return ops.take(reference, indices, axis=0)


def one_hot(indices, num_classes):
    return ops.one_hot(indices, num_classes)


def clip(x, min_value, max_value):
    return ops.clip(x, min_value, max_value)


def pow(x, a):
    return ops.power(x, a)


def switch(condition, then_expression, else_expression):
    return ops.where(condition, then_expression, else_expression)


def l2_normalize(x, axis=-1):
    return ops.normalize(x, axis=axis, order=2)


def in_train_phase(x, alt, training=None):
    """`x` when training, else `alt`; outside a training step lamina is in inference."""
    return x if training else alt


def in_test_phase(x, alt, training=None):
    return alt if training else x


def learning_phase():
    """0: lamina passes `training=` to layers instead of a global phase flag."""
    return 0


def set_learning_phase(value):
    if value not in (0, 1):
        raise ValueError(f"K.set_learning_phase: expected 0 or 1. Received: {value!r}")


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=seed)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _random.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def dropout(x, level, noise_shape=None, seed=None):
    return _random.dropout(x, level, noise_shape=noise_shape, seed=seed)


def categorical_crossentropy(target, output, from_logits=False):
    """Keras 2's argument order (target, output); Keras 1 had (output, target)."""
    return ops.categorical_crossentropy(target, output, from_logits=from_logits)


def sparse_categorical_crossentropy(target, output, from_logits=False):
    return ops.sparse_categorical_crossentropy(target, output, from_logits=from_logits)


def binary_crossentropy(target, output, from_logits=False):
    return ops.binary_crossentropy(target, output, from_logits=from_logits)


def function(inputs, outputs, updates=None, **kwargs):
    """A callable that maps input arrays to output arrays through the graph between symbolic
    `inputs` and `outputs` (e.g. a layer's output, to read features). `K.learning_phase()` in
    `inputs` is accepted and its value ignored.

    Args:
        inputs: List of symbolic tensors (`model.input`, `layer.input`), maybe with
            `K.learning_phase()`.
        outputs: List of symbolic tensors (or one).
        updates: Must be empty: lamina applies updates inside `fit`.

    Returns:
        A function taking a list of arrays and returning a list of NumPy arrays.
    """
    if updates:
        raise ValueError("K.function: `updates` are not supported; train with model.fit or "
                         "model.train_on_batch.")
    from lamina.models.functional import Functional
    single = not isinstance(outputs, (list, tuple))
    outputs = [outputs] if single else list(outputs)
    symbolic = [x for x in (inputs if isinstance(inputs, (list, tuple)) else [inputs])
                if not isinstance(x, int)]
    graph = Functional(symbolic, outputs)

    def run(values):
        values = [v for v in values if not isinstance(v, int)][:len(symbolic)]
        result = graph(values if len(values) > 1 else values[0])
        result = result if isinstance(result, (list, tuple)) else [result]
        return [_backend.convert_to_numpy(r) for r in result]
    return run


def _elementwise(name):
    fn = getattr(ops, name)

    def apply(*args, **kwargs):
        return fn(*args, **kwargs)
    apply.__name__ = name
    apply.__doc__ = f"`lamina.ops.{name}`."
    return apply


abs = _elementwise("abs")
square = _elementwise("square")
sqrt = _elementwise("sqrt")
exp = _elementwise("exp")
log = _elementwise("log")
round = _elementwise("round")
sign = _elementwise("sign")
sin = _elementwise("sin")
cos = _elementwise("cos")
tanh = _elementwise("tanh")
sigmoid = _elementwise("sigmoid")
relu = _elementwise("relu")
elu = _elementwise("elu")
softplus = _elementwise("softplus")
softsign = _elementwise("softsign")
maximum = _elementwise("maximum")
minimum = _elementwise("minimum")
equal = _elementwise("equal")
not_equal = _elementwise("not_equal")
greater = _elementwise("greater")
greater_equal = _elementwise("greater_equal")
less = _elementwise("less")
less_equal = _elementwise("less_equal")
softmax = _elementwise("softmax")
logsumexp = _elementwise("logsumexp")
cumsum = _elementwise("cumsum")
cumprod = _elementwise("cumprod")
tile = _elementwise("tile")
stop_gradient = _elementwise("stop_gradient")
lesser = _elementwise("less")
lesser_equal = _elementwise("less_equal")

__all__ = ["abs", "all", "any", "argmax", "argmin", "backend", "batch_dot", "batch_flatten",
           "batch_get_value", "batch_set_value", "binary_crossentropy", "cast",
           "categorical_crossentropy", "clip", "concatenate", "constant", "cos", "count_params",
           "cumprod", "cumsum", "dot", "dropout", "dtype", "elu", "epsilon", "equal", "eval",
           "exp", "expand_dims", "eye", "flatten", "floatx", "function", "gather", "get_value",
           "greater", "greater_equal", "hard_sigmoid", "image_data_format",
           "image_dim_ordering", "in_test_phase", "in_train_phase", "int_shape", "l2_normalize",
           "learning_phase", "less", "less_equal", "lesser", "lesser_equal", "log", "logsumexp",
           "max", "maximum", "mean", "min", "minimum", "ndim", "not_equal", "one_hot", "ones",
           "ones_like", "permute_dimensions", "pow", "prod", "random_normal", "random_uniform",
           "relu", "repeat", "repeat_elements", "reshape", "reverse", "round", "set_epsilon",
           "set_floatx", "set_image_dim_ordering", "set_learning_phase", "set_value", "shape",
           "sigmoid", "sign", "sin", "softmax", "softplus", "softsign",
           "sparse_categorical_crossentropy", "sqrt", "square", "squeeze", "stack", "std",
           "stop_gradient", "sum", "switch", "tanh", "tile", "transpose", "var", "variable",
           "zeros", "zeros_like"]
