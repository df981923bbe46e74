"""Pictures of training: loss and metric curves per epoch, and a classifier's confusion matrix.

Drawn with matplotlib (the `plot` extra), imported only when a picture is asked for. Figures are
made without `pyplot`, so nothing opens a window or changes matplotlib's global state.
"""

import os

import numpy as np

_NORMALIZE_MODES = ("true", "pred", "all")


def require_matplotlib(caller):
    """The `matplotlib` module, or an ImportError telling `caller`'s user how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(f"{caller} draws with matplotlib, which is not installed. Install it "
                          "with `pip install 'lamina[plot]'` (or `pip install matplotlib`)."
                          ) from None
    return matplotlib


def new_figure(caller, figsize):
    """A matplotlib Figure with an Agg canvas (no window, no pyplot state)."""
    require_matplotlib(caller)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize)
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure, path, caller, dpi=100):
    """Write `figure` to `path` (format from the suffix, PNG without one); returns the path."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{caller}: `path` must be a file path such as 'curves.png'. Received: "
                        f"{path!r} of type {type(path).__name__}")
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1][1:].lower() or "png"
    supported = figure.canvas.get_supported_filetypes()
    if suffix not in supported:
        raise ValueError(f"{caller}: cannot write a {suffix!r} file. Use one of the suffixes "
                         f"{sorted(supported)}, e.g. 'curves.png' or 'curves.svg'.")
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    import matplotlib

    # Text stays text in an SVG, so that names in it can be searched and read.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(path, format=suffix, dpi=dpi, bbox_inches="tight")
    return path


