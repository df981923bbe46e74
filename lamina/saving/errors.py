"""The one error type lamina's loaders raise for a file they cannot or will not load.

`load_model`, `load_weights` and `model_from_json` check their *arguments* with the usual
TypeError/ValueError/FileNotFoundError. Anything wrong with the file's *contents* (corrupt,
truncated, not a model file, weights that do not fit the model, or refused as unsafe) raises
`LoadError`, a ValueError subclass, so `except ValueError` keeps working. Its own module because
archive.py, weights_h5.py and legacy_h5.py all raise it.
"""

import contextlib
import struct
import zipfile
import zlib


class LoadError(ValueError):
    """A saved model, weights file or config could not be loaded.

    Raised for corrupt or truncated files, files that are not models, weights that do not match
    the model, and content refused for safety (code in a config in safe mode, links out of the
    file). The message says which part of the file failed and how to fix it.

    >>> issubclass(LoadError, ValueError)
    True
    """


# Errors a malformed file can provoke in zipfile, h5py, json or a layer's constructor. Anything
# else (MemoryError, KeyboardInterrupt) is not about the file and passes through.
_MALFORMED = (KeyError, IndexError, AttributeError, TypeError, OSError, EOFError,
              zipfile.BadZipFile, zlib.error, struct.error, NotImplementedError, RuntimeError,
              OverflowError, UnicodeError)
# About the path, not the contents: the caller's argument, reported as it is.
_PATH_ERRORS = (FileNotFoundError, IsADirectoryError, PermissionError)


@contextlib.contextmanager
def loading(source):
    """Turn any error a file's contents provoke inside the block into a `LoadError`.

    Args:
        source: How to name the file in messages, e.g. "'model.keras'".

    Returns:
        A context manager. A ValueError keeps its message; other errors are described with
        their type, and the original stays attached as `__cause__`.

    >>> with loading("'x.keras'"):  # doctest: +SKIP
    ...     {}["config"]
    Traceback (most recent call last):
    LoadError: 'x.keras' is malformed (KeyError: 'config')...
    """
    try:
        yield
    except (LoadError, *_PATH_ERRORS):
        raise
    except ValueError as error:
        raise LoadError(str(error)) from error
    except _MALFORMED as error:
        raise LoadError(f"{source} is malformed or does not fit the model ({type(error).__name__}: "
                        f"{error}). Check that it is an intact file written by lamina or Keras, "
                        "for this model.") from error
