"""`keras.utils.np_utils`, `keras.utils.generic_utils` and `keras.utils.visualize_util` of the
era: label encoding, the progress bar, and `plot` (which today is `plot_model`)."""

import numpy as np

from lamina.legacy.arguments import announce
from lamina.utils import Progbar
from lamina.utils import to_categorical as _to_categorical


def to_categorical(y, nb_classes=None, num_classes=None):
    """One-hot rows for integer labels (Keras 1's `np_utils.to_categorical(y, nb_classes)`).

    Args:
        y: Integer labels of any shape; flattened first, as in Keras 1.
        nb_classes: Number of classes (Keras 1's name); default `max(y) + 1`.
        num_classes: Today's name for `nb_classes`.

    Returns:
        A float32 array of shape `(y.size, nb_classes)`.

    >>> to_categorical([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    if nb_classes is not None:
        if num_classes is not None:
            raise TypeError("to_categorical: pass nb_classes (old) or num_classes, not both.")
        announce(("to_categorical", "nb_classes"), "to_categorical(y, nb_classes=...) is the "
                 "old spelling; today it is lamina.utils.to_categorical(y, num_classes=...).")
        num_classes = nb_classes
    y = np.asarray(y)
    if y.size and not np.issubdtype(y.dtype, np.integer) and \
            not np.all(np.equal(np.mod(y, 1), 0)):
        raise ValueError("to_categorical: `y` must hold integer class labels. Received "
                         f"values such as {y.ravel()[:3].tolist()}.")
    return np.asarray(_to_categorical(y.astype("int64").ravel(), num_classes=num_classes),
                      dtype="float32")


def probas_to_classes(y_pred):
    """Class indices from predictions: argmax of several columns, `> 0.5` of one."""
    y_pred = np.asarray(y_pred)
    if y_pred.ndim > 1 and y_pred.shape[-1] > 1:
        return categorical_probas_to_classes(y_pred)
    return (y_pred > 0.5).astype("int32").ravel()


def categorical_probas_to_classes(p):
    """Argmax over the last axis."""
    return np.argmax(np.asarray(p), axis=-1)


def plot(model, to_file="model.png", show_shapes=False, show_layer_names=True):
    """Keras 1's `visualize_util.plot`: needs graphviz, which lamina does not use; prints the
    summary instead and says so."""
    announce(("plot",), "visualize_util.plot(model, to_file=...) draws with graphviz, which "
                        f"lamina does not use; {to_file} is not written, the summary is printed "
                        "instead.")
    model.summary()


plot_model = plot
__all__ = ["Progbar", "categorical_probas_to_classes", "plot", "plot_model", "probas_to_classes",
           "to_categorical"]