def plot_history(history, path=None, metrics=None, title=None):
    """Draw per-epoch training curves: one subplot per metric, validation on the same axes.

    Args:
        history: A dict `{name: [value per epoch]}` such as `History.history`; `val_<name>`
            entries are drawn with `<name>`.
        path: File to write (PNG, or SVG/PDF by suffix). `None` returns the figure instead.
        metrics: Names to draw (without `val_`), in order. `None` draws every recorded one,
            the loss first.
        title: Optional title above the subplots.

    Returns:
        `path` as a string when given, else the matplotlib `Figure`.

    >>> plot_history({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]}, "curves.png")
    'curves.png'
    """
    caller = "History.plot"
    if not isinstance(history, dict):
        raise TypeError(f"{caller}: expected a dict of per-epoch values such as "
                        f"History.history. Received: {history!r} of type {type(history).__name__}")
    names = [k for k in history if not k.startswith("val_")]
    names += [k[4:] for k in history if k.startswith("val_") and k[4:] not in history]
    names.sort(key=lambda name: name != "loss")      # the loss first, then in recorded order
    if metrics is not None:
        if isinstance(metrics, str):
            metrics = [metrics]
        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise ValueError(f"{caller}: no recorded values for {unknown}. Recorded names: "
                             f"{names}.")
        names = list(metrics)
    if not names or not any(history.get(n) or history.get("val_" + n) for n in names):
        raise ValueError(f"{caller}: there is nothing to plot yet (history: {history!r}). Call "
                         "it after `fit` has run at least one epoch.")
    figure = new_figure(caller, figsize=(4.5 * len(names), 3.5))
    from matplotlib.ticker import MaxNLocator

    axes = figure.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        for key, label, style in ((name, "training", "-o"), ("val_" + name, "validation", "--s")):
            values = _as_floats(history.get(key) or [])
            if len(values):
                ax.plot(np.arange(1, len(values) + 1), values, style, label=label, markersize=3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return save_figure(figure, path, caller) if path is not None else figure


def plot_confusion_matrix(y_true, y_pred, class_names=None, normalize=False, path=None):
    """Draw a classifier's confusion matrix: rows are true classes, columns predicted ones.

    Args:
        y_true: Integer labels of shape `(n,)`, or one-hot / probability rows `(n, classes)`.
        y_pred: Predicted labels `(n,)`, or scores `(n, classes)` (their argmax is taken).
        class_names: Optional list of names, one per class, for the axis ticks.
        normalize: `False` shows counts; `True` or `"true"` divides each row by its total (the
            recall of each class on the diagonal), `"pred"` each column, `"all"` the whole.
        path: File to write (PNG, or SVG/PDF by suffix). `None` returns the figure instead.

    Returns:
        `path` as a string when given, else the matplotlib `Figure` (the matrix shown is
        `figure.axes[0].images[0].get_array()`).

    >>> plot_confusion_matrix([0, 1, 1], [0, 1, 0], class_names=["cat", "dog"], path="cm.png")
    'cm.png'
    """
    caller = "plot_confusion_matrix"
    if not (isinstance(normalize, bool)
            or (isinstance(normalize, str) and normalize in _NORMALIZE_MODES)):
        raise ValueError(f"{caller}: `normalize` must be False, True, 'true', 'pred' or 'all'. "
                         f"Received: normalize={normalize!r}")
    true, classes_true = _labels(y_true, "y_true")
    pred, classes_pred = _labels(y_pred, "y_pred")
    if true.shape[0] != pred.shape[0]:
        raise ValueError(f"{caller}: `y_true` and `y_pred` must hold the same number of samples. "
                         f"Received {true.shape[0]} and {pred.shape[0]}.")
    num_classes = max(classes_true, classes_pred, int(max(true.max(initial=-1),
                                                          pred.max(initial=-1))) + 1)
    if class_names is not None:
        class_names = [str(name) for name in class_names]
        if len(class_names) < num_classes:
            raise ValueError(f"{caller}: `class_names` has {len(class_names)} names but the labels "
                             f"reach class {num_classes - 1}. Give one name per class.")
        num_classes = len(class_names)
    else:
        class_names = [str(i) for i in range(num_classes)]
    matrix = confusion_counts(true, pred, num_classes)
    if normalize is not False:
        matrix = _normalized(matrix, "true" if normalize is True else normalize)
    size = max(3.5, 0.55 * num_classes + 1.5)
    figure = new_figure(caller, figsize=(size + 1.0, size))
    ax = figure.add_subplot(1, 1, 1)
    image = ax.imshow(matrix, cmap="Blues", vmin=0)
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ticks = np.arange(num_classes)
    ax.set_xticks(ticks, labels=class_names, rotation=45 if num_classes > 5 else 0)
    ax.set_yticks(ticks, labels=class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix" + (" (normalized)" if normalize is not False else ""))
    if num_classes <= 20:
        threshold = matrix.max() / 2.0
        for i in range(num_classes):
            for j in range(num_classes):
                text = f"{matrix[i, j]:.2f}" if normalize is not False else f"{int(matrix[i, j])}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="white" if matrix[i, j] > threshold else "black")
    figure.tight_layout()
    return save_figure(figure, path, caller) if path is not None else figure


def confusion_counts(y_true, y_pred, num_classes):
    """Counts `m[i, j]` of samples of true class `i` predicted as `j` (NumPy, host side)."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return matrix


def _normalized(matrix, mode):
    matrix = matrix.astype(np.float64)
    if mode == "true":
        totals = matrix.sum(axis=1, keepdims=True)
    elif mode == "pred":
        totals = matrix.sum(axis=0, keepdims=True)
    else:
        totals = matrix.sum()
    # A class with no samples keeps a row (or column) of zeros instead of NaNs.
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals != 0)


def _labels(values, name):
    """Integer labels `(n,)` and the class count the input implies (0 for plain labels)."""
    caller = "plot_confusion_matrix"
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{caller}: `{name}` must be an array of labels or scores. Received: "
                        f"{type(values).__name__} ({error}).") from None
    if array.ndim == 2 and array.shape[1] > 1:
        return np.argmax(array, axis=1), array.shape[1]
    if array.ndim == 2:
        array = array[:, 0]
    if array.ndim != 1 or not array.size:
        raise ValueError(f"{caller}: `{name}` must be labels of shape (n,) or scores of shape "
                         f"(n, classes) with n > 0. Received shape {array.shape}.")
    if not np.issubdtype(array.dtype, np.number) or np.any(array < 0) or np.any(
            array != np.round(array)):
        raise ValueError(f"{caller}: `{name}` must hold non-negative integer class labels. "
                         f"Received values such as {array[:5].tolist()}. Pass scores of shape "
                         "(n, classes) to have their argmax taken.")
    return array.astype(np.int64), 0


def _as_floats(values):
    return np.asarray([np.mean(np.asarray(v, dtype=np.float64)) for v in values], dtype=np.float64)
