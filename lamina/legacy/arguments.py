"""Old Keras argument names turned into today's, with one deprecation line per name per process.

A legacy factory (a layer, an optimizer, `fit`) passes its keyword arguments through
`translate`: an old name is renamed and its value converted (`border_mode="same"` ->
`padding="same"`, `dim_ordering="th"` -> `data_format="channels_first"`); a name with no meaning
today is dropped with a line saying so; a name that is neither old nor current raises a TypeError
that suggests the closest spelling (`nb_epochs` -> `nb_epoch`).
"""

import difflib
import inspect
import sys

from lamina import ops
from lamina.layers.layer import Layer

_LAYER_BASE_KWARGS = ("input_shape", "input_dim", "batch_input_shape", "batch_size",
                      "name", "trainable", "dtype")

_ANNOUNCED = set()


def announce(key, message):
    """Print `message` to stderr once per process for each `key`."""
    if key in _ANNOUNCED:
        return
    _ANNOUNCED.add(key)
    print(f"lamina.legacy: {message}", file=sys.stderr)


def forget_announcements():
    """Forget which lines were printed, so the next use of each old name prints again."""
    _ANNOUNCED.clear()


# -- value converters: (owner, value) -> today's value ------------------------------------------------
_DATA_FORMATS = {"th": "channels_first", "tf": "channels_last", "default": None,
                 "channels_first": "channels_first", "channels_last": "channels_last", None: None}


def data_format(owner, value):
    """`dim_ordering` ("th", "tf", "default") as today's `data_format`."""
    if value not in _DATA_FORMATS:
        raise ValueError(f"{owner}: `dim_ordering` must be 'th', 'tf' or 'default'. Received: "
                         f"dim_ordering={value!r}")
    return _DATA_FORMATS[value]


def padding(owner, value):
    """`border_mode` ("valid", "same") as today's `padding`; Theano's "full" has no equivalent."""
    if value not in ("valid", "same", "causal"):
        hint = (" 'full' convolution has no equivalent today: pad the input with ZeroPadding "
                "layers (kernel_size - 1 per side) and use 'valid'." if value == "full" else "")
        raise ValueError(f"{owner}: `border_mode` must be 'valid' or 'same'. Received: "
                         f"border_mode={value!r}.{hint}")
    return value


_INITIALIZERS = {"zero": "zeros", "one": "ones"}


def initializer(owner, value):
    """Keras 1 initializer names ("zero", "one") and `fn(shape, name=None)` functions."""
    if isinstance(value, str):
        return _INITIALIZERS.get(value, value)
    if callable(value) and not hasattr(value, "get_config"):
        function = value

        def initialize(shape, dtype=None):
            return ops.cast(function(shape), dtype or "float32")
        initialize.__name__ = getattr(function, "__name__", "initializer")
        return initialize
    return value


def activation(owner, value):
    """Keras 1/2's `hard_sigmoid` (slope 0.2) where an activation is named."""
    if value == "hard_sigmoid":
        from lamina.legacy.backend import hard_sigmoid
        return hard_sigmoid
    return value


