"""Probabilistic metrics: running means of cross-entropies, KL divergence and Poisson loss.

Each metric averages a loss function of `lamina.losses` over every sample seen, weighted by
`sample_weight`.
"""

from lamina import losses
from lamina.metrics.reduction_metrics import MeanMetricWrapper


class LossMeanMetric(MeanMetricWrapper):
    """Running mean of a loss function; its keyword arguments are its constructor arguments.

    Shared base of the metrics that wrap `lamina.losses` functions: the config holds `name`,
    `dtype` and the function's keyword arguments, not the function itself.
    """

    def __init__(self, fn, name, dtype, direction="down", **kwargs):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: `name` must be a string or None. "
                            f"Received: name={name!r} of type {type(name).__name__}.")
        super().__init__(fn=fn, name=name, dtype=dtype, **kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)
        self._direction = direction

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class KLDivergence(LossMeanMetric):
    """Running mean of the Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))`.

    See `lamina.losses.kl_divergence`.

    Args:
        name: Name of the metric. Defaults to "kl_divergence".
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = KLDivergence()
    >>> m.update_state([[0.5, 0.5]], [[0.5, 0.5]])
    >>> float(m.result())
    0.0
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(losses.kl_divergence, name, dtype)


class Poisson(LossMeanMetric):
    """Running mean of the Poisson loss `mean(y_pred - y_true * log(y_pred + epsilon))`.

    See `lamina.losses.poisson`.

    Args:
        name: Name of the metric. Defaults to "poisson".
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = Poisson()
    >>> m.update_state([[0.0, 0.0]], [[1.0, 3.0]])
    >>> float(m.result())
    2.0
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(losses.poisson, name, dtype)


class BinaryCrossentropy(LossMeanMetric):
    """Running mean of the binary cross-entropy between 0/1 labels and predictions.

    See `lamina.losses.binary_crossentropy`.

    Args:
        name: Name of the metric. Defaults to "binary_crossentropy".
        dtype: Dtype of the result; `None` means `floatx()`.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; targets move towards 0.5. Defaults to 0.

    >>> m = BinaryCrossentropy(from_logits=True)
    >>> m.update_state([[1.0]], [[0.0]])
    >>> round(float(m.result()), 4)
    0.6931
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        _check_bool(from_logits, "from_logits", "BinaryCrossentropy")
        _check_label_smoothing(label_smoothing, "BinaryCrossentropy")
        super().__init__(losses.binary_crossentropy, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(LossMeanMetric):
    """Running mean of the cross-entropy between one-hot labels and class predictions.

    See `lamina.losses.categorical_crossentropy`.

    Args:
        name: Name of the metric. Defaults to "categorical_crossentropy".
        dtype: Dtype of the result; `None` means `floatx()`.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; targets mix with the uniform distribution.
        axis: The class axis. Defaults to -1.

    >>> m = CategoricalCrossentropy()
    >>> m.update_state([[0, 1, 0]], [[0.2, 0.5, 0.3]])
    >>> round(float(m.result()), 4)
    0.6931
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        _check_bool(from_logits, "from_logits", "CategoricalCrossentropy")
        _check_label_smoothing(label_smoothing, "CategoricalCrossentropy")
        _check_int(axis, "axis", "CategoricalCrossentropy")
        super().__init__(losses.categorical_crossentropy, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossMeanMetric):
    """Running mean of the cross-entropy between integer labels and class predictions.

    See `lamina.losses.sparse_categorical_crossentropy`.

    Args:
        name: Name of the metric. Defaults to "sparse_categorical_crossentropy".
        dtype: Dtype of the result; `None` means `floatx()`.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        ignore_class: Optional int label whose entries give a loss of 0.
        axis: The class axis. Defaults to -1.

    >>> m = SparseCategoricalCrossentropy()
    >>> m.update_state([1], [[0.2, 0.5, 0.3]])
    >>> round(float(m.result()), 4)
    0.6931
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        owner = "SparseCategoricalCrossentropy"
        _check_bool(from_logits, "from_logits", owner)
        if ignore_class is not None:
            _check_int(ignore_class, "ignore_class", owner)
        _check_int(axis, "axis", owner)
        super().__init__(losses.sparse_categorical_crossentropy, name, dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)


def _check_bool(value, arg, owner):
    if not isinstance(value, bool):
        raise TypeError(f"{owner}: `{arg}` must be True or False. Received: {arg}={value!r}.")


def _check_int(value, arg, owner):
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{owner}: `{arg}` must be an int. Received: {arg}={value!r} of type "
                        f"{type(value).__name__}.")


def _check_label_smoothing(value, owner):
    if (not isinstance(value, (int, float)) or isinstance(value, bool)
            or not 0.0 <= value <= 1.0):
        raise ValueError(f"{owner}: `label_smoothing` must be a float in [0, 1]. Received: "
                         f"label_smoothing={value!r}. Typical values are 0.0 (off) to 0.2.")
