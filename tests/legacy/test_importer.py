import sys

import pytest

from lamina.legacy import importer


def test_keras_is_served_only_inside_the_block():
    assert "keras" not in sys.modules
    with importer.installed():
        import keras
        from keras.layers.convolutional import Convolution2D
        from keras.layers.core import Dense
        from keras.models import Sequential
        from keras.utils import np_utils
        assert keras.__version__ == importer.KERAS_VERSION
        assert keras.layers.recurrent.LSTM is keras.layers.LSTM
        assert callable(Convolution2D) and callable(Dense)
        assert Sequential.__module__ == "lamina.legacy.models"
        assert np_utils.to_categorical([1], 2).tolist() == [[0.0, 1.0]]
        from keras import backend as K
        assert K.image_dim_ordering() in ("th", "tf")
    assert not any(name == "keras" or name.startswith("keras.") for name in sys.modules)


def test_unknown_module_and_name_errors():
    with importer.installed():
        with pytest.raises(ModuleNotFoundError, match="keras.layers.nonsense.*Known modules"):
            import keras.layers.nonsense
        with pytest.raises(ImportError, match="SReLU"):
            from keras.layers.advanced_activations import SReLU  # noqa: F401
        from keras.datasets import mnist

        import lamina.datasets.mnist
        assert mnist.load_data is lamina.datasets.mnist.load_data
        with pytest.raises(AttributeError, match="keras.datasets.svhn is not available"):
            import keras.datasets
            keras.datasets.svhn  # noqa: B018


def test_lamina_import_is_unaffected():
    import lamina
    assert lamina.layers.Dense.__module__ == "lamina.layers.core"
    assert not any(isinstance(f, importer.LegacyFinder) for f in sys.meta_path)