def positive_tuple(owner, value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


# -- translation ----------------------------------------------------------------------------------------
IGNORED = {
    "show_accuracy": "accuracy is a compile metric today: compile(metrics=['accuracy'])",
    "class_mode": "the loss and the output layer decide it today",
    "theano_mode": "there is no Theano backend",
    "consume_less": "the backend picks the fastest recurrent kernel itself",
    "implementation": "the backend picks the fastest recurrent kernel itself",
    "nb_worker": "batches are drawn in the main process",
    "workers": "batches are drawn in the main process",
    "pickle_safe": "batches are drawn in the main process",
    "use_multiprocessing": "batches are drawn in the main process",
    "max_q_size": "batches are drawn in the main process",
    "max_queue_size": "batches are drawn in the main process",
    "mode": "batch statistics are always per feature (Keras 1 mode=0)",
}


def signature_names(*functions):
    """Parameter names of `functions` (and of each class's __init__ up its MRO)."""
    names = set()
    for fn in functions:
        targets = [c.__init__ for c in fn.__mro__ if "__init__" in c.__dict__] \
            if isinstance(fn, type) else [fn]
        for target in targets:
            try:
                parameters = inspect.signature(target).parameters
            except (TypeError, ValueError):
                continue
            names.update(n for n, p in parameters.items()
                         if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and n != "self")
        if isinstance(fn, type) and issubclass(fn, Layer):
            names.update(_LAYER_BASE_KWARGS)
    return names


def unknown_argument(owner, name, known, old=()):
    """The TypeError for an argument that is neither an old nor a current spelling.

    Args:
        owner: Name used in the message.
        name: The unknown argument.
        known: Today's argument names (listed in the message).
        old: Old spellings also accepted (searched for the suggestion).

    Returns:
        A TypeError suggesting the closest known spelling.

    >>> str(unknown_argument("fit", "nb_epochs", {"epochs"}, {"nb_epoch"})).split(".")[0]
    'fit: unknown argument `nb_epochs`'
    """
    close = difflib.get_close_matches(name, sorted(set(known) | set(old)), n=1, cutoff=0.6)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    return TypeError(f"{owner}: unknown argument `{name}`.{hint} Today's arguments: "
                     f"{', '.join(sorted(known))}.")


def translate(owner, kwargs, renames, known):
    """Keyword arguments with old names renamed and converted, ignored names dropped.

    Args:
        owner: Name used in messages, e.g. "Convolution2D" or "fit".
        kwargs: The keyword arguments as the script passed them.
        renames: Dict old name -> (today's name, converter or None). A converter takes
            `(owner, value)` and returns today's value.
        known: Set of today's argument names the target accepts.

    Returns:
        A new dict with today's names.

    >>> translate("fit", {"nb_epoch": 3}, {"nb_epoch": ("epochs", None)}, {"epochs"})
    {'epochs': 3}
    """
    out = {}
    for name, value in kwargs.items():
        if name in renames and name not in known:
            new, convert = renames[name]
            announce((owner, name), f"{owner}({name}=...) is the old spelling; today it is "
                                    f"{owner_today(owner)}({new}=...).")
            if new in kwargs:
                raise TypeError(f"{owner}: got both `{name}` (old spelling) and `{new}`; pass "
                                f"only `{new}`.")
            out[new] = convert(owner, value) if convert is not None else value
        elif name in IGNORED and name not in known:
            announce(("ignored", name), f"{owner}({name}=...) has no meaning today and is "
                                        f"ignored: {IGNORED[name]}.")
        elif name in known:
            out[name] = value
        else:
            raise unknown_argument(owner, name, known, set(renames) | set(IGNORED))
    return out


_TODAY = {"Convolution1D": "Conv1D", "Convolution2D": "Conv2D", "Convolution3D": "Conv3D",
          "AtrousConvolution1D": "Conv1D", "AtrousConvolution2D": "Conv2D",
          "Deconvolution2D": "Conv2DTranspose", "TimeDistributedDense": "TimeDistributed(Dense)",
          "fit_generator": "fit", "evaluate_generator": "evaluate",
          "predict_generator": "predict"}


def owner_today(owner):
    """Today's name of a legacy callable, for messages."""
    return _TODAY.get(owner, owner)


# Renames shared by every layer.
LAYER = {
    "init": ("kernel_initializer", initializer),
    "inner_init": ("recurrent_initializer", initializer),
    "W_regularizer": ("kernel_regularizer", None),
    "U_regularizer": ("recurrent_regularizer", None),
    "b_regularizer": ("bias_regularizer", None),
    "W_constraint": ("kernel_constraint", None),
    "U_constraint": ("recurrent_constraint", None),
    "b_constraint": ("bias_constraint", None),
    "bias": ("use_bias", None),
    "output_dim": ("units", None),
    "inner_activation": ("recurrent_activation", activation),
    "border_mode": ("padding", padding),
    "subsample": ("strides", positive_tuple),
    "subsample_length": ("strides", None),
    "filter_length": ("kernel_size", None),
    "nb_filter": ("filters", None),
    "dim_ordering": ("data_format", data_format),
    "pool_length": ("pool_size", None),
    "stride": ("strides", None),
    "atrous_rate": ("dilation_rate", positive_tuple),
    "p": ("rate", None),
    "sigma": ("stddev", None),
    "dropout_W": ("dropout", None),
    "dropout_U": ("recurrent_dropout", None),
    "beta_init": ("beta_initializer", initializer),
    "gamma_init": ("gamma_initializer", initializer),
}
