"""Which way a monitored quantity should go, shared by the callbacks that watch a metric."""

import numpy as np

_MODES = ("auto", "min", "max")
# Names whose larger values are better, when the model's metric objects do not say.
_HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2",
                     "correlation", "true_positives", "true_negatives")


def check_mode(owner, mode):
    if mode not in _MODES:
        raise ValueError(f"{owner}: `mode` must be one of {list(_MODES)}. Received: mode={mode!r}.")
    return mode


def direction(owner, monitor, mode, model=None):
    """"min" or "max": from `mode`, else from the model's metric of that name, else its name."""
    if mode != "auto":
        return mode
    name = monitor.removeprefix("val_")
    if name == "loss" or name.endswith("_loss"):
        return "min"
    for metric in _model_metrics(model):
        if getattr(metric, "name", None) == name and getattr(metric, "_direction", None):
            return "max" if metric._direction == "up" else "min"
    if any(word in name for word in _HIGHER_IS_BETTER):
        return "max"
    if "loss" in name or "error" in name:
        return "min"
    raise ValueError(f"{owner}: cannot tell whether monitor={monitor!r} should be minimized or "
                     "maximized. Pass mode='min' or mode='max'.")


def _model_metrics(model):
    metrics = []
    for metric in getattr(model, "metrics", None) or []:
        metrics.append(metric)
        metrics.extend(getattr(metric, "metrics", None) or [])
    return metrics


def as_float(value):
    """A log value as a Python float (None stays None)."""
    if value is None:
        return None
    return float(np.asarray(value).reshape(()))

