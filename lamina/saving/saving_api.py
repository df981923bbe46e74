"""Public saving functions: `save_model`, `load_model`, `save_weights`, `load_weights`,
`model_from_json` (Keras 3's `keras.saving` / `keras.models` names)."""

import json

from lamina.saving import archive, weights_h5
from lamina.saving.errors import LoadError, loading


def _check_model(model, fn):
    from lamina.models.model import Model
    if not isinstance(model, Model):
        raise TypeError(f"{fn}: `model` must be a lamina Model (Sequential, Functional or a "
                        f"subclass). Received: {model!r} of type {type(model).__name__}")


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Save a model to a `.keras` archive: config.json, metadata.json and model.weights.h5.

    Args:
        model: The lamina `Model` to save.
        filepath: Path ending in `.keras` (or a writable binary file object).
        overwrite: Whether to replace an existing file. With False an existing file raises
            FileExistsError (Keras asks interactively; lamina never prompts).
        zipped: None or True for a `.keras` zip; False (a folder) is not supported.

    Returns:
        None. The file appears atomically: a failure leaves any previous file unchanged.

    >>> lamina.saving.save_model(model, "model.keras")  # doctest: +SKIP
    """
    _check_model(model, "save_model")
    if kwargs:
        raise TypeError(f"save_model: unrecognized keyword argument(s) {sorted(kwargs)}. The "
                        "accepted arguments are model, filepath, overwrite and zipped (Keras 2's "
                        "include_optimizer/save_format do not apply to .keras files).")
    if zipped not in (None, True, False):
        raise TypeError(f"save_model: `zipped` must be None, True or False. Received: "
                        f"zipped={zipped!r}")
    archive.save_model(model, filepath, overwrite=overwrite,
                       zipped=True if zipped is None else zipped)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a `.keras` model written by lamina or Keras 3, or a Keras 1/2 `.h5` model file.

    Args:
        filepath: Path of the `.keras` or legacy `.h5` file (or a readable binary file object).
        custom_objects: Dict mapping names in the config to custom classes or functions.
        compile: Whether to compile the model from its saved compile config.
        safe_mode: Refuse Python bytecode (lambdas) in the file; pass False only for trusted
            files.

    Returns:
        The model with its weights, and, when compiled, its optimizer state.

    >>> model = lamina.saving.load_model("model.keras")  # doctest: +SKIP
    """
    if not isinstance(safe_mode, bool) or not isinstance(compile, bool):
        raise TypeError("load_model: `compile` and `safe_mode` must be True or False. Received: "
                        f"compile={compile!r}, safe_mode={safe_mode!r}")
    return archive.load_model(filepath, custom_objects=custom_objects, compile=compile,
                              safe_mode=safe_mode)


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """Save a model's weights to a `.weights.h5` file in Keras 3's layout.

    Args:
        model: A built lamina `Model`.
        filepath: Path ending in `.weights.h5`.
        overwrite: Whether to replace an existing file (False raises FileExistsError).
        max_shard_size: Must be None (sharded files are not supported yet).

    Returns:
        None.

    >>> lamina.saving.save_weights(model, "model.weights.h5")  # doctest: +SKIP
    """
    _check_model(model, "save_weights")
    weights_h5.save_weights(model, filepath, overwrite=overwrite, max_shard_size=max_shard_size)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Load weights from a `.weights.h5`, `.keras` or Keras 1/2 `.h5` file into a built model.

    Args:
        model: A built lamina `Model` with the architecture that saved the file.
        filepath: Path ending in `.weights.h5` or `.keras`, or a Keras 1/2 `.h5` file (its
            layers with weights are matched in order, as Keras 2 did).
        skip_mismatch: Skip layers whose weights do not match (with a warning) instead of
            raising.

    Returns:
        None.

    >>> lamina.saving.load_weights(model, "model.weights.h5")  # doctest: +SKIP
    """
    _check_model(model, "load_weights")
    if kwargs:
        raise TypeError(f"load_weights: unrecognized keyword argument(s) {sorted(kwargs)}. The "
                        "accepted arguments are model, filepath and skip_mismatch.")
    weights_h5.load_weights(model, filepath, skip_mismatch=skip_mismatch)


def model_from_json(json_string, custom_objects=None):
    """A model (new weights) from `model.to_json()`'s string (lamina, Keras 3, or Keras 1/2).

    Args:
        json_string: The JSON text of a serialized model. Keras 1/2 configs (old class and
            argument names) become today's layers; code in them is refused (safe mode).
        custom_objects: Dict mapping names in the config to custom classes or functions.

    Returns:
        An uncompiled model with freshly initialized weights.

    >>> model = lamina.models.model_from_json(model.to_json())  # doctest: +SKIP
    """
    if not isinstance(json_string, (str, bytes)):
        raise TypeError("model_from_json: `json_string` must be a JSON string (from "
                        f"model.to_json()). Received: {type(json_string).__name__}")
    from lamina.saving import legacy_h5
    try:
        config = json.loads(json_string)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise LoadError(f"model_from_json: the string is not valid JSON ({error}).") from None
    with loading("the JSON model config"):
        if legacy_h5.is_legacy_config(config):
            return legacy_h5.model_from_config(config, custom_objects=custom_objects,
                                               source="the Keras 1/2 JSON model config")[0]
        return archive.model_from_config(config, custom_objects=custom_objects, compile=False,
                                         source="the JSON model config")


__all__ = ["load_model", "load_weights", "model_from_json", "save_model", "save_weights"]
