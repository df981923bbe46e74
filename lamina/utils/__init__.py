"""Utilities: seeding, label encoding, progress bars, serialization helpers, data loading."""

from lamina.backend import clear_session, is_keras_tensor, standardize_dtype
from lamina.random.seed_generator import set_random_seed
from lamina.saving.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from lamina.utils.config import Config
from lamina.utils.dataset_utils import (
                                        image_dataset_from_directory,
                                        pack_x_y_sample_weight,
                                        split_dataset,
                                        text_dataset_from_directory,
                                        unpack_x_y_sample_weight,
)
from lamina.utils.file_utils import get_file
from lamina.utils.graph_utils import get_source_inputs
from lamina.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from lamina.utils.io_utils import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from lamina.utils.model_visualization import model_to_dot, plot_model
from lamina.utils.numerical_utils import normalize, to_categorical
from lamina.utils.plotting import plot_confusion_matrix
from lamina.utils.progbar import Progbar
from lamina.utils.py_dataset import PyDataset, Sequence
from lamina.utils.sequence_utils import pad_sequences
from lamina.utils.timeseries_dataset import timeseries_dataset_from_array

__all__ = ["Config", "CustomObjectScope", "Progbar", "PyDataset", "Sequence", "array_to_img",
           "clear_session", "custom_object_scope", "deserialize_keras_object",
           "disable_interactive_logging", "enable_interactive_logging", "get_custom_objects",
           "get_file", "get_registered_name", "get_registered_object", "get_source_inputs",
           "image_dataset_from_directory", "img_to_array", "is_interactive_logging_enabled",
           "is_keras_tensor", "load_img", "model_to_dot", "normalize", "pack_x_y_sample_weight",
           "pad_sequences", "plot_confusion_matrix", "plot_model", "register_keras_serializable",
           "save_img", "serialize_keras_object", "set_random_seed", "split_dataset",
           "standardize_dtype", "text_dataset_from_directory", "timeseries_dataset_from_array",
           "to_categorical", "unpack_x_y_sample_weight"]
