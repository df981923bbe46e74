import pytest

from lamina.layers.torch_module_wrapper import TFSMLayer, TorchModuleWrapper


def test_torch_module_wrapper_explains_the_missing_backend():
    with pytest.raises(NotImplementedError, match="needs the torch backend.*JaxLayer"):
        TorchModuleWrapper(object())


def test_tfsm_layer_explains_the_missing_tensorflow():
    with pytest.raises(NotImplementedError, match="TFSMLayer needs TensorFlow.*'model_dir'"):
        TFSMLayer("model_dir")
