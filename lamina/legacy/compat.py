"""Small era modules: `keras.objectives`, `keras.initializations`, Keras 1's regularizer and
constraint names (`l2`, `l1l2`, `activity_l2`, `maxnorm`, `nonneg`, ...), `keras.activations`
with Keras 1's `hard_sigmoid`, and `keras.metrics` with the era's accuracy functions.

Each `*_names()` function returns the attributes of one legacy module.
"""

from lamina import activations, constraints, initializers, losses, metrics, ops, random
from lamina.legacy.backend import hard_sigmoid


def cosine_proximity(y_true, y_pred):
    """Keras 1's cosine proximity: minus the mean over the last axis of the product of the
    l2-normalized vectors (today's `cosine_similarity` sums, Keras 1 took the mean)."""
    y_true = ops.normalize(ops.convert_to_tensor(y_true, "float32"), axis=-1)
    y_pred = ops.normalize(ops.convert_to_tensor(y_pred, "float32"), axis=-1)
    return ops.negative(ops.mean(ops.multiply(y_true, y_pred), axis=-1))


def objectives_names():
    """`keras.objectives` (Keras 1's losses module) and `keras.losses`."""
    names = {n: getattr(losses, n) for n in losses.__all__}
    names.update(mse=losses.mean_squared_error, mae=losses.mean_absolute_error,
                 mape=losses.mean_absolute_percentage_error,
                 msle=losses.mean_squared_logarithmic_error,
                 kld=losses.kl_divergence, kullback_leibler_divergence=losses.kl_divergence,
                 cosine_proximity=cosine_proximity, cosine=cosine_proximity)
    return names


def binary_accuracy(y_true, y_pred):
    """Fraction of `round(y_pred) == y_true` per sample (Keras 1's metric function)."""
    return ops.mean(ops.cast(ops.equal(ops.cast(y_true, "float32"),
                                       ops.round(ops.cast(y_pred, "float32"))), "float32"),
                    axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1 where the argmax of `y_pred` matches that of one-hot `y_true`, else 0."""
    return ops.cast(ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1)),
                    "float32")


def metrics_names():
    names = {n: getattr(metrics, n) for n in metrics.__all__}
    names.update(objectives_names())
    names.update(binary_accuracy=binary_accuracy, categorical_accuracy=categorical_accuracy)
    return names


def _init_function(make):
    def init(shape, name=None, dim_ordering="th", **kwargs):
        return make(**kwargs)(tuple(shape))
    return init


def _normal(scale=0.05):
    return lambda shape: random.normal(shape, stddev=scale)


def _uniform(scale=0.05):
    return lambda shape: random.uniform(shape, minval=-scale, maxval=scale)


def initializations_names():
    """`keras.initializations`: Keras 1's `init(shape, name=None)` functions, plus `get`."""
    names = {n: getattr(initializers, n) for n in initializers.__all__}
    names.update(
        normal=_init_function(_normal), uniform=_init_function(_uniform),
        zero=_init_function(lambda: initializers.Zeros()),
        one=_init_function(lambda: initializers.Ones()),
        glorot_uniform=_init_function(lambda: initializers.GlorotUniform()),
        glorot_normal=_init_function(lambda: initializers.GlorotNormal()),
        he_normal=_init_function(lambda: initializers.HeNormal()),
        he_uniform=_init_function(lambda: initializers.HeUniform()),
        lecun_uniform=_init_function(lambda: initializers.LecunUniform()),
        orthogonal=_init_function(lambda scale=1.1: initializers.Orthogonal(gain=scale)),
        identity=_init_function(lambda scale=1: initializers.Identity(gain=scale)))
    return names


def regularizers_names():
    """Keras 1's regularizer names over today's classes."""
    from lamina import regularizers
    names = {n: getattr(regularizers, n) for n in regularizers.__all__}
    names.update(
        l1=lambda l=0.01: regularizers.L1(l), l2=lambda l=0.01: regularizers.L2(l),
        l1l2=lambda l1=0.01, l2=0.01: regularizers.L1L2(l1=l1, l2=l2),
        activity_l1=lambda l=0.01: regularizers.L1(l),
        activity_l2=lambda l=0.01: regularizers.L2(l),
        activity_l1l2=lambda l1=0.01, l2=0.01: regularizers.L1L2(l1=l1, l2=l2),
        WeightRegularizer=lambda l1=0.0, l2=0.0: regularizers.L1L2(l1=l1, l2=l2),
        ActivityRegularizer=lambda l1=0.0, l2=0.0: regularizers.L1L2(l1=l1, l2=l2))
    return names


def constraints_names():
    names = {n: getattr(constraints, n) for n in constraints.__all__}
    names.update(maxnorm=constraints.MaxNorm, nonneg=constraints.NonNeg,
                 unitnorm=constraints.UnitNorm, MaxNorm=constraints.MaxNorm)
    return names


def activations_names():
    names = {n: getattr(activations, n) for n in ("get", "serialize", "deserialize")}
    names.update(activations.ALL_OBJECTS_DICT)
    names["hard_sigmoid"] = hard_sigmoid
    return names
