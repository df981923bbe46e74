"""Argument checks and small helpers shared by `fit`, `evaluate` and `predict`."""

import numpy as np

from lamina import backend
from lamina.utils.naming import to_snake_case


def check_stream_arguments(what, x, y=None, sample_weight=None, batch_size=None,
                           validation_split=0.0, role="x"):
    name = f"the {type(x).__name__}"
    for arg, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(f"{what}: `{arg}` must be None when `{role}` is {name}: its batches "
                             "carry the targets and weights as `(x, y)` or "
                             "`(x, y, sample_weight)`.")
    if batch_size is not None and role == "x":
        raise ValueError(f"{what}: `batch_size` must be None when `x` is {name}, which yields "
                         f"whole batches. Received: batch_size={batch_size!r}. Set the batch "
                         "size in the data source instead.")
    if validation_split:
        raise ValueError(f"{what}: `validation_split` only splits in-memory arrays; with "
                         f"{name}, pass `validation_data` (a second generator or dataset).")


def deserialize_nested(value, deserialize):
    """Config dicts inside a (nested) loss or metric spec turned back into objects."""
    if isinstance(value, dict) and "class_name" in value:
        return deserialize(value)
    if isinstance(value, dict):
        return {k: deserialize_nested(v, deserialize) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [deserialize_nested(v, deserialize) for v in value]
    return value


def spec_of(a, batch=None):
    from lamina.ops.symbolic import KerasTensor
    return KerasTensor((batch, *a.shape[1:]), backend.standardize_dtype(a.dtype))


def output_shapes(model):
    outputs = getattr(model, "outputs", None)
    if outputs:
        return [t.shape for t in outputs]
    return [None]


def loss_name(loss):
    fn = getattr(loss, "fn", None)
    names = [type(loss).__name__, getattr(loss, "name", "") or "",
             getattr(fn, "__name__", "") if fn is not None else ""]
    return " ".join(to_snake_case(n) for n in names)


def should_validate(epoch, validation_freq):
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def require_training(what):
    if not backend.supports("training"):
        # NotImplementedError, as Keras 3 raises for fit on its numpy backend.
        raise NotImplementedError(
            f"{what}: the active backend runs inference only (predict, evaluate) and cannot "
            "train. The jax backend trains: set LAMINA_BACKEND=jax (or KERAS_BACKEND=jax) "
            "before importing lamina, or train under jax and load the saved weights here.")


def check_positive_int(value, name, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or \
            value < (0 if allow_zero else 1):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"`{name}` must be a {kind} int. Received: {name}={value!r}")
    return int(value)


def resolve_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 0, 1, 2 or 'auto'. Received: verbose={verbose!r}")
    return verbose


def last_logs(history):
    if history is None or not history.history:
        return {}
    return {k: v[-1] for k, v in history.history.items() if v}
