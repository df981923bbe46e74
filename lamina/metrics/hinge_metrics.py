"""Hinge metrics: running means of the hinge, squared hinge and categorical hinge losses."""

from lamina import losses
from lamina.metrics.probabilistic_metrics import LossMeanMetric


class Hinge(LossMeanMetric):
    """Running mean of the hinge loss `mean(max(1 - y_true * y_pred, 0))`.

    0/1 labels are mapped to -1/1 first; see `lamina.losses.hinge`.

    Args:
        name: Name of the metric. Defaults to "hinge".
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = Hinge()
    >>> m.update_state([[1.0, 0.0]], [[0.5, 0.5]])
    >>> float(m.result())
    1.0
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(losses.hinge, name, dtype)


class SquaredHinge(LossMeanMetric):
    """Running mean of the squared hinge loss `mean(max(1 - y_true * y_pred, 0) ** 2)`.

    0/1 labels are mapped to -1/1 first; see `lamina.losses.squared_hinge`.

    Args:
        name: Name of the metric. Defaults to "squared_hinge".
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = SquaredHinge()
    >>> m.update_state([[1.0, 0.0]], [[0.5, 0.5]])
    >>> float(m.result())
    1.25
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(losses.squared_hinge, name, dtype)


class CategoricalHinge(LossMeanMetric):
    """Running mean of the categorical hinge loss `max(0, 1 + neg - pos)`.

    `pos = sum(y_true * y_pred)` and `neg = max((1 - y_true) * y_pred)`; see
    `lamina.losses.categorical_hinge`.

    Args:
        name: Name of the metric. Defaults to "categorical_hinge".
        dtype: Dtype of the result; `None` means `floatx()`.

    >>> m = CategoricalHinge()
    >>> m.update_state([[0.0, 1.0]], [[0.25, 0.75]])
    >>> float(m.result())
    0.5
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(losses.categorical_hinge, name, dtype)
