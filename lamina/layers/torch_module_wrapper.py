"""TorchModuleWrapper and TFSMLayer: Keras layers that wrap another framework's model.

Both need a backend lamina does not have yet (PyTorch; TensorFlow). The classes exist so that
programs and saved configs naming them fail at once with an error that says what to do.
"""

from lamina.layers.layer import Layer


class TorchModuleWrapper(Layer):
    """Would wrap a `torch.nn.Module` as a layer; this needs lamina's torch backend (not yet
    available), so constructing it raises NotImplementedError.

    Args:
        module: A `torch.nn.Module`.
        name: Layer name.
        output_shape: Output shape of the module, if known.

    >>> lamina.layers.TorchModuleWrapper(None)  # doctest: +SKIP
    NotImplementedError: TorchModuleWrapper needs the torch backend ...
    """

    def __init__(self, module, name=None, output_shape=None, **kwargs):
        raise NotImplementedError(
            "TorchModuleWrapper needs the torch backend, and lamina has no torch backend yet "
            "(it runs on JAX). Rewrite the module with lamina layers (e.g. torch.nn.Linear -> "
            "lamina.layers.Dense, nn.Conv2d -> Conv2D), or wrap a pure JAX function with "
            "lamina.layers.JaxLayer.")


class TFSMLayer(Layer):
    """Would load a TensorFlow SavedModel as a layer; this needs TensorFlow, which lamina does
    not use, so constructing it raises NotImplementedError.

    Args:
        filepath: Path of the SavedModel.
        call_endpoint: Name of the endpoint used for inference.
        call_training_endpoint: Name of the endpoint used in training.
        trainable: Whether the loaded variables are trainable.
        name: Layer name.
        dtype: Layer dtype.

    >>> lamina.layers.TFSMLayer("saved_model_dir")  # doctest: +SKIP
    NotImplementedError: TFSMLayer needs TensorFlow ...
    """

    def __init__(self, filepath, call_endpoint="serve", call_training_endpoint=None,
                 trainable=True, name=None, dtype=None):
        raise NotImplementedError(
            f"TFSMLayer needs TensorFlow to load the SavedModel {filepath!r}, and lamina runs on "
            "JAX without TensorFlow. Save the model as a .keras file (model.save('m.keras') in "
            "Keras 3) and load it with lamina.models.load_model, or rebuild it with lamina "
            "layers and load its weights (model.load_weights('m.weights.h5')).")
